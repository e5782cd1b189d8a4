"""collect() on MockTransport and an in-memory database: rows, counts, health, re-runs."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from collectors.collect import collect
from collectors.dedup import Deduper
from collectors.normalize import article_id, normalize_url
from collectors.relevance import RelevanceMatcher
from collectors.save import SourceOrderSaver
from collectors.sources import SourceCounts, UnknownSource
from mediastance.core.config import load_config_text
from mediastance.core.storage import ensure_db_shape, open_db

BODY_EN = (
    "Alibaba said on Friday that it would remove listings of counterfeit handbags from "
    "Taobao after brands complained. The company said it had closed thousands of stores. "
) * 3
BODY_ZH = "阿里巴巴周五表示，将下架淘宝平台上的假冒手袋商品。该公司称已经关闭了数千家店铺。" * 6

CONFIG = """
[fetch]
per_host_delay = 0
concurrency = 1  # pages in feed order: the copy is saved before its original arrives
retries = 0
allowed_private_networks = ["127.0.0.0/8"]
user_agent = "mediastance-test/1.0"

[[sources]]
name = "Ledger"
kind = "rss"
url = "http://127.0.0.2/rss.xml"
language = "en"

[[sources]]
name = "Broken"
kind = "rss"
url = "http://127.0.0.3/rss.xml"
language = "en"
"""


def page(title: str, body: str, date: str = "2016-05-13", lang: str = "en") -> str:
    paragraphs = "".join(f"<p>{s}.</p>" for s in body.split(". ") if s)
    return (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{date}">'
        '<meta property="og:site_name" content="Global Trade Ledger"></head>'
        f"<body><nav>Home | World</nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>All rights reserved.</footer></body></html>"
    )


def rss(*links: str) -> str:
    items = "".join(
        f"<item><title>t{i}</title><link>{link}</link>"
        "<pubDate>Sat, 14 May 2016 02:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger</title>{items}</channel></rss>'


class Site:
    def __init__(self) -> None:
        self.pages = {
            "/a.html": page("Alibaba removes fake handbags", BODY_EN),
            "/copy.html": page("Wire: Alibaba pulls fake bags", BODY_EN, date="2016-05-14"),
            "/zh.html": page("阿里巴巴下架假冒手袋", BODY_ZH, lang="en"),
            "/football.html": page("Late header wins the cup", "The home side won 2-1 " * 20),
        }
        self.feed = rss(
            "http://127.0.0.2/copy.html?utm_source=rss",
            "http://127.0.0.2/a.html?utm_source=rss#top",
            "http://127.0.0.2/zh.html",
            "http://127.0.0.2/football.html",
            "http://127.0.0.2/missing.html",
            "http://10.0.0.1/admin",
        )
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        path = request.url.path
        if request.url.host == "127.0.0.3":
            if path == "/rss.xml":
                return httpx.Response(200, text="<html><body>moved</body></html>")
            return httpx.Response(404)
        if path == "/rss.xml":
            if request.headers.get("If-None-Match") == '"v1"':
                return httpx.Response(304)
            return httpx.Response(200, text=self.feed, headers={"ETag": '"v1"'})
        if path in self.pages:
            return httpx.Response(
                200, text=self.pages[path], headers={"Content-Type": "text/html; charset=utf-8"}
            )
        return httpx.Response(404)


@pytest.fixture
def site():
    return Site()


@pytest.fixture
def db():
    database = open_db(memory=True)
    ensure_db_shape(database)
    return database


def run(db, site, **kwargs):
    client = httpx.Client(transport=httpx.MockTransport(site))
    return collect(db, load_config_text(CONFIG), client=client, **kwargs)


def test_collect_rows_counts_errors_and_health(db, site):
    summary = run(db, site)
    ledger = summary.sources["Ledger"]
    assert (ledger.new, ledger.updated, ledger.duplicates, ledger.skipped, ledger.errors) == (
        2,
        0,
        1,
        1,
        2,
    )
    assert summary.sources["Broken"].status == "error"
    assert summary.status == "partial"
    rows = {r["canonical_url"]: r for r in db.query("select * from articles")}
    assert sorted(rows) == [
        "http://127.0.0.2/a.html",
        "http://127.0.0.2/copy.html",
        "http://127.0.0.2/zh.html",
    ]
    original = rows["http://127.0.0.2/a.html"]
    assert original["id"] == article_id("http://127.0.0.2/a.html")
    assert (original["title"], original["published"], original["outlet"]) == (
        "Alibaba removes fake handbags",
        "2016-05-13",
        "Global Trade Ledger",
    )
    assert original["duplicate_of"] is None
    # The copy arrived first in the feed but was published later: it points at the original.
    assert rows["http://127.0.0.2/copy.html"]["duplicate_of"] == original["id"]
    zh = rows["http://127.0.0.2/zh.html"]
    assert (zh["language"], zh["script"]) == ("zh", "Hans")  # the text beats lang="en"
    errors = list(db.query("select source, url, error, status_code from fetch_errors order by id"))
    assert sorted(errors, key=lambda e: e["url"]) == [
        {
            "source": "Ledger",
            "url": "http://10.0.0.1/admin",
            "error": "refused: 10.0.0.1 is a private, loopback, link-local or reserved address (10.0.0.1)",
            "status_code": None,
        },
        {
            "source": "Ledger",
            "url": "http://127.0.0.2/missing.html",
            "error": "HTTP 404",
            "status_code": 404,
        },
        {
            "source": "Broken",
            "url": "http://127.0.0.3/rss.xml",
            "error": "not a feed: the body is an HTML page",
            "status_code": 200,
        },
    ]
    assert "http://10.0.0.1/admin" not in site.requests
    health = {r["name"]: r for r in db.query("select * from sources")}
    assert (health["Ledger"]["last_status"], health["Ledger"]["failures"]) == ("ok", 0)
    assert health["Ledger"]["etag"] == '"v1"'
    assert (health["Broken"]["last_status"], health["Broken"]["failures"]) == ("error", 1)
    assert health["Broken"]["last_error"] == "not a feed: the body is an HTML page"
    run_row = db["runs"].get(summary.run_id)
    assert {k: run_row[k] for k in ("status", "new", "duplicates", "skipped", "errors")} == {
        "status": "partial",
        "new": 2,
        "duplicates": 1,
        "skipped": 1,
        "errors": 3,
    }
    assert (run_row["sources_ok"], run_row["sources_failed"]) == (1, 1)


def test_second_run_is_conditional_and_adds_nothing(db, site):
    run(db, site)
    before = list(db.query("select * from articles order by id"))
    summary = run(db, site)
    assert summary.sources["Ledger"].status == "not_modified"
    assert list(db.query("select * from articles order by id")) == before
    health = db["sources"].get("Broken")
    assert health["failures"] == 2  # one more failed check


def test_changed_content_updates_the_row_and_only_then(db, site):
    run(db, site)
    row = db["articles"].get(article_id("http://127.0.0.2/a.html"))
    db.execute("update sources set etag = null")  # force a full fetch
    site.pages["/a.html"] = page("Alibaba removes fake handbags (updated)", BODY_EN)
    summary = run(db, site)
    assert summary.sources["Ledger"].updated == 1
    assert summary.sources["Ledger"].new == 0
    updated = db["articles"].get(row["id"])
    assert updated["title"] == "Alibaba removes fake handbags (updated)"
    assert updated["fetched_at"] == row["fetched_at"]
    assert db["articles"].count == 3


def test_unknown_source_name(db, site):
    with pytest.raises(UnknownSource, match="no source named 'Nope' in the config"):
        run(db, site, source_names=["Nope"])


def test_relevance_folds_case_width_and_traditional():
    config = load_config_text("")
    matcher = RelevanceMatcher(config.topic, config.targets)
    assert matcher.matches("ＡＬＩＢＡＢＡ results", None)  # full-width Latin
    assert matcher.matches("淘寶賣家遭檢舉仿冒")  # Traditional
    assert matcher.matches("Brands object to anti-fake plan")
    assert not matcher.matches("Late header sends Harbour City into the cup final")
    assert not matcher.matches("本周末华北将迎明显降雨")


def test_normalize_url():
    assert (
        normalize_url("HTTP://News.Example:80//a/B.html?utm_source=x&id=3&spm=a.b&from=rss#top")
        == "http://news.example/a/B.html?id=3"
    )
    assert normalize_url("https://x.example:8443/a?fbclid=1") == "https://x.example:8443/a"


def test_dedup_on_chinese_text_points_at_the_earliest():
    deduper = Deduper()
    deduper.add("late", BODY_ZH + "（完）", "2016-05-15", "2026-01-01T00:00:00Z")
    deduper.add("early", BODY_ZH, "2016-05-14", "2026-01-02T00:00:00Z")
    deduper.add("other", "拼多多" + "市场监管总局要求约谈平台负责人。" * 20, "2016-05-01", None)
    assert deduper.group("late", BODY_ZH + "（完）") == ["early"]
    assert deduper.earliest(["late", "early"]) == "early"


def test_a_run_with_nothing_new_never_builds_the_dedup_index(db, site, monkeypatch):
    run(db, site)
    built = []
    original = Deduper.from_rows.__func__
    monkeypatch.setattr(
        Deduper, "from_rows", classmethod(lambda cls, rows: built.append(1) or original(cls, rows))
    )
    db.execute("update sources set etag = null")  # full fetch, same pages: nothing to save
    summary = run(db, site)
    assert (summary.sources["Ledger"].new, summary.sources["Ledger"].updated) == (0, 0)
    assert built == []


def test_copies_of_articles_collected_long_ago_are_not_searched(db, site):
    # Syndicated copies appear within days; the index holds the last 30 days only.
    db["articles"].insert(
        {
            "id": "old",
            "canonical_url": "http://127.0.0.9/old.html",
            "text": BODY_EN,
            "published": "2016-05-01",
            "fetched_at": "2000-01-01T00:00:00Z",
        }  # fmt: skip
    )
    run(db, site)
    a = db["articles"].get(article_id("http://127.0.0.2/a.html"))
    copy = db["articles"].get(article_id("http://127.0.0.2/copy.html"))
    assert (a["duplicate_of"], copy["duplicate_of"]) == (None, a["id"])


def _row(source: str, text: str) -> dict:
    url = "https://news.example.com/fake-goods"
    return {
        "id": article_id(url),
        "url": url,
        "canonical_url": url,
        "source": source,
        "source_kind": "rss",
        "outlet": "news.example.com",
        "title": "Fake goods",
        "text": text,
        "language": "en",
        "script": None,
        "published": "2026-11-27",
        "author": None,
        "content_hash": hashlib.sha256(text.encode()).hexdigest(),
        "extractor": "trafilatura",
    }


@pytest.mark.parametrize(
    "stored, second_text, first_new, first_updated, second_updated",
    [
        (False, "Counterfeit handbags sold online.", 1, 0, 0),  # same text: B changes nothing
        (False, "Counterfeit handbags sold online, police say.", 1, 0, 1),  # B updates A's
        (True, "Counterfeit handbags sold online, police say.", 0, 1, 1),  # both update
    ],
)
def test_pages_arriving_out_of_source_order_are_saved_as_if_in_order(
    db, stored, second_text, first_new, first_updated, second_updated
):
    """The config's second source answered first: the outcome is that of source order."""
    if stored:  # an earlier run stored an older text
        db["articles"].insert(_row("earlier", "Old text."), pk="id")
    collector = SourceOrderSaver(db)
    first, second = SourceCounts(), SourceCounts()
    collector.save_in_source_order(1, _row("B", second_text), second)
    collector.save_in_source_order(0, _row("A", "Counterfeit handbags sold online."), first)
    (article,) = db["articles"].rows
    assert article["source"] == ("earlier" if stored else "A")  # who inserted it
    assert article["text"] == second_text  # the later source's text is the last word
    assert (first.new, first.updated) == (first_new, first_updated)
    assert (second.new, second.updated) == (0, second_updated)


