"""End to end: ``mediastance collect`` against the recorded fixture web on 127.0.0.x.

One collect run (and a second on the same inputs) is shared by the tests of this
module; each test asserts one promise from issue 3 against the database and the
server's request log, using the manifest's ``expect`` blocks.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from fixtureweb import DEFAULT_MANIFEST, FixtureWeb

from collectors import gdelt
from collectors.normalize import article_id, normalize_url
from mediastance.cli import cli
from mediastance.core.storage import open_db

# One real collection over loopback (about 10 s) feeds every test here.
pytestmark = pytest.mark.slow

MANIFEST = json.loads(DEFAULT_MANIFEST.read_text(encoding="utf-8"))
ROUTES = MANIFEST["routes"]
ARTICLES = [r for r in ROUTES if r["expect"] and "title" in r["expect"]]
# A redirect loop is entered at its first hop; the other hops are only reached through it.
HOPS = {r["location"] for r in ROUTES if r["fault"] == "redirect_loop"}
FAULTS = [
    r for r in ROUTES if r["expect"] and "fetch_error" in r["expect"] and r["path"] not in HOPS
]
# Relevant and reachable: robots.txt keeps the collector out of /private/.
STORED = [r for r in ARTICLES if r["expect"]["relevant"] and not r["path"].startswith("/private/")]
TIMEOUT = 1.0
PER_HOST_DELAY = 0.1
USER_AGENT = "mediastance-test/1.0"
# What each manifest fault looks like in fetch_errors.error.
FAULT_TEXT = {
    "timeout": "timeout (ReadTimeout)",
    "http_404": "HTTP 404",
    "http_500": "HTTP 500",
    "too_many_redirects": "redirect loop: ",
    "too_large": "body too large: more than max_bytes 2000000 bytes",
    "truncated": "incomplete response (peer closed connection",
    "not_html": "not HTML: Content-Type application/pdf",
}
FEED_ERROR_TEXT = {
    "bozo": "ill-formed feed, 3 items recovered: <unknown>:4:36: not well-formed (invalid token)",
    "not_a_feed": "not a feed: the body is an HTML page",
    "empty": "empty feed: the body has no content",
    "not_json": "GDELT answered with text, not JSON: The specified phrase is too short.",
}
# The newsroom pages name no author; their Atom entries do, and the row keeps that.
FEED_AUTHORS = {
    "/news/2016/05/statement-on-iacc-membership.html": "Alibaba Group Corporate Affairs",
    "/zh/news/2016/05/statement-on-iacc-membership.html": "阿里巴巴集团公共事务部",
}


class Collected:
    def __init__(self, web: FixtureWeb, db_path: Path, first, second, rows_after_first):
        self.web = web
        self.db = open_db(db_path)
        self.first = first
        self.second = second
        self.rows_after_first = rows_after_first
        self.first_log = list(web.log)

    def url(self, route: dict) -> str:
        return self.web.url(route["host"], route["path"])

    def row_for(self, route: dict) -> dict | None:
        """The article fetched from this route's host and path (any query)."""
        netloc = self.web.netloc(route["host"])
        for row in self.db.query("select * from articles"):
            parts = urlsplit(row["url"])
            if parts.netloc == netloc and parts.path == route["path"]:
                return row
        return None

    def errors_for(self, route: dict) -> list[dict]:
        netloc = self.web.netloc(route["host"])
        return [
            e
            for e in self.db.query("select * from fetch_errors where run_id = 1")
            if urlsplit(e["url"]).netloc == netloc and urlsplit(e["url"]).path == route["path"]
        ]


def articles(db_path: Path) -> list[dict]:
    db = open_db(db_path)
    try:
        return list(db.query("select * from articles order by id"))
    finally:
        db.close()


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    patch = pytest.MonkeyPatch()
    patch.setattr(gdelt, "MIN_INTERVAL", 0.05)  # the real API asks for 5 s
    with FixtureWeb() as web:
        config = web.write_config(
            tmp / "mediastance.toml", per_host_delay=PER_HOST_DELAY, timeout=TIMEOUT
        )
        # One retry is enough to show transport errors are retried.
        config.write_text(config.read_text("utf-8").replace("[fetch]\n", "[fetch]\nretries = 1\n"))
        db_path = tmp / "coverage.db"
        args = ["collect", "--db", str(db_path), "--config", str(config)]
        first = CliRunner().invoke(cli, args)
        rows_after_first = articles(db_path)
        second = CliRunner().invoke(cli, args)
        yield Collected(web, db_path, first, second, rows_after_first)
    patch.undo()


