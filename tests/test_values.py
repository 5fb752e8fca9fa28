"""The value language: how "0.45%", "7500万", "八亿", "第十五名", "十万分之一" and "是" are read and written back.

Plan thresholds and chat reports go through the same `parse_value`, so these cases pin what a
liaison may type. Errors carry a `key` the chat layer turns into a polite message; the property
tests show that `format_value` output reads back to the same Decimal, that a standard Chinese
spelling reads like its digits, that a measure word of another kind of figure is always refused,
and that no text whatever makes the parser raise anything but ValueParseError.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from config.i18n import translate
from config.plan_schema import ValueSpec
from config.values import (
    AMOUNT_UNITS,
    KNOWN_WORDS,
    MAGNITUDES,
    MAX_MAGNITUDE,
    MAX_VALUE_TEXT,
    MEASURE_WORDS,
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
        ("5元", ValueType.PERCENT, None, "wrong_measure"),
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


# --- measure words ---------------------------------------------------------------------------------


def refusal(text: str, vtype: ValueType, unit: str | None = None) -> ValueParseError:
    """The error a liaison would be shown for `text`."""
    with pytest.raises(ValueParseError) as caught:
        parse_value(text, vtype, unit=unit)
    return caught.value


@pytest.mark.parametrize(
    ("text", "word"), [("8个", "个"), ("8条", "条"), ("8名", "名"), ("8 个", "个"), ("八亿个", "个")]
)
def test_a_count_word_on_an_amount_is_refused(text: str, word: str) -> None:
    """`/report 11 8个` on 区授信金额 (亿元) was recorded as 8亿元; now the liaison is told why not."""
    error = refusal(text, ValueType.AMOUNT, "亿元")
    assert error.key == "wrong_measure"
    assert error.params == {"text": text.replace(" ", ""), "word": word}


@pytest.mark.parametrize(
    ("text", "word"), [("7500万元", "万元"), ("500元", "元"), ("3亿元", "亿元"), ("三千万元", "万元")]
)
def test_a_money_unit_on_a_count_is_refused(text: str, word: str) -> None:
    error = refusal(text, ValueType.COUNT)
    assert (error.key, error.params["word"]) == ("wrong_measure", word)


@pytest.mark.parametrize(("text", "word"), [("3名", "名"), ("3位", "位"), ("第3", "第"), ("第3个", "第")])
def test_a_rank_word_on_a_count_is_refused(text: str, word: str) -> None:
    error = refusal(text, ValueType.COUNT)
    assert (error.key, error.params["word"]) == ("wrong_measure", word)


@pytest.mark.parametrize(
    ("text", "vtype", "word"),
    [
        ("5天", ValueType.PERCENT, "天"),
        ("5个工作日", ValueType.PERCENT, "个工作日"),
        ("5元", ValueType.PERCENT, "元"),
        ("5分", ValueType.PERCENT, "分"),
        ("3个", ValueType.DAYS, "个"),
        ("3个月", ValueType.DAYS, "个月"),
        ("12个", ValueType.RANK, "个"),
        ("4.5名", ValueType.POINTS, "名"),
        ("8条", ValueType.NUMBER, "条"),
        ("3个百分点", ValueType.PERCENT, "个百分点"),
    ],
)
def test_a_word_of_another_kind_of_figure_is_refused(text: str, vtype: ValueType, word: str) -> None:
    error = refusal(text, vtype)
    assert (error.key, error.params["word"]) == ("wrong_measure", word)


def test_the_refusal_names_what_was_typed_in_both_languages() -> None:
    error = refusal("8个", ValueType.AMOUNT, "亿元")
    assert translate("zh", "val_" + error.key, **error.params) == "“8个”中的“个”不适用于此指标"
    assert translate("en", "val_" + error.key, **error.params) == "“个” in “8个” does not fit this indicator"


@pytest.mark.parametrize(
    ("text", "vtype", "unit", "expected"),
    [
        ("20条", ValueType.COUNT, None, "20"),
        ("3项", ValueType.COUNT, None, "3"),
        ("5家", ValueType.COUNT, None, "5"),
        ("2起", ValueType.COUNT, None, "2"),
        ("1200人次", ValueType.COUNT, None, "1200"),
        ("7500万条", ValueType.COUNT, None, "75000000"),
        ("8亿元", ValueType.AMOUNT, "亿元", "800000000"),
        ("8000万元", ValueType.AMOUNT, "亿元", "80000000"),
        ("500元", ValueType.AMOUNT, "万元", "500"),
        ("第15名", ValueType.RANK, None, "15"),
        ("第十五名", ValueType.RANK, None, "15"),
        ("第15", ValueType.RANK, None, "15"),
        ("第三位", ValueType.RANK, None, "3"),
        ("12位", ValueType.RANK, None, "12"),
        ("3天", ValueType.DAYS, None, "3"),
        ("3日", ValueType.DAYS, None, "3"),
        ("2.5个工作日", ValueType.DAYS, None, "2.5"),
        ("5工作日", ValueType.DAYS, None, "5"),
        ("十个自然日", ValueType.DAYS, None, "10"),
        ("4.5分", ValueType.POINTS, None, "4.5"),
        ("五分", ValueType.POINTS, None, "5"),
    ],
)
def test_a_measure_word_that_fits_is_accepted(text: str, vtype: ValueType, unit: str | None, expected: str) -> None:
    assert parse_value(text, vtype, unit=unit) == D(expected)


# --- Chinese numerals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("零", "0"),
        ("十", "10"),
        ("十五", "15"),
        ("一十五", "15"),
        ("二十", "20"),
        ("三十五", "35"),
        ("一百二十", "120"),
        ("一千零五", "1005"),
        ("一千〇五", "1005"),
        ("两千", "2000"),
        ("十万", "100000"),
        ("七千五百万", "75000000"),
        ("一万零五百", "10500"),
        ("一亿二千万", "120000000"),
        ("一亿零一十万", "100100000"),
        ("三万亿", "3000000000000"),
        ("零点五", "0.5"),
        ("三点五", "3.5"),
        ("三点一四", "3.14"),
        ("三点五亿", "350000000"),
        ("负五", "-5"),
    ],
)
def test_chinese_numerals_read_like_digits(text: str, expected: str) -> None:
    assert parse_value(text, ValueType.NUMBER) == D(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一万二", "12000"),
        ("两万五", "25000"),
        ("三千五", "3500"),
        ("一百五", "150"),
        ("十二万五", "125000"),
        ("一亿二", "120000000"),
    ],
)
def test_colloquial_tails_are_read_the_way_everyone_reads_them(text: str, expected: str) -> None:
    assert parse_value(text, ValueType.COUNT) == D(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1亿2000万", "120000000"),
        ("1亿500万", "105000000"),
        ("3万2000", "32000"),
        ("1万0500", "10500"),
        ("3千5百", "3500"),
    ],
)
def test_digits_may_be_grouped_with_wan_and_yi(text: str, expected: str) -> None:
    assert parse_value(text, ValueType.COUNT) == D(expected)


@pytest.mark.parametrize(
    "text",
    [
        "八八亿",  # digit by digit: 88亿 or a doubled key?
        "二〇二二",
        "一万二百",  # 10200 is 一万零二百; 12000 is 一万二千
        "一千五十",
        "一千零零五",
        "一万零五千",
        "1万2",  # 12000 or 10002?
        "1亿2000",
        "二十万五",
        "三万亿五",
        "一百五万",
        "十十",
        "一万零",
        "零五",
        "亿",
        "点五",
        "3点5",
        "三点两",
        "一百五点五",
    ],
)
def test_unclear_numerals_are_refused_not_guessed(text: str) -> None:
    assert refusal(text, ValueType.COUNT).key == "not_a_number"


def test_an_amount_without_wan_or_yi_is_in_the_indicators_unit() -> None:
    """Spelled or digits, "一百二十" is 120 of the indicator's unit; only 万/亿 or 元 name a scale of their own."""
    assert parse_value("一百二十", ValueType.AMOUNT, unit="亿元") == D("12000000000")
    assert parse_value("八", ValueType.AMOUNT, unit="亿元") == D("800000000")
    assert parse_value("3千", ValueType.AMOUNT, unit="万元") == parse_value("三千", ValueType.AMOUNT, unit="万元")
    assert parse_value("八千万", ValueType.AMOUNT, unit="亿元") == D("80000000")
    assert parse_value("1亿500万元", ValueType.AMOUNT, unit="亿元") == D("105000000")


