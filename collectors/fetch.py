"""Polite, safe HTTP fetching: one shared httpx client, one request in flight per host.

Everything a collector downloads goes through :class:`Fetcher`:

- safety first: only http(s), and never a host that is (or resolves to) a private,
  loopback, link-local, metadata or unique-local address unless the config's
  ``allowed_private_networks`` covers it. The check runs on every redirect hop, so a
  public page cannot bounce us to ``169.254.169.254``. A refusal raises before any
  request is made. The check is repeated where the socket is opened: our client's
  network backend resolves the host once, checks every answer and connects to exactly
  the address it checked (TLS still verifies the URL's host name and the ``Host``
  header still names it), so a DNS name that answers a public address to the check
  and ``127.0.0.1`` a moment later (DNS rebinding) is never connected to;
- politeness: robots.txt (per host, cached; RFC 9309: unreachable or 4xx means allow,
  5xx means disallow), at most one request in flight per host and ``per_host_delay``
  seconds between requests to it (or the host's robots.txt ``Crawl-delay`` when that
  is longer; one longer than ``max_retry_after`` is an error for the host's later URLs
  rather than a stall of the run), ``Retry-After`` on 429/503 honoured up to
  ``max_retry_after``;
- robustness: timeouts (per read and for the whole body), retries with backoff on
  transport errors only, a ``max_bytes`` cap enforced while streaming, redirects
  followed by hand with a limit and loop detection.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from queue import SimpleQueue
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from collectors.faults import CollectorError
from mediastance.core.config import FetchSettings

T = TypeVar("T")
R = TypeVar("R")

ROBOTS_MAX_BYTES = 500_000  # RFC 9309: crawlers may ignore robots.txt content past 500 KiB
BACKOFF_BASE = 0.5
HTML_TYPES = ("text/html", "application/xhtml+xml")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(CollectorError):
    """A URL could not be fetched; ``status_code`` is the HTTP status when there was one."""

    kind = "fetch"

    def __init__(self, message: str, *, url: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.url = url
        self.status_code = status_code


class FetchRefused(FetchError):
    """The URL was refused before any request: bad scheme or a private/metadata address."""


class RobotsDisallowed(FetchRefused):
    """robots.txt of the host disallows this URL for our user agent."""


class TooLarge(FetchError):
    """The body is longer than ``max_bytes``; reading stopped at the cap."""


class NotHTML(FetchError):
    """An article page turned out to be something else (a PDF, an image…)."""


class TooManyRedirects(FetchError):
    """More than ``max_redirects`` hops."""


class RedirectLoop(FetchError):
    """A redirect pointed back at a URL already visited in the same chain."""


@dataclass
class Response:
    """What a fetch returns: final URL, status, headers and the (capped) body."""

    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes = b""
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


# ---------------------------------------------------------------------------------------
# Safety


def is_blocked_address(ip: Address, allowed: Iterable[Network] = ()) -> bool:
    """True for addresses a crawler must never reach unless explicitly allowed.

    ``is_global`` is False for private (10/8, 172.16/12, 192.168/16), loopback, link-local
    (169.254/16, where cloud metadata lives), unspecified (0.0.0.0, ::), ULA (fc00::/7),
    shared (100.64/10) and reserved ranges; multicast is refused as well.
    """
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    if any(ip.version == net.version and ip in net for net in allowed):
        return False
    return not ip.is_global or ip.is_multicast


def check_url(
    url: str,
    allowed: Iterable[Network] = (),
    *,
    resolve: Callable[..., list] = socket.getaddrinfo,
) -> None:
    """Raise :class:`FetchRefused` unless the URL is http(s) and its host is public."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"refused: scheme {scheme or '(none)'!r} is not http(s)", url=url)
    host = parts.hostname
    if not host:
        raise FetchRefused("refused: URL has no host", url=url)
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("refused: invalid port", url=url) from None
    try:
        resolve_public(host, port, allowed, resolve=resolve)
    except FetchError as exc:
        exc.url = url
        raise


