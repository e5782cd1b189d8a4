"""SQL views over the tables, created or updated by ``ensure_db_shape``.

Each view is kept here as SQL; a view is only dropped and recreated when its SQL changed,
so a nightly run that finds nothing new does not rewrite the schema. Views skip
syndicated copies (``duplicate_of`` set) so an article counts once however often it was
republished.

``article_stances`` (one row per original article × target), ``daily_coverage`` (its sums
per day) and ``statement_labels`` (statements with their labels) are tables kept up to
date by triggers: see ``mediastance.core.rollups``.

Numeric conventions used by views, canned queries and dashboards:
- ``tone`` = the ``tone`` column of a sentiment row, from −1 (negative) to +1, written by
  ``analyze`` (``analysis.labels.tone``: p_positive − p_negative, scaled by how strong
  the wording is where the model has an intensity head). Never recomputed here.
- ``stance_value`` = +1 favor, −1 against, 0 none.
"""

from __future__ import annotations

import sqlite_utils

VIEWS: dict[str, str] = {
    # Mentions per target per day (share of voice), originals only: the articles that
    # name the target (each has an article-level stance) and how often they name it.
    "daily_mentions": """
select day, target, sum(articles) as articles, sum(mentions) as mentions
from daily_coverage
group by day, target
""",
    # Stories (analysis/stories.py): one row per story, newest first in the canned query.
    "story_timeline": """
select
  s.id as story_id,
  s.title,
  s.first_seen,
  s.last_seen,
  s.languages,
  s.article_count,
  s.en_count,
  s.zh_count,
  (select count(distinct a.outlet) from articles a
    where a.story_id = s.id and a.duplicate_of is null) as outlets,
  (select count(*) from statement_pairs p where p.story_id = s.id) as statement_pairs,
  (select max(p.gap_score) from statement_pairs p where p.story_id = s.id) as max_gap
from stories s
""",
    # Per story and language: coverage, mean article tone, and who reported first.
    "story_languages": """
with ranked as (
  select
    a.*,
    row_number() over (
      partition by a.story_id, a.language order by a.published, a.id
    ) as rank_in_language
  from articles a
  where a.story_id is not null and a.duplicate_of is null
)
select
  r.story_id,
  s.title as story_title,
  r.language,
  count(*) as articles,
  count(distinct r.outlet) as outlets,
  round(avg(se.tone), 3) as mean_tone,
  min(r.published) as first_published,
  max(case when r.rank_in_language = 1 then r.outlet end) as first_outlet,
  max(case when r.rank_in_language = 1 then r.title end) as first_title
from ranked r
join stories s on s.id = r.story_id
left join sentiments se on se.item_type = 'article' and se.item_id = r.id
group by r.story_id, r.language
""",
    # Per story, language and target: how the articles lean (article-level stances).
    "story_stance_mix": """
select
  a.story_id,
  s.title as story_title,
  a.language,
  st.target,
  count(*) as articles,
  sum(st.label = 'favor') as favor,
  sum(st.label = 'against') as against,
  sum(st.label = 'none') as neutral,
  round(avg(case st.label when 'favor' then 1 when 'against' then -1 else 0 end), 3)
    as mean_stance_value
from stances st
join articles a on a.id = st.article_id
join stories s on s.id = a.story_id
where st.item_type = 'article' and a.duplicate_of is null
group by a.story_id, a.language, st.target
""",
    # EN vs ZH statements of one organisation about one story, with the story title.
    "statement_gaps": """
select
  p.id as pair_id,
  p.story_id,
  s.title as story_title,
  s.first_seen,
  p.organisation,
  p.target,
  p.en_text,
  p.zh_text,
  p.en_stance,
  p.zh_stance,
  p.stance_agree,
  p.en_tone,
  p.zh_tone,
  p.tone_gap,
  p.gap_score,
  p.harsher,
  p.similarity,
  p.en_article_id,
  p.zh_article_id
from statement_pairs p
join stories s on s.id = p.story_id
""",
}


def ensure_views(db: sqlite_utils.Database) -> None:
    existing = {
        row[0]: row[1]
        for row in db.execute("select name, sql from sqlite_master where type = 'view'")
    }
    for name, sql in VIEWS.items():
        wanted = f"CREATE VIEW [{name}] AS {sql.strip()}"
        if existing.get(name) == wanted:
            continue
        with db.atomic():
            db.execute(f"DROP VIEW IF EXISTS [{name}]")
            db.execute(wanted)
