"""The encoder's forward pass compiled by OpenVINO: export once, cache, run; or eager torch.

``Encoder.encode`` spends nearly all its time in the transformer. Eager PyTorch runs it
op by op, with a copy or a cast around most of them (BENCHMARKS.md §1: 40 % of CPU time
in ``copy_``); OpenVINO compiles the whole graph, fuses attention, layer norms and
GELU into the matrix products, and on CPUs with native bfloat16 (AVX512_BF16 or AMX)
runs those products in bfloat16 by default. Measured against ONNX Runtime on the same
export (BENCHMARKS.md §5), it was the faster of the two at equal quality.

What is compiled is exactly what the heads consume: the (tuned, adapter-merged) encoder
from its embedding layer norm to the mean-pooled, L2-normalised sentence vector. The
word-embedding lookup stays in numpy on the torch model's own table, so the compiled
model holds the 21M transformer weights (~85 MB) and not a second copy of the 96M-row
table (~385 MB).

The export (``torch.onnx.export`` → OpenVINO IR) happens at first use and is cached
under ``<cache>/compiled/``, in a folder named by a digest of the encoder's ``version``
(which carries the LoRA adapter's sha256: a retrained adapter builds a new one), the
export format and the OpenVINO version; its ``manifest.json`` says which. Where
OpenVINO is missing or the export fails, :func:`compile_encoder` says so through
``progress`` and the logger and returns the encoder unchanged (eager PyTorch).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from analysis.encoder import Encoder, EncoderError
from analysis.encoder_build import MANIFEST_NAME, build_once, default_cache_dir, file_manifest

log = logging.getLogger(__name__)

# Bump when what is exported changes (inputs, outputs, pooling, export options).
# 2: the last hidden states as a second output, for mention vectors.
EXPORT_FORMAT = 2
BACKENDS = ("auto", "openvino", "torch")
# OpenVINO's precision hint per [model] precision. "auto" leaves OpenVINO's own default:
# bfloat16 where the CPU multiplies it natively, float32 elsewhere.
_PRECISION_HINT = {"fp32": "f32", "bf16": "bf16", "auto": None}

Progress = Callable[[str], None]


class BackendUnavailable(Exception):
    """The compiled backend cannot run here; the message says why."""


def _pooled_module(model: Any) -> Any:
    """torch module: word embeddings in; mean-pooled L2-normalised sentence vectors and
    the last hidden states (a stance head on mention tokens reads those) out."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, inputs_embeds: Any, attention_mask: Any) -> Any:
            # With inputs_embeds XLM-R numbers positions 2, 3, ... in every row, as it does
            # for the real tokens of a right-padded input_ids row; pad positions differ
            # but are masked out of attention and pooling.
            out = self.inner(inputs_embeds=inputs_embeds, attention_mask=attention_mask)
            hidden = out.last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
            return torch.nn.functional.normalize(pooled, dim=-1), hidden

    return Pooled(model).eval()


def _torch_model(encoder: Encoder) -> Any:
    model = encoder.model
    return getattr(model, "inner", model)  # a bf16 encoder wraps its model in _Autocast


@contextlib.contextmanager
def _eager_attention(model: Any):
    """Plain matmul-softmax-matmul attention while exporting (OpenVINO fuses that form)."""
    config = model.config
    before = getattr(config, "_attn_implementation", None)
    try:
        config._attn_implementation = "eager"
        yield
    finally:
        config._attn_implementation = before


