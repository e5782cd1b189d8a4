"""Regenerate the bundled demo corpus from the article texts in ``corpus_articles.py``.

Run from the repository root::

    python mediastance/demo/make_corpus.py

It writes ``mediastance/demo/corpus/`` (HTML pages in their declared encodings, the three
feeds) and ``mediastance/demo/stories_gold.json``. The committed bytes are what the demo and
the tests use; this script only exists so that an edit to a text can be made once and the
pages, feeds and gold stay consistent. All texts were written for this project (see
README.md): fictionalised accounts of public events, published by fictional outlets.
"""

from __future__ import annotations

import html
import json
import runpy
import shutil
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
GOLD = HERE / "stories_gold.json"


@dataclass(frozen=True)
class Outlet:
    name: str
    domain: str
    lang: str  # value of <html lang>
    style: int  # which boilerplate template
    nav: tuple[str, ...]
    footer: str


EN_NAV = ("Home", "Business", "Technology", "Retail", "Opinion")
ZH_NAV = ("首页", "财经", "科技", "消费", "评论")
HANT_NAV = ("首頁", "財經", "科技", "消費", "評論")

OUTLETS: dict[str, Outlet] = {
    # English-language outlets (all fictional)
    "ledger": Outlet(
        "The Commerce Ledger",
        "www.commerceledger.example",
        "en-US",
        0,
        EN_NAV,
        "© The Commerce Ledger. All rights reserved.",
    ),
    "ptw": Outlet(
        "Pacific Trade Wire",
        "news.pacifictradewire.example",
        "en-US",
        1,
        ("Top News", "Markets", "Companies", "Asia", "Policy"),
        "Pacific Trade Wire — independent business news since 1998.",
    ),
    "hbd": Outlet(
        "Harbour Business Daily",
        "www.harbourbusiness.example",
        "en-GB",
        0,
        ("Home", "Hong Kong", "China", "Markets", "Tech"),
        "© Harbour Business Daily Ltd. Terms · Privacy · Contact",
    ),
    "grr": Outlet(
        "Global Retail Review",
        "globalretailreview.example",
        "en-US",
        2,
        EN_NAV,
        "Global Retail Review is read by retail professionals in 40 countries.",
    ),
    "atd": Outlet(
        "Asia Tech Dispatch",
        "www.asiatechdispatch.example",
        "en-SG",
        1,
        ("Latest", "Startups", "E-commerce", "Policy", "Podcasts"),
        "Asia Tech Dispatch · Singapore · About us · Advertise",
    ),
    "metro": Outlet(
        "The Metro Tribune",
        "www.metrotribune.example",
        "en-US",
        2,
        ("News", "Business", "World", "Sport", "Life"),
        "© The Metro Tribune. Wire copy is republished under licence.",
    ),
    # newsroom pages: statements re-published for the demo, fictional wording
    "ali-news": Outlet(
        "Alibaba Group Newsroom (demo)",
        "newsroom.alibaba-demo.example",
        "en-US",
        1,
        ("News", "Statements", "Media contacts"),
        "Demo newsroom page written for the mediastance sample corpus.",
    ),
    "iacc-news": Outlet(
        "IACC Newsroom (demo)",
        "news.iacc-demo.example",
        "en-US",
        1,
        ("About", "Members", "Press"),
        "Demo newsroom page written for the mediastance sample corpus.",
    ),
    "amazon-news": Outlet(
        "Amazon Press Center (demo)",
        "press.amazon-demo.example",
        "en-US",
        1,
        ("Press releases", "Company news", "Media"),
        "Demo newsroom page written for the mediastance sample corpus.",
    ),
    "ustr-news": Outlet(
        "USTR Press Office (demo)",
        "press.ustr-demo.example",
        "en-US",
        1,
        ("Press Office", "Trade Topics", "Reports"),
        "Demo press page written for the mediastance sample corpus.",
    ),
    # Chinese-language outlets (all fictional)
    "hsc": Outlet(
        "华商财经网",
        "www.huashang-caijing.example",
        "zh-CN",
        0,
        ZH_NAV,
        "华商财经网 版权所有 未经授权禁止转载",
    ),
    "dfjj": Outlet(
        "东方经济观察",
        "www.dongfang-jingji.example",
        "zh-CN",
        1,
        ("首页", "宏观", "公司", "互联网", "观察"),
        "东方经济观察 © 版权所有 | 联系我们 | 广告服务",
    ),
    "xxf": Outlet(
        "新消费日报",
        "www.xinxiaofei-daily.example",
        "zh-CN",
        2,
        ZH_NAV,
        "新消费日报社主办 | 违法和不良信息举报",
    ),
    "kjq": Outlet(
        "科技前沿网",
        "www.kejiqianyan.example",
        "zh-CN",
        0,
        ("首页", "互联网", "电商", "创投", "专栏"),
        "科技前沿网 版权所有 © 转载请注明出处",
    ),
    "nlds": Outlet(
        "南岭都市报",
        "www.nanling-dushi.example",
        "zh-CN",
        2,
        ("首页", "本地", "财经", "社会", "专题"),
        "南岭都市报社 版权所有 备案号：示例",
    ),
    "bfcb": Outlet(
        "北方晨报",
        "www.beifang-chenbao.example",
        "zh-CN",
        0,
        ZH_NAV,
        "北方晨报 版权所有 本网转载稿件均已注明来源",
    ),
    "gwcj": Outlet(
        "港聞財經",
        "www.gangwen-caijing.example",
        "zh-HK",
        1,
        HANT_NAV,
        "港聞財經 版權所有 不得轉載",
    ),
    "tbjm": Outlet(
        "台北經貿時報",
        "www.taipei-jingmao.example",
        "zh-TW",
        0,
        ("首頁", "產業", "國際", "科技", "論壇"),
        "台北經貿時報 版權所有 請勿轉載",
    ),
    # Chinese newsroom pages
    "pdd-news": Outlet(
        "拼多多新闻中心（示例）",
        "news.pdd-demo.example",
        "zh-CN",
        1,
        ("新闻", "声明", "媒体联络"),
        "示例新闻稿页面，为 mediastance 演示语料撰写。",
    ),
    "mofcom-news": Outlet(
        "商务部新闻发布（示例）",
        "news.mofcom-demo.example",
        "zh-CN",
        1,
        ("新闻发布", "政策解读", "例行发布会"),
        "示例页面，为 mediastance 演示语料撰写。",
    ),
    "ali-news-zh": Outlet(
        "阿里巴巴集团新闻中心（示例）",
        "news.alibaba-demo.example",
        "zh-CN",
        1,
        ("新闻", "声明", "媒体联络"),
        "示例新闻稿页面，为 mediastance 演示语料撰写。",
    ),
}


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _paras(body: str) -> list[str]:
    """Paragraphs are separated by blank lines; wrapped lines are re-joined with a space
    between two ASCII characters and with nothing between CJK characters."""
    out = []
    for block in body.strip().split("\n\n"):
        text = ""
        for line in (x.strip() for x in block.splitlines()):
            if text and line and text[-1].isascii() and line[0].isascii():
                text += " "
            text += line
        out.append(text)
    return out


