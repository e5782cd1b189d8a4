"""The word index (mediastance/core/search_index.py), searching it (mediastance/search.py)
and Datasette's table search box over it.
"""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
from pathlib import Path

import pytest

from mediastance import search
from mediastance.core import search_index
from mediastance.core.language import to_simplified
from mediastance.core.storage import ensure_db_shape, open_db, save_rows
from mediastance.serve import make_datasette

DB = "mediastance"
HAN = search_index.HAN + "+"
ARTICLES = [
    {
        "id": "a1",
        "canonical_url": "u1",
        "title": "淘宝打假",
        "text": "国家工商总局批评淘宝售卖假货。阿里巴巴回应称，打假需要品牌方配合。",
        "published": "2015-01-28",
    },
    {
        "id": "a2",
        "canonical_url": "u2",
        "title": "阿里巴巴遭國際反假冒聯盟暫停會員資格",
        "text": "國際反假冒聯盟指淘寶上的假貨問題嚴重。Alibaba稱聯盟被私利綁架。",
        "published": "2016-05-14",
    },
    {
        "id": "a3",
        "canonical_url": "u3",
        "title": "IACC suspends Alibaba",
        "text": "Brands protested that counterfeits are sold on Taobao; 假货 is the word.",
        "published": "2016-05-13",
    },
    {
        "id": "a4",
        "canonical_url": "u4",
        "title": "Port volumes rise",
        "text": "West coast ports handled more containers. 货运量上升，假期将至。",
        "published": "2016-05-20",
    },
]


@pytest.fixture
def db():
    db = open_db(memory=True)
    ensure_db_shape(db)
    save_rows(db, "articles", ARTICLES, pk="id")
    return db


def found(db, table: str, query: str) -> list[str]:
    match = search.match_query(query)
    pk = "id"
    sql = f"select {pk} from [{table}] where rowid in ({search.ranked_rowids_sql(table)})"
    return sorted(r[0] for r in db.execute(sql, [match]))


def like_truth(db, table: str, term: str) -> list[str]:
    """Rows whose columns contain the term, both sides in Simplified characters."""
    columns = list(search_index.SEARCH_INDEXES[table])
    wanted = to_simplified(term)
    return sorted(
        row["id"]
        for row in db[table].rows
        if any(wanted in to_simplified(row[c] or "") for c in columns)
    )


def test_index_text_pairs_han_runs_in_simplified():
    assert search_index.index_text("淘寶售賣假貨 Alibaba, 2016年") == (
        " 淘宝 宝售 售卖 卖假 假货 货  Alibaba, 2016 年 "
    )
    assert search_index.index_text("No Chinese here") == "No Chinese here"
    assert search_index.index_text(None) is None


def test_match_query_terms_phrases_and_prefixes():
    assert search.match_query("假货") == '"假货"'
    assert search.match_query("假貨 Alibaba") == '"假货" AND "Alibaba"'
    assert search.match_query("国际反假冒联盟") == '"国际 际反 反假 假冒 冒联 联盟"'
    assert search.match_query("假") == '"假" *'  # also the first of 假货, 假冒 ...
    assert search.match_query("A股") == '"A 股" *'
    assert search.match_query("股A") == '"股 A"'  # 股 ends its run in the text too
    assert search.match_query('"国际 反假冒" counterf*') == '"国际 际反 反假 假冒" AND "counterf" *'
    assert search.match_query('say "it') == '"say" AND "it"'  # unbalanced quote
    assert search.match_query("!! ，") is None
    assert search.match_query("   ") is None


def test_every_chinese_substring_is_found_as_like_finds_it(db):
    # Ground truth: LIKE over the Simplified text. Every substring of 1-6 Han
    # characters of the corpus (and a sample of ones absent from it) must find exactly
    # the rows that contain it, whatever the script of the text or the query.
    runs = [run for a in ARTICLES for c in ("title", "text") for run in re.findall(HAN, a[c])]
    terms = set()
    for run in runs:
        for size in range(1, 7):
            terms.update(run[i : i + size] for i in range(len(run) - size + 1))
    rng = random.Random(21)
    chars = "".join(runs)
    terms.update("".join(rng.sample(chars, 2)) for _ in range(100))
    assert len(terms) > 400
    for term in sorted(terms):
        assert found(db, "articles", term) == like_truth(db, "articles", term), term


