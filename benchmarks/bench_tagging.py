"""Tagging throughput: the project's encoder path against a naive loop and a raw forward pass.

On the fixed corpus ``benchmarks/data/tagging_corpus.jsonl`` (EN + ZH sentences of mixed
lengths, see ``make_tagging_corpus.py``), in one process:

(a) ``naive``: the same fp32 model called one text at a time with transformers
    (tokenise, forward, mean-pool, normalise), as a first script would do it;
(b) ``raw``: the limit of the fp32 model as loaded: batches of 32 pre-tokenised,
    length-sorted texts, padded tensors built before the clock starts, nothing timed
    but ``model(input_ids, attention_mask)``;
(c) the project's path, ``Encoder.encode`` as ``analyze``/``tag`` call it, once per
    encoder option: fp32, bf16 (matrix products in bfloat16, on the same weights) and
    dynamic int8, and ``openvino``: the same fp32 weights compiled by OpenVINO
    (``analysis.backend``; bfloat16 products where the CPU has them natively). The
    bundled config's ``[model]`` picks the default among them (``backend = "auto"``:
    OpenVINO where it runs; else ``precision = "auto"``: torch bf16 where the CPU has
    AMX, else fp32); ``tagging_vs_naive`` and ``tagging_vs_raw`` are that default's
    ratios, the ``*_fp32_*``, ``*_bf16_*``, ``*_int8_*`` and ``*_openvino_*`` keys each
    option's.

The machine is shared, so the variants take turns: the corpus is cut into slices and each
slice is run by every variant in rotated order before the next slice starts; a variant's
time is the sum over slices. A burst of load from someone else then slows all of them
alike, and the ratios stay meaningful even when absolute rates move.

Fidelity of every option is reported next to its speed: cosine to the fp32 embeddings
and, on the seed sets' held-out test split, the macro-F1 of heads trained on that
option's own embeddings (train split) for sentiment and stance (a small, noisy proxy:
the real check is ``mediastance train`` + ``mediastance evaluate``).

    python benchmarks/bench_tagging.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, ROOT, peak_rss_mb, say  # noqa: E402

CORPUS = DATA / "tagging_corpus.jsonl"
PREFIX = "query: "
MAX_LENGTH = 256
BATCH = 32


def load_corpus() -> list[dict]:
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def slices(n: int, parts: int) -> list[list[int]]:
    """``parts`` interleaved index slices of a fixed shuffle of range(n)."""
    order = np.random.default_rng(8).permutation(n)
    return [sorted(order[k::parts].tolist()) for k in range(parts)]


# ------------------------------------------------------------------ the variants


def naive_encode(encoder, texts: list[str]) -> np.ndarray:
    """(a) One text at a time: what a first script with transformers does."""
    import torch

    out = np.zeros((len(texts), encoder.dim), np.float32)
    with torch.inference_mode():
        for i, text in enumerate(texts):
            enc = encoder.tokenizer(
                PREFIX + text, truncation=True, max_length=MAX_LENGTH, return_tensors="pt"
            )
            hidden = encoder.model(**enc).last_hidden_state
            pooled = hidden.mean(dim=1)
            out[i] = torch.nn.functional.normalize(pooled, dim=-1)[0].numpy()
    return out


def raw_batches(encoder, texts: list[str]) -> list[tuple]:
    """(b) setup, untimed: tokenise, sort by length, pad into tensors of BATCH rows.

    Exact shapes (``step=1``), not the project's rounded ones: the limit pads no more
    than the texts need.
    """
    from analysis.encoder import padded_batches

    ids = encoder.tokenizer(
        [PREFIX + t for t in texts], truncation=True, max_length=MAX_LENGTH, padding=False
    )["input_ids"]
    pad = encoder.tokenizer.pad_token_id
    return [(i, m) for _, i, m in padded_batches(ids, BATCH, pad, step=1)]


def raw_forward(model, batches: list[tuple]) -> None:
    """(b) timed: nothing but the forward passes."""
    import torch

    with torch.inference_mode():
        for input_ids, mask in batches:
            model(input_ids=input_ids, attention_mask=mask)


# ------------------------------------------------------------------ quality


def seed_quality(corpus: list[dict], embeddings: np.ndarray) -> dict | None:
    """Held-out macro-F1 of heads fitted on these embeddings (seed train → seed test).

    A proxy for ``mediastance evaluate`` with the simplest stance recipe ("<target>:
    <text>"): both inputs are already in the tagging corpus, so no extra encoding.
    """
    try:
        from analysis.classifier import SENTIMENT_LABELS, STANCE_LABELS, FitSettings, fit_head
        from analysis.evaluation import classification_metrics
    except ImportError:
        return None
    index = {row["text"]: i for i, row in enumerate(corpus)}
    seed = []
    for name in ("seed_en.jsonl", "seed_zh.jsonl"):
        with open(ROOT / "analysis" / "data" / name, encoding="utf-8") as f:
            seed += [json.loads(line) for line in f if line.strip()]
    # Seed rows edited since the corpus was built are left out (n_test says how many).
    seed = [r for r in seed if r["text"] in index and f"{r['target']}: {r['text']}" in index]
    plain = embeddings[[index[r["text"]] for r in seed]]
    cond = embeddings[[index[f"{r['target']}: {r['text']}"] for r in seed]]
    train = np.array([r["split"] == "train" for r in seed])
    test = ~train
    out = {}
    settings = FitSettings(epochs=200)
    for task, labels, x in (
        ("sentiment", SENTIMENT_LABELS, plain),
        ("stance", STANCE_LABELS, np.concatenate([plain, cond], axis=1)),
    ):
        y = [r[task] for r in seed]
        head = fit_head(
            x[train], [v for v, t in zip(y, train, strict=True) if t], labels, settings=settings
        )
        pred = [labels[k] for k in head.predict_proba(x[test]).argmax(axis=1)]
        gold = [v for v, t in zip(y, test, strict=True) if t]
        out[f"{task}_macro_f1"] = round(
            100 * classification_metrics(gold, pred, labels)["macro_f1"], 1
        )
    out["n_test"] = int(test.sum())
    return out


# ------------------------------------------------------------------ driver


def configured_default(openvino: bool) -> tuple[str, dict]:
    """Which option (fp32, bf16, int8, openvino) the bundled config's ``[model]`` gives on
    this machine; ``openvino``: whether the OpenVINO backend compiled here."""
    from analysis.encoder import resolve_precision
    from mediastance.core.config import load_config_text

    model = load_config_text("").model
    precision = resolve_precision(model.precision, device=model.device, quantize=model.quantize)
    option = "int8" if model.quantize else precision
    if openvino and model.backend != "torch" and not model.quantize and model.device == "cpu":
        option = "openvino"
    settings = {"precision": model.precision, "quantize": model.quantize}
    return option, {**settings, "backend": model.backend, "option": option}


OPTIONS = ("fp32", "bf16", "int8", "openvino")


def run(*, quick: bool, threads: int | None = None, options: tuple[str, ...] = OPTIONS) -> dict:
    """``options``: the project-path variants (c) to time; the configured default is
    always one of them, and cosines to fp32 need "fp32"."""
    # analysis.encoder first: it sets torch's OpenMP wait policy, which only takes
    # effect if it is set before torch is imported.
    from analysis.encoder import Encoder  # isort: skip
    import torch

    if threads:
        torch.set_num_threads(threads)
    corpus = load_corpus()
    texts = [row["text"] for row in corpus]
    from analysis.backend import compile_encoder
    from mediastance.core.config import load_config_text

    say(f"tagging: {len(texts)} texts; loading the encoders")
    fp32 = Encoder.load(precision="fp32")
    # The same fp32 weights compiled, at the config's precision setting ("auto").
    compiled = compile_encoder(fp32, precision=load_config_text("").model.precision, progress=say)
    default, default_settings = configured_default(compiled.forward is not None)
    say(f"tagging: default path {default}")
    wanted = set(options) | {default}
    encoders = {
        "fp32": lambda: fp32,
        "bf16": lambda: fp32.with_precision("bf16"),  # the same weights, bfloat16 products
        "int8": lambda: Encoder.load(quantize=True),
        "openvino": lambda: compiled,
    }
    encoders = {key: make() for key, make in encoders.items() if key in wanted}
    if compiled.forward is None:
        encoders.pop("openvino", None)
    if threads:
        torch.set_num_threads(threads)  # Encoder.load applies its own default
    lengths = [len(x) for x in fp32.tokenizer([PREFIX + t for t in texts])["input_ids"]]
    parts = 12 if quick else 24  # short turns: load bursts hit every variant alike
    naive_every = 8 if quick else 1  # (a) is slow; its rate needs only a fair sample
    chunks = slices(len(texts), parts)

    embeddings = {key: np.zeros((len(texts), fp32.dim), np.float32) for key in encoders}
    counts = {"naive": 0, "raw": 0, **{f"encode_{key}": 0 for key in encoders}}
    seconds = dict.fromkeys(counts, 0.0)

    def timed(name: str, func: Callable[[], object], n: int) -> object:
        started = time.perf_counter()
        result = func()
        seconds[name] += time.perf_counter() - started
        counts[name] += n
        return result

    def naive(idx: list[int]) -> None:
        sample = idx[::naive_every]
        timed("naive", lambda: naive_encode(fp32, [texts[i] for i in sample]), len(sample))

    def raw(idx: list[int]) -> None:
        batches = raw_batches(fp32, [texts[i] for i in idx])
        timed("raw", lambda: raw_forward(fp32.model, batches), len(idx))

    def encode(key: str) -> Callable[[list[int]], None]:
        def go(idx: list[int]) -> None:
            batch = [texts[i] for i in idx]
            vecs = timed(f"encode_{key}", lambda: encoders[key].encode(batch), len(idx))
            embeddings[key][idx] = vecs

        return go

    variants: dict[str, Callable[[list[int]], None]] = {
        "naive": naive,
        "raw": raw,
        **{f"encode_{key}": encode(key) for key in encoders},
    }
    names = list(variants)
    for encoder in encoders.values():
        encoder.encode(texts[:64])  # warm-up: first calls allocate and pick kernels
    for k, idx in enumerate(chunks):
        turn = names[k % len(names) :] + names[: k % len(names)]
        for name in turn:
            variants[name](idx)
        say(
            f"tagging: slice {k + 1}/{len(chunks)} "
            + " ".join(f"{n}={counts[n] / seconds[n]:.1f}/s" for n in names if seconds[n])
        )
    rates = {n: counts[n] / seconds[n] for n in names}

    def cosine(key: str) -> dict:
        cos = np.sum(embeddings["fp32"] * embeddings[key], axis=1)
        return {"min": round(float(cos.min()), 6), "mean": round(float(cos.mean()), 6)}

    ratios = {}
    for key in encoders:
        ratios[f"tagging_{key}_vs_naive"] = round(rates[f"encode_{key}"] / rates["naive"], 2)
        ratios[f"tagging_{key}_vs_raw"] = round(rates[f"encode_{key}"] / rates["raw"], 2)
    quality = {key: seed_quality(corpus, emb) for key, emb in embeddings.items()}
    return {
        "texts": len(texts),
        "languages": {
            lang: sum(r["lang"] == lang for r in corpus)
            for lang in sorted({r["lang"] for r in corpus})
        },
        "tokens_mean": round(float(np.mean(lengths)), 1),
        "tokens_p50_p90_max": [
            int(np.percentile(lengths, 50)),
            int(np.percentile(lengths, 90)),
            max(lengths),
        ],
        "naive_sample": counts["naive"],
        "threads": torch.get_num_threads(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "default": default_settings,
        "tagging_vs_naive": ratios[f"tagging_{default}_vs_naive"],
        "tagging_vs_raw": ratios[f"tagging_{default}_vs_raw"],
        **ratios,
        "rates": {n: round(r, 1) for n, r in rates.items()},
        **{
            f"{key}_cosine_to_fp32": cosine(key)
            for key in encoders
            if key != "fp32" and "fp32" in encoders
        },
        "seed_test_macro_f1": quality,
        "peak_rss_mb_both_models": round(peak_rss_mb()),
    }


def project_path_rss(option: str) -> dict:
    """Peak RSS of the project's path alone: load the encoder, embed the whole corpus.

    ``option``: fp32, bf16, int8, or "default" (the bundled config's ``[model]``).
    """
    from analysis.encoder import Encoder, load_configured_encoder
    from mediastance.core.config import load_config_text

    texts = [row["text"] for row in load_corpus()]
    if option == "default":
        from analysis.backend import compile_encoder

        model = load_config_text("").model
        encoder = compile_encoder(
            load_configured_encoder(model), backend=model.backend, precision=model.precision
        )
    else:
        encoder = Encoder.load(
            quantize=option == "int8", precision="bf16" if option == "bf16" else "fp32"
        )
    started = time.perf_counter()
    encoder.encode(texts)
    return {
        "option": option,
        "precision": encoder.precision,
        "version": encoder.version,
        "seconds": round(time.perf_counter() - started, 1),
        "texts_per_s": round(len(texts) / (time.perf_counter() - started), 1),
        "peak_rss_mb": round(peak_rss_mb()),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="naive baseline on an eighth, 12 turns"
    )
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument(
        "--rss-only",
        choices=["default", "fp32", "bf16", "int8"],
        help="only the project path's peak RSS",
    )
    parser.add_argument(
        "--options",
        default=",".join(OPTIONS),
        help="project-path variants to time, comma-separated (the default path always)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.rss_only:
        result = project_path_rss(args.rss_only)
    else:
        result = run(quick=args.quick, threads=args.threads, options=tuple(args.options.split(",")))
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
