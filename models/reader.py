"""Reading a liaison's plain-Chinese reply for the figures and progress in it ("3月份合规率100%，
及时率99.5%", "信易贷授信8.2亿，放款6亿", "已完成，累计报送数据7500万条").

Rule-based, on the plan's own vocabulary (indicator and item names and their `aliases`), the value
language Duban already reads (`config.values`), month words, and progress words. No model, no
network. What it reads is only *proposed*: the chat shows it with 确认 / 修改 / 取消 and records
nothing until the person confirms.

How a message is read:
1. Normalised (full-width to half-width, thousands separators out) and cut into clauses at
   punctuation.
2. In each clause, the plan's words are found (longest first) and so are the figures (a number with
   its magnitude and measure word, a percentage, 第N名, 十万分之N …); a figure belongs to the nearest
   word before it in its clause, or else the nearest after it. An item word ("放款") alone belongs to
   the indicator named earlier in the message, or the one the reminder asked about.
3. A word that fits several indicators is narrowed by the reminder, then by the speaker's own
   indicators; if several still fit, the reader asks (an ambiguity), never guesses.
4. The figure must parse as that indicator's (and item's) value, and a monthly indicator needs a
   month it has: said in the clause or the message (3月份, 本月, 上月, 2022年3月), else the month the
   reminder asked about, else the last month before today.
5. Progress words (已完成, 办结, 正在推进, 受阻, 需要协调 …) give a status; clauses with neither a figure
   nor a progress word are kept as notes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from config.plan_schema import Indicator, Plan
from config.values import ValueParseError, ValueType
from models.plans import per_plan
from models.scoring import find_item, value_spec

CLAUSE = re.compile(r"[,，。;；!！?？\n]+")
FIGURE = re.compile(
    r"百分之百|(?:第)?(?:[+\-−负])?(?:(?:十万|百万|百|千|万)分之|百分之)?"
    r"(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿点]{1,12})"
    r"(?:万亿|亿元|万元|千万|百万|十万|亿|万|千)?"
    r"(?:%|‰|元|个工作日|工作日|个自然日|自然日|天|名|位|条|项|个|家|户|次|人次|份|件|起|笔|例|宗|批|人|篇|处|场|分)?"
)
FIGURE_START = re.compile(r"[0-9零〇一二两三四五六七八九十百第]")
RANGE_ON = re.compile(r"^[-~～至到][0-9一二三四五六七八九十]+月")
NOT_A_FIGURE = re.compile(r"^(?:月|月份|年|日|号|点|时|周|季度|期|号楼|的材料|的佐证|项指标)")
"""What follows a number that is a date, a time or an address, not a figure."""
MONTH = re.compile(r"(?:(?P<year>20\d\d)年)?(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?")
MONTH_RANGE = re.compile(
    r"(?:(?P<year>20\d\d)年)?(?P<first>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])(?:月份?)?[-~～至到]"
    r"(?P<last>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"
)
MONTH_LIST = re.compile(r"(?P<list>(?:(?:1[0-2]|[1-9])[、和])+(?P<last>1[0-2]|[1-9]))月份?")
RELATIVE_MONTHS = {"本月": 0, "这个月": 0, "当月": 0, "上月": -1, "上个月": -1}
CN_MONTH = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
PROGRESS = (
    ("blocked", ("受阻", "需要协调", "需协调", "请求协调", "卡住", "推不动")),
    ("done", ("已完成", "已办结", "办结", "完成了", "全部完成", "已经完成", "已落实")),
    ("doing", ("正在推进", "推进中", "正在办理", "正在进行", "进行中", "正在", "还差", "下周", "月底前")),
)
JOINERS = ("、", "和", "及", "与", "以及", ",")
BOTH = re.compile(r"两率|两项|两个率")
"""'双公示两率100%': the figure is each of the indicator's two items'."""
COPULA = re.compile(r"(?:为|是|:|：|都是|均为)$")
NOT_REPORTED = re.compile(
    r"(?:还差|增加|减少|超过|比上[月季年]|力争|预计|计划|争取|目标|(?:能|将|可|前|内)达到|不低于|不少于)$"
)
"""Words before a number that make it a target, a threshold or a change, not the figure."""
TARGET_AFTER = re.compile(r"^(?:的)?(?:目标|要求|标准)")
OWN_SHARE = re.compile(r"我局|我行|本局|本行|我单位|本单位|我委|我办|我中心")
"""A unit's own part of a district-wide count or amount is not the district's figure."""
STATEMENT = re.compile(
    r"(?P<no>未建立|未建成|未发生|不存在|没有发生|尚未建立|未出现|没有出现|还没有建立|没有建立)"
    r"|已建立|已建成|已落实|已作为|已实现|已开通|已接入|已出台|已成立|已制定|已对接|已上线|已纳入|已共享|已设立"
    r"|已推送|已归集|已与|对接完成|已列入|已明确|已保障|已落地|运行正常|正常运行|已完成"
)
"""Words that state a yes/no figure: what exists or was done (是), what did not happen (否)."""
MAX_CHOICES = 4
"""A figure named for nothing is asked about only when this few of the speaker's indicators fit it."""
TYPOS = (
    ("亿圆", "亿元"),
    ("万圆", "万元"),
    ("合规律", "合规率"),
    ("及时律", "及时率"),
    ("即时率", "及时率"),
    ("重错律", "重错率"),
)
"""Slips people make that every reader reads through (homophones of 率 and 及)."""
NEGATIONS = ("未", "没", "还没", "尚未")
NOT_DONE = re.compile(r"(?:未|没|没有|还没|尚未)(?:全部)?完成")


