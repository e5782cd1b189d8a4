"""The stories stage at scale: an empty nightly run, and a backlog of unplaced articles.

Against a synthetic database (``make_big_db.py``), each command in its own process so
its peak memory is its own:

- ``empty-run``: ``run_pipeline`` with no sources, as cron would run it on a night with
  nothing new (collect, model load, analyze, stories, ``ensure_db_shape``), with the
  time of each stage and of the stories stage's parts, and peak RSS. Run ``align``
  first on a fresh database: it marks every article analysed by the configured labeler
  (``bench_datasette.align_analysis_state``), so analyze has nothing to do.
- ``backlog``: ``cluster_stories`` alone over a database built with ``--unplaced N``,
  with a hashing encoder instead of the model (no model load; the same texts give the
  same vectors; version ``STORY_MODEL_VERSION``, like the synthetic story centroids), so
  what is measured is the stage's own time and memory. It places articles: run it on a
  copy.

RSS is sampled every 10 ms during the stories stage (``stories_rss_mb``: at its start
and its peak); ``peak_rss_mb`` is the process's peak.

    python benchmarks/make_big_db.py --articles 50000 --db /tmp/b/50k.db
    python benchmarks/bench_stories.py align --db /tmp/b/50k.db
    python benchmarks/bench_stories.py empty-run --db /tmp/b/50k.db
    python benchmarks/make_big_db.py --articles 50000 --unplaced 20000 --db /tmp/b/backlog.db
    cp /tmp/b/backlog.db /tmp/b/run.db && python benchmarks/bench_stories.py backlog --db /tmp/b/run.db
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import re
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import current_rss_mb, machine, peak_rss_mb, say  # noqa: E402
from benchmarks.make_big_db import STORY_DIM, STORY_MODEL_VERSION  # noqa: E402

# The stories stage's parts, timed where the module has them.
STORY_PARTS = (
    "_queue_unplaced",
    "_article_vectors",
    "_language_means",
    "_load_stories",
    "_refresh_stories",
    "recount_framing",
    "_inherit_stories",
    "pair_statements",
    "update_framing",
)
TOKENS = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")


class HashingEncoder:
    """Words (Latin) and characters (Han) hashed into ``STORY_DIM`` counts, normalised."""

    version = STORY_MODEL_VERSION

    def encode(self, texts: list[str], batch_size: int = 32, **_: object) -> np.ndarray:
        out = np.zeros((len(texts), STORY_DIM), np.float32)
        for i, text in enumerate(texts):
            for token in TOKENS.findall(text.lower()):
                out[i, zlib.crc32(token.encode()) % STORY_DIM] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


class Timings:
    """Seconds and calls per name, for functions wrapped in place."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, module: object, name: str, label: str | None = None) -> None:
        original = getattr(module, name, None)
        if original is None:
            return
        label = label or name.lstrip("_")

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(module, name, timed)

    def report(self) -> dict:
        return {k: {"s": round(v, 3), "calls": self.calls[k]} for k, v in self.seconds.items()}


class RssSampler:
    """Peak RSS while a block runs, sampled from /proc every ``interval`` seconds."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.start_mb = self.peak_mb = 0.0

    @contextlib.contextmanager
    def sampling(self) -> Iterator[None]:
        self.start_mb = self.peak_mb = current_rss_mb()
        done = threading.Event()

        def sample() -> None:
            while not done.wait(self.interval):
                self.peak_mb = max(self.peak_mb, current_rss_mb())

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            self.peak_mb = max(self.peak_mb, current_rss_mb())

    def report(self) -> dict:
        return {"start": round(self.start_mb), "peak": round(self.peak_mb)}


def wrap_story_parts(timings: Timings) -> None:
    from analysis import stories

    for name in STORY_PARTS:
        timings.wrap(stories, name)


def empty_run(db_path: Path) -> dict:
    """``run_pipeline`` with no sources, each stage timed."""
    import analysis.encoder
    from mediastance import run
    from mediastance.core.config import load_config_text

    timings, rss = Timings(), RssSampler()
    for name in ("ensure_db_shape", "_collect", "_analyze"):
        timings.wrap(run, name)
    timings.wrap(analysis.encoder, "load_configured_encoder", "encoder_load")
    wrap_story_parts(timings)
    stories_stage = run._stories

    def sampled_stories(*args, **kwargs):
        with rss.sampling():
            return stories_stage(*args, **kwargs)

    run._stories = sampled_stories
    timings.wrap(run, "_stories")
    config = load_config_text("sources = []\n", label="bench")
    started = time.perf_counter()
    report = run.run_pipeline(db_path, config)
    return {
        "run_s": round(time.perf_counter() - started, 2),
        "status": report.status,
        "errors": report.errors[:1],
        "analysis": report.analysis,
        "stages": timings.report(),
        "stories_rss_mb": rss.report(),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def backlog(db_path: Path, page_size: int | None) -> dict:
    """``cluster_stories`` alone, with the hashing encoder."""
    from analysis import stories
    from mediastance.core.config import default_config_text, load_config_text
    from mediastance.core.storage import open_db

    config = load_config_text(default_config_text(), label="default config")
    db = open_db(db_path)  # as make_big_db.py shaped it (so older code can run on it)
    unplaced = db.execute(
        "select count(*) from articles where story_id is null and duplicate_of is null"
    ).fetchone()[0]
    timings, rss = Timings(), RssSampler()
    wrap_story_parts(timings)
    kwargs = {"page_size": page_size} if page_size else {}
    started = time.perf_counter()
    with rss.sampling():
        counts = stories.cluster_stories(
            db, config, encoder=HashingEncoder(), progress=say, **kwargs
        )
    seconds = time.perf_counter() - started
    db.close()
    return {
        "unplaced": unplaced,
        "stories_s": round(seconds, 2),
        "counts": counts,
        "parts": timings.report(),
        "stories_rss_mb": rss.report(),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["align", "empty-run", "backlog"])
    parser.add_argument("--db", type=Path, required=True, help="database file (outside the repo)")
    parser.add_argument("--page-size", type=int, help="backlog: articles per page")
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist (make_big_db.py builds it)")
    out: dict = {"db": str(args.db), "command": args.command, "machine": machine()}
    if args.command == "align":
        from benchmarks.bench_datasette import align_analysis_state

        out["labeler_version"] = align_analysis_state(args.db)
    elif args.command == "empty-run":
        out.update(empty_run(args.db))
    else:
        out.update(backlog(args.db, args.page_size))
    out["load_avg_after"] = machine()["load_avg"]
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
