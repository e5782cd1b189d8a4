"""One bad feed or page never stops a run: a failure injected at every stage is recorded.

Three sources on MockTransport and an in-memory database. Each test makes one stage
raise for one source (feed stages) or one page (page stages); the fault must land in
``fetch_errors`` with its stage as ``kind``, every other row must be stored, and the
``runs`` row must end ``partial``.
"""

from __future__ import annotations

import sqlite3

import httpx
import pytest
import sqlite_utils

import collectors.extract
import collectors.feeds
import collectors.relevance
import collectors.schedule
from collectors.collect import collect
from collectors.dedup import Deduper
from collectors.fetch import Fetcher
from mediastance.core.config import load_config_text
from mediastance.core.storage import ensure_db_shape, open_db

CONFIG = """
[fetch]
per_host_delay = 0
retries = 0
allowed_private_networks = ["127.0.0.0/8"]
user_agent = "mediastance-test/1.0"

[[sources]]
name = "Ledger"
kind = "rss"
url = "http://127.0.0.2/rss.xml"
language = "en"

[[sources]]
name = "Daily"
kind = "rss"
url = "http://127.0.0.3/rss.xml"
language = "zh"

[[sources]]
name = "Courier"
kind = "rss"
url = "http://127.0.0.4/rss.xml"
language = "en"
"""

ZH = (
    "阿里巴巴周五表示，将下架淘宝平台上的假冒手袋商品，并关闭了涉嫌售假的数千家店铺。"
    "该公司称，过去一年与品牌方合作处理的侵权投诉比前一年增加了三成，平均处理时间缩短到一天以内。"
    "多家奢侈品牌此前批评平台打假不力，认为假货问题长期得不到解决。"
    "业内人士指出，电商平台的打假工作需要品牌方、平台和监管部门共同努力，单靠下架商品难以根治。"
    "市场监管部门表示，将继续加强对网络售假行为的监管，对屡次违规的商家依法处罚。"
)

PAGES = {  # url → (title, body, language)
    "http://127.0.0.2/a.html": ("Alibaba removes fake handbags", "Alibaba said on Friday that it would remove listings of counterfeit handbags from Taobao after brands complained. " * 2, "en"),
    "http://127.0.0.2/b.html": ("Brands press Taobao on counterfeits", "Luxury brands met regulators in Beijing to demand faster takedowns of fake goods sold online. " * 2, "en"),
    # The victim is published first; c.html is a copy of it, so it would point at the
    # victim as its original if the victim's failed save were still indexed.
    "http://127.0.0.3/victim.html": ("淘宝打假：关闭数千家店铺", ZH + "品牌方表示欢迎。", "zh"),
    "http://127.0.0.3/c.html": ("阿里巴巴下架假冒手袋", ZH, "zh"),
    "http://127.0.0.4/d.html": ("Courier: IACC and the fake goods trade", "The IACC said its members would review the coalition's work with online marketplaces on counterfeits. " * 2, "en"),
}  # fmt: skip
VICTIM = "http://127.0.0.3/victim.html"
HEALTHY = sorted(set(PAGES) - {VICTIM})
DAILY_FEED = "http://127.0.0.3/rss.xml"


def page(title: str, body: str, lang: str) -> str:
    date = "2016-05-12" if "关闭数千家店铺" in title else "2016-05-13"
    return (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{date}"></head>'
        f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    )


def rss(*links: str) -> str:
    items = "".join(
        f"<item><title>t{n}</title><link>{link}</link>"
        "<pubDate>Sat, 14 May 2016 02:00:00 GMT</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'
    )


