"""Collection orchestration: configured sources → collectors → the store, with source health."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from mediastance.config import Source


def register_sources(db: sqlite_utils.Database, sources: Iterable[Source]) -> None:
    """Record configured sources; health columns of known sources are left alone."""
    rows = [
        {
            "name": s.name,
            "kind": s.kind,
            "url": s.url or s.query or (s.urls_file or " ".join(s.urls)),
            "language": s.language,
        }
        for s in sources
    ]
    with db.atomic():
        db["sources"].upsert_all(rows, pk="name", alter=True)


def source_health(db: sqlite_utils.Database, sources: Iterable[Source]) -> list[dict]:
    """One row per configured source: kind, language, last status/error, failures, dates."""
    out = []
    for s in sources:
        row = db["sources"].get(s.name) if db["sources"].exists() else {}
        out.append(
            {
                "name": s.name,
                "kind": s.kind,
                "language": s.language,
                "last_status": row.get("last_status") or "never",
                "failures": row.get("failures") or 0,
                "last_checked": row.get("last_checked"),
                "last_success": row.get("last_success"),
                "last_error": row.get("last_error"),
            }
        )
    return out
