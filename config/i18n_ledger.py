"""The Excel ledger (台账) of a plan: sheet titles, column headers, the template's instructions, the
problems found when a workbook is imported, and what `duban plan import/template` say.

Merged into `config.i18n.MESSAGES`; every key starts with `xl_`. Headers are matched on import in
either language, so a workbook written in English imports as well as a Chinese one.
"""

from __future__ import annotations

_SHEETS: dict[str, tuple[str, str]] = {
    "xl_sheet_guide": ("填写说明", "Instructions"),
    "xl_sheet_plan": ("计划信息", "Plan"),
    "xl_sheet_units": ("单位", "Units"),
    "xl_sheet_groups": ("分组", "Groups"),
    "xl_sheet_phases": ("阶段", "Phases"),
    "xl_sheet_leaders": ("领导小组", "Leaders"),
    "xl_sheet_tasks": ("任务台账", "Tasks"),
    "xl_sheet_parts": ("任务分项", "Task parts"),
    "xl_sheet_sections": ("评分分类", "Sections"),
    "xl_sheet_gates": ("基础指标", "Gates"),
    "xl_sheet_indicators": ("评分指标", "Indicators"),
}

_COLUMNS: dict[str, tuple[str, str]] = {
    "xl_col_seq": ("序号", "No."),
    "xl_col_item": ("项目", "Item"),
    "xl_col_key": ("键", "Key"),
    "xl_col_value": ("值", "Value"),
    "xl_col_help": ("说明", "Notes"),
    "xl_col_code": ("编号", "Code"),
    "xl_col_unit_name": ("单位名称", "Unit"),
    "xl_col_aliases": ("别名", "Aliases"),
    "xl_col_unit_kind": ("类型", "Kind"),
    "xl_col_note": ("备注", "Note"),
    "xl_col_group_name": ("分组名称", "Group"),
    "xl_col_members": ("成员", "Members"),
    "xl_col_phase_name": ("阶段名称", "Phase"),
    "xl_col_start": ("开始日期", "Start"),
    "xl_col_end": ("结束日期", "End"),
    "xl_col_phase_text": ("阶段内容", "Description"),
    "xl_col_leader_name": ("姓名", "Name"),
    "xl_col_role": ("小组职务", "Role"),
    "xl_col_title": ("职务", "Title"),
    "xl_col_leader_unit": ("所在单位", "Unit"),
    "xl_col_task_group": ("任务分类", "Category"),
    "xl_col_task_title": ("任务名称", "Task"),
    "xl_col_task_text": ("任务内容", "Content"),
    "xl_col_task_part": ("分项", "Part"),
    "xl_col_unit": ("责任单位", "Responsible unit"),
    "xl_col_lead_flag": ("牵头", "Lead"),
    "xl_col_deadline": ("完成时限", "Deadline"),
    "xl_col_status": ("当前状态", "Status"),
    "xl_col_updated": ("更新时间", "Updated"),
    "xl_col_progress": ("最新进展", "Latest progress"),
    "xl_col_part_task": ("任务编号", "Task code"),
    "xl_col_part_text": ("分项内容", "Part content"),
    "xl_col_units": ("责任单位", "Responsible units"),
    "xl_col_section_name": ("分类名称", "Section"),
    "xl_col_max": ("分值", "Points"),
    "xl_col_bonus": ("附加项", "Bonus"),
    "xl_col_name": ("指标名称", "Name"),
    "xl_col_gate_text": ("指标内容", "Content"),
    "xl_col_evidence": ("佐证材料", "Evidence"),
    "xl_col_evidence_due": ("佐证截止", "Evidence due"),
    "xl_col_lead": ("牵头单位", "Lead units"),
    "xl_col_reporters": ("报送单位", "Reporters"),
    "xl_col_section": ("评分分类", "Section"),
    "xl_col_periods": ("报送周期", "Periods"),
    "xl_col_rule": ("评分规则", "Rule"),
    "xl_col_rule_text": ("评分标准", "Scoring standard"),
    "xl_col_source": ("数据来源", "Source"),
    "xl_col_goal": ("工作目标", "Goal"),
    "xl_col_guide_topic": ("工作表 / 列", "Sheet / column"),
    "xl_col_guide_text": ("说明", "What it means"),
}

