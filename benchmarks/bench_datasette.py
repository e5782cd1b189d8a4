"""Database and Datasette at scale: page, search, canned-query and dashboard times.

Against a synthetic database (``make_big_db.py``; built first if the file is missing),
through the project's own Datasette (``make_datasette(...).client``, no network), each
figure is the time of the first request (``ms``: ``mediastance serve`` keeps slow read
results until the database changes, so this is what the first visitor after a nightly
run waits) and the median of ``--repeat`` requests after it (``repeat_ms``: everyone
else):

- facet pages: the ``articles`` table page and the ``article_stances`` view page with the
  facets the metadata configures (language, outlet, … / target, stance, …); a facet that
  timed out is reported, since a timed-out facet makes a page fast and useless;
- full-text search: the table page's search box and the "Search articles" canned query,
  for a Chinese and an English term and a 2-character Chinese term (the word index);
- every read-only canned query with typical parameters;
- every dashboard chart and filter query, without filters and filtered to one target;
- ``ensure_db_shape`` on the big database (what every command runs first), and a
  ``mediastance run`` with no sources (nothing new to collect or analyse).

    python benchmarks/bench_datasette.py --articles 50000 --db /tmp/msbench/articles-50000.db
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import say  # noqa: E402

DB = "mediastance"
PARAMS = {
    "target": "Alibaba",
    "organisation": "Alibaba",
    "q": "counterfeit",
    "start": "",
    "end": "",
    "week_ending": "",
    "since": "",
    "story_id": "",
}
SEARCH_TERMS = {"zh": "国际反假冒联盟", "en": "counterfeit", "zh_2char": "假货"}
OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)


def dashboard_sql(sql: str, params: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Resolve datasette-dashboards' ``[[ … ]]`` blocks: kept when their params are set."""

    def keep(match: re.Match) -> str:
        names = re.findall(r":(\w+)", match.group(1))
        return match.group(1) if all(params.get(n) for n in names) else ""

    sql = OPTIONAL.sub(keep, sql)
    used = {n: params[n] for n in re.findall(r":(\w+)", sql) if n in params}
    return sql, used


class Timer:
    def __init__(self, ds, repeat: int) -> None:
        self.ds = ds
        self.repeat = repeat
        self.results: dict[str, dict] = {}

    async def get(self, name: str, path: str, *, group: str) -> dict:
        # The first request is what the first visitor after a change waits: mediastance
        # serve keeps slow read results until the database changes (CachingDatabase), so
        # the repeats measure what everyone after them waits. ``ms`` is the first.
        started = time.perf_counter()
        await self.ds.client.get(path)
        first = (time.perf_counter() - started) * 1000
        times, status = [], None
        for _ in range(self.repeat):
            started = time.perf_counter()
            response = await self.ds.client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        result = {"group": group, "path": path, "ms": round(first, 1)}
        result["repeat_ms"] = round(statistics.median(times), 1)
        result["status"] = status
        if status != 200:
            result["error"] = response.text[:300]
        self.results[name] = result
        say(
            f"datasette: {name}: {result['ms']} ms first, {result['repeat_ms']} ms again ({status})"
        )
        return result

    async def facets_timed_out(self, path: str) -> list[str]:
        sep = "&" if "?" in path else "?"
        response = await self.ds.client.get(path + sep + "_extra=facets_timed_out")
        try:
            return response.json().get("facets_timed_out", [])
        except ValueError:
            return ["(no JSON)"]


