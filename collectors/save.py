"""Saving the articles rows of a run as if its sources had run one after another.

This module owns the write of an ``articles`` row and the order problem it brings.
Pages arrive in whatever order their hosts answer, and two sources can bring one article
(an outlet's feed and a Google News redirect to it); which source inserts it (its
``source`` column, its "new") and which updates or leaves it must not depend on that.
:class:`SourceOrderSaver` saves a row at once when it arrives in order and otherwise
undoes the article's saves of this run and replays them in source order, in one
transaction. Each save also places the row among its near-copies (``collectors/dedup.py``:
``duplicate_of`` points at the earliest of a group) and keeps every source's
new/updated/duplicates counts true as a copy's original arrives later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from collectors.dedup import Deduper
from collectors.faults import StageError, stage
from collectors.sources import SourceCounts
from mediastance.core.storage import utcnow

DEDUP_WINDOW_DAYS = 30


@dataclass
class _Save:
    position: int  # of the source that brought the row
    row: dict[str, Any]
    counts: SourceCounts
    outcome: str | None  # what save_article did: "inserted", "updated" or None


@dataclass
class _Saves:
    """Every save of one article in this run, and the row stored before the first."""

    before: dict[str, Any] | None
    saves: list[_Save] = field(default_factory=list)


class SourceOrderSaver:
    """One run's saves of ``articles`` rows: in source order, deduplicated, counted."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._deduper: Deduper | None = None
        # Rows inserted by this run: which source's counts hold them, as new or duplicate.
        # A copy saved before its original arrives moves from "new" to "duplicates".
        self.inserted: dict[str, tuple[SourceCounts, str]] = {}
        self.saved: dict[str, _Saves] = {}  # article id → this run's saves of it

    @property
    def deduper(self) -> Deduper:
        """The near-copy index, built at the first save of the run, not before.

        Only articles collected in the last DEDUP_WINDOW_DAYS are indexed: syndicated
        copies appear within days of their original, and hashing every stored text at
        every run cost minutes on a database of 50,000 articles (hours at a million)
        even on a night with nothing new.
        """
        if self._deduper is None:
            since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=DEDUP_WINDOW_DAYS)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            self._deduper = Deduper.from_rows(
                self.db.query(
                    "select id, text, published, fetched_at from articles "
                    "where text is not null and fetched_at >= ?",
                    [since],
                )
            )
        return self._deduper

    def save_in_source_order(
        self, position: int, row: dict[str, Any], counts: SourceCounts
    ) -> None:
        """Save a row as if sources had run one after another, in the config's order.

        Pages arrive in whatever order their hosts answer, and two sources can bring one
        article (an outlet's feed and a Google News redirect to it). Which of them
        inserts it (its ``source`` column, its "new") and which updates or leaves it must
        not depend on that. Saves arriving in order go straight through; a row whose
        article a later source already saved in this run undoes those saves and replays
        them all, in source order, in one transaction.
        """
        saved = self.saved.get(row["id"])
        if saved is None:
            with stage("save"):
                before = self.db["articles"].get(row["id"]) if _exists(self.db, row["id"]) else None
            saved = self.saved[row["id"]] = _Saves(before=before)
        if all(save.position <= position for save in saved.saves):
            outcome = self.save_article(row, counts)
            saved.saves.append(_Save(position, row, counts, outcome))
            return
        with stage("save"), self.db.atomic():
            self.undo_saves(row["id"], saved)
            saved.saves.append(_Save(position, row, counts, None))
            saved.saves.sort(key=lambda save: save.position)  # stable: a source keeps its order
            for save in saved.saves:
                save.outcome = self.save_article(save.row, save.counts)

    def forget_saves_before(self, position: int) -> None:
        """Drop the saves no page can arrive ahead of: every source up to them is done."""
        self.saved = {
            article_id: saved
            for article_id, saved in self.saved.items()
            # Saves are kept in source order; none at all when the first one failed.
            if saved.saves and saved.saves[-1].position >= position
        }

    def undo_saves(self, article_id: str, saved: _Saves) -> None:
        """Put the article back as it was before this run, and take back its counts."""
        for save in saved.saves:
            if save.outcome == "updated":
                save.counts.updated -= 1
        if saved.before is None:  # one of these saves inserted it
            counts, was = self.inserted.pop(article_id)
            _bump(counts, was, -1)
            self.db["articles"].delete(article_id)
        else:  # stored by an earlier run, or by a source of this run done since
            self.db["articles"].upsert(saved.before, pk="id")

    def save_article(self, row: dict[str, Any], counts: SourceCounts) -> str | None:
        """Insert or update one row in its own transaction, and count it.

        Returns "inserted", "updated", or None when the stored row already says the same.
        """
        now = utcnow()
        with stage("save"):
            existing = self.db["articles"].get(row["id"]) if _exists(self.db, row["id"]) else None
        if existing is not None and existing.get("content_hash") == row["content_hash"]:
            return None
        if existing is None:
            row = {**row, "fetched_at": now, "updated_at": now}
        else:
            row = {k: v for k, v in row.items() if k not in ("source", "source_kind")}
            row = {**row, "fetched_at": existing.get("fetched_at") or now, "updated_at": now}
        try:
            with stage("dedup"):
                self.deduper.add(row["id"], row["text"], row["published"], row["fetched_at"])
                group = self.deduper.group(row["id"], row["text"])
                original = self.deduper.earliest([row["id"], *group]) if group else None
            row["duplicate_of"] = original if original and original != row["id"] else None
            with stage("save"), self.db.atomic():
                self.db["articles"].upsert(row, pk="id", alter=True)
                if group:
                    # Copies already stored now point at the earliest of the whole group.
                    others = [i for i in group if i != original]
                    marks = ",".join("?" for _ in others)
                    if others:
                        self.db.execute(
                            f"update articles set duplicate_of = ? where id in ({marks})",
                            [original, *others],
                        )
                    self.db.execute(
                        "update articles set duplicate_of = null where id = ?", [original]
                    )
        except StageError:
            if existing is None and self._deduper is not None:
                self._deduper.remove(row["id"])  # no copy may point at a row never stored
            raise
        if existing is not None:
            counts.updated += 1
        else:
            self.inserted[row["id"]] = (counts, "duplicates" if row["duplicate_of"] else "new")
            _bump(counts, self.inserted[row["id"]][1], +1)
        for other in group:
            if other in self.inserted:
                other_counts, was = self.inserted[other]
                now_is = "new" if other == original else "duplicates"
                if was != now_is:
                    _bump(other_counts, was, -1)
                    _bump(other_counts, now_is, +1)
                    self.inserted[other] = (other_counts, now_is)
        return "updated" if existing is not None else "inserted"


def _bump(counts: SourceCounts, field_name: str, by: int) -> None:
    setattr(counts, field_name, getattr(counts, field_name) + by)


def _exists(db: sqlite_utils.Database, article_id: str) -> bool:
    return bool(list(db.query("select 1 from articles where id = ?", [article_id])))