def handler(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    if url.endswith("/rss.xml"):
        host = f"http://{request.url.host}/"
        return httpx.Response(200, text=rss(*(u for u in PAGES if u.startswith(host))))
    if url in PAGES:
        return httpx.Response(
            200, text=page(*PAGES[url]), headers={"Content-Type": "text/html; charset=utf-8"}
        )
    return httpx.Response(404)


@pytest.fixture
def db():
    database = open_db(memory=True)
    ensure_db_shape(database)
    return database


def run(db):
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return collect(db, load_config_text(CONFIG), client=client)


def stored_urls(db) -> list[str]:
    return sorted(r["url"] for r in db.query("select url from articles"))


def errors(db) -> list[dict]:
    return list(db.query("select source, url, kind, error from fetch_errors order by id"))


def injected(*args, **kwargs):
    raise RuntimeError("injected")


def fail_for(original, is_victim):
    """Wrap a real function so that it raises for the victim's input only."""

    def wrapper(*args, **kwargs):
        if is_victim(*args, **kwargs):
            raise RuntimeError("injected")
        return original(*args, **kwargs)

    return wrapper


def test_nothing_injected_everything_stored(db):
    summary = run(db)
    assert summary.status == "ok"
    assert stored_urls(db) == sorted(PAGES)
    assert errors(db) == []


# -- feed stages: the source fails, the other two are stored -----------------------------

FEED_STAGES = {
    "feed": lambda mp: mp.setattr(
        Fetcher,
        "fetch",
        fail_for(Fetcher.fetch, lambda self, url, **kw: url == DAILY_FEED),
    ),
    "decode": lambda mp: mp.setattr(
        collectors.feeds,
        "decode_with_note",
        fail_for(collectors.feeds.decode_with_note, lambda content, **kw: b"127.0.0.3" in content),
    ),
    "parse": lambda mp: mp.setattr(
        collectors.feeds.feedparser,
        "parse",
        fail_for(collectors.feeds.feedparser.parse, lambda content, **kw: b"127.0.0.3" in content),
    ),
}


@pytest.mark.parametrize("stage", FEED_STAGES)
def test_a_feed_stage_failure_stops_that_source_only(db, monkeypatch, stage):
    FEED_STAGES[stage](monkeypatch)
    summary = run(db)
    assert summary.status == "partial"
    assert stored_urls(db) == [u for u in HEALTHY if "127.0.0.3" not in u]
    assert errors(db) == [
        {
            "source": "Daily",
            "url": DAILY_FEED,
            "kind": stage,
            "error": f"{stage} failed: RuntimeError: injected",
        }
    ]
    daily = summary.sources["Daily"]
    assert (daily.status, daily.errors, daily.faults) == ("error", 1, 1)
    assert db["runs"].get(summary.run_id)["status"] == "partial"
    health = db["sources"].get("Daily")
    assert (health["last_status"], health["failures"]) == ("error", 1)
    assert health["last_error"] == f"{stage} failed: RuntimeError: injected"


# -- page stages: the page is recorded, every other page is stored -----------------------


def _victim_text(text, *args, **kwargs):
    return "关闭数千家店铺" in (text or "")


PAGE_STAGES = {
    "fetch": lambda mp: mp.setattr(
        Fetcher, "fetch", fail_for(Fetcher.fetch, lambda self, url, **kw: url == VICTIM)
    ),
    "decode": lambda mp: mp.setattr(
        collectors.schedule,
        "decode_with_note",
        fail_for(
            collectors.schedule.decode_with_note,
            lambda content, **kw: "关闭数千家店铺".encode() in content,
        ),
    ),
    "extract": lambda mp: mp.setattr(
        collectors.schedule,
        "extract_article",
        fail_for(collectors.schedule.extract_article, lambda html, **kw: kw["url"] == VICTIM),
    ),
    "date": lambda mp: mp.setattr(
        collectors.extract,
        "find_published",
        fail_for(collectors.extract.find_published, lambda page, **kw: kw["url"] == VICTIM),
    ),
    "language": lambda mp: mp.setattr(
        collectors.extract,
        "detect_language",
        fail_for(collectors.extract.detect_language, _victim_text),
    ),
    "filter": lambda mp: mp.setattr(
        collectors.relevance.RelevanceMatcher,
        "matches",
        fail_for(
            collectors.relevance.RelevanceMatcher.matches,
            lambda self, title, text=None: _victim_text(title),
        ),
    ),
    "dedup": lambda mp: mp.setattr(
        Deduper,
        "group",
        fail_for(Deduper.group, lambda self, id, text: _victim_text(text)),
    ),
    "save": lambda mp: mp.setattr(
        sqlite_utils.db.Table,
        "upsert",
        fail_for(
            sqlite_utils.db.Table.upsert,
            lambda self, record, **kw: record.get("url") == VICTIM,
        ),
    ),
}


@pytest.mark.parametrize("stage", PAGE_STAGES)
def test_a_page_stage_failure_loses_that_page_only(db, monkeypatch, stage):
    PAGE_STAGES[stage](monkeypatch)
    summary = run(db)
    assert summary.status == "partial"
    assert stored_urls(db) == HEALTHY
    assert errors(db) == [
        {
            "source": "Daily",
            "url": VICTIM,
            "kind": stage,
            "error": f"{stage} failed: RuntimeError: injected",
        }
    ]
    daily = summary.sources["Daily"]
    assert (daily.status, daily.new, daily.errors, daily.faults) == ("ok", 1, 1, 1)
    run_row = db["runs"].get(summary.run_id)
    assert (run_row["status"], run_row["new"], run_row["errors"]) == ("partial", 4, 1)


def test_a_failed_save_leaves_no_copy_pointing_at_the_lost_row(db, monkeypatch):
    PAGE_STAGES["save"](monkeypatch)
    run(db)
    assert [r["duplicate_of"] for r in db.query("select duplicate_of from articles")] == [None] * 4


def test_a_sqlite_error_on_save_is_recorded_as_save(db, monkeypatch):
    original = sqlite_utils.db.Table.upsert

    def upsert(self, record, **kwargs):
        if record.get("url") == VICTIM:
            raise sqlite3.OperationalError("disk I/O error")
        return original(self, record, **kwargs)

    monkeypatch.setattr(sqlite_utils.db.Table, "upsert", upsert)
    run(db)
    assert errors(db)[0]["error"] == "save failed: OperationalError: disk I/O error"


def test_an_empty_feed_is_an_error_of_its_source(db, monkeypatch):
    def empty_daily(request: httpx.Request) -> httpx.Response:
        if str(request.url) == DAILY_FEED:
            return httpx.Response(200, text=rss())
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(empty_daily))
    summary = collect(db, load_config_text(CONFIG), client=client)
    assert summary.status == "partial"
    assert summary.sources["Daily"].status == "error"
    assert errors(db) == [
        {"source": "Daily", "url": DAILY_FEED, "kind": "feed", "error": "empty feed: no items"}
    ]
    assert stored_urls(db) == [u for u in HEALTHY if "127.0.0.3" not in u]


