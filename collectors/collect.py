"""Collecting: configured sources → their listings → pages → ``articles`` rows, one run.

:func:`collect` is where a run starts and ends: it takes the enabled (or named) sources,
opens the run's ``runs`` row unless its caller owns one, and hands the work to the
modules beside it, in the order a page meets them: ``listings.py`` reads every source's
feed at once, ``schedule.py`` fetches all sources' pages through one fetch map and makes
each a row, ``relevance.py`` keeps the rows about the topic, ``save.py`` saves them as if
the sources had run one after another, and ``sources.py`` keeps each source's counts,
faults and health. The :class:`Summary` it returns is what the CLI and ``mediastance
run`` print; nothing raises for a source that fails, the summary says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlite_utils

from collectors.fetch import Fetcher
from collectors.listings import read_listings
from collectors.relevance import RelevanceMatcher
from collectors.save import SourceOrderSaver
from collectors.schedule import PageSchedule
from collectors.sources import (
    SourceCounts,
    SourceLog,
    SourceRun,
    register_sources,
    select_sources,
)
from mediastance.core.config import Config
from mediastance.core.storage import finish_run, start_run


@dataclass
class Summary:
    run_id: int
    status: str = "ok"  # ok | partial | failed
    sources: dict[str, SourceCounts] = field(default_factory=dict)

    COLUMNS = ("new", "updated", "duplicates", "skipped", "errors")

    def totals(self) -> dict[str, int]:
        return {c: sum(getattr(s, c) for s in self.sources.values()) for c in self.COLUMNS}

    def table(self) -> list[list[str]]:
        """Header and one row per source: name, new, updated, duplicates, skipped, errors."""
        rows = [["source", *self.COLUMNS, "status"]]
        for name, counts in self.sources.items():
            rows.append([name, *(str(getattr(counts, c)) for c in self.COLUMNS), counts.status])
        return rows


def collect(
    db: sqlite_utils.Database,
    config: Config,
    *,
    client: httpx.Client | None = None,
    run_id: int | None = None,
    source_names: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
    gdelt_interval: float | None = None,
    today: dt.date | None = None,
) -> Summary:
    """Collect every enabled source (or the named ones) into ``articles``; write ``runs``.

    ``run_id`` lets a caller (``mediastance run``) own the ``runs`` row; otherwise one is
    started and finished here. Every fault is a ``fetch_errors`` row; nothing raises for
    a source that fails, the summary says so.
    """
    sources = select_sources(config.sources, source_names)
    register_sources(db, config.sources)
    own_run = run_id is None
    if run_id is None:
        run_id = start_run(db, "collect")
    summary = Summary(run_id=run_id)
    say = progress or (lambda message: None)
    base_dir = Path(config.files[0]).parent if config.files else Path.cwd()
    log = SourceLog(db, run_id=run_id, say=say)
    pages = PageSchedule(
        matcher=RelevanceMatcher(config.topic, config.targets),
        saver=SourceOrderSaver(db),
        log=log,
        today=today or dt.date.today(),
    )
    runs = [
        SourceRun(position=n, source=source, counts=SourceCounts())
        for n, source in enumerate(sources)
    ]
    for run in runs:
        summary.sources[run.source.name] = run.counts
    try:
        with Fetcher(config.fetch, client=client) as fetcher:
            read_listings(
                runs, fetcher, db=db, log=log, base_dir=base_dir, gdelt_interval=gdelt_interval
            )
            pages.collect_pages(runs, fetcher)
    except BaseException as exc:
        if own_run:  # never leave the row 'running'; `mediastance run` closes its own
            finish_run(db, run_id, status="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    failed = sum(c.failed for c in summary.sources.values())
    faults = sum(c.faults for c in summary.sources.values())
    if failed == 0 and faults == 0:
        summary.status = "ok"
    elif failed == len(summary.sources):
        summary.status = "failed"
    else:
        summary.status = "partial"
    if own_run:
        finish_run(
            db,
            run_id,
            status=summary.status,
            sources_ok=len(summary.sources) - failed,
            sources_failed=failed,
            **summary.totals(),
        )
    return summary
