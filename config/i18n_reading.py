"""Messages about replies read in plain Chinese: the proposal, its buttons, and what happens on a tap."""

from __future__ import annotations

READING_MESSAGES: dict[str, tuple[str, str]] = {
    "read_header": ("从您的消息中读到以下内容，请确认后记录：", "Read from your message; confirm to record:"),
    "read_not_yet": (
        "指标 {code} {name} {period} = {written}：{reason}这个数据没有列入；如指 {before}，请写明“{month}月份”。",
        "Indicator {code} {name} {period} = {written}: {reason} That figure is left out; if you meant {before},"
        " please name it (“{month}月份”).",
    ),
    "read_not_yours": (
        "指标 {code} {name} 不由您单位负责，这个数据没有列入（请由负责单位报送）。",
        "Indicator {code} {name} is not your unit's; that figure is left out (its units report it).",
    ),
    "read_gate": ("基础指标 {code} {name} = {met}", "Basic indicator {code} {name} = {met}"),
    "read_points": ("→ 得分 {before} → {after}（满分 {max}）", "→ points {before} → {after} (of {max})"),
    "read_for_owners": ("→ 作为建议值，由 {owners} 确认后计分", "→ a proposal, scored once {owners} accept it"),
    "read_progress": (
        "任务 {code} {title}（{unit}）：{before} → {after}",
        "Task {code} {title} ({unit}): {before} → {after}",
    ),
    "read_progress_same": (
        "任务 {code} {title}（{unit}）：仍为{after}，记录进展备注",
        "Task {code} {title} ({unit}): still {after}; the note is recorded",
    ),
    "read_noted_later": (
        "“{notes}”已作为进展备注（确认后记录）",
        "“{notes}” will be kept as the progress note",
    ),
    "read_noted": ("“{notes}”已作为进展备注记录", "“{notes}” is kept as the progress note"),
    "read_which_task": (
        "这条进展是哪项任务的？请选择（确认即记录）：\n“{note}”",
        "Which task is this progress on? Choose one (the tap records it):\n“{note}”",
    ),
    "read_too_many_tasks": (
        "您的单位有 {count} 项任务未完成，无法判断这条进展属于哪一项：\n{tasks}\n"
        "请回复该任务的提醒，或用 /progress <任务编号> <状态> [说明] 登记。",
        "Your unit has {count} open tasks, so this progress cannot be placed:\n{tasks}\n"
        "Reply to the task's reminder, or use /progress <code> <status> [note].",
    ),
    "read_nothing": (
        "没有从您的回复中读到数据。请写明指标和数值（如“3月份合规率100%”），或用 /report 报送。",
        "No figure was read from your reply. Name the indicator and the value (e.g. “March compliance "
        "100%”), or use /report.",
    ),
    "read_line": ("指标 {code} {name}{place} = {value}", "Indicator {code} {name}{place} = {value}"),
    "read_confirm": ("确认", "Confirm"),
    "read_amend": ("修改", "Edit"),
    "read_cancel": ("取消", "Cancel"),
    "read_ambiguous": (
        "“{written}”可能是以下指标的数据，请选择：{names}",
        "“{written}” could be a figure of these indicators; please choose: {names}",
    ),
    "read_which_value": (
        "“{written}”都是指标 {code} {name}的数据，该指标只计一个数，请选择计入哪一个：",
        "“{written}” are all figures for indicator {code} {name}, which counts one; please choose the one to record:",
    ),
    "read_which_item": (
        "“{written}”是指标 {code} 哪一项的数据？请选择：{items}",
        "Which item of indicator {code} is “{written}”? Please choose: {items}",
    ),
    "read_unplaced": ("未识别为数据的内容：“{notes}”（没有记录）", "Not read as figures: “{notes}” (nothing recorded)"),
    "read_cancelled": ("已取消，没有记录任何数据。", "Cancelled; nothing was recorded."),
    "read_amend_lines": (
        "请复制下面的命令，修改后发送：\n{lines}",
        "Copy these commands, correct them and send:\n{lines}",
    ),
    "reports_usage": (
        "用法：/reports <编号 [月份] [分项] 数值>；<…>（最多 {limit} 条，用“；”分隔）",
        "Usage: /reports <code [month] [item] value>; <…> (at most {limit}, separated by “；”)",
    ),
}
