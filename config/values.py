"""The value language shared by plan files and chat input.

A plan file writes thresholds the way the seed documents do ("0.3%", "7000万", "10亿", "是"), and
liaisons report figures the same way. One parser reads both, so a threshold and a report can never
disagree about what "0.45" means. Every value is normalised to a Decimal in a base unit:
percentages as fractions (0.45% -> 0.0045), amounts in yuan, counts as integers, yes/no as 1/0.

Figures may be written in digits, Chinese numerals ("八亿", "一千零五", "三点五") or a mix
("8千万", "1亿2000万"). A measure word after the figure must fit the indicator: "8个" on an amount
is refused, not read as 8亿元, because a wrong word usually means the liaison picked the wrong code.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from enum import StrEnum
from typing import Any

MAX_VALUE_TEXT = 64
MAX_MAGNITUDE = Decimal("1e20")
"""No plan counts or amounts beyond this; larger figures are typing mistakes, not data."""


class ValueType(StrEnum):
    """What kind of figure an indicator (or one of its items) expects."""

    COUNT = "count"
    PERCENT = "percent"
    AMOUNT = "amount"
    RANK = "rank"
    DAYS = "days"
    POINTS = "points"
    NUMBER = "number"
    YES_NO = "yes_no"


class ValueParseError(ValueError):
    """A figure that cannot be read; `key` and `params` let the chat layer explain it politely."""

    def __init__(self, key: str, english: str, **params: Any) -> None:
        super().__init__(english)
        self.key = key
        self.params = params


MAGNITUDES: dict[str, Decimal] = {
    "万亿": Decimal("1000000000000"),
    "亿": Decimal("100000000"),
    "千万": Decimal("10000000"),
    "百万": Decimal("1000000"),
    "十万": Decimal("100000"),
    "万": Decimal("10000"),
    "千": Decimal("1000"),
    "百": Decimal("100"),
}
AMOUNT_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "万元": Decimal("10000"),
    "亿元": Decimal("100000000"),
}
FRACTION_DENOMINATORS: dict[str, Decimal] = {
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10000),
    "十万": Decimal(100000),
    "百万": Decimal(1000000),
}
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
YES_WORDS = {*"是 有 已 已建立 已完成 达到 达标 已达标 符合 合格 满足 yes y true met √ ✓".split()}
NO_WORDS = {*"否 无 没有 未 未建立 未完成 未达到 未达标 不达标 不符合 不合格 不满足 no n false not × ✗".split()}

MEASURE_WORDS: dict[ValueType, frozenset[str]] = {
    ValueType.COUNT: frozenset("条 项 个 家 户 次 人次 份 件 起 类 笔 例 宗 批 人 篇 处 场".split()),
    ValueType.AMOUNT: frozenset(AMOUNT_UNITS),
    ValueType.RANK: frozenset({"名", "位"}),
    ValueType.DAYS: frozenset({"天", "日", "工作日", "个工作日", "自然日", "个自然日"}),
    ValueType.POINTS: frozenset({"分"}),
    ValueType.PERCENT: frozenset({"%", "‰"}),
    ValueType.NUMBER: frozenset(),
}
"""The words that may follow a figure of each type. 名/位 are places in a ranking, never head counts."""
UNFITTING_WORDS = frozenset({"个月", "月", "年", "周", "小时", "倍", "百分点", "个百分点"})
"""Words people put after a figure that fit no indicator; known, so the refusal can name them."""
KNOWN_WORDS = tuple(sorted(frozenset().union(*MEASURE_WORDS.values(), UNFITTING_WORDS), key=len, reverse=True))
ORDINAL = "第"
"""'第15名': the prefix of a place in a ranking."""

_MAGNITUDE = "万亿|亿|千万|百万|十万|万|千|百"
_ARABIC = re.compile(rf"(?P<num>[0-9]+(?:\.[0-9]+)?)(?P<mag>{_MAGNITUDE})?")
_CN_DECIMAL = re.compile(rf"(?P<whole>[^点]+)点(?P<frac>[零〇一二三四五六七八九]+)(?P<mag>{_MAGNITUDE})?")
_FRACTION = re.compile(r"(?P<den>十万|百万|百|千|万)分之(?P<num>.+)")
_SIGNS = {"+": False, "-": True, "−": True, "负": True}
_PLACES = {"十": 10, "百": 100, "千": 1000}
_GROUPS = (("亿", 10**8), ("万", 10**4))
_ZEROS = frozenset("零〇")
_NONZERO = frozenset(c for c, d in CN_DIGITS.items() if d)
_ARABIC_DIGITS = frozenset("0123456789")


def normalise_text(text: str) -> str:
    """Full-width digits and signs to ASCII, thousands separators and spaces out."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)
    return re.sub(r"\s+", "", text)


