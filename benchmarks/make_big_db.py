"""Generate a synthetic mediastance database of N articles, with labels and statements.

The schema is the project's own (``ensure_db_shape``); the content is built from the
tagging corpus sentences so the text has real EN and ZH vocabulary and lengths:

- ``articles``: 55 % English (8–30 sentences, ~2,300 characters), 45 % Chinese (10–35
  sentences, ~900 characters), 60 outlets, published 2015–2024, 5 % syndicated copies
  (``duplicate_of``), the newest 300 fetched within the last day;
- article-level ``stances`` (1–2 targets per article) and ``sentiments`` (one per
  article; no intensity head, so ``strength`` null and ``tone`` = p_positive −
  p_negative, as ``analyze`` writes it for such heads), ``mentions`` (1–3 per article and target), ``statements`` (0–2 per article)
  with their own stance and sentiment rows, ``analysis_state`` for every article (so a
  run with nothing new has nothing to analyse);
- stories, as a nightly run would have left them: every original article has its
  ``story_id`` from the insert on (articles about one target within two days, a few to a
  story; copies in their original's story), with its ``stories`` row and its centroid
  in ``_story_vectors`` (a random direction per story, model version
  ``STORY_MODEL_VERSION``, every member counted fully on topic), and nothing listed in
  ``_story_changes``: an empty run has nothing to place and nothing to pair.
  ``--unplaced N`` leaves the newest ~N originals (and their copies) without a story: a
  backlog for ``bench_stories.py``. Statement pairs and article embeddings are not
  generated (they need the encoder).

Sentence rows and sentence-level labels are not generated: no view, canned query or
dashboard reads them, and they would triple the build time.

Rows go in with ``executemany`` in transactions of ``CHUNK`` rows, journal off during
the bulk load; the trigram FTS index is built after the bulk insert (``--fts triggers``
keeps the project's triggers on during the insert instead, to compare; ``--fts none`` builds
no trigram index and no views, for ``bench_search.py``). ``--compare``
times both ways on a small database and prints rows/s for each.

    python benchmarks/make_big_db.py --articles 50000 --db /tmp/mediastance-bench-50k.db
    python benchmarks/make_big_db.py --articles 50000 --unplaced 20000 --db /tmp/backlog.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.labels import tone  # noqa: E402
from benchmarks.common import DATA, say  # noqa: E402

CHUNK = 50_000
SEED = 2016
# Synthetic story centroids: this model version, this many dimensions (the E5-small
# encoder's); bench_stories.py's hashing encoder has the same.
STORY_MODEL_VERSION = "bench-hash"
STORY_DIM = 384
STORY_DAYS = 2  # a story: one target's articles within this many days
TARGETS = ["Alibaba", "IACC", "Taobao", "JD.com", "Amazon", "Pinduoduo", "Michael Kors", "Gucci"]
TARGET_P = [0.34, 0.16, 0.14, 0.09, 0.1, 0.07, 0.05, 0.05]
EN_OUTLETS = [
    "Reuters", "Bloomberg", "Financial Times", "The Wall Street Journal", "The New York Times",
    "CNBC", "BBC News", "The Guardian", "Forbes", "Fortune", "Business Insider", "TechCrunch",
    "South China Morning Post", "Caixin Global", "Nikkei Asia", "The Verge", "Quartz",
    "Associated Press", "Agence France-Presse", "Alizila", "WWD", "Fashion Law", "Vogue Business",
    "Retail Dive", "Marketplace Pulse", "Axios", "Politico", "The Economist", "Barron's", "CNN",
]  # fmt: skip
ZH_OUTLETS = [
    "新华网", "人民网", "澎湃新闻", "财新网", "第一财经", "网易", "新浪财经", "腾讯新闻",
    "凤凰网", "界面新闻", "21世纪经济报道", "经济观察报", "中国新闻网", "环球时报", "南方周末",
    "北京青年报", "新京报", "每日经济新闻", "证券时报", "36氪", "虎嗅", "钛媒体", "央视新闻",
    "光明网", "中国经济网", "联合早报", "明报", "自由时报", "端传媒", "BBC中文",
]  # fmt: skip
STANCE = ["favor", "against", "none"]
SENTIMENT = ["positive", "neutral", "negative"]
SPEAKERS = {
    "en": [("Jack Ma", "Alibaba"), ("Bob Barchiesi", "IACC"), ("a spokeswoman", "Alibaba"),
           ("a spokesman", "Amazon"), ("Michael Kors", "Michael Kors"), ("Kering", "Gucci"),
           ("the ministry", "SAIC"), ("analysts", "Bernstein")],
    "zh": [("马云", "Alibaba"), ("阿里巴巴发言人", "Alibaba"), ("国际反假冒联盟", "IACC"),
           ("京东", "JD.com"), ("国家工商总局", "SAIC"), ("拼多多", "Pinduoduo"),
           ("商务部", "商务部"), ("业内人士", "业内人士")],
}  # fmt: skip


def sentence_pools() -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {"en": [], "zh": []}
    with open(DATA / "tagging_corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["kind"] == "sentence" and row["lang"] in pools:
                pools[row["lang"]].append(row["text"])
    return pools


def iso(seconds: np.ndarray) -> list[str]:
    return [
        dt.datetime.fromtimestamp(int(s), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for s in seconds
    ]


class StoryBook:
    """Which synthetic story each article is in, and each story's running totals.

    Articles arrive in index order, not in time order, so a story's founder (its
    earliest member) is only known at the end; its id is named after its key instead.
    """

    def __init__(self, n: int, *, unplaced: int = 0) -> None:
        # About n / 4 stories: more slots per target and day as the corpus grows.
        self.slots = max(1, n // 16_000)
        self.rng = np.random.default_rng(SEED + 1)  # apart from the articles' own draws
        self.of_article = np.full(n, -1, np.int64)
        self.numbers: dict[tuple[int, int, int], int] = {}
        self.stories: list[dict] = []
        # published = t0 + span * sqrt(u): the newest share f starts at span * sqrt(1 - f).
        share = min(unplaced / (0.95 * n), 1.0) if n else 0.0
        self.placed_until = np.sqrt(1 - share) if unplaced else None

    def add(self, i: int, u_published: float, target: int, original: int | None) -> str | None:
        """The story of article ``i`` (``u_published``: 0..1 over the years), or None."""
        if original is not None:
            number = int(self.of_article[original])
        elif self.placed_until is not None and u_published > self.placed_until:
            number = -1
        else:
            bucket = int(u_published * 3653 / STORY_DAYS)  # 2015-2024 in days
            key = (bucket, target, int(self.rng.integers(self.slots)))
            number = self.numbers.setdefault(key, len(self.numbers))
            if number == len(self.stories):
                story_id = "s-" + hashlib.sha1(f"bench-story-{key}".encode()).hexdigest()[:12]
                self.stories.append({"id": story_id, "members": 0, "entities": Counter()})
        self.of_article[i] = number
        return self.stories[number]["id"] if number >= 0 else None

    def count(self, i: int, row: tuple, entities: Counter) -> None:
        """Add original article ``i`` (its ``articles`` row) to its story's totals."""
        number = int(self.of_article[i])
        if number < 0:
            return
        story = self.stories[number]
        aid, title, lang, published = row[0], row[6], row[8], row[10]
        if story["members"] == 0 or (published, aid) < story["founder"]:
            story.update(founder=(published, aid), title=title)
        story["first"] = min(story.get("first", published), published)
        story["last"] = max(story.get("last", published), published)
        story["members"] += 1
        story[lang] = story.get(lang, 0) + 1
        story["entities"].update(entities)

    def rows(self) -> tuple[list[tuple], list[tuple]]:
        """``stories`` and ``_story_vectors`` rows of the stories with members."""
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        directions = np.random.default_rng(SEED + 2)
        stories, vectors = [], []
        for story in self.stories:
            direction = directions.standard_normal(STORY_DIM)
            if not story["members"]:
                continue
            n = story["members"]
            counts = {lang: story[lang] for lang in ("en", "zh") if story.get(lang)}
            stories.append((
                story["id"], story["title"], story["first"][:10], story["last"][:10],
                ",".join(sorted(counts)), n, counts.get("en", 0), counts.get("zh", 0),
                story["founder"][1], now,
            ))  # fmt: skip
            vector = (n * direction / np.linalg.norm(direction)).astype(np.float32)
            vectors.append((
                story["id"], STORY_MODEL_VERSION, vector.tobytes(), n,
                json.dumps(counts, sort_keys=True),
                json.dumps(dict(story["entities"]), sort_keys=True, ensure_ascii=False),
                float(n),
            ))  # fmt: skip
        return stories, vectors


