"""The reader of plain-Chinese replies (models/reader.py) on the issue's own examples: what it reads,
what it asks about, and what it leaves as a note; and that no text makes it fail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.plan_loader import load_plan_file, shipped_plan_paths
from config.plan_schema import Plan
from models.plans import expand_units
from models.reader import Context, Figure, read, vocabulary

DINGTAO = load_plan_file(shipped_plan_paths()["dingtao-2022"])
WORDS = vocabulary(DINGTAO)
APRIL = dt.date(2022, 4, 6)
ALPHABET = "0123456789.%，。；月份合规率及时率亿万元第名天已完成受阻 信易贷授信放款一二三四五六七八九十百千点分之"


def own(plan: Plan, unit: str) -> frozenset[str]:
    return frozenset(i.code for i in plan.indicators if unit in expand_units(plan, i.units + i.lead))


def context(unit: str = "区市场监管局", **kwargs: object) -> Context:
    return Context(today=APRIL, own=own(DINGTAO, unit), **kwargs)  # type: ignore[arg-type]


def test_two_figures_in_reply_to_the_march_nudge_are_two_reports_of_march() -> None:
    reading = read(DINGTAO, "3月份合规率100%，及时率99.5%", context(asked="5", asked_period="2022-03"), WORDS)
    assert reading.figures == (
        Figure("5", "合规率", "2022-03", Decimal("1"), "100%"),
        Figure("5", "及时率", "2022-03", Decimal("0.995"), "99.5%"),
    )
    assert reading.ambiguities == ()


def test_full_width_digits_and_a_month_word_are_read_alike() -> None:
    reading = read(DINGTAO, "三月合规率１００％；及时率 99.5 %", context(asked="5"), WORDS)
    assert [(f.item, f.period, f.value) for f in reading.figures] == [
        ("合规率", "2022-03", Decimal("1")),
        ("及时率", "2022-03", Decimal("0.995")),
    ]


def test_without_a_month_a_monthly_figure_is_for_the_month_before_today() -> None:
    reading = read(DINGTAO, "合规率100%", context(asked="5"), WORDS)
    assert [(f.code, f.period) for f in reading.figures] == [("5", "2022-03")]


def test_a_date_says_when_not_which_month() -> None:
    """'4月2日' is the day something was sent; the figure is still for the month before today."""
    for text in ("4月2日已报送，合规率100%", "四月二号报的，合规率100%"):
        reading = read(DINGTAO, text, context(asked="5"), WORDS)
        assert [(f.item, f.period) for f in reading.figures] == [("合规率", "2022-03")], text


def test_a_figure_named_for_no_indicator_is_not_a_report() -> None:
    for text in ("收到", "好的，马上办", "电话13800138000", "周三下午3点开会", "3月份的材料已经交了"):
        reading = read(DINGTAO, text, context(), WORDS)
        assert reading.figures == (), text
        assert reading.ambiguities == (), text


def test_progress_words_give_the_status_and_the_rest_is_a_note() -> None:
    reading = read(DINGTAO, "还差两个部门没报，下周一前完成", context("区民政局"), WORDS)
    assert (reading.figures, reading.status) == ((), "doing")
    assert reading.notes == ("还差两个部门没报", "下周一前完成")
    assert read(DINGTAO, "已完成", context(), WORDS).status == "done"
    assert read(DINGTAO, "目前受阻，需要协调市局", context(), WORDS).status == "blocked"
    assert read(DINGTAO, "尚未完成", context(), WORDS).status == "doing"


def test_the_time_of_the_figures_is_not_a_note() -> None:
    for when in ("截至10月底", "截止目前", "到9月份为止", "2022年10月"):
        november = Context(today=dt.date(2022, 11, 8), own=own(DINGTAO, "区发改局"))
        reading = read(DINGTAO, f"{when}，双公示合规率、及时率都是100%", november, WORDS)
        assert len(reading.figures) == 2, when
        assert reading.notes == (), when


def test_two_figures_for_one_place_are_asked_about_not_guessed() -> None:
    reading = read(DINGTAO, "信易贷授信8.2亿，放款6亿", context("区金融服务中心"), WORDS)
    assert reading.figures == ()
    assert [a.codes for a in reading.ambiguities] == [("11",)]
    assert [f.written for f in reading.ambiguities[0].values] == ["8.2亿", "6亿"]  # the speaker chooses one


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("0123456789.%，。；月份合规率及时率亿万元第名天已完成受阻 信易贷授信放款"), max_size=40
    )
)
def test_no_text_makes_the_reader_fail(text: str) -> None:
    reading = read(DINGTAO, text, context(asked="5", asked_period="2022-03"), WORDS)
    for figure in reading.figures:
        assert figure.code in {i.code for i in DINGTAO.indicators}


PUYANG = load_plan_file(shipped_plan_paths()["puyang-2021"])
PUYANG_WORDS = vocabulary(PUYANG)
JUNE = dt.date(2021, 6, 10)


def placed(plan: Plan, text: str, unit: str, asked: str | None = None) -> list[tuple[str, str | None, Decimal]]:
    """The reports read from `text` said by `unit` (code, item, value)."""
    today = JUNE if plan is PUYANG else APRIL
    words = PUYANG_WORDS if plan is PUYANG else WORDS
    reading = read(plan, text, Context(today=today, own=own(plan, unit), asked=asked, unit=unit), words)
    return [(f.code, f.item, f.value) for f in reading.figures]


def asked_codes(plan: Plan, text: str, unit: str) -> list[tuple[str, ...]]:
    """The codes each question offers, when `text` said by `unit` yields no report."""
    today = JUNE if plan is PUYANG else APRIL
    words = PUYANG_WORDS if plan is PUYANG else WORDS
    reading = read(plan, text, Context(today=today, own=own(plan, unit), unit=unit), words)
    assert reading.figures == (), text
    return [a.codes for a in reading.ambiguities]


def test_a_colloquial_ge_before_yi_is_read_through() -> None:
    assert placed(DINGTAO, "信易贷授信规模7.5个亿", "区金融服务中心") == [("11", None, Decimal("750000000"))]


def test_a_count_after_a_list_is_its_size_not_a_figure() -> None:
    assert placed(PUYANG, "组织领导机制和分工进度两项均已落实", "市发展改革委") == [
        ("8", "组织领导机制", Decimal(1)),
        ("8", "分工进度", Decimal(1)),
    ]


def test_figures_after_fenbie_pair_with_the_listed_items_in_order() -> None:
    assert placed(DINGTAO, "合规率和及时率分别为100%和98%", "区市场监管局", asked="5") == [
        ("5", "合规率", Decimal(1)),
        ("5", "及时率", Decimal("0.98")),
    ]


def test_of_a_whole_and_its_part_in_one_measure_the_part_is_the_figure() -> None:
    assert placed(DINGTAO, "征信整治的三项措施中已有1项取得成效", "人民银行定陶支行") == [("16.2", None, Decimal(1))]


def test_a_count_in_another_measure_than_the_plan_counts_in_is_not_the_figure() -> None:
    # 16.2 counts measures (项): institutions cleared (家) are not its figure.
    assert placed(DINGTAO, "违规使用征信的机构已清理2家", "人民银行定陶支行") == []


def test_a_towns_own_part_of_a_district_total_is_not_the_total() -> None:
    assert placed(DINGTAO, "我镇累计报送数据35万条", "张湾镇") == []


def test_the_units_own_part_lasts_through_the_message_until_the_whole_is_named() -> None:
    assert placed(DINGTAO, "我镇用电信息归集了1.2万条，社保信息0.8万条", "张湾镇") == []
    assert placed(DINGTAO, "信易贷入驻工作我行已完成，本月授信两千三百万", "区建行") == []
    assert placed(DINGTAO, "我局已完成汇总，全区累计报送数据7500万条", "区发改局") == [("6", None, Decimal(75000000))]


def test_a_place_names_its_own_area_and_a_unit_its_short_name() -> None:
    assert placed(PUYANG, "融资监测问卷填报已完成，县里回收有效问卷十九份", "清丰县") == []
    assert placed(PUYANG, "我区信用修复平均2个工作日办结，没有超期的", "华龙区") == []  # none of its own part
    assert placed(DINGTAO, "园区内无政府机构失信情况", "区开发区管委会") == []
    assert placed(DINGTAO, "统计局累计报送数据量2.1万条", "区统计局") == []
    assert placed(DINGTAO, "水务局：供水信息归集20.9万条", "区水务局") == [("7", "水", Decimal(209000))]  # signed
    assert placed(DINGTAO, "全区累计报送数据7500万条", "区发改局") == [("6", None, Decimal(75000000))]  # 区 of 区发改局


def test_a_decline_said_with_le_is_negative() -> None:
    assert placed(PUYANG, "建行小微信用贷款同比下降了2.4%", "建设银行濮阳分行") == [
        ("6.1", "小微企业信用贷款增长", Decimal("-0.024"))
    ]


def test_a_figure_right_before_its_item_word_is_that_items() -> None:
    assert placed(PUYANG, "信用修复本月有2条超期", "市发展改革委") == [("5.2", "修复时限", Decimal(2))]


def test_an_item_word_before_its_indicators_word_names_the_item() -> None:
    assert placed(PUYANG, "屡禁不止屡罚不改专项治理退出率95%", "市发展改革委") == [("7.4", "屡禁不止", Decimal("0.95"))]


def test_a_yes_no_items_word_does_not_take_a_number() -> None:
    assert placed(PUYANG, "商业银行接入共享平台的比例为75%", "人行濮阳市中心支行") == [
        ("4.1", "银行接入", Decimal("0.75"))
    ]


def test_an_item_named_without_a_figure_takes_the_bare_figure_of_the_next_clause() -> None:
    assert placed(PUYANG, "农户信用信息覆盖率已统计，91%", "人行濮阳市中心支行") == [
        ("4.2", "农户覆盖率", Decimal("0.91"))
    ]
    # A clause that placed its figure leaves the next bare figure to be asked about.
    reading = read(DINGTAO, "合规率100%，98%", context(asked="5"), WORDS)
    assert [(f.item, a.codes) for f in reading.figures for a in reading.ambiguities] == [("合规率", ("5",))]


def test_a_statement_reads_through_yijing_and_words_between_yi_and_its_verb() -> None:
    assert placed(PUYANG, "用电信息已经通过市平台推送", "国网濮阳供电公司") == [("5.3", "电", Decimal(1))]


def test_a_statement_is_about_the_words_after_it_when_those_before_cannot_answer() -> None:
    assert placed(PUYANG, "信用门户网站未发生网络安全事件", "市发展改革委") == [("5.6", None, Decimal(0))]


def test_one_character_items_in_a_list_or_as_a_subject_are_read() -> None:
    assert placed(PUYANG, "电、气两类信息已共享，水还没有", "市发展改革委") == [
        ("5.3", "电", Decimal(1)),
        ("5.3", "气", Decimal(1)),
        ("5.3", "水", Decimal(0)),
    ]


def test_a_statement_naming_nothing_is_asked_among_the_yes_no_questions_with_its_verb() -> None:
    assert asked_codes(PUYANG, "目前没有发生此类事件", "市发展改革委") == [("4.4", "5.6")]
    assert asked_codes(PUYANG, "该项机制已经建立", "市发展改革委") == [("6.1", "A2")]
    assert asked_codes(PUYANG, "相关材料已报送", "市发展改革委") == []
    assert asked_codes(PUYANG, "八类信息都已共享", "市发展改革委") == [("5.3",)]


def test_a_label_word_of_several_indicators_is_asked_about_when_the_speaker_has_several() -> None:
    assert asked_codes(DINGTAO, "现在有15个领域", "区工信局") == [("9", "12")]
    assert asked_codes(DINGTAO, "累计归集了30万条", "区人社局") == [("6", "7")]
    assert placed(DINGTAO, "已覆盖13个领域", "区委网信办") == [("12", None, Decimal(13))]


def test_a_year_on_year_decline_is_a_negative_growth() -> None:
    assert placed(PUYANG, "小微企业信用贷款规模同比下降1.5%", "濮阳银保监分局") == [
        ("6.1", "小微企业信用贷款增长", Decimal("-0.015"))
    ]


def test_what_was_added_is_a_change_not_the_figure() -> None:
    reading = read(DINGTAO, "用水信息累计归集15万条，今年新增4万条", context("区水务局"), WORDS)
    assert [(f.code, f.item, f.value) for f in reading.figures] == [("7", "水", Decimal(150000))]
    assert reading.ambiguities == ()


def test_what_it_can_reach_and_a_limit_within_days_are_not_figures() -> None:
    assert placed(PUYANG, "信用承诺比值97%，下月可到100%", "市发展改革委") == [("7.1", None, Decimal("0.97"))]
    assert placed(PUYANG, "异议处理全部在5个工作日内完成", "市发展改革委") == []


def test_a_short_word_of_several_indicators_names_its_item_right_after_its_indicators_word() -> None:
    assert placed(PUYANG, "涉企信用信息共享平台已上线", "市市场监管局") == [("4.1", "平台", Decimal(1))]


def test_a_typo_of_fugai_is_read_through() -> None:
    assert placed(PUYANG, "新型农业经营主体信用信息复盖率76%", "人行濮阳市中心支行") == [
        ("4.2", "新型农业经营主体覆盖率", Decimal("0.76"))
    ]


# --- rules found on the held-out corpus (tests/corpus/holdout/), each tested on a sentence of its own ---


def test_a_month_named_in_an_earlier_clause_holds_until_another_is_named() -> None:
    reading = read(DINGTAO, "本月底前补齐超期信息。2月份合规率98%，及时率97%", context(), WORDS)
    assert [(f.item, f.period) for f in reading.figures] == [("合规率", "2022-02"), ("及时率", "2022-02")]


def test_a_deadline_month_is_not_the_period() -> None:
    reading = read(DINGTAO, "3月底前全部补报，合规率99%", context(), WORDS)
    assert [(f.item, f.period) for f in reading.figures] == [("合规率", "2022-03")]  # the default month
    reading = read(DINGTAO, "4月内完成整改，重错率十万分之三", context(), WORDS)
    assert [f.period for f in reading.figures] == ["2022-03"]


@pytest.mark.parametrize(
    "text",
    [
        "及时率不足99%",
        "报送数据已超6000万条",
        "城市信用监测排名上升了3名",
        "信易贷放款较年初增长2.5亿",
        "重错率比上期降低了十万分之一",
        "市里要求及时率100%",
        "预计下月合规率可以达到100%",
    ],
)
def test_thresholds_changes_and_targets_are_not_figures(text: str) -> None:
    assert read(DINGTAO, text, context("区发改局"), WORDS).figures == (), text


def test_the_same_figure_said_twice_for_one_place_is_one_report() -> None:
    reading = read(DINGTAO, "许可合规率100%，处罚合规率100%", context(asked="5"), WORDS)
    assert [(f.item, f.value) for f in reading.figures] == [("合规率", Decimal(1))]
    assert reading.ambiguities == ()


def test_a_bare_count_after_the_units_own_part_is_its_own_part_too() -> None:
    assert placed(DINGTAO, "我们单位报送的数据：社保、纳税，共120万条", "区发改局") == []


def test_two_rates_without_a_name_are_the_items_of_the_speakers_only_two_item_indicator() -> None:
    assert placed(DINGTAO, "二月份两率均为百分之百", "区水务局") == [
        ("5", "合规率", Decimal(1)),
        ("5", "及时率", Decimal(1)),
    ]
    reading = read(DINGTAO, "两项都没问题，都是100%", context("区水务局", asked="5"), WORDS)
    assert [f.item for f in reading.figures] == ["合规率", "及时率"]


def test_short_item_names_and_slips_are_read() -> None:
    assert placed(DINGTAO, "三月 合规 百分百，几时率98.6%", "区水务局") == [
        ("5", "合规率", Decimal(1)),
        ("5", "及时率", Decimal("0.986")),
    ]


def test_yi_and_wan_together_are_one_amount() -> None:
    assert placed(DINGTAO, "信易贷放款规模5亿3千万", "区金融服务中心") == [("11", None, Decimal("530000000"))]
    assert placed(DINGTAO, "信易贷授信规模4亿2500万", "区金融服务中心") == [("11", None, Decimal("425000000"))]


def test_a_rate_said_again_with_yeshi_is_the_same_figure() -> None:
    assert placed(DINGTAO, "1月份及时率99%，合规率也是", "区水务局") == [
        ("5", "及时率", Decimal("0.99")),
        ("5", "合规率", Decimal("0.99")),
    ]


def test_none_of_what_a_deducting_count_counts_is_zero() -> None:
    assert placed(PUYANG, "本月信用修复没有超期的", "市发展改革委") == [("5.2", "修复时限", Decimal(0))]
    assert placed(DINGTAO, "没有报送数据", "区发改局") == []  # not a count of what loses points


def test_statements_read_through_more_verbs_and_a_negated_ba() -> None:
    assert placed(PUYANG, "公积金数据已推到信易贷平台", "市住房公积金管理中心") == [("5.3", "公积金", Decimal(1))]
    assert placed(PUYANG, "考核任用还没有把信用记录作为依据", "市委组织部") == [("3.2", "考核任用", Decimal(0))]


def test_a_number_in_a_sentence_about_something_else_is_not_asked_about() -> None:
    for text in ("已向公安移送4条线索", "明天上午9点到5楼开会", "宣传活动开展了6场"):
        reading = read(DINGTAO, text, context("区发改局"), WORDS)
        assert (reading.figures, reading.ambiguities) == ((), ()), text


def test_a_total_for_listed_items_is_asked_not_given_to_each() -> None:
    reading = read(DINGTAO, "用水、用电数据合计归集30万条", context("区水务局"), WORDS)
    assert reading.figures == ()
    assert reading.ambiguities


# --- rules found on the second held-out corpus (tests/corpus/fresh/) ---


def test_traditional_characters_and_spoken_forms_are_read() -> None:
    assert placed(DINGTAO, "二月 合規率99%，及時率 百分百", "区水务局") == [
        ("5", "合规率", Decimal("0.99")),
        ("5", "及时率", Decimal(1)),
    ]
    assert placed(DINGTAO, "二月双公示合规、及时双百", "区水务局") == [
        ("5", "合规率", Decimal(1)),
        ("5", "及时率", Decimal(1)),
    ]
    assert placed(DINGTAO, "全区累计报送数据6.8w条", "区发改局") == [("6", None, Decimal(68000))]
    assert placed(DINGTAO, "城市信用监测排第十九位", "区发改局") == [("1", None, Decimal(19))]
    assert placed(PUYANG, "信用服务机构治理退出率八成", "市发展改革委") == [("7.4", "信用服务机构", Decimal("0.8"))]


def test_none_said_in_words_is_zero() -> None:
    assert placed(DINGTAO, "被列入失信被执行人的政府机构一个也没有", "区法院") == [("2", None, Decimal(0))]
    assert placed(DINGTAO, "今年没有发生区域金融风险", "区财政局") == [("16.3", None, Decimal(0))]


def test_a_month_whose_figures_are_not_out_is_not_a_period() -> None:
    reading = read(DINGTAO, "二月合规率98% 三月份的还没统计出来", context("区水务局"), WORDS)
    assert [(f.item, f.period) for f in reading.figures] == [("合规率", "2022-02")]


def test_about_so_many_is_that_many_but_a_count_is_never_a_bare_percentage() -> None:
    assert placed(DINGTAO, "累计报送数据7100万余条", "区发改局") == [("6", None, Decimal(71000000))]
    assert placed(DINGTAO, "今年签了承诺书三千二百多份", "区发改局") == []


def test_the_distance_to_a_target_and_a_remainder_of_a_whole_are_not_figures() -> None:
    assert placed(DINGTAO, "报送数据5900万条，离6000万还差一点", "区发改局") == [("6", None, Decimal(59000000))]
    assert placed(DINGTAO, "征信整治三项措施目前一项取得成效", "区发改局") == [("16.2", None, Decimal(1))]


def test_all_at_the_start_answering_the_two_item_reminder_is_each_item() -> None:
    reading = read(DINGTAO, "均为100%", context("区水务局", asked="5", asked_period="2022-02"), WORDS)
    assert [(f.item, f.period) for f in reading.figures] == [("合规率", "2022-02"), ("及时率", "2022-02")]


# --- rules found on the third held-out corpus (tests/corpus/third/) ---


def test_a_correction_gives_the_new_figure_not_the_wrong_one() -> None:
    assert placed(DINGTAO, "刚才报错了，信易贷放款应为5.2亿，不是52亿", "区金融服务中心") == [
        ("11", None, Decimal(520000000))
    ]


def test_nearly_so_many_is_a_bound_not_the_figure() -> None:
    assert placed(DINGTAO, "报送数据已接近6500万条", "区发改局") == []


def test_more_slips_and_spoken_rates() -> None:
    assert placed(PUYANG, "信用服务机构治理退出律六成五", "市发展改革委") == [("7.4", "信用服务机构", Decimal("0.65"))]
    assert placed(DINGTAO, "信易贷放款累计3.4忆元", "区金融服务中心") == [("11", None, Decimal(340000000))]


def test_two_kinds_and_long_done_statements() -> None:
    assert placed(PUYANG, "两类治理对象退出率都是98%", "市发展改革委") == [
        ("7.4", "屡禁不止", Decimal("0.98")),
        ("7.4", "信用服务机构", Decimal("0.98")),
    ]
    assert placed(PUYANG, "社保信息早就推送到信易贷平台了", "市人社局") == [("5.3", "社保", Decimal(1))]


def test_a_count_of_something_its_label_does_not_count_is_not_the_figure() -> None:
    assert placed(PUYANG, "食品安全领域整改了9户企业", "市发展改革委") == []


def test_a_count_a_unit_gives_naming_itself_is_its_own_part() -> None:
    reading = read(PUYANG, "南乐县有效问卷回收35份", Context(today=JUNE, own=own(PUYANG, "南乐县"), unit="南乐县"))
    assert reading.figures == ()


def test_a_number_after_something_named_is_not_asked_about_among_other_indicators() -> None:
    reading = read(DINGTAO, "承诺书已收齐，共计380份", context("区交通局"), WORDS)
    assert (reading.figures, reading.ambiguities) == ((), ())


def test_a_quarter_names_its_three_months() -> None:
    reading = read(DINGTAO, "一季度合规率均为100%", context("区水务局"), WORDS)
    assert [(f.item, f.period) for f in reading.figures] == [
        ("合规率", "2022-01"),
        ("合规率", "2022-02"),
        ("合规率", "2022-03"),
    ]
    assert read(DINGTAO, "二季度末前合规率要到100%", context("区水务局"), WORDS).figures == ()


# --- rules found on the fourth held-out corpus (tests/corpus/fourth/) ---


def test_a_month_right_before_a_figure_is_that_figures_month() -> None:
    reading = read(DINGTAO, "合规率1月98%、2月100%", context("区水务局"), WORDS)
    assert [(f.item, f.period, f.value) for f in reading.figures] == [
        ("合规率", "2022-01", Decimal("0.98")),
        ("合规率", "2022-02", Decimal(1)),
    ]


def test_a_month_in_a_remark_in_brackets_is_not_the_figures() -> None:
    reading = read(DINGTAO, "2月份及时率100%（本月还没有处罚信息）", context("区水务局"), WORDS)
    assert [(f.item, f.period) for f in reading.figures] == [("及时率", "2022-02")]


def test_what_was_added_and_what_it_can_pass_are_not_figures() -> None:
    assert placed(DINGTAO, "信易+领域本季度新增了2个，目前共14个", "区工信局") == [("9", None, Decimal(14))]
    assert placed(DINGTAO, "应用比例95%，还没过100%", "区审批局") == [("8", None, Decimal("0.95"))]


def test_no_event_with_words_between_is_none() -> None:
    assert placed(DINGTAO, "今年没有发生过区域性金融风险", "区财政局") == [("16.3", None, Decimal(0))]


def test_zhebian_after_an_item_is_about_the_item_not_the_units_own_part() -> None:
    assert placed(DINGTAO, "纳税这边已经归集了21.5万条", "区税务局") == [("7", "纳税", Decimal(215000))]


def test_a_forms_answer_after_a_colon_is_a_yes_no_figure() -> None:
    assert placed(PUYANG, "重大金融风险：否", "市金融工作局") == [("4.4", None, Decimal(0))]
    assert placed(PUYANG, "知识产权信息共享：是", "市知识产权局") == [("5.3", "知识产权", Decimal(1))]


def test_a_bound_or_a_figure_sent_before_is_not_the_figure() -> None:
    assert placed(DINGTAO, "信用监测排名这期是第41名，离前30还有差距", "区发改局") == [("1", None, Decimal(41))]
    just_over = "全区累计报送数据量七千零二十万条，刚过7000万"
    assert placed(DINGTAO, just_over, "区发改局") == [("6", None, Decimal(70200000))]
    corrected = "更正：分级分类监管领域应为18个，上午发的19个把重复的算进去了"
    assert placed(DINGTAO, corrected, "区发改局") == [("12", None, Decimal(18))]


def test_an_indicators_code_right_before_its_word_names_it() -> None:
    assert placed(PUYANG, "6.1平台对接已完成", "市金融工作局") == [("6.1", "平台对接", Decimal(1))]
    assert placed(PUYANG, "5.2修复时限超期2件", "市发展改革委") == [("5.2", "修复时限", Decimal(2))]


def test_a_sector_the_unit_is_named_for_is_its_own_part() -> None:
    assert placed(DINGTAO, "金融领域分级分类监管已形成案例，算1个领域", "区金融监管局") == []
    assert placed(PUYANG, "烟草行业信用分级分类监管已出台办法，有典型案例，算1个领域", "市烟草专卖局") == []
    assert placed(PUYANG, "分级分类监管领域（全市口径）：12个", "市市场监管局") == [("7.2", None, Decimal(12))]


def test_a_count_of_what_the_label_only_qualifies_is_not_the_figure() -> None:
    # 7.2 counts 领域 "具有典型案例": two cases are not two domains.
    assert placed(PUYANG, "医疗领域分级分类监管办法已印发，典型案例2个", "市卫生健康委") == []
    assert placed(PUYANG, "分级分类监管领域12个", "市市场监管局") == [("7.2", None, Decimal(12))]


def test_a_clause_that_says_its_figure_was_wrong_gives_way_to_the_correction() -> None:
    text = "更正一下，刚才发的3月份及时率99%不对，应该是100%，合规率100%不变"
    assert placed(DINGTAO, text, "区发改局") == [("5", "及时率", Decimal(1)), ("5", "合规率", Decimal(1))]


def test_ranges_list_numbers_targets_and_bounds_are_not_figures() -> None:
    assert placed(DINGTAO, "3月份的及时率估计在95%-98%之间，合规率100%", "黄店镇") == [("5", "合规率", Decimal(1))]
    listed = "体育中心3月份：1.合规率100% 2.及时率99% 3.当月无新增处罚信息"
    assert placed(DINGTAO, listed, "区体育中心") == [("5", "合规率", Decimal(1)), ("5", "及时率", Decimal("0.99"))]
    assert placed(DINGTAO, "各单位双公示合规率、及时率须达到100%", "区发改局") == []
    assert placed(PUYANG, "开发区信用承诺比值达到了100%以上", "濮阳经济技术开发区管委会") == []
    assert placed(PUYANG, "原列入的2家事业单位已全部整改到位", "市中级人民法院") == []


def test_a_bare_decimal_for_a_percentage_is_not_guessed() -> None:
    assert placed(DINGTAO, "3月份及时率0.995", "区发改局") == []  # 99.5 % or 0.995 %?
    assert placed(DINGTAO, "3月份合规率白分之百", "区发改局") == [("5", "合规率", Decimal(1))]  # 白 typed for 百


def test_an_own_part_or_papers_are_not_asked_about() -> None:
    assert asked_codes(PUYANG, "范县在招投标和政府采购2个领域有案例", "范县") == []
    assert asked_codes(PUYANG, "粮储局佐证材料已发邮箱，共23页", "市粮食和物资储备局") == []


def test_a_small_figure_in_a_list_is_not_a_list_number() -> None:
    assert placed(DINGTAO, "3月份：1、合规率100% 2、及时率99%", "区发改局") == [
        ("5", "合规率", Decimal(1)),
        ("5", "及时率", Decimal("0.99")),
    ]
    assert placed(DINGTAO, "分级分类监管领域12、信用承诺书已全部签订", "区发改局") == [("12", None, Decimal(12))]
