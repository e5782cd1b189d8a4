"""Story clustering, statement pairs and framing words (analysis/stories.py, framing.py).

Unit tests use hand-made embeddings through an injected encoder: each text's vector is
its event's direction plus a strong per-language offset, the way E5 behaves (an English
text sits closer to any English text than to its own translation). The regression test
at the end clusters the real demo corpus with the real builtin encoder and checks the
B-cubed and pairwise scores against the gold, with thresholds from the measured values.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis import statement_pairs
from analysis import stories as st
from analysis.framing import LEXICON_VERSION, find_framing_words, framing_hits
from analysis.story_eval import (
    bcubed_scores,
    cluster_day_by_day,
    evaluate,
    load_demo_corpus,
    pairwise_scores,
)
from mediastance.core.config import default_config_text, load_config_text
from mediastance.core.storage import ensure_db_shape, open_db

CONFIG = load_config_text(default_config_text(), label="default config")
DIM = 64


def direction(name: str) -> np.ndarray:
    rng = np.random.default_rng(sum(ord(c) * 31**i for i, c in enumerate(name)) % 2**32)
    v = rng.normal(size=DIM)
    return v / np.linalg.norm(v)


class FakeEncoder:
    """Vector = the event's direction (the first word of the text: "IACC", "JD", "BG3")
    + 2 × its language's direction + a little per-text noise, then normalised."""

    version = "fake-1"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts, batch_size=32, **_: object) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), DIM), np.float32)
        for i, text in enumerate(texts):
            zh = any("\u4e00" <= ch <= "\u9fff" for ch in text)
            v = direction(text.split()[0].strip(":")) + 2 * direction("zh" if zh else "en")
            v += 0.05 * direction(text)
            out[i] = v / np.linalg.norm(v)
        return out


def article(id, day, language, title, text="", outlet="Wire", duplicate_of=None):
    return {
        "id": id,
        "url": f"https://example.test/{id}",
        "canonical_url": f"https://example.test/{id}",
        "title": title,
        "text": text,
        "language": language,
        "published": f"{day}T08:00:00Z",
        "outlet": outlet,
        "duplicate_of": duplicate_of,
    }


ON_TOPIC_EN = "Counterfeit handbags and fakes: the trademark fight over counterfeit goods."
ON_TOPIC_ZH = "假货 打假 假冒 知识产权"


def background(n_per_language: int = 8) -> list[dict]:
    """Filler stories a year apart, so each language has enough articles for its mean."""
    rows = []
    for i in range(n_per_language):
        rows.append(article(f"bg-en-{i}", f"2010-0{1 + i % 9}-1{i % 9}", "en", f"BG{i} port"))
        rows.append(article(f"bg-zh-{i}", f"2011-0{1 + i % 9}-1{i % 9}", "zh", f"BG{i}z 港口"))
    return rows


def fill(db, rows, mentions=()):
    ensure_db_shape(db)
    db["articles"].upsert_all(rows, pk="id")
    db["mentions"].upsert_all(
        [
            {"id": f"{a}-{t}-{k}", "article_id": a, "target": t, "sentence_index": k}
            for a, t, k in mentions
        ],
        pk="id",
    )


def story_of(db, article_id):
    return db["articles"].get(article_id)["story_id"]


@pytest.fixture
def db():
    database = open_db(memory=True)
    ensure_db_shape(database)
    return database


# ------------------------------------------------------------------ clustering


def test_english_and_chinese_reports_of_one_event_share_a_story(db):
    rows = background() + [
        article("iacc-en", "2016-05-13", "en", "IACC suspends Alibaba", ON_TOPIC_EN),
        article("iacc-zh", "2016-05-14", "zh", "IACC 暂停阿里巴巴会员资格", ON_TOPIC_ZH),
        # same company, same day, another subject and no counterfeit keywords
        article("earn-en", "2016-05-13", "en", "EARNINGS: Alibaba shares climb", "Shares rose."),
        # the same event's words, but two months later: outside the window
        article("iacc-late", "2016-07-20", "en", "IACC again", ON_TOPIC_EN),
    ]
    fill(
        db,
        rows,
        [
            ("iacc-en", "Alibaba", 0),
            ("iacc-en", "IACC", 1),
            ("iacc-zh", "IACC", 0),
            ("iacc-zh", "Alibaba", 0),
            ("earn-en", "Alibaba", 0),
        ],
    )
    counts = st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    assert story_of(db, "iacc-en") == story_of(db, "iacc-zh") == st.story_id_for("iacc-en")
    assert story_of(db, "earn-en") not in (story_of(db, "iacc-en"), None)
    assert story_of(db, "iacc-late") not in (story_of(db, "iacc-en"), None)
    assert counts["articles"] == len(rows)
    story = db["stories"].get(st.story_id_for("iacc-en"))
    assert {k: story[k] for k in story if k != "updated_at"} == {
        "id": st.story_id_for("iacc-en"),
        "title": "IACC suspends Alibaba",
        "first_seen": "2016-05-13",
        "last_seen": "2016-05-14",
        "languages": "en,zh",
        "article_count": 2,
        "en_count": 1,
        "zh_count": 1,
        "founded_by": "iacc-en",
    }


