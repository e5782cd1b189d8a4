"""``google_news`` sources: Google News search RSS for a query in one edition.

Item links are opaque ``news.google.com/rss/articles/…`` redirects that often end on a
JavaScript interstitial, so every item is kept with what the feed itself says (title,
outlet from ``<source>``, date, link) even when the article page cannot be reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from collectors.feeds import bozo_error, entry_date, get_feed, item_dict, parse_feed
from collectors.fetch import Fetcher
from mediastance.core.config import Source

SEARCH_URL = "https://news.google.com/rss/search"
# hl (interface language), gl (country), ceid (edition id) per edition.
EDITIONS = {
    "en-US": ("en-US", "US", "US:en"),
    "en-GB": ("en-GB", "GB", "GB:en"),
    "zh-CN": ("zh-CN", "CN", "CN:zh-Hans"),
    "zh-TW": ("zh-TW", "TW", "TW:zh-Hant"),
    "zh-HK": ("zh-HK", "HK", "HK:zh-Hant"),
}
DEFAULT_EDITION = {"en": "en-US", "zh": "zh-CN"}


def search_url(query: str, edition: str, *, base: str = SEARCH_URL) -> str:
    """The search RSS URL of a query in an edition (``hl``/``gl``/``ceid``)."""
    hl, gl, ceid = EDITIONS[edition]
    return f"{base}?{urlencode({'q': query, 'hl': hl, 'gl': gl, 'ceid': ceid})}"


def feed_url(source: Source) -> str:
    """``url`` when configured (a full search URL, or a base to add the query to)."""
    edition = source.edition or DEFAULT_EDITION[source.language]
    if source.url and (not source.query or "?" in source.url):
        return source.url
    return search_url(source.query or "", edition, base=source.url or SEARCH_URL)


def fetch_google_news(
    source: Source,
    *,
    fetcher: Fetcher | None = None,
    content: bytes | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the feed dict, then one item per search result (page optional)."""
    url = feed_url(source)
    feed, body, charset = get_feed(
        fetcher, url, content=content, etag=etag, last_modified=last_modified
    )
    if feed is not None:
        yield feed
        if feed["not_modified"]:
            return
    parsed = parse_feed(body, url=url, header_charset=charset)
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if not link:
            continue
        outlet = (entry.get("source") or {}).get("title")
        yield item_dict(
            url=link,
            title=strip_outlet(entry.get("title"), outlet),
            published=entry_date(entry),
            outlet=outlet,
            language=source.language,
            page_optional=True,
            decode_note=parsed.get("decode_note"),
        )
    error = bozo_error(parsed, url=url)
    if error is not None:
        yield error


def strip_outlet(title: str | None, outlet: str | None) -> str | None:
    """Google appends " - Outlet" to every title; take it off again."""
    if not title:
        return title
    title = title.strip()
    if outlet and title.endswith(f" - {outlet}"):
        return title[: -len(outlet) - 3].rstrip()
    return title
