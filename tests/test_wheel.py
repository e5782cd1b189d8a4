"""A normal (non-editable) install works: build the wheel, install it with its
dependencies into a brand-new virtual environment, and from an empty folder run
`mediastance demo --no-serve`, `mediastance serve` (one page answered) and
`mediastance export`.

datasette-metadata.json stays at the top of the repository; the wheel carries a copy
(setup.py's build step), and the installed package must read that copy.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from analysis.encoder_build import default_cache_dir

pytestmark = pytest.mark.slow  # a pip install with every dependency, then the demo

ROOT = Path(__file__).resolve().parent.parent
# What the build needs: the packages and the files pyproject.toml / setup.py name.
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"]
SOURCES += ["datasette-metadata.json", "mediastance", "collectors", "analysis"]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel built from a copy of the sources, installed into a fresh venv."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    dist = base / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src))
    (wheel,) = dist.glob("mediastance-*.whl")
    venv = base / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    started = time.monotonic()
    # A real install, dependencies and all, as `pip install mediastance-….whl` on a new
    # machine (pip's cache, if any, only saves downloads).
    run(str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel))
    print(f"wheel install with dependencies: {time.monotonic() - started:.0f} s")
    empty = base / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIASTANCE_", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["MEDIASTANCE_CACHE"] = str(default_cache_dir())  # the encoder built by other tests
    return {"wheel": wheel, "venv": venv, "cwd": empty, "env": env}


def mediastance(installed: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    exe = str(installed["venv"] / "bin" / "mediastance")
    return run(exe, *args, cwd=installed["cwd"], env=installed["env"], **kwargs)


def test_the_wheel_carries_the_top_level_metadata(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = wheel.namelist()
        packaged = wheel.read("mediastance/datasette-metadata.json")
    assert packaged == (ROOT / "datasette-metadata.json").read_bytes()
    assert "mediastance/core/default_config.toml" in names
    assert any(n.startswith("analysis/heads/") for n in names)
    assert any(n.startswith("mediastance/demo/corpus/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith("/LICENSE") for n in names)


def test_installed_package_runs_demo_serve_and_export(installed):
    python = str(installed["venv"] / "bin" / "python")
    where = run(
        python,
        "-c",
        "import mediastance, mediastance.serve as s; print(mediastance.__file__); "
        "print(s.metadata_path())",
        cwd=installed["cwd"],
        env=installed["env"],
    ).stdout.split()
    site = str(installed["venv"])
    assert where[0].startswith(site) and where[1].startswith(site), where  # not the checkout

    result = mediastance(installed, "demo", "--no-serve", "--quiet", timeout=900)
    db = installed["cwd"] / "mediastance-demo.db"
    assert result.stdout == f"{db}\n"

    port = free_port()
    server = subprocess.Popen(
        [str(installed["venv"] / "bin" / "mediastance"), "serve", "--port", str(port)]
        + ["--db", str(db), "--quiet"],
        cwd=installed["cwd"],
        env=installed["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/mediastance.json"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    page = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "serve did not answer in 120 s"
                time.sleep(0.2)
        # The canned queries come from the packaged datasette-metadata.json.
        assert "share_of_voice" in {q["name"] for q in page["queries"]}
        assert "articles" in {t["name"] for t in page["tables"]}
    finally:
        server.terminate()
        server.wait(timeout=30)

    out = installed["cwd"] / "share.csv"
    mediastance(
        installed, "export", "--db", str(db), "--query", "share_of_voice", "-o", str(out), "-q"
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "day,target,articles,mentions,share_of_day"
    assert len(lines) > 5
