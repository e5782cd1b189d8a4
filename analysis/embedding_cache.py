"""A disk cache of embeddings for training and evaluation runs.

Training embeds a few thousand fixed texts (package data, seed sets) every time; on two
CPU cores that is minutes. The cache is one SQLite file per encoder version under the
cache directory, keyed by a hash of the exact encoder input, so a re-run only embeds what
is new (for example rows just added to a seed set). Labelling articles never uses it.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

MAX_LENGTH = 256


def _key(text: str, max_length: int) -> str:
    return hashlib.sha256(f"{max_length}\0query: {text}".encode()).hexdigest()


def encode_cached(
    encoder,
    texts: Sequence[str],
    *,
    cache_dir: Path | None,
    batch_size: int = 32,
    max_length: int = MAX_LENGTH,
    progress: Callable[[str], None] | None = None,
) -> np.ndarray:
    """``encoder.encode(texts)``, reading and filling the cache when ``cache_dir`` is set."""

    def compute(idx: list[int]) -> np.ndarray:
        return encoder.encode([texts[i] for i in idx], batch_size=batch_size, max_length=max_length)

    keys = [_key(t, max_length) for t in texts]
    return _cached(encoder, keys, compute, cache_dir=cache_dir, progress=progress)


def _cached(encoder, keys: list[str], compute, *, cache_dir, progress) -> np.ndarray:
    """Rows for ``keys``: from the cache where present, else ``compute(indices)``."""
    out = np.zeros((len(keys), encoder.dim), np.float32)
    if cache_dir is None:
        return compute(list(range(len(keys)))) if keys else out
    folder = Path(cache_dir) / "embeddings"
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{encoder.name}-{encoder.version}")
    with sqlite3.connect(folder / f"{slug}.sqlite") as conn:
        conn.execute("create table if not exists emb (key text primary key, vec blob)")
        found: dict[str, np.ndarray] = {}
        unique = sorted(set(keys))
        for a in range(0, len(unique), 500):
            chunk = unique[a : a + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in conn.execute(
                f"select key, vec from emb where key in ({marks})", chunk
            ):
                found[key] = np.frombuffer(blob, np.float32)
        todo = sorted({k: i for i, k in enumerate(keys) if k not in found}.items())
        if todo and progress:
            progress(f"embedding {len(todo)} texts ({len(found)} cached)")
        step = 512
        for a in range(0, len(todo), step):
            part = todo[a : a + step]
            vecs = compute([i for _, i in part])
            conn.executemany(
                "insert or replace into emb values (?, ?)",
                [(k, v.astype(np.float32).tobytes()) for (k, _), v in zip(part, vecs, strict=True)],
            )
            conn.commit()
            for (k, _), v in zip(part, vecs, strict=True):
                found[k] = v
            if progress:
                progress(f"embedded {min(a + step, len(todo))}/{len(todo)}")
    for i, key in enumerate(keys):
        out[i] = found[key]
    return out


def encode_mentions_cached(
    encoder,
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    *,
    cache_dir: Path | None,
    batch_size: int = 32,
    max_length: int = MAX_LENGTH,
    layer: int = -1,
    progress: Callable[[str], None] | None = None,
) -> np.ndarray:
    """One mention vector per (text, spans) row (see analysis.mention_embedding), cached."""
    from analysis.mention_embedding import encode_with_mentions

    def compute(idx: list[int]) -> np.ndarray:
        _, vectors = encode_with_mentions(
            encoder,
            [texts[i] for i in idx],
            [[spans[i]] for i in idx],
            batch_size=batch_size,
            max_length=max_length,
            layers=(layer,),
        )
        return np.stack([v[0] for v in vectors]) if vectors else np.zeros((0, encoder.dim))

    tag = "mention" if layer == -1 else f"mention:{layer}"
    keys = [_key(f"{tag}{sorted(s)}\0{t}", max_length) for t, s in zip(texts, spans, strict=True)]
    return _cached(encoder, keys, compute, cache_dir=cache_dir, progress=progress)