@dataclass(frozen=True)
class Figure:
    """A report read from the message."""

    code: str
    item: str | None
    period: str | None
    value: Decimal
    written: str
    """The figure as the person wrote it ("8.2亿")."""


@dataclass(frozen=True)
class Ambiguity:
    """A figure that fits several indicators: the reader asks which."""

    written: str
    codes: tuple[str, ...]
    items: tuple[Figure, ...] = ()
    """When the indicator is known but not which of its items: the figure for each item it fits."""


@dataclass(frozen=True)
class Reading:
    """Everything read from one message."""

    figures: tuple[Figure, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    status: str | None = None
    """done / doing / blocked, from the progress words, if any."""
    notes: tuple[str, ...] = ()
    """Clauses with neither a figure nor a progress word, kept as a progress note."""


@dataclass(frozen=True)
class Context:
    """What the message is read against: the speaker's indicators, the reminder it answers, today."""

    today: dt.date
    own: frozenset[str] = frozenset()
    """Codes of the indicators the speaker's unit is responsible for."""
    asked: str | None = None
    """The indicator the reminder asked about, if the message answers one."""
    asked_period: str | None = None


@dataclass(frozen=True)
class Word:
    text: str
    options: tuple[tuple[str, str | None], ...]
    """(indicator code, item name or None for the indicator itself)."""


@dataclass
class _Clause:
    text: str
    words: list[tuple[int, Word]] = field(default_factory=list)
    figures: list[tuple[int, str]] = field(default_factory=list)


def vocabulary(plan: Plan) -> list[Word]:
    """Every name and alias of the plan's indicators and items, longest first (one entry per word)."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for indicator in plan.indicators:
        code = indicator.code
        for word in (indicator.name, *getattr(indicator, "aliases", []), f"指标{code}", f"{code}号指标", f"{code}的"):
            found.setdefault(_normal(word), []).append((code, None))
        for item in indicator.items():
            for word in item.names():
                found.setdefault(_normal(word), []).append((indicator.code, item.name))
    words = [Word(text, tuple(dict.fromkeys(options))) for text, options in found.items() if text]
    return sorted(words, key=lambda w: len(w.text), reverse=True)


plan_words = per_plan(vocabulary)
"""The vocabulary of a plan, built once per parsed plan."""


def read(plan: Plan, message: str, context: Context, words: Sequence[Word] | None = None) -> Reading:
    """The figures, ambiguities, status and notes of one message (see the module's docstring)."""
    text = _normal(message)
    indicators = {i.code: i for i in plan.indicators}
    clauses = [_scan(c, words if words is not None else plan_words(plan)) for c in CLAUSE.split(text) if c]
    message_months = _months(text, context.today)
    figures: list[Figure] = []
    ambiguities: list[Ambiguity] = []
    notes: list[str] = []
    topic = context.asked  # the indicator being talked about: the reminder's, then the last one named
    for clause in clauses:
        months: list[str | None] = [*(_months(clause.text, context.today) or message_months)] or [None]
        for at, written in clause.figures:
            targets = _targets(clause, at, topic, indicators)
            if not targets:  # a figure named for nothing: ask among the speaker's indicators it fits
                fits = _fitting(written, months, context, indicators)
                if 0 < len(fits) <= MAX_CHOICES:
                    ambiguities.append(Ambiguity(written, fits))
                continue
            for options in targets:
                chosen = _narrow(options, context, topic, indicators)
                for month in months:
                    placed = [
                        f
                        for code, item in chosen
                        if (f := _figure(indicators[code], item, written, month, context)) is not None
                        and not (OWN_SHARE.search(clause.text) and _is_total(indicators[code], item))
                    ]
                    if len(placed) == 1:
                        figures.append(placed[0])
                        topic = placed[0].code
                    elif len(placed) > 1:
                        ambiguities.append(Ambiguity(written, tuple(dict.fromkeys(f.code for f in placed))))
                    elif len({code for code, _ in chosen}) == 1 and all(item is None for _, item in chosen):
                        which = _which_item(indicators[chosen[0][0]], written, month, context)
                        if which:
                            ambiguities.append(Ambiguity(written, (chosen[0][0],), which))
        if clause.words and not clause.figures:
            said = _statement(clause, topic, indicators, context)
            figures += said
            topic = said[-1].code if said else _topic(clause, topic)
        if not clause.figures and _said_more(clause.text):
            notes.append(clause.text)
    figures, doubled = _one_per_place(figures)
    return Reading(tuple(figures), tuple(dict.fromkeys(ambiguities)) + doubled, _status(text), tuple(notes))


def _one_per_place(figures: list[Figure]) -> tuple[list[Figure], tuple[Ambiguity, ...]]:
    """Two figures for one place ('信易贷授信8.2亿，放款6亿' where the plan counts one amount) are a
    question, not two reports: which one counts is asked."""
    places: dict[tuple[str, str | None, str | None], list[Figure]] = {}
    for figure in figures:
        places.setdefault((figure.code, figure.item, figure.period), []).append(figure)
    single = [found[0] for found in places.values() if len(found) == 1]
    doubled = tuple(
        Ambiguity(" / ".join(f.written for f in found), (code,))
        for (code, _, _), found in places.items()
        if len(found) > 1
    )
    return single, doubled


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)
    text = re.sub(r"[ \t\u3000]+", "", text)
    for typo, meant in TYPOS:
        text = text.replace(typo, meant)
    return text


def _scan(text: str, words: Sequence[Word]) -> _Clause:
    """The plan's words (longest first, not overlapping) and the figures of one clause."""
    clause = _Clause(text)
    taken = [False] * len(text)
    for word in words:
        start = text.find(word.text)
        while start >= 0:
            end = start + len(word.text)
            short = len(word.text) == 1 and not FIGURE_START.match(text, end)  # 水, 电, 气: only as '水19万'
            if not short and not any(taken[start:end]):
                clause.words.append((start, word))
                taken[start:end] = [True] * (end - start)
            start = text.find(word.text, end)
    for match in FIGURE.finditer(text):
        written = match.group(0)
        before, after = text[: match.start()], text[match.end() :]
        if not written or any(taken[match.start() : match.end()]) or not _is_figure(written, before, after):
            continue
        clause.figures.append((match.start(), written))
    clause.words.sort(key=lambda pair: pair[0])
    return clause


def _is_figure(written: str, before: str, after: str) -> bool:
    """A number that is a figure: not a date, a time, a phone number or the start of a range of
    months ('1-3月'), and not a lone numeral inside a word ('清零')."""
    if written == "百分之百":
        return True
    if NOT_A_FIGURE.match(after) or RANGE_ON.match(after) or not re.search(r"[0-9零〇一二两三四五六七八九十]", written):
        return False
    if not re.search(r"[0-9]", written) and len(written) < 2 and not (written == "零" and COPULA.search(before)):
        return False
    if NOT_REPORTED.search(before[-6:]) or TARGET_AFTER.match(after):
        return False
    digits = re.sub(r"\D", "", written)
    return len(digits) < 11 and written not in ("一", "十", "百", "千", "万", "亿")


def _targets(
    clause: _Clause, at: int, topic: str | None, indicators: dict[str, Indicator]
) -> list[list[tuple[str, str | None]]]:
    """What a figure at `at` is for: usually one target (its options to choose from); several when
    items are listed together before one figure ('合规率、及时率都是100%', '两率均为100%')."""
    before = [(pos, w) for pos, w in clause.words if pos < at]
    listed = _listed_items(clause.text, before)
    if len(listed) > 1:
        return [list(w.options) for w in listed]
    if BOTH.search(clause.text[:at]):
        named = [c for _, w in before for c, item in w.options if item is None] or ([topic] if topic else [])
        if len(named) == 1 and len(indicators[named[0]].items()) == 2:
            return [[(named[0], item.name)] for item in indicators[named[0]].items()]
    options = _options(clause, at, topic)
    return [options] if options else []


def _listed_items(text: str, before: list[tuple[int, Word]]) -> list[Word]:
    """The item words just before a figure that are joined by 、/和/及/与 (a list sharing one figure)."""
    listed: list[Word] = []
    for (pos, word), following in zip(reversed(before), [None, *reversed(before)], strict=False):
        if not any(item is not None for _, item in word.options):
            break
        if following is not None and text[pos + len(word.text) : following[0]] not in JOINERS:
            break
        listed.append(word)
    return list(reversed(listed))


def _options(clause: _Clause, at: int, topic: str | None) -> list[tuple[str, str | None]]:
    """What a figure at `at` may be: the nearest word before it in the clause, else the nearest after;
    with an indicator word and an item word both before it, the item of that indicator."""
    before = [w for pos, w in clause.words if pos < at]
    after = [w for pos, w in clause.words if pos > at]
    if before:
        nearest = before[-1]
        items = [w for w in before if all(item is not None for _, item in w.options)]
        if items and all(item is None for _, item in nearest.options) and not _same(items[-1], nearest):
            nearest = items[-1]  # '燃气数据归集20万条': the item (燃气) says more than the indicator's word
        named = [code for w in before for code, item in w.options if item is None]
        if any(item is not None for _, item in nearest.options) and named:
            return [(c, i) for c, i in nearest.options if c in named] or list(nearest.options)
        return list(nearest.options)
    if after:
        return list(after[0].options)
    return [(topic, None)] if topic else []


def _same(item: Word, indicator: Word) -> bool:
    """Whether an item word belongs to the indicator a word names."""
    return bool({c for c, _ in item.options} & {c for c, _ in indicator.options})


def _narrow(
    options: list[tuple[str, str | None]], context: Context, topic: str | None, indicators: dict[str, Indicator]
) -> list[tuple[str, str | None]]:
    """The options the context prefers: the reminder's (or the last named) indicator, then the
    speaker's own; an indicator word for an indicator with items stands for its only item."""
    expanded: list[tuple[str, str | None]] = []
    for code, item in options:
        items = indicators[code].items()
        if item is None and len(items) == 1:
            item = items[0].name
        expanded.append((code, item))
    for preferred in ({topic} if topic else set(), context.own):
        narrowed = [o for o in expanded if o[0] in preferred]
        if narrowed:
            return narrowed
    return expanded


def _figure(
    indicator: Indicator, item: str | None, written: str, period: str | None, context: Context
) -> Figure | None:
    """The figure as this indicator's report, or None when it cannot be (wrong kind, no such month)."""
    if item is None and indicator.items():
        return None  # an indicator with items needs the item named
    found = find_item(indicator, item) if item else None
    text = "100%" if written == "百分之百" else written.replace("百分之", "") + ("%" if "百分之" in written else "")
    try:
        value = value_spec(indicator, found).read(text)
    except (ValueParseError, ValueError):
        return None
    month: str | None = None
    if indicator.periods is not None:
        months = indicator.periods.months()
        month = period or context.asked_period or _last_month(context.today)
        if month not in months:
            return None
    return Figure(indicator.code, found.name if found else None, month, value, written)


def _statement(clause: _Clause, topic: str | None, indicators: dict[str, Indicator], context: Context) -> list[Figure]:
    """A yes/no figure said in words: '公务员诚信档案已建立' is 是, '不存在行政干预' is 否, for the
    yes/no indicators and items the clause names (each of them when several are listed)."""
    found = STATEMENT.search(clause.text)
    if found is None:
        return []
    answer = "否" if found.group("no") else "是"
    figures: list[Figure] = []
    named = _Clause(clause.text, [(pos, w) for pos, w in clause.words if not _generic(w)], clause.figures)
    for options in _targets(named, found.start(), topic, indicators):
        yes_no = [(c, i) for c, i in _narrow(options, context, topic, indicators) if _is_yes_no(indicators[c], i)]
        placed = [f for c, i in yes_no if (f := _figure(indicators[c], i, answer, None, context)) is not None]
        if len(placed) == 1:
            figures.append(placed[0])
    return figures


def _generic(word: Word) -> bool:
    """An item word too common to state a yes/no figure by itself ('平台' is every platform)."""
    return len(word.text) <= 2 and all(item is not None for _, item in word.options)


def _which_item(indicator: Indicator, written: str, month: str | None, context: Context) -> tuple[Figure, ...]:
    """'2月份是100%' to the 双公示 reminder: the indicator is known, not which of its items; the figure
    as each item it fits (the chat asks which)."""
    if len(indicator.items()) < 2:
        return ()
    fits = (_figure(indicator, item.name, written, month, context) for item in indicator.items())
    return tuple(f for f in fits if f is not None)


def _fitting(
    written: str, months: list[str | None], context: Context, indicators: dict[str, Indicator]
) -> tuple[str, ...]:
    """The speaker's indicators (or their items) whose figure `written` could be, in plan order."""
    found: list[str] = []
    named_month = months != [None]
    for code in sorted(context.own, key=lambda c: list(indicators).index(c)):
        indicator = indicators[code]
        if named_month and indicator.periods is None:
            continue  # '2月份是100%' is a monthly figure
        items: list[str | None] = [i.name for i in indicator.items()] or [None]
        if any(_figure(indicator, item, written, month, context) for item in items for month in months):
            found.append(code)
    return tuple(found)


def _is_yes_no(indicator: Indicator, item: str | None) -> bool:
    if item is None and indicator.items():
        return False
    return value_spec(indicator, find_item(indicator, item) if item else None).type is ValueType.YES_NO


def _is_total(indicator: Indicator, item: str | None) -> bool:
    """Whether the figure is a count or an amount (a district's total), not a rate."""
    spec = value_spec(indicator, find_item(indicator, item) if item else None)
    return spec.type in (ValueType.COUNT, ValueType.AMOUNT)


def _topic(clause: _Clause, topic: str | None) -> str | None:
    """An indicator named without a figure becomes the topic for the item words after it."""
    named = {code for _, w in clause.words for code, item in w.options if item is None}
    return next(iter(named)) if len(named) == 1 else topic


def _months(text: str, today: dt.date) -> list[str]:
    """The months a text names: '3月份', '三月', '2022年3月', '1-3月份', '7月份、8月份', '本月', '上月'.
    A month without a year is the latest one not after today (in January, '12月' is last December)."""
    for word, shift in RELATIVE_MONTHS.items():
        if word in text:
            return [_shift(today, shift)]
    span = MONTH_RANGE.search(text)
    if span is not None:
        first, last = _month_number(span.group("first")), _month_number(span.group("last"))
        year = int(span.group("year") or _year_of(last, today))
        return [f"{year:04d}-{m:02d}" for m in range(first, last + 1)] if first <= last else []
    found = []
    for match in MONTH.finditer(text):
        month = _month_number(match.group("month"))
        year = int(match.group("year") or _year_of(month, today))
        found.append(f"{year:04d}-{month:02d}")
    listed = MONTH_LIST.search(text)
    if listed is not None and not found[1:]:
        last = _month_number(listed.group("last"))
        year = _year_of(last, today)
        found = [f"{year:04d}-{_month_number(m):02d}" for m in re.split(r"[、和]", listed.group("list")) if m]
    return list(dict.fromkeys(found))


def _month_number(raw: str) -> int:
    return int(raw) if raw.isdigit() else CN_MONTH[raw]


def _year_of(month: int, today: dt.date) -> int:
    return today.year if month <= today.month else today.year - 1


def _shift(today: dt.date, months: int) -> str:
    index = today.year * 12 + today.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _last_month(today: dt.date) -> str:
    return _shift(today, -1)


def _said_more(text: str) -> bool:
    """Whether a clause says more than a bare progress word ('已完成' alone is the status, not a note)."""
    rest = text
    for _, words in PROGRESS:
        for word in words:
            rest = rest.replace(word, "")
    return len(rest) > 1


def _status(text: str) -> str | None:
    """done / doing / blocked from progress words; '未完成' is not done."""
    if NOT_DONE.search(text) and not any(w in text for w in PROGRESS[0][1]):
        return "doing"
    for status, words in PROGRESS:
        for word in words:
            at = text.find(word)
            if at < 0:
                continue
            if status == "done" and any(text[max(0, at - len(n)) : at] == n for n in NEGATIONS):
                return "doing"
            return status
    return None
