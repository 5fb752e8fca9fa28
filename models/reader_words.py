"""The plan's words and the figures in one clause of a liaison's reply: the vocabulary of a plan
(indicator and item names, their aliases, and generic label words) and the scan of a clause for them
and for numbers that are figures. Part of `models.reader`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from config.plan_schema import Indicator, Plan
from models.scoring import value_spec

FIGURE = re.compile(
    r"百分之百|(?:第)?(?:[+\-−负])?(?:(?:十万|百万|百|千|万)分之|百分之)?"
    r"(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿点]{1,12})"
    r"(?:万亿|亿元|万元|千万|百万|十万|亿|万|千)?"
    r"(?:(?:多|余)?(?:个工作日|工作日|个自然日|自然日|天|名|位|条|项|个|家|户|次|人次|份|件|起|笔|例|宗|批|人|篇|处|场|分)"
    r"|%|‰|元)?"
)
FIGURE_START = re.compile(r"[0-9零〇一二两三四五六七八九十百第]")
RANGE_ON = re.compile(r"^[-~～至到][0-9一二三四五六七八九十]+月")
NOT_A_FIGURE = re.compile(r"^(?:月|月份|年|日|号|点|时|周|季度|期|号楼|的材料|的佐证|项指标|页|张)")
"""What follows a number that is a date, a time, an address or a length of papers, not a figure."""
COPULA = re.compile(r"(?:为|是|:|：|都是|均为)$")
NOT_REPORTED = re.compile(
    r"(?:还差|(?:增加|新增|减少)了?|超过|已超|超出|突破|不到|不足|低于|高于|比上[月季年]|力争|预计|计划|争取|目标"
    r"|(?:能|将|可|可以|会|要|前|内)(?:达到|到|突破|过|超过)|(?:没|未|还没)(?:过|超过)|不低于|不少于"
    r"|(?:前进|上升|后退|提高|降低|提升)了?|(?<!同比)下降了?|(?:还|仍)?(?:没|未)到|多了|少了|离|离前|近|接近|将近|不是"
    r"|刚过|刚超过?|(?:上午|下午|昨天|上周|刚才|之前|此前|前面|上次|原来)(?:发|报|说|填)的|原[\u4e00-\u9fff]{0,4}的)$"
)
"""Words before a number that make it a target, a threshold, a comparison or a change, not the figure;
or a figure sent before that a correction replaces ('上午发的19个')."""
TARGET_BEFORE = re.compile(r"要求|预计|计划|争取|力争|目标|确保|打算|须|务必")
"""A clause that sets a target ('省里要求合规率、及时率月月100%', '预计月底前可以达到20个') states no figure."""
COMPARED = re.compile(r"[比较](?:上|去|年初|前|同期)")
CHANGE_BEFORE = re.compile(r"(?:增长|增加|下降|减少|提高|降低|上升|前进)了?$")
"""'较年初增长4.1亿', '比上次通报的重错率下降了十万分之二': a change since then, not the figure (a
percentage growth stays: '比去年增长32%' may be the growth an indicator scores)."""
ENUMERATOR_AFTER = re.compile(r"[.．)）][^0-9]")
"""What follows the number of a list item ('1.合规率…'): never a decimal point."""
RANGE_AFTER = re.compile(r"[%％]?\s*(?:-|~|～|到|至)\s*[0-9零一二两三四五六七八九十百]")
RANGE_BEFORE = re.compile(r"[0-9][%％]?\s*(?:-|~|～|到|至)\s*$")
"""A number that starts or ends a range ('95%-98%', '85%到88%')."""
TARGET_AFTER = re.compile(r"^(?:的)?(?:目标|要求|标准)|^以?内|^以[上下]")
"""Words after a number that make it a target or a limit ('3个工作日内办结'), not the figure."""
LIST_BEFORE = re.compile(r"[、和及与][^、和及与,:：]{1,8}$")
LIST_COUNT = re.compile(r"^[两二三四五六七八九十]+[项类家个]$")
"""'清理和打击两项', '工、农、中、建四家': a count right after a list is the list's size, not a figure."""
WHOLE_THEN_PART = re.compile(r"已|有|其中|目前")
"""'三项措施已有2项': the first count is the whole, the second (the figure) the part of it."""
COUNTED = "项家条件次份"
GENERIC = ("领域", "归集")
"""Words of the plan's labels that several indicators count in ('领域' for 9 and 12): a figure named
only by one of them fits each of the speaker's indicators whose name, alias or label has it."""
TYPOS = (
    ("亿圆", "亿元"),
    ("万圆", "万元"),
    ("合规律", "合规率"),
    ("及时律", "及时率"),
    ("即时率", "及时率"),
    ("重错律", "重错率"),
    ("复盖", "覆盖"),
    ("白分之", "百分之"),
    ("几时率", "及时率"),
    ("百分百", "百分之百"),
    ("百份之", "百分之"),
)
"""Slips people make that every reader reads through (homophones of 率, 及 and 覆; 百分百 for 百分之百)."""
Option = tuple[str, str | None]
"""(indicator code, item name or None for the indicator itself)."""


