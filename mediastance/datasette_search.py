"""Datasette plugin: the table pages' search box on ``articles`` and ``statements`` asks
the word index (mediastance/core/search_index.py, through mediastance/search.py), so
假货, 打假 and 假貨 are found like longer terms, and lists the matches best first.

Datasette 0.65 turns ``?_search=`` into ``rowid in (select rowid from <fts> where <fts>
match escape_fts(:search))`` over the table's detected FTS table, here the trigram index,
which matches nothing shorter than three characters. That filter comes from Datasette's
own ``filters_from_request`` hook (``datasette.filters.search_filters``); this plugin
wraps the hook and, on tables with a word index, puts its own filter in that one's place.
Column searches (``?_search_title=``) and every other table keep Datasette's.

Ranking: a table page is sorted by a column only (datasette#268), and a rank is not a
column of ``articles``. So a search from the table page without an explicit ``_sort``
is redirected (302, same query string and format, ``_nocol=_match`` added) to the view ``articles_ranked``
(``statements_ranked``; ``search_index.create_ranked_view``): the table's columns plus the
word index's ``rank``, which its metadata sorts by. Filters, facets, CSV and JSON work
there as on the table, each id links to the row's page; its next pages are offsets. A search with ``_sort`` or
``_sort_desc`` stays on the table page, in that order. The canned "Search articles" and
"Search statements" queries call ``mediastance_search_query`` (registered here on
Datasette's connections).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import tilde_encode
from datasette.utils.asgi import asgi_send_redirect
from markupsafe import Markup

from mediastance import search
from mediastance.core import search_index

PARAM = "mediastance_search"


def _is_datasette_search_filter(result: Any) -> bool:
    module = getattr(result, "__module__", None)
    return module == "datasette.filters" and result.__qualname__.startswith("search_filters.")


@hookimpl(wrapper=True)
def filters_from_request(request, database, table, datasette):
    results = yield
    views = {search_index.ranked_view_name(t) for t in search_index.SEARCH_INDEXES}
    if table not in search_index.SEARCH_INDEXES and table not in views:
        return results
    replacement = _word_search if table in search_index.SEARCH_INDEXES else _ranked_search
    return [
        replacement(default, request, database, table, datasette)
        if _is_datasette_search_filter(default)
        else default
        for default in results
    ]


def _word_search(default, request, database, table, datasette):
    async def inner() -> FilterArguments:
        db = datasette.get_database(database)
        if not await db.table_exists(search_index.index_name(table)):
            return await default()
        if "_search" not in request.args:
            arguments = await default()  # column searches, or no search at all
            arguments.extra_context["supports_search"] = True
            return arguments
        text = request.args["_search"]
        context = {"supports_search": True, "search": text}
        if not text.strip():
            return FilterArguments([], extra_context=context)
        match = search.match_query(text)
        if match is None:
            return FilterArguments(
                ["0"], human_descriptions=[f'search "{text}" has no word to look for'],
                extra_context=context,
            )  # fmt: skip
        return FilterArguments(
            [search.rowid_filter(table, f":{PARAM}")],
            params={PARAM: match},
            human_descriptions=[f'search matches "{text}"'],
            extra_context=context,
        )

    return inner


def _ranked_search(default, request, database, table, datasette):
    async def inner() -> FilterArguments:
        text = request.args.get("_search", "")
        context = {"supports_search": True, "search": text}
        match = search.match_query(text)
        if match is None:  # the view lists nothing but matches: without a word, none
            why = (
                f'search "{text}" has no word to look for'
                if text.strip()
                else "no search yet: type words in the search box, the matches come best first"
            )
            return FilterArguments(["0"], human_descriptions=[why], extra_context=context)
        return FilterArguments(
            [search.ranked_filter(f":{PARAM}")],
            params={PARAM: match},
            human_descriptions=[f'search matches "{text}"'],
            extra_context=context,
        )

    return inner


async def ranked_location(datasette, scope: dict) -> str | None:
    """Where a table page's search goes to be ranked: its ranked view, else None."""
    if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
        return None
    query_string = scope.get("query_string", b"").decode("latin-1")
    args = parse_qs(query_string, keep_blank_values=True)
    if not "".join(args.get("_search", [])).strip() or {"_sort", "_sort_desc"} & args.keys():
        return None
    for name, db in datasette.databases.items():
        for table in search_index.SEARCH_INDEXES:
            page = re.fullmatch(
                re.escape(datasette.urls.table(name, table)) + r"(\.\w+)?", scope["path"]
            )
            view = search_index.ranked_view_name(table)
            if page and view in await db.view_names():
                # _nocol: the index's hidden column is the view's way in, not data to show.
                hide = "" if "_nocol" in args or "_col" in args else f"&_nocol={search_index.MATCH}"
                return (
                    f"{datasette.urls.table(name, view)}{page.group(1) or ''}?{query_string}{hide}"
                )
    return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def ranked_searches(scope, receive, send):
            location = await ranked_location(datasette, scope)
            if location is None:
                await app(scope, receive, send)
            else:
                await asgi_send_redirect(send, location)

        return ranked_searches

    return wrap


@hookimpl
def render_cell(value, column, table, database, datasette):
    # A view has no row pages: each result's id links to its row on the table's page.
    for source in search_index.SEARCH_INDEXES:
        if table == search_index.ranked_view_name(source) and column == "id" and value is not None:
            href = datasette.urls.row(database, source, tilde_encode(str(value)))
            return Markup('<a href="{}">{}</a>').format(href, value)
    return None


@hookimpl
def prepare_connection(conn):
    # For canned queries: `... match mediastance_search_query(:q)`.
    conn.create_function("mediastance_search_query", 1, search.match_query, deterministic=True)
