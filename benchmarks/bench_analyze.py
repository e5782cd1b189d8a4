"""Peak memory (and speed) of ``analyze`` over N unanalysed synthetic articles.

Builds (once, cached outside the repo) a database of N articles with no labels, copies
it, and runs the project's ``analysis.pipeline.analyze`` on the copy with the default
config, in this process: the peak RSS printed is the whole process's, model included.
RSS is also sampled after every batch, so a leak (RSS growing with articles done) shows
as a slope rather than hiding in one peak figure.

``analyze_vs_encoder``: analyze's sentences per second over the encoder's alone on the
same sentences. ``analyze`` runs in chunks of ``--chunk`` articles; after each chunk the
labeler's own encoder (the tuned, compiled one ``analyze`` used) embeds every
``--sample``-th of the sentences that chunk wrote, timed apart from ``analyze``. The two
take turns through the run, so a burst of load from elsewhere slows both alike.

``analyze_vs_encoder_inputs``: the same, over every text ``analyze`` sent to the encoder
(sentences, statements, and one conditioned copy per sentence or statement × target for a
``cond:`` stance feature; none for ``mention``, whose stance reads the sentence's own
pass): the share of analyze's time that is encoder work, so 1 − it is what the pipeline
spends outside the encoder. ``encoder_inputs_per_sentence``
says how much more than the sentences alone ``analyze`` encodes; ``encoder_inputs_asked``
counts them before the labeler merges repeated texts (a statement that is its whole
sentence; a sentence repeated across the batch's articles, which the synthetic articles,
drawn from a pool of corpus sentences, do more often than real news).

    python benchmarks/bench_analyze.py --articles 10000 [--heads FOLDER]
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


class Recording:
    """The encoder, noting every text ``analyze`` has it embed (``take`` hands them over)."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.texts: list[str] = []
        self.count = 0

    def encode(self, texts, **kwargs):
        self.texts.extend(texts)
        self.count += len(texts)
        return self.encoder.encode(texts, **kwargs)

    def take(self) -> list[str]:
        texts, self.texts = self.texts, []
        return texts

    def __getattr__(self, name: str):
        return getattr(self.encoder, name)

    def record_mentions(self) -> None:
        """Note the texts of the labeler's one-pass route too (heads whose stance reads the
        target's mention tokens call ``encode_with_mentions``, not ``encode``)."""
        import analysis.labels as labels

        real = labels.encode_with_mentions

        def recorded(encoder, texts, spans, **kwargs):
            self.texts.extend(texts)
            self.count += len(texts)
            return real(self.encoder if encoder is self else encoder, texts, spans, **kwargs)

        labels.encode_with_mentions = recorded


def run(
    n: int, workdir: Path, *, chunk: int = 256, sample: int = 4, heads: Path | None = None
) -> dict:
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
    from analysis.classifier import Heads
    from analysis.encoder import Encoder  # noqa: F401  (before torch: OpenMP policy)
    from analysis.labels import load_labeler
    from analysis.pipeline import analyze
    from mediastance.core.config import load_config_text
    from mediastance.core.storage import ensure_db_shape, open_db

    db = open_db(target)
    ensure_db_shape(db)
    config = load_config_text("", label="bench")
    samples: list[tuple[int, float]] = []
    done = 0

    def progress(message: str) -> None:
        if message.startswith("analysed "):
            samples.append((done + int(message.split()[1]), round(current_rss_mb())))

    rss_before = current_rss_mb()
    started = time.perf_counter()
    labeler = load_labeler(config, heads=Heads.load(heads) if heads else None, progress=say)
    load_seconds = time.perf_counter() - started
    encoder = labeler.encoder
    labeler.encoder = recorder = Recording(encoder)
    recorder.record_mentions()
    counts: dict[str, int] = {}
    analyze_s = encoder_s = inputs_s = 0.0
    encoder_sentences = inputs_timed = 0
    while True:
        last = db.execute("select coalesce(max(rowid), 0) from sentences").fetchone()[0]
        t0 = time.perf_counter()
        got = analyze(db, config, labeler=labeler, limit=chunk, progress=progress)
        analyze_s += time.perf_counter() - t0
        if not got["articles"]:
            break
        done += got["articles"]
        for key, value in got.items():
            counts[key] = counts.get(key, 0) + value
        texts = [
            row[0]
            for row in db.execute(
                "select text from sentences where rowid > ? order by rowid", [last]
            ).fetchall()[::sample]
        ]
        t0 = time.perf_counter()
        encoder.encode(texts)
        encoder_s += time.perf_counter() - t0
        encoder_sentences += len(texts)
        inputs = recorder.take()[::sample]
        t0 = time.perf_counter()
        encoder.encode(inputs)
        inputs_s += time.perf_counter() - t0
        inputs_timed += len(inputs)
        say(
            f"analyze: {done} articles, {counts['sentences'] / analyze_s:.1f} sentences/s; "
            f"encoder alone {encoder_sentences / encoder_s:.1f}/s; RSS {current_rss_mb():.0f} MB"
        )
    # What the labeler was asked to embed before it merged repeated texts: every sentence
    # and statement, and for a ``cond:`` stance feature one copy per item × target.
    items = counts["sentences"] + counts["statements"]
    pairs = db.execute("select count(*) from stances where item_type != 'article'").fetchone()[0]
    pairs = pairs if labeler.heads.recipe else 0
    db.close()
    target.unlink()
    half = [rss for at, rss in samples if at >= counts["articles"] / 2]
    analyze_rate = counts.get("sentences", 0) / analyze_s
    encoder_rate = encoder_sentences / encoder_s
    out = {
        "articles": counts.get("articles"),
        "sentences": counts.get("sentences"),
        "statements": counts.get("statements"),
        "stances": counts.get("stances"),
        "backend": "openvino" if encoder.forward is not None else "torch",
        "model_version": labeler.model_version,
        "stance_features": list(labeler.heads.features),
        "load_seconds": round(load_seconds, 1),
        "seconds": round(analyze_s, 1),
        "sentences_per_s": round(analyze_rate, 1),
        "encoder_sentences_timed": encoder_sentences,
        "encoder_sentences_per_s": round(encoder_rate, 1),
        "analyze_vs_encoder": round(analyze_rate / encoder_rate, 3),
        "encoder_inputs_asked": items + pairs,
        "encoder_inputs": recorder.count,
        "encoder_inputs_per_sentence": round(recorder.count / counts["sentences"], 2),
        "encoder_inputs_timed": inputs_timed,
        "analyze_vs_encoder_inputs": round(
            (recorder.count / analyze_s) / (inputs_timed / inputs_s), 3
        ),
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
    parser.add_argument("--chunk", type=int, default=256, help="articles per analyze call")
    parser.add_argument("--sample", type=int, default=4, help="encoder alone on every Nth")
    parser.add_argument("--heads", type=Path, help="a trained model's folder (default: committed)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = run(
        args.articles, args.workdir, chunk=args.chunk, sample=args.sample, heads=args.heads
    )
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