def resolve_public(
    host: str,
    port: int,
    allowed: Iterable[Network] = (),
    *,
    resolve: Callable[..., list] = socket.getaddrinfo,
) -> list[Address]:
    """The host's addresses, each one checked; :class:`FetchRefused` if any is private.

    One answer that is private refuses the host, even beside public ones: which of them
    a connection would use is not ours to choose.
    """
    allowed = tuple(allowed)
    try:
        literal: Address | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = resolve(host, port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"cannot resolve host {host!r} ({exc})") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise FetchError(f"cannot resolve host {host!r} (no address)")
    for ip in addresses:
        if is_blocked_address(ip, allowed):
            raise FetchRefused(
                f"refused: {host} is a private, loopback, link-local or reserved address ({ip})"
            )
    return addresses


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, resolving and checking the host where it connects.

    httpcore hands ``connect_tcp`` the URL's host name; the default backend would let
    ``socket.create_connection`` resolve it again, after our check. Here the name is
    resolved once, every answer is checked, and the socket connects to one of those
    very addresses. TLS is started afterwards by httpcore with the URL's host as
    ``server_hostname``, so SNI and certificate verification are unchanged, and the
    ``Host`` header comes from the request.
    """

    def __init__(
        self,
        allowed: Iterable[Network] = (),
        *,
        resolve: Callable[..., list] = socket.getaddrinfo,
    ) -> None:
        self._allowed = tuple(allowed)
        self._resolve = resolve
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_public(host, port, self._allowed, resolve=self._resolve)
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for ip in addresses:  # like create_connection: the first that answers
            try:
                return self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise FetchRefused("refused: unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """An ``httpx.HTTPTransport`` whose connections go through :class:`PinnedBackend`.

    httpx has no option for a network backend, so the connection pool it builds is
    replaced by the same pool with ours. No proxy: a proxy would resolve the name
    itself, out of our sight.
    """

    def __init__(
        self,
        allowed: Iterable[Network] = (),
        *,
        resolve: Callable[..., list] = socket.getaddrinfo,
        verify: Any = True,
    ) -> None:
        super().__init__(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=100,  # httpx's default limits
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=PinnedBackend(allowed, resolve=resolve),
        )


def pinned_client(
    settings: FetchSettings,
    *,
    resolve: Callable[..., list] = socket.getaddrinfo,
    verify: Any = True,
) -> httpx.Client:
    """The client :class:`Fetcher` uses by default: no redirects, no proxy, pinned DNS.

    ``verify`` is httpx's (an ``ssl.SSLContext`` with a test CA in the tests).
    """
    return httpx.Client(
        follow_redirects=False,
        timeout=settings.timeout,
        # A proxy from the environment would see every URL but our own safety check
        # could not vouch for where it connects; fetch directly.
        trust_env=False,
        transport=PinnedTransport(
            settings.allowed_private_networks, resolve=resolve, verify=verify
        ),
    )


# ---------------------------------------------------------------------------------------
# Politeness


class _HostSlot:
    """One per host: a lock held while a request is in flight, when the last one ended
    and when the next may start at the earliest (Retry-After, transport backoff)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_done: float | None = None
        self.not_before = 0.0


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class Fetcher:
    """Fetch URLs politely and safely; share one instance across a whole collect run."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        client: httpx.Client | None = None,
        resolve: Callable[..., list] = socket.getaddrinfo,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._own_client = client is None
        self.client = client or pinned_client(settings, resolve=resolve)
        self._resolve = resolve
        self._sleep = sleep
        self._clock = clock
        self._slots: dict[str, _HostSlot] = {}
        self._slots_lock = threading.Lock()
        self._robots: dict[str, Protego | bool] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- public API ---------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        html: bool = False,
        robots: bool = True,
        max_bytes: int | None = None,
    ) -> Response:
        """GET a URL, following redirects by hand; raise a :class:`FetchError` subclass.

        ``etag`` / ``last_modified`` make it a conditional GET (a 304 comes back as a
        :class:`Response` with ``not_modified`` true). ``html=True`` refuses bodies that
        are not HTML before reading them (and sniffs PDFs served as text/html).
        """
        headers = {"User-Agent": self.settings.user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if html:
            headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
        seen = [url]
        current = url
        while True:
            check_url(current, self.settings.allowed_private_networks, resolve=self._resolve)
            if robots and not self.allowed_by_robots(current):
                raise RobotsDisallowed(
                    f"refused: robots.txt disallows {urlsplit(current).path or '/'}", url=current
                )
            try:
                response = self._request(current, headers, html=html, max_bytes=max_bytes)
            except FetchError as exc:  # refused where the socket opens: name the URL
                exc.url = exc.url or current
                raise
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(
                        f"HTTP {response.status_code} without Location",
                        url=current,
                        status_code=response.status_code,
                    )
                target = urljoin(current, location.strip())
                if target in seen:
                    raise RedirectLoop(
                        f"redirect loop: {target} was already visited",
                        url=url,
                        status_code=response.status_code,
                    )
                if len(seen) > self.settings.max_redirects:
                    raise TooManyRedirects(
                        f"more than {self.settings.max_redirects} redirects",
                        url=url,
                        status_code=response.status_code,
                    )
                seen.append(target)
                current = target
                continue
            response.redirects = seen[:-1]
            if response.status_code == 304 and (etag or last_modified):
                return response
            if not 200 <= response.status_code < 300:
                raise FetchError(
                    f"HTTP {response.status_code}", url=current, status_code=response.status_code
                )
            if html and response.content.lstrip()[:5] == b"%PDF-":
                raise NotHTML("not HTML: body is a PDF", url=current, status_code=200)
            return response

    def allowed_by_robots(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets our user agent fetch it (cached)."""
        origin = _origin(url)
        with self._slots_lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(url, self.settings.user_agent)

    def crawl_delay(self, url: str) -> float:
        """Seconds robots.txt of the URL's host asks between requests (0 when it does not,
        or when robots.txt has not been read for that host)."""
        rules = self._robots.get(_origin(url))
        if isinstance(rules, bool) or rules is None:
            return 0.0
        delay = rules.crawl_delay(self.settings.user_agent)
        return max(0.0, float(delay)) if delay is not None else 0.0

    def map_unordered(
        self,
        func: Callable[[T], R],
        items: Iterable[T],
        *,
        url: Callable[[T], str] | None = None,
    ) -> Iterator[tuple[T, R | None, BaseException | None]]:
        """Run ``func`` over items on ``concurrency`` threads; yield (item, result, error).

        Results come back as they complete so the caller can save each one at once.
        ``url(item)`` (the item itself when it is a str) names the item's host: at most
        one item per host is handed to the pool at a time, the next one when it is done.
        Without that, a list grouped by host (a feed is one outlet) sends every worker
        to queue on the first host's lock while the other hosts sit idle, and the run
        takes as long as a sequential one.
        """
        items = list(items)
        if not items:
            return
        if url is None and all(isinstance(item, str) for item in items):
            url = str  # type: ignore[assignment]
        queues: dict[str, list[T]] = {}
        for n, item in enumerate(items):
            host = (urlsplit(url(item)).hostname or "").lower() if url else str(n)
            queues.setdefault(host, []).append(item)
        for queue in queues.values():
            queue.reverse()  # pop() from the end keeps each host's order
        waiting = list(queues)  # hosts with work and nothing in flight, first-seen first
        workers = min(self.settings.concurrency, len(queues))
        done: SimpleQueue[tuple[T, R | None, BaseException | None]] = SimpleQueue()
        lock = threading.Lock()
        closed = False

        def start(pool: ThreadPoolExecutor) -> None:
            # With `lock` held: the longest-waiting host gets its next item.
            host = waiting.pop(0)
            pool.submit(run, pool, host, queues[host].pop())

        def run(pool: ThreadPoolExecutor, host: str, item: T) -> None:
            # In a worker: the host's next request is handed out as soon as this one is
            # done, without waiting for the caller to consume (and save) results.
            result: R | None = None
            error: BaseException | None = None
            try:
                result = func(item)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller as is
                error = exc
            with lock:
                if queues[host]:
                    waiting.append(host)
                if waiting and not closed:
                    start(pool)
            done.put((item, result, error))

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            try:
                with lock:
                    for _ in range(workers):
                        start(pool)
                for _ in range(len(items)):
                    yield done.get()
            finally:
                with lock:
                    closed = True  # a caller that stopped early: start nothing new

    # -- internals ----------------------------------------------------------------------

    def _slot(self, url: str) -> _HostSlot:
        host = (urlsplit(url).hostname or "").lower()
        with self._slots_lock:
            return self._slots.setdefault(host, _HostSlot())

    def _load_robots(self, origin: str) -> Protego | bool:
        robots_url = origin + "/robots.txt"
        try:
            response = self.fetch(robots_url, robots=False, max_bytes=ROBOTS_MAX_BYTES)
        except TooLarge:
            return True
        except FetchError as exc:
            # RFC 9309 2.3.1: 4xx "unavailable" means no restrictions; 5xx "unreachable"
            # means assume complete disallow. A network failure we treat as unavailable.
            if exc.status_code is not None and 500 <= exc.status_code < 600:
                return False
            return True
        text = response.content.decode("utf-8", errors="replace")
        return Protego.parse(text)

    def _request(
        self, url: str, headers: dict[str, str], *, html: bool, max_bytes: int | None
    ) -> Response:
        """One URL, no redirects: retries transport errors, honours Retry-After."""
        settings = self.settings
        slot = self._slot(url)
        transport_failures = 0
        throttled = 0
        while True:
            wait_after: float | None = None
            with slot.lock:
                crawl_delay = self.crawl_delay(url)
                ready = slot.not_before
                if slot.last_done is not None:
                    spacing = max(settings.per_host_delay, crawl_delay)
                    ready = max(ready, slot.last_done + spacing)
                delay = ready - self._clock()
                if delay > settings.max_retry_after and crawl_delay > settings.max_retry_after:
                    raise FetchError(
                        f"robots.txt Crawl-delay {crawl_delay:g}s is longer than"
                        f" max_retry_after {settings.max_retry_after:g}s: not fetched this run",
                        url=url,
                    )
                if delay > 0:
                    self._sleep(delay)
                try:
                    response = self._stream(url, headers, html=html, max_bytes=max_bytes)
                except (httpx.TransportError, _BodyTimeout) as exc:
                    transport_failures += 1
                    if transport_failures > settings.retries:
                        raise FetchError(_describe_transport_error(exc), url=url) from None
                    wait_after = BACKOFF_BASE * 2 ** (transport_failures - 1)
                    response = None
                finally:
                    slot.last_done = self._clock()
                if response is not None and response.status_code in (429, 503):
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                    throttled += 1
                    if (
                        retry_after is None
                        or retry_after > settings.max_retry_after
                        or throttled > max(settings.retries, 1)
                    ):
                        hint = "" if retry_after is None else f", Retry-After {retry_after:g}s"
                        raise FetchError(
                            f"HTTP {response.status_code}{hint}",
                            url=url,
                            status_code=response.status_code,
                        )
                    wait_after = retry_after
                    response = None
                if wait_after is not None:
                    slot.not_before = self._clock() + wait_after
                if response is not None:
                    return response

    def _stream(
        self, url: str, headers: dict[str, str], *, html: bool, max_bytes: int | None
    ) -> Response:
        limit = max_bytes or self.settings.max_bytes
        timeout = self.settings.timeout
        started = time.monotonic()
        with self.client.stream("GET", url, headers=headers, timeout=timeout) as raw:
            response = Response(url=url, status_code=raw.status_code, headers=raw.headers)
            if raw.status_code != 200:
                # Error pages and redirects: a little of the body is enough (and drained
                # so the connection can be reused).
                response.content = _read_capped(raw, min(limit, 65_536), started, timeout, None)
                return response
            if html and response.content_type and response.content_type not in HTML_TYPES:
                raise NotHTML(
                    f"not HTML: Content-Type {response.content_type}", url=url, status_code=200
                )
            declared = raw.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise TooLarge(
                    f"body too large: Content-Length {declared} > max_bytes {limit}",
                    url=url,
                    status_code=200,
                )
            response.content = _read_capped(raw, limit, started, timeout, url)
            return response


class _BodyTimeout(Exception):
    """The whole body took longer than the timeout (a server trickling bytes)."""


def _read_capped(
    raw: httpx.Response, limit: int, started: float, timeout: float, url: str | None
) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in raw.iter_bytes():
        total += len(chunk)
        if total > limit:
            if url is None:  # error page: keep what we have
                chunks.append(chunk[: limit - (total - len(chunk))])
                break
            raise TooLarge(
                f"body too large: more than max_bytes {limit} bytes", url=url, status_code=200
            )
        chunks.append(chunk)
        if time.monotonic() - started > timeout * 3:
            raise _BodyTimeout(f"body not complete after {timeout * 3:g}s")
    return b"".join(chunks)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _describe_transport_error(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout ({type(exc).__name__})"
    if isinstance(exc, _BodyTimeout):
        return f"timeout ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"incomplete response ({exc})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
