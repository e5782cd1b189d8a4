"""The morning brief: one bilingual page of what arrived since a moment, in four parts.

1. Alerts (``mediastance.alerts``), spikes first, strongest first.
2. Top stories with new articles: English / Chinese counts, and each language's mean tone
   now against the same story's earlier articles (the tone change).
3. New statements by watched organisations, with the sentence, stance and a link.
4. The largest EN/ZH statement gaps.

"Since" means recorded in the database since then (``fetched_at``, ``first_seen``,
``computed_at``), not published since: a backdated article collected last night is news
to the reader this morning. :func:`build_brief` reads; the ``render_*`` functions only
format. The HTML is for mail clients: one column at most 640 px wide, inline styles,
tables for layout, no scripts, no external images or fonts.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from mediastance.alerts import KIND_ORDER, sort_alerts
from mediastance.core.config import Config
from mediastance.core.storage import utcnow

FORMATS = ("html", "markdown", "text")
MAX_ALERTS_PER_KIND = 4  # one page: the rest are counted, and listed in Datasette
MAX_STORIES = 5
MAX_STATEMENTS = 8
MAX_GAPS = 5
KIND_TITLES = {
    "volume_spike": "Volume spike",
    "tone_drop": "Tone turning",
    "hostile_statement": "Hostile statement",
    "statement_gap": "EN/ZH statement gap",
}

# What a count of each kind is called: "1 volume spike", "3 hostile statements".
KIND_NAMES = {
    "volume_spike": ("volume spike", "volume spikes"),
    "tone_drop": ("tone turn", "tone turns"),
    "hostile_statement": ("hostile statement", "hostile statements"),
    "statement_gap": ("EN/ZH statement gap", "EN/ZH statement gaps"),
}


def count_of(n: int, kind: str) -> str:
    one, many = KIND_NAMES.get(kind, (kind, kind))
    return f"{n} {one if n == 1 else many}"


@dataclass
class Brief:
    since: str
    generated_at: str
    alerts: list[dict[str, Any]] = field(default_factory=list)
    stories: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    new_articles: dict[str, int] = field(default_factory=dict)
    datasette_url: str = ""

    @property
    def empty(self) -> bool:
        return not (self.alerts or self.stories or self.statements or self.gaps)

    def subject(self, prefix: str = "mediastance") -> str:
        """``mediastance brief 2026-12-06: 3 alerts (2 volume spike, 1 hostile statement)``."""
        day = self.generated_at[:10]
        head = f"{prefix} brief {day}".strip()
        if not self.alerts:
            en, zh = self.new_articles.get("en", 0), self.new_articles.get("zh", 0)
            return f"{head}: no alerts; {en} English, {zh} Chinese new articles"
        kinds = [k for k in KIND_ORDER if any(a["kind"] == k for a in self.alerts)]
        parts = ", ".join(count_of(sum(a["kind"] == k for a in self.alerts), k) for k in kinds)
        plural = "s" if len(self.alerts) != 1 else ""
        return f"{head}: {len(self.alerts)} alert{plural} ({parts})"

    def link(self, table: str, row_id: str | None) -> str | None:
        if not self.datasette_url or not row_id:
            return None
        return f"{self.datasette_url.rstrip('/')}/mediastance/{table}/{row_id}"


def since_from_duration(seconds: int, *, now: str | None = None) -> str:
    moment = dt.datetime.fromisoformat((now or utcnow()).replace("Z", "+00:00"))
    return (moment - dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def build_brief(
    db: sqlite_utils.Database,
    config: Config,
    *,
    since: str,
    alert_ids: Sequence[str] | None = None,
    now: str | None = None,
) -> Brief:
    """Read the brief's four parts: alerts first seen or grown since ``since`` (or exactly
    ``alert_ids``, a channel's undelivered alerts), then stories, statements and gaps."""
    brief = Brief(since=since, generated_at=now or utcnow())
    brief.datasette_url = config.notify.datasette_url
    if alert_ids is None:
        rows = db.query(
            "select * from alerts where first_seen >= ? or updated_at >= ?", [since, since]
        )
    else:
        ids = list(alert_ids)
        rows = (
            db.query(f"select * from alerts where id in ({','.join('?' * len(ids))})", ids)
            if ids
            else []
        )
    brief.alerts = sort_alerts(_with_evidence(db, rows))
    brief.new_articles = {
        r["language"]: r["n"]
        for r in db.query(
            "select language, count(*) as n from articles "
            "where duplicate_of is null and fetched_at >= ? group by language",
            [since],
        )
    }
    brief.stories = _stories(db, since)
    brief.statements = _statements(db, config, since)
    brief.gaps = [
        dict(r)
        for r in db.query(
            "select p.*, s.title as story_title, ea.url as en_url, za.url as zh_url "
            "from statement_pairs p left join stories s on s.id = p.story_id "
            "left join articles ea on ea.id = p.en_article_id "
            "left join articles za on za.id = p.zh_article_id "
            "where p.computed_at >= ? and p.gap_score is not null "
            "order by p.gap_score desc, p.id limit ?",
            [since, MAX_GAPS],
        )
    ]
    return brief


