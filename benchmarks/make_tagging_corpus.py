"""Build the fixed tagging corpus, ``benchmarks/data/tagging_corpus.jsonl``, from the repo.

The corpus is what the tagging stage embeds, in the proportions it embeds them:

- every distinct sentence of the domain seed sets (``analysis/data/seed_*.jsonl``);
- every distinct sentence the project's own extractor and splitter find in the demo
  corpus pages and the recorded test pages (real GBK/Big5 bytes included);
- the target-conditioned inputs the stance head embeds next to a sentence
  (``"<target>: <sentence>"`` for every seed row);
- a tail of paragraph-length inputs (three consecutive page sentences joined), because
  articles mix one-line quotes with long paragraphs and padding cost depends on the mix.

The output is committed so the benchmark measures the same texts whatever later commits
do to the seed sets or the extractor; re-run this script to rebuild it deliberately::

    python benchmarks/make_tagging_corpus.py
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "data" / "tagging_corpus.jsonl"


def page_sentences() -> list[tuple[str, str]]:
    """(sentence, language) of every page, in sorted file order, first occurrence kept."""
    from analysis.sentences import split_sentences
    from collectors.decode import decode
    from collectors.extract import extract_article

    pages = sorted((ROOT / "mediastance" / "demo" / "corpus").rglob("*.html"))
    pages += sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))
    out: list[tuple[str, str]] = []
    for path in pages:
        text, _ = decode(path.read_bytes())
        article = extract_article(text, url="http://corpus.example/a", today=dt.date(2024, 1, 1))
        body = "\n".join(x for x in (article["title"], article["text"]) if x)
        for sentence in split_sentences(body, article["language"]):
            out.append((sentence.text, sentence.language or article["language"] or "en"))
    return out


def build() -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()

    def add(text: str, lang: str, kind: str) -> None:
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "lang": lang, "kind": kind})

    seed = []
    for name in ("seed_en.jsonl", "seed_zh.jsonl"):
        with open(ROOT / "analysis" / "data" / name, encoding="utf-8") as f:
            seed += [json.loads(line) for line in f if line.strip()]
    for row in seed:
        add(row["text"], row["lang"], "sentence")
    pages = page_sentences()
    for text, lang in pages:
        add(text, lang, "sentence")
    for row in seed:
        add(f"{row['target']}: {row['text']}", row["lang"], "conditioned")
    for i in range(0, len(pages) - 2, 3):
        chunk = pages[i : i + 3]
        if len({lang for _, lang in chunk}) == 1:
            sep = "" if chunk[0][1] == "zh" else " "
            add(sep.join(t for t, _ in chunk), chunk[0][1], "paragraph")
    return rows


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[f"{row['kind']}/{row['lang']}"] = kinds.get(f"{row['kind']}/{row['lang']}", 0) + 1
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} texts {kinds}")


if __name__ == "__main__":
    main()
