"""The nightly run: collect → analyse → refresh the database shape, one run at a time.

``mediastance run`` is the line in crontab, so it has to be boring:

- One run at a time. An ``flock`` on ``<db>.lock`` is held for the whole run. The kernel
  drops it when the process dies, however it dies, so a lock left by a ``kill -9`` is
  simply free again: there is no stale-lock guessing from pids or ages. The holder writes
  its pid, host, command and start time into the file so a second one can say who holds
  it. Every other command that writes the database (``collect``, ``analyze``, ``init``…)
  takes the same lock, waiting up to ``LOCK_WAIT`` seconds for it; ``run`` does not wait.
- Crash-safe. Every stage writes in short transactions (WAL mode), so a killed run
  leaves a consistent database; what it had not saved yet is fetched again next time,
  and the unique ``canonical_url`` index keeps that from becoming a duplicate. The next
  run marks the killed run's ``runs`` row ``failed``.
- Observable. The ``runs`` row records start, finish, status (ok, partial, failed),
  counts per stage, the per-source summary and the errors.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from mediastance.core.config import Config
from mediastance.core.storage import ensure_db_shape, finish_run, open_db, start_run, utcnow

log = logging.getLogger(__name__)

# sysexits.h: EX_TEMPFAIL, "try again later" — cron wrappers and systemd know it.
EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 75

COMMAND = "run"
LOCK_WAIT = 600.0  # seconds a manual command waits for the lock before giving up
LOCK_POLL = 0.2
COLLECT_COUNTS = ("new", "updated", "duplicates", "skipped", "errors")


class RunLocked(Exception):
    """Another run holds the lock next to the database."""

    def __init__(self, lock_path: Path, holder: Mapping[str, Any], *, waited: float = 0) -> None:
        self.lock_path = lock_path
        self.holder = dict(holder)
        pid = holder.get("pid", "?")
        started = holder.get("started_at", "?")
        host = holder.get("host")
        command = holder.get("command", COMMAND)
        where = f"pid {pid} on {host}" if host and host != socket.gethostname() else f"pid {pid}"
        who = "another run" if command == COMMAND else f"mediastance {command}"
        message = f"{who} ({where}, started {started}) holds {lock_path}"
        if waited:
            message += f" (waited {waited:g}s)"
        super().__init__(message)


class RunInterrupted(BaseException):
    """The run was stopped by SIGTERM (systemd stop or timeout).

    A ``BaseException``, like ``KeyboardInterrupt``, so a collector's per-source
    ``except Exception`` cannot swallow it as one more source error.
    """


def lock_path_for(db_path: str | os.PathLike) -> Path:
    """The lock file sits next to the database: ``coverage.db`` → ``coverage.db.lock``."""
    return Path(f"{os.fspath(db_path)}.lock")


def read_lock_holder(lock_path: Path) -> dict[str, Any]:
    """What the holder wrote into the lock file; empty if unreadable or not yet written."""
    try:
        return json.loads(lock_path.read_text("utf-8") or "{}")
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def run_lock(
    db_path: str | os.PathLike,
    *,
    command: str = COMMAND,
    wait: float = 0.0,
    on_wait: Callable[[RunLocked], None] | None = None,
) -> Iterator[Path]:
    """Hold the run lock for ``db_path``, or raise :class:`RunLocked`.

    With ``wait`` (seconds) a held lock is tried again until it is free or the time is
    up; ``on_wait`` is told once who holds it. ``command`` is written for the next one.
    The file is never deleted: unlinking a lock file another process has just opened
    would let two runs hold "the" lock on two different inodes.
    """
    path = lock_path_for(db_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    locked = RunLocked(path, read_lock_holder(path), waited=wait)
                    if command == COMMAND:  # so the log file says why a night has no run
                        log.warning("%s", locked)
                    raise locked from None
                if on_wait is not None and not told:
                    on_wait(RunLocked(path, read_lock_holder(path)))
                    told = True
                # flock has no timeout of its own; polling keeps this free of signals.
                time.sleep(min(LOCK_POLL, left))
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command,
            "started_at": utcnow(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def mark_abandoned_runs(db: sqlite_utils.Database, *, by_run: int | None = None) -> list[int]:
    """Mark ``runs`` rows of killed runs as failed; returns their ids.

    Call only while holding the run lock: then no other ``run`` is alive, so any
    ``run`` row still 'running' belongs to a process that died without finishing.
    Rows of other commands (a manual ``collect``) are left alone: they take no lock.
    """
    rows = list(
        db.query(
            "select id, pid, started_at from runs where command = ? and status = 'running'"
            + (" and id != ?" if by_run is not None else ""),
            [COMMAND, by_run] if by_run is not None else [COMMAND],
        )
    )
    if not rows:
        return []
    now = utcnow()
    found = f"found by run {by_run}" if by_run is not None else "found by a later run"
    with db.atomic():
        for row in rows:
            db["runs"].update(
                row["id"],
                {
                    "status": "failed",
                    "finished_at": None,
                    "message": f"killed or crashed (pid {row['pid']}): the run lock was "
                    f"free when it was still 'running'; {found} at {now}",
                },
            )
    return [row["id"] for row in rows]


@dataclass
class SourceResult:
    """One source's line in the summary."""

    name: str
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0
    status: str = "ok"  # ok | not_modified | error, as the collectors say
    failed: bool = False
    error: str | None = None
    faults: int = 0  # pages on which a stage crashed (recorded in fetch_errors)


