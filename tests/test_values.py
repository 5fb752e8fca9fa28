"""The value language: how "0.45%", "7500万", "8亿", "十万分之一" and "是" are read, and how they are written back.

Plan thresholds and chat reports go through the same `parse_value`, so these cases pin what a
liaison may type. Errors carry a `key` the chat layer turns into a polite message; the property
tests show that `format_value` output reads back to the same Decimal, and that no text whatever
makes the parser raise anything but ValueParseError.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from config.plan_schema import ValueSpec
from config.values import (
    AMOUNT_UNITS,
    MAGNITUDES,
    MAX_MAGNITUDE,
    MAX_VALUE_TEXT,
    NO_WORDS,
    YES_WORDS,
    ValueParseError,
    ValueType,
    format_value,
    normalise_text,
    parse_value,
    plain,
    read_yes_no,
)

D = Decimal
FAST = settings(max_examples=200, deadline=None)
UNITS: list[str | None] = [None, *AMOUNT_UNITS]


@pytest.mark.parametrize(
    ("text", "vtype", "unit", "expected"),
    [
        # percentages are stored as fractions
        ("0.45%", ValueType.PERCENT, None, "0.0045"),
        ("85", ValueType.PERCENT, None, "0.85"),
        ("85%", ValueType.PERCENT, None, "0.85"),
        ("100%", ValueType.PERCENT, None, "1"),
        ("０.３％", ValueType.PERCENT, None, "0.003"),
        ("十万分之一", ValueType.PERCENT, None, "0.00001"),
        ("十万分之三", ValueType.PERCENT, None, "0.00003"),
        ("万分之1.5", ValueType.PERCENT, None, "0.00015"),
        ("千分之二十五", ValueType.PERCENT, None, "0.025"),
        ("百分之35", ValueType.PERCENT, None, "0.35"),
        ("百分之三十五", ValueType.PERCENT, None, "0.35"),
        ("百分之十", ValueType.PERCENT, None, "0.1"),
        ("5‰", ValueType.PERCENT, None, "0.005"),
        ("-0.5%", ValueType.PERCENT, None, "-0.005"),
        # counts with Chinese magnitudes, separators and full-width digits
        ("7500万", ValueType.COUNT, None, "75000000"),
        ("7,500万", ValueType.COUNT, None, "75000000"),
        ("7，500万", ValueType.COUNT, None, "75000000"),
        ("７５００万", ValueType.COUNT, None, "75000000"),
        (" 7 500 万 ", ValueType.COUNT, None, "75000000"),
        ("20万", ValueType.COUNT, None, "200000"),
        ("1.5万", ValueType.COUNT, None, "15000"),
        ("3千万", ValueType.COUNT, None, "30000000"),
        ("20个", ValueType.COUNT, None, "20"),
        ("12,345,678", ValueType.COUNT, None, "12345678"),
        ("0", ValueType.COUNT, None, "0"),
        # amounts, in yuan, with the spec's unit for a bare number
        ("8亿", ValueType.AMOUNT, "亿元", "800000000"),
        ("8", ValueType.AMOUNT, "亿元", "800000000"),
        ("8.5", ValueType.AMOUNT, "亿元", "850000000"),
        ("8亿元", ValueType.AMOUNT, None, "800000000"),
        ("8000万元", ValueType.AMOUNT, None, "80000000"),
        ("8000万元", ValueType.AMOUNT, "亿元", "80000000"),
        ("8000万", ValueType.AMOUNT, "亿元", "80000000"),
        ("3千万", ValueType.AMOUNT, "亿元", "30000000"),
        ("500元", ValueType.AMOUNT, "亿元", "500"),
        ("500", ValueType.AMOUNT, "万元", "5000000"),
        ("500", ValueType.AMOUNT, None, "500"),
        # ranks, days, points and plain numbers
        ("12名", ValueType.RANK, None, "12"),
        ("10.5", ValueType.RANK, None, "10.5"),
        ("30天", ValueType.DAYS, None, "30"),
        ("3.5分", ValueType.POINTS, None, "3.5"),
        ("-2.25", ValueType.NUMBER, None, "-2.25"),
    ],
)
def test_parse(text: str, vtype: ValueType, unit: str | None, expected: str) -> None:
    assert parse_value(text, vtype, unit=unit) == D(expected)


@pytest.mark.parametrize("word", ["是", "有", "已完成", "达到", "yes", "Yes", "YES", "y", "true", "√", "✓", " 是 "])
def test_yes_words(word: str) -> None:
    assert parse_value(word, ValueType.YES_NO) == 1
    assert read_yes_no(word) is True


@pytest.mark.parametrize("word", ["否", "无", "没有", "未建立", "no", "No", "n", "false", "×", "✗"])
def test_no_words(word: str) -> None:
    assert parse_value(word, ValueType.YES_NO) == 0
    assert read_yes_no(word) is False


def test_yes_and_no_words_do_not_overlap() -> None:
    assert not YES_WORDS & NO_WORDS


@pytest.mark.parametrize(
    ("text", "vtype", "unit", "key"),
    [
        ("abc", ValueType.COUNT, None, "not_a_number"),
        ("abc", ValueType.PERCENT, None, "not_a_number"),
        ("abc", ValueType.AMOUNT, None, "not_a_number"),
        ("1.2.3", ValueType.NUMBER, None, "not_a_number"),
        ("1e5", ValueType.NUMBER, None, "not_a_number"),
        ("万", ValueType.COUNT, None, "not_a_number"),
        ("十分之一", ValueType.PERCENT, None, "not_a_number"),
        ("1.5", ValueType.COUNT, None, "not_whole"),
        ("1.00005万", ValueType.COUNT, None, "not_whole"),
        ("8%", ValueType.COUNT, None, "percent_not_expected"),
        ("5‰", ValueType.COUNT, None, "percent_not_expected"),
        ("8%", ValueType.AMOUNT, None, "percent_not_expected"),
        ("8%", ValueType.RANK, None, "percent_not_expected"),
        ("5万%", ValueType.PERCENT, None, "not_a_percent"),
        ("5元", ValueType.PERCENT, None, "not_a_percent"),
        ("", ValueType.COUNT, None, "missing_value"),
        ("   ", ValueType.PERCENT, None, "missing_value"),
        ("\u3000", ValueType.YES_NO, None, "missing_value"),
        ("maybe", ValueType.YES_NO, None, "not_yes_no"),
        ("1", ValueType.YES_NO, None, "not_yes_no"),
        ("1" * 70, ValueType.COUNT, None, "value_too_long"),
        ("是" * 70, ValueType.YES_NO, None, "value_too_long"),
        ("x" * 70, ValueType.PERCENT, None, "value_too_long"),
    ],
)
def test_parse_errors(text: str, vtype: ValueType, unit: str | None, key: str) -> None:
    with pytest.raises(ValueParseError) as caught:
        parse_value(text, vtype, unit=unit)
    assert caught.value.key == key
    assert str(caught.value)


def test_implausibly_large_figures_are_refused() -> None:
    with pytest.raises(ValueParseError) as caught:
        parse_value("1" * 30, ValueType.NUMBER)
    assert caught.value.key == "value_too_large"


def test_length_limit_is_on_the_normalised_text() -> None:
    longest = "0." + "1" * (MAX_VALUE_TEXT - 2)
    assert parse_value(longest, ValueType.NUMBER) == D(longest)
    assert parse_value(" ".join(longest), ValueType.NUMBER) == D(longest)
    with pytest.raises(ValueParseError) as caught:
        parse_value("1" * (MAX_VALUE_TEXT + 1), ValueType.NUMBER)
    assert caught.value.key == "value_too_long"
    assert caught.value.params == {"limit": MAX_VALUE_TEXT}


@pytest.mark.parametrize(
    ("text", "vtype", "lower", "upper", "key"),
    [
        ("-1", ValueType.COUNT, D(0), None, "below_minimum"),
        ("0", ValueType.RANK, D(1), None, "below_minimum"),
        ("0.2%", ValueType.PERCENT, D("0.003"), None, "below_minimum"),
        ("101%", ValueType.PERCENT, D(0), D(1), "above_maximum"),
        ("101", ValueType.PERCENT, None, D(1), "above_maximum"),
        ("6", ValueType.POINTS, D(0), D(5), "above_maximum"),
        ("11亿", ValueType.AMOUNT, None, D("1E9"), "above_maximum"),
    ],
)
def test_bounds(text: str, vtype: ValueType, lower: Decimal | None, upper: Decimal | None, key: str) -> None:
    with pytest.raises(ValueParseError) as caught:
        parse_value(text, vtype, lower=lower, upper=upper)
    assert caught.value.key == key
    assert caught.value.params["bound"] == (lower if key == "below_minimum" else upper)


def test_bounds_are_inclusive() -> None:
    assert parse_value("100%", ValueType.PERCENT, lower=D(0), upper=D(1)) == 1
    assert parse_value("0", ValueType.PERCENT, lower=D(0), upper=D(1)) == 0
    assert parse_value("5", ValueType.POINTS, lower=D(0), upper=D(5)) == 5


def test_value_spec_default_bounds() -> None:
    """A share stops at 100% and a count at 0 unless the plan says otherwise; a rank starts at 1."""
    share = ValueSpec(type=ValueType.PERCENT)
    assert share.read("100%") == 1
    with pytest.raises(ValueParseError, match="above"):
        share.read("101%")
    assert ValueSpec(type=ValueType.PERCENT, max="none").read("250%") == D("2.5")
    assert share.read("101%", check_bounds=False) == D("1.01")
    with pytest.raises(ValueParseError, match="below"):
        ValueSpec(type=ValueType.COUNT).read("-1")
    with pytest.raises(ValueParseError, match="below"):
        ValueSpec(type=ValueType.RANK).read("0")
    assert ValueSpec(type=ValueType.NUMBER, min="none").read("-3") == -3
    assert ValueSpec(type=ValueType.AMOUNT, unit="亿元", max="10亿").read("10") == D("1E9")


def test_normalise_text() -> None:
    assert normalise_text(" ７，５００ 万 ") == "7500万"
    assert normalise_text("1,2") == "1,2"  # not a thousands separator


@pytest.mark.parametrize(
    ("value", "vtype", "unit", "text"),
    [
        (D("0.0045"), ValueType.PERCENT, None, "0.45%"),
        (D("1"), ValueType.PERCENT, None, "100%"),
        (D("8E8"), ValueType.AMOUNT, "亿元", "8亿元"),
        (D("80000000"), ValueType.AMOUNT, "万元", "8000万元"),
        (D("500"), ValueType.AMOUNT, None, "500元"),
        (D("75000000"), ValueType.COUNT, None, "75000000（7500万）"),
        (D("9999"), ValueType.COUNT, None, "9999"),
        (D("4.80"), ValueType.POINTS, None, "4.8"),
        (D("1E+1"), ValueType.NUMBER, None, "10"),
        (D(1), ValueType.YES_NO, None, "是"),
        (D(0), ValueType.YES_NO, None, "否"),
    ],
)
def test_format_value(value: Decimal, vtype: ValueType, unit: str | None, text: str) -> None:
    assert format_value(value, vtype, unit=unit) == text


def test_format_value_english() -> None:
    assert format_value(D(1), ValueType.YES_NO, lang="en") == "yes"
    assert format_value(D(0), ValueType.YES_NO, lang="en") == "no"
    assert format_value(D(75000000), ValueType.COUNT, lang="en") == "75000000"


def test_plain() -> None:
    assert plain(D("4.80")) == "4.8"
    assert plain(D("1E+1")) == "10"
    assert plain(D("-0.0")) == "0"
    assert plain(D("0E-7")) == "0"


# --- malformed and implausible figures -----------------------------------------------------------


@pytest.mark.parametrize("text", ["1" * 29, "1" * 29 + "万", "1" * 25 + "万"])
def test_huge_count_is_a_parse_error(text: str) -> None:
    with pytest.raises(ValueParseError):
        parse_value(text, ValueType.COUNT)


@pytest.mark.parametrize("text", ["万分之十十", "百分之十一十", "千分之二十三十"])
def test_malformed_chinese_numeral_is_a_parse_error(text: str) -> None:
    with pytest.raises(ValueParseError):
        parse_value(text, ValueType.PERCENT)


def test_malformed_chinese_tens_is_not_read_as_ten() -> None:
    with pytest.raises(ValueParseError):
        parse_value("万分之三四十", ValueType.PERCENT)


@pytest.mark.parametrize(
    ("text", "expected"), [("8千万元", "80000000"), ("5百万元", "5000000"), ("8万亿元", "8000000000000")]
)
def test_amount_with_magnitude_and_yuan_unit(text: str, expected: str) -> None:
    assert parse_value(text, ValueType.AMOUNT, unit="亿元") == D(expected)


# === properties ===================================================================================

percent_values = st.decimals(min_value=-10, max_value=10, places=6, allow_nan=False, allow_infinity=False)
amount_values = st.decimals(min_value=-(10**13), max_value=10**13, places=2, allow_nan=False, allow_infinity=False)
count_values = st.integers(min_value=-(10**15), max_value=10**15).map(D)
plain_values = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False)


@FAST
@given(value=percent_values)
def test_percent_round_trip(value: Decimal) -> None:
    text = format_value(value, ValueType.PERCENT)
    assert text.endswith("%")
    assert "E" not in text
    assert parse_value(text, ValueType.PERCENT) == value


@FAST
@given(value=amount_values, unit=st.sampled_from(UNITS), read_as=st.sampled_from(UNITS))
def test_amount_round_trip(value: Decimal, unit: str | None, read_as: str | None) -> None:
    """An amount is written with its unit, so it reads back the same whatever unit the reader assumes."""
    text = format_value(value, ValueType.AMOUNT, unit=unit)
    assert "E" not in text
    assert parse_value(text, ValueType.AMOUNT, unit=unit) == value
    assert parse_value(text, ValueType.AMOUNT, unit=read_as) == value


@FAST
@given(value=count_values)
def test_count_round_trip(value: Decimal) -> None:
    """Chinese display adds "（x万）" from 10000 on; both the figure and the 万 form read back."""
    assert parse_value(format_value(value, ValueType.COUNT, lang="en"), ValueType.COUNT) == value
    text = format_value(value, ValueType.COUNT)
    if abs(value) < 10000:
        assert parse_value(text, ValueType.COUNT) == value
    else:
        figure, _, wan = text.partition("（")
        assert wan.endswith("万）")
        assert parse_value(figure, ValueType.COUNT) == value
        assert parse_value(wan.removesuffix("）"), ValueType.COUNT) == value


@FAST
@given(value=plain_values, vtype=st.sampled_from([ValueType.NUMBER, ValueType.POINTS, ValueType.DAYS, ValueType.RANK]))
def test_plain_round_trip(value: Decimal, vtype: ValueType) -> None:
    text = format_value(value, vtype)
    assert "E" not in text
    assert parse_value(text, vtype) == value


@FAST
@given(value=st.sampled_from([D(0), D(1)]), lang=st.sampled_from(["zh", "en"]))
def test_yes_no_round_trip(value: Decimal, lang: str) -> None:
    assert parse_value(format_value(value, ValueType.YES_NO, lang=lang), ValueType.YES_NO) == value


@FAST
@given(
    number=st.integers(min_value=0, max_value=10**9),
    magnitude=st.sampled_from(["", *MAGNITUDES]),
    separators=st.booleans(),
    full_width=st.booleans(),
    measure=st.sampled_from(["", "个", "条", "家"]),
)
def test_count_as_people_write_it(
    number: int, magnitude: str, separators: bool, full_width: bool, measure: str
) -> None:
    digits = f"{number:,}" if separators else str(number)
    if full_width:
        digits = digits.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,"})
    expected = D(number) * (MAGNITUDES[magnitude] if magnitude else 1)
    assume(expected < MAX_MAGNITUDE)
    assert parse_value(f"{digits}{magnitude}{measure}", ValueType.COUNT) == expected


@FAST
@given(
    word=st.sampled_from(sorted(YES_WORDS | NO_WORDS)), upper=st.booleans(), pad=st.sampled_from(["", " ", "\u3000"])
)
def test_yes_no_words_any_case_and_padding(word: str, upper: bool, pad: str) -> None:
    text = pad + (word.upper() if upper else word) + pad
    assert parse_value(text, ValueType.YES_NO) == (1 if word in YES_WORDS else 0)


def outcome(text: str, vtype: ValueType, unit: str | None) -> Decimal | ValueParseError:
    """The parsed value, or the exception the parser raised (any of the ones seen so far)."""
    try:
        return parse_value(text, vtype, unit=unit)
    except ValueParseError as exc:
        return exc


def check_only_value_parse_errors(text: str, vtype: ValueType, unit: str | None) -> None:
    result = outcome(text, vtype, unit)
    if isinstance(result, Decimal):
        assert result.is_finite()
    else:
        assert result.key


@FAST
@given(text=st.text(max_size=80), vtype=st.sampled_from(list(ValueType)), unit=st.sampled_from(UNITS))
def test_arbitrary_text_only_raises_value_parse_error(text: str, vtype: ValueType, unit: str | None) -> None:
    check_only_value_parse_errors(text, vtype, unit)


value_alphabet = st.sampled_from(
    list("0123456789.,+-%‰ 　０１２３元万亿千百十分之一二三五九个名天是否") + ["yes", "no"]
)


@FAST
@given(
    parts=st.lists(value_alphabet, max_size=12),
    vtype=st.sampled_from(list(ValueType)),
    unit=st.sampled_from(UNITS),
)
def test_value_like_text_only_raises_value_parse_error(parts: list[str], vtype: ValueType, unit: str | None) -> None:
    """Text made of the value language's own characters, where the parser's branches are (numbers stay short)."""
    check_only_value_parse_errors("".join(parts), vtype, unit)