def article_chunks(
    n: int, start: int, rng: np.random.Generator, pools: dict[str, list[str]], book: StoryBook
):
    """Yield lists of tuples (articles, stances, sentiments, mentions, statements, ...)."""
    now = time.time()
    t0 = dt.datetime(2015, 1, 1, tzinfo=dt.UTC).timestamp()
    t1 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp()
    for a in range(start, n, CHUNK):
        b = min(n, a + CHUNK)
        m = b - a
        zh = rng.random(m) < 0.45
        # More coverage in later years: published = t0 + span * sqrt(u).
        u_published = np.sqrt(rng.random(m))
        published = t0 + (t1 - t0) * u_published
        fetched = published + rng.random(m) * 86400 * 3
        recent = np.arange(a, b) >= n - 300
        fetched[recent] = now - rng.random(int(recent.sum())) * 80000
        pub_s, fetch_s = iso(published), iso(fetched)
        k_en = rng.integers(8, 31, m)
        k_zh = rng.integers(10, 36, m)
        outlet_i = rng.integers(0, 30, m)
        n_targets = 1 + (rng.random(m) < 0.4)
        targets = rng.choice(len(TARGETS), size=(m, 2), p=TARGET_P)
        stance_i = rng.choice(3, size=(m, 2), p=[0.25, 0.35, 0.4])
        senti = rng.dirichlet([1.2, 1.5, 1.3], m)
        n_statements = rng.choice(3, m, p=[0.35, 0.4, 0.25])
        dup = rng.random(m) < 0.05
        rows = {
            k: [] for k in ("articles", "stances", "sentiments", "mentions", "statements", "state")
        }
        for j in range(m):
            i = a + j
            aid = hashlib.sha1(f"bench-{i}".encode()).hexdigest()[:16]
            lang = "zh" if zh[j] else "en"
            pool = pools[lang]
            k = int(k_zh[j] if zh[j] else k_en[j])
            picks = rng.integers(0, len(pool), k)
            sep = "" if zh[j] else " "
            paras = [sep.join(pool[p] for p in picks[q : q + 4]) for q in range(0, k, 4)]
            text = "\n".join(paras)
            title = pool[picks[0]][: 30 if zh[j] else 90]
            outlet = (ZH_OUTLETS if zh[j] else EN_OUTLETS)[outlet_i[j]]
            host = f"outlet{outlet_i[j]}.{lang}.example"
            url = f"https://{host}/{pub_s[j][:7].replace('-', '/')}/{aid}"
            duplicate_of = original = None
            if dup[j] and i > 1000:
                original = i - 1 - (i % 997)
                duplicate_of = hashlib.sha1(f"bench-{original}".encode()).hexdigest()[:16]
            story_id = book.add(i, float(u_published[j]), int(targets[j, 0]), original)
            rows["articles"].append((
                aid, url, url, f"{lang}-feed-{outlet_i[j] % 6}", "rss", outlet, title, text,
                lang, "Hans" if zh[j] else None, pub_s[j], None, fetch_s[j], fetch_s[j],
                hashlib.sha1(text.encode()).hexdigest()[:16], duplicate_of, "trafilatura",
                story_id,
            ))  # fmt: skip
            entities: Counter = Counter()
            p = senti[j]
            label = SENTIMENT[int(p.argmax())]
            rows["sentiments"].append((
                f"article:{aid}", "article", aid, aid, label, float(p.max()),
                float(p[0]), float(p[1]), float(p[2]), None,
                tone({"positive": float(p[0]), "negative": float(p[2])}),
                "mediastance-heads", "bench", fetch_s[j],
            ))  # fmt: skip
            chosen = list(dict.fromkeys(targets[j, : n_targets[j]].tolist()))
            for t_i, t in enumerate(chosen):
                target = TARGETS[t]
                s = STANCE[stance_i[j, t_i]]
                rows["stances"].append((
                    f"article:{aid}:{target}", "article", aid, aid, target, s, 0.4 + 0.6 * p.max(),
                    None, None, None, pool[picks[-1]], "mediastance-heads", "bench", fetch_s[j],
                ))  # fmt: skip
                for mi in range(1 + (i + t) % 3):
                    rows["mentions"].append((f"{aid}:{mi}:{target}", aid, target, mi, target, lang))
                    entities[target] += 1
            for si in range(int(n_statements[j])):
                speaker, org = SPEAKERS[lang][(i + si) % 8]
                entities[org] += 1
                sid = f"{aid}:s{si}"
                quote = pool[picks[(si + 1) % k]]
                rows["statements"].append(
                    (sid, aid, si, speaker, org, lang, quote, "direct" if si % 2 else "reported")
                )
                rows["sentiments"].append((
                    f"statement:{sid}", "statement", sid, aid, SENTIMENT[(i + si) % 3], 0.6,
                    0.3, 0.4, 0.3, None, tone({"positive": 0.3, "negative": 0.3}),
                    "mediastance-heads", "bench", fetch_s[j],
                ))  # fmt: skip
                rows["stances"].append((
                    f"statement:{sid}:{TARGETS[targets[j, 0]]}", "statement", sid, aid,
                    TARGETS[targets[j, 0]], STANCE[(i + si) % 3], 0.7, None, None, None, quote,
                    "mediastance-heads", "bench", fetch_s[j],
                ))  # fmt: skip
            rows["state"].append((aid, rows["articles"][-1][14], "bench", fetch_s[j]))
            if original is None:
                book.count(i, rows["articles"][-1], entities)
        yield b, rows


