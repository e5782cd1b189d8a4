"""Alerts: what a communications team wants to be told without opening a dashboard.

Four kinds, each an ``[[alerts]]`` rule in the config (defaults in
``default_config.toml``, meanings in the README's "Alerts"):

``volume_spike``
    More articles naming a target in one language on one day than its recent past
    explains. The baseline is the ``baseline_days`` (14) calendar days before, zero days
    included. News counts are low, full of zero days and over-dispersed (one event brings
    many articles), so a mean ± k·sd rule misfires both ways: on a quiet target the sd is
    0 and one article "spikes"; on a busy one the sd is inflated by last week's story.
    Instead the expected count is a *winsorized* mean of the baseline (the busiest 1 in
    7 days set to the next busiest, so last week's spike does not raise the bar), scaled
    by a same-weekday factor when eight weeks of history hold enough articles (newsrooms
    publish less at weekends; the factor is shrunk toward 1 and kept within 0.5..2),
    floored at 0.1 a day (a quiet target still gets an article every ten days; at the
    floor the count is taken as Poisson). The day's count is scored by its upper tail
    probability under a negative binomial with that mean and variance ``mean + φ·mean²``:
    the burstiness φ is measured over the last eight weeks (fourteen days estimate a
    variance loosely), winsorized the same way, at least 1/10 (news comes in bursts even
    when weeks looked calm), and the variance is widened by ``1 + 3/14`` for the
    uncertainty of the two-week level. A tail
    probability is exact for small counts where a normal approximation is not; it is
    reported as a z score (``score``). A day alerts when ``score >= min_score`` (3.5,
    p < 0.0002), it has at least ``min_articles`` (3) articles and at least
    ``min_ratio`` (2) times the expected count. Alerting days at most ``merge_days`` (2)
    apart are one event: one alert, its window growing. ``benchmarks/bench_alerts.py``
    measures precision and recall on synthetic series with known events; each of the
    floors above cut the false alerts on flat series there (README, "Alerts").
``tone_drop``
    The mean article tone (the ``tone`` analyze stored with each article's sentiment)
    per target, language and day falls below the baseline's mean: the drop, in standard
    errors of the baseline's article-level spread (floored at 0.15 so a uniform baseline
    cannot make every wobble significant), must reach ``min_score`` (3) and ``min_drop``
    (0.25) tone units, with at least ``min_articles`` (3) that day and
    ``min_baseline_articles`` (5) before. The standard error grows as fewer articles are
    seen, so two harsh articles never alert.
``hostile_statement``
    A statement whose speaker's organisation is watched, with an *against* stance toward
    a watched target at calibrated confidence ``p_against >= min_confidence`` (0.8).
``statement_gap``
    An EN/ZH pair of one organisation's statements (``statement_pairs``) with
    ``gap_score >= min_gap`` (2.0: a stance flip, or a stance step plus a tone gap of 1).

Each alert has a key (kind, target, language, window): the day an event started for the
two series kinds, the statement or pair id for the others. A later run that finds the
same event again updates its row (a longer window, a higher peak) and keeps
``first_seen`` and ``sent_at``, so the same spike is never alerted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import sqlite_utils

from mediastance.core.config import AlertRule, Config
from mediastance.core.storage import utcnow

MIN_RATE = 0.1  # articles a day expected of a target with an empty baseline
MIN_DISPERSION = 10.0  # variance at least mean + mean²/10: news comes in bursts
DISPERSION_DAYS = 56  # burstiness is measured over up to eight weeks, the level over two
ESTIMATE_DAYS = 3.0  # variance × (1 + 3/n): 14 days pin a variance down loosely
MIN_SPREAD = 0.15  # tone units: the smallest article-level spread a baseline is given
WEEKDAY_WEEKS = 8  # weeks of history behind a same-weekday factor
WEEKDAY_MIN_ARTICLES = 56  # ... and the articles those weeks need (one a day on average)
WEEKDAY_PRIOR = 3.0  # articles added to both sides of the factor: shrinks it toward 1
MAX_EVIDENCE = 10
SERIES_KINDS = ("volume_spike", "tone_drop")
KIND_ORDER = ("volume_spike", "tone_drop", "hostile_statement", "statement_gap")


@dataclass(frozen=True)
class Event:
    """A run of alerting days in one series: indexes into the day list, and the peak."""

    start: int
    end: int
    peak: int
    observed: float
    expected: float
    score: float
    detail: Mapping[str, float] | None = None


# ---------------------------------------------------------------- tail probabilities


def upper_tail(observed: int, mean: float, variance: float) -> float:
    """P(X >= observed) for a count with this mean and variance.

    Negative binomial when ``variance > mean`` (over-dispersed), else Poisson. The tail
    is summed upward from ``observed`` so tiny probabilities keep their precision.
    """
    if observed <= 0:
        return 1.0
    mean = max(mean, 1e-9)
    if variance > mean * 1.0001:
        r = mean * mean / (variance - mean)
        q = mean / (r + mean)  # success probability of the "failures" counted

        def log_pmf(k: int) -> float:
            return (
                math.lgamma(k + r)
                - math.lgamma(r)
                - math.lgamma(k + 1)
                + r * math.log1p(-q)
                + k * math.log(q)
            )
    else:

        def log_pmf(k: int) -> float:
            return k * math.log(mean) - mean - math.lgamma(k + 1)

    total = 0.0
    k = observed
    while k < observed + 100_000:
        term = math.exp(log_pmf(k))
        total += term
        if k > mean and term < total * 1e-15:
            break
        k += 1
    return min(1.0, total)


def z_score(p: float) -> float:
    """The standard normal quantile with upper tail ``p`` (p = 0.0002 → 3.54)."""
    return -NormalDist().inv_cdf(min(max(p, 1e-300), 1.0 - 1e-16))


# ---------------------------------------------------------------- series detectors


def winsorized(values: Sequence[float]) -> list[float]:
    """The busiest 1 in 7 values set to the next busiest: last week's spike cannot raise
    the bar, and (unlike dropping them) the mean and variance are not biased low."""
    ordered = sorted(values)
    k = max(1, len(ordered) // 7)
    return ordered[: len(ordered) - k] + [ordered[len(ordered) - k - 1]] * k


def _weekday_factor(counts: Sequence[int], i: int) -> float:
    """This weekday's mean over the last eight weeks relative to all days', shrunk toward
    1 and kept within 0.5..2; 1 without eight weeks of history holding enough articles."""
    span = 7 * WEEKDAY_WEEKS
    if i < span or sum(counts[i - span : i]) < WEEKDAY_MIN_ARTICLES:
        return 1.0
    same = sum(counts[i - 7 * k] for k in range(1, WEEKDAY_WEEKS + 1)) / WEEKDAY_WEEKS
    mean_all = sum(counts[i - span : i]) / span
    return min(2.0, max(0.5, (same + WEEKDAY_PRIOR) / (mean_all + WEEKDAY_PRIOR)))


def _dispersion(counts: Sequence[int], i: int, days: int) -> float:
    """How bursty the series is: φ in variance = mean + φ·mean², at least 1/10.

    Fourteen days pin a variance down loosely (a chi-square with 13 degrees of freedom),
    so φ is measured over up to eight weeks, winsorized like the level.
    """
    window = winsorized(counts[max(0, i - max(days, DISPERSION_DAYS)) : i])
    mean = sum(window) / len(window)
    if mean <= 0:
        return 1 / MIN_DISPERSION
    var = sum((x - mean) ** 2 for x in window) / max(1, len(window) - 1)
    return max((var - mean) / mean**2, 1 / MIN_DISPERSION)


def volume_day(counts: Sequence[int], i: int, params: Mapping[str, float]) -> Event | None:
    """Score day ``i`` of a daily count series; an Event when it alerts, else None."""
    days = int(params["baseline_days"])
    if i < days:
        return None  # not enough history to say what is normal
    base = winsorized(counts[i - days : i])
    expected = sum(base) / len(base) * _weekday_factor(counts, i)
    if expected < MIN_RATE:  # a (nearly) empty baseline: Poisson at the floor rate
        expected = variance = MIN_RATE
    else:
        variance = expected + _dispersion(counts, i, days) * expected**2
        variance *= 1 + ESTIMATE_DAYS / len(base)
    observed = counts[i]
    if observed < params["min_articles"] or observed < params["min_ratio"] * expected:
        return None
    score = z_score(upper_tail(observed, expected, variance))
    if score < params["min_score"]:
        return None
    return Event(i, i, i, float(observed), round(expected, 3), round(score, 2))


def tone_day(
    n: Sequence[int],
    tone_sum: Sequence[float],
    tone_sq: Sequence[float],
    i: int,
    params: Mapping[str, float],
) -> Event | None:
    """Score day ``i`` of per-day article counts, tone sums and sums of squares."""
    if n[i] < params["min_articles"]:
        return None
    lo = max(0, i - int(params["baseline_days"]))
    n_base = sum(n[lo:i])
    if n_base < max(2, params["min_baseline_articles"]):
        return None
    mean_base = sum(tone_sum[lo:i]) / n_base
    var = max(0.0, (sum(tone_sq[lo:i]) - n_base * mean_base**2) / (n_base - 1))
    spread = max(math.sqrt(var), MIN_SPREAD)
    mean_day = tone_sum[i] / n[i]
    drop = mean_base - mean_day
    score = drop / (spread * math.sqrt(1 / n[i] + 1 / n_base))
    if drop < params["min_drop"] or score < params["min_score"]:
        return None
    detail = {"baseline_articles": n_base, "baseline_spread": round(spread, 3), "articles": n[i]}
    return Event(i, i, i, round(mean_day, 3), round(mean_base, 3), round(score, 2), detail)


def merge_events(days: Iterable[Event], merge_days: int) -> list[Event]:
    """Alerting days at most ``merge_days`` apart become one event, peaked at its best day."""
    events: list[Event] = []
    for day in sorted(days, key=lambda e: e.start):
        last = events[-1] if events else None
        if last is not None and day.start - last.end <= merge_days:
            best = day if day.score > last.score else None
            events[-1] = Event(
                last.start,
                day.end,
                best.peak if best else last.peak,
                best.observed if best else last.observed,
                best.expected if best else last.expected,
                max(last.score, day.score),
                best.detail if best else last.detail,
            )
        else:
            events.append(day)
    return events


def volume_events(counts: Sequence[int], params: Mapping[str, float]) -> list[Event]:
    """Spike events of a dense daily count series (one entry per calendar day)."""
    hits = (volume_day(counts, i, params) for i in range(len(counts)))
    return merge_events((h for h in hits if h), int(params["merge_days"]))


def tone_events(
    n: Sequence[int],
    tone_sum: Sequence[float],
    tone_sq: Sequence[float],
    params: Mapping[str, float],
) -> list[Event]:
    """Tone-drop events of dense daily series of article counts and tone sums."""
    hits = (tone_day(n, tone_sum, tone_sq, i, params) for i in range(len(n)))
    return merge_events((h for h in hits if h), int(params["merge_days"]))


# ---------------------------------------------------------------- from the database

# article_stances has one row per original article × target (trigger-maintained).
SERIES_SQL = """
select target, language, published_day as day, count(*) as n,
  coalesce(sum(tone), 0) as tone_sum, coalesce(sum(tone * tone), 0) as tone_sq,
  count(tone) as tone_n
