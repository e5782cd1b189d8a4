"""Collection orchestration: configured sources → collectors → the store, with source health."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import inspect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import sqlite_utils

from collectors.decode import DecodeError, decode
from collectors.dedup import Deduper
from collectors.extract import extract_article
from collectors.feeds import FeedError
from collectors.fetch import Fetcher, FetchError
from collectors.normalize import article_id, normalize_url, same_site
from mediastance.config import Config, Source, Target, Topic
from mediastance.language import HAN, detect_language, detect_script, to_simplified
from mediastance.storage import finish_run, save_fetch_error, start_run, utcnow

DEDUP_WINDOW_DAYS = 30


def register_sources(db: sqlite_utils.Database, sources: Iterable[Source]) -> None:
    """Record configured sources; health columns of known sources are left alone."""
    rows = [
        {
            "name": s.name,
            "kind": s.kind,
            "url": s.url or s.query or (s.urls_file or " ".join(s.urls)),
            "language": s.language,
        }
        for s in sources
    ]
    with db.atomic():
        db["sources"].upsert_all(rows, pk="name", alter=True)


def source_health(db: sqlite_utils.Database, sources: Iterable[Source]) -> list[dict]:
    """One row per configured source: kind, language, last status/error, failures, dates."""
    out = []
    for s in sources:
        row = db["sources"].get(s.name) if db["sources"].exists() else {}
        out.append(
            {
                "name": s.name,
                "kind": s.kind,
                "language": s.language,
                "last_status": row.get("last_status") or "never",
                "failures": row.get("failures") or 0,
                "last_checked": row.get("last_checked"),
                "last_success": row.get("last_success"),
                "last_error": row.get("last_error"),
            }
        )
    return out


# ---------------------------------------------------------------------------------------
# Collecting: sources → items → pages → articles rows, one source after another, pages
# fetched concurrently (politely, per host) and saved one by one as they arrive.


class UnknownSource(ValueError):
    """--source named a source the config does not have."""


@dataclass
class SourceCounts:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0
    status: str = "ok"  # ok | not_modified | error
    error: str | None = None  # why the source failed

    @property
    def failed(self) -> bool:
        return self.status == "error"


@dataclass
class Summary:
    run_id: int
    status: str = "ok"  # ok | partial | failed
    sources: dict[str, SourceCounts] = field(default_factory=dict)

    COLUMNS = ("new", "updated", "duplicates", "skipped", "errors")

    def totals(self) -> dict[str, int]:
        return {c: sum(getattr(s, c) for s in self.sources.values()) for c in self.COLUMNS}

    def table(self) -> list[list[str]]:
        """Header and one row per source: name, new, updated, duplicates, skipped, errors."""
        rows = [["source", *self.COLUMNS, "status"]]
        for name, counts in self.sources.items():
            rows.append([name, *(str(getattr(counts, c)) for c in self.COLUMNS), counts.status])
        return rows


def collect(
    db: sqlite_utils.Database,
    config: Config,
    *,
    client: httpx.Client | None = None,
    run_id: int | None = None,
    source_names: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
    gdelt_interval: float | None = None,
    today: dt.date | None = None,
) -> Summary:
    """Collect every enabled source (or the named ones) into ``articles``; write ``runs``.

    ``run_id`` lets a caller (``mediastance run``) own the ``runs`` row; otherwise one is
    started and finished here. Every fault is a ``fetch_errors`` row; nothing raises for
    a source that fails, the summary says so.
    """
    sources = select_sources(config.sources, source_names)
    register_sources(db, config.sources)
    own_run = run_id is None
    if run_id is None:
        run_id = start_run(db, "collect")
    summary = Summary(run_id=run_id)
    say = progress or (lambda message: None)
    base_dir = Path(config.files[0]).parent if config.files else Path.cwd()
    collector = _Collector(
        db=db,
        run_id=run_id,
        matcher=RelevanceMatcher(config.topic, config.targets),
        today=today or dt.date.today(),
        say=say,
    )
    with Fetcher(config.fetch, client=client) as fetcher:
        for source in sources:
            say(f"{source.name}: fetching ({source.kind})")
            counts = collector.collect_source(
                source, fetcher, base_dir=base_dir, gdelt_interval=gdelt_interval
            )
            summary.sources[source.name] = counts
            say(
                f"{source.name}: {counts.status}, {counts.new} new, {counts.updated} updated, "
                f"{counts.duplicates} duplicates, {counts.skipped} skipped, "
                f"{counts.errors} errors"
            )
    failed = sum(c.failed for c in summary.sources.values())
    if failed == 0:
        summary.status = "ok"
    elif failed == len(summary.sources):
        summary.status = "failed"
    else:
        summary.status = "partial"
    if own_run:
        finish_run(
            db,
            run_id,
            status=summary.status,
            sources_ok=len(summary.sources) - failed,
            sources_failed=failed,
            **summary.totals(),
        )
    return summary


def select_sources(sources: Iterable[Source], names: Iterable[str]) -> list[Source]:
    """Enabled sources, or exactly the named ones (disabled or not)."""
    sources = list(sources)
    names = list(names)
    if not names:
        return [s for s in sources if s.enabled]
    known = {s.name: s for s in sources}
    for name in names:
        if name not in known:
            raise UnknownSource(f"no source named {name!r} in the config")
    return [known[name] for name in dict.fromkeys(names)]


class RelevanceMatcher:
    """Does a text mention the topic (EN/ZH keywords) or any target alias?

    Matching folds case and full-width forms (NFKC) and Traditional to Simplified, so
    "ＩＡＣＣ", "iacc" and "淘寶" match "IACC" and "淘宝". Latin terms match on word
    boundaries ("fake" matches "anti-fake", not "fakery"); Han terms as substrings.
    """

    def __init__(self, topic: Topic, targets: Iterable[Target]) -> None:
        terms = {*topic.keywords_en, *topic.keywords_zh}
        for target in targets:
            terms.update(target.aliases)
        latin, han = [], []
        for term in terms:
            folded = fold(term)
            (han if HAN.search(folded) else latin).append(folded)
        self._han = sorted(set(han))
        self._latin = (
            re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(set(latin))) + r")\b")
            if latin
            else None
        )

    def matches(self, *texts: str | None) -> bool:
        folded = fold("\n".join(t for t in texts if t))
        if any(term in folded for term in self._han):
            return True
        return bool(self._latin and self._latin.search(folded))


def fold(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text).casefold())


def content_hash(row: dict[str, Any]) -> str:
    parts = [row.get(k) or "" for k in ("title", "text", "published", "author", "outlet")]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class _Page:
    url: str  # final URL after redirects
    article: dict[str, Any]


class _Collector:
    """One run's shared state: the database, the dedup index, the relevance matcher."""

    def __init__(self, *, db, run_id, matcher, today, say) -> None:
        self.db = db
        self.run_id = run_id
        self.matcher = matcher
        self._deduper: Deduper | None = None
        self.today = today
        self.say = say
        self.seen_urls: set[str] = set()
        # Rows inserted by this run: which source's counts hold them, as new or duplicate.
        # A copy saved before its original arrives moves from "new" to "duplicates".
        self.inserted: dict[str, tuple[SourceCounts, str]] = {}

    @property
    def deduper(self) -> Deduper:
        """The near-copy index, built at the first save of the run, not before.

        Only articles collected in the last DEDUP_WINDOW_DAYS are indexed: syndicated
        copies appear within days of their original, and hashing every stored text at
        every run cost minutes on a database of 50,000 articles (hours at a million)
        even on a night with nothing new.
        """
        if self._deduper is None:
            since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=DEDUP_WINDOW_DAYS)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            self._deduper = Deduper.from_rows(
                self.db.query(
                    "select id, text, published, fetched_at from articles "
                    "where text is not null and fetched_at >= ?",
                    [since],
                )
            )
        return self._deduper

    # -- one source ---------------------------------------------------------------------

    def collect_source(
        self, source: Source, fetcher: Fetcher, *, base_dir: Path, gdelt_interval: float | None
    ) -> SourceCounts:
        counts = SourceCounts()
        health = self.db["sources"].get(source.name)
        items: list[dict[str, Any]] = []
        feed: dict[str, Any] | None = None
        try:
            for entry in _fetch_items(
                source, fetcher, health, base_dir=base_dir, gdelt_interval=gdelt_interval
            ):
                if entry["type"] == "feed":
                    feed = entry
                elif entry["type"] == "error":
                    self.record(source, entry["url"], entry["error"], entry["status_code"])
                    counts.errors += 1
                else:
                    items.append(entry)
        except (FeedError, FetchError) as exc:
            self.record(source, exc.url or source.url, str(exc), exc.status_code)
            counts.errors += 1
            counts.status = "error"
            counts.error = str(exc)
            self.save_health(source, health, counts)
            return counts
        if feed is not None and feed["not_modified"]:
            counts.status = "not_modified"
        self.collect_items(source, fetcher, items, counts)
        if source.kind == "urls" and items and counts.errors >= len(items):
            counts.status = "error"  # a list of pages none of which could be fetched
            counts.error = "no listed page could be fetched"
        self.save_health(source, health, counts, feed=feed)
        return counts

    def collect_items(
        self, source: Source, fetcher: Fetcher, items: list[dict], counts: SourceCounts
    ) -> None:
        todo = []
        for item in items:
            key = normalize_url(item["url"])
            if key in self.seen_urls:
                continue  # another source of this run already brought it
            self.seen_urls.add(key)
            todo.append(item)
        pages = fetcher.map_unordered(
            lambda item: self.load_page(fetcher, item), todo, url=lambda item: item["url"]
        )
        for item, page, error in pages:
            if error is not None and not isinstance(error, FetchError | DecodeError):
                raise error
            if error is not None:
                self.record(source, item["url"], str(error), getattr(error, "status_code", None))
                counts.errors += 1
                if not item["page_optional"]:
                    continue
                page = None
            row = self.article_row(source, item, page)
            if row is None:
                counts.errors += 1  # a page without text and a feed item without title
                self.record(source, item["url"], "no text or title extracted", None)
                continue
            if not self.matcher.matches(row["title"], row["text"]):
                counts.skipped += 1
                continue
            self.save_article(row, counts)

    def load_page(self, fetcher: Fetcher, item: dict[str, Any]) -> _Page:
        """Worker thread: fetch, decode and extract one page (no database here)."""
        response = fetcher.fetch(item["url"], html=True)
        text, _ = decode(response.content, header_charset=response.charset)
        article = extract_article(
            text, url=response.url, declared_language=item.get("language"), today=self.today
        )
        return _Page(url=response.url, article=article)

    # -- rows ---------------------------------------------------------------------------

    def article_row(
        self, source: Source, item: dict[str, Any], page: _Page | None
    ) -> dict[str, Any] | None:
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
        }
        row["content_hash"] = content_hash(row)
        return row

    def save_article(self, row: dict[str, Any], counts: SourceCounts) -> None:
        """Insert or update one row in its own transaction, and count it."""
        now = utcnow()
        existing = self.db["articles"].get(row["id"]) if _exists(self.db, row["id"]) else None
        if existing is not None and existing.get("content_hash") == row["content_hash"]:
            return
        if existing is None:
            row = {**row, "fetched_at": now, "updated_at": now}
        else:
            row = {k: v for k, v in row.items() if k not in ("source", "source_kind")}
            row = {**row, "fetched_at": existing.get("fetched_at") or now, "updated_at": now}
        self.deduper.add(row["id"], row["text"], row["published"], row["fetched_at"])
        group = self.deduper.group(row["id"], row["text"])
        original = self.deduper.earliest([row["id"], *group]) if group else None
        row["duplicate_of"] = original if original and original != row["id"] else None
        with self.db.atomic():
            self.db["articles"].upsert(row, pk="id", alter=True)
            if group:
                # Copies already stored now point at the earliest of the whole group.
                others = [i for i in group if i != original]
                marks = ",".join("?" for _ in others)
                if others:
                    self.db.execute(
                        f"update articles set duplicate_of = ? where id in ({marks})",
                        [original, *others],
                    )
                self.db.execute("update articles set duplicate_of = null where id = ?", [original])
        if existing is not None:
            counts.updated += 1
        else:
            self.inserted[row["id"]] = (counts, "duplicates" if row["duplicate_of"] else "new")
            _bump(counts, self.inserted[row["id"]][1], +1)
        for other in group:
            if other in self.inserted:
                other_counts, was = self.inserted[other]
                now_is = "new" if other == original else "duplicates"
                if was != now_is:
                    _bump(other_counts, was, -1)
                    _bump(other_counts, now_is, +1)
                    self.inserted[other] = (other_counts, now_is)

    def record(self, source: Source, url: str | None, error: str, status: int | None) -> None:
        self.say(f"{source.name}: {url}: {error}")
        save_fetch_error(
            self.db,
            run_id=self.run_id,
            source=source.name,
            url=url,
            error=error,
            status_code=status,
        )

    def save_health(
        self,
        source: Source,
        health: dict[str, Any],
        counts: SourceCounts,
        *,
        feed: dict[str, Any] | None = None,
    ) -> None:
        """Media Cloud-style feed health: failures reset on success, +1 per failed check."""
        now = utcnow()
        update: dict[str, Any] = {"last_checked": now, "last_status": counts.status}
        if counts.failed:
            update["failures"] = (health.get("failures") or 0) + 1
            update["last_error"] = counts.error
        else:
            update["failures"] = 0
            update["last_error"] = None
            update["last_success"] = now
            if feed is not None and not feed["not_modified"]:
                update["etag"] = feed["etag"]
                update["last_modified"] = feed["last_modified"]
        with self.db.atomic():
            self.db["sources"].update(source.name, update)


def _bump(counts: SourceCounts, field_name: str, by: int) -> None:
    setattr(counts, field_name, getattr(counts, field_name) + by)


def _exists(db: sqlite_utils.Database, article_id: str) -> bool:
    return bool(list(db.query("select 1 from articles where id = ?", [article_id])))


def _fetch_items(
    source: Source,
    fetcher: Fetcher,
    health: dict[str, Any],
    *,
    base_dir: Path,
    gdelt_interval: float | None,
) -> Iterator[dict[str, Any]]:
    """Call ``collectors.<kind>.fetch_<kind>`` with the arguments it takes."""
    module = importlib.import_module(f"collectors.{source.kind}")
    fetch = getattr(module, f"fetch_{source.kind}")
    accepts = inspect.signature(fetch).parameters
    kwargs: dict[str, Any] = {"fetcher": fetcher}
    if "etag" in accepts:
        kwargs["etag"] = health.get("etag")
        kwargs["last_modified"] = health.get("last_modified")
    if "min_interval" in accepts:
        kwargs["min_interval"] = gdelt_interval
    if "base_dir" in accepts:
        kwargs["base_dir"] = base_dir
    return fetch(source, **kwargs)
