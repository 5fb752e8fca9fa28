"""The weekly digest: what leaders and units read on Monday morning, and the chart that goes with it."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib.image import imread

from config.i18n_digest import DIGEST_MESSAGES
from reminders.chart import render_chart
from reminders.digest import (
    DigestData,
    IndicatorLine,
    MissingFigure,
    TaskLine,
    compose_leader_digest,
    compose_unit_digest,
    moved,
    points_change,
)

CIVIL = "区民政局"
FINANCE = "区财政局"
MARKET = "区市场监管局"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def indicator(
    code: str, points: str, maximum: str, previous: str | None, *units: str, bonus: bool = False
) -> IndicatorLine:
    return IndicatorLine(
        code=code,
        name=f"指标{code}",
        points=Decimal(points),
        max=Decimal(maximum),
        bonus=bonus,
        previous=None if previous is None else Decimal(previous),
        units=units,
    )


def task(code: str, deadline: date | None, *units: str) -> TaskLine:
    return TaskLine(code=code, title=f"任务{code}", deadline=deadline, units=units)


def make_data(**changes: Any) -> DigestData:
    """A week in a small plan: a few indicators, gates, tasks and missing figures across three units."""
    data = DigestData(
        plan_id="puyang-2021",
        plan_name="濮阳市社会信用体系建设工作台账",
        week_start=date(2024, 5, 6),
        week_end=date(2024, 5, 12),
        generated_at=datetime(2024, 5, 13, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        total=Decimal("62.5"),
        max=Decimal(100),
        bonus_total=Decimal(2),
        bonus_max=Decimal(5),
        previous_total=Decimal(61),
        indicators=(
            indicator("1", "4.2", "5", "4.2", CIVIL),
            indicator("2", "5", "6", "4.2", FINANCE, CIVIL),
            indicator("3", str(Decimal(30) / Decimal(7)), "6", "3", MARKET),
            indicator("4", "0", "4", None, FINANCE),
            indicator("A1", "2", "5", "1", MARKET, bonus=True),
        ),
        gates=(("G1", "门槛一", True), ("G2", "门槛二", False), ("G3", "门槛三", None), ("G4", "门槛四", True)),
        completed=(task("5", date(2024, 5, 10), FINANCE),),
        overdue=(task("7", date(2024, 5, 1), CIVIL, MARKET), task("6", date(2024, 4, 20), MARKET)),
        upcoming=(task("9", date(2024, 5, 24), FINANCE, MARKET), task("8", date(2024, 5, 15), MARKET)),
        missing=(
            MissingFigure(FINANCE, "4", None),
            MissingFigure(MARKET, "3", "2024-04"),
            MissingFigure(MARKET, "3", "2024-03"),
            MissingFigure(MARKET, "A1", "2024-04"),
        ),
        trend=((date(2024, 4, 29), Decimal(60)), (date(2024, 5, 6), Decimal(61)), (date(2024, 5, 13), Decimal("62.5"))),
    )
    return dataclasses.replace(data, **changes)


def section(text: str, header: str) -> str:
    """The block of the digest that starts with `header` (blocks are separated by blank lines)."""
    blocks = [b for b in text.split("\n\n") if b.startswith(header)]
    assert len(blocks) == 1, text
    return blocks[0]


# the change of the total


@pytest.mark.parametrize(
    ("previous", "zh", "en"),
    [
        ("61", "总分 62.5 / 100（较上周 +1.5）", "Total 62.5 / 100 (+1.5 since last week)"),
        ("62.7", "总分 62.5 / 100（较上周 -0.2）", "Total 62.5 / 100 (-0.2 since last week)"),
        ("62.50", "总分 62.5 / 100（与上周持平）", "Total 62.5 / 100 (unchanged since last week)"),
        (None, "总分 62.5 / 100（首次周报）", "Total 62.5 / 100 (first digest)"),
    ],
)
def test_the_total_says_how_it_changed_since_last_week(previous: str | None, zh: str, en: str) -> None:
    data = make_data(previous_total=None if previous is None else Decimal(previous))
    assert zh in compose_leader_digest(data, "zh").splitlines()
    assert en in compose_leader_digest(data, "en").splitlines()


def test_points_change_is_exact_and_none_for_the_first_digest() -> None:
    assert points_change(make_data()) == Decimal("1.5")
    assert points_change(make_data(previous_total=Decimal("62.5001"))) == Decimal("-0.0001")
    assert points_change(make_data(previous_total=None)) is None


def test_a_change_too_small_to_show_reads_as_unchanged() -> None:
    text = compose_leader_digest(make_data(previous_total=Decimal("62.501")), "zh")
    assert "总分 62.5 / 100（与上周持平）" in text


def test_bonus_line_only_when_the_plan_has_bonus_points() -> None:
    assert "附加分 2 / 5" in compose_leader_digest(make_data(), "zh")
    assert "附加分" not in compose_leader_digest(make_data(bonus_max=Decimal(0), bonus_total=Decimal(0)), "zh")


# what moved


def test_moved_lists_indicators_whose_points_changed() -> None:
    data = make_data()
    assert [i.code for i in moved(data)] == ["2", "3", "A1"]  # 1 unchanged, 4 still at 0 with no previous
    first = make_data(indicators=(indicator("1", "3", "5", None), indicator("2", "0", "5", None)))
    assert [i.code for i in moved(first)] == ["1"]


def test_moved_indicators_show_points_before_and_after() -> None:
    block = section(compose_leader_digest(make_data(), "zh"), "本周得分变动的指标：")
    assert block.splitlines()[1:] == [
        "  · 2 指标2：4.2 → 5",
        "  · 3 指标3：3 → 4.29",
        "  · A1 指标A1（附加）：1 → 2",
    ]
    first = make_data(indicators=(indicator("1", "4.80", "5", None),))
    assert "  · 1 指标1：0 → 4.8" in compose_leader_digest(first, "zh")


# gates


def test_gates_summary_counts_met_names_failed_and_counts_unassessed() -> None:
    assert "基础指标：2/4 达标；未达标：G2 门槛二；待确认 1 项" in compose_leader_digest(make_data(), "zh")
    en = compose_leader_digest(make_data(), "en")
    assert "Basic indicators: 2/4 met; not met: G2 门槛二; 1 not yet assessed" in en


def test_all_gates_met_says_only_the_count() -> None:
    data = make_data(gates=(("G1", "门槛一", True), ("G2", "门槛二", True)))
    assert "基础指标：2/2 达标" in compose_leader_digest(data, "zh").splitlines()


def test_no_gates_means_no_gates_line() -> None:
    assert "基础指标" not in compose_leader_digest(make_data(gates=()), "zh")


# tasks


def test_overdue_tasks_name_the_late_units_most_overdue_first() -> None:
    block = section(compose_leader_digest(make_data(), "zh"), "逾期任务：")
    assert block.splitlines()[1:] == [
        "  · 6 任务6（截止 2024-04-20），逾期单位：区市场监管局",
        "  · 7 任务7（截止 2024-05-01），逾期单位：区民政局、区市场监管局",
    ]


def test_upcoming_deadlines_list_the_units_still_owing_soonest_first() -> None:
    block = section(compose_leader_digest(make_data(), "en"), "Due within 14 days:")
    assert block.splitlines()[1:] == [
        "  · 8 任务8 (due 2024-05-15); still owing: 区市场监管局",
        "  · 9 任务9 (due 2024-05-24); still owing: 区财政局, 区市场监管局",
    ]


def test_completed_this_week_names_the_units_that_finished() -> None:
    assert "  · 5 任务5（截止 2024-05-10），完成单位：区财政局" in compose_leader_digest(make_data(), "zh")


def test_empty_sections_say_none_briefly() -> None:
    data = make_data(completed=(), overdue=(), upcoming=(), missing=(), indicators=())
    zh = compose_leader_digest(data, "zh").splitlines()
    assert {"本周得分变动的指标：无", "本周完成：无", "逾期任务：无", "14 天内到期：无", "未报送数据的单位：无"} <= set(
        zh
    )
    en = compose_leader_digest(data, "en").splitlines()
    assert {"Overdue tasks: none", "Due within 14 days: none", "Completed this week: none"} <= set(en)


def test_long_unit_lists_are_cut_with_the_full_count() -> None:
    units = tuple(f"单位{n}" for n in range(1, 10))
    text = compose_leader_digest(make_data(overdue=(task("7", date(2024, 5, 1), *units),)), "zh")
    assert "逾期单位：单位1、单位2、单位3、单位4 等 9 个单位" in text
    assert "单位5" not in text
    en = compose_leader_digest(make_data(overdue=(task("7", date(2024, 5, 1), *units),)), "en")
    assert "late: 单位1, 单位2, 单位3, 单位4 and others (9 units)" in en


def test_long_sections_are_cut_with_a_count_of_the_rest() -> None:
    many = tuple(task(str(n), date(2024, 4, n), CIVIL) for n in range(1, 16))
    block = section(compose_leader_digest(make_data(overdue=many), "zh"), "逾期任务：")
    lines = block.splitlines()
    assert len(lines) == 1 + 10 + 1
    assert lines[-1] == "  · ……另有 5 项"


# figures not reported


def test_missing_figures_are_grouped_per_unit_with_their_periods() -> None:
    block = section(compose_leader_digest(make_data(), "zh"), "未报送数据的单位：")
    assert block.splitlines()[1:] == [
        "  · 区市场监管局：3（2024-03、2024-04）、A1（2024-04）",
        "  · 区财政局：4",
    ]


def test_many_missing_periods_are_folded() -> None:
    months = [MissingFigure(CIVIL, "5", f"2024-0{m}") for m in range(1, 7)]
    text = compose_leader_digest(make_data(missing=tuple(months)), "zh")
    assert "  · 区民政局：5（2024-01…2024-06 共 6 期）" in text


# languages


def test_english_digest_has_no_chinese_apart_from_names_from_the_data() -> None:
    data = make_data()
    text = compose_leader_digest(data, "en") + "\n" + (compose_unit_digest(data, MARKET, "en") or "")
    names = [data.plan_name, CIVIL, FINANCE, MARKET]
    names += [i.name for i in data.indicators] + [name for _, name, _ in data.gates]
    names += [t.title for t in data.completed + data.overdue + data.upcoming]
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    assert not CJK.findall(text), text
    assert text.startswith("Duban weekly digest: \n2024-05-06–2024-05-12")


def test_digest_keys_are_prefixed_and_all_used() -> None:
    source = Path("reminders/digest.py").read_text(encoding="utf-8")
    used = set(re.findall(r'ctx\.t\(\s*"(digest_[a-z_]+)"', source))
    chart = Path("reminders/chart.py").read_text(encoding="utf-8")  # the picture's words, digest_chart_*
    used |= set(re.findall(r'translate\(\s*lang,\s*"(digest_chart_[a-z_]+)"', chart))
    assert all(key.startswith("digest_") for key in DIGEST_MESSAGES)
    assert used == set(DIGEST_MESSAGES)


# a unit's slice


def test_unit_slice_shows_only_that_units_items() -> None:
    text = compose_unit_digest(make_data(), CIVIL, "zh")
    assert text is not None
    assert text.startswith("督办周报：濮阳市社会信用体系建设工作台账\n区民政局（2024-05-06–2024-05-12）")
    assert section(text, "逾期任务：").splitlines()[1:] == ["  · 7 任务7（截止 2024-05-01）"]
    assert "14 天内到期：无" in text
    assert "待报送数据：无" in text
    assert "本周完成：无" in text
    assert section(text, "本单位负责的指标：").splitlines()[1:] == [
        "  · 1 指标1：4.2 / 5",
        "  · 2 指标2：5 / 6（本周 +0.8）",
    ]
    for other in (MARKET, FINANCE, "任务6", "任务8", "任务9", "任务5", "指标3"):
        assert other not in text


def test_unit_slice_lists_its_missing_figures_with_indicator_names() -> None:
    text = compose_unit_digest(make_data(), MARKET, "zh")
    assert text is not None
    assert section(text, "待报送数据：").splitlines()[1:] == [
        "  · 3 指标3（2024-03、2024-04）",
        "  · A1 指标A1（2024-04）",
    ]
    assert "  · A1 指标A1（附加）：2 / 5（本周 +1）" in text


def test_unit_with_nothing_to_say_gets_no_message() -> None:
    assert compose_unit_digest(make_data(), "区教育局", "zh") is None
    assert compose_unit_digest(make_data(), "区教育局", "en") is None


def test_unit_with_only_a_missing_figure_still_hears_about_it() -> None:
    data = make_data(indicators=(), completed=(), overdue=(), upcoming=(), missing=(MissingFigure(CIVIL, "9", None),))
    text = compose_unit_digest(data, CIVIL, "en")
    assert text is not None
    assert "Figures still to report:\n  · 9" in text
    assert "Indicators your unit" not in text


# the chart

PNG = b"\x89PNG\r\n\x1a\n"


def chart_size(png: bytes) -> tuple[int, int]:
    pixels = imread(io.BytesIO(png))
    return pixels.shape[1], pixels.shape[0]


def weeks(count: int) -> tuple[tuple[date, Decimal], ...]:
    start = date(2024, 1, 1)
    return tuple((start + timedelta(weeks=n), Decimal(40) + Decimal(n) / 2) for n in range(count))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="typical"),
        pytest.param({"trend": weeks(1), "previous_total": None}, id="first-week"),
        pytest.param({"trend": weeks(30)}, id="thirty-weeks"),
        pytest.param(
            {"indicators": tuple(indicator(f"{n}.1", str(n % 5), "5", None, CIVIL, bonus=n > 36) for n in range(40))},
            id="forty-indicators",
        ),
        pytest.param({"indicators": (), "trend": ()}, id="nothing-yet"),
    ],
)
def test_chart_is_a_png_of_readable_size(changes: dict[str, Any]) -> None:
    png = render_chart(make_data(**changes))
    assert png.startswith(PNG)
    assert len(png) < 300_000
    width, height = chart_size(png)
    assert width >= 800
    assert height >= 500
