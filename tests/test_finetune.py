"""The tuned encoder: LoRA fine-tuning, the merged adapter at load, calibration, and the
article-level rows that must agree with their own probabilities."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.calibration import ece_floor, fit_temperature, reliability
from analysis.classifier import ADAPTER, Heads, HeadsError
from analysis.encoder import Encoder, EncoderError
from analysis.finetune import SCALE, TuneSettings, _pool, embed, fine_tune, task_data
from analysis.labels import Item, ItemLabels, Labeler
from analysis.mention_embedding import encode_with_mentions, marked, unmarked
from analysis.pipeline import aggregate_stance
from analysis.training import README_END, README_START, metrics_table
from analysis.training_data import Example

ROOT = Path(__file__).parent.parent

# A toy task the untuned tiny encoder cannot read off a linear head well: the label
# depends on the word *after* the target (word order), which mean pooling blurs.
STANCE = [
    ("alibaba: the 【alibaba】 sold fake bag", "against"),
    ("taobao: the 【taobao】 sold fake bag", "against"),
    ("alibaba: the brand said 【alibaba】 sold the fake", "against"),
    ("alibaba: the 【alibaba】 brand said fake", "favor"),
    ("taobao: the 【taobao】 brand said fake", "favor"),
    ("alibaba: the brand sold fake on 【alibaba】", "none"),
    ("taobao: a brand sold fake on 【taobao】", "none"),
]
SENTIMENT = [
    ("the fake bag sold on the platform", "negative"),
    ("the brand said the bag", "neutral"),
    ("alibaba said the brand", "positive"),
]


def _rows(pairs, task):
    return [Example(text, "en", label, "seed", "Alibaba" if task == "stance" else None, f"r{i}")
            for i, (text, label) in enumerate(pairs)]  # fmt: skip


@pytest.fixture
def tiny(tiny_model_dir: Path) -> Encoder:
    return Encoder.load(str(tiny_model_dir))


def _train(tiny: Encoder, epochs: int = 30):
    train = {
        task: task_data([t for t, _ in pairs], _rows(pairs, task), task, lambda r: 1.0)
        for task, pairs in (("stance", STANCE), ("sentiment", SENTIMENT))
    }
    dev = {
        "stance": {"seed_en": ([t for t, _ in STANCE], [y for _, y in STANCE])},
        "sentiment": {"seed_en": ([t for t, _ in SENTIMENT], [y for _, y in SENTIMENT])},
    }
    settings = TuneSettings(epochs=epochs, first_layer=0, batch_size=4, lr=1e-2, head_lr=5e-2,
                            rank=4, alpha=8, dropout=0.0, max_length=32)  # fmt: skip
    return fine_tune(tiny, train, dev, settings=settings, seed=1)


@pytest.mark.slow
def test_fine_tuning_fits_the_task_and_the_merged_adapter_gives_the_same_labels(tiny, tmp_path):
    before = tiny.encode([t for t, _ in STANCE])
    dropouts = [m.p for m in tiny.model.modules() if type(m).__name__ == "Dropout"]
    tuned = _train(tiny)
    assert tuned.history[-1]["dev"]["stance:seed_en"] == 1.0, tuned.history
    assert tuned.best_epoch == max(tuned.history, key=lambda h: h["dev_mean"])["epoch"]
    # The caller's encoder is untouched: the adapter trained on a copy, and switching the
    # encoder's dropout off for training (TuneSettings.encoder_dropout) did not reach it.
    np.testing.assert_allclose(tiny.encode([t for t, _ in STANCE]), before, atol=1e-6)
    assert dropouts and [m.p for m in tiny.model.modules()
                         if type(m).__name__ == "Dropout"] == dropouts  # fmt: skip
    assert all(m.p == 0.0 for m in tuned.model.modules() if type(m).__name__ == "Dropout")

    tuned.model.save_pretrained(str(tmp_path / ADAPTER))
    merged = tiny.with_adapter(tmp_path / ADAPTER)
    assert merged.version.startswith(tiny.version + "+lora-")
    texts = [t for t, _ in STANCE]
    training_view = embed(tuned.model, tiny.tokenizer, texts)
    np.testing.assert_allclose(merged.encode(texts), training_view, atol=1e-4)
    proba = tuned.heads["stance"].predict_proba(merged.encode(texts))
    assert [("favor", "against", "none")[i] for i in proba.argmax(1)] == [y for _, y in STANCE]
    # Merging shares the embedding table with the untuned encoder and leaves it as it was.
    assert (
        merged.model.embeddings.word_embeddings.weight
        is tiny.model.embeddings.word_embeddings.weight
    )
    np.testing.assert_allclose(tiny.encode(texts), before, atol=1e-6)


def test_the_tuning_seed_overrides_the_runs_seed_and_only_it_changes_the_adapter(tiny):
    """TuneSettings.seed (mediastance train --tune-seed): the same recipe and data give the
    same adapter for the same tuning seed whatever the run's seed, another one otherwise."""
    from dataclasses import replace

    train = {
        task: task_data([t for t, _ in pairs], _rows(pairs, task), task, lambda r: 1.0)
        for task, pairs in (("stance", STANCE), ("sentiment", SENTIMENT))
    }
    settings = TuneSettings(epochs=1, first_layer=0, batch_size=4, rank=2, alpha=4,
                            max_length=32)  # fmt: skip

    def adapter(settings, seed):
        model = fine_tune(tiny, train, {}, settings=settings, seed=seed).model
        return {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k}

    one = adapter(replace(settings, seed=5), seed=1)
    same = adapter(settings, seed=5)
    other = adapter(replace(settings, seed=6), seed=5)
    assert all((one[k] == same[k]).all() for k in one)
    assert any((one[k] != other[k]).any() for k in one)


