"""The scoring engine rule by rule: each kind's arithmetic by hand, then its properties under hypothesis.

The unit tests build rules the way a plan file writes them (thresholds in the value language) and
check the points `leaf_points` / `score_indicator` give. The property tests then show, for every
kind, that points stay within [0, max], move in the direction the rule promises, display with two
places at most, and are exact Decimals (30/7 to 28 digits, never a float artefact).
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from config.plan_schema import (
    AssessedRule,
    Band,
    BandsRule,
    Condition,
    CountRule,
    DeductRule,
    FractionRule,
    Indicator,
    LeafRule,
    LinearRule,
    PeriodicCheckRule,
    Periods,
    RankStepsRule,
    SumRule,
    ValueSpec,
    YesNoRule,
)
from config.values import ValueType
from models.scoring import Key, clamp, display_points, indicator_hints, item_points, leaf_points, score_indicator

D = Decimal
FAST = settings(max_examples=200, deadline=None)
MONTHS_2022 = [f"2022-{m:02d}" for m in range(1, 13)]
DISPLAY = re.compile(r"^\d+(\.\d{1,2})?$")


def fmt(number: Decimal) -> str:
    """A Decimal as plan-file text, never in exponent form."""
    return format(number, "f")


def one(rule: LeafRule, maximum: Decimal | int | str, value: Decimal | int | str) -> Decimal:
    """Points of a non-periodic leaf rule given its single figure."""
    return leaf_points(rule, D(maximum), {None: D(value)})


def indicator(rule: dict[str, Any], maximum: str = "5", **extra: Any) -> Indicator:
    return Indicator.model_validate(
        {"code": "T1", "name": "测试指标", "max": maximum, "rule": rule, "rule_text": "测试", **extra}
    )


def linear(zero_at: str, full_at: str, vtype: str = "number", **extra: Any) -> LinearRule:
    return LinearRule.model_validate(
        {"kind": "linear", "value": {"type": vtype, **extra.pop("spec", {})}, "zero_at": zero_at, "full_at": full_at}
        | extra
    )


def bands(vtype: str, spec: list[tuple[str, str, str]], otherwise: str = "0") -> BandsRule:
    """Bands from (op, threshold, points) triples, in the order given."""
    return BandsRule.model_validate(
        {
            "kind": "bands",
            "value": {"type": vtype, "max": "none"},
            "bands": [{"when": {op: threshold}, "points": points} for op, threshold, points in spec],
            "otherwise": otherwise,
        }
    )


def deduct(per: str, allowance: str = "0", step: str = "1", rounding: str = "up", vtype: str = "count") -> DeductRule:
    return DeductRule.model_validate(
        {
            "kind": "deduct",
            "value": {"type": vtype},
            "per": per,
            "allowance": allowance,
            "step": step,
            "rounding": rounding,
        }
    )


def rank_steps(full_within: str, step: str, per_step: str, zero_beyond: str) -> RankStepsRule:
    return RankStepsRule.model_validate(
        {
            "kind": "rank_steps",
            "full_within": full_within,
            "step": step,
            "per_step": per_step,
            "zero_beyond": zero_beyond,
        }
    )


def periodic(op: str, threshold: str, reward: str, penalty: str, vtype: str = "percent") -> PeriodicCheckRule:
    return PeriodicCheckRule.model_validate(
        {
            "kind": "periodic_check",
            "value": {"type": vtype},
            "met": {op: threshold},
            "reward": reward,
            "penalty": penalty,
        }
    )


# --- linear --------------------------------------------------------------------------------------


def test_linear_rising_amount_in_yi() -> None:
    """Dingtao 11: 10亿元 earns 6, below 3亿元 nothing, in between in proportion."""
    rule = linear("3亿", "10亿", "amount", spec={"unit": "亿元"})
    assert one(rule, 6, D("2E8")) == 0
    assert one(rule, 6, D("3E8")) == 0
    assert one(rule, 6, D("6.5E8")) == 3
    assert one(rule, 6, D("10E8")) == 6
    assert one(rule, 6, D("25E8")) == 6


def test_linear_exact_thirty_sevenths() -> None:
    """8亿 on 3亿→10亿 of 6 points is 6·5/7 = 30/7, kept to 28 significant digits."""
    rule = linear("3亿", "10亿", "amount", spec={"unit": "亿元"})
    with localcontext() as ctx:
        ctx.prec = 28
        expected = D(30) / D(7)
    got = one(rule, 6, D("8E8"))
    assert got == expected
    assert str(got) == "4.285714285714285714285714286"
    assert display_points(got) == "4.29"


def test_linear_exact_no_float_artefact() -> None:
    """Dingtao 10: 1%→3% of 6 at 2.2% is 3.6 exactly (a float would give 3.6000000000000005)."""
    rule = linear("1%", "3%", "percent")
    assert one(rule, 6, D("0.022")) == D("3.6")
    assert display_points(one(rule, 6, D("0.022"))) == "3.6"


def test_linear_falling_percentage() -> None:
    """Dingtao 3: lower is better; 0.3% or less earns 4, 0.5% or more nothing."""
    rule = LinearRule(kind="linear", value=ValueSpec(type=ValueType.PERCENT), zero_at="0.5%", full_at="0.3%")
    assert one(rule, 4, D("0.006")) == 0
    assert one(rule, 4, D("0.005")) == 0
    assert one(rule, 4, D("0.0045")) == 1
    assert one(rule, 4, D("0.004")) == 2
    assert one(rule, 4, D("0.003")) == 4
    assert one(rule, 4, D("0")) == 4


def test_linear_round_half_up() -> None:
    rule = linear("3亿", "10亿", "amount", spec={"unit": "亿元"}, round=2)
    assert one(rule, 6, D("8E8")) == D("4.29")
    rule0 = linear("0", "8", round=0)
    assert one(rule0, 1, D(4)) == 1  # 0.5 rounds half up


def test_linear_not_reported_is_zero() -> None:
    rule = linear("0", "10")
    assert leaf_points(rule, D(5), {}) == 0


def test_linear_equal_ends_rejected() -> None:
    with pytest.raises(ValidationError, match="must differ"):
        linear("0.3%", "0.30%", "percent")


# --- bands -------------------------------------------------------------------------------------------


def test_bands_descending_thresholds() -> None:
    """Dingtao 6: above 7000万 earns 10, above 4000万 earns 5, otherwise 0."""
    rule = bands("count", [("above", "7000万", "10"), ("above", "4000万", "5")])
    assert one(rule, 10, D(80_000_000)) == 10
    assert one(rule, 10, D(70_000_001)) == 10
    assert one(rule, 10, D(70_000_000)) == 5
    assert one(rule, 10, D(40_000_001)) == 5
    assert one(rule, 10, D(40_000_000)) == 0
    assert one(rule, 10, D(0)) == 0


def test_bands_first_match_wins_not_best() -> None:
    """The first band that holds gives the points, even if a later one would give more."""
    rule = bands("percent", [("at_least", "20%", "0.5"), ("at_least", "50%", "1")])
    assert one(rule, 1, D("0.8")) == D("0.5")
    reordered = bands("percent", [("at_least", "50%", "1"), ("at_least", "20%", "0.5")])
    assert one(reordered, 1, D("0.8")) == 1
    assert one(reordered, 1, D("0.35")) == D("0.5")
    assert one(reordered, 1, D("0.19")) == 0


def test_bands_otherwise_and_every_operator() -> None:
    rule = bands("number", [("equals", "0", "3"), ("below", "2", "2"), ("at_most", "5", "1")], otherwise="0.5")
    assert one(rule, 3, D(0)) == 3
    assert one(rule, 3, D("1.9")) == 2
    assert one(rule, 3, D(2)) == 1
    assert one(rule, 3, D(5)) == 1
    assert one(rule, 3, D("5.01")) == D("0.5")


def test_bands_points_clamped_to_maximum() -> None:
    rule = bands("count", [("at_least", "1", "8")])
    assert one(rule, 5, D(1)) == 5


def test_condition_needs_exactly_one_comparison() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Condition.model_validate({"at_least": "1", "below": "3"})
    with pytest.raises(ValidationError, match="exactly one"):
        Condition.model_validate({})
    assert Condition(above="4000万").threshold(ValueSpec(type=ValueType.COUNT)) == D(40_000_000)
    assert Band(when=Condition(at_most="0.3%"), points=D(1)).when.holds(D("0.003"), ValueSpec(type=ValueType.PERCENT))


def test_bands_threshold_must_parse() -> None:
    with pytest.raises(ValidationError):
        bands("count", [("at_least", "1.5", "1")])


# --- rank steps --------------------------------------------------------------------------------------


def test_rank_steps_edges() -> None:
    """Dingtao 1: top 10 earns 20, −2 for every further 10 places, nothing below 100th."""
    rule = rank_steps("10", "10", "2", "100")
    assert one(rule, 20, 1) == 20
    assert one(rule, 20, 10) == 20
    assert one(rule, 20, 11) == 18
    assert one(rule, 20, 20) == 18
    assert one(rule, 20, 21) == 16
    assert one(rule, 20, D("10.5")) == 18  # a monthly average rank may be fractional; steps round up
    assert one(rule, 20, 100) == 2
    assert one(rule, 20, 101) == 0


def test_rank_steps_clamped_at_zero_before_zero_beyond() -> None:
    rule = rank_steps("3", "1", "1", "50")
    assert one(rule, 5, 7) == 1
    assert one(rule, 5, 8) == 0
    assert one(rule, 5, 30) == 0


# --- deduct ------------------------------------------------------------------------------------------


def test_deduct_per_unit() -> None:
    """Puyang 3.1: 4 points, −2 for each unit not rectified, floor 0."""
    rule = deduct("2")
    assert one(rule, 4, 0) == 4
    assert one(rule, 4, 1) == 2
    assert one(rule, 4, 2) == 0
    assert one(rule, 4, 3) == 0


@pytest.mark.parametrize(
    ("rounding", "value", "expected"),
    [
        ("up", 5, "4"),
        ("up", 10, "4"),
        ("up", 15, "3"),
        ("down", 5, "5"),
        ("down", 10, "4"),
        ("down", 15, "4"),
        ("exact", 5, "4.5"),
        ("exact", 10, "4"),
        ("exact", 15, "3.5"),
        ("exact", 60, "0"),
    ],
)
def test_deduct_rounding(rounding: str, value: int, expected: str) -> None:
    """1 point off for every 10 over the allowance: a part step counts whole (up), not at all (down) or pro rata."""
    rule = deduct("1", step="10", rounding=rounding)
    assert one(rule, 5, value) == D(expected)


def test_deduct_allowance() -> None:
    rule = deduct("1", allowance="2")
    assert one(rule, 3, 0) == 3
    assert one(rule, 3, 2) == 3
    assert one(rule, 3, 3) == 2
    assert one(rule, 3, 5) == 0


def test_deduct_percent_steps() -> None:
    """0.5 off for every 0.1% over 1%: 1.25% is 2.5 steps."""
    up = deduct("0.5", allowance="1%", step="0.1%", vtype="percent")
    assert one(up, 3, D("0.01")) == 3
    assert one(up, 3, D("0.0125")) == D("1.5")
    exact = deduct("0.5", allowance="1%", step="0.1%", rounding="exact", vtype="percent")
    assert one(exact, 3, D("0.0125")) == D("1.75")


def test_deduct_step_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="positive"):
        deduct("1", step="0")


# --- periodic check ----------------------------------------------------------------------------------


def periodic_indicator(maximum: str = "2.4", penalty: str = "0.2") -> Indicator:
    """Dingtao 4: each month of 2022, +0.2 when the error rate is 0, −0.2 when it is not."""
    return indicator(
        {
            "kind": "periodic_check",
            "value": {"type": "percent"},
            "met": {"equals": "0"},
            "reward": "0.2",
            "penalty": penalty,
        },
        maximum=maximum,
        periods={"start": "2022-01", "end": "2022-12"},
    )


def months(values: dict[str, str]) -> dict[Key, Decimal]:
    return {(period, None): D(v) for period, v in values.items()}


def test_periodic_all_met_earns_maximum() -> None:
    ind = periodic_indicator()
    assert score_indicator(ind, months(dict.fromkeys(MONTHS_2022, "0"))) == D("2.4")


def test_periodic_reward_and_penalty() -> None:
    ind = periodic_indicator()
    obs = months(dict.fromkeys(MONTHS_2022[:9], "0") | dict.fromkeys(MONTHS_2022[9:], "0.001"))
    assert score_indicator(ind, obs) == D("1.2")  # 9 × 0.2 − 3 × 0.2
    assert score_indicator(ind, months({"2022-01": "0", "2022-02": "0"})) == D("0.4")


def test_periodic_clamped_to_zero_and_maximum() -> None:
    assert score_indicator(periodic_indicator(), months(dict.fromkeys(MONTHS_2022, "0.01"))) == 0
    assert score_indicator(periodic_indicator(), months({"2022-01": "0.01", "2022-02": "0"})) == 0
    small = periodic_indicator(maximum="1")
    assert score_indicator(small, months(dict.fromkeys(MONTHS_2022, "0"))) == 1


def test_periodic_total_is_clamped_not_each_step() -> None:
    """The month order does not matter: the sum of rewards and penalties is clamped once."""
    ind = periodic_indicator(maximum="1", penalty="1")
    obs = months(dict.fromkeys(MONTHS_2022[:6], "0") | {"2022-07": "0.5"})
    assert score_indicator(ind, obs) == D("0.2")  # 6 × 0.2 − 1 = 0.2, not min(1.2, 1) − 1 = 0


def test_periodic_ignores_periods_outside_the_plan() -> None:
    ind = periodic_indicator()
    obs = months({"2021-12": "0", "2023-01": "0", "2022-03": "0"}) | {(None, None): D(0), ("2022-04", "x"): D(0)}
    assert score_indicator(ind, obs) == D("0.2")
    bad_outside = months({"2021-12": "0.5", "2023-01": "0.5", "2022-03": "0"})
    assert score_indicator(ind, bad_outside) == D("0.2")


def test_periodic_leaf_without_figures_is_zero() -> None:
    rule = periodic("at_least", "100%", "0.2", "0.2")
    assert leaf_points(rule, D("2.4"), {}) == 0
    assert leaf_points(rule, D("2.4"), {"2022-01": D(1), "2022-02": D("0.99")}) == 0
    assert leaf_points(rule, D("2.4"), {"2022-01": D(1), "2022-02": D(1)}) == D("0.4")


def test_periods_months_cross_a_year() -> None:
    assert Periods(start="2021-11", end="2022-02").months() == ["2021-11", "2021-12", "2022-01", "2022-02"]
    with pytest.raises(ValidationError):
        Periods(start="2022-13", end="2022-12")


# --- count, fraction, yes/no, assessed ----------------------------------------------------------------


def test_count_capped_at_maximum() -> None:
    """Dingtao 9: 0.2 per domain, 20 domains earn the full 4."""
    rule = CountRule(kind="count", per=D("0.2"))
    assert one(rule, 4, 0) == 0
    assert one(rule, 4, 7) == D("1.4")
    assert one(rule, 4, 19) == D("3.8")
    assert one(rule, 4, 20) == 4
    assert one(rule, 4, 35) == 4


def test_fraction_with_rounding() -> None:
    rule = FractionRule.model_validate({"kind": "fraction", "round": 2})
    assert one(rule, 1, D("0.87")) == D("0.87")
    assert one(rule, 1, D("0.875")) == D("0.88")
    assert one(rule, 1, D("0.8749")) == D("0.87")
    assert one(rule, 2, D("0.4321")) == D("0.86")
    assert one(rule, 1, D(1)) == 1
    unrounded = FractionRule.model_validate({"kind": "fraction"})
    assert one(unrounded, 2, D("0.4321")) == D("0.8642")


def test_fraction_above_full_share_is_clamped() -> None:
    rule = FractionRule(kind="fraction")
    assert one(rule, 1, D("1.3")) == 1


def test_yes_no_earns_yes() -> None:
    rule = YesNoRule(kind="yes_no")
    assert one(rule, 1, 1) == 1
    assert one(rule, 1, 0) == 0
    assert leaf_points(rule, D(1), {}) == 0


def test_yes_no_earns_no() -> None:
    rule = YesNoRule.model_validate({"kind": "yes_no", "earns": "no", "question": "是否发生失信事件"})
    assert one(rule, 2, 0) == 2
    assert one(rule, 2, 1) == 0
    assert rule.value.type is ValueType.YES_NO


def test_assessed_is_the_figure_within_bounds() -> None:
    rule = AssessedRule(kind="assessed")
    assert one(rule, 5, D("3.5")) == D("3.5")
    assert one(rule, 5, 7) == 5
    assert one(rule, 5, -1) == 0
    assert rule.value.type is ValueType.POINTS


# --- sum ---------------------------------------------------------------------------------------------


def test_sum_capped_below_item_maxima() -> None:
    """Dingtao 7 style: eight categories of 0.5 — but capped at 3 here, below their sum of 4."""
    names = ["社保", "纳税", "公积金", "水", "电", "气", "仓储物流", "知识产权"]
    each = {
        "max": "0.5",
        "rule": {
            "kind": "bands",
            "value": {"type": "count"},
            "bands": [{"when": {"at_least": "20万"}, "points": "0.5"}],
        },
    }
    ind = indicator({"kind": "sum", "items": names, "each": each}, maximum="3")
    assert [i.name for i in ind.items()] == names
    obs: dict[Key, Decimal] = {(None, n): D(200_000) for n in names[:5]}
    assert score_indicator(ind, obs) == D("2.5")
    obs |= {(None, n): D(300_000) for n in names[5:]}
    assert sum(item_points(ind, obs).values()) == 4
    assert score_indicator(ind, obs) == 3


def test_sum_of_mixed_items_and_unknown_names_ignored() -> None:
    ind = indicator(
        {
            "kind": "sum",
            "items": [
                {"name": "档案", "max": "1", "rule": {"kind": "yes_no"}},
                {"name": "比例", "max": "2", "rule": {"kind": "fraction", "round": 2}},
                {"name": "领域", "max": "2", "rule": {"kind": "count", "per": "0.5"}},
            ],
        },
        maximum="3",
    )
    obs: dict[Key, Decimal] = {(None, "档案"): D(1), (None, "比例"): D("0.333"), (None, "别的"): D(100)}
    assert item_points(ind, obs) == {"档案": 1, "比例": D("0.67"), "领域": 0}
    assert score_indicator(ind, obs) == D("1.67")
    obs[(None, "领域")] = D(10)
    assert item_points(ind, obs) == {"档案": 1, "比例": D("0.67"), "领域": 2}
    assert score_indicator(ind, obs) == 3


def test_sum_items_by_name_need_each() -> None:
    with pytest.raises(ValidationError, match="each"):
        SumRule.model_validate({"kind": "sum", "items": ["a", "b"]})


def shuang_gongshi(reading: str | None = None, item_max: str = "2.4", maximum: str = "4.8") -> Indicator:
    """Dingtao 5: two monthly items, each +0.2 at 100% and −0.2 below, under the given `clamp` reading."""
    rule: dict[str, Any] = {
        "kind": "sum",
        "items": ["合规率", "及时率"],
        "each": {
            "max": item_max,
            "rule": {
                "kind": "periodic_check",
                "value": {"type": "percent"},
                "met": {"at_least": "100%"},
                "reward": "0.2",
                "penalty": "0.2",
            },
        },
    }
    if reading is not None:
        rule["clamp"] = reading
    return indicator(rule, maximum=maximum, periods={"start": "2022-01", "end": "2022-12"})


def checks(item: str, met: int = 0, missed: int = 0) -> dict[Key, Decimal]:
    """`met` months at 100% from January, then `missed` months at 99%."""
    figures = [D(1)] * met + [D("0.99")] * missed
    return {(month, item): figure for month, figure in zip(MONTHS_2022, figures, strict=False)}


def test_sum_of_periodic_items() -> None:
    """Dingtao 5, either clamp: 合规率 12 × 0.2 = 2.4; 及时率 10 × 0.2 − 1 × 0.2 = 1.8; 4.2 in all."""
    for reading in (None, "items", "indicator"):
        ind = shuang_gongshi(reading)
        obs = checks("合规率", met=12) | checks("及时率", met=10, missed=1)
        assert item_points(ind, obs) == {"合规率": D("2.4"), "及时率": D("1.8")}
        assert score_indicator(ind, obs) == D("4.2")


def test_sum_clamp_defaults_to_items_and_knows_two_readings() -> None:
    """Plan files written before `clamp` existed keep their per-item floors; a typo is an error."""
    rule = {"kind": "sum", "items": ["a"], "each": {"max": 1, "rule": {"kind": "assessed"}}}
    assert SumRule.model_validate(rule).clamp == "items"
    assert SumRule.model_validate(rule | {"clamp": "indicator"}).clamp == "indicator"
    with pytest.raises(ValidationError, match="clamp"):
        SumRule.model_validate(rule | {"clamp": "each"})


@pytest.mark.parametrize(
    ("met_1", "met_2", "missed_2", "by_indicator", "by_items", "parts"),
    [
        # Dingtao 5 (分值 4.8): "行政许可、行政处罚信息合规率、及时率按月统计，每个单项达到100%的得0.2分，
        # 出现一次未达到100%的，扣0.2分。" Each row: (合规率 months met, 及时率 months met, 及时率 months
        # missed) → points under clamp: indicator, under clamp: items, and what each item adds.
        # 合规率 12 × 0.2 = 2.4; 及时率 9 × 0.2 − 3 × 0.2 = 1.2; 2.4 + 1.2 = 3.6 (no item below 0: alike)
        pytest.param(12, 9, 3, "3.6", "3.6", ("2.4", "1.2"), id="3-missed-months-alike"),
        # 合规率 2 × 0.2 = 0.4; 及时率 −5 × 0.2 = −1.0; 0.4 − 1.0 = −0.6, floored at 0 (items: 0.4 + 0)
        pytest.param(2, 0, 5, "0", "0.4", ("0.4", "-1.0"), id="deficit-takes-合规率-points-floor-0"),
        # 合规率 2.4; 及时率 −5 × 0.2 = −1.0; 2.4 − 1.0 = 1.4 (items: 2.4 + 0)
        pytest.param(12, 0, 5, "1.4", "2.4", ("2.4", "-1.0"), id="deficit-below-the-floor-still-counts"),
        # 合规率 2.4; 及时率 1 × 0.2 − 2 × 0.2 = −0.2; 2.4 − 0.2 = 2.2 (items: 2.4 + 0)
        pytest.param(12, 1, 2, "2.2", "2.4", ("2.4", "-0.2"), id="small-deficit"),
        # 合规率 2.4; 及时率 12 × 0.2 = 2.4; 4.8, the indicator's maximum
        pytest.param(12, 12, 0, "4.8", "4.8", ("2.4", "2.4"), id="all-24-checks-met"),
    ],
)
def test_a_missed_month_costs_its_0_2_under_the_indicator_clamp(
    met_1: int, met_2: int, missed_2: int, by_indicator: str, by_items: str, parts: tuple[str, str]
) -> None:
    """Dingtao 5: the floor of 0 and the cap of 4.8 belong to the indicator, not to each item."""
    obs = checks("合规率", met=met_1) | checks("及时率", met=met_2, missed=missed_2)
    ind = shuang_gongshi("indicator")
    assert score_indicator(ind, obs) == D(by_indicator)
    assert item_points(ind, obs) == {"合规率": D(parts[0]), "及时率": D(parts[1])}
    assert score_indicator(shuang_gongshi("items"), obs) == D(by_items)


def test_under_the_indicator_clamp_an_item_keeps_its_cap_and_the_total_its_maximum() -> None:
    """An item never adds more than its own max; the sum never passes the indicator's max."""
    obs = checks("合规率", met=12) | checks("及时率", met=12)
    capped_items = shuang_gongshi("indicator", item_max="1", maximum="2")
    assert item_points(capped_items, obs) == {"合规率": 1, "及时率": 1}  # 12 × 0.2 = 2.4, capped at 1
    assert score_indicator(capped_items, obs) == 2
    capped_total = shuang_gongshi("indicator", maximum="3")
    assert score_indicator(capped_total, obs) == 3  # 2.4 + 2.4 = 4.8, capped at 3
    # The cap applies once, to the net: 7 × 0.2 − 0.2 = 1.2, capped at 1 (capping January–July at 1
    # before August's penalty would leave 0.8).
    obs = checks("合规率", met=7, missed=1) | checks("及时率", met=12)
    assert item_points(capped_items, obs) == {"合规率": 1, "及时率": 1}


