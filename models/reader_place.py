"""Where a figure of a liaison's reply belongs: the words before or after it, the items listed with
it, the speaker's own indicators, and whether it parses as that indicator's value for that month.
Part of `models.reader`, which reads a message clause by clause and calls on these."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from config.plan_schema import Indicator
from config.values import ValueParseError, ValueType
from models.reader_months import last_month
from models.reader_words import COUNTED, Clause, Option, Word
from models.scoring import find_item, value_spec

JOINERS = ("、", "和", "及", "与", "以及", ",")


LIST_JOINERS = (*JOINERS, "")
"""What joins item words listed before one figure (nothing at all: '合规及时都是百分之百')."""


TOTAL = re.compile(r"一共|共计|合计|总共|加起来|总计")
"""A figure for listed items together, not each one's."""
LABEL_MEASURE = re.compile(r"（([项家条名件次份])[，）]")
"""The measure word a plan's label counts in: '（项，0–3）', '（家）' (a label in 个 takes any)."""


EVENTS = "场批期轮"
"""Measure words of events and rounds ('宣传活动12场'): a count in them is no plan's figure unless its
label counts in them."""
MAX_CHOICES = 4
"""A figure named for nothing is asked about only when this few of the speaker's indicators fit it."""


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
    choices: tuple[Figure, ...] = ()
    """When several indicators fit: the figure as each would record it (each item of one with items,
    its period included), so that the button choosing it records a whole report."""
    values: tuple[Figure, ...] = ()
    """When the place is known but two different figures were said for it ('授信8.2亿，放款6亿' where
    the plan counts one amount): each figure, for the speaker to choose the one that counts."""


@dataclass(frozen=True)
class Context:
    """What the message is read against: the speaker's indicators, the reminder it answers, today."""

    today: dt.date
    own: frozenset[str] = frozenset()
    """Codes of the indicators the speaker's unit is responsible for."""
    asked: str | None = None
    """The indicator the reminder asked about, if the message answers one."""
    asked_period: str | None = None
    gates: frozenset[str] = frozenset()
    """Codes of the gates (pass/fail basic indicators) the speaker's unit answers for."""
    unit: str | None = None
    """The speaker's unit: a count it gives naming itself is its own part ('台前县问卷回收40份')."""


def targets_of(
    clause: Clause,
    at: int,
    written: str,
    topic: str | None,
    focus: Option | None,
    indicators: dict[str, Indicator],
) -> list[list[Option]]:
    """What a figure at `at` is for: usually one target (its options to choose from); several when
    items are listed together before one figure ('合规率、及时率都是100%', '两率均为100%'), one of
    them when the figures are paired with the list in order ('分别为100%和90%')."""
    before = [(pos, w) for pos, w in clause.words if pos < at]
    listed = _listed_items(clause.text, before)
    if len(listed) > 1:
        if TOTAL.search(clause.text[before[-1][0] : at]):
            return []  # '燃气、供水数据一共归集了45万条': the two together, neither's own figure: asked
        return [list(w.options) for w in _paired(clause, at, listed)]
    options = _options(clause, at, written, topic, focus)
    return [options] if options else []


def _paired(clause: Clause, at: int, listed: list[Word]) -> list[Word]:
    """'A和B两项分别为100%和90%': as many figures after 分别 as items listed, the n-th figure is the n-th
    item's; otherwise the figure is each listed item's."""
    start = clause.text.find("分别")
    if start < 0 or start > at:
        return listed
    after = [pos for pos, _ in clause.figures if pos > start]
    return [listed[after.index(at)]] if len(after) == len(listed) and at in after else listed


def _listed_items(text: str, before: list[tuple[int, Word]]) -> list[Word]:
    """The item words just before a figure that are joined by 、/和/及/与 (a list sharing one figure)."""
    listed: list[Word] = []
    for (pos, word), following in zip(reversed(before), [None, *reversed(before)], strict=False):
        if not any(item is not None for _, item in word.options):
            break
        if following is not None and text[pos + len(word.text) : following[0]] not in LIST_JOINERS:
            break
        listed.append(word)
    return list(reversed(listed))


