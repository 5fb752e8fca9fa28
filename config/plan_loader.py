"""Reading plan files: YAML in, a checked `Plan` out, and every error named by its place.

Errors carry the path inside the document (`indicators[3].rule.zero_at`) and the line and column
where that node starts, so an office editing a plan in a text editor can go straight to it.
Numbers in YAML are read as Decimal, never float, so 0.2 points stays 0.2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.plan_schema import CODE_RE, Indicator, PeriodicCheckRule, Plan, SumRule

PLANS_DIR = Path(__file__).parent / "plans"
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class PlanError:
    """One problem in a plan file, with where it is."""

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.line else "document"
        return f"{where}: {self.path or '<root>'}: {self.message}"


class PlanFileError(Exception):
    """A plan file that cannot be used; `errors` lists every problem found."""

    def __init__(self, source: str, errors: list[PlanError]) -> None:
        super().__init__(f"{source}: {len(errors)} error(s)\n" + "\n".join(f"  {e}" for e in errors))
        self.source = source
        self.errors = errors


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader whose floats are Decimals (exact points) and whose dates stay dates."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def _marks(node: yaml.Node, path: Loc, out: dict[Loc, yaml.Mark]) -> None:
    """Record the start of every node by its path, for error messages."""
    out[path] = node.start_mark
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, str(key.value))] = key.start_mark
            _marks(value, (*path, str(key.value)), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _marks(value, (*path, index), out)


def _format_path(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _data_loc(loc: Loc, data: Any) -> Loc:
    """Drop the parts of a pydantic location that are not in the document (union tags)."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            out.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            out.append(part)
    return tuple(out)


def _error(loc: Loc, message: str, marks: dict[Loc, yaml.Mark]) -> PlanError:
    probe = loc
    while probe not in marks and probe:
        probe = probe[:-1]
    mark = marks.get(probe)
    return PlanError(
        path=_format_path(loc),
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        message=message,
    )


