"""The bundled demo corpus (mediastance/demo/corpus) and its gold story labels.

The corpus is what `mediastance demo` serves on loopback, and the gold file is the labeled
fixture of the story-clustering evaluation, so both have to stay consistent: every page
exists, decodes strictly under the charset it declares, carries the metadata the collectors
read, and every feed lists only pages that exist.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "mediastance" / "demo"
CORPUS = DEMO / "corpus"
GOLD = json.loads((DEMO / "stories_gold.json").read_text(encoding="utf-8"))
ARTICLES = GOLD["articles"]
BY_PATH = {a["path"]: a for a in ARTICLES}
BASE = "http://127.0.0.1:8765"
FEEDS = ["en.xml", "zh.xml", "newsroom.xml"]
# GB2312 and GBK declarations are decoded as GB18030 (real pages declare gb2312 and use GBK)
BODY = "div.article-body > p, div.post-content > p, div#text > p"  # the three page templates
CODEC = {"utf-8": "utf-8", "gb2312": "gb18030", "gbk": "gb18030", "big5": "big5"}


def declared_charset(raw: bytes) -> str:
    m = re.search(rb'<meta charset="([^"]+)"', raw[:2048])
    assert m, "no <meta charset>"
    return m.group(1).decode("ascii").lower()


def page(path: str) -> tuple[bytes, str]:
    raw = (CORPUS / path.lstrip("/")).read_bytes()
    return raw, raw.decode(CODEC[declared_charset(raw)])  # strict


def body_text(path: str) -> str:
    soup = BeautifulSoup(page(path)[1], "html.parser")
    return "\n".join(p.get_text() for p in soup.select(f"h1, {BODY}"))


def is_distractor(story: str) -> bool:
    return GOLD["stories"][story].startswith("Distractor:")


def test_gold_shape_and_paths_exist():
    assert len(ARTICLES) >= 44
    assert len(BY_PATH) == len(ARTICLES), "duplicate paths in gold"
    for a in ARTICLES:
        assert a["story"] in GOLD["stories"], a
        assert a["language"] in ("en", "zh")
        assert a["path"].startswith(f"/{a['language']}/")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", a["published"])
        assert (CORPUS / a["path"].lstrip("/")).is_file(), a["path"]
    pages = {"/" + p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.html")}
    assert pages == set(BY_PATH), "pages on disk and gold articles differ"


def test_language_mix():
    langs = Counter(a["language"] for a in ARTICLES)
    assert min(langs.values()) >= 0.4 * len(ARTICLES), langs
    hant = [a for a in ARTICLES if a["script"] == "Hant"]
    assert 4 <= len(hant) <= 6


@pytest.mark.parametrize("path", sorted(BY_PATH))
def test_page_decodes_and_has_metadata(path):
    gold = BY_PATH[path]
    raw, text = page(path)
    charset = declared_charset(raw)
    assert charset == gold["charset"]
    assert "\ufffd" not in text
    soup = BeautifulSoup(text, "html.parser")
    assert soup.html["lang"].lower().startswith(gold["language"])
    assert soup.title and soup.title.get_text().strip()
    assert soup.h1.get_text().strip() == gold["title"]
    assert soup.find("meta", property="og:site_name")["content"] == gold["outlet"]
    assert soup.find("link", rel="canonical")["href"].startswith("https://")
    meta = soup.find("meta", property="article:published_time")
    if meta is not None:
        published = meta["content"]
    else:
        ld = json.loads(soup.find("script", type="application/ld+json").string)
        published = ld["datePublished"]
    assert published[:10] == gold["published"]
    # the local date is also the UTC date, so the gold date does not depend on time zones
    utc = datetime.fromisoformat(published.replace("Z", "+00:00")).astimezone(UTC)
    assert utc.date().isoformat() == gold["published"]
    paragraphs = soup.select(BODY)
    assert 4 <= len(paragraphs) <= 10, len(paragraphs)


def test_encodings_cover_the_known_traps():
    charsets = Counter(a["charset"] for a in ARTICLES)
    assert charsets["gbk"] + charsets["gb2312"] >= 3
    assert charsets["big5"] >= 2
    # at least one page declares gb2312 but needs GBK: strict gb2312 fails, gb18030 works
    trap = 0
    for a in ARTICLES:
        if a["charset"] == "gb2312":
            raw = (CORPUS / a["path"].lstrip("/")).read_bytes()
            try:
                raw.decode("gb2312")
            except UnicodeDecodeError:
                trap += 1
    assert trap >= 1


def test_stories_cover_both_languages():
    langs = defaultdict(set)
    for a in ARTICLES:
        langs[a["story"]].add(a["language"])
    events = [s for s, ls in langs.items() if ls == {"en", "zh"} and not is_distractor(s)]
    assert len(events) >= 7, events
    assert all(s in langs for s in GOLD["stories"]), "story without articles"


def test_distractors_share_company_and_day_with_a_story():
    distractors = [a for a in ARTICLES if is_distractor(a["story"])]
    assert len(distractors) >= 4
    event_days = {
        a["published"] for a in ARTICLES if not is_distractor(a["story"]) and a["relevant"]
    }
    same_day = [a for a in distractors if a["published"] in event_days]
    assert len(same_day) >= 4, [a["path"] for a in same_day]
    assert all(a["relevant"] for a in distractors)


def test_duplicates_are_later_copies_in_their_originals_story():
    dups = [a for a in ARTICLES if a["duplicate_of"]]
    assert len(dups) >= 2
    for a in dups:
        original = BY_PATH[a["duplicate_of"]]
        assert original["duplicate_of"] is None
        assert a["story"] == original["story"]
        assert a["outlet"] != original["outlet"]
        assert a["title"] != original["title"]
        assert a["published"] > original["published"]
        strip_h1 = lambda t: t.split("\n", 1)[1]  # noqa: E731
        assert strip_h1(body_text(a["path"])) == strip_h1(body_text(original["path"]))


def test_relevance_keywords():
    default = ROOT / "mediastance" / "core" / "default_config.toml"
    topic = tomllib.loads(default.read_text())["topic"]
    keywords = {"en": topic["keywords_en"], "zh": topic["keywords_zh"]}
    off = [a for a in ARTICLES if not a["relevant"]]
    assert len(off) >= 1
    for a in ARTICLES:
        text = body_text(a["path"]).lower()
        hits = [k for k in keywords[a["language"]] if k.lower() in text]
        if a["relevant"]:
            assert hits, f"{a['path']} has no topic keyword"
        else:
            assert not hits, f"{a['path']} should be off-topic but has {hits}"


def test_statement_pairs_quote_real_text():
    pairs = GOLD["statement_pairs"]
    assert any(
        p["organisation"] == "Alibaba" and p["story"] == "iacc-2016" and "私利绑架" in p["zh_quote"]
        for p in pairs
    )
    for p in pairs:
        assert p["story"] in GOLD["stories"]
        for lang in ("en", "zh"):
            a = BY_PATH[p[f"{lang}_path"]]
            assert a["language"] == lang and a["story"] == p["story"]
            assert p[f"{lang}_quote"] in body_text(a["path"]), (
                p[f"{lang}_path"],
                p[f"{lang}_quote"],
            )


@pytest.mark.parametrize("name", FEEDS)
def test_feed_parses_and_lists_existing_pages(name):
    raw = (CORPUS / "feeds" / name).read_bytes()
    assert b"{base}" in raw
    parsed = feedparser.parse(raw.replace(b"{base}", BASE.encode()))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.link.startswith(BASE + "/")
        path = entry.link[len(BASE) :]
        assert path in BY_PATH, path
        assert (CORPUS / path.lstrip("/")).is_file()
        assert entry.title == BY_PATH[path]["title"]
        assert BY_PATH[path]["feed"] == name.removesuffix(".xml")


def test_every_article_is_in_exactly_one_feed():
    listed = Counter()
    for name in FEEDS:
        raw = (CORPUS / "feeds" / name).read_bytes().replace(b"{base}", BASE.encode())
        listed.update(e.link[len(BASE) :] for e in feedparser.parse(raw).entries)
    assert set(listed) == set(BY_PATH)
    assert set(listed.values()) == {1}
