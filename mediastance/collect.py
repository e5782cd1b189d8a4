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

from collectors.decode import decode_with_note
from collectors.dedup import Deduper
from collectors.extract import extract_article
from collectors.faults import CollectorError, StageError, fault_kind, stage
from collectors.fetch import Fetcher
from collectors.normalize import article_id, normalize_url, same_site
from mediastance.core.config import Config, Source, Target, Topic
from mediastance.core.language import HAN, detect_language, detect_script, to_simplified
from mediastance.core.storage import finish_run, save_fetch_error, start_run, utcnow

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
                "failures": int(row.get("failures") or 0),  # a REAL column since m001
                "last_checked": row.get("last_checked"),
                "last_success": row.get("last_success"),
                "last_error": row.get("last_error"),
            }
        )
    return out


# ---------------------------------------------------------------------------------------
# Collecting: sources → items → pages → articles rows. Every source's feed is read first,
# then the pages of all sources go through one fetch map (politely, per host, every host
# at once) and are saved one by one as they arrive, as if sources ran one after another.


class UnknownSource(ValueError):
    """--source named a source the config does not have."""


@dataclass
class SourceCounts:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0
    faults: int = 0  # of the errors, unexpected exceptions (a stage crashed on a page)
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
    runs = [
        _SourceRun(position=n, source=source, counts=SourceCounts())
        for n, source in enumerate(sources)
    ]
    for run in runs:
        summary.sources[run.source.name] = run.counts
    try:
        with Fetcher(config.fetch, client=client) as fetcher:
            collector.read_listings(runs, fetcher, base_dir=base_dir, gdelt_interval=gdelt_interval)
            collector.collect_pages(runs, fetcher)
    except BaseException as exc:
        if own_run:  # never leave the row 'running'; `mediastance run` closes its own
            finish_run(db, run_id, status="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    failed = sum(c.failed for c in summary.sources.values())
    faults = sum(c.faults for c in summary.sources.values())
    if failed == 0 and faults == 0:
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

    An article with a body must mention the topic itself: a target named in passing
    (a phone launch "on sale on JD.com and Tmall", an earnings report) is not coverage of
    a counterfeit dispute. A headline or feed summary alone (a Google News item whose
    page could not be fetched) is too short to say so, and a target alias suffices.

    Matching folds case and full-width forms (NFKC) and Traditional to Simplified, so
    "ＩＡＣＣ", "iacc" and "淘寶" match "IACC" and "淘宝". Latin terms match on word
    boundaries ("fake" matches "anti-fake", not "fakery"); Han terms as substrings.
    """

    SHORT = 200  # characters of body below which a target alias alone is enough

    def __init__(self, topic: Topic, targets: Iterable[Target]) -> None:
        self._topic = _Terms({*topic.keywords_en, *topic.keywords_zh})
        self._targets = _Terms({alias for target in targets for alias in target.aliases})

    def matches(self, title: str | None, text: str | None = None) -> bool:
        folded = fold(f"{title or ''}\n{text or ''}")
        if self._topic.found_in(folded):
            return True
        return len(text or "") < self.SHORT and self._targets.found_in(folded)


class _Terms:
    """Folded terms: Latin ones on word boundaries, Han ones as substrings."""

    def __init__(self, terms: Iterable[str]) -> None:
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

    def found_in(self, folded: str) -> bool:
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


@dataclass
class _SourceRun:
    """One source in this run: its feed, its items, and how many of its pages are out."""

    position: int  # in the run's source order
    source: Source
    counts: SourceCounts
    health: dict[str, Any] = field(default_factory=dict)
    feed: dict[str, Any] | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    pending: int = 0  # pages handed to the fetcher and not saved yet


@dataclass
class _Save:
    position: int  # of the source that brought the row
    row: dict[str, Any]
    counts: SourceCounts
    outcome: str | None  # what save_article did: "inserted", "updated" or None


@dataclass
class _Saves:
    """Every save of one article in this run, and the row stored before the first."""

    before: dict[str, Any] | None
    saves: list[_Save] = field(default_factory=list)


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
        self.saved: dict[str, _Saves] = {}  # article id → this run's saves of it

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

    # -- feeds ---------------------------------------------------------------------------

    def read_listings(
        self,
        runs: list[_SourceRun],
        fetcher: Fetcher,
        *,
        base_dir: Path,
        gdelt_interval: float | None,
    ) -> None:
        """Read every source's feed (or list) at once, one request at a time per host."""
        for run in runs:
            run.health = self.db["sources"].get(run.source.name)
            self.say(f"{run.source.name}: fetching ({run.source.kind})")
        listings = fetcher.map_unordered(
            lambda run: _read_listing(
                run.source, fetcher, run.health, base_dir=base_dir, gdelt_interval=gdelt_interval
            ),
            runs,
            url=lambda run: _listing_url(run.source),
        )
        for run, listing, error in listings:
            if error is not None:
                if not isinstance(error, Exception):
                    raise error  # KeyboardInterrupt, SystemExit: the run stops
                listing = ([], StageError("feed", error))
            entries, failure = listing
            counts = run.counts
            for entry in entries:
                if entry["type"] == "feed":
                    run.feed = entry
                elif entry["type"] == "error":
                    self.record(
                        run.source, entry["url"], entry["error"], entry["status_code"], kind="feed"
                    )
                    counts.errors += 1
                else:
                    run.items.append(entry)
            if failure is not None:
                url = getattr(failure, "url", None) or run.source.url or _listing_url(run.source)
                self.record(
                    run.source,
                    url or None,
                    str(failure),
                    getattr(failure, "status_code", None),
                    kind=fault_kind(failure, "feed"),
                )
                counts.errors += 1
                counts.faults += isinstance(failure, StageError)
                counts.status = "error"
                counts.error = str(failure)
                run.items = []  # what came before the failure is not collected
            elif run.feed is not None and run.feed["not_modified"]:
                counts.status = "not_modified"

    # -- pages ---------------------------------------------------------------------------

    def collect_pages(self, runs: list[_SourceRun], fetcher: Fetcher) -> None:
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
            self.say(f"fetching {len(work)} pages from {len(hosts)} hosts")
        finished = 0

        def finish_in_order() -> None:
            nonlocal finished
            while finished < len(runs) and runs[finished].pending == 0:
                self.finish_source(runs[finished])
                finished += 1
                self.forget_saves_before(finished)

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
        run: _SourceRun,
        item: dict[str, Any],
        page: _Page | None,
        error: BaseException | None,
    ) -> None:
        source, counts = run.source, run.counts
        if error is not None and not isinstance(error, Exception):
            raise error  # KeyboardInterrupt, SystemExit: the run stops
        try:
            if error is not None:
                if not isinstance(error, CollectorError | StageError):
                    error = StageError("fetch", error)
                self.fault(run, item["url"], error)
                if not item["page_optional"]:
                    return
                page = None  # a Google News or GDELT item is kept with what the feed said
            with stage("extract"):
                row = self.article_row(source, item, page)
            if row is None:
                counts.errors += 1  # a page without text and a feed item without title
                self.record(source, item["url"], "no text or title extracted", None, kind="extract")
                return
            with stage("filter"):
                relevant = self.matcher.matches(row["title"], row["text"])
            if not relevant:
                counts.skipped += 1
                return
            self.save_in_source_order(run.position, row, counts)
        except StageError as exc:  # one page's crash: record it, go on with the next
            self.fault(run, item["url"], exc)

    def fault(self, run: _SourceRun, url: str | None, error: Exception) -> None:
        """Record a page's fault; an unexpected one (StageError) makes the run partial."""
        status = getattr(error, "status_code", None)
        self.record(run.source, url, str(error), status, kind=fault_kind(error, "fetch"))
        run.counts.errors += 1
        run.counts.faults += isinstance(error, StageError)

    def finish_source(self, run: _SourceRun) -> None:
        """All pages of the source are saved: settle its status, write its health."""
        source, counts = run.source, run.counts
        if source.kind == "urls" and run.items and counts.errors >= len(run.items):
            counts.status = "error"  # a list of pages none of which could be fetched
            counts.error = "no listed page could be fetched"
        try:
            with stage("health"):
                self.save_health(source, run.health, counts, feed=run.feed)
        except StageError as exc:
            self.fault(run, source.url, exc)
        self.say(
            f"{source.name}: {counts.status}, {counts.new} new, {counts.updated} updated, "
            f"{counts.duplicates} duplicates, {counts.skipped} skipped, "
            f"{counts.errors} errors"
        )

    def load_page(self, fetcher: Fetcher, item: dict[str, Any]) -> _Page:
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
            "decode_note": article.get("decode_note") if article else item.get("decode_note"),
        }
        row["content_hash"] = content_hash(row)
        return row

    def save_in_source_order(
        self, position: int, row: dict[str, Any], counts: SourceCounts
    ) -> None:
        """Save a row as if sources had run one after another, in the config's order.

        Pages arrive in whatever order their hosts answer, and two sources can bring one
        article (an outlet's feed and a Google News redirect to it). Which of them
        inserts it (its ``source`` column, its "new") and which updates or leaves it must
        not depend on that. Saves arriving in order go straight through; a row whose
        article a later source already saved in this run undoes those saves and replays
        them all, in source order, in one transaction.
        """
        saved = self.saved.get(row["id"])
        if saved is None:
            with stage("save"):
                before = self.db["articles"].get(row["id"]) if _exists(self.db, row["id"]) else None
            saved = self.saved[row["id"]] = _Saves(before=before)
        if all(save.position <= position for save in saved.saves):
            outcome = self.save_article(row, counts)
            saved.saves.append(_Save(position, row, counts, outcome))
            return
        with stage("save"), self.db.atomic():
            self.undo_saves(row["id"], saved)
            saved.saves.append(_Save(position, row, counts, None))
            saved.saves.sort(key=lambda save: save.position)  # stable: a source keeps its order
            for save in saved.saves:
                save.outcome = self.save_article(save.row, save.counts)

    def forget_saves_before(self, position: int) -> None:
        """Drop the saves no page can arrive ahead of: every source up to them is done."""
        self.saved = {
            article_id: saved
            for article_id, saved in self.saved.items()
            # Saves are kept in source order; none at all when the first one failed.
            if saved.saves and saved.saves[-1].position >= position
        }

    def undo_saves(self, article_id: str, saved: _Saves) -> None:
        """Put the article back as it was before this run, and take back its counts."""
        for save in saved.saves:
            if save.outcome == "updated":
                save.counts.updated -= 1
        if saved.before is None:  # one of these saves inserted it
            counts, was = self.inserted.pop(article_id)
            _bump(counts, was, -1)
            self.db["articles"].delete(article_id)
        else:  # stored by an earlier run, or by a source of this run done since
            self.db["articles"].upsert(saved.before, pk="id")

    def save_article(self, row: dict[str, Any], counts: SourceCounts) -> str | None:
        """Insert or update one row in its own transaction, and count it.

        Returns "inserted", "updated", or None when the stored row already says the same.
        """
        now = utcnow()
        with stage("save"):
            existing = self.db["articles"].get(row["id"]) if _exists(self.db, row["id"]) else None
        if existing is not None and existing.get("content_hash") == row["content_hash"]:
            return None
        if existing is None:
            row = {**row, "fetched_at": now, "updated_at": now}
        else:
            row = {k: v for k, v in row.items() if k not in ("source", "source_kind")}
            row = {**row, "fetched_at": existing.get("fetched_at") or now, "updated_at": now}
        try:
            with stage("dedup"):
                self.deduper.add(row["id"], row["text"], row["published"], row["fetched_at"])
                group = self.deduper.group(row["id"], row["text"])
                original = self.deduper.earliest([row["id"], *group]) if group else None
            row["duplicate_of"] = original if original and original != row["id"] else None
            with stage("save"), self.db.atomic():
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
                    self.db.execute(
                        "update articles set duplicate_of = null where id = ?", [original]
                    )
        except StageError:
            if existing is None and self._deduper is not None:
                self._deduper.remove(row["id"])  # no copy may point at a row never stored
            raise
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
        return "updated" if existing is not None else "inserted"

    def record(
        self, source: Source, url: str | None, error: str, status: int | None, *, kind: str
    ) -> None:
        self.say(f"{source.name}: {url}: {error}")
        save_fetch_error(
            self.db,
            run_id=self.run_id,
            source=source.name,
            url=url,
            error=error,
            status_code=status,
            kind=kind,
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


def _read_listing(
    source: Source,
    fetcher: Fetcher,
    health: dict[str, Any],
    *,
    base_dir: Path,
    gdelt_interval: float | None,
) -> tuple[list[dict[str, Any]], CollectorError | StageError | None]:
    """Worker thread: a source's feed, items and errors, and the fault that stopped it."""
    entries: list[dict[str, Any]] = []
    try:
        for entry in _fetch_items(
            source, fetcher, health, base_dir=base_dir, gdelt_interval=gdelt_interval
        ):
            entries.append(entry)
    except (CollectorError, StageError) as exc:
        return entries, exc
    except Exception as exc:  # noqa: BLE001 - a collector's bug stops its source only
        return entries, StageError("feed", exc)
    return entries, None


def _listing_url(source: Source) -> str:
    """Where a source's listing is fetched from ("" for a list of URLs): its host's queue."""
    feed_url = getattr(_collector_module(source), "feed_url", None)
    return feed_url(source) if feed_url is not None else source.url or ""


def _collector_module(source: Source):
    return importlib.import_module(f"collectors.{source.kind}")


def _fetch_items(
    source: Source,
    fetcher: Fetcher,
    health: dict[str, Any],
    *,
    base_dir: Path,
    gdelt_interval: float | None,
) -> Iterator[dict[str, Any]]:
    """Call ``collectors.<kind>.fetch_<kind>`` with the arguments it takes."""
    fetch = getattr(_collector_module(source), f"fetch_{source.kind}")
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