def test_without_language_centring_the_translation_would_not_join(db):
    # The same two reports with no other articles to estimate language means from: the
    # language offset dominates and the Chinese report starts its own story. This is
    # what the centring step exists for.
    rows = [
        article("iacc-en", "2016-05-13", "en", "IACC suspends Alibaba", ON_TOPIC_EN),
        article("iacc-zh", "2016-05-14", "zh", "IACC 暂停阿里巴巴会员资格", ON_TOPIC_ZH),
    ]
    fill(db, rows)
    st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    assert story_of(db, "iacc-en") != story_of(db, "iacc-zh")


def test_syndicated_copies_take_their_originals_story_and_are_not_counted(db):
    rows = background() + [
        article("orig", "2016-05-13", "en", "IACC suspends Alibaba", ON_TOPIC_EN),
        article(
            "copy",
            "2016-05-15",
            "en",
            "IACC suspends Alibaba",
            ON_TOPIC_EN,
            outlet="Syndicate",
            duplicate_of="orig",
        ),
    ]
    fill(db, rows)
    encoder = FakeEncoder()
    counts = st.cluster_stories(db, CONFIG, encoder=encoder)
    assert story_of(db, "copy") == story_of(db, "orig")
    assert counts["duplicates"] == 1
    assert db["stories"].get(story_of(db, "orig"))["article_count"] == 1
    assert "IACC suspends Alibaba\nCounterfeit" in "".join(encoder.calls[0])
    assert sum(len(c) for c in encoder.calls) == len(rows) - 1  # the copy is never embedded


def test_later_runs_place_only_new_articles_into_existing_stories(db):
    fill(
        db,
        background()
        + [
            article("iacc-en", "2016-05-13", "en", "IACC suspends Alibaba", ON_TOPIC_EN),
        ],
    )
    st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    before = {r["id"]: r["story_id"] for r in db["articles"].rows}

    fill(
        db,
        [
            article("iacc-zh", "2016-05-15", "zh", "IACC 暂停阿里巴巴会员资格", ON_TOPIC_ZH),
            article("jd-en", "2016-05-15", "en", "JD sues a fake seller", ON_TOPIC_EN),
        ],
    )
    encoder = FakeEncoder()
    counts = st.cluster_stories(db, CONFIG, encoder=encoder)
    assert encoder.calls == [
        [
            "IACC 暂停阿里巴巴会员资格\n假货 打假 假冒 知识产权",
            "JD sues a fake seller\n" + ON_TOPIC_EN,
        ]
    ]
    assert counts["articles"] == 2 and counts["new_stories"] == 1
    after = {r["id"]: r["story_id"] for r in db["articles"].rows}
    assert {k: after[k] for k in before} == before  # nothing re-clustered
    assert after["iacc-zh"] == before["iacc-en"]
    assert after["jd-en"] == st.story_id_for("jd-en")
    story = db["stories"].get(before["iacc-en"])
    assert (story["last_seen"], story["languages"], story["article_count"]) == (
        "2016-05-15",
        "en,zh",
        2,
    )
    # A third run with nothing new embeds nothing and changes nothing.
    encoder = FakeEncoder()
    assert st.cluster_stories(db, CONFIG, encoder=encoder)["articles"] == 0
    assert encoder.calls == []


def test_order_is_by_published_then_id_whatever_the_insert_order(db):
    rows = background() + [
        article("b", "2016-05-13", "en", "IACC one", ON_TOPIC_EN),
        article("a", "2016-05-13", "zh", "IACC 二 假货", ON_TOPIC_ZH),
        article("c", "2016-05-12", "en", "IACC zero", ON_TOPIC_EN),
    ]
    fill(db, list(reversed(rows)))
    st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    assert story_of(db, "a") == story_of(db, "b") == story_of(db, "c") == st.story_id_for("c")


