"""Tone: one definition (``analysis.labels.tone``), written by analyze, read everywhere.

tone = (p_positive − p_negative) × (1 + strength) / 2, where strength is P(strong
wording) from an intensity head, or None (factor 1). ``sentiments`` stores both
(migration ``m021_sentiment_tone``); views, rollup tables, pages, the brief and the
statement pairs read the stored tone. A certainly negative but mild row (p_negative
0.99, strength 0.2) has tone −0.594 there, where p_positive − p_negative says −0.99.
"""

from __future__ import annotations

import re

import pytest
from test_datasette import DB, get
from test_stories import StatementEncoder, seed_alibaba_statements

from analysis import statement_pairs
from analysis import stories as st
from analysis.labels import ItemLabels, tone
from analysis.pipeline import analyze
from mediastance.brief import STORY_TONE_SQL
from mediastance.core.config import load_config
from mediastance.core.storage import ensure_db_shape, migrations, open_db
from mediastance.serve import make_datasette

CONFIG = load_config()
MILD_NEGATIVE = {"positive": 0.0, "neutral": 0.01, "negative": 0.99}
CALM = {"positive": 0.3, "neutral": 0.6, "negative": 0.1}


def test_tone_is_the_direction_scaled_by_how_strong_the_wording_is():
    assert tone(MILD_NEGATIVE, 0.2) == -0.594
    assert tone(MILD_NEGATIVE, 0.0) == -0.495  # certainly negative, certainly mild
    assert tone(MILD_NEGATIVE, 1.0) == -0.99  # certainly harsh
    assert tone(MILD_NEGATIVE, None) == tone(MILD_NEGATIVE) == -0.99  # no intensity head
    assert tone(CALM, 0.5) == 0.15
    assert ItemLabels(MILD_NEGATIVE, {}, strength=0.2).tone == -0.594
    assert ItemLabels(MILD_NEGATIVE, {}).tone == -0.99


# --------------------------------------------------------------------------- analyze


class FakeLabeler:
    """ "regrettable": certainly negative, mild (P(strong) 0.2); any other text calm
    (0.7). ``intensity=False``: heads without an intensity head."""

    model_version = "fake-heads"

    def __init__(self, *, intensity: bool = True) -> None:
        self.intensity = intensity

    def label(self, items):
        out = []
        for item in items:
            mild = "regrettable" in item.text
            strength = (0.2 if mild else 0.7) if self.intensity else None
            stances = {t: {"favor": 0.2, "against": 0.7, "none": 0.1} for t in item.targets}
            out.append(ItemLabels(dict(MILD_NEGATIVE if mild else CALM), stances, strength))
        return out


ARTICLE = {
    "id": "a1",
    "title": "Alibaba hits back at the IACC",
    "text": (
        '"The decision is regrettable," said Jennifer Kuperman, Alibaba\'s head of '
        "international corporate communications.\nShares rose 2% in New York."
    ),
    "language": "en",
    "published": "2016-05-13T08:00:00Z",
    "content_hash": "h1",
}
SENTIMENT_ROWS = """
select item_type, item_id, p_positive, p_neutral, p_negative, strength, tone
from sentiments order by item_type, item_id
"""


def analysed(labeler: FakeLabeler):
    db = open_db(memory=True)
    ensure_db_shape(db)
    db["articles"].insert(ARTICLE, pk="id")
    analyze(db, CONFIG, labeler=labeler)
    return db


def test_analyze_stores_strength_and_tone_on_every_sentiment_row():
    db = analysed(FakeLabeler())
    # The article: its sentences' mean probabilities and mean strength, and the tone of
    # those stored values: (0.2 − 0.3967) × (1 + 0.5333) / 2.
    assert db.execute(SENTIMENT_ROWS).fetchall() == [
        ("article", "a1", 0.2, 0.4033, 0.3967, 0.5333, -0.1508),
        ("sentence", "a1:s0", 0.3, 0.6, 0.1, 0.7, 0.17),
        ("sentence", "a1:s1", 0.0, 0.01, 0.99, 0.2, -0.594),
        ("sentence", "a1:s2", 0.3, 0.6, 0.1, 0.7, 0.17),
        ("statement", "a1:q0", 0.0, 0.01, 0.99, 0.2, -0.594),
    ]
    for r in db["sentiments"].rows:
        probs = {"positive": r["p_positive"], "negative": r["p_negative"]}
        assert r["tone"] == tone(probs, r["strength"]), r["item_id"]
    # The rollups copy it (to 3 decimals) as analyze writes it.
    assert db.execute("select target, tone from article_stances").fetchall() == [
        ("Alibaba", -0.151),
        ("IACC", -0.151),
    ]
    assert db.execute("select distinct statement_id, tone from statement_labels").fetchall() == [
        ("a1:q0", -0.594)
    ]


