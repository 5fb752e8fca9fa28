"""Messages about replies read in plain Chinese: the proposal, its buttons, and what happens on a tap."""

from __future__ import annotations

READING_MESSAGES: dict[str, tuple[str, str]] = {
    "read_header": ("从您的消息中读到以下数据，请确认后记录：", "Read from your message; confirm to record:"),
    "read_line": ("指标 {code} {name} {place} = {value}", "Indicator {code} {name} {place} = {value}"),
    "read_confirm": ("确认", "Confirm"),
    "read_amend": ("修改", "Edit"),
    "read_cancel": ("取消", "Cancel"),
    "read_ambiguous": (
        "“{written}”可能是以下指标的数据，请选择：{names}",
        "“{written}” could be a figure of these indicators; please choose: {names}",
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
