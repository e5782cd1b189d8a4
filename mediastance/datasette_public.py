"""What anonymous visitors may run when ``serve --public`` opens Datasette to a network.

Datasette's ``execute-sql`` permission is off for them (``default_allow_sql`` false):
no ``?sql=``, no ``?_where=``. Table pages, facets, search and canned queries stay, since
they only run SQL written by us. The dashboards are the one catch: datasette-dashboards
draws each chart in the browser by sending the chart's SQL back as ``?sql=`` (and checks
``execute-sql`` for the page itself). So a request that is a GET of a dashboard page, or
of ``/<db>.json`` whose ``sql`` is exactly one of the metadata's chart queries (in one
of the forms the plugin writes it, with its optional ``[[ ... ]]`` parts kept or
dropped), is given the actor ``DASHBOARD_ACTOR``, which ``allow_sql`` admits. Chart filters arrive as bound parameters, never as SQL.
"""

from __future__ import annotations

import itertools
from typing import Any

from datasette import hookimpl

# Datasette shows an actor in the page's menu bar: "display" is what a visitor sees there.
DASHBOARD_ACTOR = {"mediastance_dashboard": "dashboard", "display": "public visitor"}
ALLOWED_SQL_ATTRIBUTE = "_mediastance_dashboard_sql"  # set on a Datasette by make_datasette


def dashboard_queries(metadata: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Per database, every SQL text datasette-dashboards can send for the charts."""
    from datasette_dashboards import replace_opts_in_query

    dashboards = metadata.get("plugins", {}).get("datasette-dashboards", {})
    found: dict[str, set[str]] = {}
    for dashboard in dashboards.values():
        filters = list(dashboard.get("filters", {}))
        subsets = [
            set(chosen)
            for n in range(len(filters) + 1)
            for chosen in itertools.combinations(filters, n)
        ]
        for chart in dashboard.get("charts", {}).values():
            if chart.get("query") and chart.get("db"):
                texts = found.setdefault(chart["db"], set())
                for chosen in subsets:  # the plugin keeps a [[ ]] part when its filter is set
                    texts.add(replace_opts_in_query(chart["query"], dict.fromkeys(chosen, "x")))
    return {db: frozenset(texts) for db, texts in found.items()}


def allow_sql(*, auth: bool) -> dict[str, str]:
    """The ``allow_sql`` block under ``--public``: the dashboards' actor, and with
    ``--auth`` any signed-in user."""
    allow = {"mediastance_dashboard": "*"}
    if auth:
        allow["id"] = "*"
    return allow


@hookimpl
def actor_from_request(datasette, request):
    allowed: dict[str, frozenset[str]] | None = getattr(datasette, ALLOWED_SQL_ATTRIBUTE, None)
    if allowed is None or request.method != "GET":
        return None
    if "ds_actor" in request.cookies:  # a signed-in user (--auth) stays who they are
        return None
    path = request.path
    if path == "/-/dashboards" or path.startswith("/-/dashboards/"):
        return dict(DASHBOARD_ACTOR)
    if path.endswith(".json") and "/" not in path[1:]:
        database = path[1 : -len(".json")]
        if request.args.get("sql") in allowed.get(database, ()):
            return dict(DASHBOARD_ACTOR)
    return None
