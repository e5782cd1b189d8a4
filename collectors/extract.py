"""Decoded HTML → title, main text and metadata of one article, from one parse of the page.

The page is parsed once into an lxml tree, which every step reads: metadata (title,
author, site name, canonical URL, ``lang``), the publication date, and the main text.
trafilatura does the main text on that tree (it works on a copy); it is handed text
that :mod:`collectors.decode` already decoded, because its own guessing loses about ten
points of body F1 on GB-family pages.

Main-text settings, chosen on the extraction benchmark (``benchmarks/bench_extraction.py``:
hand-labelled Chinese pages and the scrapinghub English set), not for any site:

- tables are included: older Chinese pages lay their body out in tables, and leaving
  them out lost about 25 points of character F1 there;
- precision first, without trafilatura's own fallback algorithms (readability, justext:
  a third of its time); when precision keeps only a scrap of what a recall-minded pass
  finds (a reprint notice instead of the story), the recall pass wins;
- the densest text block of the page (``extractor`` = ``densest-block``) is taken when
  trafilatura finds (almost) nothing, and when it holds at least half of what
  trafilatura kept: the rest is then a layout table's navigation rows and related
  links (about +1.5 points of character F1 on Chinese pages, none lost in English).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import htmldate
import lxml.html
import trafilatura
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata
from trafilatura.utils import load_html

from collectors.faults import stage
from mediastance.core.language import HAN, detect_language, detect_script

log = logging.getLogger(__name__)

TRAFILATURA = f"trafilatura {trafilatura.__version__}"
TRAFILATURA_RECALL = f"{TRAFILATURA} (recall)"
BLOCK = "densest-block"
MIN_TEXT = 80  # characters; less than this from trafilatura means it missed the body
SCRIPT_SAMPLE = 1000  # characters of text that tell Traditional from Simplified
# The precision pass is "a scrap" when shorter than this and than this share of recall's.
SCRAP_CHARS, SCRAP_SHARE = 300, 0.3
# The densest block replaces trafilatura's text when it is at least this long and holds
# at least this share of it.
MIN_BLOCK, BLOCK_SHARE = 200, 0.5

# Elements whose text is never article text, and those that break lines.
SKIP = frozenset(("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                  "select", "option", "button", "iframe", "textarea", "head", "title"))  # fmt: skip
INLINE = frozenset(("a", "b", "i", "u", "em", "strong", "span", "font", "br", "p", "sup", "sub",
                    "small", "big", "code", "s", "strike", "cite", "q", "abbr", "label",
                    "center", "wbr", "nobr", "tt", "ins", "del", "mark"))  # fmt: skip
BREAKS = frozenset(("p", "br", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
                    "h6", "table", "section", "article", "blockquote", "pre", "dd", "dt",
                    "ul", "ol"))  # fmt: skip


def extract_article(
    html: str, *, url: str, declared_language: str | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Extract one article; every key is present (None when unknown)."""
    today = today or dt.date.today()
    tree = parse_html(html)
    if tree is None:
        return _empty(url)
    meta = _page_metadata(tree, url)
    with stage("date"):
        published = find_published(tree, url=url, today=today)
    text, extractor = main_text(tree, url)
    title = meta["title"]
    with stage("language"):
        text_language = detect_language(f"{title or ''}\n{text}")
    language = text_language or _primary(declared_language) or _primary(meta["lang"])
    return {
        "title": _clean(title) or None,
        "text": text or None,
        "published": published,
        "author": meta["author"],
        "outlet": meta["sitename"] or urlsplit(url).hostname,
        "canonical_url": canonical_url(tree, url),
        "language": language,
        "script": _script(title, text) if language == "zh" else None,
        "extractor": extractor if text else None,
    }


def _script(title: str | None, text: str) -> str | None:
    # A sample tells the script; converting a whole long page costs milliseconds.
    return detect_script(f"{title or ''}{text[:SCRIPT_SAMPLE]}")


