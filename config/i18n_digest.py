"""The weekly digest's sentences, in Simplified Chinese (the default) and English.

Kept apart from `config.i18n` because the digest is a document of its own, written by another
hand; `config.i18n` merges these into MESSAGES at import, so `translate` knows them all. Every key
starts with `digest_` so it cannot clash with a command's message.
"""

from __future__ import annotations

DIGEST_MESSAGES: dict[str, tuple[str, str]] = {
    # headers and footers
    "digest_header": ("督办周报：{plan}\n{start}–{end}", "Duban weekly digest: {plan}\n{start}–{end}"),
    "digest_unit_header": (
        "督办周报：{plan}\n{unit}（{start}–{end}）",
        "Duban weekly digest: {plan}\n{unit} ({start}–{end})",
    ),
    "digest_footer": (
        "发送 /status 查看全貌，/score 查看各指标得分。",
        "Send /status for the whole picture, /score for each indicator.",
    ),
    "digest_unit_footer": (
        "发送 /tasks 查看本单位任务，/report 报送数据。",
        "Send /tasks for your unit's tasks, /report to report a figure.",
    ),
    # scores
    "digest_total": ("总分 {total} / {max}（{change}）", "Total {total} / {max} ({change})"),
    "digest_change": ("较上周 {delta}", "{delta} since last week"),
    "digest_unchanged": ("与上周持平", "unchanged since last week"),
    "digest_first": ("首次周报", "first digest"),
    "digest_bonus": ("附加分 {total} / {max}", "Bonus {total} / {max}"),
    "digest_gates": ("基础指标：{met}/{total} 达标", "Basic indicators: {met}/{total} met"),
    "digest_gates_failed": ("；未达标：{failed}", "; not met: {failed}"),
    "digest_gates_open": ("；待确认 {count} 项", "; {count} not yet assessed"),
    "digest_moved_header": ("本周得分变动的指标：", "Indicators whose points moved this week:"),
    "digest_moved_line": ("{code} {name}{mark}：{before} → {after}", "{code} {name}{mark}: {before} → {after}"),
    "digest_bonus_mark": ("（附加）", " (bonus)"),
    "digest_indicators_header": ("本单位负责的指标：", "Indicators your unit is responsible for:"),
    "digest_indicator_points": ("{code} {name}{mark}：{points} / {max}", "{code} {name}{mark}: {points} / {max}"),
    "digest_indicator_change": ("（本周 {delta}）", " ({delta} this week)"),
    # tasks
    "digest_completed_header": ("本周完成：", "Completed this week:"),
    "digest_overdue_header": ("逾期任务：", "Overdue tasks:"),
    "digest_blocked_header": ("受阻待协调：", "Blocked, waiting for help:"),
    "digest_blocked_line": ("{code} {title}：{unit}（{note}）", "{code} {title}: {unit} ({note})"),
    "digest_upcoming_header": ("14 天内到期：", "Due within 14 days:"),
    "digest_task_due": ("{code} {title}（截止 {date}）", "{code} {title} (due {date})"),
    "digest_completed_units": ("{task}，完成单位：{units}", "{task}; done by: {units}"),
    "digest_overdue_units": ("{task}，逾期单位：{units}", "{task}; late: {units}"),
    "digest_upcoming_units": ("{task}，未完成：{units}", "{task}; still owing: {units}"),
    # figures not reported
    "digest_missing_header": ("未报送数据的单位：", "Units with figures not reported:"),
    "digest_unit_missing_header": ("待报送数据：", "Figures still to report:"),
    "digest_missing_line": ("{unit}：{figures}", "{unit}: {figures}"),
    "digest_figure_periods": ("{code}（{periods}）", "{code} ({periods})"),
    "digest_periods_folded": ("{first}…{last} 共 {count} 期", "{first}…{last}, {count} periods"),
    # lists
    "digest_empty": ("{header}无", "{header} none"),
    "digest_more": ("……另有 {count} 项", "… and {count} more"),
    "digest_list_sep": ("、", ", "),
    "digest_evidence": (
        "佐证材料：应交 {total} 项，已通过 {accepted}，待审核 {pending}，已退回 {rejected}，缺 {missing}。",
        "Evidence: {total} item(s), {accepted} accepted, {pending} waiting for review, {rejected} rejected, "
        "{missing} missing.",
    ),
    "digest_evidence_header": ("尚欠佐证材料的单位：", "Units owing evidence:"),
    "digest_evidence_unit": ("{unit}：{items}", "{unit}: {items}"),
    "digest_unit_evidence_header": ("尚欠佐证材料：", "Evidence still owed:"),
    "digest_evidence_late": ("（截止 {due}，已逾期 {days} 天）", " (due {due}, {days} day(s) late)"),
    "digest_evidence_due": ("（截止 {due}）", " (due {due})"),
    "digest_units_cut": ("{units} 等 {count} 个单位", "{units} and others ({count} units)"),
    "digest_items_cut": ("{items} 等 {count} 项", "{items} and others ({count} in all)"),
    # the chart: plan and indicator names stay Chinese data in both languages, the words around them do not
    "digest_chart_subtitle": ("督办周报 {start} 至 {end}　{scores}", "Weekly digest {start} to {end}   {scores}"),
    "digest_chart_total": ("总分 {total} / {max}", "total {total} / {max}"),
    "digest_chart_bonus": ("附加分 {total} / {max}", "bonus {total} / {max}"),
    "digest_chart_score_sep": ("，", ", "),
    "digest_chart_points_title": ("各指标得分", "Points by indicator"),
    "digest_chart_points_axis": ("分", "points"),
    "digest_chart_points": ("得分", "points"),
    "digest_chart_bonus_points": ("附加分", "bonus points"),
    "digest_chart_maximum": ("满分", "maximum"),
    "digest_chart_no_indicators": ("暂无指标", "no indicators"),
    "digest_chart_trend_title": ("总分走势（{start} 至 {end}）", "Total, {start} to {end}"),
    "digest_chart_trend_by_week": ("每周总分", "Total by week"),
    "digest_chart_trend_axis": ("总分", "total"),
    "digest_chart_weekly_total": ("每周总分", "weekly total"),
    "digest_chart_even_pace": ("时序进度", "even pace to full marks"),
    "digest_chart_projection": ("按目前进度推算", "at the pace so far"),
    "digest_chart_projected": ("推算 {points}", "projected {points}"),
    "digest_chart_units_title": ("各单位任务完成情况", "Tasks done by unit"),
    "digest_chart_units_most_open": (
        "任务完成情况（未完成最多的 {count} 个单位，共 {total} 个）",
        "Tasks done: the {count} units with most open (of {total})",
    ),
    "digest_chart_tasks_axis": ("任务数", "tasks"),
    "digest_chart_done": ("已完成", "done"),
    "digest_chart_open": ("未完成", "not done"),
}