def story_tables(db):
    """Everything clustering writes, minus timestamps."""
    return {
        "articles": {r["id"]: r["story_id"] for r in db["articles"].rows},
        "stories": [
            {k: v for k, v in r.items() if k != "updated_at"}
            for r in db.query("select * from stories order by id")
        ],
        "vectors": list(db.query("select * from _story_vectors order by story_id")),
        "framing": list(db.query("select * from framing_words order by id")),
    }


def months_of_events():
    """Events a few weeks apart over half a year, in both languages, with copies."""
    first, later = background(), []
    for week in range(24):
        day = f"2016-{1 + week // 4:02d}-{1 + 7 * (week % 4):02d}"
        later_day = f"{day[:8]}{int(day[8:]) + 3:02d}"  # at the end of the window
        event = ("IACC", "JD", "SAIC")[week % 3]
        first.append(article(f"w{week}-en", day, "en", f"{event} week {week}", ON_TOPIC_EN))
        later += [
            article(f"w{week}-zh", day, "zh", f"{event} 第{week}周 假货", ON_TOPIC_ZH),
            article(f"w{week}-en2", later_day, "en", f"{event} again {week}", ON_TOPIC_EN),
        ]
        if week % 5 == 0:
            later.append(article(f"w{week}-copy", day, "en", "copy", duplicate_of=f"w{week}-en"))
    # An unreadable date sorts it last, but it is placed on the day it was fetched: the
    # placing order goes back in time, to a story already written out.
    odd = article("odd-date", "2016-01-01", "en", "IACC odd", ON_TOPIC_EN)
    odd["published"], odd["fetched_at"] = "2016-99-99", "2016-02-20T00:00:00Z"
    return first, later + [odd]


def backlog_of_months():
    """Run one placed the first week's reports; half a year of articles waits."""
    first, later = months_of_events()
    db = open_db(memory=True)
    fill(db, first)
    st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    fill(db, later)
    return db


def test_placing_page_by_page_gives_what_placing_all_at_once_gives():
    results = []
    for page_size in (1, 7, 10_000):  # 10,000: one page, every story held at once
        db = backlog_of_months()
        counts = st.cluster_stories(db, CONFIG, encoder=FakeEncoder(), page_size=page_size)
        del counts["framing_rows"]  # rows written: a story written out and back is counted twice
        results.append((counts, story_tables(db)))
    assert results[0] == results[1] == results[2]
    counts, tables = results[0]
    assert (counts["articles"], counts["new_stories"], counts["duplicates"]) == (49, 0, 5)
    week = {w: tables["articles"][f"w{w}-en"] for w in range(24)}
    assert len(set(week.values())) == 24  # weeks apart: a story each
    for w in range(24):
        assert tables["articles"][f"w{w}-zh"] == tables["articles"][f"w{w}-en2"] == week[w]
    assert tables["articles"]["w5-copy"] == week[5]
    assert tables["articles"]["odd-date"] == week[6]  # IACC, 2016-02-15 to 18


def test_a_run_killed_half_way_through_a_backlog_is_finished_by_the_next(monkeypatch):
    calm = backlog_of_months()
    st.cluster_stories(calm, CONFIG, encoder=FakeEncoder(), page_size=7)

    killed = backlog_of_months()
    pages = []
    profiles = st._entity_profiles

    def dies_on_page_4(db, ids):
        pages.append(ids)
        if len(pages) == 4:
            raise KeyboardInterrupt
        return profiles(db, ids)

    monkeypatch.setattr(st, "_entity_profiles", dies_on_page_4)
    with pytest.raises(KeyboardInterrupt):
        st.cluster_stories(killed, CONFIG, encoder=FakeEncoder(), page_size=7)
    monkeypatch.undo()
    placed = killed.execute(
        "select count(*) from articles where story_id is not null and id like 'w%'"
    ).fetchone()[0]
    assert placed == 24 + 3 * 7  # run one's, and three pages
    st.cluster_stories(killed, CONFIG, encoder=FakeEncoder(), page_size=7)
    assert story_tables(killed) == story_tables(calm)


