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
