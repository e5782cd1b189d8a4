"""Fetcher: safety, robots, politeness, retries, caps, redirects — on httpx.MockTransport."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

import httpx
import pytest

from collectors.fetch import (
    Fetcher,
    FetchError,
    FetchRefused,
    NotHTML,
    RedirectLoop,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    check_url,
    parse_retry_after,
)
from mediastance.core.config import FetchSettings

PUBLIC = "93.184.216.34"


def settings(**overrides) -> FetchSettings:
    values = dict(
        user_agent="mediastance-test/1.0",
        timeout=2.0,
        max_bytes=10_000,
        per_host_delay=0.0,
        concurrency=4,
        max_redirects=3,
        retries=2,
        max_retry_after=5.0,
        allowed_private_networks=(),
    )
    values.update(overrides)
    return FetchSettings(**values)


def resolver(table: dict[str, str]):
    def resolve(host, port, proto=0):
        if host not in table:
            raise socket.gaierror(-2, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]

    return resolve


class Web:
    """A MockTransport handler from {url: response or callable}; records every request."""

    def __init__(self, routes: dict, robots: dict[str, httpx.Response] | None = None):
        self.routes = routes
        self.robots = robots or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        if request.url.path == "/robots.txt":
            return self.robots.get(request.url.host, httpx.Response(404))
        route = self.routes.get(url)
        if route is None:
            return httpx.Response(404, text="not found")
        return route(request) if callable(route) else route

    def urls(self, include_robots: bool = False) -> list[str]:
        return [str(r.url) for r in self.requests if include_robots or r.url.path != "/robots.txt"]


def fetcher(web: Web, hosts: dict[str, str] | None = None, sleeps=None, **overrides) -> Fetcher:
    sleep = sleeps.append if sleeps is not None else (lambda s: None)
    return Fetcher(
        settings(**overrides),
        client=httpx.Client(transport=httpx.MockTransport(web)),
        resolve=resolver(hosts or {"news.example": PUBLIC, "other.example": PUBLIC}),
        sleep=sleep,
    )


# Safety --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, reason",
    [
        ("file:///etc/passwd", "refused: scheme 'file' is not http(s)"),
        ("ftp://news.example/x", "refused: scheme 'ftp' is not http(s)"),
        ("http://169.254.169.254/latest/meta-data/", "(169.254.169.254)"),
        ("http://10.0.0.1/admin", "(10.0.0.1)"),
        ("http://172.16.5.4/", "(172.16.5.4)"),
        ("http://192.168.1.1/", "(192.168.1.1)"),
        ("http://127.0.0.1:8080/", "(127.0.0.1)"),
        ("http://0.0.0.0/", "(0.0.0.0)"),
        ("http://[::1]/", "(::1)"),
        ("http://[fd00::1]/", "(fd00::1)"),
        ("http://[::ffff:10.0.0.1]/", "(::ffff:a00:1)"),
        ("http://intranet.example/", "(10.1.2.3)"),
    ],
)
def test_refuses_unsafe_urls_without_a_request(url, reason):
    web = Web({})
    f = fetcher(web, hosts={"intranet.example": "10.1.2.3"})
    with pytest.raises(FetchRefused) as info:
        f.fetch(url)
    assert reason in str(info.value)
    assert web.requests == []


def test_allowed_private_networks_open_a_range():
    allowed = (ipaddress.ip_network("127.0.0.0/8"),)
    check_url("http://127.0.0.5:9000/", allowed)  # no exception
    with pytest.raises(FetchRefused):
        check_url("http://10.0.0.1/", allowed)


def test_a_redirect_to_a_metadata_address_is_refused_at_that_hop():
    web = Web(
        {
            "http://news.example/a": httpx.Response(
                302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
            )
        }
    )
    with pytest.raises(FetchRefused, match=r"169\.254\.169\.254"):
        fetcher(web).fetch("http://news.example/a")
    assert web.urls() == ["http://news.example/a"]


def test_unresolvable_host_is_a_fetch_error():
    with pytest.raises(FetchError, match="cannot resolve host 'nowhere.example'"):
        fetcher(Web({})).fetch("http://nowhere.example/")


# Redirects -----------------------------------------------------------------------------


def test_redirects_are_followed_and_loops_detected():
    web = Web(
        {
            "http://news.example/old": httpx.Response(301, headers={"Location": "/new"}),
            "http://news.example/new": httpx.Response(200, text="<p>hi</p>"),
            "http://news.example/loop/a": httpx.Response(302, headers={"Location": "/loop/b"}),
            "http://news.example/loop/b": httpx.Response(302, headers={"Location": "/loop/a"}),
        }
    )
    f = fetcher(web)
    response = f.fetch("http://news.example/old")
    assert (response.url, response.redirects) == (
        "http://news.example/new",
        ["http://news.example/old"],
    )
    with pytest.raises(RedirectLoop, match=r"redirect loop: http://news.example/loop/a"):
        f.fetch("http://news.example/loop/a")


def test_too_many_redirects():
    routes = {
        f"http://news.example/{i}": httpx.Response(302, headers={"Location": f"/{i + 1}"})
        for i in range(10)
    }
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        fetcher(Web(routes)).fetch("http://news.example/0")


# robots.txt ----------------------------------------------------------------------------


def test_robots_disallow_is_honoured_for_our_user_agent_and_cached():
    robots = httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
    web = Web(
        {"http://news.example/ok": httpx.Response(200, text="ok")},
        robots={"news.example": robots},
    )
    f = fetcher(web)
    with pytest.raises(RobotsDisallowed, match="robots.txt disallows /private/memo"):
        f.fetch("http://news.example/private/memo")
    assert f.fetch("http://news.example/ok").content == b"ok"
    assert web.urls(include_robots=True) == [
        "http://news.example/robots.txt",
        "http://news.example/ok",
    ]
    assert web.requests[0].headers["User-Agent"] == "mediastance-test/1.0"


@pytest.mark.parametrize(
    "robots, allowed",
    [
        (httpx.Response(404), True),  # RFC 9309: unavailable → no restrictions
        (httpx.Response(403), True),
        (httpx.Response(503), False),  # unreachable → complete disallow
    ],
)
def test_robots_status_codes(robots, allowed):
    web = Web(
        {"http://news.example/a": httpx.Response(200, text="a")}, robots={"news.example": robots}
    )
    f = fetcher(web, retries=0)
    if allowed:
        assert f.fetch("http://news.example/a").status_code == 200
    else:
        with pytest.raises(RobotsDisallowed):
            f.fetch("http://news.example/a")


def test_robots_transport_failure_means_allow():
    def handler(request):
        if request.url.path == "/robots.txt":
            raise httpx.ConnectError("refused")
        return httpx.Response(200, text="a")

    f = Fetcher(
        settings(retries=0),
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        resolve=resolver({"news.example": PUBLIC}),
        sleep=lambda s: None,
    )
    assert f.fetch("http://news.example/a").content == b"a"


# Retries and throttling ----------------------------------------------------------------


def test_429_with_retry_after_is_waited_then_retried():
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, text="ok")]
    )
    web = Web({"http://news.example/a": lambda r: next(answers)})
    sleeps: list[float] = []
    response = fetcher(web, sleeps=sleeps).fetch("http://news.example/a")
    assert response.content == b"ok"
    assert web.urls() == ["http://news.example/a", "http://news.example/a"]
    assert len(sleeps) == 1 and 1.9 < sleeps[0] <= 2.0


def test_retry_after_beyond_the_limit_is_an_error():
    web = Web({"http://news.example/a": httpx.Response(503, headers={"Retry-After": "3600"})})
    with pytest.raises(FetchError, match="HTTP 503, Retry-After 3600s") as info:
        fetcher(web).fetch("http://news.example/a")
    assert info.value.status_code == 503
    assert web.urls() == ["http://news.example/a"]


def test_transport_errors_are_retried_with_backoff_http_errors_are_not():
    attempts = []

    def flaky(request):
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("connection reset")
        return httpx.Response(200, text="finally")

    sleeps: list[float] = []
    web = Web({"http://news.example/a": flaky, "http://news.example/b": httpx.Response(500)})
    f = fetcher(web, sleeps=sleeps, retries=2)
    assert f.fetch("http://news.example/a").content == b"finally"
    assert [round(s, 1) for s in sleeps] == [0.5, 1.0]
    with pytest.raises(FetchError, match="HTTP 500") as info:
        f.fetch("http://news.example/b")
    assert info.value.status_code == 500
    assert web.urls().count("http://news.example/b") == 1


def test_transport_errors_give_up_after_the_retries():
    def down(request):
        raise httpx.ReadTimeout("timed out")

    web = Web({"http://news.example/a": down})
    with pytest.raises(FetchError, match=r"timeout \(ReadTimeout\)"):
        fetcher(web, retries=1).fetch("http://news.example/a")
    assert len(web.urls()) == 2


def test_parse_retry_after():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480) == 10.0
    assert parse_retry_after("soon") is None


# Bodies --------------------------------------------------------------------------------


def test_declared_length_over_the_cap_is_refused_before_reading():
    web = Web({"http://news.example/big": httpx.Response(200, content=b"x" * 20_000)})
    with pytest.raises(TooLarge, match="Content-Length 20000 > max_bytes 10000"):
        fetcher(web).fetch("http://news.example/big")


def test_streamed_body_over_the_cap_stops_reading():
    produced = []

    def chunks():
        for _ in range(1000):  # 1 MB if read to the end
            produced.append(1)
            yield b"y" * 1000

    web = Web({"http://news.example/big": httpx.Response(200, content=chunks())})
    with pytest.raises(TooLarge, match="more than max_bytes 10000 bytes"):
        fetcher(web).fetch("http://news.example/big")
    assert len(produced) <= 12


def test_pdf_is_not_html_by_header_or_by_bytes():
    web = Web(
        {
            "http://news.example/r.pdf": httpx.Response(
                200, headers={"Content-Type": "application/pdf"}, content=b"%PDF-1.4"
            ),
            "http://news.example/r": httpx.Response(
                200, headers={"Content-Type": "text/html"}, content=b"%PDF-1.4 ..."
            ),
        }
    )
    f = fetcher(web)
    with pytest.raises(NotHTML, match="not HTML: Content-Type application/pdf"):
        f.fetch("http://news.example/r.pdf", html=True)
    with pytest.raises(NotHTML, match="not HTML: body is a PDF"):
        f.fetch("http://news.example/r", html=True)


def test_conditional_get_sends_validators_and_304_is_not_modified():
    web = Web({"http://news.example/feed": httpx.Response(304)})
    response = fetcher(web).fetch("http://news.example/feed", etag='"abc"', last_modified="Sat")
    assert response.not_modified
    request = web.requests[-1]
    assert (request.headers["If-None-Match"], request.headers["If-Modified-Since"]) == (
        '"abc"',
        "Sat",
    )


# Politeness ----------------------------------------------------------------------------


def test_one_request_in_flight_per_host_but_hosts_in_parallel():
    lock = threading.Lock()
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    overall_peak = [0]

    def slow(request):
        host = request.url.host
        with lock:
            in_flight[host] = in_flight.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), in_flight[host])
            overall_peak[0] = max(overall_peak[0], sum(in_flight.values()))
        time.sleep(0.05)
        with lock:
            in_flight[host] -= 1
        return httpx.Response(200, text=str(request.url))

    urls = [f"http://{h}/{i}" for h in ("news.example", "other.example") for i in range(4)]
    f = Fetcher(
        settings(concurrency=4),
        client=httpx.Client(transport=httpx.MockTransport(slow)),
        resolve=resolver({"news.example": PUBLIC, "other.example": PUBLIC}),
    )
    results = list(f.map_unordered(lambda u: f.fetch(u, robots=False).content.decode(), urls))
    assert sorted(r for _, r, _ in results) == sorted(urls)
    assert peak == {"news.example": 1, "other.example": 1}
    assert overall_peak[0] == 2


def test_per_host_delay_spaces_requests_to_one_host():
    starts: list[float] = []

    def handler(request):
        starts.append(time.monotonic())
        return httpx.Response(200)

    f = Fetcher(
        settings(per_host_delay=0.2),
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        resolve=resolver({"news.example": PUBLIC}),
    )
    for i in range(3):
        f.fetch(f"http://news.example/{i}", robots=False)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(gap >= 0.19 for gap in gaps), gaps
