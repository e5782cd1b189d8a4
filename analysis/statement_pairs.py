"""Statement pairs: what one organisation said about a story in English and in Chinese.

Owns the ``statement_pairs`` table: for each story that changed since its pairs were
made, each organisation's English and Chinese statements are matched one to one by
embedding similarity, the target both have a stance on is chosen, and the pair gets its
stance and tone gaps and which side is harsher (:func:`pair_statements`). The story
stage (:mod:`analysis.stories`) calls it after placing articles.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np
import sqlite_utils

from analysis.labels import tone
from mediastance.core.storage import chunked, save_rows, utcnow

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh")  # a pair is one English and one Chinese statement

STANCE_VALUE = {"favor": 1, "against": -1, "none": 0}


# Stories re-paired per transaction.
PAIR_STORIES = 200

STATEMENTS_SQL = """
select s.id, s.text, s.language, s.organisation, s.article_id, a.story_id,
       coalesce(a.published, a.fetched_at) as day,
       se.p_positive, se.p_negative, se.tone
from articles a
join statements s on s.article_id = a.id
left join sentiments se on se.item_type = 'statement' and se.item_id = s.id
where a.story_id in ({marks}) and a.duplicate_of is null
  and s.language in ('en', 'zh') and coalesce(s.organisation, '') != ''
