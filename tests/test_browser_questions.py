"""The four questions, walked click by click from the home page in headless Chromium.

Each walk starts on the home page and counts its clicks (choosing from a list counts as
one; typing into a field does not): every question is answered within three. Screenshots
go to the test's temporary folder, or to $MEDIASTANCE_SCREENSHOTS when set: the README's
pictures are refreshed with MEDIASTANCE_SCREENSHOTS=docs (docs/question-*.png). Every page
is also checked for console errors and warnings: vega-embed warns when a spec's Vega-Lite
version is not the bundled runtime's, and Vega-Lite when a chart cannot be drawn as asked.
"""

from __future__ import annotations

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, datasette_url, screenshots  # noqa: F401

MAX_CLICKS = 3

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian chromium not installed (.ci/run installs it)"
    ),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Walk:
    """A visit from the home page: clicks counted, console errors and warnings kept."""

    def __init__(self, browser, base: str, folder=None):
        self.folder = folder
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.console: list[str] = []
        self.page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))
        self.page.on(
            "console",
            lambda msg: (
                self.console.append(f"{msg.type}: {msg.text}")
                if msg.type in ("error", "warning")
                else None
            ),
        )
        self.clicks = 0
        self.page.goto(base + "/")

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)
        self.page.wait_for_load_state()

    def choose(self, selector: str, value: str) -> None:
        self.clicks += 1
        self.page.select_option(selector, value)

    def type(self, name: str, value: str) -> None:
        self.page.fill(f"form input[name={name}]", value)

    def column(self, name: str) -> list[str]:
        return [
            cell.inner_text().strip()
            for cell in self.page.query_selector_all(f"table.rows-and-columns td.col-{name}")
        ]

    def done(self, screenshot: str | None = None) -> None:
        if screenshot:
            # The question, its form and the first rows of the answer: a small picture.
            area = {"x": 0, "y": 0, "width": 1280, "height": 1100}
            self.page.screenshot(path=str(self.folder / screenshot), full_page=True, clip=area)
        assert self.clicks <= MAX_CLICKS, self.clicks
        assert self.console == [], self.console
        self.page.close()


def test_q1_chinese_vs_english_coverage_of_a_target(chromium, datasette_url, screenshots):  # noqa: F811
    walk = Walk(chromium, datasette_url, screenshots)
    walk.click("#en_vs_zh-range")
    walk.type("target", "阿裏巴巴")  # Traditional script: still Alibaba
    walk.type("start", "2016-05-01")
    walk.type("end", "2016-05-31")
    walk.click("form.sql input[type=submit]")
    assert walk.page.title() == "Q1 · How did Chinese vs English coverage of a target differ?"
    assert walk.column("language") == ["English", "中文", "zh − en"]  # codes as names
    assert set(walk.column("period")) == {"2016-05-01 to 2016-05-31"}
    articles = [int(n) for n in walk.column("articles")[:2]]
    assert min(articles) > 0
    walk.done("question-1-en-vs-zh.png")


def test_q2_who_said_what_about_us(chromium, datasette_url, screenshots):  # noqa: F811
    walk = Walk(chromium, datasette_url, screenshots)
    walk.click("#who_said_what-range")
    walk.type("target", "taobao")
    walk.type("start", "2016-05-01")
    walk.type("end", "2016-05-31")
    walk.click("form.sql input[type=submit]")
    stances = walk.column("stance_toward_target")
    assert stances[0] == "against"
    assert "unattributed" in walk.column("organisation")
    assert all(day.startswith("2016-05-") for day in walk.column("published_day"))
    assert all(url.startswith("http") for url in walk.column("url"))
    assert walk.page.query_selector("table.rows-and-columns td.col-url a") is not None
    walk.done("question-2-who-said-what.png")


def test_q3_trending_stories_and_their_timeline(chromium, datasette_url, screenshots):  # noqa: F811
    walk = Walk(chromium, datasette_url, screenshots)
    walk.click("#trending-latest")
    assert set(walk.column("period")) == {"2020-06-19 to 2020-06-25"}
    assert set(walk.column("language")) == {"English", "中文"}
    changes = [int(n) for n in walk.column("change")]
    assert changes == sorted(changes, reverse=True)
    walk.done("question-3-trending.png")

    walk = Walk(chromium, datasette_url, screenshots)
    walk.click("#trending-dashboard")
    walk.choose("select#as_of", "newest article")
    walk.click(".dashboard-filters input[type=submit]")
    for chart in ("trending-timeline", "trending-change", "tone-by-day"):
        walk.page.wait_for_selector(f"#chart-{chart} svg, #chart-{chart} canvas", timeout=30_000)
    walk.page.wait_for_function(
        "document.querySelector('#chart-period').innerText.includes('2020-06-25')",
        timeout=30_000,
    )
    # One circle per story, day and language: the one- and two-day stories are visible.
    dots = walk.page.query_selector_all("#chart-trending-timeline path[aria-roledescription]")
    assert len(dots) >= 9
    walk.done("question-3-timeline.png")


def test_q4_most_hostile_statement_this_week(chromium, datasette_url, screenshots):  # noqa: F811
    walk = Walk(chromium, datasette_url, screenshots)
    walk.click("#most_hostile-latest")
    tones = [float(t) for t in walk.column("tone")]
    assert tones == sorted(tones)
    assert len(set(tones[:5])) == 5  # graded, not a tie at -1.0
    assert set(walk.column("published_day")) <= {f"2020-06-{d}" for d in range(19, 26)}
    walk.done("question-4-most-hostile.png")


def test_an_empty_answer_says_why(chromium, datasette_url):  # noqa: F811
    walk = Walk(chromium, datasette_url)
    walk.click("#who_said_what-30")
    (why,) = walk.column("statement")
    assert why.startswith("No statements about Alibaba from ")
    assert "The newest article in the database is from 2020-06-25" in why
    walk.done()


@pytest.mark.parametrize("slug", ["overview", "stories", "trending"])
def test_dashboards_render_without_console_warnings(chromium, datasette_url, slug):  # noqa: F811
    walk = Walk(chromium, datasette_url)
    walk.page.goto(f"{datasette_url}/-/dashboards/{slug}?as_of=newest+article")
    walk.page.wait_for_selector(".dashboard-card-chart svg", timeout=30_000)
    walk.page.wait_for_load_state("networkidle")
    walk.done()
