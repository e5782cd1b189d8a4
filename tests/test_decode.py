"""Decoding recorded pages whose header, <meta> and bytes disagree (real GBK/Big5 bytes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.decode import declared_charsets, decode

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