_PLAN_KEYS: dict[str, tuple[str, str]] = {
    "xl_key_id": ("方案编号", "Plan id"),
    "xl_key_name": ("方案名称", "Plan name"),
    "xl_key_issuer": ("印发单位", "Issuer"),
    "xl_key_document": ("文号", "Document number"),
    "xl_key_issued": ("印发日期", "Issued on"),
    "xl_key_timezone": ("时区", "Time zone"),
    "xl_key_start": ("开始日期", "Start"),
    "xl_key_end": ("结束日期", "End"),
    "xl_key_evidence_due": ("佐证材料截止日期", "Evidence due"),
    "xl_key_office_unit": ("牵头办公室所在单位", "Office unit"),
    "xl_key_office_director": ("办公室主任", "Office director"),
    "xl_key_office_contacts": ("联系人", "Contacts"),
    "xl_key_max_points": ("总分", "Maximum points"),
    "xl_key_bonus_points": ("附加分", "Bonus points"),
    "xl_key_reminders_send_at": ("提醒发送时刻", "Reminders sent at"),
    "xl_key_reminders_before": ("截止前提醒（工作日）", "Reminders before a deadline (working days)"),
    "xl_key_reminders_on_deadline": ("截止当天提醒", "Remind on the deadline"),
    "xl_key_reminders_overdue_every_workday": ("逾期后每个工作日提醒", "Remind every working day when overdue"),
    "xl_key_reminders_escalate_from": ("逾期第几个工作日起报告领导", "Tell leaders from overdue working day"),
    "xl_key_reminders_period_ask": ("每月第几个工作日催报上月数据", "Ask for last month on working day"),
    "xl_key_reminders_period_nudges": ("催报后再次提醒（工作日）", "Nudges after asking (working days)"),
    "xl_key_reminders_ongoing_monthly": ("长期任务每月第几个工作日提醒", "Ongoing tasks: working day of the month"),
    "xl_key_reminders_quiet_start": ("免打扰开始", "Quiet hours start"),
    "xl_key_reminders_quiet_end": ("免打扰结束", "Quiet hours end"),
    "xl_key_reminders_catch_up_grace_hours": ("补发时限（小时）", "Catch-up grace (hours)"),
    "xl_key_reminders_after_end_days": ("方案结束后仍提醒的天数", "Days of overdue reminders after the end"),
    "xl_key_reminders_digest_weekday": ("周报星期（0 为周一）", "Digest weekday (0 = Monday)"),
    "xl_key_reminders_digest_at": ("周报发送时刻", "Digest sent at"),
    "xl_key_calendar_holidays": ("额外休息日", "Extra days off"),
    "xl_key_calendar_workdays": ("调休上班日", "Make-up working days"),
    "xl_key_notes": ("方案说明", "Plan note"),
}

