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
