"""Mentions of the configured targets (aliases and people) in a text.

Matching happens on a folded copy of the text, one character of the original at a time so
offsets map back exactly: NFKC (full-width ＩＡＣＣ → IACC, ideographic space → space),
casefold, and OpenCC Traditional → Simplified (淘寶 → 淘宝). Aliases are folded the same
way, so a Traditional text matches a Simplified alias and the other way round.

- Latin aliases match on word boundaries: "eBay's" and "Alibaba’s" match, "JD.com" keeps
  its dot, but "Amazon" does not match inside "Amazonian" (an adjective about the
  rainforest, never the company) and "PDD" not inside "PDDs". A Han character next to a
  Latin alias is a boundary (在Amazon上).
- Han aliases match as substrings (Chinese has no spaces), longest first: 阿里巴巴 is one
  mention, not 阿里 + 阿里巴巴; 国家工商总局 is not also 工商总局. Known cost: 阿里 also
  matches in 阿里山 (a mountain in Taiwan).
- A person in ``Target.people`` is a mention of that target.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from mediastance.core.config import Target
from mediastance.core.language import to_simplified


@dataclass(frozen=True)
class Mention:
    target: str
    alias: str  # as written in the text
    start: int
    end: int


def find_mentions(text: str, targets: Sequence[Target]) -> list[Mention]:
    """Every non-overlapping mention of a target's alias or person, in text order."""
    if not text:
        return []
    return list(_mentions(text, tuple(targets)))


@lru_cache(maxsize=4096)
def _mentions(text: str, targets: tuple[Target, ...]) -> tuple[Mention, ...]:
    # Cached: analyze asks again for a statement that is its whole sentence, and for
    # sentences that agency copy repeats across articles.
    pattern, owners = _matcher(targets)
    if pattern is None:
        return ()
    folded, origin = fold(text)
    mentions = []
    for m in pattern.finditer(folded):
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        key = re.sub(r"\s+", " ", m.group())
        mentions.append(Mention(owners[key], text[start:end], start, end))
    return tuple(mentions)


class _CharFold(dict):
    """``str.translate`` table: each character's NFKC casefold, worked out once."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code)).casefold()
        self[code] = folded
        return folded


_FOLD = _CharFold()


def fold(text: str) -> tuple[str, list[int]]:
    """The matching form of a text and, for each of its characters, the original offset."""
    if text.isascii():  # NFKC leaves ASCII alone, casefold is lower, OpenCC has no ASCII
        return text.lower(), list(range(len(text)))
    # Characters fold one by one (so offsets map back); str.translate does it in C, and
    # when every character folds to one, offsets are unchanged.
    joined = text.translate(_FOLD)
    if len(joined) == len(text) and all(len(_FOLD[ord(ch)]) == 1 for ch in set(text)):
        origin = list(range(len(text)))
    else:
        origin = [i for i, ch in enumerate(text) for _ in range(len(_FOLD[ord(ch)]))]
    simplified = to_simplified(joined)
    if len(simplified) != len(joined):
        # OpenCC converted a phrase to one of another length: convert character by
        # character instead, which keeps the offsets (and is enough for aliases).
        simplified = "".join(s if len(s := to_simplified(ch)) == 1 else ch for ch in joined)
    return simplified, origin


def fold_alias(alias: str) -> str:
    return re.sub(r"\s+", " ", fold(alias)[0].strip())


_WORD = "a-z0-9\u00e0-\u024f"


@lru_cache(maxsize=16)
def _matcher(targets: tuple[Target, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One alternation over all aliases and people of the targets, longest first."""
    owners: dict[str, str] = {}
    for target in targets:
        for alias in (*target.aliases, *target.people):
            owners.setdefault(fold_alias(alias), target.name)
    if not owners:
        return None, owners
    alternatives = []
    for alias in sorted(owners, key=lambda a: (-len(a), a)):
        body = r"\s+".join(re.escape(part) for part in alias.split(" "))
        if re.match(f"[{_WORD}]", alias):
            body = f"(?<![{_WORD}]){body}"
        if re.search(f"[{_WORD}]$", alias):
            body = f"{body}(?![{_WORD}])"
        alternatives.append(body)
    return re.compile("|".join(alternatives)), owners
