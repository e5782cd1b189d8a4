"""Fetching connects to exactly the address that was checked (issue 18), and robots.txt
Crawl-delay is honoured, on real loopback servers (http and https with a test CA).

A DNS-rebinding name answers a public address to the check and ``127.0.0.1`` a moment
later. The name used here is ``localhost``: without pinning, httpx would resolve it
again through the system and connect to the loopback server, which counts every TCP
connection it accepts, so a regression shows up as a connection there.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import socketserver
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from fixtureweb import FixtureWeb
from test_fetch import PUBLIC
from test_fetch import settings as fetch_settings

from collectors.fetch import Fetcher, FetchError, FetchRefused, pinned_client
from mediastance.core.config import FetchSettings

FIXTURES = Path(__file__).parent / "fixtures"


def settings(allowed: tuple[str, ...] = (), **overrides) -> FetchSettings:
    networks = tuple(ipaddress.ip_network(n) for n in allowed)
    return fetch_settings(allowed_private_networks=networks, retries=0, **overrides)


class Rebinding:
    """A resolver that gives each host its answers in turn, the last one from then on."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers = answers
        self.calls: list[tuple[str, str]] = []

    def __call__(self, host, port, proto=0):
        queue = self.answers[host]
        ip = queue.pop(0) if len(queue) > 1 else queue[0]
        self.calls.append((host, ip))
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:  # no reverse DNS lookup of the bound address
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def verify_request(self, request, client_address) -> bool:
        self.connections += 1  # every accepted TCP connection, before any byte is read
        return True


