"""Checks on the hand-written domain seed sets (analysis/data/seed_*.jsonl).

English checks: functions named ``test_seed_en_*``. Other languages add their own functions.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parent.parent / "analysis" / "data"

EN_PATH = DATA_DIR / "seed_en.jsonl"
EN_KEYS = {"id", "text", "lang", "target", "stance", "sentiment", "split"}
EN_TARGETS = {
    "Alibaba",
    "Amazon",
    "Pinduoduo",
    "JD.com",
    "eBay",
    "Shopee",
    "IACC",
    "Michael Kors",
    "Kering",
    "SAIC",
    "USTR",
}
EN_STANCES = {"favor", "against", "none"}
EN_SENTIMENTS = {"positive", "negative", "neutral"}
EN_SPLITS = {"train", "test"}


def _load_en() -> list[dict]:
    rows = []
    with EN_PATH.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            assert line.strip(), f"blank line {lineno} in {EN_PATH.name}"
            rows.append(json.loads(line))
    return rows


@pytest.fixture(scope="module")
def en_rows() -> list[dict]:
    return _load_en()


def test_seed_en_schema_and_labels(en_rows):
    assert len(en_rows) >= 300
    for row in en_rows:
        assert set(row) == EN_KEYS, row
        assert all(isinstance(row[k], str) for k in EN_KEYS), row
        assert re.fullmatch(r"en-\d{4}", row["id"]), row["id"]
        assert row["lang"] == "en"
        assert row["target"] in EN_TARGETS, row
        assert row["stance"] in EN_STANCES, row
        assert row["sentiment"] in EN_SENTIMENTS, row
        assert row["split"] in EN_SPLITS, row
        assert row["text"] == row["text"].strip() and row["text"], row
        assert 8 <= len(row["text"].split()) <= 60, row["text"]


def test_seed_en_unique_ids_and_rows(en_rows):
    ids = [r["id"] for r in en_rows]
    assert len(ids) == len(set(ids))
    keys = [(r["text"], r["target"]) for r in en_rows]
    assert len(keys) == len(set(keys)), "same text labelled twice for the same target"


def test_seed_en_balance(en_rows):
    n = len(en_rows)
    stance = Counter(r["stance"] for r in en_rows)
    for label in EN_STANCES:
        assert 0.30 <= stance[label] / n <= 0.37, (label, stance[label], n)
    sentiment = Counter(r["sentiment"] for r in en_rows)
    for label in EN_SENTIMENTS:
        assert sentiment[label] / n >= 0.25, (label, sentiment[label], n)
    per_target = Counter(r["target"] for r in en_rows)
    for target in EN_TARGETS:
        assert per_target[target] >= 20, (target, per_target[target])
    # tone and stance are different questions: keep plenty of rows where they disagree
    disagree = sum(
        (r["stance"], r["sentiment"]) in {("favor", "negative"), ("against", "positive")}
        for r in en_rows
    )
    assert disagree >= 60


def test_seed_en_pairs_share_split(en_rows):
    by_text: dict[str, list[dict]] = defaultdict(list)
    for r in en_rows:
        by_text[r["text"]].append(r)
    pairs = {t: rs for t, rs in by_text.items() if len(rs) > 1}
    assert len(pairs) >= 50
    for text, rs in pairs.items():
        assert len({r["split"] for r in rs}) == 1, text
        assert len({r["target"] for r in rs}) == len(rs), text
        # a sentence has one tone, whichever target it is labelled for
        assert len({r["sentiment"] for r in rs}) == 1, text


def test_seed_en_split_held_out(en_rows):
    train = {r["text"] for r in en_rows if r["split"] == "train"}
    test = {r["text"] for r in en_rows if r["split"] == "test"}
    assert not train & test
    # The held-out split was drawn once (25% of the first 470 rows) and is never grown or
    # reshuffled; later rows go to train only, so the share falls as training data grows.
    n_test = sum(r["split"] == "test" for r in en_rows)
    assert n_test >= 110, n_test
    assert 0.15 <= n_test / len(en_rows) <= 0.30, n_test / len(en_rows)
    for label in EN_STANCES:
        assert any(r["split"] == "test" and r["stance"] == label for r in en_rows)
    for target in EN_TARGETS:
        assert any(r["split"] == "test" and r["target"] == target for r in en_rows), target
