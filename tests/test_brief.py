"""The brief from the demo corpus (the real pipeline, alerts computed by its run), in all
three formats, through the CLI; and the rendering rules a mail client needs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mediastance.alerts import load_series
from mediastance.brief import (
    Brief,
    build_brief,
    render_html,
    render_markdown,
    render_text,
    shown_alerts,
    slack_payload,
)
from mediastance.cli import cli
from mediastance.core.config import ALERT_PARAMETERS, load_config
from mediastance.core.storage import open_db

SUPPORTED = {"volume_spike", "hostile_statement", "statement_gap"}


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    """A copy: brief writes (alerts are brought up to date first)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    return path


@pytest.mark.slow
def test_the_demo_run_found_an_alert_of_each_kind_its_data_supports(demo_db):
    db = open_db(demo_db)
    kinds = {r["kind"] for r in db.query("select distinct kind from alerts")}
    assert kinds == SUPPORTED
    [run] = db.query("select details from runs")
    assert json.loads(run["details"])["alerts"]["new"] == db["alerts"].count
    # tone_drop needs a day with >= 3 articles about a target in one language and >= 5
    # in the 14 days before it; the demo corpus (53 articles over five years) has none.
    tone = ALERT_PARAMETERS["tone_drop"]
    series = load_series(db)
    supported = [
        (key, series.days[i])
        for key, n in series.tone_n.items()
        for i in range(len(n))
        if n[i] >= tone["min_articles"]
        and sum(n[max(0, i - int(tone["baseline_days"])) : i]) >= tone["min_baseline_articles"]
    ]
    assert supported == []


