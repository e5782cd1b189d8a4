"""Datasette over the mediastance database, with the project's metadata and dashboards.

The database is always mounted under the name ``mediastance`` whatever its file is
called, so the canned queries, dashboards and bookmarks in ``datasette-metadata.json``
keep working for ``coverage.db`` as for ``demo.db``. It is opened read-write (WAL: the
nightly run keeps writing while people browse) but nothing in Datasette can write unless
``--auth`` is on and the user has signed in: the only write is the corrections query.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import errno
import ipaddress
import json
import os
import re
import secrets
import socket
import sqlite3
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

DATABASE_NAME = "mediastance"
METADATA_FILE = "datasette-metadata.json"
# Page templates that extend Datasette's own ("default:query.html").
TEMPLATES = Path(__file__).resolve().parent / "templates"
PASSWORD_HASH_ENV = "MEDIASTANCE_PASSWORD_HASH"
USER_ENV = "MEDIASTANCE_USER"

SETTINGS = {
    # Dashboards and canned queries aggregate over the whole table.
    "sql_time_limit_ms": 5000,
    # A facet over a per-sentence table (2-3 million rows at a million articles) takes
    # 0.7-2 s. Cut off at Datasette's default it showed nothing and cost its half second
    # at every view; allowed to finish, it is computed once and kept by serve's cache.
    "facet_time_limit_ms": 3000,
    # Suggested facets run a query per column on every table page view: at 50,000
    # articles they were 870 of the articles page's 954 ms (BENCHMARKS.md). Facets stay
    # one click away in each column's menu, and the metadata's facets still show.
    "suggest_facets": False,
    "default_page_size": 50,
    "max_returned_rows": 5000,
    "allow_download": False,
}

# `serve --public` (see datasette_public and README "Security"): no arbitrary SQL for
# anonymous visitors, and what the rest may cost bounded. One SQL thread: however many
# visitors, queries use one core, so the nightly run keeps the other. 2 s is over four
# times the slowest canned query (445 ms) and dashboard chart (285 ms) measured at a
# million articles (BENCHMARKS.md); Datasette's own table search box, 1.5-8.6 s there on
# common words, may hit it, the "Search articles" query does not.
PUBLIC_SETTINGS = {
    "default_allow_sql": False,
    "sql_time_limit_ms": 2000,
    "facet_time_limit_ms": 2000,
    "max_returned_rows": 1000,
    "allow_csv_stream": False,  # ?_stream=on would return every row of a table
    "num_sql_threads": 1,
}


# Read queries slower than this are kept until the database changes (see CachingDatabase).
CACHE_SLOWER_THAN_S = 0.05
CACHE_ENTRIES = 256
CACHE_MAX_ROWS = 5001  # max_returned_rows + 1: a full canned-query page
_READ_QUERY = re.compile(r"\s*(select|with)\b", re.IGNORECASE)
# `serve` re-runs the kept queries once the data has stopped changing for this long
# (checked every REFRESH_POLL_S), so the morning's first viewers do not pay for them.
REFRESH_SETTLE_S = 10.0
REFRESH_POLL_S = 2.0


class ServeError(Exception):
    """Datasette cannot be started as asked (missing password hash, public bind…)."""


def metadata_path() -> Path:
    """datasette-metadata.json: an installed wheel's copy inside the package (setup.py puts
    it there), else the top-level file of the checkout this package runs from (editable)."""
    packaged = Path(__file__).resolve().parent / METADATA_FILE
    return packaged if packaged.is_file() else packaged.parent.parent / METADATA_FILE


@lru_cache(maxsize=1)
def _metadata_text() -> str:
    path = metadata_path()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ServeError(
            f"{path}: metadata file not found; reinstall mediastance (pip install .)"
        ) from None


def load_metadata(*, auth: bool = False, user: str | None = None) -> dict[str, Any]:
    """The project's metadata; with ``auth``, password login for one user is configured."""
    metadata = copy.deepcopy(json.loads(_metadata_text()))
    if auth:
        if not os.environ.get(PASSWORD_HASH_ENV):
            raise ServeError(
                f"--auth needs {PASSWORD_HASH_ENV}: create one with "
                "`datasette hash-password` and export it"
            )
        user = user or os.environ.get(USER_ENV, "editor")
        metadata.setdefault("plugins", {})["datasette-auth-passwords"] = {
            f"{user}_password_hash": {"$env": PASSWORD_HASH_ENV},
        }
    return metadata