def parse_html(html: str) -> HtmlElement | None:
    """One lxml tree for every step; pages that trafilatura's loader rejects still parse."""
    tree = load_html(html) if html.strip() else None
    if tree is None and html.strip():
        try:
            parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
            tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
        except (ValueError, lxml.etree.ParserError) as exc:
            log.warning("unparseable page: %s", exc)
            return None
    return tree


def _empty(url: str) -> dict[str, Any]:
    keys = ("title", "text", "published", "author", "canonical_url", "language", "script")
    return {**dict.fromkeys(keys), "outlet": urlsplit(url).hostname, "extractor": None}


# -- main text ----------------------------------------------------------------------------


def main_text(tree: HtmlElement, url: str) -> tuple[str, str]:
    """The article's text and which extractor produced it (see the module docstring)."""
    precise = _text(_trafilatura(tree, url))
    text, extractor = precise, TRAFILATURA
    if len(precise) < SCRAP_CHARS:
        recalled = _text(_trafilatura(tree, url, recall=True))
        if len(recalled) >= MIN_TEXT and len(precise) < SCRAP_SHARE * len(recalled):
            text, extractor = recalled, TRAFILATURA_RECALL
    block = densest_block_text(tree)
    if len(text) < MIN_TEXT and len(block) > len(text):
        text, extractor = block, BLOCK
    elif BLOCK_SHARE * len(text) <= len(block) < len(text) and len(block) >= MIN_BLOCK:
        # One block holds most of what trafilatura kept; the rest is the layout table's
        # navigation rows, related links and page furniture around it.
        text, extractor = block, BLOCK
    return text, extractor


def _trafilatura(tree: HtmlElement, url: str, *, recall: bool = False) -> Any:
    try:
        return trafilatura.bare_extraction(
            tree,  # trafilatura works on a copy: the tree stays whole for the other steps
            url=url,
            with_metadata=False,  # metadata below, without a second date search
            include_comments=False,
            include_tables=True,
            favor_precision=not recall,
            favor_recall=recall,
            # No readability/justext comparison: it cost a third of the time for 0.1
            # (ZH) to 0.3 (EN) points of F1, which the fallbacks here make up for.
            fast=True,
        )
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile HTML
        log.warning("trafilatura failed on %s: %s", url, exc)
        return None


def _text(doc: Any) -> str:
    return _clean(doc.text) if doc is not None and doc.text else ""


def densest_block_text(tree: HtmlElement) -> str:
    """Fallback main text: the element holding the most text of its own, not in links.

    "Its own" is the text of its text nodes and inline children (``<p>``, ``<br>``,
    ``<font>``...), so a layout table's cell that holds the article beats the table
    around it, and a list of links scores nothing. One walk over the tree.
    """
    scores: dict[HtmlElement, list[int]] = {}  # owner → [text chars, link chars]
    stack: list[tuple[HtmlElement, HtmlElement, bool]] = [(tree, tree, False)]
    while stack:
        element, owner, in_link = stack.pop()
        tag = _tag(element)
        if tag is None or tag in SKIP:
            continue
        if tag not in INLINE:
            owner = element
        in_link = in_link or tag == "a"
        counts = scores.setdefault(owner, [0, 0])
        counts[in_link] += len((element.text or "").strip())
        for child in reversed(element):
            stack.append((child, owner, in_link))
            tail = len((child.tail or "").strip())
            if tail:
                counts[in_link] += tail
    best, best_score = None, 0
    for owner, (text, links) in scores.items():
        score = text - 2 * links
        if score > best_score and _tag(owner) != "html":
            best, best_score = owner, score
    return _block_text(best) if best is not None else ""


def _block_text(element: HtmlElement) -> str:
    parts: list[str] = [element.text or ""]
    for child in element:
        _walk_text(child, parts)
    return _clean("".join(parts))


