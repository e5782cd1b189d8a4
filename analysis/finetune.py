"""Fine-tuning the encoder itself: a LoRA adapter plus the sentiment, stance and intensity heads.

Heads on a frozen encoder stall on sarcasm, negation, concession, two targets in one
sentence and hedged corporate language: the sentence embedding was never asked to carry
those. Here the encoder learns them. One shared LoRA adapter (``peft``) on the layers
of multilingual-e5-small and linear heads are trained together:

- **sentiment** reads the mean-pooled, L2-normalised embedding of ``"query: <text>"``,
  exactly what :meth:`analysis.encoder.Encoder.encode` returns;
- **intensity** (mild | strong) reads the sentiment embedding too, trained on the rows
  that say how strong their wording is (graded public ratings, the team's mild/strong
  pairs); a row without that label does not train it;
- **stance** reads the same embedding of the *target-conditioned* input
  ``"query: <name / 中文名>: <text with every mention of the target in 【】>"``
  (:func:`analysis.classifier.stance_input`, recipe ``named``): the target is given to the
  encoder itself, so "Alibaba hit back at the IACC" is read once for Alibaba and once for
  the IACC, and always under both its names, so "IACC" in Chinese text is the same party
  as "国际反假冒联盟".

A head is a cosine classifier (the unit embedding times a fixed scale, then a linear
layer), so it fits :class:`analysis.classifier.Head` unchanged: ``mean = 0``,
``scale = 1 / SCALE``. After training the adapter is merged into the encoder at load
(``Encoder.with_adapter``): inference costs exactly what the untuned encoder costs.

The epoch kept is the one with the best mean macro-F1 on the development sets; the
softmax temperature of each head is then fitted on the same development sets
(:mod:`analysis.calibration`). The test sets play no part in either choice.
"""

from __future__ import annotations

import copy
import math
import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.classifier import INTENSITY_LABELS, SENTIMENT_LABELS, STANCE_LABELS, Head
from analysis.evaluation import classification_metrics
from analysis.mention_embedding import PREFIX, mention_tokens, unmarked
from analysis.training_data import Example

Progress = Callable[[str], None]
SCALE = 20.0  # cosine-classifier scale: unit embeddings times this feed the linear layer
TASKS = {"sentiment": SENTIMENT_LABELS, "stance": STANCE_LABELS, "intensity": INTENSITY_LABELS}


@dataclass(frozen=True)
class TuneSettings:
    """Everything that shapes the adapter; recorded in heads.json and the card."""

    rank: int = 8
    alpha: int = 16
    # No dropout on the LoRA path: it made every training step 1.44x slower on a 2-core
    # CPU (`peft` draws a mask per adapted module; tenth session,
    # benchmarks/bench_training_step.py).
    dropout: float = 0.0
    # The encoder's own hidden and attention dropout (p 0.1) during training. Off, every
    # step is a further 1.38x faster (benchmarks/bench_training_step.py, eleventh session)
    # and the development sets gained (best-epoch dev mean 0.904 against 0.883 with it on,
    # the later run also having the 236 rows of the third intensity batch).
    encoder_dropout: bool = False
    # LoRA on every layer: on the development sets it beat the top six layers alone
    # (dev mean macro-F1 0.825 vs 0.765, fifth session) for about 1.4x the training time.
    first_layer: int = 0
    modules: tuple[str, ...] = ("query", "key", "value", "dense")
    # Three epochs. With the encoder's dropout on (the tenth session's adapter): dev mean
    # (10 sets) 0.785, 0.878, 0.883 by epoch, 71 minutes for 12,384 rows on 2 cores; with
    # it off (eleventh session): 0.852, 0.881, 0.904, 38 minutes for 12,620 rows (another
    # benchmark beside it at nice 19), 29 minutes with nothing beside it. Four epochs went 0.768, 0.846, 0.866, 0.877 on
    # 2026-12-06 (dropout on, fewer rows): the fourth bought little for a third more time.
    epochs: int = 3
    batch_size: int = 16
    lr: float = 5e-4
    head_lr: float = 3e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    max_length: int = 96
    # The seed of the adapter's initialisation and of the batch order, when it is not the
    # run's seed (which also draws the public sets' rows): another run of the same recipe
    # on the same data, e.g. a member for a soup (`mediastance train --tune-seed`).
    seed: int | None = None
    # What the stance head reads. "cond:named": the embedding of a second pass over the
    # target-named copy of the text (classifier.stance_input), one more encoder pass per
    # target. "mention": the mean of the last hidden states at the target's mention
    # tokens in the sentence's own pass (analysis.mention_embedding), so a sentence is
    # encoded once whatever it names (`mediastance train --stance-feature`).
    stance_feature: str = "cond:named"


