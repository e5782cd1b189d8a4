"""Extraction on the recorded pages: exact titles, dates, authors, body in, boilerplate out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from collectors import extract
from collectors.decode import decode
from collectors.extract import densest_block_text, extract_article, find_published, parse_html

FIXTURES = Path(__file__).parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "web.json").read_text("utf-8"))
PAGES = [r for r in MANIFEST["routes"] if (r.get("expect") or {}).get("title")]
TODAY = dt.date(2026, 1, 1)


def load(route: dict) -> dict:
    content_type = route["headers"].get("Content-Type", "")
    charset = content_type.split("charset=")[1] if "charset=" in content_type else None
    text, _ = decode((FIXTURES / route["file"]).read_bytes(), header_charset=charset)
    url = f"http://{{host:{route['host']}}}{route['path']}"
    return extract_article(text, url=url, today=TODAY)


@pytest.mark.parametrize("route", PAGES, ids=[r["file"] for r in PAGES])
def test_recorded_page(route):
    expect = route["expect"]
    article = load(route)
    assert {k: article[k] for k in ("title", "published", "language", "script", "author")} == {
        k: expect[k] for k in ("title", "published", "language", "script", "author")
    }
    for sentence in expect["body_contains"]:
        assert sentence in article["text"]
    for boilerplate in expect["body_excludes"]:
        assert boilerplate not in article["text"]
    assert article["canonical_url"] == expect["canonical_url"]
    assert article["extractor"] == extract.TRAFILATURA


def test_declared_language_loses_to_the_text():
    route = next(r for r in PAGES if r["file"].endswith("zh_alibaba_statement_wrong_lang.html"))
    html = (FIXTURES / route["file"]).read_text("utf-8")
    assert 'lang="en' in html
    assert load(route)["language"] == "zh"


def test_visible_chinese_date_and_never_a_future_date():
    html = "<html><body><div class=date>2016年5月18日 09:32</div><p>正文</p></body></html>"
    assert find_published(html, today=TODAY) == "2016-05-18"
    future = '<html><head><meta property="article:published_time" content="2031-02-03"></head>'
    assert find_published(future + "<body><p>x</p></body></html>", today=TODAY) is None


def test_fallback_extractor_when_trafilatura_finds_nothing(monkeypatch):
    monkeypatch.setattr(extract, "_trafilatura", lambda tree, url, recall=False: None)
    body = "淘宝平台上的假货问题再次引起关注。" * 6
    html = (
        "<html><head><title>标题</title></head><body><nav><p>首页 财经 科技</p></nav>"
        f"<div class=story><p>{body}</p><p>阿里巴巴表示将加强打假。</p></div>"
        "<footer><p>版权所有</p></footer></body></html>"
    )
    article = extract_article(html, url="http://news.example/a", today=TODAY)
    assert article["extractor"] == extract.BLOCK
    assert article["text"] == f"{body}\n阿里巴巴表示将加强打假。"
    assert (article["title"], article["language"], article["script"]) == ("标题", "zh", "Hans")
    assert article["outlet"] == "news.example"


def test_densest_block_of_a_page_without_text_is_empty():
    assert densest_block_text(parse_html("<html><body><br></body></html>")) == ""


# -- dates on page layouts that mislead (tests/fixtures/make_layout_fixtures.py) ----------

LAYOUTS = FIXTURES / "layouts"


def layout(name: str) -> str:
    return decode((LAYOUTS / name).read_bytes())[0]


@pytest.mark.parametrize(
    "name, url, expected",
    [
        # A "latest news" box with earlier dates precedes the byline (GB18030 bytes).
        ("zh_date_byline_under_headline.html", "http://news-zh.example/finance/c_1.htm", "2015-01-23"),
        # Updated and first-published dates in one byline: the URL's date breaks the tie...
        ("zh_date_two_in_byline.html", "http://news-zh.example/2015-01/23/c_2.htm", "2015-01-23"),
        # ...and without it, the first byline date stands.
        ("zh_date_two_in_byline.html", "http://news-zh.example/finance/c_2.htm", "2015-01-24"),
        # No date by the headline: the URL's date beats the related list's.
        ("zh_date_none_by_headline.html", "http://news-zh.example/20150123/n401.shtml", "2015-01-23"),
        # English: "Related" dates in a sidebar before the story, a copyright year after.
        ("en_date_byline_with_sidebar.html", "http://ledger.example/business/review.html", "2016-03-03"),
    ],
)  # fmt: skip
def test_a_byline_date_beats_lists_related_links_and_footers(name, url, expected):
    assert find_published(layout(name), url=url, today=TODAY) == expected
    assert extract_article(layout(name), url=url, today=TODAY)["published"] == expected


def test_without_a_byline_or_url_date_a_related_list_date_is_not_taken():
    html = layout("zh_date_none_by_headline.html")
    assert find_published(html, url="http://news-zh.example/finance/n401.shtml", today=TODAY) != (
        "2014-12-30"
    )


def test_metadata_beats_the_byline_unless_it_is_in_the_future():
    html = layout("zh_date_two_in_byline.html")
    dated = html.replace("<head>", '<head><meta name="publishdate" content="2015-01-22">')
    assert find_published(dated, today=TODAY) == "2015-01-22"
    future = html.replace("<head>", '<head><meta name="publishdate" content="2031-01-22">')
    assert find_published(future, today=TODAY) == "2015-01-24"


LAYOUT_TABLE_PAGES = {
    # GBK bytes declared as gb2312, Simplified.
    "zh_layout_table_gbk.html": (
        "本报讯 记者从市工商局获悉",
        "发现售假行为可拨打12315投诉举报。",
        ("首页", "今日推荐", "相关报道", "网购纠纷投诉量上升", "发表评论", "版权所有"),
    ),
    # Big5 bytes declared as big5, Traditional: the same layout from a Taiwan portal.
    "zh_layout_table_big5.html": (
        "本報訊 記者從市工商局獲悉",
        "發現售假行為可撥打12315投訴舉報。",
        ("首頁", "今日推薦", "相關報道", "網購糾紛投訴量上升", "發表評論", "版權所有"),
    ),
}


@pytest.mark.parametrize("name", LAYOUT_TABLE_PAGES)
def test_a_layout_table_page_keeps_the_story_cell_not_the_furniture(name):
    first, last, furniture = LAYOUT_TABLE_PAGES[name]
    html, codec = decode((LAYOUTS / name).read_bytes())
    assert codec == ("cp950" if "big5" in name else "gb18030")
    article = extract_article(html, url="http://news-zh.example/news/a1.htm", today=TODAY)
    assert article["extractor"] == extract.BLOCK
    assert article["text"].startswith(first)
    assert article["text"].endswith(last)
    for words in furniture:
        assert words not in article["text"]
    # The byline under the bold headline; the related list's March dates come later.
    assert (article["published"], article["language"]) == ("2005-04-05", "zh")
