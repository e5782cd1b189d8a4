"""The configured sources as one run sees them, and what the run writes about them.

This module owns a source's bookkeeping: which sources a run takes (``select_sources``),
their rows in the ``sources`` table (``register_sources``, ``source_health``), the
per-source tally of a run (``SourceCounts``) and its state while the run goes on
(``SourceRun``: feed, items, pages still out), and :class:`SourceLog`, through which the
listing and page stages record a fault as a ``fetch_errors`` row and which writes a
source's health once all its pages are saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from collectors.faults import StageError, fault_kind, stage
from mediastance.core.config import Source
from mediastance.core.storage import save_fetch_error, utcnow


class UnknownSource(ValueError):
    """--source named a source the config does not have."""


def select_sources(sources: Iterable[Source], names: Iterable[str]) -> list[Source]:
    """Enabled sources, or exactly the named ones (disabled or not)."""
    sources = list(sources)
    names = list(names)
    if not names:
        return [s for s in sources if s.enabled]
    known = {s.name: s for s in sources}
    for name in names:
        if name not in known:
            raise UnknownSource(f"no source named {name!r} in the config")
    return [known[name] for name in dict.fromkeys(names)]


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
                "failures": int(row.get("failures") or 0),  # a REAL column since m001
                "last_checked": row.get("last_checked"),
                "last_success": row.get("last_success"),
                "last_error": row.get("last_error"),
            }
        )
    return out


@dataclass
class SourceCounts:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0
    faults: int = 0  # of the errors, unexpected exceptions (a stage crashed on a page)
    status: str = "ok"  # ok | not_modified | error
    error: str | None = None  # why the source failed

    @property
    def failed(self) -> bool:
        return self.status == "error"


@dataclass
class SourceRun:
    """One source in this run: its feed, its items, and how many of its pages are out."""

    position: int  # in the run's source order
    source: Source
    counts: SourceCounts
    health: dict[str, Any] = field(default_factory=dict)
    feed: dict[str, Any] | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    pending: int = 0  # pages handed to the fetcher and not saved yet


class SourceLog:
    """What a run writes about its sources: faults, progress lines, health at the end."""

    def __init__(
        self, db: sqlite_utils.Database, *, run_id: int, say: Callable[[str], None]
    ) -> None:
        self.db = db
        self.run_id = run_id
        self.say = say

    def record(
        self, source: Source, url: str | None, error: str, status: int | None, *, kind: str
    ) -> None:
        self.say(f"{source.name}: {url}: {error}")
        save_fetch_error(
            self.db,
            run_id=self.run_id,
            source=source.name,
            url=url,
            error=error,
            status_code=status,
            kind=kind,
        )

    def fault(self, run: SourceRun, url: str | None, error: Exception) -> None:
        """Record a page's fault; an unexpected one (StageError) makes the run partial."""
        status = getattr(error, "status_code", None)
        self.record(run.source, url, str(error), status, kind=fault_kind(error, "fetch"))
        run.counts.errors += 1
        run.counts.faults += isinstance(error, StageError)

    def finish_source(self, run: SourceRun) -> None:
        """All pages of the source are saved: settle its status, write its health."""
        source, counts = run.source, run.counts
        if source.kind == "urls" and run.items and counts.errors >= len(run.items):
            counts.status = "error"  # a list of pages none of which could be fetched
            counts.error = "no listed page could be fetched"
        try:
            with stage("health"):
                self.save_health(source, run.health, counts, feed=run.feed)
        except StageError as exc:
            self.fault(run, source.url, exc)
        self.say(
            f"{source.name}: {counts.status}, {counts.new} new, {counts.updated} updated, "
            f"{counts.duplicates} duplicates, {counts.skipped} skipped, "
            f"{counts.errors} errors"
        )

    def save_health(
        self,
        source: Source,
        health: dict[str, Any],
        counts: SourceCounts,
        *,
        feed: dict[str, Any] | None = None,
    ) -> None:
        """Media Cloud-style feed health: failures reset on success, +1 per failed check."""
        now = utcnow()
        update: dict[str, Any] = {"last_checked": now, "last_status": counts.status}
        if counts.failed:
            update["failures"] = (health.get("failures") or 0) + 1
            update["last_error"] = counts.error
        else:
            update["failures"] = 0
            update["last_error"] = None
            update["last_success"] = now
            if feed is not None and not feed["not_modified"]:
                update["etag"] = feed["etag"]
                update["last_modified"] = feed["last_modified"]
        with self.db.atomic():
            self.db["sources"].update(source.name, update)