@pytest.mark.slow
def test_html_brief_from_the_demo(demo_copy, tmp_path):
    out = tmp_path / "brief.html"
    result = CliRunner().invoke(
        cli, ["brief", "--db", str(demo_copy), "--format", "html", "-o", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "max-width:640px" in page
    # Mail clients strip these: everything is inline, nothing runs, nothing is fetched.
    for banned in ("<script", "<style", "<link", "<img", "javascript:"):
        assert banned not in page.lower(), banned
    for title in ("VOLUME SPIKE", "HOSTILE STATEMENT", "EN/ZH STATEMENT GAP"):
        assert title in page
    assert "国际反假冒联盟" in page  # Chinese evidence, not escaped into entities
    assert "Alibaba (en): 4 articles on 2016-05-13, expected 0.1 a day" in page
    sections = re.findall(r"font-weight:bold;color:#111827[^>]*>([^<]+) <span", page)
    assert sections == [
        "Alerts",
        "Top stories",
        "New statements by watched organisations",
        "Largest EN/ZH gaps",
    ]
    # Stories have new articles in both languages, with their tone.
    assert re.search(r"English \d+ new \(tone [+-]\d\.\d\d\) · Chinese \d+ new", page)


@pytest.mark.slow
def test_text_and_markdown_briefs(demo_copy):
    runner = CliRunner()
    text = runner.invoke(cli, ["brief", "--db", str(demo_copy), "--since", "7d"])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert re.fullmatch(
        r"mediastance brief \d{4}-\d\d-\d\d: \d+ alerts \(\d+ volume spikes?, "
        r"\d+ hostile statements?, \d+ EN/ZH statement gaps?\)",
        lines[0],
    )
    assert lines[3].startswith("ALERTS (")
    assert "- [Volume spike] Alibaba (en): 4 articles on 2016-05-13, expected 0.1 a day" in lines
    assert any(line.startswith("TOP STORIES (") for line in lines)
    markdown = runner.invoke(cli, ["brief", "--db", str(demo_copy), "--format", "markdown"])
    assert markdown.exit_code == 0
    assert markdown.output.startswith("# mediastance brief ")
    assert "\n## Alerts (" in markdown.output
    assert "- **Hostile statement** " in markdown.output
    # A window that starts after everything was recorded holds nothing.
    db = open_db(demo_copy)
    empty = build_brief(db, load_config(), since="2999-01-01T00:00:00Z")
    assert empty.empty
    assert empty.subject().endswith(": no alerts; 0 English, 0 Chinese new articles")


@pytest.mark.slow
def test_brief_errors_are_one_line(demo_copy, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["brief", "--db", str(demo_copy), "--since", "yesterday"])
    assert (bad.exit_code, bad.output) == (
        2,
        "Error: --since yesterday: use a duration like 24h, 7d or 90m\n",
    )
    nowhere = runner.invoke(cli, ["brief", "--db", str(demo_copy), "--send", "-q"])
    assert nowhere.exit_code == 2
    assert nowhere.output.splitlines()[-1] == (
        "Error: --send: no channel in [notify]; set smtp_host and mail_to, or webhook_url"
    )
    missing = runner.invoke(cli, ["brief", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code == 2
    assert "no such database" in missing.output
    folder = runner.invoke(
        cli, ["brief", "--db", str(demo_copy), "-o", str(tmp_path / "no" / "b.html")]
    )
    assert folder.exit_code == 2
    assert "cannot write (folder" in folder.output


def sample_brief() -> Brief:
    alert = {
        "id": "a1",
        "kind": "hostile_statement",
        "target": "Alibaba",
        "organisation": "SAIC",
        "language": "zh",
        "summary": 'SAIC against Alibaba: <b>"假货"</b> & *stars*',
        "window_start": "2026-12-05",
        "window_end": "2026-12-05",
        "score": 0.97,
        "articles": [
            {"id": "x", "title": "<script>alert(1)</script>", "outlet": "A", "url": None,
             "language": "zh"},
        ],
        "statements": [],
    }  # fmt: skip
    return Brief(
        since="2026-12-05T00:00:00Z",
        generated_at="2026-12-06T06:00:00Z",
        alerts=[alert],
        datasette_url="https://coverage.example.com/",
    )


def test_html_escapes_everything_it_quotes():
    page = render_html(sample_brief())
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;&quot;假货&quot;&lt;/b&gt; &amp; *stars*" in page
    assert 'href="https://coverage.example.com/mediastance/alerts/a1"' in page


def test_markdown_and_slack_escape_their_own_syntax():
    brief = sample_brief()
    markdown = render_markdown(brief)
    assert '\\<b\\>"假货"\\</b\\> & \\*stars\\*' in markdown
    body = slack_payload(brief)
    assert body["text"] == "mediastance brief 2026-12-06: 1 alert (1 hostile statement)"
    assert body["blocks"][1]["text"]["text"] == (
        '*Alerts*\n• *Hostile statement* SAIC against Alibaba: &lt;b&gt;"假货"&lt;/b&gt; '
        "&amp; *stars*"
    )


def test_one_page_shows_the_strongest_alerts_of_each_kind():
    brief = sample_brief()
    first = brief.alerts[0]
    brief.alerts = [{**first, "id": f"a{i}", "score": 0.99 - i / 100} for i in range(6)]
    shown, more = shown_alerts(brief)
    assert [a["id"] for a in shown] == ["a0", "a1", "a2", "a3"]
    assert more == (
        "Not shown: 2 hostile statements; all are in the alerts table "
        "(https://coverage.example.com/mediastance/recent_alerts)."
    )
    assert brief.subject() == "mediastance brief 2026-12-06: 6 alerts (6 hostile statements)"
    for text in (render_html(brief), render_markdown(brief), render_text(brief)):
        assert text.count("SAIC against Alibaba") == 4


def test_story_counts_and_tone_change_since(tmp_path):
    from mediastance.core.storage import ensure_db_shape

    db = open_db(tmp_path / "s.db")
    ensure_db_shape(db)
    db["stories"].insert({"id": "st1", "title": "淘宝 fakes row", "en_count": 3, "zh_count": 2})
    rows = [  # (id, language, fetched_at, tone)
        ("e1", "en", "2026-12-01T03:00:00Z", 0.2),
        ("e2", "en", "2026-12-06T03:00:00Z", -0.4),
        ("e3", "en", "2026-12-06T03:00:00Z", -0.2),
        ("z1", "zh", "2026-12-06T03:00:00Z", -0.5),
        ("z2", "zh", "2026-12-06T03:00:00Z", -0.3),
    ]
    for article_id, language, fetched_at, tone in rows:
        db["articles"].insert(
            {
                "id": article_id,
                "canonical_url": f"https://x.example/{article_id}",
                "url": f"https://x.example/{article_id}",
                "language": language,
                "fetched_at": fetched_at,
                "story_id": "st1",
            }
        )
        db["sentiments"].insert(
            {
                "id": f"se-{article_id}",
                "item_type": "article",
                "item_id": article_id,
                "article_id": article_id,
                "p_positive": max(tone, 0),
                "p_negative": max(-tone, 0),
                "tone": tone,
            }
        )
    brief = build_brief(db, load_config(), since="2026-12-05T06:00:00Z")
    [story] = brief.stories
    assert {k: story[k] for k in ("en_new", "zh_new", "en_tone", "zh_tone")} == {
        "en_new": 2,
        "zh_new": 2,
        "en_tone": -0.3,
        "zh_tone": -0.4,
    }
    assert story["en_tone_change"] == pytest.approx(-0.5)  # was +0.2
    assert story["zh_tone_change"] is None  # nothing earlier in Chinese
    assert brief.new_articles == {"en": 2, "zh": 2}
    assert "EN 2 new, tone -0.30 (-0.50) · ZH 2 new, tone -0.40" in render_text(brief)
