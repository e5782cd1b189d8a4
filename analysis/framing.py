"""Framing words: the loaded words a story's coverage uses about a target, per outlet.

The lexicon is short and hand-written for this domain (counterfeit disputes on
e-commerce platforms). Each entry is a category with English and Chinese forms; a hit
counts toward every target mentioned in the same sentence (the headline is a sentence
too), or toward the article's most-mentioned target when the sentence names none
("Several commentaries called it humiliating." after a sentence about Alibaba).

Matching runs on the folded text of :func:`analysis.mentions.fold` (NFKC, casefold,
Traditional → Simplified), so 蒙羞/矇羞 and 假貨/假货 are one word. English forms match on
word boundaries with their inflections listed explicitly (no stemmer: "fake" must not
match "fakery" by accident, and "shamed" must not match "ashamed"). Chinese forms match
as substrings, longest first, so 假冒伪劣 is one hit and not also 假冒.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlite_utils

from analysis.mentions import find_mentions, fold
from analysis.sentences import split_sentences
from mediastance.core.config import Target

# category -> (English forms, Chinese forms). The word stored is the form as listed here
# (Simplified for Chinese), so counts of 假貨 and 假货 add up under 假货.
LEXICON: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "humiliation": (
        (
            "humiliating",
            "humiliation",
            "humiliated",
            "shamed",
            "disgrace",
            "disgraced",
            "embarrassing",
            "embarrassment",
            "loss of face",
            "snub",
            "snubbed",
        ),
        ("屈辱", "蒙羞", "耻辱", "丢脸", "颜面扫地", "难堪", "羞辱"),
    ),
    "fake": (
        (
            "fake",
            "fakes",
            "knockoff",
            "knockoffs",
            "knock-off",
            "knock-offs",
            "bogus",
            "pirated",
            "shoddy",
        ),
        ("假货", "山寨", "假冒伪劣", "仿冒", "高仿", "售假", "冒牌"),
    ),
    "crackdown": (
        ("crackdown", "crack down", "cracking down", "clampdown", "clamp down", "purge", "purged"),
        ("打假", "严打", "整治", "重拳", "专项行动", "约谈"),
    ),
    "kidnapped": (
        ("kidnapped", "hijacked", "held hostage", "hostage", "personal interests"),
        ("绑架", "挟持", "私利", "要挟"),
    ),
    "regret": (
        (
            "regrettable",
            "regret",
            "regrets",
            "disappointed",
            "disappointing",
            "step in the wrong direction",
        ),
        ("遗憾", "失望"),
    ),
    "notorious": (
        ("notorious", "notoriety", "infamous", "blacklist", "blacklisted", "rife"),
        ("恶名", "臭名昭著", "声名狼藉", "黑名单", "泛滥", "重灾区"),
    ),
    "unfair": (
        (
            "unfair",
            "unfairly",
            "double standard",
            "double standards",
            "bully",
            "bullying",
            "ganging up",
            "smear",
            "smears",
            "biased",
            "politicised",
            "politicized",
        ),
        ("不公", "双重标准", "双标", "霸凌", "抹黑", "偏见", "政治化", "恶意"),
    ),
}
LEXICON_VERSION = hashlib.sha1(repr(sorted(LEXICON.items())).encode()).hexdigest()[:10]

# An English gloss of each Chinese form, for readers of the charts (not used in matching).
GLOSSES: dict[str, str] = {
    "屈辱": "humiliation",
    "蒙羞": "brought shame",
    "耻辱": "disgrace",
    "丢脸": "lose face",
    "颜面扫地": "utterly lose face",
    "难堪": "embarrassing",
    "羞辱": "humiliate",
    "假货": "fake goods",
    "山寨": "knockoff",
    "假冒伪劣": "fake and shoddy",
    "仿冒": "counterfeit",
    "高仿": "high-grade fake",
    "售假": "selling fakes",
    "冒牌": "imitation brand",
    "打假": "anti-counterfeiting",
    "严打": "strike hard",
    "整治": "rectify",
    "重拳": "heavy blow",
    "专项行动": "special campaign",
    "约谈": "summoned for talks",
    "绑架": "kidnapped",
    "挟持": "held hostage",
    "私利": "private interests",
    "要挟": "coerce",
    "遗憾": "regrettable",
    "失望": "disappointed",
    "恶名": "notorious",
    "臭名昭著": "infamous",
    "声名狼藉": "disreputable",
    "黑名单": "blacklist",
    "泛滥": "rampant",
    "重灾区": "worst-hit area",
    "不公": "unfair",
    "双重标准": "double standard",
    "双标": "double standard",
    "霸凌": "bullying",
    "抹黑": "smear",
    "偏见": "prejudice",
    "政治化": "politicised",
    "恶意": "malicious",
}


def gloss(word: str | None) -> str | None:
    """The word with its English gloss, 假货 → "假货 (fake goods)"; English words as they are."""
    if word is None:
        return None
    return f"{word} ({GLOSSES[word]})" if word in GLOSSES else word


@dataclass(frozen=True)
class FramingHit:
    category: str
    word: str
    targets: tuple[str, ...]
    sentence: str


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    owners: dict[str, tuple[str, str]] = {}
    latin: list[str] = []
    han: list[str] = []
    for category, (en_forms, zh_forms) in LEXICON.items():
        for form in en_forms:
            key = fold(form)[0]
            owners[key] = (category, form)
            latin.append(key)
        for form in zh_forms:
            key = fold(form)[0]
            owners[key] = (category, form)
            han.append(key)
    latin_alt = "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(latin, key=len, reverse=True)
    )
    han_alt = "|".join(re.escape(w) for w in sorted(han, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{latin_alt})(?![\w-])|(?:{han_alt})")
    return pattern, owners


def find_framing_words(text: str) -> list[tuple[str, str]]:
    """(category, word) for every lexicon hit in ``text``, in order."""
    pattern, owners = _patterns()
    folded = fold(text)[0]
    return [owners[re.sub(r"\s+", " ", m.group())] for m in pattern.finditer(folded)]


def framing_hits(
    title: str | None, text: str | None, targets: Sequence[Target], language: str | None = None
) -> list[FramingHit]:
    """Lexicon hits in an article's headline and body, each with the targets it is about."""
    sentences = [title.strip()] if title and title.strip() else []
    sentences += [s.text for s in split_sentences(text or "", language)]
    per_sentence = [sorted({m.target for m in find_mentions(s, targets)}) for s in sentences]
    counts = Counter(m.target for s in sentences for m in find_mentions(s, targets))
    # Ties broken by name so the fallback target never depends on dict order.
    main = min(counts, key=lambda t: (-counts[t], t)) if counts else ""
    hits = []
    for sentence, about in zip(sentences, per_sentence, strict=False):
        for category, word in find_framing_words(sentence):
            hits.append(FramingHit(category, word, tuple(about) or (main,), sentence))
    return hits


