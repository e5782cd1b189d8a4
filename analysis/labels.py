"""Sentiment and stance labels for texts: the encoder plus the trained heads.

:class:`Labeler` is what both ``mediastance tag`` (texts from a file) and ``analyze``
(articles from the database) call: a batch of texts, each with the targets whose stance
is wanted, in; probabilities out. Each text goes through the encoder once (sentence
embedding and mention vectors together); only a ``cond:*`` stance feature costs one more
encoding per (text, target) pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.classifier import (
    MODEL_NAME,
    Heads,
    HeadsError,
    mention_layer,
    stance_input,
    stance_names,
)
from analysis.mention_embedding import encode_with_mentions
from analysis.mentions import find_mentions
from mediastance.core.config import Config, Target

Spans = list[tuple[int, int]]


@dataclass
class Item:
    """A text and, per target whose stance is wanted, the spans where it is mentioned."""

    text: str
    targets: dict[str, Spans] = field(default_factory=dict)


def tone(sentiment: dict[str, float], strength: float | None = None) -> float:
    """How positive (+1) or negative (-1) the wording is: the one definition of tone.

    ``(p_positive - p_negative) x (1 + strength) / 2``, where ``strength`` is the
    intensity head's probability that the wording is *strong* rather than mild: a
    certainly negative but mild sentence ("regrettable") sits near -0.5, a certainly
    negative and harsh one near -1. ``p_positive - p_negative`` alone says how sure the
    model is of the direction, not how harsh the words are. Heads without an intensity
    head (and rows labelled before there was one) give ``strength = None``: factor 1.
    """
    direction = sentiment["positive"] - sentiment["negative"]
    factor = 1.0 if strength is None else (1.0 + strength) / 2.0
    return round(direction * factor, 4)


@dataclass
class ItemLabels:
    sentiment: dict[str, float]
    stances: dict[str, dict[str, float]]
    strength: float | None = None  # P(strong wording), when the heads have an intensity head

    @property
    def tone(self) -> float:
        return tone(self.sentiment, self.strength)

    @property
    def sentiment_label(self) -> str:
        return max(self.sentiment, key=self.sentiment.get)

    def stance_label(self, target: str) -> str:
        scores = self.stances[target]
        return max(scores, key=scores.get)


class LabelerUnavailable(Exception):
    """The encoder or the heads cannot be loaded; the message says what to do."""


def load_labeler(
    config: Config,
    *,
    encoder=None,
    heads: Heads | None = None,
    device: str | None = None,
    progress=None,
) -> Labeler:
    """A Labeler for the config's encoder and the committed heads (or those given)."""
    from analysis.backend import BackendUnavailable, compile_encoder
    from analysis.encoder import EncoderError, load_configured_encoder

    try:
        heads = heads or Heads.load()
        if encoder is None:
            encoder = load_configured_encoder(config.model, device=device, progress=progress)
        if heads.adapter_dir is not None:
            encoder = tuned_encoder(encoder, heads, config, progress=progress)
        # What the heads consume (the tuned encoder, pooled) runs compiled where it can.
        encoder = compile_encoder(
            encoder,
            backend=config.model.backend,
            precision=config.model.precision,
            progress=progress,
        )
        return Labeler(
            encoder, heads, batch_size=config.model.batch_size, names=stance_names(config.targets)
        )
    except (EncoderError, HeadsError, BackendUnavailable) as exc:
        raise LabelerUnavailable(str(exc)) from exc


def tuned_encoder(encoder, heads: Heads, config: Config, *, progress=None):
    """``encoder`` with the heads' LoRA adapter merged in.

    An int8 encoder cannot take the merge (its weights are already quantised): the fp32
    encoder is loaded, tuned, then quantised like the configured one.
    """
    from analysis.encoder import Encoder

    if encoder.version.endswith("+int8"):
        fp32 = Encoder.load(encoder.name, device=encoder.device, progress=progress)
        return fp32.with_adapter(heads.adapter_dir).quantized()
    return encoder.with_adapter(heads.adapter_dir)