def test_mixed_terms_english_words_and_stems(db):
    assert found(db, "articles", "假货 Alibaba") == ["a2", "a3"]
    assert found(db, "articles", "假货 Taobao") == ["a3"]
    assert found(db, "articles", "counterfeit") == ["a3"]  # porter: counterfeits
    assert found(db, "articles", "Alibaba稱") == ["a2"]  # Latin then Han, no space
    assert found(db, "articles", "假 port") == ["a4"]  # 假期, ports
    assert found(db, "articles", "brands protested") == ["a3"]


def test_triggers_keep_the_index_in_step(db):
    db["articles"].update("a1", {"text": "内容已更新"})
    assert found(db, "articles", "假货") == ["a2", "a3"]
    assert found(db, "articles", "淘宝") == ["a1", "a2"]  # a1's title still says so
    assert found(db, "articles", "更新") == ["a1"]
    db["articles"].delete("a2")
    assert found(db, "articles", "假货") == ["a3"]
    assert found(db, "articles", "反假冒") == []
    save_rows(db, "statements", [{"id": "s1", "text": "打假", "speaker": "马云"}], pk="id")
    assert found(db, "statements", "马云") == ["s1"]
    db["statements"].upsert({"id": "s1", "speaker": "發言人"}, pk="id")
    assert found(db, "statements", "马云") == []
    assert found(db, "statements", "发言人 打假") == ["s1"]


def test_ranked_best_first(db):
    def ranked(query: str) -> list[str]:
        sql = search.ranked_rowids_sql("articles")
        id_of = dict(db.execute("select rowid, id from articles").fetchall())
        return [id_of[r[0]] for r in db.execute(sql, [search.match_query(query)])]

    assert ranked("淘宝") == ["a1", "a2"]  # a1: in its title and its text
    assert ranked("Alibaba") == ["a3", "a2"]  # a3: in its (shorter) title


def database_before(path: Path, migration: str, undo) -> Path:
    """A database with ARTICLES as it was before ``migration``: ``undo(db)`` removes its work."""
    db = open_db(path)
    ensure_db_shape(db)
    save_rows(db, "articles", ARTICLES, pk="id")
    undo(db)
    db.execute("delete from _sqlite_migrations where name = ?", [migration])
    db.conn.commit()
    db.close()
    return path


def test_migration_indexes_existing_rows_and_is_safe_to_repeat(tmp_path: Path):
    def no_word_index(db):
        for table in search_index.SEARCH_INDEXES:
            name = search_index.index_name(table)
            for suffix in ("ai", "ad", "au"):
                db.execute(f"drop trigger [{name}_{suffix}]")
            db.execute(f"drop table [{name}]")

    path = database_before(tmp_path / "m.db", "m015_word_search", no_word_index)
    for _ in range(2):
        db = open_db(path)
        ensure_db_shape(db)
        assert found(db, "articles", "假货") == ["a1", "a2", "a3"]
        db.close()
    db = open_db(path)
    search_index.create_search_index(db, "articles")  # again, on a full index: same rows
    assert found(db, "articles", "假货") == ["a1", "a2", "a3"]


def test_ranked_views_come_to_an_existing_database(tmp_path: Path):
    def no_ranked_views(db):  # and FTS5's default rank
        for table in search_index.SEARCH_INDEXES:
            db.execute(f"drop view [{search_index.ranked_view_name(table)}]")
            db.execute(f"delete from [{search_index.index_name(table)}_config] where k = 'rank'")

    path = database_before(tmp_path / "m.db", "m020_ranked_search", no_ranked_views)
    for _ in range(2):
        db = open_db(path)
        ensure_db_shape(db)
        sql = "select id from articles_ranked where _match = ? order by rank"
        ids = [r[0] for r in db.execute(sql, [search.match_query("淘宝")])]
        assert ids == bm25_order(db, "articles", "淘宝") == ["a1", "a2"]
        assert db.execute(
            "select v from articles_search_fts_config where k = 'rank'"
        ).fetchone() == ("bm25(2.0, 1.0)",)
        db.close()


