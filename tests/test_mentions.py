"""Target mentions: aliases and people, case/width/script-insensitive, exact spans."""

from __future__ import annotations

import pytest

from analysis.mentions import Mention, find_mentions
from mediastance.core.config import Target, load_config

TARGETS = load_config(None).targets


def found(text: str) -> list[tuple[str, str]]:
    return [(m.target, m.alias) for m in find_mentions(text, TARGETS)]


def test_spans_point_into_the_original_text():
    text = "ＩＡＣＣ suspended Ａｌｉｂａｂａ’s membership; 淘寶 said nothing."
    assert find_mentions(text, TARGETS) == [
        Mention("IACC", "ＩＡＣＣ", 0, 4),
        Mention("Alibaba", "Ａｌｉｂａｂａ", 15, 22),
        Mention("Alibaba", "淘寶", 37, 39),
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("eBay's and Alibaba's shares", [("eBay", "eBay"), ("Alibaba", "Alibaba")]),
        ("JD.com's rival ALIBABA GROUP", [("JD.com", "JD.com"), ("Alibaba", "ALIBABA GROUP")]),
        # Word boundaries: the rainforest adjective and a plural acronym are not targets.
        ("Amazonian forests and PDDs", []),
        ("在Amazon上卖假货", [("Amazon", "Amazon")]),
        (
            "the U.S. Trade Representative and Jack  Ma",
            [("USTR", "U.S. Trade Representative"), ("Alibaba", "Jack  Ma")],
        ),
        ("Alibaba\nGroup", [("Alibaba", "Alibaba\nGroup")]),
    ],
)
def test_latin(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # Longest first: one mention, not 阿里 + 阿里巴巴.
        ("阿里巴巴回应", [("Alibaba", "阿里巴巴")]),
        ("国家工商总局约谈阿里", [("SAIC", "国家工商总局"), ("Alibaba", "阿里")]),
        # Traditional text against Simplified-only aliases and vice versa.
        ("國家工商總局與蝦皮", [("SAIC", "國家工商總局"), ("Shopee", "蝦皮")]),
        ("市場監管總局約談拼多多", [("SAIC", "市場監管總局"), ("Pinduoduo", "拼多多")]),
        ("亚马逊与亞馬遜", [("Amazon", "亚马逊"), ("Amazon", "亞馬遜")]),
        # People count as their target.
        (
            "馬雲和黃崢，以及Robert Barchiesi",
            [("Alibaba", "馬雲"), ("Pinduoduo", "黃崢"), ("IACC", "Robert Barchiesi")],
        ),
        ("开云集团旗下古驰", [("Kering", "开云集团"), ("Kering", "古驰")]),
    ],
)
def test_chinese(text, expected):
    assert found(text) == expected


def test_custom_targets_and_cache():
    targets = (Target("Tiffany", ("Tiffany & Co.", "蒂芙尼")),)
    assert find_mentions("Tiffany & Co. 和蒂芙尼", targets) == [
        Mention("Tiffany", "Tiffany & Co.", 0, 13),
        Mention("Tiffany", "蒂芙尼", 15, 18),
    ]
    # A list of targets works as well as the tuple and reuses the same matcher.
    assert find_mentions("蒂芙尼", list(targets)) == [Mention("Tiffany", "蒂芙尼", 0, 3)]
    assert find_mentions("", TARGETS) == []
    assert find_mentions("Alibaba", ()) == []
