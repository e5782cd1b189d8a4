"""``serve --public``: no arbitrary SQL for anonymous visitors; pages, canned queries,
search and dashboards stay; time and row limits set (issue 18)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest
from datasette_dashboards import replace_opts_in_query
from test_datasette import labeled_db

from mediastance.serve import PUBLIC_SETTINGS, SETTINGS, load_metadata, make_datasette

DB = "mediastance"
SQL_DENIED = 403


def get(ds, path, **kwargs):
    return asyncio.run(ds.client.get(path, **kwargs))


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return labeled_db(tmp_path_factory.mktemp("public") / "m.db")


@pytest.fixture(scope="module")
def public(db_path):
    return make_datasette(db_path, public=True)


def chart_sql(dashboard: str, chart: str, options: dict[str, str]) -> str:
    """The URL datasette-dashboards' script fetches for a chart (dashboards.js)."""
    query = load_metadata()["plugins"]["datasette-dashboards"][dashboard]["charts"][chart]["query"]
    sql = replace_opts_in_query(query, options)  # as the dashboard page fills it in
    params = "".join(f"&{k}={quote(v)}" for k, v in options.items())
    return f"/{DB}.json?sql={quote(sql)}{params}&_shape=objects"


@pytest.mark.parametrize(
    "path",
    [
        f"/{DB}.json?sql=select+1",
        f"/{DB}?sql=select+sqlite_version()",
        f"/{DB}.json?sql=select+*+from+articles",
        f"/{DB}/articles.json?_where=1%3D1",
    ],
)
def test_anonymous_sql_is_refused_under_public(public, path):
    response = get(public, path)
    assert response.status_code == SQL_DENIED, response.text[:300]


def test_a_tampered_chart_query_is_refused(public):
    genuine = chart_sql("overview", "articles-count", {})
    assert get(public, genuine).status_code == 200
    tampered = genuine.replace(
        "&_shape", quote(" union select count(*) from corrections") + "&_shape"
    )
    assert get(public, tampered).status_code == SQL_DENIED
    # The dashboard actor is for GETs of the database's JSON only, not for its HTML page.
    assert get(public, genuine.replace(f"/{DB}.json", f"/{DB}")).status_code == SQL_DENIED


def test_tables_search_and_canned_queries_stay(public):
    assert get(public, f"/{DB}/articles").status_code == 200
    search = get(
        public, f"/{DB}/articles.json?_search=counterfeits&_shape=objects", follow_redirects=True
    )
    assert search.status_code == 200
    assert [row["id"] for row in search.json()["rows"]] == ["en1"]
    response = get(public, f"/{DB}/search_statements.json?q=绑架&_shape=objects")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["rows"]] == ["zh1:0"]
    assert get(public, f"/{DB}/recent_alerts.json").status_code == 200


@pytest.mark.parametrize(
    "options", [{}, {"target": "Alibaba", "date_start": "2016-01-01", "date_end": "2016-12-31"}]
)
def test_dashboard_charts_still_draw_for_anonymous_visitors(public, options):
    assert get(public, "/-/dashboards/overview").status_code == 200
    charts = load_metadata()["plugins"]["datasette-dashboards"]["overview"]["charts"]
    for chart in charts:
        response = get(public, chart_sql("overview", chart, options))
        assert response.status_code == 200, (chart, response.text[:300])
        assert response.json()["rows"], chart


def test_limits_are_set_under_public(public, db_path):
    assert {name: public.setting(name) for name in PUBLIC_SETTINGS} == {
        "default_allow_sql": False,
        "sql_time_limit_ms": 2000,
        "facet_time_limit_ms": 2000,
        "max_returned_rows": 1000,
        "allow_csv_stream": False,
        "num_sql_threads": 1,
    }
    local = make_datasette(db_path)
    assert local.setting("sql_time_limit_ms") == SETTINGS["sql_time_limit_ms"]
    assert get(local, f"/{DB}.json?sql=select+1").status_code == 200  # localhost: unchanged


def test_signed_in_users_keep_sql_under_public_auth(db_path, monkeypatch):
    from datasette_auth_passwords.utils import hash_password

    monkeypatch.setenv("MEDIASTANCE_PASSWORD_HASH", hash_password("s3cret"))
    ds = make_datasette(db_path, auth=True, public=True)
    assert get(ds, f"/{DB}.json?sql=select+1").status_code == SQL_DENIED
    cookies = {"ds_actor": ds.sign({"a": {"id": "editor"}}, "actor")}
    assert get(ds, f"/{DB}.json?sql=select+1", cookies=cookies).status_code == 200
    forged = {"ds_actor": "not-a-signed-actor"}
    assert get(ds, f"/{DB}.json?sql=select+1", cookies=forged).status_code == SQL_DENIED