def test_exit_code_and_summary_table(collected):
    assert collected.first.exit_code == 1, collected.first.output  # some sources failed
    lines = collected.first.stdout.splitlines()
    assert lines[0] == "source\tnew\tupdated\tduplicates\tskipped\terrors\tstatus"
    table = {line.split("\t")[0]: line.split("\t")[1:] for line in lines[1:]}
    assert list(table) == [feed["name"] for feed in MANIFEST["feeds"]]
    for feed in MANIFEST["feeds"]:
        status = table[feed["name"]][-1]
        failed = feed["expect_error"] in ("not_a_feed", "empty", "not_json")
        assert status == ("error" if failed else "ok"), feed["name"]


@pytest.mark.parametrize("route", STORED, ids=lambda r: r["file"])
def test_relevant_article_row(collected, route):
    expect = route["expect"]
    row = collected.row_for(route)
    assert row is not None, route["path"]
    canonical = collected.web.expand(expect["canonical_url"] or collected.url(route))
    assert {
        k: row[k] for k in ("title", "published", "language", "script", "author", "canonical_url")
    } == {
        "title": expect["title"],
        "published": expect["published"],
        "language": expect["language"],
        "script": expect["script"],
        "author": expect["author"] or FEED_AUTHORS.get(route["path"]),
        "canonical_url": canonical,
    }
    assert row["id"] == article_id(canonical)
    for sentence in expect["body_contains"]:
        assert sentence in row["text"]
    for boilerplate in expect["body_excludes"]:
        assert boilerplate not in row["text"]
    if expect["duplicate_of"]:
        original = next(r for r in ARTICLES if r["path"] == expect["duplicate_of"])
        assert row["duplicate_of"] == collected.row_for(original)["id"]
    else:
        assert row["duplicate_of"] is None


@pytest.mark.parametrize(
    "route", [r for r in ARTICLES if not r["expect"]["relevant"]], ids=lambda r: r["file"]
)
def test_irrelevant_pages_are_fetched_skipped_and_counted(collected, route):
    assert collected.web.requests(route["host"], route["path"])
    assert collected.row_for(route) is None
    run = collected.db["runs"].get(1)
    assert run["skipped"] == 2


@pytest.mark.parametrize("route", FAULTS, ids=lambda r: r["path"])
def test_faults_are_recorded(collected, route):
    errors = collected.errors_for(route)
    assert len(errors) == 1, errors
    assert errors[0]["error"].startswith(FAULT_TEXT[route["expect"]["fetch_error"]])
    assert collected.row_for(route) is None


@pytest.mark.parametrize(
    "feed", [f for f in MANIFEST["feeds"] if f["expect_error"]], ids=lambda f: f["name"]
)
def test_feed_errors_are_recorded_with_source_health(collected, feed):
    rows = list(
        collected.db.query(
            "select error, status_code from fetch_errors where run_id = 1 and source = ?",
            [feed["name"]],
        )
    )
    assert rows == [{"error": FEED_ERROR_TEXT[feed["expect_error"]], "status_code": 200}]
    health = collected.db["sources"].get(feed["name"])
    if feed["expect_error"] == "bozo":  # items were recovered: the source is alive
        # (and the second run's conditional GET found it unchanged)
        assert (health["last_status"], health["failures"]) == ("not_modified", 0)
    else:  # failed twice: once per run
        assert (health["last_status"], health["failures"]) == ("error", 2)
        assert health["last_error"] == FEED_ERROR_TEXT[feed["expect_error"]]


