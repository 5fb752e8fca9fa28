"""The Puyang 2021 ledger (濮信用〔2021〕3号) as a plan file: every rule scores as the seed's sentence says.

Each scoring case quotes the seed's own 评分标准 sentence beside the figure it checks, so a reader can
compare the plan with the document without opening either.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from config.plan_loader import load_plan_file, shipped_plan_paths
from config.plan_schema import Indicator, Plan, SumRule
from config.values import ValueParseError
from models.scoring import display_points, find_item, score_indicator, value_spec

D = Decimal


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan_file(shipped_plan_paths()["puyang-2021"])


def indicator(plan: Plan, code: str) -> Indicator:
    return next(i for i in plan.indicators if i.code == code)


def score(plan: Plan, code: str, reports: dict[str | None, str]) -> Decimal:
    """Points of indicator `code` given figures written as a liaison would write them, by item name."""
    ind = indicator(plan, code)
    obs: dict[tuple[str | None, str | None], Decimal] = {}
    for name, text in reports.items():
        item = find_item(ind, name) if name is not None else None
        assert name is None or item is not None, f"{code} has no item {name!r}"
        obs[(None, item.name if item else None)] = value_spec(ind, item).read(text)
    return score_indicator(ind, obs)


# (indicator code, item name or None, reported figure, expected points of the indicator with only that figure)
CASES = [
    # 1: "…建立相关工作机制、制定规划计划和实施方案推进社会信用体系建设等情况，酌情计分，最高得5分。"
    ("1", None, "0", D(0)),
    ("1", None, "3", D(3)),
    ("1", None, "5", D(5)),
    # 2.1: "根据城市接力、宣传教育、百城万企亮信用等活动情况计分，最高得3分。"
    ("2.1", None, "2.5", D("2.5")),
    ("2.1", None, "3", D(3)),
    # 2.2: "根据治理对象梳理整改、长效机制建设等情况计分，最高得3分。"
    ("2.2", None, "1", D(1)),
    ("2.2", None, "3", D(3)),
    # 3.1: "事业单位失信被执行人整改到位率100%的, 得4分。一个事业单位未整改到位扣2分, 最低得0分。"
    ("3.1", None, "0", D(4)),
    ("3.1", None, "1", D(2)),
    ("3.1", None, "2", D(0)),
    ("3.1", None, "3", D(0)),
    # 3.2 诚信档案: "建立公务员诚信档案的, 得1分;"
    ("3.2", "诚信档案", "是", D(1)),
    ("3.2", "诚信档案", "否", D(0)),
    # 3.2 考核任用: "将公务员信用记录作为干部考核、任用和奖惩的重要依据的, 得1分。"
    ("3.2", "考核任用", "是", D(1)),
    ("3.2", "考核任用", "否", D(0)),
    # 4.1 平台: "辖区内建立了涉企信用信息共享平台, 为金融和经济活动提供服务, 得1分。未建立上述平台, 得0分。"
    ("4.1", "平台", "是", D(1)),
    ("4.1", "平台", "否", D(0)),
    # 4.1 部门共享: "参与涉企信用信息共享的政府部门占当地政府部门比例在50%以上的, 得1分; 20%-50%的, 得0.5分;
    # 20%以下的, 得0分。"
    ("4.1", "部门共享", "50%", D(1)),
    ("4.1", "部门共享", "80%", D(1)),
    ("4.1", "部门共享", "49.9%", D("0.5")),
    ("4.1", "部门共享", "35%", D("0.5")),
    ("4.1", "部门共享", "20%", D("0.5")),
    ("4.1", "部门共享", "19%", D(0)),
    # 4.1 银行接入: "商业银行接入涉企信用信息平台比例在50%以上的, 得1分; 20%-50%的, 得0.5分; 20%以下的, 得0分。"
    ("4.1", "银行接入", "50%", D(1)),
    ("4.1", "银行接入", "49.9%", D("0.5")),
    ("4.1", "银行接入", "20%", D("0.5")),
    ("4.1", "银行接入", "19%", D(0)),
    # 4.2 信息系统: "如果以下任一条为“是”, 得1分; 如果均为“否”, 得0分。"
    ("4.2", "信息系统", "是", D(1)),
    ("4.2", "信息系统", "否", D(0)),
    # 4.2 农户覆盖率: "得分为相关信息系统涵盖农户数（多个系统相加并去重）/辖区内农户总数。…计算结果保留两位小数。"
    ("4.2", "农户覆盖率", "87.456%", D("0.87")),
    ("4.2", "农户覆盖率", "87.5%", D("0.88")),
    ("4.2", "农户覆盖率", "100%", D(1)),
    ("4.2", "农户覆盖率", "0", D(0)),
    # 4.2 新型农业经营主体覆盖率: "得分为相关信息系统涵盖新型农业经营主体数量（多个系统相加并去重）
    # /辖区内新型农业经营主体总数。…计算结果保留两位小数。"
    ("4.2", "新型农业经营主体覆盖率", "87.456%", D("0.87")),
    ("4.2", "新型农业经营主体覆盖率", "45.1%", D("0.45")),
    # 4.3: "本项得分为0、2两档：如果以下任一条为“是”，得0分；如果均为“否”，得2分。"
    ("4.3", None, "否", D(2)),
    ("4.3", None, "是", D(0)),
    # 4.4: "本项得分分为0、2两档，以下内容如果为“是”，得0分；如果为“否”，得2分。"
    ("4.4", None, "否", D(2)),
    ("4.4", None, "是", D(0)),
    # 5.1: "重错码率为0的，得1分；每增加十万分之一减0.1分；此项最低得0分。"
    ("5.1", None, "0", D(1)),
    ("5.1", None, "0.001%", D("0.9")),
    ("5.1", None, "十万分之一", D("0.9")),
    ("5.1", None, "0.0015%", D("0.8")),  # a started 1/100000 counts in full
    ("5.1", None, "0.005%", D("0.5")),
    ("5.1", None, "0.02%", D(0)),
    # 5.2 有效异议占比: "有效异议占比小于十分之一(含)的，得2分；大于十分之五的，不得分；介于两者之间的按比例计分。"
    # (read as 十万分之一 / 十万分之五, the national rule)
    ("5.2", "有效异议占比", "0", D(2)),
    ("5.2", "有效异议占比", "十万分之一", D(2)),
    ("5.2", "有效异议占比", "0.003%", D(1)),
    ("5.2", "有效异议占比", "0.002%", D("1.5")),
    ("5.2", "有效异议占比", "十万分之五", D(0)),
    ("5.2", "有效异议占比", "0.01%", D(0)),
    # 5.2 异议处理: "异议协同处理平均时间在5个工作日以内的，得2分；每增加1天减0.4分；此项最低得0分。"
    ("5.2", "异议处理", "3", D(2)),
    ("5.2", "异议处理", "5", D(2)),
    ("5.2", "异议处理", "5.5", D("1.6")),
    ("5.2", "异议处理", "6", D("1.6")),
    ("5.2", "异议处理", "8", D("0.8")),
    ("5.2", "异议处理", "10", D(0)),
    # 5.2 修复时限: "信用修复协同处理时间全部在3个工作日内办结的，得2分；有1条办理超期的减1分；最低得0分。"
    ("5.2", "修复时限", "0", D(2)),
    ("5.2", "修复时限", "1", D(1)),
    ("5.2", "修复时限", "3", D(0)),
    # 5.2 修复合规: "信用修复全部合规办理的，得1分；有1条审核不严或违规办理的减0.5分；最低得0分。"
    ("5.2", "修复合规", "0", D(1)),
    ("5.2", "修复合规", "1", D("0.5")),
    ("5.2", "修复合规", "2", D(0)),
    # 5.2 同步: "修复、异议处理结果实时数据与“信用中国”网站当日自动同步的得1分；其他情况得0分。"
    ("5.2", "同步", "是", D(1)),
    ("5.2", "同步", "否", D(0)),
    # 5.3: "归集整合企业社保、纳税、公积金、水、电、气、仓储物流、知识产权等…上述信息中每归集共享一类信息得1分"
    ("5.3", "社保", "是", D(1)),
    ("5.3", "纳税", "是", D(1)),
    ("5.3", "公积金", "是", D(1)),
    ("5.3", "水", "是", D(1)),
    ("5.3", "电", "是", D(1)),
    ("5.3", "气", "是", D(1)),
    ("5.3", "仓储物流", "是", D(1)),
    ("5.3", "知识产权", "是", D(1)),
    ("5.3", "知识产权", "否", D(0)),
    # 5.4 可访问性: "可访问性好、网站内容维护正常, 得2分; 每监测到一起不可访问情形的减0.5分; 此项最低得0分。"
    ("5.4", "可访问性", "0", D(2)),
    ("5.4", "可访问性", "3", D("0.5")),
    ("5.4", "可访问性", "4", D(0)),
    # 5.4 信用报告: "报告内容全部符合…《公共信用信息报告标准》要求的, 得4分; 不符合要求的发现一起减1分; 此项最低得0分。"
    ("5.4", "信用报告", "0", D(4)),
    ("5.4", "信用报告", "1", D(3)),
    ("5.4", "信用报告", "5", D(0)),
    # 5.5: "根据…进行信用信息登记的情况酌情计分, 最高得1分。"
    ("5.5", None, "1", D(1)),
    ("5.5", None, "0.5", D("0.5")),
    # 5.6: "如…发生被成功入侵等信息安全事件但未产生严重后果的, 或受到主管部门安全事件通报的, 此项不得分。"
    ("5.6", None, "否", D(2)),
    ("5.6", None, "是", D(0)),
    # 6.1 平台对接: "地方“信易贷”平台与全国“信易贷”平台实现对接并机制化共享融资成效相关信息的, 得3分。"
    ("6.1", "平台对接", "是", D(3)),
    ("6.1", "平台对接", "否", D(0)),
    # 6.1 小微企业信用贷款增长: "同比增长40%以上(2020年度较2019年度)的得5分; 低于20%的, 不得分;
    # 介于两者之间的按比例计分。"
    ("6.1", "小微企业信用贷款增长", "40%", D(5)),
    ("6.1", "小微企业信用贷款增长", "55%", D(5)),
    ("6.1", "小微企业信用贷款增长", "30%", D("2.5")),
    ("6.1", "小微企业信用贷款增长", "20%", D(0)),
    ("6.1", "小微企业信用贷款增长", "10%", D(0)),
    ("6.1", "小微企业信用贷款增长", "-5%", D(0)),
    # 6.1 信易贷占比: "规模占企业信用贷款规模的比例低于3%的, 不得分; 达到或超过6%的, 得3分; 介于两者之间的按比例计分。"
    ("6.1", "信易贷占比", "3%", D(0)),
    ("6.1", "信易贷占比", "4.5%", D("1.5")),
    ("6.1", "信易贷占比", "6%", D(3)),
    # 6.1 信用贷款占比: "企业信用贷款规模占全部企业贷款规模的比例低于25%的, 不得分; 达到或超过30%的, 得2分;
    # 介于两者之间的按比例计分。"
    ("6.1", "信用贷款占比", "24%", D(0)),
    ("6.1", "信用贷款占比", "27.5%", D(1)),
    ("6.1", "信用贷款占比", "30%", D(2)),
    # 6.1 推荐名单机制: "建立“信易贷”月度推荐企业名单常态化机制的, 得1分。"
    ("6.1", "推荐名单机制", "是", D(1)),
    ("6.1", "推荐名单机制", "否", D(0)),
    # 6.1 获贷比例: "推荐企业名单内获贷企业比例在20%以上的, 得1分; 低于20%的不得分。"
    ("6.1", "获贷比例", "20%", D(1)),
    ("6.1", "获贷比例", "35%", D(1)),
    ("6.1", "获贷比例", "19%", D(0)),
    # 6.1 风险补偿基金: "地方政府牵头建立小微企业融资风险缓释或风险补偿基金并在“信易贷”平台落地的, 得1分。"
    ("6.1", "风险补偿基金", "是", D(1)),
    ("6.1", "风险补偿基金", "否", D(0)),
    # 6.2: "有效问卷回收数量达到100份及以上的, 得1分; 不足50份的, 不得分; 介于两者之间的按比例计分。"
    ("6.2", None, "49", D(0)),
    ("6.2", None, "50", D(0)),
    ("6.2", None, "75", D("0.5")),
    ("6.2", None, "100", D(1)),
    ("6.2", None, "120", D(1)),
    # 7.1: "达到或超过100%的得7分; 小于65%的不得分; 介于两者之间的按比例计分。"
    ("7.1", None, "60%", D(0)),
    ("7.1", None, "65%", D(0)),
    ("7.1", None, "82.5%", D("3.5")),
    ("7.1", None, "100%", D(7)),
    ("7.1", None, "120%", D(7)),
    # 7.2: "开展信用分级分类监管并具有典型案例的,每个领域得0-5分;此项最高得7分。" (read as 0.5 per domain)
    ("7.2", None, "1", D("0.5")),
    ("7.2", None, "10", D(5)),
    ("7.2", None, "14", D(7)),
    ("7.2", None, "20", D(7)),
    # 7.3: "依法依规建立守信联合激励和失信联合惩戒机制并具有典型案例的, 每个领域得1分; 此项最高得7分。"
    ("7.3", None, "3", D(3)),
    ("7.3", None, "7", D(7)),
    ("7.3", None, "8", D(7)),
    # 7.4 屡禁不止: "相关治理对象退出率达到100%的, 得2分; 退出率为0的不得分; 介于两者之间的按比例计分。"
    ("7.4", "屡禁不止", "0", D(0)),
    ("7.4", "屡禁不止", "50%", D(1)),
    ("7.4", "屡禁不止", "100%", D(2)),
    # 7.4 信用服务机构: "相关治理对象退出率达到100%的, 得2分; 退出率为0的不得分; 介于两者之间的按比例计分。"
    ("7.4", "信用服务机构", "100%", D(2)),
    ("7.4", "信用服务机构", "25%", D("0.5")),
    # 8 组织领导机制: "成立由地方党委、政府领导牵头的示范创建工作组织领导机制, 得2分。"
    ("8", "组织领导机制", "是", D(2)),
    ("8", "组织领导机制", "否", D(0)),
    # 8 专项经费: "地方财政为社会信用体系建设提供专项经费保障的, 得2分。"
    ("8", "专项经费", "是", D(2)),
    # 8 分工进度: "明确示范创建工作分工和进度要求的, 得2分。"
    ("8", "分工进度", "是", D(2)),
    ("8", "分工进度", "否", D(0)),
    # A1: "出台社会信用体系方面专门的地方性法规的, 得5分。(所在省(区)或城市已出台地方性法规, 本级遵照执行的,
    # 也相应得5分)"
    ("A1", None, "是", D(5)),
    ("A1", None, "否", D(0)),
    # A2: "…建立合同履行全流程跟踪监管机制的, 得5分。"
    ("A2", None, "是", D(5)),
    ("A2", None, "否", D(0)),
    # A3: "其他创新做法和典型经验被国家有关部门认定并在全国进行推广的, 每项得1分, 最高不超过3分。"
    ("A3", None, "2", D(2)),
    ("A3", None, "4", D(3)),
]


@pytest.mark.parametrize(("code", "item", "text", "expected"), CASES)
def test_a_single_figure_scores_as_the_seed_says(
    plan: Plan, code: str, item: str | None, text: str, expected: Decimal
) -> None:
    assert score(plan, code, {item: text}) == expected


# (indicator code, figures by item, expected points of the whole indicator)
SUM_CASES = [
    # 5.3: "上述信息中每归集共享一类信息得1分, 此项最高得7分。"
    ("5.3", dict.fromkeys(["社保", "纳税", "公积金", "水", "电", "气", "仓储物流", "知识产权"], "是"), D(7)),
    ("5.3", dict.fromkeys(["社保", "纳税", "公积金", "水", "电", "气", "仓储物流"], "是"), D(7)),
    ("5.3", dict.fromkeys(["社保", "纳税", "公积金", "水", "电", "气"], "是"), D(6)),
    ("5.3", {**dict.fromkeys(["社保", "纳税", "水", "电"], "是"), "公积金": "否"}, D(4)),
    # 7.4: two exit rates of 2 points each, linear from 0 to 100%.
    ("7.4", {"屡禁不止": "50%", "信用服务机构": "100%"}, D(3)),
    # 8: "1. (2分) …组织领导机制, 得2分。 2. (2分) …专项经费保障的, 得2分。 3. (2分) …分工和进度要求的, 得2分。"
    ("8", {"组织领导机制": "是", "专项经费": "是", "分工进度": "是"}, D(6)),
    ("8", {"组织领导机制": "是", "专项经费": "否", "分工进度": "是"}, D(4)),
    # 3.2: two 1-point parts.
    ("3.2", {"诚信档案": "是", "考核任用": "是"}, D(2)),
    # 4.1: platform 1 + departments 35% (0.5) + banks 60% (1).
    ("4.1", {"平台": "是", "部门共享": "35%", "银行接入": "60%"}, D("2.5")),
    # 4.2: system 1 + coverage 0.87 + 0.45.
    ("4.2", {"信息系统": "是", "农户覆盖率": "87.456%", "新型农业经营主体覆盖率": "45.1%"}, D("2.32")),
    # 5.2: 2 + 1.6 + 1 + 0.5 + 1.
    ("5.2", {"有效异议占比": "十万分之一", "异议处理": "6", "修复时限": "1", "修复合规": "1", "同步": "是"}, D("6.1")),
    # 5.4: 2 − 0.5×3 = 0.5 and 4 − 1 = 3.
    ("5.4", {"可访问性": "3", "信用报告": "1"}, D("3.5")),
    # 6.1: every part at its best is 3 + 5 + 3 + 2 + 1 + 1 + 1 = 16.
    (
        "6.1",
        {
            "平台对接": "是",
            "小微企业信用贷款增长": "45%",
            "信易贷占比": "6%",
            "信用贷款占比": "31%",
            "推荐名单机制": "是",
            "获贷比例": "20%",
            "风险补偿基金": "是",
        },
        D(16),
    ),
    ("6.1", {"平台对接": "是", "小微企业信用贷款增长": "30%", "信易贷占比": "4.5%", "信用贷款占比": "27.5%"}, D(8)),
    # 5.2, each part keeps its own floor: "异议协同处理平均时间在5个工作日以内的，得2分；每增加1天减0.4分；
    # 此项最低得0分。" and "有1条办理超期的减1分；最低得0分。" 15 working days is 10 days over, 2 − 4 = −2,
    # kept at 0; 4 late repairs is 2 − 4 = −2, kept at 0. So 2 + 0 + 0 + 1 + 1 = 4 (a floor on the
    # total alone would give 2 − 2 − 2 + 1 + 1 = 0).
    ("5.2", {"有效异议占比": "十万分之一", "异议处理": "15", "修复时限": "4", "修复合规": "0", "同步": "是"}, D(4)),
    # 5.4: "每监测到一起不可访问情形的减0.5分; 此项最低得0分。" Six outages: 2 − 3 = −1, kept at 0, and
    # 信用报告 keeps its 4: 0 + 4 = 4 (a floor on the total alone would give 3).
    ("5.4", {"可访问性": "6", "信用报告": "0"}, D(4)),
]


@pytest.mark.parametrize(("code", "reports", "expected"), SUM_CASES)
def test_the_parts_of_an_indicator_add_up_within_its_maximum(
    plan: Plan, code: str, reports: dict[str | None, str], expected: Decimal
) -> None:
    assert score(plan, code, reports) == expected


@pytest.mark.parametrize(
    ("code", "item", "text", "shown"),
    [
        ("6.1", "小微企业信用贷款增长", "33.3%", "3.33"),  # 5 × 13.3/20 = 3.325
        ("6.2", None, "83", "0.66"),
        ("7.1", None, "90%", "5"),
        ("5.2", "异议处理", "6", "1.6"),
    ],
)
def test_points_are_shown_with_two_places_at_most(
    plan: Plan, code: str, item: str | None, text: str, shown: str
) -> None:
    assert display_points(score(plan, code, {item: text})) == shown


@pytest.mark.parametrize(
    ("code", "item", "text"),
    [
        ("3.1", None, "abc"),
        ("3.1", None, "-1"),
        ("3.1", None, "1.5"),
        ("6.2", None, "-1"),
        ("7.2", None, "-1"),
        ("4.1", "部门共享", "150%"),
        ("4.1", "部门共享", "abc"),
        ("4.2", "农户覆盖率", "101%"),
        ("4.3", None, "也许"),
        ("1", None, "6"),
        ("5.5", None, "1.5"),
        ("6.1", "小微企业信用贷款增长", "-101%"),
        ("5.2", "异议处理", "-1"),
    ],
)
def test_an_impossible_figure_is_refused(plan: Plan, code: str, item: str | None, text: str) -> None:
    ind = indicator(plan, code)
    with pytest.raises(ValueParseError):
        value_spec(ind, find_item(ind, item) if item else None).read(text)


def test_a_figure_above_100_percent_is_accepted_where_the_seed_allows_it(plan: Plan) -> None:
    ind = indicator(plan, "7.1")
    assert value_spec(ind, None).read("120%") == D("1.2")
    growth = indicator(plan, "6.1")
    assert value_spec(growth, find_item(growth, "小微企业信用贷款增长")).read("150%") == D("1.5")


def test_every_indicator_and_item_has_a_scoring_case(plan: Plan) -> None:
    covered = {(code, item) for code, item, _, _ in CASES}
    wanted = {(ind.code, item.name) for ind in plan.indicators for item in ind.items()} | {
        (ind.code, None) for ind in plan.indicators if not ind.items()
    }
    assert wanted - covered == set()
    assert covered - wanted == set()


def test_the_plan_carries_the_letters_facts(plan: Plan) -> None:
    assert plan.id == "puyang-2021"
    assert plan.name == "濮阳市创建第三批社会信用体系建设示范城市工作台账"
    assert plan.issuer == "濮阳市社会信用体系建设工作联席会议办公室"
    assert plan.document == "濮信用〔2021〕3号"
    assert plan.issued == dt.date(2021, 5, 27)
    assert (plan.start, plan.end, plan.evidence_due) == (
        dt.date(2021, 5, 27),
        dt.date(2021, 6, 30),
        dt.date(2021, 6, 1),
    )
    assert plan.timezone == "Asia/Shanghai"
    assert plan.office is not None
    assert plan.office.unit == "市发展改革委"
    assert plan.office.contacts == ["武莉", "王玉田"]
    assert plan.notes


def test_twelve_basic_indicators_are_gates_with_evidence_and_units(plan: Plan) -> None:
    assert [g.code for g in plan.gates] == [f"G{n}" for n in range(1, 13)]
    for gate in plan.gates:
        assert gate.evidence, gate.code
        assert gate.units, gate.code
        assert gate.text, gate.code
    g12 = next(g for g in plan.gates if g.code == "G12")
    assert g12.lead == ["市发展改革委"]
    assert g12.units == ["出台失信约束措施的相关单位"]


def test_scored_indicators_are_worth_100_and_the_bonus_13(plan: Plan) -> None:
    regular = sum((i.max for i in plan.indicators if not i.bonus), D(0))
    bonus = sum((i.max for i in plan.indicators if i.bonus), D(0))
    assert regular == D(100)
    assert bonus == D(13)
    assert (plan.max_points, plan.bonus_points) == (D(100), D(13))
    assert [i.code for i in plan.indicators if i.bonus] == ["A1", "A2", "A3"]
    assert all(i.section == "A" for i in plan.indicators if i.bonus)


def test_sections_have_the_seeds_maxima(plan: Plan) -> None:
    assert [(s.code, s.max, s.bonus) for s in plan.sections] == [
        ("1", D(5), False),
        ("2", D(6), False),
        ("3", D(6), False),
        ("4", D(10), False),
        ("5", D(25), False),
        ("6", D(17), False),
        ("7", D(25), False),
        ("8", D(6), False),
        ("A", D(13), True),
    ]


def test_indicator_codes_and_maxima(plan: Plan) -> None:
    assert {i.code: i.max for i in plan.indicators} == {
        "1": 5, "2.1": 3, "2.2": 3, "3.1": 4, "3.2": 2, "4.1": 3, "4.2": 3, "4.3": 2, "4.4": 2,
        "5.1": 1, "5.2": 8, "5.3": 7, "5.4": 6, "5.5": 1, "5.6": 2, "6.1": 16, "6.2": 1,
        "7.1": 7, "7.2": 7, "7.3": 7, "7.4": 4, "8": 6, "A1": 5, "A2": 5, "A3": 3,
    }  # fmt: skip


def test_every_indicator_says_what_evidence_and_who(plan: Plan) -> None:
    for ind in plan.indicators:
        assert ind.evidence, ind.code
        assert ind.units, ind.code
        assert ind.rule_text, ind.code


def test_every_listed_item_quotes_its_own_sentence(plan: Plan) -> None:
    for ind in plan.indicators:
        if ind.code == "5.3":  # eight categories listed by name, one sentence for all
            continue
        for item in ind.items():
            assert item.text, (ind.code, item.name)


def test_the_serious_dishonesty_items_have_their_own_date(plan: Plan) -> None:
    assert indicator(plan, "7.4").evidence_due == dt.date(2021, 6, 15)
    assert all(i.evidence_due is None for i in plan.indicators if i.code != "7.4")


def test_every_sum_keeps_its_floors_per_item_and_says_why(plan: Plan) -> None:
    # 5.2 and 5.4 write "此项最低得0分" per part; the other sums have no part that can go below 0.
    clamps = {i.code: i.rule.clamp for i in plan.indicators if isinstance(i.rule, SumRule)}
    assert clamps == dict.fromkeys(["3.2", "4.1", "4.2", "5.2", "5.3", "5.4", "6.1", "7.4", "8"], "items")
    for code in clamps:
        assert "Clamp:" in (indicator(plan, code).note or ""), code


CULTURE_LEAD = [
    "市委宣传部", "人行濮阳市中心支行", "市市场监管局", "市工信局", "市商务局", "市应急管理局", "市税务局",
    "市粮食和物资储备局", "各县（区）人民政府、管委会",
]  # fmt: skip
CULTURE_ONLY_RESPONSIBLE = [
    "市文明办", "市公安局", "市人社局", "市交通运输局", "市中级人民法院", "市金融工作局", "濮阳银保监分局",
    "市生态环境局",
]  # fmt: skip


@pytest.mark.parametrize("code", ["2.1", "2.2"])
def test_the_culture_items_follow_the_labels_of_their_shared_unit_cell(plan: Plan, code: str) -> None:
    # 二 诚信文化建设, one 责任部门 cell for both items: "牵头单位：市委宣传委、人行濮阳市中心支行、市市场监管局、
    # 市工信局、市商务局、市应急管理局、市税务局、市粮食和物资储备局等相各单位，各县（区）人民政府，管委会
    # 责任单位：市委宣传委、市文明办、市公安局、市市场监管局、市人社局、市交通运输局、市中级人民法院、市金融工作局、
    # 人行濮阳市中心支行、濮阳银保监分局、生态环境等部门"
    ind = indicator(plan, code)
    assert ind.lead == CULTURE_LEAD
    assert ind.units == CULTURE_LEAD + CULTURE_ONLY_RESPONSIBLE
    assert "DECISION" in (indicator(plan, "2.1").note or "")


def _names(plan: Plan) -> dict[str, str]:
    names = {n: u.name for u in plan.units for n in (u.name, *u.aliases)}
    names |= {n: g.name for g in plan.groups for n in (g.name, *g.aliases)}
    return names


def _expand(plan: Plan, name: str) -> set[str]:
    groups = {g.name: g for g in plan.groups}
    canonical = _names(plan)[name]
    if canonical not in groups:
        return {canonical}
    members: set[str] = set()
    for member in groups[canonical].members:
        members |= _expand(plan, member)
    return members


@pytest.mark.parametrize(
    ("spelling", "unit"),
    [
        ("市委宣传委", "市委宣传部"),
        ("市宗局", "市民宗局"),
        ("市公安部门", "市公安局"),
        ("市安监局", "市应急管理局"),
        ("市粮食局", "市粮食和物资储备局"),
        ("市粮食物资储备局", "市粮食和物资储备局"),
        ("市编办", "市委编办"),
        ("人民银行", "人行濮阳市中心支行"),
        ("生态环境", "市生态环境局"),
        ("市社会信用体系建设联席会议办公室", "市发展改革委"),
        ("各县（区）人民政府，管委会", "各县（区）人民政府、管委会"),
        ("各县(区)人民政府、管委会", "各县（区）人民政府、管委会"),
        ("各县(区)人民政府, 管委会", "各县（区）人民政府、管委会"),
        ("市社会信用体系建设工作联席会议成员单位", "市社会信用体系建设联席会议成员单位"),
        ("行业主管部门", "政府各监管部门"),
    ],
)
def test_the_seeds_variant_spellings_name_one_unit(plan: Plan, spelling: str, unit: str) -> None:
    assert _names(plan)[spelling] == unit


def test_the_county_group_is_the_nine_county_level_units(plan: Plan) -> None:
    members = _expand(plan, "各县（区）人民政府、管委会")
    assert members == {
        "濮阳县", "清丰县", "南乐县", "范县", "台前县", "华龙区",
        "濮阳经济技术开发区管委会", "濮阳工业园区管委会", "濮阳城乡一体化示范区管委会",
    }  # fmt: skip
    kinds = {u.name: u.kind for u in plan.units}
    assert {kinds[m] for m in members} == {"town"}


def test_every_group_expands_to_units_and_says_why(plan: Plan) -> None:
    units = {u.name for u in plan.units}
    for group in plan.groups:
        assert group.note, group.name
        members = _expand(plan, group.name)
        assert members, group.name
        assert members <= units, group.name
    assert _expand(plan, "各级金融机构") == {
        "工商银行濮阳分行", "农业银行濮阳分行", "中国银行濮阳分行", "建设银行濮阳分行", "郑州银行濮阳分行",
    }  # fmt: skip
    assert "人行濮阳市中心支行" not in _expand(plan, "各级金融机构")
    assert {"市市场监管局", "市委编办", "市民政局", "市民宗局"} <= _expand(plan, "相关赋码单位")


def test_every_reference_names_a_known_unit_or_group(plan: Plan) -> None:
    names = _names(plan)
    refs = [r for i in plan.indicators for r in (*i.units, *i.lead)]
    refs += [r for g in plan.gates for r in (*g.units, *g.lead)]
    refs += [m for g in plan.groups for m in g.members]
    assert [r for r in refs if r not in names] == []
