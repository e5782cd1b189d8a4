"""Reading every source's listing (its feed, search answer or list of URLs) at once.

This module owns the first half of a run: it calls each source kind's
``collectors.<kind>.fetch_<kind>`` generator with the arguments that kind takes (the
stored etag and last-modified, GDELT's interval, the config's folder), one request at a
time per host but every host at once, and sorts what comes back into the
:class:`~collectors.sources.SourceRun`: the feed's own entry (its new etag), the items
whose pages are fetched next (``collectors/schedule.py``), and the faults, recorded
through the run's :class:`~collectors.sources.SourceLog`. A fault that stops a source
drops the items read before it, and marks the source failed.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from collectors.faults import CollectorError, StageError, fault_kind
from collectors.fetch import Fetcher
from collectors.sources import SourceLog, SourceRun
from mediastance.core.config import Source


def read_listings(
    runs: list[SourceRun],
    fetcher: Fetcher,
    *,
    db: sqlite_utils.Database,
    log: SourceLog,
    base_dir: Path,
    gdelt_interval: float | None,
) -> None:
    """Read every source's feed (or list) at once, one request at a time per host."""
    for run in runs:
        run.health = db["sources"].get(run.source.name)
        log.say(f"{run.source.name}: fetching ({run.source.kind})")
    listings = fetcher.map_unordered(
        lambda run: _read_listing(
            run.source, fetcher, run.health, base_dir=base_dir, gdelt_interval=gdelt_interval
        ),
        runs,
        url=lambda run: listing_url(run.source),
    )
    for run, listing, error in listings:
        if error is not None:
            if not isinstance(error, Exception):
                raise error  # KeyboardInterrupt, SystemExit: the run stops
            listing = ([], StageError("feed", error))
        entries, failure = listing
        counts = run.counts
        for entry in entries:
            if entry["type"] == "feed":
                run.feed = entry
            elif entry["type"] == "error":
                log.record(
                    run.source, entry["url"], entry["error"], entry["status_code"], kind="feed"
                )
                counts.errors += 1
            else:
                run.items.append(entry)
        if failure is not None:
            url = getattr(failure, "url", None) or run.source.url or listing_url(run.source)
            log.record(
                run.source,
                url or None,
                str(failure),
                getattr(failure, "status_code", None),
                kind=fault_kind(failure, "feed"),
            )
            counts.errors += 1
            counts.faults += isinstance(failure, StageError)
            counts.status = "error"
            counts.error = str(failure)
            run.items = []  # what came before the failure is not collected
        elif run.feed is not None and run.feed["not_modified"]:
            counts.status = "not_modified"


def _read_listing(
    source: Source,
    fetcher: Fetcher,
    health: dict[str, Any],
    *,
    base_dir: Path,
    gdelt_interval: float | None,
) -> tuple[list[dict[str, Any]], CollectorError | StageError | None]:
    """Worker thread: a source's feed, items and errors, and the fault that stopped it."""
    entries: list[dict[str, Any]] = []
    try:
        for entry in _fetch_items(
            source, fetcher, health, base_dir=base_dir, gdelt_interval=gdelt_interval
        ):
            entries.append(entry)
    except (CollectorError, StageError) as exc:
        return entries, exc
    except Exception as exc:  # noqa: BLE001 - a collector's bug stops its source only
        return entries, StageError("feed", exc)
    return entries, None


def listing_url(source: Source) -> str:
    """Where a source's listing is fetched from ("" for a list of URLs): its host's queue."""
    feed_url = getattr(_collector_module(source), "feed_url", None)
    return feed_url(source) if feed_url is not None else source.url or ""


def _collector_module(source: Source):
    return importlib.import_module(f"collectors.{source.kind}")


def _fetch_items(
    source: Source,
    fetcher: Fetcher,
    health: dict[str, Any],
    *,
    base_dir: Path,
    gdelt_interval: float | None,
) -> Iterator[dict[str, Any]]:
    """Call ``collectors.<kind>.fetch_<kind>`` with the arguments it takes."""
    fetch = getattr(_collector_module(source), f"fetch_{source.kind}")
    accepts = inspect.signature(fetch).parameters
    kwargs: dict[str, Any] = {"fetcher": fetcher}
    if "etag" in accepts:
        kwargs["etag"] = health.get("etag")
        kwargs["last_modified"] = health.get("last_modified")
    if "min_interval" in accepts:
        kwargs["min_interval"] = gdelt_interval
    if "base_dir" in accepts:
        kwargs["base_dir"] = base_dir
    return fetch(source, **kwargs)
