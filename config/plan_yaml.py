"""Writing a plan (or one rule of it) back as plan-file YAML that `duban plan check` accepts.

Numbers are written as exact decimals, dates as YAML dates, times and texts as strings (quoted
where YAML would read them as something else, e.g. "21:00" or "0"). Only what the plan says is
written, not every default: a rule reads `{kind: assessed}`, as a person would write it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

import yaml
from pydantic import BaseModel

from config.plan_schema import Plan


class _PlanDumper(yaml.SafeDumper):
    """SafeDumper that knows Decimal, str enums and times."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    shown = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in shown else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, shown)


def _enum(dumper: yaml.SafeDumper, value: Enum) -> yaml.ScalarNode:
    return dumper.represent_str(str(value.value))


def _time(dumper: yaml.SafeDumper, value: dt.time) -> yaml.ScalarNode:
    return dumper.represent_str(f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}")


_PlanDumper.add_representer(Decimal, _decimal)
_PlanDumper.add_multi_representer(Enum, _enum)
_PlanDumper.add_representer(dt.time, _time)


def as_written(model: BaseModel) -> Any:
    """The fields a model was given (not its defaults), as plain Python values."""
    return model.model_dump(mode="python", exclude_unset=True)


def flow_yaml(value: Any) -> str:
    """One line of YAML flow text: `{kind: linear, value: {type: percent}, zero_at: 1%, full_at: 3%}`."""
    text = yaml.dump(
        value, Dumper=_PlanDumper, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1 << 30
    )
    return str(text).strip().removesuffix("...").strip()


def plan_yaml(plan: Plan) -> str:
    """The whole plan as a plan file."""
    header = f"# {plan.name}\n# Written by `duban plan import`.\n\n"
    body = yaml.dump(
        as_written(plan), Dumper=_PlanDumper, default_flow_style=False, allow_unicode=True, sort_keys=False, width=100
    )
    return header + str(body)
