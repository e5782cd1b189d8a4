"""Fetcher.map_unordered hands out one item per host at a time, so hosts run side by side.

A list grouped by host (one feed = one outlet) used to send every worker to queue on the
first host's lock: politeness held, but the run was as slow as a sequential one.
"""

from __future__ import annotations

import threading
import time

import httpx
from test_fetch import PUBLIC, resolver, settings

from collectors.fetch import Fetcher

HOSTS = ("a.example", "b.example", "c.example")


def recording_fetcher(**overrides):
    lock = threading.Lock()
    log: list[tuple[str, str, float, float]] = []

    def handler(request):
        started = time.monotonic()
        time.sleep(0.05)
        with lock:
            log.append((request.url.host, request.url.path, started, time.monotonic()))
        return httpx.Response(200, text=str(request.url))

    f = Fetcher(
        settings(**overrides),
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        resolve=resolver(dict.fromkeys(HOSTS, PUBLIC)),
    )
    return f, log


def test_grouped_list_runs_hosts_side_by_side_one_request_each():
    f, log = recording_fetcher(concurrency=3)
    items = [{"url": f"http://{h}/{i}"} for h in HOSTS for i in range(4)]
    results = list(
        f.map_unordered(
            lambda item: f.fetch(item["url"], robots=False).content.decode(),
            items,
            url=lambda item: item["url"],
        )
    )
    assert sorted(r for _, r, e in results if e is None) == sorted(i["url"] for i in items)
    # The first three requests went to three different hosts, not three times to a.example.
    first = sorted(log, key=lambda e: e[2])[:3]
    assert sorted(host for host, *_ in first) == sorted(HOSTS)
    for host in HOSTS:
        mine = sorted((e for e in log if e[0] == host), key=lambda e: e[2])
        assert [path for _, path, *_ in mine] == ["/0", "/1", "/2", "/3"]  # order kept
        assert all(b[2] >= a[3] for a, b in zip(mine, mine[1:], strict=False))  # never two


def test_plain_url_strings_are_grouped_by_host_without_a_key():
    f, log = recording_fetcher(concurrency=2)
    urls = [f"http://{h}/{i}" for h in HOSTS[:2] for i in range(3)]
    results = list(f.map_unordered(lambda u: f.fetch(u, robots=False).status_code, urls))
    assert [r for _, r, _ in results] == [200] * 6
    first = sorted(log, key=lambda e: e[2])[:2]
    assert sorted(host for host, *_ in first) == list(HOSTS[:2])


def test_errors_come_back_with_their_item_and_the_rest_still_run():
    f, _ = recording_fetcher(concurrency=2)
    items = ["http://a.example/ok", "http://a.example/boom", "http://b.example/ok"]

    def work(url: str) -> str:
        if url.endswith("boom"):
            raise ValueError("boom")
        return f.fetch(url, robots=False).content.decode()

    results = {
        item: (result, type(error).__name__ if error else None)
        for item, result, error in f.map_unordered(work, items)
    }
    assert results == {
        "http://a.example/ok": ("http://a.example/ok", None),
        "http://a.example/boom": (None, "ValueError"),
        "http://b.example/ok": ("http://b.example/ok", None),
    }


def test_a_slow_caller_does_not_hold_up_the_fetching():
    f, log = recording_fetcher(concurrency=2)
    urls = [f"http://{h}/{i}" for h in HOSTS[:2] for i in range(3)]
    started = time.monotonic()
    consumed = []
    for url, _, error in f.map_unordered(lambda u: f.fetch(u, robots=False).status_code, urls):
        assert error is None
        consumed.append(url)
        time.sleep(0.2)  # saving to the database, say
    assert sorted(consumed) == sorted(urls)
    # Six 50 ms requests on two hosts were all done long before the caller (6 x 0.2 s).
    assert max(end for *_, end in log) - started < 0.6


def test_a_caller_that_stops_early_starts_nothing_more():
    f, log = recording_fetcher(concurrency=1)
    urls = [f"http://a.example/{i}" for i in range(5)]
    for _ in f.map_unordered(lambda u: f.fetch(u, robots=False).status_code, urls):
        break
    time.sleep(0.2)
    assert len(log) <= 2  # the first, and at most the one already handed out
