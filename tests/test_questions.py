"""The four questions a comms team comes with, as canned queries (datasette-metadata.json).

Each takes a target by any alias in any case or script, a period (days ending on end, or
start and end), and answers an empty period with one row that says why.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from test_datasette import DB, get, labeled_db

from analysis.labels import tone as tone_of
from mediastance.core.storage import open_db, save_rows
from mediastance.datasette_targets import canonical_target
from mediastance.export import canned_queries, iter_rows
from mediastance.serve import load_metadata, make_datasette

QUESTIONS = (
    "question_en_vs_zh",
    "question_who_said_what",
    "question_trending",
    "question_most_hostile",
)

# Statements about Alibaba and the IACC with their stance and tone (labeled_db has the
# statements' text but no labels): the IACC's two statements tie on tone, so p_against
# has to order them.
STATEMENT_LABELS = {
    # id: (target, label, p_favor, p_against, p_positive, p_negative)
    "en2:0": ("IACC", "against", 0.1, 0.6, 0.1, 0.6),
    "zh1:0": ("IACC", "against", 0.05, 0.9, 0.05, 0.9),
    "en1:0": ("Alibaba", "against", 0.1, 0.7, 0.1, 0.7),
    "en1:1": ("Alibaba", "against", 0.1, 0.8, 0.1, 0.7),
    "zh1:1": ("Alibaba", "favor", 0.8, 0.1, 0.3, 0.2),
}


def questions_db(path):
    labeled_db(path)
    db = open_db(path)
    save_rows(
        db,
        "statements",
        [
            {
                "id": "en1:0",
                "article_id": "en1",
                "sentence_index": 0,
                "speaker": "Robert Barchiesi",
                "organisation": "IACC",
                "language": "en",
                "kind": "direct",
                "text": "Alibaba has not done enough",
            },
            {
                "id": "en1:1",
                "article_id": "en1",
                "sentence_index": 0,
                "speaker": None,
                "organisation": None,
                "language": "en",
                "kind": "reported",
                "text": "brands said Alibaba tolerated fakes",
            },
            {
                "id": "zh1:1",
                "article_id": "zh1",
                "sentence_index": 1,
                "speaker": "分析人士",
                "organisation": "",
                "language": "zh",
                "kind": "reported",
                "text": "阿里巴巴打假投入很大",
            },
        ],
        pk="id",
    )
    save_rows(
        db,
        "sentiments",
        [
            {
                "id": f"statement:{sid}",
                "item_type": "statement",
                "item_id": sid,
                "article_id": sid.split(":")[0],
                "label": "negative" if neg > pos else "positive",
                "score": max(pos, neg),
                "p_positive": pos,
                "p_neutral": round(1 - pos - neg, 3),
                "p_negative": neg,
                "tone": tone_of({"positive": pos, "negative": neg}),
                "model": "m",
                "model_version": "v1",
            }
            for sid, (_, _, _, _, pos, neg) in STATEMENT_LABELS.items()
        ],
        pk="id",
    )
    save_rows(
        db,
        "stances",
        [
            {
                "id": f"stance:statement:{sid}:{target}",
                "item_type": "statement",
                "item_id": sid,
                "article_id": sid.split(":")[0],
                "target": target,
                "label": label,
                "score": max(p_favor, p_against),
                "p_favor": p_favor,
                "p_against": p_against,
                "p_none": round(1 - p_favor - p_against, 3),
                "evidence": "",
                "model": "m",
                "model_version": "v1",
            }
            for sid, (target, label, p_favor, p_against, _, _) in STATEMENT_LABELS.items()
        ],
        pk="id",
    )
    # One story, English and Chinese, for the trending question.
    save_rows(
        db,
        "stories",
        [
            {
                "id": "s-iacc",
                "title": "IACC suspends Alibaba membership",
                "first_seen": "2016-05-13",
                "last_seen": "2016-05-14",
                "languages": "en,zh",
                "article_count": 3,
                "en_count": 2,
                "zh_count": 1,
                "founded_by": "en1",
            }
        ],
        pk="id",
    )
    with db.atomic():
        db.execute("update articles set story_id = 's-iacc'")
    return path


@pytest.fixture
def qds(tmp_path):
    return make_datasette(questions_db(tmp_path / "q.db"))


def ask(ds, name, **params):
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    response = get(ds, f"/{DB}/{name}.json?_shape=objects&{qs}")
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def today(ds) -> str:
    return asyncio.run(ds.execute(DB, "select date('now')")).rows[0][0]


@pytest.mark.parametrize(
    "typed", ["Alibaba", "alibaba", "ALIBABA", "阿里巴巴", "阿裏巴巴", "Taobao", " jack  ma "]
)
def test_any_alias_in_any_case_or_script_names_the_target(typed):
    assert canonical_target(typed) == "Alibaba"


def test_unknown_or_empty_names_are_no_target():
    assert canonical_target("Alibabba") is None
    assert canonical_target("  ") is None
    assert canonical_target(None) is None
    assert canonical_target("京東") == "JD.com"


def test_serve_config_names_the_targets(tmp_path):
    from click.testing import CliRunner

    from mediastance.cli import cli
    from mediastance.core.config import load_config_text
    from mediastance.datasette_targets import use_targets

    config = '[[targets]]\nname = "Temu"\naliases = ["Temu", "特姆"]\n'
    try:
        use_targets(load_config_text(config).targets)
        assert canonical_target("TEMU") == canonical_target("特姆") == "Temu"
        assert canonical_target("alibaba") is None  # [[targets]] replaces the default list
    finally:
        use_targets(None)
    assert canonical_target("alibaba") == "Alibaba"
    # serve reads its --config before it starts: a broken one is refused at once.
    bad = tmp_path / "bad.toml"
    bad.write_text('[[targets]]\nname = "Temu"\n', encoding="utf-8")
    db = questions_db(tmp_path / "q.db")
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(db), "--config", str(bad), "--port", "0"]
    )
    assert result.exit_code == 2, result.output
    assert "aliases" in result.output


def test_en_vs_zh_per_language_and_the_difference(qds):
    rows = ask(qds, "question_en_vs_zh", target="阿裏巴巴", start="2016-05-01", end="2016-05-31")
    period = "2016-05-01 to 2016-05-31"
    assert rows == [
        {
            "language": "en",
            "articles": 2,
            "outlets": 2,
            "against_share": 0.5,
            "favor_share": 0.5,
            "mean_stance": 0.0,
            "mean_tone": -0.3,
            "most_negative_outlet": "Reuters",
            "harshest_article": "IACC suspends Alibaba membership",
            "harshest_url": "http://news.example/en1",
            "period": period,
        },
        {
            "language": "zh",
            "articles": 1,  # the syndicated copy (zh2) counts once
            "outlets": 1,
            "against_share": 0.0,
            "favor_share": 1.0,
            "mean_stance": 1.0,
            "mean_tone": -0.8,
            "most_negative_outlet": "澎湃新闻",
            "harshest_article": "阿里巴巴回应国际反假冒联盟",
            "harshest_url": "http://news.example/zh1",
            "period": period,
        },
        {
            "language": "zh − en",
            "articles": -1,
            "outlets": -1,
            "against_share": -0.5,
            "favor_share": 0.5,
            "mean_stance": 1.0,
            "mean_tone": -0.5,
            "most_negative_outlet": None,
            "harshest_article": None,
            "harshest_url": None,
            "period": period,
        },
    ]
    # days counts back from end, end included: one day is 2016-05-13 only.
    one_day = ask(qds, "question_en_vs_zh", target="taobao", days="1", end="2016-05-13")
    assert [(r["language"], r["articles"], r["period"]) for r in one_day] == [
        ("en", 1, "2016-05-13 to 2016-05-13")
    ]


def test_empty_answers_say_why(qds):
    nothing = ask(qds, "question_en_vs_zh", target="alibaba", days="7", end="2020-01-31")
    assert [r["language"] for r in nothing] == [
        "No articles about Alibaba from 2020-01-25 to 2020-01-31. The newest article in the "
        "database is from 2016-05-15: set end=latest (or start and end) to look back from there."
    ]
    unknown = ask(qds, "question_who_said_what", target="Alibabba", end="latest")
    assert unknown[0]["statement"] == (
        'No configured target is called "Alibabba". Targets: Alibaba, IACC.'
    )
    bad_date = ask(qds, "question_most_hostile", target="", end="15/05/2016")
    assert bad_date[0]["statement"] == (
        "Dates are YYYY-MM-DD (end may also be latest, the newest article's day)."
    )
    quiet = ask(qds, "question_trending", language="zh", end="2016-05-13")
    assert quiet[0]["story"] == (
        "No story has articles from 2016-05-07 to 2016-05-13 in zh. The newest article in the "
        "database is from 2016-05-15: set end=latest (or start and end) to look back from there."
    )


def test_periods_end_today_unless_end_says_otherwise(qds):
    before = today(qds)
    rows = ask(qds, "question_en_vs_zh", target="Alibaba", days="90")
    assert rows[0]["period"].endswith(f" to {before}") or rows[0]["period"].endswith(
        f" to {today(qds)}"
    )
    assert rows[0]["language"].startswith("No articles about Alibaba from ")
    latest = ask(qds, "question_en_vs_zh", target="Alibaba", days="30", end="latest")
    assert {r["period"] for r in latest} == {"2016-04-16 to 2016-05-15"}


def test_who_said_what_about_a_target_most_negative_first(qds):
    rows = ask(qds, "question_who_said_what", target="阿里巴巴", end="latest")
    assert rows == [
        {
            "published_day": "2016-05-13",
            "speaker": "unattributed",
            "organisation": "unattributed",
            "language": "en",
            "statement": "brands said Alibaba tolerated fakes",
            "stance_toward_target": "against",
            "p_against": 0.8,
            "tone": -0.6,
            "outlet": "Reuters",
            "article_title": "IACC suspends Alibaba membership",
            "url": "http://news.example/en1",
            "article_id": "en1",
            "statement_id": "en1:1",
        },
        {
            "published_day": "2016-05-13",
            "speaker": "Robert Barchiesi",
            "organisation": "IACC",
            "language": "en",
            "statement": "Alibaba has not done enough",
            "stance_toward_target": "against",
            "p_against": 0.7,
            "tone": -0.6,
            "outlet": "Reuters",
            "article_title": "IACC suspends Alibaba membership",
            "url": "http://news.example/en1",
            "article_id": "en1",
            "statement_id": "en1:0",
        },
        {
            "published_day": "2016-05-14",
            "speaker": "分析人士",
            "organisation": "unattributed",
            "language": "zh",
            "statement": "阿里巴巴打假投入很大",
            "stance_toward_target": "favor",
            "p_against": 0.1,
            "tone": 0.1,
            "outlet": "澎湃新闻",
            "article_title": "阿里巴巴回应国际反假冒联盟",
            "url": "http://news.example/zh1",
            "article_id": "zh1",
            "statement_id": "zh1:1",
        },
    ]


def test_most_hostile_orders_by_tone_then_p_against(qds):
    rows = ask(qds, "question_most_hostile", target="", days="7", end="2016-05-15")
    assert [(r["statement_id"], r["tone"], r["p_against"], r["toward"]) for r in rows] == [
        ("zh1:0", -0.85, 0.9, "IACC"),
        ("en1:1", -0.6, 0.8, "Alibaba"),  # same tone as the next two: p_against decides
        ("en1:0", -0.6, 0.7, "Alibaba"),
        ("en2:0", -0.5, 0.6, "IACC"),
        ("zh1:1", 0.1, 0.1, "Alibaba"),
    ]
    about_iacc = ask(qds, "question_most_hostile", target="iacc", days="7", end="2016-05-15")
    assert [r["statement_id"] for r in about_iacc] == ["zh1:0", "en2:0"]
    assert rows[0]["speaker"] == "阿里巴巴" and rows[0]["organisation"] == "Alibaba"


def test_trending_this_week_against_the_week_before_per_language(qds):
    # Two-day periods: 2016-05-14..15 against 2016-05-12..13.
    rows = ask(qds, "question_trending", days="2", end="2016-05-15")
    story = {
        "story": "IACC suspends Alibaba membership",
        "first_seen": "2016-05-13",
        "last_seen": "2016-05-14",
        "period": "2016-05-14 to 2016-05-15",
        "story_id": "s-iacc",
    }
    assert rows == [
        {
            **story,
            "language": "zh",
            "articles_now": 1,  # zh2 is a syndicated copy
            "articles_before": 0,
            "change": 1,
            "tone_now": -0.8,
            "tone_earlier": None,
            "tone_change": None,
            "sentiment": "new",
        },
        {
            **story,
            "language": "en",
            "articles_now": 1,
            "articles_before": 1,
            "change": 0,
            "tone_now": -0.1,
            "tone_earlier": -0.5,
            "tone_change": 0.4,
            "sentiment": "better",
        },
    ]
    assert [r["language"] for r in rows] == ["zh", "en"]
    by_tone = ask(qds, "question_trending", days="2", end="2016-05-15", rank="tone")
    assert [r["language"] for r in by_tone] == ["zh", "en"]  # no change (0) before +0.4
    english = ask(qds, "question_trending", days="2", end="2016-05-15", language="en")
    assert [r["language"] for r in english] == ["en"]


def test_every_question_is_on_the_home_page_with_its_presets(qds):
    home = get(qds, "/").text
    for name in QUESTIONS:
        for preset in ("days=7", "days=30", "days=90", "end=latest"):
            assert f"/{DB}/{name}?" in home
            assert any(
                preset in link
                for link in home.split('href="')[1:]
                if link.startswith(f"/{DB}/{name}?")
            ), (name, preset)
    queries = load_metadata()["databases"][DB]["queries"]
    for name in QUESTIONS:
        assert queries[name]["hide_sql"] is True
        page = get(qds, f"/{DB}/{name}")
        assert f"<title>{queries[name]['title']}</title>" in page.text


def test_questions_export_like_datasette(tmp_path):
    path = questions_db(tmp_path / "q.db")
    sql = canned_queries()["question_who_said_what"]["sql"]
    columns, rows = iter_rows(path, sql, {"target": "TAOBAO", "end": "latest"})
    at = columns.index("statement")
    assert [r[at] for r in rows][:1] == ["brands said Alibaba tolerated fakes"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from statement_labels").fetchone()[0] >= 5


# Dashboards: the same database, each chart's SQL as datasette-dashboards runs it.

DASHBOARDS = load_metadata()["plugins"]["datasette-dashboards"]


def chart_rows(ds, dashboard: str, chart: str, **filters) -> list[dict]:
    from datasette_dashboards import replace_opts_in_query

    sql = replace_opts_in_query(DASHBOARDS[dashboard]["charts"][chart]["query"], filters)
    params = {k: v for k, v in filters.items() if f":{k}" in sql}
    results = asyncio.run(ds.execute(DB, sql, params))
    return [dict(zip(results.columns, row, strict=True)) for row in results.rows]


def bundled_vega_lite_major() -> str:
    import re
    from pathlib import Path

    import datasette_dashboards

    runtime = Path(datasette_dashboards.__file__).parent / "static" / "vega-lite.min.js"
    return re.search(r'var n="(\d+)\.\d+\.\d+"', runtime.read_text()).group(1)


def test_specs_name_the_bundled_vega_lite_and_time_axes_are_temporal():
    schema = f"https://vega.github.io/schema/vega-lite/v{bundled_vega_lite_major()}.json"
    for slug, dashboard in DASHBOARDS.items():
        for name, chart in dashboard["charts"].items():
            if chart["library"] != "vega-lite":
                continue
            assert chart["display"]["$schema"] == schema, (slug, name)
            encodings = [chart["display"].get("encoding", {})] + [
                layer.get("encoding", {}) for layer in chart["display"].get("layer", [])
            ]
            for encoding in encodings:
                x = encoding.get("x", {})
                if x.get("field") in ("day", "month", "first_seen", "span_start"):
                    assert x["type"] == "temporal", (slug, name)


def test_trending_dashboard_for_a_period_and_for_an_empty_one(qds):
    latest = {"period": "7 days", "as_of": "newest article"}
    assert chart_rows(qds, "trending", "period", **latest) == [
        {"period": "2016-05-09 – 2016-05-15"}
    ]
    assert chart_rows(qds, "trending", "active-stories", **latest) == [{"n": 1}]
    timeline = chart_rows(qds, "trending", "trending-timeline", **latest)
    # One dot per day and language; the bar runs to the day after the last (a real span).
    assert [(r["day"], r["language"], r["articles"]) for r in timeline] == [
        ("2016-05-13", "en", 1),
        ("2016-05-14", "en", 1),
        ("2016-05-14", "zh", 1),
    ]
    assert {(r["span_start"], r["span_end"]) for r in timeline} == {("2016-05-13", "2016-05-15")}
    change = chart_rows(qds, "trending", "trending-change", **latest, language="zh")
    assert [(r["language"], r["this_week"], r["week_before"], r["change"]) for r in change] == [
        ("zh", 1, 0, 1)
    ]
    tone = chart_rows(
        qds, "trending", "tone-by-day", date_start="2016-05-14", date_end="2016-05-14"
    )
    assert tone == [
        {"day": "2016-05-14", "language": "en", "tone": -0.1, "articles": 1},
        {"day": "2016-05-14", "language": "zh", "tone": -0.8, "articles": 1},
    ]
    # Nothing in the period: one row each that says so (an empty chart would say nothing).
    empty = {"period": "7 days", "as_of": "today", "date_end": "2020-01-31"}
    (row,) = chart_rows(qds, "trending", "trending-timeline", **empty)
    assert row["story"] == (
        "No story has articles from 2020-01-25 to 2020-01-31; newest article: 2016-05-15"
    )
    (row,) = chart_rows(qds, "trending", "trending-change", **empty)
    assert row["story"] == "No story has articles from 2020-01-18 to 2020-01-31"


def test_overview_counters_follow_the_target_in_any_alias(qds):
    assert chart_rows(qds, "overview", "articles-count") == [{"n": 3}]
    assert chart_rows(qds, "overview", "articles-count", target="iacc") == [{"n": 1}]
    assert chart_rows(qds, "overview", "statements-count", target="阿里巴巴") == [{"n": 3}]
    months = chart_rows(qds, "overview", "tone-over-time", target="Taobao")
    assert {(r["month"], r["language"]) for r in months} == {
        ("2016-05-01", "en"),
        ("2016-05-01", "zh"),
    }


def test_one_bar_per_statement_pair_and_glossed_framing_words(qds, tmp_path):
    db = open_db(tmp_path / "q.db")
    pair = {
        "story_id": "s-iacc",
        "organisation": "Alibaba",
        "target": "IACC",
        "en_text": "regrettable",
        "zh_text": "私利绑架",
        "gap_score": 1.5,
        "tone_gap": -0.5,
        "harsher": "zh",
    }
    save_rows(db, "statement_pairs", [{"id": "p1", **pair}, {"id": "p2", **pair}], pk="id")
    gaps = chart_rows(qds, "stories", "statement-gaps")
    assert [r["pair"] for r in gaps] == [
        "#1 Alibaba: IACC suspends Alibaba membership",
        "#2 Alibaba: IACC suspends Alibaba membership",
    ]
    words = [
        {
            "id": "w1",
            "story_id": "s-iacc",
            "language": "zh",
            "category": "fake",
            "word": "假货",
            "count": 2,
        },
        {
            "id": "w2",
            "story_id": "s-iacc",
            "language": "en",
            "category": "regret",
            "word": "regrettable",
            "count": 1,
        },
    ]
    save_rows(db, "framing_words", words, pk="id")
    assert chart_rows(qds, "stories", "framing-words") == [
        {"word": "假货 (fake goods)", "language": "zh", "category": "fake", "uses": 2},
        {"word": "regrettable", "language": "en", "category": "regret", "uses": 1},
    ]


def test_every_chinese_framing_word_has_a_gloss():
    from analysis.framing import GLOSSES, LEXICON

    chinese = {word for _, forms in LEXICON.values() for word in forms}
    assert chinese == set(GLOSSES)
