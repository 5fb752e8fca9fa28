"""The checks a schema cannot make: cross-references, sums, dates and time zones across a whole plan.

Each problem is a place in the document and its wording (`Problem`); the loader turns them into
`PlanError`s with lines and columns, in file order along with the schema's own errors.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.plan_errors import Loc, Params, problem
from config.plan_salvage import Salvage
from config.plan_schema import CODE_RE, Indicator, PeriodicCheckRule, Plan, SumRule

Problem = tuple[Loc, tuple[str, str, Params]]


def unit_names(plan: Plan) -> dict[str, str]:
    """Every name and alias of a unit or group, with the name it stands for."""
    entries = [(u.name, u.aliases) for u in plan.units] + [(g.name, g.aliases) for g in plan.groups]
    return {alias: name for name, aliases in entries for alias in (name, *aliases)}


def _alias_clashes(plan: Plan) -> list[Problem]:
    """A name or alias may stand for one unit or group only."""
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    entries: list[tuple[str, int, str, list[str]]] = [("units", i, u.name, u.aliases) for i, u in enumerate(plan.units)]
    entries += [("groups", i, g.name, g.aliases) for i, g in enumerate(plan.groups)]
    for field_name, index, name, aliases in entries:
        for alias in (name, *aliases):
            if owner.get(alias, name) != name:
                problems.append(
                    ((field_name, index, "aliases"), problem("cli_plan_alias_taken", alias=alias, owner=owner[alias]))
                )
            owner.setdefault(alias, name)
    return problems


def _scored_alias_clashes(plan: Plan) -> list[Problem]:
    """An alias of an indicator or gate names that one only: a reply that says it must point at one
    place. A clash with another's name is reported at the alias wherever it stands; two equal aliases
    at the later one, in file order (gates come first). Items may share names and aliases across
    indicators (合规率 in several 双公示-like ones): an item is looked for inside its indicator."""
    entries = [("gates", i, g.code, g.name, g.aliases) for i, g in enumerate(plan.gates)]
    entries += [("indicators", i, x.code, x.name, x.aliases) for i, x in enumerate(plan.indicators)]
    owner: dict[str, tuple[str, int, str, str]] = {}
    for field_name, index, code, name, _ in entries:
        owner.setdefault(name, (field_name, index, code, name))
    problems: list[Problem] = []
    for field_name, index, code, name, aliases in entries:
        for position, alias in enumerate(aliases):
            taken = owner.setdefault(alias, (field_name, index, code, name))
            if taken[:2] != (field_name, index):
                said = problem("cli_plan_scored_alias_taken", alias=alias, code=taken[2], owner=taken[3])
                problems.append(((field_name, index, "aliases", position), said))
    return problems


def _duplicates(values: list[str]) -> list[int]:
    seen: set[str] = set()
    dupes: list[int] = []
    for index, value in enumerate(values):
        if value in seen:
            dupes.append(index)
        seen.add(value)
    return dupes


def _group_cycles(plan: Plan) -> list[Problem]:
    """Groups may contain groups, but never themselves, directly or through another group."""
    canonical = {n: g.name for g in plan.groups for n in (g.name, *g.aliases)}
    members = {g.name: [canonical[m] for m in g.members if m in canonical] for g in plan.groups}
    problems: list[Problem] = []
    for index, group in enumerate(plan.groups):
        stack, seen = list(members[group.name]), set()
        while stack:
            name = stack.pop()
            if name == group.name:
                problems.append((("groups", index, "members"), problem("cli_plan_group_cycle", group=group.name)))
                break
            if name not in seen:
                seen.add(name)
                stack.extend(members[name])
    return problems


def unknown_units(loc: Loc, refs: list[str], names: set[str]) -> list[Problem]:
    """A problem for each reference in `refs` (the list at `loc`) that names no unit or group."""
    return [((*loc, i), problem("cli_plan_unknown_unit", name=ref)) for i, ref in enumerate(refs) if ref not in names]


def _refs(plan: Plan, also_known: set[str]) -> list[Problem]:
    names = set(unit_names(plan)) | also_known
    problems: list[Problem] = []

    def check(loc: Loc, refs: list[str]) -> None:
        problems.extend(unknown_units(loc, refs, names))

    for gi, group in enumerate(plan.groups):
        check(("groups", gi, "members"), group.members)
    for ti, task in enumerate(plan.tasks):
        check(("tasks", ti, "units"), task.units)
        check(("tasks", ti, "lead"), task.lead)
        for pi, part in enumerate(task.parts):
            check(("tasks", ti, "parts", pi, "units"), part.units)
    for ii, ind in enumerate(plan.indicators):
        check(("indicators", ii, "units"), ind.units)
        check(("indicators", ii, "lead"), ind.lead)
        check(("indicators", ii, "reporters"), ind.reporters or [])
        if isinstance(ind.rule, SumRule):
            for ti, entry in enumerate(ind.rule.items):
                if not isinstance(entry, str):
                    check(("indicators", ii, "rule", "items", ti, "reporters"), entry.reporters or [])
    for gi, gate in enumerate(plan.gates):
        check(("gates", gi, "units"), gate.units)
        check(("gates", gi, "lead"), gate.lead)
        check(("gates", gi, "reporters"), gate.reporters or [])
    for li, leader in enumerate(plan.leaders):
        if leader.unit is not None and leader.unit not in names:
            problems.append((("leaders", li, "unit"), problem("cli_plan_unknown_plain_unit", name=leader.unit)))
    if plan.office and plan.office.unit not in names:
        problems.append((("office", "unit"), problem("cli_plan_unknown_plain_unit", name=plan.office.unit)))
    return problems


def _indicator_problems(index: int, ind: Indicator) -> list[Problem]:
    loc: Loc = ("indicators", index)
    problems: list[Problem] = []
    if isinstance(ind.rule, SumRule):
        items = ind.items()
        names = [n for item in items for n in item.names()]
        for dup in _duplicates(names):
            problems.append(((*loc, "rule", "items"), problem("cli_plan_item_twice", name=names[dup])))
        total = sum((item.max for item in items), Decimal(0))
        if total < ind.max:
            problems.append(((*loc, "max"), problem("cli_plan_items_short", total=total, max=ind.max)))
        leaves = [item.rule for item in items]
    else:
        leaves = [ind.rule]
    periodic = [isinstance(rule, PeriodicCheckRule) for rule in leaves]
    if ind.periods is None and any(periodic):
        problems.append(((*loc, "rule"), problem("cli_plan_needs_periods")))
    if ind.periods is not None and not all(periodic):
        problems.append(((*loc, "periods"), problem("cli_plan_needs_periodic")))
    return problems


def _codes_and_duplicates(plan: Plan) -> list[Problem]:
    """Every code well formed, and no name or code defined twice (a gate and an indicator share codes)."""
    problems: list[Problem] = []
    named: list[tuple[str, int, str, str]] = [("units", i, "name", u.name) for i, u in enumerate(plan.units)]
    named += [("groups", i, "name", g.name) for i, g in enumerate(plan.groups)]
    coded = [("tasks", i, "code", t.code) for i, t in enumerate(plan.tasks)]
    scored = [("indicators", i, "code", x.code) for i, x in enumerate(plan.indicators)]
    scored += [("gates", i, "code", g.code) for i, g in enumerate(plan.gates)]
    for entries in (named, coded, scored):
        for dup in _duplicates([value for *_, value in entries]):
            field_name, index, key, value = entries[dup]
            problems.append(((field_name, index, key), problem("cli_plan_defined_twice", name=value)))
    for field_name, index, _, code in coded + scored:
        if not CODE_RE.match(code):
            problems.append(((field_name, index, "code"), problem("cli_plan_bad_code", code=code)))
    return problems


def _sums(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    for index, section in enumerate(plan.sections):
        members = [i for i in plan.indicators if i.section == section.code]
        total = sum((i.max for i in members), Decimal(0))
        if total != section.max:
            problems.append(
                (("sections", index, "max"), problem("cli_plan_sum_mismatch", total=total, max=section.max))
            )
    regular = sum((i.max for i in plan.indicators if not i.bonus), Decimal(0))
    bonus = sum((i.max for i in plan.indicators if i.bonus), Decimal(0))
    if regular != plan.max_points:
        problems.append((("max_points",), problem("cli_plan_sum_mismatch", total=regular, max=plan.max_points)))
    if bonus != plan.bonus_points:
        problems.append((("bonus_points",), problem("cli_plan_bonus_mismatch", total=bonus, max=plan.bonus_points)))
    return problems


def _dates(plan: Plan) -> list[Problem]:
    """Deadlines and phases fall within the plan's own dates; a reminder for 2023 in a 2022 plan is a typo."""
    if plan.end < plan.start:
        return [(("end",), problem("cli_plan_ends_before_start"))]
    span = {"start": plan.start, "end": plan.end}
    problems: list[Problem] = []
    for index, task in enumerate(plan.tasks):
        if task.deadline is not None and not plan.start <= task.deadline <= plan.end:
            problems.append(
                (("tasks", index, "deadline"), problem("cli_plan_deadline_outside", date=task.deadline, **span))
            )
    for index, phase in enumerate(plan.phases):
        if phase.end < phase.start:
            problems.append((("phases", index, "end"), problem("cli_plan_phase_backwards")))
        for key, day in (("start", phase.start), ("end", phase.end)):
            if not plan.start <= day <= plan.end:
                problems.append((("phases", index, key), problem("cli_plan_phase_outside", date=day, **span)))
    return problems


