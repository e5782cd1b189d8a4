"""Sentence embeddings together with contextual embeddings of target mentions.

A sentence embedding is the same for every target the sentence names, so on its own it
cannot say that "Alibaba hit back at the IACC" favours Alibaba but is against the IACC.
The encoder's last hidden states at the mention's tokens can: they are read in the
context of the whole sentence. One forward pass per text gives both the usual mean-pooled
sentence embedding (E5 convention, as ``Encoder.encode``) and, for each requested span
set, the L2-normalised mean of the hidden states of the tokens overlapping those spans
(the whole text when no span is given: a target named only by the caller).

Mention vectors can be read from several layers (``layers``: indices into the model's
hidden states, -1 the last); a middle layer keeps more of the mention's local context.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.encoder import padded_batches

Spans = Sequence[tuple[int, int]]
PREFIX = "query: "
# Training passes a text and its target's mention spans through code that handles model
# inputs as strings (deduplication, batching by length, caches) as one string: the text
# with each mention between these two private-use characters (:func:`marked`). They never
# reach the tokenizer: :func:`unmarked` gives the text and spans back.
OPEN, CLOSE = "\ue000", "\ue001"


def marked(text: str, spans: Spans) -> str:
    """``text`` with each of ``spans`` (overlaps skipped) between OPEN and CLOSE."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out += [text[last:start], OPEN, text[start:end], CLOSE]
        last = end
    out.append(text[last:])
    return "".join(out)


def unmarked(value: str) -> tuple[str, list[tuple[int, int]]]:
    """The text and mention spans of a :func:`marked` string."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    for n, part in enumerate(value.split(OPEN)):
        if n:  # "<mention>CLOSE<rest>"
            mention, _, part = part.partition(CLOSE)
            spans.append((length, length + len(mention)))
            text.append(mention)
            length += len(mention)
        text.append(part)
        length += len(part)
    return "".join(text), spans


def mention_tokens(offsets: Sequence[Sequence[int]], length: int, spans: Spans) -> np.ndarray:
    """Which tokens of a ``PREFIX + text`` input a mention vector averages: those of its
    first ``length`` tokens whose characters (``offsets``, the tokenizer's offset mapping)
    overlap one of ``spans`` in ``text``; all ``length`` tokens when none does."""
    offsets = np.asarray(offsets).reshape(-1, 2) - len(PREFIX)
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = (ends > starts) & (np.arange(len(starts)) < length)
    sel = np.zeros(len(starts), bool)
    for start, end in spans:
        sel |= real & (starts < end) & (ends > start)
    return sel if sel.any() else np.arange(len(starts)) < length


def encode_with_mentions(
    encoder,
    texts: Sequence[str],
    spans: Sequence[Sequence[Spans]],
    *,
    batch_size: int = 32,
    max_length: int = 256,
    layers: tuple[int, ...] = (-1,),
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(sentence embeddings (n, dim), per text an array (len(spans[i]), dim × len(layers))).

    The mention vector of each span set is the concatenation, over ``layers``, of the
    L2-normalised mean hidden state of its tokens.
    """
    n = len(texts)
    plain = np.zeros((n, encoder.dim), np.float32)
    width_out = encoder.dim * len(layers)
    mentions = [np.zeros((len(s), width_out), np.float32) for s in spans]
    if not n:
        return plain, mentions
    tokenizer = encoder.tokenizer
    enc = tokenizer(
        [PREFIX + t for t in texts],
        truncation=True,
        max_length=max_length,
        padding=False,
        return_offsets_mapping=True,
    )
    ids, offsets = enc["input_ids"], enc["offset_mapping"]

    def read(rows: Sequence[int], states: list[np.ndarray]) -> None:
        """Mention vectors of ``rows`` from their hidden states, one (rows, tokens, dim)
        array per layer."""
        for r, i in enumerate(rows):
            for k, span_set in enumerate(spans[i]):
                index = np.flatnonzero(mention_tokens(offsets[i], len(ids[i]), span_set))
                parts = [h[r, index].astype(np.float32).mean(0) for h in states]
                mentions[i][k] = np.concatenate([v / max(np.linalg.norm(v), 1e-12) for v in parts])

    pad = tokenizer.pad_token_id
    if encoder.forward is not None and layers == (-1,):  # compiled: one pass gives both
        batches = padded_batches(ids, encoder.forward.batch_size, pad)
        encoder.forward.run(
            ((r, i.numpy(), m.numpy()) for r, i, m in batches),
            plain,
            hidden=lambda rows, hidden: read(rows, [hidden]),
        )
        return plain, mentions
    import torch

    with torch.inference_mode():
        for rows, input_ids, mask in padded_batches(ids, batch_size, pad):
            output = encoder.model(
                input_ids=input_ids.to(encoder.device),
                attention_mask=mask.to(encoder.device),
                output_hidden_states=layers != (-1,),
            )
            n_real = len(rows)  # padded_batches may add rows to round the shape
            hidden = output.last_hidden_state[:n_real].float()
            states = (
                [hidden]
                if layers == (-1,)
                else [output.hidden_states[k][:n_real].float() for k in layers]
            )
            m = mask[:n_real].to(hidden.device).unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
            plain[rows] = torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy()
            read(rows, [h.cpu().numpy() for h in states])
    return plain, mentions