INSERTS = {
    "articles": "insert into articles (id, url, canonical_url, source, source_kind, outlet, title, "
    "text, language, script, published, author, fetched_at, updated_at, content_hash, "
    "duplicate_of, extractor, story_id) values (" + ",".join("?" * 18) + ")",
    "stances": "insert into stances (id, item_type, item_id, article_id, target, label, score, "
    "p_favor, p_against, p_none, evidence, model, model_version, labeled_at) values ("
    + ",".join("?" * 14)
    + ")",
    "sentiments": "insert into sentiments (id, item_type, item_id, article_id, label, score, "
    "p_positive, p_neutral, p_negative, strength, tone, model, model_version, labeled_at) "
    "values (" + ",".join("?" * 14) + ")",
    "mentions": "insert into mentions (id, article_id, target, sentence_index, alias, language) "
    "values (?,?,?,?,?,?)",
    "statements": "insert into statements (id, article_id, sentence_index, speaker, "
    "organisation, language, text, kind) values (?,?,?,?,?,?,?,?)",
    "state": "insert into analysis_state (article_id, content_hash, model_version, analyzed_at) "
    "values (?,?,?,?)",
}
STORY_INSERTS = {
    "stories": "insert into stories (id, title, first_seen, last_seen, languages, "
    "article_count, en_count, zh_count, founded_by, updated_at) values ("
    + ",".join("?" * 10)
    + ")",
    "_story_vectors": "insert into _story_vectors (story_id, model_version, vector_sum, n, "
    "counts, entities, topic_sum) values (?,?,?,?,?,?,?)",
}


