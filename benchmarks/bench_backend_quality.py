"""Quality rule for the compiled encoder: held-out macro-F1 and cosine against eager fp32.

The product's labeler (builtin encoder + the committed adapter and heads) is run three
ways on the held-out test rows of the seed and hard sets (as ``mediastance evaluate``
and ``metrics.json`` count them: stance rows, one sentiment row per text):

- ``torch_fp32``: eager PyTorch, float32 (the reference; ``[model] backend = "torch"``);
- ``openvino_fp32``: OpenVINO, float32 precision hint;
- ``openvino``: OpenVINO at the default ``precision = "auto"`` (bfloat16 on CPUs that
  have it natively), what ``analyze`` and ``tag`` run.

The rule (issue 19): every macro-F1 within 1 point of the reference, and the sentence
embeddings of every test text at cosine >= 0.999 to it.

    python benchmarks/bench_backend_quality.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import say  # noqa: E402


def held_out() -> dict[str, dict[str, list[dict]]]:
    """{"seed_en": {"stance": records, "sentiment": records}, ...} as metrics.json counts."""
    from analysis.training_data import read_seed

    sets = {}
    for kind in ("seed", "hard"):
        for lang in ("en", "zh"):
            rows = read_seed(lang, "test", kind=kind)
            stance = [{**r, "sentiment": None} for r in rows if r.get("stance")]
            one_per_text = list({r["text"]: {**r, "stance": None} for r in rows}.values())
            sets[f"{kind}_{lang}"] = {"stance": stance, "sentiment": one_per_text}
    return sets


def run() -> dict:
    from analysis.backend import compile_encoder
    from analysis.classifier import Heads, stance_names
    from analysis.encoder import Encoder
    from analysis.labels import Labeler
    from analysis.tagging import evaluate_records
    from mediastance.core.config import load_config_text

    config = load_config_text("", label="bench")
    heads = Heads.load()
    eager = Encoder.load(precision="fp32").with_adapter(heads.adapter_dir)
    encoders = {
        "torch_fp32": eager,
        "openvino_fp32": compile_encoder(eager, backend="openvino", precision="fp32"),
        "openvino": compile_encoder(eager, backend="openvino", precision="auto"),
    }
    sets = held_out()
    texts = sorted({r["text"] for s in sets.values() for rs in s.values() for r in rs})
    reference = eager.encode(texts)
    out: dict = {
        "model_version": heads.model_version,
        "texts": len(texts),
        "precision": {
            k: e.forward.inference_precision for k, e in encoders.items() if e.forward is not None
        },
        "macro_f1": {},
        "cosine_to_torch_fp32": {},
    }
    for key, encoder in encoders.items():
        say(f"quality: {key}")
        labeler = Labeler(
            encoder,
            heads,
            batch_size=config.model.batch_size,
            names=stance_names(config.targets),
        )
        scores = {}
        for name, records in sets.items():
            for task, rows in records.items():
                report = evaluate_records(rows, labeler, config.targets)[task]
                scores[f"{task}:{name}"] = round(
                    100 * report.get("all", next(iter(report.values())))["macro_f1"], 2
                )
        out["macro_f1"][key] = scores
        if key != "torch_fp32":
            cos = np.sum(reference * encoder.encode(texts), axis=1)
            out["cosine_to_torch_fp32"][key] = {
                "min": round(float(cos.min()), 6),
                "mean": round(float(cos.mean()), 6),
            }
    ref = out["macro_f1"]["torch_fp32"]
    out["max_f1_drop_points"] = {
        key: round(max(ref[k] - v for k, v in scores.items()), 2)
        for key, scores in out["macro_f1"].items()
        if key != "torch_fp32"
    }
    out["rule_met"] = {
        key: out["max_f1_drop_points"][key] <= 1.0
        and all(abs(ref[k] - v) <= 1.0 for k, v in out["macro_f1"][key].items())
        and out["cosine_to_torch_fp32"][key]["min"] >= 0.999
        for key in out["max_f1_drop_points"]
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    print(json.dumps(run(), ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
