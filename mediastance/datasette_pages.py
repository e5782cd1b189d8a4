"""Datasette plugin: the pages a communications team reads (issue 16).

Registered by ``serve.make_datasette`` with the templates in ``mediastance/templates``:

- language codes shown as English / 中文 (the stored value stays ``en`` / ``zh``);
- a "correct this" link on every label row (stances, sentiments, statement_labels,
  article_stances) to ``/-/correct``, a form prefilled with the item and target that
  checks them against the database before anything is written;
- the article page (row page of ``articles``) lists the article's stances, tone and
  statements; the articles table opens with title, outlet, language, date and labels;
- an Excel-ready CSV of every table and query (``.excel``: UTF-8 with a byte-order
  mark, as a download), next to Datasette's own CSV link, which Excel reads as ANSI.
"""

from __future__ import annotations

import difflib
import json
import urllib.parse
from typing import Any

import markupsafe
from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response

from analysis.mentions import fold_alias
from mediastance.core.rollups import UNATTRIBUTED
from mediastance.core.storage import FOREIGN_KEYS, LINK_COLUMNS
from mediastance.datasette_targets import canonical_target, configured_targets

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
LANGUAGE_COLUMNS = {"language", "languages"}
CORRECT_PATH = "/-/correct"
EXCEL_EXTENSION = "excel"
BOM = "\ufeff".encode()
STANCE_LABELS = ("favor", "against", "none")
SENTIMENT_LABELS = ("positive", "neutral", "negative")
ITEM_TABLES = {"article": "articles", "statement": "statements", "sentence": "sentences"}
# Per item type: its article and what the form shows of it, so the reader sees what they
# are correcting.
ITEM_SQL = {
    "article": "select id, title from articles where id = ?",
    "statement": "select article_id, coalesce(speaker || ': ', '') || text from statements "
    "where id = ?",
    "sentence": "select article_id, text from sentences where id = ?",
}

# Label columns that get a "correct this" link, per table: column -> (task, item type
# column or fixed type, item id column, target column or None).
LABEL_CELLS: dict[str, dict[str, tuple[str, str, str, str | None]]] = {
    "stances": {"label": ("stance", "item_type", "item_id", "target")},
    "sentiments": {"label": ("sentiment", "item_type", "item_id", None)},
    "statement_labels": {
        "stance": ("stance", "=statement", "statement_id", "target"),
        "sentiment": ("sentiment", "=statement", "statement_id", None),
    },
    "article_stances": {
        "stance": ("stance", "=article", "article_id", "target"),
        "sentiment": ("sentiment", "=article", "article_id", None),
    },
}


LINKED_TABLES = {(t, column): other for t, column, other, _ in FOREIGN_KEYS + LINK_COLUMNS}


def language_name(code: str) -> str:
    """ "en" -> "English", "en,zh" -> "English, 中文"; unknown codes as they are."""
    return ", ".join(LANGUAGE_NAMES.get(c.strip(), c.strip()) for c in code.split(","))


def correct_url(datasette, **values: str | None) -> str:
    query = urllib.parse.urlencode({k: v for k, v in values.items() if v})
    return datasette.urls.path(CORRECT_PATH) + "?" + query


def _cell(row, column: str) -> Any:
    """A row's raw value (Datasette rows may hold an expanded foreign key as a dict)."""
    try:
        value = row[column]
    except (KeyError, IndexError):
        return None
    return value["value"] if isinstance(value, dict) else value


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column in LANGUAGE_COLUMNS and isinstance(value, str) and value:
        return markupsafe.Markup('<span title="{}">{}</span>').format(value, language_name(value))
    other = LINKED_TABLES.get((table, column))
    if other and value not in (None, "") and not isinstance(value, dict):
        # A link column, or a foreign key Datasette did not expand (the row page, or a
        # table without a label column such as runs).
        href = datasette.urls.row(database, other, tilde_encode(str(value)))
        return markupsafe.Markup('<a href="{}">{}</a>').format(href, value)
    if table == "statements" and column == "organisation" and value in (None, ""):
        return markupsafe.Markup('<em class="unattributed">{}</em>').format(UNATTRIBUTED)
    spec = LABEL_CELLS.get(table or "", {}).get(column)
    if spec is None or value in (None, ""):
        return None
    task, type_column, id_column, target_column = spec
    item_type = type_column[1:] if type_column.startswith("=") else _cell(row, type_column)
    item_id = _cell(row, id_column)
    target = _cell(row, target_column) if target_column else None
    if not item_type or not item_id or (target_column and not target):
        return None
    link = correct_url(
        datasette, item_type=item_type, item_id=item_id, target=target, task=task, was=value
    )
    return markupsafe.Markup('{} <a class="correct-this" href="{}">correct this</a>').format(
        value, link
    )