def test_heads_with_an_adapter_round_trip_and_the_digest_covers_the_adapter(tiny, tmp_path):
    tuned = _train(tiny, epochs=2)
    folder = tmp_path / "model"
    tuned.model.save_pretrained(str(folder / ADAPTER))
    merged = tiny.with_adapter(folder / ADAPTER)
    heads = Heads(tuned.heads["sentiment"], tuned.heads["stance"], ("cond:mark",), tiny.name,
                  merged.version, adapter_dir=folder / ADAPTER)  # fmt: skip
    heads.stance.arrays["temperature"] = np.array([2.5], np.float32)
    heads.save(folder)
    loaded = Heads.load(folder)
    assert loaded.adapter_dir == folder / ADAPTER and loaded.digest == heads.digest
    assert loaded.stance.temperature == 2.5 and loaded.sentiment.temperature == 1.0
    Labeler(merged, loaded)  # the versions agree
    with pytest.raises(HeadsError, match="trained on encoder"):
        Labeler(tiny, loaded)  # the untuned encoder is refused
    # Another adapter is another model version.
    weights = folder / ADAPTER / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"\0\0\0\0")
    assert Heads.load(folder).digest != heads.digest
    weights.unlink()
    with pytest.raises(HeadsError, match="adapter files missing"):
        Heads.load(folder)


def test_an_int8_encoder_refuses_a_merge(tiny, tmp_path):
    tuned = _train(tiny, epochs=1)
    tuned.model.save_pretrained(str(tmp_path / ADAPTER))
    with pytest.raises(EncoderError, match="before int8"):
        tiny.quantized().with_adapter(tmp_path / ADAPTER)


def test_temperature_scaling_recovers_the_temperature_that_made_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, size=(4000, 3))
    p = np.exp(logits / 2.0)
    p /= p.sum(1, keepdims=True)
    gold = [rng.choice(3, p=row) for row in p]
    assert fit_temperature(logits, gold) == pytest.approx(2.0, abs=0.15)
    # Over-confident raw scores are badly calibrated; scaled, they are not.
    raw = np.exp(logits - logits.max(1, keepdims=True))
    raw /= raw.sum(1, keepdims=True)
    ok = raw.argmax(1) == np.array(gold)
    scaled = p.max(1)
    assert reliability(raw.max(1), ok)["ece"] > 0.1
    assert reliability(scaled, ok)["ece"] < 0.03


def test_reliability_bins_and_deciles_by_hand():
    rel = reliability([0.95, 0.95, 0.55, 0.55], [True, False, True, True])
    # bin 0.9–1.0: conf 0.95, acc 0.5 → gap 0.45; bin 0.5–0.6: conf 0.55, acc 1 → 0.45
    assert rel["ece"] == pytest.approx(0.45)
    assert [(b["lo"], b["n"], b["accuracy"]) for b in rel["bins"]] == [(0.5, 2, 1.0), (0.9, 2, 0.5)]
    assert [d["accuracy"] for d in rel["deciles"]] == [1.0, 1.0, 1.0, 0.0]


