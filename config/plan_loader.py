"""Reading plan files: YAML in, a checked `Plan` out, and every error named by its place.

Errors carry the path inside the document (`indicators[code=3].rule.zero_at`: list elements that
have a code are named by it, since that is what the office knows them by) and the line and column
where that node starts, so an office editing a plan in a text editor can go straight to it. All
errors come out of one pass: when the structure is wrong in places, the cross-reference checks still
run on the parts that are right. Each error can be said in Chinese or English (`render(lang)`).
Numbers in YAML are read as Decimal, never float, so 0.2 points stays 0.2.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import Field, ValidationError
from pydantic_core import ErrorDetails

from config.i18n import translate
from config.plan_schema import (
    CODE_RE,
    Indicator,
    PeriodicCheckRule,
    Plan,
    SumRule,
    Unit,
)
from config.values import ValueParseError

PLANS_DIR = Path(__file__).parent / "plans"
Loc = tuple[str | int, ...]
Params = tuple[tuple[str, str], ...]
ENGLISH, CHINESE = "en", "zh"


@dataclass(frozen=True)
class PlanError:
    """One problem in a plan file, with where it is.

    `message` is the English wording (what `str()` gives, for logs and other code); `key` and
    `params` say it in the office's language through the message catalog.
    """

    path: str
    line: int | None
    column: int | None
    message: str
    key: str = ""
    params: Params = ()

    def __str__(self) -> str:
        return self.render("en")

    def explain(self, lang: str) -> str:
        """What is wrong, without the place."""
        if lang == "en" or not self.key:
            return self.message
        return translate(lang, self.key, **dict(self.params))

    def render(self, lang: str) -> str:
        """'第 16 行第 5 列：indicators[code=3].rule.zero_at：…' (or the English form)."""
        path = self.path or translate(lang, "cli_plan_root")
        if self.line:
            return translate(
                lang, "cli_plan_error_at", line=self.line, column=self.column, path=path, message=self.explain(lang)
            )
        return translate(lang, "cli_plan_error_file", path=path, message=self.explain(lang))


class PlanFileError(Exception):
    """A plan file that cannot be used; `errors` lists every problem found, in the order of the file."""

    def __init__(self, source: str, errors: list[PlanError]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(self.render("en"))

    def render(self, lang: str) -> str:
        """A heading line, then one indented line per error."""
        head = translate(lang, "cli_plan_errors", source=self.source, count=len(self.errors))
        return "\n".join([head, *(f"  {e.render(lang)}" for e in self.errors)])


class PlanSourceError(FileNotFoundError):
    """A name that is neither a plan file nor a shipped plan."""

    def __init__(self, name: str, shipped: list[str]) -> None:
        super().__init__(f"no plan file or shipped plan named {name!r} (shipped: {', '.join(shipped)})")
        self.name = name
        self.shipped = shipped


def _problem(key: str, **params: object) -> tuple[str, str, Params]:
    """A catalog sentence as (English text, key, params)."""
    fixed = tuple((name, str(value)) for name, value in params.items())
    return translate(ENGLISH, key, **dict(fixed)), key, fixed


# --- YAML ---------------------------------------------------------------------------------------


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader whose floats are Decimals (exact points) and whose dates stay dates.

    An impossible date (2022-06-31) stays text, so that the schema reports it at its place along
    with every other error instead of the whole file failing to load.
    """


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node))
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:  # '.inf' spellings Decimal does not know
        return text


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(loader.construct_scalar(node))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

_YAML_PROBLEMS = (
    ("mapping values are not allowed", "cli_yaml_mapping_values"),
    ("cannot start any token", "cli_yaml_tab"),
    ("found unexpected end of stream", "cli_yaml_quote"),
    ("expected <block end>", "cli_yaml_indent"),
    ("could not find expected ':'", "cli_yaml_key"),
    ("did not find expected key", "cli_yaml_indent"),
    ("could not determine a constructor", "cli_yaml_tag"),
)


def _yaml_error(exc: yaml.YAMLError) -> PlanError:
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", "") or exc)
    key = next((k for text, k in _YAML_PROBLEMS if text in problem), "cli_yaml_syntax")
    return PlanError(
        "", mark.line + 1 if mark else None, mark.column + 1 if mark else None, f"not valid YAML: {exc}", key
    )


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


# --- places -------------------------------------------------------------------------------------