def _with_evidence(db: sqlite_utils.Database, rows: Iterable[dict]) -> list[dict[str, Any]]:
    """Each alert with its first evidence articles (title, outlet, url) and statements."""
    out = []
    for row in rows:
        alert = dict(row)
        ids = json.loads(alert.get("evidence_articles") or "[]")[:3]
        alert["articles"] = (
            [
                dict(r)
                for r in db.query(
                    f"select id, title, outlet, url, language from articles "
                    f"where id in ({','.join('?' * len(ids))})",
                    ids,
                )
            ]
            if ids
            else []
        )
        alert["articles"].sort(key=lambda a: ids.index(a["id"]))
        statement_ids = json.loads(alert.get("evidence_statements") or "[]")[:2]
        alert["statements"] = (
            [
                dict(r)
                for r in db.query(
                    "select s.id, s.text, s.language, a.url from statements s "
                    "join articles a on a.id = s.article_id "
                    f"where s.id in ({','.join('?' * len(statement_ids))})",
                    statement_ids,
                )
            ]
            if statement_ids
            else []
        )
        out.append(alert)
    return out


STORIES_SQL = """
select s.id, s.title, s.en_count, s.zh_count,
  sum(a.language = 'en') as en_new, sum(a.language = 'zh') as zh_new,
  min(a.url) as url
from articles a join stories s on s.id = a.story_id
where a.duplicate_of is null and a.fetched_at >= :since
group by s.id
order by count(*) desc, s.last_seen desc, s.id
limit :limit
"""

STORY_TONE_SQL = """
select a.language, a.fetched_at >= :since as new,
  round(avg(se.tone), 3) as tone, count(*) as n
from articles a
join sentiments se on se.item_type = 'article' and se.item_id = a.id
where a.story_id = :story and a.duplicate_of is null
group by a.language, new
"""


def _stories(db: sqlite_utils.Database, since: str) -> list[dict[str, Any]]:
    stories = []
    for row in db.query(STORIES_SQL, {"since": since, "limit": MAX_STORIES}):
        story = dict(row)
        tones = {
            (r["language"], r["new"]): r["tone"]
            for r in db.query(STORY_TONE_SQL, {"since": since, "story": row["id"]})
        }
        for lang in ("en", "zh"):
            now, before = tones.get((lang, 1)), tones.get((lang, 0))
            story[f"{lang}_tone"] = now
            story[f"{lang}_tone_change"] = (
                None if now is None or before is None else round(now - before, 3)
            )
        stories.append(story)
    return stories


STATEMENTS_SQL = """
select s.id, s.organisation, s.speaker, s.language, s.text, a.url, a.title, a.outlet,
  st.target, st.label, max(max(st.p_against, st.p_favor)) as confidence
from statements s
join articles a on a.id = s.article_id
join stances st on st.item_type = 'statement' and st.item_id = s.id
where a.fetched_at >= :since and a.duplicate_of is null and s.organisation is not null
  and st.target != s.organisation and st.label in ('against', 'favor')
group by s.id
order by confidence desc, s.id
"""