def test_the_ece_floor_is_the_sampling_noise_of_a_perfectly_calibrated_model():
    rng = np.random.default_rng(1)
    conf = rng.uniform(0.4, 1.0, 200)
    floor = ece_floor(conf)
    assert floor == ece_floor(conf)  # fixed seed: the same figure every run
    assert 0.02 < floor < 0.06  # 200 rows: a few points of ECE come from chance alone
    assert ece_floor(np.repeat(conf, 50)) < floor / 4  # shrinks like 1 / sqrt(n)
    # Rows right exactly as often as they claim score near the floor on average.
    draws = [reliability(conf, rng.random(200) < conf)["ece"] for _ in range(100)]
    assert np.mean(draws) == pytest.approx(floor, abs=0.01)
    assert reliability(conf, conf > 2)["ece_floor"] == floor  # the floor ignores the outcomes


def _labels(favor, against, none):
    return ItemLabels({}, {"Alibaba": {"favor": favor, "against": against, "none": none}})


def test_article_stance_is_the_argmax_of_the_distribution_it_stores():
    evidence = [
        ("Alibaba is mentioned.", _labels(0.1, 0.1, 0.8)),
        ("Brands accused Alibaba of selling fakes.", _labels(0.05, 0.9, 0.05)),
        ("Alibaba defended its record.", _labels(0.6, 0.3, 0.1)),
    ]
    probs, text, score = aggregate_stance("Alibaba", evidence)
    # Only the two leaning sentences count: mean favor 0.325, against 0.6, none 0.075.
    assert probs == pytest.approx({"favor": 0.325, "against": 0.6, "none": 0.075})
    assert (text, score) == ("Brands accused Alibaba of selling fakes.", 0.9)
    probs, text, score = aggregate_stance("Alibaba", evidence[:1])
    assert max(probs, key=probs.get) == "none" and (text, score) == ("Alibaba is mentioned.", 0.8)


def test_readme_and_card_show_the_committed_metrics():
    document = json.loads((ROOT / "analysis/heads/metrics.json").read_text("utf-8"))
    table = metrics_table(document)
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme[readme.index(README_START) + len(README_START) : readme.index(README_END)]
    assert block.strip() == table
    assert table in (ROOT / "analysis/heads/HEADS_CARD.md").read_text("utf-8")
    heads = Heads.load()
    assert document["model_version"] == heads.model_version
    assert heads.adapter_dir is not None


@pytest.mark.slow
def test_the_labeler_reads_two_targets_of_one_sentence_apart(tiny, tmp_path):
    tuned = _train(tiny)
    folder = tmp_path / "model"
    tuned.model.save_pretrained(str(folder / ADAPTER))
    merged = tiny.with_adapter(folder / ADAPTER)
    heads = Heads(tuned.heads["sentiment"], tuned.heads["stance"], ("cond:mark",), tiny.name,
                  merged.version, adapter_dir=folder / ADAPTER)  # fmt: skip
    text = "the alibaba brand said fake sold on taobao"
    [out] = Labeler(merged, heads).label([Item(text, {"alibaba": [(4, 11)], "taobao": [(36, 42)]})])
    assert out.stances["alibaba"] != out.stances["taobao"]
    assert SCALE == 20.0


def test_marked_inputs_carry_the_mention_spans_and_give_them_back():
    text = "淘宝说 Alibaba 和淘宝"
    spans = [(0, 2), (4, 11), (13, 15)]
    assert unmarked(marked(text, spans)) == (text, spans)
    assert unmarked(marked(text, [])) == (text, [])
    assert unmarked(marked(text, [(4, 11), (5, 8)])) == (text, [(4, 11)])  # overlap skipped


def test_the_training_pass_pools_the_mention_tokens_the_labeler_reads(tiny):
    """What fine-tuning optimises for the ``mention`` feature is what inference reads:
    the training pass over a marked text equals encode_with_mentions on the text and its
    spans, and an unmarked text gives the plain sentence embedding."""
    import torch

    texts = ["the alibaba brand said fake sold on taobao", "a brand sold the fake bag"]
    spans = [[(4, 11)], [(36, 42)]]
    inputs = [marked(texts[0], spans[0]), marked(texts[0], spans[1]), texts[1]]
    with torch.no_grad():
        pooled = _pool(tiny.model, tiny.tokenizer, inputs, 32).numpy()
    _, mentions = encode_with_mentions(tiny, [texts[0]], [spans])
    np.testing.assert_allclose(pooled[:2], mentions[0], atol=1e-5)
    np.testing.assert_allclose(pooled[2], tiny.encode([texts[1]])[0], atol=1e-5)
    assert not np.allclose(pooled[0], pooled[1], atol=1e-3)
