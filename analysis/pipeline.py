"""Label the articles of a database: sentences, mentions, statements, sentiment, stance.

An article needs analysis when it has no ``analysis_state`` row, its ``content_hash``
changed, or the labels' ``model_version`` changed. Articles are read a batch at a time
(never all at once), and each batch is written in one short transaction that first
deletes the batch's old rows, so a re-analysed article never keeps stale labels.

What is labeled, and how the article-level labels are aggregated:

- The title (when the body does not already start with it) is sentence 0, then the body.
- **Sentiment** per sentence and per statement from the sentiment head; per article the
  mean of its sentences' probabilities, label = the largest mean. ``strength`` is the
  intensity head's P(strong wording) (null when the heads have none; per article the
  mean over its sentences that have one), and ``tone`` is
  :func:`analysis.labels.tone` of the row's stored ``p_*`` and ``strength``, so every
  reader takes the stored tone and none recomputes it.
- **Stance** per (sentence, target mentioned in it) and per (statement, target): the
  targets named in the statement's text, or else those of its sentence. Per article ×
  target, one distribution, and the label is always its largest probability (the row's
  ``p_*`` columns are exactly what the label was chosen from): the mean distribution
  of the items that lean favor or against (that label is their largest probability),
  or, when none leans, the mean over every item naming the target. ``score`` is the
  label's probability in that distribution; ``evidence`` is the text of the item most
  sure of the label, ``evidence_score`` that item's probability of it. One strong
  sentence decides an article that otherwise only names the target in passing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np

from analysis.labels import Item, ItemLabels, Labeler, load_labeler, target_spans, tone
from analysis.mentions import find_mentions
from analysis.sentences import split_sentences
from analysis.statements import find_statements
from mediastance.core.config import Config
from mediastance.core.language import detect_language
from mediastance.core.storage import utcnow

TABLES = ("sentences", "mentions", "statements", "sentiments", "stances")
BATCH_ARTICLES = 16

Progress = Callable[[str], None]

PENDING_SQL = """
select a.id, a.title, a.text, a.language, a.content_hash
from articles a left join analysis_state s on s.article_id = a.id
where a.id > :after
  and (s.article_id is null
       or s.content_hash is not a.content_hash
       or s.model_version is not :version)
order by a.id
limit :size
"""


def pending_articles(db, version: str, *, size: int = BATCH_ARTICLES) -> Iterator[list[dict]]:
    """Batches of articles needing analysis, in id order (keyset pagination)."""
    after = ""
    while True:
        rows = list(db.query(PENDING_SQL, {"after": after, "version": version, "size": size}))
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]


def analyze(
    db,
    config: Config,
    *,
    encoder=None,
    labeler: Labeler | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Analyse every article that needs it (at most ``limit``).

    Returns counts: ``articles`` analysed, rows written per table, and ``labels``
    (sentiment + stance rows).
    """
    labeler = labeler or load_labeler(config, encoder=encoder, progress=progress)
    counts: Counter = Counter({"articles": 0, **{t: 0 for t in TABLES}})
    for batch in pending_articles(db, labeler.model_version):
        if limit is not None:
            batch = batch[: max(limit - counts["articles"], 0)]
            if not batch:
                break
        results = label_articles(batch, labeler, config)
        save_article_labels(db, batch, results, labeler.model_version)
        counts["articles"] += len(batch)
        for rows in results:
            for table in TABLES:
                counts[table] += len(rows[table])
        release_freed_memory()
        if progress:
            progress(f"analysed {counts['articles']} articles")
    counts["labels"] = counts["sentiments"] + counts["stances"]
    return dict(counts)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return None


