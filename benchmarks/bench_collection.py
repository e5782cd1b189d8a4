"""Collection wall time on a loopback web of many slow hosts, against its lower bound.

A generated fixture web (``tests/fixtureweb.py`` serving a manifest written here): ``H``
hosts, each on its own loopback address, ``P`` article pages each (EN and ZH pages built
from the tagging corpus sentences), a robots.txt per host that disallows ``/private/``,
and one ``/private/`` URL per host in the list (it must never be requested). Every
response, robots.txt included, takes ``--latency`` seconds; the config asks for
``per_host_delay`` seconds between requests to one host.

- lower bound: the busiest host's serial time, ``n × latency + (n − 1) × delay`` with
  ``n`` = its pages + its robots.txt;
- sequential: the same allowed URLs fetched one after another with a plain httpx client
  (quick mode times a sample and scales it; no politeness delay, which only flatters it);
- ``collect``: the project's ``collectors.collect.collect`` with the hosts as one source
  each (how feeds arrive: one outlet per feed), and with every URL in one ``urls`` source,
  both after one small untimed collect (lazy imports and first use would burden the first);
- politeness, from the server's request log: never two requests in flight to one host,
  the smallest gap between them, robots.txt fetched before any page, ``/private/`` never.

    python benchmarks/bench_collection.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, ROOT, say  # noqa: E402

USER_AGENT = "mediastance-bench/1.0"
# The server logs a request's end after writing its last byte; on a busy machine its
# thread can be descheduled for a few ms after the client already has the response and
# started the delay, so server-side gaps may read a little under per_host_delay.
GAP_SLACK = 0.03
PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{date}T08:00:00Z">
</head><body><header><nav>Home | Business | World</nav></header>
<article><h1>{title}</h1><p class="byline">By Staff Reporter · {date}</p>
{paragraphs}
</article><footer>© {outlet}. All rights reserved.</footer></body></html>
"""


