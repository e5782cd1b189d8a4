"""Accuracy, macro-F1 and confusion matrices, per language, for `evaluate` and the data card.

Macro-F1 averages the per-label F1 over the labels that occur in the gold labels or the
predictions (as scikit-learn does by default); a label never predicted correctly has
F1 = 0, and precision or recall with an empty denominator counts as 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from analysis.calibration import format_reliability


def classification_metrics(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    """n, accuracy, macro_f1, per-label F1 and a confusion matrix (rows gold, columns pred).

    ``labels`` fixes the order of the matrix; labels outside it are appended.
    """
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    order = list(labels) + sorted((set(gold) | set(pred)) - set(labels))
    index = {label: i for i, label in enumerate(order)}
    confusion = [[0] * len(order) for _ in order]
    for g, p in zip(gold, pred, strict=True):
        confusion[index[g]][index[p]] += 1
    present = [label for label in order if label in set(gold) | set(pred)]
    f1 = {}
    for label in present:
        i = index[label]
        tp = confusion[i][i]
        predicted = sum(row[i] for row in confusion)
        actual = sum(confusion[i])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(gold)
    return {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0,
        "macro_f1": sum(f1.values()) / len(f1) if f1 else 0.0,
        "f1": f1,
        "labels": order,
        "confusion": confusion,
    }


def metrics_by_language(
    rows: Sequence[tuple[str, str, str]], labels: Sequence[str]
) -> dict[str, dict]:
    """(lang, gold, pred) triples -> metrics per language, plus "all" when several."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for lang, gold, pred in rows:
        groups[lang or "unknown"].append((gold, pred))
    out = {}
    for lang in sorted(groups):
        gold, pred = zip(*groups[lang], strict=True)
        out[lang] = classification_metrics(gold, pred, labels)
    if len(groups) > 1:
        out["all"] = classification_metrics([g for _, g, _ in rows], [p for *_, p in rows], labels)
    return out


def format_report(report: dict[str, dict[str, dict]]) -> str:
    """Plain-text tables: one block per task and language."""
    lines = []
    for task, by_lang in report.items():
        for lang, m in by_lang.items():
            lines.append(
                f"{task}\t{lang}\tn={m['n']}\taccuracy={m['accuracy']:.3f}"
                f"\tmacro_f1={m['macro_f1']:.3f}"
            )
            width = max(len(label) for label in m["labels"]) + 2
            lines.append(
                "  "
                + "gold \\ pred".ljust(width + 2)
                + "".join(label.rjust(width) for label in m["labels"])
            )
            for label, row in zip(m["labels"], m["confusion"], strict=True):
                lines.append(
                    "  " + label.ljust(width + 2) + "".join(str(v).rjust(width) for v in row)
                )
            if "calibration" in m:
                lines += format_reliability(f"{task} {lang}", m["calibration"])
    return "\n".join(lines)


def macro_f1_interval(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str], *,
                      level: float = 0.95, draws: int = 1000) -> tuple[float, float]:  # fmt: skip
    """Bootstrap interval of macro-F1 (rows resampled with replacement, fixed seed): how
    far the figure of a test set of this size could move by the draw of its rows alone.
    Macro-F1 is averaged, as in :func:`classification_metrics`, over the labels present
    in gold or prediction of each resample."""
    order = list(labels) + sorted((set(gold) | set(pred)) - set(labels))
    index = {label: i for i, label in enumerate(order)}
    k = len(order)
    g = np.array([index[x] for x in gold], dtype=np.int64)
    q = np.array([index[x] for x in pred], dtype=np.int64)
    if not len(g):
        return (0.0, 0.0)
    rng = np.random.default_rng(0)
    scores = np.empty(draws)
    for d in range(draws):
        pick = rng.integers(0, len(g), len(g))
        confusion = np.bincount(g[pick] * k + q[pick], minlength=k * k).reshape(k, k)
        tp = np.diag(confusion).astype(np.float64)
        actual, predicted = confusion.sum(1), confusion.sum(0)
        present = (actual + predicted) > 0
        f1 = np.where(actual + predicted > 0, 2 * tp / np.maximum(actual + predicted, 1), 0.0)
        scores[d] = f1[present].mean()
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return (round(float(low), 4), round(float(high), 4))
