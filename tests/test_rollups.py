"""article_stances and daily_coverage stay equal to what they summarise, whatever writes.

The reference is the SQL the old ``article_stances`` view ran (plus the mention count,
and the sentiment row's stored tone), recomputed from the base tables after random
inserts, updates, replaces and deletes.
"""

from __future__ import annotations

import random

import pytest

from analysis.labels import tone
from mediastance.core import views
from mediastance.core.storage import ensure_db_shape, migrations, open_db

EXPECTED_ROWS = """
select
  a.id as article_id, st.target, a.title, a.outlet, a.language,
  substr(a.published, 1, 10) as published_day,
  st.label as stance, round(st.score, 3) as stance_score,
  case st.label when 'favor' then 1 when 'against' then -1 else 0 end as stance_value,
  se.label as sentiment, round(se.tone, 3) as tone,
  (select count(*) from mentions m where m.article_id = a.id and m.target = st.target)
    as mentions,
  st.evidence, a.url, st.model_version
from stances st
join articles a on a.id = st.article_id
left join sentiments se on se.item_type = 'article' and se.item_id = a.id
where st.item_type = 'article' and a.duplicate_of is null
order by 1, 2
"""

EXPECTED_DAILY = """
select published_day, target, coalesce(language, ''), stance, count(*), sum(mentions),
  sum(stance_value), round(total(tone), 6), count(tone)
from ({rows}) where published_day is not null
group by 1, 2, 3, 4 order by 1, 2, 3, 4
"""

ACTUAL_DAILY = """
select day, target, language, stance, articles, mentions, stance_sum, round(tone_sum, 6),
  tone_count
from daily_coverage order by 1, 2, 3, 4
"""

EXPECTED_STATEMENTS = """
select
  s.id, coalesce(nullif(trim(s.organisation), ''), 'unattributed'), s.speaker, s.language,
  s.kind, s.text, st.target, st.label,
  (select se.label from sentiments se
    where se.item_type = 'statement' and se.item_id = s.id limit 1),
  (select round(se.tone, 3) from sentiments se
    where se.item_type = 'statement' and se.item_id = s.id limit 1),
  a.id, a.title, a.outlet, substr(a.published, 1, 10), a.url
from statements s
join articles a on a.id = s.article_id
left join stances st on st.item_type = 'statement' and st.item_id = s.id
order by 1, 7
"""

TARGETS = ["Alibaba", "IACC", "Pinduoduo"]
ARTICLES = [f"a{i}" for i in range(8)]


def check(db) -> None:
    rows = db.execute(EXPECTED_ROWS).fetchall()
    assert db.execute("select * from article_stances order by 1, 2").fetchall() == rows
    daily = db.execute(EXPECTED_DAILY.format(rows=EXPECTED_ROWS.replace("order by 1, 2", "")))
    assert db.execute(ACTUAL_DAILY).fetchall() == daily.fetchall()
    statements = db.execute(EXPECTED_STATEMENTS).fetchall()
    assert db.execute("select * from statement_labels order by 1, 7").fetchall() == statements


def article(rng: random.Random, aid: str) -> dict:
    return {
        "id": aid,
        "url": f"http://x.example/{aid}",
        "canonical_url": f"http://x.example/{aid}",
        "title": rng.choice(["Fakes", "假货", None]),
        "outlet": rng.choice(["Reuters", "新华网", None]),
        "language": rng.choice(["en", "zh", None]),
        "published": rng.choice(["2024-03-01T08:00:00Z", "2024-03-02", "2024-03-09", None]),
        "duplicate_of": rng.choice([None, None, None, "a0"]) if aid != "a0" else None,
        "text": "text",
    }


def stance(rng: random.Random) -> dict:
    aid = rng.choice(ARTICLES)
    item_type = rng.choice(["article", "article", "sentence", "statement"])
    target = rng.choice(TARGETS)
    return {
        "id": f"stance:{item_type}:{aid}:{target}",
        "item_type": item_type,
        "item_id": aid if item_type == "article" else f"{aid}:{item_type[:2]}0",
        "article_id": aid,
        "target": target,
        "label": rng.choice(["favor", "against", "none"]),
        "score": rng.random(),
        "evidence": rng.choice(["它卖假货", "They fight fakes"]),
        "model_version": rng.choice(["v1", "v2"]),
    }


