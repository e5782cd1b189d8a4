"""Bad input on the command line: one line naming the problem and what to do, exit code 2.

Each case a newcomer met is here: a mistyped --db, an output path that cannot be
written, a port in use, a read-only folder, target aliases, non-SELECT SQL, a non-UTF-8
line, failure counts, the demo's default database. README § "Exit codes" documents them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_datasette import labeled_db

from analysis.tagging import RecordError, read_records
from mediastance.cli import cli
from mediastance.core.config import load_config
from mediastance.core.storage import ensure_db_shape, open_db
from mediastance.serve import load_metadata

TARGETS = load_config().targets


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_error_line(result) -> str:
    """The output of a failed command: exactly one line, an Error:, no traceback."""
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert result.output.count("\n") == 1 and result.output.startswith("Error: "), result.output
    return result.output.rstrip("\n")


# ----------------------------------------------------------------------- a mistyped --db


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--query", "select 1"],
        ["serve", "--port", "0"],
        ["analyze"],
        ["sources"],
    ],
)
def test_reading_commands_refuse_a_database_that_does_not_exist(tmp_path, command):
    typo = tmp_path / "coverag.db"
    line = one_error_line(invoke(command[0], "--db", str(typo), *command[1:]))
    assert line == (
        f"Error: {typo}: no such database; check --db / MEDIASTANCE_DB, "
        f"or create it with `mediastance init --db {typo}`"
    )
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_env_db_typo_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIASTANCE_DB", str(tmp_path / "typo.db"))
    line = one_error_line(invoke("sources"))
    assert "typo.db: no such database" in line
    assert not (tmp_path / "typo.db").exists()


def test_init_still_creates_the_database(tmp_path):
    path = tmp_path / "new.db"
    result = invoke("init", "--db", str(path), "--quiet")
    assert result.exit_code == 0, result.output
    assert path.exists()
    assert invoke("sources", "--db", str(path)).exit_code == 0


# ---------------------------------------------------------------- unwritable output paths


def test_export_to_a_missing_folder(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    out = tmp_path / "no" / "such" / "out.csv"
    line = one_error_line(invoke("export", "--db", str(db), "--query", "select 1", "-o", str(out)))
    assert line == (
        f"Error: {out}: cannot write (folder {out.parent} does not exist); "
        "choose another -o/--output path"
    )


def test_export_through_a_file_used_as_a_folder(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    (tmp_path / "notes.txt").write_text("x")
    out = tmp_path / "notes.txt" / "out.csv"
    line = one_error_line(invoke("export", "--db", str(db), "--query", "select 1", "-o", str(out)))
    assert line.startswith(f"Error: {out}: cannot write (folder ")
    assert line.endswith("choose another -o/--output path")


def test_tag_output_is_checked_before_the_model_loads(tmp_path, monkeypatch):
    import analysis.labels

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded before the output path was checked")

    monkeypatch.setattr(analysis.labels, "load_labeler", no_model)
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "Alibaba sues sellers."}\n', encoding="utf-8")
    out = tmp_path / "missing" / "out.jsonl"
    line = one_error_line(invoke("tag", "--input", str(source), "--output", str(out)))
    assert line == (
        f"Error: {out}: cannot write (folder {out.parent} does not exist); "
        "choose another --output path"
    )


# ------------------------------------------------------------------------- a port in use


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_on_a_port_in_use(tmp_path, busy_port):
    db = labeled_db(tmp_path / "m.db")
    line = one_error_line(invoke("serve", "--db", str(db), "--port", str(busy_port)))
    assert line == (
        f"Error: port {busy_port} on 127.0.0.1 is already in use (another serve or demo?); "
        f"choose another with --port, e.g. --port {busy_port + 1}"
    )


def test_demo_checks_the_port_before_running_the_pipeline(tmp_path, busy_port):
    db = tmp_path / "demo.db"
    line = one_error_line(invoke("demo", "--db", str(db), "--port", str(busy_port)))
    assert f"port {busy_port} on 127.0.0.1 is already in use" in line
    assert "--port" in line
    assert not db.exists()  # refused before anything was collected


# ------------------------------------------------------------------- a read-only folder


def run_in_readonly_folder(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`mediastance ARGS` with ``folder`` mounted read-only (a real EROFS, even for root).

    A user and mount namespace of its own (util-linux `unshare`) bind-mounts the folder
    read-only over itself; without one, a non-root user's chmod does the same.
    """
    command = [sys.executable, "-c", "from mediastance.cli import main; main()", *args]
    if (
        shutil.which("unshare")
        and subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
    ):
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
        command = ["unshare", "-rm", "sh", "-c", script, "sh", str(folder), *command]
    elif os.getuid() != 0:
        folder.chmod(0o555)
    else:
        pytest.skip("needs `unshare -rm` (user namespaces) or a non-root user")
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("state", ["new", "closed", "open elsewhere"])
def test_a_read_only_folder_says_so(tmp_path, state):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "m.db"
    other = None
    if state != "new":
        other = open_db(db)
        ensure_db_shape(other)
        if state == "closed":
            other.close()  # the last connection removes m.db-wal and m.db-shm
    args = ["sources", "--db", str(db)] if state != "new" else ["init", "--db", str(db)]
    try:
        result = run_in_readonly_folder(folder, *args)
    finally:
        if other is not None:
            other.close()
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"Error: {db}: folder {folder} is read-only, and SQLite creates m.db, m.db-wal and "
        "m.db-shm there; use a writable folder (copy the database there)\n"
    )


