"""``mediastance run``: the lock, the ``runs`` bookkeeping, exit codes, and (end to end,
in subprocesses) crash safety and concurrent readers against the loopback fixture web."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
import types
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from fixtureweb import FixtureWeb

from collectors import collect as collect_module
from collectors.normalize import normalize_url
from mediastance import run as run_module
from mediastance.cli import cli
from mediastance.core.config import load_config, load_config_text
from mediastance.core.storage import ensure_db_shape, open_db, search, start_run, table_counts
from mediastance.run import RunLocked, mark_abandoned_runs, run_lock, run_pipeline

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config_text(
    """
[[sources]]
name = "Feed A"
kind = "rss"
url = "http://127.0.0.2/a.xml"
language = "en"

[[sources]]
name = "Feed B"
kind = "rss"
url = "http://127.0.0.3/b.xml"
language = "zh"
"""
)


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIASTANCE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


class LockHolder:
    """A child process that takes the run lock for ``db_path`` and keeps it until killed."""

    CODE = (
        "import sys\n"
        "from mediastance.run import run_lock\n"
        "lock = run_lock(sys.argv[1])\n"
        "lock.__enter__()\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )

    def __init__(self, db_path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.CODE, str(db_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self.proc.stdout.readline() == "held\n"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc.stdin.close()
        self.proc.stdout.close()


def counts(new=0, updated=0, duplicates=0, skipped=0, errors=0, error=None, faults=0):
    """A stand-in for the collectors' per-source counts."""
    status = "error" if error else "ok"
    return types.SimpleNamespace(
        new=new,
        updated=updated,
        duplicates=duplicates,
        skipped=skipped,
        errors=errors,
        faults=faults,
        status=status,
        failed=status == "error",
        error=error,
    )


@pytest.fixture
def fake_collect(monkeypatch):
    """Replace the collectors with a recorder returning a chosen per-source summary."""
    calls = []
    state = types.SimpleNamespace(
        calls=calls,
        raises=None,
        sources={
            "Feed A": counts(new=3, updated=1, skipped=2),
            "Feed B": counts(new=2, duplicates=1),
        },
    )

    def collect(db, config, *, client=None, run_id=None, source_names=(), progress=None):
        calls.append(run_id)
        if state.raises is not None:
            raise state.raises
        for name, c in state.sources.items():  # the collectors keep health in `sources`
            db["sources"].upsert({"name": name, "last_error": c.error}, pk="name")
        return types.SimpleNamespace(sources=state.sources)

    monkeypatch.setattr(collect_module, "collect", collect, raising=False)
    return state


def runs_rows(db_path: Path) -> list[dict]:
    db = open_db(db_path)
    try:
        return list(db.query("select * from runs order by id"))
    finally:
        db.close()


# The lock -----------------------------------------------------------------------------


def test_lock_is_exclusive_and_names_the_holder(tmp_path):
    db_path = tmp_path / "coverage.db"
    holder = LockHolder(db_path)
    try:
        with pytest.raises(RunLocked) as info:
            with run_lock(db_path):
                pass
        message = str(info.value)
        started = info.value.holder["started_at"]
        assert message == (
            f"another run (pid {holder.proc.pid}, started {started}) holds {db_path}.lock"
        )
    finally:
        holder.kill()
    # The kernel dropped the killed holder's lock: the next run takes it over at once.
    with run_lock(db_path) as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert path.read_text() == ""  # released: the holder's details are cleared
    assert path.exists()  # but the file stays, so no two runs ever lock two inodes


def test_lock_is_exclusive_within_one_process(tmp_path):
    db_path = tmp_path / "x.db"
    with run_lock(db_path):
        with pytest.raises(RunLocked, match=r"another run \(pid \d+, started "):
            with run_lock(db_path):
                pass


def test_cli_run_exits_75_while_another_run_holds_the_lock(tmp_path, fake_collect):
    db_path = tmp_path / "coverage.db"
    holder = LockHolder(db_path)
    log_file = tmp_path / "run.log"
    args = ["run", "--db", str(db_path), "--no-analyze", "--quiet", "--log-file", str(log_file)]
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        holder.kill()
    assert result.exit_code == 75, result.output
    assert f"WARNING mediastance.run: another run (pid {holder.proc.pid}, " in log_file.read_text()
    assert f"Error: another run (pid {holder.proc.pid}, started " in result.output
    assert result.output.rstrip().endswith(f"holds {db_path}.lock")
    assert fake_collect.calls == []  # nothing ran, nothing was written
    assert not db_path.exists()


