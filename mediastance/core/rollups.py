"""Tables kept up to date by SQLite triggers, so Datasette reads them instead of joins.

``article_stances`` was a view joining ``stances``, ``articles`` and ``sentiments``; at a
million articles every page, facet, canned query and chart over it re-ran the join and
hit Datasette's time limit. It is now a table with one row per original article ×
target, and ``daily_coverage`` sums it per day × target × language × stance (articles,
mentions, stance and tone totals), which is what the time-series queries and charts
need. Both are written only by the triggers below, whoever changes the underlying rows
(``analyze``, ``collect`` marking a copy, a hand edit), so they cannot drift from the
tables they summarise; ``tests/test_rollups.py`` checks them against the old view SQL
after random writes.

Conventions are those of ``mediastance.core.views``: tone is the sentiment row's stored
``tone`` (to 3 decimals here), stance_value = +1 favor, −1 against, 0 none; syndicated
copies are left out.
"""

from __future__ import annotations

import sqlite_utils

# The row of article_stances for one article-level stance row ``{st}`` and its article
# ``a`` (an original). Sentiment and mention count are looked up, not joined, so a stray
# second sentiment row can never produce two rows for one key.
_ROW = """
select
  a.id, {st}.target, a.title, a.outlet, a.language, substr(a.published, 1, 10),
  {st}.label, round({st}.score, 3),
  case {st}.label when 'favor' then 1 when 'against' then -1 else 0 end,
  (select se.label from sentiments se
    where se.item_type = 'article' and se.item_id = a.id limit 1),
  (select round(se.tone, 3) from sentiments se
    where se.item_type = 'article' and se.item_id = a.id limit 1),
  (select count(*) from mentions m where m.article_id = a.id and m.target = {st}.target),
  {st}.evidence, a.url, {st}.model_version
"""

COLUMNS = (
    "article_id, target, title, outlet, language, published_day, stance, stance_score, "
    "stance_value, sentiment, tone, mentions, evidence, url, model_version"
)

CREATE_TABLES = """
create table article_stances (
  article_id text not null,
  target text not null,
  title text,
  outlet text,
  language text,
  published_day text,
  stance text,
  stance_score real,
  stance_value integer,
  sentiment text,
  tone real,
  mentions integer,
  evidence text,
  url text,
  model_version text,
  primary key (article_id, target)
);
create table daily_coverage (
  day text not null,
  target text not null,
  language text not null,
  stance text not null,
  articles integer not null,
  mentions integer not null,
  stance_sum integer not null,
  tone_sum real not null,
  tone_count integer not null,
  primary key (day, target, language, stance)
) without rowid;
"""

# Facets and sorts of the Datasette pages, and the outlet-level canned query and chart,
# each served by a covering index instead of a scan of the wide rows.
CREATE_INDEXES = """
create index idx_article_stances_published_day on article_stances (published_day);
create index idx_article_stances_target_outlet_stance
  on article_stances (target, outlet, stance);
create index idx_article_stances_target_outlet_language
  on article_stances (target, outlet, language, stance, tone, published_day);
create index idx_article_stances_outlet_stance on article_stances (outlet, stance);
create index idx_article_stances_language_stance on article_stances (language, stance);
create index idx_article_stances_stance on article_stances (stance);
create index idx_daily_coverage_target_day on daily_coverage (target, day);
"""


def _add(row: str) -> str:
    return f"""
  insert into daily_coverage
    select {row}.published_day, {row}.target, coalesce({row}.language, ''),
      coalesce({row}.stance, ''), 1, coalesce({row}.mentions, 0),
      coalesce({row}.stance_value, 0), coalesce({row}.tone, 0), {row}.tone is not null
    where {row}.published_day is not null
  on conflict (day, target, language, stance) do update set
    articles = articles + 1,
    mentions = mentions + excluded.mentions,
    stance_sum = stance_sum + excluded.stance_sum,
    tone_sum = tone_sum + excluded.tone_sum,
    tone_count = tone_count + excluded.tone_count;"""


