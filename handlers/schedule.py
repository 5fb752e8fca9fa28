"""The office's say over reminders: /holiday (calendar corrections) and /remind (the policy)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError

from handlers.context import Ctx
from handlers.types import Reply, UserError
from reminders.state import calendar_days, effective_policy, remove_calendar_day, set_calendar_day, set_policy

MAX_NOTE = 100
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def _date(word: str) -> dt.date:
    try:
        return dt.date.fromisoformat(word)
    except ValueError as error:
        raise UserError("bad_date", word=word[:20]) from error


async def holiday(ctx: Ctx, args: str) -> Reply:
    """Admin: /holiday [add|workday|remove YYYY-MM-DD [note]] — holidays and make-up working days."""
    plan_row, _ = ctx.need_plan()
    words = args.split()
    if not words:
        ctx.need_member()
        rows = await calendar_days(ctx.session, plan_row.id)
        if not rows:
            return Reply(ctx.t("holiday_none"))
        lines = [ctx.t("holiday_header")]
        lines += [
            f"  {r.day.isoformat()} {ctx.t('holiday_workday' if r.workday else 'holiday_off')} {r.note}".rstrip()
            for r in rows
        ]
        return Reply("\n".join(lines))
    member = ctx.need_admin()
    ctx.need_active_plan()
    if len(words) < 2 or words[0] not in ("add", "workday", "remove", "休", "班", "删除"):
        raise UserError("holiday_usage")
    day = _date(words[1])
    note = " ".join(words[2:])
    if len(note) > MAX_NOTE:
        raise UserError("note_too_long", limit=MAX_NOTE)
    if words[0] in ("remove", "删除"):
        if not await remove_calendar_day(
            ctx.session, plan_row.id, day, member_id=member.id, actor=ctx.actor, now=ctx.now
        ):
            raise UserError("holiday_not_set", day=day.isoformat())
        return Reply(ctx.t("holiday_removed", day=day.isoformat()))
    workday = words[0] in ("workday", "班")
    await set_calendar_day(
        ctx.session, plan_row.id, day, workday=workday, note=note, member_id=member.id, actor=ctx.actor, now=ctx.now
    )
    return Reply(ctx.t("holiday_set", day=day.isoformat(), what=ctx.t("holiday_workday" if workday else "holiday_off")))


def _numbers(word: str) -> list[int]:
    try:
        return [int(n) for n in re.split(r"[,，、]", word) if n]
    except ValueError as error:
        raise UserError("remind_usage") from error


def _time(word: str) -> str:
    match = _TIME.match(word)
    if not match:
        raise UserError("bad_time", word=word[:20])
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _changes(words: list[str]) -> dict[str, Any]:
    """'/remind before 7,3,1' and friends, as policy fields."""
    setting, value = words[0].lower(), words[1]
    if setting == "before":
        return {"before": _numbers(value)}
    if setting == "time":
        return {"send_at": _time(value)}
    if setting == "escalate":
        return {"escalate_from": _numbers(value)[0]}
    if setting == "nudges":
        return {"period_nudges": _numbers(value)}
    if setting == "quiet" and "-" in value:
        start, end = value.split("-", 1)
        return {"quiet_start": _time(start), "quiet_end": _time(end)}
    if setting == "digest" and len(words) == 3:
        return {"digest_weekday": _numbers(value)[0] - 1, "digest_at": _time(words[2])}
    raise UserError("remind_usage")


async def remind(ctx: Ctx, args: str) -> Reply:
    """Shows the reminder policy; admin changes it: /remind before 7,3,1 | time 09:00 | escalate 3 | ..."""
    _, plan = ctx.need_plan()
    words = args.split()
    if not words:
        ctx.need_member()
        return Reply(_describe(ctx, await effective_policy(ctx.session, plan)))
    member = ctx.need_admin()
    ctx.need_active_plan()
    if len(words) < 2:
        raise UserError("remind_usage")
    try:
        policy = await set_policy(ctx.session, plan, _changes(words), member_id=member.id, actor=ctx.actor, now=ctx.now)
    except ValidationError as error:
        raise UserError("remind_invalid", reason=_reason(ctx, error)) from error
    return Reply(ctx.t("remind_changed") + "\n" + _describe(ctx, policy))


def _reason(ctx: Ctx, error: ValidationError) -> str:
    """A policy validation error in the speaker's language (pydantic's own words are English)."""
    first = error.errors()[0]
    kind, found = first["type"], first.get("ctx") or {}
    field = str(first["loc"][0]) if first["loc"] else ""
    label = ctx.t(f"policy_{field}") if f"policy_{field}" in POLICY_FIELDS else field
    if kind == "quiet_hours":
        return ctx.t("remind_err_quiet", moment=found["moment"], start=found["start"], end=found["end"])
    if kind == "day_count":
        return ctx.t("remind_err_days", field=label)
    if kind in ("greater_than_equal", "greater_than"):
        return ctx.t("remind_err_min", field=label, bound=found.get("ge", found.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return ctx.t("remind_err_max", field=label, bound=found.get("le", found.get("lt")))
    return ctx.t("remind_err_other", field=label)


POLICY_FIELDS = {f"policy_{name}" for name in ("before", "send_at", "escalate_from", "period_nudges", "quiet_start",
                                                "quiet_end", "digest_weekday", "digest_at")}


def _describe(ctx: Ctx, policy: Any) -> str:
    return ctx.t(
        "remind_policy",
        before="、".join(str(n) for n in policy.before),
        time=policy.send_at.strftime("%H:%M"),
        escalate=policy.escalate_from,
        ask=policy.period_ask,
        nudges="、".join(str(n) for n in sorted(policy.period_nudges)),
        quiet=f"{policy.quiet_start:%H:%M}-{policy.quiet_end:%H:%M}",
        weekday=policy.digest_weekday + 1,
        digest=policy.digest_at.strftime("%H:%M"),
    )
