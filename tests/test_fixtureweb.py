"""The fixture web itself: manifest integrity, recorded bytes, faults, log, config."""

from __future__ import annotations

import html
import json
import re
import threading
import tomllib

import feedparser
import httpx
import pytest
from fixtureweb import DEFAULT_MANIFEST, FixtureWeb

MANIFEST = json.loads(DEFAULT_MANIFEST.read_text(encoding="utf-8"))
ROOT = DEFAULT_MANIFEST.parent
ROUTES = MANIFEST["routes"]
ARTICLES = [r for r in ROUTES if r["expect"] and "title" in r["expect"]]
# Routes a plain GET answers with their declared status and headers straight away.
PLAIN = [r for r in ROUTES if r["fault"] in (None, "pdf", "error_404", "error_500")]


def route_by_file(name: str) -> dict:
    return next(r for r in ROUTES if r["file"] == f"pages/{name}" and not r["fault"])


@pytest.fixture(scope="module")
def web():
    with FixtureWeb() as running:
        yield running


@pytest.fixture
def client():
    with httpx.Client(timeout=2.0) as c:
        yield c


# ------------------------------------------------------------------ the manifest


def test_manifest_covers_both_languages_off_topic_and_copies():
    en = [r for r in ARTICLES if r["expect"]["language"] == "en"]
    zh = [r for r in ARTICLES if r["expect"]["language"] == "zh"]
    assert len(en) >= 10 and len(zh) >= 10
    assert {r["encoding"] for r in zh} == {"utf-8", "gbk", "gb18030", "big5"}
    off_topic = [r["file"] for r in ARTICLES if not r["expect"]["relevant"]]
    assert off_topic == ["pages/en_football_offtopic.html", "pages/zh_weather_offtopic.html"]
    copies = {
        r["path"]: r["expect"]["duplicate_of"] for r in ARTICLES if r["expect"]["duplicate_of"]
    }
    assert copies == {
        "/business/2016/05/14/anti-counterfeiting-group-drops-alibaba.html": "/2016/05/iacc-suspends-alibaba.html",
        "/finance/20160515/n451234.shtml": "/finance/2016/05/14/iacc-alibaba.html",
    }
    faults = {r["fault"] for r in ROUTES}
    assert faults >= {
        "slow",
        "retry_after",
        "redirect_loop",
        "oversized",
        "truncated",
        "pdf",
        "error_404",
        "error_500",
        "redirect",
    }


def test_hosts_are_distinct_loopback_addresses():
    ips = list(MANIFEST["hosts"].values())
    assert len(set(ips)) == len(ips)
    assert all(re.fullmatch(r"127\.0\.0\.(\d+)", ip) for ip in ips)
    assert all(2 <= int(ip.rsplit(".", 1)[1]) <= 12 for ip in ips)


