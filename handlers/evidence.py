"""Evidence (佐证材料) in: a liaison sends a file for a code, the office is asked to review it.

`/evidence <code> [note]` with a file (a caption in Telegram, a path on the console) hands it in; a
file sent as a reply to an evidence reminder is for that reminder's code; a file sent alone is kept
aside and the sender picks its code from buttons. The file is checked before anything is kept: its
type is sniffed from the content (an .exe renamed .pdf is refused), its size is limited. The same
content for the same code and unit is recorded once. `/evidence` without a file shows what is owed
(handlers/evidence_view.py); `/evidence 撤回 <n>` withdraws a submission, keeping its history.
"""

from __future__ import annotations

import asyncio
import json

from handlers.context import Ctx
from handlers.evidence_view import overview, size_text, unit_cells
from handlers.types import Attachment, Button, Reply, UserError
from handlers.units import find_unit_word
from models.evidence import (
    Origin,
    decide,
    file_under,
    get_submission,
    keep_file,
    same_file,
    submit,
    unfiled_by,
    withdraw,
)
from models.evidence_store import content_hash
from models.file_types import FileType, by_ext, sniff
from models.notices import ADMINS, queue_notice
from models.reports import indicator_rows, is_responsible, responsibilities
from models.tables import Evidence, IndicatorRow, Member, UnitRow
from reminders.replies import reminder_for_message

MAX_NOTE = 300
FILE_TOKEN = "文件:"
"""Buttons name a file kept aside by the start of its hash: `/evidence 4.1 文件:1a2b3c4d5e6f`."""
WITHDRAW = ("撤回", "withdraw")
MAX_CODE_BUTTONS = 8


def origin(ctx: Ctx) -> Origin:
    """The speaker and the message, as recorded with a submission."""
    request = ctx.request
    member_id = ctx.member.id if ctx.member is not None else None
    return Origin(member_id, ctx.actor, request.transport, request.chat_id, request.message_id)


async def evidence(ctx: Ctx, args: str) -> Reply:
    """`/evidence`: hand in a file for a code, file a file kept aside, withdraw, or see what is owed."""
    words = args.split()
    attachment = ctx.request.attachment
    if attachment is not None:
        if not words:
            return await file_alone(ctx, attachment)
        return await _hand_in(ctx, attachment, words[0], words[1:])
    if words and words[0].lower() in WITHDRAW:
        return await _withdraw(ctx, words[1:])
    if len(words) >= 2 and any(w.startswith(FILE_TOKEN) for w in words[1:]):
        return await _file_kept(ctx, words)
    return await overview(ctx, args)


async def file_reply(ctx: Ctx, attachment: Attachment) -> Reply:
    """A file sent as a reply: to an evidence reminder it is for that reminder's code(s)."""
    request = ctx.request
    assert request.reply_to is not None
    reminder = await reminder_for_message(ctx.session, request.transport, request.chat_id, request.reply_to)
    codes: list[str] = []
    if reminder is not None and reminder.kind in ("evidence", "escalation"):
        codes = list(json.loads(reminder.detail).get("codes", []))
    if len(codes) == 1:
        return await _hand_in(ctx, attachment, codes[0], request.text.split())
    return await file_alone(ctx, attachment, among=codes)


async def file_alone(ctx: Ctx, attachment: Attachment, *, among: list[str] | None = None) -> Reply:
    """A file without a code: kept aside for its sender, who picks the code from buttons."""
    member = _submitter(ctx)
    _, plan = ctx.need_active_plan()
    kind = _checked(ctx, attachment)
    sha256 = await _store(ctx, attachment, kind)
    row = await submit(
        ctx.session,
        plan_id=plan.id,
        indicator_id=None,
        unit_id=member.unit_id,
        sha256=sha256,
        name=_name(attachment),
        note="",
        origin=origin(ctx),
        now=ctx.now,
    )
    token = f"{FILE_TOKEN}{sha256[:12]}"
    received = ctx.t("evidence_kept_aside", name=row.name, size=size_text(attachment.size), type=kind.label)
    if member.role == "admin":
        return Reply(received + "\n" + ctx.t("evidence_pick_admin", token=token))
    codes = among or await _codes_to_offer(ctx)
    buttons = [Button(code, f"/evidence {code} {token}") for code in codes[:MAX_CODE_BUTTONS]]
    rows = tuple(tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4))
    return Reply(received + "\n" + ctx.t("evidence_pick_code", token=token), buttons=rows)