def test_topicality_counts_configured_keywords_on_word_boundaries():
    assert st.topicality("Alibaba shares climb", "Mobile growth.", CONFIG) == 0.0
    assert st.topicality("Fakes", "", CONFIG) == pytest.approx(1 / 3)  # "fake" not also hit
    assert st.topicality("打假", "假货 假貨 山寨", CONFIG) == 1.0


# ------------------------------------------------------------------ statement pairs


def seed_alibaba_statements(db):
    """The seed's case: Alibaba's measured English line and its harsh Chinese one."""
    fill(
        db,
        background()
        + [
            article("en-stmt", "2016-05-13", "en", "IACC Alibaba statement", ON_TOPIC_EN),
            article("zh-stmt", "2016-05-14", "zh", "IACC 阿里巴巴声明", ON_TOPIC_ZH),
        ],
    )
    statements = [
        (
            "s-en-1",
            "en-stmt",
            "en",
            "We believe the IACC's decision is a step in the wrong direction and regrettable.",
        ),
        ("s-en-2", "en-stmt", "en", "We will continue to work with brands around the world."),
        (
            "s-zh-1",
            "zh-stmt",
            "zh",
            "我们遗憾地看到，一个以打击假冒为宗旨的国际组织，已经被个别企业的私利绑架。",
        ),
    ]
    db["statements"].insert_all(
        [
            {
                "id": i,
                "article_id": a,
                "language": lang,
                "text": t,
                "organisation": "Alibaba",
                "speaker": "Alibaba",
                "kind": "direct",
            }
            for i, a, lang, t in statements
        ],
        pk="id",
    )
    tones = {"s-en-1": (0.15, 0.55), "s-en-2": (0.60, 0.10), "s-zh-1": (0.02, 0.93)}
    db["sentiments"].insert_all(
        [
            {
                "id": f"se-{i}",
                "item_type": "statement",
                "item_id": i,
                "p_positive": p,
                "p_negative": n,
            }
            for i, (p, n) in tones.items()
        ],
        pk="id",
    )
    stances = [
        ("s-en-1", "IACC", "against", 0.1, 0.8),
        ("s-zh-1", "IACC", "against", 0.05, 0.9),
        ("s-en-1", "Alibaba", "favor", 0.6, 0.1),
        ("s-zh-1", "Alibaba", "favor", 0.7, 0.1),
        ("s-en-2", "Alibaba", "favor", 0.8, 0.1),
    ]
    db["stances"].insert_all(
        [
            {
                "id": f"st-{i}-{t}",
                "item_type": "statement",
                "item_id": i,
                "target": t,
                "label": lab,
                "p_favor": f,
                "p_against": ag,
            }
            for i, t, lab, f, ag in stances
        ],
        pk="id",
    )


class StatementEncoder(FakeEncoder):
    """Articles as FakeEncoder; statements: the two "regret" lines close, the rest apart."""

    def encode(self, texts, batch_size=32, **kw):
        if not any("\n" in t for t in texts):  # statements, not headline + lead
            vecs = np.zeros((len(texts), DIM), np.float32)
            for i, t in enumerate(texts):
                vecs[i, 0 if ("regrettable" in t or "遗憾" in t) else 1 + i] = 1.0
            self.calls.append(list(texts))
            return vecs
        return super().encode(texts, batch_size=batch_size, **kw)


def test_alibaba_statements_pair_with_same_stance_and_a_harsher_chinese_tone(db):
    seed_alibaba_statements(db)
    counts = st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    assert counts["statement_pairs"] == 1
    [pair] = list(db["statement_pairs"].rows)
    assert {k: pair[k] for k in pair if k not in ("id", "computed_at")} == {
        "story_id": st.story_id_for("en-stmt"),
        "organisation": "Alibaba",
        "target": "IACC",  # the organisation itself only when nothing else is shared
        "en_statement_id": "s-en-1",
        "zh_statement_id": "s-zh-1",
        "en_article_id": "en-stmt",
        "zh_article_id": "zh-stmt",
        "en_text": "We believe the IACC's decision is a step in the wrong direction and regrettable.",
        "zh_text": "我们遗憾地看到，一个以打击假冒为宗旨的国际组织，已经被个别企业的私利绑架。",
        "similarity": 1.0,
        "en_stance": "against",
        "zh_stance": "against",
        "stance_agree": 1,
        "en_tone": -0.4,
        "zh_tone": -0.91,
        "tone_gap": -0.51,
        "gap_score": 0.51,
        "harsher": "zh",
        "model_version": "fake-1",
    }
    view = list(db.query("select story_title, gap_score, harsher from statement_gaps"))
    assert view == [{"story_title": "IACC Alibaba statement", "gap_score": 0.51, "harsher": "zh"}]