@pytest.mark.parametrize("route", ARTICLES, ids=lambda r: r["file"].removeprefix("pages/"))
def test_article_expectations_match_the_recorded_bytes(route):
    text = html.unescape((ROOT / route["file"]).read_bytes().decode(route["encoding"]))  # strict
    expect = route["expect"]
    assert f">{expect['title']}</h1>" in text
    for sentence in expect["body_contains"]:
        assert f"<p>{sentence}</p>" in text
    for boilerplate in expect["body_excludes"]:
        assert boilerplate in text, "an exclusion the page does not contain cannot fail"
        assert all(boilerplate not in s for s in expect["body_contains"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", expect["published"])
    if expect["canonical_url"]:
        assert f'<link rel="canonical" href="{expect["canonical_url"]}">' in text
    if expect["author"]:
        assert expect["author"] in text


@pytest.mark.parametrize("name", ["en_football_offtopic.html", "zh_weather_offtopic.html"], ids=str)
def test_off_topic_pages_contain_no_topic_keyword_or_alias(name):
    text = (ROOT / "pages" / name).read_text(encoding="utf-8").lower()
    keywords = MANIFEST["topic_keywords"]["en"] + MANIFEST["topic_keywords"]["zh"]
    assert [k for k in keywords if k.lower() in text] == []


def test_every_placeholder_names_a_host_and_every_item_link_is_routed():
    for path in sorted((ROOT / "pages").iterdir()) + sorted((ROOT / "feeds").iterdir()):
        for name in re.findall(rb"\{host:([^}]*)\}", path.read_bytes()):
            assert name.decode() in MANIFEST["hosts"], path.name
    links = []
    for feed in MANIFEST["feeds"]:
        if feed["kind"] == "urls":
            links += feed["urls"]
        elif feed["kind"] == "gdelt" and feed["expect_error"] is None:
            route = next(
                r for r in ROUTES if (r["host"], r["path"]) == (feed["host"], feed["path"])
            )
            data = json.loads((ROOT / route["file"]).read_text(encoding="utf-8"))
            links += [a["url"] for a in data["articles"]]
        elif feed["expect_error"] is None:
            route = next(
                r for r in ROUTES if (r["host"], r["path"]) == (feed["host"], feed["path"])
            )
            links += [e.link for e in feedparser.parse((ROOT / route["file"]).read_bytes()).entries]
    routed = {(r["host"], r["path"].partition("?")[0]) for r in ROUTES}
    fixture_links = [u for u in links if u.startswith("http://{host:")]
    unrouted = [
        u
        for u in fixture_links
        if tuple(re.match(r"http://\{host:([^}]+)\}([^?]*)", u).groups()) not in routed
    ]
    assert unrouted == []
    assert sorted(set(links) - set(fixture_links)) == [
        "file://etc/passwd",  # feedparser's reading of file:///etc/passwd
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
    ]


@pytest.mark.parametrize(
    "feed",
    [f for f in MANIFEST["feeds"] if f["kind"] in ("rss", "google_news")],
    ids=lambda f: f["name"],
)
def test_feeds_parse_as_declared(feed):
    route = next(r for r in ROUTES if (r["host"], r["path"]) == (feed["host"], feed["path"]))
    parsed = feedparser.parse((ROOT / route["file"]).read_bytes())
    assert len(parsed.entries) == feed["expect_items"]
    if feed["expect_error"] == "bozo":
        assert parsed.bozo and len(parsed.entries) > 0
    elif feed["expect_error"] == "not_a_feed":
        assert parsed.bozo and parsed.entries == []
    elif feed["expect_error"] == "empty":
        # feedparser calls an empty document well-formed: a collector must check itself.
        assert (ROOT / route["file"]).read_bytes() == b"" and not parsed.bozo
    else:
        assert not parsed.bozo, parsed.get("bozo_exception")


def test_feed_with_ssrf_links_carries_them():
    data = (ROOT / "feeds" / "en_outlet_rss.xml").read_text(encoding="utf-8")
    for url in MANIFEST["forbidden_urls"]:
        assert f"<link>{url}</link>" in data
    links = [e.link for e in feedparser.parse(data).entries if "{host:" not in e.link]
    # feedparser normalises file:///etc/passwd to file://etc/passwd: still not http(s).
    assert links == [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "file://etc/passwd",
    ]


def test_gdelt_artlists_have_the_api_fields():
    for name, language in [("gdelt_en.json", "English"), ("gdelt_zh.json", "Chinese")]:
        articles = json.loads((ROOT / "feeds" / name).read_text(encoding="utf-8"))["articles"]
        for art in articles:
            assert set(art) == {
                "url",
                "url_mobile",
                "title",
                "seendate",
                "socialimage",
                "domain",
                "language",
                "sourcecountry",
            }
            assert re.fullmatch(r"\d{8}T\d{6}Z", art["seendate"])
            assert art["language"] == language


# ------------------------------------------------------------------ the server


def test_hosts_bind_on_their_own_loopback_address_and_a_free_port(web):
    bases = {name: web.base(name) for name in MANIFEST["hosts"]}
    for name, ip in MANIFEST["hosts"].items():
        assert re.fullmatch(rf"http://{re.escape(ip)}:\d+", bases[name])
        assert not bases[name].endswith(":0")
    assert len(set(bases.values())) == len(bases)


@pytest.mark.parametrize("route", PLAIN, ids=lambda r: f"{r['host']}{r['path'][:60]}")
def test_route_returns_declared_status_headers_and_bytes(web, client, route):
    response = client.get(web.url(route["host"], route["path"]))
    assert response.status_code == route["status"]
    for name, value in route["headers"].items():
        assert response.headers[name] == value
    expected = web.expand_bytes((ROOT / route["file"]).read_bytes())
    assert response.content == expected
    assert b"{host:" not in response.content


def test_placeholders_are_substituted_with_live_addresses(web, client):
    body = client.get(web.url("news-en", "/rss/business.xml")).text
    assert f"<link>{web.base('news-en')}/2016/05/iacc-suspends-alibaba.html?utm_source=rss" in body
    # and the substituted link is served
    link = feedparser.parse(body).entries[0].link
    assert client.get(link).status_code == 200


def test_tracking_query_still_hits_the_route_and_unknown_paths_are_404(web, client):
    assert (
        client.get(
            web.url("news-en", "/2016/05/iacc-suspends-alibaba.html?utm_source=x")
        ).status_code
        == 200
    )
    missing = client.get(web.url("news-en", "/2016/05/no-such-story.html"))
    assert (missing.status_code, missing.headers["Content-Type"]) == (
        404,
        "text/html; charset=utf-8",
    )


def test_gbk_page_is_served_as_raw_gbk_despite_its_utf8_header(web, client):
    route = route_by_file("zh_pinduoduo_fakes_gbk.html")
    response = client.get(web.url(route["host"], route["path"]))
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    raw = response.content
    assert "刘堃认为" in raw.decode("gbk")
    assert "刘堃认为" in raw.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_gb2312_declared_page_needs_gbk(web, client):
    route = route_by_file("zh_saic_white_paper_gbk.html")
    raw = client.get(web.url(route["host"], route["path"])).content
    assert b'<meta charset="gb2312">' in raw
    assert "陈昇表示" in raw.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")


def test_gb18030_page_has_a_character_gbk_cannot_decode(web, client):
    route = route_by_file("zh_iacc_suspends_portal_gb18030.html")
    raw = client.get(web.url(route["host"], route["path"])).content
    assert "责任编辑：陈䶮" in raw.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gbk")


def test_big5_pages_declared_and_undeclared(web, client):
    tw = route_by_file("zh_tw_taobao_notorious_big5.html")
    response = client.get(web.url(tw["host"], tw["path"]))
    assert "淘寶網再度被列入" in response.content.decode("big5")
    hk = route_by_file("zh_hk_amazon_crimes_big5_nodecl.html")
    response = client.get(web.url(hk["host"], hk["path"]))
    assert response.headers["Content-Type"] == "text/html"
    assert b"charset" not in response.content.lower()
    assert "亞馬遜宣布成立" in response.content.decode("big5")


def test_latin1_header_over_utf8_bytes(web, client):
    route = route_by_file("mixed_en_zh_two_statements.html")
    response = client.get(web.url(route["host"], route["path"]))
    assert response.headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert "被个别企业的私利绑架" in response.content.decode("utf-8")
    assert "被个别企业的私利绑架" not in response.text  # what trusting the header gives


def test_big5_and_gbk_feeds_are_served_raw(web, client):
    gbk = client.get(web.url("news-zh", "/rss/finance.xml")).content
    assert gbk.startswith(b'<?xml version="1.0" encoding="gbk"?>')
    assert "国际反假冒联盟暂停阿里巴巴会员资格" in gbk.decode("gbk")
    big5 = client.get(web.url("news-tw", "/rss/finance.xml")).content
    assert "淘寶賣家遭檢舉仿冒" in big5.decode("big5")


def test_robots_per_host_and_404_where_there_is_none(web, client):
    robots = client.get(web.url("news-en", "/robots.txt"))
    assert robots.status_code == 200
    assert "Disallow: /private/" in robots.text
    assert client.get(web.url("gdelt", "/robots.txt")).status_code == 404
    sitemap = client.get(web.url("wire-en", "/robots.txt")).text
    assert f"Sitemap: {web.base('wire-en')}/sitemap.xml" in sitemap


def test_gdelt_route_matches_its_query_however_it_is_encoded(web, client):
    feed = next(f for f in MANIFEST["feeds"] if f["name"] == "gdelt-zh")
    # httpx re-encodes the query; the server compares it parsed.
    url = web.url("gdelt", "/api/v2/doc/doc")
    params = {
        "query": "(阿里巴巴 OR 淘宝) sourcelang:chinese",
        "mode": "ArtList",
        "format": "json",
        "maxrecords": "250",
        "sort": "DateDesc",
    }
    articles = client.get(url, params=params).json()["articles"]
    assert len(articles) == feed["expect_items"]
    assert articles[0]["url"].startswith(web.base("portal-zh") + "/finance/")
    assert client.get(url, params={**params, "query": "other"}).status_code == 404


def test_conditional_get_on_feeds(web, client):
    url = web.url("news-en", "/rss/business.xml")
    first = client.get(url)
    etag, last = first.headers["ETag"], first.headers["Last-Modified"]
    assert last == "Sat, 14 May 2016 02:00:00 GMT"
    again = client.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
    assert client.get(url, headers={"If-Modified-Since": last}).status_code == 304
    stale = client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": last})
    assert stale.status_code == 200  # If-None-Match decides when both are sent


def test_slow_route_outlasts_a_client_timeout(web):
    with httpx.Client(timeout=0.5) as c, pytest.raises(httpx.ReadTimeout):
        c.get(web.url("flaky", "/2016/06/slow-article.html"))


def test_retry_after_answers_429_once_then_200():
    with FixtureWeb() as fresh, httpx.Client(timeout=2.0) as c:
        url = fresh.url("flaky", "/2016/06/marketplace-takedown-tools.html")
        first, second = c.get(url), c.get(url)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "1")
    assert second.status_code == 200
    assert "within hours" in second.text
    assert [e["status"] for e in fresh.requests("flaky")] == [429, 200]


def test_truncated_body_is_a_protocol_error(web, client):
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(web.url("flaky", "/2016/06/truncated-article.html"))


def test_redirect_loop_and_plain_redirect(web, client):
    with pytest.raises(httpx.TooManyRedirects):
        client.get(web.url("flaky", "/loop/a"), follow_redirects=True)
    moved = client.get(
        web.url("news-en", "/2016/04/michael-kors-quits-iacc"), follow_redirects=True
    )
    assert moved.status_code == 200
    assert str(moved.url) == web.url("news-en", "/2016/04/michael-kors-quits-iacc.html")
    assert [r.status_code for r in moved.history] == [302]


def test_google_news_links_redirect_or_stop_at_an_interstitial(web, client):
    feed = client.get(
        web.url("gnews", "/rss/search?q=alibaba+counterfeit&hl=en-US&gl=US&ceid=US:en")
    )
    entries = feedparser.parse(feed.content).entries
    assert (
        entries[0].title
        == "IACC suspends Alibaba's membership after luxury brands revolt - Global Trade Ledger"
    )
    assert entries[0].source == {"href": web.base("news-en"), "title": "Global Trade Ledger"}
    finals = [client.get(e.link, follow_redirects=True) for e in entries]
    assert [str(r.url).startswith(web.base("gnews")) for r in finals] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert "This page requires JavaScript" in finals[-1].text


def test_oversized_body_streams_without_content_length(web, client):
    with client.stream("GET", web.url("flaky", "/2016/06/huge-page.html")) as response:
        assert "Content-Length" not in response.headers
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 2_000_000:
                break
    assert received > 2_000_000


def test_pdf_is_served_as_pdf(web, client):
    response = client.get(web.url("newsroom", "/reports/2016-ip-protection-report.pdf"))
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-1.4") and response.content.rstrip().endswith(b"%%EOF")


def test_log_records_every_request_thread_safely():
    with FixtureWeb() as fresh:
        url = fresh.url("news-zh", "/rss/finance.xml")

        def fetch(n: int) -> None:
            with httpx.Client(timeout=2.0) as c:
                c.get(url, headers={"User-Agent": f"worker-{n}", "If-None-Match": '"x"'})

        threads = [threading.Thread(target=fetch, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        httpx.get(
            fresh.url("news-zh", "/nothing-here"),
            headers={"If-Modified-Since": "Sat, 14 May 2016 02:00:00 GMT"},
        )
    log = fresh.log
    assert len(log) == 17
    assert sorted(e["headers"]["User-Agent"] for e in log[:16]) == sorted(
        f"worker-{n}" for n in range(16)
    )
    assert all(e["start"] <= e["end"] for e in log)
    assert {(e["host"], e["path"], e["method"], e["status"]) for e in log[:16]} == {
        ("news-zh", "/rss/finance.xml", "GET", 200)
    }
    assert log[-1]["headers"] == {
        "User-Agent": f"python-httpx/{httpx.__version__}",
        "If-None-Match": None,
        "If-Modified-Since": "Sat, 14 May 2016 02:00:00 GMT",
    }
    assert log[-1]["status"] == 404


def test_latency_delays_every_response():
    with FixtureWeb(latency=0.2) as slow:
        httpx.get(slow.url("news-en", "/robots.txt"))
    (entry,) = slow.log
    assert entry["end"] - entry["start"] >= 0.2


def test_hosts_override_binds_elsewhere():
    with FixtureWeb(hosts={"news-en": "127.0.0.1"}) as web:
        assert web.base("news-en").startswith("http://127.0.0.1:")
        assert httpx.get(web.url("news-en", "/robots.txt")).status_code == 200


def test_write_config_points_every_source_at_the_fixture_web(web, tmp_path):
    path = web.write_config(tmp_path / "mediastance.toml", per_host_delay=0.25)
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    assert config["fetch"] == {
        "timeout": 2.0,
        "max_bytes": 2_000_000,
        "per_host_delay": 0.25,
        "concurrency": 8,
        "allowed_private_networks": ["127.0.0.0/8"],
        "user_agent": "mediastance-test/1.0",
    }
    sources = {s["name"]: s for s in config["sources"]}
    assert list(sources) == [f["name"] for f in MANIFEST["feeds"]]
    assert sources["ledger-business"] == {
        "name": "ledger-business",
        "kind": "rss",
        "url": web.url("news-en", "/rss/business.xml"),
        "language": "en",
    }
    assert sources["google-news-zh"]["edition"] == "zh-CN"
    assert sources["watchlist"]["urls"][0] == web.url(
        "flaky", "/2016/06/marketplace-takedown-tools.html"
    )
    assert all("{host:" not in json.dumps(s) for s in config["sources"])


def test_written_config_loads_in_mediastance(web, tmp_path):
    from mediastance.core.config import load_config

    config = load_config(web.write_config(tmp_path / "mediastance.toml"))
    assert config.fetch.user_agent == "mediastance-test/1.0"
    assert len(config.sources) == len(MANIFEST["feeds"])