# Bookkeeping --------------------------------------------------------------------------


def test_run_records_counts_and_per_source_details(tmp_path, fake_collect):
    db_path = tmp_path / "coverage.db"
    report = run_pipeline(db_path, CONFIG, analyze=False)
    assert (report.status, report.exit_code) == ("ok", 0)
    assert fake_collect.calls == [report.run_id]
    [row] = runs_rows(db_path)
    details = json.loads(row.pop("details"))
    assert row.pop("started_at") <= row.pop("finished_at")
    assert row.pop("duration_s") >= 0
    assert row == {
        "id": report.run_id,
        "command": "run",
        "status": "ok",
        "pid": os.getpid(),
        "sources_ok": 2,
        "sources_failed": 0,
        "new": 5,
        "updated": 1,
        "duplicates": 1,
        "skipped": 2,
        "errors": 0,
        "analyzed": 0,
        "labels": 0,
        "message": None,
    }
    assert details["analysis_skipped"] == "--no-analyze"
    assert [s["name"] for s in details["sources"]] == ["Feed A", "Feed B"]


def test_failed_source_makes_the_run_partial(tmp_path, fake_collect):
    fake_collect.sources["Feed B"] = counts(errors=1, error="HTTP 500 for http://127.0.0.3/b.xml")
    result = CliRunner().invoke(
        cli, ["run", "--db", str(tmp_path / "c.db"), "--no-analyze", "--quiet"]
    )
    assert result.exit_code == 1
    # --quiet still speaks when something went wrong (cron mails it).
    assert "Feed B\t0\t0\t0\t0\t1\tfailed: HTTP 500 for http://127.0.0.3/b.xml" in result.output
    [row] = runs_rows(tmp_path / "c.db")
    assert (row["status"], row["sources_ok"], row["sources_failed"]) == ("partial", 1, 1)
    assert row["message"] == "Feed B: HTTP 500 for http://127.0.0.3/b.xml"


def test_a_page_that_crashed_a_stage_makes_the_run_partial(tmp_path, fake_collect):
    fake_collect.sources["Feed B"] = counts(new=2, errors=1, faults=1)
    report = run_pipeline(tmp_path / "c.db", CONFIG, analyze=False)
    assert (report.status, report.exit_code) == ("partial", 1)
    [row] = runs_rows(tmp_path / "c.db")
    assert (row["status"], row["sources_ok"], row["sources_failed"]) == ("partial", 2, 0)
    assert row["message"] == "Feed B: 1 unexpected fault(s), see fetch_errors"


def test_crashing_stage_marks_the_run_failed(tmp_path, fake_collect):
    fake_collect.raises = RuntimeError("disk on fire")
    report = run_pipeline(tmp_path / "c.db", CONFIG, analyze=False)
    assert (report.status, report.exit_code) == ("failed", 1)
    [row] = runs_rows(tmp_path / "c.db")
    assert (row["status"], row["message"]) == ("failed", "RuntimeError: disk on fire")
    assert row["finished_at"] is not None


def test_sigterm_closes_the_run_row(tmp_path, fake_collect):
    fake_collect.raises = run_module.RunInterrupted("interrupted by SIGTERM")
    report = run_pipeline(tmp_path / "c.db", CONFIG, analyze=False)
    assert report.status == "failed"
    [row] = runs_rows(tmp_path / "c.db")
    assert row["message"] == "interrupted by SIGTERM"


def test_next_run_marks_a_killed_run_failed(tmp_path, fake_collect):
    db_path = tmp_path / "c.db"
    db = open_db(db_path)
    ensure_db_shape(db)
    killed = start_run(db, "run")
    manual = start_run(db, "collect")  # a manual collect takes no lock: not ours to judge
    db.close()
    report = run_pipeline(db_path, CONFIG, analyze=False)
    assert report.abandoned == [killed]
    rows = {r["id"]: r for r in runs_rows(db_path)}
    assert rows[killed]["status"] == "failed"
    assert rows[killed]["message"].startswith(
        f"killed or crashed (pid {os.getpid()}): the run lock was free when it was still "
        f"'running'; found by run {report.run_id} at "
    )
    assert rows[manual]["status"] == "running"
    assert rows[report.run_id]["status"] == "ok"