def check_bind(host: str, *, public: bool) -> None:
    """Refuse to listen beyond localhost unless --public says so explicitly."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not public:
        raise ServeError(f"refusing to listen on {host}: add --public to serve beyond localhost")


def check_port(host: str, port: int) -> None:
    """Refuse at once when ``host:port`` cannot be listened on (in use, no such address).

    Checked before any work: ``demo`` would otherwise run its whole pipeline, print the
    URL, and only then fail to bind.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ServeError(f"cannot listen on {host}: {exc.strerror}; check --host") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"port {port} on {host} is already in use (another serve or demo?); "
                    f"choose another with --port, e.g. --port {port + 1}"
                ) from None
            raise ServeError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
            ) from None


def _caching_database_class():
    from datasette.database import Database

    class CachingDatabase(Database):
        """Datasette's database, remembering slow read results until the file changes.

        The same pages are opened by everyone on the team after each nightly run: the
        dashboard, the article_stances page and its facets. At a million articles a facet
        counts every row (about 0.1 s each), so a page with four facets takes half a
        second every time it is shown. Results of read queries that took longer than
        ``CACHE_SLOWER_THAN_S`` (at most ``CACHE_MAX_ROWS`` rows, ``CACHE_ENTRIES``
        queries) are kept with the database's version and served while it is unchanged.
        The version is SQLite's ``PRAGMA data_version`` on a connection of our own, which
        changes whenever any other connection or process commits (the nightly run, a
        correction), so a cached answer is never older than the data. Only SELECT and
        WITH statements are kept (not Datasette's own PRAGMA calls). Restoring a backup
        over the file means restarting ``serve``, as for Datasette's own connections.

        Under ``mediastance serve`` the cache is also kept warm (``keep_fresh``): the
        pages with default facets are opened at start, and once new data has settled
        the kept queries are re-run in the background, so the first viewer after the
        nightly run is answered from the cache too.
        """

        def __init__(self, *args: Any, cache_slower_than: float = CACHE_SLOWER_THAN_S, **kw):
            super().__init__(*args, **kw)
            self.cache_slower_than = cache_slower_than
            self._cache: collections.OrderedDict = collections.OrderedDict()
            self._watch: sqlite3.Connection | None = None
            self._watch_lock = threading.Lock()
            self._refresher: asyncio.Task | None = None
            self.cache_hits = 0
            self.refreshed = 0

        def data_version(self) -> int:
            with self._watch_lock:
                if self._watch is None:
                    # Read-write like Datasette's own connections (a read-only one cannot
                    # create the WAL index); it only ever reads one pragma.
                    self._watch = sqlite3.connect(self.path, check_same_thread=False)
                return self._watch.execute("PRAGMA data_version").fetchone()[0]

        async def execute(self, sql, params=None, truncate=False, **options):
            """Database.execute, answered from the cache when the database is unchanged."""
            if not _READ_QUERY.match(sql):
                return await super().execute(sql, params, truncate, **options)
            frozen = tuple(sorted(params.items())) if isinstance(params, dict) else params
            key = (sql, frozen if frozen is None else tuple(frozen), truncate)
            key += tuple(sorted(options.items()))
            version = self.data_version()
            hit = self._cache.get(key)
            if hit is not None and hit[0] == version:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                return hit[1]
            started = time.perf_counter()
            results = await super().execute(sql, params, truncate, **options)
            slow = time.perf_counter() - started >= self.cache_slower_than
            if slow and len(results.rows) <= CACHE_MAX_ROWS and self.data_version() == version:
                self._cache[key] = (version, results, (sql, params, truncate, options))
                if len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
            return results

        async def refresh(self) -> int:
            """Re-run the kept queries whose answers predate the data; how many were.

            Most recently used first. Stops as soon as the data changes again (the
            next settled moment picks up from there); entries keep their place. A query
            that now fails is dropped from the cache, not retried.
            """
            version = self.data_version()
            stale = [k for k, entry in reversed(self._cache.items()) if entry[0] != version]
            done = 0
            for key in stale:
                call = self._cache[key][2] if key in self._cache else None
                if call is None:  # pushed out meanwhile by newer answers
                    continue
                sql, params, truncate, options = call
                try:
                    results = await super().execute(sql, params, truncate, **options)
                except Exception:  # noqa: BLE001 - fails now (time limit, schema change)
                    self._cache.pop(key, None)  # whoever asks next gets the error itself
                    continue
                if self.data_version() != version:
                    break
                if key in self._cache:
                    self._cache[key] = (version, results, call)
                    done += 1
            self.refreshed += done
            return done

        async def keep_fresh(
            self,
            warm_paths: list[str] = (),
            *,
            settle: float = REFRESH_SETTLE_S,
            poll: float = REFRESH_POLL_S,
        ) -> None:
            """Run forever: open ``warm_paths`` once, then refresh after each settled change.

            Opening the pages (through Datasette, as a visitor would) keeps their slow
            queries; after that, whenever the data has changed and then stayed unchanged
            for ``settle`` seconds, ``refresh`` re-runs them. A nightly run commits many
            times while it works, so nothing is recomputed until it has finished.
            """
            for path in warm_paths:
                await self.ds.client.get(path)
            seen, since = self.data_version(), time.monotonic()
            while True:
                await asyncio.sleep(poll)
                version = self.data_version()
                if version != seen:
                    seen, since = version, time.monotonic()
                elif time.monotonic() - since >= settle:
                    await self.refresh()  # re-runs only what predates `version`: often nothing

        def start_keeping_fresh(self, warm_paths: list[str] = (), **timing: float) -> None:
            """Start ``keep_fresh`` as a task of the running event loop (once)."""
            if self._refresher is None:
                loop = asyncio.get_running_loop()
                self._refresher = loop.create_task(self.keep_fresh(warm_paths, **timing))

    return CachingDatabase