# --------------------------------------------------------------- per story, in the database
# ``framing_words``: one row per (story, language, outlet, target, word), recounted for the
# stories the story stage placed articles in (:mod:`analysis.stories`).


def update_framing(db: sqlite_utils.Database, config: Any, story_ids: Iterable[str]) -> int:
    """Recount ``framing_words`` for the given stories (all, if the lexicon changed)."""
    # Two ranges rather than `!=`, so the lexicon_version index answers at once.
    stale = db.execute(
        "select 1 from framing_words where lexicon_version < :v or lexicon_version > :v "
        "or lexicon_version is null limit 1",
        {"v": LEXICON_VERSION},
    ).fetchone()
    ids = set(story_ids)
    if stale:
        ids |= {r[0] for r in db.execute("select id from stories")}
    return recount_framing(db, config, sorted(ids))


def recount_framing(db: sqlite_utils.Database, config: Any, story_ids: Iterable[str]) -> int:
    total = 0
    for story_id in story_ids:
        rows = framing_rows(db, config, story_id)
        with db.atomic():
            db["framing_words"].delete_where("story_id = ?", [story_id])
            if rows:
                db["framing_words"].insert_all(rows, pk="id")
        total += len(rows)
    return total


def framing_rows(db: sqlite_utils.Database, config: Any, story_id: str) -> list[dict[str, Any]]:
    """One row per (language, outlet, target, word) with occurrences and article count."""
    count: Counter = Counter()
    articles: dict[tuple, set[str]] = defaultdict(set)
    example: dict[tuple, str] = {}
    for a in db.query(
        "select id, title, text, language, outlet from articles "
        "where story_id = ? and duplicate_of is null order by published, id",
        [story_id],
    ):
        for hit in framing_hits(a["title"], a["text"], config.targets, a["language"]):
            for target in hit.targets:
                key = (a["language"], a["outlet"] or "", target, hit.category, hit.word)
                count[key] += 1
                articles[key].add(a["id"])
                example.setdefault(key, hit.sentence[:300])
    return [
        {
            "id": hashlib.sha1("|".join((story_id, *key)).encode()).hexdigest()[:16],
            "story_id": story_id,
            "language": key[0],
            "outlet": key[1],
            "target": key[2],
            "category": key[3],
            "word": key[4],
            "count": n,
            "articles": len(articles[key]),
            "example": example[key],
            "lexicon_version": LEXICON_VERSION,
        }
        for key, n in sorted(count.items())
    ]