def test_without_an_intensity_head_strength_is_null_and_tone_the_direction():
    db = analysed(FakeLabeler(intensity=False))
    assert db.execute(SENTIMENT_ROWS).fetchall() == [
        ("article", "a1", 0.2, 0.4033, 0.3967, None, -0.1967),
        ("sentence", "a1:s0", 0.3, 0.6, 0.1, None, 0.2),
        ("sentence", "a1:s1", 0.0, 0.01, 0.99, None, -0.99),
        ("sentence", "a1:s2", 0.3, 0.6, 0.1, None, 0.2),
        ("statement", "a1:q0", 0.0, 0.01, 0.99, None, -0.99),
    ]


# --------------------------------------------------------------------------- readers


def mild_negative(item_type: str, item_id: str) -> dict:
    return {
        "id": f"sentiment:{item_type}:{item_id}",
        "item_type": item_type,
        "item_id": item_id,
        "article_id": "a1",
        "label": "negative",
        "score": 0.99,
        "p_positive": 0.0,
        "p_neutral": 0.01,
        "p_negative": 0.99,
        "strength": 0.2,
        "tone": tone(MILD_NEGATIVE, 0.2),
    }


def test_every_reader_shows_the_stored_tone(tmp_path):
    path = tmp_path / "m.db"
    db = open_db(path)
    ensure_db_shape(db)
    db["stories"].insert({"id": "st1", "title": "IACC suspends Alibaba"}, pk="id")
    db["articles"].insert(
        {k: v for k, v in ARTICLE.items() if k != "content_hash"}
        | {"story_id": "st1", "outlet": "Wire", "fetched_at": "2016-05-13T09:00:00Z"},
        pk="id",
    )
    db["statements"].insert(
        {"id": "a1:q0", "article_id": "a1", "organisation": "Alibaba", "language": "en"},
        pk="id",
    )
    for item_type, item_id in (("article", "a1"), ("statement", "a1:q0")):
        db["stances"].insert(
            {"id": f"stance:{item_type}:{item_id}:IACC", "item_type": item_type}
            | {"item_id": item_id, "article_id": "a1", "target": "IACC", "label": "against"},
            pk="id",
        )
        db["sentiments"].insert(mild_negative(item_type, item_id), pk="id")
    assert db.execute("select tone from article_stances").fetchall() == [(-0.594,)]
    assert db.execute("select tone_sum, tone_count from daily_coverage").fetchall() == [(-0.594, 1)]
    assert db.execute("select tone from statement_labels").fetchall() == [(-0.594,)]
    assert db.execute("select mean_tone from story_languages").fetchall() == [(-0.594,)]
    assert db.execute(STORY_TONE_SQL, {"since": "2016-05-01", "story": "st1"}).fetchall() == [
        ("en", 1, -0.594, 1)
    ]
    db.close()
    ds = make_datasette(path)
    page = get(ds, f"/{DB}/articles/a1").text
    assert "Tone: negative (-0.59, −1 hostile … +1 warm)" in page
    statements = page[page.index('class="rows-and-columns article-statements"') :]
    assert re.search(r"<td>negative \(-0\.59\)", statements)
    assert "tone -0.59" in get(ds, f"/{DB}/articles").text


def test_statement_pairs_read_the_stored_tone():
    db = open_db(memory=True)
    ensure_db_shape(db)
    seed_alibaba_statements(db)  # its sentiment rows have no tone: p_positive − p_negative
    db["sentiments"].upsert(
        mild_negative("statement", "s-zh-1") | {"id": "se-s-zh-1", "article_id": "zh-stmt"},
        pk="id",
    )
    st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    [pair] = db.query("select en_tone, zh_tone, tone_gap, gap_score, harsher from statement_pairs")
    assert pair == {
        "en_tone": -0.4,  # 0.15 − 0.55, no tone stored
        "zh_tone": -0.594,  # stored; 0.02 − 0.93 before
        "tone_gap": -0.194,
        "gap_score": 0.194,
        "harsher": "zh",
    }
    assert db.execute("select en_tone, zh_tone from statement_gaps").fetchall() == [(-0.4, -0.594)]


