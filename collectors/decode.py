"""Bytes to text for pages and feeds whose declared charsets cannot be trusted.

Chinese sites disagree with themselves: the HTTP header says ISO-8859-1 (a server
default) while ``<meta>`` says GBK; a page declares GB2312 but contains GBK-only
characters; a template declares UTF-8 around a GBK article. The rules:

- a byte-order mark wins;
- GB2312 and GBK declarations are decoded as GB18030, their superset; Big5 as CP950 (then
  Big5-HKSCS), Microsoft's Big5 that web pages actually use. Traditional text stays
  Traditional: nothing is converted here;
- declared charsets are tried strictly, the HTTP header first, then ``<meta charset>``,
  ``<meta http-equiv>`` and the XML declaration. A Western single-byte declaration
  (latin-1 decodes any bytes) yields to a multi-byte declaration that also decodes;
- bytes that fail under every declaration are re-detected with charset-normalizer. They
  are never decoded with ``errors="replace"``: a U+FFFD in an article is a bug here.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

SNIFF_BYTES = 4096

# Declared name → codec actually used. WHATWG maps latin-1/ascii to windows-1252 too.
_SUPERSETS = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "gb18030": ("gb18030",),
    "big5": ("cp950", "big5hkscs"),
    "big5hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "iso8859-1": ("cp1252", "iso8859-1"),
    "ascii": ("cp1252", "iso8859-1"),
    "cp1252": ("cp1252", "iso8859-1"),
}
_CHINESE = {"gb18030", "cp950", "big5hkscs"}
_SINGLE_BYTE_WESTERN = {"cp1252", "iso8859-1", "iso8859-15", "ascii"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""", re.I)


class DecodeError(Exception):
    """No declared charset fits the bytes and detection found nothing either."""


def canonical_codec(name: str | None) -> str | None:
    """Python's codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def codecs_for(declared: str) -> tuple[str, ...]:
    """Codecs to try for a declared charset (supersets first)."""
    name = canonical_codec(declared)
    if name is None:
        return ()
    return _SUPERSETS.get(name, (name,))


def declared_charsets(content: bytes) -> list[str]:
    """Charsets declared inside the document: XML declaration, then ``<meta>`` tags."""
    head = content[:SNIFF_BYTES]
    found = []
    match = _XML_DECL.search(head)
    if match:
        found.append(match.group(1).decode("ascii"))
    for match in _META_CHARSET.finditer(head):
        found.append(match.group(1).decode("ascii"))
    return found


def _bom(content: bytes) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            return name
    return None


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(content: bytes, *, header_charset: str | None = None) -> tuple[str, str]:
    """Decode a page or feed; return (text, codec that won).

    >>> decode("假货".encode("gbk"), header_charset="gb2312")
    ('假货', 'gb18030')
    """
    if not content:
        return "", "utf-8"
    bom = _bom(content)
    if bom:
        return content.decode(bom), bom
    if not content.isascii():
        # Valid UTF-8 with non-ASCII bytes is almost never an accident, while GB18030
        # and latin-1 decode UTF-8 bytes "successfully" into mojibake: UTF-8 wins.
        text = _strict(content, "utf-8")
        if text is not None:
            return text, "utf-8"
    declared = [c for c in (header_charset, *declared_charsets(content)) if c]
    tried: list[str] = []
    for name in declared:
        for codec in codecs_for(name):
            if codec not in tried:
                tried.append(codec)
    successes = [(codec, text) for codec in tried if (text := _strict(content, codec)) is not None]
    if not tried and content.isascii():
        return content.decode("ascii"), "utf-8"
    if not successes:
        return _detect(content, exclude=tried)
    codec, text = successes[0]
    if codec in _SINGLE_BYTE_WESTERN and not content.isascii():
        # latin-1/cp1252 decode almost any bytes, and a server default of ISO-8859-1 in
        # the header is common: a multi-byte declaration that also decodes cleanly is the
        # better witness, and failing that, detection.
        multi = [s for s in successes if s[0] not in _SINGLE_BYTE_WESTERN]
        if multi:
            return multi[0][1], multi[0][0]
        try:
            detected, detected_codec = _detect(content, exclude=[])
        except DecodeError:
            return text, codec
        if detected_codec in _CHINESE:
            return detected, detected_codec
    return text, codec


def _detect(content: bytes, *, exclude: list[str]) -> tuple[str, str]:
    """charset-normalizer's best guess, decoded strictly (GB2312 guesses as GB18030)."""
    results = from_bytes(content)
    for match in results:
        for codec in codecs_for(match.encoding) or (match.encoding,):
            if codec in exclude:
                continue
            text = _strict(content, codec)
            if text is not None:
                return text, codec
    # The declared codec failed, detection found nothing clean: GB18030 is the widest
    # table we know, and if it fails too we say so rather than invent characters.
    for codec in ("gb18030", "cp950"):
        text = _strict(content, codec)
        if text is not None and codec not in exclude:
            return text, codec
    raise DecodeError("bytes do not decode under any declared or detected charset")
