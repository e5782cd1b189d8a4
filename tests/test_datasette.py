"""Datasette with the project's metadata: tables, canned queries, dashboards, corrections."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from analysis.labels import tone as tone_of
from mediastance.core.storage import ensure_db_shape, open_db, save_rows
from mediastance.serve import ServeError, check_bind, load_metadata, make_datasette

DB = "mediastance"


def labeled_db(path: Path) -> Path:
    """A small database with hand-written labels in the project's schema."""
    db = open_db(path)
    ensure_db_shape(db)
    now = "2099-01-01T00:00:00Z"  # fetched "today" for new_since_yesterday
    articles = [
        (
            "en1",
            "IACC suspends Alibaba membership",
            "Reuters",
            "en",
            "2016-05-13T10:00:00Z",
            "The IACC suspended Alibaba after brands protested counterfeits.",
        ),
        (
            "en2",
            "Alibaba calls suspension regrettable",
            "Alizila",
            "en",
            "2016-05-14T09:00:00Z",
            "Alibaba said the decision was a step in the wrong direction and regrettable.",
        ),
        (
            "zh1",
            "阿里巴巴回应国际反假冒联盟",
            "澎湃新闻",
            "zh",
            "2016-05-14T08:00:00Z",
            "阿里巴巴表示，国际反假冒联盟被个别企业的私利绑架。淘宝假货问题引发关注。",
        ),
        (
            "zh2",
            "阿里巴巴回应国际反假冒联盟（转载）",
            "网易",
            "zh",
            "2016-05-15T08:00:00Z",
            "阿里巴巴表示，国际反假冒联盟被个别企业的私利绑架。淘宝假货问题引发关注。",
        ),
    ]
    save_rows(
        db,
        "articles",
        [
            {
                "id": i,
                "url": f"http://news.example/{i}",
                "canonical_url": f"http://news.example/{i}",
                "source": "test",
                "outlet": o,
                "title": t,
                "text": x,
                "language": lang,
                "published": p,
                "fetched_at": now,
                "duplicate_of": "zh1" if i == "zh2" else None,
            }
            for i, t, o, lang, p, x in articles
        ],
        pk="id",
    )
    stance = {
        "en1": ("against", 0.8),
        "en2": ("favor", 0.9),
        "zh1": ("favor", 0.7),
        "zh2": ("favor", 0.7),
    }
    tone = {
        "en1": (0.1, 0.3, 0.6),
        "en2": (0.2, 0.5, 0.3),
        "zh1": (0.05, 0.1, 0.85),
        "zh2": (0.05, 0.1, 0.85),
    }
    save_rows(
        db,
        "stances",
        [
            {
                "id": f"article:{a}:Alibaba",
                "item_type": "article",
                "item_id": a,
                "article_id": a,
                "target": "Alibaba",
                "label": lab,
                "score": sc,
                "evidence": "…",
                "model": "m",
                "model_version": "v1",
            }
            for a, (lab, sc) in stance.items()
        ]
        # analyze gives every target an article names an article-level stance.
        + [
            {
                "id": "article:en1:IACC",
                "item_type": "article",
                "item_id": "en1",
                "article_id": "en1",
                "target": "IACC",
                "label": "none",
                "score": 0.6,
                "evidence": "…",
                "model": "m",
                "model_version": "v1",
            }
        ],
        pk="id",
    )
    save_rows(
        db,
        "sentiments",
        [
            {
                "id": f"article:{a}",
                "item_type": "article",
                "item_id": a,
                "article_id": a,
                "label": ["positive", "neutral", "negative"][max(range(3), key=lambda k: p[k])],
                "score": max(p),
                "p_positive": p[0],
                "p_neutral": p[1],
                "p_negative": p[2],
                "tone": tone_of({"positive": p[0], "negative": p[2]}),
                "model": "m",
                "model_version": "v1",
            }
            for a, p in tone.items()
        ],
        pk="id",
    )
    save_rows(
        db,
        "mentions",
        [
            {
                "id": f"{a}:0:Alibaba",
                "article_id": a,
                "target": "Alibaba",
                "sentence_index": 0,
                "alias": "Alibaba",
                "language": "en",
            }
            for a in stance
        ]
        + [
            {
                "id": "en1:0:IACC",
                "article_id": "en1",
                "target": "IACC",
                "sentence_index": 0,
                "alias": "IACC",
                "language": "en",
            }
        ],
        pk="id",
    )
    save_rows(
        db,
        "statements",
        [
            {
                "id": "en2:0",
                "article_id": "en2",
                "sentence_index": 0,
                "speaker": "Alibaba",
                "organisation": "Alibaba",
                "language": "en",
                "kind": "reported",
                "text": "the decision was a step in the wrong direction and regrettable",
            },
            {
                "id": "zh1:0",
                "article_id": "zh1",
                "sentence_index": 0,
                "speaker": "阿里巴巴",
                "organisation": "Alibaba",
                "language": "zh",
                "kind": "reported",
                "text": "国际反假冒联盟被个别企业的私利绑架",
            },
        ],
        pk="id",
    )
    return path


