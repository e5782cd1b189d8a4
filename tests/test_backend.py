"""The compiled encoder (analysis.backend): the same embeddings and labels as eager
PyTorch, a cache keyed by the weights (adapter included), and a fallback that says so."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.backend import BackendUnavailable, compile_encoder, ensure_ir
from analysis.encoder import Encoder, EncoderError

TEXTS = [
    "the fake bag sold on the platform",
    "alibaba said the brand",
    "taobao sold the fake bag on a platform said the brand",
    "bag",
]


@pytest.fixture
def tiny(tiny_model_dir: Path) -> Encoder:
    return Encoder.load(str(tiny_model_dir))


def _random_adapter(encoder: Encoder, folder: Path, seed: int) -> Path:
    """A LoRA adapter with non-zero weights on every Linear of the tiny model."""
    import copy

    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    config = LoraConfig(
        r=4,
        lora_alpha=8,
        target_modules=["query", "key", "value", "dense"],
        init_lora_weights=False,
    )
    get_peft_model(copy.deepcopy(encoder.model), config).save_pretrained(str(folder))
    return folder


@pytest.mark.slow
def test_compiled_encoder_gives_the_eager_embeddings_and_follows_the_adapter(tiny, tmp_path):
    eager = tiny.with_adapter(_random_adapter(tiny, tmp_path / "a1", seed=1))
    fast = compile_encoder(eager, backend="openvino", precision="fp32", cache_dir=tmp_path)
    assert fast.forward is not None and eager.forward is None
    want, got = eager.encode(TEXTS), fast.encode(TEXTS)
    assert got.shape == want.shape == (len(TEXTS), tiny.dim)
    # float32 throughout; OpenVINO sums in another order (differences ~1e-4).
    np.testing.assert_allclose(got, want, atol=1e-3)
    assert np.sum(got * want, axis=1).min() >= 0.9999
    # The adapter changed the embeddings, so the match above is not the base model's.
    assert np.abs(tiny.encode(TEXTS) - want).max() > 1e-2

    # A retrained adapter gets its own export; the first one is reused as it is.
    first = ensure_ir(eager, tmp_path)
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["encoder_version"] == eager.version
    assert manifest["adapter_sha256"] == eager.version.rsplit("+lora-", 1)[1]
    stamp = (first / "model.bin").stat().st_mtime_ns
    other = tiny.with_adapter(_random_adapter(tiny, tmp_path / "a2", seed=2))
    second = ensure_ir(other, tmp_path)
    assert second != first and (first / "model.bin").stat().st_mtime_ns == stamp
    np.testing.assert_allclose(
        compile_encoder(other, backend="openvino", precision="fp32", cache_dir=tmp_path).encode(
            TEXTS
        ),
        other.encode(TEXTS),
        atol=1e-3,
    )


@pytest.mark.slow
def test_compiled_mention_vectors_are_the_eager_ones(tiny, tmp_path):
    """A stance head on mention tokens reads the compiled pass's hidden states: the
    same sentence and mention vectors as eager PyTorch, in one pass per text."""
    from analysis.mention_embedding import encode_with_mentions

    eager = tiny.with_adapter(_random_adapter(tiny, tmp_path / "a1", seed=1))
    fast = compile_encoder(eager, backend="openvino", precision="fp32", cache_dir=tmp_path)
    spans = [[[(4, 8)], [(21, 29)]], [[(0, 7)]], [[(0, 6)], [(30, 38)], []], [[]]]
    want_plain, want = encode_with_mentions(eager, TEXTS, spans)
    got_plain, got = encode_with_mentions(fast, TEXTS, spans)
    np.testing.assert_allclose(got_plain, want_plain, atol=1e-3)
    for g, w, s in zip(got, want, spans, strict=True):
        assert g.shape == w.shape == (len(s), tiny.dim)
        np.testing.assert_allclose(g, w, atol=1e-3)
    assert not np.allclose(want[0][0], want[0][1], atol=1e-2)  # two mentions read apart


@pytest.mark.slow
def test_a_damaged_export_is_rebuilt(tiny, tmp_path):
    folder = ensure_ir(tiny, tmp_path)
    (folder / "model.bin").write_bytes(b"truncated")
    messages: list[str] = []
    fast = compile_encoder(
        tiny, backend="openvino", precision="fp32", cache_dir=tmp_path, progress=messages.append
    )
    assert any(
        "compiled encoder is unusable (model.bin is missing or has the wrong size)" in m
        for m in messages
    )
    np.testing.assert_allclose(fast.encode(TEXTS), tiny.encode(TEXTS), atol=1e-3)


@pytest.mark.slow
def test_without_openvino_auto_falls_back_to_torch_and_says_so(tiny, tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if it were not installed
    messages: list[str] = []
    with caplog.at_level(logging.WARNING, logger="analysis.backend"):
        same = compile_encoder(tiny, cache_dir=tmp_path, progress=messages.append)
    assert same is tiny and same.forward is None
    assert messages[0].startswith("encoder backend: eager PyTorch (OpenVINO unavailable: ")
    assert "openvino is not installed" in caplog.text
    np.testing.assert_allclose(same.encode(TEXTS), tiny.encode(TEXTS))
    with pytest.raises(BackendUnavailable, match="openvino is not installed"):
        compile_encoder(tiny, backend="openvino", cache_dir=tmp_path)
    assert compile_encoder(tiny, backend="torch", cache_dir=tmp_path) is tiny
    with pytest.raises(EncoderError, match="backend must be one of"):
        compile_encoder(tiny, backend="onnx")


@pytest.mark.slow
def test_derived_encoders_drop_the_compiled_forward(tiny, tmp_path):
    fast = compile_encoder(tiny, backend="openvino", precision="fp32", cache_dir=tmp_path)
    assert fast.quantized().forward is None  # other weights: eager until compiled again
    assert fast.with_adapter(_random_adapter(tiny, tmp_path / "a", seed=3)).forward is None


@pytest.mark.slow
def test_the_tuned_builtin_encoder_compiled_labels_like_eager_pytorch(tmp_path):
    """The product's path: builtin encoder + committed adapter, compiled at the default
    precision (bfloat16 where the CPU has it): cosine >= 0.999 and the same labels."""
    from analysis.classifier import Heads
    from analysis.labels import Item, Labeler, target_spans
    from mediastance.core.config import load_config

    config = load_config()
    heads = Heads.load()
    eager = Encoder.load().with_adapter(heads.adapter_dir)
    fast = compile_encoder(eager, backend="openvino", precision="auto", cache_dir=tmp_path)
    texts = [
        "The IACC suspended Alibaba's membership after Michael Kors, Gucci and Tiffany protested.",
        "Alibaba said it remains committed to fighting fakes on its platforms.",
        "阿里巴巴表示，国际反假冒联盟被部分成员的私人利益绑架。",
        "中国媒体称此事件令人感到羞辱。",
        "淘宝上的假货问题一直备受关注，品牌方多次提出投诉。",
    ]
    cosine = np.sum(eager.encode(texts) * fast.encode(texts), axis=1)
    assert cosine.min() >= 0.999
    items = [Item(t, target_spans(t, config.targets)) for t in texts]
    assert any(item.targets for item in items)
    want = Labeler(eager, heads).label(items)
    got = Labeler(fast, heads).label(items)

    def margin(probs: dict[str, float]) -> float:
        top, second = sorted(probs.values(), reverse=True)[:2]
        return top - second

    # bfloat16 moves the calibrated probabilities by about 0.01 (measured up to 0.014 on
    # these texts): a near-tie may flip ("Alibaba said it remains committed ...": neutral
    # 0.478 vs positive 0.473 in fp32), a clear label may not.
    pairs = [(w.sentiment, g.sentiment) for w, g in zip(want, got, strict=True)]
    pairs += [
        (w.stances[t], g.stances[t]) for w, g in zip(want, got, strict=True) for t in w.stances
    ]
    assert len(pairs) > len(texts)
    for w, g in pairs:
        assert g.keys() == w.keys()
        assert max(abs(g[k] - w[k]) for k in w) < 0.03
        if margin(w) > 0.06:
            assert max(g, key=g.get) == max(w, key=w.get)
