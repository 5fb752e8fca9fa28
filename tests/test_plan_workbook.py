"""The plan as an office's Excel ledger: written, read back cell by cell, imported, and its template.

A plan written to a workbook and read again is the same plan (both shipped plans, in Chinese and in
English); a workbook with mistakes names each one by sheet, row and column and stores nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import TypeAdapter

from bot.cli import main
from config.i18n_ledger import LEDGER_MESSAGES
from config.plan_loader import load_plan_file, load_yaml_text, parse_plan_text, shipped_plan_paths
from config.plan_schema import Plan, Rule
from config.plan_workbook import LedgerCells, read_plan, write_plan, write_template
from config.plan_workbook_cells import SEPARATOR
from config.plan_workbook_template import RULE_EXAMPLES
from config.plan_yaml import plan_yaml
from config.xlsx_style import HIGHLIGHTS, add_row
from models.database import open_database
from models.plans import get_plan
from tests.test_cli_errors import english_words

PLAN_IDS = ["dingtao-2022", "puyang-2021"]


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_LANG", "zh")


def shipped(plan_id: str) -> Plan:
    return load_plan_file(shipped_plan_paths()[plan_id])


def reopened(wb: Workbook) -> Workbook:
    """The workbook as an office would open it: saved to bytes and loaded again."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def heading_of(plan: Plan) -> Callable[[str], str]:
    return lambda title: f"{plan.name} · {title} · 导出时间 2026-11-24 10:00"


def workbook(plan: Plan, *, lang: str = "zh", ledger: dict[tuple[str, str], LedgerCells] | None = None) -> Workbook:
    wb = Workbook()
    write_plan(wb, plan, heading=heading_of(plan), ledger=ledger, lang=lang)
    return reopened(wb)


def column(ws: Worksheet, header: str) -> int:
    return next(c.column for c in ws[2] if c.value == header)


def row_of(ws: Worksheet, code: str, header: str = "编号") -> int:
    col = column(ws, header)
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col).value == code)


def cell(ws: Worksheet, row: int, header: str) -> object:
    return ws.cell(row, column(ws, header)).value


def day(value: object) -> dt.date:
    """A date cell as openpyxl reads it back (a naive midnight datetime), as a date."""
    assert isinstance(value, dt.datetime)
    return value.date()


def rendered(wb: Workbook, lang: str = "zh") -> list[str]:
    plan, problems = read_plan(wb)
    assert plan is None
    return [p.render(lang) for p in problems]


# --- the round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_a_shipped_plan_is_the_same_plan_after_the_workbook_round_trip(plan_id: str, lang: str) -> None:
    original = shipped(plan_id)
    plan, problems = read_plan(workbook(original, lang=lang))
    assert problems == []
    assert plan is not None
    assert plan.model_dump() == original.model_dump()


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_the_plan_file_written_after_an_import_passes_plan_check_unchanged(plan_id: str) -> None:
    plan, _ = read_plan(workbook(shipped(plan_id)))
    assert plan is not None
    assert parse_plan_text(plan_yaml(plan)).model_dump() == shipped(plan_id).model_dump()


# --- what the office sees, cell by cell --------------------------------------------------------------


def test_dingtao_task_5_reads_as_a_ledger_row_per_responsible_unit() -> None:
    ws = workbook(shipped("dingtao-2022"))["任务台账"]
    first = row_of(ws, "5")
    assert cell(ws, first, "任务名称") == "提升统一社会信用代码质量"
    assert cell(ws, first, "任务分类") == "（三）推动公共信用信息共建共享"
    assert cell(ws, first, "责任单位") == "区委编办"
    assert cell(ws, first, "牵头") == "是"
    assert day(cell(ws, first, "完成时限")) == dt.date(2022, 6, 30)
    assert ws.cell(first, column(ws, "完成时限")).number_format == "yyyy-mm-dd"
    units = [cell(ws, r, "责任单位") for r in range(first, first + 5)]
    assert units == ["区委编办", "区民政局", "区司法局", "区审批局", "区市场监管局"]
    assert [cell(ws, r, "牵头") for r in range(first + 1, first + 5)] == [None] * 4
    code_col = get_column_letter(column(ws, "编号"))
    assert f"{code_col}{first}:{code_col}{first + 4}" in {str(r) for r in ws.merged_cells.ranges}
    assert [cell(ws, first, h) for h in ("当前状态", "更新时间", "最新进展")] == [None, None, None]