def read_yes_no(text: str) -> bool:
    """是/否, 达标/未达标 and their usual synonyms, in Chinese or English."""
    word = normalise_text(text).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueParseError("not_yes_no", f"expected yes or no (是/否), got {text!r}", text=text)


# --- numerals ------------------------------------------------------------------------------------


def read_numeral(text: str) -> Decimal:
    """A figure without sign or measure word: "7500万", "3.5亿", "八亿", "一千零五", "三点五", "1亿2000万".

    Chinese numerals are read in their standard form (零 where a place is skipped, 十五 for 15) and
    in the colloquial tail everyone reads alike ("一万二" = 12000, "三千五" = 3500). Anything else
    ("八八亿", "一万二百", "1万2") is refused rather than guessed at.
    """
    arabic = _ARABIC.fullmatch(text)
    if arabic:
        return _scaled(Decimal(arabic["num"]), arabic["mag"])
    decimal = _CN_DECIMAL.fullmatch(text)
    if decimal is None:
        whole = _grouped(text, _GROUPS, leading=True, last=True)
        if whole is not None:
            return Decimal(whole)
    elif not _ARABIC_DIGITS & set(decimal["whole"]):
        whole = _grouped(decimal["whole"], _GROUPS, leading=True, last=False)
        if whole is not None:
            digits = "".join(str(CN_DIGITS[c]) for c in decimal["frac"])
            return _scaled(Decimal(f"{whole}.{digits}"), decimal["mag"])
    raise ValueParseError("not_a_number", f"not a number: {text!r}", text=text)


def _scaled(number: Decimal, magnitude: str | None) -> Decimal:
    """Multiply only when there is a magnitude: Decimal arithmetic rounds to 28 digits, typed digits must not."""
    return number * MAGNITUDES[magnitude] if magnitude else number


def _grouped(text: str, groups: tuple[tuple[str, int], ...], *, leading: bool, last: bool) -> int | None:
    """An integer in groups of 亿 and 万 ('三万亿' is 三万 × 亿); None when not written the usual way."""
    if not groups:
        return _section(text, leading=leading, last=last)
    (word, size), smaller = groups[0], groups[1:]
    high, found, low = text.partition(word)
    if not found:
        return _grouped(text, smaller, leading=leading, last=last)
    top = _grouped(high, smaller, leading=leading, last=False)
    rest = _below(low, size, smaller, abbreviated=last and high[-1:] in _NONZERO, last=last)
    return None if not top or rest is None else top * size + rest


def _below(text: str, size: int, groups: tuple[tuple[str, int], ...], *, abbreviated: bool, last: bool) -> int | None:
    """What follows 万 or 亿: '零' marks a skipped place ('一万零五百'); a lone digit is colloquial ('一万二')."""
    if not text:
        return 0
    if abbreviated and text in _NONZERO:
        return CN_DIGITS[text] * size // 10
    zero = text[0] in _ZEROS
    body = text[1:] if zero else text
    value = _grouped(body, groups, leading=False, last=last)
    if not value:
        return None
    if zero:
        return value if value < size // 10 else None
    run = body[: len(body) - len(body.lstrip("0123456789"))]
    if body == run:
        # A bare tail of digits must be written in full ("1万0500"): "1万2" could mean 12000 or 10002.
        return value if len(run) == len(str(size)) - 1 else None
    if run and body[len(run)] == "万":
        return value  # a group of digits carries its own places: "1亿500万"
    return value if value >= size // 10 else None


