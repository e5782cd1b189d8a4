"""Datasette's slow-query cache never serves an answer older than the database."""

from __future__ import annotations

import asyncio

import pytest

from mediastance.core.storage import ensure_db_shape, open_db
from mediastance.serve import DATABASE_NAME, make_datasette, warm_paths


def add_article(path, n: int) -> None:
    db = open_db(path)
    db["articles"].insert(
        {"id": f"a{n}", "title": f"Counterfeit story {n}", "language": "en", "text": "x"},
        pk="id",
    )
    db.close()


def count(ds) -> int:
    async def go():
        response = await ds.client.get(f"/{DATABASE_NAME}.json?sql=select+count(*)+from+articles")
        return response.json()["rows"][0][0]

    return asyncio.run(go())


def test_cached_answers_follow_every_commit(tmp_path):
    path = tmp_path / "c.db"
    ensure_db_shape(open_db(path))
    add_article(path, 0)
    ds = make_datasette(path, cache_slower_than=0)  # cache everything
    database = ds.get_database(DATABASE_NAME)
    assert count(ds) == 1
    assert count(ds) == 1
    assert database.cache_hits == 1
    add_article(path, 1)  # another process's commit (the nightly run, say)
    assert count(ds) == 2
    assert database.cache_hits == 1
    assert count(ds) == 2
    assert database.cache_hits == 2


def test_fast_queries_are_not_kept(tmp_path):
    path = tmp_path / "c.db"
    ensure_db_shape(open_db(path))
    ds = make_datasette(path)  # default: only queries slower than 50 ms
    assert count(ds) == 0
    assert count(ds) == 0
    assert ds.get_database(DATABASE_NAME).cache_hits == 0


def cache_everything(tmp_path):
    """A one-article database and a Datasette over it that keeps every answer."""
    path = tmp_path / "c.db"
    ensure_db_shape(open_db(path))
    add_article(path, 0)
    ds = make_datasette(path, cache_slower_than=0)
    return path, ds, ds.get_database(DATABASE_NAME)


def test_refresh_reruns_answers_older_than_the_data(tmp_path):
    path, ds, database = cache_everything(tmp_path)
    assert count(ds) == 1
    assert asyncio.run(database.refresh()) == 0  # nothing is stale yet
    add_article(path, 1)
    assert asyncio.run(database.refresh()) == len(database._cache) >= 1
    hits = database.cache_hits
    assert count(ds) == 2  # the refreshed answer, from the cache
    assert database.cache_hits == hits + 1


@pytest.mark.slow
def test_serve_warms_facet_pages_and_refreshes_once_writes_settle(tmp_path):
    path, ds, database = cache_everything(tmp_path)
    paths = warm_paths(ds)
    assert f"/{DATABASE_NAME}/articles" in paths
    assert f"/{DATABASE_NAME}/article_stances" in paths

    async def go():
        database.start_keeping_fresh(paths, settle=0.3, poll=0.05)
        for _ in range(100):  # the warm-up opens every page first
            await asyncio.sleep(0.05)
            if database.cache_hits == 0 and len(database._cache) >= 2 * len(paths):
                break
        kept = len(database._cache)
        add_article(path, 1)
        for _ in range(200):
            await asyncio.sleep(0.05)
            if database.refreshed >= kept:
                break
        assert database.refreshed >= kept
        hits = database.cache_hits
        page = await ds.client.get(f"/{DATABASE_NAME}/articles.json?_facet=language")
        assert database.cache_hits > hits  # served from the refreshed answers
        assert page.json()["filtered_table_rows_count"] == 2
        database._refresher.cancel()

    asyncio.run(go())


def test_refresh_drops_a_query_that_now_fails(tmp_path):
    path, ds, database = cache_everything(tmp_path)
    assert count(ds) == 1

    def kept() -> bool:
        return any(
            "from+articles" in key[0] or "from articles" in key[0] for key in database._cache
        )

    assert kept()
    db = open_db(path)
    db.execute("alter table articles rename to old_articles")  # the query now fails
    db.conn.commit()
    db.close()
    asyncio.run(database.refresh())  # no exception: the others are refreshed
    assert not kept()