def test_ssrf_links_refused_never_requested(collected):
    refused = {
        e["url"]: e["error"]
        for e in collected.db.query(
            "select url, error from fetch_errors where run_id = 1 and source = 'ledger-business'"
        )
    }
    assert refused["http://169.254.169.254/latest/meta-data/"] == (
        "refused: 169.254.169.254 is a private, loopback, link-local or reserved address "
        "(169.254.169.254)"
    )
    assert refused["http://10.0.0.1/admin"] == (
        "refused: 10.0.0.1 is a private, loopback, link-local or reserved address (10.0.0.1)"
    )
    assert any(e.startswith("refused: scheme 'file'") for e in refused.values())
    logged = {urlsplit(e["path"]).path for e in collected.web.log}
    assert not logged & {"/latest/meta-data/", "/admin", "/etc/passwd"}


def test_robots_disallowed_url_never_requested(collected):
    route = next(r for r in ARTICLES if r["path"].startswith("/private/"))
    assert collected.web.requests(route["host"], route["path"]) == []
    assert [e["error"] for e in collected.errors_for(route)] == [
        f"refused: robots.txt disallows {route['path']}"
    ]


def test_retry_after_is_honoured_then_the_page_is_stored(collected):
    route = next(r for r in ARTICLES if r["fault"] == "retry_after")
    first, second = collected.web.requests(route["host"], route["path"])[:2]
    assert (first["status"], second["status"]) == (429, 200)
    assert second["start"] - first["end"] >= 1.0  # Retry-After: 1
    assert collected.row_for(route)["title"] == route["expect"]["title"]


def test_google_news_items_kept_when_the_page_cannot_be_resolved(collected):
    rows = {
        r["title"]: r for r in collected.db.query("select * from articles where extractor = 'feed'")
    }
    tiffany = rows["Tiffany objects to Alibaba's role in anti-fake group"]
    link = collected.web.url(
        "gnews",
        "/rss/articles/CBMiR2h0dHBzOi8vZmFzaGlvbnRyYWRlZGFpbHkuZXhhbXBsZS8yMDE2LzA1L3RpZmZhbnktb2J"
        "qZWN0cy1hbGliYWJhLWlhY2Mv0gEA?oc=5",
    )
    assert {k: tiffany[k] for k in ("url", "canonical_url", "outlet", "published", "source")} == {
        "url": link,
        "canonical_url": normalize_url(link),
        "outlet": "Fashion Trade Daily",
        "published": "2016-05-13",
        "source": "google-news-en",
    }
    assert len(rows) == 5  # three English and two Chinese interstitials


ABANDON_SLACK_S = 0.1


def test_every_request_is_polite(collected):
    assert {e["headers"]["User-Agent"] for e in collected.first_log} == {USER_AGENT}
    slow = {r["path"] for r in ROUTES if r["fault"] == "slow"}
    by_host: dict[str, list[dict]] = {}
    for entry in collected.first_log:
        by_host.setdefault(entry["host"], []).append(entry)
    for host, entries in by_host.items():
        entries.sort(key=lambda e: e["start"])
        for before, after in zip(entries, entries[1:], strict=False):
            # A slow page is abandoned by the client at its timeout; the server thread
            # keeps sleeping, but nothing of ours is in flight any more. The client's
            # timeout clock starts when it sends, before the server stamps "start" (tens
            # of ms later on a loaded machine), hence the slack on that bound only. A
            # request still being answered when the log was read has no "end" yet.
            end = math.inf if before["end"] is None else before["end"]
            if urlsplit(before["path"]).path in slow:
                end = min(end, before["start"] + TIMEOUT - ABANDON_SLACK_S)
            assert after["start"] >= end, (host, before["path"], after["path"])


def test_second_run_adds_no_rows(collected):
    assert collected.second.exit_code == 1
    assert articles(Path(collected.db.conn.execute("pragma database_list").fetchone()[2])) == (
        collected.rows_after_first
    )
    runs = list(collected.db.query("select id, command, status, new, updated from runs"))
    assert [(r["command"], r["status"]) for r in runs] == [
        ("collect", "partial"),
        ("collect", "partial"),
    ]
    assert (runs[1]["new"], runs[1]["updated"]) == (0, 0)
    assert runs[0]["new"] > 20