def _walk_text(element: HtmlElement, parts: list[str]) -> None:
    tag = _tag(element)
    if tag is not None and tag not in SKIP:
        breaks = tag in BREAKS
        parts.append("\n" if breaks else "")
        parts.append(element.text or "")
        for child in element:
            _walk_text(child, parts)
        parts.append("\n" if breaks else "")
    parts.append(element.tail or "")


def _tag(element: Any) -> str | None:
    return element.tag.lower() if isinstance(element.tag, str) else None


# -- metadata -----------------------------------------------------------------------------


def _page_metadata(tree: HtmlElement, url: str) -> dict[str, Any]:
    """Title and site name as trafilatura finds them, the author from metadata or byline.

    trafilatura's own author search copies the whole tree and runs a score of XPath
    queries (4 ms a page, a fifth of the extraction); metadata and the byline by the
    headline find the author on news pages for a fraction of that.
    """
    found: dict[str, Any] = {"title": None, "author": None, "sitename": None}
    try:
        doc = trafilatura_metadata.examine_meta(tree)
        if doc.author and " " not in doc.author and not HAN.search(doc.author):
            doc.author = None  # trafilatura's rule: a one-word meta author is a handle
        doc = trafilatura_metadata.extract_meta_json(tree, doc)
        found["title"] = doc.title or trafilatura_metadata.extract_title(tree)
        found["author"] = doc.author
        found["sitename"] = doc.sitename or trafilatura_metadata.extract_sitename(tree)
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile HTML
        log.warning("trafilatura metadata failed on %s: %s", url, exc)
    og_site = _meta(tree, "og:site_name")
    found["sitename"] = og_site or (found["sitename"] or "").lstrip("@") or None
    found["title"] = found["title"] or _title(tree)
    found["author"] = found["author"] or _byline_author(tree)
    found["lang"] = _html_lang(tree)
    return found


# "作者：李镕", "记者 周晓岚", "By Hannah Whitcombe"
BYLINE_AUTHOR = re.compile(
    r"(?:作者|記者|记者|撰文|文)\s*[:：|]?\s*(?P<zh>[\u4e00-\u9fff·]{2,5})"
    r"|\b[Bb]y\s+(?P<en>[A-Z][\w.'-]+(?:\s+(?:[A-Z][\w.'-]+|de|van|von|al)){1,3})"
)


def _byline_author(tree: HtmlElement) -> str | None:
    """An author element (itemprop, rel or class "author"), else a byline by the headline."""
    for element in tree.xpath(
        './/*[@itemprop="author" or @rel="author" or contains(@class, "author")]'
    ):
        text = _clean(element.text_content())
        if 1 < len(text) < 60 and "\n" not in text:
            return text
    for _, text in _headline_window(tree):
        match = BYLINE_AUTHOR.search(text)
        if match:
            return match.group("zh") or match.group("en")
    return None


