"""Reading plan files: YAML in, a checked `Plan` out, and every error named by its place.

Errors carry the path inside the document (`indicators[code=3].rule.zero_at`: list elements that
have a code are named by it, since that is what the office knows them by) and the line and column
where that node starts, so an office editing a plan in a text editor can go straight to it. All
errors come out of one pass: when the structure is wrong in places, the cross-reference checks still
run on the parts that are right. Each error can be said in Chinese or English (`render(lang)`).
Numbers in YAML are read as Decimal, never float, so 0.2 points stays 0.2.

This module reads and places; the wording of errors is in `config.plan_errors`, what is kept of a
plan with errors in `config.plan_salvage`, the cross-reference checks in `config.plan_checks` and
moving a plan to another year in `config.plan_years`. Their public names are re-exported here, so
callers keep importing everything about plan files from one place.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from config.plan_checks import Problem, semantic_problems, unit_names, unknown_units
from config.plan_errors import (
    CHINESE,
    ENGLISH,
    Loc,
    Params,
    PlanError,
    PlanFileError,
    PlanSourceError,
    explain_pydantic,
    explain_schema_message,
    problem,
    yaml_error,
)
from config.plan_salvage import Salvage, salvage_plan
from config.plan_schema import Plan
from config.plan_years import shift_plan_years
from config.values import ValueParseError

__all__ = [
    "CHINESE",
    "ENGLISH",
    "PLANS_DIR",
    "Loc",
    "Located",
    "Params",
    "PlanError",
    "PlanFileError",
    "PlanSourceError",
    "Problem",
    "Salvage",
    "check_plan_data",
    "explain_schema_message",
    "load_plan_file",
    "load_yaml_text",
    "parse_plan_text",
    "resolve_plan_source",
    "semantic_problems",
    "shift_plan_years",
    "shipped_plan_paths",
]

PLANS_DIR = Path(__file__).parent / "plans"

Located = Problem
"""A problem at its place in the document: (path, (English text, catalog key, parameters))."""


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


def _validation_problem(error: ErrorDetails, data: Any) -> Located:
    """One pydantic error as its place in the document and its wording."""
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
    key, params = explain_pydantic(error)
    message = error["msg"].removeprefix("Value error, ")
    return loc, (message, key, tuple((k, str(v)) for k, v in params.items()))


def _union_noise(error: ErrorDetails) -> bool:
    """Pydantic tries every member of `list[Item | str]`; 'not a string' about a mapping is noise."""
    return error["type"] == "string_type" and "str" in error["loc"] and isinstance(error.get("input"), dict)


# --- reading ------------------------------------------------------------------------------------


def _read(text: str, source: str) -> tuple[dict[str, Any], dict[Loc, yaml.Mark]]:
    try:
        node = yaml.compose(text, Loader=_DecimalLoader)
        data = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PlanFileError(source, [yaml_error(exc)]) from exc
    if not isinstance(data, dict) or node is None:
        english, key, params = problem("cli_plan_not_mapping")
        raise PlanFileError(source, [PlanError("", 1, 1, english, key, params)])
    marks: dict[Loc, yaml.Mark] = {}
    _marks(node, (), marks)
    return data, marks


def check_plan_data(data: dict[str, Any]) -> tuple[Plan | None, list[Located]]:
    """Check a plan document already read into Python values (from YAML or from a workbook).

    Returns the plan when it is valid, and every problem found by the schema and the cross-checks,
    each at its place in the document; the caller says where that place is in its own source.
    """
    found: list[Located] = []
    salvage: Salvage | None = None
    plan: Plan | None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        found = [_validation_problem(e, data) for e in exc.errors() if not _union_noise(e)]
        plan, salvage = salvage_plan(data, exc.errors())
    if plan is not None:
        semantic = semantic_problems(plan, salvage)
        if salvage is not None:
            semantic = [(salvage.original(loc), said) for loc, said in semantic]
            if not {"units", "groups"} & salvage.whole:
                names = set(unit_names(plan)) | salvage.names
                semantic += [p for loc, refs in salvage.refs for p in unknown_units(loc, refs, names)]
        found += semantic
    return (plan if not found else None), found


def load_yaml_text(text: str) -> Any:
    """YAML with exact decimals and impossible dates kept as text, as plan files are read (a workbook's
    rule cell is a YAML fragment). Raises yaml.YAMLError."""
    return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass


def parse_plan_text(text: str, source: str = "<plan>") -> Plan:
    """Parse and check a plan document; raise PlanFileError naming every problem, in file order."""
    data, marks = _read(text, source)
    plan, found = check_plan_data(data)
    errors = [_error(loc, english, key, params, marks, data) for loc, (english, key, params) in found]
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
        english, key, params = problem("cli_plan_not_utf8")
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
