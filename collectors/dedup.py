"""Syndicated copies: the same body on another outlet under an edited headline.

Titles are edited and URLs differ, so similarity is measured on the text: MinHash over
character 5-grams (which works for Chinese, where words are not separated by spaces),
with an LSH index over the articles already stored. A copy's ``duplicate_of`` points at
the earliest copy, by publication date and then by when it was fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.7  # estimated Jaccard of 5-gram sets; wire copies score well above 0.8
MIN_CHARS = 200  # shorter texts (headlines, feed summaries) are not compared


@dataclass(frozen=True)
class Copy:
    id: str
    published: str | None
    fetched_at: str | None

    @property
    def age_key(self) -> tuple[str, str]:
        # Unknown dates sort last: an undated copy is never taken for the original.
        return (self.published or "9999", self.fetched_at or "9999")


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Character n-grams of the text with whitespace and case folded."""
    squashed = re.sub(r"\s+", " ", text.casefold()).strip()
    return {squashed[i : i + size] for i in range(max(len(squashed) - size + 1, 0))}


def minhash(text: str) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM)
    mh.update_batch([s.encode("utf-8") for s in shingles(text)])
    return mh


class Deduper:
    """An LSH index of stored article texts; ask it which earlier copy a text repeats."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._hashes: dict[str, MinHash] = {}
        self._copies: dict[str, Copy] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[dict], threshold: float = THRESHOLD) -> Deduper:
        """Index rows with id, text, published, fetched_at (e.g. the ``articles`` table)."""
        deduper = cls(threshold)
        for row in rows:
            deduper.add(row["id"], row.get("text"), row.get("published"), row.get("fetched_at"))
        return deduper

    def add(self, id: str, text: str | None, published: str | None, fetched_at: str | None):
        if not text or len(text) < MIN_CHARS:
            return
        if id in self._hashes:
            self._lsh.remove(id)
        mh = minhash(text)
        self._lsh.insert(id, mh)
        self._hashes[id] = mh
        self._copies[id] = Copy(id, published, fetched_at)

    def remove(self, id: str) -> None:
        """Forget an article (its save failed): no later copy may point at it."""
        if id in self._hashes:
            self._lsh.remove(id)
            del self._hashes[id]
            del self._copies[id]

    def group(self, id: str, text: str | None) -> list[str]:
        """Ids of indexed articles whose text is a near-copy of this one (not itself)."""
        if not text or len(text) < MIN_CHARS:
            return []
        mh = minhash(text)
        return sorted(
            other
            for other in self._lsh.query(mh)
            if other != id and mh.jaccard(self._hashes[other]) >= self.threshold
        )

    def earliest(self, ids: Iterable[str]) -> str:
        return min((self._copies[i] for i in ids), key=lambda c: (c.age_key, c.id)).id
