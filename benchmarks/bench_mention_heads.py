"""What a stance head loses when it reads the sentence's own pass (issue 19, dev only).

``analyze`` encodes every sentence once for sentiment and once more per target it names
for stance (the ``cond:named`` input): about 2.4 encoder inputs per sentence, which caps
``analyze_vs_encoder`` near 0.43. A stance head on the target's mention tokens of the
sentence's own pass (``mention``, with or without the sentence embedding beside it) needs
one. This script fits, on a model's adapter as it is (``analysis/heads`` or ``--model``),
a stance head per feature and weight decay on the training rows and prints the
development sets' stance macro-F1, the committed feature's refit included as the
reference. The adapter was tuned for its own feature, so the other features' figures are
a floor for an adapter tuned for them (``mediastance train --stance-feature mention``).
Test rows are not read. Needs the public sets (``MEDIASTANCE_EXTERNAL_DATA``).

    python benchmarks/bench_mention_heads.py [--model DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import say  # noqa: E402


def main() -> None:
    from analysis.classifier import HEADS_DIR, Heads
    from analysis.encoder import load_configured_encoder
    from analysis.encoder_build import default_cache_dir
    from analysis.evaluation import classification_metrics
    from analysis.finetune import HEAD_L2, TASKS, fit_head, task_data
    from analysis.mention_embedding import encode_with_mentions
    from analysis.training import DEV_SETS, _span_finder, encode_inputs, model_inputs, source_weight
    from analysis.training_data import load_training_data
    from mediastance.core.config import load_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=HEADS_DIR, help="model folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    started = time.monotonic()
    config = load_config()
    data = load_training_data(cache_dir=default_cache_dir())
    heads = Heads.load(args.model)
    encoder = load_configured_encoder(config.model, precision="fp32")
    tuned = encoder.with_adapter(heads.adapter_dir) if heads.adapter_dir else encoder
    spans = _span_finder(config.targets)
    labels = TASKS["stance"]

    def features(rows) -> dict[str, np.ndarray]:
        plain, mentions = encode_with_mentions(
            tuned, [r.text for r in rows], [[spans(r)] for r in rows]
        )
        mention = np.stack([m[0] for m in mentions])
        own = encode_inputs(tuned, model_inputs(rows, "stance", config.targets, heads.features))
        return {
            "+".join(heads.features) + " (the model's own)": own,
            "plain+mention": np.concatenate([plain, mention], 1) / np.sqrt(2),
            "mention": mention,
        }

    train_rows = data.train["stance"]
    dev = {n: rows for n, rows in data.dev["stance"].items() if n.split("_")[0] in DEV_SETS}
    x_train = features(train_rows)
    x_dev = {n: features(rows) for n, rows in dev.items()}
    say(f"features of {len(train_rows)} training rows and {sum(map(len, dev.values()))} dev rows")
    y = task_data([""] * len(train_rows), train_rows, "stance", source_weight)
    report: dict = {"model": heads.model_version, "features": {}}
    for name, x in x_train.items():
        best = None
        for l2 in HEAD_L2:
            head = fit_head(x, y, labels, l2=l2)
            scores = {}
            for set_name, rows in dev.items():
                pred = head.logits(x_dev[set_name][name]).argmax(1)
                gold = [r.label for r in rows]
                scores[set_name] = round(
                    classification_metrics(gold, [labels[i] for i in pred], labels)["macro_f1"], 4
                )
            mean = round(float(np.mean(list(scores.values()))), 4)
            say(f"{name}, l2 {l2:g}: dev mean stance macro-F1 {mean}  {scores}")
            if best is None or mean > best["dev_mean"]:
                best = {"l2": l2, "dev_mean": mean, "dev": scores}
        report["features"][name] = best
    report["seconds"] = round(time.monotonic() - started)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