def _options(clause: Clause, at: int, written: str, topic: str | None, focus: Option | None) -> list[Option]:
    """What a figure at `at` may be: the nearest word before it in the clause, else the nearest after,
    else the item or indicator talked about. An item word says more than an indicator's word: with
    both before the figure, or the item right after it ('信用修复有1条超期办结'), the item."""
    before = [w for pos, w in clause.words if pos < at]
    after = [(pos, w) for pos, w in clause.words if pos > at]
    if before:
        nearest = before[-1]
        if all(item is None for _, item in nearest.options):
            items = [w for w in before if all(item is not None for _, item in w.options)]
            if items:
                nearest = items[-1]  # '燃气数据归集20万条', '屡禁不止…治理对象退出率100%'
            elif after and after[0][0] - (at + len(written)) <= 1 and same_indicator(after[0][1], nearest):
                nearest = after[0][1]  # a figure before its word: '信用修复有1条超期办结'
        named = [code for w in before for code, item in w.options if item is None]
        if any(item is not None for _, item in nearest.options) and named:
            return [(c, i) for c, i in nearest.options if c in named] or list(nearest.options)
        return list(nearest.options)
    if after:
        return list(after[0][1].options)
    if focus is not None and topic in (None, focus[0]):
        return [focus]
    return [(topic, None)] if topic else []


def same_indicator(item: Word, indicator: Word) -> bool:
    """Whether an item word belongs to the indicator a word names."""
    return any(i is not None for _, i in item.options) and bool(
        {c for c, _ in item.options} & {c for c, _ in indicator.options}
    )


def narrow(
    options: list[Option], context: Context, topic: str | None, indicators: dict[str, Indicator]
) -> list[Option]:
    """The options the context prefers: the reminder's (or the last named) indicator, then the
    speaker's own; an indicator word for an indicator with items stands for its only item."""
    expanded: list[Option] = []
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


def figure_for(
    indicator: Indicator, item: str | None, written: str, period: str | None, context: Context
) -> Figure | None:
    """The figure as this indicator's report, or None when it cannot be (wrong kind, a count in
    another measure than the plan's label counts in, no such month)."""
    if item is None and indicator.items():
        return None  # an indicator with items needs the item named
    found = find_item(indicator, item) if item else None
    spec = value_spec(indicator, found)
    counted = LABEL_MEASURE.search(spec.label or "")
    if counted and written[-1] in COUNTED and written[-1] != counted.group(1):
        return None  # '已清理3家' is not a count of 项 (measures)
    if spec.type is ValueType.PERCENT and re.fullmatch(r"[01]\.[0-9]+", written):
        return None  # '及时率0.995': a ratio or a percentage? neither is guessed
    if written[-1] in EVENTS and written[-1] not in (spec.label or ""):
        return None  # '共开展12场' counts events, which no label counts unless it says so
    if spec.type is ValueType.PERCENT and re.search(r"[千万亿]", written) and not re.search(r"[%‰]|分之", written):
        return None  # '承诺书两千一百份': a count, not a percentage written without its sign
    text = "100%" if written == "百分之百" else written.replace("百分之", "") + ("%" if "百分之" in written else "")
    text = re.sub(r"(?<=[0-9千万亿十百])[多余](?=\D|$)", "", text)  # '31万余条', '7862万多条': about that many
    try:
        value = spec.read(text)
    except (ValueParseError, ValueError):
        return None
    month: str | None = None
    if indicator.periods is not None:
        months = indicator.periods.months()
        month = period or context.asked_period or last_month(context.today)
        if month not in months:
            return None
    return Figure(indicator.code, found.name if found else None, month, value, written)


def each_fit(
    codes: tuple[str, ...], written: str, months: list[str | None], context: Context, indicators: dict[str, Indicator]
) -> tuple[Figure, ...]:
    """The figure as each of these indicators (each item of one with items) would record it."""
    month = months[0] if len(months) == 1 else None
    items: dict[str, list[str | None]] = {c: [i.name for i in indicators[c].items()] or [None] for c in codes}
    found = (figure_for(indicators[code], item, written, month, context) for code in codes for item in items[code])
    return tuple(f for f in found if f is not None)


def is_yes_no(indicator: Indicator, item: str | None) -> bool:
    if item is None and indicator.items():
        return False
    return value_spec(indicator, find_item(indicator, item) if item else None).type is ValueType.YES_NO


def is_total(indicator: Indicator, item: str | None) -> bool:
    """Whether the figure is a count or an amount (a district's total), not a rate."""
    spec = value_spec(indicator, find_item(indicator, item) if item else None)
    return spec.type in (ValueType.COUNT, ValueType.AMOUNT)


def yes_no_word(word: Word, indicators: dict[str, Indicator]) -> bool:
    """Whether every option of a word is a yes/no item ('平台'): such a word does not take a number."""
    return all(item is not None and is_yes_no(indicators[c], item) for c, item in word.options)