@dataclass
class RunReport:
    """What a run did; :attr:`exit_code` is what ``mediastance run`` exits with."""

    run_id: int
    status: str = "running"
    sources: list[SourceResult] = field(default_factory=list)
    analysis: dict[str, int] | None = None
    analysis_skipped: str | None = None
    errors: list[str] = field(default_factory=list)
    abandoned: list[int] = field(default_factory=list)
    duration_s: float = 0.0
    alerts: dict[str, int] | None = None
    deliveries: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.status == "ok" else EXIT_PARTIAL

    @property
    def totals(self) -> dict[str, int]:
        return {key: sum(getattr(s, key) for s in self.sources) for key in COLLECT_COUNTS}

    def summary_lines(self) -> list[str]:
        """A tab-separated per-source table, then the analysis and the status line."""
        lines = ["source\t" + "\t".join(COLLECT_COUNTS) + "\tstatus"]
        for s in self.sources:
            counts = "\t".join(str(getattr(s, key)) for key in COLLECT_COUNTS)
            state = f"failed: {s.error}" if s.failed else s.status
            lines.append(f"{s.name}\t{counts}\t{state}")
        if self.analysis is not None:
            parts = ", ".join(f"{k} {v}" for k, v in self.analysis.items())
            lines.append(f"analysis: {parts or 'nothing to do'}")
        elif self.analysis_skipped:
            lines.append(f"analysis: skipped ({self.analysis_skipped})")
        if self.alerts and any(self.alerts.values()):  # only what happened
            lines.append(f"alerts: new {self.alerts['new']}, updated {self.alerts['updated']}")
        totals = ", ".join(f"{k} {v}" for k, v in self.totals.items())
        lines.append(f"run {self.run_id} {self.status} in {self.duration_s:.1f}s: {totals}")
        lines.extend(f"delivery: {d}" for d in self.deliveries)
        lines.extend(f"error: {e}" for e in self.errors)
        return lines


Progress = Callable[..., None]


@contextlib.contextmanager
def log_to_file(path: str | os.PathLike) -> Iterator[None]:
    """Append INFO-and-above logs, timestamped, to ``path`` (also under ``--quiet``).

    Console handlers keep the level they had, so ``--quiet`` stays quiet on stderr.
    """
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    previous = root.level
    unset = [h for h in root.handlers if h.level == logging.NOTSET]
    for other in unset:
        other.setLevel(previous)
    root.addHandler(handler)
    root.setLevel(min(previous, logging.INFO))
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        for other in unset:
            other.setLevel(logging.NOTSET)
        handler.close()


def run_pipeline(
    db_path: str | os.PathLike,
    config: Config,
    *,
    client: httpx.Client | None = None,
    analyze: bool = True,
    encoder: Any = None,
    progress: Progress | None = None,
    collect_options: Mapping[str, Any] | None = None,
) -> RunReport:
    """Take the lock, then collect → analyse → ensure shape, recorded in ``runs``.

    Raises :class:`RunLocked` at once when another run is active. Source failures make
    the run 'partial'; a stage that raises makes it 'failed' (the error is recorded and
    the report returned, so the caller still gets an exit code and a summary).
    ``collect_options`` go to the collectors as they are (tests: ``gdelt_interval=0``).
    Progress messages default to INFO logs, so ``--log-file`` shows what a run did.
    """
    progress = progress or _log_progress
    with run_lock(db_path), _signals_raise():
        db = open_db(db_path)
        try:
            ensure_db_shape(db)
            return _run_stages(
                db,
                config,
                client=client,
                analyze=analyze,
                encoder=encoder,
                progress=progress,
                collect_options=collect_options or {},
            )
        finally:
            db.close()