class Loopback:
    """One HTTP(S) server on a loopback address; records connections, Host and SNI."""

    def __init__(self, ip: str, *, tls: trustme.LeafCert | None = None, routes=None):
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = routes or {}
        self.hosts: list[str] = []
        self.sni: list[str | None] = []
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                loopback.hosts.append(self.headers.get("Host"))
                status, headers, body = loopback.routes.get(self.path, (404, {}, b"not found\n"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = _Server((ip, 0), Handler)
        self.server.connections = 0
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.configure_cert(context)
            context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def connections(self) -> int:
        return self.server.connections

    def url(self, host: str, path: str) -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def client_tls(ca) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


PAGE = (200, {"Content-Type": "text/html; charset=utf-8"}, b"<p>checked and pinned</p>")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_name_rebound_to_loopback_after_the_check_is_never_connected_to(scheme, ca, client_tls):
    tls = ca.issue_cert("localhost") if scheme == "https" else None
    resolve = Rebinding({"localhost": [PUBLIC, "127.0.0.1"]})
    config = settings()
    with Loopback("127.0.0.1", tls=tls, routes={"/page": PAGE}) as private:
        url = private.url("localhost", "/page")
        with Fetcher(
            config,
            client=pinned_client(config, resolve=resolve, verify=client_tls),
            resolve=resolve,
        ) as f:
            with pytest.raises(FetchRefused) as info:
                f.fetch(url, robots=False)
        assert str(info.value) == (
            "refused: localhost is a private, loopback, link-local or reserved address (127.0.0.1)"
        )
        assert info.value.url == url
        # The check saw the public answer; the connection resolved again, checked again.
        assert resolve.calls == [("localhost", PUBLIC), ("localhost", "127.0.0.1")]
        assert private.connections == 0
        assert private.hosts == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_redirect_hop_rebound_to_loopback_is_never_connected_to(scheme, ca, client_tls):
    # 127.0.0.2 stands for a public site (allowed), 127.0.0.1 for the private target.
    tls_public = ca.issue_cert("news.test") if scheme == "https" else None
    tls_private = ca.issue_cert("localhost") if scheme == "https" else None
    config = settings(allowed=("127.0.0.2/32",))
    with (
        Loopback("127.0.0.1", tls=tls_private, routes={"/secret": PAGE}) as private,
        Loopback("127.0.0.2", tls=tls_public) as public,
    ):
        hop = private.url("localhost", "/secret")
        public.routes["/a"] = (302, {"Location": hop}, b"")
        resolve = Rebinding({"news.test": ["127.0.0.2"], "localhost": [PUBLIC, "127.0.0.1"]})
        with Fetcher(
            config,
            client=pinned_client(config, resolve=resolve, verify=client_tls),
            resolve=resolve,
        ) as f:
            with pytest.raises(FetchRefused, match=r"\(127\.0\.0\.1\)$") as info:
                f.fetch(public.url("news.test", "/a"), robots=False)
        assert info.value.url == hop
        assert public.hosts == [f"news.test:{public.port}"]
        assert private.connections == 0


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_pinned_connection_keeps_the_host_name_for_tls_and_the_host_header(
    scheme, ca, client_tls
):
    # The fixture web's setting: 127.0.0.0/8 allowed. news.test exists only in our
    # resolver, and the certificate names news.test only: the page arrives only if the
    # socket went to the resolved address and TLS verified the URL's host name.
    tls = ca.issue_cert("news.test") if scheme == "https" else None
    config = settings(allowed=("127.0.0.0/8",))
    resolve = Rebinding({"news.test": ["127.0.0.1"]})
    with Loopback("127.0.0.1", tls=tls, routes={"/page": PAGE}) as server:
        with Fetcher(
            config,
            client=pinned_client(config, resolve=resolve, verify=client_tls),
            resolve=resolve,
        ) as f:
            response = f.fetch(server.url("news.test", "/page"), robots=False)
        assert (response.status_code, response.content) == (200, PAGE[2])
        assert server.hosts == [f"news.test:{server.port}"]
        assert server.sni == (["news.test"] if scheme == "https" else [])
        assert server.connections == 1


def test_a_certificate_for_another_name_is_still_refused(ca, client_tls):
    config = settings(allowed=("127.0.0.0/8",))
    resolve = Rebinding({"news.test": ["127.0.0.1"]})
    with Loopback("127.0.0.1", tls=ca.issue_cert("other.test"), routes={"/": PAGE}) as server:
        with Fetcher(
            config,
            client=pinned_client(config, resolve=resolve, verify=client_tls),
            resolve=resolve,
        ) as f:
            with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
                f.fetch(server.url("news.test", "/"), robots=False)
        assert server.hosts == []


def test_the_default_client_is_pinned_and_reaches_the_fixture_web():
    # Fetcher(client=None) with the fixture web's allow-loopback setting.
    with FixtureWeb() as web:
        config = settings(allowed=("127.0.0.0/8",))
        with Fetcher(config) as f:
            response = f.fetch(web.url("news-en", "/2016/05/iacc-suspends-alibaba.html"))
        assert response.status_code == 200
        assert b"IACC suspends Alibaba" in response.content
        assert [(e["host"], e["path"]) for e in web.requests("news-en")] == [
            ("news-en", "/robots.txt"),
            ("news-en", "/2016/05/iacc-suspends-alibaba.html"),
        ]
    with Fetcher(settings()) as f:  # and refuses loopback without it
        with pytest.raises(FetchRefused, match=r"\(127\.0\.0\.2\)$"):
            f.fetch("http://127.0.0.2:9/", robots=False)


# Crawl-delay ---------------------------------------------------------------------------


class FakeTime:
    """Clock and sleep for the Fetcher: sleeping moves the clock; sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def crawl_delay_web(tmp_path: Path, robots: str) -> FixtureWeb:
    """A one-host loopback web with two recorded pages and the given robots.txt."""
    page = str(FIXTURES / "pages" / "en_iacc_suspends.html")
    route = {"host": "site", "headers": {"Content-Type": "text/html; charset=utf-8"}}
    manifest = {
        "hosts": {"site": "127.0.0.1"},
        "robots": {"site": robots},
        "routes": [{**route, "path": "/a", "file": page}, {**route, "path": "/b", "file": page}],
        "feeds": [],
    }
    path = tmp_path / "web.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return FixtureWeb(path)


@pytest.mark.parametrize(
    "robots, per_host_delay, spacing",
    [
        ("User-agent: *\nCrawl-delay: 3\nDisallow: /private/\n", 0.5, 3.0),
        ("User-agent: *\nCrawl-delay: 3\n", 4.0, 4.0),  # the larger of the two
        ("User-agent: mediastance-test\nCrawl-delay: 2\n\nUser-agent: *\n", 0.5, 2.0),
        ("User-agent: OtherBot\nCrawl-delay: 9\n", 0.5, 0.5),  # not for us
    ],
)
def test_crawl_delay_spaces_requests_on_the_loopback_web(tmp_path, robots, per_host_delay, spacing):
    time_ = FakeTime()
    config = settings(allowed=("127.0.0.0/8",), per_host_delay=per_host_delay)
    with crawl_delay_web(tmp_path, robots) as web:
        with Fetcher(config, sleep=time_.sleep, clock=time_.clock) as f:
            for path in ("/a", "/b"):
                assert f.fetch(web.url("site", path)).status_code == 200
        assert [e["path"] for e in web.requests()] == ["/robots.txt", "/a", "/b"]
    # robots.txt, then each page `spacing` seconds after the request before it.
    assert time_.sleeps == [spacing, spacing]


def test_a_crawl_delay_beyond_max_retry_after_is_an_error_not_a_stall(tmp_path):
    time_ = FakeTime()
    config = settings(allowed=("127.0.0.0/8",), per_host_delay=0.5, max_retry_after=30.0)
    with crawl_delay_web(tmp_path, "User-agent: *\nCrawl-delay: 3600\n") as web:
        with Fetcher(config, sleep=time_.sleep, clock=time_.clock) as f:
            with pytest.raises(FetchError) as info:
                f.fetch(web.url("site", "/a"))
        assert [e["path"] for e in web.requests()] == ["/robots.txt"]
    assert str(info.value) == (
        "robots.txt Crawl-delay 3600s is longer than max_retry_after 30s: not fetched this run"
    )
    assert info.value.url == web.url("site", "/a")
    assert time_.sleeps == []
