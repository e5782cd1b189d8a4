"""Small helpers shared by the benchmark scripts: timing, medians, peak memory, output.

Every figure a benchmark reports is either a ratio against a baseline measured in the
same process (the build machines are shared and noisy) or an absolute time next to the
goal it is checked against. Nothing here asserts: benchmarks measure and report.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def say(message: str) -> None:
    """Progress to stderr (stdout carries the table or the JSON)."""
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024


def current_rss_mb() -> float:
    """Resident set size now, from /proc (falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def median_ms(func: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``func`` in milliseconds after ``warmup`` discarded calls."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        seconds, _ = timed(func)
        times.append(seconds * 1000)
    return statistics.median(times)


def run_json(args: list[str], *, timeout: float | None = None) -> dict[str, Any]:
    """Run a benchmark script in a fresh Python process (own peak RSS); parse its JSON."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        timeout=timeout,
        check=True,
        text=True,
    )
    return json.loads(done.stdout)


def machine() -> dict[str, Any]:
    import platform

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": cpus,
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
