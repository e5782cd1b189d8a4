"""Export a canned query (by name, from datasette-metadata.json) or a SQL select.

Rows stream from a read-only connection straight to the output, so a million-row
export never sits in memory and an export can never modify the database.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from mediastance.datasette_targets import canonical_target
from mediastance.search import match_query
from mediastance.serve import DATABASE_NAME, load_metadata

UTF8_BOM = "\ufeff"
PARAM = re.compile(r"(?<!:):([A-Za-z_][A-Za-z0-9_]*)")


class ExportError(Exception):
    """Unknown query name, bad SQL or a missing parameter."""


ONLY_SELECT = "only a single SELECT is allowed (or a canned query name)"
# The connection is read-only whatever the SQL; SQLite's authorizer refuses writes up
# front only so that the message says what is allowed, not "readonly database".
_WRITE_ACTIONS = {
    getattr(sqlite3, name)
    for name in dir(sqlite3)
    if name.startswith(("SQLITE_CREATE_", "SQLITE_DROP_"))
} | {
    sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_UPDATE,
    sqlite3.SQLITE_DELETE,
    sqlite3.SQLITE_ALTER_TABLE,
    sqlite3.SQLITE_ATTACH,
    sqlite3.SQLITE_DETACH,
    sqlite3.SQLITE_TRANSACTION,
    sqlite3.SQLITE_SAVEPOINT,
    sqlite3.SQLITE_REINDEX,
    sqlite3.SQLITE_ANALYZE,
}


def canned_queries() -> dict[str, dict]:
    return load_metadata()["databases"][DATABASE_NAME].get("queries", {})


def resolve_query(query: str) -> str:
    """A canned query's SQL by name, or the text itself when it is SQL."""
    queries = canned_queries()
    if query in queries:
        if queries[query].get("write"):
            raise ExportError(f"{query} is a write query, not something to export")
        return queries[query]["sql"]
    if not re.fullmatch(r"[\w.-]+", query):  # not a name: SQL, checked by SQLite itself
        return query
    names = ", ".join(sorted(n for n, q in queries.items() if not q.get("write")))
    raise ExportError(f"unknown query {query!r}; canned queries: {names}")


def _refuse_writes(action: int, table: str | None, *_: object) -> int:
    if action == sqlite3.SQLITE_UPDATE and table == "sqlite_master":
        return sqlite3.SQLITE_OK  # FTS5 prepares this itself when a query opens its index
    return sqlite3.SQLITE_DENY if action in _WRITE_ACTIONS else sqlite3.SQLITE_OK


def iter_rows(
    db_path: str | Path, sql: str, params: Mapping[str, str]
) -> tuple[list[str], Iterator[tuple]]:
    """Column names and a row iterator for the SQL on a read-only connection."""
    path = Path(db_path)
    if not path.exists():
        raise ExportError(f"{path}: database not found")
    # Canned queries treat an empty parameter as "no filter"; missing ones default to ''.
    needed = set(PARAM.findall(sql))
    values = {name: params.get(name, "") for name in needed}
    unknown = sorted(set(params) - needed)
    if unknown:
        raise ExportError(f"the query has no parameter :{unknown[0]}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    # The search canned queries call this, as they do in Datasette (datasette_search.py).
    conn.create_function("mediastance_search_query", 1, match_query, deterministic=True)
    conn.create_function("mediastance_target", 1, canonical_target, deterministic=True)
    conn.set_authorizer(_refuse_writes)
    try:
        cursor = conn.execute(sql, values)
    except sqlite3.ProgrammingError as exc:  # "You can only execute one statement at a time."
        conn.close()
        raise ExportError(
            ONLY_SELECT if "one statement" in str(exc) else f"SQL error: {exc}"
        ) from None
    except sqlite3.Error as exc:
        conn.close()
        raise ExportError(
            ONLY_SELECT if str(exc) == "not authorized" else f"SQL error: {exc}"
        ) from None
    if cursor.description is None:  # a statement that returns no rows (e.g. an empty one)
        conn.close()
        raise ExportError(ONLY_SELECT)
    columns = [d[0] for d in cursor.description or ()]

    def rows() -> Iterator[tuple]:
        try:
            yield from cursor
        except sqlite3.Error as exc:  # a later row can fail too (bad JSON, a time limit)
            raise ExportError(f"SQL error: {exc}") from None
        finally:
            conn.close()

    return columns, rows()


def write_export(
    out: IO[str], columns: list[str], rows: Iterator[tuple], *, fmt: str, excel: bool
) -> int:
    """Write rows as CSV or JSON lines; returns the number of rows written."""
    count = 0
    if fmt == "csv":
        if excel:
            out.write(UTF8_BOM)  # Excel reads BOM-less CSV as the local ANSI code page
        writer = csv.writer(out, lineterminator="\r\n" if excel else "\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False))
            out.write("\n")
            count += 1
    else:
        raise ExportError(f"unknown format {fmt!r}")
    return count