def _format_path(loc: Loc, data: Any) -> str:
    """`indicators[code=3].rule.zero_at`: a list element with a code is named by it, others by index."""
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            element = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            code = element.get("code") if isinstance(element, dict) else None
            text += f"[code={code}]" if isinstance(code, str | int | Decimal) and str(code) else f"[{part}]"
            node = element
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
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


def _holding(node: Any, text: str, depth: int = 5) -> Loc | None:
    """Where inside `node` the scalar `text` is written (a threshold the schema could not read)."""
    if depth == 0:
        return None
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        if isinstance(value, dict | list):
            inner = _holding(value, text, depth - 1)
            if inner is not None:
                return (key, *inner)
        elif str(value).strip() == text.strip():
            return (key,)
    return None


def _error(loc: Loc, text: str, key: str, params: Params, marks: dict[Loc, yaml.Mark], data: Any) -> PlanError:
    probe = loc
    while probe not in marks and probe:
        probe = probe[:-1]
    mark = marks.get(probe)
    return PlanError(
        path=_format_path(loc, data),
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        message=text,
        key=key,
        params=params,
    )


# --- what pydantic and the schema say, in the office's words ---------------------------------------

_SCHEMA_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"a condition needs exactly one of", "cli_schema_one_condition"),
        (r"zero_at and full_at must differ", "cli_schema_linear_same"),
        (r"step must be positive", "cli_schema_step_positive"),
        (r"items given by name need `each`", "cli_schema_each_needed"),
        (r"a period is written YYYY-MM", "cli_schema_period"),
        (r"a task needs a deadline or ongoing", "cli_schema_task_when"),
        (r"working-day counts are between", "cli_schema_workday_counts"),
        (r"(?P<moment>\S+) falls in the quiet hours (?P<start>[\d:]+)\W+(?P<end>[\d:]+)", "cli_schema_quiet_hours"),
    )
)

_TYPE_KEYS = {
    "missing": "cli_pe_missing",
    "string_type": "cli_pe_text",
    "int_type": "cli_pe_integer",
    "int_parsing": "cli_pe_integer",
    "int_from_float": "cli_pe_integer",
    "decimal_type": "cli_pe_number",
    "decimal_parsing": "cli_pe_number",
    "float_type": "cli_pe_number",
    "float_parsing": "cli_pe_number",
    "bool_type": "cli_pe_bool",
    "bool_parsing": "cli_pe_bool",
    "date_type": "cli_pe_date",
    "date_parsing": "cli_pe_date",
    "date_from_datetime_parsing": "cli_pe_date",
    "date_from_datetime_inexact": "cli_pe_date",
    "time_type": "cli_pe_time",
    "time_parsing": "cli_pe_time",
    "list_type": "cli_pe_list",
    "dict_type": "cli_pe_mapping",
    "model_type": "cli_pe_mapping",
    "model_attributes_type": "cli_pe_mapping",
}
_LIMIT_KEYS = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}


def explain_schema_message(text: str) -> tuple[str, dict[str, str]] | None:
    """The catalog key (and parameters) of a sentence raised by the schema's own checks, if known."""
    text = text.removeprefix("Value error, ")
    for pattern, key in _SCHEMA_REASONS:
        found = pattern.search(text)
        if found:
            return key, found.groupdict()
    return None


def _quoted(text: str) -> str:
    """Pydantic's list of choices ("'a', 'b' or 'c'") as 'a、b、c', without the English 'or'."""
    names = re.findall(r"'([^']*)'", text)
    return "、".join(names) if names else text