def _section(text: str, *, leading: bool, last: bool) -> int | None:
    """0..9999 with 千/百/十 and one 零 per skipped run of places; up to four digits count as one group."""
    if re.fullmatch("[0-9]{1,4}", text):
        return int(text)
    if leading and text in _ZEROS:
        return 0
    if _ARABIC_DIGITS & set(text) and (_NONZERO & set(text) or text.startswith("十")):
        return None  # one script per group: "3千5百" and "三千五百", never "三千5百"
    total, place, gap, i = 0, 10000, False, 0
    while i < len(text):
        char, after = text[i], text[i + 1 : i + 2]
        if char in _ZEROS:
            if not total or gap:
                return None
            gap, i = True, i + 1
            continue
        if char == "十" and i == 0 and leading:
            total, place, i = 10, 10, 1
            continue
        digit = CN_DIGITS.get(char, int(char) if char in _ARABIC_DIGITS else 0)
        if not digit:
            return None
        if after in _PLACES:
            new = _PLACES[after]
            if new >= place or (total and gap != (new * 10 < place)):
                return None
            total, place, gap, i = total + digit * new, new, False, i + 2
            continue
        if after:
            return None
        return _last_digit(total, place, gap, digit, colloquial=last and char in CN_DIGITS)
    return total if text and not gap else None


def _last_digit(total: int, place: int, gap: bool, digit: int, *, colloquial: bool) -> int | None:
    """The units digit: after 零 ('一千零五'), after 十 ('二十五'), or colloquial tens of the last place ('三千五')."""
    if not total:
        return digit
    if gap:
        return total + digit if place > 10 else None
    if place == 10:
        return total + digit
    return total + digit * place // 10 if colloquial else None


# --- figures with measure words --------------------------------------------------------------------


def split_measure(raw: str) -> tuple[str, str]:
    """'8个' -> ('8', '个'), '3个工作日' -> ('3', '个工作日'): the figure and the word after it, if any."""
    for word in KNOWN_WORDS:
        if raw.endswith(word) and len(raw) > len(word):
            return raw.removesuffix(word), word
    return raw, ""


def _check_fit(raw: str, vtype: ValueType, word: str, ordinal: bool) -> None:
    """Refuse a word that belongs to another kind of figure: '8个' on an amount, '7500万元' on a count."""
    if word in ("%", "‰") and vtype is not ValueType.PERCENT:
        raise ValueParseError("percent_not_expected", f"a percentage was not expected: {raw}", text=raw)
    unfit = word if word and word not in MEASURE_WORDS[vtype] else ""
    if not unfit and ordinal and vtype is not ValueType.RANK:
        unfit = ORDINAL
    if unfit:
        raise ValueParseError("wrong_measure", f"{unfit!r} does not fit this indicator: {raw}", text=raw, word=unfit)


def parse_value(
    text: str,
    vtype: ValueType,
    *,
    unit: str | None = None,
    lower: Decimal | None = None,
    upper: Decimal | None = None,
) -> Decimal:
    """Read `text` as a value of `vtype`, normalised to the base unit, and check its bounds.

    `lower` and `upper` are already normalised (a fraction for percentages). Raises
    ValueParseError with a key that names what was wrong.
    """
    raw = normalise_text(text)
    if not raw:
        raise ValueParseError("missing_value", "a value is missing")
    if len(raw) > MAX_VALUE_TEXT:
        raise ValueParseError("value_too_long", "the value is too long", limit=MAX_VALUE_TEXT)
    value = _read(raw, vtype, unit)
    if abs(value) >= MAX_MAGNITUDE:
        raise ValueParseError("value_too_large", f"{text} is too large", text=text)
    if lower is not None and value < lower:
        raise ValueParseError("below_minimum", f"{text} is below the minimum", text=text, bound=lower)
    if upper is not None and value > upper:
        raise ValueParseError("above_maximum", f"{text} is above the maximum", text=text, bound=upper)
    return value


