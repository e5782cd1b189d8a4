"""Datasette plugin: the table pages' search box on ``articles`` and ``statements`` asks
the word index (mediastance/search.py), so 假货, 打假 and 假貨 are found like longer terms.

Datasette 0.65 turns ``?_search=`` into ``rowid in (select rowid from <fts> where <fts>
match escape_fts(:search))`` over the table's detected FTS table, here the trigram index,
which matches nothing shorter than three characters. That filter comes from Datasette's
own ``filters_from_request`` hook (``datasette.filters.search_filters``); this plugin
wraps the hook and, on tables with a word index, puts its own filter in that one's place.
Column searches (``?_search_title=``) and every other table keep Datasette's.

The table page lists matches in the table's sort order (newest first for ``articles``):
Datasette 0.65 has no way to sort a table page by relevance (datasette#268). Ranked
results are the canned queries' "Search articles" and "Search statements", which call
``mediastance_search_query`` (registered here on Datasette's connections) and order by
bm25.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments

from mediastance import search

PARAM = "mediastance_search"


def _is_datasette_search_filter(result: Any) -> bool:
    module = getattr(result, "__module__", None)
    return module == "datasette.filters" and result.__qualname__.startswith("search_filters.")


@hookimpl(wrapper=True)
def filters_from_request(request, database, table, datasette):
    results = yield
    if table not in search.SEARCH_INDEXES:
        return results
    return [
        _word_search(default, request, database, table, datasette)
        if _is_datasette_search_filter(default)
        else default
        for default in results
    ]


def _word_search(default, request, database, table, datasette):
    async def inner() -> FilterArguments:
        db = datasette.get_database(database)
        if not await db.table_exists(search.index_name(table)):
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


@hookimpl
def prepare_connection(conn):
    # For canned queries: `... match mediastance_search_query(:q)`.
    conn.create_function("mediastance_search_query", 1, search.match_query, deterministic=True)