order by a.story_id, s.organisation, day, s.article_id, s.id
"""


def pair_statements(db: sqlite_utils.Database, *, encoder: Any, full: bool = False) -> int:
    """Bring ``statement_pairs`` up to date: one EN and one ZH statement of an
    organisation per story. Returns the number of pairs written.

    Within a story and organisation, statements are deduplicated by text (the same quote
    reprinted by five outlets is one utterance; the earliest is kept), then EN and ZH
    statements are matched one to one, most similar first (cosine of their multilingual
    embeddings), so each statement is in at most one pair.

    A story's pairs depend on nothing outside the story, so only the stories listed in
    ``_story_changes`` are re-paired: the database's triggers list a story whenever an
    article joins, leaves or changes day in it, or one of its statements or their
    sentiment and stance rows is written (migration ``m009_story_changes``). Stories
    whose pairs were made with another encoder are listed here. The result is the same
    as re-pairing every story (``full=True`` does that).

    The gap score of a pair (README, "Stories and statement gaps"):
    ``tone_gap = zh_tone − en_tone`` (tone: each statement's stored sentiment ``tone``,
    −1..+1, :func:`analysis.labels.tone`), and
    ``gap_score = |tone_gap| + |zh_stance_value − en_stance_value|`` (stance value +1
    favor, 0 none, −1 against), from 0 (same words, same stance) to 4.
    """
    if full:
        _mark_changed(
            db,
            "select story_id from articles where story_id is not null "
            "union select story_id from statement_pairs",
        )
    if db.execute("select 1 from statement_pairs limit 1").fetchone():
        # Two ranges rather than `is not`, so the model_version index answers at once.
        stale = "model_version < :v or model_version > :v or model_version is null"
        version = {"v": encoder.version}
        if db.execute(f"select 1 from statement_pairs where {stale} limit 1", version).fetchone():
            _mark_changed(db, f"select story_id from statement_pairs where {stale}", version)
    written = 0
    for stories in changed_story_batches(db, PAIR_STORIES):
        ids = [story_id for story_id, _ in stories]
        marks = ",".join("?" * len(ids))
        rows = list(db.query(STATEMENTS_SQL.format(marks=marks), ids))
        out = _story_pairs(db, rows, encoder)
        with db.atomic():
            db.execute(f"delete from statement_pairs where story_id in ({marks})", ids)
            if out:
                db["statement_pairs"].insert_all(out, pk="id")
            # A story written again since it was read keeps its (newer) version: next run.
            db.conn.executemany(
                "delete from _story_changes where story_id = ? and version = ?", stories
            )
        written += len(out)
    return written


def _mark_changed(db: sqlite_utils.Database, select: str, params: Any = ()) -> None:
    """List the stories ``select`` returns (one column, story_id) in ``_story_changes``."""
    with db.atomic():
        db.execute(
            f"insert into _story_changes (story_id) select story_id from ({select}) "
            "where story_id is not null "
            "on conflict (story_id) do update set version = version + 1",
            params,
        )


def changed_story_batches(db: sqlite_utils.Database, size: int) -> Iterator[list[tuple]]:
    """(story_id, version) of the stories in ``_story_changes``, ``size`` at a time."""
    after = ""
    while True:
        batch = db.execute(
            "select story_id, version from _story_changes where story_id > ? "
            "order by story_id limit ?",
            [after, size],
        ).fetchall()
        if not batch:
            return
        yield batch
        after = batch[-1][0]


def _story_pairs(db: sqlite_utils.Database, rows: list[dict], encoder: Any) -> list[dict]:
    """The pairs of the stories whose statements ``rows`` are (``STATEMENTS_SQL`` order)."""
    groups: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    seen_text: set[tuple[str, str, str, str]] = set()
    for row in rows:
        key = (row["story_id"], row["organisation"], row["language"], _norm(row["text"]))
        if key in seen_text:
            continue
        seen_text.add(key)
        groups[(row["story_id"], row["organisation"])][row["language"]].append(row)
    wanted = [g for g in groups.values() if g.get("en") and g.get("zh")]
    if not wanted:
        return []
    statements = [s for g in wanted for lang in LANGUAGES for s in g[lang]]
    vectors = _statement_vectors(db, statements, encoder)
    stances = _statement_stances(db, [s["id"] for s in statements])
    version = encoder.version
    now = utcnow()
    out = []
    for (story_id, organisation), group in sorted(groups.items()):
        if not (group.get("en") and group.get("zh")):
            continue
        en, zh = group["en"], group["zh"]
        sim = np.array([[float(vectors[a["id"]] @ vectors[b["id"]]) for b in zh] for a in en])
        for i, j in _match_one_to_one(sim):
            a, b = en[i], zh[j]
            out.append(_pair_row(story_id, organisation, a, b, sim[i, j], stances, version, now))
    return out


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _match_one_to_one(sim: np.ndarray) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, most similar first; ties by index (deterministic)."""
    order = sorted(
        ((float(sim[i, j]), i, j) for i in range(sim.shape[0]) for j in range(sim.shape[1])),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_i, used_j, pairs = set(), set(), []
    for _, i, j in order:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def _statement_vectors(
    db: sqlite_utils.Database, statements: list[dict], encoder: Any
) -> dict[str, np.ndarray]:
    if not statements:
        return {}
    version = encoder.version
    hashes = {s["id"]: hashlib.sha1(_norm(s["text"]).encode()).hexdigest() for s in statements}
    ids = list(hashes)
    found: dict[str, np.ndarray] = {}
    for chunk in chunked(ids, 500):
        for row in db.query(
            "select statement_id, text_hash, vector from _statement_embeddings "
            f"where model_version = ? and statement_id in ({','.join('?' * len(chunk))})",
            [version, *chunk],
        ):
            if row["text_hash"] == hashes[row["statement_id"]]:
                found[row["statement_id"]] = np.frombuffer(row["vector"], np.float32)
    missing = [s for s in statements if s["id"] not in found]
    if missing:
        fresh = encoder.encode([s["text"] for s in missing])
        save_rows(
            db,
            "_statement_embeddings",
            (
                {
                    "statement_id": s["id"],
                    "text_hash": hashes[s["id"]],
                    "model_version": version,
                    "vector": v.tobytes(),
                }
                for s, v in zip(missing, fresh, strict=False)
            ),
            pk="statement_id",
        )
        found.update({s["id"]: v for s, v in zip(missing, fresh, strict=False)})
    return found


def _statement_stances(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict[str, dict]]:
    """statement id -> target -> stance row (label and probabilities)."""
    out: dict[str, dict[str, dict]] = defaultdict(dict)
    for chunk in chunked(ids, 500):
        for row in db.query(
            "select item_id, target, label, p_favor, p_against from stances "
            f"where item_type = 'statement' and item_id in ({','.join('?' * len(chunk))}) "
            "order by item_id, target",
            chunk,
        ):
            out[row["item_id"]][row["target"]] = row
    return out


def _pair_target(organisation: str, en: dict[str, dict], zh: dict[str, dict]) -> str | None:
    """The target both statements have a stance on, preferring the most decided one.

    The organisation itself is a last resort: Alibaba's statements are about the IACC.
    """
    common = sorted(en.keys() & zh.keys())
    if not common:
        return None

    def strength(target: str) -> tuple[int, float, str]:
        decided = sum(
            abs((s.get("p_favor") or 0) - (s.get("p_against") or 0))
            for s in (en[target], zh[target])
        )
        return (target != organisation, decided, target)

    return max(common, key=strength)


def _tone(row: dict) -> float | None:
    """The statement's stored tone; for a row written without one, its probabilities'
    tone with no intensity (p_positive − p_negative)."""
    if row.get("tone") is not None:
        return row["tone"]
    if row.get("p_positive") is None or row.get("p_negative") is None:
        return None
    return tone({"positive": row["p_positive"], "negative": row["p_negative"]})


def _pair_row(
    story_id: str,
    organisation: str,
    en: dict,
    zh: dict,
    similarity: float,
    stances: dict[str, dict[str, dict]],
    version: str | None,
    now: str,
) -> dict[str, Any]:
    target = _pair_target(organisation, stances.get(en["id"], {}), stances.get(zh["id"], {}))
    en_stance = stances[en["id"]][target]["label"] if target else None
    zh_stance = stances[zh["id"]][target]["label"] if target else None
    en_tone, zh_tone = _tone(en), _tone(zh)
    tone_gap = None if en_tone is None or zh_tone is None else round(zh_tone - en_tone, 4)
    stance_gap = (
        abs(STANCE_VALUE.get(zh_stance, 0) - STANCE_VALUE.get(en_stance, 0)) if target else 0
    )
    gap = None if tone_gap is None else round(abs(tone_gap) + stance_gap, 4)
    if tone_gap is None or abs(tone_gap) < 0.1:
        harsher = "same"
    else:
        harsher = "zh" if tone_gap < 0 else "en"
    return {
        "id": hashlib.sha1(f"{en['id']}|{zh['id']}".encode()).hexdigest()[:16],
        "story_id": story_id,
        "organisation": organisation,
        "target": target,
        "en_statement_id": en["id"],
        "zh_statement_id": zh["id"],
        "en_article_id": en["article_id"],
        "zh_article_id": zh["article_id"],
        "en_text": en["text"],
        "zh_text": zh["text"],
        "similarity": round(float(similarity), 4),
        "en_stance": en_stance,
        "zh_stance": zh_stance,
        "stance_agree": None if not target else int(en_stance == zh_stance),
        "en_tone": en_tone,
        "zh_tone": zh_tone,
        "tone_gap": tone_gap,
        "gap_score": gap,
        "harsher": harsher,
        "model_version": version,
        "computed_at": now,
    }
