"""Statements: direct and reported speech in sentences, with speaker and organisation.

Precision before recall: a sentence is a statement only when an attribution is found
(a speech verb with a speaker that looks like one), never from quote marks alone.

How a sentence is read:

1. Quotes (“…”, 「…」, 『…』, "…") are masked, so a verb inside a quote is never taken for
   the attribution. A quote left open at a sentence end carries into the next sentences
   (English news splits multi-sentence quotes: ``"We are disappointed. This is
   regrettable," Alibaba said.``): those sentences get the speaker found where the quote
   closes, or the speaker that opened it (``Alibaba said: "We ... . This ..."``).
2. English: a verb from ``EN_VERBS`` with a noun phrase before it (walked back over
   names, roles and "of/for/the"), or after it when a quote or comma precedes
   (``"...," said Jennifer Kuperman``), or ``according to X``. ``told`` skips its object
   (``told Reuters``); "In a statement, X called ..." allows ``EN_STATEMENT_VERBS``.
3. Chinese: a verb from ``ZH_VERBS`` (on a Simplified copy, so Traditional text reads the
   same) with the clause segment before it as speaker, once adverbs and settings
   (``在声明中``, ``对记者``, ``昨日``) are stripped; or ``据X介绍/透露``.
4. The speaker phrase is resolved: a configured person or alias names the organisation
   (a target name); otherwise a person's name is split from its description
   ("IACC president Robert Barchiesi", "商务部新闻发言人高峰") and the organisation is
   taken as written ("Tiffany & Co.", "商务部"). Pronouns and "the company"/该公司 take
   the most recent speaker of the right kind within three sentences, or the one target
   the previous sentence mentions; else they stay as written with no organisation.

``text`` is the quote (direct) or the reported clause without the attribution; a
clause that embeds a real quote (three words or four Han characters or more) is direct.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.mentions import find_mentions, fold_alias
from analysis.sentences import Sentence
from mediastance.core.config import Target
from mediastance.core.language import to_simplified


@dataclass(frozen=True)
class Statement:
    sentence_index: int
    speaker: str
    organisation: str | None
    language: str | None
    text: str
    kind: str  # "direct" | "reported"


@dataclass(frozen=True)
class _Attribution:
    phrase: str  # the speaker as written
    text: str
    kind: str
    context: str = ""  # appositive/description used only to find the organisation


MASK = "\x00"  # stands in for quoted characters in the attribution "frame"
_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』", '"': '"'}

# --- English tables -------------------------------------------------------------------
EN_VERBS = {
    "said", "says", "added", "adds", "noted", "notes", "argued", "argues", "warned",
    "warns", "stated", "states", "claimed", "claims", "insisted", "insists", "wrote",
    "writes", "told", "tells", "explained", "explains", "asked", "asks", "acknowledged",
    "maintained", "maintains", "countered", "responded", "replied", "stressed",
    "emphasized", "emphasised", "declared", "confirmed", "complained", "alleged", "vowed",
}  # fmt: skip
# Only in a sentence that mentions a statement: "In a statement, Alibaba called ...".
EN_STATEMENT_VERBS = {"called", "described", "urged", "denied", "welcomed", "criticised", "criticized", "rejected"}  # fmt: skip
_EN_INVERTIBLE = {"said", "says", "added", "adds", "wrote", "writes", "asked", "noted", "argued", "warned", "explained"}  # fmt: skip
_EN_ROLES = {
    "spokesman", "spokeswoman", "spokesperson", "spokespeople", "representative",
    "representatives", "president", "vice", "chairman", "chairwoman", "chair", "chief",
    "executive", "executives", "officer", "officers", "head", "director", "manager",
    "founder", "co-founder", "ceo", "counsel", "general", "secretary", "minister",
    "ministry", "official", "officials", "analyst", "analysts", "lawyer", "lawyers",
    "attorney", "professor", "researcher", "partner", "senior", "deputy", "international",
    "corporate", "communications", "global", "public", "affairs", "relations", "policy",
    "legal", "intellectual", "property", "company", "group", "firm", "coalition",
    "association", "commission", "department", "office", "administration", "bureau",
    "platform", "retailer", "giant", "e-commerce", "tech", "media", "board", "member",
    "members", "brand", "brands", "operator", "trade", "foreign", "government",
    "regulator", "regulators", "agency", "watchdog", "industry", "organization",
    "organisation", "marketplace", "online", "luxury", "founding", "anti-counterfeiting",
    "university", "college", "school", "institute", "consultancy", "bank",
}  # fmt: skip
_EN_CONNECTORS = {"of", "for", "at", "the", "and", "&", "de", "la", "van", "von", "a", "an"}
_EN_AUX = {
    "has", "have", "had", "also", "previously", "later", "earlier", "then", "further",
    "repeatedly", "publicly", "once", "again", "already", "recently", "separately",
    "today", "yesterday", "on", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
}  # fmt: skip
_EN_NOT_NAMES = {
    "on", "in", "at", "but", "and", "however", "meanwhile", "still", "yet", "so", "also",
    "then", "when", "while", "after", "before", "earlier", "later", "today", "yesterday",
    "separately", "instead", "if", "as", "since", "although", "though", "because", "last",
    "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "there",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "what",
    "which", "who", "how", "why", "where", "according", "statement",
}  # fmt: skip
_EN_PERSON_PRONOUNS = {"he", "she"}
_EN_ANY_PRONOUNS = {"they"}
_EN_ORG_HEADS = {"company", "group", "firm", "platform", "retailer", "giant", "marketplace", "organisation", "organization", "coalition", "ministry", "it"}  # fmt: skip
_EN_REJECT = {"i", "we", "you"}  # the author or a reader, not a source
_EN_ORG_SUFFIX = re.compile(
    r"\b(?:Co\.|Inc\.?|Corp\.?|Ltd\.?|LLC|Group|Ministry|Coalition|Association|Administration|"
    r"Office|Commission|Bureau|Council|Department|Agency|Court|Federation|Institute|Chamber)\b"
)
# Places are where a speaker is, not who they speak for: "Analysts in Hong Kong",
# "Hong Kong-based lawyers", "The Washington-based coalition", "China regulator". A run
# made only of these (or of "X-based" modifiers) is never taken as an organisation.
EN_PLACES = {
    "hong kong", "china", "mainland china", "beijing", "shanghai", "shenzhen", "hangzhou",
    "guangzhou", "taiwan", "taipei", "macau", "macao", "singapore", "japan", "tokyo",
    "korea", "seoul", "asia", "europe", "brussels", "geneva", "london", "paris", "milan",
    "italy", "france", "germany", "britain", "uk", "u.k.", "us", "u.s.", "usa", "america",
    "united states", "washington", "new york", "california", "silicon valley",
}  # fmt: skip
_EN_BASED = re.compile(r"(?:\b(?!(?:The|A|An)\b)[A-Z][\w.’']*\s+)*\b[\w.’']+-based\b\s*")
_EN_LOCATIVE = {"in", "from"}  # "Analysts in Hong Kong", "lawyers from Beijing"
_TOKEN = re.compile(r"[A-Za-z0-9][\w.&'’-]*|&|[^\s\w]")
# A period that ends a token belongs to it only in abbreviations (Co., U.S.).
_KEEPS_PERIOD = re.compile(r"(?:Co|Inc|Corp|Ltd|Jr|Sr|St|Mr|Mrs|Ms|Dr|Bros)\.|(?:[A-Za-z]\.)+")
_EN_PERSON_ROLES = {"spokesman", "spokeswoman", "spokesperson", "president", "chief", "executive", "officer", "head", "director", "chairman", "chairwoman", "founder", "ceo", "counsel", "manager", "secretary"}  # fmt: skip
_EN_LEAD = re.compile(
    r"^(?:\s|[,:]|\bthat\b|\bin (?:a|an|its|their|his|her) (?:\w+ ){0,2}statement\b|"
    r"\bon (?:\w+day|\w+ \d+)\b|\b(?:last|this) week\b|\b(?:today|yesterday)\b)+"
)
_EN_TOLD_OBJECT = re.compile(
    r"^\s*(?:(?:reporters|journalists|investors|analysts|lawmakers|the\s+\w+)\b|"
    r"(?:[A-Z][\w.&'’-]*\s*)+)(?:\s+(?:on|in)\s+\w+)?[\s,:]*(?:that\b)?"
)
_ACCORDING = re.compile(
    r"\b[Aa]ccording to\s+(?:(?:a|the) (?:statement|report|post|letter|filing) (?:from|by)\s+)?"
)

# --- Chinese tables -------------------------------------------------------------------
# Lookbehind/lookahead keep 据称, 名称, 被称为, 来说 (as for), 说明, 所说的 out.
ZH_VERBS = re.compile(
    r"(?<![据所被名号堪简俗自统昵宣声指相来听虽小再是游劝解演传学胡])"
    r"(?:表示|声称|宣称|称|指出|回应称?|回应说|强调|认为|说道|说|透露|坦言|直言|写道|补充说?|"
    r"告诉[^，。；“”「」\x00]{0,6}?记者)"
    r"(?![为作之号赞呼谓明服法辞教情唱书的])"
)
_ZH_ACCORDING = re.compile(
    r"据(?P<np>[^，。；：\x00]{2,20}?)(?:介绍|透露|表示|称|说|指出|证实)(?:说|称)?[，,：:]?"
)
_ZH_TAIL = re.compile(
    r"(?:也|还|则|亦|更|再次|同时|公开|正式|此前|当天|当日|日前|近日|随后|随即|曾经?|已经?|均|都|"
    r"一直|早前|最近|进一步|明确|首次|特别|并|就此|对此|方面|昨[日天]|今[日天]|[本上]?周[一二三四五六日末]|"
    r"(?:当地时间)?\d+月?\d*日|星期[一二三四五六日天]|"
    r"(?:在|于|通过)[^在于通，。；\x00]{0,15}?(?:声明|公告|回应|采访|微博|公众号|发布会|信|文章|报告|邮件|记者会|场合)[中上时里]?|"
    r"接受[^，。；\x00]{0,15}?采访时?|[对向][^，。；\x00]{0,8}?(?:记者|媒体|本报))$"
)
_ZH_HEAD = re.compile(
    r"^(?:对此|此外|另外|同时|但是?|而|并且?|不过|然而|随后|其中|因此|所以|为此|对于此事|针对此事)"
)
_ZH_ROLES = re.compile(
    r"(?:新闻发言人|发言人|首席执行官|董事局主席|董事长|副总裁|总裁|主席|执行官|总经理|负责人|创始人|"
    r"部长|局长|司长|官员|律师|教授|主任|经理|总监|研究员|分析师|专家|人士|代表|CEO)"
)
_ZH_ORG_SUFFIX = re.compile(
    r"(?:部|局|委员会|委|院|署|办公室|公司|集团|联盟|协会|政府|法院|机构|平台|组织|中心|厅|商会|社|报)$"
)
_ZH_REJECT = re.compile(
    r"^(?:这|那|此|哪|什么|谁|怎么|如何|是否|如果|虽然|因为|可以|应该|不|没|很|就|一般|总的|比如|例如|换句话|也就是|我|笔者|本报|本文|有关数据)|是|的$"
)
_ZH_PERSON_PRONOUNS = {"他", "她"}
_ZH_ANY_PRONOUNS = {"他们", "她们"}
_ZH_ORG_ANAPHORS = {"该公司", "该集团", "该平台", "该组织", "该联盟", "该机构", "该企业", "公司", "公司方面", "平台", "平台方面", "其"}  # fmt: skip
# Headlines separate clauses with a space instead of a comma: "拼多多上市即陷“山寨”风波
# 平台回应：…". Without this break the speaker would be "风波 平台".
_ZH_SPACE_BREAK = re.compile(r"(?<=[\u3400-\u9fff\x00」』”])[ \t\u3000]+(?=[\u3400-\u9fff])")


def find_statements(
    sentences: Sequence[Sentence], targets: Sequence[Target], language: str | None = None
) -> list[Statement]:
    """Statements in an article's sentences, in sentence order.

    ``language`` stands in for sentences whose own language is unknown.
    """
    return _Finder(tuple(targets)).run(sentences, language)


class _Finder:
    def __init__(self, targets: tuple[Target, ...]) -> None:
        self.targets = targets
        self.people = {fold_alias(p) for t in targets for p in t.people}
        self.history: list[tuple[int, str, str | None, bool]] = []  # index, speaker, org, person
        self.by_index: dict[int, Sentence] = {}

    def run(self, sentences: Sequence[Sentence], language: str | None) -> list[Statement]:
        self.by_index = {s.index: s for s in sentences}
        found: list[Statement] = []
        opener: str | None = None  # quote left open by the previous sentence
        open_speaker: tuple[str, str | None] | None = None
        pending: list[tuple[Sentence, str]] = []  # inside an open quote, speaker unknown yet
        for s in sentences:
            lang = s.language or language
            quotes, still_open = _quotes(s.text, opener)
            carried = opener is not None
            frame = _mask(s.text, quotes)
            inner = _join(s.text[a:b] for _, a, b, _ in quotes)
            zh = lang == "zh"
            attribution = (_chinese if zh else _english)(s.text, frame, quotes)
            if attribution:
                speaker, org, person = self.resolve(attribution, s.index, zh)
                if carried and quotes and quotes[0][0] == 0:
                    for earlier, text in pending:
                        found.append(Statement(earlier.index, speaker, org, earlier.language or language, text, "direct"))  # fmt: skip
                found.append(
                    Statement(s.index, speaker, org, lang, attribution.text, attribution.kind)
                )
                self.history.append((s.index, speaker, org, person))
                pending = []
                open_speaker = (speaker, org) if still_open else None
            elif carried and open_speaker and inner:
                found.append(Statement(s.index, *open_speaker, lang, inner, "direct"))
                if not still_open:
                    open_speaker = None
            elif still_open and inner:
                pending.append((s, inner))
            else:
                pending, open_speaker = [], None
            opener = still_open
        return sorted(found, key=lambda st: st.sentence_index)

    # --- speaker resolution -----------------------------------------------------------
    def resolve(self, a: _Attribution, index: int, zh: bool) -> tuple[str, str | None, bool]:
        phrase = a.phrase
        key = to_simplified(phrase).lower().removeprefix("the ")
        if key in _EN_PERSON_PRONOUNS or key in _ZH_PERSON_PRONOUNS:
            return self.recall(index, "person", phrase)
        if key in _EN_ANY_PRONOUNS or key in _ZH_ANY_PRONOUNS:
            return self.recall(index, "any", phrase)
        bare = phrase if zh else _EN_BASED.sub("", phrase)
        if _is_org_anaphor(bare) and not find_mentions(bare, self.targets):
            return self.recall(index, "org", phrase)
        return (self._resolve_zh if zh else self._resolve_en)(phrase, a.context, index)

    def recall(self, index: int, kind: str, phrase: str) -> tuple[str, str | None, bool]:
        """The most recent speaker of the right kind, else the one target just mentioned."""
        for i, speaker, org, person in reversed(self.history):
            if i < index - 3:
                break
            if kind == "any" or (kind == "person" and person):
                return speaker, org, person
            if kind == "org" and org:
                return org, org, False
        previous = self.by_index.get(index - 1)
        if previous is not None:
            mentions = find_mentions(previous.text, self.targets)
            if kind == "person":
                mentions = [m for m in mentions if fold_alias(m.alias) in self.people]
                if len({m.alias for m in mentions}) == 1:
                    return mentions[0].alias, mentions[0].target, True
            elif len({m.target for m in mentions}) == 1:
                return mentions[0].target, mentions[0].target, False
        if kind == "org" and index in self.by_index:
            # A headline's "…风波 平台回应": the one target the sentence itself names.
            mentions = find_mentions(self.by_index[index].text, self.targets)
            if len({m.target for m in mentions}) == 1:
                return mentions[0].target, mentions[0].target, False
        return phrase, None, kind == "person"

    def _target_of(self, text: str) -> tuple[str | None, str | None]:
        """(person as written, its target) or (None, first target) mentioned in text."""
        mentions = find_mentions(text, self.targets)
        for m in mentions:
            if fold_alias(m.alias) in self.people:
                return m.alias, m.target
        return None, mentions[0].target if mentions else None

    def _resolve_en(self, phrase: str, context: str, index: int) -> tuple[str, str | None, bool]:
        bare = _EN_BASED.sub("", phrase)  # "The Washington-based coalition" -> "The coalition"
        person, target = self._target_of(f"{bare}, {context}" if context else bare)
        if person:
            return person, target, True
        name, description = _split_name(phrase)
        if name is None and " " not in phrase and phrase[:1].isupper() and not target:
            # A surname alone: the full name said earlier, or a configured person's.
            for _, speaker, org, is_person in reversed(self.history):
                if is_person and speaker.split()[-1] == phrase:
                    return speaker, org, True
            for t in self.targets:
                if any(p.split()[-1] == phrase for p in t.people):
                    return phrase, t.name, True
        description = " ".join(x for x in (description, context) if x)
        org = target or _en_organisation(description if name else phrase)
        if name:
            return name, org, True
        role = any(w.lower() in _EN_ROLES for w in phrase.split())
        return phrase, org, role and not _EN_ORG_SUFFIX.search(phrase)

    def _resolve_zh(self, phrase: str, context: str, index: int) -> tuple[str, str | None, bool]:
        person, target = self._target_of(phrase)
        if person:
            return person, target, True
        roles = list(_ZH_ROLES.finditer(to_simplified(phrase)))
        if roles:
            role = roles[-1]
            prefix, name = phrase[: role.start()].rstrip("的"), phrase[role.end() :].strip(" ·")
            org = target or (prefix if _ZH_ORG_SUFFIX.search(to_simplified(prefix)) else None)
            return (name or phrase), org, True
        if target:
            return phrase, target, False
        if _ZH_ORG_SUFFIX.search(to_simplified(phrase)):
            return phrase, phrase, False
        return phrase, None, False


# --- quotes ---------------------------------------------------------------------------
def _quotes(text: str, opener: str | None) -> tuple[list[tuple[int, int, int, int]], str | None]:
    """Quote spans (start, inner start, inner end, end) and the opener left open, if any."""
    spans = []
    start = 0 if opener else None
    inner = 0
    for i, ch in enumerate(text):
        if opener is None and ch in _OPEN_CLOSE:
            opener, start, inner = ch, i, i + 1
        elif opener is not None and ch == _OPEN_CLOSE[opener] and start is not None:
            spans.append((start, inner, i, i + 1))
            opener = start = None
    if opener is not None and start is not None:
        spans.append((start, inner, len(text), len(text)))
    return spans, opener


def _mask(text: str, quotes: list[tuple[int, int, int, int]]) -> str:
    chars = list(text)
    for start, _, _, end in quotes:
        chars[start:end] = MASK * (end - start)
    return "".join(chars)


def _join(parts) -> str:
    return " ".join(p.strip() for p in parts if p.strip()).rstrip(",，、 ")


def _is_real_quote(text: str, quotes, lo: int, hi: int) -> bool:
    for _, a, b, _ in quotes:
        if lo <= a and b <= hi:
            inner = text[a:b]
            if len(inner.split()) >= 3 or len(re.findall(r"[\u3400-\u9fff]", inner)) >= 4:
                return True
    return False


def _content(
    text: str, frame: str, quotes, np_start: int, after: int, zh: bool
) -> tuple[str, str] | None:
    """(text, kind) for an attribution whose speaker starts at np_start and ends at after."""
    inner = _join(text[a:b] for _, a, b, _ in quotes)
    before = frame[:np_start].rstrip(" ,，")
    if quotes and before.endswith(MASK) and quotes[0][0] < np_start:
        return inner, "direct"  # "…," X said. / “……”X说。
    lead = re.match(r"^[\s,，:：]*", frame[after:]) if zh else _EN_LEAD.match(frame[after:])
    start = after + (lead.end() if lead else 0)
    post = text[start:].strip()
    if frame[start : start + 1] == MASK and quotes:
        return inner, "direct"  # X said: "…" / X说：“……”
    if len(post.rstrip("。.！!？?")) >= (2 if zh else 6) and len(post.split()) >= (1 if zh else 2):
        return post, "direct" if _is_real_quote(text, quotes, start, len(text)) else "reported"
    pre = text[: len(before)].strip()
    if frame[:np_start].rstrip().endswith((",", "，")) and len(pre) >= 4:
        return pre, "reported"  # The fakes were removed, a spokesman said.
    return None


# --- English --------------------------------------------------------------------------
def _english(text: str, frame: str, quotes) -> _Attribution | None:
    tokens = _tokens(frame)
    statement = "statement" in frame.lower()
    m = _ACCORDING.search(frame)
    if m:
        np = _walk_forward(tokens, m.end())
        if np:
            start, end = np
            rest = frame[end:].lstrip(" ,")
            if rest.strip(" .") and quotes and frame[end:].lstrip(" ,")[:1] == MASK:
                return _Attribution(text[start:end], _join(text[a:b] for _, a, b, _ in quotes), "direct")  # fmt: skip
            if len(rest.split()) >= 2:
                return _Attribution(text[start:end], text[len(frame) - len(rest) :].strip(), "reported")  # fmt: skip
            pre = text[: m.start()].strip().rstrip(",")
            if len(pre.split()) >= 2:
                return _Attribution(text[start:end], pre, "reported")
    for k, (vs, ve, word) in enumerate(tokens):
        if word not in EN_VERBS and not (statement and word in EN_STATEMENT_VERBS):
            continue
        span = _walk_back(tokens, k - 1)
        after, context = ve, ""
        if span is None and word in _EN_INVERTIBLE and frame[:vs].rstrip().endswith((MASK, ",")):
            span = _walk_forward(tokens, ve)  # "…," said Jennifer Kuperman, Alibaba's …
            if span is None:
                continue
            after = span[1]
            appositive = re.match(r"\s*,\s*([^.;]+?)\s*[.!?]?$", text[after:])
            if appositive:
                context, after = appositive.group(1), len(text)
            np_start = vs
        elif span is None:
            continue
        else:
            np_start = span[0]
        phrase = text[span[0] : span[1]]
        if phrase.lower() in _EN_REJECT:
            continue
        if word in ("told", "tells"):
            obj = _EN_TOLD_OBJECT.match(frame[ve:])
            after = ve + (obj.end() if obj else 0)
        found = _content(text, frame, quotes, np_start, after, zh=False)
        if found:
            return _Attribution(phrase, found[0], found[1], context)
    return None


def _tokens(frame: str) -> list[tuple[int, int, str]]:
    tokens = []
    for m in _TOKEN.finditer(frame):
        word = m.group()
        if word.endswith(".") and len(word) > 1 and not _KEEPS_PERIOD.fullmatch(word):
            tokens += [(m.start(), m.end() - 1, word[:-1]), (m.end() - 1, m.end(), ".")]
        else:
            tokens.append((m.start(), m.end(), word))
    return tokens


def _name_like(word: str) -> bool:
    return any(c.isupper() for c in word) and word.lower().strip(".") not in _EN_NOT_NAMES


def _np_word(word: str) -> bool:
    return _name_like(word) or word.lower() in _EN_ROLES or word.lower() in _EN_CONNECTORS


def _walk_back(tokens, i: int) -> tuple[int, int] | None:
    """Span of the speaker phrase ending at token i (aux words skipped), or None."""
    while i >= 0 and tokens[i][2].lower() in _EN_AUX:
        i -= 1
    if i < 0:
        return None
    head = tokens[i][2]
    if head == ",":  # "Robert Barchiesi, IACC president, said"
        inner = _walk_back(tokens, i - 1)
        if inner is None:
            return None
        j = next(k for k, t in enumerate(tokens) if t[0] == inner[0])
        if j > 0 and tokens[j - 1][2] == ",":
            name = _walk_back(tokens, j - 2)
            if name and _name_like(_text_of(tokens, name).split()[-1]):
                return name[0], inner[1]
        return None
    if head.lower() in _EN_PERSON_PRONOUNS | _EN_ANY_PRONOUNS | {"it"} | _EN_REJECT:
        return tokens[i][0], tokens[i][1]
    if head.lower().endswith(("'s", "’s")) or not (_name_like(head) or head.lower() in _EN_ROLES):
        return None
    j = i
    while j > 0 and _np_word(tokens[j - 1][2]) and i - j < 14:
        j -= 1
    while tokens[j][2].lower() in _EN_CONNECTORS - {"the", "a", "an"}:
        j += 1
    if (
        j >= 2
        and tokens[j - 1][2].lower() in _EN_LOCATIVE
        and tokens[j - 2][2].lower() in _EN_ROLES
        and _is_place(_text_of(tokens, (tokens[j][0], tokens[i][1])))
    ):  # "Analysts in Hong Kong said": the analysts speak, not the place
        outer = _walk_back(tokens, j - 2)
        if outer:
            return outer[0], tokens[i][1]
    # A description then a comma then a name ("Robert Barchiesi, IACC president") is
    # handled above; a lone description after a comma ("On Friday, the company") is fine.
    return tokens[j][0], tokens[i][1]


def _is_place(text: str) -> bool:
    """ "Hong Kong", "Singapore and Hong Kong", "the U.S.": only place names."""
    parts = [p for p in re.split(r"\s*(?:,|\band\b|&)\s*", text.strip()) if p]
    keys = [re.sub(r"^the\s+", "", p.lower()) for p in parts]
    return bool(keys) and all(k in EN_PLACES or k.rstrip(".") in EN_PLACES for k in keys)


def _text_of(tokens, span: tuple[int, int]) -> str:
    return " ".join(t[2] for t in tokens if span[0] <= t[0] and t[1] <= span[1])


def _walk_forward(tokens, pos: int) -> tuple[int, int] | None:
    """Span of the speaker phrase starting at character pos."""
    k = next((k for k, t in enumerate(tokens) if t[0] >= pos), None)
    if k is None:
        return None
    j = k
    while j < len(tokens) and _np_word(tokens[j][2]) and j - k < 14:
        j += 1
    while j > k and tokens[j - 1][2].lower() in _EN_CONNECTORS:
        j -= 1
    if j == k:
        if tokens[k][2].lower() in _EN_PERSON_PRONOUNS | _EN_ANY_PRONOUNS:
            return tokens[k][0], tokens[k][1]
        return None
    return tokens[k][0], tokens[j - 1][1]


_CAP_RUN = re.compile(r"(?:[A-Z][\w.&'’-]*|&)(?:\s+(?:[A-Z][\w.&'’-]*|&|of|for|and))*")


def _split_name(phrase: str) -> tuple[str | None, str]:
    """A person's name at the end ("… Jennifer Kuperman") or before a comma, and the rest."""
    runs = list(_CAP_RUN.finditer(phrase))
    for m in (runs[-1:] if runs else []) + [
        r for r in runs if phrase[r.end() : r.end() + 1] == ","
    ]:
        words = m.group().split()
        if (
            len(words) >= 2
            and len(words) <= 4
            and all(w[:1].isupper() and not w.endswith(("'s", "’s", "s’")) for w in words)
            and not any(w.lower() in _EN_ROLES for w in words)
            and not _EN_ORG_SUFFIX.search(m.group())
            and not _is_place(m.group())
            and (m.end() == len(phrase) or phrase[m.end()] == ",")
        ):
            rest = (phrase[: m.start()] + phrase[m.end() :]).strip(" ,")
            return m.group(), rest
    return None, phrase