_PLAN_HELP: dict[str, tuple[str, str]] = {
    "xl_keyhelp_id": (
        "必填。小写字母、数字和连字符，命令行用它指代方案。示例：dingtao-2022",
        "Required. Lower-case letters, digits and hyphens; the command line names the plan by it. Example: dingtao-2022",
    ),
    "xl_keyhelp_name": ("必填。方案全称。", "Required. The plan's full name."),
    "xl_keyhelp_issuer": ("印发方案的机关。", "The body that issued the plan."),
    "xl_keyhelp_document": ("示例：菏定政办字〔2022〕11号", "Example: 菏定政办字〔2022〕11号"),
    "xl_keyhelp_issued": ("日期，示例：2022-04-11", "A date, e.g. 2022-04-11"),
    "xl_keyhelp_timezone": ("默认 Asia/Shanghai。", "Default Asia/Shanghai."),
    "xl_keyhelp_start": ("必填。日期，示例：2022-01-01", "Required. A date, e.g. 2022-01-01"),
    "xl_keyhelp_end": (
        "必填。日期；任务完成时限和阶段日期都应在起止日期之内。",
        "Required. A date; task deadlines and phases must lie within the plan's dates.",
    ),
    "xl_keyhelp_evidence_due": ("佐证材料统一报送截止日期（可不填）。", "When evidence is due (optional)."),
    "xl_keyhelp_office_unit": ("领导小组办公室所在单位，须是“单位”表中的单位。", "The office's unit, from the Units sheet."),
    "xl_keyhelp_office_director": ("可不填。", "Optional."),
    "xl_keyhelp_office_contacts": ("多人用“；”隔开。", "Several names separated by “；”."),
    "xl_keyhelp_max_points": (
        "默认 100；非附加项评分指标的分值之和须等于它。",
        "Default 100; the regular indicators must add up to it.",
    ),
    "xl_keyhelp_bonus_points": ("默认 0；附加项的分值之和须等于它。", "Default 0; bonus indicators must add up to it."),
    "xl_keyhelp_reminders_send_at": ("默认 09:00。", "Default 09:00."),
    "xl_keyhelp_reminders_before": ("默认 7；3；1。", "Default 7；3；1."),
    "xl_keyhelp_reminders_on_deadline": ("是或否，默认是。", "yes or no, default yes."),
    "xl_keyhelp_reminders_overdue_every_workday": ("是或否，默认是。", "yes or no, default yes."),
    "xl_keyhelp_reminders_escalate_from": ("默认 3。", "Default 3."),
    "xl_keyhelp_reminders_period_ask": ("默认 1。", "Default 1."),
    "xl_keyhelp_reminders_period_nudges": ("默认 3；5。", "Default 3；5."),
    "xl_keyhelp_reminders_ongoing_monthly": ("默认 1。", "Default 1."),
    "xl_keyhelp_reminders_quiet_start": ("默认 21:00。", "Default 21:00."),
    "xl_keyhelp_reminders_quiet_end": ("默认 08:00。", "Default 08:00."),
    "xl_keyhelp_reminders_catch_up_grace_hours": ("默认 4。", "Default 4."),
    "xl_keyhelp_reminders_after_end_days": ("默认 30。", "Default 30."),
    "xl_keyhelp_reminders_digest_weekday": ("默认 0（周一）。", "Default 0 (Monday)."),
    "xl_keyhelp_reminders_digest_at": ("默认 09:00。", "Default 09:00."),
    "xl_keyhelp_calendar_holidays": (
        "国家法定节假日之外的休息日，多个日期用“；”隔开。",
        "Days off beyond the official calendar, separated by “；”.",
    ),
    "xl_keyhelp_calendar_workdays": ("调休上班的周末，多个日期用“；”隔开。", "Weekend working days, separated by “；”."),
    "xl_keyhelp_notes": (
        "每行一条说明；需要多条时复制本行（键仍填 notes）。",
        "One note per row; copy the row for more notes (key still notes).",
    ),
}

_VALUES: dict[str, tuple[str, str]] = {
    "xl_yes": ("是", "yes"),
    "xl_no": ("否", "no"),
    "xl_none": ("无", "none"),
    "xl_example": ("示例", "Example"),
    "xl_required": ("（必填）", " (required)"),
    "xl_kind_department": ("部门", "department"),
    "xl_kind_town": ("镇街", "town"),
    "xl_kind_court": ("法院", "court"),
    "xl_kind_bank": ("银行", "bank"),
    "xl_kind_company": ("企业", "company"),
    "xl_kind_other": ("其他", "other"),
    "xl_ongoing": ("长期坚持", "ongoing"),
    "xl_deadline_and_ongoing": ("{date}，并长期坚持", "{date}, then ongoing"),
    "xl_periods": ("{start}至{end}", "{start} to {end}"),
    "xl_periods_from_start": ("，当月起报", ", current month from its first day"),
    "xl_part_number": ("第{n}项", "part {n}"),
    "xl_template_title": ("督办工作台账模板", "Duban ledger template"),
}

