import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from mediastance.cli import cli
from mediastance.core.storage import StorageError, ensure_db_shape, open_db, save_rows, search

CONTRACT = {
    "sources": {
        "name",
        "kind",
        "url",
        "language",
        "last_status",
        "last_error",
        "failures",
        "etag",
        "last_modified",
        "last_checked",
    },
    "articles": {
        "id",
        "url",
        "canonical_url",
        "source",
        "outlet",
        "title",
        "text",
        "language",
        "published",
        "fetched_at",
        "content_hash",
        "duplicate_of",
    },
    "fetch_errors": {"id", "run_id", "source", "url", "error", "status_code", "at"},
    "runs": {"id", "started_at", "finished_at", "status"},
    "statements": {
        "id",
        "article_id",
        "speaker",
        "organisation",
        "language",
        "text",
        "kind",
        "sentence_index",
    },
    "stances": {
        "item_type",
        "item_id",
        "article_id",
        "target",
        "label",
        "score",
        "evidence",
        "model",
        "model_version",
    },
    "sentiments": {"item_type", "item_id", "label", "score", "model", "model_version"},
}


def schema(db) -> list:
    return list(db.execute("select type, name, sql from sqlite_master order by name").fetchall())


def test_init_creates_contract_schema_and_is_idempotent(tmp_path: Path):
    path = tmp_path / "m.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["init", "--db", str(path)])
    assert first.exit_code == 0, first.output
    db = open_db(path)
    for table, columns in CONTRACT.items():
        assert columns <= set(db[table].columns_dict), table
    before = schema(db)
    count_before = db["sources"].count
    second = runner.invoke(cli, ["init", "--db", str(path)])
    assert second.exit_code == 0, second.output
    assert schema(open_db(path)) == before
    assert open_db(path)["sources"].count == count_before == 10
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_fts_finds_chinese_and_english(tmp_path: Path):
    db = open_db(tmp_path / "m.db")
    ensure_db_shape(db)
    save_rows(
        db,
        "articles",
        [
            {
                "id": "a1",
                "canonical_url": "http://x/1",
                "title": "淘宝打假",
                "text": "国家工商总局批评淘宝售卖假货。",
            },
            {
                "id": "a2",
                "canonical_url": "http://x/2",
                "title": "IACC suspends Alibaba",
                "text": "Brands protested the counterfeits.",
            },
        ],
        pk="id",
    )
    assert [r["id"] for r in search(db, "articles", "售卖假货")] == ["a1"]  # trigram FTS
    assert [r["id"] for r in search(db, "articles", "假货")] == ["a1"]  # 2 chars: LIKE
    assert [r["id"] for r in search(db, "articles", "counterfeits")] == ["a2"]
    assert [r["id"] for r in search(db, "articles", "alibaba brands")] == ["a2"]
    assert search(db, "articles", "假货 Alibaba") == []


def test_upsert_keeps_columns_added_by_other_stages(tmp_path: Path):
    db = open_db(tmp_path / "m.db")
    ensure_db_shape(db)
    save_rows(db, "articles", [{"id": "a1", "canonical_url": "u", "title": "old"}], pk="id")
    db["articles"].update("a1", {"reviewer_note": "checked"}, alter=True)
    save_rows(db, "articles", [{"id": "a1", "canonical_url": "u", "title": "new"}], pk="id")
    row = db["articles"].get("a1")
    assert (row["title"], row["reviewer_note"]) == ("new", "checked")


def test_not_a_database_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot open as SQLite"):
        ensure_db_shape(open_db(path))
    result = CliRunner().invoke(cli, ["init", "--db", str(path)])
    assert result.exit_code == 2
    assert "cannot open as SQLite" in result.output
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_wal_reader_while_writer(tmp_path: Path):
    path = tmp_path / "m.db"
    db = open_db(path)
    ensure_db_shape(db)
    with db.atomic():
        db["articles"].insert({"id": "a1", "canonical_url": "u"})
        reader = sqlite3.connect(path, timeout=0.1)
        assert reader.execute("select count(*) from articles").fetchone()[0] == 0
    assert reader.execute("select count(*) from articles").fetchone()[0] == 1


def test_story_timeline_counts_outlets_from_one_index():
    # Without it SQLite read every original article once per story (18 s at 50,000).
    db = open_db(memory=True)
    ensure_db_shape(db)
    plan = " ".join(row[3] for row in db.execute("explain query plan select * from story_timeline"))
    assert "COVERING INDEX idx_articles_story_id_duplicate_of_outlet" in plan