def test_under_the_indicator_clamp_a_deduction_beyond_an_item_takes_from_the_others() -> None:
    """A deduct item below 0 (2 − 6 × 0.5 = −1) takes 1 from a yes/no item; per-item floors would not."""
    items = [
        {"name": "可访问性", "max": "2", "rule": {"kind": "deduct", "per": "0.5"}},
        {"name": "同步", "max": "1", "rule": {"kind": "yes_no"}},
    ]
    obs: dict[Key, Decimal] = {(None, "可访问性"): D(6), (None, "同步"): D(1)}
    by_indicator = indicator({"kind": "sum", "items": items, "clamp": "indicator"}, maximum="3")
    assert item_points(by_indicator, obs) == {"可访问性": -1, "同步": 1}
    assert score_indicator(by_indicator, obs) == 0  # −1 + 1
    by_items = indicator({"kind": "sum", "items": items}, maximum="3")
    assert item_points(by_items, obs) == {"可访问性": 0, "同步": 1}
    assert score_indicator(by_items, obs) == 1  # 0 + 1
    [(item, hint)] = indicator_hints(by_indicator, obs)
    assert item == "可访问性"
    assert hint.params["missing"] == "3"  # 2 − (−1): three deductions of 0.5 past the item's 0 count


def test_hints_under_the_indicator_clamp_still_name_missed_months_below_zero() -> None:
    """及时率 at −1.0 (5 months missed): each missed month cost 0.2 of the total, and the hint says so."""
    ind = shuang_gongshi("indicator")
    obs = checks("合规率", met=2) | checks("及时率", missed=5)
    hints = indicator_hints(ind, obs)
    assert [(item, h.key) for item, h in hints] == [
        ("合规率", "hint_periods_open"),
        ("及时率", "hint_periods_missed"),
        ("及时率", "hint_periods_open"),
    ]
    assert hints[0][1].params["periods"] == "2022-03…2022-12 (10)"
    assert hints[1][1].params == {"periods": "2022-01, 2022-02, 2022-03, 2022-04, 2022-05", "penalty": "0.2"}
    assert hints[2][1].params["periods"] == "2022-06…2022-12 (7)"


