"""Public labeled sets: loaders on recorded rows in each set's real format, dev/test
carving, and fetching the pinned archive (served by httpx.MockTransport, never the network)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import tarfile
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from analysis.external_data import (
    ENV_VAR,
    SOURCES,
    carve,
    ensure_external,
    load_chnsenticorp,
    load_dimabsa,
    load_external,
    load_newsmtsc,
    load_nlpcc2016,
    load_semeval2016,
    read_newsmtsc_jsonl,
)
from analysis.training_data import STANCE_LABELS, Example, TrainingDataError

FIXTURES = Path(__file__).parent / "fixtures" / "external"


@pytest.fixture(autouse=True)
def _no_external_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def ids(rows: list[Example]) -> list[str]:
    return [r.id for r in rows]


# --------------------------------------------------------------------------- NewsMTSC


def test_newsmtsc_rows_are_stance_toward_each_mention_with_its_span():
    splits = load_newsmtsc(FIXTURES / "newsmtsc")
    text = "Senator Maple praised the harbour plan, while Governor Birch called it a costly stunt."
    assert splits["train"][:2] == [
        Example(text, "en", "against", "newsmtsc", "Governor Birch",
                "newsmtsc:fixture_1_1_Governor Birch_46_60", (46, 60)),
        Example(text, "en", "favor", "newsmtsc", "Senator Maple",
                "newsmtsc:fixture_1_1_Senator Maple_0_13", (0, 13)),
    ]  # fmt: skip
    for rows in splits.values():
        for row in rows:
            assert row.text[row.span[0] : row.span[1]] == row.target
            assert row.label in STANCE_LABELS


def test_newsmtsc_polarity_maps_2_4_6_to_against_none_favor():
    splits = load_newsmtsc(FIXTURES / "newsmtsc")
    labels = {(r.target, r.label) for rows in splits.values() for r in rows}
    assert {("Governor Birch", "against"), ("Judge Alder", "none"), ("Senator Maple", "favor")} <= labels  # fmt: skip


def test_newsmtsc_dev_and_test_join_rw_and_mt_and_nothing_leaks():
    splits = load_newsmtsc(FIXTURES / "newsmtsc")
    assert {r.target for r in splits["dev"]} == {"Director Elm", "Coach Hazel", "Captain Ash"}
    assert {r.target for r in splits["test"]} == {"Ms. Cedar", "Dr. Willow", "Professor Oak"}
    # "Ms. Cedar thanked …" is in train.jsonl too; the test copy wins.
    assert "Ms. Cedar" not in {r.target for r in splits["train"]}
    # The Mayor Rowan row is listed twice in train.jsonl: kept once.
    assert [r.target for r in splits["train"]].count("Mayor Rowan") == 1
    texts = {split: {r.text for r in rows} for split, rows in splits.items()}
    assert not texts["train"] & texts["test"] and not texts["dev"] & texts["test"]
    assert not texts["train"] & texts["dev"]


def test_newsmtsc_span_that_does_not_match_its_mention_is_an_error(tmp_path):
    bad = {"sentence_normalized": "Mr. Pine spoke.", "primary_gid": "g",
           "targets": [{"Input.gid": "g", "from": 1, "to": 8, "mention": "Mr. Pine", "polarity": 4.0}]}  # fmt: skip
    path = tmp_path / "train.jsonl"
    path.write_text("\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"train.jsonl: line 2: span 1:8"):
        read_newsmtsc_jsonl(path)


# --------------------------------------------------------------------------- NLPCC 2016


def test_nlpcc_reads_utf8_train_and_gbk_gold_test():
    splits = load_nlpcc2016(FIXTURES / "nlpcc2016")
    assert splits["test"] == [
        Example("不放鞭炮的春节少了年味。", "zh", "favor", "nlpcc2016", "春节放鞭炮", "nlpcc2016:test:1"),
        Example("小屏手机已经过时了。", "zh", "against", "nlpcc2016", "iPhone SE", "nlpcc2016:test:2"),
        Example("国家卫计委解读二胎政策。", "zh", "none", "nlpcc2016", "开放二胎", "nlpcc2016:test:3"),
    ]  # fmt: skip
    train_dev = splits["train"] + splits["dev"]
    assert Example("过年就该放鞭炮，热闹！（1）", "zh", "favor", "nlpcc2016", "春节放鞭炮",
                   "nlpcc2016:train:1") in train_dev  # fmt: skip
    # 24 labeled rows; the row with an empty STANCE is skipped, not guessed.
    assert len(train_dev) == 24
    assert "深圳禁摩限电" not in {r.target for r in train_dev}


def test_nlpcc_dev_is_carved_from_train_per_target_and_label():
    splits = load_nlpcc2016(FIXTURES / "nlpcc2016")
    # 2 targets x 3 labels x 4 rows: one row of each (target, label) goes to dev.
    assert len(splits["dev"]) == 6
    assert {(r.target, r.label) for r in splits["dev"]} == {
        (t, label) for t in ("春节放鞭炮", "IphoneSE") for label in ("favor", "against", "none")
    }
    assert not set(ids(splits["dev"])) & set(ids(splits["train"]))
    assert load_nlpcc2016(FIXTURES / "nlpcc2016") == splits
    assert ids(load_nlpcc2016(FIXTURES / "nlpcc2016", seed=14)["dev"]) != ids(splits["dev"])


def test_nlpcc_unknown_stance_is_an_error(tmp_path):
    root = tmp_path / "nlpcc2016"
    shutil.copytree(FIXTURES / "nlpcc2016", root)
    path = root / "data/evasampledata4-TaskAA.txt"
    path.write_text("ID\tTARGET\tTEXT\tSTANCE\n1\t开放二胎\t好事\tMAYBE\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="line 2: unknown stance 'MAYBE'"):
        load_nlpcc2016(root)


# --------------------------------------------------------------------------- SemEval 2016


def test_semeval_official_splits_cp1252_and_semst_removed():
    splits = load_semeval2016(FIXTURES / "semeval2016")
    assert splits["train"] == [
        Example("Faith keeps me going every single day \u2018amen\u2019", "en", "against",
                "semeval2016", "Atheism", "semeval2016:101"),
        Example("Ready for Hillary in 2016!", "en", "favor", "semeval2016", "Hillary Clinton",
                "semeval2016:102"),
        Example("Watching the debate tonight", "en", "none", "semeval2016", "Feminist Movement",
                "semeval2016:103"),
    ]  # fmt: skip
    assert splits["dev"] == [
        Example("Every life deserves protection.", "en", "against", "semeval2016",
                "Legalization of Abortion", "semeval2016:1"),
    ]  # fmt: skip
    # Task A and task B (Donald Trump, no training data in the shared task) are test.
    assert [(r.target, r.text) for r in splits["test"]] == [
        ("Climate Change is a Real Concern", "We need action on emissions now"),
        ("Donald Trump", "Rally in town tomorrow"),
    ]


def test_semeval_sentiment_annotation_on_request():
    splits = load_semeval2016(FIXTURES / "semeval2016", task="sentiment")
    assert [(r.label, r.target) for r in splits["train"]] == [
        ("positive", None), ("positive", None), ("neutral", None)
    ]  # fmt: skip
    assert [r.label for r in splits["test"]] == ["negative", "neutral"]
    with pytest.raises(TrainingDataError, match="stance or sentiment"):
        load_semeval2016(FIXTURES / "semeval2016", task="emotion")


# --------------------------------------------------------------------------- ChnSentiCorp


def test_chnsenticorp_labels_duplicates_and_carved_splits():
    splits = load_chnsenticorp(FIXTURES / "chnsenticorp")
    rows = [r for split in splits.values() for r in split]
    assert Example("隔音太差,一晚上没睡好,第1次来了。", "zh", "negative", "chnsenticorp",
                   id="chnsenticorp:00011") in rows  # fmt: skip
    assert Example("房间干净，服务周到，第1次入住依然满意。", "zh", "positive", "chnsenticorp",
                   id="chnsenticorp:00001") in rows  # fmt: skip
    # 15 distinct reviews + "早餐丰富。" once; "位置一般。" has both labels and is dropped.
    assert len(rows) == 16
    assert [r.text for r in rows].count("早餐丰富。") == 1
    assert "位置一般。" not in {r.text for r in rows}
    # Test, then dev: one of each label each (11 positive, 5 negative), disjoint.
    for split in ("dev", "test"):
        assert sorted(r.label for r in splits[split]) == ["negative", "positive"]
    assert len({r.id for r in rows}) == 16
    assert load_chnsenticorp(FIXTURES / "chnsenticorp") == splits


def test_dimabsa_sentence_intensity_from_opinion_valence():
    splits = load_dimabsa(FIXTURES / "dimabsa")
    label = {r.text: (split, r.label) for split, rows in splits.items() for r in rows}
    # Mean (valence − 5) of the sentence's opinions, in vader's bands: 0.75–2.0 mild, ≥ 2.8
    # strong; near neutral, the 2.0–2.8 band and opinions on both sides are dropped.
    assert label["肉粿沒有很焦脆。"] == ("train", "mild")  # -1.0
    assert label["很夠味起司也很香。"] == ("train", "mild")  # 1.58
    assert next(v for t, v in label.items() if t.startswith("雖然僅品嚐")) == (
        "test",
        "strong",
    )  # 2.83
    for dropped in (
        "這款沙拉真是我的愛。",  # 2.5: between the bands
        "一堆筆電的螢幕爛到爆。",  # -2.3: between the bands
        "口感有點微妙。",  # -0.25: near neutral
        "雖然這項的價格較貴一些，但叉燒也多了幾片。",  # opinions on both sides
    ):
        assert dropped not in label
    # A test sentence repeated in a train file stays in test only.
    apple = next(t for t in label if t.startswith("法式蘋果派第一口"))
    assert label[apple] == ("test", "mild")
    assert sum(r.text == apple for rows in splits.values() for r in rows) == 1
    assert all(r.lang == "zh" and r.source == "dimabsa" for rows in splits.values() for r in rows)
    assert [len(splits[s]) for s in ("train", "dev", "test")] == [3, 3, 4]


# --------------------------------------------------------------------------- carving


def test_carve_is_stratified_and_independent_of_row_order():
    rows = [Example(f"t{i}", "en", label, "x", target, f"x:{target}:{label}:{i:03}")
            for target in ("A", "B") for label in ("favor", "against") for i in range(20)]  # fmt: skip
    kept, carved = carve(rows, 0.25, seed=5)
    assert len(carved) == 20 and len(kept) == 60
    assert {(r.target, r.label) for r in carved} == {(t, lab) for t in "AB" for lab in ("favor", "against")}  # fmt: skip
    assert sum(1 for r in carved if (r.target, r.label) == ("A", "favor")) == 5
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    assert carve(shuffled, 0.25, seed=5) == (kept, carved)
    assert carve(rows, 0.25, seed=6)[1] != carved
    assert carve(rows, 0.25, seed=5, salt="other")[1] != carved


# --------------------------------------------------------------------------- fetching


def _archive(source, root: Path, extra: dict[str, bytes] | None = None) -> bytes:
    """A codeload-style tar.gz: every file under ``<repo>-<commit>/``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        files = {p: (root / p).read_bytes() for p in source.files}
        files.update(extra or {})
        for path, data in files.items():
            info = tarfile.TarInfo(f"{source.archive_folder}/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _fixture_source(monkeypatch, name: str):
    """The pinned source, its hashes taken from the fixture files instead of the real set."""
    root = FIXTURES / name
    pinned = replace(
        SOURCES[name],
        files={p: hashlib.sha256((root / p).read_bytes()).hexdigest() for p in SOURCES[name].files},
    )
    monkeypatch.setitem(SOURCES, name, pinned)
    return pinned


def test_download_unpacks_only_pinned_files(monkeypatch, tmp_path):
    source = _fixture_source(monkeypatch, "semeval2016")
    body = _archive(source, FIXTURES / "semeval2016",
                    {"data/unlisted.txt": b"x", "../escape.txt": b"x"})  # fmt: skip
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=body)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    splits = load_external("semeval2016", cache_dir=tmp_path, client=client)
    assert seen == [f"https://codeload.github.com/BinLiang-NLP/TPDG/tar.gz/{source.commit}"]
    assert splits == load_semeval2016(FIXTURES / "semeval2016")
    folder = tmp_path / "external" / "semeval2016"
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert written == sorted([*source.files, "SOURCE.json"])
    assert json.loads((folder / "SOURCE.json").read_text())["commit"] == source.commit
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(p.name for p in (tmp_path / "external").iterdir()) == ["semeval2016"]
    # Present now: no second download.
    assert ensure_external("semeval2016", tmp_path, client=client) == folder
    assert len(seen) == 1


