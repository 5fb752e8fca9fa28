"""`/review`: the office accepts or rejects evidence; the unit hears the outcome.

`/review` lists what waits; `/review <n>` shows one submission with its file and history;
`/review <n> 通过 [note]` accepts, `/review <n> 退回 <reason>` rejects (the reason is required: it goes
back to the unit, which owes the item again). A decision can be changed; every step is kept.
"""

from __future__ import annotations

import asyncio

from handlers.context import Ctx
from handlers.evidence import origin
from handlers.evidence_view import size_text
from handlers.types import Button, Document, Reply, UserError
from models.evidence import decide, events, get_submission, waiting_review
from models.notices import queue_notice, to_unit
from models.tables import Evidence, EvidenceFile, IndicatorRow, UnitRow

ACCEPT = ("通过", "同意", "接收", "accept", "ok")
REJECT = ("退回", "驳回", "不通过", "reject")
MAX_LISTED = 10
MAX_REASON = 300


async def review(ctx: Ctx, args: str) -> Reply:
    """`/review [n [通过|退回 reason]]`: the office's review of handed-in evidence."""
    ctx.need_admin()
    plan_row, _ = ctx.need_plan()
    words = args.split()
    if not words:
        return await _waiting(ctx, plan_row.id)
    if not words[0].lstrip("#").isdigit():
        raise UserError("review_usage")
    found = await get_submission(ctx.session, plan_row.id, int(words[0].lstrip("#")))
    if found is None or found[0].status == "unfiled":
        raise UserError("evidence_no_such", id=words[0][:12])
    row, stored = found
    if len(words) == 1:
        return await _show(ctx, row, stored)
    verb, note = words[1].lower(), " ".join(words[2:]).strip()
    if verb not in ACCEPT + REJECT:
        raise UserError("review_usage")
    ctx.need_active_plan()
    return await _decide(ctx, row, accept=verb in ACCEPT, note=note)


async def _waiting(ctx: Ctx, plan_id: str) -> Reply:
    rows = await waiting_review(ctx.session, plan_id)
    if not rows:
        return Reply(ctx.t("review_nothing"))
    lines = [ctx.t("review_head", count=len(rows))]
    for row in rows[:MAX_LISTED]:
        lines.append(await _line(ctx, row))
    buttons = [Button(f"#{r.id}", f"/review {r.id}") for r in rows[:MAX_LISTED]]
    return Reply("\n".join(lines), buttons=tuple(tuple(buttons[i : i + 5]) for i in range(0, len(buttons), 5)))


async def _names(ctx: Ctx, row: Evidence) -> tuple[str, str, str]:
    """The code, indicator name and unit name a submission is for."""
    indicator = await ctx.session.get(IndicatorRow, row.indicator_id or 0)
    unit = await ctx.session.get(UnitRow, row.unit_id or 0)
    return (indicator.code if indicator else "?", indicator.name if indicator else "", unit.name if unit else "—")


async def _line(ctx: Ctx, row: Evidence) -> str:
    code, name, unit = await _names(ctx, row)
    at = ctx.local(row.at).strftime("%m-%d %H:%M")
    return ctx.t("review_line", id=row.id, code=code, unit=unit, file=row.name, at=at)


async def _show(ctx: Ctx, row: Evidence, stored: EvidenceFile) -> Reply:
    """One submission: what, for which code and unit, its history, the file itself, and buttons."""
    code, name, unit = await _names(ctx, row)
    lines = [
        ctx.t("review_one", id=row.id, code=code, name=name, unit=unit, file=row.name, size=size_text(stored.size)),
        ctx.t("review_state", state=ctx.t(f"evidence_state_{row.status}")),
    ]
    if row.note:
        lines.append(ctx.t("review_note", note=row.note))
    for event in await events(ctx.session, row.id or 0):
        at = ctx.local(event.at).strftime("%Y-%m-%d %H:%M")
        lines.append(ctx.t("review_event", at=at, action=ctx.t(f"evidence_action_{event.action}"), note=event.note))
    data = await asyncio.to_thread(ctx.services.evidence.read, row.sha256, stored.ext)
    buttons = (
        Button(ctx.t("btn_evidence_accept"), f"/review {row.id} 通过"),
        Button(ctx.t("btn_evidence_reject"), f"/review {row.id} 退回"),
    )
    return Reply("\n".join(lines), buttons=(buttons,), document=Document(row.name, data))


async def _decide(ctx: Ctx, row: Evidence, *, accept: bool, note: str) -> Reply:
    """Accept or reject; the unit is told (with the reason), and a rejected item is owed again."""
    if row.status == "withdrawn":
        raise UserError("review_withdrawn", id=row.id)
    if not accept and not note:
        raise UserError("review_reason_needed", id=row.id)
    if len(note) > MAX_REASON:
        raise UserError("note_too_long", limit=MAX_REASON)
    wanted = "accepted" if accept else "rejected"
    if row.status == wanted:
        return Reply(ctx.t("review_already", id=row.id, state=ctx.t(f"evidence_state_{wanted}")))
    await decide(ctx.session, row, accept=accept, note=note, origin=origin(ctx), now=ctx.now)
    code, name, unit = await _names(ctx, row)
    params = {"id": row.id, "code": code, "name": name, "unit": unit, "file": row.name, "note": note or "—"}
    key = "notice_evidence_accepted" if accept else "notice_evidence_rejected"
    if row.unit_id is not None:
        await queue_notice(
            ctx.session,
            plan_id=row.plan_id,
            audience=[to_unit(row.unit_id)],
            key=key,
            params=params,
            now=ctx.now,
            subject=code,
        )
    return Reply(ctx.t("review_accepted" if accept else "review_rejected", **params))