def build(
    path: Path,
    n: int,
    *,
    fts: str = "after",
    labels: bool = True,
    unplaced: int = 0,
    progress=say,
) -> dict:
    """Create ``path`` with ``n`` articles; returns timings (seconds) and row counts.

    ``labels=False`` writes articles only (nothing analysed yet, so in no story: input
    for ``analyze``). ``unplaced``: about this many of the newest originals are in no
    story yet (input for the stories stage).
    """
    import sqlite_utils

    from mediastance.core import search_index, storage

    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    db = sqlite_utils.Database(path)
    if fts in ("after", "none"):
        storage.migrations.apply(db)  # tables and indexes; FTS and views come later
    else:
        storage.ensure_db_shape(db)  # FTS with its triggers, filled as rows arrive
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    search_index.register_functions(conn)  # the word-search index's triggers fill it as rows arrive
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -400000")  # 400 MB page cache for index building
    conn.execute("pragma temp_store = memory")
    rng = np.random.default_rng(SEED)
    pools = sentence_pools()
    counts = dict.fromkeys([*INSERTS, *STORY_INSERTS], 0)
    gen_s = ins_s = 0.0
    book = StoryBook(n, unplaced=unplaced if labels else n)
    chunks = article_chunks(n, 0, rng, pools, book)
    while True:
        t = time.perf_counter()
        try:
            done, rows = next(chunks)
        except StopIteration:
            break
        gen_s += time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("begin")
        for table, sql in INSERTS.items():
            if not labels and table != "articles":
                continue
            conn.executemany(sql, rows[table])
            counts[table] += len(rows[table])
        conn.execute("commit")
        ins_s += time.perf_counter() - t
        progress(f"make_big_db: {done:,}/{n:,} articles ({time.perf_counter() - started:.0f}s)")
    t = time.perf_counter()
    story_rows = dict(zip(STORY_INSERTS, book.rows(), strict=True))
    gen_s += time.perf_counter() - t
    t = time.perf_counter()
    conn.execute("begin")
    for table, sql in STORY_INSERTS.items():
        conn.executemany(sql, story_rows[table])
        counts[table] = len(story_rows[table])
    # As a nightly run leaves it: every story paired (no pairs are generated).
    conn.execute("delete from _story_changes")
    conn.execute("commit")
    ins_s += time.perf_counter() - t
    counts["unplaced"] = conn.execute(
        "select count(*) from articles where story_id is null and duplicate_of is null"
    ).fetchone()[0]
    timings["generate_s"] = gen_s
    timings["insert_s"] = ins_s
    t = time.perf_counter()
    # fts="after": the project's own ensure_db_shape builds the trigram index and its
    # triggers here, still on the bulk-load connection (journal off).
    # fts="none" (bench_search.py): no trigram index and no views, only the migrations'
    # tables and the word index their triggers filled.
    if fts != "none":
        storage.ensure_db_shape(sqlite_utils.Database(conn))
        timings["ensure_db_shape_s"] = time.perf_counter() - t
    t = time.perf_counter()
    conn.execute("analyze")
    timings["analyze_s"] = time.perf_counter() - t
    conn.close()
    storage.open_db(path).close()  # WAL from here on, as the project opens it
    timings["total_s"] = time.perf_counter() - started
    return {
        "articles": n,
        "fts": fts,
        "rows": counts,
        "seconds": {k: round(v, 1) for k, v in timings.items()},
        "articles_per_s": round(n / timings["total_s"]),
        "size_mb": round(path.stat().st_size / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--db", type=Path, required=True, help="output file (outside the repo)")
    parser.add_argument("--fts", choices=["after", "triggers", "none"], default="after")
    parser.add_argument(
        "--unplaced", type=int, default=0, metavar="N", help="leave ~N newest originals unplaced"
    )
    parser.add_argument(
        "--compare", type=int, metavar="N", help="time FTS-after vs triggers on N articles"
    )
    args = parser.parse_args()
    if args.compare:
        out = {}
        for mode in ("after", "triggers"):
            out[mode] = build(args.db, args.compare, fts=mode)
        args.db.unlink(missing_ok=True)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    result = build(args.db, args.articles, fts=args.fts, unplaced=args.unplaced)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
