"""Sentence splitting: exact sentence lists for English, Chinese and mixed text."""

from __future__ import annotations

import pytest

from analysis.sentences import Sentence, split_sentences


def texts(text: str, language: str | None = None) -> list[str]:
    return [s.text for s in split_sentences(text, language)]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Alibaba Group Holding Ltd. said it was disappointed. The U.S. Trade "
            "Representative listed Taobao again.",
            [
                "Alibaba Group Holding Ltd. said it was disappointed.",
                "The U.S. Trade Representative listed Taobao again.",
            ],
        ),
        (
            "Mr. Ma met Robert J. Barchiesi at 9 a.m. on Jan. 5 in Washington, D.C. "
            "They did not agree.",
            [
                "Mr. Ma met Robert J. Barchiesi at 9 a.m. on Jan. 5 in Washington, D.C.",
                "They did not agree.",
            ],
        ),
        (
            "Sales of fakes reached $1.5 billion, e.g. bags. It listed No. 1 seller "
            "JD.com too. The brands sued Tiffany & Co. The case goes on.",
            [
                "Sales of fakes reached $1.5 billion, e.g. bags.",
                "It listed No. 1 seller JD.com too.",
                "The brands sued Tiffany & Co.",
                "The case goes on.",
            ],
        ),
        (
            '"We will keep fighting fakes," he said. "This is a step in the wrong '
            'direction and regrettable." Next, the coalition met. "Why now?" Barchiesi '
            "asked. Really? Yes!",
            [
                '"We will keep fighting fakes," he said.',
                '"This is a step in the wrong direction and regrettable."',
                "Next, the coalition met.",
                '"Why now?" Barchiesi asked.',
                "Really?",
                "Yes!",
            ],
        ),
        (
            "Headline without a period\nFirst paragraph. Second sentence.\n\n  Last one  ",
            ["Headline without a period", "First paragraph.", "Second sentence.", "Last one"],
        ),
    ],
)
def test_english(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "阿里巴巴发表声明。国际反假冒联盟（IACC）暂停了其会员资格！为什么？淘宝称，已下架3.5万件商品；京东未回应……",
            [
                "阿里巴巴发表声明。",
                "国际反假冒联盟（IACC）暂停了其会员资格！",
                "为什么？",
                "淘宝称，已下架3.5万件商品；",
                "京东未回应……",
            ],
        ),
        (
            "阿里巴巴说：“我们将继续打假。”随后离开。“这是错误的方向。”马云说。他没有再评论。",
            [
                "阿里巴巴说：“我们将继续打假。”",
                "随后离开。",
                "“这是错误的方向。”马云说。",
                "他没有再评论。",
            ],
        ),
        (
            "阿里巴巴集團在聲明中稱：「國際反假冒聯盟已被個別企業的私利綁架。」該公司表示遺憾（見附件）。完",
            [
                "阿里巴巴集團在聲明中稱：「國際反假冒聯盟已被個別企業的私利綁架。」",
                "該公司表示遺憾（見附件）。",
                "完",
            ],
        ),
        # ASCII punctuation typed after Han characters (mixed width), ellipsis in the middle.
        (
            "淘宝下架了假货. 京东呢?拼多多也在打假!假货……仍然很多",
            ["淘宝下架了假货.", "京东呢?", "拼多多也在打假!", "假货……", "仍然很多"],
        ),
    ],
)
def test_chinese(text, expected):
    assert texts(text) == expected


def test_mixed_article_offsets_and_languages():
    text = "阿里巴巴表示遗憾。 Alibaba called it regrettable. 天貓沒有回應。\n"
    assert split_sentences(text) == [
        Sentence(0, "阿里巴巴表示遗憾。", 0, 9, "zh"),
        Sentence(1, "Alibaba called it regrettable.", 10, 40, "en"),
        Sentence(2, "天貓沒有回應。", 41, 48, "zh"),
    ]
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_short_latin_sentences_take_the_article_language():
    # py3langid alone calls "Sales rose 1.5 billion." French.
    assert [s.language for s in split_sentences("Sales rose 1.5 billion.", "en")] == ["en"]
    assert [
        s.language for s in split_sentences("Fakes are everywhere. Sales rose 1.5 billion.")
    ] == ["en", "en"]


def test_never_empty():
    assert split_sentences("") == []
    assert split_sentences(" \n\n …… 。。 \n") == []
    assert texts("Really?!\n  …  \nYes.") == ["Really?!", "Yes."]
