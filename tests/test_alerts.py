"""Alerts: the detectors on synthetic series with known events, then the same through the
database (article_stances, statements, statement_pairs) with the dedup key."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from benchmarks.bench_alerts import tone_series, volume_series
from mediastance.alerts import (
    compute_alerts,
    find_alerts,
    merge_events,
    tone_events,
    upper_tail,
    volume_events,
    z_score,
)
from mediastance.core.config import ALERT_PARAMETERS, ConfigError, load_config_text
from mediastance.core.storage import ensure_db_shape, open_db

VOLUME = ALERT_PARAMETERS["volume_spike"]
TONE = ALERT_PARAMETERS["tone_drop"]


# Tail probabilities ----------------------------------------------------------------------


def test_poisson_tail_by_hand():
    # P(X >= 3) for a Poisson(0.1): 1 - e^-0.1 (1 + 0.1 + 0.1²/2)
    assert upper_tail(3, 0.1, 0.1) == pytest.approx(1 - math.exp(-0.1) * 1.105, rel=1e-9)
    assert upper_tail(0, 5.0, 5.0) == 1.0
    assert z_score(upper_tail(3, 0.1, 0.1)) == pytest.approx(3.61, abs=0.01)


def test_negative_binomial_tail_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for observed, mean, var in [(12, 4.0, 10.0), (60, 20.0, 120.0), (3, 0.5, 0.9)]:
        p = mean / var
        r = mean * mean / (var - mean)
        assert upper_tail(observed, mean, var) == pytest.approx(
            stats.nbinom.sf(observed - 1, r, p), rel=1e-6
        )


def test_tiny_tail_keeps_precision():
    # Summed upward from the observed count: no 1 - (1 - tiny) cancellation.
    p = upper_tail(40, 1.0, 1.0)
    assert 0 < p < 1e-40
    assert z_score(p) > 13


# Volume spikes on synthetic series ----------------------------------------------------------


@pytest.mark.parametrize("level", [0.2, 1.0, 3.0, 10.0, 40.0])
def test_no_alert_on_a_flat_series_with_noise(level):
    counts, events = volume_series(np.random.default_rng(7), level, None)
    assert events == []
    assert volume_events(counts, VOLUME) == []


def test_one_alert_for_a_three_day_event():
    rng = np.random.default_rng(3)
    counts = [int(x) for x in rng.poisson(5.0, 120)]
    for day in (60, 61, 62):
        counts[day] += 30
    [event] = volume_events(counts, VOLUME)
    assert (event.start, event.end) == (60, 62)
    assert event.observed == max(counts[60:63]) or event.peak in (60, 61, 62)
    assert event.score >= VOLUME["min_score"]


def test_every_benchmark_event_is_one_alert_at_most():
    rng = np.random.default_rng(11)
    for level in (1.0, 10.0):
        for _ in range(10):
            counts, truth = volume_series(rng, level, 8.0)
            found = volume_events(counts, VOLUME)
            for e in truth:
                hits = [a for a in found if a.start <= e.end + 2 and a.end >= e.start]
                assert len(hits) <= 1


def test_zero_days_then_articles():
    quiet = [0] * 30
    [event] = volume_events([*quiet, 4], VOLUME)
    assert (event.start, event.observed, event.expected) == (30, 4.0, 0.1)
    assert volume_events([*quiet, 2], VOLUME) == []  # below min_articles
    assert volume_events([1] * 30 + [3], VOLUME) == []  # three a day after one a day


def test_last_weeks_spike_does_not_hide_this_one():
    counts = [2] * 40
    counts[30] = 40  # an earlier event inside this day's baseline
    counts[38] = 40
    found = volume_events(counts, VOLUME)
    assert [(e.start, e.end) for e in found] == [(30, 30), (38, 38)]


def test_merge_days():
    counts = [1] * 60
    counts[40] = counts[42] = 25
    assert [(e.start, e.end) for e in volume_events(counts, VOLUME)] == [(40, 42)]
    counts[42], counts[44] = 1, 25
    assert [(e.start, e.end) for e in volume_events(counts, VOLUME)] == [(40, 40), (44, 44)]
    assert merge_events([], 2) == []


# Tone drops ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [1.0, 3.0, 10.0, 40.0])
def test_no_tone_alert_on_flat_tone(level):
    n, sums, squares, events = tone_series(np.random.default_rng(5), level, None)
    assert events == []
    assert tone_events(n, sums, squares, TONE) == []


def test_one_tone_alert_for_a_two_day_drop():
    n = [8] * 50
    tones = [[0.1, -0.2, 0.3, 0.0, -0.1, 0.2, 0.1, -0.3]] * 50  # mean 0.0125, sd ~0.2
    tones[30] = tones[31] = [-0.6, -0.5, -0.7, -0.4, -0.6, -0.8, -0.5, -0.6]
    sums = [sum(t) for t in tones]
    squares = [sum(x * x for x in t) for t in tones]
    [event] = tone_events(n, sums, squares, TONE)
    assert (event.start, event.end) == (30, 31)
    assert (event.peak, event.observed) == (30, -0.588)  # rounded to 3 places
    assert event.detail["articles"] == 8


def test_two_harsh_articles_are_not_a_turn():
    n = [4] * 30 + [2]
    sums = [0.4] * 30 + [-1.8]
    squares = [0.2] * 30 + [1.62]
    assert tone_events(n, sums, squares, TONE) == []


# Through the database -----------------------------------------------------------------------


def add_article(db, article_id, *, target, language, day, tone=0.0, published=None):
    db["articles"].insert(
        {
            "id": article_id,
            "url": f"https://news.example/{article_id}",
            "canonical_url": f"https://news.example/{article_id}",
            "title": f"title {article_id}",
            "outlet": "Example",
            "language": language,
            "published": published or f"{day}T08:00:00Z",
            "fetched_at": "2026-12-06T01:00:00Z",
        }
    )
    db["sentiments"].insert(
        {
            "id": f"se-{article_id}",
            "item_type": "article",
            "item_id": article_id,
            "article_id": article_id,
            "label": "neutral",
            "p_positive": max(tone, 0.0),
            "p_neutral": 1 - abs(tone),
            "p_negative": max(-tone, 0.0),
            "tone": tone,
        }
    )
    db["stances"].insert(
        {
            "id": f"st-{article_id}-{target}",
            "item_type": "article",
            "item_id": article_id,
            "article_id": article_id,
            "target": target,
            "label": "none",
            "score": 0.9,
        }
    )


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "alerts.db")
    ensure_db_shape(database)
    yield database
    database.close()


def day(i: int) -> str:
    return f"2026-11-{i:02d}"


def test_spike_found_once_and_grown_by_a_later_run(db):
    config = load_config_text("", label="test")
    for i in range(1, 21):
        add_article(db, f"a{i}", target="Alibaba", language="zh", day=day(i))
    for k in range(9):
        add_article(db, f"s{k}", target="Alibaba", language="zh", day=day(21))
    assert compute_alerts(db, config, now="2026-12-06T01:00:00Z") == {"new": 1, "updated": 0}
    assert compute_alerts(db, config, now="2026-12-06T02:00:00Z") == {"new": 0, "updated": 0}
    [row] = db.query("select * from alerts")
    assert row["kind"] == "volume_spike"
    assert (row["target"], row["language"]) == ("Alibaba", "zh")
    assert (row["window_start"], row["window_end"]) == (day(21), day(21))
    assert (row["observed"], row["expected"]) == (9.0, 1.0)
    assert row["key"] == f"volume_spike|Alibaba|zh|{day(21)}"
    assert row["summary"] == f"Alibaba (zh): 9 articles on {day(21)}, expected 1 a day"
    assert json.loads(row["evidence_articles"]) == [f"s{k}" for k in range(9)]
    # The story goes on the next day: the same alert's window grows, nothing new.
    for k in range(12):
        add_article(db, f"t{k}", target="Alibaba", language="zh", day=day(22))
    db.execute("update alerts set sent_at = '2026-12-06T01:30:00Z'")
    assert compute_alerts(db, config, now="2026-12-06T03:00:00Z") == {"new": 0, "updated": 1}
    [grown] = db.query("select * from alerts")
    assert (grown["id"], grown["key"]) == (row["id"], row["key"])
    assert (grown["window_start"], grown["window_end"]) == (day(21), day(22))
    assert grown["observed"] == 12.0
    assert (grown["first_seen"], grown["sent_at"]) == (
        "2026-12-06T01:00:00Z",
        "2026-12-06T01:30:00Z",
    )
    assert grown["updated_at"] == "2026-12-06T03:00:00Z"


def test_two_rules_finding_one_event_make_one_alert(db):
    text = (
        '[[alerts]]\nkind = "volume_spike"\n'
        '[[alerts]]\nkind = "volume_spike"\nname = "alibaba"\ntargets = ["Alibaba"]\n'
        "min_score = 2.0\n"
    )
    config = load_config_text(text, label="test")
    for i in range(1, 21):
        add_article(db, f"a{i}", target="Alibaba", language="en", day=day(i))
    for k in range(9):
        add_article(db, f"s{k}", target="Alibaba", language="en", day=day(21))
    assert len(find_alerts(db, config)) == 2
    assert compute_alerts(db, config) == {"new": 1, "updated": 0}
    renamed = load_config_text(text.replace('"alibaba"', '"alibaba-en"'), label="test")
    assert compute_alerts(db, renamed) == {"new": 0, "updated": 0}
    assert [r["rule"] for r in db.query("select rule from alerts")] == ["volume_spike"]


def test_tone_turn_through_the_database(db):
    config = load_config_text('[[alerts]]\nkind = "tone_drop"\n', label="test")
    for i in range(1, 21):
        add_article(db, f"a{i}", target="Kering", language="en", day=day(i), tone=0.2)
    for k in range(4):
        add_article(db, f"n{k}", target="Kering", language="en", day=day(21), tone=-0.6)
    [alert] = find_alerts(db, config)
    assert alert["summary"] == (
        f"Kering (en): mean tone -0.60 over 4 articles on {day(21)}, "
        "baseline +0.20 ± 0.15 (14 articles)"
    )
    assert alert["evidence_articles"][:4] == ["n0", "n1", "n2", "n3"]


def add_statement(db, statement_id, *, organisation, target, p_against, language="zh"):
    article_id = f"art-{statement_id}"
    add_article(db, article_id, target=target, language=language, day=day(3))
    db["statements"].insert(
        {
            "id": statement_id,
            "article_id": article_id,
            "sentence_index": 0,
            "speaker": None,
            "organisation": organisation,
            "language": language,
            "text": "工商总局：淘宝售假问题严重",
            "kind": "quote",
        }
    )
    db["stances"].insert(
        {
            "id": f"st-{statement_id}",
            "item_type": "statement",
            "item_id": statement_id,
            "article_id": article_id,
            "target": target,
            "label": "against" if p_against > 0.5 else "none",
            "score": p_against,
            "p_against": p_against,
            "p_favor": 0.0,
            "p_none": 1 - p_against,
        }
    )


def test_hostile_statement_by_watched_organisation(db):
    add_statement(db, "q1", organisation="SAIC", target="Alibaba", p_against=0.93)
    add_statement(db, "q2", organisation="SAIC", target="Alibaba", p_against=0.62)
    add_statement(db, "q3", organisation="USTR", target="Alibaba", p_against=0.97)
    text = '[[alerts]]\nkind = "hostile_statement"\norganisations = ["SAIC"]\n'
    config = load_config_text(text, label="test")
    found = find_alerts(db, config)
    assert [(a["organisation"], a["target"], a["window"], a["score"]) for a in found] == [
        ("SAIC", "Alibaba", "q1", 0.93)
    ]
    assert found[0]["summary"] == (
        "SAIC against Alibaba (zh, confidence 0.93): 工商总局：淘宝售假问题严重"
    )
    assert compute_alerts(db, config) == {"new": 1, "updated": 0}
    assert compute_alerts(db, config) == {"new": 0, "updated": 0}
    [row] = db.query("select key, evidence_statements from alerts")
    assert row == {"key": "hostile_statement|Alibaba|zh|q1", "evidence_statements": '["q1"]'}


def test_statement_gap_over_threshold(db):
    for pair_id, gap in (("p1", 2.9), ("p2", 1.2)):
        db["statement_pairs"].insert(
            {
                "id": pair_id,
                "story_id": "s1",
                "organisation": "Alibaba",
                "target": "IACC",
                "en_statement_id": f"{pair_id}-en",
                "zh_statement_id": f"{pair_id}-zh",
                "en_article_id": "ea",
                "zh_article_id": "za",
                "en_text": "We remain committed to working with the IACC.",
                "zh_text": "国际反假冒联盟已经被个别企业的私利绑架。",
                "similarity": 0.85,
                "en_stance": "favor",
                "zh_stance": "against",
                "tone_gap": -0.9,
                "gap_score": gap,
                "harsher": "zh",
            },
            pk="id",
        )
    config = load_config_text('[[alerts]]\nkind = "statement_gap"\n', label="test")
    [alert] = find_alerts(db, config)
    assert (alert["window"], alert["language"], alert["score"]) == ("p1", "en+zh", 2.9)
    assert alert["summary"] == (
        "Alibaba on IACC: EN favor vs ZH against, tone gap -0.90, gap 2.90 (Chinese harsher)"
    )


# Configuration ------------------------------------------------------------------------------


def test_alert_rules_take_defaults_and_reject_mistakes():
    config = load_config_text(
        '[[alerts]]\nkind = "volume_spike"\nmin_articles = 5\ntargets = ["Alibaba"]\n'
    )
    [rule] = config.alerts
    assert rule.params == {**{k: float(v) for k, v in VOLUME.items()}, "min_articles": 5.0}
    assert rule.targets == ("Alibaba",)
    with pytest.raises(ConfigError, match=r"\[\[alerts\]\]\[0\]\.kind must be one of"):
        load_config_text('[[alerts]]\nkind = "spike"\n', label="t.toml")
    with pytest.raises(ConfigError, match=r"\[\[alerts\]\]\[0\]\.min_gap is not a known key"):
        load_config_text('[[alerts]]\nkind = "volume_spike"\nmin_gap = 1\n', label="t.toml")
    with pytest.raises(ConfigError, match="min_articles must be an integer >= 0"):
        load_config_text('[[alerts]]\nkind = "tone_drop"\nmin_articles = 2.5\n')
    with pytest.raises(ConfigError, match=r"\.enabled must be true or false, got 'no'"):
        load_config_text('[[alerts]]\nkind = "tone_drop"\nenabled = "no"\n')
    assert [r.enabled for r in load_config_text('[[alerts]]\nkind = "tone_drop"\n').alerts] == [
        True
    ]


def test_notify_refuses_a_password_in_the_file():
    with pytest.raises(ConfigError) as info:
        load_config_text('[notify]\nsmtp_password = "hunter2"\n', label="team.toml")
    assert str(info.value) == (
        "team.toml: [notify].smtp_password is not read from a file: set "
        "$MEDIASTANCE_SMTP_USER and $MEDIASTANCE_SMTP_PASSWORD in the environment instead"
    )
    with pytest.raises(ConfigError, match=r"\[notify\]\.since must be a duration"):
        load_config_text('[notify]\nsince = "yesterday"\n')
    with pytest.raises(ConfigError, match=r"\[notify\]\.mail_from is missing"):
        load_config_text('[notify]\nsmtp_host = "mail.example"\nmail_to = ["a@example.com"]\n')
