"""The SQLite store: schema (as sqlite-utils Migrations), FTS, views, and the save_* writers.

Table names are a contract that the Datasette metadata, canned queries and analysts'
tools rely on. Schema changes are new ``Migrations`` steps, applied at the start of every
command by :func:`ensure_db_shape`, which is safe to run again and again.

Writes use ``upsert_all`` (never ``insert(replace=True)``) so that a nightly re-collect
keeps the columns other stages add, and run in chunks inside short transactions so a
Datasette reading the same file in WAL mode never sees "database is locked".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from mediastance.core import rollups, views
from mediastance.core import search_index as word_search

BUSY_TIMEOUT_MS = 30_000
CHUNK = 200

migrations = Migrations("mediastance")


class StorageError(Exception):
    """The database file cannot be opened or is not a mediastance database."""


def utcnow() -> str:
    """An ISO 8601 UTC timestamp with seconds, the format every *_at column uses."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@migrations()
def m001_core(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "name": str,
            "kind": str,
            "url": str,
            "language": str,
            "last_status": str,
            "last_error": str,
            "failures": float,
            "etag": str,
            "last_modified": str,
            "last_checked": str,
            "last_success": str,
        },
        pk="name",
    )
    db["articles"].create(
        {
            "id": str,
            "url": str,
            "canonical_url": str,
            "source": str,
            "source_kind": str,
            "outlet": str,
            "title": str,
            "text": str,
            "language": str,
            "script": str,
            "published": str,
            "author": str,
            "fetched_at": str,
            "updated_at": str,
            "content_hash": str,
            "duplicate_of": str,
            "extractor": str,
        },
        pk="id",
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["published"])
    db["articles"].create_index(["language", "published"])
    db["articles"].create_index(["outlet"])
    db["articles"].create_index(["source"])
    db["articles"].create_index(["fetched_at"])
    db["articles"].create_index(["duplicate_of"])
    db["fetch_errors"].create(
        {
            "id": int,
            "run_id": int,
            "source": str,
            "url": str,
            "error": str,
            "status_code": int,
            "at": str,
        },
        pk="id",
    )
    db["fetch_errors"].create_index(["run_id"])
    db["fetch_errors"].create_index(["source"])
    db["runs"].create(
        {
            "id": int,
            "command": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "pid": int,
            "sources_ok": int,
            "sources_failed": int,
            "new": int,
            "updated": int,
            "duplicates": int,
            "skipped": int,
            "errors": int,
            "analyzed": int,
            "labels": int,
            "duration_s": float,
            "message": str,
        },
        pk="id",
    )


@migrations()
def m002_analysis(db: sqlite_utils.Database) -> None:
    db["sentences"].create(
        {"id": str, "article_id": str, "idx": int, "text": str, "language": str},
        pk="id",
    )
    db["sentences"].create_index(["article_id", "idx"])
    db["mentions"].create(
        {
            "id": str,
            "article_id": str,
            "target": str,
            "sentence_index": int,
            "alias": str,
            "language": str,
        },
        pk="id",
    )
    db["mentions"].create_index(["article_id"])
    db["mentions"].create_index(["target", "article_id"])
    db["statements"].create(
        {
            "id": str,
            "article_id": str,
            "sentence_index": int,
            "speaker": str,
            "organisation": str,
            "language": str,
            "text": str,
            "kind": str,
        },
        pk="id",
    )
    db["statements"].create_index(["article_id"])
    db["statements"].create_index(["organisation"])
    db["sentiments"].create(
        {
            "id": str,
            "item_type": str,
            "item_id": str,
            "article_id": str,
            "label": str,
            "score": float,
            "p_positive": float,
            "p_neutral": float,
            "p_negative": float,
            "model": str,
            "model_version": str,
            "labeled_at": str,
        },
        pk="id",
    )
    db["sentiments"].create_index(["article_id"])
    db["sentiments"].create_index(["item_type", "label"])
    db["stances"].create(
        {
            "id": str,
            "item_type": str,
            "item_id": str,
            "article_id": str,
            "target": str,
            "label": str,
            "score": float,
            "p_favor": float,
            "p_against": float,
            "p_none": float,
            "evidence": str,
            "model": str,
            "model_version": str,
            "labeled_at": str,
        },
        pk="id",
    )
    db["stances"].create_index(["article_id"])
    db["stances"].create_index(["item_type", "target", "label"])
    db["corrections"].create(
        {
            "id": int,
            "item_type": str,
            "item_id": str,
            "article_id": str,
            "target": str,
            "task": str,
            "label": str,
            "note": str,
            "created_by": str,
            "created_at": str,
        },
        pk="id",
    )
    db["analysis_state"].create(
        {"article_id": str, "content_hash": str, "model_version": str, "analyzed_at": str},
        pk="article_id",
    )