def _subtract(row: str) -> str:
    key = (
        f"day = {row}.published_day and target = {row}.target"
        f" and language = coalesce({row}.language, '') and stance = coalesce({row}.stance, '')"
    )
    return f"""
  update daily_coverage set
    articles = articles - 1,
    mentions = mentions - coalesce({row}.mentions, 0),
    stance_sum = stance_sum - coalesce({row}.stance_value, 0),
    tone_sum = tone_sum - coalesce({row}.tone, 0),
    tone_count = tone_count - ({row}.tone is not null)
  where {key};
  delete from daily_coverage where {key} and articles <= 0;"""


def _insert_for_stance(st: str) -> str:
    """Statements putting the stance row ``st`` (if article-level) into article_stances."""
    return f"""
  delete from article_stances
    where {st}.item_type = 'article' and article_id = {st}.article_id and target = {st}.target;
  insert or ignore into article_stances ({COLUMNS})
    {_ROW.format(st=st)}
    from articles a
    where {st}.item_type = 'article' and a.id = {st}.article_id and a.duplicate_of is null;"""


def _recount_mentions(m: str) -> str:
    """Recount every target of the mention's article: an INSERT OR REPLACE that changed a
    mention's target fires no delete trigger for the old one."""
    return f"""
  update article_stances
    set mentions = (select count(*) from mentions x
                    where x.article_id = article_stances.article_id
                      and x.target = article_stances.target)
  where article_id = {m}.article_id;"""


def _set_sentiment(se: str, *, clear: bool = False) -> str:
    values = (
        "sentiment = null, tone = null"
        if clear
        else f"sentiment = {se}.label, tone = round({se}.tone, 3)"
    )
    return f"""
  update article_stances set {values} where article_id = {se}.item_id;"""


_ARTICLE_CHANGED = " or ".join(
    f"old.{c} is not new.{c}"
    for c in ("id", "title", "outlet", "language", "published", "url", "duplicate_of")
)

# An article's rows, rebuilt from its stances (INSERT OR REPLACE of an article row fires
# no delete trigger, so the insert trigger starts by clearing the id).
_ARTICLE_ROWS = f"""
  delete from article_stances where article_id = new.id;
  insert or ignore into article_stances ({COLUMNS})
    {_ROW.format(st="st")}
    from stances st join articles a on a.id = st.article_id
    where st.article_id = new.id and st.item_type = 'article' and a.duplicate_of is null;"""

TRIGGERS: dict[str, str] = {
    # daily_coverage follows article_stances row by row.
    "article_stances_ai": f"after insert on article_stances begin {_add('new')} end",
    "article_stances_ad": f"after delete on article_stances begin {_subtract('old')} end",
    "article_stances_au": (
        f"after update on article_stances begin {_subtract('old')} {_add('new')} end"
    ),
    # article_stances follows article-level stances ...
    "stances_ai_rollup": (
        "after insert on stances when new.item_type = 'article' "
        f"begin {_insert_for_stance('new')} end"
    ),
    "stances_ad_rollup": (
        "after delete on stances when old.item_type = 'article' begin"
        " delete from article_stances where article_id = old.article_id"
        " and target = old.target; end"
    ),
    "stances_au_rollup": (
        "after update on stances when old.item_type = 'article' or new.item_type = 'article'"
        " begin delete from article_stances where old.item_type = 'article'"
        f" and article_id = old.article_id and target = old.target; {_insert_for_stance('new')}"
        " end"
    ),
    # ... the article's own columns (a copy detected later leaves; an edit is followed) ...
    "articles_ai_rollup": f"after insert on articles begin {_ARTICLE_ROWS} end",
    "articles_au_rollup": (
        f"after update on articles when {_ARTICLE_CHANGED} begin"
        f" delete from article_stances where article_id = old.id; {_ARTICLE_ROWS} end"
    ),
    "articles_ad_rollup": (
        "after delete on articles begin delete from article_stances where article_id = old.id; end"
    ),
    # ... its tone ...
    "sentiments_ai_rollup": (
        f"after insert on sentiments when new.item_type = 'article' begin {_set_sentiment('new')} end"
    ),
    "sentiments_au_rollup": (
        "after update on sentiments when old.item_type = 'article' or new.item_type = 'article'"
        " begin"
        " update article_stances set sentiment = null, tone = null"
        " where old.item_type = 'article' and article_id = old.item_id;"
        " update article_stances set sentiment = new.label, tone = round(new.tone, 3)"
        " where new.item_type = 'article' and article_id = new.item_id; end"
    ),
    "sentiments_ad_rollup": (
        "after delete on sentiments when old.item_type = 'article'"
        f" begin {_set_sentiment('old', clear=True)} end"
    ),
    # ... and how often the article names the target.
    "mentions_ai_rollup": f"after insert on mentions begin {_recount_mentions('new')} end",
    "mentions_ad_rollup": f"after delete on mentions begin {_recount_mentions('old')} end",
    "mentions_au_rollup": (
        f"after update on mentions begin {_recount_mentions('old')} {_recount_mentions('new')} end"
    ),
}