async def _codes_to_offer(ctx: Ctx) -> list[str]:
    """The codes the speaker's unit is responsible for that ask for evidence (owed ones first)."""
    cells = await unit_cells(ctx, (ctx.unit.id or 0) if ctx.unit is not None else 0)
    owed = [c.code for c in cells if c.owed]
    return owed + [c.code for c in cells if not c.owed and c.code not in owed]


async def _hand_in(ctx: Ctx, attachment: Attachment, code: str, rest: list[str]) -> Reply:
    """Hand in `attachment` for `code` (the admin names the unit it is for)."""
    _submitter(ctx)
    _, plan = ctx.need_active_plan()
    indicator = await _indicator(ctx, code)
    unit, rest = await _unit_for(ctx, indicator, rest)
    note = _note(ctx, rest)
    kind = _checked(ctx, attachment)
    earlier = await same_file(
        ctx.session,
        plan_id=plan.id,
        indicator_id=indicator.id or 0,
        unit_id=unit.id or 0,
        sha256=content_hash(attachment.data),
    )
    if earlier is not None:
        return _already(ctx, earlier, indicator, unit)
    sha256 = await _store(ctx, attachment, kind)
    row = await submit(
        ctx.session,
        plan_id=plan.id,
        indicator_id=indicator.id,
        unit_id=unit.id,
        sha256=sha256,
        name=_name(attachment),
        note=note,
        origin=origin(ctx),
        now=ctx.now,
    )
    return await _submitted(ctx, row, indicator, unit, kind, attachment.size)


async def _file_kept(ctx: Ctx, words: list[str]) -> Reply:
    """`/evidence <code> [unit] file:<hash> [note]`: say which code a file kept aside is for."""
    member = _submitter(ctx)
    _, plan = ctx.need_active_plan()
    token = next(w for w in words[1:] if w.startswith(FILE_TOKEN))
    prefix = token[len(FILE_TOKEN) :].lower()
    row = await unfiled_by(ctx.session, plan.id, member.id or 0, prefix) if len(prefix) >= 8 else None
    if row is None:
        raise UserError("evidence_file_gone")
    indicator = await _indicator(ctx, words[0])
    unit, rest = await _unit_for(ctx, indicator, [w for w in words[1:] if w != token])
    note = _note(ctx, rest)
    earlier = await same_file(
        ctx.session, plan_id=plan.id, indicator_id=indicator.id or 0, unit_id=unit.id or 0, sha256=row.sha256
    )
    if earlier is not None:
        return _already(ctx, earlier, indicator, unit)
    await file_under(
        ctx.session,
        row,
        indicator_id=indicator.id or 0,
        unit_id=unit.id or 0,
        note=note,
        origin=origin(ctx),
        now=ctx.now,
    )
    found = await get_submission(ctx.session, plan.id, row.id or 0)
    assert found is not None
    return await _submitted(ctx, row, indicator, unit, by_ext(found[1].ext), found[1].size)


async def _submitted(
    ctx: Ctx, row: Evidence, indicator: IndicatorRow, unit: UnitRow, kind: FileType, size: int
) -> Reply:
    """Tell the sender what was recorded; the office is asked to review (the admin's own is accepted)."""
    params = {"id": row.id, "code": indicator.code, "name": indicator.name, "unit": unit.name, "file": row.name}
    details = ctx.t("evidence_file_line", size=size_text(size), type=kind.label)
    if ctx.is_admin:
        await decide(ctx.session, row, accept=True, note="", origin=origin(ctx), now=ctx.now)
        return Reply(ctx.t("evidence_recorded_accepted", **params) + details)
    await queue_notice(
        ctx.session,
        plan_id=row.plan_id,
        audience=[ADMINS],
        key="notice_evidence",
        params={**params, "size": size_text(size), "type": kind.label, "note": row.note or "—"},
        actions=[("btn_evidence_accept", f"/review {row.id} 通过"), ("btn_evidence_reject", f"/review {row.id} 退回")],
        now=ctx.now,
        subject=indicator.code,
        document={"evidence": row.id, "sha256": row.sha256, "ext": kind.ext, "name": row.name},
    )
    return Reply(ctx.t("evidence_recorded", **params) + details)