@dataclass(frozen=True)
class Word:
    """One word of the plan's vocabulary and the indicators (or items) it may name."""

    text: str
    options: tuple[Option, ...]
    generic: bool = False
    """A label word several indicators share ('领域'): used only when the clause names nothing else."""
    common: bool = False
    """A short item word that is part of another indicator's words ('平台' in '平台对接')."""


@dataclass
class Clause:
    text: str
    words: list[tuple[int, Word]] = field(default_factory=list)
    figures: list[tuple[int, str]] = field(default_factory=list)


def vocabulary(plan: Plan) -> list[Word]:
    """Every name and alias of the plan's indicators and items, longest first (one entry per word),
    then the generic label words."""
    found: dict[str, list[Option]] = {}
    for indicator in plan.indicators:
        code = indicator.code
        named_by_code = (f"指标{code}", f"{code}号指标", f"{code}的", f"{code}那项", f"{code}这项")
        for word in (indicator.name, *getattr(indicator, "aliases", []), *named_by_code):
            found.setdefault(normal(word), []).append((code, None))
        for item in indicator.items():
            for word in item.names():
                found.setdefault(normal(word), []).append((indicator.code, item.name))
    words = [Word(text, tuple(dict.fromkeys(options))) for text, options in found.items() if text]
    words = [Word(w.text, w.options, common=_common(w, words)) for w in words]
    words.sort(key=lambda w: len(w.text), reverse=True)
    return words + _generic_words(plan, found)


def _common(word: Word, words: list[Word]) -> bool:
    """A short item word inside another indicator's word is too common to name its item by itself
    in a statement ('平台' is every platform)."""
    if len(word.text) > 2 or any(item is None for _, item in word.options):
        return False
    codes = {c for c, _ in word.options}
    return any(word.text in w.text and not codes & {c for c, _ in w.options} for w in words if w is not word)


def _generic_words(plan: Plan, found: dict[str, list[Option]]) -> list[Word]:
    """The GENERIC words, each for every indicator whose name, aliases or value labels have it."""
    generic = []
    for text in GENERIC:
        codes = [i.code for i in plan.indicators if text not in found and text in _texts(i)]
        if codes:
            generic.append(Word(text, tuple((code, None) for code in codes), generic=True))
    return generic


def _texts(indicator: Indicator) -> str:
    """An indicator's own words: its name, aliases and the labels of its values."""
    labels = [value_spec(indicator, item).label or "" for item in indicator.items()]
    if not indicator.items():
        labels.append(value_spec(indicator, None).label or "")
    return " ".join([indicator.name, *getattr(indicator, "aliases", []), *labels])


TRADITIONAL = str.maketrans(
    "規時報數據億萬額貸項錄監測類資備單轉與樣關個條處無發現區縣鎮級積標準審戶應網絡質證經濟務設統農銀構體為開達這還沒"
    "結辦進實現歸雙許處罰諾約違規範圍導組織領勵懲決問題費",
    "规时报数据亿万额贷项录监测类资备单转与样关个条处无发现区县镇级积标准审户应网络质证经济务设统农银构体为开达这还没"
    "结办进实现归双许处罚诺约违规范围导组织领励惩决问题费",
)
"""Traditional characters liaisons' input methods sometimes give ('合規率', '及時率'), as simplified."""
SPOKEN = (
    (re.compile(r"(?<=\d)[wW](?=[条户家个元])"), "万"),  # '24.6w条'
    (re.compile(r"[一1]([家个条件项起户])(?:都|也)?(?:没有|没|不剩|无)"), r"0\1"),  # '一家都没有', '一家不剩'
    (re.compile(r"清零(?=了|$)"), "为0"),  # '重错率本月已清零'
    (re.compile(r"第([0-9一二三四五六七八九十百]+)位"), r"第\1名"),  # '排第二十三位'
    (re.compile(r"(?<=[规时盖出贷约报错比])律"), "率"),  # '覆盖律', '退出律'
    (re.compile(r"(?<=[0-9])忆"), "亿"),  # '12.6忆元'
    (
        re.compile(r"(?<=[率比：:是为])([一二三四五六七八九])成([一二三四五六七八九])?"),
        lambda m: f"{'一二三四五六七八九'.index(m[1]) + 1}{'一二三四五六七八九'.index(m[2]) + 1 if m[2] else 0}%",
    ),  # '退出率九成' is 90%, '七成五' 75%
    (re.compile(r"双百"), "均为百分之百"),  # '合规、及时双百'
    (re.compile(r"(\d+)万零?(\d)千"), r"\1.\2万"),  # '20万零3千条'
)
"""Ways of saying a figure that the value language does not read, said as it reads them."""


