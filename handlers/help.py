"""/help: the commands this person may use, with examples taken from their own plan.

A liaison never sees /invite; a leader sees what there is to read; the office sees everything.
Examples use the active plan's codes, items and months (and, for a liaison, their own unit's
tasks and indicators), so every example can be sent as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from config.plan_schema import Indicator, PeriodicCheckRule, Plan, ValueSpec
from config.values import ValueType, plain
from handlers.context import Ctx
from handlers.types import Reply
from models.ownership import figure_owners
from models.plans import expand_units
from models.scoring import value_spec

ENTRY = ("start", "bind", "help", "lang")
LIAISON = ("tasks", "task", "progress", "report", "gate", "evidence", "score", "status", "indicators", "units",
           "history", "proposals", "digest", "web", "holiday", "remind", "plan", "lang", "help")
LEADER = ("status", "score", "tasks", "task", "indicators", "units", "history", "evidence", "export", "digest",
          "web", "holiday", "remind", "plan", "lang", "help")
ADMIN = ("status", "tasks", "task", "progress", "report", "gate", "evidence", "review", "export", "score",
         "indicators", "units", "history", "proposals", "accept", "reject", "answer", "resolve", "invite", "robot",
         "digest", "web", "holiday", "remind", "plan", "lang", "help")


ADMIN_FORMS = ("progress", "evidence", "holiday", "remind", "plan")
"""Commands whose admin form takes more than the read-only form others use."""


def commands_for(role: str | None) -> tuple[str, ...]:
    """The commands a role may use, in the order /help lists them."""
    return {"liaison": LIAISON, "leader": LEADER, "admin": ADMIN}.get(role or "", ENTRY)


def example_value(spec: ValueSpec, maximum: Decimal) -> str:
    """A figure of the right kind that the parser accepts for this spec."""
    examples = {
        ValueType.PERCENT: "100%" if spec.upper() is not None else "120%",
        ValueType.AMOUNT: "8" + (spec.unit or "元"),
        ValueType.COUNT: "20",
        ValueType.RANK: "15",
        ValueType.DAYS: "3",
        ValueType.YES_NO: "是",
        ValueType.POINTS: plain(maximum),
        ValueType.NUMBER: "1",
    }
    return examples[spec.type]


def _closed_month(indicator: Indicator, today: dt.date) -> str:
    assert indicator.periods is not None
    months = indicator.periods.months()
    current = f"{today.year:04d}-{today.month:02d}"
    past = [m for m in months if m < current]
    return past[-1] if past else months[0]


def report_example(indicator: Indicator, today: dt.date) -> str:
    """'/report 5 2022-03 合规率 100%' — a report line for this indicator that would be accepted."""
    parts = ["/report", indicator.code]
    if indicator.periods:
        parts.append(_closed_month(indicator, today))
    items = indicator.items()
    item = items[0] if items else None
    if item is not None:
        parts.append(item.name)
    rule = item.rule if item is not None else indicator.rule
    if isinstance(rule, PeriodicCheckRule):
        parts.append(str(getattr(rule.met, rule.met.op)))  # the figure that earns the month's points
    else:
        parts.append(example_value(value_spec(indicator, item), item.max if item else indicator.max))
    return " ".join(parts)


def _examples(ctx: Ctx, plan: Plan) -> dict[str, str]:
    """Codes to show in the examples: the speaker's own where they have any."""
    unit = ctx.unit.name if ctx.unit else None
    tasks = [t for t in plan.tasks if unit is None or unit in expand_units(plan, t.units + t.lead)]
    indicators = plan.indicators
    if unit is not None:
        indicators = [i for i in plan.indicators if unit in figure_owners(plan, i.code)] or [
            i for i in plan.indicators if unit in expand_units(plan, i.units + i.lead)
        ]
    indicators = indicators or plan.indicators
    plain_ones = [i for i in indicators if not i.periods and not i.items()]
    with_items = [i for i in indicators if i.periods or i.items()]
    reports = [report_example(i, ctx.today) for i in (plain_ones[:1] + with_items[:1])] or [
        report_example(plan.indicators[0], ctx.today)
    ]
    gates = [g for g in plan.gates if unit is None or unit in expand_units(plan, g.units + g.lead)] or plan.gates
    other_unit = next((u.name for u in plan.units if u.name != unit), plan.units[0].name)
    asked = [g.code for g in gates if g.evidence] + [i.code for i in indicators if i.evidence]
    return {
        "evidence": asked[0] if asked else indicators[0].code,
        "task": tasks[0].code if tasks else (plan.tasks[0].code if plan.tasks else "1"),
        "report": "　".join(reports),
        "indicator": indicators[0].code,
        "gate": gates[0].code if gates else "",
        "unit": unit or other_unit,
        "plan": plan.id,
    }


async def help_(ctx: Ctx, args: str) -> Reply:
    """Lists the commands this person may use, with examples from their plan."""
    role = ctx.member.role if ctx.member else None
    if ctx.plan is None or role is None:
        lines = [ctx.t("help_title")] + [ctx.t(f"help_{name}") for name in ENTRY]
        return Reply("\n".join(lines))
    examples = _examples(ctx, ctx.plan)
    names = [n for n in commands_for(role) if n != "gate" or ctx.plan.gates]
    lines = [ctx.t("help_title_plan", plan=ctx.plan.name, role=ctx.t(f"role_{role}"))]
    for name in names:
        admin_form = role == "admin" and name in ADMIN_FORMS
        lines.append(ctx.t(f"help_{name}_admin" if admin_form else f"help_{name}", **examples))
    lines.append(ctx.t("help_footer"))
    return Reply("\n".join(lines))