_GUIDE: dict[str, tuple[str, str]] = {
    "xl_guide_heading": ("督办工作台账模板 · 填写说明", "Duban ledger template · Instructions"),
    "xl_guide_general": ("总体说明", "General"),
    "xl_guide_rows": (
        "每个工作表第 1 行是标题，第 2 行是列名，从第 3 行起每行一条。列的顺序可以调整，列名用中文或英文均可；"
        "不认识的列会被忽略。",
        "Row 1 of each sheet is its title, row 2 the column names, one entry per row from row 3. Columns may be "
        "reordered and named in Chinese or English; unknown columns are ignored.",
    ),
    "xl_guide_examples": (
        "第一格以“示例”开头的行是示例，导入时跳过；可以保留或删除。空行也跳过。",
        "Rows whose first cell starts with “示例” (or “Example”) are examples and are skipped on import; "
        "keep or delete them. Empty rows are skipped too.",
    ),
    "xl_guide_lists": (
        "一格中有多项（别名、成员、责任单位等）时用全角分号“；”、半角分号或换行隔开。不用顿号“、”作分隔符，"
        "因为有的单位名称本身含有顿号（如“各县（区）人民政府、管委会”）；只有顿号两边都是已登记的单位名称时，"
        "才按顿号拆开。",
        "Several entries in one cell (aliases, members, units…) are separated by “；”, “;” or a line break. "
        "“、” is not a separator, because some unit names contain it (各县（区）人民政府、管委会); it splits a "
        "cell only where both sides are registered unit names.",
    ),
    "xl_guide_dates": (
        "日期可以是 Excel 日期，也可以写作 2022-06-30、2022/6/30、2022年6月30日 或 2022年6月底。"
        "报送周期写作 2022-01至2022-12。时刻写作 09:00。",
        "Dates may be Excel dates or text: 2022-06-30, 2022/6/30, 2022年6月30日 or 2022年6月底. "
        "Periods are written 2022-01至2022-12 (or 2022-01 to 2022-12). Times of day are written 09:00.",
    ),
    "xl_guide_flags": ("是/否类的列填“是”，不是则留空（或填“否”）。", "Yes/no columns say 是 (yes) or stay empty (no)."),
    "xl_guide_status": (
        "任务台账的“当前状态”“更新时间”“最新进展”是导出时填写的进度，导入时忽略；“分项”列由“任务分项”表生成，"
        "导入时也忽略。",
        "The Status, Updated and Latest progress columns of the task ledger are filled by the export and ignored "
        "on import; so is the Part column, which comes from the Task parts sheet.",
    ),
    "xl_guide_sheet_plan": (
        "方案本身：每行一项，按“键”列识别（“项目”列只是说明）。",
        "The plan itself: one setting per row, recognised by its Key (the Item column is only a label).",
    ),
    "xl_guide_sheet_units": (
        "负责工作的部门、镇街、法院、银行、企业等，每个单位一行。类型：部门、镇街、法院、银行、企业、其他。",
        "Departments, towns, courts, banks, companies…, one per row. Kind: department, town, court, bank, company, "
        "other.",
    ),
    "xl_guide_sheet_groups": (
        "代表多个单位的名称（如“各镇街”），成员可以是单位，也可以是其他分组。",
        "Names that stand for several units (各镇街); members may be units or other groups.",
    ),
    "xl_guide_sheet_phases": ("方案的各个阶段及起止日期。", "The stages of the plan with their dates."),
    "xl_guide_sheet_leaders": ("领导小组名单（仅作记录）。", "The leadership group, for the record."),
    "xl_guide_sheet_tasks": (
        "任务台账：每个任务的每个责任单位一行（分组名称如“各镇街”也占一行）。同一任务的各行编号相同，"
        "任务名称、内容、时限只需写在第一行（或合并单元格）。牵头单位在“牵头”列填“是”（或牵头单位名称）。完成时限写日期、"
        "“长期坚持”，或“2022-11-30，并长期坚持”。",
        "The task ledger: one row per task and responsible unit (a group such as 各镇街 is one row). Rows of one "
        "task share its code; title, content and deadline are needed on its first row only (or merged). Mark "
        "lead units with 是 (or the lead's name) in the Lead column. The deadline is a date, 长期坚持 (ongoing), or both.",
    ),
    "xl_guide_sheet_parts": (
        "任务中有各自责任单位的段落（可不填）：任务编号、分项内容、该段的责任单位。",
        "Paragraphs of a task with their own units (optional): task code, the paragraph, its units.",
    ),
    "xl_guide_sheet_sections": (
        "评分指标的分类及其分值；分值须等于该类指标分值之和。附加项填“是”。",
        "Headings that group indicators, with their points (the sum of their indicators). Bonus: 是.",
    ),
    "xl_guide_sheet_gates": (
        "基础指标：只判断达标与否，不计分。",
        "Pass/fail gates: not scored, but the plan fails without them.",
    ),
    "xl_guide_sheet_indicators": (
        "评分指标：编号、分值、评分规则（方案文件的规则写法）和评分标准原文。报送单位留空时，默认为牵头单位。",
        "Scored indicators: code, points, the rule (in the plan file's rule language) and the standard's own "
        "words. Reporters default to the lead units when empty.",
    ),
    "xl_guide_rules": ("评分规则的写法", "The rule language"),
    "xl_guide_rules_intro": (
        "“评分规则”列写一段 YAML 花括号文本，与方案文件中 rule: 下的写法完全相同。value 的 type 可以是 "
        "count（数量）、percent（百分比）、amount（金额，unit 为 元、万元 或 亿元）、rank（名次）、days（天数）、"
        "points（分数）、number（数值）、yes_no（是否）。阈值按报送时的写法书写（0.3%、7000万、10亿）。",
        "The Rule column holds YAML flow text, exactly as under rule: in a plan file. value.type is count, "
        "percent, amount (unit 元, 万元 or 亿元), rank, days, points, number or yes_no. Thresholds are written as "
        "they are reported (0.3%, 7000万, 10亿).",
    ),
    "xl_rule_linear": (
        "按比例：zero_at 处 0 分，full_at 处满分，之间按比例。",
        "Linear: 0 points at zero_at, full points at full_at, proportional between.",
    ),
    "xl_rule_bands": (
        "分档：第一个满足条件的档给分，都不满足给 otherwise（默认 0）。条件用 at_least、above、at_most、below、equals。",
        "Bands: the first band whose condition holds gives its points, else otherwise (default 0). Conditions: "
        "at_least, above, at_most, below, equals.",
    ),
    "xl_rule_rank_steps": (
        "名次：前 full_within 名满分，之后每 step 名扣 per_step 分，超过 zero_beyond 名不得分。",
        "Rank steps: full points within the first full_within places, per_step off for every further step "
        "places, nothing beyond zero_beyond.",
    ),
    "xl_rule_deduct": (
        "扣分：从满分起，超过 allowance 后每 step 扣 per 分，扣完为止。",
        "Deduct: from the maximum, per points off for every step beyond allowance, down to 0.",
    ),
    "xl_rule_periodic_check": (
        "按月考核：每月满足 met 得 reward 分，不满足扣 penalty 分；须填“报送周期”。",
        "Monthly check: reward for every month that meets met, penalty off for every month that does not; "
        "needs Periods.",
    ),
    "xl_rule_count": ("计数：每个 per 分，至满分为止。", "Count: per points for each, up to the maximum."),
    "xl_rule_fraction": ("比例：得分 = 报送的比例 × 满分。", "Fraction: points = the share reported × the maximum."),
    "xl_rule_yes_no": ("是否：回答为 earns（默认 yes）得满分。", "Yes/no: the answer earns (default yes) gives the maximum."),
    "xl_rule_assessed": ("评审打分：由办公室在 0 至满分之间评定。", "Assessed: the office awards 0 to the maximum."),
    "xl_rule_sum": (
        "分项相加：items 为各分项；只写名称的分项共用 each 中的分值和规则。",
        "Sum of items: items by name share the max and rule given in each.",
    ),
}