@pytest.mark.parametrize(("text", "expected"), [("百分之零点五", "0.005"), ("三十五", "0.35"), ("八十%", "0.8")])
def test_percentages_in_chinese_numerals(text: str, expected: str) -> None:
    assert parse_value(text, ValueType.PERCENT) == D(expected)


@pytest.mark.parametrize("word", ["达标", "已达标", "符合", "合格", "满足"])
def test_met_words_answer_a_gate_yes(word: str) -> None:
    assert read_yes_no(word) is True


@pytest.mark.parametrize("word", ["未达标", "不达标", "不符合", "不合格", "不满足"])
def test_not_met_words_answer_a_gate_no(word: str) -> None:
    assert read_yes_no(word) is False


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


CN = "零一二三四五六七八九"


def spell(number: int) -> str:
    """The standard Chinese spelling, written independently of the parser: 1005 -> 一千零五, 15 -> 十五."""
    return "零" if number == 0 else _spell(number, first=True)


def _spell(number: int, *, first: bool) -> str:
    for size, name in ((10**8, "亿"), (10**4, "万")):
        if number >= size:
            high, low = divmod(number, size)
            text = _spell(high, first=first) + name
            if low == 0:
                return text
            return text + ("零" if low < size // 10 else "") + _spell(low, first=False)
    text, zero = "", False
    for place, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // place % 10
        if digit == 0:
            zero = zero or bool(text)
            continue
        text += "零" if zero else ""
        zero = False
        text += "" if (first and not text and place == 10 and digit == 1) else CN[digit]
        text += name
    return text


def test_the_spelling_generator_matches_the_textbook() -> None:
    samples = {10: "十", 15: "十五", 110: "一百一十", 1005: "一千零五", 10500: "一万零五百", 100100000: "一亿零一十万"}
    assert {n: spell(n) for n in samples} == samples


@FAST
@given(number=st.integers(min_value=0, max_value=10**12))
def test_a_chinese_spelling_reads_like_its_digits(number: int) -> None:
    text = spell(number)
    assert parse_value(text, ValueType.NUMBER) == number
    assert parse_value(text, ValueType.COUNT) == parse_value(str(number), ValueType.COUNT)


@FAST
@given(number=st.integers(min_value=0, max_value=10**8), fraction=st.text(alphabet=CN, min_size=1, max_size=6))
def test_a_chinese_decimal_reads_like_its_digits(number: int, fraction: str) -> None:
    digits = "".join(str(CN.index(c)) for c in fraction)
    assert parse_value(f"{spell(number)}点{fraction}", ValueType.NUMBER) == D(f"{number}.{digits}")


@FAST
@given(number=st.integers(min_value=1, max_value=10**5))
def test_a_place_in_a_ranking_reads_in_every_spelling(number: int) -> None:
    for text in (
        str(number),
        f"{number}名",
        f"第{number}名",
        f"第{spell(number)}名",
        f"第{spell(number)}",
        f"{number}位",
    ):
        assert parse_value(text, ValueType.RANK) == number


NUMERIC_TYPES = [t for t in ValueType if t is not ValueType.YES_NO]


@FAST
@given(
    data=st.data(),
    vtype=st.sampled_from(NUMERIC_TYPES),
    # ending in a units digit, so that 二十五万 + 元 is not read as 二十五 + 万元
    number=st.integers(min_value=1, max_value=10**6).filter(lambda n: n % 10 != 0),
    chinese=st.booleans(),
)
def test_any_word_of_another_kind_of_figure_is_refused(
    data: st.DataObject, vtype: ValueType, number: int, chinese: bool
) -> None:
    unfit = sorted(set(KNOWN_WORDS) - MEASURE_WORDS[vtype] - {"%", "‰"})
    word = data.draw(st.sampled_from(unfit))
    text = f"{spell(number) if chinese else number}{word}"
    error = refusal(text, vtype, "亿元" if vtype is ValueType.AMOUNT else None)
    assert (error.key, error.params) == ("wrong_measure", {"text": text, "word": word})


@FAST
@given(
    data=st.data(),
    vtype=st.sampled_from([t for t in NUMERIC_TYPES if t not in (ValueType.PERCENT, ValueType.AMOUNT)]),
    number=st.integers(min_value=1, max_value=10**6),
)
def test_any_word_that_fits_reads_like_the_bare_figure(data: st.DataObject, vtype: ValueType, number: int) -> None:
    assume(MEASURE_WORDS[vtype])
    word = data.draw(st.sampled_from(sorted(MEASURE_WORDS[vtype])))
    assert parse_value(f"{number}{word}", vtype) == parse_value(str(number), vtype) == number


numeral_alphabet = st.sampled_from(
    list("0123456789.-+零〇一二两三四五六七八九十百千万亿点负第分之%‰元个条名位天日") + ["工作日", "万元", "个月"]
)


@FAST
@given(
    parts=st.lists(numeral_alphabet, max_size=16),
    vtype=st.sampled_from(list(ValueType)),
    unit=st.sampled_from(UNITS),
)
def test_numeral_like_text_only_raises_value_parse_error(parts: list[str], vtype: ValueType, unit: str | None) -> None:
    """Chinese numerals, measure words and signs in any order, where the numeral grammar's branches are."""
    check_only_value_parse_errors("".join(parts)[:MAX_VALUE_TEXT], vtype, unit)
