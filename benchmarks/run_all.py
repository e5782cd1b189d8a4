"""Run every benchmark, each in its own Python process, and print a table or one JSON object.

    python benchmarks/run_all.py --quick          # smaller sizes, under 10 minutes
    python benchmarks/run_all.py                  # the sizes in BENCHMARKS.md
    python benchmarks/run_all.py --quick --json   # one JSON object, for scripts

Figures are ratios against a baseline measured in the same run, or times next to their
goal: the build machines are shared and noisy, so an absolute time alone proves little.
Databases are generated once into ``--workdir`` (default ``$MEDIASTANCE_BENCH_DIR`` or
/tmp/msbench, never the repository) and reused by later runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine, say  # noqa: E402
from benchmarks.common import run_json as _run_json  # noqa: E402


def run_json(args: list[str]) -> dict | None:
    """One benchmark in its own process; a crash is reported, the others still run."""
    import subprocess

    try:
        return _run_json(args)
    except (subprocess.CalledProcessError, ValueError) as exc:
        say(f"run_all: {Path(args[0]).name} failed: {exc}")
        return None


SIZES = {
    "quick": {
        "tagging": "corpus 2375 texts; naive baseline on every 8th",
        "collection_hosts": 20,
        "collection_pages": 10,
        "collection_sequential": "every 10th URL timed, scaled",
        "db_articles": 50_000,
        "run_timeout_s": 30,
        "analyze_articles": 200,
        "analyze_chunk": 32,
    },
    "full": {
        "tagging": "corpus 2375 texts; naive baseline on all",
        "collection_hosts": 20,
        "collection_pages": 25,
        "collection_sequential": "all URLs timed",
        "db_articles": 1_000_000,
        "run_timeout_s": 300,
        "analyze_articles": 10_000,
        "analyze_chunk": 256,
    },
}
GOALS = {
    "tagging_vs_naive": ("≥", 10.0),
    "tagging_vs_raw": ("≥", 3.0),
    "collection_vs_bound": ("≤", 1.25),
    "collection_vs_sequential": ("≥", 10.0),
    "facet_page_ms": ("<", 300.0),
    "fts_ms": ("<", 100.0),
    "canned_query_ms": ("<", 500.0),
    "analyze_peak_rss_mb": ("<", 2048.0),
    "analyze_vs_encoder": ("≥", 0.67),
}


def met(key: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    op, goal = GOALS[key]
    ok = {"≥": value >= goal, "≤": value <= goal, "<": value < goal}[op]
    return "yes" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under 10 min)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--only",
        default="tagging,collection,datasette,analyze",
        help="comma-separated subset of tagging,collection,datasette,analyze",
    )
    parser.add_argument(
        "--tagging-options",
        default="fp32,bf16,int8,openvino",
        help="encoder variants bench_tagging times besides the default path",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(os.environ.get("MEDIASTANCE_BENCH_DIR", "/tmp/msbench")),
        help="where generated databases live (outside the repo)",
    )
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    sizes = SIZES[mode]
    only = set(args.only.split(","))
    args.workdir.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    started = time.perf_counter()
    details: dict = {}

    if "tagging" in only:
        say("== tagging")
        details["tagging"] = run_json(
            [
                str(here / "bench_tagging.py"),
                "--json",
                "--options",
                args.tagging_options,
                *(["--quick"] if args.quick else []),
            ]
        )
    if "collection" in only:
        say("== collection")
        details["collection"] = run_json(
            [
                str(here / "bench_collection.py"),
                "--json",
                "--hosts",
                str(sizes["collection_hosts"]),
                "--pages",
                str(sizes["collection_pages"]),
                *(["--quick"] if args.quick else []),
            ]
        )
    if "datasette" in only:
        say("== database and Datasette")
        n = sizes["db_articles"]
        details["datasette"] = run_json(
            [
                str(here / "bench_datasette.py"),
                "--json",
                "--articles",
                str(n),
                "--db",
                str(args.workdir / f"articles-{n}.db"),
                "--repeat",
                "3" if args.quick else "5",
                "--run-timeout",
                str(sizes["run_timeout_s"]),
            ]
        )
    if "analyze" in only:
        say("== analyze memory")
        details["analyze"] = run_json(
            [
                str(here / "bench_analyze.py"),
                "--json",
                "--articles",
                str(sizes["analyze_articles"]),
                "--chunk",
                str(sizes["analyze_chunk"]),
                "--workdir",
                str(args.workdir),
            ]
        )

    result = summarize(details)
    result["sizes"] = {"mode": mode, **sizes}
    result["machine"] = machine()
    result["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["command"] = "python benchmarks/run_all.py" + (" --quick" if args.quick else "")
    result["seconds"] = round(time.perf_counter() - started)
    result["details"] = details
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(table(result))


def summarize(details: dict) -> dict:
    out: dict = dict.fromkeys(GOALS)
    tagging = details.get("tagging")
    if tagging:
        rates = tagging["rates"]
        # The project's path as configured by default ([model] precision = "auto": bf16
        # where the CPU has AMX), as bench_tagging works it out; then each option.
        out["tagging_vs_naive"] = tagging["tagging_vs_naive"]
        out["tagging_vs_raw"] = tagging["tagging_vs_raw"]
        for option in ("fp32", "bf16", "int8", "openvino"):
            for base in ("naive", "raw"):
                key = f"tagging_{option}_vs_{base}"
                if key in tagging:
                    out[key] = tagging[key]
        out["tagging_rates"] = rates
    collection = details.get("collection")
    if collection:
        out["collection_vs_bound"] = collection["collection_vs_bound"]
        out["collection_vs_sequential"] = collection["collection_vs_sequential"]
        out["collection_per_source_vs_bound"] = collection["collection_per_source_vs_bound"]
        out["collection_polite"] = all(
            collection[k]["politeness"]["polite"] for k in ("collect_one_list", "collect_per_host")
        )
    ds = details.get("datasette")
    if ds:
        worst = ds["worst_ms"]
        out["facet_page_ms"] = worst.get("facet")
        out["fts_ms"] = worst.get("fts")
        out["canned_query_ms"] = worst.get("canned")
        out["dashboard_query_ms"] = worst.get("dashboard")
        again = ds.get("worst_repeat_ms", {})  # later visitors: served from serve's cache
        for key, group in (("facet_page", "facet"), ("fts", "fts"), ("canned_query", "canned")):
            out[f"{key}_repeat_ms"] = again.get(group)
        out["dashboard_query_repeat_ms"] = again.get("dashboard")
        fresh = ds.get("keep_fresh", {})  # serve's warm-up at start and refresh after a commit
        if fresh.get("facet_pages_after_refresh_ms"):
            out["facet_page_after_refresh_ms"] = max(fresh["facet_pages_after_refresh_ms"])
            out["serve_refresh_s"] = fresh["refresh_s"]
        out["ensure_db_shape_s"] = ds["shape_and_run"].get("ensure_db_shape_again_s")
        out["run_no_new_items_s"] = ds["shape_and_run"].get("run_no_new_items_s")
    analyze = details.get("analyze")
    if analyze:
        out["analyze_peak_rss_mb"] = analyze["peak_rss_mb"]
        out["analyze_sentences_per_s"] = analyze["sentences_per_s"]
        out["analyze_vs_encoder"] = analyze["analyze_vs_encoder"]
        out["analyze_vs_encoder_inputs"] = analyze["analyze_vs_encoder_inputs"]
        out["analyze_encoder_inputs_per_sentence"] = analyze["encoder_inputs_per_sentence"]
    return out


def table(result: dict) -> str:
    rows = [("figure", "value", "goal", "met")]
    for key, (op, goal) in GOALS.items():
        value = result.get(key)
        rows.append(
            (key, "-" if value is None else f"{value:g}", f"{op} {goal:g}", met(key, value))
        )
    extra = [
        "tagging_int8_vs_naive",
        "tagging_int8_vs_raw",
        "collection_per_source_vs_bound",
        "collection_polite",
        "dashboard_query_ms",
        "facet_page_after_refresh_ms",
        "serve_refresh_s",
        "ensure_db_shape_s",
        "run_no_new_items_s",
        "analyze_sentences_per_s",
        "analyze_vs_encoder_inputs",
        "analyze_encoder_inputs_per_sentence",
    ]
    for key in extra:
        if result.get(key) is not None:
            rows.append((key, str(result[key]), "", ""))
    if result.get("tagging_rates"):
        rates = ", ".join(f"{k} {v}" for k, v in result["tagging_rates"].items())
        rows.append(("tagging texts/s", rates, "", ""))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    m = result["machine"]
    lines += [
        "",
        f"{result['command']}  ({result['seconds']} s, {result['date']})",
        f"sizes: {json.dumps(result['sizes'], ensure_ascii=False)}",
        f"machine: {m['cpus']} CPUs ({m['cpu']}), load avg {m['load_avg']}, Python {m['python']}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