def _explain_pydantic(error: ErrorDetails) -> tuple[str, dict[str, object]]:
    """Catalog key and parameters for one pydantic error; the English is pydantic's own message."""
    kind, ctx, shown = error["type"], error.get("ctx") or {}, str(error.get("input", ""))[:40]
    if kind in _TYPE_KEYS:
        return _TYPE_KEYS[kind], {"input": shown}
    if kind == "extra_forbidden":
        return "cli_pe_extra", {"name": error["loc"][-1] if error["loc"] else ""}
    if kind in ("literal_error", "enum"):
        return "cli_pe_choice", {"choices": _quoted(str(ctx.get("expected", ""))), "input": shown}
    if kind == "union_tag_invalid":
        field_name = str(ctx.get("discriminator", "")).strip("'")
        return "cli_pe_tag", {
            "field": field_name,
            "choices": _quoted(str(ctx.get("expected_tags", ""))),
            "input": ctx.get("tag"),
        }
    if kind == "union_tag_not_found":
        return "cli_pe_tag_missing", {"field": str(ctx.get("discriminator", "")).strip("'")}
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        key = {"too_short": "cli_pe_too_few", "too_long": "cli_pe_too_many"}.get(kind)
        key = key or ("cli_pe_text_short" if kind == "string_too_short" else "cli_pe_text_long")
        return key, {"min": ctx.get("min_length"), "max": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return "cli_pe_pattern", {"pattern": ctx.get("pattern")}
    if kind in _LIMIT_KEYS:
        return f"cli_pe_{_LIMIT_KEYS[kind]}", {"limit": ctx.get(_LIMIT_KEYS[kind])}
    cause = ctx.get("error")
    if isinstance(cause, ValueParseError):
        return "cli_pe_value", {"reason": translate(CHINESE, f"val_{cause.key}", **cause.params)}
    known = explain_schema_message(error["msg"])
    if known is not None:
        return known[0], dict(known[1])
    return ("cli_pe_invalid", {}) if kind == "value_error" else ("cli_pe_other", {"type": kind})


def _validation_error(error: ErrorDetails, data: Any, marks: dict[Loc, yaml.Mark]) -> PlanError:
    loc = _data_loc(tuple(error["loc"]), data)
    if error["type"] == "missing" and error["loc"] and isinstance(error["loc"][-1], str):
        loc = (*loc, error["loc"][-1])  # name the missing key, at the line of its parent
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValueParseError) and "text" in cause.params:
        node: Any = data
        for part in loc:
            node = node[part]
        inside = _holding(node, str(cause.params["text"]))
        loc = (*loc, *inside) if inside else loc
    key, params = _explain_pydantic(error)
    message = error["msg"].removeprefix("Value error, ")
    return _error(loc, message, key, tuple((k, str(v)) for k, v in params.items()), marks, data)


def _union_noise(error: ErrorDetails) -> bool:
    """Pydantic tries every member of `list[Item | str]`; 'not a string' about a mapping is noise."""
    return error["type"] == "string_type" and "str" in error["loc"] and isinstance(error.get("input"), dict)


# --- reading --------------------------------------------------------------------------------------


class _PartialPlan(Plan):
    """A plan with errors, minus the parts in error: enough for the cross-reference checks to run."""

    id: str = "plan-with-errors"
    name: str = ""
    start: dt.date = dt.date.min
    end: dt.date = dt.date.max
    units: list[Unit] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)


_ELEMENTS = ("units", "groups", "phases", "leaders", "tasks", "gates", "sections", "indicators")


@dataclass
class Salvage:
    """What was left out of a plan with errors, so that the cross-checks neither miss nor invent problems."""

    kept: dict[str, list[int]] = field(default_factory=dict)
    """For each list, the original index of every element kept."""
    whole: set[str] = field(default_factory=set)
    """Top-level keys left out altogether because something in them was wrong."""
    thinned: set[str] = field(default_factory=set)
    """Lists some of whose elements were left out."""
    names: set[str] = field(default_factory=set)
    """Names, aliases and codes of the elements left out: a reference to them is not 'unknown'."""
    refs: list[tuple[Loc, list[str]]] = field(default_factory=list)
    """Unit references inside the elements left out, by their place in the file: still checked."""

    def original(self, loc: Loc) -> Loc:
        """A location in the salvaged plan as a location in the file."""
        if len(loc) > 1 and isinstance(loc[1], int) and str(loc[0]) in self.kept:
            return (loc[0], self.kept[str(loc[0])][loc[1]], *loc[2:])
        return loc