def test_mark_abandoned_runs_leaves_finished_runs_alone(tmp_path):
    db = open_db(tmp_path / "c.db")
    ensure_db_shape(db)
    assert mark_abandoned_runs(db) == []
    run_id = start_run(db, "run")
    db["runs"].update(run_id, {"status": "ok"})
    assert mark_abandoned_runs(db) == []


def test_analysis_stage_is_called_and_counted(tmp_path, fake_collect, monkeypatch):
    seen = []

    def analyze(db, config, *, encoder=None, limit=None, progress=None):
        seen.append(encoder)
        return {"articles": 4, "labels": 31}

    module = types.ModuleType("analysis.pipeline")
    module.analyze = analyze
    monkeypatch.setitem(sys.modules, "analysis.pipeline", module)
    report = run_pipeline(tmp_path / "c.db", CONFIG, encoder="enc")
    assert seen == ["enc"]
    [row] = runs_rows(tmp_path / "c.db")
    assert (row["analyzed"], row["labels"]) == (4, 31)
    assert report.summary_lines()[-2] == "analysis: articles 4, labels 31"


# Output -------------------------------------------------------------------------------


def test_quiet_success_prints_nothing_and_log_file_appends(tmp_path, fake_collect):
    log_file = tmp_path / "run.log"
    log_file.write_text("earlier line\n", encoding="utf-8")
    args = ["run", "--db", str(tmp_path / "c.db"), "--no-analyze", "--quiet"]
    result = CliRunner().invoke(cli, [*args, "--log-file", str(log_file)])
    assert (result.exit_code, result.output) == (0, "")
    text = log_file.read_text(encoding="utf-8")
    assert text.startswith("earlier line\n")
    assert "INFO mediastance.run: run 1 started" in text
    assert "INFO mediastance.run: Feed A\t3\t1\t0\t2\t0\tok" in text
    assert "INFO mediastance.run: run 1 ok in " in text


def test_summary_without_quiet(tmp_path, fake_collect):
    result = CliRunner().invoke(cli, ["run", "--db", str(tmp_path / "c.db"), "--no-analyze"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:3] == [
        "source\tnew\tupdated\tduplicates\tskipped\terrors\tstatus",
        "Feed A\t3\t1\t0\t2\t0\tok",
        "Feed B\t2\t0\t1\t0\t0\tok",
    ]
    assert lines[3] == "analysis: skipped (--no-analyze)"
    assert lines[4].startswith("run 1 ok in ")
    assert lines[4].endswith("s: new 5, updated 1, duplicates 1, skipped 2, errors 0")


def test_unusable_db_folder_or_log_file_exits_2(tmp_path, fake_collect):
    missing = tmp_path / "nope"
    result = CliRunner().invoke(cli, ["run", "--db", str(missing / "c.db"), "--no-analyze"])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: [Errno 2] No such file or directory: '{missing}/c.db.lock' "
        "(check --db / --log-file)\n"
    )
    args = ["run", "--db", str(tmp_path / "c.db"), "--log-file", str(missing / "run.log")]
    assert CliRunner().invoke(cli, args).exit_code == 2
    assert fake_collect.calls == []


def test_config_error_exits_2(tmp_path, fake_collect):
    config = tmp_path / "bad.toml"
    config.write_text("[fetch]\ntimeout = 'slow'\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["run", "--db", str(tmp_path / "c.db"), "--config", str(config)]
    )
    assert result.exit_code == 2
    assert "[fetch].timeout must be a number >= 0.001, got 'slow'" in result.output
    assert fake_collect.calls == []


# Crash windows in the shape itself ------------------------------------------------------


def test_shape_heals_an_fts_index_a_kill_left_without_triggers(tmp_path, monkeypatch):
    # enable_fts commits the index and its triggers separately: a run killed between
    # the two left an index that never learns of new articles.
    db = open_db(tmp_path / "c.db")
    ensure_db_shape(db)
    db["articles"].insert({"id": "a1", "canonical_url": "u1", "title": "假货 old story"})
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"drop trigger [{trigger}]")
    ensure_db_shape(db)
    db["articles"].insert({"id": "a2", "canonical_url": "u2", "title": "假货打假 new story"})
    assert [r["id"] for r in search(db, "articles", "假货打")] == ["a2"]
    assert sorted(r["id"] for r in search(db, "articles", "story")) == ["a1", "a2"]
    # A healthy index is left alone, not rebuilt on every run.
    monkeypatch.setattr(type(db["articles"]), "disable_fts", None)
    ensure_db_shape(db)