_PROBLEMS: dict[str, tuple[str, str]] = {
    "xl_at_cell": (
        "工作表“{sheet}”第 {row} 行 {column} 列（{header}）：{message}",
        "sheet “{sheet}”, row {row}, column {column} ({header}): {message}",
    ),
    "xl_at_row": ("工作表“{sheet}”第 {row} 行：{message}", "sheet “{sheet}”, row {row}: {message}"),
    "xl_at_sheet": ("工作表“{sheet}”：{message}", "sheet “{sheet}”: {message}"),
    "xl_at_item": ("工作表“{sheet}”的“{header}”：{message}", "sheet “{sheet}”, “{header}”: {message}"),
    "xl_with_path": ("{path}：{message}", "{path}: {message}"),
    "xl_no_rows": ("还没有填写任何一行（至少需要 {min} 行）", "no rows filled in (at least {min} needed)"),
    "xl_missing_sheet": ("缺少这个工作表（必需）", "this sheet is missing (it is required)"),
    "xl_missing_column": ("缺少“{header}”列（必需）", "the column “{header}” is missing (it is required)"),
    "xl_no_headers": ("找不到列名行（应在第 2 行）", "no row of column names found (expected in row 2)"),
    "xl_unknown_key": ("不认识的项目“{name}”", "unknown setting “{name}”"),
    "xl_key_twice": ("“{name}”已在第 {row} 行填写过", "“{name}” is already given in row {row}"),
    "xl_bad_periods": (
        "报送周期“{text}”看不懂（写作 2022-01至2022-12）",
        "cannot read the periods “{text}” (write 2022-01 to 2022-12)",
    ),
    "xl_bad_kind": (
        "类型“{text}”不对，应为部门、镇街、法院、银行、企业或其他",
        "unknown kind “{text}”: department, town, court, bank, company or other",
    ),
    "xl_task_conflict": (
        "与本任务第 {row} 行的“{header}”不一致",
        "differs from “{header}” in row {row} of the same task",
    ),
    "xl_task_no_code": ("缺少任务编号", "the task code is missing"),
    "xl_task_no_unit": ("这一行没有填写责任单位", "this row names no responsible unit"),
    "xl_part_unknown_task": ("没有编号为“{code}”的任务", "there is no task with the code “{code}”"),
}

