"""Labeling cost per sentence: the tuned model against the frozen heads it replaced.

Both label the same sentences of ``benchmarks/data/tagging_corpus.jsonl`` through
:class:`analysis.labels.Labeler` (sentiment for every sentence, stance for every target
it names), in one process, taking turns slice by slice so that load from elsewhere slows
both alike:

- ``frozen``: the last frozen-encoder heads (commit ``BASELINE``: sentence embedding plus
  mention vectors from two layers in one pass, then one ``cond:mark`` pass per target);
- ``tuned``: the committed adapter merged into the encoder and its heads (one plain pass
  per sentence, one pass per target of the heads' stance input, ``cond:named`` today).

Reports sentences per second for each and ``tuned_vs_frozen_time`` (time per sentence,
tuned over frozen: the issue's bar is at most 1.2).

    python benchmarks/bench_labeler.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo root importable
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, ROOT, say  # noqa: E402

BASELINE = "a1bf39b"  # the last commit with heads on the frozen encoder
FILES = ("heads.json", "sentiment.safetensors", "stance.safetensors")


def baseline_heads(folder: Path) -> Path:
    """The frozen heads of BASELINE, written from git into ``folder``."""
    for name in FILES:
        data = subprocess.run(
            ["git", "show", f"{BASELINE}:analysis/heads/{name}"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout  # fmt: skip
        (folder / name).write_bytes(data)
    return folder


def run(*, quick: bool) -> dict:
    from analysis.classifier import Heads, stance_names
    from analysis.encoder import Encoder
    from analysis.labels import Item, Labeler, target_spans
    from mediastance.core.config import load_config_text

    config = load_config_text("", label="bench")
    with open(DATA / "tagging_corpus.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    texts = texts[:400] if quick else texts
    items = [Item(t, target_spans(t, config.targets)) for t in texts]
    base = Encoder.load(precision="fp32")
    with tempfile.TemporaryDirectory() as tmp:
        frozen_heads = Heads.load(baseline_heads(Path(tmp)))
        tuned_heads = Heads.load()
        labelers = {
            "frozen": Labeler(base, frozen_heads),
            "tuned": Labeler(
                base.with_adapter(tuned_heads.adapter_dir),
                tuned_heads,
                names=stance_names(config.targets),
            ),
        }
        for labeler in labelers.values():  # warm-up: first shapes, lazy imports
            labeler.label(items[:64])
        seconds = dict.fromkeys(labelers, 0.0)
        size = 100
        for k, a in enumerate(range(0, len(items), size)):
            chunk = items[a : a + size]
            order = list(labelers) if k % 2 == 0 else list(reversed(labelers))
            for name in order:
                t0 = time.perf_counter()
                labelers[name].label(chunk)
                seconds[name] += time.perf_counter() - t0
            say(f"{a + len(chunk)}/{len(items)} sentences")
    pairs = sum(len(item.targets) for item in items)
    return {
        "sentences": len(items),
        "stance_pairs": pairs,
        "frozen_sentences_per_s": round(len(items) / seconds["frozen"], 1),
        "tuned_sentences_per_s": round(len(items) / seconds["tuned"], 1),
        "tuned_vs_frozen_time": round(seconds["tuned"] / seconds["frozen"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 sentences instead of all")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(quick=args.quick)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}\t{value}")


if __name__ == "__main__":
    main()
