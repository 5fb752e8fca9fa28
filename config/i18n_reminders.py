"""Reminder and notice sentences, in Simplified Chinese and English (merged into config.i18n.MESSAGES)."""

from __future__ import annotations

REMINDER_MESSAGES: dict[str, tuple[str, str]] = {
    "rem_before_deadline": (
        "【督办提醒】{unit}：任务 {code} {title}，距截止日期 {deadline} 还有 {workdays_left} 个工作日。请按期完成；回复本消息或点按钮即可登记进展。",
        "[Reminder] {unit}: task {code} {title} is due {deadline}, in {workdays_left} working day(s). Reply to this message or press a button to record progress.",
    ),
    "rem_deadline_day": (
        "【督办提醒】{unit}：任务 {code} {title} 今天（{deadline}）到期。完成后请点“完成”或回复本消息。",
        "[Reminder] {unit}: task {code} {title} is due today ({deadline}). Press Done or reply when it is finished.",
    ),
    "rem_overdue": (
        "【逾期提醒】{unit}：任务 {code} {title} 已逾期 {overdue_days} 天（截止 {deadline}，第 {overdue_workdays} 个逾期工作日）。请尽快完成并登记进展。",
        "[Overdue] {unit}: task {code} {title} is {overdue_days} day(s) overdue (due {deadline}; overdue working day {overdue_workdays}). Please finish it and record progress.",
    ),
    "rem_ongoing_progress": (
        "【长期任务】{unit}：任务 {code} {title} 需长期坚持，请登记 {month} 的进展（回复本消息，或 /progress {code} 进行中 <说明>）。",
        "[Ongoing task] {unit}: task {code} {title} is ongoing; please record progress for {month} (reply, or /progress {code} doing <note>).",
    ),
    "rem_escalation_tasks": (
        "【逾期通报】以下单位的任务已逾期 {days} 个工作日：",
        "[Escalation] These units are {days} working days late:",
    ),
    "rem_escalation_task_line": (
        "  {unit}：任务 {task} {title}（截止 {deadline}）",
        "  {unit}: task {task} {title} (due {deadline})",
    ),
    "rem_escalation_total": (
        "目前逾期 {days} 个工作日以上的单位任务共 {total} 项。",
        "{total} unit tasks are now {days} or more working days late.",
    ),
    "rem_escalation_evidence": (
        "【佐证材料逾期通报】以下单位未按期（{days} 个工作日前）提交佐证材料：",
        "[Escalation] These units have not handed in evidence ({days} working days late):",
    ),
    "rem_escalation_evidence_line": ("  {unit}：截止 {due}，指标 {codes}", "  {unit}: due {due}, indicators {codes}"),
    "rem_period_figure": (
        "【数据报送】{unit}：请报送上月数据：",
        "[Figures due] {unit}: please report last month's figures:",
    ),
    "rem_nudge": (
        "【催报】{unit}：以下数据尚未报送，请尽快报送：",
        "[Still missing] {unit}: these figures have not come in yet:",
    ),
    "rem_period_line": (
        "  指标 {code} {name}（{period}）：/report {code} {period} <数值>",
        "  indicator {code} {name} ({period}): /report {code} {period} <value>",
    ),
    "rem_evidence_before_deadline": (
        "【佐证材料】{unit}：请于 {due} 前（还有 {workdays_left} 个工作日）提交以下指标的佐证材料：{codes}",
        "[Evidence] {unit}: evidence for {codes} is due {due}, in {workdays_left} working day(s).",
    ),
    "rem_evidence_deadline_day": (
        "【佐证材料】{unit}：以下指标的佐证材料今天（{due}）截止：{codes}",
        "[Evidence] {unit}: evidence for {codes} is due today ({due}).",
    ),
    "rem_evidence_overdue": (
        "【佐证材料逾期】{unit}：以下指标的佐证材料已逾期 {overdue_days} 天（截止 {due}）：{codes}",
        "[Evidence overdue] {unit}: evidence for {codes} is {overdue_days} day(s) late (due {due}).",
    ),
    "rem_catch_up": (
        "【补发】Duban 暂停期间有 {count} 条提醒未能按时发出，汇总如下：",
        "[Catch-up] {count} reminder(s) fell due while Duban was stopped:",
    ),
    "rem_catch_up_line": ("  · {day} {what}", "  · {day} {what}"),
    "rem_calendar_warning": (
        "【日历提醒】程序尚未内置 {year} 年的法定节假日安排，暂按周末计算工作日。请用 /holiday 录入该年的节假日和调休上班日。",
        "[Calendar] The official {year} holiday schedule is not known yet; working days are weekends-only until you enter holidays and make-up days with /holiday.",
    ),
    "rem_unit_leaders": ("领导", "leaders"),
    "kind_notice": ("通知：{subject}", "notice: {subject}"),
    "kind_before_deadline": ("任务 {subject} 截止前提醒", "task {subject}: before the deadline"),
    "kind_deadline_day": ("任务 {subject} 到期提醒", "task {subject}: due today"),
    "kind_overdue": ("任务 {subject} 逾期提醒", "task {subject}: overdue"),
    "kind_ongoing_progress": ("任务 {subject} 月度进展", "task {subject}: monthly progress"),
    "kind_escalation": ("逾期通报", "escalation"),
    "kind_period_figure": ("月度数据报送", "monthly figures"),
    "kind_nudge": ("数据催报", "figures still missing"),
    "kind_evidence": ("佐证材料提醒", "evidence"),
    "kind_calendar_warning": ("日历提醒", "calendar"),
    "kind_digest": ("每周简报", "weekly digest"),
    "kind_catch_up": ("补发汇总", "catch-up"),
    "reply_recorded": (
        "已把您的回复记为任务 {code} 的进展（{unit}：{status}）。",
        "Your reply is recorded as progress on task {code} ({unit}: {status}).",
    ),
    "reply_not_reminder": (
        "这条回复对应的消息不是任务提醒，无法登记进展。请用 /progress 登记。",
        "The message you replied to is not a task reminder; use /progress instead.",
    ),
    "bad_date": ("“{word}”不是日期，请写成 YYYY-MM-DD。", "“{word}” is not a date; write YYYY-MM-DD."),
    "bad_time": ("“{word}”不是时间，请写成 HH:MM。", "“{word}” is not a time; write HH:MM."),
    "holiday_usage": (
        "用法：/holiday（查看）、/holiday add YYYY-MM-DD [说明]（加休息日）、/holiday workday YYYY-MM-DD（调休上班日）、/holiday remove YYYY-MM-DD",
        "Usage: /holiday (list), /holiday add YYYY-MM-DD [note] (a day off), /holiday workday YYYY-MM-DD (a make-up working day), /holiday remove YYYY-MM-DD",
    ),
    "holiday_none": (
        "尚未录入自定义节假日或调休上班日；按国家法定安排计算工作日。",
        "No office corrections; working days follow the official calendar.",
    ),
    "holiday_header": ("办公室录入的日历调整：", "The office's calendar corrections:"),
    "holiday_off": ("休息", "day off"),
    "holiday_workday": ("上班（调休）", "working day (make-up)"),
    "holiday_set": (
        "已记录：{day} {what}。提醒将按新日历重新安排。",
        "Recorded: {day} is a {what}. Reminders follow the new calendar.",
    ),
    "holiday_removed": ("已删除 {day} 的日历调整。", "Removed the correction for {day}."),
    "holiday_not_set": ("{day} 没有日历调整可删除。", "There is no correction for {day}."),
    "remind_usage": (
        "用法：/remind（查看）；管理员可设：/remind before 7,3,1 | time 09:00 | escalate 3 | nudges 3,5 | quiet 21:00-08:00 | digest 1 09:00（周一）",
        "Usage: /remind (show); the admin sets: /remind before 7,3,1 | time 09:00 | escalate 3 | nudges 3,5 | quiet 21:00-08:00 | digest 1 09:00 (Monday)",
    ),
    "remind_invalid": ("无法这样设置：{reason}", "Cannot set that: {reason}"),
    "remind_changed": ("提醒规则已更新。", "Reminder policy updated."),
    "remind_policy": (
        "提醒规则：截止前 {before} 个工作日及当天 {time} 提醒；逾期每个工作日提醒，逾期第 {escalate} 个工作日起通报领导；月度数据第 {ask} 个工作日报送，第 {nudges} 个工作日催报；{quiet} 不发消息；每周第 {weekday} 天 {digest} 发简报。",
        "Policy: reminders {before} working days before a deadline and on the day at {time}; daily when overdue, leaders told from overdue working day {escalate}; monthly figures asked on working day {ask}, nudged on {nudges}; quiet {quiet}; digest on weekday {weekday} at {digest}.",
    ),
    "digest_unit_nothing": ("本周您单位没有需要关注的事项。", "Nothing needs your unit's attention this week."),
    "rem_chat_blocked": ("【送达失败】无法再向 {who} 的联系人 {name}（{transport}）发送消息：{reason}。该对话已停止发送，请联系对方重新打开对话或重新绑定。", "[Undeliverable] Duban can no longer reach {name} ({who}, {transport}): {reason}. Sending to that chat has stopped; ask them to reopen the chat or bind again."),
    "kind_chat_blocked": ("送达失败", "undeliverable chat"),
    "handler_sorry": ("抱歉，处理您的消息时出了点问题，已记入日志，请稍后再试。", "Sorry, something went wrong with that message; it has been logged. Please try again later."),
    "telegram_button_expired": ("这个按钮已失效，请重新发送命令。", "That button has expired; please send the command again."),
}