def test_a_statement_without_a_stored_tone_falls_back_to_its_probabilities():
    assert statement_pairs._tone({"tone": -0.594, "p_positive": 0.0, "p_negative": 0.99}) == (
        -0.594
    )
    assert statement_pairs._tone({"tone": None, "p_positive": 0.15, "p_negative": 0.55}) == -0.4
    assert statement_pairs._tone({"tone": None, "p_positive": None, "p_negative": 0.55}) is None


# --------------------------------------------------------------------------- migration


def old_database(path):
    """A database as m001–m020 left it: no strength or tone in sentiments, and rollup
    triggers that compute tone from the probabilities, as they were written then."""
    db = open_db(path)
    migrations.apply(db, stop_before="m021_sentiment_tone")
    reading_tone = list(
        db.execute(
            "select name, sql from sqlite_master where type = 'trigger' and sql like '%.tone%'"
        )
    )
    for name, _ in reading_tone:
        db.execute(f"drop trigger [{name}]")
    db.execute("alter table sentiments drop column tone")
    db.execute("alter table sentiments drop column strength")
    for _, sql in reading_tone:
        db.execute(
            re.sub(r"round\((\w+)\.tone, 3\)", r"round(\1.p_positive - \1.p_negative, 3)", sql)
        )
    return db


def everything(db) -> dict[str, list[tuple]]:
    names = [
        r[0]
        for r in db.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
            "and name != '_sqlite_migrations'"
        )
    ]
    # Sorted in Python: daily_coverage has no rowid.
    return {name: sorted(db.execute(f"select * from [{name}]"), key=repr) for name in names}


def test_migration_keeps_every_row_and_fills_tone_from_the_probabilities(tmp_path):
    path = tmp_path / "old.db"
    db = old_database(path)
    assert "tone" not in db["sentiments"].columns_dict
    db["stories"].insert({"id": "st1", "title": "IACC suspends Alibaba"}, pk="id")
    db["articles"].insert_all(
        [
            {"id": "a1", "title": "t1", "language": "en", "published": "2016-05-13"},
            {"id": "a2", "title": "t2", "language": "zh", "published": "2016-05-14"},
        ],
        pk="id",
    )
    db.execute("update articles set story_id = 'st1'")
    db["statements"].insert({"id": "a1:q0", "article_id": "a1", "organisation": "Alibaba"})
    probs = {"a1": (0.1, 0.3, 0.6), "a2": (0.7, 0.25, 0.05), "a1:q0": (0.05, 0.15, 0.8)}
    for item_id, (pos, neu, neg) in probs.items():
        item_type = "statement" if ":" in item_id else "article"
        db["sentiments"].insert(
            {"id": f"se-{item_id}", "item_type": item_type, "item_id": item_id}
            | {"article_id": item_id[:2], "label": "x", "p_positive": pos}
            | {"p_neutral": neu, "p_negative": neg},
            pk="id",
        )
        db["stances"].insert(
            {"id": f"st-{item_id}", "item_type": item_type, "item_id": item_id}
            | {"article_id": item_id[:2], "target": "IACC", "label": "against"},
            pk="id",
        )
    db.execute("delete from _story_changes")  # as a run that paired the story leaves it
    db.conn.commit()
    before = everything(db)
    db.close()

    for _ in range(2):  # the second time, nothing is left to do
        db = open_db(path)
        ensure_db_shape(db)
        after = everything(db)  # and the FTS tables ensure_db_shape adds
        assert [row[:-2] for row in after["sentiments"]] == before["sentiments"]
        assert db.execute(
            "select item_id, strength, tone from sentiments order by item_id"
        ).fetchall() == [("a1", None, -0.5), ("a1:q0", None, -0.75), ("a2", None, 0.65)]
        # The rollups' tones are what they were, and no story is listed to be re-paired.
        assert {name: after[name] for name in before if name != "sentiments"} == {
            name: rows for name, rows in before.items() if name != "sentiments"
        }
        db.close()

    # The re-created triggers copy the stored tone from now on.
    db = open_db(path)
    db.execute("update sentiments set strength = 0.2, tone = -0.594 where item_id = 'a1'")
    db.execute("update sentiments set strength = 0.2, tone = -0.594 where item_id = 'a1:q0'")
    assert db.execute("select article_id, tone from article_stances order by 1").fetchall() == [
        ("a1", -0.594),
        ("a2", 0.65),
    ]
    assert db.execute("select tone_sum from daily_coverage order by day").fetchall() == [
        (pytest.approx(-0.594),),
        (0.65,),
    ]
    assert db.execute("select tone from statement_labels").fetchall() == [(-0.594,)]
