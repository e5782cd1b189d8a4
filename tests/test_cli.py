import re

from click.testing import CliRunner

from mediastance.cli import cli

COMMANDS = [
    "init",
    "collect",
    "analyze",
    "run",
    "serve",
    "export",
    "tag",
    "evaluate",
    "train",
    "demo",
    "sources",
    "brief",
]


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = re.findall(r"^  (\w+)\s", result.output.split("Commands:")[1], flags=re.M)
    assert sorted(listed) == sorted(COMMANDS)


def test_every_command_help_has_an_example():
    for name in COMMANDS:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, name
        assert f"mediastance {name}" in result.output or name == "run", name
        assert "--db" in result.output and "--config" in result.output, name


def test_train_refuses_a_soup_of_one_or_a_soup_with_other_modes(tmp_path):
    """Usage errors come before any data is read or model loaded."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    db = str(tmp_path / "none.db")
    cases = [
        (["--soup", str(a)], "two tuned model folders or more"),
        (["--soup", str(a), "--soup", str(b), "--heads-only"], "goes with none of"),
        (["--soup", str(a), "--soup", str(b), "--epochs", "2"], "goes with none of"),
        (["--soup", str(a), "--soup", str(b), "--tune-seed", "3"], "goes with none of"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, ["train", "--db", db, *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, result.output
