"""Messages about evidence (佐证材料): handing files in, what is owed, the office's review."""

from __future__ import annotations

EVIDENCE_MESSAGES: dict[str, tuple[str, str]] = {
    # handing in
    "evidence_recorded": (
        "已登记佐证材料 #{id}：指标 {code} {name}，{unit}，文件“{file}”。已提交办公室审核。",
        "Evidence #{id} recorded: {code} {name}, {unit}, file “{file}”. Sent to the office for review.",
    ),
    "evidence_recorded_accepted": (
        "已登记佐证材料 #{id}：指标 {code} {name}，{unit}，文件“{file}”（办公室提交，直接通过）。",
        "Evidence #{id} recorded: {code} {name}, {unit}, file “{file}” (sent by the office: accepted).",
    ),
    "evidence_file_line": ("\n文件：{type}，{size}", "\nFile: {type}, {size}"),
    "evidence_duplicate": (
        "这个文件已作为指标 {code}（{unit}）的佐证材料 #{id} 提交过（{state}），没有重复登记。",
        "This file was already handed in for {code} ({unit}) as evidence #{id} ({state}); nothing new was recorded.",
    ),
    "evidence_kept_aside": (
        "已收到文件“{name}”（{type}，{size}）。",
        "Received the file “{name}” ({type}, {size}).",
    ),
    "evidence_pick_code": (
        "请选择它是哪一项的佐证材料（或发送 /evidence <编号> {token} [说明]）：",
        "Which item is it evidence for? Pick one (or send /evidence <code> {token} [note]):",
    ),
    "evidence_pick_admin": (
        "请说明它是哪个单位、哪一项的佐证材料：/evidence <编号> <单位> {token} [说明]",
        "Say which unit and item it is evidence for: /evidence <code> <unit> {token} [note]",
    ),
    "evidence_file_gone": (
        "找不到您刚才发送的这个文件（可能已登记过）。请重新发送文件，并在说明中写 /evidence <编号>。",
        "That file cannot be found (it may have been filed already). Send it again with /evidence <code> as its caption.",
    ),
    "evidence_too_large": (
        "文件太大（{size}），佐证材料每个文件不能超过 {limit}。请压缩或拆分后再发送，本次没有保存。",
        "The file is too large ({size}); an evidence file may be at most {limit}. Compress or split it; nothing was kept.",
    ),
    "evidence_empty": ("文件是空的，没有保存。", "The file is empty; nothing was kept."),
    "evidence_bad_type": (
        "“{name}”不是可接受的佐证材料格式（按文件内容判断，不看文件名），没有保存。"
        "可接受：PDF、OFD、图片（JPG、PNG、GIF、BMP、TIFF、WebP、HEIC）、Word、Excel、PowerPoint、WPS 文档和 ZIP 压缩包。",
        "“{name}” is not an accepted evidence format (judged by its content, not its name); nothing was kept. "
        "Accepted: PDF, OFD, images (JPG, PNG, GIF, BMP, TIFF, WebP, HEIC), Word, Excel, PowerPoint, WPS documents "
        "and ZIP archives.",
    ),
    "evidence_unknown_code": (
        "没有编号为“{code}”的指标或基础指标。可用 /evidence 查看需要提交的项目。",
        "There is no indicator or gate “{code}”. /evidence lists what is to be handed in.",
    ),
    "evidence_not_yours": (
        "{unit}不是指标 {code} 的责任单位，不能为它提交佐证材料。",
        "{unit} is not responsible for {code} and cannot hand in evidence for it.",
    ),
    "evidence_name_unit": (
        "指标 {code} 有多个责任单位，请写明是哪个单位的材料：/evidence {code} <单位> [说明]",
        "{code} has several responsible units; name the unit: /evidence {code} <unit> [note]",
    ),
    "evidence_withdraw_usage": ("用法：/evidence 撤回 <材料编号> [说明]", "Usage: /evidence withdraw <number> [note]"),
    "evidence_no_such": ("没有编号为 {id} 的佐证材料。", "There is no evidence number {id}."),
    "evidence_not_your_file": (
        "佐证材料 #{id} 不是本单位提交的，不能撤回。",
        "Evidence #{id} was not handed in by your unit; you cannot withdraw it.",
    ),
    "evidence_cannot_withdraw": (
        "佐证材料 #{id} 当前状态为“{state}”，不能撤回。",
        "Evidence #{id} is {state} and cannot be withdrawn.",
    ),
    "evidence_withdrawn": (
        "已撤回佐证材料 #{id}（“{file}”）。记录仍保留，此项如无其他材料将重新列为待提交。",
        "Evidence #{id} (“{file}”) withdrawn. Its record is kept; the item is owed again unless other files cover it.",
    ),
    "evidence_other_unit": (
        "联络员只能查看本单位的佐证材料。",
        "A liaison can only see their own unit's evidence.",
    ),
    # what is owed
    "evidence_none_required": ("《{plan}》没有规定需要提交的佐证材料。", "{plan} asks for no evidence."),
    "evidence_code_not_required": ("指标 {code} 没有佐证材料要求。", "{code} asks for no evidence."),
    "evidence_how_to_send": (
        "提交方法：发送文件，并在说明中写 /evidence <编号> [说明]；或直接回复佐证材料提醒发送文件。",
        "To hand in: send the file with /evidence <code> [note] as its caption, or send it as a reply to an "
        "evidence reminder.",
    ),
    "evidence_no_due": ("未规定截止日期", "no due date"),
    "evidence_due_on": ("截止 {due}", "due {due}"),
    "evidence_overdue": ("已逾期 {days} 天，截止 {due}", "{days} day(s) overdue, due {due}"),
    "evidence_unit_head": (
        "【佐证材料】{unit}：共 {total} 项，尚欠 {owed} 项。",
        "[Evidence] {unit}: {total} item(s), {owed} still owed.",
    ),
    "evidence_owed_line": ("• {code} {name}（{due}）", "• {code} {name} ({due})"),
    "evidence_requirement": ("  要求：{text}", "  Required: {text}"),
    "evidence_rejected_reason": ("  已退回，理由：{reason}", "  Rejected: {reason}"),
    "evidence_unit_pending": ("已提交、待审核 {count} 项{codes}", "Waiting for review: {count} {codes}"),
    "evidence_unit_accepted": ("已通过 {count} 项{codes}", "Accepted: {count} {codes}"),
    "evidence_codes_suffix": ("：{codes}", ": {codes}"),
    "evidence_cell_files": ("  {code}：{files}", "  {code}: {files}"),
    "evidence_file_ref": ("#{id}“{name}”", "#{id} “{name}”"),
    "evidence_file_state": ("（{state}）", " ({state})"),
    "evidence_nothing_owed": ("没有尚欠的佐证材料。", "Nothing is owed."),
    "evidence_code_head": ("【佐证材料】{code} {name}（{due}）", "[Evidence] {code} {name} ({due})"),
    "evidence_code_unit": ("  {unit}：{state}", "  {unit}: {state}"),
    "evidence_table_head": (
        "【佐证材料完整性】{plan}\n应交 {total} 项（指标×责任单位）：已通过 {accepted}，待审核 {pending}，"
        "已退回 {rejected}，缺 {missing}。",
        "[Evidence completeness] {plan}\n{total} item(s) (code × responsible unit): {accepted} accepted, "
        "{pending} waiting for review, {rejected} rejected, {missing} missing.",
    ),
    "evidence_table_line": (
        "{code} {name}（{due}）：通过 {accepted}/{total}，待审 {pending}，退回 {rejected}，缺 {missing}",
        "{code} {name} ({due}): {accepted}/{total} accepted, {pending} waiting, {rejected} rejected, "
        "{missing} missing",
    ),
    "evidence_table_missing": ("\n  未交：{units}", "\n  Not handed in: {units}"),
    "evidence_table_review": (
        "待审核的文件 {count} 份：发送 /review 逐一审核。",
        "{count} file(s) wait for review: /review.",
    ),
    "evidence_state_missing": ("未提交", "missing"),
    "evidence_state_pending": ("待审核", "waiting for review"),
    "evidence_state_accepted": ("已通过", "accepted"),
    "evidence_state_rejected": ("已退回", "rejected"),
    "evidence_state_withdrawn": ("已撤回", "withdrawn"),
    "evidence_state_unfiled": ("未归类", "not filed"),
    "evidence_action_received": ("收到文件", "file received"),
    "evidence_action_submitted": ("提交", "handed in"),
    "evidence_action_accepted": ("审核通过", "accepted"),
    "evidence_action_rejected": ("退回", "rejected"),
    "evidence_action_withdrawn": ("撤回", "withdrawn"),
    "status_evidence": (
        "佐证材料：应交 {total} 项，已通过 {accepted}，待审核 {pending}，已退回 {rejected}，缺 {missing}（/evidence 查看）",
        "Evidence: {total} item(s), {accepted} accepted, {pending} waiting for review, {rejected} rejected, "
        "{missing} missing (/evidence)",
    ),
    # review
    "review_usage": (
        "用法：/review 查看待审核材料；/review <编号> 查看一份；/review <编号> 通过 [说明]；/review <编号> 退回 <理由>",
        "Usage: /review lists what waits; /review <n> shows one; /review <n> accept [note]; /review <n> reject <reason>",
    ),
    "review_nothing": ("没有待审核的佐证材料。", "No evidence waits for review."),
    "review_head": ("待审核的佐证材料 {count} 份：", "{count} evidence file(s) wait for review:"),
    "review_line": ("#{id} {code} {unit}：“{file}”（{at}）", "#{id} {code} {unit}: “{file}” ({at})"),
    "review_one": (
        "佐证材料 #{id}：指标 {code} {name}\n单位：{unit}\n文件：“{file}”（{size}）",
        "Evidence #{id}: {code} {name}\nUnit: {unit}\nFile: “{file}” ({size})",
    ),
    "review_state": ("状态：{state}", "State: {state}"),
    "review_note": ("说明：{note}", "Note: {note}"),
    "review_event": ("  {at} {action} {note}", "  {at} {action} {note}"),
    "review_withdrawn": ("佐证材料 #{id} 已被撤回，不能审核。", "Evidence #{id} was withdrawn and cannot be reviewed."),
    "review_reason_needed": (
        "退回需要写明理由，单位会收到它：/review {id} 退回 <理由>",
        "A rejection needs a reason, which the unit will read: /review {id} reject <reason>",
    ),
    "review_already": ("佐证材料 #{id} 已是“{state}”。", "Evidence #{id} is already {state}."),
    "review_accepted": (
        "已通过佐证材料 #{id}（{code} {unit}“{file}”），已通知该单位。",
        "Evidence #{id} accepted ({code} {unit} “{file}”); the unit has been told.",
    ),
    "review_rejected": (
        "已退回佐证材料 #{id}（{code} {unit}“{file}”），理由已通知该单位，此项重新列为待提交。",
        "Evidence #{id} rejected ({code} {unit} “{file}”); the unit has the reason and owes the item again.",
    ),
    "btn_evidence_accept": ("通过", "Accept"),
    "btn_evidence_reject": ("退回", "Reject"),
    # notices
    "notice_evidence": (
        "【佐证材料待审核】#{id} {unit} 提交了指标 {code} {name} 的佐证材料“{file}”（{type}，{size}）。说明：{note}",
        "[Evidence to review] #{id} {unit} handed in “{file}” ({type}, {size}) for {code} {name}. Note: {note}",
    ),
    "notice_evidence_accepted": (
        "【佐证材料通过】指标 {code} {name} 的佐证材料“{file}”（#{id}）已通过审核。{note}",
        "[Evidence accepted] “{file}” (#{id}) for {code} {name} was accepted. {note}",
    ),
    "notice_evidence_rejected": (
        "【佐证材料退回】指标 {code} {name} 的佐证材料“{file}”（#{id}）被退回，理由：{note}。请补充后重新提交。",
        "[Evidence rejected] “{file}” (#{id}) for {code} {name} was rejected: {note}. Please hand it in again.",
    ),
}