def export_ir(encoder: Encoder, target_dir: Path) -> None:
    """Write the encoder's pooled forward pass as OpenVINO IR (model.xml/.bin) + manifest."""
    import openvino as ov
    import torch

    model = _torch_model(encoder)
    hidden = encoder.dim
    sample = torch.zeros((2, 8, hidden), dtype=torch.float32)
    mask = torch.ones((2, 8), dtype=torch.long)
    onnx_path = target_dir / "encoder.onnx"
    with _eager_attention(model), torch.inference_mode(False), torch.no_grad():
        linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        dtypes = [m.weight.dtype for m in linear]
        for m in linear:  # export float32 weights; OpenVINO picks the precision at compile
            m.float()
        try:
            with warnings.catch_warnings():  # tracer and deprecation noise, not faults
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    _pooled_module(model),
                    (sample, mask),
                    str(onnx_path),
                    input_names=["inputs_embeds", "attention_mask"],
                    output_names=["embedding", "hidden"],
                    dynamic_axes={
                        "inputs_embeds": {0: "batch", 1: "tokens"},
                        "attention_mask": {0: "batch", 1: "tokens"},
                        "embedding": {0: "batch"},
                        "hidden": {0: "batch", 1: "tokens"},
                    },
                    opset_version=17,
                    dynamo=False,
                )
        finally:
            for m, dtype in zip(linear, dtypes, strict=True):
                m.to(dtype)
    ov.save_model(ov.Core().read_model(str(onnx_path)), str(target_dir / "model.xml"))
    onnx_path.unlink()
    manifest = {**_identity(encoder), "files": file_manifest(target_dir)}
    (target_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")


def _identity(encoder: Encoder) -> dict[str, Any]:
    """What the compiled model depends on: the weights (version + adapter) and the tools."""
    import openvino as ov

    adapter = encoder.version.rsplit("+lora-", 1)[1] if "+lora-" in encoder.version else None
    return {
        "backend": "openvino",
        "export_format": EXPORT_FORMAT,
        "encoder": encoder.name,
        "encoder_version": encoder.version,
        # A bf16 torch encoder stores its Linear weights rounded to bfloat16.
        "weights": "bf16" if encoder.precision == "bf16" else "fp32",
        "adapter_sha256": adapter,
        "openvino": ov.get_version(),
    }


def _manifest_problem(folder: Path, identity: dict[str, Any]) -> str | None:
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"no readable manifest ({exc.__class__.__name__})"
    if {k: manifest.get(k) for k in identity} != identity:
        return "built for other weights or another OpenVINO"
    for name, want in files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != want["size"]:
            return f"{name} is missing or has the wrong size"
    return None


def ensure_ir(
    encoder: Encoder, cache_dir: Path | None = None, *, progress: Progress | None = None
) -> Path:
    """The cached IR folder for this encoder's weights, exporting it first if needed."""
    say = progress or (lambda _msg: None)
    identity = _identity(encoder)
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    root = (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "compiled"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackendUnavailable(f"cannot create {root}: {exc}") from exc

    def export(tmp: Path) -> None:
        say(f"exporting the encoder to OpenVINO ({encoder.version}; one-off, ~30 s)")
        export_ir(encoder, tmp)

    return build_once(
        root / f"openvino-{digest}",
        problem=lambda folder: _manifest_problem(folder, identity),
        build=export,
        say=lambda fault: say(f"compiled encoder is unusable ({fault}); exporting again"),
    )


class OpenVinoForward:
    """Batches of padded token ids and masks in, pooled sentence vectors out, via OpenVINO.

    One stream per CPU thread, each running one single-threaded request at a time
    (OpenVINO's throughput mode): batches run side by side, one per core, and no thread
    waits for its partner at every layer. On the loaded 2-core box that was 1.16x one
    2-thread request at 32 rows, 1.24x with 16 rows a batch (BENCHMARKS.md §5), hence
    ``batch_size``. ``run`` is not for two threads at once (``Encoder.encode`` is not).
    """

    batch_size = 16

    def __init__(self, encoder: Encoder, folder: Path, *, precision: str) -> None:
        import openvino as ov

        table = _torch_model(encoder).get_input_embeddings().weight
        # A view on the torch model's table (shared memory, no copy).
        self.table = table.detach().float().numpy()
        self.precision = precision
        streams = max(1, _threads())
        config: dict[str, Any] = {
            "PERFORMANCE_HINT": "THROUGHPUT",
            "NUM_STREAMS": streams,
            "INFERENCE_NUM_THREADS": streams,
            # Pinned threads cannot move off a core another process is busy on.
            "ENABLE_CPU_PINNING": False,
        }
        hint = _PRECISION_HINT[precision]
        if hint:
            config["INFERENCE_PRECISION_HINT"] = hint
        self.compiled = ov.Core().compile_model(str(folder / "model.xml"), "CPU", config)
        self.queue = ov.AsyncInferQueue(self.compiled, streams)
        # What OpenVINO chose: "bf16" or "f32".
        chosen = self.compiled.get_property("INFERENCE_PRECISION_HINT")
        self.inference_precision = getattr(chosen, "get_type_name", lambda: str(chosen))()

    def run(
        self,
        batches: Iterable[tuple[list[int], np.ndarray, np.ndarray]],
        out: np.ndarray,
        hidden: Callable[[list[int], np.ndarray], None] | None = None,
    ):
        """Write each ``(rows, input_ids, mask)`` batch's first ``len(rows)`` vectors to
        ``out[rows]``; returns when all are written. ``hidden``, if given, is called with
        each batch's rows and their last hidden states (rows, tokens, dim), a view valid
        only during the call."""

        def done(request: Any, rows: list[int]) -> None:
            out[rows] = request.get_output_tensor(0).data[: len(rows)]
            if hidden is not None:
                hidden(rows, request.get_output_tensor(1).data[: len(rows)])

        self.queue.set_callback(done)
        for rows, input_ids, mask in batches:
            # start_async copies its inputs, so the gathered embeddings may go at once.
            inputs = {"inputs_embeds": self.table[input_ids], "attention_mask": mask}
            self.queue.start_async(inputs, rows)
        self.queue.wait_all()


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def compile_encoder(
    encoder: Encoder,
    *,
    backend: str = "auto",
    precision: str = "auto",
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> Encoder:
    """``encoder`` whose ``encode`` runs through OpenVINO, or ``encoder`` itself.

    ``backend``: "openvino" raises :class:`BackendUnavailable` if it cannot run; "auto"
    falls back to eager PyTorch with a log line saying why; "torch" never compiles.
    ``precision`` is the ``[model]`` setting: "auto" lets OpenVINO run bfloat16 where the
    CPU has it natively (AVX512_BF16 or AMX), "fp32" and "bf16" force one. Only CPU
    encoders that are not torch-int8 compile.
    """
    if backend not in BACKENDS:
        raise EncoderError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "torch" or encoder.forward is not None:
        return encoder
    try:
        if encoder.device != "cpu":
            raise BackendUnavailable(f"the OpenVINO backend runs on the CPU, not {encoder.device}")
        if encoder.version.endswith("+int8"):
            raise BackendUnavailable("an int8 (torch-quantised) encoder stays on torch")
        try:
            import openvino  # noqa: F401
        except ImportError as exc:
            raise BackendUnavailable(f"openvino is not installed ({exc})") from exc
        folder = ensure_ir(encoder, cache_dir, progress=progress)
        forward = OpenVinoForward(encoder, folder, precision=precision)
    except Exception as exc:  # noqa: BLE001 - any failure of an optional speed-up
        if backend == "openvino":
            if isinstance(exc, BackendUnavailable):
                raise
            raise BackendUnavailable(f"OpenVINO cannot run the encoder: {exc}") from exc
        message = f"encoder backend: eager PyTorch (OpenVINO unavailable: {exc})"
        log.warning(message)
        if progress:
            progress(message)
        return encoder
    message = f"encoder backend: OpenVINO, {forward.inference_precision} ({folder.name})"
    log.info(message)
    if progress:
        progress(message)
    return dataclasses.replace(encoder, forward=forward)
