"""Checks for the Chinese domain seed set (analysis/data/seed_zh.jsonl).

See analysis/data/SEED_CARD_ZH.md for provenance and label definitions.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

SEED_PATH = Path(__file__).resolve().parents[1] / "analysis" / "data" / "seed_zh.jsonl"

FIELDS = {"id", "text", "lang", "target", "stance", "sentiment", "split"}
TARGETS = {
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
STANCES = {"favor", "against", "none"}
SENTIMENTS = {"positive", "negative", "neutral"}
SPLITS = {"train", "dev", "test"}
HAN = re.compile(r"[\u4e00-\u9fff]")
# Characters that only occur in Traditional script (their Simplified forms differ).
TRADITIONAL_ONLY = set(
    "們這說與國個對來時為發會經過還關將應據實賣買貨購網灣聯際亞遜寶蝦開雲馳貿辦報導聲稱認權護產業區體標證審"
)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with SEED_PATH.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_file_is_utf8_jsonl_without_escapes():
    raw = SEED_PATH.read_bytes()
    text = raw.decode("utf-8")
    assert "\\u" not in text, "write with ensure_ascii=False"
    assert not text.startswith("\ufeff")


def test_schema_and_labels(rows):
    for row in rows:
        assert set(row) == FIELDS, row
        assert all(isinstance(row[k], str) for k in FIELDS), row
        assert row["lang"] == "zh"
        assert row["target"] in TARGETS, row
        assert row["stance"] in STANCES, row
        assert row["sentiment"] in SENTIMENTS, row
        assert row["split"] in SPLITS, row
        assert row["text"] == row["text"].strip() and row["text"]


def test_ids_unique_and_well_formed(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"zh-\d{4}", i) for i in ids)


def test_size(rows):
    assert len(rows) >= 300


def test_every_text_has_han_characters(rows):
    for row in rows:
        assert HAN.search(row["text"]), row


def test_text_length_range(rows):
    for row in rows:
        n = len(row["text"])
        assert 10 <= n <= 80, (n, row["text"])


def test_stance_balance(rows):
    counts = Counter(r["stance"] for r in rows)
    for label in STANCES:
        share = counts[label] / len(rows)
        assert 0.30 <= share <= 0.37, (label, share)


def test_sentiment_balance(rows):
    counts = Counter(r["sentiment"] for r in rows)
    for label in SENTIMENTS:
        assert counts[label] / len(rows) >= 0.25, (label, counts)


def test_every_target_covered(rows):
    counts = Counter(r["target"] for r in rows)
    assert set(counts) == TARGETS
    for target in TARGETS:
        assert counts[target] >= 20, (target, counts[target])


def test_tone_and_stance_disagree_often(rows):
    crossed = [
        r
        for r in rows
        if (r["stance"], r["sentiment"]) in {("favor", "negative"), ("against", "positive")}
    ]
    assert len(crossed) >= 60


def test_two_target_texts(rows):
    by_text: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_text[row["text"]].append(row)
    multi = {t: rs for t, rs in by_text.items() if len(rs) > 1}
    assert len(multi) >= 50
    for text, group in multi.items():
        targets = [r["target"] for r in group]
        assert len(targets) == len(set(targets)), text
        # one text has one overall tone
        assert len({r["sentiment"] for r in group}) == 1, text


def test_pairs_share_split_and_no_text_in_both_splits(rows):
    splits_by_text: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        splits_by_text[row["text"]].add(row["split"])
    leaked = [t for t, s in splits_by_text.items() if len(s) > 1]
    assert not leaked, leaked


def test_split_share_and_stratification(rows):
    test_rows = [r for r in rows if r["split"] == "test"]
    assert 0.20 <= len(test_rows) / len(rows) <= 0.30
    total = Counter((r["target"], r["stance"]) for r in rows)
    held = Counter((r["target"], r["stance"]) for r in test_rows)
    for cell, n in total.items():
        if n >= 4:
            assert held[cell] >= 1, cell


def _bigrams(text: str) -> set[str]:
    core = re.sub(r"[\W_]", "", text)
    return {core[i : i + 2] for i in range(len(core) - 1)}


def test_no_near_duplicate_across_splits(rows):
    train = {r["text"] for r in rows if r["split"] == "train"}
    test = {r["text"] for r in rows if r["split"] == "test"}
    train_grams = [_bigrams(t) for t in train]
    for text in test:
        grams = _bigrams(text)
        for other in train_grams:
            jaccard = len(grams & other) / max(1, len(grams | other))
            assert jaccard < 0.5, text


def test_traditional_script_present(rows):
    trad = {r["text"] for r in rows if TRADITIONAL_ONLY & set(r["text"])}
    assert len(trad) >= 30


def test_dev_split(rows):
    # dev was drawn (issue 14) from the former train texts: about 15% of them, seed 13
    n_dev = sum(r["split"] == "dev" for r in rows)
    n_train = sum(r["split"] == "train" for r in rows)
    assert 0.10 <= n_dev / (n_dev + n_train) <= 0.20, (n_dev, n_train)
    for label in STANCES:
        assert any(r["split"] == "dev" and r["stance"] == label for r in rows), label
    for label in SENTIMENTS:
        assert any(r["split"] == "dev" and r["sentiment"] == label for r in rows), label


def test_relabel_log_matches_data(rows):
    """Every zh change in seed_relabel_log.tsv is present in the file."""
    log = SEED_PATH.parent / "seed_relabel_log.tsv"
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["id", "field", "old", "new", "reason"]
    changes = [line.split("\t") for line in lines[1:] if line.startswith("zh-")]
    assert changes
    by_id = {r["id"]: r for r in rows}
    for rid, field, old, new, reason in changes:
        assert field in {"stance", "sentiment"} and old != new and reason.strip(), rid
        assert by_id[rid][field] == new, (rid, field, by_id[rid][field], new)


def test_convention_examples(rows):
    """The labelling convention (HARD_ROWS.md, issue 14): a reported listing, summons or
    suspension is against its target even in flat wording; the lister itself is none."""
    listing = "美国贸易代表办公室发布年度恶名市场名单，拼多多首次被列入其中。"
    summons = "市场监管部门表示，已就媒体反映的问题约谈拼多多相关负责人。"
    suspension = "国际反假冒联盟宣布暂停阿里巴巴的会员资格，此时距其入会仅约一个月。"
    expected = {
        (listing, "Pinduoduo"): "against",
        (listing, "USTR"): "none",
        (summons, "Pinduoduo"): "against",
        (suspension, "Alibaba"): "against",
        (suspension, "IACC"): "none",
    }
    found = {(r["text"], r["target"]): r for r in rows}
    for key, stance in expected.items():
        assert found[key]["stance"] == stance, key
        assert found[key]["sentiment"] == "neutral", key