def test_no_network_gives_one_line_saying_what_to_do(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(TrainingDataError) as info:
        ensure_external("newsmtsc", tmp_path, client=client)
    message = str(info.value)
    assert "\n" not in message
    assert SOURCES["newsmtsc"].url in message
    assert str(tmp_path / "external") in message and ENV_VAR in message
    assert "Temporary failure in name resolution" in message
    assert list((tmp_path / "external").iterdir()) == []


def test_http_error_and_hash_mismatch_leave_nothing_behind(monkeypatch, tmp_path):
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(404)))
    with pytest.raises(TrainingDataError, match="404"):
        ensure_external("nlpcc2016", tmp_path, client=client)
    # The real pinned hashes against the invented fixture rows: refused.
    body = _archive(SOURCES["nlpcc2016"], FIXTURES / "nlpcc2016")
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body))
    )
    with pytest.raises(
        TrainingDataError,
        match=r"nlpcc2016: \S+ in https://codeload\S+ has sha256 \w+, pinned \w+$",
    ):
        ensure_external("nlpcc2016", tmp_path, client=client)
    assert list((tmp_path / "external").iterdir()) == []


def test_archive_missing_a_pinned_file_is_refused(monkeypatch, tmp_path):
    source = _fixture_source(monkeypatch, "chnsenticorp")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = (FIXTURES / "chnsenticorp/README.md").read_bytes()
        info = tarfile.TarInfo(f"{source.archive_folder}/README.md")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    body = buf.getvalue()
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body))
    )
    with pytest.raises(TrainingDataError, match="has no file datasets/ChnSentiCorp_htl_all/"):
        ensure_external("chnsenticorp", tmp_path, client=client)
    assert list((tmp_path / "external").iterdir()) == []


def test_found_on_disk_by_name_or_by_archive_folder_without_network(monkeypatch, tmp_path):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no download expected")

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    shutil.copytree(FIXTURES / "chnsenticorp", tmp_path / "cache/external/chnsenticorp")
    found = ensure_external("chnsenticorp", tmp_path / "cache", client=client)
    assert found == tmp_path / "cache/external/chnsenticorp"
    # $MEDIASTANCE_EXTERNAL_DATA holding the archive unpacked as-is.
    source = SOURCES["newsmtsc"]
    shutil.copytree(FIXTURES / "newsmtsc", tmp_path / "sets" / source.archive_folder)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "sets"))
    found = ensure_external("newsmtsc", tmp_path / "cache", client=client)
    assert found == tmp_path / "sets" / source.archive_folder
    assert load_newsmtsc(found) == load_newsmtsc(FIXTURES / "newsmtsc")


def test_unknown_set_name_lists_the_known_ones(tmp_path):
    with pytest.raises(TrainingDataError, match="known: newsmtsc, nlpcc2016, semeval2016, chnsenticorp"):  # fmt: skip
        ensure_external("imdb", tmp_path)