@migrations()
def m003_correction_checks(db: sqlite_utils.Database) -> None:
    # Corrections arrive from a Datasette form: reject bad values in the database itself,
    # so a typo in the form is an error message, never a silently wrong training label.
    db.execute(
        """
        create trigger corrections_check before insert on corrections
        begin
          select raise(abort, 'task must be stance or sentiment')
            where new.task not in ('stance', 'sentiment');
          select raise(abort, 'stance label must be favor, against or none')
            where new.task = 'stance' and new.label not in ('favor', 'against', 'none');
          select raise(abort, 'a stance correction needs a target')
            where new.task = 'stance' and coalesce(new.target, '') = '';
          select raise(abort, 'sentiment label must be positive, negative or neutral')
            where new.task = 'sentiment'
              and new.label not in ('positive', 'negative', 'neutral');
          select raise(abort, 'item_type must be article, statement or sentence')
            where new.item_type not in ('article', 'statement', 'sentence');
        end
        """
    )


# Full-text search. FTS5's unicode61 tokenizer treats a run of Han characters as one
# token, so Chinese needs the trigram tokenizer (queries of 1-2 characters need LIKE,
# or the word index of mediastance/core/search_index.py, which Datasette's search box asks).
FTS_TABLES: dict[str, list[str]] = {
    "articles": ["title", "text"],
    "statements": ["text", "speaker", "organisation"],
}


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose write transactions start with ``BEGIN IMMEDIATE``.

    ``atomic()`` opens a plain (deferred) ``BEGIN``, and sqlite-utils reads the schema
    before an upsert writes. A transaction that read first and must then upgrade to a
    writer while another connection writes (a Datasette correction, a manual
    ``collect``) gets "database is locked" at once: SQLite skips the busy timeout there
    to avoid deadlock. Taking the write lock up front makes it wait its turn instead.
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:  # nested: sqlite-utils' savepoints
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise


def open_db(
    path: str | os.PathLike | None = None, *, memory: bool = False
) -> sqlite_utils.Database:
    """Open (creating if needed) a database in WAL mode with a busy timeout."""
    if memory or path is None or str(path) == ":memory:":
        db = Database(memory=True)
    else:
        p = Path(path)
        if p.exists() and p.is_dir():
            raise StorageError(f"{p}: is a directory, not a database file; give --db a file path")
        if p.parent and not p.parent.exists():
            raise StorageError(f"{p}: folder {p.parent} does not exist; create it or fix --db")
        problem = _write_problem(p)
        if problem:
            raise StorageError(f"{p}: {problem}")
        try:
            db = Database(p)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
        except Exception as exc:  # sqlite3.DatabaseError: "file is not a database"
            raise StorageError(f"{p}: cannot open as SQLite ({exc}); check --db") from exc
    word_search.register_functions(db.conn)  # the word-search triggers call it on every write
    return db


