"""Is an article about the topic? The relevance filter every collected row goes through.

This module owns the one decision between a page and the database: an article with a
body must mention the topic (its English and Chinese keywords) itself, while a headline
or feed summary alone may instead name a target. Matching folds case, full-width forms
and Traditional characters, so the config's keywords match however an outlet writes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from mediastance.core.config import Target, Topic
from mediastance.core.language import HAN, to_simplified


class RelevanceMatcher:
    """Does a text mention the topic (EN/ZH keywords) or any target alias?

    An article with a body must mention the topic itself: a target named in passing
    (a phone launch "on sale on JD.com and Tmall", an earnings report) is not coverage of
    a counterfeit dispute. A headline or feed summary alone (a Google News item whose
    page could not be fetched) is too short to say so, and a target alias suffices.

    Matching folds case and full-width forms (NFKC) and Traditional to Simplified, so
    "ＩＡＣＣ", "iacc" and "淘寶" match "IACC" and "淘宝". Latin terms match on word
    boundaries ("fake" matches "anti-fake", not "fakery"); Han terms as substrings.
    """

    SHORT = 200  # characters of body below which a target alias alone is enough

    def __init__(self, topic: Topic, targets: Iterable[Target]) -> None:
        self._topic = _Terms({*topic.keywords_en, *topic.keywords_zh})
        self._targets = _Terms({alias for target in targets for alias in target.aliases})

    def matches(self, title: str | None, text: str | None = None) -> bool:
        folded = fold(f"{title or ''}\n{text or ''}")
        if self._topic.found_in(folded):
            return True
        return len(text or "") < self.SHORT and self._targets.found_in(folded)


class _Terms:
    """Folded terms: Latin ones on word boundaries, Han ones as substrings."""

    def __init__(self, terms: Iterable[str]) -> None:
        latin, han = [], []
        for term in terms:
            folded = fold(term)
            (han if HAN.search(folded) else latin).append(folded)
        self._han = sorted(set(han))
        self._latin = (
            re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(set(latin))) + r")\b")
            if latin
            else None
        )

    def found_in(self, folded: str) -> bool:
        if any(term in folded for term in self._han):
            return True
        return bool(self._latin and self._latin.search(folded))


def fold(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text).casefold())
