"""Language and script of a text, from the characters themselves.

Declared ``<html lang>`` tags and feed languages are often wrong (a Chinese page served
with ``lang="en"`` by its CMS template), so both the collectors and the analysis ask the
text. Han-character share decides Chinese; Latin text goes to py3langid. Traditional vs
Simplified is decided by which characters change under OpenCC's conversions.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
KANA = re.compile(r"[\u3040-\u30ff]")
HANGUL = re.compile(r"[\uac00-\ud7af]")


def han_share(text: str) -> float:
    """Share of Han characters among the letters of a text (0 when it has none)."""
    han = len(HAN.findall(text))
    latin = len(LATIN.findall(text))
    # One Han character carries about a word; weigh Latin letters per ~5-letter word.
    total = han + latin / 5
    return han / total if total else 0.0


def detect_language(text: str | None, *, latin: str | None = None) -> str | None:
    """'zh', 'en' (or another ISO 639-1 code for Latin text), or None for no letters.

    ``latin``: the answer for Latin-script text, when the caller already knows it (a
    sentence of an English article): py3langid is then not asked.
    """
    if not text or not text.strip():
        return None
    sample = text[:5000]
    if KANA.search(sample) and len(KANA.findall(sample)) > 0.1 * len(HAN.findall(sample)):
        return "ja"
    if len(HANGUL.findall(sample)) > len(HAN.findall(sample)):
        return "ko"
    share = han_share(sample)
    if share >= 0.5:
        return "zh"
    if not LATIN.search(sample):
        return "zh" if share > 0 else None
    if share >= 0.3:
        return "zh"
    if latin:
        return latin
    code = _langid(sample)
    # py3langid confuses short English headlines with neighbours; when the text is
    # mostly ASCII words and the guess is a low-resource code, English is the better bet.
    return code if code in _TRUSTED_LATIN else "en"


_TRUSTED_LATIN = {"en", "fr", "de", "es", "it", "pt", "nl", "id", "ms", "vi", "tr", "pl"}


_LANGID_LOADING = threading.Lock()
_langid_loaded = False


def _langid(text: str) -> str:
    import py3langid

    global _langid_loaded
    if not _langid_loaded:
        # py3langid unpacks its model (about 1.5 s of CPU) on the first classify();
        # the collectors' fetch threads all got there at once and each unpacked its own
        # copy, which made a cold collect seconds slower. Load it once.
        with _LANGID_LOADING:
            code, _ = py3langid.classify(text)
            _langid_loaded = True
            return code
    code, _ = py3langid.classify(text)
    return code


@lru_cache(maxsize=1)
def _converters():
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def detect_script(text: str | None) -> str | None:
    """'Hant' (Traditional), 'Hans' (Simplified) or None when the text has no Han."""
    if not text:
        return None
    han = "".join(HAN.findall(text[:5000]))
    if not han:
        return None
    t2s, s2t = _converters()
    as_simplified = t2s.convert(han)
    as_traditional = s2t.convert(han)
    traditional_only = sum(a != b for a, b in zip(han, as_simplified, strict=False))
    simplified_only = sum(a != b for a, b in zip(han, as_traditional, strict=False))
    return "Hant" if traditional_only > simplified_only else "Hans"


def to_simplified(text: str) -> str:
    """Simplified form of a text, for matching only: the stored text keeps its script."""
    return _converters()[0].convert(text)