def _read(raw: str, vtype: ValueType, unit: str | None) -> Decimal:
    if vtype is ValueType.YES_NO:
        return Decimal(1) if read_yes_no(raw) else Decimal(0)
    body, word = split_measure(raw)
    ordinal = body.startswith(ORDINAL)
    _check_fit(raw, vtype, word, ordinal)
    body = body.removeprefix(ORDINAL)
    negative = _SIGNS.get(body[:1], False)
    figure = body[1:] if body[:1] in _SIGNS else body
    # "1亿500万元" is 1亿500万 yuan: the 万 of 万元 belongs to the whole figure, not to its last group.
    figure += word.removesuffix("元") if word in AMOUNT_UNITS else ""
    if vtype is ValueType.PERCENT:
        return _signed(negative, _as_percent(raw, figure, word))
    number = _signed(negative, read_numeral(figure))
    if vtype is ValueType.AMOUNT:
        return _as_amount(number, word, figure, unit)
    if abs(number) >= MAX_MAGNITUDE:
        raise ValueParseError("value_too_large", f"{raw} is too large", text=raw)
    if vtype is ValueType.COUNT and number != number.to_integral_value():
        raise ValueParseError("not_whole", f"{raw} is not a whole number", text=raw)
    if vtype is ValueType.COUNT:
        return number.quantize(Decimal(1))
    return number


def _as_percent(raw: str, figure: str, word: str) -> Decimal:
    """'0.45%', '5‰', '十万分之一', '百分之三十五' as a fraction; a bare '85' means 85%."""
    fraction = _FRACTION.fullmatch(figure)
    if fraction and word:
        raise ValueParseError("not_a_number", f"not a number: {raw!r}", text=raw)
    numerator = fraction["num"] if fraction else figure
    # 万/亿, or a magnitude on digits ('5百%'), make no sense in a share.
    if "万" in numerator or "亿" in numerator or (_ARABIC_DIGITS & set(numerator) and _PLACES.keys() & set(numerator)):
        raise ValueParseError("not_a_percent", f"not a percentage: {raw}", text=raw)
    number = read_numeral(numerator)
    if fraction:
        return number / FRACTION_DENOMINATORS[fraction["den"]]
    return number / (1000 if word == "‰" else 100)


def _signed(negative: bool, number: Decimal) -> Decimal:
    """copy_negate, unlike unary minus, keeps every digit typed."""
    return number.copy_negate() if negative else number


def _as_amount(number: Decimal, word: str, figure: str, unit: str | None) -> Decimal:
    """Yuan: 元 or 万/亿 in the figure ('8000万元', '8亿') says the scale; otherwise the indicator's unit does."""
    if word or "万" in figure or "亿" in figure:
        return number
    factor = AMOUNT_UNITS.get(unit or "元", Decimal(1))
    return number if factor == 1 else number * factor


def plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 4.80 -> '4.8', 1E+1 -> '10'."""
    text = format(number.normalize(), "f")
    return text if text != "-0" else "0"


def format_value(value: Decimal, vtype: ValueType, *, unit: str | None = None, lang: str = "zh") -> str:
    """A stored value as a person would write it: 0.0045 -> '0.45%', 8e8 (亿元) -> '8亿元'."""
    if vtype is ValueType.YES_NO:
        yes = value != 0
        if lang == "en":
            return "yes" if yes else "no"
        return "是" if yes else "否"
    if vtype is ValueType.PERCENT:
        return f"{plain(value * 100)}%"
    if vtype is ValueType.AMOUNT:
        name = unit or "元"
        return f"{plain(value / AMOUNT_UNITS.get(name, Decimal(1)))}{name}"
    if vtype is ValueType.COUNT and abs(value) >= 10000:
        wan = value / 10000
        return f"{plain(value)}（{plain(wan)}万）" if lang == "zh" else plain(value)
    return plain(value)
