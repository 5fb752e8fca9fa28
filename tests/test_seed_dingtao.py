"""The Dingtao 2022 plan file against its seed: structure, references, and every indicator scored.

Each scoring case quotes the seed sentence (附件2, 指标释义) it checks. Figures are read the way a
liaison would type them after `/report <code>`, through the indicator's own value spec.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from config.plan_loader import load_plan_file, shipped_plan_paths
from config.plan_schema import Indicator, Plan, SumRule
from config.values import ValueParseError
from models.scoring import display_points, find_item, indicator_hints, item_points, score_indicator, value_spec

SEED = Path("/work/shared/seeds/dingtao-2022-typical-city-plan.txt")
CODES = [str(n) for n in range(1, 16)] + ["16.1", "16.2", "16.3"]
MONTHS = [f"2022-{m:02d}" for m in range(1, 13)]
TOWNS = [
    "天中街道",
    "滨河街道",
    "仿山镇",
    "张湾镇",
    "马集镇",
    "南王店镇",
    "冉堌镇",
    "黄店镇",
    "孟海镇",
    "半堤镇",
    "杜堂镇",
]
D = Decimal

Report = tuple[str | None, str | None, str]
"""(period YYYY-MM or None, item name or None, the figure as typed)."""


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan_file(shipped_plan_paths()["dingtao-2022"])


def indicator(plan: Plan, code: str) -> Indicator:
    return next(i for i in plan.indicators if i.code == code)


def observe(ind: Indicator, reports: list[Report]) -> dict[tuple[str | None, str | None], Decimal]:
    """The latest figure per (period, item), read as `/report` reads it."""
    obs: dict[tuple[str | None, str | None], Decimal] = {}
    for period, item_name, text in reports:
        item = find_item(ind, item_name) if item_name is not None else None
        assert item_name is None or item is not None, f"no item {item_name!r} in indicator {ind.code}"
        obs[(period, item.name if item else None)] = value_spec(ind, item).read(text)
    return obs


def monthly(texts: list[str], item: str | None = None) -> list[Report]:
    """One figure per month of 2022, January first."""
    return [(month, item, text) for month, text in zip(MONTHS, texts, strict=False)]


def names_of(plan: Plan) -> dict[str, str]:
    """Every unit or group name and alias -> its canonical name."""
    out = {n: u.name for u in plan.units for n in (u.name, *u.aliases)}
    out.update({n: g.name for g in plan.groups for n in (g.name, *g.aliases)})
    return out


def expand(plan: Plan, refs: list[str]) -> set[str]:
    """The units (canonical names) that unit and group references stand for."""
    canon = names_of(plan)
    groups = {g.name: g for g in plan.groups}
    out: set[str] = set()
    stack = [canon[r] for r in refs]
    while stack:
        name = stack.pop()
        if name in groups:
            stack.extend(canon[m] for m in groups[name].members)
        else:
            out.add(name)
    return out


# --- scoring: one figure ------------------------------------------------------------------------

SINGLE = [
    # 1: "国家城市信用监测排名月均前10名（含），得20分；每后10名，扣2分；月均低于100名，该指标不得分。
    #     县、区按所在地市排名计分。"
    pytest.param("1", "1", D(20), id="1-rank-1"),
    pytest.param("1", "10", D(20), id="1-rank-10-within-top-10"),
    pytest.param("1", "11", D(18), id="1-rank-11-one-step"),
    pytest.param("1", "20", D(18), id="1-rank-20-one-step"),
    pytest.param("1", "21", D(16), id="1-rank-21-two-steps"),
    pytest.param("1", "100", D(2), id="1-rank-100-nine-steps"),
    pytest.param("1", "101", D(0), id="1-rank-101-below-100th"),
    # 2: "创建期内出现列入失信被执行人的政府及其机构，每出现1家，扣1分，扣完为止。"
    pytest.param("2", "0", D(10), id="2-none-listed"),
    pytest.param("2", "3", D(7), id="2-three-listed"),
    pytest.param("2", "10", D(0), id="2-ten-listed"),
    pytest.param("2", "12", D(0), id="2-twelve-listed-floor-0"),
    # 3: "严重失信名单主体数量占在营市场主体数量的比例低于0.3%，得4分，高于0.5%不得分。介于两者之间的按比例计分。"
    pytest.param("3", "0.45%", D(1), id="3-0.45%-quarter-way"),
    pytest.param("3", "0.4%", D(2), id="3-0.4%-half-way"),
    pytest.param("3", "0.2%", D(4), id="3-below-0.3%"),
    pytest.param("3", "0.3%", D(4), id="3-at-0.3%"),
    pytest.param("3", "0.5%", D(0), id="3-at-0.5%"),
    pytest.param("3", "0.6%", D(0), id="3-above-0.5%"),
    # 6: "常住人口数量少于100万人的县，数据量超过7000万的，得10分；数据量超过4000万的，得5分；
    #     数据量不足4000万的，该项指标不得分。"
    pytest.param("6", "7500万", D(10), id="6-7500万-above-7000万"),
    pytest.param("6", "70000001", D(10), id="6-one-above-7000万"),
    pytest.param("6", "7000万", D(5), id="6-7000万-not-above"),
    pytest.param("6", "4500万", D(5), id="6-4500万-above-4000万"),
    pytest.param("6", "4000万", D(0), id="6-4000万-not-above"),
    pytest.param("6", "3999万", D(0), id="6-below-4000万"),
    # 8: "应用比例（应用次数/市场主体数量）在创建期内超过100%的，得4分。不足100%，该项指标不得分。"
    pytest.param("8", "100.5%", D(4), id="8-above-100%"),
    pytest.param("8", "250%", D(4), id="8-well-above-100%"),
    pytest.param("8", "100%", D(0), id="8-at-100%-not-above"),
    pytest.param("8", "99%", D(0), id="8-below-100%"),
    # 9: "信用惠民便企应用领域达到20个，得4分，缺少一个领域扣0.2分。"
    pytest.param("9", "20", D(4), id="9-20-domains"),
    pytest.param("9", "19", D("3.8"), id="9-19-domains"),
    pytest.param("9", "25", D(4), id="9-25-domains-capped"),
    pytest.param("9", "0", D(0), id="9-no-domain"),
    # 10: "全国“信易贷”平台注册的企业占当地在营企业数量的比例超过3%，得6分；低于1%，不得分。介于两者之间的按比例计分。"
    pytest.param("10", "3%", D(6), id="10-3%"),
    pytest.param("10", "4%", D(6), id="10-above-3%"),
    pytest.param("10", "2%", D(3), id="10-2%-half-way"),
    pytest.param("10", "1%", D(0), id="10-1%"),
    pytest.param("10", "0.5%", D(0), id="10-below-1%"),
    # 11: "区授信金额或放款金额达到10亿元，得6分；低于3亿元，不得分。介于两者之间的按比例计分。"
    pytest.param("11", "10亿", D(6), id="11-10亿"),
    pytest.param("11", "12亿元", D(6), id="11-above-10亿"),
    pytest.param("11", "6.5亿", D(3), id="11-6.5亿-half-way"),
    pytest.param("11", "3亿", D(0), id="11-3亿"),
    pytest.param("11", "2亿", D(0), id="11-below-3亿"),
    # 12: "覆盖监管领域的数量达到20个，得4分，缺少一个领域扣0.2分。"
    pytest.param("12", "20", D(4), id="12-20-domains"),
    pytest.param("12", "19", D("3.8"), id="12-19-domains"),
    pytest.param("12", "25", D(4), id="12-25-domains-capped"),
    # 13: "…信息数量与辖区内企业总数的比值，达到80%的，得6分；低于50%的不得分；介于两者之间的按比例计分。"
    pytest.param("13", "80%", D(6), id="13-80%"),
    pytest.param("13", "120%", D(6), id="13-above-100%-allowed"),
    pytest.param("13", "65%", D(3), id="13-65%-half-way"),
    pytest.param("13", "50%", D(0), id="13-50%"),
    pytest.param("13", "40%", D(0), id="13-below-50%"),
    # 15: "信用方面创新做法和典型经验被国家部委以上认定并推广的，每项得1分。该项指标最高2分。"
    pytest.param("15", "0", D(0), id="15-none"),
    pytest.param("15", "1", D(1), id="15-one"),
    pytest.param("15", "3", D(2), id="15-three-capped"),
    # 16.1: "…提升中小微企业和新型农业经营主体信用意识，工作进展显著，得4分。" (assessed)
    pytest.param("16.1", "4", D(4), id="16.1-assessed-4"),
    pytest.param("16.1", "2.5", D("2.5"), id="16.1-assessed-2.5"),
    # 16.2: "…联合工作机制…的，得1分；积极清理…取得较好成效的，得1分；积极打击…取得较好成效，得1分。"
    pytest.param("16.2", "2", D(2), id="16.2-two-of-three"),
    pytest.param("16.2", "3", D(3), id="16.2-all-three"),
    pytest.param("16.2", "0", D(0), id="16.2-none"),
    # 16.3: "辖区内未发生重大区域金融风险，得3分；辖区内出现重大区域金融风险，引发较大负面影响和广泛社会关注的，得0分。"
    pytest.param("16.3", "0", D(3), id="16.3-no-event"),
    pytest.param("16.3", "1", D(0), id="16.3-one-event"),
]


@pytest.mark.parametrize(("code", "text", "expected"), SINGLE)
def test_single_figure(plan: Plan, code: str, text: str, expected: Decimal) -> None:
    ind = indicator(plan, code)
    assert score_indicator(ind, observe(ind, [(None, None, text)])) == expected


def test_report_3_at_0_45_percent_is_exactly_1(plan: Plan) -> None:
    # 3: "严重失信名单主体数量占在营市场主体数量的比例低于0.3%，得4分，高于0.5%不得分。介于两者之间的按比例计分。"
    # `/report 3 0.45%`: a quarter of the way from 0.5% to 0.3%, a quarter of 4 points.
    ind = indicator(plan, "3")
    points = score_indicator(ind, observe(ind, [(None, None, "0.45%")]))
    assert points == Decimal(1)
    assert display_points(points) == "1"


@pytest.mark.parametrize("text", ["8亿", "8", "8亿元", "80000万元"])
def test_report_11_at_8_yi_is_exactly_30_over_7(plan: Plan, text: str) -> None:
    # 11: "区授信金额或放款金额达到10亿元，得6分；低于3亿元，不得分。介于两者之间的按比例计分。"
    # 8亿 is 5/7 of the way from 3亿 to 10亿: 6 × 5/7 = 30/7 points, kept exact and shown as 4.29.
    ind = indicator(plan, "11")
    points = score_indicator(ind, observe(ind, [(None, None, text)]))
    assert points == Decimal(30) / Decimal(7)
    assert display_points(points) == "4.29"
    twenty = Decimal(1).scaleb(-20)
    assert points.quantize(twenty) == (Decimal(30) / Decimal(7)).quantize(twenty)
    assert points.quantize(twenty) == Decimal("4.28571428571428571429")


# --- scoring: several figures (months, items) ---------------------------------------------------

ZEROS = ["0"] * 12
ITEMS_7 = ["社保", "纳税", "公积金", "水", "电", "气", "仓储物流", "知识产权"]
ITEMS_14 = ["制度体系", "组织保障", "人员配备", "经费支持"]

SEVERAL = [
    # 4: "地市级统一社会信用代码重错率按月统计核算，重错率为0的得0.2分，不为0的，扣0.2分。"
    pytest.param("4", monthly(ZEROS), D("2.4"), id="4-twelve-months-at-0"),
    pytest.param("4", monthly(["0"] * 11 + ["0.01%"]), D("2.0"), id="4-eleven-met-one-missed"),
    pytest.param("4", monthly(["0.02%"] * 12), D(0), id="4-twelve-missed-floor-0"),
    pytest.param("4", monthly(["0"] * 6), D("1.2"), id="4-six-months-so-far"),
    # 5: "合规率、及时率按月统计，每个单项达到100%的得0.2分，出现一次未达到100%的，扣0.2分。"
    pytest.param(
        "5", monthly(["100%"] * 12, "合规率") + monthly(["100%"] * 12, "及时率"), D("4.8"), id="5-24-checks-met"
    ),
    pytest.param(
        "5", monthly(["100%"] * 12, "合规率") + monthly(["100%"] * 11 + ["99.5%"], "及时率"), D("4.4"), id="5-one-miss"
    ),
    pytest.param("5", monthly(["100%"] * 12, "合规率"), D("2.4"), id="5-合规率-only"),
    # 5, the floor and the 4.8 belong to the one indicator (clamp: indicator), so a 及时率 month below
    # 100% costs 0.2 of the total even when 及时率's own net is at or below 0:
    # 合规率 12 × 0.2 = 2.4; 及时率 9 × 0.2 − 3 × 0.2 = 1.2; 2.4 + 1.2 = 3.6.
    pytest.param(
        "5",
        monthly(["100%"] * 12, "合规率") + monthly(["100%"] * 9 + ["99%"] * 3, "及时率"),
        D("3.6"),
        id="5-及时率-three-months-missed",
    ),
    # 合规率 2 × 0.2 = 0.4; 及时率 −5 × 0.2 = −1.0; 0.4 − 1.0 = −0.6, floored at 0 (not 0.4).
    pytest.param(
        "5", monthly(["100%"] * 2, "合规率") + monthly(["98%"] * 5, "及时率"), D(0), id="5-deficit-floored-at-0"
    ),
    # 合规率 2.4; 及时率 −5 × 0.2 = −1.0; 2.4 − 1.0 = 1.4 (not 2.4).
    pytest.param(
        "5",
        monthly(["100%"] * 12, "合规率") + monthly(["98%"] * 5, "及时率"),
        D("1.4"),
        id="5-及时率-deficit-takes-合规率-points",
    ),
    # 7: "累计归集整合社保、纳税、公积金、水、电、气、仓储物流、知识产权八类信用信息数量。
    #     县每类分别不少于20万条，每归集一类信息得0.5分，最高4分。"
    pytest.param("7", [(None, item, "20万") for item in ITEMS_7], D(4), id="7-eight-at-20万"),
    pytest.param(
        "7",
        [(None, item, "20万") for item in ITEMS_7[:-1]] + [(None, "知识产权", "199999")],
        D("3.5"),
        id="7-one-below-20万",
    ),
    pytest.param("7", [(None, "社保", "350000"), (None, "电", "20万条")], D(1), id="7-two-categories"),
    # 14: "制度体系、组织保障、人员配备、经费支持四个方面情况，每个单项最高0.7分。"
    pytest.param("14", [(None, item, "0.7") for item in ITEMS_14], D("2.8"), id="14-four-at-0.7"),
    pytest.param("14", [(None, "制度体系", "0.7"), (None, "经费支持", "0.5")], D("1.2"), id="14-0.7-plus-0.5"),
]


@pytest.mark.parametrize(("code", "reports", "expected"), SEVERAL)
def test_several_figures(plan: Plan, code: str, reports: list[Report], expected: Decimal) -> None:
    ind = indicator(plan, code)
    assert score_indicator(ind, observe(ind, reports)) == expected


def test_score_5_shows_what_each_item_adds_even_below_zero(plan: Plan) -> None:
    # 5: "合规率、及时率按月统计，每个单项达到100%的得0.2分，出现一次未达到100%的，扣0.2分。"
    # `/score 5` lists each item's part of the total: 合规率 2 × 0.2 = 0.4, 及时率 −5 × 0.2 = −1.0.
    ind = indicator(plan, "5")
    obs = observe(ind, monthly(["100%"] * 2, "合规率") + monthly(["98%"] * 5, "及时率"))
    assert item_points(ind, obs) == {"合规率": D("0.4"), "及时率": D("-1.0")}
    assert score_indicator(ind, obs) == 0
    # What would earn the rest still names the missed months: each of them cost 0.2 of the total.
    missed = [h.params for item, h in indicator_hints(ind, obs) if item == "及时率" and h.key == "hint_periods_missed"]
    assert missed == [{"periods": "2022-01, 2022-02, 2022-03, 2022-04, 2022-05", "penalty": "0.2"}]


def test_sum_indicators_say_where_the_floor_is(plan: Plan) -> None:
    # 5: one indicator of 4.8 whose "扣0.2分" must bite; 7: "每归集一类信息得0.5分，最高4分";
    # 14: "每个单项最高0.7分".
    clamps = {i.code: i.rule.clamp for i in plan.indicators if isinstance(i.rule, SumRule)}
    assert clamps == {"5": "indicator", "7": "items", "14": "items"}
    for code in clamps:
        assert "Clamp:" in (indicator(plan, code).note or ""), code


def test_latest_figure_per_month_counts(plan: Plan) -> None:
    # 4: "重错率为0的得0.2分，不为0的，扣0.2分。" A corrected January figure replaces the first one.
    ind = indicator(plan, "4")
    reports = monthly(ZEROS) + [("2022-01", None, "0.01%"), ("2022-01", None, "0")]
    assert score_indicator(ind, observe(ind, reports)) == D("2.4")


# --- reading figures -----------------------------------------------------------------------------

BAD = [
    pytest.param("3", None, "abc", id="3-not-a-number"),
    pytest.param("6", None, "abc", id="6-not-a-number"),
    pytest.param("1", None, "abc", id="1-not-a-number"),
    pytest.param("3", None, "120%", id="3-share-above-100%"),
    pytest.param("5", "合规率", "101%", id="5-rate-above-100%"),
    pytest.param("2", None, "-1", id="2-negative-count"),
    pytest.param("9", None, "-1", id="9-negative-count"),
    pytest.param("15", None, "1.5", id="15-count-not-whole"),
    pytest.param("7", "社保", "-1", id="7-negative-count"),
    pytest.param("1", None, "0", id="1-rank-below-1"),
    pytest.param("11", None, "8%", id="11-percent-for-amount"),
    pytest.param("14", "制度体系", "0.8", id="14-above-item-max"),
    pytest.param("16.1", None, "5", id="16.1-above-max"),
    pytest.param("16.2", None, "4", id="16.2-more-than-three-measures"),
]


@pytest.mark.parametrize(("code", "item_name", "text"), BAD)
def test_bad_figure_is_refused(plan: Plan, code: str, item_name: str | None, text: str) -> None:
    ind = indicator(plan, code)
    item = find_item(ind, item_name) if item_name else None
    with pytest.raises(ValueParseError):
        value_spec(ind, item).read(text)


def test_ratios_above_100_percent_are_accepted_where_they_can_occur(plan: Plan) -> None:
    # 8: "应用比例（应用次数/市场主体数量）…超过100%的，得4分"; 13: 信用承诺信息数量与企业总数的比值.
    assert value_spec(indicator(plan, "8"), None).read("250%") == D("2.5")
    assert value_spec(indicator(plan, "13"), None).read("120%") == D("1.2")


# --- structure ------------------------------------------------------------------------------------


def test_plan_header(plan: Plan) -> None:
    assert plan.id == "dingtao-2022"
    assert plan.name == "定陶区创建省社会信用体系建设典型城市实施方案"
    assert plan.issuer == "菏泽市定陶区人民政府办公室"
    assert plan.document == "菏定政办字〔2022〕11号"
    assert plan.issued == dt.date(2022, 4, 11)
    assert plan.timezone == "Asia/Shanghai"
    assert (plan.start, plan.end) == (dt.date(2022, 1, 1), dt.date(2022, 11, 30))
    assert plan.office is not None
    assert (plan.office.unit, plan.office.director) == ("区发改局", "李伟")
    assert (plan.max_points, plan.bonus_points) == (D(100), D(0))
    assert plan.notes


def test_indicator_codes_and_maxima(plan: Plan) -> None:
    assert [i.code for i in plan.indicators] == CODES
    assert sum((i.max for i in plan.indicators), D(0)) == Decimal(100)
    assert not any(i.bonus for i in plan.indicators)
    maxima = {i.code: i.max for i in plan.indicators}
    assert maxima == {
        "1": D(20),
        "2": D(10),
        "3": D(4),
        "4": D("2.4"),
        "5": D("4.8"),
        "6": D(10),
        "7": D(4),
        "8": D(4),
        "9": D(4),
        "10": D(6),
        "11": D(6),
        "12": D(4),
        "13": D(6),
        "14": D("2.8"),
        "15": D(2),
        "16.1": D(4),
        "16.2": D(3),
        "16.3": D(3),
    }


def test_section_16(plan: Plan) -> None:
    assert [(s.code, s.name, s.max) for s in plan.sections] == [("16", "征信体系建设及区域金融风险防范", D(10))]
    assert [i.code for i in plan.indicators if i.section == "16"] == ["16.1", "16.2", "16.3"]
    assert all(i.section is None for i in plan.indicators if not i.code.startswith("16."))


def test_indicator_rule_kinds(plan: Plan) -> None:
    kinds = {i.code: i.rule.kind for i in plan.indicators}
    assert kinds == {
        "1": "rank_steps",
        "2": "deduct",
        "3": "linear",
        "4": "periodic_check",
        "5": "sum",
        "6": "bands",
        "7": "sum",
        "8": "bands",
        "9": "count",
        "10": "linear",
        "11": "linear",
        "12": "count",
        "13": "linear",
        "14": "sum",
        "15": "count",
        "16.1": "assessed",
        "16.2": "count",
        "16.3": "bands",
    }
    assert [i.name for i in indicator(plan, "5").items()] == ["合规率", "及时率"]
    assert [i.name for i in indicator(plan, "7").items()] == ITEMS_7
    assert [i.name for i in indicator(plan, "14").items()] == ITEMS_14
    for code in ("4", "5"):
        periods = indicator(plan, code).periods
        assert periods is not None
        assert periods.months() == MONTHS


def test_indicators_carry_their_seed_columns(plan: Plan) -> None:
    for ind in plan.indicators:
        for column in (ind.name, ind.rule_text, ind.source, ind.goal, ind.units, ind.lead):
            assert column, ind.code


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is not available here")
def test_seed_sentences_are_verbatim(plan: Plan) -> None:
    seed = SEED.read_text(encoding="utf-8")
    for ind in plan.indicators:
        assert ind.rule_text in seed, ind.code
    for task in plan.tasks:
        for paragraph in (task.text or "").splitlines():
            assert paragraph in seed, task.code


def test_tasks(plan: Plan) -> None:
    assert [t.code for t in plan.tasks] == [str(n) for n in range(1, 19)]
    deadlines = {t.code: t.deadline for t in plan.tasks}
    assert deadlines["5"] == dt.date(2022, 6, 30)
    assert all(d == dt.date(2022, 11, 30) for code, d in deadlines.items() if code != "5")
    assert [t.code for t in plan.tasks if t.ongoing] == ["6"]
    groups = [t.group for t in plan.tasks]
    assert groups[0] == "（一）宣传弘扬诚信文化"
    assert len(dict.fromkeys(groups)) == 7
    assert all(t.title and t.text for t in plan.tasks)


def test_task_11_has_two_parts_and_their_union(plan: Plan) -> None:
    task = next(t for t in plan.tasks if t.code == "11")
    assert len(task.parts) == 2
    assert task.parts[0].units == ["区发改局", "各镇街"]
    assert "人民银行定陶支行" in task.parts[1].units
    union = list(dict.fromkeys(u for part in task.parts for u in part.units))
    assert task.units == union


def test_phases(plan: Plan) -> None:
    assert [(p.start, p.end) for p in plan.phases] == [
        (dt.date(2022, 1, 1), dt.date(2022, 3, 31)),
        (dt.date(2022, 4, 1), dt.date(2022, 8, 31)),
        (dt.date(2022, 9, 1), dt.date(2022, 11, 30)),
    ]
    assert all(p.text for p in plan.phases)


def test_every_reference_resolves(plan: Plan) -> None:
    names = names_of(plan)
    refs = [u for t in plan.tasks for u in (*t.units, *t.lead, *(x for p in t.parts for x in p.units))]
    refs += [u for i in plan.indicators for u in (*i.units, *i.lead)]
    refs += [m for g in plan.groups for m in g.members]
    refs += [leader.unit for leader in plan.leaders if leader.unit is not None]
    assert [r for r in refs if r not in names] == []


def test_names_and_aliases_are_unique(plan: Plan) -> None:
    every = [n for u in plan.units for n in (u.name, *u.aliases)]
    every += [n for g in plan.groups for n in (g.name, *g.aliases)]
    assert len(every) == len(set(every))


def test_leads_are_among_the_responsible_units(plan: Plan) -> None:
    entries: list[tuple[str, list[str], list[str]]] = [(t.code, t.lead, t.units) for t in plan.tasks]
    entries += [(i.code, i.lead, i.units) for i in plan.indicators]
    for code, lead, units in entries:
        assert expand(plan, lead) <= expand(plan, units), code


def test_towns_and_groups(plan: Plan) -> None:
    kinds = {u.name: u.kind for u in plan.units}
    assert [name for name, kind in kinds.items() if kind == "town"] == TOWNS
    assert expand(plan, ["各镇街"]) == set(TOWNS)
    banks = expand(plan, ["各金融机构"])
    assert len(banks) == 8
    assert "人民银行定陶支行" not in banks
    assert all(kinds[b] == "bank" for b in banks)
    assert not expand(plan, ["区直部门单位"]) & (set(TOWNS) | {"区法院", "区开发区管委会"})
    assert all(g.note for g in plan.groups if g.name != "各镇街")


def test_variant_spellings_resolve_to_one_unit(plan: Plan) -> None:
    names = names_of(plan)
    assert names["区网信办"] == names["区委网信办"] == "区委网信办"
    assert names["开发区管委会"] == names["区开发区管理委员会"] == "区开发区管委会"
    assert names["区发展和改革局"] == "区发改局"
    assert names["区教育和体育局"] == "区教体局"
    assert names["区大数据中心"] == "区大数据局"
    assert names["定陶区创建省社会信用体系建设典型城市领导小组成员单位"] == "领导小组成员单位"


def test_leaders(plan: Plan) -> None:
    assert len(plan.leaders) == 55
    roles = [leader.role for leader in plan.leaders]
    assert roles[:2] == ["组长", "副组长"]
    assert set(roles[2:]) == {"成员"}
    assert plan.leaders[0].unit is None
    assert plan.leaders[1].name == "李伟"
    names = names_of(plan)
    represented = {names[leader.unit] for leader in plan.leaders if leader.unit is not None}
    assert represented == expand(plan, ["领导小组成员单位"]) - {"区大数据局"}
    assert set(TOWNS) <= represented
