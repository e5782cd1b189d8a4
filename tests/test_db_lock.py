"""Every command that writes the database takes the lock ``run`` holds (issue 18).

Two ``mediastance analyze`` at once used to label every article twice; now the second
waits for the first (or gives up with exit 75 and says who holds the lock).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_analyze import ARTICLES, _hash
from test_run import LockHolder, child_env

import mediastance.run
from mediastance.cli import cli
from mediastance.core.storage import ensure_db_shape, open_db
from mediastance.run import RunLocked, lock_path_for, run_lock


def articles_db(path: Path) -> Path:
    db = open_db(path)
    ensure_db_shape(db)
    db["articles"].insert_all([{**a, "content_hash": _hash(a)} for a in ARTICLES], pk="id")
    db.close()
    return path


def wait_for(predicate, procs, what: str, limit: float = 300.0) -> None:
    """Poll until ``predicate()`` holds; fail if a process exits first or at ``limit``."""
    deadline = time.monotonic() + limit
    while not predicate():
        exited = [p.args for p in procs if p.poll() is not None]
        assert not exited, f"exited before {what}: {exited}"
        assert time.monotonic() < deadline, f"no {what} after {limit:g}s"
        time.sleep(0.05)


@pytest.mark.slow
def test_two_analyze_at_once_one_does_the_work_the_other_waits(tmp_path):
    db_path = articles_db(tmp_path / "coverage.db")
    # Both start while another process holds the lock, so both are seen waiting; when it
    # lets go they race for it, and whichever loses waits for the winner.
    holder = LockHolder(db_path)
    logs = [(tmp_path / f"out{n}.txt", tmp_path / f"err{n}.txt") for n in (1, 2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mediastance.cli", "analyze", "--db", str(db_path)],
            stdout=out.open("w"),
            stderr=err.open("w"),
            env=child_env(),
        )
        for out, err in logs
    ]
    try:
        waiting = f"waiting up to 600s for the database lock: another run (pid {holder.proc.pid}, "
        wait_for(
            lambda: all(waiting in err.read_text() for _, err in logs), procs, "waiting message"
        )
        holder.kill()
        for proc in procs:
            assert proc.wait(timeout=600) == 0, [err.read_text() for _, err in logs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    results = [
        dict(field.split("=") for field in out.read_text().strip().split("\t")) for out, _ in logs
    ]
    done = sorted(results, key=lambda counts: counts["articles"])
    assert [counts["articles"] for counts in done] == ["0", "3"]
    assert set(done[0].values()) == {"0"}  # the second found nothing left to do
    db = open_db(db_path)
    try:
        assert db["sentences"].count == int(done[1]["sentences"])
        assert db["statements"].count == int(done[1]["statements"])
    finally:
        db.close()


def test_a_writer_that_waits_too_long_exits_75_naming_the_holder(tmp_path, monkeypatch):
    db_path = articles_db(tmp_path / "coverage.db")
    monkeypatch.setattr(mediastance.run, "LOCK_WAIT", 0.3)
    holder = LockHolder(db_path)
    try:
        result = CliRunner().invoke(cli, ["collect", "--db", str(db_path)])
    finally:
        holder.kill()
    assert result.exit_code == 75, result.output
    lines = result.output.splitlines()
    prefix = f"another run (pid {holder.proc.pid}, started "
    assert lines[0].startswith(f"waiting up to 0.3s for the database lock: {prefix}")
    assert lines[1].startswith(f"Error: {prefix}")
    assert lines[1].endswith(f" holds {db_path}.lock (waited 0.3s)")
    assert len(lines) == 2, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["init"],
        ["collect"],
        ["analyze"],
        ["sources"],
        ["brief"],
        ["train", "--epochs", "1"],
        ["demo", "--no-serve"],
        ["run"],
    ],
)
def test_every_writer_is_refused_while_the_lock_is_held(tmp_path, monkeypatch, args):
    db_path = articles_db(tmp_path / "coverage.db")
    before = db_path.read_bytes()
    monkeypatch.setattr(mediastance.run, "LOCK_WAIT", 0.0)
    with run_lock(db_path, command="collect"):
        result = CliRunner().invoke(cli, [*args, "--db", str(db_path)])
    assert result.exit_code == 75, result.output
    assert result.output.splitlines()[-1].startswith("Error: mediastance collect (pid ")
    assert result.output.rstrip().endswith(f" holds {db_path}.lock")
    assert db_path.read_bytes() == before


def test_the_lock_records_the_command_and_waits_for_a_release(tmp_path):
    db_path = tmp_path / "coverage.db"
    told: list[str] = []
    with run_lock(db_path, command="analyze"):
        holder = json.loads(lock_path_for(db_path).read_text())
        assert holder["command"] == "analyze"
        with pytest.raises(RunLocked) as info:
            with run_lock(db_path, command="collect", wait=0.3, on_wait=told.append):
                pass
    assert str(info.value).startswith(f"mediastance analyze (pid {holder['pid']}, started ")
    assert str(info.value).endswith(" (waited 0.3s)")
    assert [str(t) for t in told] == [str(info.value).removesuffix(" (waited 0.3s)")]
    with run_lock(db_path, command="collect", wait=0.3) as path:  # free again
        assert json.loads(path.read_text())["command"] == "collect"
