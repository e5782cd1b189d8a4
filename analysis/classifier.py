"""The sentiment and stance heads: small classifiers on the encoder's sentence embeddings.

This module runs the heads (numpy only), saves and loads their files, and fits one head on
frozen embeddings (``fit_head``: tests and benchmarks). ``mediastance train`` trains the
heads together with a LoRA adapter of the encoder instead (:mod:`analysis.training`,
:mod:`analysis.finetune`) and saves them with ``Heads.save``.

- **Sentiment** (positive | negative | neutral) reads the plain embedding of a text.
- **Intensity** (mild | strong), optional, reads the same embedding as sentiment: how
  harsh or effusive the wording is, which sentiment's probabilities do not say.
- **Stance** (favor | against | none) must depend on the target: "Alibaba hit back at the
  IACC" favours Alibaba and is against the IACC. The head reads a concatenation of the
  *features* that heads.json names: ``plain`` (the text's embedding), ``cond:<recipe>``
  (the embedding of a target-conditioned copy of the text, see :func:`stance_input`;
  training uses ``cond:mark``) and ``mention`` (the contextual embedding of the target's
  mention tokens, see :mod:`analysis.mention_embedding`; ``mention:-4`` reads them from
  the fourth layer from the top).

A head is a standardisation followed by a linear layer or a one-hidden-layer MLP, then a
softmax at a fitted temperature. The files live in the data folder ``analysis/heads/``
(small, committed): one safetensors file per head, ``heads.json`` (labels, features, the
encoder they were trained on), ``adapter/`` when the encoder was tuned, and the
``metrics.json`` and ``HEADS_CARD.md`` that training writes beside them. Every label row
records ``model = "mediastance-heads"`` and
``model_version = <encoder version>+heads-<hash of the head files>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mediastance.core.language import HAN

MODEL_NAME = "mediastance-heads"
HEADS_DIR = Path(__file__).parent / "heads"
FORMAT = 2  # 2: optional LoRA adapter of the encoder, head temperatures
ADAPTER = "adapter"  # subfolder holding the peft adapter, when the encoder was tuned
SENTIMENT_LABELS = ("positive", "negative", "neutral")
STANCE_LABELS = ("favor", "against", "none")
# How strong the wording is, whatever its direction; read from the same embedding as
# sentiment. P(strong) scales tone (analysis.labels.tone): "regrettable" is mild.
INTENSITY_LABELS = ("mild", "strong")
RECIPES = ("name", "alias", "mark", "named")


class HeadsError(Exception):
    """Head files are missing, unreadable, or were trained on another encoder."""


def stance_input(
    text: str,
    target: str,
    spans: Sequence[tuple[int, int]] = (),
    *,
    recipe: str,
    name: str | None = None,
) -> str:
    """The target-conditioned text the stance head embeds next to the plain text.

    ``spans`` are the (start, end) character offsets of the target's mentions in ``text``.

    - ``name``: ``"<target name>: <text>"``.
    - ``alias``: the same, naming the target as the text does ("淘宝: …" rather than
      "Alibaba: …"), falling back to the name when no mention was found.
    - ``mark``: ``"<alias>: <text>"`` with every mention of the target wrapped in
      【】 brackets, so a two-target sentence yields clearly different inputs.
    - ``named``: like ``mark``, but the prefix is ``name`` (the target's English and Chinese
      names, :func:`stance_names`) whatever alias the text uses, so "IACC" inside Chinese
      text and "国际反假冒联盟" read as the same party; targets without a configured name
      (public sets' free-text targets) fall back to the alias.
    """
    spans = sorted(spans)
    alias = text[spans[0][0] : spans[0][1]] if spans else target
    if recipe == "name":
        return f"{target}: {text}"
    if recipe == "alias":
        return f"{alias}: {text}"
    if recipe in ("mark", "named"):
        out, last = [], 0
        for start, end in spans:
            if start < last:
                continue
            out += [text[last:start], "【", text[start:end], "】"]
            last = end
        out.append(text[last:])
        prefix = (name or alias) if recipe == "named" else alias
        return f"{prefix}: {''.join(out)}"
    raise ValueError(f"unknown stance recipe {recipe!r}")


def stance_names(targets: Sequence) -> dict[str, str]:
    """How the ``named`` stance input names each configured target: its name and its first
    Chinese alias ("IACC / 国际反假冒联盟"), or the name alone when it has none."""
    names = {}
    for target in targets:
        han = next((a for a in target.aliases if HAN.search(a)), None)
        names[target.name] = f"{target.name} / {han}" if han and han != target.name else target.name
    return names


def mention_layer(feature: str) -> int:
    """The hidden-state layer of a mention feature: "mention" -> -1, "mention:-4" -> -4."""
    return int(feature.split(":", 1)[1]) if ":" in feature else -1


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Head:
    """Standardise, then linear (w1, b1) or MLP (w1, b1, ReLU, w2, b2), then softmax."""

    labels: tuple[str, ...]
    arrays: dict[str, np.ndarray]

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Raw scores before the temperature."""
        a = self.arrays
        h = (np.asarray(x, np.float32) - a["mean"]) / a["scale"]
        h = h @ a["w1"] + a["b1"]
        if "w2" in a:
            h = np.maximum(h, 0) @ a["w2"] + a["b2"]
        return h.astype(np.float64)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities: softmax(logits / temperature), see analysis.calibration."""
        return softmax(self.logits(x) / self.temperature)

    @property
    def temperature(self) -> float:
        t = self.arrays.get("temperature")
        return float(t[0]) if t is not None else 1.0

    @property
    def hidden(self) -> int:
        return int(self.arrays["w1"].shape[1]) if "w2" in self.arrays else 0


@dataclass
class Heads:
    sentiment: Head
    stance: Head
    features: tuple[str, ...]
    encoder_name: str
    encoder_version: str
    digest: str = ""
    info: dict | None = None
    # The LoRA adapter folder (peft format) to merge into the encoder before use, or None
    # for heads on the untuned encoder. ``encoder_version`` is then the *tuned* version.
    adapter_dir: Path | None = None
    intensity: Head | None = None  # mild | strong on the plain embedding, when trained

    @property
    def tasks(self) -> tuple[str, ...]:
        return ("sentiment", "stance") + (("intensity",) if self.intensity else ())

    @property
    def model_version(self) -> str:
        return f"{self.encoder_version}+heads-{self.digest}"

    def sentiment_proba(self, plain: np.ndarray) -> np.ndarray:
        return self.sentiment.predict_proba(plain)

    def strength(self, plain: np.ndarray) -> np.ndarray | None:
        """P(strong wording) per row, or None without an intensity head."""
        if self.intensity is None:
            return None
        return self.intensity.predict_proba(plain)[:, self.intensity.labels.index("strong")]

    @property
    def recipe(self) -> str | None:
        """The conditioned-text recipe among the stance features, if any."""
        for feature in self.features:
            if feature.startswith("cond:"):
                return feature[5:]
        return None

    def stance_proba(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        """``parts``: one (n, dim) array per feature name ("plain", "cond:name", "mention")."""
        return self.stance.predict_proba(np.concatenate([parts[f] for f in self.features], 1))

    def check_encoder(self, encoder) -> None:
        if encoder.version != self.encoder_version:
            raise HeadsError(
                f"the heads were trained on encoder {self.encoder_name} "
                f"({self.encoder_version}), not {encoder.name} ({encoder.version}); "
                "run 'mediastance train' for this encoder"
            )

    # ------------------------------------------------------------------ files

    def save(self, folder: Path, *, info: dict | None = None) -> None:
        """Write heads.json and one safetensors file per head (byte-for-byte reproducible)."""
        from safetensors.numpy import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for task in self.tasks:
            head: Head = getattr(self, task)
            arrays = {k: np.ascontiguousarray(v, np.float32) for k, v in head.arrays.items()}
            save_file(arrays, str(folder / f"{task}.safetensors"))
        if self.intensity is None:  # a file left by an earlier model would mislead
            (folder / "intensity.safetensors").unlink(missing_ok=True)
        config = self._config()
        if self.adapter_dir is not None:
            config["adapter"] = ADAPTER
            if Path(self.adapter_dir).resolve() != (folder / ADAPTER).resolve():
                raise HeadsError(f"the adapter must be saved in {folder / ADAPTER} first")
        self.digest = _digest(folder, config)
        if info is not None:
            self.info = info
        document = {**config, "digest": self.digest, **({"info": self.info} if self.info else {})}
        (folder / "heads.json").write_text(
            json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
            encoding="utf-8",
        )

    def _config(self) -> dict:
        config = {
            "format": FORMAT,
            "model": MODEL_NAME,
            "encoder": {"name": self.encoder_name, "version": self.encoder_version},
            "sentiment": {"labels": list(self.sentiment.labels), "hidden": self.sentiment.hidden},
            "stance": {
                "labels": list(self.stance.labels),
                "hidden": self.stance.hidden,
                "features": list(self.features),
            },
        }
        if self.intensity is not None:
            config["intensity"] = {"labels": list(self.intensity.labels)}
        return config

    @classmethod
    def load(cls, folder: Path | None = None) -> Heads:
        from safetensors.numpy import load_file

        folder = Path(folder) if folder is not None else HEADS_DIR
        try:
            document = json.loads((folder / "heads.json").read_text(encoding="utf-8"))
            heads = {
                task: Head(
                    tuple(document[task]["labels"]),
                    load_file(str(folder / f"{task}.safetensors")),
                )
                for task in (
                    "sentiment",
                    "stance",
                    *(["intensity"] if "intensity" in document else []),
                )
            }
        except (OSError, ValueError, KeyError) as exc:
            raise HeadsError(
                f"no usable heads in {folder} ({exc.__class__.__name__}: {exc}); "
                "run 'mediastance train'"
            ) from None
        if document.get("format") not in (1, FORMAT):  # 1: heads without adapter or temperature
            raise HeadsError(f"{folder}: heads format {document.get('format')} not supported")
        config = {k: document[k] for k in ("format", "model", "encoder", "sentiment", "stance")}
        if "intensity" in document:
            config["intensity"] = document["intensity"]
        adapter_dir = None
        if document.get("adapter"):
            config["adapter"] = document["adapter"]
            adapter_dir = folder / document["adapter"]
            if not (adapter_dir / "adapter_model.safetensors").is_file():
                raise HeadsError(f"{adapter_dir}: adapter files missing; run 'mediastance train'")
        return cls(
            sentiment=heads["sentiment"],
            stance=heads["stance"],
            features=tuple(document["stance"]["features"]),
            encoder_name=document["encoder"]["name"],
            encoder_version=document["encoder"]["version"],
            digest=_digest(folder, config),
            info=document.get("info"),
            adapter_dir=adapter_dir,
            intensity=heads.get("intensity"),
        )


def _digest(folder: Path, config: dict) -> str:
    """sha256 over the head files and their configuration: what the labels depend on."""
    h = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for task in ("sentiment", "stance") + (("intensity",) if "intensity" in config else ()):
        h.update((folder / f"{task}.safetensors").read_bytes())
    if config.get("adapter"):
        h.update((folder / config["adapter"] / "adapter_model.safetensors").read_bytes())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class FitSettings:
    hidden: int = 0  # 0: multinomial logistic regression; else one ReLU layer
    weight_decay: float = 1e-3
    epochs: int = 300
    lr: float = 0.01
    dropout: float = 0.1


def fit_head(
    x: np.ndarray,
    y: Sequence[str],
    labels: Sequence[str],
    *,
    sample_weight: np.ndarray | None = None,
    settings: FitSettings = FitSettings(),
    seed: int = 13,
) -> Head:
    """Full-batch AdamW on a class-balanced, optionally weighted cross-entropy.

    Classes are weighted by n / (k × count) so a rare label still counts; weights are
    rounded to 6 decimals when stored so that re-training writes identical files.
    """
    import torch

    # One thread: these are tiny matrices, where thread hand-offs cost more than they
    # save (badly so on a busy machine), and results do not depend on the core count.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _fit(torch, x, y, labels, sample_weight, settings, seed)
    finally:
        torch.set_num_threads(threads)


def _fit(torch, x, y, labels, sample_weight, settings: FitSettings, seed: int) -> Head:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = np.asarray(x, np.float32)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    xt = torch.from_numpy((x - mean) / scale)
    index = {label: i for i, label in enumerate(labels)}
    yt = torch.tensor([index[v] for v in y], dtype=torch.long)
    counts = torch.bincount(yt, minlength=len(labels)).float()
    class_weight = len(yt) / (len(labels) * counts.clamp(min=1))
    w = torch.ones(len(yt)) if sample_weight is None else torch.tensor(sample_weight).float()
    w = w * class_weight[yt]
    w = w / w.sum()
    dim = x.shape[1]
    if settings.hidden:
        model = torch.nn.Sequential(
            torch.nn.Dropout(settings.dropout),
            torch.nn.Linear(dim, settings.hidden),
            torch.nn.ReLU(),
            torch.nn.Dropout(settings.dropout),
            torch.nn.Linear(settings.hidden, len(labels)),
        )
    else:
        model = torch.nn.Sequential(torch.nn.Linear(dim, len(labels)))
    for p in model.parameters():  # seeded init independent of global RNG use elsewhere
        if p.dim() > 1:
            torch.nn.init.xavier_uniform_(p, generator=gen)
        else:
            torch.nn.init.zeros_(p)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    model.train()
    for _ in range(settings.epochs):
        opt.zero_grad()
        loss = (torch.nn.functional.cross_entropy(model(xt), yt, reduction="none") * w).sum()
        loss.backward()
        opt.step()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    arrays = {"mean": mean, "scale": scale}
    for i, layer in enumerate(linears, 1):
        arrays[f"w{i}"] = layer.weight.detach().numpy().T.copy()
        arrays[f"b{i}"] = layer.bias.detach().numpy().copy()
    arrays = {k: np.round(v.astype(np.float64), 6).astype(np.float32) for k, v in arrays.items()}
    return Head(tuple(labels), arrays)