POPULATE = f"""
insert into article_stances ({COLUMNS})
  {_ROW.format(st="st")}
  from stances st join articles a on a.id = st.article_id
  where st.item_type = 'article' and a.duplicate_of is null
  group by a.id, st.target;
insert into daily_coverage
  select published_day, target, coalesce(language, ''), coalesce(stance, ''), count(*),
    sum(coalesce(mentions, 0)), sum(coalesce(stance_value, 0)), total(tone), count(tone)
  from article_stances
  where published_day is not null
  group by 1, 2, 3, 4;
"""


def create_rollups(db: sqlite_utils.Database) -> None:
    """Replace the old ``article_stances`` view by the table, fill both, add triggers.

    Filling happens before indexes and triggers exist (one pass each); at a million
    articles this migration takes minutes once, and no run rebuilds anything afterwards.
    """
    db.execute("drop view if exists article_stances")
    db.execute("drop view if exists daily_mentions")  # re-created over daily_coverage
    for statement in _statements(CREATE_TABLES + POPULATE + CREATE_INDEXES):
        db.execute(statement)
    for name, body in TRIGGERS.items():
        db.execute(f"create trigger [{name}] {body}")


def _statements(script: str) -> list[str]:
    """Split a script of plain statements (no triggers, no string literals with ';')."""
    return [s.strip() for s in script.split(";") if s.strip()]


# -- statement_labels -------------------------------------------------------------------
# One row per statement × target of its stance rows (one row with no target when it has
# none), with its tone and article. Rebuilt per statement from the base tables by the
# triggers; the canned query "Statements by an organisation" reads it newest first from
# the (organisation, published_day) index instead of sorting every statement.

# What statement_labels says for a statement with no organisation, so that it can be
# filtered and faceted like any other (the statements table keeps it empty).
UNATTRIBUTED = "unattributed"

STATEMENT_COLUMNS = (
    "statement_id, organisation, speaker, language, kind, text, target, stance, sentiment, "
    "tone, article_id, article_title, outlet, published_day, url"
)

CREATE_STATEMENT_TABLE = """
create table statement_labels (
  statement_id text not null,
  organisation text,
  speaker text,
  language text,
  kind text,
  text text,
  target text,
  stance text,
  sentiment text,
  tone real,
  article_id text,
  article_title text,
  outlet text,
  published_day text,
  url text
);
"""

CREATE_STATEMENT_INDEXES = """
create index idx_statement_labels_statement_id on statement_labels (statement_id);
create index idx_statement_labels_article_id on statement_labels (article_id);
create index idx_statement_labels_organisation_day
  on statement_labels (organisation, published_day);
create index idx_statement_labels_published_day on statement_labels (published_day);
"""


def _statement_rows(where: str) -> str:
    """insert … select of the statement_labels rows of the statements ``where`` picks."""
    return f"""
  insert into statement_labels ({STATEMENT_COLUMNS})
  select
    s.id, coalesce(nullif(trim(s.organisation), ''), '{UNATTRIBUTED}'), s.speaker, s.language,
    s.kind, s.text, st.target, st.label,
    (select se.label from sentiments se
      where se.item_type = 'statement' and se.item_id = s.id limit 1),
    (select round(se.tone, 3) from sentiments se
      where se.item_type = 'statement' and se.item_id = s.id limit 1),
    a.id, a.title, a.outlet, substr(a.published, 1, 10), a.url
  from statements s
  join articles a on a.id = s.article_id
  left join stances st on st.item_type = 'statement' and st.item_id = s.id
  where {where};"""