def _salvage(data: dict[str, Any], errors: list[ErrorDetails]) -> tuple[Plan | None, Salvage]:
    """The parts of a plan that validated, as a plan, and what was left out."""
    salvage = Salvage()
    bad: dict[str, set[int]] = {}
    for error in errors:
        loc = error["loc"]
        if not loc:
            return None, salvage
        name = str(loc[0])
        if name in _ELEMENTS and len(loc) > 1 and isinstance(loc[1], int) and isinstance(data.get(name), list):
            bad.setdefault(name, set()).add(loc[1])
        else:
            salvage.whole.add(name)
    pruned = {k: v for k, v in data.items() if k not in salvage.whole}
    for name, indices in bad.items():
        if name in salvage.whole:
            continue
        items = pruned[name]
        salvage.kept[name] = [i for i in range(len(items)) if i not in indices]
        salvage.thinned.add(name)
        pruned[name] = [items[i] for i in salvage.kept[name]]
        for index in indices:
            element = items[index]
            if isinstance(element, dict):
                aliases = element.get("aliases")
                for value in [
                    element.get("name"),
                    element.get("code"),
                    *(aliases if isinstance(aliases, list) else []),
                ]:
                    salvage.names.add(str(value))
                salvage.refs += _raw_refs((name, index), element)
    try:
        return _PartialPlan.model_validate(pruned), salvage
    except ValidationError:
        return None, salvage


def _raw_refs(loc: Loc, element: dict[str, Any]) -> list[tuple[Loc, list[str]]]:
    """The lists of unit names inside an element the schema refused, so they are checked all the same."""
    keys = ("units", "lead", "members", "reporters")
    found = [((*loc, key), element[key]) for key in keys if isinstance(element.get(key), list)]
    parts = element.get("parts")
    for index, part in enumerate(parts if isinstance(parts, list) else []):
        if isinstance(part, dict) and isinstance(part.get("units"), list):
            found.append(((*loc, "parts", index, "units"), part["units"]))
    return [(where, [str(r) for r in refs]) for where, refs in found]


def _read(text: str, source: str) -> tuple[dict[str, Any], dict[Loc, yaml.Mark]]:
    try:
        node = yaml.compose(text, Loader=_DecimalLoader)
        data = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PlanFileError(source, [_yaml_error(exc)]) from exc
    if not isinstance(data, dict) or node is None:
        english, key, params = _problem("cli_plan_not_mapping")
        raise PlanFileError(source, [PlanError("", 1, 1, english, key, params)])
    marks: dict[Loc, yaml.Mark] = {}
    _marks(node, (), marks)
    return data, marks


def parse_plan_text(text: str, source: str = "<plan>") -> Plan:
    """Parse and check a plan document; raise PlanFileError naming every problem, in file order."""
    data, marks = _read(text, source)
    errors: list[PlanError] = []
    salvage: Salvage | None = None
    plan: Plan | None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        errors = [_validation_error(e, data, marks) for e in exc.errors() if not _union_noise(e)]
        plan, salvage = _salvage(data, exc.errors())
    if plan is not None:
        found = semantic_problems(plan, salvage)
        if salvage is not None:
            found = [(salvage.original(loc), problem) for loc, problem in found]
            if not {"units", "groups"} & salvage.whole:
                names = set(_unit_names(plan)) | salvage.names
                found += [p for loc, refs in salvage.refs for p in _unknown(loc, refs, names)]
        errors += [_error(loc, english, key, params, marks, data) for loc, (english, key, params) in found]
    if errors:
        errors.sort(key=lambda e: (e.line or 0, e.column or 0))
        raise PlanFileError(source, errors)
    assert plan is not None
    return plan


