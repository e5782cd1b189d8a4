"""Precision and recall of the spike and tone detectors on synthetic series with known events.

Counts are drawn from a negative binomial (a gamma-mixed Poisson: news arrives in bursts,
so the variance exceeds the mean; ``DISPERSION`` is its shape), with a weekly rhythm
(weekends at half the weekday level) and levels from a quiet 0.2 articles a day to a busy
40. Events add ``size × (level + 1)`` articles a day for 1-3 days (volume), or lower the
mean tone of 1-3 days' articles by ``drop`` while coverage doubles (tone). Article tones
are normal around a per-series level with sd 0.35, clipped to −1..+1, like the stored
tones of flat reporting.

An alert matches an event when its window overlaps the event's days (or the
``merge_days`` after them). Printed per level and event size:

- precision: alerts that match an event / all alerts;
- recall: events matched by at least one alert / all events;
- split: events matched by more than one alert (the detector promises one alert per event);
- false alerts per 1,000 series-days on flat series (no events at all).

    python benchmarks/bench_alerts.py            # the table
    python benchmarks/bench_alerts.py --json     # one JSON object
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mediastance.alerts import Event, tone_events, volume_events
from mediastance.core.config import ALERT_PARAMETERS

DAYS = 140
FIRST_EVENT_DAY = 30
LEVELS = (0.2, 1.0, 3.0, 10.0, 40.0)
SIZES = (2.0, 4.0, 8.0)  # volume: extra articles a day = size × (level + 1)
DROPS = (0.3, 0.5, 0.8)  # tone: how far the event days' mean tone falls
DISPERSION = 5.0  # negative binomial shape: variance = mean + mean² / 5
TONE_SD = 0.35
SERIES_PER_CELL = 40


@dataclass(frozen=True)
class TrueEvent:
    start: int
    end: int


def weekly(level: float, days: int = DAYS) -> np.ndarray:
    """Expected counts a day: weekdays at 8/7 of the level, weekends at half of that."""
    week = np.array([1, 1, 1, 1, 1, 0.5, 0.5]) * 7 / 6
    return np.array([level * week[d % 7] for d in range(days)])


def draw_counts(rng: np.random.Generator, means: np.ndarray) -> np.ndarray:
    """Negative binomial counts with these means (gamma-mixed Poisson)."""
    rates = rng.gamma(DISPERSION, np.maximum(means, 1e-9) / DISPERSION)
    return rng.poisson(rates)


def place_events(rng: np.random.Generator, days: int = DAYS) -> list[TrueEvent]:
    """One or two events of 1-3 days, at least 25 days apart and after day 30."""
    events = []
    start = FIRST_EVENT_DAY + int(rng.integers(0, 20))
    for _ in range(int(rng.integers(1, 3))):
        length = int(rng.integers(1, 4))
        if start + length >= days:
            break
        events.append(TrueEvent(start, start + length - 1))
        start += length + 25 + int(rng.integers(0, 30))
    return events


def volume_series(
    rng: np.random.Generator, level: float, size: float | None
) -> tuple[list[int], list[TrueEvent]]:
    means = weekly(level)
    events = place_events(rng) if size else []
    for e in events:
        means[e.start : e.end + 1] += size * (level + 1)
    return [int(x) for x in draw_counts(rng, means)], events


def tone_series(
    rng: np.random.Generator, level: float, drop: float | None
) -> tuple[list[int], list[float], list[float], list[TrueEvent]]:
    means = weekly(level)
    events = place_events(rng) if drop else []
    for e in events:
        means[e.start : e.end + 1] *= 2  # a bad day is also a busy one
    counts = draw_counts(rng, means)
    base_tone = float(rng.uniform(-0.3, 0.2))
    sums, squares = [], []
    for day, n in enumerate(counts):
        shift = drop if any(e.start <= day <= e.end for e in events) else 0.0
        tones = np.clip(rng.normal(base_tone - shift, TONE_SD, int(n)), -1, 1)
        sums.append(float(tones.sum()))
        squares.append(float((tones**2).sum()))
    return [int(x) for x in counts], sums, squares, events


def score(found: Sequence[Event], events: Sequence[TrueEvent], merge_days: int) -> dict[str, int]:
    matched_alerts = 0
    hits = [0] * len(events)
    for alert in found:
        match = [
            i
            for i, e in enumerate(events)
            if alert.start <= e.end + merge_days and alert.end >= e.start
        ]
        matched_alerts += bool(match)
        for i in match:
            hits[i] += 1
    return {
        "alerts": len(found),
        "matched_alerts": matched_alerts,
        "events": len(events),
        "found_events": sum(h > 0 for h in hits),
        "split_events": sum(h > 1 for h in hits),
    }


def _add(total: dict[str, int], part: dict[str, int]) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0) + value


def _rates(t: dict[str, int]) -> dict[str, float | int]:
    out: dict[str, float | int] = dict(t)
    out["precision"] = round(t["matched_alerts"] / t["alerts"], 3) if t["alerts"] else None
    out["recall"] = round(t["found_events"] / t["events"], 3) if t["events"] else None
    return out


def run(seed: int = 17, per_cell: int = SERIES_PER_CELL) -> dict[str, list[dict]]:
    rng = np.random.default_rng(seed)
    volume = ALERT_PARAMETERS["volume_spike"]
    tone = ALERT_PARAMETERS["tone_drop"]
    results: dict[str, list[dict]] = {"volume_spike": [], "tone_drop": []}
    for level in LEVELS:
        for size in (None, *SIZES):
            total: dict[str, int] = {}
            for _ in range(per_cell):
                counts, events = volume_series(rng, level, size)
                _add(total, score(volume_events(counts, volume), events, volume["merge_days"]))
            row = {"level": level, "size": size, "series_days": per_cell * DAYS, **_rates(total)}
            results["volume_spike"].append(row)
        for drop in (None, *DROPS):
            total = {}
            for _ in range(per_cell):
                n, sums, squares, events = tone_series(rng, level, drop)
                found = tone_events(n, sums, squares, tone)
                _add(total, score(found, events, tone["merge_days"]))
            row = {"level": level, "drop": drop, "series_days": per_cell * DAYS, **_rates(total)}
            results["tone_drop"].append(row)
    return results


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_table(results: dict[str, list[dict]]) -> None:
    for kind, event_key in (("volume_spike", "size"), ("tone_drop", "drop")):
        print(f"\n{kind}: level = articles a day; {event_key} = event strength (– = flat)")
        print(
            "level\t" + event_key + "\tevents\tfound\tsplit\talerts\tprecision\trecall\tfalse/1000d"
        )
        for row in results[kind]:
            false_rate = 1000 * (row["alerts"] - row["matched_alerts"]) / row["series_days"]
            print(
                "\t".join(
                    _fmt(v)
                    for v in (
                        row["level"],
                        row[event_key],
                        row["events"],
                        row["found_events"],
                        row["split_events"],
                        row["alerts"],
                        row["precision"],
                        row["recall"],
                        round(false_rate, 2),
                    )
                )
            )
        events = [r for r in results[kind] if r[event_key]]
        flat = [r for r in results[kind] if not r[event_key]]
        alerts = sum(r["alerts"] for r in events)
        matched = sum(r["matched_alerts"] for r in events)
        found = sum(r["found_events"] for r in events)
        total = sum(r["events"] for r in events)
        split = sum(r["split_events"] for r in events)
        false_flat = sum(r["alerts"] for r in flat)
        days_flat = sum(r["series_days"] for r in flat)
        print(
            f"{kind} overall: precision {matched / alerts:.3f} ({matched}/{alerts}), "
            f"recall {found / total:.3f} ({found}/{total}), split events {split}, "
            f"alerts on flat series {false_flat} in {days_flat} series-days"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--series", type=int, default=SERIES_PER_CELL, help="Per table cell.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.seed, args.series)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