# --- hints ------------------------------------------------------------------------------------------


def test_hints_empty_at_full_points() -> None:
    ind = indicator({"kind": "count", "per": "0.2"}, maximum="4")
    assert indicator_hints(ind, {(None, None): D(20)}) == []


def test_hints_name_what_is_missing() -> None:
    ind = indicator({"kind": "count", "per": "0.2"}, maximum="4")
    [(item, hint)] = indicator_hints(ind, {(None, None): D(17)})
    assert item is None
    assert hint.key == "hint_count"
    assert hint.params == {"per": "0.2", "need": "3", "missing": "0.6"}
    [(_, not_reported)] = indicator_hints(ind, {})
    assert not_reported.key == "hint_not_reported"


def test_hints_linear_and_bands_targets() -> None:
    lin = indicator(
        {"kind": "linear", "value": {"type": "amount", "unit": "亿元"}, "zero_at": "3亿", "full_at": "10亿"}, "6"
    )
    [(_, hint)] = indicator_hints(lin, {(None, None): D("8E8")})
    assert hint.params == {"target": "10亿元", "max": "6", "missing": "1.71"}
    band = indicator(
        {
            "kind": "bands",
            "value": {"type": "count"},
            "bands": [{"when": {"above": "7000万"}, "points": 10}, {"when": {"above": "4000万"}, "points": 5}],
        },
        "10",
    )
    [(_, hint)] = indicator_hints(band, {(None, None): D(1000)})
    assert hint.key == "hint_band"
    assert hint.params["points"] == "5"
    [(_, hint)] = indicator_hints(band, {(None, None): D(50_000_000)})
    assert hint.params["points"] == "10"