async def measure(db_path: Path, repeat: int) -> dict:
    from mediastance.serve import load_metadata, make_datasette

    ds = make_datasette(db_path)
    await ds.invoke_startup()
    metadata = load_metadata()
    timer = Timer(ds, repeat)
    out: dict = {"facets_timed_out": {}}

    for name, page in (
        ("articles_facets", "articles"),
        ("article_stances_facets", "article_stances"),
    ):
        await timer.get(name, f"/{DB}/{page}", group="facet")
        out["facets_timed_out"][name] = await timer.facets_timed_out(f"/{DB}/{page}.json")

    for lang, term in SEARCH_TERMS.items():
        await timer.get(
            f"table_search_{lang}",
            f"/{DB}/articles?" + urlencode({"_search": term}),
            group="search_page",
        )
        await timer.get(
            f"search_articles_{lang}",
            f"/{DB}/search_articles.json?" + urlencode({"q": term}),
            group="fts",  # 假货 too: the word index (issue 21), no LIKE scan
        )
    await timer.get(
        "search_statements_en",
        f"/{DB}/search_statements.json?" + urlencode({"q": "counterfeit"}),
        group="fts",
    )

    for name, query in metadata["databases"][DB]["queries"].items():
        if query.get("write"):
            continue
        params = {p: PARAMS.get(p, "") for p in query.get("params", [])}
        if name.startswith("search_"):
            continue  # measured above, per term
        await timer.get(f"canned_{name}", f"/{DB}/{name}.json?" + urlencode(params), group="canned")

    dashboards = metadata.get("plugins", {}).get("datasette-dashboards", {})
    for slug, dashboard in dashboards.items():
        for filt_name, filt in dashboard.get("filters", {}).items():
            if filt.get("query"):
                await timer.get(
                    f"dashboard_{slug}_filter_{filt_name}",
                    f"/{DB}.json?" + urlencode({"sql": filt["query"]}),
                    group="dashboard",
                )
        for chart_slug, chart in dashboard["charts"].items():
            for label, params in (("all", {}), ("target", {"target": "Alibaba"})):
                sql, used = dashboard_sql(chart["query"], params)
                if label == "target" and not used:
                    continue
                await timer.get(
                    f"dashboard_{slug}_{chart_slug}_{label}",
                    f"/{DB}.json?" + urlencode({"sql": sql, **used}),
                    group="dashboard",
                )
        await timer.get(f"dashboard_{slug}_page", f"/-/dashboards/{slug}", group="dashboard_page")
    out["requests"] = timer.results
    out["keep_fresh"] = await keep_fresh(db_path)
    return out


async def keep_fresh(db_path: Path) -> dict:
    """What ``mediastance serve`` does on its own: warm up at start, refresh after a commit.

    A fresh Datasette opens the pages it warms (``warm_s``); then the facet pages are
    timed as their first visitor sees them; then another connection commits (it rewrites
    ``PRAGMA user_version`` with its own value: a real commit, no data changed) and
    ``refresh`` re-runs the kept queries (``refresh_s``, the background work after each
    nightly run), after which the facet pages are timed again.
    """
    import sqlite3

    from mediastance.serve import DATABASE_NAME, make_datasette, warm_paths

    ds = make_datasette(db_path)
    await ds.invoke_startup()
    database = ds.get_database(DATABASE_NAME)
    pages = [f"/{DB}/articles", f"/{DB}/article_stances"]

    async def facet_pages() -> list[float]:
        times = []
        for page in pages:
            started = time.perf_counter()
            await ds.client.get(page)
            times.append(round((time.perf_counter() - started) * 1000, 1))
        return times

    started = time.perf_counter()
    for path in warm_paths(ds):
        await ds.client.get(path)
    out: dict = {"warm_s": round(time.perf_counter() - started, 2), "kept": len(database._cache)}
    out["facet_pages_after_warm_ms"] = await facet_pages()
    conn = sqlite3.connect(db_path)
    with conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {int(version)}")
    conn.close()
    started = time.perf_counter()
    out["refreshed"] = await database.refresh()
    out["refresh_s"] = round(time.perf_counter() - started, 2)
    out["facet_pages_after_refresh_ms"] = await facet_pages()
    say(f"datasette: keep_fresh: {out}")
    return out


RUN_SCRIPT = """
import json, sys, time
from mediastance.core.config import load_config_text
from mediastance.run import run_pipeline
started = time.perf_counter()
report = run_pipeline(sys.argv[1], load_config_text("sources = []\\n", label="bench"),
                      analyze=sys.argv[2] == "1")
print(json.dumps({"s": time.perf_counter() - started, "status": report.status,
                  "analysis": report.analysis, "skipped": report.analysis_skipped,
                  "errors": report.errors[:1]}))
"""


