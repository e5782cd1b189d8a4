"""The ``tag`` and ``evaluate`` contracts: JSON-lines records in, labels or metrics out.

Each input line is an object with ``id``, ``text``, optional ``lang`` and optional
``target`` (a configured target name); ``evaluate`` also reads gold ``stance``,
``sentiment`` and/or ``intensity`` (mild | strong). The whole file is checked before anything is labeled, so a bad line stops
the run with its line number and nothing half-written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from analysis.calibration import reliability
from analysis.classifier import INTENSITY_LABELS, SENTIMENT_LABELS, STANCE_LABELS
from analysis.evaluation import metrics_by_language
from analysis.labels import Item, Labeler, target_spans
from analysis.mention_embedding import PREFIX
from analysis.mentions import fold_alias
from mediastance.core.config import Target
from mediastance.core.language import detect_language

BATCH = 256
# Encoder.encode and encode_with_mentions read this many tokens of a text (the prefix
# included). A text is cut to LABEL_CHARS characters before labeling: far more than
# MAX_TOKENS tokens ever cover, and a 2 MB text is not tokenised whole for nothing.
MAX_TOKENS = 256
LABEL_CHARS = 20_000
GOLD_LABELS = {
    "stance": STANCE_LABELS,
    "sentiment": SENTIMENT_LABELS,
    "intensity": INTENSITY_LABELS,
}


class RecordError(Exception):
    """A line of a JSON-lines input is unusable; the message names the line."""


def read_records(
    path: str | Path,
    targets: Sequence[Target],
    *,
    gold: bool = False,
    line_numbers: list[int] | None = None,
) -> list[dict]:
    """Every record of a JSON-lines file, validated; blank lines are skipped.

    A ``target`` may be a configured target's name or any of its aliases, in any case
    (淘宝, taobao, ALIBABA): the record gets the target's name. With ``gold=True``
    (evaluate) a record must carry ``stance`` or ``sentiment`` with a known label, and a
    ``stance`` needs a ``target``. ``line_numbers``, when given, receives each record's
    line number.
    """
    names = [t.name for t in targets]
    known: dict[str, str] = {}
    for target in targets:
        for alias in (target.name, *target.aliases):
            known.setdefault(fold_alias(alias), target.name)
    records = []
    try:
        with open(path, "rb") as fp:
            # Lines are decoded one by one (not by the file's read-ahead buffer), so a
            # bad byte is reported on its own line.
            for n, raw in enumerate(fp, 1):
                try:
                    line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise RecordError(
                        f"line {n}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte "
                        f"{exc.start + 1} of the line); save the file as UTF-8"
                    ) from None
                if line.strip():
                    records.append(_check(line, n, names, known, gold))
                    if line_numbers is not None:
                        line_numbers.append(n)
    except OSError as exc:
        raise RecordError(f"cannot read ({exc.strerror})") from None
    return records


def _check(line: str, n: int, names: list[str], known: dict[str, str], gold: bool) -> dict:
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
    if target is not None:
        if not isinstance(target, str) or fold_alias(target) not in known:
            raise RecordError(
                f"line {n}: unknown target {target!r} (configured: {', '.join(names)})"
            )
        record["target"] = target = known[fold_alias(target)]
    lang = record.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise RecordError(f'line {n}: "lang" must be a string')
    if gold:
        for task, labels in GOLD_LABELS.items():
            value = record.get(task)
            if value is not None and value not in labels:
                raise RecordError(
                    f"line {n}: unknown {task} {value!r} (expected {', '.join(labels)})"
                )
        if all(record.get(task) is None for task in GOLD_LABELS):
            raise RecordError(f'line {n}: no gold "stance", "sentiment" or "intensity"')
        if record.get("stance") is not None and target is None:
            raise RecordError(f'line {n}: a gold "stance" needs a "target"')
    return record


def tag_records(
    records: Sequence[dict], labeler: Labeler, targets: Sequence[Target]
) -> Iterator[dict]:
    """Each record with ``lang``, ``sentiment``, ``sentiment_scores``, ``tone`` (and
    ``strength``, P(strong wording), when the model has an intensity head) and stance fields.

    With a ``target``: ``stance`` and ``stance_scores`` toward it (whether or not the text
    names it). Without: ``stances``, one {target, stance, score, evidence} per target the
    text mentions, evidence being the mention as written.
    """
    for a in range(0, len(records), BATCH):
        batch = records[a : a + BATCH]
        items = []
        found = []
        for record in batch:
            text = record["text"][:LABEL_CHARS]
            spans = target_spans(text, targets)
            found.append(spans)
            target = record.get("target")
            wanted = {target: spans.get(target, [])} if target else spans
            items.append(Item(text, wanted))
        for record, item, spans, labels in zip(
            batch, items, found, labeler.label(items), strict=True
        ):
            out = dict(record)
            out["lang"] = record.get("lang") or detect_language(item.text)
            out["sentiment"] = labels.sentiment_label
            out["sentiment_scores"] = labels.sentiment
            out["tone"] = labels.tone  # analysis.labels.tone: direction × wording strength
            if labels.strength is not None:
                out["strength"] = labels.strength
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


def truncated_texts(records: Sequence[dict], tokenizer) -> Iterator[tuple[int, int, int]]:
    """(index, characters read, characters in all) of each text the model reads in part.

    The model reads the first ``MAX_TOKENS`` tokens of ``PREFIX + text``; the characters
    read are those up to the end of the last token kept.
    """
    for a in range(0, len(records), BATCH):
        batch = records[a : a + BATCH]
        enc = tokenizer(
            [PREFIX + r["text"][:LABEL_CHARS] for r in batch],
            truncation=True,
            max_length=MAX_TOKENS,
            return_offsets_mapping=True,
        )
        for i, (record, offsets) in enumerate(zip(batch, enc["offset_mapping"], strict=True)):
            read = max(end for _, end in offsets) - len(PREFIX)
            if read < len(record["text"].rstrip()):
                yield a + i, read, len(record["text"])


def evaluate_records(
    records: Sequence[dict], labeler: Labeler, targets: Sequence[Target]
) -> dict[str, dict[str, dict]]:
    """{"stance"|"sentiment"|"intensity": {lang: metrics}} over the records that carry
    that gold label.

    Intensity (gold "mild" or "strong") is predicted "strong" when the intensity head's
    P(strong) is at least 0.5; a model without an intensity head cannot be scored on it
    (:class:`RecordError`). Each language's metrics include ``calibration``: ECE and
    accuracy per confidence decile of the predicted label's probability
    (analysis.calibration).
    """
    if labeler.heads.intensity is None and any(r.get("intensity") for r in records):
        raise RecordError(
            'gold "intensity" given, but the model has no intensity head '
            "(train one with 'mediastance train')"
        )
    rows: dict[str, list[tuple[str, str, str]]] = {task: [] for task in GOLD_LABELS}
    confidence: dict[str, list[tuple[str, float, bool]]] = {task: [] for task in GOLD_LABELS}
    for record, tagged in zip(records, tag_records(records, labeler, targets), strict=True):
        if "strength" in tagged:
            strong = tagged["strength"]
            tagged["intensity"] = "strong" if strong >= 0.5 else "mild"
            tagged["intensity_scores"] = {"mild": 1 - strong, "strong": strong}
        for task in rows:
            if record.get(task) is not None:
                pred = tagged[task]
                rows[task].append((tagged["lang"], record[task], pred))
                p = tagged[f"{task}_scores"][pred]
                confidence[task].append((tagged["lang"], p, pred == record[task]))
    report = {task: metrics_by_language(r, GOLD_LABELS[task]) for task, r in rows.items() if r}
    for task, by_lang in report.items():
        for lang, m in by_lang.items():
            picked = [(p, ok) for lg, p, ok in confidence[task] if lang in ("all", lg)]
            m["calibration"] = reliability([p for p, _ in picked], [ok for _, ok in picked])
    return report