def _statements(db: sqlite_utils.Database, config: Config, since: str) -> list[dict[str, Any]]:
    """New statements by watched organisations, the most decided stance of each."""
    watched: set[str] = set()
    for rule in config.alerts:
        if rule.kind == "hostile_statement" and rule.enabled:
            watched |= set(rule.organisations or (t.name for t in config.targets))
    watched = watched or {t.name for t in config.targets}
    rows = [dict(r) for r in db.query(STATEMENTS_SQL, {"since": since})]
    return [r for r in rows if r["organisation"] in watched][:MAX_STATEMENTS]


# ---------------------------------------------------------------- rendering


def _tone(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _change(value: float | None) -> str:
    return "" if value is None else f" ({value:+.2f})"


def _counts(story: dict) -> str:
    return (
        f"EN {story['en_new'] or 0} new, tone {_tone(story['en_tone'])}"
        f"{_change(story['en_tone_change'])} · "
        f"ZH {story['zh_new'] or 0} new, tone {_tone(story['zh_tone'])}"
        f"{_change(story['zh_tone_change'])}"
    )


def shown_alerts(brief: Brief) -> tuple[list[dict[str, Any]], str | None]:
    """The strongest alerts of each kind, and a line counting the others (or None)."""
    shown: list[dict[str, Any]] = []
    hidden: dict[str, int] = {}
    for alert in brief.alerts:  # sorted by kind, strongest first
        if sum(a["kind"] == alert["kind"] for a in shown) < MAX_ALERTS_PER_KIND:
            shown.append(alert)
        else:
            hidden[alert["kind"]] = hidden.get(alert["kind"], 0) + 1
    if not hidden:
        return shown, None
    parts = ", ".join(count_of(n, k) for k, n in hidden.items())
    where = (
        f" ({brief.datasette_url.rstrip('/')}/mediastance/recent_alerts)"
        if (brief.datasette_url)
        else ""
    )
    return shown, f"Not shown: {parts}; all are in the alerts table{where}."


def _quotes(alert: dict) -> list[dict[str, Any]]:
    """Statements to quote under an alert (a hostile statement's summary quotes it)."""
    return [] if alert["kind"] == "hostile_statement" else alert["statements"]


def _window(alert: dict) -> str:
    start, end = alert.get("window_start"), alert.get("window_end")
    if not start:
        return ""
    return start if start == end or not end else f"{start} to {end}"


def render_text(brief: Brief) -> str:
    """Plain text (the mail's text part, a terminal, a log)."""
    lines = [
        brief.subject(),
        f"Recorded since {brief.since}; generated {brief.generated_at}.",
        "",
        f"ALERTS ({len(brief.alerts)})",
    ]
    if not brief.alerts:
        lines.append("  none")
    shown, more = shown_alerts(brief)
    for a in shown:
        lines.append(f"- [{KIND_TITLES.get(a['kind'], a['kind'])}] {a['summary']}")
        lines.append(f"  window {_window(a)}, score {a['score']:g}")
        for s in _quotes(a):
            lines.append(f"  “{s['text']}” {s['url'] or ''}".rstrip())
        for art in a["articles"]:
            lines.append(f"  · {art['title']} ({art['outlet']}) {art['url'] or ''}".rstrip())
        if brief.link("alerts", a["id"]):
            lines.append(f"  {brief.link('alerts', a['id'])}")
    if more:
        lines.append(more)
    lines += ["", f"TOP STORIES ({len(brief.stories)})"]
    if not brief.stories:
        lines.append("  none")
    for s in brief.stories:
        lines.append(f"- {s['title']}")
        lines.append(f"  {_counts(s)}")
        if s["url"]:
            lines.append(f"  {s['url']}")
    lines += ["", f"NEW STATEMENTS BY WATCHED ORGANISATIONS ({len(brief.statements)})"]
    if not brief.statements:
        lines.append("  none")
    for s in brief.statements:
        lines.append(
            f"- {s['organisation']} ({s['language']}) {s['label']} {s['target']} "
            f"({s['confidence']:.2f}): “{s['text']}”"
        )
        if s["url"]:
            lines.append(f"  {s['url']}")
    lines += ["", f"LARGEST EN/ZH GAPS ({len(brief.gaps)})"]
    if not brief.gaps:
        lines.append("  none")
    for g in brief.gaps:
        lines.append(
            f"- {g['organisation'] or '?'} on {g['target'] or '–'}: gap {g['gap_score']:.2f}, "
            f"EN {g['en_stance'] or '–'} / ZH {g['zh_stance'] or '–'}"
        )
        lines.append(f"  EN: {g['en_text']}")
        lines.append(f"  ZH: {g['zh_text']}")
    return "\n".join(lines) + "\n"


def _md(text: Any) -> str:
    """Markdown-safe inline text (no accidental emphasis, links or tables)."""
    out = str(text or "")
    for ch in "\\`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def _md_link(label: str, url: str | None) -> str:
    return f"[{_md(label)}](<{url}>)" if url else _md(label)


def render_markdown(brief: Brief) -> str:
    """Markdown (chat, a wiki page, an issue)."""
    lines = [
        f"# {_md(brief.subject())}",
        "",
        f"Recorded since {brief.since}; generated {brief.generated_at}.",
        "",
        f"## Alerts ({len(brief.alerts)})",
        "",
    ]
    if not brief.alerts:
        lines.append("None.")
    shown, more = shown_alerts(brief)
    for a in shown:
        link = brief.link("alerts", a["id"])
        lines.append(
            f"- **{KIND_TITLES.get(a['kind'], a['kind'])}** {_md(a['summary'])} "
            f"({_window(a)}, score {a['score']:g})" + (f" [row](<{link}>)" if link else "")
        )
        for s in _quotes(a):
            lines.append(f"  - “{_md(s['text'])}” {_md_link('source', s['url'])}")
        for art in a["articles"]:
            lines.append(
                f"  - {_md_link(art['title'] or art['id'], art['url'])} ({_md(art['outlet'])})"
            )
    if more:
        lines += ["", _md(more)]
    lines += ["", f"## Top stories ({len(brief.stories)})", ""]
    if not brief.stories:
        lines.append("None.")
    for s in brief.stories:
        lines.append(f"- {_md_link(s['title'], s['url'])}: {_md(_counts(s))}")
    lines += ["", f"## New statements by watched organisations ({len(brief.statements)})", ""]
    if not brief.statements:
        lines.append("None.")
    for s in brief.statements:
        lines.append(
            f"- **{_md(s['organisation'])}** ({s['language']}, {s['label']} {_md(s['target'])}, "
            f"{s['confidence']:.2f}): “{_md(s['text'])}” {_md_link('source', s['url'])}"
        )
    lines += ["", f"## Largest EN/ZH gaps ({len(brief.gaps)})", ""]
    if not brief.gaps:
        lines.append("None.")
    for g in brief.gaps:
        lines.append(
            f"- **{_md(g['organisation'])}** on {_md(g['target'] or '–')}: gap "
            f"{g['gap_score']:.2f} (EN {g['en_stance'] or '–'} / ZH {g['zh_stance'] or '–'})"
        )
        lines.append(f"  - EN: {_md(g['en_text'])} {_md_link('source', g['en_url'])}")
        lines.append(f"  - ZH: {_md(g['zh_text'])} {_md_link('source', g['zh_url'])}")
    return "\n".join(lines) + "\n"


# Mail clients drop <style> blocks and scripts: every style is inline, layout is tables.
_FONT = (
    "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,'PingFang SC',"
    "'Microsoft YaHei','Noto Sans CJK SC',sans-serif"
)
_KIND_COLOURS = {
    "volume_spike": "#b45309",
    "tone_drop": "#b91c1c",
    "hostile_statement": "#9d174d",
    "statement_gap": "#1d4ed8",
}


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _a(label: Any, url: str | None) -> str:
    if not url:
        return _e(label)
    return f'<a href="{_e(url)}" style="color:#1d4ed8;text-decoration:underline">{_e(label)}</a>'


def _lang(language: str | None) -> str:
    return ' lang="zh"' if language == "zh" else ' lang="en"' if language == "en" else ""


def _section(title: str, count: int) -> str:
    return (
        f'<tr><td style="padding:20px 16px 6px 16px;{_FONT};font-size:17px;font-weight:bold;'
        f'color:#111827;border-bottom:1px solid #e5e7eb">{_e(title)} '
        f'<span style="color:#6b7280;font-weight:normal">({count})</span></td></tr>'
    )


def _row(inner: str) -> str:
    return (
        f'<tr><td style="padding:10px 16px;{_FONT};font-size:14px;line-height:1.5;'
        f'color:#1f2937;border-bottom:1px solid #f3f4f6">{inner}</td></tr>'
    )


def _none() -> str:
    return _row('<span style="color:#6b7280">None.</span>')


def _small(inner: str) -> str:
    return f'<div style="font-size:12px;color:#6b7280;margin-top:2px">{inner}</div>'


def render_html(brief: Brief) -> str:
    """A mail-safe HTML page: inline styles, tables, no scripts; readable on a phone."""
    rows: list[str] = []
    rows.append(
        f'<tr><td style="padding:18px 16px;background:#111827;{_FONT};color:#ffffff">'
        f'<div style="font-size:20px;font-weight:bold">{_e(brief.subject())}</div>'
        f'<div style="font-size:12px;color:#d1d5db;margin-top:4px">Recorded since '
        f"{_e(brief.since)} · generated {_e(brief.generated_at)} · new articles: "
        f"EN {brief.new_articles.get('en', 0)}, ZH {brief.new_articles.get('zh', 0)}</div>"
        "</td></tr>"
    )
    rows.append(_section("Alerts", len(brief.alerts)))
    if not brief.alerts:
        rows.append(_none())
    shown, more = shown_alerts(brief)
    for a in shown:
        colour = _KIND_COLOURS.get(a["kind"], "#374151")
        badge = (
            f'<span style="display:inline-block;padding:1px 6px;border-radius:3px;'
            f'background:{colour};color:#ffffff;font-size:11px;font-weight:bold">'
            f"{_e(KIND_TITLES.get(a['kind'], a['kind']).upper())}</span>"
        )
        inner = [f"{badge} <b>{_e(a['target'] or a['organisation'] or '')}</b>"]
        inner.append(f"<div{_lang(a['language'])}>{_e(a['summary'])}</div>")
        for s in _quotes(a):
            inner.append(
                f'<div{_lang(s["language"])} style="margin:4px 0;padding-left:8px;'
                f'border-left:3px solid {colour};color:#374151">“{_e(s["text"])}” '
                f"{_a('source', s['url'])}</div>"
            )
        for art in a["articles"]:
            inner.append(
                f'<div{_lang(art["language"])} style="font-size:13px">· '
                f"{_a(art['title'] or art['id'], art['url'])} "
                f'<span style="color:#6b7280">{_e(art["outlet"])}</span></div>'
            )
        link = brief.link("alerts", a["id"])
        extra = f" · {_a('alert row', link)}" if link else ""
        inner.append(_small(f"{_e(_window(a))} · score {a['score']:g}{extra}"))
        rows.append(_row("".join(inner)))
    if more:
        rows.append(_row(f'<span style="color:#6b7280">{_e(more)}</span>'))
    rows.append(_section("Top stories", len(brief.stories)))
    if not brief.stories:
        rows.append(_none())
    for s in brief.stories:
        rows.append(
            _row(
                f"<div><b>{_a(s['title'], s['url'])}</b></div>"
                + _small(
                    f"English {s['en_new'] or 0} new (tone {_tone(s['en_tone'])}"
                    f"{_change(s['en_tone_change'])}) · Chinese {s['zh_new'] or 0} new "
                    f"(tone {_tone(s['zh_tone'])}{_change(s['zh_tone_change'])})"
                )
            )
        )
    rows.append(_section("New statements by watched organisations", len(brief.statements)))
    if not brief.statements:
        rows.append(_none())
    for s in brief.statements:
        colour = "#b91c1c" if s["label"] == "against" else "#047857"
        rows.append(
            _row(
                f"<b>{_e(s['organisation'])}</b> "
                f'<span style="color:{colour}">{_e(s["label"])} {_e(s["target"])}</span> '
                f'<span style="color:#6b7280">({_e(s["language"])}, {s["confidence"]:.2f})</span>'
                f"<div{_lang(s['language'])}>“{_e(s['text'])}”</div>"
                + _small(f"{_a(s['title'] or 'article', s['url'])} · {_e(s['outlet'])}")
            )
        )
    rows.append(_section("Largest EN/ZH gaps", len(brief.gaps)))
    if not brief.gaps:
        rows.append(_none())
    for g in brief.gaps:
        rows.append(
            _row(
                f"<b>{_e(g['organisation'] or '?')}</b> on {_e(g['target'] or '–')}: gap "
                f"<b>{g['gap_score']:.2f}</b> (EN {_e(g['en_stance'] or '–')} / ZH "
                f"{_e(g['zh_stance'] or '–')})"
                f'<div lang="en">EN: {_e(g["en_text"])} {_a("source", g["en_url"])}</div>'
                f'<div lang="zh">ZH: {_e(g["zh_text"])} {_a("source", g["zh_url"])}</div>'
            )
        )
    body = "\n".join(rows)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(brief.subject())}</title></head>"
        '<body style="margin:0;padding:0;background:#f3f4f6">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="background:#f3f4f6"><tr><td align="center" style="padding:12px 6px">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="max-width:640px;background:#ffffff;border-collapse:collapse">\n'
        f"{body}\n"
        f'<tr><td style="padding:14px 16px;{_FONT};font-size:11px;color:#9ca3af">'
        "mediastance · tone: −1 hostile … +1 warm, as the model reads the wording · "
        "stances and tones are model labels; check the sentence before quoting it"
        "</td></tr></table></td></tr></table></body></html>\n"
    )