def render(a: dict) -> str:
    o = OUTLETS[a["outlet"]]
    zh = a["language"] == "zh"
    hant = o.lang in ("zh-HK", "zh-TW")
    when = _dt(a["published"])
    e = html.escape
    title = a["title"]
    paras = _paras(a["body"])
    canonical = f"https://{o.domain}/" + a["path"].split("/", 2)[2].removesuffix(".html")
    meta_date = ""
    jsonld = ""
    if a.get("date_style", "meta") == "meta":
        meta_date = f'<meta property="article:published_time" content="{a["published"]}">\n'
    else:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": a["published"],
            "author": {"@type": "Person", "name": a["author"]},
            "publisher": {"@type": "Organization", "name": o.name},
        }
        jsonld = (
            '<script type="application/ld+json">'
            + json.dumps(ld, ensure_ascii=False)
            + "</script>\n"
        )
    if zh:
        shown_date = f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"
        byline = ("文／" if hant else "记者 ") + a["author"]
        source_label = ("來源：" if hant else "来源：") + o.name
        related_label = "相關閱讀" if hant else "相关阅读"
        related = (
            ["港股收市評論", "本週科技股回顧"] if hant else ["今日财经要闻", "一周互联网公司动态"]
        )
        share = "分享到：微信 | 微博" if not hant else "分享：Facebook | LINE"
    else:
        shown_date = when.strftime("%B %-d, %Y %H:%M UTC")
        byline = "By " + a["author"]
        source_label = ""
        related_label = "Related"
        related = ["Markets wrap: stocks end mixed", "Five charts on global retail this week"]
        share = "Share: Email · X · LinkedIn"
    nav = "".join(f'<li><a href="/{i}">{e(n)}</a></li>' for i, n in enumerate(o.nav))
    body_html = "\n".join(f"<p>{e(p, quote=False)}</p>" for p in paras)
    rel = "".join(f'<li><a href="/related/{i}">{e(r)}</a></li>' for i, r in enumerate(related))
    charset = a["charset"]
    head = (
        f'<!DOCTYPE html>\n<html lang="{o.lang}">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{e(title)} | {e(o.name)}</title>\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta property="og:site_name" content="{e(o.name)}">\n'
        f'<meta property="og:title" content="{e(title)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta name="author" content="{e(a["author"])}">\n'
        f"{meta_date}"
        f'<link rel="canonical" href="{canonical}">\n'
        f"{jsonld}"
        f'<link rel="stylesheet" href="/static/site.css">\n</head>\n'
    )
    if o.style == 0:
        page = (
            f'<body>\n<header class="site-header"><a class="logo" href="/">{e(o.name)}</a>\n'
            f'<nav><ul class="menu">{nav}</ul></nav></header>\n<main>\n<article>\n'
            f"<h1>{e(title)}</h1>\n"
            f'<div class="byline"><span class="author">{e(byline)}</span> '
            f'<time datetime="{a["published"]}">{shown_date}</time> {e(source_label)}</div>\n'
            f'<div class="article-body">\n{body_html}\n</div>\n'
            f'<div class="share">{e(share)}</div>\n</article>\n'
            f'<aside class="related"><h2>{related_label}</h2><ul>{rel}</ul></aside>\n</main>\n'
            f'<footer class="site-footer"><p>{e(o.footer)}</p>'
            f"<p>mediastance demo corpus: fictionalised text.</p></footer>\n</body>\n</html>\n"
        )
    elif o.style == 1:
        page = (
            f'<body>\n<div id="top"><div class="brand">{e(o.name)}</div>\n'
            f'<ul id="nav">{nav}</ul></div>\n<div id="content">\n'
            f'<div class="post">\n<h1 class="post-title">{e(title)}</h1>\n'
            f'<p class="meta">{e(byline)} | {shown_date}</p>\n'
            f'<div class="post-content">\n{body_html}\n</div>\n</div>\n'
            f'<div class="sidebar"><h3>{related_label}</h3><ul>{rel}</ul></div>\n</div>\n'
            f'<div id="footer">{e(o.footer)} · mediastance demo corpus: fictionalised text.'
            f"</div>\n</body>\n</html>\n"
        )
    else:
        page = (
            f'<body>\n<table width="100%" class="topbar"><tr><td class="logo">{e(o.name)}</td>'
            f'<td><ul class="channels">{nav}</ul></td></tr></table>\n'
            f'<div class="main">\n<div class="left">\n<h1>{e(title)}</h1>\n'
            f'<div class="info"><span>{shown_date}</span> <span>{e(byline)}</span> '
            f"<span>{e(source_label)}</span></div>\n"
            f'<div id="text">\n{body_html}\n</div>\n'
            f'<div class="editor">{"责任编辑：" + e(a["author"]) if zh else "Filed by " + e(a["author"])}</div>\n'
            f'</div>\n<div class="right"><h3>{related_label}</h3><ul>{rel}</ul></div>\n</div>\n'
            f'<div class="footer">{e(o.footer)}<br>mediastance demo corpus: fictionalised text.'
            f"</div>\n</body>\n</html>\n"
        )
    return head + page


