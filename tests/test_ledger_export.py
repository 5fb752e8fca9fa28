"""The exported ledger (台账) read back cell by cell, the evidence zip opened entry by entry, and both
through the command line and the chat, as the office receives them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import shutil
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli import main
from handlers.context import Services
from handlers.types import Attachment
from models.evidence import EvidenceCell, Submission, completeness
from models.evidence_zip import accepted_decisions, safe_part, write_evidence_zip
from models.ledger_export import export_workbook
from models.plans import get_plan
from tests.conftest import SHANGHAI, FakeClock, member

DINGTAO = "dingtao-2022"
PUYANG = "puyang-2021"
NDRC = "市发展改革委"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OVERDUE = "00F8CBAD"
WARN = "00FFF2CC"
SCORE_HEADERS = ["编号", "指标名称", "评分分类", "评分标准", "报送数值", "得分", "满分", "还可得分", "附加项"]
GATE_HEADERS = ["编号", "基础指标", "指标内容", "佐证材料", "状态", "报送人", "报送时间"]
EVIDENCE_HEADERS = ["编号", "指标名称", "佐证材料", "佐证截止", "责任单位", "状态", "已交文件", "存储位置", "退回原因"]
RANK_HEADERS = ["名次", "单位名称", "任务数", "已完成", "逾期任务", "应交佐证", "佐证已通过", "佐证逾期", "报送次数"]
RANK_HEADERS.append("完成率")


def pdf(tag: str) -> bytes:
    return PDF + tag.encode()


async def export(services: Services, plan_id: str, lang: str = "zh") -> Workbook:
    async with services.db.session() as session:
        found = await get_plan(session, plan_id)
        assert found is not None
        data = await export_workbook(session, *found, now=services.clock(), lang=lang)
    return load_workbook(io.BytesIO(data))


def rows(ws: Worksheet) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=3)]


def row_of(ws: Worksheet, **match: object) -> int:
    """The row number whose cells under the given headers hold the given values."""
    headers = {c.value: c.column or 0 for c in ws[2]}
    for row in range(3, ws.max_row + 1):
        if all(ws.cell(row=row, column=headers[h]).value == v for h, v in match.items()):
            return row
    raise AssertionError(f"no row with {match}")


def task_row(ws: Worksheet, code: str, unit: str) -> int:
    """The row of one unit's share of a task or evidence code (the code's own cells are merged down
    its rows)."""
    start = row_of(ws, 编号=code)
    row = start
    while row == start or (row <= ws.max_row and ws.cell(row=row, column=1).value is None):
        if cell(ws, row, "责任单位") == unit:
            return row
        row += 1
    raise AssertionError(f"task {code} lists no {unit}")


def cell(ws: Worksheet, row: int, header: str) -> object:
    column = next(c.column for c in ws[2] if c.value == header)
    return ws.cell(row=row, column=column).value


def fill(ws: Worksheet, row: int, column: int = 1) -> str:
    return str(ws.cell(row=row, column=column).fill.start_color.rgb)


async def dingtao_under_way(dingtao: Services, clock: FakeClock) -> None:
    """Progress on tasks 5 and 3 (a 各镇街 task), and two figures, on 2022-06-01; the export on 2022-07-05."""
    admin = await member(dingtao, DINGTAO, "office", "admin")
    minzheng = await member(dingtao, DINGTAO, "mz", "liaison", "区民政局")
    for chat, text in [
        (minzheng, "/progress 5 进行中 已核查200条"),
        (admin, "/progress 5 完成 区委编办"),
        (admin, "/progress 3 完成 天中街道 已整改"),
        (admin, "/progress 3 进行中 滨河街道"),
        (admin, "/report 11 8亿"),
        (admin, "/report 3 0.45%"),
    ]:
        assert (await chat.say(text)).ok, text
    clock.set(dt.datetime(2022, 7, 5, 9, 30, tzinfo=SHANGHAI))


async def test_the_task_ledger_shows_each_units_status_change_time_latest_note_and_lateness(
    dingtao: Services, clock: FakeClock
) -> None:
    await dingtao_under_way(dingtao, clock)
    wb = await export(dingtao, DINGTAO)
    ws = wb["任务台账"]
    assert ws["A1"].value == "定陶区创建省社会信用体系建设典型城市实施方案　任务台账（导出时间：2022-07-05 09:30）"
    done = task_row(ws, "5", "区委编办")
    assert [cell(ws, done, h) for h in ("当前状态", "更新时间", "最新进展")] == ["已完成", "2022-06-01 10:00", None]
    assert fill(ws, done, 7) == "00000000"
    doing = task_row(ws, "5", "区民政局")
    assert cell(ws, doing, "当前状态") == "进行中"
    assert cell(ws, doing, "更新时间") == "2022-06-01 10:00"
    assert cell(ws, doing, "最新进展") == "已核查200条"
    assert fill(ws, doing, 7) == OVERDUE  # task 5 was due 2022-06-30
    untouched = task_row(ws, "5", "区审批局")
    assert cell(ws, untouched, "当前状态") == "未开始"
    assert fill(ws, untouched, 10) == OVERDUE


async def test_a_group_row_counts_its_units_and_carries_the_newest_note(dingtao: Services, clock: FakeClock) -> None:
    await dingtao_under_way(dingtao, clock)
    ws = (await export(dingtao, DINGTAO))["任务台账"]
    towns = task_row(ws, "3", "各镇街")
    assert cell(ws, towns, "当前状态") == "1/11 已完成"
    assert cell(ws, towns, "更新时间") == "2022-06-01 10:00"
    assert cell(ws, towns, "最新进展") == "天中街道：已整改"
    assert fill(ws, towns, 7) == "00000000"  # task 3 is due 2022-11-30


async def test_scores_are_numbers_shown_as_the_plan_writes_them_with_figures_hints_and_total(
    dingtao: Services, clock: FakeClock
) -> None:
    await dingtao_under_way(dingtao, clock)
    ws = (await export(dingtao, DINGTAO))["指标得分"]
    assert ws["A1"].value.endswith("指标得分（导出时间：2022-07-05 09:30）")
    assert [c.value for c in ws[2]] == SCORE_HEADERS
    row = row_of(ws, 编号="11")
    assert cell(ws, row, "指标名称") == "“信易贷”授信放款规模"
    assert cell(ws, row, "报送数值") == "当前数值 = 8亿元"
    assert cell(ws, row, "得分") == pytest.approx(4.29)
    assert ws.cell(row=row, column=6).number_format == "0.00"
    assert ws.cell(row=row, column=6).data_type == "n"
    assert cell(ws, row, "满分") == 6
    assert ws.cell(row=row, column=7).number_format == "0"
    assert "达到 10亿元" in str(cell(ws, row, "还可得分"))
    assert "区授信金额或放款金额达到10亿元，得6分" in str(cell(ws, row, "评分标准"))
    five = row_of(ws, 编号="5")
    assert cell(ws, five, "满分") == pytest.approx(4.8)
    assert ws.cell(row=five, column=7).number_format == "0.0"
    assert cell(ws, five, "报送数值") == "未报送"
    assert fill(ws, five) == WARN
    total = row_of(ws, 指标名称="合计")
    assert cell(ws, total, "得分") == pytest.approx(5.29)
    assert cell(ws, total, "满分") == 100
    assert ws.cell(row=total, column=2).font.b


async def test_the_ranking_puts_units_with_nothing_late_first_and_says_its_rule(
    dingtao: Services, clock: FakeClock
) -> None:
    await dingtao_under_way(dingtao, clock)
    ws = (await export(dingtao, DINGTAO))["单位排名"]
    assert [c.value for c in ws[2]] == RANK_HEADERS
    table: list[list[Any]] = [r for r in rows(ws) if isinstance(r[0], int)]
    order = [r[1] for r in table]
    assert order.index("区委编办") < order.index("区民政局")
    late = [r[4] for r in table]
    assert late == sorted(late)  # fewest overdue tasks first (Dingtao asks for no evidence)
    bianban = table[order.index("区委编办")]
    assert bianban[2:9] == [bianban[2], 1, 0, 0, 0, 0, 0]
    assert bianban[9] == pytest.approx(1 / bianban[2], abs=1e-4)
    assert ws.cell(row=row_of(ws, 单位名称="区委编办"), column=10).number_format == "0%"
    minzheng = table[order.index("区民政局")]
    assert minzheng[4] == 1
    assert fill(ws, row_of(ws, 单位名称="区民政局")) == OVERDUE
    ranks = [r[0] for r in table]
    assert ranks[0] == 1
    assert all(b in (a, i + 1) for i, (a, b) in enumerate(zip(ranks, ranks[1:], strict=False), start=1))
    assert str(ws.cell(row=ws.max_row, column=1).value).startswith("排序规则：逾期项")


async def test_every_sheet_has_a_heading_frozen_headers_and_widths_and_dingtao_gets_no_empty_sheets(
    dingtao: Services, clock: FakeClock
) -> None:
    await dingtao_under_way(dingtao, clock)
    wb = await export(dingtao, DINGTAO)
    assert wb.sheetnames[:3] == ["任务台账", "指标得分", "单位排名"]
    assert wb.active is not None
    assert wb.active.title == "任务台账"
    assert "基础指标达标情况" not in wb.sheetnames
    assert "佐证材料" not in wb.sheetnames
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A3", ws.title
        assert "导出时间：2022-07-05 09:30" in str(ws["A1"].value), ws.title
        assert ws.column_dimensions["A"].width > 0
    assert wb["指标得分"].column_dimensions["D"].width == 58


async def puyang_under_way(puyang: Services, clock: FakeClock) -> None:
    """Gates answered, a figure, evidence accepted, pending and rejected on 2021-05-28; export on 2021-06-02."""
    admin = await member(puyang, PUYANG, "office", "admin")
    ndrc = await member(puyang, PUYANG, "ndrc", "liaison", NDRC)
    office = await member(puyang, PUYANG, "cpo", "liaison", "市委办公室")
    for chat, text, attachment in [
        (admin, "/gate G1 达标", None),
        (admin, "/gate G3 未达标", None),
        (admin, "/report 3.1 1", None),
        (ndrc, "/evidence G4 2021年统计", Attachment("双公示统计.pdf", pdf("g4"))),
        (ndrc, "/evidence G4 汇总表", Attachment("汇总表.pdf", pdf("sum"))),
        (ndrc, "/evidence 1 待审", Attachment("实施方案.pdf", pdf("plan"))),
        (office, "/evidence 1", Attachment("纪要.pdf", pdf("minutes"))),
        (admin, "/review 1 通过", None),
        (admin, "/review 2 通过", None),
        (admin, "/review 4 退回 缺少公章", None),
    ]:
        reply = await chat.say(text, attachment=attachment) if attachment else await chat.say(text)
        assert reply.ok, (text, reply.text)
    clock.set(dt.datetime(2021, 6, 2, 9, 0, tzinfo=SHANGHAI))


async def test_gates_show_met_not_met_and_open_with_who_answered_and_when(puyang: Services, clock: FakeClock) -> None:
    await puyang_under_way(puyang, clock)
    ws = (await export(puyang, PUYANG))["基础指标达标情况"]
    assert [c.value for c in ws[2]] == GATE_HEADERS
    g1 = row_of(ws, 编号="G1")
    answered = [cell(ws, g1, h) for h in ("状态", "报送人", "报送时间")]
    assert answered == ["达标", "管理员（办公室） office", "2021-05-28 10:00"]
    assert cell(ws, g1, "基础指标") == "统一社会信用代码重错率低于万分之一"
    assert fill(ws, g1) == "00000000"
    g3 = row_of(ws, 编号="G3")
    assert cell(ws, g3, "状态") == "未达标"
    assert fill(ws, g3) == OVERDUE
    g2 = row_of(ws, 编号="G2")
    assert [cell(ws, g2, h) for h in ("状态", "报送人", "报送时间")] == ["未报", None, None]
    assert fill(ws, g2) == WARN


async def test_evidence_rows_show_state_files_where_they_are_kept_and_late_ones_in_red(
    puyang: Services, clock: FakeClock
) -> None:
    await puyang_under_way(puyang, clock)
    ws = (await export(puyang, PUYANG))["佐证材料"]
    assert [c.value for c in ws[2]] == EVIDENCE_HEADERS
    g4 = task_row(ws, "G4", NDRC)
    assert cell(ws, g4, "状态") == "已通过"
    assert cell(ws, g4, "已交文件") == "汇总表.pdf（已通过）\n双公示统计.pdf（已通过）"
    other, good = hashlib.sha256(pdf("sum")).hexdigest(), hashlib.sha256(pdf("g4")).hexdigest()
    assert cell(ws, g4, "存储位置") == f"{other[:2]}/{other}.pdf\n{good[:2]}/{good}.pdf"
    assert cell(ws, g4, "佐证截止") == dt.datetime(2021, 6, 1)  # noqa: DTZ001 - a date cell reads back naive
    assert ws.cell(row=g4, column=4).number_format == "yyyy-mm-dd"
    assert fill(ws, g4) == "00000000"
    pending = task_row(ws, "1", NDRC)
    assert cell(ws, pending, "状态") == "待审核"
    assert fill(ws, pending, 5) == WARN
    rejected = task_row(ws, "1", "市委办公室")
    assert [cell(ws, rejected, h) for h in ("状态", "退回原因")] == ["已退回", "缺少公章"]
    assert fill(ws, rejected, 5) == OVERDUE
    missing = task_row(ws, "G1", "市市场监管局")
    assert cell(ws, missing, "状态") == "缺"
    assert fill(ws, missing, 5) == OVERDUE
    first = row_of(ws, 编号="1")
    merged = next(r for r in ws.merged_cells.ranges if r.min_row == first and r.min_col == 3)
    assert merged.max_row - merged.min_row + 1 == 4  # 佐证材料 of indicator 1 once for its four units
    assert fill(ws, first, 3) == "00000000"  # its units differ: the merged cell is not coloured


async def test_puyang_points_ranking_counts_evidence_and_english_headers(puyang: Services, clock: FakeClock) -> None:
    await puyang_under_way(puyang, clock)
    wb = await export(puyang, PUYANG)
    scores = wb["指标得分"]
    row = row_of(scores, 编号="3.1")
    assert cell(scores, row, "得分") == 2
    total = row_of(scores, 指标名称="附加项合计")
    assert cell(scores, total, "满分") == 13
    ranking = wb["单位排名"]
    ndrc = row_of(ranking, 单位名称=NDRC)
    assert [cell(ranking, ndrc, h) for h in ("应交佐证", "佐证已通过")][1] == 1
    assert cell(ranking, ndrc, "佐证逾期") == 0 or fill(ranking, ndrc) == OVERDUE
    english = await export(puyang, PUYANG, lang="en")
    assert english.sheetnames[:4] == ["Scores", "Gate states", "Evidence", "Unit ranking"]
    assert "Tasks" in english.sheetnames[4:]
    assert [c.value for c in english["Scores"][2]][:3] == ["Code", "Name", "Section"]


async def zip_of(puyang: Services, cells: list[EvidenceCell] | None = None) -> tuple[zipfile.ZipFile, object]:
    async with puyang.db.session() as session:
        found = await get_plan(session, PUYANG)
        assert found is not None
        cells = cells if cells is not None else await completeness(session, found[1])
        decisions = await accepted_decisions(session, cells)
    out = io.BytesIO()
    summary = write_evidence_zip(cells, puyang.evidence, out, decisions=decisions)
    return zipfile.ZipFile(io.BytesIO(out.getvalue())), summary


async def test_the_zip_holds_only_accepted_files_in_code_and_unit_folders_with_an_index(
    puyang: Services, clock: FakeClock
) -> None:
    await puyang_under_way(puyang, clock)
    async with puyang.db.session() as session:
        found = await get_plan(session, PUYANG)
        assert found is not None
        cells = await completeness(session, found[1])
    g4 = next(c for c in cells if c.code == "G4")
    hostile = replace(g4.submissions[0], id=98, name="../../etc/passwd")  # a name no chat would pass on
    cells = [replace(c, submissions=(hostile, *c.submissions)) if c is g4 else c for c in cells]
    bundle, _ = await zip_of(puyang, cells)
    folder = "G4 “双公示”信息上报率、合规率、及时率均达到100%/市发展改革委"
    assert sorted(bundle.namelist()) == sorted(
        [f"{folder}/双公示统计.pdf", f"{folder}/汇总表.pdf", f"{folder}/etc_passwd.pdf", "清单.csv"]
    )  # the pending 实施方案.pdf and the rejected 纪要.pdf stay out
    assert bundle.read(f"{folder}/双公示统计.pdf") == pdf("g4")
    assert bundle.read(f"{folder}/etc_passwd.pdf") == pdf("sum")
    for name in bundle.namelist():
        assert not name.startswith("/")
        assert ".." not in name.split("/")
    index = list(csv.reader(io.StringIO(bundle.read("清单.csv").decode("utf-8-sig"))))
    assert index[0] == [
        "编号", "指标名称", "责任单位", "压缩包内路径", "原文件名", "文件哈希（SHA-256）",
        "提交时间", "提交人", "通过时间", "审核人",
    ]  # fmt: skip
    good = next(r for r in index if r[4] == "双公示统计.pdf")
    assert good[:4] == ["G4", "“双公示”信息上报率、合规率、及时率均达到100%", NDRC, f"{folder}/双公示统计.pdf"]
    assert good[5] == hashlib.sha256(pdf("g4")).hexdigest()
    assert good[6:] == ["2021-05-28 10:00", "ndrc", "2021-05-28 10:00", "office"]


async def test_the_zip_never_reads_outside_the_evidence_directory(
    puyang: Services, clock: FakeClock, tmp_path: Path
) -> None:
    await puyang_under_way(puyang, clock)
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 not evidence")
    good = hashlib.sha256(pdf("g4")).hexdigest()
    stored = puyang.evidence.path(good, "pdf")
    stored.unlink()
    stored.symlink_to(secret)
    hostile = Submission(
        id=99, name="x.pdf", sha256="../../secret", ext="pdf", size=1, mime="application/pdf", status="accepted",
        at=clock(), by="", note="", decision_note="",
    )  # fmt: skip
    cell = EvidenceCell("G9", "gate", "名称", "要求", None, 1, "某单位", "accepted", (hostile,), "")
    async with puyang.db.session() as session:
        found = await get_plan(session, PUYANG)
        assert found is not None
        cells = [*await completeness(session, found[1]), cell]
    bundle, summary = await zip_of(puyang, cells)
    assert all(bundle.read(n) != secret.read_bytes() for n in bundle.namelist())
    assert [e.submission.name for e in summary.missing] == ["双公示统计.pdf", "x.pdf"]  # type: ignore[attr-defined]
    assert "（佐证材料目录中没有此文件）" in bundle.read("清单.csv").decode("utf-8-sig")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("..\\..\\windows\\system.ini", "windows_system.ini"),
        ("a\x00b\x1fc\u202etxt.exe", "a b c txt.exe"),
        ("  ..hidden. ", "hidden"),
        ("CON.pdf", "_CON.pdf"),
        ('what?<is>"this":|*.pdf', "what__is__this____.pdf"),
        ("", "文件"),
        ("/", "文件"),
        ("长" * 200 + ".pdf", "长" * 76 + ".pdf"),
    ],
)
def test_names_are_made_safe_for_any_file_system(given: str, expected: str) -> None:
    assert safe_part(given, limit=80, fallback="文件") == expected


async def test_duplicate_names_in_one_folder_are_numbered(puyang: Services, clock: FakeClock) -> None:
    ndrc = await member(puyang, PUYANG, "ndrc", "liaison", NDRC)
    admin = await member(puyang, PUYANG, "office", "admin")
    for n in range(3):
        assert (await ndrc.say("/evidence G4", attachment=Attachment("统计.PDF", pdf(str(n))))).ok
        assert (await admin.say(f"/review {n + 1} 通过")).ok
    bundle, _ = await zip_of(puyang)
    names = sorted(n.rsplit("/", 1)[1] for n in bundle.namelist() if "/" in n)
    assert names == ["统计 (2).PDF", "统计 (3).PDF", "统计.PDF"]


async def test_a_liaison_is_refused_the_export_and_an_admin_gets_the_workbook(
    dingtao: Services, clock: FakeClock
) -> None:
    await dingtao_under_way(dingtao, clock)
    liaison = await member(dingtao, DINGTAO, "mz", "liaison", "区民政局")
    refused = await liaison.say("/export")
    assert not refused.ok
    assert refused.text == "台账导出仅限办公室和领导。查看本单位的任务和指标请发送 /tasks 或 /status。"
    assert refused.document is None
    leader = await member(dingtao, DINGTAO, "boss", "leader")
    sent = await leader.say("/export")
    assert sent.ok, sent.text
    plan = "定陶区创建省社会信用体系建设典型城市实施方案"
    assert sent.text == f"《{plan}》工作台账（导出时间：2022-07-05 09:30）见附件 Excel 文件。"
    assert sent.document is not None
    assert sent.document.name == f"{plan}-20220705.xlsx"
    wb = load_workbook(io.BytesIO(sent.document.data))
    assert "任务台账" in wb.sheetnames
    assert "单位排名" in wb.sheetnames


def test_duban_export_writes_the_workbook_and_the_zip_into_new_folders(
    puyang_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_LANG", "zh")
    monkeypatch.setenv("DUBAN_EVIDENCE_DIR", str(tmp_path / "evidence"))
    database = tmp_path / "duban.db"
    shutil.copyfile(puyang_template, database)
    out, bundle = tmp_path / "a" / "b" / "台账.xlsx", tmp_path / "z" / "佐证.zip"
    url = f"sqlite:///{database}"
    code = main(["export", "--db", url, "--plan", PUYANG, "--out", str(out), "--evidence-zip", str(bundle)])
    said, err = capsys.readouterr()
    assert code == 0, err
    assert said.splitlines() == [f"已导出台账：{out}（14 个工作表）", f"已打包佐证材料：{bundle}（0 个文件）"]
    assert load_workbook(out)["指标得分"]["A1"].value.startswith("濮阳市创建第三批社会信用体系建设示范城市工作台账")
    assert zipfile.ZipFile(bundle).namelist() == ["清单.csv"]
    assert not list(out.parent.glob(".*.part"))

    assert main(["export", "--db", url, "--plan", PUYANG]) == 2
    assert "请至少给出 --out 或 --evidence-zip 之一" in capsys.readouterr().err
    assert main(["export", "--db", url, "--plan", "nope", "--out", str(out)]) == 2
    assert main(["export", "--db", url, "--plan", PUYANG, "--out", str(tmp_path / "a")]) == 1
    assert "无法写入" in capsys.readouterr().err


def test_points_keep_their_exact_display(tmp_path: Path) -> None:
    from models.ledger_sheets import points_cell

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    for column, points in enumerate([Decimal("4.800000001"), Decimal(30) / 7, Decimal(20), Decimal("0.5")], start=1):
        points_cell(ws, 1, column, points)
    path = tmp_path / "p.xlsx"
    wb.save(path)
    back = load_workbook(path).active
    assert back is not None
    assert [back.cell(row=1, column=c).value for c in range(1, 5)] == [4.8, 4.29, 20, 0.5]
    assert [back.cell(row=1, column=c).number_format for c in range(1, 5)] == ["0.0", "0.00", "0", "0.0"]