def parse_plan_text(text: str, source: str = "<plan>") -> Plan:
    """Parse and check a plan document; raise PlanFileError naming every problem."""
    try:
        node = yaml.compose(text, Loader=_DecimalLoader)
        data = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise PlanFileError(source, [PlanError("", line, column, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict) or node is None:
        raise PlanFileError(source, [PlanError("", 1, 1, "a plan file is a mapping (id:, name:, units:, …)")])
    marks: dict[Loc, yaml.Mark] = {}
    _marks(node, (), marks)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        errors = [_error(_data_loc(tuple(e["loc"]), data), e["msg"], marks) for e in exc.errors()]
        raise PlanFileError(source, errors) from exc
    problems = [_error(loc, msg, marks) for loc, msg in semantic_problems(plan)]
    if problems:
        raise PlanFileError(source, problems)
    return plan


def load_plan_file(path: Path) -> Plan:
    """Read a plan file from disk."""
    return parse_plan_text(path.read_text(encoding="utf-8"), source=str(path))


def shipped_plan_paths() -> dict[str, Path]:
    """The plan files that ship with Duban, by id (the file name without .yaml)."""
    return {p.stem: p for p in sorted(PLANS_DIR.glob("*.yaml"))}


def resolve_plan_source(name: str) -> Path:
    """A path to a plan file, given a path or the id of a shipped plan."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = shipped_plan_paths()
    if name in shipped:
        return shipped[name]
    raise FileNotFoundError(f"no plan file or shipped plan named {name!r} (shipped: {', '.join(shipped)})")


# --- cross-reference checks -------------------------------------------------------------------


def _unit_names(plan: Plan) -> dict[str, str]:
    entries = [(u.name, u.aliases) for u in plan.units] + [(g.name, g.aliases) for g in plan.groups]
    return {alias: name for name, aliases in entries for alias in (name, *aliases)}


def _alias_clashes(plan: Plan) -> list[tuple[Loc, str]]:
    """A name or alias may stand for one unit or group only."""
    owner: dict[str, str] = {}
    problems: list[tuple[Loc, str]] = []
    entries: list[tuple[str, int, str, list[str]]] = [("units", i, u.name, u.aliases) for i, u in enumerate(plan.units)]
    entries += [("groups", i, g.name, g.aliases) for i, g in enumerate(plan.groups)]
    for field, index, name, aliases in entries:
        for alias in (name, *aliases):
            if owner.get(alias, name) != name:
                problems.append(((field, index, "aliases"), f"{alias!r} already names {owner[alias]!r}"))
            owner.setdefault(alias, name)
    return problems


def _duplicates(values: list[str]) -> list[int]:
    seen: set[str] = set()
    dupes: list[int] = []
    for index, value in enumerate(values):
        if value in seen:
            dupes.append(index)
        seen.add(value)
    return dupes


def _group_cycles(plan: Plan) -> list[tuple[Loc, str]]:
    """Groups may contain groups, but never themselves, directly or through another group."""
    canonical = {n: g.name for g in plan.groups for n in (g.name, *g.aliases)}
    members = {g.name: [canonical[m] for m in g.members if m in canonical] for g in plan.groups}
    problems: list[tuple[Loc, str]] = []
    for index, group in enumerate(plan.groups):
        stack, seen = list(members[group.name]), set()
        while stack:
            name = stack.pop()
            if name == group.name:
                problems.append((("groups", index, "members"), f"group {group.name} contains itself"))
                break
            if name not in seen:
                seen.add(name)
                stack.extend(members[name])
    return problems


def _refs(plan: Plan) -> list[tuple[Loc, str]]:
    names = _unit_names(plan)
    problems: list[tuple[Loc, str]] = []

    def check(loc: Loc, refs: list[str]) -> None:
        for i, ref in enumerate(refs):
            if ref not in names:
                problems.append(((*loc, i), f"unknown unit or group {ref!r}"))

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
    for gi, gate in enumerate(plan.gates):
        check(("gates", gi, "units"), gate.units)
        check(("gates", gi, "lead"), gate.lead)
    for li, leader in enumerate(plan.leaders):
        if leader.unit is not None and leader.unit not in names:
            problems.append((("leaders", li, "unit"), f"unknown unit {leader.unit!r}"))
    if plan.office and plan.office.unit not in names:
        problems.append((("office", "unit"), f"unknown unit {plan.office.unit!r}"))
    return problems


def _indicator_problems(index: int, ind: Indicator) -> list[tuple[Loc, str]]:
    loc: Loc = ("indicators", index)
    problems: list[tuple[Loc, str]] = []
    if isinstance(ind.rule, SumRule):
        items = ind.items()
        names = [n for item in items for n in item.names()]
        for dup in _duplicates(names):
            problems.append(((*loc, "rule", "items"), f"item name {names[dup]!r} is used twice"))
        total = sum((item.max for item in items), Decimal(0))
        if total < ind.max:
            problems.append(((*loc, "max"), f"items add up to {total}, less than the maximum {ind.max}"))
        leaves = [item.rule for item in items]
    else:
        leaves = [ind.rule]
    periodic = [isinstance(rule, PeriodicCheckRule) for rule in leaves]
    if ind.periods is None and any(periodic):
        problems.append(((*loc, "rule"), "a periodic_check rule needs `periods` on the indicator"))
    if ind.periods is not None and not all(periodic):
        problems.append(((*loc, "periods"), "a periodic indicator must score every item with periodic_check"))
    return problems


def semantic_problems(plan: Plan) -> list[tuple[Loc, str]]:
    """Every cross-reference and arithmetic problem in a structurally valid plan."""
    problems: list[tuple[Loc, str]] = []
    for field, values in (
        ("units", [u.name for u in plan.units] + [g.name for g in plan.groups]),
        ("tasks", [t.code for t in plan.tasks]),
        ("indicators", [i.code for i in plan.indicators] + [g.code for g in plan.gates]),
    ):
        for dup in _duplicates(values):
            problems.append(((field,), f"{values[dup]!r} is defined twice"))
    for field, codes in (
        ("tasks", [t.code for t in plan.tasks]),
        ("indicators", [i.code for i in plan.indicators]),
        ("gates", [g.code for g in plan.gates]),
    ):
        for index, code in enumerate(codes):
            if not CODE_RE.match(code):
                problems.append(((field, index, "code"), f"code {code!r}: use letters, digits, '.' or '-'"))
    problems += _refs(plan)
    problems += _alias_clashes(plan)
    problems += _group_cycles(plan)
    for index, ind in enumerate(plan.indicators):
        problems += _indicator_problems(index, ind)
    sections = {s.code: s for s in plan.sections}
    for index, ind in enumerate(plan.indicators):
        if ind.section is not None and ind.section not in sections:
            problems.append((("indicators", index, "section"), f"unknown section {ind.section!r}"))
    for index, section in enumerate(plan.sections):
        members = [i for i in plan.indicators if i.section == section.code]
        total = sum((i.max for i in members), Decimal(0))
        if total != section.max:
            problems.append((("sections", index, "max"), f"indicators add up to {total}, not {section.max}"))
    regular = sum((i.max for i in plan.indicators if not i.bonus), Decimal(0))
    bonus = sum((i.max for i in plan.indicators if i.bonus), Decimal(0))
    if regular != plan.max_points:
        problems.append((("max_points",), f"indicators add up to {regular}, not {plan.max_points}"))
    if bonus != plan.bonus_points:
        problems.append((("bonus_points",), f"bonus indicators add up to {bonus}, not {plan.bonus_points}"))
    if plan.end < plan.start:
        problems.append((("end",), "the plan ends before it starts"))
    return problems


# --- moving a plan to another year ------------------------------------------------------------


def _shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _shift(value: Any, years: int) -> Any:
    if isinstance(value, dt.date):
        return _shift_date(value, years)
    if isinstance(value, dict):
        return {k: _shift_period(k, v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, years) for v in value]
    return value


def _shift_period(key: str, value: Any, years: int) -> Any:
    if key in ("start", "end") and isinstance(value, str) and len(value) == 7:
        year, month = value.split("-")
        return f"{int(year) + years:04d}-{month}"
    return _shift(value, years)


def shift_plan_years(plan: Plan, year: int, *, new_id: str, name_suffix: str) -> Plan:
    """The same plan with every date and period moved so that it starts in `year` (for demos)."""
    years = year - plan.start.year
    data = plan.model_dump(mode="python")
    shifted = _shift(data, years)
    shifted["id"] = new_id
    shifted["name"] = plan.name + name_suffix
    return Plan.model_validate(shifted)