@pytest.fixture
def ds(tmp_path):
    return make_datasette(labeled_db(tmp_path / "any-name.db"))


def get(ds, path, **kwargs):
    return asyncio.run(ds.client.get(path, **kwargs))


def test_every_table_and_view_page_renders(ds):
    metadata = load_metadata()
    for table in metadata["databases"][DB]["tables"]:
        if metadata["databases"][DB]["tables"][table].get("hidden"):
            continue
        response = get(ds, f"/{DB}/{table}")
        assert response.status_code == 200, table


def test_articles_facets_and_sort(ds):
    data = get(ds, f"/{DB}/articles.json?_shape=objects&_extra=facet_results").json()
    facets = (
        data["facet_results"]["results"]
        if "results" in data["facet_results"]
        else data["facet_results"]
    )
    assert {"language", "outlet", "script"} <= set(facets)
    assert [r["id"] for r in data["rows"]] == ["zh2", "en2", "zh1", "en1"]  # published desc


def query(ds, name, **params):
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    response = get(ds, f"/{DB}/{name}.json?_shape=objects&{qs}")
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def test_canned_queries_answer_the_comms_questions(ds):
    assert query(ds, "coverage_by_language_stance", target="Alibaba", week_ending="") == [
        {"language": "en", "stance": "against", "articles": 1, "mean_tone": -0.5},
        {"language": "en", "stance": "favor", "articles": 1, "mean_tone": -0.1},
        {"language": "zh", "stance": "favor", "articles": 1, "mean_tone": -0.8},
    ]
    outlets = query(ds, "most_negative_outlets", target="Alibaba", start="", end="")
    assert [r["outlet"] for r in outlets] == ["Reuters", "澎湃新闻", "Alizila"]
    said = query(ds, "statements_by_organisation", organisation="Alibaba")
    assert [r["text"] for r in said] == [
        "the decision was a step in the wrong direction and regrettable",
        "国际反假冒联盟被个别企业的私利绑架",
    ]
    gap = query(ds, "en_vs_zh_gap", target="Alibaba")
    assert gap == [
        {
            "target": "Alibaba",
            "week": "2016-W19",
            "en_articles": 2,
            "en_stance": 0.0,
            "en_tone": -0.3,
            "zh_articles": 1,
            "zh_stance": 1.0,
            "zh_tone": -0.8,
            "tone_gap": -0.5,
        }
    ]
    voice = query(ds, "share_of_voice", start="2016-05-13", end="2016-05-13")
    assert voice == [
        {
            "day": "2016-05-13",
            "target": "Alibaba",
            "articles": 1,
            "mentions": 1,
            "share_of_day": 0.5,
        },
        {"day": "2016-05-13", "target": "IACC", "articles": 1, "mentions": 1, "share_of_day": 0.5},
    ]
    assert {r["title"] for r in query(ds, "new_since_yesterday")} == {
        "IACC suspends Alibaba membership",
        "Alibaba calls suspension regrettable",
        "阿里巴巴回应国际反假冒联盟",
        "阿里巴巴回应国际反假冒联盟（转载）",
    }


def test_search_finds_chinese_and_english(ds):
    # Ranked by bm25: the same text, and zh2's longer title makes it the longer document.
    assert [r["id"] for r in query(ds, "search_articles", q="假货")] == ["zh1", "zh2"]
    assert [r["id"] for r in query(ds, "search_articles", q="私利绑架")] == ["zh1", "zh2"]
    assert [r["id"] for r in query(ds, "search_articles", q="假貨 淘寶")] == ["zh1", "zh2"]
    assert query(ds, "search_articles", q="!!") == []
    assert [r["id"] for r in query(ds, "search_articles", q="regrettable")] == ["en2"]
    assert [r["id"] for r in query(ds, "search_statements", q="绑架")] == ["zh1:0"]
    fts = get(
        ds, f"/{DB}/articles.json?_search=counterfeits&_shape=objects", follow_redirects=True
    ).json()
    assert [r["id"] for r in fts["rows"]] == ["en1"]


def test_dashboard_renders_every_chart(ds):
    assert get(ds, "/-/dashboards").status_code == 200
    page = get(ds, "/-/dashboards/overview")
    assert page.status_code == 200
    dashboard = load_metadata()["plugins"]["datasette-dashboards"]["overview"]
    for chart_slug, chart in dashboard["charts"].items():
        assert chart_slug in page.text
        assert get(ds, f"/-/dashboards/overview/{chart_slug}").status_code == 200
        sql = chart["query"].replace("[[", "").replace("]]", "")
        rows = asyncio.run(
            ds.execute(
                DB, sql, {"target": "Alibaba", "date_start": "2016-01-01", "date_end": "2016-12-31"}
            )
        ).rows
        assert rows, chart_slug


CORRECTION = {
    "item_type": "article",
    "item_id": "en1",
    "article_id": "",
    "target": "Alibaba",
    "task": "stance",
    "label": "favor",
    "note": "rebuttal, not criticism",
}


