"""The ``tag`` and ``evaluate`` contracts: JSON-lines records in, labels or metrics out.

Each input line is an object with ``id``, ``text``, optional ``lang`` and optional
``target`` (a configured target name); ``evaluate`` also reads gold ``stance`` and/or
``sentiment``. The whole file is checked before anything is labeled, so a bad line stops
the run with its line number and nothing half-written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from analysis.evaluation import metrics_by_language
from analysis.heads import SENTIMENT_LABELS, STANCE_LABELS
from analysis.labels import Item, Labeler, target_spans
from mediastance.config import Target
from mediastance.language import detect_language

BATCH = 256


class RecordError(Exception):
    """A line of a JSON-lines input is unusable; the message names the line."""


def read_records(path: str | Path, targets: Sequence[Target], *, gold: bool = False) -> list[dict]:
    """Every record of a JSON-lines file, validated; blank lines are skipped.

    With ``gold=True`` (evaluate) a record must carry ``stance`` or ``sentiment`` with a
    known label, and a ``stance`` needs a ``target``.
    """
    names = [t.name for t in targets]
    n = 0
    records = []
    try:
        with open(path, encoding="utf-8-sig") as fp:
            for n, line in enumerate(fp, 1):
                if line.strip():
                    records.append(_check(line, n, names, gold))
    except UnicodeDecodeError:
        raise RecordError(f"line {n + 1}: not UTF-8 text") from None
    except OSError as exc:
        raise RecordError(f"cannot read ({exc.strerror})") from None
    return records


def _check(line: str, n: int, names: list[str], gold: bool) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"line {n}: not valid JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise RecordError(f"line {n}: expected a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError(f'line {n}: missing "text" (a non-empty string)')
    target = record.get("target")
    if target is not None and target not in names:
        raise RecordError(f"line {n}: unknown target {target!r} (configured: {', '.join(names)})")
    lang = record.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise RecordError(f'line {n}: "lang" must be a string')
    if gold:
        for task, labels in (("stance", STANCE_LABELS), ("sentiment", SENTIMENT_LABELS)):
            value = record.get(task)
            if value is not None and value not in labels:
                raise RecordError(
                    f"line {n}: unknown {task} {value!r} (expected {', '.join(labels)})"
                )
        if record.get("stance") is None and record.get("sentiment") is None:
            raise RecordError(f'line {n}: no gold "stance" or "sentiment"')
        if record.get("stance") is not None and target is None:
            raise RecordError(f'line {n}: a gold "stance" needs a "target"')
    return record


def tag_records(
    records: Sequence[dict], labeler: Labeler, targets: Sequence[Target]
) -> Iterator[dict]:
    """Each record with ``lang``, ``sentiment``, ``sentiment_scores`` and stance fields.

    With a ``target``: ``stance`` and ``stance_scores`` toward it (whether or not the text
    names it). Without: ``stances``, one {target, stance, score, evidence} per target the
    text mentions, evidence being the mention as written.
    """
    for a in range(0, len(records), BATCH):
        batch = records[a : a + BATCH]
        items = []
        found = []
        for record in batch:
            spans = target_spans(record["text"], targets)
            found.append(spans)
            target = record.get("target")
            wanted = {target: spans.get(target, [])} if target else spans
            items.append(Item(record["text"], wanted))
        for record, spans, labels in zip(batch, found, labeler.label(items), strict=True):
            out = dict(record)
            out["lang"] = record.get("lang") or detect_language(record["text"])
            out["sentiment"] = labels.sentiment_label
            out["sentiment_scores"] = labels.sentiment
            target = record.get("target")
            if target:
                out["stance"] = labels.stance_label(target)
                out["stance_scores"] = labels.stances[target]
            else:
                out["stances"] = [
                    {
                        "target": name,
                        "stance": labels.stance_label(name),
                        "score": labels.stances[name][labels.stance_label(name)],
                        "evidence": record["text"][s[0][0] : s[0][1]],
                    }
                    for name, s in spans.items()
                ]
            yield out


def evaluate_records(
    records: Sequence[dict], labeler: Labeler, targets: Sequence[Target]
) -> dict[str, dict[str, dict]]:
    """{"stance"|"sentiment": {lang: metrics}} over the records that carry that gold label."""
    rows: dict[str, list[tuple[str, str, str]]] = {"stance": [], "sentiment": []}
    for record, tagged in zip(records, tag_records(records, labeler, targets), strict=True):
        for task in rows:
            if record.get(task) is not None:
                rows[task].append((tagged["lang"], record[task], tagged[task]))
    labels = {"stance": STANCE_LABELS, "sentiment": SENTIMENT_LABELS}
    return {task: metrics_by_language(r, labels[task]) for task, r in rows.items() if r}