def target_spans(text: str, targets: Sequence[Target]) -> dict[str, Spans]:
    """Mentioned targets of a text with their (start, end) spans, in first-mention order."""
    found: dict[str, Spans] = {}
    for m in find_mentions(text, targets):
        found.setdefault(m.target, []).append((m.start, m.end))
    return found


class Labeler:
    """Encoder + heads. ``model`` and ``model_version`` go on every label row."""

    model = MODEL_NAME

    def __init__(
        self,
        encoder,
        heads: Heads,
        *,
        batch_size: int = 32,
        names: dict[str, str] | None = None,
    ) -> None:
        heads.check_encoder(encoder)
        self.names = names or {}  # how the ``named`` stance input names each target
        self.encoder = encoder
        self.heads = heads
        self.batch_size = batch_size

    @property
    def model_version(self) -> str:
        return self.heads.model_version

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``, each distinct text encoded once (:func:`_distinct`)."""
        unique, index = _distinct(texts)
        return self.encoder.encode(unique, batch_size=self.batch_size)[index]

    def label(self, items: Sequence[Item]) -> list[ItemLabels]:
        """Sentiment for every item, stance for every (item, target) pair it names."""
        if not items:
            return []
        heads = self.heads
        pairs = [(i, t, s) for i, item in enumerate(items) for t, s in item.targets.items()]
        rows = np.array([i for i, _, _ in pairs], dtype=int)
        parts: dict[str, np.ndarray] = {}
        mention_features = [f for f in heads.features if f.startswith("mention")]
        if mention_features:
            # One pass per distinct text gives its sentence embedding and the mention
            # vector of every (item, target) pair on it (a statement that is its whole
            # sentence shares the sentence's pass).
            unique, index = _distinct([item.text for item in items])
            per_text: list[list] = [[] for _ in unique]
            slots = []
            for i, _, spans in pairs:
                slots.append((index[i], len(per_text[index[i]])))
                per_text[index[i]].append(spans)
            layers = tuple(mention_layer(f) for f in mention_features)
            plain, vectors = encode_with_mentions(
                self.encoder, unique, per_text, batch_size=self.batch_size, layers=layers
            )
            plain = plain[index]
            mention = np.zeros((len(pairs), self.encoder.dim * len(layers)), np.float32)
            for k, (u, j) in enumerate(slots):
                mention[k] = vectors[u][j]
            dim = self.encoder.dim
            for n, feature in enumerate(mention_features):
                parts[feature] = mention[:, n * dim : (n + 1) * dim]
        else:
            plain = self._encode([item.text for item in items])
        sentiment = heads.sentiment_proba(plain)
        strength = heads.strength(plain)
        out = [
            ItemLabels(
                _scores(heads.sentiment.labels, p),
                {},
                None if strength is None else round(float(strength[k]), 4),
            )
            for k, p in enumerate(sentiment)
        ]
        if not pairs:
            return out
        parts["plain"] = plain[rows]
        if heads.recipe:
            parts[f"cond:{heads.recipe}"] = self._encode(
                [
                    stance_input(items[i].text, t, s, recipe=heads.recipe, name=self.names.get(t))
                    for i, t, s in pairs
                ]
            )
        for (i, target, _), probs in zip(pairs, heads.stance_proba(parts), strict=True):
            out[i].stances[target] = _scores(heads.stance.labels, probs)
        return out


def _distinct(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """The distinct texts in first-seen order, and where each of ``texts`` is among them:
    a text that occurs more than once is encoded once (an article's statement is often its
    whole sentence, agency copy repeats)."""
    unique = list(dict.fromkeys(texts))
    where = {text: u for u, text in enumerate(unique)}
    return unique, [where[text] for text in texts]


def _scores(labels: Sequence[str], probs: np.ndarray) -> dict[str, float]:
    return {label: round(float(p), 4) for label, p in zip(labels, probs, strict=True)}