def write_web(root: Path, hosts: int, pages: int) -> dict:
    """Write pages and the FixtureWeb manifest; returns the manifest."""
    sentences: dict[str, list[str]] = {"en": [], "zh": []}
    with open(DATA / "tagging_corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["kind"] == "sentence" and row["lang"] in sentences:
                sentences[row["lang"]].append(row["text"])
    manifest: dict = {"hosts": {}, "routes": [], "robots": {}, "feeds": []}
    (root / "pages").mkdir(parents=True, exist_ok=True)
    for h in range(hosts):
        name = f"outlet{h:02d}"
        lang = "zh" if h % 2 else "en"
        pool = sentences[lang]
        manifest["hosts"][name] = f"127.0.0.{20 + h}"
        manifest["robots"][name] = "User-agent: *\nDisallow: /private/\n"
        for p in range(pages):
            k = (h * pages + p) * 7
            body = [pool[(k + i) % len(pool)] for i in range(12)]
            sep = "" if lang == "zh" else " "
            paragraphs = "\n".join(
                f"<p>{sep.join(body[i : i + 3])}</p>" for i in range(0, len(body), 3)
            )
            html = PAGE.format(
                lang=lang,
                title=body[0][:60],
                outlet=f"Outlet {h}",
                date=f"2016-05-{1 + p % 28:02d}",
                paragraphs=paragraphs,
            )
            file = f"pages/{name}-{p}.html"
            (root / file).write_text(html, encoding="utf-8")
            manifest["routes"].append(
                {
                    "host": name,
                    "path": f"/2016/05/story-{p}.html",
                    "file": file,
                    "headers": {"Content-Type": "text/html; charset=utf-8"},
                }
            )
    (root / "web.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


def urls_by_host(web, manifest: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {name: [] for name in manifest["hosts"]}
    for route in manifest["routes"]:
        out[route["host"]].append(web.url(route["host"], route["path"]))
    return out


def config_text(by_host: dict[str, list[str]], web, *, delay: float, layout: str) -> str:
    lines = [
        "[fetch]",
        f'user_agent = "{USER_AGENT}"',
        "timeout = 10.0",
        f"per_host_delay = {delay!r}",
        f"concurrency = {len(by_host)}",
        'allowed_private_networks = ["127.0.0.0/8"]',
    ]
    lists = {name: [*urls, web.url(name, "/private/leak.html")] for name, urls in by_host.items()}
    if layout == "per_host":
        groups = list(lists.items())
    else:
        groups = [("all", [u for urls in lists.values() for u in urls])]
    for name, urls in groups:
        lang = "zh" if name[-1:].isdigit() and int(name[-2:]) % 2 else "en"
        lines += [
            "",
            "[[sources]]",
            f'name = "{name}"',
            'kind = "urls"',
            f'language = "{lang if layout == "per_host" else "en"}"',
            "urls = [" + ", ".join(json.dumps(u) for u in urls) + "]",
        ]
    return "\n".join(lines) + "\n"


def politeness(log: list[dict], hosts: list[str], delay: float) -> dict:
    """Overlaps per host, the smallest gap, robots-first, disallowed paths requested."""
    overlaps, min_gap, robots_first, private = 0, float("inf"), True, 0
    for host in hosts:
        entries = sorted((e for e in log if e["host"] == host), key=lambda e: e["start"])
        if not entries:
            continue
        robots_first &= entries[0]["path"] == "/robots.txt"
        private += sum(e["path"].startswith("/private/") for e in entries)
        for a, b in zip(entries, entries[1:], strict=False):
            gap = b["start"] - a["end"]
            overlaps += gap < 0
            min_gap = min(min_gap, gap)
    return {
        "overlapping_requests": overlaps,
        "min_gap_s": round(min_gap, 3),
        "gap_ok": min_gap >= delay - GAP_SLACK,
        "robots_first_every_host": robots_first,
        "disallowed_requested": private,
        "polite": overlaps == 0 and min_gap >= delay - GAP_SLACK and robots_first and private == 0,
    }


def run(*, hosts: int, pages: int, latency: float, delay: float, quick: bool) -> dict:
    import httpx

    sys.path.insert(0, str(ROOT / "tests"))
    from fixtureweb import FixtureWeb

    from collectors.collect import collect
    from mediastance.core.config import load_config_text
    from mediastance.core.storage import ensure_db_shape, open_db

    n = pages + 1  # pages + robots.txt
    bound = n * latency + (n - 1) * delay
    out: dict = {
        "hosts": hosts,
        "pages_per_host": pages,
        "latency_s": latency,
        "per_host_delay_s": delay,
        "bound_s": round(bound, 2),
    }
    with tempfile.TemporaryDirectory(prefix="msbench-web-") as tmp:
        root = Path(tmp)
        manifest = write_web(root, hosts, pages)
        # Untimed: a small collect first (two pages a host, both languages), so the layout
        # timed first does not pay alone for lazy imports and first use (the extractor's
        # first page took 1.6 s here).
        with FixtureWeb(root / "web.json") as web:
            sample = {h: urls[:2] for h, urls in urls_by_host(web, manifest).items()}
            config = load_config_text(
                config_text(sample, web, delay=0.0, layout="per_host"), label="bench warm-up"
            )
            db = open_db(root / "warm_up.db")
            ensure_db_shape(db)
            collect(db, config)
            db.close()
        for layout in ("per_host", "one_list"):
            with FixtureWeb(root / "web.json", latency=latency) as web:
                by_host = urls_by_host(web, manifest)
                config = load_config_text(
                    config_text(by_host, web, delay=delay, layout=layout), label="bench"
                )
                db = open_db(root / f"{layout}.db")
                ensure_db_shape(db)
                started = time.perf_counter()
                summary = collect(db, config)
                wall = time.perf_counter() - started
                totals = summary.totals()
                db.close()
                busiest = max(
                    max(e["end"] for e in web.log if e["host"] == h)
                    - min(e["start"] for e in web.log if e["host"] == h)
                    for h in manifest["hosts"]
                )
                out[f"collect_{layout}"] = {
                    "wall_s": round(wall, 2),
                    "vs_bound": round(wall / bound, 2),
                    "busiest_host_span_s": round(busiest, 2),
                    "requests": len(web.log),
                    "status": summary.status,
                    "counts": totals,
                    "politeness": politeness(web.log, list(manifest["hosts"]), delay),
                }
                say(f"collection: {layout}: {wall:.1f}s wall, bound {bound:.1f}s")
        with FixtureWeb(root / "web.json", latency=latency) as web:
            urls = [u for us in urls_by_host(web, manifest).values() for u in us]
            sample = urls[:: 10 if quick else 1]
            with httpx.Client(trust_env=False, headers={"User-Agent": USER_AGENT}) as client:
                started = time.perf_counter()
                for url in sample:
                    client.get(url).raise_for_status()
                seconds = time.perf_counter() - started
            sequential = seconds * len(urls) / len(sample)
            out["sequential"] = {
                "wall_s": round(sequential, 1),
                "urls": len(urls),
                "timed": len(sample),
                "extrapolated": len(sample) != len(urls),
            }
            say(f"collection: sequential {sequential:.1f}s ({len(sample)} of {len(urls)} timed)")
    # Headline: every URL through one fetch map (what the fetch layer controls); the
    # one-source-per-host layout is reported next to it (collect() reads every feed,
    # then sends the pages of all sources through one fetch map as well).
    wall = out["collect_one_list"]["wall_s"]
    out["collection_vs_bound"] = round(wall / bound, 2)
    out["collection_vs_sequential"] = round(out["sequential"]["wall_s"] / wall, 2)
    per_source = out["collect_per_host"]["wall_s"]
    out["collection_per_source_vs_bound"] = round(per_source / bound, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=25)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--delay", type=float, default=0.2, help="per_host_delay")
    parser.add_argument("--quick", action="store_true", help="time a tenth of the sequential run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(
        hosts=args.hosts,
        pages=args.pages,
        latency=args.latency,
        delay=args.delay,
        quick=args.quick,
    )
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
