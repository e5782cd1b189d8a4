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
EN_SPLITS = {"train", "dev", "test"}


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
    texts = {s: {r["text"] for r in en_rows if r["split"] == s} for s in EN_SPLITS}
    assert not texts["train"] & texts["test"]
    assert not texts["dev"] & (texts["train"] | texts["test"])
    # The held-out split was drawn once (25% of the first 470 rows) and is never grown or
    # reshuffled; later rows go to train only, so the share falls as training data grows.
    n_test = sum(r["split"] == "test" for r in en_rows)
    assert n_test >= 110, n_test
    assert 0.15 <= n_test / len(en_rows) <= 0.30, n_test / len(en_rows)
    for label in EN_STANCES:
        assert any(r["split"] == "test" and r["stance"] == label for r in en_rows)
    for target in EN_TARGETS:
        assert any(r["split"] == "test" and r["target"] == target for r in en_rows), target


def test_seed_en_dev_split(en_rows):
    # dev was drawn (issue 14) from the former train texts: about 15% of them, seed 13
    n_dev = sum(r["split"] == "dev" for r in en_rows)
    n_train = sum(r["split"] == "train" for r in en_rows)
    assert 0.10 <= n_dev / (n_dev + n_train) <= 0.20, (n_dev, n_train)
    for label in EN_STANCES:
        assert any(r["split"] == "dev" and r["stance"] == label for r in en_rows), label
    for label in EN_SENTIMENTS:
        assert any(r["split"] == "dev" and r["sentiment"] == label for r in en_rows), label


RELABEL_LOG = DATA_DIR / "seed_relabel_log.tsv"


def test_seed_en_relabel_log_matches_data(en_rows):
    """Every change in seed_relabel_log.tsv is present in the file, and the log is tidy."""
    by_id = {r["id"]: r for r in en_rows}
    lines = RELABEL_LOG.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["id", "field", "old", "new", "reason"]
    changes = [line.split("\t") for line in lines[1:]]
    assert all(len(c) == 5 and c[4].strip() for c in changes), changes
    assert len({(c[0], c[1]) for c in changes}) == len(changes), "a change logged twice"
    en_changes = [c for c in changes if c[0].startswith("en-")]
    assert en_changes
    for rid, field, old, new, _ in en_changes:
        assert field in {"stance", "sentiment"} and old != new, rid
        assert by_id[rid][field] == new, (rid, field, by_id[rid][field], new)


def test_seed_en_convention_examples(en_rows):
    """The labelling convention's own examples (HARD_ROWS.md, issue 14) hold in the data:
    a reported suspension, listing or summons is against its target, in flat wording."""
    expected = {
        ("en-0002", "Alibaba"): ("against", "neutral"),  # IACC suspended Alibaba's membership
        ("en-0042", "Alibaba"): ("against", "neutral"),  # USTR put Taobao back on its list
        ("en-0062", "Pinduoduo"): ("against", "neutral"),  # named to the list
        ("en-0633", "Alibaba"): ("against", "neutral"),  # Jack Ma summoned by the SAIC
        ("en-0182", "Pinduoduo"): ("none", "neutral"),  # declined to comment
    }
    by_id = {r["id"]: r for r in en_rows}
    for (rid, target), labels in expected.items():
        row = by_id[rid]
        assert row["target"] == target, rid
        assert (row["stance"], row["sentiment"]) == labels, (rid, row["text"])
