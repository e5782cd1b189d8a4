"""The word index over Chinese and English text: a second FTS5 index per searchable table.

The trigram index (``articles_fts``) cannot match a term shorter than three characters,
and most Chinese words are two (假货, 打假, 淘宝). FTS5's unicode61 tokenizer treats a run
of Han characters as one token, so this index is fed a rewritten copy of the text in
which every run of Han characters becomes its overlapping character pairs followed by
its last character, and Traditional characters become Simplified:

    淘寶售賣假貨 Alibaba  ->  淘宝 宝售 售卖 卖假 假货 货  Alibaba

This module owns the index's shape: which tables and columns it covers, how a text
becomes its tokens, the triggers that keep it in step, its rebuild when the token rules
change, and the ranked views over it. How a search box's words become a query over these
tokens is ``mediastance/search.py``, which pairs Han runs with :func:`han_pairs` and
converts with :func:`simplified_table` exactly as the index does.

The index is contentless (it stores no text, only tokens): triggers on the table keep it
in step, calling the SQL function ``mediastance_search_text``, which every connection
that writes the table must have (``register_functions``; ``open_db`` and
``ensure_db_shape`` do it). A write from a connection without it fails with "no such
function", it never leaves the index stale; from the shell, ``sqlite-utils query
--functions`` can load it (README). Plain-SQL triggers were tried: pairing and
Traditional-to-Simplified written in SQL gave the same tokens but took about 1 s per
4,000-character Chinese text (SQLite reads a string's n-th character from its start).
Traditional-to-Simplified is character by character (OpenCC's character table), so a
query and a text convert alike whatever surrounds them.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from functools import lru_cache

import sqlite_utils

# Searchable tables: the columns the word index covers, and their bm25 weights.
SEARCH_INDEXES: dict[str, dict[str, float]] = {
    "articles": {"title": 2.0, "text": 1.0},
    "statements": {"text": 1.0, "speaker": 1.0, "organisation": 1.0},
}
FUNCTION = "mediastance_search_text"
TOKENIZE = "porter unicode61"

HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
HAN_RUN = re.compile(HAN + "+")
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


def index_name(table: str) -> str:
    return f"{table}_search_fts"


@lru_cache(maxsize=1)
def simplified_table() -> dict[int, str]:
    """Han code point -> its Simplified character, for the characters OpenCC changes."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    table = {}
    for first, last in _HAN_RANGES:
        for code in range(first, last + 1):
            char = chr(code)
            simplified = t2s.convert(char)
            if simplified != char:
                table[code] = simplified
    return table


def han_pairs(run: str, *, ends: bool) -> list[str]:
    """Tokens of a Han run: its overlapping pairs, then (``ends``) its last character."""
    if len(run) == 1:
        return [run]
    tokens = [run[i : i + 2] for i in range(len(run) - 1)]
    return [*tokens, run[-1]] if ends else tokens


def index_text(text: str | None) -> str | None:
    """The text as the word index sees it (Han runs as pairs, Simplified)."""
    if not text or not HAN_RUN.search(text):
        return text
    text = text.translate(simplified_table())
    return HAN_RUN.sub(lambda m: " " + " ".join(han_pairs(m.group(), ends=True)) + " ", text)


def register_functions(conn: sqlite3.Connection) -> None:
    """Give a connection the SQL function the word-index triggers call (once).

    SQLite refuses to redefine a function while a statement is active, and FTS5 keeps
    its statements active until the transaction that wrote the index ends.
    """
    with contextlib.suppress(sqlite3.OperationalError):  # a build without function_list
        listed = "select 1 from pragma_function_list where name = ?"
        if conn.execute(listed, [FUNCTION]).fetchone():
            return
    conn.create_function(FUNCTION, 1, index_text, deterministic=True)


def _values(columns: list[str], row: str) -> str:
    return ", ".join(f"{FUNCTION}({row}.[{c}])" for c in columns)


def create_search_index(db: sqlite_utils.Database, table: str) -> None:
    """Create the word index of ``table`` with its triggers and fill it (safe to repeat)."""
    register_functions(db.conn)
    name = index_name(table)
    columns = list(SEARCH_INDEXES[table])
    listed = ", ".join(f"[{c}]" for c in columns)
    db.execute(
        f"create virtual table if not exists [{name}] using fts5({listed}, "
        f"content='', tokenize='{TOKENIZE}')"
    )
    # A contentless index forgets a row only when told the tokens it was given, so the
    # delete step recomputes them from the old values.
    delete = f"insert into [{name}] ([{name}], rowid, {listed}) values ('delete', old.rowid, "
    insert = f"insert into [{name}] (rowid, {listed}) values (new.rowid, "
    watched = ", ".join(f"[{c}]" for c in columns)
    triggers = {
        f"{name}_ai": f"after insert on [{table}] begin {insert}{_values(columns, 'new')}); end",
        f"{name}_ad": f"after delete on [{table}] begin {delete}{_values(columns, 'old')}); end",
        f"{name}_au": (
            f"after update of {watched} on [{table}] begin "
            f"{delete}{_values(columns, 'old')}); {insert}{_values(columns, 'new')}); end"
        ),
    }
    for trigger, body in triggers.items():
        db.execute(f"create trigger if not exists [{trigger}] {body}")
    _configure_rank(db, table)
    rebuild_search_index(db, table)


