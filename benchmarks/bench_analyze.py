"""Peak memory (and speed) of ``analyze`` over N unanalysed synthetic articles.

Builds (once, cached outside the repo) a database of N articles with no labels, copies
it, and runs the project's ``analysis.pipeline.analyze`` on the copy with the default
config, in this process: the peak RSS printed is the whole process's, model included.
RSS is also sampled after every batch, so a leak (RSS growing with articles done) shows
as a slope rather than hiding in one peak figure.

    python benchmarks/bench_analyze.py --articles 10000
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import current_rss_mb, peak_rss_mb, say  # noqa: E402


def run(n: int, workdir: Path) -> dict:
    from benchmarks.make_big_db import build

    source = workdir / f"unlabeled-{n}.db"
    if not source.exists():
        build(source, n, labels=False)
    target = workdir / f"analyze-{n}.db"
    # A run killed midway leaves its -wal/-shm behind: replayed onto a fresh copy they
    # would corrupt it ("database disk image is malformed"), so they go first.
    for leftover in (
        target.with_name(target.name + "-wal"),
        target.with_name(target.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    from analysis.encoder import Encoder  # noqa: F401  (before torch: OpenMP policy)
    from analysis.pipeline import analyze
    from mediastance.config import load_config_text
    from mediastance.storage import ensure_db_shape, open_db

    db = open_db(target)
    ensure_db_shape(db)
    config = load_config_text("", label="bench")
    samples: list[tuple[int, float]] = []

    def progress(message: str) -> None:
        if message.startswith("analysed "):
            samples.append((int(message.split()[1]), round(current_rss_mb())))

    rss_before = current_rss_mb()
    started = time.perf_counter()
    counts = analyze(db, config, progress=progress)
    seconds = time.perf_counter() - started
    db.close()
    target.unlink()
    half = [rss for done, rss in samples if done >= counts["articles"] / 2]
    out = {
        "articles": counts.get("articles"),
        "sentences": counts.get("sentences"),
        "seconds": round(seconds, 1),
        "sentences_per_s": round(counts.get("sentences", 0) / seconds, 1),
        "rss_before_mb": round(rss_before),
        "rss_after_batches_mb": samples[:: max(1, len(samples) // 10)],
        "rss_growth_second_half_mb": (half[-1] - half[0]) if len(half) > 1 else 0,
        "peak_rss_mb": round(peak_rss_mb()),
    }
    say(f"analyze: {out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/msbench"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.articles, args.workdir)
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