def load_plan_file(path: Path) -> Plan:
    """Read a plan file from disk (OSError when it cannot be read at all)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        english, key, params = _problem("cli_plan_not_utf8")
        raise PlanFileError(str(path), [PlanError("", None, None, english, key, params)]) from exc
    return parse_plan_text(text, source=str(path))


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
    raise PlanSourceError(name, list(shipped))


# --- cross-reference checks -------------------------------------------------------------------

Problem = tuple[Loc, tuple[str, str, Params]]


def _unit_names(plan: Plan) -> dict[str, str]:
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
                    ((field_name, index, "aliases"), _problem("cli_plan_alias_taken", alias=alias, owner=owner[alias]))
                )
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
                problems.append((("groups", index, "members"), _problem("cli_plan_group_cycle", group=group.name)))
                break
            if name not in seen:
                seen.add(name)
                stack.extend(members[name])
    return problems


def _unknown(loc: Loc, refs: list[str], names: set[str]) -> list[Problem]:
    return [((*loc, i), _problem("cli_plan_unknown_unit", name=ref)) for i, ref in enumerate(refs) if ref not in names]


def _refs(plan: Plan, also_known: set[str]) -> list[Problem]:
    names = set(_unit_names(plan)) | also_known
    problems: list[Problem] = []

    def check(loc: Loc, refs: list[str]) -> None:
        problems.extend(_unknown(loc, refs, names))

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
            problems.append((("leaders", li, "unit"), _problem("cli_plan_unknown_plain_unit", name=leader.unit)))
    if plan.office and plan.office.unit not in names:
        problems.append((("office", "unit"), _problem("cli_plan_unknown_plain_unit", name=plan.office.unit)))
    return problems


def _indicator_problems(index: int, ind: Indicator) -> list[Problem]:
    loc: Loc = ("indicators", index)
    problems: list[Problem] = []
    if isinstance(ind.rule, SumRule):
        items = ind.items()
        names = [n for item in items for n in item.names()]
        for dup in _duplicates(names):
            problems.append(((*loc, "rule", "items"), _problem("cli_plan_item_twice", name=names[dup])))
        total = sum((item.max for item in items), Decimal(0))
        if total < ind.max:
            problems.append(((*loc, "max"), _problem("cli_plan_items_short", total=total, max=ind.max)))
        leaves = [item.rule for item in items]
    else:
        leaves = [ind.rule]
    periodic = [isinstance(rule, PeriodicCheckRule) for rule in leaves]
    if ind.periods is None and any(periodic):
        problems.append(((*loc, "rule"), _problem("cli_plan_needs_periods")))
    if ind.periods is not None and not all(periodic):
        problems.append(((*loc, "periods"), _problem("cli_plan_needs_periodic")))
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
            problems.append(((field_name, index, key), _problem("cli_plan_defined_twice", name=value)))
    for field_name, index, _, code in coded + scored:
        if not CODE_RE.match(code):
            problems.append(((field_name, index, "code"), _problem("cli_plan_bad_code", code=code)))
    return problems


def _sums(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    for index, section in enumerate(plan.sections):
        members = [i for i in plan.indicators if i.section == section.code]
        total = sum((i.max for i in members), Decimal(0))
        if total != section.max:
            problems.append(
                (("sections", index, "max"), _problem("cli_plan_sum_mismatch", total=total, max=section.max))
            )
    regular = sum((i.max for i in plan.indicators if not i.bonus), Decimal(0))
    bonus = sum((i.max for i in plan.indicators if i.bonus), Decimal(0))
    if regular != plan.max_points:
        problems.append((("max_points",), _problem("cli_plan_sum_mismatch", total=regular, max=plan.max_points)))
    if bonus != plan.bonus_points:
        problems.append((("bonus_points",), _problem("cli_plan_bonus_mismatch", total=bonus, max=plan.bonus_points)))
    return problems


def _dates(plan: Plan) -> list[Problem]:
    """Deadlines and phases fall within the plan's own dates; a reminder for 2023 in a 2022 plan is a typo."""
    if plan.end < plan.start:
        return [(("end",), _problem("cli_plan_ends_before_start"))]
    span = {"start": plan.start, "end": plan.end}
    problems: list[Problem] = []
    for index, task in enumerate(plan.tasks):
        if task.deadline is not None and not plan.start <= task.deadline <= plan.end:
            problems.append(
                (("tasks", index, "deadline"), _problem("cli_plan_deadline_outside", date=task.deadline, **span))
            )
    for index, phase in enumerate(plan.phases):
        if phase.end < phase.start:
            problems.append((("phases", index, "end"), _problem("cli_plan_phase_backwards")))
        for key, day in (("start", phase.start), ("end", phase.end)):
            if not plan.start <= day <= plan.end:
                problems.append((("phases", index, key), _problem("cli_plan_phase_outside", date=day, **span)))
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
    problems += _group_cycles(plan)
    for index, ind in enumerate(plan.indicators):
        problems += _indicator_problems(index, ind)
    if "sections" not in whole:
        sections = {s.code for s in plan.sections} | known
        for index, ind in enumerate(plan.indicators):
            if ind.section is not None and ind.section not in sections:
                problems.append(
                    (("indicators", index, "section"), _problem("cli_plan_unknown_section", code=ind.section))
                )
    if not {"indicators", "sections", "max_points", "bonus_points"} & partial:
        problems += _sums(plan)
    if not {"start", "end"} & whole:
        problems += _dates(plan)
    if "timezone" not in whole and not _known_zone(plan.timezone):
        problems.append((("timezone",), _problem("cli_plan_bad_timezone", zone=plan.timezone)))
    return problems


def _known_zone(name: str) -> bool:
    """A time zone the system knows: every reminder is computed in it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


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
