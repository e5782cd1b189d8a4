from pathlib import Path

import pytest
from click.testing import CliRunner

from mediastance.cli import cli
from mediastance.core.config import ConfigError, load_config, load_config_text


def test_default_config_has_targets_sources_and_topic():
    config = load_config(None)
    names = [t.name for t in config.targets]
    for name in (
        "Alibaba",
        "Amazon",
        "Pinduoduo",
        "JD.com",
        "eBay",
        "Shopee",
        "IACC",
        "Michael Kors",
        "Kering",
        "SAIC",
        "USTR",
    ):
        assert name in names
    assert "阿里巴巴" in config.target("Alibaba").aliases
    assert "古驰" in config.target("Kering").aliases
    assert "美国贸易代表办公室" in config.target("USTR").aliases
    kinds = {s.kind for s in config.sources}
    assert kinds == {"rss", "google_news", "gdelt"}
    assert {s.language for s in config.sources} == {"en", "zh"}
    assert "假货" in config.topic.keywords_zh
    assert config.fetch.allowed_private_networks == ()


def test_user_sources_replace_list_and_keep_targets_and_fetch_defaults(tmp_path: Path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[fetch]\ntimeout = 3\nallowed_private_networks = ["127.0.0.0/8"]\n'
        '[[sources]]\nname = "local"\nkind = "rss"\nurl = "http://127.0.0.2/feed.xml"\n'
        'language = "zh"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert [s.name for s in config.sources] == ["local"]
    assert config.fetch.timeout == 3.0
    assert config.fetch.per_host_delay == 1.0  # default key kept
    assert str(config.fetch.allowed_private_networks[0]) == "127.0.0.0/8"
    assert len(config.targets) == 11
    assert config.files == (str(path),)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "[fetch]\ntimeout = 'slow'\n",
            "cfg.toml: [fetch].timeout must be a number >= 0.001, got 'slow'",
        ),
        ("[fetch]\ntimout = 3\n", "cfg.toml: [fetch].timout is not a known key"),
        ("[nonsense]\n", "cfg.toml: unknown section [nonsense]"),
        (
            '[[sources]]\nname = "x"\nkind = "telegram"\nlanguage = "en"\n',
            "cfg.toml: [[sources]][0].kind must be one of rss, google_news, gdelt, urls",
        ),
        (
            '[[sources]]\nname = "x"\nkind = "rss"\nlanguage = "en"\n',
            "cfg.toml: [[sources]][0].url is missing (an rss source needs url)",
        ),
        (
            '[[sources]]\nname = "x"\nkind = "rss"\nurl = "file:///etc/passwd"\nlanguage = "en"\n',
            "cfg.toml: [[sources]][0].url must be an http(s) URL, got 'file:///etc/passwd'",
        ),
        (
            '[fetch]\nallowed_private_networks = ["localhost"]\n',
            "cfg.toml: [fetch].allowed_private_networks has an invalid network 'localhost'",
        ),
        (
            "[model]\nquantize = 'yes'\n",
            "cfg.toml: [model].quantize must be true or false, got 'yes'",
        ),
        (
            "[model]\nprecision = 'fp16'\n",
            "cfg.toml: [model].precision must be 'auto', 'fp32' or 'bf16', got 'fp16'",
        ),
        (
            "[model]\nprecision = 'bf16'\nquantize = true\n",
            "cfg.toml: [model].precision 'bf16' does not combine with quantize = true",
        ),
        (
            '[[targets]]\nname = "A"\naliases = []\n',
            "cfg.toml: [[targets]][0].aliases must list at least one alias",
        ),
    ],
)
def test_bad_config_names_file_and_key(text, message):
    with pytest.raises(ConfigError) as info:
        load_config_text(text, label="cfg.toml")
    assert str(info.value) == message


def test_model_precision_defaults_to_auto_and_layers_key_by_key():
    assert load_config_text("").model.precision == "auto"
    model = load_config_text("[model]\nprecision = 'fp32'\n").model
    assert (model.precision, model.quantize, model.batch_size) == ("fp32", False, 32)
    # quantize = true alone keeps "auto", which then means fp32 (see analysis.encoder).
    model = load_config_text("[model]\nquantize = true\n").model
    assert (model.precision, model.quantize) == ("auto", True)


def test_invalid_toml_is_a_config_error():
    with pytest.raises(ConfigError, match=r"^cfg.toml: not valid TOML"):
        load_config_text("[fetch\n", label="cfg.toml")


def test_cli_bad_config_is_one_line_exit_2(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[fetch]\nconcurrency = 0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", "--db", str(tmp_path / "x.db"), "--config", str(bad)])
    assert result.exit_code == 2
    assert result.output == f"Error: {bad}: [fetch].concurrency must be an integer >= 1, got 0\n"
    assert not (tmp_path / "x.db").exists()


def test_cli_missing_config_file(tmp_path: Path):
    result = CliRunner().invoke(
        cli, ["init", "--db", str(tmp_path / "x.db"), "--config", str(tmp_path / "nope.toml")]
    )
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path / 'nope.toml'}: file not found\n"