def test_statement_pairs_are_one_to_one_and_rebuilt_each_run(db):
    seed_alibaba_statements(db)
    db["statements"].insert(
        {
            "id": "s-en-3",
            "article_id": "en-stmt",
            "language": "en",
            "organisation": "Alibaba",
            "text": "The decision is regrettable.",
        }
    )
    st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    pairs = list(db.query("select en_statement_id, zh_statement_id from statement_pairs"))
    assert pairs == [{"en_statement_id": "s-en-1", "zh_statement_id": "s-zh-1"}]
    st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    assert db["statement_pairs"].count == 1


def pairs_table(db):
    return list(db.query("select * from statement_pairs order by id"))


def without_time(rows):
    return [{k: v for k, v in r.items() if k != "computed_at"} for r in rows]


def test_a_run_with_nothing_new_re_pairs_nothing(db):
    seed_alibaba_statements(db)
    st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    assert db["_story_changes"].count == 0
    db.execute("update statement_pairs set computed_at = 'before'")
    encoder = StatementEncoder()
    counts = st.cluster_stories(db, CONFIG, encoder=encoder)
    assert counts["statement_pairs"] == 0
    assert [r["computed_at"] for r in pairs_table(db)] == ["before"]
    assert encoder.calls == []


def test_changes_list_their_story_and_nothing_else(db):
    seed_alibaba_statements(db)
    st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    story = st.story_id_for("en-stmt")

    def listed():
        rows = list(db.query("select story_id from _story_changes"))
        db.execute("delete from _story_changes")
        return [r["story_id"] for r in rows]

    db.execute("update articles set title = 'new title', text = 'x' where id = 'en-stmt'")
    db.execute("update sentiments set label = 'x' where item_type = 'sentence'")
    db["sentiments"].insert({"id": "se-sentence", "item_type": "sentence", "item_id": "s-en-1"})
    assert listed() == []
    db.execute("update sentiments set p_negative = 0.2 where item_id = 's-en-1'")
    assert listed() == [story]
    db["stances"].delete("st-s-zh-1-IACC")
    assert listed() == [story]
    db["statements"].insert({"id": "s-en-9", "article_id": "en-stmt", "text": "New."})
    assert listed() == [story]
    db.execute("update articles set published = '2016-05-12' where id = 'zh-stmt'")
    assert listed() == [story]
    db.execute("update articles set story_id = 'elsewhere' where id = 'zh-stmt'")
    assert sorted(listed()) == sorted([story, "elsewhere"])


def test_re_pairing_the_changed_stories_gives_what_re_pairing_all_gives(db):
    seed_alibaba_statements(db)
    # A second story a month later, with a pair of its own.
    fill(
        db,
        [
            article("jd-en", "2016-06-20", "en", "JD sues a fake seller", ON_TOPIC_EN),
            article("jd-zh", "2016-06-20", "zh", "JD 起诉售假商家", ON_TOPIC_ZH),
        ],
    )
    db["statements"].insert_all(
        [
            {"id": "jd-q-en", "article_id": "jd-en", "language": "en", "text": "We regret it."},
            {"id": "jd-q-zh", "article_id": "jd-zh", "language": "zh", "text": "我们遗憾。"},
        ],
        pk="id",
    )
    db.execute("update statements set organisation = 'JD.com' where id like 'jd-%'")
    st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    assert db["statement_pairs"].count == 2
    db.execute("update statement_pairs set computed_at = 'before'")

    # The Alibaba story changes: a relabelled statement, and a new article placed in it
    # whose Chinese statement is closer to the second English line.
    db.execute("update sentiments set p_positive = 0.9, p_negative = 0.0 where item_id = 's-zh-1'")
    fill(db, [article("zh-later", "2016-05-15", "zh", "IACC 阿里巴巴再次回应", ON_TOPIC_ZH)])
    db["statements"].insert(
        {
            "id": "s-zh-2",
            "article_id": "zh-later",
            "language": "zh",
            "organisation": "Alibaba",
            "text": "我们将继续与全球品牌合作。",
        }
    )
    counts = st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    assert story_of(db, "zh-later") == st.story_id_for("en-stmt")
    assert counts["statement_pairs"] == 2  # the Alibaba story's, written again
    incremental = pairs_table(db)
    untouched = [r for r in incremental if r["story_id"] == st.story_id_for("jd-en")]
    assert [r["computed_at"] for r in untouched] == ["before"]

    assert st.pair_statements(db, encoder=StatementEncoder(), full=True) == 3
    assert without_time(pairs_table(db)) == without_time(incremental)
    assert {(r["en_statement_id"], r["zh_statement_id"], r["zh_tone"]) for r in incremental} == {
        ("s-en-1", "s-zh-1", 0.9),
        ("s-en-2", "s-zh-2", None),
        ("jd-q-en", "jd-q-zh", None),
    }


