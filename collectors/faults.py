"""Faults of one source or one page, named by the stage where they happened.

A nightly run must not lose every source to one page that breaks a parser. Expected
faults are :class:`CollectorError` subclasses (``FetchError``, ``FeedError``) whose
message is the record. Anything else raised inside ``with stage(kind):`` becomes a
:class:`StageError` that says which stage failed; the collector records it in
``fetch_errors`` (column ``kind``) for that source or URL and goes on with the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# The stages, in the order a page goes through them.
STAGES = ("feed", "decode", "parse", "fetch", "extract", "date", "language", "filter",
          "dedup", "save", "health")  # fmt: skip


class CollectorError(Exception):
    """An expected fault (HTTP error, refusal, not a feed): recorded, never a crash."""

    kind = "fetch"


class StageError(Exception):
    """An unexpected exception in one stage; ``kind`` names the stage, ``cause`` is it."""

    def __init__(self, kind: str, cause: BaseException) -> None:
        super().__init__(f"{kind} failed: {type(cause).__name__}: {cause}")
        self.kind = kind
        self.cause = cause


@contextmanager
def stage(kind: str) -> Iterator[None]:
    """Name the stage of anything unexpected raised inside (expected faults pass as is)."""
    try:
        yield
    except (CollectorError, StageError):
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's bug must not end the run
        raise StageError(kind, exc) from exc


def fault_kind(error: BaseException, default: str) -> str:
    """The ``fetch_errors.kind`` of a recorded fault."""
    return getattr(error, "kind", None) or default