def test_a_lead_named_only_through_a_group_is_written_on_the_group_row() -> None:
    ws = workbook(shipped("dingtao-2022"))["任务台账"]
    row = row_of(ws, "7")
    assert (cell(ws, row, "责任单位"), cell(ws, row, "牵头")) == ("领导小组成员单位", "区发改局")


def test_task_parts_and_a_deadline_kept_up_afterwards_are_written_in_words() -> None:
    wb = workbook(shipped("dingtao-2022"))
    ws = wb["任务台账"]
    assert cell(ws, row_of(ws, "6"), "完成时限") == "2022-11-30，并长期坚持"
    first = row_of(ws, "11")
    parts = {cell(ws, r, "责任单位"): cell(ws, r, "分项") for r in range(first, first + 12)}
    assert (parts["区发改局"], parts["各镇街"], parts["区工行"]) == ("1、2", "1", "2")
    sheet = wb["任务分项"]
    assert [c.value for c in sheet[3]][1:] == [
        "11",
        "推进金融机构、市场主体入驻全国“信易贷”平台，注册企业占在营企业的比重超过3%。",
        "区发改局；各镇街",
    ]


def test_puyang_indicators_show_points_and_the_rule_in_the_plan_file_language() -> None:
    ws = workbook(shipped("puyang-2021"))["评分指标"]
    row = row_of(ws, "3.1")
    assert cell(ws, row, "指标名称") == "事业单位失信状况"
    assert cell(ws, row, "评分分类") == "3"
    assert cell(ws, row, "分值") == 4
    assert cell(ws, row, "评分规则") == (
        "{kind: deduct, value: {type: count, label: 未整改到位的失信被执行人事业单位数}, per: 2}"
    )
    assert str(cell(ws, row, "评分标准")).startswith("(4分) 事业单位失信被执行人整改到位率100%的, 得4分。")
    assert cell(ws, row, "责任单位") == "市中级人民法院"
    assert cell(ws, row_of(ws, "1"), "评分规则") == "{kind: assessed}"
    assert cell(ws, row_of(ws, "A1"), "附加项") == "是"
    assert day(cell(ws, row_of(ws, "7.4"), "佐证截止")) == dt.date(2021, 6, 15)
    assert "各县（区）人民政府、管委会" in str(cell(ws, row_of(ws, "6.2"), "责任单位")).split(SEPARATOR)
    gates = workbook(shipped("puyang-2021"))["基础指标"]
    assert cell(gates, row_of(gates, "G12"), "牵头单位") == "市发展改革委"


def test_every_sheet_has_a_title_row_frozen_headers_and_a_landscape_a4_print_setup() -> None:
    plan = shipped("dingtao-2022")
    wb = workbook(plan)
    assert wb.sheetnames == [
        *("计划信息", "单位", "分组", "阶段", "领导小组"),
        *("任务台账", "任务分项", "评分分类", "基础指标", "评分指标"),
    ]
    for ws in wb.worksheets:
        assert ws["A1"].value == heading_of(plan)(ws.title)
        assert ws["A1"].font.b
        assert f"A1:{get_column_letter(ws.max_column)}1" in {str(r) for r in ws.merged_cells.ranges}
        assert ws.freeze_panes == "A3"
        assert ws.print_title_rows == "$1:$2"
        assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth) == ("landscape", 9, 1)
        assert all(c.font.b and c.alignment.wrap_text for c in ws[2])
    assert [c.value for c in wb["任务台账"][2]] == [
        *("序号", "编号", "任务分类", "任务名称", "任务内容", "分项", "责任单位", "牵头", "完成时限"),
        *("当前状态", "更新时间", "最新进展", "备注"),
    ]
    assert [c.value for c in wb["评分指标"][2]] == [
        *("序号", "编号", "评分分类", "指标名称", "分值", "附加项", "报送周期", "评分规则", "评分标准", "数据来源"),
        *("工作目标", "佐证材料", "佐证截止", "牵头单位", "责任单位", "报送单位", "备注", "别名"),
    ]
    info = wb["计划信息"]
    assert [cell(info, row_of(info, key, "键"), "值") for key in ("id", "office.unit")] == ["dingtao-2022", "区发改局"]
    assert day(cell(info, row_of(info, "start", "键"), "值")) == dt.date(2022, 1, 1)