def render(brief: Brief, fmt: str) -> str:
    if fmt == "html":
        return render_html(brief)
    if fmt == "markdown":
        return render_markdown(brief)
    if fmt == "text":
        return render_text(brief)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def slack_payload(brief: Brief) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook body: ``text`` (the fallback) and blocks.

    Slack's mrkdwn is not Markdown (``*bold*``, ``<url|label>``); Mattermost, Rocket.Chat
    and Discord's Slack-compatible endpoints read the same fields.
    """

    def esc(text: Any) -> str:
        return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def link(label: Any, url: str | None) -> str:
        return f"<{url}|{esc(label)}>" if url else esc(label)

    lines = []
    shown, more = shown_alerts(brief)
    for a in shown:
        first = a["articles"][0] if a["articles"] else None
        source = f" {link('source', first['url'])}" if first and first["url"] else ""
        lines.append(f"• *{KIND_TITLES.get(a['kind'], a['kind'])}* {esc(a['summary'])}{source}")
    if more:
        lines.append(esc(more))
    stories = [f"• {link(s['title'], s['url'])} — {esc(_counts(s))}" for s in brief.stories]
    gaps = [
        f"• *{esc(g['organisation'])}* on {esc(g['target'] or '–')}: gap {g['gap_score']:.2f}"
        for g in brief.gaps
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": brief.subject()[:150]}}
    ]
    for title, items in (("Alerts", lines), ("Top stories", stories), ("EN/ZH gaps", gaps)):
        if not items:
            continue
        chunk = f"*{title}*"
        for item in items:
            if len(chunk) + len(item) + 1 > 2900:  # a section's text holds 3,000 characters
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
                chunk = ""
            chunk += "\n" + item
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk.strip()}})
    return {"text": brief.subject(), "blocks": blocks[:50]}
