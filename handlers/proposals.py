"""/proposals, /accept and /reject: the office (or a figure's owner) decides on proposed figures."""

from __future__ import annotations

from decimal import Decimal

from config.values import format_value
from handlers.context import Ctx
from handlers.render import person_label, points_text
from handlers.types import Button, Reply, UserError
from models.notices import queue_notice, to_member
from models.ownership import figure_owners
from models.proposals import PROPOSED, ProposalView, decide, pending_proposals, proposal
from models.reports import current_report, indicator_rows, latest_observations, record_report, score_board
from models.scoring import find_item, value_spec
from models.tables import Member

MAX_LISTED = 20


def _shown(ctx: Ctx, view: ProposalView) -> str:
    """The proposed figure as a person writes it."""
    _, plan = ctx.need_plan()
    value = Decimal(view.report.value)
    indicator = next((i for i in plan.indicators if i.code == view.code), None)
    if indicator is None:
        return ctx.t("gate_met" if value else "gate_not_met")
    item = find_item(indicator, view.report.item) if view.report.item else None
    spec = value_spec(indicator, item)
    return format_value(value, spec.type, unit=spec.unit, lang=ctx.lang)


def _label(ctx: Ctx, view: ProposalView) -> str:
    place = "".join(f" {p}" for p in (view.report.period, view.report.item) if p)
    _, plan = ctx.need_plan()
    key = "label_gate" if any(g.code == view.code for g in plan.gates) else "label_indicator"
    return ctx.t(key, code=view.code, name=view.indicator_name + place)


def _may_decide(ctx: Ctx, view: ProposalView) -> Member:
    """The office decides on any proposal; a unit only on figures it owns."""
    member = ctx.need_member()
    if member.role == "admin":
        return member
    if member.role == "leader":
        raise UserError("leader_read_only")
    _, plan = ctx.need_plan()
    if ctx.unit is None or ctx.unit.name not in figure_owners(plan, view.code, view.report.item):
        raise UserError("not_your_figure", code=view.code)
    return member


async def _pending(ctx: Ctx, args: str) -> ProposalView:
    word = args.split()[0].lstrip("#") if args.split() else ""
    if not word.isdigit():
        raise UserError("decide_usage")
    plan_row, _ = ctx.need_active_plan()
    view = await proposal(ctx.session, plan_row.id, int(word))
    if view is None:
        raise UserError("no_such_proposal", id=word[:12])
    if view.report.status != PROPOSED:
        raise UserError("proposal_decided", id=view.report.id, state=ctx.t(f"proposal_{view.report.status}"))
    return view


async def proposals(ctx: Ctx, args: str) -> Reply:
    """Lists the figures proposed and still waiting for a decision, with buttons to decide."""
    member = ctx.need_member()
    plan_row, plan = ctx.need_plan()
    views = await pending_proposals(ctx.session, plan_row.id)
    if member.role == "liaison":
        mine = ctx.unit.name if ctx.unit else ""
        views = [
            v
            for v in views
            if mine in figure_owners(plan, v.code, v.report.item) or v.report.unit_id == member.unit_id
        ]
    if not views:
        return Reply(ctx.t("proposals_none"))
    lines = [ctx.t("proposals_header", count=len(views))]
    buttons: list[tuple[Button, ...]] = []
    for view in views[:MAX_LISTED]:
        when = ctx.local(view.report.at).strftime("%m-%d %H:%M")
        lines.append(
            ctx.t(
                "proposal_line", id=view.report.id, name=_label(ctx, view), value=_shown(ctx, view),
                unit=view.unit or "", when=when,
            )
        )
        if member.role == "admin" or (ctx.unit and ctx.unit.name in figure_owners(plan, view.code, view.report.item)):
            buttons.append(
                (
                    Button(ctx.t("btn_accept") + f" #{view.report.id}", f"/accept {view.report.id}"),
                    Button(ctx.t("btn_reject") + f" #{view.report.id}", f"/reject {view.report.id}"),
                )
            )
    return Reply("\n".join(lines), buttons=tuple(buttons[:6]))


async def accept(ctx: Ctx, args: str) -> Reply:
    """Accepts a proposed figure: it counts from now on, credited to the unit that sent it."""
    view = await _pending(ctx, args)
    member = _may_decide(ctx, view)
    _, plan = ctx.need_plan()
    report = view.report
    rows = await indicator_rows(ctx.session, plan.id)
    row = next(r for r in rows.values() if r.id == report.indicator_id)
    obs = await latest_observations(ctx.session, plan.id)
    before = score_board(plan, rows, obs)
    current = await current_report(ctx.session, row, report.period, report.item)
    await decide(ctx.session, report=report, accept=True, member=member, note="", now=ctx.now, actor=ctx.actor)
    if current is None or Decimal(current.value) != Decimal(report.value):
        assert view.who is not None
        await record_report(
            ctx.session,
            indicator=row,
            period=report.period,
            item=report.item,
            value=Decimal(report.value),
            raw=report.raw,
            unit_id=report.unit_id,
            member=view.who,
            now=ctx.now,
            transport=report.transport,
            chat_id=report.chat_id,
            message_id=report.message_id,
            note=report.note,
            source_report=report.id,
            by=(member, ctx.request.transport),
        )
        obs.setdefault(row.id or 0, {})[(report.period, report.item)] = Decimal(report.value)
    after = score_board(plan, rows, obs, like=before)
    me = person_label(ctx, member.role, ctx.unit.name if ctx.unit else None, member.display_name, member.transport)
    await _tell_sender(ctx, view, "notice_proposal_accepted", who=me, reason="")
    lines = [ctx.t("proposal_accepted_reply", id=report.id, name=_label(ctx, view), value=_shown(ctx, view))]
    was, now = before.get(view.code), after.get(view.code)
    if was is not None and now is not None:
        lines.append(
            ctx.t("report_points", before=points_text(was.points), after=points_text(now.points),
                  max=points_text(was.indicator.max))
        )
        lines.append(ctx.t("total_line", before=points_text(before.total), after=points_text(after.total)))
    return Reply("\n".join(lines))


async def reject(ctx: Ctx, args: str) -> Reply:
    """Rejects a proposed figure, with a reason that goes back to the unit that sent it."""
    view = await _pending(ctx, args)
    member = _may_decide(ctx, view)
    reason = " ".join(args.split()[1:])
    if len(reason) > 200:
        raise UserError("note_too_long", limit=200)
    await decide(
        ctx.session, report=view.report, accept=False, member=member, note=reason, now=ctx.now, actor=ctx.actor
    )
    me = person_label(ctx, member.role, ctx.unit.name if ctx.unit else None, member.display_name, member.transport)
    await _tell_sender(ctx, view, "notice_proposal_rejected", who=me, reason=reason or ctx.t("no_reason"))
    return Reply(ctx.t("proposal_rejected_reply", id=view.report.id, name=_label(ctx, view), value=_shown(ctx, view)))


async def _tell_sender(ctx: Ctx, view: ProposalView, key: str, *, who: str, reason: str) -> None:
    """The unit that proposed the figure hears what became of it."""
    if view.who is None or view.who.id is None:
        return
    await queue_notice(
        ctx.session,
        plan_id=view.report.plan_id,
        audience=[to_member(view.who.id)],
        key=key,
        params={"id": view.report.id, "name": _label(ctx, view), "value": _shown(ctx, view), "who": who,
                "reason": reason},
        now=ctx.now,
        subject=view.code,
    )
