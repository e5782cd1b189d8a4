"""Issue 16, the pages: ids as links, the article page, "correct this" and its form, the
Excel-ready CSV, column labels and language names (through Datasette's own client)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from test_datasette import labeled_db

from mediastance.core import search_index as word_search
from mediastance.core.storage import (
    FOREIGN_KEYS,
    FTS_TABLES,
    ensure_db_shape,
    migrations,
    open_db,
    save_fetch_error,
    save_rows,
    start_run,
)
from mediastance.serve import make_datasette

DB = "mediastance"
EN1_TEXT = "The IACC suspended Alibaba after brands protested counterfeits."


def add_statement_labels(path: Path) -> Path:
    """labeled_db plus a statement with no organisation, a statement's stance and tone,
    and an alias found in a Chinese article."""
    db = open_db(path)
    save_rows(
        db,
        "statements",
        [
            {
                "id": "en1:q0",
                "article_id": "en1",
                "sentence_index": 1,
                "speaker": "Analysts in Hong Kong",
                "organisation": None,
                "language": "en",
                "kind": "reported",
                "text": "the suspension was a blow",
            }
        ],
        pk="id",
    )
    save_rows(
        db,
        "stances",
        [
            {
                "id": "statement:en2:0:IACC",
                "item_type": "statement",
                "item_id": "en2:0",
                "article_id": "en2",
                "target": "IACC",
                "label": "against",
                "score": 0.8,
                "p_favor": 0.1,
                "p_against": 0.8,
                "p_none": 0.1,
                "model": "m",
                "model_version": "v1",
            }
        ],
        pk="id",
    )
    save_rows(
        db,
        "sentiments",
        [
            {
                "id": "statement:en2:0",
                "item_type": "statement",
                "item_id": "en2:0",
                "article_id": "en2",
                "label": "negative",
                "score": 0.7,
                "p_positive": 0.1,
                "p_neutral": 0.2,
                "p_negative": 0.7,
                "tone": -0.6,
                "model": "m",
                "model_version": "v1",
            }
        ],
        pk="id",
    )
    return path


@pytest.fixture
def path(tmp_path):
    return add_statement_labels(labeled_db(tmp_path / "pages.db"))


@pytest.fixture
def ds(path):
    return make_datasette(path)


@pytest.fixture
def editor_ds(path, monkeypatch):
    from datasette_auth_passwords.utils import hash_password

    monkeypatch.setenv("MEDIASTANCE_PASSWORD_HASH", hash_password("s3cret"))
    return make_datasette(path, auth=True)


def get(ds, url, **kwargs):
    return asyncio.run(ds.client.get(url, **kwargs))


def post_form(ds, data: dict, cookies: dict | None = None):
    """POST to the correction form as a browser does: the CSRF token from its page."""
    page = get(ds, "/-/correct", cookies=cookies or {})
    token = page.cookies.get("ds_csrftoken")
    return asyncio.run(
        ds.client.post(
            "/-/correct",
            data={**data, "csrftoken": token},
            cookies={**(cookies or {}), "ds_csrftoken": token},
        )
    )


def editor(ds) -> dict:
    return {"ds_actor": ds.sign({"a": {"id": "editor"}}, "actor")}


def corrections(path: Path) -> list[tuple]:
    return [
        (r["item_type"], r["item_id"], r["article_id"], r["target"], r["task"], r["label"])
        + (r["note"], r["created_by"])
        for r in open_db(path)["corrections"].rows
    ]


# --- ids are links ------------------------------------------------------------------------
def test_ids_are_foreign_keys_and_shown_as_links(ds, path):
    db = open_db(path)
    for table, column, other, other_column in FOREIGN_KEYS:
        keys = {(fk.column, fk.other_table, fk.other_column) for fk in db[table].foreign_keys}
        assert (column, other, other_column) in keys, (table, column)
    stances = get(ds, f"/{DB}/stances?item_type=article&_sort=id").text
    assert (
        '<a href="/mediastance/articles/en1">IACC suspends Alibaba membership</a>&nbsp;<em>en1</em>'
        in stances
    )
    labels = get(ds, f"/{DB}/statement_labels").text
    assert '<a href="/mediastance/statements/en2~3A0">' in labels
    # A run id in fetch_errors leads to its run.
    run = start_run(db, "collect")
    save_fetch_error(db, run_id=run, source="test", url="http://x.example/", error="timeout")
    assert f'<a href="/mediastance/runs/{run}">{run}</a>' in get(ds, f"/{DB}/fetch_errors").text
    # Ids of the text tables are links without a foreign key (LINK_COLUMNS).
    copies = get(ds, f"/{DB}/articles?_col=duplicate_of&duplicate_of__notblank=1").text
    assert (
        '<td class="col-duplicate_of type-str"><a href="/mediastance/articles/zh1">zh1</a></td>'
        in copies
    )
    article = get(ds, f"/{DB}/articles/en1").text
    assert "Links from other tables" in article
    assert re.search(r">\s*2 rows</a>\s*from article_id in stances", article)


def table_rows(db, table: str) -> list[tuple]:
    """Every row with its rowid (the FTS and word indexes refer to rows by rowid)."""
    if "without rowid" in db[table].schema.lower():
        return sorted(db.execute(f"select * from [{table}]").fetchall(), key=repr)
    return db.execute(f"select rowid, * from [{table}] order by rowid").fetchall()


def test_foreign_key_migration_keeps_every_row_and_trigger_of_an_existing_database(tmp_path):
    db = open_db(tmp_path / "old.db")
    word_search.register_functions(db.conn)
    migrations.apply(db, stop_before="m016_foreign_keys")  # a database from before issue 16
    for table, columns in FTS_TABLES.items():
        db[table].enable_fts(columns, create_triggers=True, tokenize="trigram")
    db.conn.close()
    path = add_statement_labels(labeled_db(tmp_path / "old.db"))  # its data, written by then
    db = open_db(path)
    with db.atomic():  # as the statement_labels triggers before m017 left it
        db.execute(
            "update statement_labels set organisation = null where organisation = ?",
            ["unattributed"],
        )
    tables = [t for t in db.table_names() if "_fts" not in t and t != "_sqlite_migrations"]
    rows = {t: table_rows(db, t) for t in tables}
    triggers = {t.name: t.sql for t in db.triggers}
    indexes = set(db.execute("select name from sqlite_master where type = 'index'").fetchall())
    assert db.execute(
        "select organisation from statement_labels where statement_id = 'en1:q0'"
    ).fetchall() == [(None,)]

    ensure_db_shape(db)

    for table in tables:
        got = table_rows(db, table)
        if table == "statement_labels":  # the one change: no organisation reads "unattributed"
            got = [tuple(None if v == "unattributed" else v for v in r) for r in got]
        assert got == rows[table], table
    assert {n: s for n, s in ((t.name, t.sql) for t in db.triggers) if n in triggers} == triggers
    assert indexes <= set(db.execute("select name from sqlite_master where type = 'index'"))
    assert ("article_id", "articles") in {
        (f.column, f.other_table) for f in db["stances"].foreign_keys
    }
    # The triggers kept working: a new label reaches the rollups, a new article the search.
    save_rows(
        db,
        "articles",
        [{"id": "en3", "url": "u3", "canonical_url": "u3", "title": "Fakes on sale again"}],
        pk="id",
    )
    save_rows(
        db,
        "stances",
        [{"id": "article:en3:Alibaba", "item_type": "article", "item_id": "en3",
          "article_id": "en3", "target": "Alibaba", "label": "against"}],
        pk="id",
    )  # fmt: skip
    assert db.execute(
        "select article_id, stance from article_stances where article_id = 'en3'"
    ).fetchall() == [("en3", "against")]
    assert [r["id"] for r in db.query(
        "select a.id from articles a join articles_fts f on f.rowid = a.rowid "
        "where articles_fts match 'sale again'"
    )] == ["en3"]  # fmt: skip


# --- the article page and the articles table ------------------------------------------------
def test_article_page_shows_its_labels_and_statements(ds):
    page = get(ds, f"/{DB}/articles/en2").text
    stances = page[page.index('class="rows-and-columns article-stances"') :]
    assert re.search(r"<td>Alibaba</td><td>favor</td><td>0.9</td>", stances)
    assert (
        'href="/-/correct?item_type=article&amp;item_id=en2&amp;target=Alibaba&amp;task=stance'
        '&amp;was=favor">correct this</a>' in stances
    )
    assert "Tone: neutral (-0.10, −1 hostile … +1 warm)" in page
    assert (
        'href="/-/correct?item_type=article&amp;item_id=en2&amp;task=sentiment&amp;was=neutral"'
        in page
    )
    statements = page[page.index('class="rows-and-columns article-statements"') :]
    assert (
        "<td>Alibaba</td><td>Alibaba</td><td>English</td>"
        "<td>the decision was a step in the wrong direction and regrettable</td>"
    ) in statements
    assert (
        'IACC: against <a class="correct-this" href="/-/correct?item_type=statement&amp;'
        'item_id=en2%3A0&amp;target=IACC&amp;task=stance&amp;was=against">correct this</a>'
    ) in statements
    assert "negative (-0.60)" in statements
    # A statement with no organisation is there, as "unattributed".
    other = get(ds, f"/{DB}/articles/en1").text
    assert "<td>Analysts in Hong Kong</td><td>unattributed</td><td>English</td>" in other
    assert f"<p>{EN1_TEXT}</p>" in other  # the full text, on the article's own page
    assert '<tr><th scope="row">outlet</th><td class="col-outlet">Reuters</td></tr>' in other
    copy = get(ds, f"/{DB}/articles/zh2").text  # a copy links to its original
    assert '<td class="col-duplicate_of"><a href="/mediastance/articles/zh1">zh1</a></td>' in copy


def headers(html: str) -> list[str]:
    return re.findall(r'<th class="col-([\w-]+)"', html)


def test_articles_table_opens_with_title_outlet_language_date_and_labels(ds):
    page = get(ds, f"/{DB}/articles?_sort=id").text
    assert headers(page)[:6] == ["id", "title", "outlet", "language", "published", "labels"]
    assert headers(page)[6:] == ["source", "script", "author"]
    assert EN1_TEXT not in page
    row = page[page.index('<a href="/mediastance/articles/en1">') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[:5] == [
        '<a href="/mediastance/articles/en1">IACC suspends Alibaba membership</a>',
        "Reuters",
        '<span title="en">English</span>',
        "2016-05-13T10:00:00Z",
        'Alibaba <span class="stance-against">against</span> · '
        'IACC <span class="stance-none">none</span> · tone -0.50',
    ]
    assert '<span title="zh">中文</span>' in page
    # A reader who asks for the text gets it.
    asked = get(ds, f"/{DB}/articles?_sort=id&_col=title&_col=text").text
    assert headers(asked) == ["id", "title", "labels", "text"]
    assert EN1_TEXT in asked


def test_language_codes_are_names_on_pages_and_codes_in_data(ds):
    page = get(ds, f"/{DB}/statement_labels?_sort=statement_id").text
    assert '<td class="col-language type-str"><span title="zh">中文</span></td>' in page
    csv = get(ds, f"/{DB}/articles.csv?_col=language&_sort=id").text
    assert csv.splitlines()[1:] == ["en1,en", "en2,en", "zh1,zh", "zh2,zh"]


def test_columns_that_need_it_have_descriptions(ds):
    for table, column, words in [
        ("stances", "p_favor", "Probability that the text is favourable to the target"),
        ("sentiments", "p_negative", "Probability of negative tone"),
        ("article_stances", "stance_value", "+1 favor, −1 against, 0 none."),
        ("daily_coverage", "tone_sum", "Sum of article tones"),
        ("statement_labels", "organisation", "or &#34;unattributed&#34; when"),
    ]:
        page = get(ds, f"/{DB}/{table}").text
        header = re.search(rf'<th [^>]*data-column="{column}"[^>]*>', page)
        assert header and words in header.group(), (table, column)


# --- unattributed statements ------------------------------------------------------------------
def test_statements_without_organisation_are_unattributed_in_facets_and_filters(ds):
    data = get(ds, f"/{DB}/statement_labels.json?_facet=organisation&_shape=objects").json()
    facet = {r["value"]: r["count"] for r in data["facet_results"]["organisation"]["results"]}
    assert facet == {"Alibaba": 2, "unattributed": 1}
    rows = get(ds, f"/{DB}/statement_labels.json?organisation=unattributed&_shape=objects").json()[
        "rows"
    ]
    assert [(r["statement_id"], r["speaker"]) for r in rows] == [
        ("en1:q0", "Analysts in Hong Kong")
    ]
    statements = get(ds, f"/{DB}/statements?_sort=id").text
    assert '<em class="unattributed">unattributed</em>' in statements


# --- "correct this" and the correction form -------------------------------------------------------
@pytest.mark.parametrize(
    "table, link",
    [
        ("stances", "item_type=article&amp;item_id=en1&amp;target=Alibaba&amp;task=stance&amp;was=against"),
        ("stances", "item_type=statement&amp;item_id=en2%3A0&amp;target=IACC&amp;task=stance&amp;was=against"),
        ("sentiments", "item_type=article&amp;item_id=en1&amp;task=sentiment&amp;was=negative"),
        ("sentiments", "item_type=statement&amp;item_id=en2%3A0&amp;task=sentiment&amp;was=negative"),
        ("statement_labels", "item_type=statement&amp;item_id=en2%3A0&amp;target=IACC&amp;task=stance&amp;was=against"),
        ("statement_labels", "item_type=statement&amp;item_id=en2%3A0&amp;task=sentiment&amp;was=negative"),
        ("article_stances", "item_type=article&amp;item_id=zh1&amp;target=Alibaba&amp;task=stance&amp;was=favor"),
        ("article_stances", "item_type=article&amp;item_id=zh1&amp;task=sentiment&amp;was=negative"),
    ],
)  # fmt: skip
def test_every_label_row_links_to_a_prefilled_correction(ds, table, link):
    page = get(ds, f"/{DB}/{table}").text
    assert f'<a class="correct-this" href="/-/correct?{link}">correct this</a>' in page


def test_correction_form_is_prefilled_and_checks_the_item_and_target(ds):
    form = get(
        ds, "/-/correct?item_type=statement&item_id=en2:0&target=IACC&task=stance&was=against"
    )
    assert form.status_code == 200
    assert "<option selected>statement</option>" in form.text
    assert 'name="item_id" value="en2:0"' in form.text
    assert 'name="target" value="IACC"' in form.text
    # What is being corrected and what the model said; the new label is the reader's.
    assert (
        "<blockquote>Alibaba: the decision was a step in the wrong direction and regrettable</blockquote>"
        in form.text
    )
    assert '<a href="/mediastance/articles/en2">its article</a>' in form.text
    assert "The model said: <strong>against</strong> (stance)." in form.text
    assert '<option value="" selected>choose…</option>' in form.text
    assert "correction-errors" not in form.text
    bad = get(ds, "/-/correct?item_type=article&item_id=does-not-exist&target=Alibabba&task=stance")
    assert re.findall(r"<li>(.*?)</li>", bad.text[bad.text.index("correction-errors") :])[:2] == [
        "No article with id &#39;does-not-exist&#39; in the database.",
        "Unknown target &#39;Alibabba&#39;. Did you mean Alibaba? Known targets: Alibaba, "
        "Amazon, IACC, JD.com, Kering, Michael Kors, Pinduoduo, SAIC, Shopee, USTR, eBay.",
    ]


def test_anonymous_visitor_is_offered_the_sign_in_page(editor_ds, path):
    form = get(editor_ds, "/-/correct?item_type=article&item_id=en1&target=Alibaba&task=stance")
    assert (
        'Only signed-in editors can record corrections:\n      <a href="/-/login">sign in</a>'
        in form.text
    )
    assert '<input type="submit" value="Record correction" disabled>' in form.text
    refused = post_form(editor_ds, {"item_type": "article", "item_id": "en1", "task": "stance",
                                    "target": "Alibaba", "label": "favor"})  # fmt: skip
    assert refused.status_code == 403
    assert '<a href="/-/login">sign in</a>' in refused.text
    assert corrections(path) == []


def test_without_sign_in_configured_the_form_says_how_to_turn_it_on(ds):
    form = get(ds, "/-/correct?item_type=article&item_id=en1")
    assert "Start it with <code>mediastance serve --auth</code>" in form.text


def test_a_refused_correction_keeps_what_was_typed(editor_ds, path):
    typed = {"item_type": "article", "item_id": "does-not-exist", "task": "stance",
             "target": "Alibabba", "label": "favor", "note": "rebuttal, not criticism"}  # fmt: skip
    response = post_form(editor_ds, typed, editor(editor_ds))
    assert response.status_code == 400
    assert "No article with id &#39;does-not-exist&#39; in the database." in response.text
    assert "Unknown target &#39;Alibabba&#39;. Did you mean Alibaba?" in response.text
    for name in ("item_id", "target", "note"):
        value = typed[name].replace(",", ",")
        assert f'name="{name}" value="{value}"' in response.text
    assert "<option selected>favor</option>" in response.text
    assert corrections(path) == []


def test_a_correction_is_recorded_under_the_target_name_any_alias_case_or_script(editor_ds, path):
    cookies = editor(editor_ds)
    first = post_form(
        editor_ds,
        {"item_type": "article", "item_id": "en1", "task": "stance", "target": "alibaba",
         "label": "favor", "note": "rebuttal, not criticism"},
        cookies,
    )  # fmt: skip
    assert first.status_code == 302
    assert first.headers["location"] == "/mediastance/articles/en1"
    assert editor_ds.unsign(first.cookies["ds_messages"], "messages") == [
        [
            "Correction recorded: stance favor toward Alibaba (you typed 'alibaba'). "
            "It is used the next time the heads are trained.",
            editor_ds.INFO,
        ]
    ]
    post_form(
        editor_ds,
        {"item_type": "statement", "item_id": "zh1:0", "task": "stance", "target": "淘寶",
         "label": "against"},
        cookies,
    )  # fmt: skip
    post_form(
        editor_ds,
        {"item_type": "statement", "item_id": "en2:0", "task": "sentiment", "label": "neutral"},
        cookies,
    )
    assert corrections(path) == [
        ("article", "en1", "en1", "Alibaba", "stance", "favor", "rebuttal, not criticism", "editor"),
        ("statement", "zh1:0", "zh1", "Alibaba", "stance", "against", None, "editor"),
        ("statement", "en2:0", "en2", None, "sentiment", "neutral", None, "editor"),
    ]  # fmt: skip


# --- Excel-ready CSV --------------------------------------------------------------------------
def test_excel_csv_has_a_bom_and_downloads_every_row(ds):
    response = get(ds, f"/{DB}/articles.excel?_col=title&_sort=id&_size=2")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="articles.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfid,title\r\n")
    assert response.content.decode("utf-8-sig").splitlines() == [
        "id,title",
        "en1,IACC suspends Alibaba membership",
        "en2,Alibaba calls suspension regrettable",
        "zh1,阿里巴巴回应国际反假冒联盟",
        "zh2,阿里巴巴回应国际反假冒联盟（转载）",
    ]  # every row, not the page's two
    query = get(ds, f"/{DB}.excel?sql=select+title+from+articles+where+language+%3D+:lang&lang=zh")
    assert query.headers["content-disposition"] == 'attachment; filename="mediastance.csv"'
    assert query.content.decode("utf-8").splitlines() == [
        "\ufefftitle",
        "阿里巴巴回应国际反假冒联盟",
        "阿里巴巴回应国际反假冒联盟（转载）",
    ]


@pytest.mark.parametrize(
    "page, link",
    [
        (f"/{DB}/articles?_sort=id", f"/{DB}/articles.excel?_sort=id"),
        (f"/{DB}/statement_labels", f"/{DB}/statement_labels.excel?_labels=on"),
        (f"/{DB}?sql=select+1", f"/{DB}.excel?sql=select+1"),
    ],
)
def test_excel_link_stands_next_to_datasettes_csv(ds, page, link):
    html = get(ds, page).text
    export = re.search(r'<p class="export-links">(.*?)</p>', html, re.S).group(1)
    assert f'<a href="{link}">excel</a>' in export
    assert export.index("excel") < export.index(">CSV<")


def test_a_forbidden_page_offers_the_sign_in_page_to_anonymous_visitors(editor_ds, ds):
    page = get(editor_ds, f"/{DB}/record_correction?item_type=article")
    assert page.status_code == 403
    assert '<a href="/-/login">Sign in</a>, then come back to' in page.text
    assert f'<a href="/{DB}/record_correction?item_type=article">' in page.text
    signed_in = get(editor_ds, f"/{DB}/record_correction", cookies=editor(editor_ds))
    assert signed_in.status_code == 200
    without_auth = get(ds, f"/{DB}/record_correction")
    assert without_auth.status_code == 403
    assert "start it with\n  <code>mediastance serve --auth</code>" in without_auth.text