def test_hints_periodic_missed_and_open() -> None:
    ind = periodic_indicator()
    obs = months({"2022-01": "0", "2022-02": "0.01"})
    hints = [h for _, h in indicator_hints(ind, obs)]
    assert [h.key for h in hints] == ["hint_periods_missed", "hint_periods_open"]
    assert hints[0].params["periods"] == "2022-02"
    assert hints[1].params["periods"] == "2022-03…2022-12 (10)"


# --- clamp and display -------------------------------------------------------------------------------


def test_clamp() -> None:
    assert clamp(D(-1), D(5)) == 0
    assert clamp(D(6), D(5)) == 5
    assert clamp(D("2.5"), D(5)) == D("2.5")


@pytest.mark.parametrize(
    ("points", "shown"),
    [
        (D(30) / D(7), "4.29"),
        (D("4.80"), "4.8"),
        (D(20), "20"),
        (D("1E+2"), "100"),
        (D("2E+1"), "20"),
        (D("0E-10"), "0"),
        (D("0.005"), "0.01"),
        (D("0.0049"), "0"),
        (D("-0.001"), "0"),
        (D("2.4000000000000000000000001"), "2.4"),
    ],
)
def test_display_points(points: Decimal, shown: str) -> None:
    assert display_points(points) == shown


