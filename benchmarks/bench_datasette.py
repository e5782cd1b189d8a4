"""Database and Datasette at scale: page, search, canned-query and dashboard times.

Against a synthetic database (``make_big_db.py``; built first if the file is missing),
through the project's own Datasette (``make_datasette(...).client``, no network), each
figure is the median of ``--repeat`` requests after one warm-up request:

- facet pages: the ``articles`` table page and the ``article_stances`` view page with the
  facets the metadata configures (language, outlet, … / target, stance, …); a facet that
  timed out is reported, since a timed-out facet makes a page fast and useless;
- full-text search: the table page's search box and the "Search articles" canned query,
  for a Chinese and an English term (plus a 2-character Chinese term, which needs LIKE);
- every read-only canned query with typical parameters;
- every dashboard chart and filter query, without filters and filtered to one target;
- ``ensure_db_shape`` on the big database (what every command runs first), and a
  ``mediastance run`` with no sources (nothing new to collect or analyse).

    python benchmarks/bench_datasette.py --articles 50000 --db /tmp/msbench/articles-50000.db
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
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
        await self.ds.client.get(path)  # warm-up: page cache, Datasette's own caches
        times, status = [], None
        for _ in range(self.repeat):
            started = time.perf_counter()
            response = await self.ds.client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        result = {"group": group, "path": path, "ms": round(statistics.median(times), 1)}
        result["status"] = status
        if status != 200:
            result["error"] = response.text[:300]
        self.results[name] = result
        say(f"datasette: {name}: {result['ms']} ms ({status})")
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
            group="fts" if lang != "zh_2char" else "like",
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
    return out


def shape_and_run(db_path: Path) -> dict:
    """``ensure_db_shape`` twice (first may apply new migrations), then an empty run."""
    from mediastance.config import load_config_text
    from mediastance.storage import ensure_db_shape, open_db

    out = {}
    for label in ("ensure_db_shape_first_s", "ensure_db_shape_again_s"):
        db = open_db(db_path)
        started = time.perf_counter()
        ensure_db_shape(db)
        out[label] = round(time.perf_counter() - started, 2)
        db.close()
    try:
        from mediastance.run import run_pipeline
    except ImportError:
        return out
    config = load_config_text("sources = []\n", label="bench")
    for analyze in (False, True):
        started = time.perf_counter()
        try:
            report = run_pipeline(db_path, config, analyze=analyze)
            status = report.status
            detail = report.analysis_skipped or report.errors[:1]
        except Exception as exc:  # noqa: BLE001 - report, never hide, a crash
            status, detail = "crashed", f"{type(exc).__name__}: {exc}"
        key = "run_no_new_items_s" if analyze else "run_no_new_items_no_analyze_s"
        out[key] = round(time.perf_counter() - started, 2)
        out[key.replace("_s", "_status")] = f"{status} {detail or ''}".strip()
    return out


def run(db_path: Path, articles: int, *, repeat: int, build: bool = True) -> dict:
    from benchmarks.make_big_db import build as build_db

    out: dict = {"db": str(db_path), "articles": articles}
    if not db_path.exists():
        if not build:
            raise SystemExit(f"{db_path} does not exist")
        say(f"datasette: building {articles:,}-article database at {db_path}")
        out["build"] = build_db(db_path, articles)
    out["size_mb"] = round(db_path.stat().st_size / 2**20)
    out["shape_and_run"] = shape_and_run(db_path)
    say(f"datasette: {out['shape_and_run']}")
    out.update(asyncio.run(measure(db_path, repeat)))
    groups: dict[str, list[float]] = {}
    for result in out["requests"].values():
        groups.setdefault(result["group"], []).append(result["ms"])
    out["worst_ms"] = {g: max(v) for g, v in groups.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="database file (outside the repo)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db_path = args.db or Path("/tmp/msbench") / f"articles-{args.articles}.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    result = run(db_path, args.articles, repeat=args.repeat)
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