def test_the_ledger_fills_each_units_status_and_highlights_overdue_rows() -> None:
    ledger = {
        ("5", "区委编办"): LedgerCells("逾期", "2022-07-02 09:00", "已核查200条", overdue=True),
        ("5", "区民政局"): LedgerCells("已完成", "2022-06-20 16:30", "重错码已清零", overdue=False),
    }
    ws = workbook(shipped("dingtao-2022"), ledger=ledger)["任务台账"]
    first = row_of(ws, "5")
    status = [cell(ws, first, h) for h in ("当前状态", "更新时间", "最新进展")]
    assert status == ["逾期", "2022-07-02 09:00", "已核查200条"]
    assert cell(ws, first + 1, "最新进展") == "重错码已清零"
    red = HIGHLIGHTS["overdue"].start_color.rgb
    assert ws.cell(first, column(ws, "最新进展")).fill.start_color.rgb == red
    assert ws.cell(first + 1, column(ws, "最新进展")).fill.fill_type is None
    assert ws.cell(first, column(ws, "任务名称")).fill.fill_type is None  # merged: not every unit is late
    plan, problems = read_plan(workbook(shipped("dingtao-2022"), ledger=ledger))
    assert problems == []  # the status columns are ignored on import
    assert plan == shipped("dingtao-2022")


def test_long_text_gets_tall_rows_and_text_that_looks_like_a_formula_stays_text() -> None:
    ws = workbook(shipped("dingtao-2022"))["评分指标"]
    assert (ws.row_dimensions[row_of(ws, "16.3")].height or 0) > 100  # rule_text of 300 characters
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    row = add_row(sheet, ["=SUM(A1:A2)", "换行\x0b符"])
    reread = reopened(book).active
    assert isinstance(reread, Worksheet)
    assert [c.value for c in reread[row]] == ["=SUM(A1:A2)", "换行符"]
    assert reread.cell(row, 1).data_type == "s"


# --- reading what an office typed ------------------------------------------------------------------------


def test_a_broken_workbook_names_every_problem_by_sheet_row_and_column() -> None:
    wb = workbook(shipped("dingtao-2022"))
    tasks, indicators, sections = wb["任务台账"], wb["评分指标"], wb["评分分类"]
    task5 = row_of(tasks, "5")
    tasks.cell(task5, column(tasks, "完成时限")).value = "2022-06-31"
    tasks.cell(task5 + 1, column(tasks, "责任单位")).value = "区民正局"
    ind3, ind6 = row_of(indicators, "3"), row_of(indicators, "6")
    indicators.cell(ind3, column(indicators, "评分规则")).value = "{kind: linearish, zero_at: 1%}"
    indicators.cell(ind6, column(indicators, "评分规则")).value = "{kind: assessed"
    sections.cell(2, column(sections, "分值")).value = "分数"
    assert rendered(wb) == [
        f"工作表“任务台账”第 {task5} 行 I 列（完成时限）：“2022-06-31”不是有效的日期（写作 YYYY-MM-DD）",
        f"工作表“任务台账”第 {task5 + 1} 行 G 列（责任单位）：未知的单位或单位组“区民正局”",
        "工作表“评分分类”第 2 行：缺少“分值”列（必需）",
        f"工作表“评分指标”第 {ind3} 行 H 列（评分规则）：kind 应为以下之一："
        "linear、bands、rank_steps、deduct、periodic_check、count、fraction、yes_no、assessed、sum（收到“linearish”）",
        f"工作表“评分指标”第 {ind6} 行 H 列（评分规则）：YAML 格式有误：请检查缩进、冒号和引号",
    ]


def test_cells_that_cannot_be_read_are_named_in_the_offices_words_and_inside_the_rule() -> None:
    wb = workbook(shipped("dingtao-2022"))
    ws = wb["评分指标"]
    row = row_of(ws, "3")
    ws.cell(row, column(ws, "评分规则")).value = "{kind: linear, value: {type: percent}, zero_at: 0.5%, full_at: abc}"
    ws.cell(row_of(ws, "4"), column(ws, "报送周期")).value = "一月到十二月"
    wb["单位"]["D3"] = "局"
    assert rendered(wb) == [
        "工作表“单位”第 3 行 D 列（类型）：类型“局”不对，应为部门、镇街、法院、银行、企业或其他",
        f"工作表“评分指标”第 {row} 行 H 列（评分规则）：full_at：“abc”不是数字",
        f"工作表“评分指标”第 {row + 1} 行 G 列（报送周期）：报送周期“一月到十二月”看不懂（写作 2022-01至2022-12）",
    ]
    assert read_plan(wb)[1][1].render("en").startswith(f"sheet “评分指标”, row {row}, column H (评分规则): full_at: ")


