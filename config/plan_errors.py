"""What is wrong in a plan file, and how to say it: the error types and the wording of every problem.

YAML, pydantic and the schema's own checks all speak English; each problem found is kept as its
English text together with a catalog key and parameters, so it can be said in the office's
language as well (`PlanError.render(lang)`). Pydantic's messages are matched by their error type,
the schema's own sentences by their wording (`explain_schema_message`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from pydantic_core import ErrorDetails

from config.i18n import translate
from config.values import ValueParseError

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


def problem(key: str, **params: object) -> tuple[str, str, Params]:
    """A catalog sentence as (English text, key, params)."""
    fixed = tuple((name, str(value)) for name, value in params.items())
    return translate(ENGLISH, key, **dict(fixed)), key, fixed


# --- YAML's complaints ---------------------------------------------------------------------------

_YAML_PROBLEMS = (
    ("mapping values are not allowed", "cli_yaml_mapping_values"),
    ("cannot start any token", "cli_yaml_tab"),
    ("found unexpected end of stream", "cli_yaml_quote"),
    ("expected <block end>", "cli_yaml_indent"),
    ("could not find expected ':'", "cli_yaml_key"),
    ("did not find expected key", "cli_yaml_indent"),
    ("could not determine a constructor", "cli_yaml_tag"),
)


def yaml_error(exc: yaml.YAMLError) -> PlanError:
    """A YAML syntax error at its line and column, said with the catalog's likeliest cause."""
    mark = getattr(exc, "problem_mark", None)
    complaint = str(getattr(exc, "problem", "") or exc)
    key = next((k for text, k in _YAML_PROBLEMS if text in complaint), "cli_yaml_syntax")
    return PlanError(
        "", mark.line + 1 if mark else None, mark.column + 1 if mark else None, f"not valid YAML: {exc}", key
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


def explain_pydantic(error: ErrorDetails) -> tuple[str, dict[str, object]]:
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