def release_freed_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc ``malloc_trim``).

    Each batch's forward passes allocate and free tensors of a different shape; glibc
    keeps the freed blocks, fragmented, so the process grew about 0.9 MB per article
    over 300 articles of ``analyze`` (BENCHMARKS.md §4). Trimming after every batch
    returns them; it takes a few milliseconds. A no-op where the C library is not glibc.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def article_text(article: dict) -> str:
    title = (article.get("title") or "").strip()
    body = (article.get("text") or "").strip()
    if title and not body.startswith(title):
        return f"{title}\n\n{body}" if body else title
    return body


@dataclass
class ArticleUnits:
    """One article cut into what gets labeled: its rows so far, the items and their refs."""

    article_id: str
    rows: dict[str, list[dict]]
    items: list[Item]
    refs: list[tuple[str, str, str]]  # (item_type, item_id, text) per item
    sentence_targets: list[dict[str, list[tuple[int, int]]]]


def label_articles(
    articles: list[dict], labeler: Labeler, config: Config
) -> list[dict[str, list[dict]]]:
    """The rows of all five tables for each article (nothing written).

    The items of the whole batch go through the encoder in one call, so its
    length-sorted batches are full instead of one short batch per article.
    """
    units = [article_units(article, config) for article in articles]
    labels = labeler.label([item for u in units for item in u.items])
    results, start = [], 0
    for u in units:
        results.append(article_rows(u, labels[start : start + len(u.items)], labeler))
        start += len(u.items)
    return results


def article_units(article: dict, config: Config) -> ArticleUnits:
    """Sentences, mentions and statements of one article, and the items to label."""
    aid = article["id"]
    text = article_text(article)
    language = article.get("language") or detect_language(text)
    sentences = split_sentences(text, language) if text else []
    units = ArticleUnits(aid, {t: [] for t in TABLES}, [], [], [])
    if not sentences:
        return units
    targets = config.targets
    rows = units.rows
    for s in sentences:
        rows["sentences"].append(
            {
                "id": f"{aid}:s{s.index}",
                "article_id": aid,
                "idx": s.index,
                "text": s.text,
                "language": s.language,
            }  # fmt: skip
        )
        spans: dict[str, list[tuple[int, int]]] = {}
        for m in find_mentions(s.text, targets):
            spans.setdefault(m.target, []).append((m.start, m.end))
            rows["mentions"].append(
                {
                    "id": f"{aid}:m{len(rows['mentions'])}",
                    "article_id": aid,
                    "target": m.target,
                    "sentence_index": s.index,
                    "alias": m.alias,
                    "language": s.language,
                }  # fmt: skip
            )
        units.sentence_targets.append(spans)
        units.items.append(Item(s.text, spans))
        units.refs.append(("sentence", f"{aid}:s{s.index}", s.text))
    for k, st in enumerate(find_statements(sentences, targets, language)):
        sid = f"{aid}:q{k}"
        rows["statements"].append(
            {
                "id": sid,
                "article_id": aid,
                "sentence_index": st.sentence_index,
                "speaker": st.speaker,
                "organisation": st.organisation,
                "language": st.language,
                "text": st.text,
                "kind": st.kind,
            }  # fmt: skip
        )
        spans = target_spans(st.text, targets)
        if not spans:
            spans = {t: [] for t in units.sentence_targets[st.sentence_index]}
        units.items.append(Item(st.text, spans))
        units.refs.append(("statement", sid, st.text))
    return units