def align_analysis_state(db_path: Path) -> str | None:
    """Mark every synthetic article as analysed and placed in a story (nothing new)."""
    from analysis.labels import load_labeler
    from mediastance.core.config import load_config_text
    from mediastance.core.storage import open_db

    try:
        version = load_labeler(load_config_text("", label="bench")).model_version
    except Exception as exc:  # noqa: BLE001 - no heads, no encoder: say so, measure the rest
        return f"labeler unavailable: {type(exc).__name__}: {exc}"
    db = open_db(db_path)
    with db.conn:
        db.execute(
            "update analysis_state set model_version = ? where model_version is not ?",
            [version, version],
        )
        # Stories: every original already placed (make_big_db writes story_id, stories
        # rows and centroids at insert time, so this changes nothing on a database it
        # built), and cluster_stories has nothing to place.
        db.execute(
            "update articles set story_id = 'bench-' || id "
            "where duplicate_of is null and (story_id is null or story_id glob 'bench-????-??')"
        )
    db.close()
    return version


def shape(db_path: Path) -> dict:
    """``ensure_db_shape`` twice: the first may apply new migrations, the second is what
    every later command pays."""
    from mediastance.core.storage import ensure_db_shape, open_db

    out = {}
    for label in ("ensure_db_shape_first_s", "ensure_db_shape_again_s"):
        db = open_db(db_path)
        started = time.perf_counter()
        ensure_db_shape(db)
        out[label] = round(time.perf_counter() - started, 2)
        db.close()
        say(f"datasette: {label}: {out[label]}")
    return out


def empty_runs(db_path: Path, *, run_timeout: float) -> dict:
    """``mediastance run`` with no sources and nothing new to analyse.

    The runs go in a child process with a timeout: a run that rereads the whole
    database can take hours at a million articles, and that is the finding.
    """
    out: dict = {}
    out["labeler_version"] = align_analysis_state(db_path)
    for analyze in (False, True):
        key = "run_no_new_items_s" if analyze else "run_no_new_items_no_analyze_s"
        try:
            done = subprocess.run(
                [sys.executable, "-c", RUN_SCRIPT, str(db_path), "1" if analyze else "0"],
                capture_output=True,
                text=True,
                timeout=run_timeout,
                cwd=Path(__file__).resolve().parent.parent,
            )
            report = json.loads(done.stdout.strip().splitlines()[-1])
            out[key] = round(report.pop("s"), 2)
            out[key.replace("_s", "_report")] = report
        except subprocess.TimeoutExpired:
            out[key] = f"> {run_timeout:g}"
        except (ValueError, IndexError):
            out[key] = "crashed"
            out[key.replace("_s", "_report")] = (done.stderr or "")[-500:]
        say(f"datasette: {key}: {out[key]}")
    return out


def run(
    db_path: Path, articles: int, *, repeat: int, run_timeout: float, build: bool = True
) -> dict:
    from benchmarks.make_big_db import build as build_db

    out: dict = {"db": str(db_path), "articles": articles}
    if not db_path.exists():
        if not build:
            raise SystemExit(f"{db_path} does not exist")
        say(f"datasette: building {articles:,}-article database at {db_path}")
        out["build"] = build_db(db_path, articles)
    out["size_mb"] = round(db_path.stat().st_size / 2**20)
    out["shape_and_run"] = shape(db_path)
    # Datasette prints a traceback to stdout for a query over the time limit; stdout
    # carries this script's JSON, so send everything else to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        out.update(asyncio.run(measure(db_path, repeat)))
    out["shape_and_run"].update(empty_runs(db_path, run_timeout=run_timeout))
    for key, field in (("worst_ms", "ms"), ("worst_repeat_ms", "repeat_ms")):
        worst: dict[str, float] = {}
        for result in out["requests"].values():
            worst[result["group"]] = max(worst.get(result["group"], 0.0), result[field])
        out[key] = worst
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="database file (outside the repo)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--run-timeout", type=float, default=300, help="seconds allowed per empty run"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db_path = args.db or Path("/tmp/msbench") / f"articles-{args.articles}.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    result = run(db_path, args.articles, repeat=args.repeat, run_timeout=args.run_timeout)
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