@dataclass
class TaskData:
    """One task's training rows: model inputs, label indices, per-row weights."""

    inputs: list[str]
    labels: np.ndarray
    weights: np.ndarray


@dataclass
class Tuned:
    """The result: the merged-ready adapter (a peft model) and the two heads."""

    model: object  # peft PeftModel wrapping the encoder's BertModel
    heads: dict[str, Head]
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0


def class_weights(labels: np.ndarray, k: int) -> np.ndarray:
    """n / (k × count) per class, so a rare label still counts."""
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    return len(labels) / (k * np.maximum(counts, 1))


def task_data(inputs: Sequence[str], rows: Sequence[Example], task: str,
              source_weight: Callable[[Example], float]) -> TaskData:  # fmt: skip
    labels = TASKS[task]
    y = np.array([labels.index(r.label) for r in rows], dtype=np.int64)
    w = class_weights(y, len(labels))[y] * np.array([source_weight(r) for r in rows])
    return TaskData(list(inputs), y, (w / w.mean()).astype(np.float32))


def _peft_model(base, settings: TuneSettings, seed: int):
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    layers = list(range(settings.first_layer, base.config.num_hidden_layers))
    config = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(settings.modules),
        layers_to_transform=layers,
        bias="none",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # peft on transformers 5
        return get_peft_model(base, config)


def _pool(model, tokenizer, texts: Sequence[str], max_length: int):
    """Unit mean-pooled embeddings of ``texts`` (with the E5 prefix), differentiable.

    Texts with marked mentions (:func:`analysis.mention_embedding.marked`) give the mean
    over their mention tokens instead, as ``encode_with_mentions`` reads them (the whole
    text when no token falls in a mention).
    """
    import torch

    pairs = [unmarked(t) for t in texts]
    enc = tokenizer(
        [PREFIX + text for text, _ in pairs],
        truncation=True,
        max_length=max_length,
        padding=True,
        return_tensors="pt",
        return_offsets_mapping=True,
    )
    hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    hidden = hidden.last_hidden_state
    mask = enc["attention_mask"].clone()
    for row, (_, spans) in enumerate(pairs):
        if spans:
            length = int(mask[row].sum())
            sel = mention_tokens(enc["offset_mapping"][row].numpy(), length, spans)
            mask[row] = torch.from_numpy(sel).to(mask.dtype)
    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
    return torch.nn.functional.normalize(pooled, dim=-1)