_CLI: dict[str, tuple[str, str]] = {
    "xl_help_plan_import": (
        "从台账工作簿（.xlsx）导入方案：逐行检查，全部无误才保存",
        "import a plan from a ledger workbook (.xlsx): every row checked, stored only when all is right",
    ),
    "xl_help_plan_template": (
        "写出空白台账模板（含填写说明和示例）",
        "write an empty ledger template (with instructions and examples)",
    ),
    "xl_help_xlsx": ("台账工作簿（.xlsx）", "the ledger workbook (.xlsx)"),
    "xl_meta_xlsx": ("工作簿", "FILE.xlsx"),
    "xl_help_out_yaml": ("另存为方案文件（YAML）", "also write the plan as a plan file (YAML)"),
    "xl_help_out_xlsx": ("模板写到哪个文件（.xlsx）", "where to write the template (.xlsx)"),
    "xl_cli_not_xlsx": (
        "{path} 不是 Excel 工作簿（.xlsx），无法读取",
        "error: {path} is not an Excel workbook (.xlsx) and cannot be read",
    ),
    "xl_cli_template_written": (
        "已写出台账模板：{path}（{sheets} 个工作表）",
        "Ledger template written: {path} ({sheets} sheets)",
    ),
    "xl_cli_yaml_written": ("已另存为方案文件：{path}", "Plan file written: {path}"),
}

LEDGER_MESSAGES: dict[str, tuple[str, str]] = {
    **_SHEETS,
    **_COLUMNS,
    **_PLAN_KEYS,
    **_PLAN_HELP,
    **_VALUES,
    **_GUIDE,
    **_PROBLEMS,
    **_CLI,
}

