"""The value language shared by plan files and chat input.

A plan file writes thresholds the way the seed documents do ("0.3%", "7000万", "10亿", "是"), and
liaisons report figures the same way. One parser reads both, so a threshold and a report can never
disagree about what "0.45" means. Every value is normalised to a Decimal in a base unit:
percentages as fractions (0.45% -> 0.0045), amounts in yuan, counts as integers, yes/no as 1/0.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
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
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
YES_WORDS = {"是", "有", "已", "已建立", "已完成", "达到", "yes", "y", "true", "met", "√", "✓"}
NO_WORDS = {"否", "无", "没有", "未", "未建立", "未完成", "未达到", "no", "n", "false", "not", "×", "✗"}
MEASURE_WORDS = ("元", "条", "个", "家", "项", "天", "份", "名", "次", "户", "位", "分")

_NUMBER = re.compile(
    r"^(?P<num>[+-]?\d+(?:\.\d+)?)(?P<mag>万亿|亿|千万|百万|十万|万|千|百)?(?P<suffix>%|‰|元|条|个|家|项|天|份|名|次|户|位|分)?$"
)
_FRACTION = re.compile(r"^(?P<den>十万|百万|百|千|万)分之(?P<num>\d+(?:\.\d+)?|[零一二两三四五六七八九十]+)$")


def normalise_text(text: str) -> str:
    """Full-width digits and signs to ASCII, thousands separators and spaces out."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)
    return re.sub(r"\s+", "", text)


_CN_SMALL = re.compile(r"^(?:(?P<tens>[一二两三四五六七八九])?(?P<ten>十))?(?P<ones>[零一二两三四五六七八九])?$")


def _cn_small_number(text: str) -> Decimal:
    """0..99 in Arabic digits or Chinese numerals (enough for '十万分之三', '百分之三十五')."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    match = _CN_SMALL.match(text)
    if not text or not match:
        raise ValueParseError("not_a_number", f"not a number: {text}", text=text)
    tens = CN_DIGITS[match.group("tens")] if match.group("tens") else (1 if match.group("ten") else 0)
    ones = CN_DIGITS[match.group("ones")] if match.group("ones") else 0
    return Decimal(tens * 10 + ones)


def read_yes_no(text: str) -> bool:
    """是/否 and their usual synonyms, in Chinese or English."""
    word = normalise_text(text).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueParseError("not_yes_no", f"expected yes or no (是/否), got {text!r}", text=text)


def _parse_number_parts(text: str) -> tuple[Decimal, str | None, str | None]:
    match = _NUMBER.match(text)
    if not match:
        raise ValueParseError("not_a_number", f"not a number: {text!r}", text=text)
    try:
        number = Decimal(match.group("num"))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid numbers
        raise ValueParseError("not_a_number", f"not a number: {text!r}", text=text) from exc
    return number, match.group("mag"), match.group("suffix")


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
    if vtype is ValueType.PERCENT:
        return _read_percent(raw)
    if vtype is ValueType.AMOUNT:
        return _read_amount(raw, unit)
    number, mag, suffix = _parse_number_parts(raw)
    if suffix in ("%", "‰"):
        raise ValueParseError("percent_not_expected", f"a percentage was not expected: {raw}", text=raw)
    if mag:
        number *= MAGNITUDES[mag]
    if abs(number) >= MAX_MAGNITUDE:
        raise ValueParseError("value_too_large", f"{raw} is too large", text=raw)
    if vtype is ValueType.COUNT and number != number.to_integral_value():
        raise ValueParseError("not_whole", f"{raw} is not a whole number", text=raw)
    if vtype is ValueType.COUNT:
        return number.quantize(Decimal(1))
    return number


def _read_percent(raw: str) -> Decimal:
    fraction = _FRACTION.match(raw)
    if fraction:
        return _cn_small_number(fraction.group("num")) / FRACTION_DENOMINATORS[fraction.group("den")]
    if raw.startswith("百分之"):
        raw = raw.removeprefix("百分之") + "%"
    number, mag, suffix = _parse_number_parts(raw)
    if mag or suffix not in (None, "%", "‰"):
        raise ValueParseError("not_a_percent", f"not a percentage: {raw}", text=raw)
    if suffix == "‰":
        return number / 1000
    # A bare number on a percentage indicator is read as percent points: "13 85" means 85%.
    return number / 100


def _read_amount(raw: str, unit: str | None) -> Decimal:
    base = AMOUNT_UNITS.get(unit or "元", Decimal(1))
    for name in sorted(AMOUNT_UNITS, key=len, reverse=True):
        if name != "元" and raw.endswith(name):
            number, mag, suffix = _parse_number_parts(raw.removesuffix(name))
            if suffix is not None:
                raise ValueParseError("not_a_number", f"not an amount: {raw}", text=raw)
            return number * (MAGNITUDES[mag] if mag else 1) * AMOUNT_UNITS[name]
    number, mag, suffix = _parse_number_parts(raw)
    if suffix in ("%", "‰"):
        raise ValueParseError("percent_not_expected", f"a percentage was not expected: {raw}", text=raw)
    if mag:
        return number * MAGNITUDES[mag]
    if suffix == "元":
        return number
    return number * base


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