def canonical_url(tree: HtmlElement, url: str) -> str | None:
    for link in tree.iterfind(".//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel:
            absolute = urljoin(url, link.get("href").strip())
            if urlsplit(absolute).scheme in ("http", "https"):
                return absolute
    return None


def _meta(tree: HtmlElement, key: str) -> str | None:
    """Content of the first ``<meta>`` whose name, property or itemprop is ``key``."""
    for element in tree.iterfind(".//meta[@content]"):
        names = (element.get(a) or "" for a in ("name", "property", "itemprop"))
        if key in (n.strip().lower() for n in names):
            return _clean(element.get("content")) or None
    return None


def _title(tree: HtmlElement) -> str | None:
    og = _meta(tree, "og:title")
    if og:
        return og
    for tag in ("h1", "title"):
        element = tree.find(f".//{tag}")
        if element is not None and _clean(element.text_content()):
            return _clean(element.text_content())
    return None


def _html_lang(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("xml:lang")
    if lang:
        return lang
    for element in tree.iterfind(".//meta[@http-equiv]"):
        if element.get("http-equiv", "").strip().lower() == "content-language":
            return element.get("content")
    return None


def _primary(tag: str | None) -> str | None:
    if not tag or not isinstance(tag, str):
        return None
    return tag.strip().replace("_", "-").split("-")[0].lower() or None


def _clean(text: str | None) -> str:
    if not text:
        return ""
    lines = (re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# -- publication date ---------------------------------------------------------------------

# Metadata that states the publication date (name, property or itemprop, lower case).
DATE_META = ("article:published_time", "og:published_time", "og:article:published_time",
             "datepublished", "publishdate", "publish_date", "publish-date", "pubdate",
             "publication_date", "dc.date.issued", "dc.date", "dcterms.issued",
             "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date",
             "citation_publication_date", "article.published", "ptime")  # fmt: skip
MONTHS = {m: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for m in names}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "2016年5月18日 09:32", "2015-01-23", "2015/1/23", "2015.01.23", "May 13, 2016",
# "13 May 2016". A visible date, in a byline or anywhere else.
VISIBLE_DATE = re.compile(
    r"(?P<zy>\d{4})\s*年\s*(?P<zm>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*日"
    r"|(?<!\d)(?P<ny>(?:19|20)\d{2})[-/.](?P<nm>\d{1,2})[-/.](?P<nd>\d{1,2})(?!\d)"
    rf"|\b(?P<em>{_MONTH})\.?\s+(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<ey>\d{{4}})\b"
    rf"|\b(?P<fd>\d{{1,2}})\s+(?P<fm>{_MONTH})\.?,?\s+(?P<fy>\d{{4}})\b",
    re.I,
)
# Dates in the path: /2015-01/23/, /2015/01/23/, /20150123/, t20150123_1.htm
URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
HEADLINE_WINDOW = 300  # characters of text after the headline where a byline date sits
BEFORE_HEADLINE = 120  # and before it (a dateline above the title)
OFF_BYLINE = frozenset(("a", "li", "option", "footer", "aside", "nav", "ul", "ol", "select"))


def find_published(
    page: HtmlElement | str, *, url: str | None = None, today: dt.date
) -> str | None:
    """Publication date as YYYY-MM-DD, never after ``today``.

    Order: metadata (meta tags, JSON-LD, ``<time>``); then a visible date in the byline
    next to the headline, where a date that the URL also carries wins over the others;
    then the URL's own date; then the first visible date outside links, lists and
    footers; then htmldate, unless it found one of those. Dates in related-links lists,
    "latest news" boxes and footers, which are usually earlier than the article, never
    win: no date is better than another story's.
    """
    tree = parse_html(page) if isinstance(page, str) else page
    if tree is None:
        return None
    url_date = _url_date(url, today)
    for candidate in _metadata_dates(tree):
        if (date := _date(candidate, today)) is not None:
            return date
    byline = list(_byline_dates(tree, today))
    if byline:
        return url_date if url_date in byline else byline[0]
    if url_date:
        return url_date
    listed = set()  # dates seen only in links, lists and footers
    for element, date in _visible_dates(tree, today):
        if not _off_byline(element):
            return date
        listed.add(date)
    found = _htmldate(tree, today)
    return None if found in listed else found


def _metadata_dates(tree: HtmlElement) -> Iterator[str]:
    for key in DATE_META:
        value = _meta(tree, key)
        if value:
            yield value
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" in script.get("type", "") and script.text:
            try:
                yield from _json_dates(json.loads(script.text))
            except (ValueError, RecursionError):
                continue
    for element in tree.iterfind(".//time[@datetime]"):
        if element.get("itemprop") == "datePublished" or "pubdate" in element.attrib:
            yield element.get("datetime")


def _json_dates(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        if isinstance(data.get("datePublished"), str):
            yield data["datePublished"]
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _json_dates(value)
    elif isinstance(data, list):
        for value in data:
            yield from _json_dates(value)


def _byline_dates(tree: HtmlElement, today: dt.date) -> Iterator[str]:
    """Visible dates just below (or just above) the headline, outside links and lists."""
    for _, text in _headline_window(tree):
        yield from _dates_in(text, today)


def _headline_window(tree: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """Text next to the h1 where bylines sit: after it, then a dateline just above it.

    Text in links, lists, footers and sidebars is left out: related stories live there.
    """
    headline = tree.find(".//h1")
    if headline is None or not _clean(headline.text_content()):
        return
    before: list[tuple[HtmlElement, str]] = []
    after = 0
    seen_headline = False
    for element, text in _text_nodes(tree):
        if element is headline or headline in element.iterancestors():
            seen_headline = True
            continue
        if not seen_headline:
            before.append((element, text))
            continue
        if not _off_byline(element):
            yield element, text
        after += len(text.strip())
        if after > HEADLINE_WINDOW:
            break
    tail, length = [], 0
    for element, text in reversed(before):
        length += len(text.strip())
        if length > BEFORE_HEADLINE:
            break
        tail.append((element, text))
    for element, text in reversed(tail):
        if not _off_byline(element):
            yield element, text


def _visible_dates(tree: HtmlElement, today: dt.date) -> Iterator[tuple[HtmlElement, str]]:
    for element, text in _text_nodes(tree):
        for date in _dates_in(text, today):
            yield element, date


def _text_nodes(tree: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """(element holding it, text) for every visible text node, in document order."""
    body = tree.find(".//body")
    for element in (body if body is not None else tree).iter():
        tag = _tag(element)
        if tag is None or tag in ("script", "style", "noscript", "head", "title"):
            if element.tail and element.tail.strip():
                parent = element.getparent()
                yield (parent if parent is not None else element), element.tail
            continue
        if element.text and element.text.strip():
            yield element, element.text
        if element.tail and element.tail.strip():
            parent = element.getparent()
            yield (parent if parent is not None else element), element.tail


def _off_byline(element: HtmlElement) -> bool:
    """In a link, a list, a footer or a sidebar: where related and older stories are."""
    if _tag(element) in OFF_BYLINE:
        return True
    for parent in element.iterancestors():
        if _tag(parent) in OFF_BYLINE:
            return True
    return False


def _dates_in(text: str, today: dt.date) -> Iterator[str]:
    for match in VISIBLE_DATE.finditer(text):
        groups = match.groupdict()
        if groups["zy"]:
            parts = (groups["zy"], groups["zm"], groups["zd"])
        elif groups["ny"]:
            parts = (groups["ny"], groups["nm"], groups["nd"])
        elif groups["em"]:
            parts = (groups["ey"], MONTHS[groups["em"].lower()], groups["ed"])
        else:
            parts = (groups["fy"], MONTHS[groups["fm"].lower()], groups["fd"])
        date = _valid(*(int(p) for p in parts), today)
        if date is not None:
            yield date


def _url_date(url: str | None, today: dt.date) -> str | None:
    if not url:
        return None
    for match in URL_DATE.finditer(urlsplit(url).path):
        date = _valid(*(int(g) for g in match.groups()), today)
        if date is not None:
            return date
    return None


def _date(value: str, today: dt.date) -> str | None:
    """A metadata value (ISO 8601, "2015/01/23 10:00", "2015年1月23日") as YYYY-MM-DD."""
    match = re.search(r"(\d{4})[-/.年]\s*(\d{1,2})[-/.月]\s*(\d{1,2})", value or "")
    if not match:
        compact = re.match(r"\s*((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)", value or "")
        if not compact:
            return None
        match = compact
    return _valid(*(int(g) for g in match.groups()), today)


def _valid(year: int, month: int, day: int, today: dt.date) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date.isoformat() if dt.date(1995, 1, 1) <= date <= today else None


def _htmldate(tree: HtmlElement, today: dt.date) -> str | None:
    for extensive in (False,):
        try:
            found = htmldate.find_date(
                tree,
                extensive_search=extensive,
                original_date=True,
                outputformat="%Y-%m-%d",
                max_date=today.isoformat(),
            )
        except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile HTML
            log.warning("htmldate failed: %s", exc)
            found = None
        if found:
            return found
    return None
