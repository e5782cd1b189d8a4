"""`mediastance demo` end to end, and Datasette over the database it builds."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from analysis.story_eval import evaluate
from mediastance.core.storage import open_db
from mediastance.serve import load_metadata, make_datasette

pytestmark = pytest.mark.slow  # every test reads the demo database (the whole pipeline)
DB = "mediastance"
GOLD = json.loads(
    (Path(__file__).parent.parent / "mediastance/demo/stories_gold.json").read_text("utf-8")
)


def rows(ds, path):
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()["rows"]


def test_demo_collects_every_relevant_page_and_labels_them(demo_db):
    db = open_db(demo_db)
    relevant = [a for a in GOLD["articles"] if a["relevant"]]
    assert db["articles"].count == len(relevant)
    copies = {a["path"] for a in relevant if a["duplicate_of"]}
    stored_copies = {
        r["url"].split(":", 2)[2].split("/", 1)[1]
        for r in db.query("select url from articles where duplicate_of is not null")
    }
    assert {"/" + p for p in stored_copies} == copies
    # Every original article has an article-level sentiment; every label names its model.
    assert db.execute(
        "select count(*) from articles a where not exists (select 1 from sentiments s "
        "where s.item_type = 'article' and s.item_id = a.id)"
    ).fetchone() == (0,)
    for table in ("sentiments", "stances"):
        assert db.execute(
            f"select count(*) from {table} where model is null or model_version is null"
        ).fetchone() == (0,)
    assert db["mentions"].count > 0 and db["statements"].count > 0
    [run] = list(db.query("select status, new, duplicates, skipped from runs"))
    assert run == {
        "status": "ok",
        "new": len(relevant) - len(copies),
        "duplicates": len(copies),
        "skipped": len(GOLD["articles"]) - len(relevant),
    }


def test_demo_statements_keep_alibabas_two_voices(demo_db):
    ds = make_datasette(demo_db)
    said = rows(ds, f"/{DB}/statements_by_organisation.json?_shape=objects&organisation=Alibaba")
    texts = " ".join(r["text"] for r in said)
    assert "a step in the wrong direction and regrettable" in texts
    assert "被个别企业的私利绑架" in texts


def test_no_label_contradicts_its_own_probabilities(demo_db):
    db = open_db(demo_db)
    stances = list(db.query("select id, label, p_favor, p_against, p_none from stances"))
    sentiments = list(
        db.query("select id, label, p_positive, p_negative, p_neutral from sentiments")
    )
    assert stances and sentiments
    wrong = [
        r["id"]
        for r in stances + sentiments
        if r[f"p_{r['label']}"] < max(v for k, v in r.items() if k.startswith("p_"))
    ]
    assert wrong == []
    # Article rows keep their evidence sentence and its own confidence.
    assert db.execute(
        "select count(*) from stances where item_type = 'article' "
        "and (evidence is null or evidence_score is null)"
    ).fetchone() == (0,)


def _alibaba_iacc_pair(demo_db) -> dict:
    # The IACC story holds a second pair with these words: the English "Alibaba called
    # the reversal ..." and a Chinese headline's "阿里称联盟被私利绑架" (target: Alibaba).
    [pair] = list(
        open_db(demo_db).query(
            "select * from statement_pairs where organisation = 'Alibaba' and target = 'IACC' "
            "and en_text like '%wrong direction%' and zh_text like '%私利绑架%'"
        )
    )
    return pair


def test_alibabas_mild_english_statement_is_against_the_iacc(demo_db):
    """The seed case: "a step in the wrong direction and regrettable" is against the IACC
    (the frozen heads said favor), and both statements are negative in tone."""
    pair = _alibaba_iacc_pair(demo_db)
    assert (pair["target"], pair["en_stance"]) == ("IACC", "against")
    assert pair["en_tone"] < 0 and pair["zh_tone"] < 0


def test_alibabas_harsh_chinese_statement_is_against_the_iacc_too(demo_db):
    """'IACC已经“被个别企业的私利绑架”' is against the IACC: the named stance input reads
    the Latin 'IACC' inside Chinese text as the same party as 国际反假冒联盟."""
    pair = _alibaba_iacc_pair(demo_db)
    assert (pair["target"], pair["zh_stance"]) == ("IACC", "against")


def test_alibabas_harsh_chinese_statement_is_harsher(demo_db):
    """What issue 14 asks of the seed case: the Chinese statement the harsher one. The
    demo's words are never taught (INTENSITY_CARD.md, a test checks), so this is an unseen
    check of the adopted model (thirteenth session: tones -0.80 EN, -0.90 ZH)."""
    assert _alibaba_iacc_pair(demo_db)["harsher"] == "zh"


def test_demo_stories_match_the_gold_through_the_real_pipeline(demo_db):
    result = evaluate(open_db(demo_db))
    assert result["bcubed"]["f1"] >= 0.9, result
    db = open_db(demo_db)
    assert db.execute("select count(*) from stories where languages = 'en,zh'").fetchone()[0] >= 7


def test_every_page_query_and_dashboard_answers_on_the_demo(demo_db):
    ds = make_datasette(demo_db)
    metadata = load_metadata()
    database = metadata["databases"][DB]
    for table, spec in database["tables"].items():
        if spec.get("hidden"):
            continue
        found = rows(ds, f"/{DB}/{table}.json?_size=5")
        # A clean demo run has no fetch errors and nobody has corrected anything yet.
        assert bool(found) == (table not in ("fetch_errors", "corrections")), table
    defaults = {"target": "Alibaba", "organisation": "Alibaba", "q": "假货", "story_id": ""}
    for name, query in database["queries"].items():
        if query.get("write"):
            continue
        params = "&".join(f"{p}={defaults.get(p, '')}" for p in query.get("params", []))
        if "story_id" in query.get("params", []):
            story = (
                open_db(demo_db)
                .execute("select id from stories order by article_count desc limit 1")
                .fetchone()[0]
            )
            params = params.replace("story_id=", f"story_id={story}")
        if name == "new_since_yesterday":
            assert rows(ds, f"/{DB}/{name}.json"), name  # the demo ran just now
            continue
        assert rows(ds, f"/{DB}/{name}.json?{params}"), name
    for slug, dashboard in metadata["plugins"]["datasette-dashboards"].items():
        # A dashboard with default filters redirects to its page with them filled in.
        page = asyncio.run(ds.client.get(f"/-/dashboards/{slug}", follow_redirects=True))
        assert page.status_code == 200, slug
        for chart_slug in dashboard["charts"]:
            assert chart_slug in page.text


def test_search_finds_chinese_and_english_terms_in_the_demo(demo_db):
    ds = make_datasette(demo_db)
    for term in ("假货", "打假", "私利绑架", "counterfeit", "IACC"):
        assert rows(ds, f"/{DB}/search_articles.json?q={term}"), term