def _write_problem(p: Path) -> str | None:
    """Why SQLite could not write at ``p``, as the file system says; else None.

    Every command that opens the database writes (migrations, WAL), and SQLite's own
    words are "unable to open database file" or, later, "attempt to write a readonly
    database", whatever the cause. In WAL mode even a reader creates ``<db>-wal`` and
    ``<db>-shm`` beside the database, so a read-only folder stops every command.
    """
    folder = p.parent
    files = [p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")]
    if not os.access(folder, os.W_OK) and not all(
        f.exists() and os.access(f, os.W_OK) for f in files
    ):
        return (
            f"folder {folder} is read-only, and SQLite creates {p.name}, {p.name}-wal and "
            f"{p.name}-shm there; use a writable folder (copy the database there)"
        )
    if p.exists() and not os.access(p, os.W_OK):
        return "the file is read-only; make it writable or copy it to a writable folder"
    return None


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Apply pending migrations, then make sure FTS and views exist. Idempotent."""
    word_search.register_functions(db.conn)
    migrations.apply(db)
    word_search.ensure_current(db)
    word_search.ensure_ranked_views(db)  # a migration may have added columns
    for table, columns in FTS_TABLES.items():
        # enable_fts creates the index, fills it and adds the triggers in three separate
        # commits; a run killed in between leaves an index without triggers that would
        # silently go stale. replace=True rebuilds exactly that case, and returns at once
        # when the index and its triggers are already as wanted.
        if db[table].exists():
            db[table].enable_fts(columns, create_triggers=True, tokenize="trigram", replace=True)
    views.ensure_views(db)


def search(
    db: sqlite_utils.Database, table: str, query: str, *, limit: int = 50
) -> list[dict[str, Any]]:
    """Rows of an FTS-indexed table matching every whitespace-separated term.

    The trigram index only answers terms of three or more characters; "假货" (two Han
    characters) is matched with LIKE over the same columns instead.
    """
    terms = [t for t in query.split() if t]
    if not terms:
        return []
    columns = FTS_TABLES[table]
    if all(len(t) >= 3 for t in terms):
        match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            f"select [{table}].* from [{table}] join [{table}_fts] "
            f"on [{table}].rowid = [{table}_fts].rowid "
            f"where [{table}_fts] match ? order by rank limit ?"
        )
        return [dict(r) for r in db.query(sql, [match, limit])]
    where = " and ".join("(" + " or ".join(f"[{c}] like ?" for c in columns) + ")" for _ in terms)
    params = [f"%{t}%" for t in terms for _ in columns]
    return list(db.query(f"select * from [{table}] where {where} limit ?", [*params, limit]))


def chunked(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def save_rows(db: sqlite_utils.Database, table: str, rows: Iterable[dict], *, pk: str) -> int:
    """Upsert rows in chunks, one short transaction per chunk; returns the row count."""
    count = 0
    for chunk in chunked(rows):
        with db.atomic():
            db[table].upsert_all(chunk, pk=pk, alter=True)
        count += len(chunk)
    return count


def start_run(db: sqlite_utils.Database, command: str) -> int:
    with db.atomic():
        table = db["runs"].insert(
            {"command": command, "started_at": utcnow(), "status": "running", "pid": os.getpid()}
        )
    return table.last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, *, status: str, **counts: Any) -> None:
    started = db["runs"].get(run_id)["started_at"]
    finished = utcnow()
    duration = (
        dt.datetime.fromisoformat(finished) - dt.datetime.fromisoformat(started)
    ).total_seconds()
    with db.atomic():
        db["runs"].update(
            run_id,
            {"finished_at": finished, "status": status, "duration_s": duration, **counts},
            alter=True,
        )


def save_fetch_error(
    db: sqlite_utils.Database,
    *,
    run_id: int | None,
    source: str,
    url: str | None,
    error: str,
    status_code: int | None = None,
    kind: str | None = None,
) -> None:
    """One fault of a run; ``kind`` names the stage (fetch, feed, decode, extract, ...)."""
    with db.atomic():
        db["fetch_errors"].insert(
            {
                "run_id": run_id,
                "source": source,
                "url": url,
                "error": error,
                "status_code": status_code,
                "at": utcnow(),
                "kind": kind,
            }
        )


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Row counts of the project's tables (not FTS shadow tables or migrations)."""
    return {
        name: db[name].count
        for name in db.table_names()
        if not name.startswith("_") and "_fts" not in name
    }


@migrations()
def m004_run_details(db: sqlite_utils.Database) -> None:
    # `mediastance run` keeps its per-source summary and per-stage counts as JSON here:
    # the fixed count columns answer "how many", this answers "which source, why".
    if "details" not in db["runs"].columns_dict:
        db["runs"].add_column("details", str)


@migrations()
def m005_stories(db: sqlite_utils.Database) -> None:
    # Stories group articles about one event across languages (analysis/stories.py).
    # Clustering is incremental: the hidden _story_vectors / _article_embeddings tables
    # keep what the next night needs to place new articles without re-clustering.
    db["stories"].create(
        {
            "id": str,
            "title": str,
            "first_seen": str,
            "last_seen": str,
            "languages": str,
            "article_count": int,
            "en_count": int,
            "zh_count": int,
            "founded_by": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["stories"].create_index(["first_seen"])
    if "story_id" not in db["articles"].columns_dict:
        db["articles"].add_column("story_id", str)
    db["articles"].create_index(["story_id"])
    db["_article_embeddings"].create(
        {"article_id": str, "model_version": str, "vector": bytes}, pk="article_id"
    )
    db["_story_vectors"].create(
        {
            "story_id": str,
            "model_version": str,
            "vector_sum": bytes,
            "n": int,
            "counts": str,
            "entities": str,
            "topic_sum": float,
        },
        pk="story_id",
    )
    db["_statement_embeddings"].create(
        {"statement_id": str, "text_hash": str, "model_version": str, "vector": bytes},
        pk="statement_id",
    )
    db["statement_pairs"].create(
        {
            "id": str,
            "story_id": str,
            "organisation": str,
            "target": str,
            "en_statement_id": str,
            "zh_statement_id": str,
            "en_article_id": str,
            "zh_article_id": str,
            "en_text": str,
            "zh_text": str,
            "similarity": float,
            "en_stance": str,
            "zh_stance": str,
            "stance_agree": int,
            "en_tone": float,
            "zh_tone": float,
            "tone_gap": float,
            "gap_score": float,
            "harsher": str,
            "model_version": str,
            "computed_at": str,
        },
        pk="id",
    )
    db["statement_pairs"].create_index(["story_id"])
    db["statement_pairs"].create_index(["gap_score"])
    db["framing_words"].create(
        {
            "id": str,
            "story_id": str,
            "language": str,
            "outlet": str,
            "target": str,
            "category": str,
            "word": str,
            "count": int,
            "articles": int,
            "example": str,
            "lexicon_version": str,
        },
        pk="id",
    )
    db["framing_words"].create_index(["story_id", "language"])
    db["framing_words"].create_index(["category"])


@migrations()
def m006_label_lookup_indexes(db: sqlite_utils.Database) -> None:
    # The views join a label to its item with `item_type = ? and item_id = ?`. With only
    # (item_type, label) to go on, SQLite scanned every article sentiment for every
    # article: the article_stances page timed out (HTTP 400 after 5 s) at 50,000
    # articles. The script index serves the articles page's script facet (BENCHMARKS.md).
    db["sentiments"].create_index(["item_type", "item_id"], if_not_exists=True)
    db["stances"].create_index(["item_type", "item_id"], if_not_exists=True)
    db["articles"].create_index(["script"], if_not_exists=True)


@migrations()
def m007_pending_analysis_index(db: sqlite_utils.Database) -> None:
    # analyze finds its work with a keyset scan by id that compares each article's
    # content_hash to analysis_state. Read from the table, that is every article row,
    # text included: 36 s for a run with nothing new at 1,000,000 articles. From this
    # index it is 3.5 s (BENCHMARKS.md).
    db["articles"].create_index(["id", "content_hash"], if_not_exists=True)


def add_sentiment_tone(db: sqlite_utils.Database) -> None:
    """The ``strength`` and ``tone`` columns of ``sentiments``, tone filled in where null.

    A row labelled before the columns came had no intensity head: strength stays null
    and tone is ``analysis.labels.tone`` with strength None, p_positive − p_negative,
    rounded as ``analyze`` rounds it. The triggers on ``sentiments`` are set aside
    while the rows are filled (and put back as they were): the rollup tones they would
    copy and the stories they would list for re-pairing come out the same.
    """
    for column in ("strength", "tone"):
        if column not in db["sentiments"].columns_dict:
            db["sentiments"].add_column(column, float)
    triggers = db["sentiments"].triggers
    for trigger in triggers:
        db.execute(f"drop trigger [{trigger.name}]")
    db.execute(
        "update sentiments set tone = round(p_positive - p_negative, 4) "
        "where tone is null and p_positive is not null and p_negative is not null"
    )
    for trigger in triggers:
        db.execute(trigger.sql)


@migrations()
def m008_rollup_tables(db: sqlite_utils.Database) -> None:
    # article_stances becomes a trigger-maintained table, with daily_coverage summing it
    # per day: at 1,000,000 articles the view's join made its page, four canned queries
    # and three charts time out (BENCHMARKS.md). See mediastance/core/rollups.py.
    add_sentiment_tone(db)  # the rollups read it: see m021_sentiment_tone
    rollups.create_rollups(db)


def _mark_story(story_sql: str) -> str:
    """Trigger body step: list the story ``story_sql`` selects in ``_story_changes``."""
    return (
        f"insert into _story_changes (story_id) {story_sql} "
        "on conflict (story_id) do update set version = version + 1;"
    )


# The story of an article, and of a statement label (sentiments, stances) through its
# statement; `where` also keeps SQLite from reading `on conflict` as part of a join.
_ARTICLE_STORY = "select story_id from articles where id = {0}.article_id and story_id is not null"
_LABEL_STORY = (
    "select a.story_id from statements s join articles a on a.id = s.article_id "
    "where s.id = {0}.item_id and a.story_id is not null"
)


@migrations()
def m009_story_changes(db: sqlite_utils.Database) -> None:
    # Statement pairs used to be rebuilt from every statement at every run (900,000 at
    # 1M articles). A story's pairs depend only on its own articles, statements and
    # their labels, so these triggers list a story in _story_changes whenever one of
    # those is written, and the stories stage re-pairs just the listed ones (version:
    # a story written again while it was being paired stays listed). Every existing
    # story is listed once, so the first run after this migration re-pairs them all.
    db["_story_changes"].create(
        {"story_id": str, "version": int},
        pk="story_id",
        not_null={"version"},
        defaults={"version": 1},
    )
    article = "select {0}.story_id where {0}.story_id is not null"
    day = "coalesce({0}.published, {0}.fetched_at)"
    triggers = {
        "articles_story_insert": (
            "after insert on articles",
            [article.format("new")],
        ),
        "articles_story_update": (
            "after update of story_id, duplicate_of, published, fetched_at on articles "
            "when old.story_id is not new.story_id or old.duplicate_of is not new.duplicate_of "
            f"or {day.format('old')} is not {day.format('new')}",
            [article.format("old"), article.format("new")],
        ),
        "articles_story_delete": ("after delete on articles", [article.format("old")]),
        "statements_story_insert": (
            "after insert on statements",
            [_ARTICLE_STORY.format("new")],
        ),
        "statements_story_update": (
            "after update on statements",
            [_ARTICLE_STORY.format("old"), _ARTICLE_STORY.format("new")],
        ),
        "statements_story_delete": (
            "after delete on statements",
            [_ARTICLE_STORY.format("old")],
        ),
    }
    for table in ("sentiments", "stances"):
        triggers[f"{table}_story_insert"] = (
            f"after insert on {table} when new.item_type = 'statement'",
            [_LABEL_STORY.format("new")],
        )
        triggers[f"{table}_story_update"] = (
            f"after update on {table} "
            "when old.item_type = 'statement' or new.item_type = 'statement'",
            [_LABEL_STORY.format("old"), _LABEL_STORY.format("new")],
        )
        triggers[f"{table}_story_delete"] = (
            f"after delete on {table} when old.item_type = 'statement'",
            [_LABEL_STORY.format("old")],
        )
    for name, (event, steps) in triggers.items():
        body = "\n  ".join(_mark_story(step) for step in steps)
        db.execute(f"create trigger {name} {event}\nbegin\n  {body}\nend")
    db["stories"].create_index(["last_seen"], if_not_exists=True)
    db["statement_pairs"].create_index(["model_version"], if_not_exists=True)
    db["framing_words"].create_index(["lexicon_version"], if_not_exists=True)
    db.execute(
        "insert into _story_changes (story_id, version) "
        "select story_id, 1 from articles where story_id is not null "
        "union select story_id, 1 from statement_pairs"
    )


@migrations()
def m010_statement_labels_table(db: sqlite_utils.Database) -> None:
    # statement_labels becomes a trigger-maintained table: the canned query "Statements by
    # an organisation" sorted every statement of the organisation through the view's
    # four-table join, 3.3 s at 1,000,000 articles (BENCHMARKS.md).
    add_sentiment_tone(db)  # statement_labels reads it: see m021_sentiment_tone
    rollups.create_statement_labels(db)


@migrations()
def m011_story_articles_index(db: sqlite_utils.Database) -> None:
    # story_timeline counts each story's outlets over its original articles. With
    # separate story_id and duplicate_of indexes SQLite read every original for every
    # story: 18 s for 82 stories at 50,000 articles. This index answers it alone.
    db["articles"].create_index(["story_id", "duplicate_of", "outlet"], if_not_exists=True)


@migrations()
def m012_decode_notes_and_error_kinds(db: sqlite_utils.Database) -> None:
    # decode_note: a page (or feed) decoded with replacement characters or by a charset
    # guess says so, so a reader can tell a mojibake title from the outlet's own words.
    # fetch_errors.kind: which stage failed (fetch, feed, decode, extract, save, ...).
    if "decode_note" not in db["articles"].columns_dict:
        db["articles"].add_column("decode_note", str)
    if "kind" not in db["fetch_errors"].columns_dict:
        db["fetch_errors"].add_column("kind", str)


@migrations()
def m013_stance_evidence_score(db: sqlite_utils.Database) -> None:
    # An article-level stance shows its evidence sentence and that sentence's own
    # probability of the label, so a reader can judge the label (the row's score and
    # p_* columns are the article's aggregate distribution).
    if "evidence_score" not in db["stances"].columns_dict:
        db["stances"].add_column("evidence_score", float)


@migrations()
def m014_alerts(db: sqlite_utils.Database) -> None:
    # Alerts (mediastance/alerts.py) and their deliveries by mail and chat
    # (mediastance/notify.py). `key` is (kind, target, language, window): an event found
    # again by a later run updates its row and is never alerted twice. A delivery row
    # lists the alerts it carried, so a failed send is retried by the next run.
    db["alerts"].create(
        {
            "id": str,
            "key": str,
            "kind": str,
            "rule": str,
            "target": str,
            "language": str,
            "organisation": str,
            "window_start": str,
            "window_end": str,
            "observed": float,
            "expected": float,
            "score": float,
            "summary": str,
            "evidence_articles": str,
            "evidence_statements": str,
            "story_id": str,
            "first_seen": str,
            "updated_at": str,
            "sent_at": str,
        },
        pk="id",
    )
    db["alerts"].create_index(["key"], unique=True)
    db["alerts"].create_index(["kind", "target", "language", "window_end"])
    db["alerts"].create_index(["first_seen"])
    db["deliveries"].create(
        {
            "id": int,
            "run_id": int,
            "channel": str,
            "destination": str,
            "subject": str,
            "since": str,
            "status": str,
            "error": str,
            "alert_ids": str,
            "retry_of": int,
            "attempted_at": str,
        },
        pk="id",
    )
    db["deliveries"].create_index(["channel", "status"])


@migrations()
def m015_word_search(db: sqlite_utils.Database) -> None:
    # The trigram index cannot match a term shorter than three characters, and most
    # Chinese words are two (假货, 打假): a second, word-level index per searchable table,
    # with Han runs as character pairs, Simplified (mediastance/core/search_index.py). It answers
    # the table pages' search box in Datasette (issue 21).
    for table in word_search.SEARCH_INDEXES:
        word_search.create_search_index(db, table)


# Ids that point at another table's row. As foreign keys, Datasette shows them as links
# (with the other row's label) and lists the rows that point at an article on its page.
FOREIGN_KEYS: list[tuple[str, str, str, str]] = [
    ("mentions", "article_id", "articles", "id"),
    ("statements", "article_id", "articles", "id"),
    ("sentiments", "article_id", "articles", "id"),
    ("stances", "article_id", "articles", "id"),
    ("corrections", "article_id", "articles", "id"),
    ("article_stances", "article_id", "articles", "id"),
    ("statement_labels", "article_id", "articles", "id"),
    ("statement_labels", "statement_id", "statements", "id"),
    ("statement_pairs", "story_id", "stories", "id"),
    ("statement_pairs", "en_statement_id", "statements", "id"),
    ("statement_pairs", "zh_statement_id", "statements", "id"),
    ("statement_pairs", "en_article_id", "articles", "id"),
    ("statement_pairs", "zh_article_id", "articles", "id"),
    ("framing_words", "story_id", "stories", "id"),
    ("alerts", "story_id", "stories", "id"),
    ("fetch_errors", "run_id", "runs", "id"),
    ("deliveries", "run_id", "runs", "id"),
]
# Ids of the two tables that hold the text (articles, sentences): adding a foreign key
# copies a table, and these copies are most of the database, so Datasette's plugin
# (mediastance/datasette_pages.py) shows them as links instead.
LINK_COLUMNS: list[tuple[str, str, str, str]] = [
    ("articles", "story_id", "stories", "id"),
    ("articles", "duplicate_of", "articles", "id"),
    ("sentences", "article_id", "articles", "id"),
]


@migrations()
def m016_foreign_keys(db: sqlite_utils.Database) -> None:
    # Issue 16: ids were dead text in Datasette. SQLite cannot add a foreign key to a
    # table in place, so sqlite-utils rebuilds each table (rows, rowids and indexes
    # copied; foreign_keys stays off, so old ids pointing nowhere are kept as they are).
    # Dropping the old table drops its triggers too (FTS, word index, rollups, story
    # changes): they are put back exactly as they were. Runs once: 12 s at 20,000
    # articles (benchmarks/make_big_db.py), so about 10 minutes at a million.
    by_table: dict[str, list[tuple[str, str, str, str]]] = {}
    for fk in FOREIGN_KEYS:
        table, column, other, _ = fk
        if db[table].exists() and db[other].exists() and column in db[table].columns_dict:
            by_table.setdefault(table, []).append(fk)
    for table, fks in by_table.items():
        triggers = [t.sql for t in db[table].triggers]
        db.add_foreign_keys(fks)
        for sql in triggers:
            db.execute(sql)


@migrations()
def m017_unattributed_statements(db: sqlite_utils.Database) -> None:
    # Issue 16: a statement with no organisation (39 % in the demo) vanished from the
    # statement_labels organisation facet and filters; it now reads "unattributed" there
    # (statements.organisation itself stays empty). The triggers are re-created with the
    # new SQL (mediastance/core/rollups.py) and the rows already there are updated.
    for name in rollups.STATEMENT_TRIGGERS:
        db.execute(f"drop trigger if exists [{name}]")
    for name, body in rollups.STATEMENT_TRIGGERS.items():
        db.execute(f"create trigger [{name}] {body}")
    db.execute(
        "update statement_labels set organisation = ? "
        "where organisation is null or trim(organisation) = ''",
        [rollups.UNATTRIBUTED],
    )


@migrations()
def m020_ranked_search(db: sqlite_utils.Database) -> None:
    # Datasette sorts a table page by a column only, so the search box's matches could
    # not be listed best first (issue 21): a view per searchable table adds the word
    # index's rank; the table page's search box leads there (datasette_search.py).
    for table in word_search.SEARCH_INDEXES:
        word_search.create_ranked_view(db, table)


@migrations()
def m021_sentiment_tone(db: sqlite_utils.Database) -> None:
    # Tone was p_positive − p_negative, computed in SQL wherever it was shown: how sure
    # the model is of the direction, not how harsh the words are. analyze now stores it
    # with each sentiment row, analysis.labels.tone: that times (1 + strength) / 2 where
    # the heads have an intensity head (strength = P(strong wording)), which SQL cannot
    # recompute; every reader takes the stored column. m008 and m010 build the rollups
    # with today's SQL, which reads it: a database older than they are got the columns
    # there, every other one gets them here. The rollup triggers are re-created to copy
    # the stored tone, and the rollup rows take it.
    add_sentiment_tone(db)
    rollups.recreate_triggers(db)
    rollups.refresh_tones(db)