# --- Excel-ready CSV --------------------------------------------------------------------
@hookimpl
def register_output_renderer(datasette):
    return {"extension": EXCEL_EXTENSION, "render": render_excel_csv, "can_render": lambda: True}


async def render_excel_csv(datasette, request, database, table, query_name, view_name):
    """Datasette's own CSV of the same page, every row, with a BOM and as a download.

    Excel opens a CSV without a byte-order mark in the local ANSI code page, so Chinese
    comes out as mojibake (观察 -> è§‚å¯Ÿ); with the BOM it reads UTF-8.
    """
    path = request.path[: -len(f".{EXCEL_EXTENSION}")] + ".csv"
    args = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
        if k not in ("_size", "_stream", "_dl", "_next")
    ]
    args.append(("_stream", "on") if view_name == "table" else ("_size", "max"))
    headers = {"cookie": request.headers["cookie"]} if "cookie" in request.headers else {}
    csv = await datasette.client.get(f"{path}?{urllib.parse.urlencode(args)}", headers=headers)
    if csv.status_code != 200:
        return Response.text(csv.text, status=csv.status_code)
    name = table or query_name or database
    return Response(
        BOM + csv.content,
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


# --- language names in facet lists ---------------------------------------------------------
# Datasette 0.65 renders facet values without a plugin hook, so a language facet is renamed
# in the page (its links and counts stay Datasette's; CSV and JSON keep en / zh).
FACET_SCRIPT = """
document.querySelectorAll(%s).forEach(function (facet) {
  facet.querySelectorAll("li").forEach(function (li) {
    var node = li.firstChild && li.firstChild.nodeType === 1 ? li.firstChild.firstChild
                                                             : li.firstChild;
    if (!node || node.nodeType !== 3) return;
    var codes = node.textContent.split(" ")[0];
    var names = codes.split(",").map(function (c) { return NAMES[c.trim()] || c; });
    node.textContent = node.textContent.replace(codes, names.join(", "));
  });
});
"""


@hookimpl
def extra_body_script(view_name):
    if view_name not in ("table", "database", "query"):
        return None
    selector = ", ".join(f'.facet-info[data-column="{c}"]' for c in sorted(LANGUAGE_COLUMNS))
    return f"var NAMES = {json.dumps(LANGUAGE_NAMES, ensure_ascii=False)};" + (
        FACET_SCRIPT % json.dumps(selector)
    )


# --- the article page and the articles table ----------------------------------------------
@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if table != "articles" or database is None:
        return {}
    db = datasette.get_database(database)
    if view_name == "row":

        async def for_row():
            article_id = tilde_decode(request.url_vars["pks"])
            return {"article_labels": await article_labels(datasette, db, article_id)}

        return for_row
    if view_name == "table":

        async def labels_by_id(display_rows) -> dict[str, markupsafe.Markup]:
            ids = [str(row.cells[0]["raw"]) for row in display_rows if row.cells]
            return await label_summaries(db, ids)

        def article_url(article_id: str) -> str:
            return datasette.urls.row(database, "articles", tilde_encode(article_id))

        return {"article_label_summaries": labels_by_id, "article_url": article_url}
    return {}


async def article_labels(datasette, db, article_id: str) -> dict[str, list[dict]]:
    """The stances, tone and statements of one article, each with its correction link."""
    stances = await db.execute(
        "select target, label, round(score, 3) as score, evidence from stances "
        "where item_type = 'article' and article_id = ? order by target",
        [article_id],
    )
    sentiments = await db.execute(
        "select label, round(tone, 3) as tone from sentiments "
        "where item_type = 'article' and item_id = ?",
        [article_id],
    )
    statements = await db.execute(
        "select s.id, s.speaker, coalesce(nullif(trim(s.organisation), ''), ?) "
        "as organisation, s.language, s.kind, s.text, st.target, st.label as stance, "
        "(select se.label from sentiments se where se.item_type = 'statement' "
        "and se.item_id = s.id limit 1) as sentiment, "
        "(select round(se.tone, 3) from sentiments se "
        "where se.item_type = 'statement' and se.item_id = s.id limit 1) as tone "
        "from statements s left join stances st on st.item_type = 'statement' "
        "and st.item_id = s.id where s.article_id = ? order by s.sentence_index, st.target",
        [UNATTRIBUTED, article_id],
    )
    link = {"datasette": datasette}
    return {
        "stances": [
            {
                **dict(r),
                "correct": correct_url(
                    **link, item_type="article", item_id=article_id, target=r["target"],
                    task="stance", was=r["label"],
                ),
            }
            for r in stances.rows
        ],
        "sentiments": [
            {
                **dict(r),
                "correct": correct_url(
                    **link, item_type="article", item_id=article_id, task="sentiment",
                    was=r["label"],
                ),
            }
            for r in sentiments.rows
        ],
        "statements": [
            {
                **dict(r),
                "language": language_name(r["language"] or ""),
                "correct_stance": r["target"] and correct_url(
                    **link, item_type="statement", item_id=r["id"], target=r["target"],
                    task="stance", was=r["stance"],
                ),
                "correct_sentiment": correct_url(
                    **link, item_type="statement", item_id=r["id"], task="sentiment",
                    was=r["sentiment"],
                ),
            }
            for r in statements.rows
        ],
    }  # fmt: skip


async def label_summaries(db, ids: list[str]) -> dict[str, markupsafe.Markup]:
    """Per article id: "Alibaba against · IACC none · tone −0.45" for the table page."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    stances = await db.execute(
        f"select article_id, target, label from stances where item_type = 'article' "
        f"and article_id in ({marks}) order by article_id, target",
        ids,
    )
    tones = await db.execute(
        f"select item_id, round(tone, 2) as tone from sentiments "
        f"where item_type = 'article' and item_id in ({marks})",
        ids,
    )
    parts: dict[str, list[markupsafe.Markup]] = {}
    for r in stances.rows:
        parts.setdefault(r["article_id"], []).append(
            markupsafe.Markup('{} <span class="stance-{}">{}</span>').format(
                r["target"], r["label"], r["label"]
            )
        )
    for r in tones.rows:
        if r["tone"] is not None:
            parts.setdefault(r["item_id"], []).append(
                markupsafe.Markup("tone {:+.2f}").format(r["tone"])
            )
    return {k: markupsafe.Markup(" · ").join(v) for k, v in parts.items()}


# --- the correction form ------------------------------------------------------------------
def login_url(datasette) -> str | None:
    """The sign-in page when ``serve --auth`` configured one, else None."""
    plugins = datasette.metadata("plugins") or {}
    return datasette.urls.path("/-/login") if "datasette-auth-passwords" in plugins else None


@hookimpl
def forbidden(datasette, request, message):
    """A visitor who is not signed in is offered the sign-in page, not a bare "Forbidden"."""
    if request.actor is not None:
        return None  # signed in and still refused: Datasette's own page says so

    async def sign_in_page():
        context = {"message": message, "login_url": login_url(datasette), "here": request.full_path}
        html = await datasette.render_template(
            "mediastance_forbidden.html", context, request=request
        )
        return Response.html(html, status=403)

    return sign_in_page


@hookimpl
def register_routes():
    return [(r"^/-/correct$", correction_form)]


FIELDS = ("item_type", "item_id", "target", "task", "label", "note", "was")


def _database(datasette):
    from mediastance.serve import DATABASE_NAME

    return datasette.get_database(DATABASE_NAME)


async def known_targets(db) -> dict[str, str]:
    """Every spelling of a target in the database (its name, the aliases its mentions were
    found by), folded as mentions are (case, script, width) -> its name. Targets of an
    earlier config live on here; the configured ones come from ``canonical_target``."""
    rows = await db.execute(
        "select distinct target, target as alias from stances where target is not null "
        "union select target, alias from mentions where alias is not null"
    )
    names = {fold_alias(target): target for target, _ in rows.rows}
    for target, alias in rows.rows:
        names.setdefault(fold_alias(alias), target)
    return names


async def check_correction(db, values: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The row to insert into ``corrections``, or the reasons it cannot be.

    The item must exist; a target given as an alias or in another case or script is
    recorded under its name (``alibaba``, 淘宝 -> Alibaba); an unknown one is refused
    with the closest names, never stored as typed.
    """
    errors: list[str] = []
    item_type, item_id = values.get("item_type", ""), values.get("item_id", "").strip()
    task, label = values.get("task", ""), values.get("label", "")
    target = values.get("target", "").strip()
    row: dict[str, Any] = {"item_type": item_type, "item_id": item_id, "task": task, "target": None}
    if item_type not in ITEM_TABLES:
        errors.append("Item type must be article, statement or sentence.")
    elif not item_id:
        errors.append(f"Give the {item_type} id (it is in the address of its page).")
    else:
        found = await db.execute(ITEM_SQL[item_type], [item_id])
        if not found.rows:
            errors.append(f"No {item_type} with id '{item_id}' in the database.")
        else:
            row["article_id"], row["item_text"] = found.rows[0]
    if task not in ("stance", "sentiment"):
        errors.append("Task must be stance or sentiment.")
    allowed = STANCE_LABELS if task == "stance" else SENTIMENT_LABELS
    if task in ("stance", "sentiment") and label not in allowed:
        errors.append(f"A {task} label must be one of: {', '.join(allowed)}.")
    row["label"] = label
    if task == "stance" and not target:
        errors.append("A stance correction needs a target.")
    elif target:
        names = await known_targets(db)
        canonical = canonical_target(target) or names.get(fold_alias(target))
        if canonical is None:
            known = {*names.values(), *(t.name for t in configured_targets())}
            close = difflib.get_close_matches(target, sorted(known), n=3)
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            errors.append(
                f"Unknown target '{target}'.{hint} Known targets: {', '.join(sorted(known))}."
            )
        row["target"] = canonical
    row["note"] = values.get("note", "").strip() or None
    return row, errors


async def correction_form(request, datasette):
    """GET: the form, prefilled from the link; POST: check, then record or show why not."""
    from mediastance.core.storage import utcnow

    db = _database(datasette)
    source = request.args if request.method == "GET" else await request.post_vars()
    values = {f: (source.get(f) or "") for f in FIELDS}
    actor = request.actor
    may_write = actor is not None and await datasette.permission_allowed(
        actor, "view-query", resource=(db.name, "record_correction"), default=True
    )
    item: dict[str, Any] = {}
    errors: list[str] = []
    status = 200
    if request.method == "POST" and not may_write:
        errors, status = ["Sign in to record a correction."], 403
    elif request.method == "POST":
        item, errors = await check_correction(db, values)
        status = 400 if errors else 200
        if not errors:
            item |= {"created_by": actor.get("id"), "created_at": utcnow()}
            await db.execute_write(
                "insert into corrections (item_type, item_id, article_id, target, task, "
                "label, note, created_by, created_at) values (:item_type, :item_id, "
                ":article_id, :target, :task, :label, :note, :created_by, :created_at)",
                item,
            )
            renamed = values["target"].strip() not in ("", item["target"])
            datasette.add_message(
                request,
                f"Correction recorded: {item['task']} {item['label']}"
                + (f" toward {item['target']}" if item["target"] else "")
                + (f" (you typed '{values['target'].strip()}')" if renamed else "")
                + ". It is used the next time the heads are trained.",
                datasette.INFO,
            )
            return Response.redirect(
                datasette.urls.row(db.name, "articles", tilde_encode(item["article_id"]))
            )
    if values["item_type"] and values["item_id"] and not item:
        # The link's item and target are checked at once; the label is the reader's to choose.
        item, problems = await check_correction(db, {**values, "label": values["label"] or "none"})
        if request.method == "GET":
            errors = [p for p in problems if "label" not in p and "needs a target" not in p]
    context = {
        "values": values,
        "item_text": item.get("item_text"),
        "article_url": item.get("article_id")
        and datasette.urls.row(db.name, "articles", tilde_encode(item["article_id"])),
        "errors": errors,
        "actor": actor,
        "may_write": may_write,
        "login_url": login_url(datasette),
        "here": request.full_path,
        "stance_labels": STANCE_LABELS,
        "sentiment_labels": SENTIMENT_LABELS,
        "item_types": tuple(ITEM_TABLES),
    }
    html = await datasette.render_template("mediastance_correct.html", context, request=request)
    return Response.html(html, status=status)
