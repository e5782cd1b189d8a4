"""A loopback "fixture web": the recorded pages and feeds, served on 127.0.0.x.

Each logical host of ``tests/fixtures/web.json`` gets its own HTTP server, bound to its
own loopback address (all of 127.0.0.0/8 routes to ``lo`` on Linux) on a free port, so
per-host politeness, robots.txt and private-network checks behave as on the real web::

    with FixtureWeb() as web:
        httpx.get(web.url("news-en", "/rss/business.xml"))
        web.write_config(tmp_path / "mediastance.toml")
        ...
        assert all(e["headers"]["User-Agent"] == "mediastance-test/1.0" for e in web.log)

Bodies are served as the recorded bytes, with ``{host:NAME}`` placeholders replaced by
``127.0.0.x:port`` (a bytes-level replace: GBK and Big5 bytes pass through untouched).
Faults (slow, 429 then 200, redirect loops, oversized and truncated bodies...) are
declared per route in the manifest.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import socketserver
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DEFAULT_MANIFEST = Path(__file__).parent / "fixtures" / "web.json"
PLACEHOLDER = re.compile(r"\{host:([A-Za-z0-9_.-]+)\}")
DEFAULT_SLOW_DELAY = 5.0  # longer than the 2 s client timeout the tests use
FILLER = b"<p>" + b"Filler paragraph for an oversized page. " * 40 + b"</p>\n"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can
        # stall for seconds on a machine without a resolver: skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fixtureweb/1.0"
    timeout = 10  # idle keep-alive connections do not hold a thread forever
    web: FixtureWeb
    host_name: str

    def do_GET(self) -> None:
        self.web._handle(self, self.host_name, head=False)

    def do_HEAD(self) -> None:
        self.web._handle(self, self.host_name, head=True)

    def log_message(self, format: str, *args: object) -> None:
        pass  # FixtureWeb.log records every request


class FixtureWeb:
    """Serve the manifest's routes, robots.txt and faults on loopback; record each request.

    ``hosts`` overrides the manifest's host → IP map (e.g. all "127.0.0.1" on a system
    where only that loopback address exists). ``latency`` adds a sleep to every request.
    """

    def __init__(
        self,
        manifest_path: str | Path = DEFAULT_MANIFEST,
        *,
        latency: float = 0.0,
        hosts: dict[str, str] | None = None,
    ) -> None:
        self.manifest_path = Path(manifest_path)
        self.root = self.manifest_path.parent
        self.manifest: dict = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        self.hosts: dict[str, str] = {**self.manifest["hosts"], **(hosts or {})}
        self.latency = latency
        self.log: list[dict] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._hits: Counter[tuple[str, str]] = Counter()
        self._bodies: dict[str, bytes] = {}
        self._routes: dict[str, list[dict]] = {name: [] for name in self.hosts}
        for route in self.manifest["routes"]:
            self._routes[route["host"]].append(route)
        self._conditional = {
            (r["host"], r["path"]) for r in self.manifest["routes"] if r.get("conditional")
        }

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self) -> FixtureWeb:
        try:
            for name, ip in self.hosts.items():
                handler = type(f"Handler_{name}", (_Handler,), {"web": self, "host_name": name})
                try:
                    server = _Server((ip, 0), handler)
                except OSError as exc:
                    raise OSError(
                        f"fixture web: cannot bind {name} to {ip} ({exc}); "
                        "pass hosts={...: '127.0.0.1'} where only 127.0.0.1 exists"
                    ) from exc
                self._servers[name] = server
        except BaseException:
            self._close_servers()
            raise
        # Bound and listening from here on: connections queue in the backlog until
        # serve_forever picks them up, so there is nothing to wait for.
        for route in self.manifest["routes"]:
            if route.get("file") and route["file"] not in self._bodies:
                raw = (self.root / route["file"]).read_bytes()
                self._bodies[route["file"]] = self.expand_bytes(raw)
        for name, server in self._servers.items():
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.2},
                name=f"fixtureweb-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()  # wakes slow routes and latency sleeps
        stoppers = [
            threading.Thread(target=s.shutdown, daemon=True) for s in self._servers.values()
        ]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()
        for t in self._threads:
            t.join()
        # Handler threads are daemons: let the ones still answering (woken by _stop)
        # stamp their "end", so the log read after the block is final.
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and any(e["end"] is None for e in self.requests()):
            time.sleep(0.01)
        self._close_servers()

    def _close_servers(self) -> None:
        for server in self._servers.values():
            server.server_close()

    # ---------------------------------------------------------------- addresses

    def base(self, host: str) -> str:
        """``http://127.0.0.x:port`` of a logical host."""
        return f"http://{self.netloc(host)}"

    def netloc(self, host: str) -> str:
        ip, port = self._servers[host].server_address[:2]
        return f"{ip}:{port}"

    def url(self, host: str, path: str) -> str:
        return self.base(host) + path

    def expand(self, text: str) -> str:
        """Replace ``{host:NAME}`` placeholders (as in manifest expectations)."""
        return PLACEHOLDER.sub(lambda m: self.netloc(m.group(1)), text)

    def expand_bytes(self, data: bytes) -> bytes:
        for name in self._servers:
            data = data.replace(b"{host:%s}" % name.encode(), self.netloc(name).encode())
        return data

    def route(self, host: str, path: str) -> dict | None:
        """The manifest route a request for ``path`` (with its query) on ``host`` hits.

        A route path with a query matches only that query (compared parsed, so
        ``%20`` and ``+`` agree); one without matches any query (tracking parameters).
        """
        parts = urlsplit(path)
        query = parse_qs(parts.query, keep_blank_values=True)
        fallback = None
        for route in self._routes.get(host, ()):
            rpath, sep, rquery = route["path"].partition("?")
            if rpath != parts.path:
                continue
            if not sep:
                fallback = fallback or route
            elif parse_qs(rquery, keep_blank_values=True) == query:
                return route
        return fallback

    def requests(self, host: str | None = None, path: str | None = None) -> list[dict]:
        """A snapshot of the log, optionally for one host and/or path (query ignored)."""
        with self._lock:
            entries = list(self.log)
        return [
            e
            for e in entries
            if (host is None or e["host"] == host)
            and (path is None or urlsplit(e["path"]).path == path)
        ]

    def write_config(
        self, path: Path, *, per_host_delay: float = 0.0, timeout: float = 2.0
    ) -> Path:
        """Write a mediastance config TOML whose sources are the manifest's feeds."""

        def s(value: str) -> str:  # a JSON string is a valid TOML basic string
            return json.dumps(value, ensure_ascii=False)

        lines = [
            "# Written by tests/fixtureweb.py: every source points at the loopback fixture web.",
            "[fetch]",
            f"timeout = {float(timeout)!r}",
            "max_bytes = 2_000_000",
            f"per_host_delay = {float(per_host_delay)!r}",
            "concurrency = 8",
            'allowed_private_networks = ["127.0.0.0/8"]',
            'user_agent = "mediastance-test/1.0"',
        ]
        for feed in self.manifest["feeds"]:
            lines += ["", "[[sources]]", f"name = {s(feed['name'])}", f"kind = {s(feed['kind'])}"]
            if feed["kind"] == "urls":
                urls = ", ".join(s(self.expand(u)) for u in feed["urls"])
                lines.append(f"urls = [{urls}]")
            else:
                lines.append(f"url = {s(self.url(feed['host'], feed['path']))}")
            lines.append(f"language = {s(feed['language'])}")
            if feed.get("edition"):
                lines.append(f"edition = {s(feed['edition'])}")
        path = Path(path)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    # ---------------------------------------------------------------- serving

    def _handle(self, h: _Handler, host: str, *, head: bool) -> None:
        entry = {
            "host": host,
            "path": h.path,
            "method": h.command,
            "headers": {
                name: h.headers.get(name)
                for name in ("User-Agent", "If-None-Match", "If-Modified-Since")
            },
            "start": time.monotonic(),
            "end": None,
            "status": None,
        }
        # Logged before anything is answered, so a client never sees a response whose
        # request is not in the log yet; "status" and "end" are filled in as it goes.
        with self._lock:
            self.log.append(entry)
        try:
            if self.latency:
                self._stop.wait(self.latency)
            self._respond(h, host, head, entry)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True  # the client gave up (oversized, timeouts)
        finally:
            entry["end"] = time.monotonic()

    def _send(
        self,
        h: _Handler,
        entry: dict,
        status: int,
        headers: dict[str, str],
        body: bytes = b"",
        *,
        head: bool = False,
        length: int | None = None,
    ) -> None:
        entry["status"] = status
        h.send_response(status)
        for name, value in headers.items():
            h.send_header(name, value)
        if status != 304:
            h.send_header("Content-Length", str(len(body) if length is None else length))
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def _respond(self, h: _Handler, host: str, head: bool, entry: dict) -> None:
        path = urlsplit(h.path).path
        if path == "/robots.txt":
            robots = self.manifest.get("robots", {}).get(host)
            if robots is None:
                self._send(h, entry, 404, {"Content-Type": "text/plain"}, b"no robots.txt\n")
            else:
                body = self.expand(robots).encode("utf-8")
                self._send(
                    h, entry, 200, {"Content-Type": "text/plain; charset=utf-8"}, body, head=head
                )
            return
        route = self.route(host, h.path)
        if route is None:
            body = b"<!DOCTYPE html><title>404 Not Found</title><h1>Not Found</h1>\n"
            self._send(h, entry, 404, {"Content-Type": "text/html; charset=utf-8"}, body, head=head)
            return

        fault = route.get("fault")
        headers = dict(route.get("headers") or {})
        body = self._bodies.get(route.get("file") or "", b"")

        if fault == "slow":
            if self._stop.wait(route.get("delay", DEFAULT_SLOW_DELAY)):
                h.close_connection = True  # shutting down: answer nothing
                return
        if fault == "retry_after":
            with self._lock:
                seen = self._hits[(host, route["path"])]
                self._hits[(host, route["path"])] += 1
            if seen == 0:
                self._send(
                    h,
                    entry,
                    429,
                    {"Content-Type": "text/plain", "Retry-After": "1"},
                    b"Too Many Requests\n",
                    head=head,
                )
                return
        if fault in ("redirect", "redirect_loop"):
            headers["Location"] = self.expand(route["location"])
            self._send(h, entry, route.get("status", 302), headers, head=head)
            return
        if fault == "oversized":
            self._send_oversized(h, entry, headers, route.get("size", 8 * 1024 * 1024), head)
            return

        status = route.get("status", 200)
        if (host, route["path"]) in self._conditional and status == 200:
            headers["ETag"] = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            if self._not_modified(h, headers):
                self._send(h, entry, 304, {"ETag": headers["ETag"]}, head=True, length=0)
                return
        if fault == "truncated":
            # Promise more than is sent, then close: the client sees a short body.
            self._send(h, entry, status, headers, body[: len(body) // 2], length=len(body) + 4096)
            h.close_connection = True
            return
        self._send(h, entry, status, headers, body, head=head)

    @staticmethod
    def _not_modified(h: _Handler, headers: dict[str, str]) -> bool:
        inm = h.headers.get("If-None-Match")
        if inm is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110)
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or headers["ETag"] in tags
        ims, last = h.headers.get("If-Modified-Since"), headers.get("Last-Modified")
        if ims and last:
            try:
                since = email.utils.parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            return since >= email.utils.parsedate_to_datetime(last)
        return False

    def _send_oversized(
        self, h: _Handler, entry: dict, headers: dict[str, str], size: int, head: bool
    ) -> None:
        # Chunked, with no Content-Length: only counting while streaming catches it.
        entry["status"] = 200
        h.send_response(200)
        for name, value in headers.items():
            h.send_header(name, value)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if head:
            return
        chunk = b"<!DOCTYPE html><html><body>\n" + FILLER * (65536 // len(FILLER))
        sent = 0
        while sent < size and not self._stop.is_set():
            piece = chunk[: size - sent]
            h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        h.wfile.write(b"0\r\n\r\n")