def collect_recorded_page(db, content: bytes):
    """Collect a feed of two items: the recorded page (as /recorded.html), then a.html."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rss.xml":
            return httpx.Response(
                200, text=rss("http://127.0.0.2/recorded.html", "http://127.0.0.2/a.html")
            )
        if request.url.path == "/recorded.html":
            return httpx.Response(200, content=content, headers={"Content-Type": "text/html"})
        return httpx.Response(200, text=page("Alibaba removes fake handbags", BODY_EN),
                              headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip

    config = load_config_text(CONFIG.split('[[sources]]\nname = "Broken"')[0])
    return collect(db, config, client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_a_page_decoded_with_replacements_is_stored_with_its_note(db, fixtures_dir):
    damaged = (fixtures_dir / "decode/page_gbk_invalid_bytes.html").read_bytes()
    summary = collect_recorded_page(db, damaged)
    assert (summary.status, summary.sources["Ledger"].new) == ("ok", 2)
    rows = {r["url"]: r for r in db.query("select url, title, text, decode_note from articles")}
    gbk = rows["http://127.0.0.2/recorded.html"]
    assert gbk["title"] == "拼多多回应假货质疑：将加大打假力度"
    assert gbk["decode_note"] == "gb18030 with 3 invalid bytes replaced: declared gb2312"
    assert "业内人士赵堃指出" in gbk["text"]
    assert rows["http://127.0.0.2/a.html"]["decode_note"] is None


def test_an_off_topic_chinese_page_naming_the_platforms_is_skipped(db, fixtures_dir):
    launch = (fixtures_dir / "layouts/zh_phone_launch_offtopic.html").read_bytes()
    summary = collect_recorded_page(db, launch)
    assert (summary.sources["Ledger"].new, summary.sources["Ledger"].skipped) == (1, 1)
    assert [r["url"] for r in db.query("select url from articles")] == ["http://127.0.0.2/a.html"]


def test_a_target_alone_is_relevant_only_without_a_body():
    config = load_config_text("")
    matcher = RelevanceMatcher(config.topic, config.targets)
    launch = "新机将于4月21日起在官方商城、京东和天猫旗舰店同步开售。" * 10
    assert not matcher.matches("新旗舰手机发布 京东天猫同步开售", launch)
    assert matcher.matches("新旗舰手机发布 京东天猫同步开售", None)  # a headline alone
    assert matcher.matches("新旗舰手机发布", launch + "平台称将严查假货。")
