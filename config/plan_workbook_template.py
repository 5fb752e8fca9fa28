"""The empty ledger template's own content: the 填写说明 sheet and one example row per sheet.

Example rows start with 示例 (Example) in their first cell and are skipped on import, so an office
can fill the template around them. Every rule example is a rule `plan_schema` accepts (tested).
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook

from config import plan_workbook_cells as cells
from config.i18n import translate
from config.plan_workbook_layout import GUIDE, PLAN, PLAN_SHEETS, Sheet
from config.xlsx_style import FONT_NAME, add_row, fit_rows, new_sheet

RULE_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("linear", "{kind: linear, value: {type: percent}, zero_at: 0.5%, full_at: 0.3%}"),
    (
        "bands",
        "{kind: bands, value: {type: count}, bands: [{when: {above: 7000万}, points: 10}, "
        "{when: {above: 4000万}, points: 5}]}",
    ),
    ("rank_steps", "{kind: rank_steps, full_within: 10, step: 10, per_step: 2, zero_beyond: 100}"),
    ("deduct", "{kind: deduct, value: {type: count}, per: 1}"),
    ("periodic_check", "{kind: periodic_check, value: {type: percent}, met: {equals: '0'}, reward: 0.2, penalty: 0.2}"),
    ("count", "{kind: count, per: 0.2}"),
    ("fraction", "{kind: fraction}"),
    ("yes_no", "{kind: yes_no, question: 是否建立工作机制}"),
    ("assessed", "{kind: assessed}"),
    ("sum", "{kind: sum, items: [制度体系, 组织保障], each: {max: 0.7, rule: {kind: assessed}}}"),
)
"""One example of each rule kind, as written in the 评分规则 column (and under rule: in a plan file)."""

EXAMPLES: dict[str, dict[str, object]] = {
    "units": {"unit_name": "区发改局", "aliases": "区发展和改革局", "unit_kind": "department"},
    "groups": {"group_name": "各镇街", "aliases": "各镇（街道）", "members": "天中街道；滨河街道；仿山镇"},
    "phases": {
        "phase_name": "创建启动阶段",
        "start": "2022-01-01",
        "end": "2022-03-31",
        "phase_text": "制定创建工作实施方案，完善工作推进机制。",
    },
    "leaders": {
        "leader_name": "李伟",
        "role": "副组长",
        "title": "区发展和改革局党组书记、局长",
        "leader_unit": "区发改局",
    },
    "tasks": {
        "code": "5",
        "task_group": "（三）推动公共信用信息共建共享",
        "task_title": "提升统一社会信用代码质量",
        "task_text": "全面核实各类主体统一社会信用代码，确保统一社会信用代码重错码实现“清零”。",
        "unit": "区委编办",
        "lead_flag": True,
        "deadline": "2022-06-30",
    },
    "parts": {
        "part_task": "11",
        "part_text": "推进金融机构、市场主体入驻全国“信易贷”平台，注册企业占在营企业的比重超过3%。",
        "units": "区发改局；各镇街",
    },
    "sections": {"code": "16", "section_name": "征信体系建设及区域金融风险防范", "max": 10},
    "gates": {
        "code": "G1",
        "name": "统一社会信用代码重错率低于万分之一",
        "gate_text": "统一社会信用代码重错率低于万分之一。",
        "evidence": "提供重错码修正工作情况说明、工作通知等资料。",
        "lead": "区市场监管局",
        "units": "区市场监管局；区委编办",
        "aliases": "重错率；重错码",
    },
    "indicators": {
        "code": "3",
        "name": "市场主体黑名单情况",
        "max": 4,
        "rule": RULE_EXAMPLES[0][1],
        "rule_text": "严重失信名单主体数量占在营市场主体数量的比例低于0.3%，得4分，高于0.5%不得分，"
        "介于两者之间的按比例计分。",
        "source": "省公共信用信息平台获取",
        "goal": "严重失信名单主体占比低于0.3%。",
        "evidence": "提供严重失信主体名单及在营市场主体数量统计。",
        "lead": "区法院",
        "units": "区法院；区市场监管局",
        "aliases": "黑名单；严重失信名单",
    },
}


def example_row(sheet: Sheet, lang: str) -> list[object]:
    """The example row of a sheet, its first cell saying 示例."""
    values = EXAMPLES.get(sheet.name, {})
    row: list[object] = []
    for column in sheet.columns:
        value = values.get(column.header)
        if column.kind == "seq":
            value = translate(lang, "xl_example")
        elif column.kind == "unit_kind" and isinstance(value, str):
            value = cells.unit_kind_text(value, lang)
        elif isinstance(value, bool):
            value = cells.yes(value, lang)
        row.append(value)
    return row


def write_guide(wb: Workbook, lang: str) -> None:
    """填写说明: what each sheet and column means, the rule language with examples, dates and lists."""
    t: Callable[[str], str] = lambda key: translate(lang, key)  # noqa: E731 - a local shorthand
    ws = new_sheet(wb, GUIDE.title(lang), heading=t("xl_guide_heading"), headers=GUIDE.headers(lang))
    section_rows = [add_row(ws, [t("xl_guide_general"), None], highlight="good")]
    for key in ("rows", "examples", "lists", "dates", "flags", "status"):
        add_row(ws, [None, t(f"xl_guide_{key}")])
    for sheet in PLAN_SHEETS:
        section_rows.append(add_row(ws, [sheet.title(lang), t(f"xl_guide_sheet_{sheet.name}")], highlight="good"))
        if sheet is PLAN:
            continue
        for column in sheet.columns:
            required = t("xl_required") if column.required else ""
            add_row(ws, [f"  {column.title(lang)}{required}", t(f"xl_colhelp_{column.header}")])
    section_rows.append(add_row(ws, [t("xl_guide_rules"), t("xl_guide_rules_intro")], highlight="good"))
    for kind, example in RULE_EXAMPLES:
        add_row(ws, [f"  {kind}", f"{t(f'xl_rule_{kind}')}\n{example}"])
    for row in section_rows:
        ws.cell(row=row, column=1).font = Font(name=FONT_NAME, size=10, bold=True)
    fit_rows(ws)
