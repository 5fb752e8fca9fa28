"""/help per role, calls for help, undo, units and plans: sentences in Chinese and English.

Merged into `config.i18n.MESSAGES`. Help lines take examples from the active plan as parameters
({task}, {report}, {indicator}, {gate}, {unit}, {plan}); a line may use any of them.
"""

from __future__ import annotations

HELP_MESSAGES: dict[str, tuple[str, str]] = {
    "help_title": ("督办 Duban —— 开始使用", "Duban — getting started"),
    "help_title_plan": (
        "督办 Duban —— {plan}\n您的身份：{role}。可用命令：",
        "Duban — {plan}\nYou are: {role}. Your commands:",
    ),
    "help_footer": (
        "直接回复提醒或发消息即可（如“3月份合规率100%，及时率99.5%”“已完成，下周报送台账”），"
        "督办会列出读到的数据和进展，点“确认”后记录；按钮下的数字或按钮可直接点选。",
        "Reply to a reminder or just write (“March compliance 100%”, “done, ledger next week”): Duban lists "
        "the figures and progress it read and records them when you tap Confirm; buttons can be pressed directly.",
    ),
    "help_start": ("/start —— 我是谁、绑定在哪个方案", "/start — who I am here and which plan I am bound to"),
    "help_bind": (
        "/bind <邀请码> —— 用办公室发的邀请码绑定为联络员、领导或管理员",
        "/bind <code> — bind yourself with an invite code from the office",
    ),
    "help_help": ("/help —— 本说明", "/help — this list"),
    "help_lang": ("/lang zh|en —— 切换语言（English）", "/lang zh|en — switch the language (中文)"),
    "help_tasks": (
        "/tasks [逾期|临期|已完成|未完成] —— 任务清单",
        "/tasks [overdue|soon|done|open] — the task list",
    ),
    "help_task": (
        "/task <任务编号> —— 任务详情，例：/task {task}",
        "/task <code> — one task in full, e.g. /task {task}",
    ),
    "help_progress": (
        "/progress <任务编号> <完成|进行中|受阻> [说明] —— 登记本单位进展，例：/progress {task} 进行中 已完成初稿",
        "/progress <code> <done|doing|blocked> [note] — record your unit's progress, e.g. /progress {task} doing draft ready",
    ),
    "help_progress_admin": (
        "/progress <任务编号> <完成|进行中|受阻> <单位> [说明] —— 代单位登记进展，例：/progress {task} 完成 {unit}",
        "/progress <code> <done|doing|blocked> <unit> [note] — record a unit's progress, e.g. /progress {task} done {unit}",
    ),
    "help_report": (
        "/report <指标> [月份] [分项] <数值> —— 报送数据，例：{report}",
        "/report <indicator> [month] [item] <value> — report a figure, e.g. {report}",
    ),
    "help_gate": (
        "/gate <基础指标> <达标|未达标> [说明] —— 基础指标是否达标，例：/gate {gate} 达标",
        "/gate <gate> <met|not met> [note] — whether a basic indicator is met, e.g. /gate {gate} 达标",
    ),
    "help_score": (
        "/score [指标] —— 各指标得分及如何补齐，例：/score {indicator}",
        "/score [indicator] — points and how to earn the rest, e.g. /score {indicator}",
    ),
    "help_status": (
        "/status [单位] —— 总分、本周变化、逾期与受阻事项，例：/status {unit}",
        "/status [unit] — total, this week's change, overdue and blocked items, e.g. /status {unit}",
    ),
    "help_indicators": ("/indicators —— 指标编号、名称、分值、责任单位", "/indicators — codes, names, points, units"),
    "help_units": ("/units [单位] —— 单位及单位组（含成员）", "/units [unit] — units and groups with their members"),
    "help_history": (
        "/history <指标> —— 报送记录（含更正和建议值），例：/history {indicator}",
        "/history <indicator> — every report, corrections and proposals included, e.g. /history {indicator}",
    ),
    "help_proposals": (
        "/proposals —— 待确认的建议值（非负责单位报送的数据）",
        "/proposals — proposed figures waiting for a decision",
    ),
    "help_accept": ("/accept <编号> —— 采纳建议值，计入得分", "/accept <number> — accept a proposed figure"),
    "help_reject": (
        "/reject <编号> [理由] —— 不采纳建议值，理由会告知报送单位",
        "/reject <number> [reason] — reject a proposed figure; the reason goes back to its unit",
    ),
    "help_answer": (
        "/answer <任务编号> <单位> <答复> —— 答复单位的求助（也可直接回复求助通知）",
        "/answer <task> <unit> <text> — answer a unit's call for help (or reply to the notice)",
    ),
    "help_resolve": (
        "/resolve <任务编号> <单位> —— 求助已协调解决，单位恢复为进行中",
        "/resolve <task> <unit> — the call for help is settled; the unit is back in progress",
    ),
    "help_invite": (
        "/invite <单位>|leader|admin —— 生成一次性邀请码，例：/invite {unit}",
        "/invite <unit>|leader|admin — a single-use invite code, e.g. /invite {unit}",
    ),
    "help_robot": (
        "/robot [<单位>|领导 <机器人地址>|解除 <单位>|领导] —— 查看、绑定或解除企业微信群机器人，例：/robot {unit} <机器人地址>",
        "/robot [<unit>|leaders <robot URL>|remove <unit>|leaders] — list, bind or remove WeCom group robots, e.g. /robot {unit} <robot URL>",
    ),
    "help_evidence": (
        "/evidence —— 本单位尚欠的佐证材料；发送文件时在说明中写 /evidence {evidence} [说明] 即提交；/evidence 撤回 <编号>",
        "/evidence — the evidence your unit still owes; send a file with /evidence {evidence} [note] as its caption to "
        "hand it in; /evidence withdraw <n>",
    ),
    "help_evidence_admin": (
        "/evidence [编号|单位] —— 佐证材料完整性；代单位提交：文件说明写 /evidence {evidence} <单位> [说明]",
        "/evidence [code|unit] — evidence completeness; to hand in for a unit: /evidence {evidence} <unit> [note] "
        "as a file's caption",
    ),
    "help_review": (
        "/review [编号 通过|退回 理由] —— 审核单位提交的佐证材料",
        "/review [n accept|reject reason] — review the evidence units handed in",
    ),
    "help_export": ("/export —— 导出台账（Excel 文件）", "/export — the ledger as an Excel workbook"),
    "help_digest": ("/digest —— 本周简报（附图表）", "/digest — this week's digest, with its chart"),
    "help_web": (
        "/web —— 督办看板的登录链接（在浏览器中查看全貌）；/web logout 退出",
        "/web — a sign-in link to the live page (the whole plan in a browser); /web logout signs out",
    ),
    "help_holiday": ("/holiday —— 查看办公室录入的节假日调整", "/holiday — the office's calendar corrections"),
    "help_holiday_admin": (
        "/holiday [add|workday|remove YYYY-MM-DD [说明]] —— 节假日和调休上班日",
        "/holiday [add|workday|remove YYYY-MM-DD [note]] — days off and make-up working days",
    ),
    "help_remind": ("/remind —— 查看提醒规则", "/remind — the reminder policy"),
    "help_remind_admin": (
        "/remind [before 7,3,1|time 09:00|escalate 3|nudges 3,5|quiet 21:00-08:00|digest 1 09:00] —— 查看或修改提醒规则",
        "/remind [before 7,3,1|time 09:00|escalate 3|nudges 3,5|quiet 21:00-08:00|digest 1 09:00] — show or change the policy",
    ),
    "help_plan": (
        "/plan [方案编号] —— 查看或切换方案，例：/plan {plan}",
        "/plan [id] — show or switch the plan, e.g. /plan {plan}",
    ),
    "help_plan_admin": (
        "/plan [方案编号|archive|unarchive] —— 查看、切换、归档或恢复方案",
        "/plan [id|archive|unarchive] — show, switch, archive or restore the plan",
    ),
    # tasks and calls for help
    "btn_undo": ("撤销", "Undo"),
    "btn_answer": ("答复", "Answer"),
    "btn_resolve": ("已解决", "Settled"),
    "blocked_sent": (
        "已通知办公室和领导，办公室答复后会转给您。",
        "The office and the leaders have been told; the office's answer will reach you here.",
    ),
    "no_note": ("（未写说明）", "(no note)"),
    "unit_not_on_task": ("{unit} 不是任务 {code} 的责任单位。", "{unit} is not responsible for task {code}."),
    "notice_blocked": (
        "【求助】{unit} 在任务 {code} {title} 上受阻：{note}\n办公室可点“答复”，或直接回复本消息答复该单位。",
        "[Help needed] {unit} is blocked on task {code} {title}: {note}\nThe office can press Answer, or reply to this message.",
    ),
    "notice_answer": (
        "【办公室答复】任务 {code} {title}：{text}\n回复本消息可继续登记进展。",
        "[Office answer] task {code} {title}: {text}\nReply to this message to record progress.",
    ),
    "notice_resolved": (
        "【求助已协调】任务 {code} {title}：{note}。您的状态已恢复为进行中，完成后请登记“完成”。",
        "[Settled] task {code} {title}: {note}. Your status is back to in progress; record done when finished.",
    ),
    "answer_usage": ("用法：/answer <任务编号> <单位> <答复内容>", "Usage: /answer <task> <unit> <text>"),
    "answer_need_text": (
        "请写下答复内容：/answer {code} {unit} <答复内容>，或直接回复那条求助通知。",
        "Write the answer: /answer {code} {unit} <text>, or reply to the notice itself.",
    ),
    "answer_sent": ("已将答复发给 {unit}（任务 {code}）。", "The answer has been sent to {unit} (task {code})."),
    "resolve_usage": ("用法：/resolve <任务编号> <单位> [说明]", "Usage: /resolve <task> <unit> [note]"),
    "not_blocked": (
        "{unit} 在任务 {code} 上没有受阻（当前：{status}）。",
        "{unit} is not blocked on task {code} (now: {status}).",
    ),
    "resolved_note": ("办公室已协调解决", "settled by the office"),
    "resolved": (
        "已标记解决：{unit}（任务 {code}）恢复为进行中，并已通知该单位。",
        "Settled: {unit} (task {code}) is back in progress and has been told.",
    ),
    "undo_usage": (
        "用法：/undo <编号>（点进展回复下的“撤销”按钮即可）",
        "Usage: /undo <number> (press Undo under a progress reply)",
    ),
    "undo_unknown": ("找不到可撤销的这条进展记录。", "There is no such progress record to undo."),
    "undo_too_late": (
        "这条进展之后已有新的登记，无法撤销；请直接用 /progress 登记正确状态。",
        "Progress was recorded after that one; use /progress to set the right status.",
    ),
    "undo_note": ("撤销第 {id} 条进展", "undo of progress {id}"),
    "undone": ("已撤销：状态由“{was}”恢复为“{status}”。", "Undone: the status is back from “{was}” to “{status}”."),
    "reply_empty": (
        "回复内容是空的。请写下进展，例如：“#2 已完成” 或 “#2 正在推进，预计下周完成”。",
        "The reply is empty. Write the progress, e.g. “#2 done” or “#2 in progress, due next week”.",
    ),
    # units
    "ambiguous_unit": (
        "“{unit}”可能是以下单位：{units}。请写全称。",
        "“{unit}” could be any of: {units}. Please write the full name.",
    ),
    "units_header": ("单位 {count} 个：", "{count} units:"),
    "aliases_word": ("又称", "also"),
    "group_line": ("单位组 {group}（{count} 个）：{units}", "Group {group} ({count}): {units}"),
    # plans
    "plan_archived": (
        "方案 {plan} 已归档，只能查看，不能报送或登记。",
        "Plan {plan} is archived: it can be read but accepts no reports or progress.",
    ),
    "plan_archived_mark": ("［已归档］", " [archived]"),
    "plan_already_archived": ("方案 {plan} 已经归档。", "Plan {plan} is already archived."),
    "plan_not_archived": ("方案 {plan} 没有归档。", "Plan {plan} is not archived."),
    "plan_archived_now": (
        "方案 {plan} 已归档：不再发送提醒和简报，也不再接受报送；仍可查看。/plan unarchive 可恢复。",
        "Plan {plan} is archived: no more reminders or digests, no reports; still readable. /plan unarchive restores it.",
    ),
    "plan_unarchived_now": ("方案 {plan} 已恢复，提醒将按计划发送。", "Plan {plan} is active again; reminders resume."),
    # binding
    "bind_would_replace": (
        "您在本方案中已是 {current}。邀请码 {code} 会把您改为 {new}。如确需更换，请点“确认更换”或发送：/bind {code} 确认",
        "You are already {current} in this plan. Code {code} would make you {new}. To switch, press Confirm or send: /bind {code} confirm",
    ),
    "btn_confirm_bind": ("确认更换", "Confirm"),
    "last_admin": (
        "您是本方案唯一的管理员，不能改为其他身份，否则办公室将无法管理方案。请先邀请另一位管理员。",
        "You are the plan's only admin; switching role would lock the office out. Invite another admin first.",
    ),
    # reminder policy errors
    "remind_err_quiet": (
        "{moment} 在免打扰时段 {start}–{end} 内，请选其他时间或先调整免打扰时段",
        "{moment} falls in the quiet hours {start}–{end}; pick another time or change the quiet hours",
    ),
    "remind_err_days": ("{field}须在 1 到 30 个工作日之间", "{field} must be between 1 and 30 working days"),
    "remind_err_min": ("{field}不能小于 {bound}", "{field} cannot be below {bound}"),
    "remind_err_max": ("{field}不能大于 {bound}", "{field} cannot be above {bound}"),
    "remind_err_other": ("{field}的取值无效", "{field} has an invalid value"),
    "policy_before": ("截止前提醒的工作日数", "working days before a deadline"),
    "policy_send_at": ("提醒时间", "reminder time"),
    "policy_escalate_from": ("通报领导的逾期工作日数", "overdue working day for escalation"),
    "policy_period_nudges": ("催报的工作日", "nudge working days"),
    "policy_quiet_start": ("免打扰开始时间", "quiet hours start"),
    "policy_quiet_end": ("免打扰结束时间", "quiet hours end"),
    "policy_digest_weekday": ("简报发送日（周几）", "digest weekday"),
    "policy_digest_at": ("简报发送时间", "digest time"),
}
