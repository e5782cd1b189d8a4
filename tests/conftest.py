"""Shared fixtures. Tests never touch the network: loopback servers and recorded files only."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """Keep a developer's MEDIASTANCE_* settings out of the tests."""
    for name in ("MEDIASTANCE_DB", "MEDIASTANCE_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database, built once per session by `mediastance demo --no-serve`.

    This is the real pipeline end to end: the bundled corpus served on loopback,
    collected over HTTP, analysed with the builtin encoder and committed heads, clustered.
    """
    from click.testing import CliRunner

    from mediastance.cli import cli

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--quiet", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{path.resolve()}\n"
    return path
