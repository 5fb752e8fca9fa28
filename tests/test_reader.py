"""The reader of plain-Chinese replies (models/reader.py) on the issue's own examples: what it reads,
what it asks about, and what it leaves as a note; and that no text makes it fail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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


def test_two_figures_for_one_place_are_asked_about_not_guessed() -> None:
    reading = read(DINGTAO, "信易贷授信8.2亿，放款6亿", context("区金融服务中心"), WORDS)
    assert reading.figures == ()
    assert [a.codes for a in reading.ambiguities] == [("11",)]


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
