"""Figures, their owners and proposals, gates and the leaders' status: Chinese and English.

Merged into `config.i18n.MESSAGES`.
"""

from __future__ import annotations

FIGURE_MESSAGES: dict[str, tuple[str, str]] = {
    "label_indicator": ("指标 {code} {name}", "indicator {code} {name}"),
    "label_gate": ("基础指标 {code} {name}", "basic indicator {code} {name}"),
    "report_recorded": ("已记录：{name} = {value}", "Recorded: {name} = {value}"),
    "report_unchanged": (
        "{name} 的当前数值已是 {value}（{who}，{when}），无需更正，未作改动。",
        "{name} already stands at {value} ({who}, {when}); nothing was changed.",
    ),
    "report_replaces": (
        "（更正：此前由 {who} 于 {when} 报送为 {value}，原记录保留在 /history 中，已通知对方）",
        "(correction: {who} reported {value} on {when}; the earlier report stays in /history and they have been told)",
    ),
    "report_proposed": (
        "已提交建议值：{name} = {value}（编号 #{id}）。该数据由 {owners} 负责报送，需办公室或负责单位确认后才计入得分；已通知他们，结果会告知您。",
        "Proposed: {name} = {value} (number #{id}). This figure is owned by {owners}; it counts once the office or an owner accepts it. They have been told, and you will hear the outcome.",
    ),
    "no_figure_yet": ("尚无数据", "none yet"),
    "notice_proposal": (
        "【数据建议 #{id}】{unit} 建议：{name} = {value}（当前：{current}）。采纳后计入得分。",
        "[Proposed figure #{id}] {unit} proposes {name} = {value} (now: {current}). It counts once accepted.",
    ),
    "notice_corrected": (
        "【数据更正】{name}：您于 {when} 报送的 {old} 已被 {who} 更正为 {new}（原记录保留在 /history 中）。",
        "[Correction] {name}: your figure {old} of {when} was corrected to {new} by {who} (the earlier one stays in /history).",
    ),
    "notice_proposal_accepted": (
        "【建议值已采纳】您提交的 {name} = {value}（#{id}）已由 {who} 采纳，计入得分。",
        "[Accepted] Your proposed {name} = {value} (#{id}) was accepted by {who} and now counts.",
    ),
    "notice_proposal_rejected": (
        "【建议值未采纳】您提交的 {name} = {value}（#{id}）未被 {who} 采纳：{reason}",
        "[Not accepted] Your proposed {name} = {value} (#{id}) was not accepted by {who}: {reason}",
    ),
    "no_reason": ("未说明理由", "no reason given"),
    "btn_accept": ("采纳", "Accept"),
    "btn_reject": ("不采纳", "Reject"),
    "not_your_figure": (
        "抱歉，指标 {code} 的数据不由您单位负责确认。",
        "Sorry, your unit does not own the figure of indicator {code}.",
    ),
    "decide_usage": (
        "用法：/accept <编号> 或 /reject <编号> [理由]",
        "Usage: /accept <number> or /reject <number> [reason]",
    ),
    "no_such_proposal": (
        "没有编号为 #{id} 的建议值。发送 /proposals 查看。",
        "There is no proposal #{id}. Send /proposals.",
    ),
    "proposal_decided": ("建议值 #{id} 已经处理过（{state}）。", "Proposal #{id} was already decided ({state})."),
    "proposal_accepted": ("已采纳", "accepted"),
    "proposal_rejected": ("未采纳", "rejected"),
    "proposal_proposed": ("待确认", "waiting"),
    "proposals_none": ("没有待确认的建议值。", "No proposed figures are waiting."),
    "proposals_header": ("待确认的建议值 {count} 条：", "{count} proposed figure(s) waiting:"),
    "proposal_line": ("#{id} {name} = {value}（{unit}，{when}）", "#{id} {name} = {value} ({unit}, {when})"),
    "proposal_accepted_reply": (
        "已采纳 #{id}：{name} = {value}，已通知报送单位。",
        "Accepted #{id}: {name} = {value}; the unit that sent it has been told.",
    ),
    "proposal_rejected_reply": (
        "未采纳 #{id}：{name} = {value}，已把理由告知报送单位。",
        "Rejected #{id}: {name} = {value}; the unit that sent it has been told why.",
    ),
    "history_proposed": ("（建议值 #{id}，待确认）", " (proposal #{id}, waiting)"),
    "history_accepted": ("（建议值 #{id}，已采纳）", " (proposal #{id}, accepted)"),
    "history_rejected": ("（建议值 #{id}，未采纳）", " (proposal #{id}, rejected)"),
    # reporting
    "figure_word": ("当前数值", "figure"),
    "month_word": ("<月份>", "<month>"),
    "need_item": (
        "指标 {code} 有多个分项，请写明分项：{items}",
        "Indicator {code} has several items; name one: {items}",
    ),
    "which_item": (
        "指标 {code} 有多个分项，“{value}”是哪一项的？可选：{items}",
        "Indicator {code} has several items; which one is “{value}” for? Items: {items}",
    ),
    "period_not_over": (
        "{period} 尚未结束，暂不能报送（该月数据自 {opens} 起可报送）。",
        "{period} has not ended yet (its figure can be reported from {opens}).",
    ),
    # gates
    "gate_header": ("基础指标 {code} {name}", "Basic indicator {code} {name}"),
    "gate_open": ("状态：尚未确认", "State: not yet assessed"),
    "gate_answered": ("状态：{state}（{who}，{when}）", "State: {state} ({who}, {when})"),
    "gate_units": ("责任单位：{units}", "Responsible: {units}"),
    "gate_how": (
        "确认方式：/gate {code} 达标 或 /gate {code} 未达标",
        "To record it: /gate {code} met|not met (达标/未达标)",
    ),
    # leaders' status
    "status_running": ("方案截止 {end}，还有 {days} 天。", "The plan ends {end}, in {days} days."),
    "status_ended": ("方案已于 {date} 结束。", "The plan ended on {date}."),
    "status_archived": ("方案已于 {date} 归档（只读）。", "The plan was archived on {date} (read-only)."),
    "status_week_change": ("本周 {delta}", "{delta} this week"),
    "status_week_same": ("本周无变化", "unchanged this week"),
    "status_gate_failed": ("未达标：{gate}", "not met: {gate}"),
    "status_overdue_task": ("逾期 [{code}] {title}：{units}", "overdue [{code}] {title}: {units}"),
    "more_tasks": ("另有 {count} 项", "{count} more"),
    "status_blocked_header": ("受阻待协调 {count} 项：", "{count} blocked, waiting for help:"),
    "status_blocked_line": ("[{code}] {title} · {unit}：{note}", "[{code}] {title} · {unit}: {note}"),
    "status_no_figure": ("尚无数据的指标 {count} 项：{items}", "{count} indicator(s) with no figure yet: {items}"),
    "and_more_items": (" 等 {count} 项", " and others ({count} in all)"),
    "status_proposals": ("待确认的建议值 {count} 条（/proposals）", "{count} proposed figure(s) waiting (/proposals)"),
    "status_undelivered": (
        "⚠ 近 7 天有 {count} 条提醒未能送达：{units}。请为这些单位绑定联络员，或请对方重新打开与机器人的对话。",
        "⚠ {count} reminder(s) of the last 7 days reached nobody: {units}. Bind a liaison for them, or ask them to reopen the chat with the bot.",
    ),
}
