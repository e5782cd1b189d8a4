"""``mediastance run``: the lock, the ``runs`` bookkeeping, exit codes, and (end to end,
in subprocesses) crash safety and concurrent readers against the loopback fixture web."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from mediastance import collect as collect_module
from mediastance import run as run_module
from mediastance.cli import cli
from mediastance.config import load_config_text
from mediastance.run import RunLocked, mark_abandoned_runs, run_lock, run_pipeline
from mediastance.storage import ensure_db_shape, open_db, search, start_run

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


def counts(new=0, updated=0, duplicates=0, skipped=0, errors=0, error=None):
    """A stand-in for the collectors' per-source counts."""
    status = "error" if error else "ok"
    return types.SimpleNamespace(
        new=new,
        updated=updated,
        duplicates=duplicates,
        skipped=skipped,
        errors=errors,
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
    try:
        result = CliRunner().invoke(cli, ["run", "--db", str(db_path), "--no-analyze"])
    finally:
        holder.kill()
    assert result.exit_code == 75, result.output
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