def encode_page(text: str, charset: str) -> bytes:
    codec = {"gb2312": "gbk", "gbk": "gbk", "big5": "big5", "utf-8": "utf-8"}[charset]
    return text.encode(codec)  # strict: an unencodable character is an error here


def rss(items: list[dict], title: str, link: str, lang: str, encoding: str) -> bytes:
    e = html.escape
    out = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0">',
        "<channel>",
        f"<title>{e(title)}</title>",
        f"<link>{link}</link>",
        f"<description>{e(title)} — mediastance demo feed</description>",
        f"<language>{lang}</language>",
    ]
    for a in sorted(items, key=lambda a: a["published"], reverse=True):
        first = _paras(a["body"])[0]
        out += [
            "<item>",
            f"<title>{e(a['title'])}</title>",
            f"<link>{{base}}{a['path']}</link>",
            f'<guid isPermaLink="true">{{base}}{a["path"]}</guid>',
            f"<pubDate>{format_datetime(_dt(a['published']))}</pubDate>",
            f"<source>{e(OUTLETS[a['outlet']].name)}</source>",
            f"<description>{e(first)}</description>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode(encoding)


def atom(items: list[dict]) -> bytes:
    e = html.escape
    latest = max(a["published"] for a in items)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>Company and official newsrooms (demo)</title>",
        '<link rel="self" href="{base}/feeds/newsroom.xml"/>',
        "<id>tag:mediastance.demo,2026:newsroom</id>",
        f"<updated>{latest}</updated>",
    ]
    for a in sorted(items, key=lambda a: a["published"], reverse=True):
        first = _paras(a["body"])[0]
        out += [
            f'<entry xml:lang="{OUTLETS[a["outlet"]].lang}">',
            f"<title>{e(a['title'])}</title>",
            f'<link rel="alternate" type="text/html" href="{{base}}{a["path"]}"/>',
            f"<id>tag:mediastance.demo,2026:{a['path']}</id>",
            f"<published>{a['published']}</published>",
            f"<updated>{a['published']}</updated>",
            f"<author><name>{e(OUTLETS[a['outlet']].name)}</name></author>",
            f"<summary>{e(first)}</summary>",
            "</entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out).encode("utf-8")


def main() -> None:
    data = runpy.run_path(str(HERE / "corpus_articles.py"))
    articles: list[dict] = data["ARTICLES"]
    stories: dict[str, str] = data["STORIES"]
    pairs: list[dict] = data["STATEMENT_PAIRS"]
    paths = [a["path"] for a in articles]
    assert len(paths) == len(set(paths)), "duplicate path"
    for a in articles:
        a["language"] = a["path"].split("/")[1]
        a.setdefault("charset", "utf-8")
        a.setdefault("duplicate_of", None)
        a.setdefault("relevant", True)
        assert a["story"] in stories, a["story"]
        assert a["outlet"] in OUTLETS, a["outlet"]
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    for a in articles:
        target = CORPUS / a["path"].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if a["duplicate_of"]:
            original = next(x for x in articles if x["path"] == a["duplicate_of"])
            a["body"] = original["body"]
        target.write_bytes(encode_page(render(a), a["charset"]))
    feeds = CORPUS / "feeds"
    feeds.mkdir(parents=True)
    (feeds / "en.xml").write_bytes(
        rss(
            [a for a in articles if a["feed"] == "en"],
            "English outlets (demo)",
            "{base}/en/",
            "en",
            "utf-8",
        )
    )
    (feeds / "zh.xml").write_bytes(
        rss(
            [a for a in articles if a["feed"] == "zh"],
            "中文媒体（示例）",
            "{base}/zh/",
            "zh-cn",
            "gbk",
        )
    )
    (feeds / "newsroom.xml").write_bytes(atom([a for a in articles if a["feed"] == "newsroom"]))
    gold = {
        "articles": [
            {
                "path": a["path"],
                "story": a["story"],
                "language": a["language"],
                "script": "Hant"
                if OUTLETS[a["outlet"]].lang in ("zh-HK", "zh-TW")
                else ("Hans" if a["language"] == "zh" else None),
                "published": a["published"][:10],
                "outlet": OUTLETS[a["outlet"]].name,
                "title": a["title"],
                "charset": a["charset"],
                "feed": a["feed"],
                "duplicate_of": a["duplicate_of"],
                "relevant": a["relevant"],
            }
            for a in sorted(articles, key=lambda a: (a["published"], a["path"]))
        ],
        "stories": stories,
        "statement_pairs": pairs,
    }
    GOLD.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(articles)} pages, 3 feeds and {GOLD.name}")


if __name__ == "__main__":
    main()
