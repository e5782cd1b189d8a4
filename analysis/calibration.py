"""Calibrated confidence: temperature scaling, expected calibration error, reliability.

A classifier trained with cross-entropy to high accuracy on its training rows is
over-confident on new text: its top probability says 0.99 where it is right 70 % of the
time. Dividing the logits by one temperature T > 1, fitted on the development split to
minimise the negative log-likelihood, keeps every argmax (so no label changes) and makes
the probabilities mean what they say; p_positive − p_negative, the direction in tone
(:func:`analysis.labels.tone`), then grows with the model's real certainty instead of
saturating at ±1.

ECE is the usual 10-bin estimate: the mean, weighted by bin size, of |accuracy −
confidence| over equal-width bins of the top probability.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BINS = 10


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def fit_temperature(logits: np.ndarray, gold: Sequence[int]) -> float:
    """The T in [0.05, 20] minimising the mean NLL of softmax(logits / T)."""
    logits = np.asarray(logits, np.float64)
    y = np.asarray(gold, dtype=int)
    if not len(y):
        return 1.0

    def nll(t: float) -> float:
        return float(-log_softmax(logits / t)[np.arange(len(y)), y].mean())

    # Coarse log grid, then golden-section search around the best point: NLL(T) is
    # unimodal in log T for a fixed set of logits.
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 61))
    k = int(np.argmin([nll(t) for t in grid]))
    lo, hi = np.log(grid[max(k - 1, 0)]), np.log(grid[min(k + 1, len(grid) - 1)])
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(40):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if nll(np.exp(a)) < nll(np.exp(b)):
            hi = b
        else:
            lo = a
    return round(float(np.exp((lo + hi) / 2)), 4)


def _ece(conf: np.ndarray, ok: np.ndarray, index: np.ndarray, bins: int) -> float:
    ece = 0.0
    for b in range(bins):
        sel = index == b
        if sel.any():
            ece += sel.sum() / len(conf) * abs(ok[sel].mean() - conf[sel].mean())
    return float(ece)


def ece_floor(confidence: Sequence[float], bins: int = BINS, draws: int = 400) -> float:
    """The ECE a *perfectly* calibrated model would still show on these rows: the mean ECE
    when each row is right with exactly its stated confidence (``draws`` simulations,
    fixed seed). On a few hundred rows this sampling noise alone is 0.02-0.04, so an ECE
    is only worth reading beside it."""
    conf = np.asarray(confidence, np.float64)
    if not len(conf):
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    rng = np.random.default_rng(0)
    return round(float(np.mean([_ece(conf, rng.random(len(conf)) < conf, index, bins)
                                for _ in range(draws)])), 4)  # fmt: skip


def reliability(confidence: Sequence[float], correct: Sequence[bool], bins: int = BINS) -> dict:
    """ECE and, per equal-width confidence bin, n / mean confidence / accuracy.

    Also accuracy per confidence *decile* (ten equal-count groups, lowest first): what
    `mediastance evaluate` prints, since most predictions crowd the top bins.
    """
    conf = np.asarray(confidence, np.float64)
    ok = np.asarray(correct, bool)
    n = len(conf)
    if not n:
        return {"n": 0, "ece": 0.0, "bins": [], "deciles": []}
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = _ece(conf, ok, index, bins)
    table = []
    for b in range(bins):
        sel = index == b
        if not sel.any():
            continue
        table.append({"lo": round(edges[b], 2), "hi": round(edges[b + 1], 2), "n": int(sel.sum()),
                      "confidence": round(float(conf[sel].mean()), 4),
                      "accuracy": round(float(ok[sel].mean()), 4)})  # fmt: skip
    order = np.argsort(conf, kind="stable")
    deciles = []
    for d, part in enumerate(np.array_split(order, min(10, n)), 1):
        deciles.append({"decile": d, "n": len(part),
                        "confidence_min": round(float(conf[part].min()), 4),
                        "confidence": round(float(conf[part].mean()), 4),
                        "accuracy": round(float(ok[part].mean()), 4)})  # fmt: skip
    return {"n": n, "ece": round(float(ece), 4), "ece_floor": ece_floor(conf, bins),
            "bins": table, "deciles": deciles}  # fmt: skip


def format_reliability(name: str, rel: dict) -> list[str]:
    """Plain-text lines: ECE, then accuracy per confidence decile."""
    floor = f" (a perfectly calibrated model: {rel['ece_floor']:.3f})" if "ece_floor" in rel else ""
    lines = [f"  calibration {name}: n={rel['n']} ECE={rel['ece']:.3f}{floor}"]
    for d in rel["deciles"]:
        lines.append(
            f"    decile {d['decile']:>2}: confidence ≥ {d['confidence_min']:.2f} "
            f"(mean {d['confidence']:.2f}) accuracy {d['accuracy']:.2f} (n={d['n']})"
        )
    return lines