def post_correction(ds, cookies=None, **overrides):
    csrf = get(ds, f"/{DB}/record_correction", cookies=cookies or {})
    token = csrf.cookies.get("ds_csrftoken")
    data = {**CORRECTION, **overrides, "csrftoken": token}
    return asyncio.run(
        ds.client.post(
            f"/{DB}/record_correction",
            data=data,
            cookies={**(cookies or {}), "ds_csrftoken": token},
        )
    )


def test_corrections_refused_without_auth(ds, tmp_path):
    response = post_correction(ds)
    assert response.status_code == 403
    assert open_db(tmp_path / "any-name.db")["corrections"].count == 0


def test_corrections_written_when_signed_in(tmp_path, monkeypatch):
    from datasette_auth_passwords.utils import hash_password

    monkeypatch.setenv("MEDIASTANCE_PASSWORD_HASH", hash_password("s3cret"))
    path = labeled_db(tmp_path / "m.db")
    ds = make_datasette(path, auth=True)
    cookies = {"ds_actor": ds.sign({"a": {"id": "editor"}}, "actor")}
    response = post_correction(ds, cookies)
    assert response.status_code == 302, response.text
    assert ds.unsign(response.cookies["ds_messages"], "messages")[0][1] == ds.INFO
    rows = [dict(r) for r in open_db(path)["corrections"].rows]
    assert len(rows) == 1
    row = rows[0]
    assert (
        row["item_type"],
        row["item_id"],
        row["article_id"],
        row["target"],
        row["task"],
        row["label"],
        row["note"],
        row["created_by"],
    ) == (
        "article",
        "en1",
        "en1",
        "Alibaba",
        "stance",
        "favor",
        "rebuttal, not criticism",
        "editor",
    )
    # A bad label is refused by the database trigger, with its message shown to the user.
    bad = post_correction(ds, cookies, label="support")
    assert bad.status_code == 302
    assert ds.unsign(bad.cookies["ds_messages"], "messages") == [
        ["stance label must be favor, against or none", ds.ERROR]
    ]
    assert open_db(path)["corrections"].count == 1


def test_login_with_password(tmp_path, monkeypatch):
    from datasette_auth_passwords.utils import hash_password

    monkeypatch.setenv("MEDIASTANCE_PASSWORD_HASH", hash_password("s3cret"))
    ds = make_datasette(labeled_db(tmp_path / "m.db"), auth=True)
    login = get(ds, "/-/login")
    token = login.cookies.get("ds_csrftoken")
    response = asyncio.run(
        ds.client.post(
            "/-/login",
            data={"username": "editor", "password": "s3cret", "csrftoken": token},
            cookies={"ds_csrftoken": token},
        )
    )
    assert response.status_code == 302
    assert "ds_actor" in response.cookies


def test_auth_requires_a_hash_and_public_bind_must_be_explicit(monkeypatch):
    monkeypatch.delenv("MEDIASTANCE_PASSWORD_HASH", raising=False)
    with pytest.raises(ServeError, match="--auth needs MEDIASTANCE_PASSWORD_HASH"):
        load_metadata(auth=True)
    check_bind("127.0.0.1", public=False)
    check_bind("::1", public=False)
    with pytest.raises(ServeError, match="refusing to listen on 0.0.0.0: add --public"):
        check_bind("0.0.0.0", public=False)
    check_bind("0.0.0.0", public=True)


def test_metadata_is_valid_json_with_descriptions():
    metadata = json.loads((Path(__file__).parent.parent / "datasette-metadata.json").read_text())
    tables = metadata["databases"][DB]["tables"]
    for name, table in tables.items():
        assert table.get("hidden") or table.get("description"), name
    for name, q in metadata["databases"][DB]["queries"].items():
        assert q["title"] and q["description"], name


def test_csv_export_for_tables_views_and_queries(ds):
    table = get(ds, f"/{DB}/articles.csv?_stream=on&_col=title&_sort=id")
    assert table.status_code == 200
    assert table.text.splitlines() == [
        "id,title",
        "en1,IACC suspends Alibaba membership",
        "en2,Alibaba calls suspension regrettable",
        "zh1,阿里巴巴回应国际反假冒联盟",
        "zh2,阿里巴巴回应国际反假冒联盟（转载）",
    ]
    # article_stances is a table with a compound key: the key columns always come first.
    rollup = get(ds, f"/{DB}/article_stances.csv?_stream=on&_col=stance&_sort=article_id")
    assert rollup.text.splitlines() == [
        "article_id,target,stance",
        "en1,Alibaba,against",
        "en1,IACC,none",
        "en2,Alibaba,favor",
        "zh1,Alibaba,favor",
    ]
    view = get(ds, f"/{DB}/daily_mentions.csv?_stream=on&_sort=target&_col=day&_col=articles")
    assert sorted(view.text.splitlines()[1:]) == [
        "2016-05-13,1",
        "2016-05-13,1",
        "2016-05-14,2",
    ]
    said = get(ds, f"/{DB}/statements_by_organisation.csv?organisation=Alibaba")
    assert said.status_code == 200
    assert "国际反假冒联盟被个别企业的私利绑架" in said.text
