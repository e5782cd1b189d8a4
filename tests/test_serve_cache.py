"""Datasette's slow-query cache never serves an answer older than the database."""

from __future__ import annotations

import asyncio

from mediastance.serve import DATABASE_NAME, make_datasette
from mediastance.storage import ensure_db_shape, open_db


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
