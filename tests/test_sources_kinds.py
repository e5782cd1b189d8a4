"""Source kinds on recorded feeds: RSS (GBK, Big5, Atom, ill-formed, empty, HTML),
Google News search RSS, GDELT ArtList JSON, URL lists."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from collectors import gdelt
from collectors.feeds import FeedError
from collectors.gdelt import api_url, fetch_gdelt, parse_seendate
from collectors.google_news import fetch_google_news, search_url, strip_outlet
from collectors.rss import fetch_rss
from collectors.urls import fetch_urls
from mediastance.core.config import Source

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def rss(name: str, language: str = "en") -> list[dict]:
    source = Source(name="t", kind="rss", language=language, url="http://feed.example/rss")
    return list(fetch_rss(source, content=(FEEDS / name).read_bytes()))


def test_gbk_rss_titles_dates_and_links():
    items = rss("zh_outlet_rss_gbk.xml", "zh")
    assert [i["title"] for i in items][:3] == [
        "国际反假冒联盟暂停阿里巴巴会员资格",
        "评论：阿里遭反假冒联盟“拒之门外”，难堪的不只是一家企业",
        "本周末华北将迎明显降雨 气温下降五至八摄氏度",
    ]
    first = items[0]
    assert first == {
        "type": "item",
        "url": "http://{host:news-zh}/finance/2016/05/14/iacc-alibaba.html?from=rss",
        "title": "国际反假冒联盟暂停阿里巴巴会员资格",
        "published": "2016-05-14",
        "outlet": "财经观察网 - 财经频道",
        "author": None,
        "summary": "国际反假冒联盟（IACC）当地时间5月13日宣布，暂停阿里巴巴集团的会员资格。"
        "距离阿里巴巴以新设的“市场会员”身份加入该组织，还不到一个月。",
        "language": "zh",
        "page_optional": False,
        "decode_note": None,
    }
    assert len(items) == 6


def test_big5_rss_stays_traditional():
    items = rss("tw_outlet_rss_big5.xml", "zh")
    assert [i["title"] for i in items] == [
        "美國貿易代表署將淘寶重新列入惡名昭彰市場名單",
        "淘寶賣家遭檢舉仿冒 台灣品牌求償",
    ]


def test_atom_entries_with_authors_and_languages():
    items = rss("newsroom_atom.xml")
    assert [(i["title"], i["author"], i["language"], i["published"]) for i in items] == [
        ("Alibaba Group statement on IACC membership", "Alibaba Group Corporate Affairs", "en", "2016-05-14"),
        ("阿里巴巴集团关于国际反假冒联盟暂停会员资格的声明", "阿里巴巴集团公共事务部", "zh", "2016-05-14"),
        ("Alibaba Group Intellectual Property Protection Report 2016 (PDF)", None, "en", "2016-05-10"),
    ]  # fmt: skip


def test_ill_formed_feed_keeps_recovered_items_and_yields_the_error():
    items = rss("illformed_rss.xml")
    assert [i["title"] for i in items if i["type"] == "item"] == [
        "Kering sues Alibaba in New York\xa0over fakes",
        "Regulator's report on Taobao fakes wipes billions off Alibaba",
        "Anti-counterfeiting group drops Alibaba weeks after letting it in",
    ]
    assert items[-1] == {
        "type": "error",
        "url": "http://feed.example/rss",
        "error": "ill-formed feed, 3 items recovered: <unknown>:4:36: not well-formed (invalid token)",
        "status_code": 200,
    }


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.xml", "empty feed: the body has no content"),
        ("../pages/wire_home.html", "not a feed: the body is an HTML page"),
    ],
)
def test_empty_or_html_feed_is_an_error(name, message):
    with pytest.raises(FeedError) as info:
        rss(name)
    assert str(info.value) == message


def test_google_news_items_keep_feed_metadata():
    source = Source(name="g", kind="google_news", language="en", query="alibaba counterfeit")
    items = list(fetch_google_news(source, content=(FEEDS / "google_news_en.xml").read_bytes()))
    assert [(i["title"], i["outlet"], i["published"]) for i in items] == [
        ("IACC suspends Alibaba's membership after luxury brands revolt", "Global Trade Ledger", "2016-05-13"),
        ("Kering sues Alibaba in New York, alleging it profits from counterfeit sales", "Metro Daily Wire", "2015-05-17"),
        ("Anti-counterfeiting coalition faces member backlash over Alibaba", "Harbourside Courier", "2016-05-12"),
        ("Tiffany objects to Alibaba's role in anti-fake group", "Fashion Trade Daily", "2016-05-13"),
        ("Alibaba says it is disappointed as IACC suspends membership", "Pacific Markets Report", "2016-05-14"),
    ]  # fmt: skip
    assert all(i["page_optional"] for i in items)
    assert items[0]["url"].startswith("http://{host:gnews}/rss/articles/CBMi")


def test_google_news_search_urls_per_edition():
    assert search_url("阿里巴巴 假货", "zh-CN") == (
        "https://news.google.com/rss/search?q=%E9%98%BF%E9%87%8C%E5%B7%B4%E5%B7%B4+%E5%81%87"
        "%E8%B4%A7&hl=zh-CN&gl=CN&ceid=CN%3Azh-Hans"
    )
    assert search_url("fakes", "zh-TW").endswith("hl=zh-TW&gl=TW&ceid=TW%3Azh-Hant")
    assert strip_outlet("Title - with dash - Outlet", "Outlet") == "Title - with dash"
    assert strip_outlet("No outlet here", "Outlet") == "No outlet here"


def test_gdelt_artlist():
    source = Source(name="g", kind="gdelt", language="zh", query="(阿里巴巴 OR 淘宝)")
    items = list(fetch_gdelt(source, content=(FEEDS / "gdelt_zh.json").read_bytes()))
    assert items[0] == {
        "type": "item",
        "url": "http://{host:portal-zh}/finance/20160515/n451234.shtml",
        "title": "品牌集体抗议之后 IACC暂停阿里会员资格",
        "published": "2016-05-15",
        "outlet": "huaxia-portal.example",
        "author": None,
        "summary": None,
        "language": "zh",
        "page_optional": True,
        "decode_note": None,
    }
    assert len(items) == 5


def test_gdelt_text_answer_is_an_error():
    source = Source(name="g", kind="gdelt", language="zh", query="IP")
    with pytest.raises(FeedError) as info:
        list(fetch_gdelt(source, content=(FEEDS / "gdelt_error.txt").read_bytes()))
    assert (
        str(info.value) == "GDELT answered with text, not JSON: The specified phrase is too short."
    )


def test_gdelt_url_and_dates():
    assert api_url("(alibaba OR taobao) counterfeit", "en") == (
        "https://api.gdeltproject.org/api/v2/doc/doc?query=%28alibaba%20OR%20taobao%29%20"
        "counterfeit%20sourcelang%3Aenglish&mode=ArtList&format=json&maxrecords=250&sort=DateDesc"
    )
    assert parse_seendate("20160515T001500Z") == "2016-05-15"
    assert parse_seendate("yesterday") is None


def test_gdelt_calls_are_spaced(monkeypatch):
    monkeypatch.setattr(gdelt, "_last_call", 0.0)
    started = time.monotonic()
    gdelt.wait_turn(0.2)
    gdelt.wait_turn(0.2)
    assert time.monotonic() - started >= 0.2


def test_url_list_inline_and_from_a_file(tmp_path):
    (tmp_path / "urls.txt").write_text("# pasted\nhttp://b.example/2\n\nhttp://a.example/1\n")
    source = Source(
        name="u", kind="urls", language="en", urls=("http://a.example/1",), urls_file="urls.txt"
    )
    items = list(fetch_urls(source, base_dir=tmp_path))
    assert [i["url"] for i in items] == ["http://a.example/1", "http://b.example/2"]