def test_index_is_rebuilt_when_its_tokens_would_change(tmp_path: Path, monkeypatch):
    path = tmp_path / "m.db"
    db = open_db(path)
    ensure_db_shape(db)
    save_rows(db, "articles", ARTICLES, pk="id")
    assert db.execute("select * from _search_index_versions order by name").fetchall() == [
        ("articles_search_fts", search_index.tokens_version()),
        ("statements_search_fts", search_index.tokens_version()),
    ]
    # Unchanged rules: the index is left as it is.
    monkeypatch.setattr(search_index, "rebuild_search_index", None)
    ensure_db_shape(db)
    monkeypatch.undo()
    # Built by older rules (here: emptied, and marked so): rebuilt from the rows.
    db.execute("insert into articles_search_fts (articles_search_fts) values ('delete-all')")
    db.execute("update _search_index_versions set version = 'pairs 0; opencc 1.1'")
    db.conn.commit()
    assert found(db, "articles", "假货") == []
    db.close()
    db = open_db(path)
    ensure_db_shape(db)
    assert found(db, "articles", "假货") == ["a1", "a2", "a3"]
    assert dict(db.execute("select * from _search_index_versions").fetchall()) == {
        "articles_search_fts": search_index.tokens_version(),
        "statements_search_fts": search_index.tokens_version(),
    }


def test_a_writer_without_the_function_gets_an_error_and_writes_nothing(tmp_path: Path):
    path = tmp_path / "m.db"
    db = open_db(path)
    ensure_db_shape(db)
    db.close()
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.OperationalError, match="no such function: mediastance_search"):
        with conn:
            conn.execute("insert into articles (id, title) values ('x', '假货')")
    assert conn.execute("select count(*) from articles").fetchone() == (0,)


def test_a_writer_through_sqlite_utils_with_the_function_is_indexed(tmp_path: Path):
    # The README's way to write from the shell: sqlite-utils query --functions.
    from click.testing import CliRunner
    from sqlite_utils.cli import cli

    path = tmp_path / "m.db"
    db = open_db(path)
    ensure_db_shape(db)
    db.close()
    functions = "from mediastance.core.search_index import index_text as mediastance_search_text"
    insert = "insert into articles (id, canonical_url, title) values ('x', 'ux', '山寨假貨')"
    result = CliRunner().invoke(cli, ["query", str(path), insert, "--functions", functions])
    assert result.exit_code == 0, result.output
    assert found(open_db(path), "articles", "山寨") == ["x"]


# Datasette's own search box ------------------------------------------------------------