# End to end: `mediastance run` in a subprocess against the loopback fixture web ------------
#
# The crash test and the reference run use every fixture source except three that only
# add waiting: the watchlist (a page that times out, retried) and two more GDELT queries
# (the collector keeps GDELT's 5 s between calls). The fault corpus test runs them all.
SLOW_SOURCES = ("watchlist", "gdelt-zh", "gdelt-bad-query")
FAILING_SOURCES = ["wire-html", "caijing-empty"]  # not a feed; empty feed


class WatchedWeb(FixtureWeb):
    """FixtureWeb that wakes waiters each time it finishes answering a request."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.answered = threading.Condition()

    def _handle(self, h, host, *, head):
        try:
            super()._handle(h, host, head=head)
        finally:
            with self.answered:
                self.answered.notify_all()

    def wait_for(
        self, predicate, proc: subprocess.Popen, *, timeout: float = 60, poll: float = 0.05
    ) -> bool:
        """Wait until ``predicate(log)`` holds; False if ``proc`` exited first."""
        deadline = time.monotonic() + timeout
        with self.answered:
            while not predicate(self.requests()):
                if proc.poll() is not None:
                    return False
                assert time.monotonic() < deadline, "fixture web: moment never came"
                self.answered.wait(poll)  # also re-checks the process (and database)
        return True


def write_run_config(web: FixtureWeb, path: Path, *, leave_out=SLOW_SOURCES, **kwargs) -> Path:
    web.write_config(path, **kwargs)
    head, *blocks = path.read_text(encoding="utf-8").split("\n[[sources]]\n")
    kept = [b for b in blocks if tomllib.loads(b)["name"] not in leave_out]
    path.write_text("\n[[sources]]\n".join([head, *kept]), encoding="utf-8")
    return path


def spawn_run(db_path: Path, config: Path, out: Path) -> subprocess.Popen:
    """``python -m mediastance.cli run`` with output to files (a full pipe would block it)."""
    cmd = [sys.executable, "-m", "mediastance.cli", "run", "--db", str(db_path)]
    cmd += ["--config", str(config), "--no-analyze"]
    with open(out.with_suffix(".out"), "wb") as stdout, open(out.with_suffix(".err"), "wb") as err:
        return subprocess.Popen(cmd, stdout=stdout, stderr=err, env=child_env(), cwd=ROOT)


def logical_urls(db_path: Path, web: FixtureWeb) -> list[str]:
    """Stored canonical URLs with 127.0.0.x:port put back to the fixture host names."""
    netlocs = {web.netloc(name): name for name in web.hosts}
    con = sqlite3.connect(db_path)
    try:
        urls = [r[0] for r in con.execute("select canonical_url from articles")]
    finally:
        con.close()
    out = []
    for url in urls:
        parts = urlsplit(url)
        out.append(url.replace(parts.netloc, netlocs.get(parts.netloc, parts.netloc), 1))
    return sorted(out)


def check_database(db_path: Path) -> dict:
    """Integrity, FTS consistency and uniqueness checks a killed run must never break."""
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("pragma integrity_check").fetchall() == [("ok",)]
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        if "articles_fts" in tables:
            con.execute("insert into articles_fts(articles_fts) values('integrity-check')")
        migrations = (
            con.execute("select count(*) from _sqlite_migrations").fetchone()[0]
            if "_sqlite_migrations" in tables
            else 0
        )
        if "articles" not in tables:
            return {"articles": 0, "migrations": migrations}
        dupes = con.execute(
            "select canonical_url, count(*) from articles group by canonical_url having count(*) > 1"
        ).fetchall()
        assert dupes == []
        articles = con.execute("select count(*) from articles").fetchone()[0]
        return {"articles": articles, "migrations": migrations}
    finally:
        con.close()


class DatasetteLikeClients:
    """While a run writes: readers as Datasette opens the file (``mode=ro``, the default
    5 s busy timeout) repeating the queries its pages make (counts, facets, full-text
    search, the runs table), and a writer taking the write lock as a correction form does."""

    QUERIES = [
        "select count(*) from articles",
        "select id, title, outlet, published from articles order by published desc limit 20",
        "select language, count(*) from articles group by language",
        "select articles.id from articles join articles_fts on articles.rowid = articles_fts.rowid"
        " where articles_fts match '\"Alibaba\"' order by rank limit 20",
        "select id from articles where title like '%假货%' or text like '%假货%' limit 20",
        "select * from runs order by id desc limit 5",
        "select * from sources",
    ]

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.stop = threading.Event()
        self.lock_errors: list[str] = []
        self.other_errors: list[str] = []
        self.rounds = 0
        self.counts_seen: set[int] = set()
        self.writes = 0
        self.max_write_wait = 0.0
        self.threads = [
            threading.Thread(target=self.read, daemon=True),
            threading.Thread(target=self.read, daemon=True),
            threading.Thread(target=self.write, daemon=True),
        ]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def failed(self, exc: sqlite3.Error) -> None:
        message = str(exc)
        if "locked" in message or "busy" in message:
            self.lock_errors.append(message)
        elif "no such table" not in message:  # the run has not created the schema yet
            self.other_errors.append(message)

    def connect(self, **kwargs) -> sqlite3.Connection | None:
        while not self.stop.is_set():
            if self.db_path.exists():
                return sqlite3.connect(self.db_path.as_uri() + kwargs.pop("mode", ""), uri=True)
            self.stop.wait(0.01)
        return None

    def read(self) -> None:
        con = self.connect(mode="?mode=ro")
        while con is not None and not self.stop.is_set():
            try:
                for sql in self.QUERIES:
                    rows = con.execute(sql).fetchall()
                    if sql == self.QUERIES[0]:
                        self.counts_seen.add(rows[0][0])
                self.rounds += 1
            except sqlite3.Error as exc:
                self.failed(exc)
                self.stop.wait(0.01)
        if con is not None:
            con.close()

    def write(self) -> None:
        con = self.connect()
        while con is not None and not self.stop.is_set():
            started = time.monotonic()
            try:
                con.execute("begin immediate")
                self.max_write_wait = max(self.max_write_wait, time.monotonic() - started)
                con.rollback()
                self.writes += 1
            except sqlite3.Error as exc:
                self.failed(exc)
            self.stop.wait(0.02)
        if con is not None:
            con.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uninterrupted run on a fresh database, with Datasette-like clients alongside;
    the loopback web stays up for the tests that run again."""
    tmp = tmp_path_factory.mktemp("reference")
    with WatchedWeb(latency=0.02) as web:
        config = write_run_config(web, tmp / "mediastance.toml")
        db_path = tmp / "coverage.db"
        with DatasetteLikeClients(db_path) as clients:
            proc = spawn_run(db_path, config, tmp / "run1")
            rc = proc.wait(timeout=120)
        yield types.SimpleNamespace(
            web=web,
            config=config,
            db_path=db_path,
            rc=rc,
            stdout=(tmp / "run1.out").read_text(encoding="utf-8"),
            stderr=(tmp / "run1.err").read_text(encoding="utf-8"),
            clients=clients,
            urls=logical_urls(db_path, web),
            counts=table_counts_of(db_path),
        )


