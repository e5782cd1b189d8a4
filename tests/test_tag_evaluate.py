"""The `tag` and `evaluate` contracts, metrics on hand-computed examples, bad-line errors."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from click.testing import CliRunner

from analysis.evaluation import (
    classification_metrics,
    format_report,
    macro_f1_interval,
    metrics_by_language,
)
from analysis.labels import Labeler, tone
from analysis.tagging import RecordError, evaluate_records, read_records, tag_records
from mediastance.cli import cli
from mediastance.core.config import load_config

TARGETS = load_config().targets


@pytest.fixture(scope="module")
def labeler():
    """The real builtin encoder with the committed heads (cache: $MEDIASTANCE_CACHE)."""
    from analysis.labels import load_labeler

    return load_labeler(load_config())


def test_metrics_on_a_hand_computed_example():
    gold = ["favor", "favor", "against", "against", "none", "none"]
    pred = ["favor", "against", "against", "against", "favor", "none"]
    m = classification_metrics(gold, pred, ["favor", "against", "none"])
    # favor: P 1/2 R 1/2 F1 1/2; against: P 2/3 R 1 F1 4/5; none: P 1 R 1/2 F1 2/3
    assert m["macro_f1"] == pytest.approx((1 / 2 + 4 / 5 + 2 / 3) / 3)
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert m["labels"] == ["favor", "against", "none"]
    assert m["n"] == 6


def test_macro_f1_skips_labels_absent_from_gold_and_predictions():
    m = classification_metrics(
        ["positive", "negative"], ["positive", "positive"], ["positive", "negative", "neutral"]
    )
    # positive: P 1/2 R 1 F1 2/3; negative: F1 0; neutral never seen: not averaged
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)
    assert m["confusion"] == [[1, 0, 0], [1, 0, 0], [0, 0, 0]]


def test_the_bootstrap_interval_of_macro_f1_brackets_it_and_narrows_with_more_rows():
    labels = ("favor", "against", "none")
    gold = ["favor", "against", "none"] * 20
    pred = ["favor", "against", "favor"] * 20  # every none read as favor
    point = classification_metrics(gold, pred, labels)["macro_f1"]
    low, high = macro_f1_interval(gold, pred, labels)
    assert low < point < high
    assert (low, high) == macro_f1_interval(gold, pred, labels)  # fixed seed
    low10, high10 = macro_f1_interval(gold * 10, pred * 10, labels)
    assert high10 - low10 < (high - low) / 2
    assert macro_f1_interval(gold, gold, labels) == (1.0, 1.0)


def test_metrics_by_language_adds_all_when_several():
    rows = [("en", "none", "none"), ("zh", "favor", "none")]
    report = metrics_by_language(rows, ["favor", "against", "none"])
    assert list(report) == ["en", "zh", "all"]
    assert report["en"]["accuracy"] == 1.0
    assert report["all"]["accuracy"] == 0.5
    text = format_report({"stance": report})
    assert text.splitlines()[0] == "stance\ten\tn=1\taccuracy=1.000\tmacro_f1=1.000"


@pytest.mark.parametrize(
    ("line", "gold", "message"),
    [
        (
            "{not json",
            False,
            "line 2: not valid JSON (Expecting property name enclosed in double quotes)",
        ),
        ('["a list"]', False, "line 2: expected a JSON object"),
        ('{"id": 2}', False, 'line 2: missing "text" (a non-empty string)'),
        ('{"id": 2, "text": "  "}', False, 'line 2: missing "text" (a non-empty string)'),
        (
            '{"id": 2, "text": "x", "target": "Etsy"}',
            False,
            "line 2: unknown target 'Etsy' (configured: Alibaba, Amazon, Pinduoduo, JD.com, "
            "eBay, Shopee, IACC, Michael Kors, Kering, SAIC, USTR)",
        ),
        ('{"id": 2, "text": "x"}', True, 'line 2: no gold "stance", "sentiment" or "intensity"'),
        (
            '{"id": 2, "text": "x", "sentiment": "happy"}',
            True,
            "line 2: unknown sentiment 'happy' (expected positive, negative, neutral)",
        ),
        (
            '{"id": 2, "text": "x", "stance": "favor"}',
            True,
            'line 2: a gold "stance" needs a "target"',
        ),
    ],
)
def test_bad_lines_name_their_line(tmp_path, line, gold, message):
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"id": 1, "text": "Alibaba sues sellers.", "sentiment": "neutral"}\n' + line + "\n",
        encoding="utf-8",
    )
    with pytest.raises(RecordError) as exc:
        read_records(path, TARGETS, gold=gold)
    assert str(exc.value) == message


def test_blank_lines_are_skipped_and_bom_tolerated(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes('\ufeff{"id": 1, "text": "a"}\n\n{"id": 2, "text": "b"}\n'.encode())
    assert [r["id"] for r in read_records(path, TARGETS)] == [1, 2]


@pytest.mark.parametrize("command", ["tag", "evaluate"])
def test_cli_bad_line_exits_2_before_loading_the_model(tmp_path, command):
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"id": 1, "text": "ok", "sentiment": "neutral"}\n{"id": 2}\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, [command, "--input", str(path)])
    assert result.exit_code == 2
    assert f'Error: {path}: line 2: missing "text" (a non-empty string)' in result.output


def test_cli_missing_input_file(tmp_path):
    result = CliRunner().invoke(cli, ["tag", "--input", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl: cannot read (No such file or directory)" in result.output


# ----------------------------------------------------------------- with the real model


@pytest.mark.slow
def test_tag_records_contract(labeler):
    records = [
        {
            "id": "a",
            "text": "Alibaba hit back at the IACC, calling its decision unfair.",
            "target": "IACC",
        },
        {"id": "b", "text": "阿里巴巴回应称，国际反假冒联盟被个别成员的私利绑架。", "extra": 1},
        {"id": "c", "text": "The weather was mild on Tuesday.", "lang": "en"},
    ]
    out = list(tag_records(records, labeler, TARGETS))
    a, b, c = out
    assert a["id"] == "a" and a["target"] == "IACC" and a["lang"] == "en"
    assert set(a["sentiment_scores"]) == {"positive", "negative", "neutral"}
    assert a["sentiment"] == max(a["sentiment_scores"], key=a["sentiment_scores"].get)
    assert set(a["stance_scores"]) == {"favor", "against", "none"}
    assert a["stance"] == max(a["stance_scores"], key=a["stance_scores"].get)
    assert sum(a["stance_scores"].values()) == pytest.approx(1, abs=1e-3)
    assert "stances" not in a
    assert b["extra"] == 1 and b["lang"] == "zh"
    assert [s["target"] for s in b["stances"]] == ["Alibaba", "IACC"]
    assert [s["evidence"] for s in b["stances"]] == ["阿里巴巴", "国际反假冒联盟"]
    for s in b["stances"]:
        assert s["stance"] in ("favor", "against", "none") and 0 < s["score"] <= 1
    assert c["stances"] == [] and c["lang"] == "en"
    # Tone: the direction scaled by how strong the wording is (analysis.labels.tone).
    for t in out:
        assert 0 <= t["strength"] <= 1
        assert t["tone"] == tone(t["sentiment_scores"], t["strength"])


def test_evaluate_scores_intensity_and_refuses_it_without_an_intensity_head(labeler):
    """Gold "intensity" is scored like the other tasks (strong when P(strong) >= 0.5); a
    model without an intensity head says so instead of scoring nothing."""
    records = [
        {"id": 1, "text": "We are somewhat disappointed by the ruling.", "intensity": "mild"},
        {
            "id": 2,
            "text": "阿里巴巴称这一指控是彻头彻尾的恶意抹黑，无耻至极！",
            "intensity": "strong",
        },
    ]
    report = evaluate_records(records, labeler, TARGETS)
    assert set(report) == {"intensity"}
    assert report["intensity"]["all"]["n"] == 2
    assert report["intensity"]["all"]["labels"] == ["mild", "strong"]
    assert "ece" in report["intensity"]["all"]["calibration"]
    without = Labeler(labeler.encoder, dataclasses.replace(labeler.heads, intensity=None))
    with pytest.raises(RecordError, match="no intensity head"):
        evaluate_records(records, without, TARGETS)


@pytest.mark.slow
def test_cli_tag_and_evaluate(tmp_path, labeler, monkeypatch):
    import analysis.labels

    monkeypatch.setattr(analysis.labels, "load_labeler", lambda *a, **k: labeler)
    rows = [
        {
            "id": 1,
            "text": "Amazon praised for its swift removal of counterfeit listings.",
            "target": "Amazon",
            "stance": "favor",
            "sentiment": "positive",
        },  # fmt: skip
        {
            "id": 2,
            "text": "拼多多因售假被监管部门约谈。",
            "target": "Pinduoduo",
            "stance": "against",
            "sentiment": "negative",
        },  # fmt: skip
    ]
    path = tmp_path / "in.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["tag", "--input", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    tagged = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [t["id"] for t in tagged] == [1, 2]
    assert all(
        {"sentiment", "sentiment_scores", "stance", "stance_scores", "lang"} <= set(t)
        for t in tagged
    )
    result = CliRunner().invoke(cli, ["evaluate", "--input", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"stance", "sentiment"}
    assert set(report["stance"]) == {"en", "zh", "all"}
    assert report["stance"]["en"]["n"] == 1
    assert report["stance"]["all"]["labels"] == ["favor", "against", "none"]
    result = CliRunner().invoke(cli, ["evaluate", "--input", str(path)])
    assert result.stdout.startswith("stance\ten\tn=1\taccuracy=")


@pytest.mark.slow
def test_cli_tag_notes_a_text_longer_than_the_model_reads(tmp_path, labeler, monkeypatch):
    import analysis.labels

    monkeypatch.setattr(analysis.labels, "load_labeler", lambda *a, **k: labeler)
    long_text = "Alibaba removed counterfeit listings after brands complained. " * 33_000
    assert len(long_text) > 2_000_000
    rows = [
        {"id": 1, "text": "淘宝下架假货。", "target": "淘宝"},
        {"id": 2, "text": long_text, "target": "alibaba"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["tag", "--input", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if "truncated" in line]
    assert len(notices) == 1
    m = re.fullmatch(
        rf"{re.escape(str(path))}: line 2: text truncated: labeled from its first ([\d,]+) "
        r"of 2,046,000 characters \(the model reads 256 tokens\)",
        notices[0],
    )
    assert m, notices
    assert 800 < int(m.group(1).replace(",", "")) < 2_000  # 256 tokens of English
    tagged = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(t["id"], t["target"]) for t in tagged] == [(1, "Alibaba"), (2, "Alibaba")]
    assert tagged[1]["text"] == long_text  # the output keeps the whole text