def embed(model, tokenizer, texts: Sequence[str], *, batch_size: int = 32,
          max_length: int = 256) -> np.ndarray:  # fmt: skip
    """Unit embeddings with the model in eval mode, longest first to keep padding short."""
    import torch

    out = np.zeros((len(texts), model.config.hidden_size), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for a in range(0, len(order), batch_size):
            rows = order[a : a + batch_size]
            out[rows] = _pool(model, tokenizer, [texts[i] for i in rows], max_length).numpy()
    model.train(was_training)
    return out


def head_arrays(linear) -> dict[str, np.ndarray]:
    """A torch Linear of the cosine classifier as :class:`Head` arrays."""
    dim = linear.in_features
    return {
        "mean": np.zeros(dim, np.float32),
        "scale": np.full(dim, 1.0 / SCALE, np.float32),
        "w1": linear.weight.detach().numpy().T.astype(np.float32).copy(),
        "b1": linear.bias.detach().numpy().astype(np.float32).copy(),
    }


# Weight-decay grid of a head refitted on fixed embeddings (``mediastance train
# --heads-only``); the value kept is the best on the development sets.
HEAD_L2 = (1e-4, 1e-3, 1e-2)


def fit_head(x: np.ndarray, data: TaskData, labels: Sequence[str], *, l2: float) -> Head:
    """A cosine-classifier head on fixed unit embeddings ``x`` (one row per input of
    ``data``): weighted cross-entropy plus ``l2`` times the squared weights, minimised in
    full batch by L-BFGS from zeros, so the result depends on nothing but the data."""
    import torch

    features = torch.from_numpy(np.ascontiguousarray(x, np.float32) * SCALE)
    y = torch.from_numpy(data.labels)
    w = torch.from_numpy(data.weights)
    linear = torch.nn.Linear(features.shape[1], len(labels))
    torch.nn.init.zeros_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    opt = torch.optim.LBFGS(linear.parameters(), lr=1.0, max_iter=500, tolerance_grad=1e-6,
                            history_size=20, line_search_fn="strong_wolfe")  # fmt: skip

    def closure():
        opt.zero_grad()
        ce = torch.nn.functional.cross_entropy(linear(features), y, reduction="none")
        loss = (ce * w).mean() + l2 * linear.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return Head(tuple(labels), head_arrays(linear))


def epoch_batches(train: dict[str, TaskData], batch_size: int,
                  rng: random.Random) -> list[tuple[str, list[int]]]:  # fmt: skip
    """One epoch's (task, row indices) batches, in training order: each task's rows
    shuffled, then sorted by length within pools of 32 batches (similar lengths pad less),
    the batches of all tasks shuffled together."""
    batches = []
    for task, data in train.items():
        order = list(range(len(data.inputs)))
        rng.shuffle(order)
        pool = batch_size * 32
        for p in range(0, len(order), pool):
            chunk = sorted(order[p : p + pool], key=lambda i: len(data.inputs[i]))
            batches += [(task, chunk[a : a + batch_size]) for a in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def fine_tune(
    encoder,
    train: dict[str, TaskData],
    dev: dict[str, dict[str, tuple[list[str], list[str]]]],
    *,
    settings: TuneSettings = TuneSettings(),
    seed: int = 13,
    progress: Progress | None = None,
) -> Tuned:
    """Train the adapter and a head per task in ``train``; keep the epoch with the best development score.

    ``dev`` is task -> set name -> (model inputs, gold labels); the score is the mean
    macro-F1 over every (task, set).
    """
    import torch

    say = progress or (lambda _m: None)
    started = time.monotonic()
    base = copy.deepcopy(encoder.model)  # the caller's encoder stays untouched
    if not settings.encoder_dropout:
        for module in base.modules():
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.0
    base.train()
    if settings.seed is not None:
        seed = settings.seed
    model = _peft_model(base, settings, seed)
    dim = base.config.hidden_size
    gen = torch.Generator().manual_seed(seed)
    heads = {}
    for task in train:
        labels = TASKS[task]
        linear = torch.nn.Linear(dim, len(labels))
        torch.nn.init.normal_(linear.weight, std=0.02, generator=gen)
        torch.nn.init.zeros_(linear.bias)
        heads[task] = linear
    adapter_params = [p for p in model.parameters() if p.requires_grad]
    head_params = [p for h in heads.values() for p in h.parameters()]
    opt = torch.optim.AdamW(
        [
            {"params": adapter_params, "lr": settings.lr},
            {"params": head_params, "lr": settings.head_lr},
        ],
        weight_decay=settings.weight_decay,
    )
    rng = random.Random(seed)
    bs = settings.batch_size
    steps_per_epoch = sum(math.ceil(len(d.inputs) / bs) for d in train.values())
    total = steps_per_epoch * settings.epochs
    warm = max(1, int(total * settings.warmup))

    def lr_factor(step: int) -> float:  # linear warm-up, then cosine decay to 10 %
        if step < warm:
            return (step + 1) / warm
        progress_ = (step - warm) / max(1, total - warm)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress_))

    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    history: list[dict] = []
    best: tuple[float, int, dict, dict] | None = None
    step = 0
    for epoch in range(1, settings.epochs + 1):
        batches = epoch_batches(train, bs, rng)
        model.train()
        losses = []
        t0 = time.monotonic()
        for n, (task, rows) in enumerate(batches, 1):
            data = train[task]
            pooled = _pool(model, encoder.tokenizer, [data.inputs[i] for i in rows],
                           settings.max_length)  # fmt: skip
            logits = heads[task](pooled * SCALE)
            y = torch.from_numpy(data.labels[rows])
            w = torch.from_numpy(data.weights[rows])
            loss = (torch.nn.functional.cross_entropy(logits, y, reduction="none") * w).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(adapter_params + head_params, 1.0)
            opt.step()
            scheduler.step()
            step += 1
            losses.append(loss.item())
            if n % 50 == 0 or n == len(batches):
                rate = n * bs / (time.monotonic() - t0)
                say(f"epoch {epoch}/{settings.epochs}: step {n}/{len(batches)}, "
                    f"loss {np.mean(losses[-50:]):.3f}, {rate:.0f} examples/s")  # fmt: skip
        scores = evaluate_dev(model, encoder.tokenizer, heads, dev)
        mean = float(np.mean(list(scores.values()))) if scores else 0.0
        history.append({"epoch": epoch, "loss": round(float(np.mean(losses)), 4),
                        "dev": {k: round(v, 4) for k, v in scores.items()},
                        "dev_mean": round(mean, 4)})  # fmt: skip
        say(f"epoch {epoch}: dev mean macro-F1 {mean:.3f}")
        if best is None or mean > best[0]:
            adapter_state = {k: v.detach().clone() for k, v in model.state_dict().items()
                             if "lora_" in k}  # fmt: skip
            best = (mean, epoch, adapter_state, {t: copy.deepcopy(h) for t, h in heads.items()})
    assert best is not None
    _, best_epoch, adapter_state, best_heads = best
    model.load_state_dict(adapter_state, strict=False)
    model.eval()
    return Tuned(
        model=model,
        heads={t: Head(TASKS[t], head_arrays(h)) for t, h in best_heads.items()},
        history=history,
        best_epoch=best_epoch,
        seconds=time.monotonic() - started,
    )