def test_export_into_a_read_only_folder(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    folder = tmp_path / "ro"
    folder.mkdir()
    out = folder / "out.csv"
    result = run_in_readonly_folder(
        folder, "export", "--db", str(db), "--query", "select 1", "-o", str(out)
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"Error: {out}: cannot write (folder {folder} is not writable); "
        "choose another -o/--output path\n"
    )


# ----------------------------------------------------------------------- tag's targets


@pytest.mark.parametrize(
    "given", ["Alibaba", "alibaba", "ALIBABA", "Taobao", "淘宝", "淘寶", "天猫"]
)
def test_tag_accepts_a_targets_aliases(tmp_path, given):
    path = tmp_path / "in.jsonl"
    record = {"id": 1, "text": "淘宝下架假货。", "target": given}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_records(path, TARGETS)[0]["target"] == "Alibaba"


def test_an_unknown_target_is_still_refused(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "x", "target": "Etsy"}\n', encoding="utf-8")
    with pytest.raises(RecordError, match=r"^line 1: unknown target 'Etsy' \(configured: "):
        read_records(path, TARGETS)


# ----------------------------------------------------------------------- export's SQL


def test_export_allows_only_a_single_select(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    before = _dump(db)
    for sql in (
        "delete from articles",
        "DELETE FROM articles WHERE 1",
        "with x as (select 1) delete from articles",
        "select 1; delete from articles",
        "drop table articles",
        "attach database 'other.db' as other",
    ):
        line = one_error_line(invoke("export", "--db", str(db), "--query", sql))
        assert line == "Error: only a single SELECT is allowed (or a canned query name)", sql
    assert _dump(db) == before


def _dump(path: Path) -> list[str]:
    """The database's schema and rows as SQL: its content, whatever the WAL checkpoints
    (comparing the file's bytes failed whenever a connection's close wrote the WAL back)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_export_sql_typo_gives_sqlites_syntax_error(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    line = one_error_line(invoke("export", "--db", str(db), "--query", "selct * from articles"))
    assert line == 'Error: SQL error: near "selct": syntax error'


def test_export_error_on_a_later_row_is_one_line(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    sql = (
        "select id, json_extract(case when id = 'zh2' then 'bad' else '{}' end, '$.a') "
        "from articles order by id"
    )
    out = tmp_path / "o.csv"
    result = invoke("export", "--db", str(db), "--query", sql, "-o", str(out))
    assert one_error_line(result) == "Error: SQL error: malformed JSON"


def test_every_canned_read_query_still_exports(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    queries = load_metadata()["databases"]["mediastance"]["queries"]
    names = [name for name, query in queries.items() if not query.get("write")]
    assert len(names) >= 10
    for name in names:
        result = invoke("export", "--db", str(db), "--query", name, "--quiet")
        assert result.exit_code == 0, (name, result.output)


# ------------------------------------------------------------------- a non-UTF-8 line


def test_non_utf8_error_names_the_right_line(tmp_path):
    path = tmp_path / "in.jsonl"
    good = '{"id": %d, "text": "Alibaba removes counterfeit listings again."}\n'
    lines = [(good % i).encode() for i in range(1, 400)]  # ~20 kB: past any read-ahead
    lines.append('{"id": 400, "text": "假货"}\n'.encode("gb18030"))
    lines += [(good % i).encode() for i in range(401, 450)]
    path.write_bytes(b"".join(lines))
    with pytest.raises(RecordError) as exc:
        read_records(path, TARGETS)
    assert str(exc.value) == (
        "line 400: not UTF-8 text (byte 0xbc at byte 22 of the line); save the file as UTF-8"
    )
    result = invoke("tag", "--input", str(path))
    assert one_error_line(result) == f"Error: {path}: {exc.value}"


# ------------------------------------------------------------------------------ sources


def test_sources_prints_failures_as_integers(tmp_path):
    db_path = tmp_path / "m.db"
    assert invoke("init", "--db", str(db_path), "--quiet").exit_code == 0
    db = open_db(db_path)
    name = load_config().sources[0].name
    db["sources"].update(name, {"failures": 3, "last_status": "error"})
    db.close()
    result = invoke("sources", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines[0].split("\t")
    row = next(line.split("\t") for line in lines[1:] if line.startswith(name + "\t"))
    assert row[header.index("failures")] == "3"
    assert all(line.split("\t")[header.index("failures")].isdigit() for line in lines[1:])


# ------------------------------------------------------------------------- demo --help


def test_demo_help_shows_its_own_default_database(monkeypatch):
    monkeypatch.setenv("MEDIASTANCE_DB", "/srv/real/coverage.db")
    result = invoke("demo", "--help")
    assert result.exit_code == 0
    assert "[default: mediastance-demo.db]" in " ".join(result.output.split())
    assert "coverage.db" not in result.output
    assert "[default: mediastance.db]" in " ".join(invoke("export", "--help").output.split())


def test_serve_reports_a_port_taken_after_the_check(tmp_path, busy_port):
    from mediastance.serve import ServeError, serve

    db = labeled_db(tmp_path / "m.db")
    with pytest.raises(ServeError) as exc:
        serve(db, port=busy_port)  # the library call: no check_port before it
    assert str(exc.value) == (
        f"Datasette could not start on 127.0.0.1:{busy_port}; try another --port"
    )
