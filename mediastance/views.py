"""SQL views over the tables, created or updated by ``ensure_db_shape``.

Each view is kept here as SQL; a view is only dropped and recreated when its SQL
changed, so a nightly run that finds nothing new does not rewrite the schema.
"""

from __future__ import annotations

import sqlite_utils

VIEWS: dict[str, str] = {}


def ensure_views(db: sqlite_utils.Database) -> None:
    existing = {
        row[0]: row[1]
        for row in db.execute("select name, sql from sqlite_master where type = 'view'")
    }
    for name, sql in VIEWS.items():
        wanted = f"CREATE VIEW [{name}] AS {sql.strip()}"
        if existing.get(name) == wanted:
            continue
        with db.atomic():
            db.execute(f"DROP VIEW IF EXISTS [{name}]")
            db.execute(wanted)