def evaluate_dev(model, tokenizer, heads, dev) -> dict[str, float]:
    """Macro-F1 per "task:set" of the development sets."""
    import torch

    out = {}
    for task, sets in dev.items():
        for name, (inputs, gold) in sets.items():
            if not inputs:
                continue
            x = torch.from_numpy(embed(model, tokenizer, inputs)) * SCALE
            with torch.inference_mode():
                pred = heads[task](x).argmax(1).numpy()
            labels = TASKS[task]
            out[f"{task}:{name}"] = classification_metrics(gold, [labels[i] for i in pred], labels)[
                "macro_f1"
            ]
    return out


# --------------------------------------------------------------------------- soups


def soup_adapters(folders: Sequence[Path], output: Path, *, precision: str = "fp32") -> float:
    """A uniform soup of LoRA adapters trained from the same encoder, written to ``output``.

    Each adapter adds ``delta_i = s_i B_i A_i`` to every adapted weight (``s_i`` its
    alpha / r). The soup adds ``w × Σ delta_i`` with one weight ``w`` for all, chosen so
    that the soup's mean per-module delta norm equals the members' mean: averaging
    adapters whose deltas point partly apart (cosine ~0.3 between two of ours) would
    otherwise shrink the change back towards the untuned encoder. No data is looked at.
    It is stored exactly as one LoRA adapter of rank Σ r_i (the A matrices stacked, the
    B matrices side by side, each scaled by ``w s_i``; alpha = rank, so scale 1), merged
    at load like any other (in fp32); ``precision="fp16"`` stores the factors in half
    precision, half the size (the heads are then fitted on what is stored). Returns ``w``.
    """
    import json

    from safetensors.numpy import load_file, save_file

    if len(folders) < 2:
        raise ValueError("a soup needs two adapters or more")
    configs = [json.loads((Path(f) / "adapter_config.json").read_text("utf-8")) for f in folders]
    tensors = [load_file(str(Path(f) / "adapter_model.safetensors")) for f in folders]
    # The same adapted modules: the same keys, each of the same outer shape (ranks may differ).
    shapes = [{k: v.shape[1:] if ".lora_A." in k else v.shape[:1] for k, v in t.items()}
              for t in tensors]  # fmt: skip
    if any(shape != shapes[0] for shape in shapes[1:]):
        raise ValueError("the adapters of a soup must adapt the same modules")
    scales = [c["lora_alpha"] / c["r"] for c in configs]
    member_norms, soup_norms = [], []
    for key in (k for k in tensors[0] if ".lora_A." in k):
        b = key.replace(".lora_A.", ".lora_B.")
        deltas = [s * (t[b] @ t[key]) for t, s in zip(tensors, scales, strict=True)]
        member_norms.append(np.mean([np.linalg.norm(d) for d in deltas]))
        soup_norms.append(np.linalg.norm(sum(deltas)))
    weight = float(np.mean(member_norms) / np.mean(soup_norms))
    merged = {}
    for key in tensors[0]:
        if ".lora_A." in key:
            merged[key] = np.concatenate([t[key] for t in tensors], 0)
        else:
            parts = [t[key] * (s * weight) for t, s in zip(tensors, scales, strict=True)]
            merged[key] = np.concatenate(parts, 1)
    rank = sum(c["r"] for c in configs)
    config = {**configs[-1], "r": rank, "lora_alpha": rank, "lora_dropout": 0.0}
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "adapter_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    dtype = {"fp32": np.float32, "fp16": np.float16}[precision]
    save_file({k: np.ascontiguousarray(v, dtype) for k, v in merged.items()},
              str(output / "adapter_model.safetensors"))  # fmt: skip
    return weight