def article_rows(
    units: ArticleUnits, labels: list[ItemLabels], labeler: Labeler
) -> dict[str, list[dict]]:
    """The article's rows with the labels of its items and the article-level aggregates."""
    rows, refs, aid = units.rows, units.refs, units.article_id
    if not units.items:
        return rows
    now = utcnow()
    version = labeler.model_version
    for (item_type, item_id, _), lab in zip(refs, labels, strict=True):
        rows["sentiments"].append(
            _sentiment_row(item_type, item_id, aid, lab.sentiment, lab.strength, version, now)
        )
        for target, probs in lab.stances.items():
            rows["stances"].append(
                _stance_row(item_type, item_id, aid, target, probs, None, version, now)
            )
    sentences = labels[: len(units.sentence_targets)]
    mean = {k: float(np.mean([lab.sentiment[k] for lab in sentences])) for k in labels[0].sentiment}
    strengths = [lab.strength for lab in sentences if lab.strength is not None]
    strength = float(np.mean(strengths)) if strengths else None
    rows["sentiments"].append(_sentiment_row("article", aid, aid, mean, strength, version, now))
    for target in dict.fromkeys(t for spans in units.sentence_targets for t in spans):
        evidence = [(text, lab) for (_, _, text), lab in zip(refs, labels, strict=True)
                    if target in lab.stances]  # fmt: skip
        probs, text, text_score = aggregate_stance(target, evidence)
        row = _stance_row("article", aid, aid, target, probs, text, version, now)
        row["evidence_score"] = round(text_score, 4)
        rows["stances"].append(row)
    return rows


def aggregate_stance(
    target: str, evidence: list[tuple[str, ItemLabels]]
) -> tuple[dict[str, float], str, float]:
    """(distribution, evidence text, evidence's probability of the label) for an article ×
    target; the label is the distribution's argmax (see the module docstring)."""
    leaning = [(t, lab.stances[target]) for t, lab in evidence
               if lab.stance_label(target) in ("favor", "against")]  # fmt: skip
    pool = leaning or [(t, lab.stances[target]) for t, lab in evidence]
    probs = {k: float(np.mean([p[k] for _, p in pool])) for k in ("favor", "against", "none")}
    label = max(probs, key=probs.get)
    text, best = max(pool, key=lambda tp: tp[1][label])
    return probs, text, float(best[label])


def _sentiment_row(item_type, item_id, aid, probs, strength, version, now) -> dict:
    """The row as stored; its tone is that of the stored (rounded) probabilities."""
    label = max(probs, key=probs.get)
    stored = {k: round(p, 4) for k, p in probs.items()}
    strength = None if strength is None else round(float(strength), 4)
    return {
        "id": f"sentiment:{item_type}:{item_id}",
        "item_type": item_type,
        "item_id": item_id,
        "article_id": aid,
        "label": label,
        "score": round(probs[label], 4),
        "p_positive": stored["positive"],
        "p_neutral": stored["neutral"],
        "p_negative": stored["negative"],
        "strength": strength,
        "tone": tone(stored, strength),
        "model": Labeler.model,
        "model_version": version,
        "labeled_at": now,
    }


def _stance_row(item_type, item_id, aid, target, probs, evidence, version, now) -> dict:
    label = max(probs, key=probs.get)
    return {
        "id": f"stance:{item_type}:{item_id}:{target}",
        "item_type": item_type,
        "item_id": item_id,
        "article_id": aid,
        "target": target,
        "label": label,
        "score": round(probs[label], 4),
        "p_favor": round(probs["favor"], 4),
        "p_against": round(probs["against"], 4),
        "p_none": round(probs["none"], 4),
        "evidence": evidence,
        "model": Labeler.model,
        "model_version": version,
        "labeled_at": now,
    }


def save_article_labels(db, articles: list[dict], results: list[dict], version: str) -> None:
    """Replace the batch's rows in all five tables and record its analysis_state."""
    ids = [a["id"] for a in articles]
    marks = ",".join("?" * len(ids))
    now = utcnow()
    with db.atomic():
        for table in TABLES:
            db.execute(f"delete from [{table}] where article_id in ({marks})", ids)
        for table in TABLES:
            rows = [row for result in results for row in result[table]]
            if rows:
                db[table].upsert_all(rows, pk="id")
        db["analysis_state"].upsert_all(
            [
                {
                    "article_id": a["id"],
                    "content_hash": a["content_hash"],
                    "model_version": version,
                    "analyzed_at": now,
                }  # fmt: skip
                for a in articles
            ],
            pk="article_id",
        )