def sentiment(rng: random.Random) -> dict:
    aid = rng.choice(ARTICLES)
    item_type = rng.choice(["article", "article", "sentence", "statement"])
    p = [rng.random() for _ in range(3)]
    strength = rng.choice([None, rng.random()])
    return {
        "id": f"sentiment:{item_type}:{aid}",
        "item_type": item_type,
        "item_id": aid if item_type == "article" else f"{aid}:{item_type[:2]}0",
        "article_id": aid,
        "label": rng.choice(["positive", "neutral", "negative"]),
        "p_positive": p[0],
        "p_neutral": p[1],
        "p_negative": p[2],
        "strength": strength,
        "tone": tone({"positive": p[0], "negative": p[2]}, strength),
    }


def mention(rng: random.Random) -> dict:
    aid = rng.choice(ARTICLES)
    return {
        "id": f"{aid}:m{rng.randrange(4)}",
        "article_id": aid,
        "target": rng.choice(TARGETS),
        "sentence_index": 0,
    }


def statement(rng: random.Random) -> dict:
    aid = rng.choice(ARTICLES)
    return {
        "id": f"{aid}:st0",  # the id statement-level labels point at
        "article_id": aid,
        "organisation": rng.choice(["Alibaba", "商务部", None]),
        "speaker": rng.choice(["Jennifer Kuperman", "发言人"]),
        "language": rng.choice(["en", "zh"]),
        "kind": rng.choice(["direct", "reported"]),
        "text": rng.choice(["regrettable", "私利绑架"]),
    }


def random_write(db, rng: random.Random) -> None:
    kinds = ["article", "stance", "stance", "sentiment", "mention", "mention", "statement"]
    kind = rng.choice(kinds)
    table = {"article": "articles", "stance": "stances", "sentiment": "sentiments"}.get(
        kind, "mentions" if kind == "mention" else "statements"
    )
    make = {"article": lambda: article(rng, rng.choice(ARTICLES)), "stance": lambda: stance(rng)}
    make |= {"sentiment": lambda: sentiment(rng), "mention": lambda: mention(rng)}
    make |= {"statement": lambda: statement(rng)}
    row = make[kind]()
    how = rng.choice(["upsert", "replace", "update", "delete"])
    if how == "upsert":
        db[table].upsert(row, pk="id")
    elif how == "replace":
        db[table].insert(row, pk="id", replace=True)
    elif how == "update":
        # Ids spell out what a row is about (item, article, target): an update changes
        # the rest, as analyze and hand edits do.
        identity = {"id", "item_type", "item_id", "article_id", "url", "canonical_url"}
        identity |= {"target"} if table == "stances" else set()
        changes = {k: v for k, v in make[kind]().items() if k not in identity}
        db.execute(
            f"update [{table}] set {', '.join(f'[{k}] = ?' for k in changes)} where id = ?",
            [*changes.values(), row["id"]],
        )
    else:
        db.execute(f"delete from [{table}] where id = ?", [row["id"]])


@pytest.mark.parametrize("seed", range(6))
def test_rollups_follow_random_writes(seed):
    db = open_db(memory=True)
    ensure_db_shape(db)
    rng = random.Random(seed)
    for step in range(400):
        random_write(db, rng)
        if step % 4 == 3:
            check(db)
    check(db)
    assert db.execute("select count(*) from article_stances").fetchone()[0] > 0


def test_analyze_style_batch_rewrite_keeps_rollups_exact():
    # analyze deletes an article's rows in all tables, then inserts them again.
    db = open_db(memory=True)
    ensure_db_shape(db)
    rng = random.Random(42)
    for aid in ARTICLES:
        db["articles"].upsert(article(rng, aid) | {"duplicate_of": None}, pk="id")
    for _ in range(3):
        with db.atomic():
            for table in ("mentions", "sentiments", "stances"):
                db.execute(f"delete from [{table}]")
            db["mentions"].upsert_all([mention(rng) for _ in range(30)], pk="id")
            db["sentiments"].upsert_all([sentiment(rng) for _ in range(10)], pk="id")
            db["stances"].upsert_all([stance(rng) for _ in range(30)], pk="id")
        check(db)


