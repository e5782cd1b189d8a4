"""Searching the word index: a search box's words as an FTS5 query over its tokens.

The index (``mediastance/core/search_index.py``) holds every Han run as its overlapping
character pairs, Simplified. A two-character term is then one token (fast: one doclist,
no position checks), a longer term a phrase of its pairs, and a single character a prefix
query (淘* finds 淘宝 and a run-final 淘). English words go through the porter stemmer
(counterfeit finds counterfeits). Measured against single-character tokens
(BENCHMARKS.md, issue 21): two-character terms 6x faster, one-character terms slower,
the index 25 % larger. Datasette's search box (``datasette_search.py``) and ``export``
ask the index through these functions.
"""

from __future__ import annotations

import re

from mediastance.core.search_index import (
    HAN,
    HAN_RUN,
    MATCH,
    SEARCH_INDEXES,
    han_pairs,
    index_name,
    simplified_table,
)

_SPACE_IN_HAN = re.compile(rf"(?<={HAN})\s+(?={HAN})")
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _phrase(term: str) -> str | None:
    """One search term as an FTS5 phrase over the word index; None when it has no word.

    A Han run inside the term ends in the text exactly where it ends in the term when
    a word follows it, so it keeps its last character as a token; at the end of the
    term the text may go on (假货 inside 假货商), so only its pairs are asked for, and a
    single final character is a prefix.
    """
    prefix = term.endswith("*")
    term = term.rstrip("*").translate(simplified_table())
    # Chinese is written without spaces: 国际 反假冒 in a quoted phrase means 国际反假冒.
    term = _SPACE_IN_HAN.sub("", term)
    tokens: list[str] = []
    last = 0
    for match in HAN_RUN.finditer(term):
        tokens.append(term[last : match.start()])
        rest = term[match.end() :]
        if _has_word(rest):
            tokens.extend(han_pairs(match.group(), ends=True))
        else:
            tokens.extend(han_pairs(match.group(), ends=False))
            prefix = prefix or len(match.group()) == 1
        last = match.end()
    tokens.append(term[last:])
    words = " ".join(t for t in tokens if t.strip())
    if not _has_word(words):
        return None
    return '"' + words.replace('"', '""') + '"' + (" *" if prefix else "")


def match_query(query: str | None) -> str | None:
    """An FTS5 MATCH expression for the word index: every term must match (AND).

    Terms are separated by whitespace; a "quoted phrase" is one term; a trailing * makes
    a prefix search (counterf*). Returns None when the query has no searchable word.
    """
    if not query:
        return None
    phrases = []
    for quoted, bare in _TERM.findall(query):
        phrase = _phrase(quoted if quoted else bare)
        if phrase:
            phrases.append(phrase)
    return " AND ".join(phrases) if phrases else None


def rowid_filter(table: str, param: str) -> str:
    """A WHERE clause keeping the rows of ``table`` that the word index matches.

    The unary ``+`` keeps SQLite from driving the query by the (possibly 100,000)
    matching rowids and sorting them all: it walks the page's sort index instead and
    stops at the first page full of matches. At 300,000 articles, the articles page for
    假货 (in 42 % of them): 17 ms against 309 ms (BENCHMARKS.md).
    """
    name = index_name(table)
    return f"+rowid in (select rowid from [{name}] where [{name}] match {param})"


def ranked_filter(param: str) -> str:
    """The WHERE clause of the ranked view for a ``match_query`` in ``param``."""
    return f"[{MATCH}] = {param}"


def ranked_rowids_sql(table: str) -> str:
    """SQL (one parameter: a ``match_query``) for the rowids of matching rows, best first."""
    name = index_name(table)
    weights = ", ".join(str(w) for w in SEARCH_INDEXES[table].values())
    return f"select rowid from [{name}] where [{name}] match ? order by bm25([{name}], {weights})"
