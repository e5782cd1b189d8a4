"""Headless Chromium (the system's Debian build) against a real Datasette on loopback.

Screenshots go to the test's temporary folder, or to $MEDIASTANCE_SCREENSHOTS when set
(to look at them, or to refresh the README's dashboard picture, docs/dashboard.png).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from mediastance.serve import build_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without these Chromium keeps trying to reach Google's hosts on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian chromium not installed (.ci/run installs it)"
    ),
    pytest.mark.slow,
]


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("MEDIASTANCE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def datasette_url(demo_db):
    server = build_server(demo_db, host="127.0.0.1", port=0)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port, bound before the server thread starts
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    # uvicorn flips server.started once it accepts connections; wait on that, not a sleep.
    while not server.started and thread.is_alive():
        started.wait(0.02)
    assert server.started, "Datasette did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url)
    return page, errors


VEGA_CHARTS = {
    "overview": ("tone-over-time", "share-of-voice", "stance-by-outlet"),
    "stories": ("stories-timeline", "framing-words"),
}
METRICS = {
    "overview": ("articles-count", "statements-count"),
    "stories": ("stories-count", "statement-pairs-count"),
}


def test_dashboards_render_their_charts(browser, datasette_url, screenshots):
    for slug, charts in VEGA_CHARTS.items():
        page, errors = open_page(browser, f"{datasette_url}/-/dashboards/{slug}")
        for chart in charts:
            page.wait_for_selector(f"#chart-{chart} svg, #chart-{chart} canvas", timeout=30_000)
        for metric in METRICS[slug]:
            page.wait_for_function(
                f"/^[0-9]+$/.test(document.querySelector('#chart-{metric}').innerText.trim())",
                timeout=30_000,
            )
            assert int(page.inner_text(f"#chart-{metric}").strip()) > 0, metric
        page.screenshot(path=str(screenshots / f"dashboard-{slug}.png"), full_page=True)
        assert errors == [], slug


def test_canned_query_pages_show_rows(browser, datasette_url, screenshots):
    page, errors = open_page(
        browser,
        f"{datasette_url}/mediastance/statements_by_organisation?organisation=Alibaba",
    )
    table = page.inner_text("table.rows-and-columns")
    assert "被个别企业的私利绑架" in table
    assert "a step in the wrong direction and regrettable" in table
    page.screenshot(path=str(screenshots / "statements_by_organisation.png"), full_page=True)
    page, more_errors = open_page(browser, f"{datasette_url}/mediastance/search_articles?q=假货")
    assert "淘宝" in page.inner_text("table.rows-and-columns")
    assert errors + more_errors == []