def _rebuild_statement(sid: str) -> str:
    return (
        f" delete from statement_labels where statement_id = {sid};"
        f" {_statement_rows(f's.id = {sid}')}"
    )


def _rebuild_article_statements(aid: str) -> str:
    return (
        f" delete from statement_labels where article_id = {aid};"
        f" {_statement_rows(f's.article_id = {aid}')}"
    )


STATEMENT_TRIGGERS: dict[str, str] = {
    "statements_ai_labels": f"after insert on statements begin {_rebuild_statement('new.id')} end",
    "statements_au_labels": (
        "after update on statements begin"
        f" delete from statement_labels where statement_id = old.id;"
        f" {_rebuild_statement('new.id')} end"
    ),
    "statements_ad_labels": (
        "after delete on statements begin"
        " delete from statement_labels where statement_id = old.id; end"
    ),
    "articles_ai_labels": (
        f"after insert on articles begin {_rebuild_article_statements('new.id')} end"
    ),
    "articles_au_labels": (
        "after update on articles when"
        " old.id is not new.id or old.title is not new.title or old.outlet is not new.outlet"
        " or old.published is not new.published or old.url is not new.url begin"
        " delete from statement_labels where article_id = old.id;"
        f" {_rebuild_article_statements('new.id')} end"
    ),
    "articles_ad_labels": (
        "after delete on articles begin delete from statement_labels where article_id = old.id; end"
    ),
}
for _table in ("stances", "sentiments"):
    STATEMENT_TRIGGERS |= {
        f"{_table}_ai_labels": (
            f"after insert on {_table} when new.item_type = 'statement'"
            f" begin {_rebuild_statement('new.item_id')} end"
        ),
        f"{_table}_au_labels": (
            f"after update on {_table}"
            " when old.item_type = 'statement' or new.item_type = 'statement' begin"
            f" {_rebuild_statement('old.item_id')} {_rebuild_statement('new.item_id')} end"
        ),
        f"{_table}_ad_labels": (
            f"after delete on {_table} when old.item_type = 'statement'"
            f" begin {_rebuild_statement('old.item_id')} end"
        ),
    }


def create_statement_labels(db: sqlite_utils.Database) -> None:
    """Replace the ``statement_labels`` view by the table, fill it, add its triggers."""
    db.execute("drop view if exists statement_labels")
    for statement in _statements(
        CREATE_STATEMENT_TABLE + _statement_rows("1") + CREATE_STATEMENT_INDEXES
    ):
        db.execute(statement)
    for name, body in STATEMENT_TRIGGERS.items():
        db.execute(f"create trigger [{name}] {body}")


def recreate_triggers(db: sqlite_utils.Database) -> None:
    """Drop every rollup trigger and create it again with the SQL above."""
    for name, body in (TRIGGERS | STATEMENT_TRIGGERS).items():
        db.execute(f"drop trigger if exists [{name}]")
        db.execute(f"create trigger [{name}] {body}")


# A rollup row's tone, exactly as the triggers above look it up.
_TONE_OF = """(select round(se.tone, 3) from sentiments se
  where se.item_type = '{item_type}' and se.item_id = {table}.{column} limit 1)"""


def refresh_tones(db: sqlite_utils.Database) -> None:
    """Set the rollups' tone to the sentiment rows' stored tone, where it differs.

    For the rows written while the tone was computed from the probabilities; an
    ``article_stances`` row changed here moves ``daily_coverage`` by its trigger.
    """
    for table, item_type, column in (
        ("article_stances", "article", "article_id"),
        ("statement_labels", "statement", "statement_id"),
    ):
        tone = _TONE_OF.format(item_type=item_type, table=table, column=column)
        db.execute(f"update {table} set tone = {tone} where tone is not {tone}")
