"""Datasette over the mediastance database, with the project's metadata and dashboards.

The database is always mounted under the name ``mediastance`` whatever its file is
called, so the canned queries, dashboards and bookmarks in ``datasette-metadata.json``
keep working for ``coverage.db`` as for ``demo.db``. It is opened read-write (WAL: the
nightly run keeps writing while people browse) but nothing in Datasette can write unless
``--auth`` is on and the user has signed in: the only write is the corrections query.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

DATABASE_NAME = "mediastance"
METADATA_FILE = "datasette-metadata.json"
PASSWORD_HASH_ENV = "MEDIASTANCE_PASSWORD_HASH"
USER_ENV = "MEDIASTANCE_USER"

SETTINGS = {
    # Dashboards and canned queries aggregate over the whole table.
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 500,
    # Suggested facets run a query per column on every table page view: at 50,000
    # articles they were 870 of the articles page's 954 ms (BENCHMARKS.md). Facets stay
    # one click away in each column's menu, and the metadata's facets still show.
    "suggest_facets": False,
    "default_page_size": 50,
    "max_returned_rows": 5000,
    "allow_download": False,
}


class ServeError(Exception):
    """Datasette cannot be started as asked (missing password hash, public bind…)."""


def metadata_path() -> Path:
    """The top-level datasette-metadata.json of the checkout this package runs from."""
    return Path(__file__).resolve().parent.parent / METADATA_FILE


@lru_cache(maxsize=1)
def _metadata_text() -> str:
    path = metadata_path()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ServeError(
            f"{path}: metadata file not found (install with pip install -e .)"
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


def make_datasette(db_path: str | os.PathLike, *, auth: bool = False, user: str | None = None):
    """A configured ``Datasette`` instance (also used by tests through ``ds.client``)."""
    from datasette.app import Datasette
    from datasette.database import Database

    ds = Datasette(
        metadata=load_metadata(auth=auth, user=user),
        settings=SETTINGS,
        secret=os.environ.get("DATASETTE_SECRET") or secrets.token_hex(32),
    )
    ds.add_database(Database(ds, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
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
    ds = make_datasette(db_path, auth=auth)
    # Datasette's ASGI app runs its startup hooks (plugins, db setup) on the first request.
    config = uvicorn.Config(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
    return uvicorn.Server(config)


def serve(db_path: str | os.PathLike, **options: Any) -> None:
    """Run Datasette in the foreground until interrupted (options as ``build_server``)."""
    build_server(db_path, **options).run()
