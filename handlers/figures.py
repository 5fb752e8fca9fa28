"""Writing a figure: owners' figures count at once, others are proposals; corrections say whose.

Shared by /report and /gate. The rules, in order:
- a leader changes nothing; a liaison writes only for indicators their unit owns or is responsible
  for;
- a figure identical to the one that counts now is not a correction: nothing is written;
- the office and the figure's owners (`models.ownership`) write figures that count; replacing a
  figure someone else reported says whose it was and tells them;
- any other responsible unit's figure is a proposal: it waits for the office or an owner to accept
  it (`/accept`, `/reject`, or the buttons of the notice they receive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from handlers.context import Ctx
from handlers.render import person_label
from handlers.types import Reply, UserError
from models.notices import ADMINS, queue_notice, to_member, to_unit
from models.ownership import figure_owners
from models.people import unit_ids
from models.reports import current_report, is_responsible, record_report
from models.tables import IndicatorRow, Member, Report, UnitRow


@dataclass(frozen=True)
class Written:
    """What became of a figure: 'counted', 'proposed' or 'unchanged', and the reply so far."""

    kind: str
    reply: Reply


async def _who(ctx: Ctx, report: Report) -> tuple[str, Member | None]:
    """The person label of whoever sent a report, and their member row."""
    member = await ctx.session.get(Member, report.member_id) if report.member_id else None
    unit = await ctx.session.get(UnitRow, report.unit_id) if report.unit_id else None
    if member is None:
        return (unit.name if unit else ""), None
    return person_label(ctx, member.role, unit.name if unit else None, member.display_name, member.transport), member


async def write_figure(
    ctx: Ctx,
    *,
    row: IndicatorRow,
    period: str | None,
    item: str | None,
    value: Decimal,
    raw: str,
    note: str,
    label: str,
    shown: Callable[[Decimal], str],
) -> Written:
    """Record a figure by the rules above; `label` names the place ('5 “双公示”情况 2022-03 合规率')."""
    member = ctx.need_member()
    _, plan = ctx.need_active_plan()
    if member.role == "leader":
        raise UserError("leader_read_only")
    owners = figure_owners(plan, row.code, item)
    owner = member.role == "admin" or (ctx.unit is not None and ctx.unit.name in owners)
    if not owner and not await is_responsible(ctx.session, row.id or 0, member.unit_id):
        raise UserError("not_your_indicator", code=row.code)
    current = await current_report(ctx.session, row, period, item)
    if current is not None and Decimal(current.value) == value:
        who, _ = await _who(ctx, current)
        when = ctx.local(current.at).strftime("%Y-%m-%d %H:%M")
        return Written(
            "unchanged", Reply(ctx.t("report_unchanged", name=label, value=shown(value), who=who, when=when))
        )
    report = await record_report(
        ctx.session,
        indicator=row,
        period=period,
        item=item,
        value=value,
        raw=raw,
        unit_id=member.unit_id,
        member=member,
        now=ctx.now,
        transport=ctx.request.transport,
        chat_id=ctx.request.chat_id,
        message_id=ctx.request.message_id,
        note=note,
        proposed=not owner,
    )
    if not owner:
        return await _proposed(ctx, report, owners, label, shown, current)
    lines = [ctx.t("report_recorded", name=label, value=shown(value))]
    if current is not None:
        lines.append(await _correction(ctx, current, member, label, shown, value))
    return Written("counted", Reply("\n".join(lines)))


async def _correction(
    ctx: Ctx, current: Report, member: Member, label: str, shown: Callable[[Decimal], str], value: Decimal
) -> str:
    """The line that says which figure this one replaces; its sender is told when it was someone else."""
    who, previous = await _who(ctx, current)
    old = shown(Decimal(current.value))
    when = ctx.local(current.at).strftime("%Y-%m-%d %H:%M")
    if previous is None or previous.id == member.id:
        return ctx.t("report_supersedes", value=old)
    me = person_label(
        ctx, member.role, ctx.unit.name if ctx.unit else None, member.display_name, ctx.request.transport
    )
    await queue_notice(
        ctx.session,
        plan_id=member.plan_id,
        audience=[to_member(previous.id or 0)],
        key="notice_corrected",
        params={"name": label, "old": old, "new": shown(value), "when": when, "who": me},
        now=ctx.now,
        subject=label,
    )
    return ctx.t("report_replaces", value=old, who=who, when=when)


async def _proposed(
    ctx: Ctx,
    report: Report,
    owners: list[str],
    label: str,
    shown: Callable[[Decimal], str],
    current: Report | None,
) -> Written:
    """A proposal: say it waits for an owner, and tell the office and the owning units."""
    _, plan = ctx.need_plan()
    value = shown(Decimal(report.value))
    now_text = shown(Decimal(current.value)) if current is not None else ctx.t("no_figure_yet")
    sender = ctx.unit.name if ctx.unit else ""
    audience = [ADMINS] + [to_unit(u) for u in await unit_ids(ctx.session, plan.id, owners) if u != report.unit_id]
    await queue_notice(
        ctx.session,
        plan_id=plan.id,
        audience=audience,
        key="notice_proposal",
        params={"unit": sender, "name": label, "value": value, "current": now_text, "id": report.id},
        actions=[("btn_accept", f"/accept {report.id}"), ("btn_reject", f"/reject {report.id}")],
        now=ctx.now,
        subject=label,
    )
    text = ctx.t("report_proposed", name=label, value=value, id=report.id, owners="、".join(owners[:4]))
    return Written("proposed", Reply(text))
