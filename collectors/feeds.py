"""What every source kind shares: the item/error/feed dicts and turning feed bytes into them.

A ``fetch_*`` generator yields plain dicts, tagged by ``type``:

- ``{"type": "feed", "url", "status_code", "etag", "last_modified", "not_modified"}``
  once, after the feed (or API answer) was fetched;
- ``{"type": "item", "url", "title", "published", "outlet", "author", "summary",
  "language", "page_optional", "decode_note"}`` per article; ``page_optional`` says the
  item is worth keeping even when its page cannot be fetched (Google News, GDELT);
  ``decode_note`` says the feed's bytes were decoded with replacements or by guess;
- ``{"type": "error", "url", "error", "status_code"}`` for a fault that does not stop the
  source (an ill-formed feed whose items were recovered).

A fault that stops the source raises :class:`FeedError` (or a fetch error).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

import feedparser

from collectors.decode import decode_with_note
from collectors.faults import CollectorError, stage
from collectors.fetch import Fetcher, Response

_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*encoding\s*=\s*["'])([^"']+)(["'])""", re.I)


class FeedError(CollectorError):
    """A feed or API answer that yields nothing usable: HTML, empty, not JSON, an error."""

    kind = "feed"

    def __init__(self, message: str, *, url: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.url = url
        self.status_code = status_code


def feed_dict(response: Response) -> dict[str, Any]:
    return {
        "type": "feed",
        "url": response.url,
        "status_code": response.status_code,
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
        "not_modified": response.not_modified,
    }


def item_dict(**fields: Any) -> dict[str, Any]:
    item = {
        "type": "item",
        "url": None,
        "title": None,
        "published": None,
        "outlet": None,
        "author": None,
        "summary": None,
        "language": None,
        "page_optional": False,
        "decode_note": None,
    }
    item.update(fields)
    return item


def get_feed(
    fetcher: Fetcher | None,
    url: str,
    *,
    content: bytes | None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> tuple[dict[str, Any] | None, bytes, str | None]:
    """Fetch a feed (or take ``content``); return (feed dict or None, body, header charset)."""
    if content is not None:
        return None, content, None
    if fetcher is None:
        raise ValueError("either fetcher or content is needed")
    with stage("feed"):
        response = fetcher.fetch(url, etag=etag, last_modified=last_modified)
    return feed_dict(response), response.content, response.charset


def parse_feed(content: bytes, *, url: str, header_charset: str | None = None):
    """feedparser on bytes whose encoding we settle first; raise FeedError if no feed.

    feedparser decodes a declared ``gb2312`` with Python's strict GB2312 codec, fails on
    GBK-only characters and falls back to windows-1252 mojibake. So the bytes are
    decoded here (GB-family as GB18030, Big5 as CP950, UTF-16 without a BOM by its NUL
    bytes) and handed over as UTF-8; ``parsed["decode_note"]`` keeps the decoder's note.
    """
    if not content.strip():
        raise FeedError("empty feed: the body has no content", url=url, status_code=200)
    with stage("decode"):
        decoded = decode_with_note(content, header_charset=header_charset)
    text = _XML_DECL_ENCODING.sub(r"\1utf-8\3", decoded.text, count=1)
    with stage("parse"):
        parsed = feedparser.parse(
            text.encode("utf-8"),
            response_headers={"content-type": "application/xml; charset=utf-8"},
        )
    if not parsed.get("version") and not parsed.entries:
        if re.search(r"<html|<!doctype html", decoded.text[:2048], re.I):
            raise FeedError("not a feed: the body is an HTML page", url=url, status_code=200)
        reason = parsed.get("bozo_exception")
        raise FeedError(f"not a feed: {reason or 'no RSS or Atom found'}", url=url, status_code=200)
    parsed["decode_note"] = decoded.note
    return parsed


def bozo_error(parsed, *, url: str) -> dict[str, Any] | None:
    """An ``error`` dict when feedparser had to recover from an ill-formed feed."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return None  # we gave it UTF-8 on purpose; not a fault of the feed
    return {
        "type": "error",
        "url": url,
        "error": f"ill-formed feed, {len(parsed.entries)} items recovered: {exc}",
        "status_code": 200,
    }


def entry_date(entry) -> str | None:
    """YYYY-MM-DD (UTC) of an entry's published, else updated, time."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC).date().isoformat()
    return None


def primary_language(tag: str | None) -> str | None:
    if not tag:
        return None
    return tag.strip().replace("_", "-").split("-")[0].lower() or None