def _is_org_anaphor(phrase: str) -> bool:
    """ "it", "the company", "the e-commerce giant", 该公司 …: an organisation said before."""
    simple = to_simplified(phrase)
    if simple in _ZH_ORG_ANAPHORS or re.fullmatch(r"该\w{0,4}" + _ZH_ORG_SUFFIX.pattern, simple):
        return True
    if phrase.lower() == "it":
        return True
    words = phrase.split()
    return (
        len(words) >= 2
        and words[0].lower() == "the"
        and words[-1].lower() in _EN_ORG_HEADS
        and not any(w[:1].isupper() for w in words[1:])
    )


def _en_organisation(description: str) -> str | None:
    """The organisation named in a description, as written ("Tiffany & Co.")."""
    has_role = any(w.lower().strip(",") in _EN_ROLES for w in description.split())
    description = _EN_BASED.sub("", description)  # "Hong Kong-based": where, not who
    for m in _CAP_RUN.finditer(description):
        words = re.sub(r"(?:\s+(?:of|for|and))+$", "", m.group()).split()
        while words and words[0].lower() in ("the", "a", "an"):
            words.pop(0)
        while words and words[-1].lower() in _EN_PERSON_ROLES:  # "Tiffany & Co. Chief Executive"
            words.pop()
        run = re.sub(r"(?:'s|’s|’)$", "", " ".join(words))
        if all(w.lower() in _EN_ROLES for w in words):
            continue  # "Analysts", "Vice President": a role, not an organisation
        if _is_place(run):
            continue  # "China regulator", "Singapore and Hong Kong": a place
        if run and run.lower() not in _EN_NOT_NAMES and (has_role or _EN_ORG_SUFFIX.search(run)):
            return run
    return None