def table_counts_of(db_path: Path) -> dict[str, int]:
    db = open_db(db_path)
    try:
        return table_counts(db)
    finally:
        db.close()


@pytest.mark.slow
def test_reference_run_stores_the_fixture_web(reference):
    assert reference.rc == 1, reference.stderr  # two fixture feeds are broken on purpose
    lines = reference.stdout.splitlines()
    assert lines[0] == "source\tnew\tupdated\tduplicates\tskipped\terrors\tstatus"
    assert "wire-html\t0\t0\t0\t0\t1\tfailed: not a feed: the body is an HTML page" in lines
    assert len(reference.urls) == len(set(reference.urls)) >= 20
    [row] = runs_rows(reference.db_path)
    assert (row["status"], row["sources_failed"], row["new"]) == ("partial", 2, row["new"])
    assert row["message"] == (
        "wire-html: not a feed: the body is an HTML page; "
        "caijing-empty: empty feed: the body has no content"
    )


@pytest.mark.slow
def test_datasette_readers_and_writers_never_see_a_locked_database(reference):
    clients = reference.clients
    assert clients.lock_errors == []
    assert clients.other_errors == []
    # The clients really ran alongside the run: they saw the article count grow.
    assert clients.rounds > 10 and clients.writes > 10
    assert len(clients.counts_seen) > 2, clients.counts_seen