def test_a_new_encoder_re_pairs_every_story_with_pairs(db):
    seed_alibaba_statements(db)
    st.cluster_stories(db, CONFIG, encoder=StatementEncoder())
    encoder = StatementEncoder()
    encoder.version = "fake-2"
    assert st.pair_statements(db, encoder=encoder) == 1
    assert [r["model_version"] for r in pairs_table(db)] == ["fake-2"]


def test_a_copy_re_pointed_to_another_original_follows_it_to_its_story(db):
    fill(
        db,
        background()
        + [
            article("iacc-en", "2016-05-13", "en", "IACC suspends Alibaba", ON_TOPIC_EN),
            article("jd-en", "2016-06-20", "en", "JD sues a fake seller", ON_TOPIC_EN),
        ],
    )
    st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    assert story_of(db, "jd-en") == st.story_id_for("jd-en")
    # A re-collect finds jd-en to be a copy of iacc-en (collect re-points duplicate_of).
    db.execute("update articles set duplicate_of = 'iacc-en' where id = 'jd-en'")
    counts = st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    assert counts["duplicates"] == 1
    assert story_of(db, "jd-en") == st.story_id_for("iacc-en")


def test_match_one_to_one_prefers_the_most_similar_pairs():
    sim = np.array([[0.9, 0.8], [0.85, 0.1], [0.2, 0.3]])
    assert statement_pairs._match_one_to_one(sim) == [(0, 0), (2, 1)]


# ------------------------------------------------------------------ framing words


def test_framing_words_fold_traditional_and_keep_word_boundaries():
    assert find_framing_words("評論：阿里矇羞背後的屈辱 假貨與山寨") == [
        ("humiliation", "蒙羞"),
        ("humiliation", "屈辱"),
        ("fake", "假货"),
        ("fake", "山寨"),
    ]
    assert find_framing_words("He was not ashamed; fakery is not a fake. A crackdown.") == [
        ("fake", "fake"),
        ("crackdown", "crackdown"),
    ]


def test_framing_hits_go_to_targets_in_the_sentence_or_the_articles_main_target():
    hits = framing_hits(
        "Alibaba snubbed by IACC",
        "Alibaba said the IACC was kidnapped. Critics called it humiliating.",
        CONFIG.targets,
        "en",
    )
    assert [(h.word, h.targets) for h in hits] == [
        ("snubbed", ("Alibaba", "IACC")),
        ("kidnapped", ("Alibaba", "IACC")),
        ("humiliating", ("Alibaba",)),  # Alibaba 2 mentions, IACC 2: ties go by name
    ]


def test_framing_words_table_counts_per_story_language_outlet_and_target(db):
    fill(
        db,
        background()
        + [
            article(
                "zh1",
                "2016-05-15",
                "zh",
                "IACC 评论：阿里蒙羞背后的屈辱",
                "阿里巴巴称联盟被私利绑架。",
                outlet="新消费日报",
            ),
            article(
                "zh2", "2016-05-15", "zh", "IACC 阿里巴巴 屈辱", ON_TOPIC_ZH, outlet="新消费日报"
            ),
        ],
    )
    st.cluster_stories(db, CONFIG, encoder=FakeEncoder())
    rows = list(
        db.query(
            "select language, outlet, target, category, word, count, articles, lexicon_version "
            "from framing_words where story_id = ? and word = '屈辱' order by target",
            [st.story_id_for("zh1")],
        )
    )
    # Both headlines name IACC and Alibaba (阿里 is an alias), so the word is about both.
    assert rows == [
        {
            "language": "zh",
            "outlet": "新消费日报",
            "target": target,
            "category": "humiliation",
            "word": "屈辱",
            "count": 2,
            "articles": 2,
            "lexicon_version": LEXICON_VERSION,
        }
        for target in ("Alibaba", "IACC")
    ]


