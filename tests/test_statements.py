"""Statements: exact (sentence, speaker, organisation, language, text, kind) results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.sentences import Sentence, split_sentences
from analysis.statements import Statement, find_statements
from mediastance.core.config import load_config

TARGETS = load_config(None).targets


def statements(text: str, language: str | None = None) -> list[tuple]:
    found = find_statements(split_sentences(text, language), TARGETS, language)
    return [
        (s.sentence_index, s.speaker, s.organisation, s.language, s.text, s.kind) for s in found
    ]


EN = [
    # The DESIGN.md case, English side: Alibaba's measured statement.
    (
        '"This is a step in the wrong direction and regrettable," Alibaba said in a statement.',
        [
            (
                0,
                "Alibaba",
                "Alibaba",
                "en",
                "This is a step in the wrong direction and regrettable",
                "direct",
            )
        ],
    ),
    (
        'In a statement, Alibaba called the decision "a step in the wrong direction and regrettable."',
        [
            (
                0,
                "Alibaba",
                "Alibaba",
                "en",
                'the decision "a step in the wrong direction and regrettable."',
                "direct",
            )
        ],
    ),
    # Speaker with a description: the person speaks, the description names the organisation.
    (
        "Alibaba's head of international corporate communications Jennifer Kuperman said "
        "the decision was regrettable.",
        [(0, "Jennifer Kuperman", "Alibaba", "en", "the decision was regrettable.", "reported")],
    ),
    (
        'IACC president Robert Barchiesi said "we will not be bullied by anyone."',
        [(0, "Robert Barchiesi", "IACC", "en", "we will not be bullied by anyone.", "direct")],
    ),
    (
        "Robert Barchiesi, IACC president, said the board had acted in good faith.",
        [(0, "Robert Barchiesi", "IACC", "en", "the board had acted in good faith.", "reported")],
    ),
    (
        '"They are wrong," said Jennifer Kuperman, Alibaba\'s head of international corporate '
        "communications.",
        [(0, "Jennifer Kuperman", "Alibaba", "en", "They are wrong", "direct")],
    ),
    (
        "Fakes are rampant on Taobao, according to the USTR.",
        [(0, "the USTR", "USTR", "en", "Fakes are rampant on Taobao", "reported")],
    ),
    (
        "According to Alibaba, 240,000 stores were shut down last year.",
        [(0, "Alibaba", "Alibaba", "en", "240,000 stores were shut down last year.", "reported")],
    ),
    (
        "Jack Ma told Reuters that fakes are better than the real thing.",
        [(0, "Jack Ma", "Alibaba", "en", "fakes are better than the real thing.", "reported")],
    ),
    (
        "Alibaba said in a statement on Friday that the IACC had made a mistake.",
        [(0, "Alibaba", "Alibaba", "en", "the IACC had made a mistake.", "reported")],
    ),
    (
        "Gucci has argued that Alibaba profits from fakes.",
        [(0, "Gucci", "Kering", "en", "Alibaba profits from fakes.", "reported")],
    ),
    # Organisations that are not targets, as written.
    (
        "A spokesman for Tiffany & Co. said the company welcomed the decision.",
        [
            (
                0,
                "A spokesman for Tiffany & Co.",
                "Tiffany & Co.",
                "en",
                "the company welcomed the decision.",
                "reported",
            )
        ],
    ),
    (
        "Chinese Foreign Ministry spokesman Geng Shuang said the report was irresponsible.",
        [
            (
                0,
                "Geng Shuang",
                "Chinese Foreign Ministry",
                "en",
                "the report was irresponsible.",
                "reported",
            )
        ],
    ),
    (
        "Fake goods were removed from the site, a Taobao spokesman said.",
        [
            (
                0,
                "a Taobao spokesman",
                "Alibaba",
                "en",
                "Fake goods were removed from the site",
                "reported",
            )
        ],
    ),
    (
        '"Why now?" Barchiesi asked.',
        [(0, "Barchiesi", "IACC", "en", "Why now?", "direct")],
    ),
    # Multi-sentence quotes: attribution after, or before, the sentences it covers.
    (
        '"We are disappointed. We worked hard with the coalition. It is regrettable," Alibaba said.',
        [
            (0, "Alibaba", "Alibaba", "en", "We are disappointed.", "direct"),
            (1, "Alibaba", "Alibaba", "en", "We worked hard with the coalition.", "direct"),
            (2, "Alibaba", "Alibaba", "en", "It is regrettable", "direct"),
        ],
    ),
    (
        'Alibaba said: "We are disappointed. We will keep fighting fakes." The IACC declined to comment.',
        [
            (0, "Alibaba", "Alibaba", "en", "We are disappointed.", "direct"),
            (1, "Alibaba", "Alibaba", "en", "We will keep fighting fakes.", "direct"),
        ],
    ),
    # Pronouns and "the company" take the speaker or the one target just named.
    (
        "Jennifer Kuperman spoke to reporters. She said the platform had removed 380 million "
        "listings. They said nothing else.",
        [
            (
                1,
                "Jennifer Kuperman",
                "Alibaba",
                "en",
                "the platform had removed 380 million listings.",
                "reported",
            ),
            (2, "Jennifer Kuperman", "Alibaba", "en", "nothing else.", "reported"),
        ],
    ),
    (
        "Alibaba was suspended on Friday. The company said it would keep working with brands.",
        [(1, "Alibaba", "Alibaba", "en", "it would keep working with brands.", "reported")],
    ),
    (
        "Jennifer Kuperman said the IACC acted hastily. The company added that it would "
        "keep working with brands.",
        [
            (0, "Jennifer Kuperman", "Alibaba", "en", "the IACC acted hastily.", "reported"),
            (1, "Alibaba", "Alibaba", "en", "it would keep working with brands.", "reported"),
        ],
    ),
    (
        "He said the coalition had lost credibility.",
        [(0, "He", None, "en", "the coalition had lost credibility.", "reported")],
    ),
]

EN_NEGATIVE = [
    "Alibaba shares fell 3 percent on Friday.",
    "It is not clear what Alibaba said.",
    '"Counterfeits hurt everyone."',
    "The company, which said little, is under pressure.",
    "Alibaba, which has said it would fight fakes, joined in April.",
    "The report said fakes were everywhere.",
    "Michael Kors quit the coalition in protest.",
]

ZH = [
    # The DESIGN.md case, Chinese side: the IACC "kidnapped" by private interests.
    (
        "阿里巴巴集团在声明中表示，国际反假冒联盟已被个别企业的私利绑架。",
        [
            (
                0,
                "阿里巴巴集团",
                "Alibaba",
                "zh",
                "国际反假冒联盟已被个别企业的私利绑架。",
                "reported",
            )
        ],
    ),
    (
        "阿里巴巴在中文声明中称，国际反假冒联盟“被个别企业的私利绑架”。",
        [(0, "阿里巴巴", "Alibaba", "zh", "国际反假冒联盟“被个别企业的私利绑架”。", "direct")],
    ),
    (
        "阿里巴巴發言人說：「國際反假冒聯盟已被個別企業的私利綁架。」",
        [
            (
                0,
                "阿里巴巴發言人",
                "Alibaba",
                "zh",
                "國際反假冒聯盟已被個別企業的私利綁架。",
                "direct",
            )
        ],
    ),
    (
        "“我们将继续与品牌方合作打假，”阿里巴巴在声明中称。",
        [(0, "阿里巴巴", "Alibaba", "zh", "我们将继续与品牌方合作打假", "direct")],
    ),
    (
        "“这是错误的方向。”马云说。",
        [(0, "马云", "Alibaba", "zh", "这是错误的方向。", "direct")],
    ),
    (
        "马云对记者说：“假货的质量比真货还好。”",
        [(0, "马云", "Alibaba", "zh", "假货的质量比真货还好。", "direct")],
    ),
    (
        "据阿里巴巴介绍，平台去年关闭了24万家店铺。",
        [(0, "阿里巴巴", "Alibaba", "zh", "平台去年关闭了24万家店铺。", "reported")],
    ),
    (
        "对此，淘宝回应称，已下架相关商品。",
        [(0, "淘宝", "Alibaba", "zh", "已下架相关商品。", "reported")],
    ),
    (
        "國際反假冒聯盟主席巴爾切西表示，聯盟將暫停阿里巴巴的會員資格。",
        [(0, "巴爾切西", "IACC", "zh", "聯盟將暫停阿里巴巴的會員資格。", "reported")],
    ),
    (
        "商务部新闻发言人高峰指出，打击侵权假冒是长期任务。",
        [(0, "高峰", "商务部", "zh", "打击侵权假冒是长期任务。", "reported")],
    ),
    (
        "业内人士认为，此举对阿里巴巴的声誉造成打击。",
        [(0, "业内人士", None, "zh", "此举对阿里巴巴的声誉造成打击。", "reported")],
    ),
    (
        "蝦皮發言人對記者說，平台已下架相關商品。",
        [(0, "蝦皮發言人", "Shopee", "zh", "平台已下架相關商品。", "reported")],
    ),
    (
        "拼多多昨日强调，平台对售假零容忍。",
        [(0, "拼多多", "Pinduoduo", "zh", "平台对售假零容忍。", "reported")],
    ),
    # Anaphora: 他 takes the last person, 该局 the one organisation just named.
    (
        "马云表示，阿里巴巴不会容忍假货。他强调，平台将投入更多资源打假。",
        [
            (0, "马云", "Alibaba", "zh", "阿里巴巴不会容忍假货。", "reported"),
            (1, "马云", "Alibaba", "zh", "平台将投入更多资源打假。", "reported"),
        ],
    ),
    (
        "国家工商总局发布报告。该局称，淘宝正品率仅为37%。",
        [(1, "SAIC", "SAIC", "zh", "淘宝正品率仅为37%。", "reported")],
    ),
    (
        "“这令人遗憾。”该公司表示。",
        [(0, "该公司", None, "zh", "这令人遗憾。", "direct")],
    ),
    # Multi-sentence quotes.
    (
        "阿里巴巴表示：“我们对此深表遗憾。我们将继续打假。”国际反假冒联盟没有回应。",
        [
            (0, "阿里巴巴", "Alibaba", "zh", "我们对此深表遗憾。", "direct"),
            (1, "阿里巴巴", "Alibaba", "zh", "我们将继续打假。", "direct"),
        ],
    ),
    (
        "“我们对此深表遗憾。我们将继续打假。”阿里巴巴说。",
        [
            (0, "阿里巴巴", "Alibaba", "zh", "我们对此深表遗憾。", "direct"),
            (1, "阿里巴巴", "Alibaba", "zh", "我们将继续打假。", "direct"),
        ],
    ),
]

ZH_NEGATIVE = [
    "阿里巴巴股价周五下跌3%。",
    "这可以说是一次失败。",
    "“假货问题由来已久。”",
    "据报道，淘宝上的假货数量有所下降。",
    "所谓的正品，被称为“行货”。",
    "对消费者来说，正品最重要。",
    "淘宝认为的正品与品牌不同。",
]


@pytest.mark.parametrize("text,expected", EN)
def test_english(text, expected):
    assert statements(text) == expected


@pytest.mark.parametrize("text,expected", ZH)
def test_chinese(text, expected):
    assert statements(text) == expected


@pytest.mark.parametrize("text", EN_NEGATIVE + ZH_NEGATIVE)
def test_no_attribution_no_statement(text):
    assert statements(text) == []


def test_mixed_article_and_the_two_alibaba_statements():
    """One article quoting both of Alibaba's statements, each in its own language."""
    text = (
        "The IACC suspended Alibaba's membership on Friday.\n"
        '"This is a step in the wrong direction and regrettable," Alibaba said.\n'
        "阿里巴巴在中文声明中表示，国际反假冒联盟已被个别企业的私利绑架。"
    )
    sentences = split_sentences(text, "en")
    assert find_statements(sentences, TARGETS, "en") == [
        Statement(
            1,
            "Alibaba",
            "Alibaba",
            "en",
            "This is a step in the wrong direction and regrettable",
            "direct",
        ),
        Statement(
            2, "阿里巴巴", "Alibaba", "zh", "国际反假冒联盟已被个别企业的私利绑架。", "reported"
        ),
    ]


def test_language_argument_fills_unknown_sentence_language():
    sentences = [Sentence(0, "Alibaba said it was disappointed.", 0, 33, None)]
    assert find_statements(sentences, TARGETS, "en") == [
        Statement(0, "Alibaba", "Alibaba", "en", "it was disappointed.", "reported")
    ]


ORGANISATION_CASES = json.loads(
    (Path(__file__).parent / "fixtures" / "statements" / "organisations.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", ORGANISATION_CASES, ids=lambda c: c["why"][:60])
def test_places_and_fragments_are_not_organisations(case):
    """Issue 16's junk organisations and place-name speakers, and the cases kept as they were."""
    found = statements(case["text"], case["language"])
    assert [[i, speaker, org] for i, speaker, org, *_ in found] == case["expected"]
