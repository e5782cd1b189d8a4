"""Word search at scale: the table search box on ``articles`` for short Chinese terms.

Builds (or reuses) a database of synthetic articles (``make_big_db``'s generator: 45 %
Chinese, sentences from the tagging corpus, so 假货 is in most Chinese articles: a
worst case) with the project's migrations, the word index filled by its triggers as
rows arrive. The trigram index is not built (it takes 80 % of ``make_big_db``'s time and
the search box no longer asks it). Then, per term, median of ``--repeat``:

Times are wall time, or with ``--cpu`` the process's CPU time (a shared, busy machine).

- ``match_ms``: the word index alone, every matching rowid (what the page's filter
  reads), and ``matches``, how many;
- ``page_sql_ms``: the table page's own SQL, the first page (``order by published desc
  limit 51``) filtered by the word index; ``like_page_sql_ms``: the same page with a
  LIKE filter instead (option b of issue 21), for the Chinese terms;
- ``ranked_ms``: the 50 best matches by bm25 over all matches; ``ranked_newest_ms``: the
  50 best of the 1,000 most recently collected matches; ``ranked_view_ms``: the page SQL
  of the ranked view the search box leads to (``articles_ranked``, 51 rows by rank) and
  ``ranked_count_ms`` its count of every match (Datasette runs both per page);
- ``json_ms``: ``/mediastance/articles.json?_search=…&_nofacet=1`` through the project's
  Datasette, its redirect followed to the ranked view (rows by rank and count),
  ``html_ms``: the HTML page (no facets by default on the ranked view),
  ``table_json_ms``: the table page itself, newest first (``_sort_desc=published``:
  no redirect); serve's cache is off, so every request computes.

``--single`` also builds an index of single characters (each Han character a token, a
two-character term a phrase) in the same database and times the same match: the
alternative issue 21 suggested.

    python benchmarks/bench_search.py --articles 100000 --db /tmp/msbench/search-100000.db
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import say  # noqa: E402

# In the synthetic corpus most terms are in 35-53 % of the articles; 马云 in 8 %, 商务部 in 2 %.
TERMS = ["假货", "打假", "淘宝", "假貨", "假", "国际反假冒联盟", "马云", "商务部", "counterfeit"]
TERMS += ["假货 Alibaba"]
SINGLE = "articles_single_fts"
# Wall time by default; --cpu: the process's CPU time (its threads included: Datasette
# runs queries in a thread pool), which other load on a shared machine inflates less.
CLOCK = time.perf_counter


def build(path: Path, n: int, *, single: bool) -> dict:
    """Articles only, through the project's migrations (word index filled by triggers)."""
    from benchmarks.make_big_db import build as build_db
    from mediastance.core import search_index

    out = build_db(path, n, fts="none", labels=False)
    out["single_index_s"] = 0.0
    if single:
        started = time.perf_counter()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.create_function("single_chars", 1, single_chars, deterministic=True)
        conn.execute(
            f"create virtual table {SINGLE} using fts5(title, text, content='', "
            f"tokenize='{search_index.TOKENIZE}')"
        )
        conn.execute("begin")
        conn.execute(
            f"insert into {SINGLE} (rowid, title, text) "
            "select rowid, single_chars(title), single_chars(text) from articles"
        )
        conn.execute("commit")
        conn.close()
        out["single_index_s"] = round(time.perf_counter() - started, 1)
    return out


def single_chars(text: str | None) -> str | None:
    """The single-character alternative: every Han character its own token, Simplified."""
    from mediastance.core import search_index

    if not text or not search_index.HAN_RUN.search(text):
        return text
    text = text.translate(search_index.simplified_table())
    return search_index.HAN_RUN.sub(lambda m: " " + " ".join(m.group()) + " ", text)


def single_query(query: str) -> str:
    return " AND ".join(f'"{single_chars(term)}"' for term in query.split())


def median_ms(conn: sqlite3.Connection, sql: str, params: list, repeat: int) -> tuple[float, int]:
    times, rows = [], []
    for _ in range(repeat):
        t = CLOCK()
        rows = conn.execute(sql, params).fetchall()
        times.append((CLOCK() - t) * 1000)
    return round(statistics.median(times), 1), len(rows)