# ------------------------------------------------------------------ evaluation


def test_pairwise_and_bcubed_scores_on_a_small_example():
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    pred = {"a": "1", "b": "1", "c": "2", "d": "2"}
    assert pairwise_scores(pred, gold) == {"precision": 0.5, "recall": 1 / 3, "f1": 0.4}
    b3 = bcubed_scores(pred, gold)
    assert b3["precision"] == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert b3["recall"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert bcubed_scores(gold, gold)["f1"] == 1.0


# ------------------------------------------------------------------ regression


@pytest.fixture(scope="module")
def builtin_encoder():
    from analysis.encoder import Encoder

    return Encoder.load()


# Measured on the demo corpus (54 original articles, 13 gold stories) with the builtin
# encoder: B-cubed F1 1.000 and pairwise F1 1.000 when clustered in one run. The corpus is
# also what the thresholds were tuned on, so these are optimistic; the margins allow for
# a corpus page being added, not for a regression of the method.
MIN_BCUBED_F1 = 0.95
MIN_PAIRWISE_F1 = 0.90
# One run per publication day from an empty database: B-cubed F1 0.943, pairwise 0.902
# (the first nights have too few articles per language for their means; README).
MIN_BCUBED_F1_BY_DAY = 0.93
MIN_PAIRWISE_F1_BY_DAY = 0.88


@pytest.mark.slow
def test_demo_corpus_clustering_matches_the_gold(builtin_encoder):
    db = open_db(memory=True)
    load_demo_corpus(db, CONFIG)
    st.cluster_stories(db, CONFIG, encoder=builtin_encoder)
    result = evaluate(db)
    summary = json.dumps(result, ensure_ascii=False)
    assert result["articles"] >= 40, summary
    assert result["bcubed"]["f1"] >= MIN_BCUBED_F1, summary
    assert result["pairwise"]["f1"] >= MIN_PAIRWISE_F1, summary
    # No distractor shares a story with the event it sits next to.
    assert not [
        s
        for s, mix in result["mixed_clusters"].items()
        if any(
            k.startswith(("alibaba-earnings", "pdd-shares", "jd-618", "amazon-log")) for k in mix
        )
    ], summary


@pytest.mark.slow
def test_demo_corpus_fed_day_by_day_in_small_pages(builtin_encoder, monkeypatch):
    # Pages of 4 articles: each night's articles are embedded and placed a page at a time.
    monkeypatch.setattr(st, "PAGE_ARTICLES", 4)
    db = open_db(memory=True)
    days = cluster_day_by_day(db, CONFIG, encoder=builtin_encoder)
    result = evaluate(db)
    summary = json.dumps(result, ensure_ascii=False)
    assert days >= 20, summary
    assert result["bcubed"]["f1"] >= MIN_BCUBED_F1_BY_DAY, summary
    assert result["pairwise"]["f1"] >= MIN_PAIRWISE_F1_BY_DAY, summary


# ------------------------------------------------------------------ benchmark database


@pytest.mark.slow
def test_the_benchmark_database_is_what_a_nightly_run_leaves(tmp_path):
    from benchmarks.bench_stories import HashingEncoder
    from benchmarks.make_big_db import build

    path = tmp_path / "bench.db"
    result = build(path, 1500, progress=lambda _msg: None)
    db = open_db(path)
    written = {r["id"]: {k: r[k] for k in r if k != "updated_at"} for r in db["stories"].rows}
    assert result["rows"]["stories"] == result["rows"]["_story_vectors"] == len(written) > 100
    assert result["rows"]["unplaced"] == 0
    st._refresh_stories(db, list(written))  # what the stories stage would have written
    again = {r["id"]: {k: r[k] for k in r if k != "updated_at"} for r in db["stories"].rows}
    assert again == written
    copies = list(
        db.query(
            "select c.story_id as copy, o.story_id as original from articles c "
            "join articles o on o.id = c.duplicate_of"
        )
    )
    assert copies and all(r["copy"] == r["original"] is not None for r in copies)
    encoder = HashingEncoder()
    assert st.cluster_stories(db, CONFIG, encoder=encoder) == {
        "articles": 0,
        "new_stories": 0,
        "duplicates": 0,
        "statement_pairs": 0,
        "framing_rows": 0,
    }