def table_search(ds, table: str, query: str, **args: str) -> list[dict]:
    """The rows that the table page's search box lists, in its order (redirects followed)."""
    params = {"_search": query, "_shape": "objects", "_size": "max", "_nofacet": "1", **args}
    response = asyncio.run(
        ds.client.get(f"/{DB}/{table}.json", params=params, follow_redirects=True)
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()["rows"]


def bm25_order(db, table: str, query: str) -> list[str]:
    """Ids best first by the word index's bm25, asked directly (not through the view)."""
    id_of = dict(db.execute(f"select rowid, id from [{table}]").fetchall())
    sql = search.ranked_rowids_sql(table)
    return [id_of[r[0]] for r in db.execute(sql, [search.match_query(query)])]


def test_table_search_box_on_a_small_database(db, tmp_path: Path):
    path = tmp_path / "s.db"
    db.execute(f"vacuum into '{path}'")
    ds = make_datasette(path)
    assert sorted(r["id"] for r in table_search(ds, "articles", "假货")) == ["a1", "a2", "a3"]
    assert sorted(r["id"] for r in table_search(ds, "articles", "假貨 Alibaba")) == ["a2", "a3"]
    assert table_search(ds, "articles", "!!") == []
    assert len(table_search(ds, "articles", " ")) == 4  # an empty box shows everything
    page = asyncio.run(
        ds.client.get(f"/{DB}/articles", params={"_search": "假货"}, follow_redirects=True)
    )
    assert page.status_code == 200
    assert 'value="假货"' in page.text  # the box keeps the user's words
    assert "3 rows where search matches &#34;假货&#34; sorted by rank" in page.text
    # Asked for a column order, the search stays on the table page, in that order.
    by_date = table_search(ds, "articles", "假货", _sort_desc="published")
    assert [r["id"] for r in by_date] == ["a2", "a3", "a1"]
    # A column search is still Datasette's own, over the trigram index.
    response = asyncio.run(
        ds.client.get(f"/{DB}/articles.json", params={"_search_title": "suspends"})
    )
    assert [r[0] for r in response.json()["rows"]] == ["a3"]


def test_search_box_lists_the_best_match_first(db, tmp_path: Path):
    # Both say 假货 and Alibaba: "best" in its title and often, "weak" once each in a
    # longer text, and "weak" is newer, so the table's own order would list it first.
    filler = "The company reported quarterly revenue and new logistics centres. " * 6
    save_rows(db, "articles", [
        {"id": "best", "canonical_url": "u5", "title": "Alibaba 假货 打假",
         "text": "阿里巴巴 (Alibaba) 假货 假货 Alibaba 打假。", "published": "2016-01-02"},
        {"id": "weak", "canonical_url": "u6", "title": "Quarterly results",
         "text": f"Alibaba: {filler} 假货 were mentioned.", "published": "2016-06-01"},
    ], pk="id")  # fmt: skip
    path = tmp_path / "r.db"
    db.execute(f"vacuum into '{path}'")
    ds = make_datasette(path)
    response = asyncio.run(
        ds.client.get(f"/{DB}/articles", params={"_search": "假货 Alibaba", "language": "en"})
    )
    assert response.status_code == 302
    assert response.headers["location"] == (
        f"/{DB}/articles_ranked?_search=%E5%81%87%E8%B4%A7+Alibaba&language=en&_nocol=_match"
    )
    ranked = [r["id"] for r in table_search(ds, "articles", "假货 Alibaba")]
    assert ranked[0] == "best"
    page = asyncio.run(
        ds.client.get(f"/{DB}/articles", params={"_search": "假货 Alibaba"}, follow_redirects=True)
    )
    assert page.text.index('<a href="/mediastance/articles/best">best</a>') < page.text.index(
        '<a href="/mediastance/articles/weak">weak</a>'
    )  # best first, and each result links to its article's page
    assert ranked == bm25_order(db, "articles", "假货 Alibaba")
    assert sorted(ranked) == ["a2", "a3", "best", "weak"]
    by_date = [
        r["id"] for r in table_search(ds, "articles", "假货 Alibaba", _sort_desc="published")
    ]
    assert by_date == ["weak", "a2", "a3", "best"]
    # Next pages follow the rank; the count is every match; rank is a column.
    params = {"_search": "假货 Alibaba", "_size": "2", "_shape": "objects"}
    first = asyncio.run(ds.client.get(f"/{DB}/articles_ranked.json", params=params)).json()
    assert first["next"] == "2"  # an offset: a view's pages
    params["_next"] = first["next"]
    rest = asyncio.run(ds.client.get(f"/{DB}/articles_ranked.json", params=params)).json()
    assert [r["id"] for r in first["rows"] + rest["rows"]] == ranked
    assert first["filtered_table_rows_count"] == 4
    assert [r["rank"] for r in first["rows"]] == sorted(r["rank"] for r in first["rows"])


def test_ranked_view_follows_the_tables_columns_and_counts_from_the_index(db):
    db["articles"].add_column("reviewed_by", str)  # as a later migration may
    ensure_db_shape(db)
    assert "reviewed_by" in db["articles_ranked"].columns_dict
    match = [search.match_query("假货")]
    count = "select count(*) from articles_ranked where _match = ?"
    assert db.execute(count, match).fetchone() == (3,)
    # Datasette counts every match on each page: the index alone answers, no table row read.
    plan = [r[3] for r in db.execute(f"explain query plan {count}", match)]
    assert plan and all("VIRTUAL TABLE" in step for step in plan), plan


def test_ranked_view_without_a_search_lists_nothing_and_says_why(db, tmp_path: Path):
    path = tmp_path / "r.db"
    db.execute(f"vacuum into '{path}'")
    ds = make_datasette(path)
    response = asyncio.run(ds.client.get(f"/{DB}/statements_ranked.json"))
    assert response.json()["rows"] == []
    assert response.json()["human_description_en"] == (
        "where no search yet: type words in the search box, the matches come best first"
        " sorted by rank"
    )
    assert table_search(ds, "statements", "!!") == []


def demo_truth(db, table: str, query: str) -> list[str]:
    """LIKE ground truth for a query of Chinese terms and English words (every term)."""
    columns = list(search_index.SEARCH_INDEXES[table])
    ids = None
    for term in query.split():
        if re.search(HAN, term):
            hits = like_truth(db, table, term)
        else:  # a word and its endings, as the porter stemmer matches them
            word = re.compile(rf"\b{re.escape(term)}(s|es|ed|ing|ers?)?\b", re.IGNORECASE)
            hits = sorted(
                r["id"] for r in db[table].rows if any(word.search(r[c] or "") for c in columns)
            )
        ids = hits if ids is None else sorted(set(ids) & set(hits))
    return ids


@pytest.mark.parametrize(
    ("table", "query"),
    [
        ("articles", "假货"),
        ("articles", "打假"),
        ("articles", "淘宝"),
        ("articles", "假貨"),  # Traditional: finds the Simplified articles too
        ("articles", "counterfeit"),
        ("articles", "假货 IACC"),
        ("articles", "打假 Gucci"),
        ("statements", "假货"),
        ("statements", "绑架"),
        ("statements", "counterfeit"),
    ],
)
@pytest.mark.slow
def test_demo_table_search_box_finds_what_like_finds(demo_db, table, query):
    db = open_db(demo_db)
    truth = demo_truth(db, table, query)
    assert truth, (table, query)  # the demo has them: a test that can fail
    ds = make_datasette(demo_db)
    assert sorted(r["id"] for r in table_search(ds, table, query)) == truth


@pytest.mark.slow
def test_demo_mixed_query_needs_every_term(demo_db):
    # The demo's Chinese articles that say 假货 write Alibaba as 阿里巴巴, and its
    # English articles do not say 假货: none has both.
    db = open_db(demo_db)
    ds = make_datasette(demo_db)
    assert demo_truth(db, "articles", "假货") and demo_truth(db, "articles", "Alibaba")
    assert demo_truth(db, "articles", "假货 Alibaba") == []
    assert table_search(ds, "articles", "假货 Alibaba") == []
    assert sorted(r["id"] for r in table_search(ds, "articles", "假货 阿里巴巴")) == demo_truth(
        db, "articles", "假货 阿里巴巴"
    )


@pytest.mark.parametrize(
    ("table", "query"),
    [("articles", "假货 阿里巴巴"), ("articles", "假货"), ("statements", "假货")],
)
@pytest.mark.slow
def test_demo_search_box_ranks_best_first(demo_db, table, query):
    db = open_db(demo_db)
    ds = make_datasette(demo_db)
    rows = table_search(ds, table, query)
    assert [r["id"] for r in rows] == bm25_order(db, table, query)
    by_id = table_search(ds, table, query, _sort="id")
    assert [r["id"] for r in rows] != [r["id"] for r in by_id]  # the order is the rank's


@pytest.mark.slow
def test_demo_traditional_and_simplified_find_the_same_articles(demo_db):
    ds = make_datasette(demo_db)
    simplified = {r["id"]: r for r in table_search(ds, "articles", "假货")}
    traditional = {r["id"]: r for r in table_search(ds, "articles", "假貨")}
    assert simplified.keys() == traditional.keys()
    scripts = {r["script"] for r in simplified.values()}
    assert {"Hans", "Hant"} <= scripts, scripts  # the demo has both scripts