def test_the_template_imports_as_a_clear_list_of_what_is_missing() -> None:
    wb = Workbook()
    write_template(wb)
    wb = reopened(wb)
    assert wb.sheetnames[0] == "填写说明"
    assert rendered(wb) == [
        "工作表“计划信息”第 3 行 C 列（方案编号）：缺少此项（必填）",
        "工作表“计划信息”第 4 行 C 列（方案名称）：缺少此项（必填）",
        "工作表“计划信息”第 9 行 C 列（开始日期）：缺少此项（必填）",
        "工作表“计划信息”第 10 行 C 列（结束日期）：缺少此项（必填）",
        "工作表“单位”：还没有填写任何一行（至少需要 1 行）",
        "工作表“评分指标”：还没有填写任何一行（至少需要 1 行）",
    ]


def test_a_filled_in_template_imports_and_its_example_rows_are_skipped() -> None:
    wb = Workbook()
    write_template(wb)
    wb = reopened(wb)
    info = wb["计划信息"]
    for key, value in (("id", "test-2023"), ("name", "测试方案"), ("start", "2023/1/1"), ("end", "2023年12月底")):
        info.cell(row_of(info, key, "键"), 3).value = value
    info.cell(row_of(info, "max_points", "键"), 3).value = "4分"
    assert str(wb["单位"]["A3"].value).startswith("示例")
    wb["单位"].append([1, "区民政局", None, "部门"])
    wb["单位"].append([2, "区司法局", "区司法行政局", None])
    wb["任务台账"].append([1, "1", None, "清理重错码", None, None, "区民政局、区司法局", "是", "2023年6月30日"])
    wb["评分指标"].append([1, "1", None, "重错率", 4, None, None, "{kind: fraction}", "按比例计分"])
    plan, problems = read_plan(wb)
    assert problems == []
    assert plan is not None
    assert [u.name for u in plan.units] == ["区民政局", "区司法局"]
    assert (plan.start, plan.end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    task = plan.tasks[0]
    both = ["区民政局", "区司法局"]
    assert (task.units, task.lead, task.deadline) == (both, both, dt.date(2023, 6, 30))
    assert [i.code for i in plan.indicators] == ["1"]


def test_every_rule_kind_has_an_example_the_plan_schema_accepts() -> None:
    union = get_args(get_args(Rule)[0])
    kinds = {get_args(model.model_fields["kind"].annotation)[0] for model in union}
    assert {kind for kind, _ in RULE_EXAMPLES} == kinds
    adapter: TypeAdapter[object] = TypeAdapter(Rule)
    for kind, text in RULE_EXAMPLES:
        assert adapter.validate_python(load_yaml_text(text)).kind == kind  # type: ignore[attr-defined]


def test_headers_in_english_and_columns_in_any_order_import_the_same_plan() -> None:
    wb = workbook(shipped("puyang-2021"))
    ws = wb["评分指标"]
    english = [c.value for c in workbook(shipped("puyang-2021"), lang="en")["Indicators"][2]]
    rows = [[c.value for c in row][::-1] for row in ws.iter_rows(min_row=2)]
    rows[0] = english[::-1]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c).value = value
    plan, problems = read_plan(wb)
    assert problems == []
    assert plan == shipped("puyang-2021")


def test_repeated_task_cells_read_like_merged_ones_and_a_disagreement_is_named() -> None:
    wb = workbook(shipped("dingtao-2022"))
    ws = wb["任务台账"]
    for span in list(ws.merged_cells.ranges):
        if span.min_row > 2:
            value = ws.cell(span.min_row, span.min_col).value
            ws.unmerge_cells(str(span))
            for r in range(span.min_row, span.max_row + 1):
                ws.cell(r, span.min_col).value = value
    plan, problems = read_plan(wb)
    assert (problems, plan) == ([], shipped("dingtao-2022"))
    first = row_of(ws, "5")
    ws.cell(first + 2, column(ws, "任务名称")).value = "提升代码质量"
    assert rendered(wb) == [
        f"工作表“任务台账”第 {first + 2} 行 D 列（任务名称）：与本任务第 {first} 行的“任务名称”不一致"
    ]


