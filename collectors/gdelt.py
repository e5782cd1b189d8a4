"""``gdelt`` sources: the GDELT DOC 2.0 API in ArtList mode, JSON, one language.

GDELT asks for no more than one request every five seconds and returns at most 250
records; errors come back as a plain-text sentence with status 200 (for instance
"The specified phrase is too short."), so a body that is not JSON is an error.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from collectors.feeds import FeedError, get_feed, item_dict
from collectors.fetch import Fetcher
from mediastance.core.config import Source

API_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
MAX_RECORDS = 250
MIN_INTERVAL = 5.0  # seconds between two calls to the API, whichever source makes them
SOURCE_LANG = {"en": "english", "zh": "chinese"}
LANGUAGES = {"english": "en", "chinese": "zh"}

_lock = threading.Lock()
_last_call = 0.0


def api_url(query: str, language: str, *, base: str = API_URL) -> str:
    """The ArtList URL of a query restricted to one source language."""
    full = f"{query} sourcelang:{SOURCE_LANG[language]}"
    params = f"query={quote(full, safe='')}&mode=ArtList&format=json"
    return f"{base}?{params}&maxrecords={MAX_RECORDS}&sort=DateDesc"


def feed_url(source: Source) -> str:
    if source.url and (not source.query or "?" in source.url):
        return source.url
    return api_url(source.query or "", source.language, base=source.url or API_URL)


def wait_turn(min_interval: float) -> None:
    """Block until ``min_interval`` seconds have passed since the previous API call."""
    global _last_call
    with _lock:
        delay = _last_call + min_interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        _last_call = time.monotonic()


def fetch_gdelt(
    source: Source,
    *,
    fetcher: Fetcher | None = None,
    content: bytes | None = None,
    min_interval: float | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the feed dict, then one item per article GDELT lists (page optional)."""
    url = feed_url(source)
    if content is None:
        wait_turn(MIN_INTERVAL if min_interval is None else min_interval)
    feed, body, _ = get_feed(fetcher, url, content=content)
    if feed is not None:
        yield feed
    status = feed["status_code"] if feed is not None else None
    for record in parse_artlist(body, url=url, status_code=status):
        yield item_dict(
            url=record.get("url"),
            title=(record.get("title") or "").strip() or None,
            published=parse_seendate(record.get("seendate")),
            outlet=record.get("domain") or None,
            language=LANGUAGES.get((record.get("language") or "").lower(), source.language),
            page_optional=True,
        )


def parse_artlist(
    content: bytes, *, url: str, status_code: int | None = None
) -> list[dict[str, Any]]:
    """The ``articles`` list of an ArtList answer; FeedError for anything else."""
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        return []  # GDELT answers an empty body when nothing matched
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        first_line = text.splitlines()[0][:200]
        raise FeedError(
            f"GDELT answered with text, not JSON: {first_line}", url=url, status_code=status_code
        ) from None
    if not isinstance(data, dict):
        raise FeedError(
            "GDELT answered JSON without an articles list", url=url, status_code=status_code
        )
    articles = data.get("articles", [])
    return [a for a in articles if isinstance(a, dict) and a.get("url")][:MAX_RECORDS]


def parse_seendate(value: str | None) -> str | None:
    """GDELT's ``20160515T001500Z`` as YYYY-MM-DD (UTC)."""
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").date().isoformat()
    except ValueError:
        return None