COLUMN_HELP: dict[str, tuple[str, str]] = {
    "xl_colhelp_seq": ("序号，仅供阅读，导入时忽略；示例行在此写“示例”。", "Row number, for reading only; example rows say 示例 here."),
    "xl_colhelp_code": ("编号，如 5、1.1、G1（字母、数字、点和连字符）。", "The code, e.g. 5, 1.1, G1 (letters, digits, dots, hyphens)."),
    "xl_colhelp_unit_name": ("单位的规范名称，其他表都用它指代单位。", "The unit's canonical name, used by every other sheet."),
    "xl_colhelp_aliases": ("其他写法（全称、简称），多个用“；”隔开。", "Other spellings (full or short names), separated by “；”."),
    "xl_colhelp_unit_kind": ("部门、镇街、法院、银行、企业、其他；空为部门。", "department, town, court, bank, company, other; empty is department."),
    "xl_colhelp_note": ("备注：对含糊之处的理解等。", "A note: how an ambiguous point was read, etc."),
    "xl_colhelp_group_name": ("分组名称，如“各镇街”。", "The group's name, e.g. 各镇街."),
    "xl_colhelp_members": ("成员单位或分组，用“；”隔开。", "Member units or groups, separated by “；”."),
    "xl_colhelp_phase_name": ("阶段名称。", "The phase's name."),
    "xl_colhelp_start": ("开始日期。", "First day."),
    "xl_colhelp_end": ("结束日期。", "Last day."),
    "xl_colhelp_phase_text": ("阶段的工作内容。", "What the phase is about."),
    "xl_colhelp_leader_name": ("姓名。", "Name."),
    "xl_colhelp_role": ("组长、副组长、成员等。", "组长, 副组长, 成员…"),
    "xl_colhelp_title": ("职务全称。", "Full title."),
    "xl_colhelp_leader_unit": ("所代表的单位（须是登记的单位，可不填）。", "The unit represented (a registered unit, optional)."),
    "xl_colhelp_task_group": ("任务所属分类，如“（三）推动公共信用信息共建共享”。", "The task's heading, e.g. （三）推动公共信用信息共建共享."),
    "xl_colhelp_task_title": ("任务名称。", "The task's title."),
    "xl_colhelp_task_text": ("任务内容原文。", "The task's own text."),
    "xl_colhelp_task_part": ("该单位负责的分项序号（由“任务分项”表生成，导入时忽略）。", "Parts this unit is named in (from Task parts; ignored on import)."),
    "xl_colhelp_unit": ("一个责任单位或分组（每行一个）。", "One responsible unit or group per row."),
    "xl_colhelp_lead_flag": (
        "本行单位牵头填“是”；牵头单位只含在本行分组中时，填它的名称（如“领导小组成员单位”一行填“区发改局”）。",
        "是 when this row's unit leads; when the lead is only inside this row's group, its name "
        "(区发改局 on the row of 领导小组成员单位).",
    ),
    "xl_colhelp_deadline": ("日期、“长期坚持”，或“2022-11-30，并长期坚持”。", "A date, 长期坚持 (ongoing), or both."),
    "xl_colhelp_status": ("导出时填写的当前状态，导入时忽略。", "Filled by the export; ignored on import."),
    "xl_colhelp_updated": ("导出时填写，导入时忽略。", "Filled by the export; ignored on import."),
    "xl_colhelp_progress": ("导出时填写，导入时忽略。", "Filled by the export; ignored on import."),
    "xl_colhelp_part_task": ("所属任务的编号。", "The code of the task."),
    "xl_colhelp_part_text": ("该段原文。", "The paragraph."),
    "xl_colhelp_units": ("责任单位或分组，用“；”隔开。", "Responsible units or groups, separated by “；”."),
    "xl_colhelp_section_name": ("分类名称。", "The section's name."),
    "xl_colhelp_max": ("分值（满分），可以有小数，如 2.4。", "Maximum points, decimals allowed (2.4)."),
    "xl_colhelp_bonus": ("附加项填“是”。", "是 for a bonus item."),
    "xl_colhelp_name": ("指标名称。", "The name."),
    "xl_colhelp_gate_text": ("指标内容原文。", "The gate's own text."),
    "xl_colhelp_evidence": ("需要报送的佐证材料。", "The evidence to hand in."),
    "xl_colhelp_evidence_due": ("本项佐证材料的截止日期（空则用方案的截止日期）。", "When this item's evidence is due (default: the plan's date)."),
    "xl_colhelp_lead": ("牵头单位，用“；”隔开。", "Lead units, separated by “；”."),
    "xl_colhelp_reporters": (
        "负责报送数据的单位；空为默认（牵头单位），填“无”表示只由办公室报送。",
        "Units whose figure counts; empty is the default (lead units), 无 means the office only.",
    ),
    "xl_colhelp_section": ("所属评分分类的编号（可不填）。", "The section's code (optional)."),
    "xl_colhelp_periods": ("按月报送的指标填写，如 2022-01至2022-12。", "For monthly indicators, e.g. 2022-01至2022-12."),
    "xl_colhelp_rule": ("评分规则，写法见下文。", "The rule, see below."),
    "xl_colhelp_rule_text": ("评分标准原文。", "The standard's own words."),
    "xl_colhelp_source": ("数据来源。", "Where the figure comes from."),
    "xl_colhelp_goal": ("工作目标。", "The goal."),
}

LEDGER_MESSAGES.update(COLUMN_HELP)