def _run_stages(
    db: sqlite_utils.Database,
    config: Config,
    *,
    client: httpx.Client | None,
    analyze: bool,
    encoder: Any,
    progress: Progress,
    collect_options: Mapping[str, Any],
) -> RunReport:
    started = time.monotonic()
    run_id = start_run(db, COMMAND)
    report = RunReport(run_id=run_id)
    log.info("run %s started (pid %s)", run_id, os.getpid())
    report.abandoned = mark_abandoned_runs(db, by_run=run_id)
    for old in report.abandoned:
        log.warning("run %s was killed before it finished; marked failed", old)
    failed = False
    try:
        report.sources = _collect(
            db, config, client=client, run_id=run_id, progress=progress, options=collect_options
        )
        if analyze:
            if encoder is None:  # one load shared by analysis and stories
                from analysis.encoder import load_configured_encoder

                encoder = load_configured_encoder(config.model, progress=progress)
            report.analysis = _analyze(db, config, encoder=encoder, progress=progress)
            # Stories read the labels analysis wrote, so they come second.
            report.analysis.update(_stories(db, config, encoder=encoder, progress=progress))
        else:
            report.analysis_skipped = "--no-analyze"
        # Alerts read the labels and stories, so they come last (mediastance/alerts.py).
        report.alerts = _alerts(db, config)
        ensure_db_shape(db)
    except (RunInterrupted, KeyboardInterrupt) as exc:
        failed = True
        report.errors.append(str(exc) or "interrupted by SIGINT")
    except Exception as exc:  # a stage crashed: record it, never leave the row 'running'
        log.exception("run %s failed", run_id)
        failed = True
        report.errors.append(f"{type(exc).__name__}: {exc}")
    report.errors[:0] = [f"{s.name}: {s.error}" for s in report.sources if s.failed] + [
        f"{s.name}: {s.faults} unexpected fault(s), see fetch_errors"
        for s in report.sources
        if s.faults and not s.failed
    ]
    if failed:
        report.status = "failed"
    elif any(s.failed or s.faults for s in report.sources):
        report.status = "partial"
    else:
        report.status = "ok"
    if report.status != "failed" and config.notify.on_run:
        report.deliveries = _deliver(db, config, run_id)
    report.duration_s = round(time.monotonic() - started, 3)
    _finish(db, report)
    for line in report.summary_lines():
        log.info("%s", line)
    return report


def _collect(
    db: sqlite_utils.Database,
    config: Config,
    *,
    client: httpx.Client | None,
    run_id: int,
    progress: Progress | None,
    options: Mapping[str, Any],
) -> list[SourceResult]:
    from collectors.collect import collect

    summary = collect(db, config, client=client, run_id=run_id, progress=progress, **options)
    return source_results(db, summary)


def source_results(db: sqlite_utils.Database, summary: Any) -> list[SourceResult]:
    """The collectors' per-source counts, with each failed source's error from ``sources``."""
    results = []
    for name, counts in summary.sources.items():
        result = SourceResult(
            name=name,
            status=counts.status,
            failed=counts.failed,
            faults=getattr(counts, "faults", 0),
            **{key: getattr(counts, key) for key in COLLECT_COUNTS},
        )
        if result.failed:
            rows = list(db.query("select last_error from sources where name = ?", [name]))
            result.error = (rows[0]["last_error"] if rows else None) or counts.status
        results.append(result)
    return results


def _log_progress(message: str, *args: Any, **kwargs: Any) -> None:
    log.info("%s", message)


def _analyze(
    db: sqlite_utils.Database, config: Config, *, encoder: Any, progress: Progress | None
) -> dict[str, int]:
    from analysis.pipeline import analyze

    counts = analyze(db, config, encoder=encoder, progress=progress)
    return {str(k): int(v) for k, v in counts.items()}


def _stories(
    db: sqlite_utils.Database, config: Config, *, encoder: Any, progress: Progress | None
) -> dict[str, int]:
    from analysis.stories import cluster_stories

    counts = cluster_stories(db, config, encoder=encoder, progress=progress)
    # Only what happened: a night with nothing new keeps the analysis line unchanged.
    return {f"stories_{k}": int(v) for k, v in counts.items() if v}


def _alerts(db: sqlite_utils.Database, config: Config) -> dict[str, int]:
    from mediastance.alerts import compute_alerts

    return compute_alerts(db, config)


def _deliver(db: sqlite_utils.Database, config: Config, run_id: int) -> list[str]:
    """Send the brief where [notify] says; a failure is recorded, never raised."""
    from mediastance.notify import deliver

    try:
        return [d.line() for d in deliver(db, config, run_id=run_id) if d.status != "skipped"]
    except Exception as exc:  # a bug in rendering must not cost the night's collection
        log.exception("run %s: delivering the brief failed", run_id)
        return [f"brief not delivered: {type(exc).__name__}: {exc}"]


def _finish(db: sqlite_utils.Database, report: RunReport) -> None:
    totals = report.totals
    analysis = report.analysis or {}
    details = {
        "sources": [dataclasses.asdict(s) for s in report.sources],
        "analysis": report.analysis,
        "analysis_skipped": report.analysis_skipped,
        "abandoned_runs": report.abandoned,
        "alerts": report.alerts,
        "deliveries": report.deliveries,
    }
    finish_run(
        db,
        report.run_id,
        status=report.status,
        sources_ok=sum(not s.failed for s in report.sources),
        sources_failed=sum(s.failed for s in report.sources),
        analyzed=analysis.get("articles", analysis.get("analyzed", 0)),
        labels=analysis.get("labels", 0),
        message="; ".join(report.errors) or None,
        details=json.dumps(details, ensure_ascii=False),
        **totals,
    )


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM (systemd stop, timeout) into an exception so the run row is closed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise RunInterrupted(f"interrupted by {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