def normal(text: str) -> str:
    """Half-width and simplified, no spaces or thousands separators, typos and spoken forms read
    through ('9.6个亿' as '9.6亿', '一家都没有' as '0家')."""
    text = unicodedata.normalize("NFKC", text).translate(TRADITIONAL)
    text = re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)
    text = re.sub(r"[ \t\u3000]+", "", text)
    text = re.sub(r"(?<=[0-9])个(?=亿|万)", "", text)
    text = re.sub(r"(\d+)亿(\d)千万", r"\1.\2亿", text)  # '7亿2千万' is 7.2亿
    text = re.sub(r"(\d+)亿(\d{1,4})万", lambda m: f"{m[1]}.{int(m[2]):04d}亿".replace(".0000", ""), text)
    for typo, meant in TYPOS:
        text = text.replace(typo, meant)
    for pattern, said in SPOKEN:
        text = pattern.sub(said, text)
    return text


def scan(text: str, words: Sequence[Word]) -> Clause:
    """The plan's words (longest first, not overlapping; generic ones only when no other word is
    there) and the figures of one clause."""
    clause = Clause(text)
    taken = [False] * len(text)
    for word in words:
        start = text.find(word.text)
        while start >= 0:
            end = start + len(word.text)
            if not any(taken[start:end]) and (len(word.text) > 1 or _single_ok(text, start, end)):
                clause.words.append((start, word))
                taken[start:end] = [True] * (end - start)
            start = text.find(word.text, end)
    if any(not w.generic for _, w in clause.words):
        clause.words = [(pos, w) for pos, w in clause.words if not w.generic]
    for match in FIGURE.finditer(text):
        written = match.group(0)
        before, after = text[: match.start()], text[match.end() :]
        if not written or any(taken[match.start() : match.end()]) or not _is_figure(written, before, after):
            continue
        if _code_of_next_word(clause, written, match.end()):
            continue
        clause.figures.append((match.start(), written))
    clause.words.sort(key=lambda pair: pair[0])
    clause.figures = _parts_not_wholes(clause)
    return clause


def _enumerator(before: str, after: str) -> bool:
    """Whether a small number numbers a list item: '1.合规率…', or '2、及时率…' at the start of a clause
    or after a figure or a colon (not '领域12、承诺书…', a figure in a list)."""
    if ENUMERATOR_AFTER.match(after):
        return True
    return re.match(r"、[^0-9]", after) is not None and (not before or before[-1] in "%％:：")


def _code_of_next_word(clause: Clause, written: str, end: int) -> bool:
    """'6.1平台对接已完成': a number right before a word of the indicator it is the code of names it."""
    return any(pos == end and any(code == written for code, _ in word.options) for pos, word in clause.words)


def _single_ok(text: str, start: int, end: int) -> bool:
    """A one-character word (水, 电, 气) only where it cannot be part of another word: before a figure
    ('水19万'), in a list ('水、气两类'), or as the subject of a clause's statement ('气还没有')."""
    if FIGURE_START.match(text, end):
        return True
    if text[end : end + 1] in ("、", "和") or (start > 0 and text[start - 1] in "、和"):
        return True
    return start == 0 and re.match(r"[已还未没尚都也]", text[end : end + 1]) is not None


def _parts_not_wholes(clause: Clause) -> list[tuple[int, str]]:
    """'三项措施已有2项取得成效': of two counts in the same measure with no plan word between them, said
    as a whole and then a part of it (已, 有, 其中), the part is the figure."""
    kept = []
    for (at, written), following in zip(clause.figures, [*clause.figures[1:], None], strict=False):
        if following is not None and written[-1] in COUNTED and following[1][-1] == written[-1]:
            between = clause.text[at + len(written) : following[0]]
            named = any(at < pos < following[0] for pos, _ in clause.words)
            if WHOLE_THEN_PART.search(between) and not named:
                continue
        kept.append((at, written))
    return kept


def _is_figure(written: str, before: str, after: str) -> bool:
    """A number that is a figure: not a date, a time, a phone number or the start of a range of
    months ('1-3月'), not a lone numeral inside a word ('清零'), not the size of a list."""
    if written == "百分之百":
        return True
    if NOT_A_FIGURE.match(after) or RANGE_ON.match(after) or not re.search(r"[0-9零〇一二两三四五六七八九十]", written):
        return False
    if not re.search(r"[0-9]", written) and len(written) < 2 and not (written == "零" and COPULA.search(before)):
        return False
    if NOT_REPORTED.search(before[-6:]) or TARGET_AFTER.match(after) or TARGET_BEFORE.search(before):
        return False
    if COMPARED.search(before) and CHANGE_BEFORE.search(before) and not written.endswith("%"):
        return False
    if LIST_COUNT.match(written) and LIST_BEFORE.search(before):
        return False
    if re.fullmatch(r"[0-9]{1,2}", written) and _enumerator(before, after):
        return False  # '1.合规率100% 2.及时率100%': the numbers of a list
    if RANGE_AFTER.match(after) or RANGE_BEFORE.search(before):
        return False  # '95%-98%之间': a range, no one figure
    digits = re.sub(r"\D", "", written)
    return len(digits) < 11 and written not in ("一", "十", "百", "千", "万", "亿", "一个")  # 一个: "a", "one of"