def index_sizes(conn: sqlite3.Connection) -> dict:
    try:
        rows = conn.execute(
            "select name, sum(pgsize) from dbstat where name like 'articles%fts%' group by name"
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        return {}
    sizes: dict[str, float] = {}
    for name, size in rows:
        index = re.sub(r"_(data|idx|docsize|config|content)$", "", name)
        sizes[index] = sizes.get(index, 0) + size / 2**20
    return {k: round(v) for k, v in sizes.items()}


def measure_sql(path: Path, repeat: int, terms: list[str]) -> dict:
    from mediastance import search
    from mediastance.core import search_index

    conn = sqlite3.connect(path)
    name = search_index.index_name("articles")
    has_single = bool(
        conn.execute("select 1 from sqlite_master where name = ?", [SINGLE]).fetchone()
    )
    out: dict = {"index_mb": index_sizes(conn)}
    page = "select id, title, published from articles where {} order by published desc limit 51"
    word_filter = search.rowid_filter("articles", "?")
    bm25 = f"bm25({name}, 2.0, 1.0)"
    for term in terms:
        match = search.match_query(term)
        r: dict = {"match": match}
        r["match_ms"], r["matches"] = median_ms(
            conn, f"select rowid from {name} where {name} match ?", [match], repeat
        )
        r["page_sql_ms"], _ = median_ms(conn, page.format(word_filter), [match], repeat)
        if re.fullmatch(search_index.HAN_RUN.pattern, term):
            like = "(title like ? or text like ?)"
            r["like_page_sql_ms"], _ = median_ms(
                conn, page.format(like), [f"%{term}%"] * 2, max(1, repeat // 2)
            )
        r["ranked_ms"], _ = median_ms(
            conn,
            f"select rowid from {name} where {name} match ? order by {bm25} limit 50",
            [match],
            repeat,
        )
        view = search_index.ranked_view_name("articles")
        ranked_where = search.ranked_filter("?")
        r["ranked_view_ms"], _ = median_ms(
            conn,
            f"select id, title, published, rank from {view} where {ranked_where} "
            "order by rank limit 51",
            [match],
            repeat,
        )
        r["ranked_count_ms"], _ = median_ms(
            conn, f"select count(*) from {view} where {ranked_where}", [match], repeat
        )
        r["ranked_newest_ms"], _ = median_ms(
            conn,
            f"select rowid from (select rowid, {bm25} as score from {name} where {name} "
            "match ? order by rowid desc limit 1000) order by score limit 50",
            [match],
            repeat,
        )
        if has_single:
            r["single_match_ms"], r["single_matches"] = median_ms(
                conn,
                f"select rowid from {SINGLE} where {SINGLE} match ?",
                [single_query(term)],
                repeat,
            )
        out[term] = r
        say(f"bench_search: {term}: {r}")
    conn.close()
    return out


async def measure_datasette(path: Path, repeat: int, terms: list[str]) -> dict:
    from mediastance.serve import DATABASE_NAME, make_datasette

    ds = make_datasette(path, cache_slower_than=float("inf"))
    await ds.invoke_startup()
    out: dict = {}
    for term in terms:
        r: dict = {}
        for key, url, extra in (
            ("json_ms", f"/{DATABASE_NAME}/articles.json", {"_nofacet": "1"}),
            ("html_ms", f"/{DATABASE_NAME}/articles", {}),
            (
                "table_json_ms",
                f"/{DATABASE_NAME}/articles.json",
                {"_nofacet": "1", "_sort_desc": "published"},
            ),
        ):
            params = {"_search": term, **extra}
            times = []
            for _ in range(repeat + 1):  # the first one warms the page cache
                t = CLOCK()
                response = await ds.client.get(url, params=params, follow_redirects=True)
                times.append((CLOCK() - t) * 1000)
                if response.status_code != 200:  # e.g. over sql_time_limit_ms: say so
                    r[key] = f"HTTP {response.status_code} after {times[-1]:.0f} ms"
                    break
            else:
                r[key] = round(statistics.median(times[1:]), 1)
                if key == "json_ms":
                    r["count"] = response.json().get("filtered_table_rows_count")
        out[term] = r
        say(f"bench_search: datasette {term}: {r}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="database file (outside the repo)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--single", action="store_true", help="also the single-char index")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall (a busy box)")
    parser.add_argument(
        "--terms", type=lambda v: v.split(","), default=TERMS, help="comma-separated terms"
    )
    args = parser.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    path = args.db or Path("/tmp/msbench") / f"search-{args.articles}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    out: dict = {"db": str(path), "articles": args.articles, "clock": CLOCK.__name__}
    if not path.exists():
        say(f"bench_search: building {args.articles:,} articles at {path}")
        out["build"] = build(path, args.articles, single=args.single)
    out["size_mb"] = round(path.stat().st_size / 2**20)
    out["sql"] = measure_sql(path, args.repeat, args.terms)
    with contextlib.redirect_stdout(sys.stderr):  # Datasette prints tracebacks to stdout
        out["datasette"] = asyncio.run(measure_datasette(path, args.repeat, args.terms))
    print(json.dumps(out, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