def test_an_interrupted_run_is_closed_failed_not_left_running(db, monkeypatch):
    def interrupt(self, runs, fetcher):
        raise KeyboardInterrupt

    monkeypatch.setattr(collectors.schedule.PageSchedule, "collect_pages", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(db)
    (row,) = db["runs"].rows
    assert (row["status"], row["message"]) == ("failed", "KeyboardInterrupt: ")
    assert row["finished_at"] is not None


def test_a_feed_with_a_bom_and_an_invalid_byte_is_read_and_the_run_goes_on(db, fixtures_dir):
    """The bytes that once raised UnicodeDecodeError and stored nothing for any source."""
    feed = (fixtures_dir / "decode/feed_bom_invalid_byte.xml").read_bytes()
    feed = feed.replace(b"http://news-en.example/", b"http://127.0.0.3/en/")
    feed = feed.replace(b"http://news-zh.example/", b"http://127.0.0.3/zh/")

    def bom_daily(request: httpx.Request) -> httpx.Response:
        if str(request.url) == DAILY_FEED:
            return httpx.Response(200, content=feed, headers={"Content-Type": "application/xml"})
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(bom_daily))
    summary = collect(db, load_config_text(CONFIG), client=client)
    assert stored_urls(db) == [u for u in HEALTHY if "127.0.0.3" not in u]
    assert [(e["url"], e["kind"], e["error"]) for e in errors(db)] == [
        ("http://127.0.0.3/en/2016/05/14/alibaba-counterfeits.html", "fetch", "HTTP 404"),
        ("http://127.0.0.3/zh/2016-05/14/c_1118870001.htm", "fetch", "HTTP 404"),
    ]  # both items were read from the feed; their pages are simply not there
    assert (summary.sources["Daily"].status, summary.status) == ("ok", "ok")


def test_a_crashed_page_of_a_google_news_item_keeps_what_the_feed_said(db, monkeypatch):
    config = CONFIG + '\n[[sources]]\nname = "News"\nkind = "google_news"\n'
    config += 'url = "http://127.0.0.5/rss/search.xml"\nlanguage = "en"\n'
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>g</title><item>'
        "<title>Brands say Alibaba must do more on fakes - Ledger</title>"
        "<link>http://127.0.0.5/articles/1</link><source>Ledger</source>"
        "<pubDate>Fri, 13 May 2016 08:00:00 GMT</pubDate></item></channel></rss>"
    )

    def with_news(request: httpx.Request) -> httpx.Response:
        if request.url.host == "127.0.0.5":
            if request.url.path.endswith(".xml"):
                return httpx.Response(200, text=feed)
            return httpx.Response(200, text=page(*PAGES["http://127.0.0.2/a.html"]),
                                  headers={"Content-Type": "text/html"})  # fmt: skip
        return handler(request)

    monkeypatch.setattr(collectors.schedule, "extract_article", injected)
    client = httpx.Client(transport=httpx.MockTransport(with_news))
    summary = collect(db, load_config_text(config), client=client, source_names=["News"])
    assert summary.status == "partial"
    [row] = db.query("select url, title, text, published, extractor from articles")
    assert row == {
        "url": "http://127.0.0.5/articles/1",
        "title": "Brands say Alibaba must do more on fakes",
        "text": None,
        "published": "2016-05-13",
        "extractor": "feed",
    }
    assert errors(db) == [
        {
            "source": "News",
            "url": "http://127.0.0.5/articles/1",
            "kind": "extract",
            "error": "extract failed: RuntimeError: injected",
        }
    ]