def rebuild_search_index(db: sqlite_utils.Database, table: str) -> None:
    """Empty the word index of ``table`` and index every row again."""
    register_functions(db.conn)
    name = index_name(table)
    columns = list(SEARCH_INDEXES[table])
    listed = ", ".join(f"[{c}]" for c in columns)
    db.execute(f"insert into [{name}] ([{name}]) values ('delete-all')")
    db.execute(
        f"insert into [{name}] (rowid, {listed}) "
        f"select rowid, {', '.join(f'{FUNCTION}([{c}])' for c in columns)} from [{table}]"
    )
    db.execute(f"create table if not exists [{VERSIONS}] (name text primary key, version text)")
    db.execute(
        f"insert into [{VERSIONS}] (name, version) values (?, ?) "
        "on conflict (name) do update set version = excluded.version",
        [name, tokens_version()],
    )


# Bump when index_text changes what it gives the index.
TOKENS_VERSION = 1
VERSIONS = "_search_index_versions"


def tokens_version() -> str:
    """What the index's tokens depend on: this module's rules and OpenCC's table."""
    import opencc

    return f"pairs {TOKENS_VERSION}; opencc {getattr(opencc, '__version__', '?')}"


def ensure_current(db: sqlite_utils.Database) -> None:
    """Re-index a table whose index was built by other rules or another OpenCC.

    A contentless index forgets a row by being told its tokens again: after an OpenCC
    upgrade that converts a character differently, deleting or updating an older row
    would name tokens the index never had, and leave the old ones matching. So the
    index is rebuilt before the command writes (``ensure_db_shape``, at the start of
    every command, calls this). At a million articles that takes minutes, once.
    """
    have = {}
    if db[VERSIONS].exists():
        have = dict(db.execute(f"select name, version from [{VERSIONS}]").fetchall())
    for table in SEARCH_INDEXES:
        if db[index_name(table)].exists() and have.get(index_name(table)) != tokens_version():
            with db.atomic():
                rebuild_search_index(db, table)


# The ranked view's columns beyond the table's: FTS5's rank (bm25 with the weights above;
# lower is better) and the index's own hidden column, through which a search reaches it.
RANK = "rank"
MATCH = "_match"


def ranked_view_name(table: str) -> str:
    return f"{table}_ranked"


def create_ranked_view(db: sqlite_utils.Database, table: str) -> None:
    """The view ``<table>_ranked``: the table's rows with the word index's rank.

    ``select … from <table>_ranked where _match = :q order by rank`` lists the rows that
    match ``q`` (a ``match_query``) best first: SQLite flattens the view, so the
    ``= :q`` on the index's hidden column becomes FTS5's MATCH and ``order by rank`` its
    own ranking. The view has no ORDER BY of its own: one would stop SQLite flattening
    it into an aggregate (Datasette's count, facets), and the MATCH would then be
    compared as a plain value outside the index, matching nothing. FTS5 keeps the rank
    function (bm25 with ``SEARCH_INDEXES``' weights) in the index's config.

    Each column of the table is a lookup by rowid, not a join: SQLite evaluates only
    the columns a query uses, so Datasette's count of a common word's 400,000 matches
    reads the index alone instead of 400,000 rows of the table, and the page its 51
    rows. The column list is the table's: ``ensure_ranked_views`` recreates the view
    when a migration adds a column. Safe to repeat.
    """
    _configure_rank(db, table)
    view = ranked_view_name(table)
    wanted = ranked_view_sql(db, table)
    have = db.execute("select sql from sqlite_master where type = 'view' and name = ?", [view])
    if (have.fetchone() or [None])[0] != wanted:
        db.execute(f"drop view if exists [{view}]")
        db.execute(wanted)


def ranked_view_sql(db: sqlite_utils.Database, table: str) -> str:
    name = index_name(table)
    columns = ", ".join(
        f"(select [{c.name}] from [{table}] where rowid = f.rowid) as [{c.name}]"
        for c in db[table].columns
    )
    return (
        f"CREATE VIEW [{ranked_view_name(table)}] AS select {columns}, "
        f"f.rank as [{RANK}], f.[{name}] as [{MATCH}] from [{name}] f"
    )


def ensure_ranked_views(db: sqlite_utils.Database) -> None:
    """Recreate a ranked view whose table has gained columns (``ensure_db_shape``)."""
    for table in SEARCH_INDEXES:
        if db[ranked_view_name(table)].exists():
            create_ranked_view(db, table)


def _configure_rank(db: sqlite_utils.Database, table: str) -> None:
    name = index_name(table)
    weights = ", ".join(str(w) for w in SEARCH_INDEXES[table].values())
    rank = f"bm25({weights})"
    have = db.execute(f"select v from [{name}_config] where k = 'rank'").fetchone()
    if have is None or have[0] != rank:
        db.execute(f"insert into [{name}] ([{name}], rank) values ('rank', ?)", [rank])