def split_soup(folder: Path, weight: float, ranks: Sequence[int], index: int,
               output: Path) -> None:  # fmt: skip
    """Write member ``index`` of a soup made by :func:`soup_adapters` back out as a LoRA
    adapter in ``output``: the soup stores member i's A rows and its B columns times
    ``w s_i``, so the member with rank ``r_i`` and scale 1 is those A rows with those B
    columns divided by ``w`` (its delta exactly ``s_i B_i A_i``, to the soup's storage
    precision). A soup can then join a larger soup as the members it is made of."""
    import json

    from safetensors.numpy import load_file, save_file

    config = json.loads((Path(folder) / "adapter_config.json").read_text("utf-8"))
    if config["r"] != sum(ranks) or not 0 <= index < len(ranks) or weight <= 0:
        raise ValueError(f"{folder}: not a soup of ranks {list(ranks)} (rank {config['r']})")
    start, rank = sum(ranks[:index]), ranks[index]
    part = {}
    for key, value in load_file(str(Path(folder) / "adapter_model.safetensors")).items():
        value = value.astype(np.float32)
        if ".lora_A." in key:
            part[key] = value[start : start + rank]
        else:
            part[key] = value[:, start : start + rank] / weight
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    member = {**config, "r": rank, "lora_alpha": rank}
    (output / "adapter_config.json").write_text(json.dumps(member, indent=2), "utf-8")
    save_file({k: np.ascontiguousarray(v) for k, v in part.items()},
              str(output / "adapter_model.safetensors"))  # fmt: skip
