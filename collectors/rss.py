"""``rss`` sources: RSS 0.9x/1.0/2.0 and Atom feeds of outlets and company newsrooms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup

from collectors.feeds import (
    FeedError,
    bozo_error,
    entry_date,
    get_feed,
    item_dict,
    parse_feed,
    primary_language,
)
from collectors.fetch import Fetcher
from mediastance.core.config import Source


def fetch_rss(
    source: Source,
    *,
    fetcher: Fetcher | None = None,
    content: bytes | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the feed dict, then one item per entry (plus an error if the feed is ill-formed)."""
    url = source.url or ""
    feed, body, charset = get_feed(
        fetcher, url, content=content, etag=etag, last_modified=last_modified
    )
    if feed is not None:
        yield feed
        if feed["not_modified"]:
            return
    parsed = parse_feed(body, url=url, header_charset=charset)
    if not parsed.entries:
        # An outlet's feed keeps its latest items; none at all is a broken feed, not a
        # quiet day (a search feed, Google News or GDELT, may rightly match nothing).
        raise FeedError("empty feed: no items", url=url, status_code=200)
    error = bozo_error(parsed, url=url)
    outlet = parsed.feed.get("title")
    feed_language = primary_language(parsed.feed.get("language"))
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            continue
        yield item_dict(
            url=link.strip(),
            title=entry.get("title"),
            published=entry_date(entry),
            outlet=outlet,
            author=entry.get("author"),
            summary=_plain(entry.get("summary")),
            language=primary_language(_entry_language(entry)) or feed_language,
            decode_note=parsed.get("decode_note"),
        )
    if error is not None:
        yield error


def _entry_language(entry) -> str | None:
    for detail in ("title_detail", "summary_detail"):
        language = (entry.get(detail) or {}).get("language")
        if language:
            return language
    return None


def _plain(html: str | None) -> str | None:
    if not html:
        return None
    return BeautifulSoup(html, "lxml").get_text(" ", strip=True) or None
