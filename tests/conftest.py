"""Shared fixtures. Tests never touch the network: loopback servers and recorded files only."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """Keep a developer's MEDIASTANCE_* settings out of the tests."""
    for name in ("MEDIASTANCE_DB", "MEDIASTANCE_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tiny_model_dir(tmp_path: Path) -> Path:
    """A 2-layer BERT with a word-level tokenizer, saved like any local model."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    words = "fake bag brand platform alibaba taobao said sold the a on".split()
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *words])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]"
    ).save_pretrained(tmp_path)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database, built once per session by `mediastance demo --no-serve`.

    This is the real pipeline end to end: the bundled corpus served on loopback,
    collected over HTTP, analysed with the builtin encoder and committed heads, clustered.
    """
    from click.testing import CliRunner

    from mediastance.cli import cli

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--quiet", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{path.resolve()}\n"
    return path