def make_datasette(
    db_path: str | os.PathLike,
    *,
    auth: bool = False,
    user: str | None = None,
    cache_slower_than: float = CACHE_SLOWER_THAN_S,
    public: bool = False,
):
    """A configured ``Datasette`` instance (also used by tests through ``ds.client``).

    ``cache_slower_than`` (seconds): see ``CachingDatabase``; ``float("inf")`` turns the
    cache off. ``public``: ``PUBLIC_SETTINGS``, and SQL only for the dashboards' charts
    and (with ``auth``) signed-in users.
    """
    from datasette.app import Datasette
    from datasette.plugins import pm

    from mediastance import datasette_pages, datasette_public, datasette_search, datasette_targets

    if not pm.is_registered(datasette_search):  # the search box over the word index
        pm.register(datasette_search, name="mediastance-search")
    if not pm.is_registered(datasette_targets):  # mediastance_target(): any alias → target
        pm.register(datasette_targets, name="mediastance-targets")
    if not pm.is_registered(datasette_pages):  # article page, corrections, Excel CSV
        pm.register(datasette_pages, name="mediastance-pages")
    if not pm.is_registered(datasette_public):  # acts only where public=True set it up
        pm.register(datasette_public, name="mediastance-public")
    metadata = load_metadata(auth=auth, user=user)
    if public:
        metadata["allow_sql"] = datasette_public.allow_sql(auth=auth)
        for database in metadata.get("databases", {}).values():
            database.pop("allow_sql", None)
    ds = Datasette(
        metadata=metadata,
        template_dir=str(TEMPLATES),
        settings={**SETTINGS, **PUBLIC_SETTINGS} if public else SETTINGS,
        secret=os.environ.get("DATASETTE_SECRET") or secrets.token_hex(32),
    )
    if public:
        queries = datasette_public.dashboard_queries(metadata)
        setattr(ds, datasette_public.ALLOWED_SQL_ATTRIBUTE, queries)
    database = _caching_database_class()(
        ds, path=str(db_path), is_mutable=True, cache_slower_than=cache_slower_than
    )
    ds.add_database(database, name=DATABASE_NAME)
    return ds


def build_server(
    db_path: str | os.PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    auth: bool = False,
    public: bool = False,
):
    """A ``uvicorn.Server`` for Datasette over the database, not yet running."""
    import uvicorn

    check_bind(host, public=public)
    ds = make_datasette(db_path, auth=auth, public=public)
    # Datasette's ASGI app runs its startup hooks (plugins, db setup) on the first request.
    app = _keeping_fresh(ds.app(), ds.get_database(DATABASE_NAME), warm_paths(ds))
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    return uvicorn.Server(config)


def warm_paths(ds) -> list[str]:
    """The pages opened at start: every table the metadata gives default facets."""
    tables = ds.metadata().get("databases", {}).get(DATABASE_NAME, {}).get("tables", {})
    return [f"/{DATABASE_NAME}/{name}" for name, table in tables.items() if table.get("facets")]


def _keeping_fresh(app, database, paths: list[str]):
    """``app``, starting the database's ``keep_fresh`` task when the server starts."""

    async def asgi(scope, receive, send):
        if scope["type"] == "lifespan":
            database.start_keeping_fresh(paths)
        await app(scope, receive, send)

    return asgi


def serve(db_path: str | os.PathLike, **options: Any) -> None:
    """Run Datasette in the foreground until interrupted (options as ``build_server``)."""
    server = build_server(db_path, **options)
    try:
        server.run()
    except SystemExit:
        if server.started:
            raise
        # uvicorn has logged why (the port was taken after check_port, say) and exits 3.
        host, port = server.config.host, server.config.port
        raise ServeError(
            f"Datasette could not start on {host}:{port}; try another --port"
        ) from None