from article_stances
where published_day is not null and language is not null
group by target, language, published_day
"""


@dataclass
class Series:
    """Dense daily series per (target, language) from the first to the last day of data."""

    days: list[str]
    counts: dict[tuple[str, str], list[int]]
    tone_n: dict[tuple[str, str], list[int]]
    tone_sum: dict[tuple[str, str], list[float]]
    tone_sq: dict[tuple[str, str], list[float]]


def load_series(db: sqlite_utils.Database) -> Series:
    rows = [r for r in db.query(SERIES_SQL) if _is_day(r["day"])]
    if not rows:
        return Series([], {}, {}, {}, {})
    first = dt.date.fromisoformat(min(r["day"] for r in rows))
    last = dt.date.fromisoformat(max(r["day"] for r in rows))
    days = [(first + dt.timedelta(d)).isoformat() for d in range((last - first).days + 1)]
    size = len(days)
    series = Series(days, {}, {}, {}, {})
    for r in rows:
        key = (r["target"], r["language"])
        if key not in series.counts:
            series.counts[key] = [0] * size
            series.tone_n[key] = [0] * size
            series.tone_sum[key] = [0.0] * size
            series.tone_sq[key] = [0.0] * size
        i = (dt.date.fromisoformat(r["day"]) - first).days
        series.counts[key][i] = r["n"]
        series.tone_n[key][i] = r["tone_n"]
        series.tone_sum[key][i] = r["tone_sum"]
        series.tone_sq[key][i] = r["tone_sq"]
    return series


def _is_day(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _watched(rule: AlertRule, config: Config) -> tuple[set[str], set[str]]:
    names = {t.name for t in config.targets}
    return set(rule.targets or names), set(rule.organisations or names)


def _evidence_articles(
    db: sqlite_utils.Database, target: str, language: str, start: str, end: str, order: str
) -> list[str]:
    return [
        r["article_id"]
        for r in db.query(
            "select article_id from article_stances where target = ? and language = ? "
            f"and published_day between ? and ? order by {order}, article_id limit ?",
            [target, language, start, end, MAX_EVIDENCE],
        )
    ]


def _series_alerts(
    db: sqlite_utils.Database, series: Series, rule: AlertRule, config: Config
) -> list[dict[str, Any]]:
    targets, _ = _watched(rule, config)
    out = []
    for (target, language), counts in sorted(series.counts.items()):
        if target not in targets or language not in rule.languages:
            continue
        key = (target, language)
        if rule.kind == "volume_spike":
            events = volume_events(counts, rule.params)
        else:
            events = tone_events(
                series.tone_n[key], series.tone_sum[key], series.tone_sq[key], rule.params
            )
        for e in events:
            start, end, peak = series.days[e.start], series.days[e.end], series.days[e.peak]
            if rule.kind == "volume_spike":
                summary = (
                    f"{target} ({language}): {e.observed:g} articles on {peak}, "
                    f"expected {e.expected:g} a day"
                )
                order = "published_day"
            else:
                d = e.detail or {}
                summary = (
                    f"{target} ({language}): mean tone {e.observed:+.2f} over "
                    f"{d.get('articles', 0):g} articles on {peak}, baseline {e.expected:+.2f} "
                    f"± {d.get('baseline_spread', 0):.2f} ({d.get('baseline_articles', 0):g} "
                    "articles)"
                )
                order = "tone"
            if start != end:
                summary += f" [{start} to {end}]"
            out.append(
                {
                    "kind": rule.kind,
                    "rule": rule.name,
                    "target": target,
                    "language": language,
                    "organisation": None,
                    "window_start": start,
                    "window_end": end,
                    "observed": e.observed,
                    "expected": e.expected,
                    "score": e.score,
                    "summary": summary,
                    "evidence_articles": _evidence_articles(
                        db, target, language, start, end, order
                    ),
                    "evidence_statements": [],
                    "story_id": None,
                    "merge_days": int(rule.params["merge_days"]),
                }
            )
    return out


HOSTILE_SQL = """
select s.id as statement_id, s.article_id, s.organisation, s.speaker, s.language, s.text,
  st.target, st.p_against, a.story_id,
  substr(coalesce(a.published, a.fetched_at), 1, 10) as day
