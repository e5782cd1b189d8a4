"""Sentence segmentation for English and Chinese text, mixed in one article or not.

Rules, by the characters around a terminator rather than by a declared language:

- A line break always ends a sentence (paragraphs, headlines, list items).
- Chinese terminators 。！？；… (and ASCII ``.!?;`` typed right after a Han character,
  as mixed-width text often has) always end a sentence. Closing quotes and brackets
  」』”’）that follow stay with the sentence they close.
- English ``.?!`` end a sentence only when whitespace and a capital, a digit, an opening
  quote or a Han character follow; so decimals (1.5 billion), domains (JD.com) and
  "...," he said. never split. A period after an abbreviation (U.S., Inc., e.g., a.m.)
  or an initial (Robert J. Barchiesi) ends a sentence only when a word that typically
  starts one (The, He, But...) follows; after a title (Mr., Dr.) never.
- A quote closed by ?! (English) or 。！？… (Chinese) and followed by a short attribution
  ("Why now?" Barchiesi asked. / “……。”他说。) is one sentence with it: the attribution
  alone would be a meaningless sentence and the quote would lose its speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediastance.core.language import HAN, detect_language


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    start: int  # offsets into the text given to split_sentences: text[start:end] == self.text
    end: int
    language: str | None


_CLOSERS = "」』”’\"'）)］]》】"
_TERMINATOR = re.compile(rf"(?P<term>(?:[。！？；．!?.;]|…)+)(?P<close>[{re.escape(_CLOSERS)}]*)")
_FULL_WIDTH_TERMS = set("。！？；．…")
_CJK_PUNCT = set("。！？；，、：」』”’）》】")

# Period after these never ends a sentence: a name always follows.
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "capt",
    "sgt", "rev", "hon", "st", "messrs", "mme",
}  # fmt: skip
# Period after these ends a sentence only before a typical sentence opener.
_ABBREVIATIONS = {
    "inc", "corp", "co", "ltd", "llc", "plc", "bros", "jr", "sr", "no", "nos", "vs", "etc",
    "approx", "dept", "est", "fig", "vol", "pp", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u", "u.s.a", "e.g",
    "i.e", "a.m", "p.m", "d.c",
}  # fmt: skip
_OPENERS = {
    "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "i",
    "you", "but", "and", "however", "in", "on", "at", "a", "an", "there", "his", "her",
    "their", "our", "meanwhile", "still", "yet", "so", "after", "before", "when", "while",
    "if", "as", "for", "since", "last", "earlier", "later", "both", "some", "many", "most",
}  # fmt: skip
_PRE_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_NEXT = re.compile(r"\s*[\"'“‘(\[]*([A-Za-z]*)")
# What may follow an English sentence end: whitespace then a capital, digit or opening
# quote; or a Han character, with or without whitespace.
_EN_NEXT = re.compile(r"(?:\s+[\"'“‘(\[]*[A-Z0-9]|\s*[\u3400-\u9fff])")

_EN_SAY = r"(?:said|says|asked|asks|added|adds|wrote|writes|told|tells|replied|insisted|noted|argued|warned|stated|claimed|explained)"
_EN_ATTRIBUTION_TAIL = re.compile(rf"\s+(?:[A-Z][\w.'’&-]*\s+){{1,4}}{_EN_SAY}\b")
_ZH_SAY = r"(?:说|說|表示|称|稱|指出|强调|強調|回应|回應|问|問|写道|寫道|补充|補充|透露)道?"
_ZH_ATTRIBUTION_TAIL = re.compile(rf"\s*[^。！？；“”「」『』\n]{{1,20}}?{_ZH_SAY}[。！？]")


def split_sentences(text: str, language: str | None = None) -> list[Sentence]:
    """Split text into trimmed, non-empty sentences with offsets and a language each.

    ``language`` is the article's language (detected from the whole text when None),
    used where a sentence cannot tell: one without letters, or a Latin sentence in a
    Latin-language article (py3langid is unreliable on a few words: "Sales rose 1.5
    billion." reads as French). A Han sentence is "zh"; a Latin sentence in a Chinese
    article gets its own detected language.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\r\n]+", text):
        start = line.start()
        for cut in _cuts(line.group()):
            spans.append((start, line.start() + cut))
            start = line.start() + cut
        spans.append((start, line.end()))
    if language is None:
        language = detect_language(text)
    sentences: list[Sentence] = []
    for start, end in spans:
        # Trim whitespace (including ideographic space) but keep offsets exact.
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if not re.search(r"\w", piece):
            continue
        begin = start + lead
        sentences.append(
            Sentence(len(sentences), piece, begin, begin + len(piece), _language(piece, language))
        )
    return sentences


def _cuts(line: str) -> list[int]:
    """Offsets in a line after which a sentence ends."""
    cuts = []
    for m in _TERMINATOR.finditer(line):
        term, close, end = m.group("term"), m.group("close"), m.end()
        if end >= len(line.rstrip()):
            continue  # the line end splits anyway
        before = line[m.start() - 1] if m.start() else ""
        rest = line[end:]
        chinese = bool(set(term) & _FULL_WIDTH_TERMS) or bool(
            before and (HAN.match(before) or before in _CJK_PUNCT)
        )
        if chinese:
            if term in (".", "．") and rest[:1].isdigit():
                continue  # 3.5亿 typed with a full-width point is still a number
            if close and _ZH_ATTRIBUTION_TAIL.match(rest):
                continue
            cuts.append(end)
            continue
        if set(term) <= {";"} or not _EN_NEXT.match(rest):
            continue
        if term == "." and not close and _is_abbreviation(line[: m.start()], rest):
            continue
        if close and set(term) & {"?", "!"} and _EN_ATTRIBUTION_TAIL.match(rest):
            continue
        cuts.append(end)
    return cuts


def _is_abbreviation(before: str, rest: str) -> bool:
    """Whether the period at the end of ``before`` belongs to an abbreviation or initial."""
    m = _PRE_WORD.search(before)
    if not m:
        return False
    word = m.group(1)
    if m.start() > 0 and before[m.start() - 1] not in " \t\"'“‘([":
        return False
    key = word.lower()
    if key in _TITLES:
        return True
    initial = len(word) == 1 and word.isupper()
    dotted = re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word) is not None
    if not (initial or dotted or key in _ABBREVIATIONS):
        return False
    next_word = _NEXT.match(rest).group(1).lower()
    return next_word not in _OPENERS


def _language(sentence: str, article_language: str | None) -> str | None:
    # In an article not in Chinese, only a Chinese sentence keeps its own language: the
    # Latin-script guess (py3langid, ~10 % of the time spent outside the encoder) is
    # never used there.
    latin = article_language if article_language != "zh" else None
    detected = detect_language(sentence, latin=latin)
    if detected is None:
        return article_language
    if article_language and article_language != "zh" and detected != "zh":
        return article_language
    return detected
