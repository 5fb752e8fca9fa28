"""The command router: one entry point for every transport.

`handle(services, request)` finds the command, opens one unit of work, resolves the plan and the
speaker, runs the command and returns its reply. A `UserError` rolls the unit of work back, so a
refused or malformed request changes nothing, and the reply says what was wrong. A unit of work that
wrote anything notifies `services.changes` once committed, so the reminder engine follows at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import (
    basic,
    digest,
    evidence,
    export,
    help,
    help_desk,
    proposals,
    reading,
    replies,
    reporting,
    review,
    robots,
    schedule,
    scores,
    tasks,
    units,
    web,
)
from handlers.context import Ctx, Services
from handlers.types import MAX_MESSAGE_CHARS, Reply, Request, UserError
from models.people import find_member, memberships, unblock_chat
from models.plans import get_plan
from models.tables import Identity, Member, UnitRow
from reminders.replies import reminder_for_message

log = logging.getLogger(__name__)
Command = Callable[[Ctx, str], Awaitable[Reply]]

# Registration in one place. Chinese aliases sit beside their command.
COMMANDS: dict[str, Command] = {
    "start": basic.start,
    "help": help.help_,
    "lang": basic.lang,
    "plan": basic.plan,
    "invite": basic.invite,
    "bind": basic.bind,
    "tasks": tasks.list_tasks_cmd,
    "task": tasks.task_cmd,
    "progress": tasks.progress,
    "undo": help_desk.undo,
    "answer": help_desk.answer,
    "resolve": help_desk.resolve,
    "report": reporting.report,
    "reports": reading.reports,
    "gate": reporting.gate,
    "history": reporting.history,
    "proposals": proposals.proposals,
    "accept": proposals.accept,
    "reject": proposals.reject,
    "score": scores.score,
    "status": scores.status,
    "indicators": scores.indicators,
    "units": units.units,
    "holiday": schedule.holiday,
    "remind": schedule.remind,
    "digest": digest.digest,
    "robot": robots.robot,
    "evidence": evidence.evidence,
    "review": review.review,
    "export": export.export,
    "web": web.web,
}


def split_command(text: str) -> tuple[str, str] | None:
    """'/report@duban_bot 3 0.45%' -> ('report', '3 0.45%'); None when it is not a command."""
    text = text.strip()
    if not text.startswith("/"):
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return name, rest.strip()


async def _resolve(ctx: Ctx) -> None:
    """Find the plan the message is about and who the speaker is in it.

    In a group, a person bound in their own right speaks as themselves; anyone else speaks with the
    role the group was bound to (everyone in the leaders' group reads like a leader).
    """
    request, session = ctx.request, ctx.session
    await unblock_chat(session, request.transport, request.chat_id)
    identities = [request.user_id] + ([request.group_id] if request.group else [])
    idents = [i for i in [await session.get(Identity, (request.transport, u)) for u in identities] if i is not None]
    if idents:
        ctx.lang = idents[0].lang
    plan_id = request.plan_id or next((i.current_plan for i in idents if i.current_plan), None)
    joined: list[Member] | None = None
    if plan_id is None:
        joined = [m for u in identities for m in await memberships(session, request.transport, u)]
        plan_id = joined[-1].plan_id if joined else None
    found = await get_plan(session, plan_id) if plan_id else None
    if found is None:
        return
    ctx.plan_row, ctx.plan = found
    for user_id in identities:
        if joined is not None:  # the memberships are read already: no need to ask again
            ctx.member = next((m for m in joined if m.plan_id == found[0].id and m.user_id == user_id), None)
        else:
            ctx.member = await find_member(session, found[0].id, request.transport, user_id)
        if ctx.member is not None:
            break
    if ctx.member is not None and ctx.member.unit_id is not None:
        ctx.unit = await session.get(UnitRow, ctx.member.unit_id)


async def handle(services: Services, request: Request) -> Reply:
    """Answer one message; a refusal rolls back everything the message started."""
    async with services.db.sessions() as session:
        ctx = Ctx(services=services, session=session, request=request, now=services.clock(), lang="zh")
        wrote = _Writes(session)
        try:
            async with session.begin():
                await _resolve(ctx)
                reply = await _dispatch(ctx, request.text)
        except UserError as error:
            return Reply(ctx.t(error.key, **error.params), buttons=error.buttons, ok=False)
    if wrote.seen:
        services.changes.notify()  # committed: the reminder engine re-plans and sends now
    return reply


class _Writes:
    """Whether a session wrote anything: a flush of added, changed or deleted objects, or an INSERT,
    UPDATE or DELETE statement. A request that only reads wakes nobody."""

    def __init__(self, session: AsyncSession) -> None:
        self.seen = False
        event.listen(session.sync_session, "after_flush", self._flushed)
        event.listen(session.sync_session, "do_orm_execute", self._executed)

    def _flushed(self, *_: Any) -> None:
        self.seen = True

    def _executed(self, state: Any) -> None:
        self.seen = self.seen or state.is_insert or state.is_update or state.is_delete


async def _dispatch(ctx: Ctx, text: str) -> Reply:
    if len(text) > MAX_MESSAGE_CHARS:
        raise UserError("too_long", limit=MAX_MESSAGE_CHARS)
    parsed = split_command(text)
    attachment = ctx.request.attachment
    if parsed is None and attachment is not None and ctx.request.reply_to:
        return await evidence.file_reply(ctx, attachment)
    if parsed is None and attachment is not None:
        return await evidence.file_alone(ctx, attachment)
    if parsed is None and ctx.request.reply_to:
        reminder = await reminder_for_message(
            ctx.session, ctx.request.transport, ctx.request.chat_id, ctx.request.reply_to
        )
        return await replies.reply_to_reminder(ctx, text, reminder)
    if parsed is None:
        return await reading.free_text(ctx, text)
    name, args = parsed
    command = COMMANDS.get(name)
    if command is None:
        raise UserError("unknown_command", name=name[:20])
    return await command(ctx, args)
