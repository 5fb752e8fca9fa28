"""The other names of indicators, items and gates (`aliases:`), as liaisons write them in a reply.

Both shipped plans give every indicator, item and gate the short names people use ("信易贷",
"合规率", "黑名单"); an indicator's or gate's alias points at that one only, which `plan check` and
the workbook import enforce; the workbook carries them both ways.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli import main
from config.plan_errors import PlanFileError
from config.plan_loader import parse_plan_text, shipped_plan_paths
from config.plan_schema import Gate, Indicator, Plan
from config.plan_workbook import read_plan, write_plan, write_template
from config.plan_workbook_cells import SEPARATOR
from tests.test_plan_workbook import PLAN_IDS, shipped


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_LANG", "zh")


def shipped_text(plan_id: str) -> str:
    return shipped_plan_paths()[plan_id].read_text(encoding="utf-8")


def scored(plan: Plan) -> list[Indicator | Gate]:
    return [*plan.indicators, *plan.gates]


def owner_of(plan: Plan, word: str) -> list[str]:
    """The codes of every indicator or gate that `word` names (by name or alias)."""
    return [x.code for x in scored(plan) if word in x.names()]


def items_named(plan: Plan, word: str) -> list[tuple[str, str]]:
    """(indicator code, item name) of every item that `word` names."""
    return [(x.code, i.name) for x in plan.indicators for i in x.items() if word in i.names()]


def refused(text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(text, "plan.yaml")
    return [e.render("zh") for e in caught.value.errors]


def reopened(wb: Workbook) -> Workbook:
    buffer = io.BytesIO()
    wb.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def workbook(plan: Plan, lang: str = "zh") -> Workbook:
    wb = Workbook()
    write_plan(wb, plan, heading=lambda title: f"{plan.name} · {title}", lang=lang)
    return reopened(wb)


def column(ws: Worksheet, header: str) -> int:
    return next(c.column for c in ws[2] if c.value == header)


def row_of(ws: Worksheet, code: str) -> int:
    col = column(ws, "编号")
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col).value == code)


# --- the shipped plans ------------------------------------------------------------------------------


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_indicator_item_and_gate_of_a_shipped_plan_has_an_alias(plan_id: str) -> None:
    plan = shipped(plan_id)
    assert [x.code for x in scored(plan) if not x.aliases] == []
    assert [(x.code, i.name) for x in plan.indicators for i in x.items() if not i.aliases] == []


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_indicator_and_gate_aliases_are_short_and_point_at_one_place(plan_id: str) -> None:
    plan = shipped(plan_id)
    aliases = [a for x in scored(plan) for a in x.aliases]
    assert [a for a in aliases if not 2 <= len(a) <= 8] == []
    assert [a for a in aliases if len(owner_of(plan, a)) != 1] == []


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("重错率", "4"),
        ("黑名单", "3"),
        ("失信被执行人", "2"),
        ("双公示", "5"),
        ("报送数据", "6"),
        ("信易贷", "11"),
        ("授信", "11"),
        ("放款", "11"),
        ("信易贷注册", "10"),
        ("承诺书", "13"),
        ("信用承诺", "13"),
        ("城市信用监测排名", "1"),
    ],
)
def test_dingtao_words_of_a_reply_name_one_indicator(word: str, code: str) -> None:
    assert owner_of(shipped("dingtao-2022"), word) == [code]


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("重错率", "5.1"),
        ("双公示", "5.2"),
        ("信用修复", "5.2"),
        ("合规率", "G4"),
        ("及时率", "G4"),
        ("信易贷", "6.1"),
        ("承诺书", "7.1"),
        ("红黑名单", "7.3"),
        ("失信被执行人", "G3"),
        ("城市信用监测排名", "G7"),
        ("告知承诺制", "G11"),
    ],
)
def test_puyang_words_of_a_reply_name_one_indicator_or_gate(word: str, code: str) -> None:
    assert owner_of(shipped("puyang-2021"), word) == [code]


def test_items_answer_to_the_words_liaisons_use() -> None:
    dingtao, puyang = shipped("dingtao-2022"), shipped("puyang-2021")
    assert items_named(dingtao, "双公示合规率") == [("5", "合规率")]
    assert items_named(dingtao, "用电") == [("7", "电")]
    assert items_named(dingtao, "专项经费") == [("14", "经费支持")]
    # The same word may name items of different indicators: the reply names the indicator.
    assert items_named(puyang, "社保信息") == [("5.3", "社保")]
    assert items_named(puyang, "推荐名单") == [("6.1", "推荐名单机制")]
    assert items_named(puyang, "修复时间") == [("5.2", "修复时限")]


# --- plan check --------------------------------------------------------------------------------------


def test_an_alias_that_another_indicator_already_uses_is_refused_at_its_line() -> None:
    text = shipped_text("puyang-2021").replace(
        "aliases: [联合奖惩, 红黑名单,", "aliases: [联合奖惩, 信易贷, 红黑名单,", 1
    )
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "[联合奖惩, 信易贷," in row)
    assert refused(text) == [
        f"第 {line} 行第 21 列：indicators[code=7.3].aliases[1]：“信易贷”已是指标 6.1（“信易贷”工作）的名称或别名"
    ]


def test_an_alias_equal_to_another_indicators_name_is_refused_even_before_it() -> None:
    text = shipped_text("puyang-2021").replace("aliases: [分级分类全覆盖,", "aliases: [信用承诺, 分级分类全覆盖,", 1)
    (error,) = refused(text)
    assert error.endswith("gates[code=G10].aliases[0]：“信用承诺”已是指标 7.1（信用承诺）的名称或别名")


def test_an_indicator_alias_equal_to_a_gates_alias_is_refused_in_english_too() -> None:
    text = shipped_text("puyang-2021").replace("aliases: [事业单位失信,", "aliases: [事业单位失信, 等保三级,", 1)
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(text, "plan.yaml")
    (error,) = caught.value.errors
    assert error.key == "cli_plan_scored_alias_taken"
    assert error.render("en").endswith(
        "indicators[code=3.1].aliases[1]: '等保三级' already names indicator G8 "
        "(信用信息共享平台完成等保三级备案和测评，近三年未发生严重安全事件)"
    )


def test_an_alias_repeated_within_one_indicator_or_equal_to_its_own_name_is_harmless() -> None:
    text = shipped_text("dingtao-2022").replace("aliases: [黑名单,", "aliases: [市场主体黑名单情况, 黑名单, 黑名单,", 1)
    assert parse_plan_text(text).indicators[2].aliases[:3] == ["市场主体黑名单情况", "黑名单", "黑名单"]


def test_items_of_different_indicators_may_share_a_name_or_alias() -> None:
    shipped_aliases = "aliases: [双公示合规率, 合规]"
    text = shipped_text("dingtao-2022").replace(shipped_aliases, "aliases: [双公示合规率, 合规, 社保信息]", 1)
    plan = parse_plan_text(text)
    assert items_named(plan, "社保信息") == [("5", "合规率"), ("7", "社保")]


def test_plan_check_names_the_clash_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "dingtao.yaml"
    text = shipped_text("dingtao-2022").replace("aliases: [信用承诺, 承诺书,", "aliases: [黑名单, 承诺书,", 1)
    bad.write_text(text, encoding="utf-8")
    assert main(["plan", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "indicators[code=13].aliases[0]：“黑名单”已是指标 3（市场主体黑名单情况）的名称或别名" in err


# --- the workbook ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_the_workbook_round_trip_keeps_every_alias(plan_id: str, lang: str) -> None:
    original = shipped(plan_id)
    plan, problems = read_plan(workbook(original, lang))
    assert problems == []
    assert plan is not None
    for before, after in zip(scored(original), scored(plan), strict=True):
        assert after.aliases == before.aliases
    for before_ind, after_ind in zip(original.indicators, plan.indicators, strict=True):
        assert [i.aliases for i in after_ind.items()] == [i.aliases for i in before_ind.items()]


def test_the_alias_column_shows_the_aliases_separated_as_other_lists() -> None:
    wb = workbook(shipped("puyang-2021"))
    gates, indicators = wb["基础指标"], wb["评分指标"]
    assert gates.cell(row_of(gates, "G4"), column(gates, "别名")).value == SEPARATOR.join(
        ["双公示三率", "双公示合规率", "双公示及时率", "双公示上报率", "合规率", "及时率", "上报率"]
    )
    assert indicators.cell(row_of(indicators, "6.1"), column(indicators, "别名")).value == "信易贷；信易贷工作"
    assert "aliases: [与全国信易贷平台对接, 信易贷对接" in str(
        indicators.cell(row_of(indicators, "6.1"), column(indicators, "评分规则")).value
    )


def test_a_clashing_alias_typed_into_the_workbook_is_named_at_its_cell() -> None:
    wb = workbook(shipped("puyang-2021"))
    ws = wb["评分指标"]
    row, col = row_of(ws, "7.3"), column(ws, "别名")
    ws.cell(row, col).value = "联合奖惩；信易贷"
    plan, problems = read_plan(wb)
    assert plan is None
    letter = get_column_letter(col)
    assert [p.render("zh") for p in problems] == [
        f"工作表“评分指标”第 {row} 行 {letter} 列（别名）：“信易贷”已是指标 6.1（“信易贷”工作）的名称或别名"
    ]


def test_a_workbook_without_alias_columns_still_imports() -> None:
    wb = workbook(shipped("dingtao-2022"))
    for title in ("基础指标", "评分指标"):
        ws = wb[title]
        ws.delete_cols(column(ws, "别名"))
    plan, problems = read_plan(wb)
    assert problems == []
    assert plan is not None
    assert [x.aliases for x in plan.indicators] == [[] for _ in plan.indicators]


def test_the_template_shows_an_alias_example_for_indicators_and_gates() -> None:
    wb = Workbook()
    write_template(wb)
    wb = reopened(wb)
    for title, example in (("基础指标", "重错率；重错码"), ("评分指标", "黑名单；严重失信名单")):
        ws = wb[title]
        assert ws.cell(3, column(ws, "别名")).value == example