def test_an_enumeration_comma_splits_a_cell_only_between_known_unit_names() -> None:
    wb = workbook(shipped("puyang-2021"))
    ws = wb["评分指标"]
    row = row_of(ws, "6.2")
    ws.cell(row, column(ws, "责任单位")).value = "市发展改革委、各县（区）人民政府、管委会"
    plan, problems = read_plan(wb)
    assert problems == []
    assert plan is not None
    assert plan.indicators[[i.code for i in plan.indicators].index("6.2")].units == [
        "市发展改革委",
        "各县（区）人民政府、管委会",
    ]


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_no_list_entry_of_a_shipped_plan_contains_the_list_separator(plan_id: str) -> None:
    data = shipped(plan_id).model_dump(exclude={"notes"})
    entries: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            entries.extend(v for v in node if isinstance(v, str))
            for value in node:
                walk(value)

    walk(data)
    assert len(entries) > 100
    assert [e for e in entries if re.search(r"[；;\n]", e)] == []


def test_every_ledger_sentence_has_the_same_parameters_in_both_languages() -> None:
    for key, (zh, en) in LEDGER_MESSAGES.items():
        assert key.startswith("xl_")
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
    mine = ("xl_cli_", "xl_help_plan_", "xl_help_xlsx", "xl_help_out_", "xl_at_", "xl_missing_")
    for key in [k for k in LEDGER_MESSAGES if k.startswith(mine)]:
        words = english_words(re.sub(r"{\w+}", "", LEDGER_MESSAGES[key][0]))
        assert set(words) <= {"Excel", "xlsx", "YAML"}, key


# --- the command line ------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def stored(db_path: Path, plan_id: str) -> Plan | None:
    async def fetch() -> Plan | None:
        db = await open_database(f"sqlite:///{db_path}")
        try:
            async with db.session() as session:
                found = await get_plan(session, plan_id)
        finally:
            await db.close()
        return found[1] if found else None

    return asyncio.run(fetch())


def test_plan_template_writes_the_template_creating_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new" / "folder" / "台账模板.xlsx"
    code, out, err = run(capsys, "plan", "template", "--out", str(target))
    assert (code, err) == (0, "")
    assert out == f"已写出台账模板：{target}（11 个工作表）\n"
    wb = load_workbook(target)
    assert wb.sheetnames[:2] == ["填写说明", "计划信息"]
    assert wb["任务台账"]["A3"].value == "示例"


def test_plan_import_stores_the_plan_and_writes_a_plan_file_that_plan_check_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "定陶台账.xlsx"
    workbook(shipped("dingtao-2022")).save(source)
    db = tmp_path / "duban.db"
    out_file = tmp_path / "out" / "dingtao.yaml"
    code, out, err = run(capsys, "plan", "import", str(source), "--db", f"sqlite:///{db}", "--out", str(out_file))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "已载入方案 dingtao-2022：76 个单位、18 项任务（523 项单位分工）、18 项指标、0 项基础指标。",
        f"已另存为方案文件：{out_file}",
    ]
    loaded = tmp_path / "loaded.db"
    assert run(capsys, "plan", "load", "dingtao-2022", "--db", f"sqlite:///{loaded}")[0] == 0
    assert stored(db, "dingtao-2022") == stored(loaded, "dingtao-2022")  # stored exactly as `plan load` stores it
    code, out, _ = run(capsys, "plan", "check", str(out_file))
    assert code == 0
    assert "通过" in out


def test_plan_import_of_a_broken_workbook_lists_every_problem_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = workbook(shipped("puyang-2021"))
    gates, indicators = wb["基础指标"], wb["评分指标"]
    gates.cell(row_of(gates, "G3"), column(gates, "责任单位")).value = "市中院；市高院"
    row = row_of(indicators, "7.4")
    indicators.cell(row, column(indicators, "佐证截止")).value = "2021-06-31"
    source = tmp_path / "broken.xlsx"
    wb.save(source)
    db = tmp_path / "duban.db"
    code, out, err = run(capsys, "plan", "import", str(source), "--db", f"sqlite:///{db}")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{source}：2 处错误",
        f"  工作表“基础指标”第 {row_of(gates, 'G3')} 行 H 列（责任单位）：未知的单位或单位组“市高院”",
        f"  工作表“评分指标”第 {row} 行 M 列（佐证截止）：“2021-06-31”不是有效的日期（写作 YYYY-MM-DD）",
    ]
    assert stored(db, "puyang-2021") is None


def test_plan_import_of_something_that_is_not_a_workbook_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "plan.xlsx"
    fake.write_text("id: x\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path}/duban.db"
    said = f"{fake} 不是 Excel 工作簿（.xlsx），无法读取\n"
    assert run(capsys, "plan", "import", str(fake), "--db", db) == (1, "", said)
    missing = tmp_path / "missing.xlsx"
    assert run(capsys, "plan", "import", str(missing), "--db", db) == (2, "", f"无法读取 {missing}：路径不存在\n")