@pytest.mark.slow
def test_second_run_adds_nothing(reference):
    args = ["run", "--db", str(reference.db_path), "--config", str(reference.config)]
    result = CliRunner().invoke(cli, [*args, "--no-analyze"])
    assert result.exit_code == reference.rc, result.output
    counts = table_counts_of(reference.db_path)
    for name in ("runs", "fetch_errors"):  # one more run, and its own error rows
        counts.pop(name), reference.counts.pop(name, None)
    assert counts == reference.counts
    assert logical_urls(reference.db_path, reference.web) == reference.urls
    second = runs_rows(reference.db_path)[-1]
    assert (second["new"], second["updated"], second["duplicates"]) == (0, 0, 0)
    assert second["status"] == "partial"


def count_in(db_path: Path, sql: str, params: tuple = ()) -> int:
    """One count from the database as a reader sees it now; 0 before it exists."""
    if not db_path.exists():
        return 0
    con = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchone()[0]
    except sqlite3.OperationalError:  # not a database yet, or no such table yet
        return 0
    finally:
        con.close()


def sources_done(db_path: Path, pid: int, name: str = "%") -> int:
    """Sources whose health row the run of process ``pid`` has written (0 before its row).

    A source's health is written once its pages, and those of every source before it,
    are saved. Timestamps have whole seconds: an earlier run's write in the second this
    run started counts too, which can only bring the kill earlier.
    """
    sql = (
        "select count(*) from sources where name like ? "
        "and last_checked >= (select started_at from runs where pid = ?)"
    )
    return count_in(db_path, sql, (name, pid))


# The kill moments of the crash test: (name, predicate over the fixture web's requests of
# the current run, the database and the run's pid). Each run starts over, reading every
# feed first and then fetching the pages of all sources at once, so every moment comes
# again in the next run, on a database that holds the earlier runs' work (and etags).
KILL_MOMENTS = [
    (
        "schema being created (first migration under way)",
        lambda log, db, pid: count_in(db, "select count(*) from sqlite_master") > 0,
    ),
    (
        "first feed answered, the other feeds being read",
        lambda log, db, pid: any(e["path"] == "/rss/business.xml" for e in log),
    ),
    (
        "articles being committed (3 or more), mid-source",
        lambda log, db, pid: count_in(db, "select count(*) from articles") >= 3,
    ),
    (
        "two sources done, the others' pages being fetched",
        lambda log, db, pid: sources_done(db, pid) >= 2,
    ),
    (
        "a Google News redirect answered",
        lambda log, db, pid: any(e["path"].startswith("/rss/articles/") for e in log),
    ),
    (
        # The English search's pages come first in the Google News host's queue, so the
        # Chinese search's are still to fetch.
        "the sources up to Google News (en) done, the last ones' pages being fetched",
        lambda log, db, pid: sources_done(db, pid, "google-news-en") == 1,
    ),
]


@pytest.mark.slow
def test_kill_9_at_six_moments_then_a_clean_run(reference, tmp_path):
    db_path = tmp_path / "coverage.db"
    web = reference.web
    after_kill = []
    for i, (moment, predicate) in enumerate(KILL_MOMENTS):
        seen = len(web.requests())
        proc = spawn_run(db_path, reference.config, tmp_path / f"killed{i}")
        reached = web.wait_for(
            lambda log, p=predicate, n=seen, pid=proc.pid: p(log[n:], db_path, pid),
            proc,
            poll=0.002,
        )
        assert reached, f"run finished before the moment {moment!r}"
        if i == 1:  # while this run is alive, a second one is turned away at once
            second = CliRunner().invoke(cli, ["run", "--db", str(db_path), "--no-analyze"])
            assert second.exit_code == 75
            assert f"Error: another run (pid {proc.pid}, started " in second.output
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        after_kill.append((moment, check_database(db_path)))

    final = spawn_run(db_path, reference.config, tmp_path / "final")
    assert final.wait(timeout=120) == reference.rc, (tmp_path / "final.err").read_text()
    check_database(db_path)
    assert logical_urls(db_path, web) == reference.urls
    rows = runs_rows(db_path)
    assert rows[-1]["status"] == "partial"
    assert [r["status"] for r in rows[:-1]] == ["failed"] * (len(rows) - 1)
    assert all(r["message"].startswith("killed or crashed (pid ") for r in rows[:-1])
    # The kill during schema creation may come before the run's row is written.
    assert len(KILL_MOMENTS) - 1 <= len(rows) - 1 <= len(KILL_MOMENTS)
    print("after each kill:", *after_kill, sep="\n  ")