def test_migration_fills_tables_from_an_existing_database(tmp_path):
    # A database made before m008 had article_stances and daily_mentions as views.
    db = open_db(tmp_path / "old.db")
    migrations.apply(db, stop_before="m008_rollup_tables")
    db.execute(
        "create view article_stances as select article_id from stances where 0"
    )  # the old view, by name
    db.execute("create view daily_mentions as select 1 as day where 0")
    db.execute("create view statement_labels as select 1 as statement_id where 0")
    rng = random.Random(7)
    for aid in ARTICLES:
        db["articles"].upsert(article(rng, aid), pk="id")
    db["stances"].upsert_all([stance(rng) for _ in range(40)], pk="id")
    # Labelled before sentiments had strength and tone: m008 adds them first (its
    # rollups read tone), with tone = p_positive − p_negative.
    old_rows = [sentiment(rng) for _ in range(12)]
    db["sentiments"].upsert_all(
        [{k: v for k, v in row.items() if k not in ("strength", "tone")} for row in old_rows],
        pk="id",
    )
    db["mentions"].upsert_all([mention(rng) for _ in range(40)], pk="id")
    db["statements"].upsert_all([statement(rng) for _ in range(12)], pk="id")
    ensure_db_shape(db)
    check(db)
    assert [(r["strength"], r["tone"]) for r in db["sentiments"].rows] == [
        (None, tone({"positive": r["p_positive"], "negative": r["p_negative"]}))
        for r in db["sentiments"].rows
    ]
    kinds = dict(db.execute("select name, type from sqlite_master").fetchall())
    assert kinds["article_stances"] == kinds["statement_labels"] == "table"
    assert kinds["daily_mentions"] == "view"
    # daily_mentions over daily_coverage equals its old definition on consistent data
    assert set(views.VIEWS) >= {"daily_mentions"}


def test_daily_mentions_counts_articles_naming_each_target():
    db = open_db(memory=True)
    ensure_db_shape(db)
    base = {"title": "t", "language": "en", "text": "x", "duplicate_of": None}
    for aid, day in (("a1", "2024-01-02"), ("a2", "2024-01-02"), ("a3", "2024-01-03")):
        db["articles"].insert({"id": aid, "published": day, **base}, pk="id")
    for aid, target, n in (("a1", "Alibaba", 3), ("a2", "Alibaba", 1), ("a3", "IACC", 2)):
        db["stances"].insert(
            {"id": f"{aid}{target}", "item_type": "article", "item_id": aid, "article_id": aid}
            | {"target": target, "label": "none", "score": 0.5},
            pk="id",
        )
        for k in range(n):
            db["mentions"].insert(
                {"id": f"{aid}{target}{k}", "article_id": aid, "target": target}, pk="id"
            )
    assert db.execute("select * from daily_mentions order by day, target").fetchall() == [
        ("2024-01-02", "Alibaba", 2, 4),
        ("2024-01-03", "IACC", 1, 2),
    ]
    db["articles"].update("a2", {"duplicate_of": "a1"})  # a copy found later stops counting
    assert db.execute("select * from daily_mentions order by day, target").fetchall() == [
        ("2024-01-02", "Alibaba", 1, 3),
        ("2024-01-03", "IACC", 1, 2),
    ]


def test_statement_labels_follow_each_label_write():
    db = open_db(memory=True)
    ensure_db_shape(db)
    db["articles"].insert({"id": "a1", "title": "t", "published": "2024-05-01", "text": "x"})
    db["statements"].insert({"id": "a1:q0", "article_id": "a1", "organisation": "Alibaba"})
    rows = "select target, stance, sentiment, published_day from statement_labels order by 1"
    assert db.execute(rows).fetchall() == [(None, None, None, "2024-05-01")]
    stance_row = {"item_type": "statement", "item_id": "a1:q0", "article_id": "a1"}
    db["stances"].insert({"id": "s1", "target": "Alibaba", "label": "favor"} | stance_row)
    db["stances"].insert({"id": "s2", "target": "IACC", "label": "against"} | stance_row)
    db["sentiments"].insert({"id": "t1", "label": "negative"} | stance_row)
    assert db.execute(rows).fetchall() == [
        ("Alibaba", "favor", "negative", "2024-05-01"),
        ("IACC", "against", "negative", "2024-05-01"),
    ]
    db.execute("delete from stances where id = 's2'")
    db.execute("delete from sentiments where id = 't1'")
    db["articles"].update("a1", {"published": "2024-05-02"})
    assert db.execute(rows).fetchall() == [("Alibaba", "favor", None, "2024-05-02")]
    db.execute("delete from stances where id = 's1'")
    assert db.execute(rows).fetchall() == [(None, None, None, "2024-05-02")]
    db.execute("delete from statements where id = 'a1:q0'")
    assert db.execute(rows).fetchall() == []
