"""Scheduling the pages of a run: every source's items through one fetch map.

This module owns the second half of a run. The items of all sources (a URL brought by
an earlier source is fetched once) go through one ``Fetcher.map_unordered``: polite per
host, every host at once. A worker fetches, decodes and extracts a page
(:meth:`PageSchedule.load_page`, no database there); back in the run's thread each page
becomes an ``articles`` row (:func:`article_row`: feed item and page merged), passes the
relevance filter (``collectors/relevance.py``) and goes to the saver
(``collectors/save.py``). A source is finished (its health and new etag written) only
when its pages and those of every source before it are saved, so a run killed midway
never leaves an etag whose items were not all collected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from collectors.decode import decode_with_note
from collectors.extract import extract_article
from collectors.faults import CollectorError, StageError, stage
from collectors.fetch import Fetcher
from collectors.normalize import article_id, normalize_url, same_site
from collectors.relevance import RelevanceMatcher
from collectors.save import SourceOrderSaver
from collectors.sources import SourceLog, SourceRun
from mediastance.core.config import Source
from mediastance.core.language import detect_language, detect_script


@dataclass
class Page:
    url: str  # final URL after redirects
    article: dict[str, Any]


class PageSchedule:
    """The pages of one run: fetched at once, then made rows, filtered and saved in turn."""

    def __init__(
        self,
        *,
        matcher: RelevanceMatcher,
        saver: SourceOrderSaver,
        log: SourceLog,
        today: dt.date,
    ) -> None:
        self.matcher = matcher
        self.saver = saver
        self.log = log
        self.today = today
        self.seen_urls: set[str] = set()

    def collect_pages(self, runs: list[SourceRun], fetcher: Fetcher) -> None:
        """Fetch the pages of every source through one fetch map; save each as it comes.

        A source's health (its new etag above all) is written only once its pages and
        those of every source before it are saved: a run killed midway must not leave
        an etag whose feed the next run would skip while some of its items (or items it
        shares with an earlier source, which took them) were never fetched.
        """
        work = []
        for run in runs:
            for item in run.items:
                key = normalize_url(item["url"])
                if key in self.seen_urls:
                    continue  # an earlier source of this run already brought it
                self.seen_urls.add(key)
                work.append((run, item))
                run.pending += 1
        if work:
            hosts = {urlsplit(item["url"]).hostname for _, item in work}
            self.log.say(f"fetching {len(work)} pages from {len(hosts)} hosts")
        finished = 0

        def finish_in_order() -> None:
            nonlocal finished
            while finished < len(runs) and runs[finished].pending == 0:
                self.log.finish_source(runs[finished])
                finished += 1
                self.saver.forget_saves_before(finished)

        finish_in_order()
        pages = fetcher.map_unordered(
            lambda job: self.load_page(fetcher, job[1]), work, url=lambda job: job[1]["url"]
        )
        for (run, item), page, error in pages:
            self.collect_page(run, item, page, error)
            run.pending -= 1
            finish_in_order()

    def collect_page(
        self,
        run: SourceRun,
        item: dict[str, Any],
        page: Page | None,
        error: BaseException | None,
    ) -> None:
        source, counts = run.source, run.counts
        if error is not None and not isinstance(error, Exception):
            raise error  # KeyboardInterrupt, SystemExit: the run stops
        try:
            if error is not None:
                if not isinstance(error, CollectorError | StageError):
                    error = StageError("fetch", error)
                self.log.fault(run, item["url"], error)
                if not item["page_optional"]:
                    return
                page = None  # a Google News or GDELT item is kept with what the feed said
            with stage("extract"):
                row = article_row(source, item, page)
            if row is None:
                counts.errors += 1  # a page without text and a feed item without title
                self.log.record(
                    source, item["url"], "no text or title extracted", None, kind="extract"
                )
                return
            with stage("filter"):
                relevant = self.matcher.matches(row["title"], row["text"])
            if not relevant:
                counts.skipped += 1
                return
            self.saver.save_in_source_order(run.position, row, counts)
        except StageError as exc:  # one page's crash: record it, go on with the next
            self.log.fault(run, item["url"], exc)

    def load_page(self, fetcher: Fetcher, item: dict[str, Any]) -> Page:
        """Worker thread: fetch, decode and extract one page (no database here)."""
        with stage("fetch"):
            response = fetcher.fetch(item["url"], html=True)
        with stage("decode"):
            decoded = decode_with_note(response.content, header_charset=response.charset)
        with stage("extract"):
            article = extract_article(
                decoded.text,
                url=response.url,
                declared_language=item.get("language"),
                today=self.today,
            )
        article["decode_note"] = decoded.note
        return Page(url=response.url, article=article)


def article_row(source: Source, item: dict[str, Any], page: Page | None) -> dict[str, Any] | None:
    """Merge feed item and page; the page wins where it has something."""
    article = page.article if page is not None else {}
    if page is not None and not article.get("text") and item["page_optional"]:
        article = {}  # an interstitial or an empty page: keep what the feed said
    url = page.url if page is not None and article else item["url"]
    host = urlsplit(url).hostname or ""
    text = article.get("text") or item.get("summary")
    title = article.get("title") or item.get("title")
    if not (title or text):
        return None
    canonical = article.get("canonical_url")
    if not canonical or not same_site(canonical, url):
        canonical = url
    canonical = normalize_url(canonical)
    outlet = article.get("outlet")
    if not outlet or outlet == host:
        outlet = item.get("outlet") or outlet or host
    language = article.get("language") or detect_language(f"{title}\n{text or ''}")
    language = language or item.get("language") or source.language
    row = {
        "id": article_id(canonical),
        "url": url,
        "canonical_url": canonical,
        "source": source.name,
        "source_kind": source.kind,
        "outlet": outlet,
        "title": title,
        "text": text,
        "language": language,
        "script": article.get("script")
        or (detect_script(f"{title}{text or ''}") if language == "zh" else None),
        "published": article.get("published") or item.get("published"),
        "author": article.get("author") or item.get("author"),
        "extractor": article.get("extractor") or "feed",
        "decode_note": article.get("decode_note") if article else item.get("decode_note"),
    }
    row["content_hash"] = content_hash(row)
    return row


def content_hash(row: dict[str, Any]) -> str:
    parts = [row.get(k) or "" for k in ("title", "text", "published", "author", "outlet")]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
