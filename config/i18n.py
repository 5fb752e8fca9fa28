"""Every sentence Duban says, in Simplified Chinese (the default) and English.

Keys are stable identifiers; a test checks that every key used in the code exists in both
languages, so an English user never meets a raw key.
"""

from __future__ import annotations

from typing import Any

from config.i18n_cli import CLI_MESSAGES
from config.i18n_digest import DIGEST_MESSAGES
from config.i18n_evidence import EVIDENCE_MESSAGES
from config.i18n_figures import FIGURE_MESSAGES
from config.i18n_files import FILE_MESSAGES
from config.i18n_help import HELP_MESSAGES
from config.i18n_ledger import LEDGER_MESSAGES
from config.i18n_page import PAGE_MESSAGES
from config.i18n_reading import READING_MESSAGES
from config.i18n_reminders import REMINDER_MESSAGES
from config.i18n_values import VALUE_MESSAGES
from config.i18n_web import WEB_MESSAGES

MESSAGES: dict[str, tuple[str, str]] = {
    # getting in
    "welcome": (
        "您好，我是督办 Duban：提醒各单位按期完成任务、收集报送数据并按方案规则计分。",
        "Hello, I am Duban: I remind units of their deadlines, collect their figures and score them by the plan's rules.",
    ),
    "see_help": ("发送 /help 查看全部命令。", "Send /help to see every command."),
    "start_no_plan": (
        "您还没有绑定任何方案。请向办公室索取邀请码，然后发送 /bind <邀请码>。",
        "You are not bound to any plan yet. Ask the office for an invite code and send /bind <code>.",
    ),
    "start_not_member": (
        "当前方案：{plan}。您尚未绑定，请发送 /bind <邀请码>。",
        "Current plan: {plan}. You are not bound yet: send /bind <code>.",
    ),
    "start_member": ("当前方案：{plan}；您的身份：{role}{unit}。", "Current plan: {plan}; you are: {role}{unit}."),
    "role_admin": ("管理员（办公室）", "admin (office)"),
    "role_leader": ("领导", "leader"),
    "role_liaison": ("联络员", "liaison"),
    "lang_usage": ("用法：/lang zh 或 /lang en", "Usage: /lang zh or /lang en"),
    "lang_set": ("已切换为中文。", "Language set to English."),
    "plan_current": ("当前方案：{plan}。您参与的方案：", "Current plan: {plan}. Your plans:"),
    "plan_switched": ("已切换到方案 {plan}。", "Switched to plan {plan}."),
    "plan_not_joined": (
        "您没有参与方案 {plan}。发送 /plan 查看您参与的方案。",
        "You are not a member of plan {plan}. Send /plan to see yours.",
    ),
    "not_member_anywhere": (
        "您还没有绑定任何方案，请发送 /bind <邀请码>。",
        "You are not bound to any plan yet: send /bind <code>.",
    ),
    "invite_usage": (
        "用法：/invite <单位名称>、/invite leader 或 /invite admin，例：/invite 区民政局",
        "Usage: /invite <unit name>, /invite leader or /invite admin, e.g. /invite 区民政局",
    ),
    "invite_made": (
        "邀请码 {code}（{who}，一次有效，{expires} 前使用）。请对方发送：/bind {code}",
        "Invite code {code} ({who}, single use, valid until {expires}). They send: /bind {code}",
    ),
    "bind_usage": ("用法：/bind <邀请码>，邀请码由办公室提供。", "Usage: /bind <code>; the office gives you the code."),
    "invite_unknown": (
        "邀请码无效，请核对后重试，或向办公室重新索取。",
        "That invite code is not valid; check it or ask the office for a new one.",
    ),
    "invite_used": (
        "该邀请码已被使用。每个邀请码只能用一次，请向办公室重新索取。",
        "That invite code has already been used; codes are single-use. Ask the office for a new one.",
    ),
    "invite_expired": (
        "该邀请码已过期，请向办公室重新索取。",
        "That invite code has expired; ask the office for a new one.",
    ),
    "invite_limited": (
        "邀请码错误次数过多。为防止有人猜测邀请码，请于 {time} 之后再试；如有疑问请联系办公室。",
        "Too many wrong invite codes. To keep codes from being guessed, please try again after {time}, or ask the office.",
    ),
    "bound": ("绑定成功。", "You are bound."),
    # refusals
    "no_plan": (
        "您还没有绑定方案。请发送 /bind <邀请码>（向办公室索取）。",
        "You are not bound to a plan yet. Send /bind <code> (ask the office for one).",
    ),
    "not_member": (
        "抱歉，您尚未绑定本方案，无法使用该命令。请发送 /bind <邀请码>。",
        "Sorry, you are not bound to this plan, so you cannot use that command. Send /bind <code>.",
    ),
    "admin_only": ("抱歉，只有办公室管理员可以这样做。", "Sorry, only the office admin can do that."),
    "leader_read_only": ("领导账号只能查看，不能修改数据。", "Leader accounts can read everything but change nothing."),
    "not_your_task": (
        "抱歉，任务 {code} 不是您单位负责的，不能登记进展。",
        "Sorry, task {code} is not your unit's, so you cannot record progress on it.",
    ),
    "not_your_indicator": (
        "抱歉，指标 {code} 不由您单位负责，不能报送。",
        "Sorry, your unit is not responsible for indicator {code}, so you cannot report it.",
    ),
    "other_unit_hidden": ("联络员只能查看本单位情况。", "A liaison can only see their own unit."),
    "too_long": ("消息太长（超过 {limit} 字），请精简后重发。", "That message is too long (over {limit} characters)."),
    "not_a_command": (
        "请以命令开头（如 /status），或回复一条提醒消息。发送 /help 查看您可用的命令。",
        "Please start with a command (e.g. /status), or reply to a reminder. Send /help for your commands.",
    ),
    "unknown_command": (
        "没有 /{name} 这个命令。发送 /help 查看全部命令。",
        "There is no /{name} command. Send /help for all commands.",
    ),
    "unknown_unit": (
        "找不到单位“{unit}”。发送 /units 查看本方案的单位名称。",
        "No unit called “{unit}”. Send /units for the plan's unit names.",
    ),
    "unknown_task": (
        "没有编号为 {code} 的任务。发送 /tasks 查看任务清单。",
        "There is no task {code}. Send /tasks for the list.",
    ),
    "unknown_code": (
        "没有编号为 {code} 的指标。发送 /indicators 查看指标编号。",
        "There is no indicator {code}. Send /indicators for the codes.",
    ),
    "unknown_gate": (
        "没有编号为 {code} 的基础指标。发送 /indicators 查看。",
        "There is no basic indicator {code}. Send /indicators to see them.",
    ),
    "gate_use_gate": (
        "{code} 是基础指标（达标/不达标），请用 /gate {code} 是|否。",
        "{code} is a basic (pass/fail) indicator: use /gate {code} yes|no.",
    ),
    "note_too_long": ("说明太长（超过 {limit} 字）。", "The note is too long (over {limit} characters)."),
    # tasks
    "tasks_header": ("任务 {count} 项（今天 {today}）：", "{count} task(s) (today {today}):"),
    "tasks_filter_usage": ("用法：/tasks [逾期|临期|已完成|未完成]", "Usage: /tasks [overdue|soon|done|open]"),
    "no_tasks": ("没有符合条件的任务。", "No tasks match."),
    "task_usage": ("用法：/task <任务编号>，例：/task 5", "Usage: /task <code>, e.g. /task 5"),
    "deadline": ("截止 {date}", "due {date}"),
    "days_left": ("（还有 {days} 天）", " ({days} days left)"),
    "overdue_by": ("（已逾期 {days} 天）", " (overdue by {days} days)"),
    "ongoing": ("长期坚持", "ongoing"),
    "ongoing_after": ("，并长期坚持", ", then ongoing"),
    "units_done": ("{done}/{total} 个单位完成", "{done}/{total} units done"),
    "task_units": ("责任单位及进展：", "Units and their status:"),
    "task_history": ("最近进展：", "Recent progress:"),
    "lead_mark": ("（牵头）", " (lead)"),
    "status_todo": ("未开始", "not started"),
    "status_doing": ("进行中", "in progress"),
    "status_blocked": ("受阻", "blocked"),
    "status_done": ("已完成", "done"),
    "btn_done": ("完成", "Done"),
    "btn_doing": ("进行中", "Doing"),
    "btn_blocked": ("需要帮助", "Need help"),
    "progress_usage": (
        "用法：/progress <任务编号> <完成|进行中|受阻> [说明]，例：/progress 5 进行中 已核查200条",
        "Usage: /progress <code> <done|doing|blocked> [note], e.g. /progress 5 doing 200 checked",
    ),
    "bad_status": (
        "“{word}”不是可用的进展状态。请用：完成、进行中 或 受阻。",
        "“{word}” is not a status. Use done, doing or blocked (完成 / 进行中 / 受阻).",
    ),
    "progress_need_unit": (
        "任务 {code} 有多个责任单位，请注明单位：/progress {code} <状态> <单位> [说明]",
        "Task {code} has several units; name one: /progress {code} <status> <unit> [note]",
    ),
    "progress_recorded": (
        "已登记：任务 {code} {title}\n{unit}：{before} → {after}",
        "Recorded: task {code} {title}\n{unit}: {before} → {after}",
    ),
    # reports
    "report_usage": (
        "用法：/report <指标编号> [YYYY-MM] [分项] <数值>，例：/report 3 0.45%。发送 /indicators 查看编号。",
        "Usage: /report <code> [YYYY-MM] [item] <value>, e.g. /report 3 0.45%. Send /indicators for codes.",
    ),
    "need_period": (
        "指标 {code} 按月报送，请写明月份：{usage}",
        "Indicator {code} is monthly; give the month: {usage}",
    ),
    "bad_period": ("“{word}”不是月份，请写成 YYYY-MM：{usage}", "“{word}” is not a month; write YYYY-MM: {usage}"),
    "period_outside": (
        "{period} 不在方案的报送期内（{start} 至 {end}）。",
        "{period} is outside the plan's reporting periods ({start} to {end}).",
    ),
    "unknown_item": (
        "指标 {code} 没有分项“{item}”。可用分项：{items}",
        "Indicator {code} has no item “{item}”. Items: {items}",
    ),
    "need_value": ("缺少数值。{expected}\n格式：{usage}", "The value is missing. {expected}\nForm: {usage}"),
    "bad_value": ("无法识别数值：{reason}。{expected}", "Cannot read that value: {reason}. {expected}"),
    "expected": ("应报送：{what}，{kind}", "Expected: {what}, {kind}"),
    "value_word": ("<数值>", "<value>"),
    "expect_count": ("填非负整数，可用万、亿（如 7500万）", "a whole number, 万/亿 allowed (e.g. 7500万)"),
    "expect_percent": (
        "填百分比（如 0.45% 或 85%；不带%时按百分数理解）",
        "a percentage (e.g. 0.45% or 85%; a bare number is read as percent)",
    ),
    "expect_amount": ("填金额，单位{unit}（如 8 或 8亿、8000万）", "an amount in {unit} (e.g. 8, 8亿 or 8000万)"),
    "expect_rank": ("填名次（如 12）", "a rank (e.g. 12)"),
    "expect_days": ("填天数（工作日）", "a number of (working) days"),
    "expect_points": ("填评定分数（不超过该项满分）", "the points awarded (at most the item's maximum)"),
    "expect_number": ("填数字", "a number"),
    "expect_yes_no": ("填 是 或 否（达标/未达标）", "yes or no (是/否, 达标/未达标)"),
    "val_not_a_number": ("“{text}”不是数字", "“{text}” is not a number"),
    "val_not_yes_no": ("“{text}”不是 是/否", "“{text}” is not yes/no"),
    "val_missing_value": ("缺少数值", "the value is missing"),
    "val_value_too_long": ("数值太长（超过 {limit} 字）", "the value is too long (over {limit} characters)"),
    "val_below_minimum": ("“{text}”小于允许的最小值 {bound}", "“{text}” is below the smallest allowed value {bound}"),
    "val_above_maximum": ("“{text}”超过允许的最大值 {bound}", "“{text}” is above the largest allowed value {bound}"),
    "val_percent_not_expected": ("这里不应填百分比（“{text}”）", "a percentage does not belong here (“{text}”)"),
    "val_value_too_large": ("“{text}”大得不合常理，请核对", "“{text}” is implausibly large; please check it"),
    "val_not_whole": ("“{text}”不是整数", "“{text}” is not a whole number"),
    "val_not_a_percent": ("“{text}”不是百分比", "“{text}” is not a percentage"),
    "report_supersedes": (
        "（更正：此前报送为 {value}，原记录保留在 /history 中）",
        "(correction: previously {value}; the earlier report stays in /history)",
    ),
    "report_points": (
        "本指标得分：{before} → {after}（满分 {max}）",
        "Indicator points: {before} → {after} (max {max})",
    ),
    "total_line": ("总分：{before} → {after}", "Total: {before} → {after}"),
    "total_bonus_line": ("附加分合计：{before} → {after}", "Bonus total: {before} → {after}"),
    "full_marks": ("已得满分。", "Full marks."),
    "to_earn_more": ("如何补齐：", "To earn the rest:"),
    "more_hints": ("另有 {count} 条，发送 /score <指标> 查看", "{count} more; send /score <code>"),
    "hint_not_reported": ("尚未报送（满分 {max}）", "not reported yet (worth {max})"),
    "hint_linear": (
        "达到 {target} 可得满分 {max}（还差 {missing} 分）",
        "reach {target} for the full {max} ({missing} to go)",
    ),
    "hint_band": ("{op}{target} 可得 {points} 分", "{op}{target} earns {points}"),
    "hint_rank": (
        "月均排名进入前 {target} 名可得满分 {max}",
        "a monthly-average rank within the top {target} earns the full {max}",
    ),
    "hint_deduct": (
        "控制在 {allowance} 以内可得满分；每超出一档扣 {per} 分（已扣 {missing} 分）",
        "stay within {allowance} for full points; each step beyond costs {per} ({missing} lost)",
    ),
    "hint_count": (
        "每多 1 项得 {per} 分，再有 {need} 项可得满分（还差 {missing} 分）",
        "each one more earns {per}; {need} more reach full points ({missing} to go)",
    ),
    "hint_fraction": (
        "覆盖率越高得分越高，100% 得满分 {max}（还差 {missing} 分）",
        "points grow with coverage; 100% earns the full {max} ({missing} to go)",
    ),
    "hint_yes_no": ("回答“{answer}”可得 {max} 分", "the answer “{answer}” earns {max}"),
    "hint_assessed": (
        "由办公室评定，最高 {max} 分（还差 {missing} 分）",
        "assessed by the office, up to {max} ({missing} to go)",
    ),
    "hint_periods_missed": (
        "未达标月份：{periods}（每月扣 {penalty} 分）",
        "months not met: {periods} ({penalty} off each)",
    ),
    "hint_periods_open": (
        "待报送月份：{periods}，每月{target}得 {reward} 分",
        "months to report: {periods}; each month {target} earns {reward}",
    ),
    "op_at_least": ("达到", "at least "),
    "op_above": ("超过", "above "),
    "op_at_most": ("不超过", "at most "),
    "op_below": ("低于", "below "),
    "op_equals": ("等于", "equal to "),
    "answer_yes": ("是", "yes"),
    "answer_no": ("否", "no"),
    "gate_usage": (
        "用法：/gate <基础指标编号> <达标|未达标> [说明]，例：/gate G1 达标",
        "Usage: /gate <code> <met|not met> [note], e.g. /gate G1 达标 (or yes/no)",
    ),
    "gate_met": ("达标", "met"),
    "gate_not_met": ("未达标", "not met"),
    "history_usage": ("用法：/history <指标编号>", "Usage: /history <code>"),
    "history_empty": ("指标 {code} 还没有报送记录。", "No reports for {code} yet."),
    "history_header": ("{code} {name} 报送记录（最新在前）：", "Reports for {code} {name} (newest first):"),
    "superseded": ("（已被更正）", " (superseded)"),
    # scores and status
    "score_header": ("{plan}\n总分 {total} / {max}", "{plan}\nTotal {total} / {max}"),
    "bonus_line": ("附加分 {total} / {max}", "Bonus {total} / {max}"),
    "bonus_mark": ("（附加）", " (bonus)"),
    "not_reported_mark": ("（未报送）", " (not reported)"),
    "score_more": (
        "发送 /score <指标> 查看明细和补分办法。",
        "Send /score <code> for details and how to earn the rest.",
    ),
    "rule_line": ("规则：{text}", "Rule: {text}"),
    "evidence_line": ("佐证材料：{text}", "Evidence: {text}"),
    "evidence_due": ("（{date} 前报送）", " (due {date})"),
    "status_header": ("{plan}（{today}）", "{plan} ({today})"),
    "status_tasks": (
        "任务：{done}/{total} 完成，逾期 {overdue} 项，14 天内到期 {soon} 项",
        "Tasks: {done}/{total} done, {overdue} overdue, {soon} due within 14 days",
    ),
    "status_total": ("总分 {total} / {max}（{week}）", "Total {total} / {max} ({week})"),
    "status_gates": (
        "基础指标：{met}/{total} 达标，待确认 {open} 项",
        "Basic indicators: {met}/{total} met, {open} not yet assessed",
    ),
    "status_late_units": ("逾期单位（按逾期事项数）：", "Late units (by overdue items):"),
    "status_next_deadlines": ("即将到期：", "Next deadlines:"),
    "more_units": ("另有 {count} 个单位", "{count} more units"),
    "unit_status_header": ("{unit}（{today}）", "{unit} ({today})"),
    "unit_status_tasks": (
        "任务：{done}/{total} 完成，逾期 {overdue} 项",
        "Tasks: {done}/{total} done, {overdue} overdue",
    ),
    "unit_status_indicators": ("负责的指标：", "Indicators it is responsible for:"),
    "indicators_header": ("{plan} 指标（编号 名称 分值 责任单位）：", "{plan} indicators (code, name, max, units):"),
    "gates_header": ("基础指标（达标/不达标）：", "Basic indicators (pass/fail):"),
    "and_more_units": (" 等 {count} 个单位", " and others ({count} units)"),
}
MESSAGES.update(DIGEST_MESSAGES)
MESSAGES.update(REMINDER_MESSAGES)
MESSAGES.update(CLI_MESSAGES)
MESSAGES.update(FIGURE_MESSAGES)
MESSAGES.update(HELP_MESSAGES)
MESSAGES.update(VALUE_MESSAGES)
MESSAGES.update(EVIDENCE_MESSAGES)
MESSAGES.update(FILE_MESSAGES)
MESSAGES.update(LEDGER_MESSAGES)
MESSAGES.update(PAGE_MESSAGES)
MESSAGES.update(READING_MESSAGES)
MESSAGES.update(WEB_MESSAGES)


def translate(lang: str, key: str, **params: Any) -> str:
    """The message `key` in `lang` ('zh' or 'en'), with its parameters filled in."""
    zh, en = MESSAGES[key]
    template = en if lang == "en" else zh
    return template.format(**params) if params else template