from stances st
join statements s on s.id = st.item_id
join articles a on a.id = s.article_id
where st.item_type = 'statement' and st.label = 'against' and st.p_against >= ?
  and s.organisation is not null and s.organisation != st.target
  and a.duplicate_of is null
order by s.id, st.target
"""


def _hostile_alerts(
    db: sqlite_utils.Database, rule: AlertRule, config: Config
) -> list[dict[str, Any]]:
    targets, organisations = _watched(rule, config)
    out = []
    for r in db.query(HOSTILE_SQL, [rule.params["min_confidence"]]):
        if (
            r["target"] not in targets
            or r["organisation"] not in organisations
            or r["language"] not in rule.languages
        ):
            continue
        speaker = f"{r['speaker']}, " if r["speaker"] and r["speaker"] != r["organisation"] else ""
        out.append(
            {
                "kind": rule.kind,
                "rule": rule.name,
                "target": r["target"],
                "language": r["language"],
                "organisation": r["organisation"],
                "window_start": r["day"],
                "window_end": r["day"],
                "window": r["statement_id"],
                "observed": round(r["p_against"], 3),
                "expected": rule.params["min_confidence"],
                "score": round(r["p_against"], 3),
                "summary": f"{speaker}{r['organisation']} against {r['target']} "
                f"({r['language']}, confidence {r['p_against']:.2f}): {_clip(r['text'])}",
                "evidence_articles": [r["article_id"]],
                "evidence_statements": [r["statement_id"]],
                "story_id": r["story_id"],
            }
        )
    return out


GAP_SQL = """
select p.*, substr(coalesce(a.published, a.fetched_at), 1, 10) as day
from statement_pairs p
left join articles a on a.id = p.zh_article_id
where p.gap_score >= ? and p.similarity >= ? and coalesce(p.organisation, '') != ''
order by p.id
"""


def _gap_alerts(db: sqlite_utils.Database, rule: AlertRule, config: Config) -> list[dict[str, Any]]:
    targets, organisations = _watched(rule, config)
    out = []
    params = [rule.params["min_gap"], rule.params["min_similarity"]]
    for r in db.query(GAP_SQL, params):
        if r["organisation"] not in organisations:
            continue
        if r["target"] is not None and r["target"] not in targets:
            continue
        if r["target"] is None and rule.targets:
            continue
        about = f" on {r['target']}" if r["target"] else ""
        stances = (
            f"EN {r['en_stance']} vs ZH {r['zh_stance']}, "
            if r["en_stance"] and r["zh_stance"]
            else ""
        )
        harsher = {"zh": "Chinese harsher", "en": "English harsher"}.get(r["harsher"], "")
        out.append(
            {
                "kind": rule.kind,
                "rule": rule.name,
                "target": r["target"],
                "language": "en+zh",
                "organisation": r["organisation"],
                "window_start": r["day"],
                "window_end": r["day"],
                "window": r["id"],
                "observed": r["gap_score"],
                "expected": rule.params["min_gap"],
                "score": r["gap_score"],
                "summary": f"{r['organisation']}{about}: {stances}tone gap "
                f"{r['tone_gap']:+.2f}, gap {r['gap_score']:.2f}"
                + (f" ({harsher})" if harsher else ""),
                "evidence_articles": [r["en_article_id"], r["zh_article_id"]],
                "evidence_statements": [r["en_statement_id"], r["zh_statement_id"]],
                "story_id": r["story_id"],
            }
        )
    return out


def _clip(text: str | None, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_alerts(db: sqlite_utils.Database, config: Config) -> list[dict[str, Any]]:
    """Every alert the enabled rules find in the database now (not yet saved)."""
    rules = [r for r in config.alerts if r.enabled]
    series = load_series(db) if any(r.kind in SERIES_KINDS for r in rules) else None
    found: list[dict[str, Any]] = []
    for rule in rules:
        if rule.kind in SERIES_KINDS:
            found += _series_alerts(db, series, rule, config)
        elif rule.kind == "hostile_statement":
            found += _hostile_alerts(db, rule, config)
        else:
            found += _gap_alerts(db, rule, config)
    return found


def alert_key(kind: str, target: str | None, language: str, window: str) -> str:
    return f"{kind}|{target or ''}|{language}|{window}"


def save_alerts(
    db: sqlite_utils.Database, found: Iterable[dict[str, Any]], *, now: str | None = None
) -> dict[str, int]:
    """Insert new alerts, update known ones in place; returns {"new": n, "updated": m}.

    A series event matches a stored alert of the same kind, target and language whose
    window overlaps or lies within ``merge_days`` of it: that row's window grows and its
    peak is kept if higher, ``first_seen`` and ``sent_at`` stay. Others match by key. So
    two rules of one kind that find the same event (a stricter one for one target, say)
    make one alert, as does a rule renamed between runs.
    """
    now = now or utcnow()
    counts = {"new": 0, "updated": 0}
    with db.atomic():
        for alert in found:
            row = dict(alert)
            gap = row.pop("merge_days", 0)
            window = row.pop("window", None) or row["window_start"]
            row["evidence_articles"] = json.dumps(row["evidence_articles"])
            row["evidence_statements"] = json.dumps(row["evidence_statements"])
            if row["kind"] in SERIES_KINDS:
                old = _overlapping(db, row, gap)
            else:
                old = _by_key(db, alert_key(row["kind"], row["target"], row["language"], window))
            if old is None:
                key = alert_key(row["kind"], row["target"], row["language"], window)
                row.update(
                    id=hashlib.sha1(key.encode()).hexdigest()[:16],
                    key=key,
                    first_seen=now,
                    updated_at=now,
                    sent_at=None,
                )
                db["alerts"].insert(row)
                counts["new"] += 1
                continue
            update = _changes(old, row)
            if update:
                update["updated_at"] = now
                db["alerts"].update(old["id"], update)
                counts["updated"] += 1
    return counts


def _overlapping(db: sqlite_utils.Database, row: dict, gap: int) -> dict | None:
    start = (dt.date.fromisoformat(row["window_start"]) - dt.timedelta(gap)).isoformat()
    end = (dt.date.fromisoformat(row["window_end"]) + dt.timedelta(gap)).isoformat()
    found = list(
        db.query(
            "select * from alerts where kind = ? and target = ? and language = ? "
            "and window_start <= ? and window_end >= ? order by first_seen, id limit 1",
            [row["kind"], row["target"], row["language"], end, start],
        )
    )
    return found[0] if found else None


def _by_key(db: sqlite_utils.Database, key: str) -> dict | None:
    found = list(db.query("select * from alerts where key = ?", [key]))
    return found[0] if found else None


def _changes(old: dict, new: dict) -> dict[str, Any]:
    """What a re-found event changes in its stored row (a wider window, a higher peak)."""
    update: dict[str, Any] = {}
    start = min(old["window_start"] or new["window_start"], new["window_start"])
    end = max(old["window_end"] or new["window_end"], new["window_end"])
    if (start, end) != (old["window_start"], old["window_end"]):
        update.update(window_start=start, window_end=end)
    if (new["score"] or 0) > (old["score"] or 0) or old["kind"] not in SERIES_KINDS:
        for name in ("observed", "expected", "score", "summary"):
            if new[name] != old[name]:
                update[name] = new[name]
    if update and old["kind"] in SERIES_KINDS:
        evidence = json.loads(old["evidence_articles"] or "[]")
        merged = evidence + [a for a in json.loads(new["evidence_articles"]) if a not in evidence]
        update["evidence_articles"] = json.dumps(merged[: MAX_EVIDENCE * 2])
    elif old["kind"] not in SERIES_KINDS and new["evidence_articles"] != old["evidence_articles"]:
        update["evidence_articles"] = new["evidence_articles"]
    return update


def compute_alerts(
    db: sqlite_utils.Database, config: Config, *, now: str | None = None
) -> dict[str, int]:
    """Find and save the alerts of every enabled rule; returns {"new": n, "updated": m}."""
    return save_alerts(db, find_alerts(db, config), now=now)


def sort_alerts(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kind by kind (spikes first), strongest first within a kind."""
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(
        rows, key=lambda r: (order.get(r["kind"], 99), -(r["score"] or 0), r["window_start"] or "")
    )


def pending_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["kind"]] += 1
    return dict(counts)
