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
    import torch

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
    with torch.inference_mode():
        for rows, input_ids, mask in padded_batches(ids, batch_size, tokenizer.pad_token_id):
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
            for r, i in enumerate(rows):
                length = len(ids[i])
                starts = np.array([o[0] for o in offsets[i]]) - len(PREFIX)
                ends = np.array([o[1] for o in offsets[i]]) - len(PREFIX)
                real = (ends > starts) & (np.arange(len(starts)) < length)
                for k, span_set in enumerate(spans[i]):
                    sel = np.zeros(len(starts), bool)
                    for s, e in span_set:
                        sel |= real & (starts < e) & (ends > s)
                    if not sel.any():
                        sel = np.arange(len(starts)) < length
                    index = torch.from_numpy(np.flatnonzero(sel)).to(hidden.device)
                    vec = torch.cat(
                        [torch.nn.functional.normalize(h[r, index].mean(0), dim=-1) for h in states]
                    )
                    mentions[i][k] = vec.cpu().numpy()
    return plain, mentions