# The export (`duban export`, /export): the status sheets, the evidence zip and their messages.
EXPORT_MESSAGES: dict[str, tuple[str, str]] = {
    "xl_ex_heading": ("{plan}　{sheet}（导出时间：{time}）", "{plan} · {sheet} (exported {time})"),
    "xl_sheet_scores": ("指标得分", "Scores"),
    "xl_sheet_gate_states": ("基础指标达标情况", "Gate states"),
    "xl_sheet_evidence": ("佐证材料", "Evidence"),
    "xl_sheet_ranking": ("单位排名", "Unit ranking"),
    "xl_ex_group_done": ("{done}/{total} 已完成", "{done}/{total} done"),
    "xl_ex_figures": ("报送数值", "Reported figures"),
    "xl_ex_points": ("得分", "Points"),
    "xl_ex_max": ("满分", "Max"),
    "xl_ex_to_earn": ("还可得分", "What would earn the rest"),
    "xl_ex_not_reported": ("未报送", "not reported"),
    "xl_ex_total": ("合计", "Total"),
    "xl_ex_bonus_total": ("附加项合计", "Bonus total"),
    "xl_ex_gate": ("基础指标", "Gate"),
    "xl_ex_state": ("状态", "State"),
    "xl_ex_gate_open": ("未报", "not answered"),
    "xl_ex_reported_by": ("报送人", "Answered by"),
    "xl_ex_reported_at": ("报送时间", "Answered at"),
    "xl_ex_files": ("已交文件", "Files handed in"),
    "xl_ex_stored": ("存储位置", "Stored as"),
    "xl_ex_reason": ("退回原因", "Reason for rejection"),
    "xl_ex_ev_accepted": ("已通过", "accepted"),
    "xl_ex_ev_pending": ("待审核", "pending review"),
    "xl_ex_ev_rejected": ("已退回", "rejected"),
    "xl_ex_ev_missing": ("缺", "missing"),
    "xl_ex_rank": ("名次", "Rank"),
    "xl_ex_tasks": ("任务数", "Tasks"),
    "xl_ex_tasks_done": ("已完成", "Done"),
    "xl_ex_tasks_overdue": ("逾期任务", "Overdue tasks"),
    "xl_ex_ev_owed": ("应交佐证", "Evidence required"),
    "xl_ex_ev_accepted_count": ("佐证已通过", "Evidence accepted"),
    "xl_ex_ev_overdue": ("佐证逾期", "Evidence overdue"),
    "xl_ex_reports": ("报送次数", "Figures sent"),
    "xl_ex_rate": ("完成率", "Completion"),
    "xl_ex_ranking_rule": (
        "排序规则：逾期项（逾期未完成的任务与逾期未交的佐证材料）少者在前；相同时完成率（已完成任务与已通过佐证之和"
        "÷任务数与应交佐证之和）高者在前；再相同时报送次数多者在前。各项均相同的单位名次相同。",
        "Order: fewest late items (tasks past their deadline not done, evidence owed past its due date) first; "
        "then the highest completion rate ((tasks done + evidence accepted) ÷ (tasks + evidence required)); "
        "then the most figures sent. Units equal on all three share a rank.",
    ),
    "xl_ex_zip_file": ("文件", "file"),
    "xl_ex_zip_index_name": ("清单.csv", "index.csv"),
    "xl_ex_zip_missing": ("（佐证材料目录中没有此文件）", "(not in the evidence directory)"),
    "xl_ex_zip_path": ("压缩包内路径", "Path in the zip"),
    "xl_ex_original_name": ("原文件名", "Original name"),
    "xl_ex_sha256": ("文件哈希（SHA-256）", "SHA-256"),
    "xl_ex_submitted_at": ("提交时间", "Submitted at"),
    "xl_ex_submitted_by": ("提交人", "Submitted by"),
    "xl_ex_accepted_at": ("通过时间", "Accepted at"),
    "xl_ex_accepted_by": ("审核人", "Accepted by"),
    "xl_export_sent": (
        "《{plan}》工作台账（导出时间：{time}）见附件 Excel 文件。",
        "The ledger of {plan} (exported {time}) is attached as an Excel file.",
    ),
    "xl_export_readers_only": (
        "台账导出仅限办公室和领导。查看本单位的任务和指标请发送 /tasks 或 /status。",
        "Only the office and the leaders can export the ledger. For your unit's part send /tasks or /status.",
    ),
    "xl_help_export": (
        "导出台账工作簿（.xlsx），并可将已通过的佐证材料打包（.zip）",
        "export the ledger workbook (.xlsx), and/or bundle the accepted evidence (.zip)",
    ),
    "xl_help_export_out": (
        "台账写到哪个文件（.xlsx；缺少的文件夹会自动创建）",
        "where to write the workbook (.xlsx; missing folders are created)",
    ),
    "xl_help_evidence_zip": (
        "已通过的佐证材料打包到哪个文件（.zip；按指标和单位分文件夹，附清单）",
        "where to bundle the accepted evidence (.zip; folders by code and unit, with an index)",
    ),
    "xl_help_export_lang": ("台账语言（默认：DUBAN_LANG，即 zh）", "the workbook's language (default: DUBAN_LANG, else zh)"),
    "xl_cli_export_nothing": (
        "请至少给出 --out 或 --evidence-zip 之一",
        "error: give --out, --evidence-zip or both",
    ),
    "xl_cli_export_written": ("已导出台账：{path}（{sheets} 个工作表）", "Ledger written: {path} ({sheets} sheets)"),
    "xl_cli_zip_written": ("已打包佐证材料：{path}（{files} 个文件）", "Evidence bundled: {path} ({files} files)"),
    "xl_cli_zip_missing": (
        "有 {count} 个已通过的文件不在佐证材料目录 {dir} 中，已在清单中注明",
        "{count} accepted files are not in the evidence directory {dir}; the index says which",
    ),
}

LEDGER_MESSAGES.update(EXPORT_MESSAGES)
