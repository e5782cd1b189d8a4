"""Adapter training speed: what a training step costs under each setting that shapes it.

``mediastance train`` spends nearly all of its time in training steps (forward and
backward through the LoRA-adapted encoder). This benchmark builds the real training
inputs (the project's sets; the public sets too when ``MEDIASTANCE_EXTERNAL_DATA`` or
the cache holds them), draws the step batches exactly as :func:`analysis.finetune.fine_tune`
draws them, and runs the same batches through one adapter per variant, the variants
taking turns batch by batch in one process, so machine load hits them alike:

- ``baseline``: the encoder's own dropout on, LoRA dropout 0.1 (the settings before the
  tenth session);
- ``no_lora_dropout``: LoRA dropout 0 (what ``TuneSettings`` now uses);
- ``no_dropout``: no dropout anywhere;
- ``max_length_64``: baseline with inputs cut at 64 tokens instead of 96;
- ``bf16_autocast``: ``no_lora_dropout`` with the forward pass under
  ``torch.autocast("cpu", bfloat16)`` (matrix products in bfloat16, weights, gradients
  and optimiser state in fp32): what ``TuneSettings.precision = "bf16"`` does, fast only
  where the CPU multiplies bfloat16 natively (AMX);
- ``bf16_no_dropout``: the same with no dropout anywhere.

It also prints the token lengths of each task's inputs. Figures are examples per second
and ratios against ``baseline``.

    python benchmarks/bench_training_step.py [--batches 30] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import say  # noqa: E402

VARIANTS = {
    "baseline": {"encoder_dropout": True, "lora_dropout": 0.1, "max_length": 96},
    "no_lora_dropout": {"encoder_dropout": True, "lora_dropout": 0.0, "max_length": 96},
    "no_dropout": {"encoder_dropout": False, "lora_dropout": 0.0, "max_length": 96},
    "max_length_64": {"encoder_dropout": True, "lora_dropout": 0.1, "max_length": 64},
    "bf16_autocast": {"encoder_dropout": True, "lora_dropout": 0.0, "max_length": 96, "bf16": True},
    "bf16_no_dropout": {
        "encoder_dropout": False,
        "lora_dropout": 0.0,
        "max_length": 96,
        "bf16": True,
    },
}


def training_inputs(external: bool):
    from analysis.encoder_build import default_cache_dir
    from analysis.training import model_inputs, source_weight, task_data
    from analysis.training_data import load_training_data
    from mediastance.core.config import load_config_text

    config = load_config_text("", label="bench")
    data = load_training_data(cache_dir=default_cache_dir(), external=external)
    train = {
        task: task_data(model_inputs(rows, task, config.targets), rows, task, source_weight)
        for task, rows in data.train.items()
        if rows
    }
    return config, train


def run(n_batches: int, external: bool) -> dict:
    import torch

    from analysis.encoder import load_configured_encoder
    from analysis.finetune import SCALE, TASKS, TuneSettings, _peft_model, _pool, epoch_batches

    config, train = training_inputs(external)
    encoder = load_configured_encoder(config.model, precision="fp32")
    lengths = {}
    for task, data in train.items():
        n = np.array([len(encoder.tokenizer("query: " + t)["input_ids"]) for t in data.inputs])
        lengths[task] = {"rows": len(n), "mean": round(float(n.mean()), 1),
                         "p50": int(np.median(n)), "p90": int(np.percentile(n, 90)),
                         "over_64": int((n > 64).sum()), "over_96": int((n > 96).sum())}  # fmt: skip
    settings = TuneSettings()
    batches = epoch_batches(train, settings.batch_size, random.Random(1))[:n_batches]
    built = {}
    for name, v in VARIANTS.items():
        base = copy.deepcopy(encoder.model)
        if not v["encoder_dropout"]:
            for module in base.modules():
                if isinstance(module, torch.nn.Dropout):
                    module.p = 0.0
        base.train()
        model = _peft_model(base, TuneSettings(dropout=v["lora_dropout"]), seed=13)
        heads = {t: torch.nn.Linear(base.config.hidden_size, len(TASKS[t])) for t in train}
        params = [p for p in model.parameters() if p.requires_grad]
        params += [p for h in heads.values() for p in h.parameters()]
        built[name] = (model, heads, params, torch.optim.AdamW(params, lr=1e-4))
    seconds = dict.fromkeys(VARIANTS, 0.0)
    examples = 0
    for k, (task, rows) in enumerate(batches, 1):
        data = train[task]
        texts = [data.inputs[i] for i in rows]
        y = torch.from_numpy(data.labels[rows])
        examples += len(rows)
        for name, v in VARIANTS.items():  # taking turns on the same batch
            model, heads, params, opt = built[name]
            t0 = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=v.get("bf16", False)):
                pooled = _pool(model, encoder.tokenizer, texts, v["max_length"])
                logits = heads[task](pooled * SCALE)
            loss = torch.nn.functional.cross_entropy(logits.float(), y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            seconds[name] += time.perf_counter() - t0
        if k % 10 == 0:
            say(f"{k}/{len(batches)} batches")
    rates = {name: examples / s for name, s in seconds.items()}
    return {
        "batches": len(batches),
        "examples": examples,
        "token_lengths": lengths,
        "examples_per_second": {k: round(v, 2) for k, v in rates.items()},
        "vs_baseline": {k: round(v / rates["baseline"], 2) for k, v in rates.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=30, help="training steps per variant")
    parser.add_argument("--no-external", action="store_true",
                        help="only the project's own sets (no public sets needed)")  # fmt: skip
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.batches, external=not args.no_external)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for task, s in result["token_lengths"].items():
            print(f"{task}: {s}")
        for name, rate in result["examples_per_second"].items():
            print(f"{name:16} {rate:7.2f} examples/s  {result['vs_baseline'][name]:.2f}x baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
