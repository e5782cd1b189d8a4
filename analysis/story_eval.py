"""How well the story clustering matches the demo corpus's gold stories.

The demo corpus (``mediastance/demo/corpus``) and ``mediastance/demo/stories_gold.json``
are the labeled fixture: every page has a gold story id, including same-day,
same-company distractors that must not join the event they sit next to. Two scores:

- pairwise precision / recall / F1 over pairs of articles: a pair is predicted-together
  when both have the same story_id, gold-together when both have the same gold story.
- B-cubed precision / recall / F1 (Bagga & Baldwin 1998): per article, the share of its
  predicted cluster that is in its gold story (precision) and the share of its gold story
  that is in its predicted cluster (recall), averaged over articles. Unlike pairwise
  scores it does not let the one big story dominate.

Syndicated copies (``duplicate_of`` set) are left out: they inherit their original's
story by construction, so counting them would only inflate the scores.

Run ``python -m analysis.story_eval`` to load the corpus straight from its pages into an
in-memory database, cluster it with the builtin encoder and print the scores (add
``--day-by-day`` to load and cluster it one publication day at a time); or
``python -m analysis.story_eval --db demo.db`` to score a database ``mediastance demo``
made (articles matched to gold by URL path).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import sqlite_utils

DEMO = Path(__file__).resolve().parents[1] / "mediastance" / "demo"
GOLD_PATH = DEMO / "stories_gold.json"
CORPUS = DEMO / "corpus"
DEMO_BASE = "http://demo.invalid"
# GB2312 and GBK declarations are decoded as GB18030 (pages declare gb2312, use GBK).
CODECS = {"gb2312": "gb18030", "gbk": "gb18030"}


def load_gold(path: Path = GOLD_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def pairwise_scores(pred: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 over the items both mappings label."""
    items = sorted(set(pred) & set(gold))
    tp = fp = fn = 0
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            same_pred = pred[a] == pred[b]
            same_gold = gold[a] == gold[b]
            tp += same_pred and same_gold
            fp += same_pred and not same_gold
            fn += same_gold and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def bcubed_scores(pred: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 over the items both mappings label."""
    items = sorted(set(pred) & set(gold))
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    pred_sets: dict[str, set[str]] = defaultdict(set)
    gold_sets: dict[str, set[str]] = defaultdict(set)
    for item in items:
        pred_sets[pred[item]].add(item)
        gold_sets[gold[item]].add(item)
    precision = recall = 0.0
    for item in items:
        p, g = pred_sets[pred[item]], gold_sets[gold[item]]
        both = len(p & g)
        precision += both / len(p)
        recall += both / len(g)
    precision /= len(items)
    recall /= len(items)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def gold_path_for(url: str | None, gold_paths: set[str]) -> str | None:
    """The gold path an article URL was fetched from (loopback port and host ignored)."""
    if not url:
        return None
    path = urlparse(url).path
    return path if path in gold_paths else None


def predicted_and_gold(
    db: sqlite_utils.Database, gold: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """story_id and gold story per original article found in the database."""
    by_path = {a["path"]: a for a in gold["articles"]}
    pred: dict[str, str] = {}
    labels: dict[str, str] = {}
    rows = db.query(
        "select id, url, canonical_url, story_id from articles where duplicate_of is null"
    )
    for row in rows:
        path = gold_path_for(row["url"], set(by_path)) or gold_path_for(
            row["canonical_url"], set(by_path)
        )
        if path is None or by_path[path].get("duplicate_of"):
            continue
        pred[row["id"]] = row["story_id"] or f"unclustered:{row['id']}"
        labels[row["id"]] = by_path[path]["story"]
    return pred, labels


def evaluate(db: sqlite_utils.Database, gold: dict[str, Any] | None = None) -> dict[str, Any]:
    """Scores of the clustering in ``db`` against the gold, with the confusions listed."""
    gold = gold or load_gold()
    pred, labels = predicted_and_gold(db, gold)
    members: dict[str, Counter] = defaultdict(Counter)
    for item, story in pred.items():
        members[story][labels[item]] += 1
    mixed = {s: dict(c) for s, c in members.items() if len(c) > 1}
    split = {
        g: n
        for g in set(labels.values())
        if (n := len({pred[i] for i in pred if labels[i] == g})) > 1
    }
    return {
        "articles": len(pred),
        "gold_stories": len(set(labels.values())),
        "predicted_stories": len(set(pred.values())),
        "pairwise": pairwise_scores(pred, labels),
        "bcubed": bcubed_scores(pred, labels),
        "mixed_clusters": mixed,
        "split_gold_stories": split,
    }


def _page_text(raw: bytes) -> tuple[str, str]:
    """Headline and body paragraphs of a demo page (decoded by its own <meta charset>)."""
    from bs4 import BeautifulSoup

    m = re.search(rb'<meta charset="([^"]+)"', raw[:2048])
    charset = m.group(1).decode("ascii").lower() if m else "utf-8"
    soup = BeautifulSoup(raw.decode(CODECS.get(charset, charset)), "html.parser")
    title = soup.h1.get_text(" ", strip=True) if soup.h1 else ""
    paragraphs = [
        p.get_text(" ", strip=True)
        for p in soup.select("div[class] > p, div[id=text] > p")
        if "meta" not in (p.get("class") or [])
    ]
    return title, "\n\n".join(p for p in paragraphs if p)


def load_demo_corpus(db: sqlite_utils.Database, config: Any, gold: dict | None = None) -> int:
    """Fill ``articles`` and ``mentions`` from the corpus pages, as collect + analyze would.

    This keeps the clustering evaluation independent of the collectors' and labelling
    heads' changes: the gold metadata gives date, outlet, language and duplicate_of;
    the text comes from the pages; mentions come from :func:`analysis.mentions.find_mentions`.
    """
    from mediastance.core.storage import ensure_db_shape

    ensure_db_shape(db)
    articles, mentions = demo_rows(config, gold)
    _save(db, articles, mentions)
    return len(articles)


def cluster_day_by_day(
    db: sqlite_utils.Database, config: Any, *, encoder: Any = None, gold: dict | None = None
) -> int:
    """Load the corpus one publication day at a time, clustering after each, as nightly
    runs would from an empty database; returns the number of days."""
    from analysis.encoder import load_configured_encoder
    from analysis.stories import cluster_stories
    from mediastance.core.storage import ensure_db_shape

    ensure_db_shape(db)
    encoder = encoder or load_configured_encoder(config.model)  # one load for all days
    articles, mentions = demo_rows(config, gold)
    days = sorted({a["published"][:10] for a in articles})
    for day in days:
        todays = [a for a in articles if a["published"][:10] == day]
        ids = {a["id"] for a in todays}
        _save(db, todays, [m for m in mentions if m["article_id"] in ids])
        cluster_stories(db, config, encoder=encoder)
    return len(days)


def _save(db: sqlite_utils.Database, articles: list[dict], mentions: list[dict]) -> None:
    with db.atomic():
        db["articles"].upsert_all(articles, pk="id")
        db["mentions"].upsert_all(mentions, pk="id")


def demo_rows(config: Any, gold: dict | None = None) -> tuple[list[dict], list[dict]]:
    """The ``articles`` and ``mentions`` rows of the corpus pages (nothing written)."""
    from analysis.mentions import find_mentions
    from analysis.sentences import split_sentences

    gold = gold or load_gold()
    articles, mentions = [], []
    for a in gold["articles"]:
        title, text = _page_text((CORPUS / a["path"].lstrip("/")).read_bytes())
        article_id = a["path"]
        original = a.get("duplicate_of")
        articles.append(
            {
                "id": article_id,
                "url": DEMO_BASE + a["path"],
                "canonical_url": DEMO_BASE + a["path"],
                "outlet": a["outlet"],
                "title": title or a["title"],
                "text": text,
                "language": a["language"],
                "script": a.get("script"),
                "published": a["published"],
                "duplicate_of": original,
            }
        )
        for sentence in split_sentences(text, a["language"]):
            for k, m in enumerate(find_mentions(sentence.text, config.targets)):
                mentions.append(
                    {
                        "id": f"{article_id}#{sentence.index}.{k}",
                        "article_id": article_id,
                        "target": m.target,
                        "sentence_index": sentence.index,
                        "alias": m.alias,
                        "language": a["language"],
                    }
                )
    return articles, mentions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="score this database instead of clustering the corpus")
    parser.add_argument(
        "--day-by-day",
        action="store_true",
        help="load and cluster the corpus one publication day at a time",
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)

    from mediastance.core.config import default_config_text, load_config_text
    from mediastance.core.storage import open_db

    if args.db:
        db = open_db(args.db)
    else:
        from analysis.stories import cluster_stories

        config = load_config_text(default_config_text(), label="default config")
        db = open_db(memory=True)
        if args.day_by_day:
            cluster_day_by_day(db, config)
        else:
            load_demo_corpus(db, config)
            cluster_stories(db, config, progress=lambda msg: print(msg, file=sys.stderr))
    result = evaluate(db)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        pw, b3 = result["pairwise"], result["bcubed"]
        print(
            f"articles {result['articles']}, gold stories {result['gold_stories']}, "
            f"predicted {result['predicted_stories']}"
        )
        print(f"pairwise P {pw['precision']:.3f} R {pw['recall']:.3f} F1 {pw['f1']:.3f}")
        print(f"B-cubed  P {b3['precision']:.3f} R {b3['recall']:.3f} F1 {b3['f1']:.3f}")
        for story, mix in result["mixed_clusters"].items():
            print(f"mixed: {story}: {mix}")
        for story, n in result["split_gold_stories"].items():
            print(f"split: {story} into {n} stories")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