# === properties ===================================================================================

figures = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
thresholds = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
maxima = st.decimals(min_value="0.1", max_value=100, places=2, allow_nan=False, allow_infinity=False)
shares = st.decimals(min_value=0, max_value="1.5", places=6, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=10_000).map(D)
ranks = st.decimals(min_value=1, max_value=300, places=1, allow_nan=False, allow_infinity=False)
small_positive = st.decimals(min_value="0.01", max_value=10, places=2, allow_nan=False, allow_infinity=False)
roundings = st.none() | st.integers(min_value=0, max_value=4)


def within(points: Decimal, maximum: Decimal) -> None:
    assert 0 <= points <= maximum
    assert isinstance(points, Decimal)
    assert DISPLAY.match(display_points(points)), display_points(points)


@st.composite
def linear_rules(draw: st.DrawFn) -> LinearRule:
    zero, full = draw(thresholds), draw(thresholds)
    assume(zero != full)
    places = draw(roundings)
    extra: dict[str, Any] = {} if places is None else {"round": places}
    return linear(fmt(zero), fmt(full), **extra)


@FAST
@given(rule=linear_rules(), maximum=maxima, a=figures, b=figures)
def test_linear_bounded_and_monotonic_toward_full_at(
    rule: LinearRule, maximum: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    p_low, p_high = one(rule, maximum, low), one(rule, maximum, high)
    within(p_low, maximum)
    within(p_high, maximum)
    rising = D(rule.full_at) > D(rule.zero_at)
    if rising:
        assert p_low <= p_high
    else:
        assert p_low >= p_high
    if rule.round is None:
        assert one(rule, maximum, D(rule.full_at)) == maximum
    assert one(rule, maximum, D(rule.zero_at)) == 0


@FAST
@given(
    zero=st.integers(min_value=0, max_value=50),
    width=st.integers(min_value=1, max_value=50),
    offset=st.integers(min_value=0, max_value=50),
    maximum=st.integers(min_value=1, max_value=20),
)
def test_linear_exact_in_28_digits(zero: int, width: int, offset: int, maximum: int) -> None:
    """Inside the range the points are max·(v − zero)/(full − zero), computed once in a 28-digit context."""
    assume(offset <= width)
    rule = linear(f"{zero}亿", f"{zero + width}亿", "amount", spec={"unit": "亿元"})
    got = one(rule, maximum, D(zero + offset) * D("1E8"))
    with localcontext() as ctx:
        ctx.prec = 28
        share = D(offset) / D(width)
        expected = D(maximum) * share
    assert got == expected
    assert abs(got * width - maximum * offset) < D("1E-24")


@st.composite
def ordered_bands(draw: st.DrawFn) -> BandsRule:
    """Bands a plan would write: thresholds from high to low, points from high to low."""
    size = draw(st.integers(min_value=1, max_value=4))
    limits = sorted(draw(st.lists(thresholds, min_size=size, max_size=size, unique=True)), reverse=True)
    points = sorted(draw(st.lists(small_positive, min_size=size, max_size=size)), reverse=True)
    otherwise = draw(st.decimals(min_value=0, max_value=points[-1], places=2, allow_nan=False, allow_infinity=False))
    op = draw(st.sampled_from(["at_least", "above"]))
    return bands("number", [(op, fmt(t), fmt(p)) for t, p in zip(limits, points, strict=True)], fmt(otherwise))


@FAST
@given(rule=ordered_bands(), maximum=maxima, a=figures, b=figures)
def test_bands_bounded_and_monotonic_when_ordered(rule: BandsRule, maximum: Decimal, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    p_low, p_high = one(rule, maximum, low), one(rule, maximum, high)
    within(p_low, maximum)
    within(p_high, maximum)
    assert p_low <= p_high
    earned = {min(b.points, maximum) for b in rule.bands} | {min(rule.otherwise, maximum)}
    assert p_low in earned


@FAST
@given(
    full_within=st.integers(min_value=1, max_value=30),
    step=st.integers(min_value=1, max_value=20),
    per_step=small_positive,
    zero_beyond=st.integers(min_value=1, max_value=200),
    maximum=maxima,
    a=ranks,
    b=ranks,
)
def test_rank_steps_bounded_and_non_increasing_in_rank(
    full_within: int, step: int, per_step: Decimal, zero_beyond: int, maximum: Decimal, a: Decimal, b: Decimal
) -> None:
    rule = rank_steps(str(full_within), str(step), fmt(per_step), str(zero_beyond))
    better, worse = sorted((a, b))
    p_better, p_worse = one(rule, maximum, better), one(rule, maximum, worse)
    within(p_better, maximum)
    within(p_worse, maximum)
    assert p_better >= p_worse
    if better <= full_within:
        assert p_better == maximum


@FAST
@given(
    per=small_positive,
    allowance=st.integers(min_value=0, max_value=10),
    step=st.integers(min_value=1, max_value=10),
    rounding=st.sampled_from(["up", "down", "exact"]),
    maximum=maxima,
    a=counts,
    b=counts,
)
def test_deduct_bounded_and_non_increasing_in_figure(
    per: Decimal, allowance: int, step: int, rounding: str, maximum: Decimal, a: Decimal, b: Decimal
) -> None:
    rule = deduct(fmt(per), str(allowance), str(step), rounding)
    low, high = sorted((a, b))
    p_low, p_high = one(rule, maximum, low), one(rule, maximum, high)
    within(p_low, maximum)
    within(p_high, maximum)
    assert p_low >= p_high
    if low <= allowance:
        assert p_low == maximum


@FAST
@given(per=small_positive, allowance=shares, step=st.decimals(min_value="0.0001", max_value="0.1", places=4), a=shares)
def test_deduct_rounding_orders_up_exact_down(per: Decimal, allowance: Decimal, step: Decimal, a: Decimal) -> None:
    """For the same figure, rounding a part step up deducts most and rounding it down least."""
    maximum = D(100)
    args = (fmt(per), fmt(allowance * 100) + "%", fmt(step * 100) + "%")
    up, exact, down = (one(deduct(*args, rounding=r, vtype="percent"), maximum, a) for r in ("up", "exact", "down"))
    assert up <= exact <= down


@FAST
@given(per=small_positive, maximum=maxima, a=counts, b=counts)
def test_count_bounded_and_monotonic(per: Decimal, maximum: Decimal, a: Decimal, b: Decimal) -> None:
    rule = CountRule(kind="count", per=per)
    low, high = sorted((a, b))
    p_low, p_high = one(rule, maximum, low), one(rule, maximum, high)
    within(p_low, maximum)
    within(p_high, maximum)
    assert p_low <= p_high
    assert p_low == min(per * low, maximum)


@FAST
@given(places=roundings, maximum=maxima, a=shares, b=shares)
def test_fraction_bounded_and_monotonic(places: int | None, maximum: Decimal, a: Decimal, b: Decimal) -> None:
    rule = FractionRule(kind="fraction", round=places)
    low, high = sorted((a, b))
    p_low, p_high = one(rule, maximum, low), one(rule, maximum, high)
    within(p_low, maximum)
    within(p_high, maximum)
    assert p_low <= p_high
    if places is None and high <= 1:
        assert p_high == maximum * high


@FAST
@given(
    op=st.sampled_from(["at_least", "above", "at_most", "below", "equals"]),
    threshold=st.decimals(min_value=0, max_value=1, places=2),
    reward=small_positive,
    penalty=st.decimals(min_value=0, max_value=5, places=2),
    maximum=maxima,
    reported=st.dictionaries(
        st.sampled_from(MONTHS_2022), st.decimals(min_value=0, max_value=1, places=2), max_size=12
    ),
    flip=st.sampled_from(MONTHS_2022),
)
def test_periodic_bounded_and_a_met_month_never_lowers(
    op: str,
    threshold: Decimal,
    reward: Decimal,
    penalty: Decimal,
    maximum: Decimal,
    reported: dict[str | None, Decimal],
    flip: str,
) -> None:
    rule = periodic(op, fmt(threshold * 100) + "%", fmt(reward), fmt(penalty))
    values = dict(reported)
    before = leaf_points(rule, maximum, values)
    within(before, maximum)
    met = sum((1 for v in values.values() if rule.met.holds(v, rule.value)), 0)
    assert before == clamp(reward * met - penalty * (len(values) - met), maximum)
    values[flip] = threshold + {"above": D(1), "below": D(-1)}.get(op, D(0))
    assert rule.met.holds(values[flip], rule.value)
    after = leaf_points(rule, maximum, values)
    within(after, maximum)
    assert after >= before


@FAST
@given(value=st.integers(min_value=0, max_value=1).map(D), earns=st.sampled_from(["yes", "no"]), maximum=maxima)
def test_yes_no_all_or_nothing(value: Decimal, earns: str, maximum: Decimal) -> None:
    rule = YesNoRule.model_validate({"kind": "yes_no", "earns": earns})
    points = one(rule, maximum, value)
    within(points, maximum)
    assert points == (maximum if (value == 1) == (earns == "yes") else 0)


@FAST
@given(value=figures, maximum=maxima)
def test_assessed_bounded(value: Decimal, maximum: Decimal) -> None:
    points = one(AssessedRule(kind="assessed"), maximum, value)
    within(points, maximum)
    assert points == clamp(value, maximum)


@FAST
@given(
    item_maxima=st.lists(small_positive, min_size=1, max_size=6),
    per=small_positive,
    cap=maxima,
    reports=st.lists(counts, min_size=6, max_size=6),
)
def test_sum_bounded_by_cap(item_maxima: list[Decimal], per: Decimal, cap: Decimal, reports: list[Decimal]) -> None:
    items = [
        {"name": f"项{i}", "max": fmt(m), "rule": {"kind": "count", "per": fmt(per)}} for i, m in enumerate(item_maxima)
    ]
    ind = indicator({"kind": "sum", "items": items}, maximum=fmt(cap))
    obs: dict[Key, Decimal] = {(None, f"项{i}"): v for i, v in enumerate(reports)}
    points = score_indicator(ind, obs)
    within(points, cap)
    parts = item_points(ind, obs)
    assert all(0 <= parts[f"项{i}"] <= m for i, m in enumerate(item_maxima))
    assert points == min(sum(parts.values(), D(0)), cap)


def check_indicator_clamp(items: list[dict[str, Any]], cap: Decimal, obs: dict[Key, Decimal], **extra: Any) -> None:
    """Under `clamp: indicator` the parts may be negative but never above their max, and the total is
    their sum within [0, max]: at most what per-item floors give, and the same when no part is below 0."""
    by_indicator = indicator({"kind": "sum", "items": items, "clamp": "indicator"}, maximum=fmt(cap), **extra)
    by_items = indicator({"kind": "sum", "items": items}, maximum=fmt(cap), **extra)
    parts = item_points(by_indicator, obs)
    assert all(parts[item["name"]] <= D(item["max"]) for item in items)
    total = score_indicator(by_indicator, obs)
    within(total, cap)
    assert total == clamp(sum(parts.values(), D(0)), cap)
    floored = score_indicator(by_items, obs)
    assert total <= floored
    if all(p >= 0 for p in parts.values()):
        assert total == floored


@FAST
@given(
    per=small_positive,
    item_maxima=st.lists(small_positive, min_size=2, max_size=2),
    cap=maxima,
    deducted=counts,
    counted=counts,
)
def test_indicator_clamp_with_a_deduction(
    per: Decimal, item_maxima: list[Decimal], cap: Decimal, deducted: Decimal, counted: Decimal
) -> None:
    items = [
        {"name": "扣分项", "max": fmt(item_maxima[0]), "rule": {"kind": "deduct", "per": fmt(per)}},
        {"name": "计数项", "max": fmt(item_maxima[1]), "rule": {"kind": "count", "per": fmt(per)}},
    ]
    check_indicator_clamp(items, cap, {(None, "扣分项"): deducted, (None, "计数项"): counted})


@FAST
@given(
    item_maxima=st.lists(small_positive, min_size=2, max_size=2),
    cap=maxima,
    first=st.dictionaries(st.sampled_from(MONTHS_2022), st.booleans(), max_size=12),
    second=st.dictionaries(st.sampled_from(MONTHS_2022), st.booleans(), max_size=12),
)
def test_indicator_clamp_with_monthly_checks(
    item_maxima: list[Decimal], cap: Decimal, first: dict[str, bool], second: dict[str, bool]
) -> None:
    monthly = {
        "kind": "periodic_check",
        "value": {"type": "percent"},
        "met": {"at_least": "100%"},
        "reward": "0.2",
        "penalty": "0.2",
    }
    items = [
        {"name": name, "max": fmt(m), "rule": monthly}
        for name, m in zip(["合规率", "及时率"], item_maxima, strict=True)
    ]
    obs: dict[Key, Decimal] = {(m, "合规率"): D(1) if met else D("0.9") for m, met in first.items()}
    obs |= {(m, "及时率"): D(1) if met else D("0.9") for m, met in second.items()}
    check_indicator_clamp(items, cap, obs, periods={"start": "2022-01", "end": "2022-12"})


@FAST
@given(points=st.decimals(min_value=0, max_value=10**6, places=20, allow_nan=False, allow_infinity=False))
def test_display_two_places_no_exponent(points: Decimal) -> None:
    shown = display_points(points)
    assert DISPLAY.match(shown), shown
    assert "E" not in shown.upper()
    assert abs(D(shown) - points) <= D("0.005")


@FAST
@given(
    mantissa=st.integers(min_value=0, max_value=10**6),
    exponent=st.integers(min_value=-30, max_value=3),
)
def test_display_of_exponent_form_decimals(mantissa: int, exponent: int) -> None:
    """Decimals arriving in exponent form (1E+2, 5E-7) still show as plain numbers."""
    points = D(mantissa).scaleb(exponent)
    shown = display_points(points)
    assert DISPLAY.match(shown), shown
    assert abs(D(shown) - points) <= D("0.005")
