"""Who owns a figure: responsibility for the *work* is not ownership of the *figure*.

Dingtao indicator 1 names all 55 member units of the leadership group as responsible, yet the
rank it scores is one city-wide figure read off a national platform. If every responsible unit
could overwrite it, one careless liaison could wipe out twenty points. So each indicator (and
item, and gate) has reporters: the units whose figure counts at once. Anyone else responsible may
still send a figure, but it is a proposal that counts only once an owner accepts it.

Defaults, when the plan file names no `reporters:`:
- the office always owns every figure (it administers the plan);
- a figure read off a platform ("省平台获取", "全国…平台获取", "…数据服务中心获取") with no self-report
  ("自报") belongs to the office alone: units cannot know it better than the platform;
- points the assessor awards ("酌情计分", rule kind `assessed`) belong to the office alone: a unit
  does not score its own work;
- otherwise the lead unit(s) own it; with no lead named, every responsible unit does.
"""

from __future__ import annotations

import re

from config.plan_schema import AssessedRule, Gate, Indicator, Plan
from models.plans import expand_units

_PLATFORM = re.compile(r"平台获取|中心获取|平台获得")
_SELF_REPORTED = re.compile(r"自报")


def platform_only(source: str | None) -> bool:
    """Whether a data source is a platform the office reads, with no self-reported part."""
    return bool(source and _PLATFORM.search(source) and not _SELF_REPORTED.search(source))


def office_unit(plan: Plan) -> str | None:
    """The unit that hosts the plan's office, if the plan names one."""
    return plan.office.unit if plan.office else None


def figure_owners(plan: Plan, code: str, item: str | None = None) -> list[str]:
    """Unit names whose report for this code (and item) counts without anyone's acceptance."""
    target: Indicator | Gate | None = next((i for i in plan.indicators if i.code == code), None)
    if target is None:
        target = next((g for g in plan.gates if g.code == code), None)
    if target is None:
        return []
    names = _explicit(target, item)
    if names is None:
        if isinstance(target, Indicator) and (platform_only(target.source) or _assessed(target, item)):
            names = []
        else:
            names = target.lead or target.units
    owners = expand_units(plan, names)
    office = office_unit(plan)
    if office is not None:
        office_units = expand_units(plan, [office])
        owners += [u for u in office_units if u not in owners]
    return owners


def _assessed(indicator: Indicator, item: str | None) -> bool:
    """Whether the figure is points the assessor awards (the item's rule, or the indicator's)."""
    if item is not None:
        found = next((i for i in indicator.items() if i.name == item), None)
        if found is not None:
            return isinstance(found.rule, AssessedRule)
    return isinstance(indicator.rule, AssessedRule)


def _explicit(target: Indicator | Gate, item: str | None) -> list[str] | None:
    """The plan file's own `reporters:` for the item, else for the indicator; None when unset."""
    if isinstance(target, Indicator) and item is not None:
        found = next((i for i in target.items() if i.name == item), None)
        if found is not None and found.reporters is not None:
            return found.reporters
    return target.reporters
