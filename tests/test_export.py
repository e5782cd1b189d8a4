from pathlib import Path

from click.testing import CliRunner
from test_datasette import labeled_db

from mediastance.cli import cli
from mediastance.core.storage import open_db


def export(db: Path, *args: str):
    return CliRunner().invoke(cli, ["export", "--db", str(db), "--quiet", *args])


def test_excel_csv_has_bom_crlf_and_utf8_chinese(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    out = tmp_path / "s.csv"
    result = export(
        db,
        "--query",
        "statements_by_organisation",
        "-p",
        "organisation=Alibaba",
        "--excel",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfpublished_day,language,speaker,kind,text,")
    assert "国际反假冒联盟被个别企业的私利绑架".encode() in data
    assert data.count(b"\r\n") == 3  # header + two statements


def test_plain_csv_and_jsonl(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    result = export(
        db, "--query", "select id, title from articles where language = 'zh' order by id"
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "id,title\nzh1,阿里巴巴回应国际反假冒联盟\nzh2,阿里巴巴回应国际反假冒联盟（转载）\n"
    )
    result = export(
        db,
        "--query",
        "share_of_voice",
        "--format",
        "jsonl",
        "-p",
        "start=2016-05-14",
        "-p",
        "end=2016-05-14",
    )
    assert result.output == (
        '{"day": "2016-05-14", "target": "Alibaba", "articles": 2, "mentions": 2, '
        '"share_of_day": 1.0}\n'
    )


def test_export_errors_are_one_line(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    result = export(db, "--query", "nonsense")
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown query 'nonsense'; canned queries: ")
    result = export(db, "--query", "record_correction")
    assert result.output == "Error: record_correction is a write query, not something to export\n"
    result = export(db, "--query", "select nope from articles")
    assert result.output == "Error: SQL error: no such column: nope\n"
    result = export(db, "--query", "share_of_voice", "-p", "target=Alibaba")
    assert result.output == "Error: the query has no parameter :target\n"


def test_export_cannot_write(tmp_path):
    db = labeled_db(tmp_path / "m.db")
    result = export(db, "--query", "with x as (select 1) delete from articles")
    assert result.exit_code == 2
    assert result.output == "Error: only a single SELECT is allowed (or a canned query name)\n"
    # What the authorizer lets through (a pragma), the read-only connection still refuses.
    result = export(db, "--query", "pragma user_version = 7")
    assert result.exit_code == 2
    assert result.output == "Error: SQL error: attempt to write a readonly database\n"
    assert open_db(db).execute("pragma user_version").fetchone()[0] == 0