def _already(ctx: Ctx, earlier: Evidence, indicator: IndicatorRow, unit: UnitRow) -> Reply:
    """The same file was handed in before for this code and unit: nothing new is recorded."""
    state = ctx.t(f"evidence_state_{earlier.status}")
    return Reply(ctx.t("evidence_duplicate", id=earlier.id, code=indicator.code, unit=unit.name, state=state))


def _submitter(ctx: Ctx) -> Member:
    """Liaisons hand in for their unit, the office for any unit; leaders only read."""
    member = ctx.need_member()
    if member.role == "leader":
        raise UserError("leader_read_only")
    return member


def _checked(ctx: Ctx, attachment: Attachment) -> FileType:
    """The file's sniffed type, or a refusal (too large, empty, or a type evidence cannot be)."""
    limit = ctx.services.evidence.max_bytes
    if attachment.size > limit:
        raise UserError("evidence_too_large", size=size_text(attachment.size), limit=size_text(limit))
    if not attachment.data:
        raise UserError("evidence_empty")
    kind = sniff(attachment.data)
    if kind is None:
        raise UserError("evidence_bad_type", name=_name(attachment))
    return kind


async def _store(ctx: Ctx, attachment: Attachment, kind: FileType) -> str:
    """Keep the file's bytes (once, by hash) before the row that names it is written."""
    sha256 = await asyncio.to_thread(ctx.services.evidence.put, attachment.data, kind.ext)
    await keep_file(ctx.session, sha256=sha256, size=len(attachment.data), kind=kind, now=ctx.now)
    return sha256


def _name(attachment: Attachment) -> str:
    """The sender's file name for display: one line, no path, limited in length."""
    name = attachment.name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:120] or "file"


def _note(ctx: Ctx, words: list[str]) -> str:
    note = " ".join(words).strip()
    if len(note) > MAX_NOTE:
        raise UserError("note_too_long", limit=MAX_NOTE)
    return note


async def _indicator(ctx: Ctx, code: str) -> IndicatorRow:
    """The indicator or gate a code names (case of a gate's G ignored)."""
    plan_row, _ = ctx.need_plan()
    rows = await indicator_rows(ctx.session, plan_row.id)
    found = rows.get(code) or rows.get(code.upper())
    if found is None:
        raise UserError("evidence_unknown_code", code=code[:20])
    return found


async def _unit_for(ctx: Ctx, indicator: IndicatorRow, rest: list[str]) -> tuple[UnitRow, list[str]]:
    """The unit a file is for: the liaison's own; the office names it (or the code has one unit)."""
    if not ctx.is_admin:
        unit = ctx.unit
        if unit is None or not await is_responsible(ctx.session, indicator.id or 0, unit.id):
            raise UserError("evidence_not_yours", code=indicator.code, unit=unit.name if unit else "—")
        return unit, rest
    places = (await responsibilities(ctx.session, indicator.plan_id)).get(indicator.code, [])
    if rest:
        named = await find_unit_word(ctx, rest[0])
        if named is not None:
            if all(unit_id != named.id for unit_id, _ in places):
                raise UserError("evidence_not_yours", code=indicator.code, unit=named.name)
            return named, rest[1:]
    if len(places) == 1:
        unit = await ctx.session.get(UnitRow, places[0][0])
        assert unit is not None
        return unit, rest
    raise UserError("evidence_name_unit", code=indicator.code)


async def _withdraw(ctx: Ctx, words: list[str]) -> Reply:
    """`/evidence 撤回 <n> [note]`: the unit that sent it (or the office) takes it back."""
    member = _submitter(ctx)
    plan_row, _ = ctx.need_active_plan()
    if not words or not words[0].lstrip("#").isdigit():
        raise UserError("evidence_withdraw_usage")
    found = await get_submission(ctx.session, plan_row.id, int(words[0].lstrip("#")))
    if found is None:
        raise UserError("evidence_no_such", id=words[0][:12])
    row = found[0]
    if not ctx.is_admin and row.unit_id != member.unit_id:
        raise UserError("evidence_not_your_file", id=row.id)
    if row.status in ("withdrawn", "unfiled"):
        raise UserError("evidence_cannot_withdraw", id=row.id, state=ctx.t(f"evidence_state_{row.status}"))
    await withdraw(ctx.session, row, note=_note(ctx, words[1:]), origin=origin(ctx), now=ctx.now)
    return Reply(ctx.t("evidence_withdrawn", id=row.id, file=row.name))