def semantic_problems(plan: Plan, salvage: Salvage | None = None) -> list[Problem]:
    """Every cross-reference, arithmetic and date problem in a structurally valid plan.

    With a `salvage` (a plan whose broken parts were left out), the checks that would only repeat
    or invent errors about the missing parts are skipped: sums when an indicator is missing, dates
    when the plan's own dates are broken, references to units that are there but misspelt inside.
    """
    whole = salvage.whole if salvage else set()
    partial = whole | (salvage.thinned if salvage else set())
    known = salvage.names if salvage else set()
    problems = _codes_and_duplicates(plan)
    if not {"units", "groups"} & whole:
        problems += _refs(plan, known)
    problems += _alias_clashes(plan)
    problems += _scored_alias_clashes(plan)
    problems += _group_cycles(plan)
    for index, ind in enumerate(plan.indicators):
        problems += _indicator_problems(index, ind)
    if "sections" not in whole:
        sections = {s.code for s in plan.sections} | known
        for index, ind in enumerate(plan.indicators):
            if ind.section is not None and ind.section not in sections:
                problems.append(
                    (("indicators", index, "section"), problem("cli_plan_unknown_section", code=ind.section))
                )
    if not {"indicators", "sections", "max_points", "bonus_points"} & partial:
        problems += _sums(plan)
    if not {"start", "end"} & whole:
        problems += _dates(plan)
    if "timezone" not in whole and not _known_zone(plan.timezone):
        problems.append((("timezone",), problem("cli_plan_bad_timezone", zone=plan.timezone)))
    return problems


def _known_zone(name: str) -> bool:
    """A time zone the system knows: every reminder is computed in it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
