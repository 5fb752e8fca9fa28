"""Salvaging a plan with errors: the parts that validated, as a plan, and a note of what was left out.

All errors come out of one pass: when the structure is wrong in places, the cross-reference checks
still run on the parts that are right. `Salvage` tells those checks what is missing, so that they
neither repeat the schema's errors nor invent new ones about the parts that were left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, ValidationError
from pydantic_core import ErrorDetails

from config.plan_errors import Loc
from config.plan_schema import Indicator, Plan, Unit


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


def salvage_plan(data: dict[str, Any], errors: list[ErrorDetails]) -> tuple[Plan | None, Salvage]:
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
