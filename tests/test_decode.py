"""Decoding recorded pages whose header, <meta> and bytes disagree (real GBK/Big5 bytes)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from collectors.decode import declared_charsets, decode, decode_with_note
from collectors.extract import extract_article
from collectors.rss import fetch_rss
from mediastance.core.config import Source

FIXTURES = Path(__file__).parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "web.json").read_text("utf-8"))
PAGES = [r for r in MANIFEST["routes"] if (r.get("expect") or {}).get("title")]


def header_charset(route: dict) -> str | None:
    content_type = (route.get("headers") or {}).get("Content-Type", "")
    return content_type.split("charset=")[1] if "charset=" in content_type else None


@pytest.mark.parametrize("route", PAGES, ids=[r["file"] for r in PAGES])
def test_every_recorded_page_decodes_to_its_title_without_replacement_characters(route):
    content = (FIXTURES / route["file"]).read_bytes()
    text, codec = decode(content, header_charset=header_charset(route))
    assert "\ufffd" not in text
    assert route["expect"]["title"] in text.replace("&#39;", "'").replace("&#x27;", "'")
    expected_codec = {"gbk": "gb18030", "big5": "cp950"}.get(route["encoding"], route["encoding"])
    assert codec == expected_codec


def test_gb2312_meta_with_gbk_bytes_and_a_utf8_header_decodes_as_gb18030():
    content = (FIXTURES / "pages/zh_pinduoduo_fakes_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # the header lies
    text, codec = decode(content, header_charset="utf-8")
    assert codec == "gb18030"
    assert "拼多多深陷“山寨”风波 市场监管总局要求约谈平台" in text


def test_gbk_only_character_under_a_gb2312_declaration():
    content = '<meta charset="gb2312"><p>赵堃 喆</p>'.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("gb2312")
    assert decode(content) == ('<meta charset="gb2312"><p>赵堃 喆</p>', "gb18030")


def test_big5_stays_traditional_even_undeclared():
    content = (FIXTURES / "pages/zh_hk_amazon_crimes_big5_nodecl.html").read_bytes()
    assert declared_charsets(content) == []
    text, _ = decode(content, header_charset=None)
    assert "亞馬遜成立打擊假冒罪案小組" in text


def test_latin1_header_over_utf8_bytes():
    content = (FIXTURES / "pages/mixed_en_zh_two_statements.html").read_bytes()
    text, codec = decode(content, header_charset="iso-8859-1")
    assert codec == "utf-8"
    assert "两岸品牌观察" in text


def test_latin1_header_over_gbk_bytes_with_a_gbk_meta():
    content = '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>假货</p>'
    text, codec = decode(content.encode("gbk"), header_charset="ISO-8859-1")
    assert (text, codec) == (content, "gb18030")


def test_xml_declaration_and_bom():
    assert declared_charsets(b'<?xml version="1.0" encoding="big5"?><rss/>') == ["big5"]
    assert decode("\ufeff假货".encode("utf-8")) == ("假货", "utf-8-sig")
    assert decode(b"plain ascii") == ("plain ascii", "utf-8")


# -- bytes that used to raise or mislead (tests/fixtures/make_decode_fixtures.py) --------

DECODE = FIXTURES / "decode"


def test_bom_then_an_invalid_byte_is_replaced_and_noted():
    content = (DECODE / "feed_bom_invalid_byte.xml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8-sig")
    decoded = decode_with_note(content)
    assert decoded.codec == "utf-8-sig"
    assert decoded.note == "utf-8-sig with 1 invalid byte replaced, after a byte-order mark"
    assert decoded.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<rss')
    assert "<title>Alibaba pledges caf\ufffd talks to purge counterfeit handbags" in decoded.text
    assert "<title>阿里巴巴承诺清理淘宝假货</title>" in decoded.text


def test_a_page_with_a_bom_and_invalid_bytes():
    decoded = decode_with_note((DECODE / "page_bom_invalid_byte.html").read_bytes())
    assert decoded.note == "utf-8-sig with 2 invalid bytes replaced, after a byte-order mark"
    assert "称全年协助警方破获假冒案件。\ufffd\ufffd</p>" in decoded.text


@pytest.mark.parametrize(
    "name, codec",
    [
        ("feed_utf16le_nobom.xml", "utf-16-le"),
        ("feed_utf16be_nobom.xml", "utf-16-be"),
        ("feed_utf32le_nobom.xml", "utf-32-le"),
        ("feed_utf32be_nobom.xml", "utf-32-be"),
    ],
)
def test_utf16_and_utf32_without_a_bom_are_told_by_their_nul_bytes(name, codec):
    content = (DECODE / name).read_bytes()
    assert not content.startswith((b"\xff\xfe", b"\xfe\xff"))
    decoded = decode_with_note(content)
    assert (decoded.codec, decoded.note) == (
        codec,
        f"{codec} without a byte-order mark, told by its NUL bytes",
    )
    assert "<title>阿里巴巴承诺清理淘宝假货</title>" in decoded.text
    assert "\x00" not in decoded.text


def test_a_mostly_chinese_utf16_feed_without_a_bom_is_told_by_how_it_starts():
    content = (DECODE / "feed_utf16le_nobom_mostly_chinese.xml").read_bytes()
    assert content.count(b"\x00") < len(content) / 2 * 0.3  # few ASCII code units
    decoded = decode_with_note(content)
    assert (decoded.codec, decoded.note) == (
        "utf-16-le",
        "utf-16-le without a byte-order mark, told by its NUL bytes",
    )  # not a charset-normalizer guess
    assert "<title>国际反假冒联盟暂停阿里会员资格</title>" in decoded.text
    source = Source(name="zh", kind="rss", language="zh", url="http://news-zh.example/rss.xml")
    items = list(fetch_rss(source, content=content))
    assert [i["title"] for i in items] == [
        "阿里巴巴承诺清理淘宝假货",
        "国际反假冒联盟暂停阿里会员资格",
    ]


def test_gb2312_declared_with_a_few_invalid_bytes_is_gb18030_with_replacement():
    content = (DECODE / "page_gbk_invalid_bytes.html").read_bytes()
    decoded = decode_with_note(content)
    assert (decoded.codec, decoded.note) == (
        "gb18030",
        "gb18030 with 3 invalid bytes replaced: declared gb2312",
    )
    assert decoded.text.count("\ufffd") == 3
    assert "<title>拼多多回应假货质疑：将加大打假力度</title>" in decoded.text
    assert "业内人士赵堃指出，电商\ufffd平台的打假工作" in decoded.text  # 堃: GBK, not GB2312


def test_undeclared_gbk_with_invalid_bytes_stays_chinese():
    decoded = decode_with_note((DECODE / "page_gbk_invalid_bytes_undeclared.html").read_bytes())
    assert (decoded.codec, decoded.note) == (
        "gb18030",
        "gb18030 with 3 invalid bytes replaced: no charset declared",
    )
    assert "<title>拼多多回应假货质疑：将加大打假力度</title>" in decoded.text


def test_a_cut_gbk_character_is_not_read_as_cyrillic():
    content = (DECODE / "page_gbk_stray_bytes_cyrillic.html").read_bytes()
    decoded = decode_with_note(content)
    assert (decoded.codec, decoded.note) == (
        "gb18030",
        "gb18030 with 1 invalid byte replaced: declared gb2312",
    )
    assert "<title>淘宝回应假货指控</title>" in decoded.text
    assert "<a href=/n/3.html>淘宝回应假货指\ufffd</a>" in decoded.text
    article = extract_article(decoded.text, url="http://news-zh.example/n/9.html")
    assert (article["title"], article["language"]) == ("淘宝回应假货指控", "zh")


def test_clean_decodings_carry_no_note():
    assert decode_with_note("假货".encode("gbk"), header_charset="gbk").note is None
    assert decode_with_note("假货".encode()).note is None
    assert decode_with_note(b"ascii").note is None


def test_undeclared_big5_is_a_guess_and_says_so():
    content = (FIXTURES / "pages/zh_hk_amazon_crimes_big5_nodecl.html").read_bytes()
    decoded = decode_with_note(content)
    assert (decoded.codec, decoded.note) == ("cp950", "guessed cp950: no charset declared")


def test_russian_without_a_declaration_is_not_taken_for_gb18030():
    text = "<p>" + "Компания удалит поддельные сумки с платформы после жалоб брендов. " * 5
    decoded = decode_with_note(text.encode("cp1251"))
    assert (decoded.text, decoded.codec) == (text, "cp1251")


def test_decode_never_raises_on_arbitrary_bytes():
    rng = random.Random(15)
    pieces = [b"<html>", b"<meta charset=gb2312>", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00",
              "假货".encode("gbk"), "假貨".encode("big5"), "假货".encode(), b"\x80", b"\xff"]  # fmt: skip
    for _ in range(300):
        content = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        content += bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        decoded = decode_with_note(content, header_charset=rng.choice([None, "utf-8", "gbk"]))
        assert isinstance(decoded.text, str)
        assert decoded.note is None or decoded.note
        if "\ufffd" in decoded.text and "\ufffd".encode() not in content:
            assert decoded.note and "replaced" in decoded.note


@pytest.mark.parametrize(
    "name, note",
    [
        ("feed_bom_invalid_byte.xml", "utf-8-sig with 1 invalid byte replaced, after a byte-order mark"),
        ("feed_utf16le_nobom.xml", "utf-16-le without a byte-order mark, told by its NUL bytes"),
        ("feed_utf32be_nobom.xml", "utf-32-be without a byte-order mark, told by its NUL bytes"),
    ],
)  # fmt: skip
def test_feeds_in_these_bytes_yield_their_items_with_the_note(name, note):
    source = Source(name="wire", kind="rss", language="en", url="http://wire.example/rss.xml")
    items = list(fetch_rss(source, content=(DECODE / name).read_bytes()))
    assert [(i["type"], i["url"], i["published"], i["decode_note"]) for i in items] == [
        ("item", "http://news-en.example/2016/05/14/alibaba-counterfeits.html", "2016-05-14", note),
        ("item", "http://news-zh.example/2016-05/14/c_1118870001.htm", "2016-05-14", note),
    ]
    assert items[1]["title"] == "阿里巴巴承诺清理淘宝假货"