@pytest.mark.slow
def test_fault_corpus_partial_run_records_every_fault_and_keeps_good_articles(tmp_path):
    db_path = tmp_path / "coverage.db"
    with FixtureWeb() as web:
        config = load_config(write_run_config(web, tmp_path / "m.toml", leave_out=(), timeout=1.0))
        report = run_pipeline(db_path, config, analyze=False, collect_options={"gdelt_interval": 0})
        requested = {(e["host"], e["path"].split("?")[0]) for e in web.requests()}
        manifest = web.manifest
        url = web.url
        expand = web.expand
    assert (report.status, report.exit_code) == ("partial", 1)
    assert [s.name for s in report.sources if s.failed] == [
        "wire-html",
        "caijing-empty",
        "gdelt-bad-query",
    ]
    db = open_db(db_path)
    errors = list(db.query("select * from fetch_errors where run_id = ?", [report.run_id]))
    error_urls = {e["url"] for e in errors}
    # Every page fault of the corpus (the loop's second hop is reached only by redirect).
    faults = [r for r in manifest["routes"] if r["expect"] and r["expect"].get("fetch_error")]
    for route in faults:
        if route["path"] != "/loop/b":
            assert url(route["host"], route["path"]) in error_urls, route["path"]
    # Every broken feed, by source.
    for feed in manifest["feeds"]:
        if feed["expect_error"]:
            assert feed["name"] in {e["source"] for e in errors}, feed["name"]
    # Refused, never requested: SSRF targets, a non-http scheme, a robots.txt Disallow.
    assert {"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin"} <= error_urls
    assert any(u.startswith("file:") and u.endswith("etc/passwd") for u in error_urls)
    private = url("news-en", "/private/2016/05/iacc-board-memo.html")
    assert private in error_urls and ("news-en", urlsplit(private).path) not in requested
    # Every relevant, fetchable article of the corpus is stored, once.
    stored = {r["canonical_url"] for r in db.query("select canonical_url from articles")}
    for route in manifest["routes"]:
        expect = route["expect"] or {}
        if not expect.get("relevant") or route["path"].startswith("/private/"):
            continue
        canonical = expect.get("canonical_url")
        wanted = expand(canonical) if canonical else url(route["host"], route["path"])
        assert normalize_url(wanted) in stored, route["path"]
    [row] = runs_rows(db_path)
    assert (row["status"], row["sources_failed"], row["errors"]) == ("partial", 3, len(errors))
    db.close()


def test_a_write_that_reads_first_waits_for_another_writer(tmp_path):
    # A deferred BEGIN that has read cannot wait for the write lock (SQLite returns
    # "database is locked" at once to avoid deadlock); open_db's atomic() takes the write
    # lock up front, so a run waits out a Datasette correction instead of failing.
    db = open_db(tmp_path / "c.db")
    ensure_db_shape(db)
    other = sqlite3.connect(tmp_path / "c.db", isolation_level=None, check_same_thread=False)
    other.execute("begin immediate")
    release = threading.Timer(0.3, other.execute, ["rollback"])
    release.start()
    with db.atomic():
        db.execute("select count(*) from runs").fetchall()
        db["runs"].insert({"command": "run", "status": "running"})
    release.join()
    other.close()
    assert db["runs"].count == 1


def test_a_broken_analysis_stage_fails_the_run(tmp_path, fake_collect, monkeypatch):
    monkeypatch.setitem(sys.modules, "analysis.pipeline", None)  # import → ModuleNotFoundError
    report = run_pipeline(tmp_path / "c.db", CONFIG, encoder=object())
    assert report.status == "failed"
    assert report.exit_code == 1
    assert report.errors == [
        "ModuleNotFoundError: import of analysis.pipeline halted; None in sys.modules"
    ]
    [row] = runs_rows(tmp_path / "c.db")
    assert row["status"] == "failed"


@pytest.mark.slow
def test_sigterm_from_systemd_records_the_run_as_failed(reference, tmp_path):
    db_path = tmp_path / "coverage.db"
    web = reference.web
    seen = len(web.requests())
    proc = spawn_run(db_path, reference.config, tmp_path / "term")
    assert web.wait_for(lambda log: any(e["host"] == "news-en" for e in log[seen:]), proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 1
    [row] = runs_rows(db_path)
    assert (row["status"], row["message"]) == ("failed", "interrupted by SIGTERM")
    assert row["finished_at"] is not None
    check_database(db_path)