# --- Chinese --------------------------------------------------------------------------
def _chinese(text: str, frame: str, quotes) -> _Attribution | None:
    simple = _simplified(frame)
    m = _ZH_ACCORDING.search(simple)
    if m and _zh_speaker_ok(m.group("np")):
        start, end = m.span("np")
        rest = text[m.end() :].strip()
        if frame[m.end() : m.end() + 1] == MASK and quotes:
            return _Attribution(text[start:end], _join(text[a:b] for _, a, b, _ in quotes), "direct")  # fmt: skip
        if len(rest) >= 2:
            kind = "direct" if _is_real_quote(text, quotes, m.end(), len(text)) else "reported"
            return _Attribution(text[start:end], rest, kind)
    for v in ZH_VERBS.finditer(simple):
        seg_start = max(simple.rfind(c, 0, v.start()) for c in "，,；;：:。！？!?、\x00") + 1
        for space in _ZH_SPACE_BREAK.finditer(simple, seg_start, v.start()):
            seg_start = space.end()
        np_start, np_end = seg_start, v.start()
        while True:  # strip settings and adverbs between speaker and verb, then connectives
            tail = _ZH_TAIL.search(simple, np_start, np_end)
            if not tail or tail.start() == np_start:
                break
            np_end = tail.start()
        head = _ZH_HEAD.match(simple, np_start, np_end)
        if head:
            np_start = head.end()
        phrase = text[np_start:np_end].strip()
        if not _zh_speaker_ok(to_simplified(phrase)):
            continue
        np_start += len(text[np_start:np_end]) - len(text[np_start:np_end].lstrip())
        found = _content(text, frame, quotes, np_start, v.end(), zh=True)
        if found:
            return _Attribution(phrase, found[0], found[1])
    return None


def _zh_speaker_ok(phrase: str) -> bool:
    if not phrase or len(phrase) > 20 or _ZH_REJECT.search(phrase):
        return False
    if phrase in _ZH_PERSON_PRONOUNS | _ZH_ANY_PRONOUNS | _ZH_ORG_ANAPHORS:
        return True
    # Anything longer than a short name needs a role, an organisation or a Latin name.
    return (
        len(phrase) <= 6
        or bool(_ZH_ROLES.search(phrase) or _ZH_ORG_SUFFIX.search(phrase))
        or bool(re.search(r"[A-Z]", phrase))
    )


def _simplified(text: str) -> str:
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in text)
