"""The plan file format: what a plan may say, checked before anything is stored.

A plan is data, never code: every scoring rule is one of a small set of declarative kinds whose
parameters are written the way the seed documents write them. The models here only check shape and
local consistency; cross-references (unit names, codes, sums) are checked by `plan_check`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from config.values import ValueParseError, ValueType, parse_value

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,15}$")


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a plan file must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueSpec(Strict):
    """The figure a rule reads: its type, its unit for amounts, and the bounds a report must meet."""

    type: ValueType
    unit: Literal["元", "万元", "亿元"] | None = None
    min: str | None = None
    max: str | None = None
    label: str | None = Field(default=None, description="What the figure is, in the plan's words.")

    @model_validator(mode="after")
    def _bounds_parse(self) -> ValueSpec:
        for bound in (self.min, self.max):
            if bound is not None and bound != "none":
                self.read(bound, check_bounds=False)
        return self

    def lower(self) -> Decimal | None:
        """The smallest value a report may carry (a negative count is impossible)."""
        if self.min is not None:
            return None if self.min == "none" else self.read(self.min, check_bounds=False)
        return Decimal(1) if self.type is ValueType.RANK else Decimal(0)

    def upper(self) -> Decimal | None:
        """The largest value a report may carry; shares stop at 100% unless the plan says otherwise."""
        if self.max is not None:
            return None if self.max == "none" else self.read(self.max, check_bounds=False)
        return Decimal(1) if self.type is ValueType.PERCENT else None

    def read(self, text: str | int | Decimal, *, check_bounds: bool = True) -> Decimal:
        """Parse a value written in a plan file or in chat, in this spec's type and unit."""
        if check_bounds:
            return parse_value(str(text), self.type, unit=self.unit, lower=self.lower(), upper=self.upper())
        return _plain_value(str(text), self.type, self.unit)


@lru_cache(maxsize=4096)
def _plain_value(text: str, vtype: ValueType, unit: str | None) -> Decimal:
    """A plan's own thresholds and bounds, parsed once: scoring reads them for every figure, and
    parsing is pure (a Decimal is immutable, an error is raised again for each call)."""
    return parse_value(text, vtype, unit=unit)


def _spec(vtype: ValueType, **kw: str) -> ValueSpec:
    return ValueSpec(type=vtype, **kw)


OPS = ("at_least", "above", "at_most", "below", "equals")
"""The comparisons a condition may make, as its field names."""


class Condition(Strict):
    """One comparison against a threshold written in the value language ("7000万", "100%", "0")."""

    at_least: str | None = None
    above: str | None = None
    at_most: str | None = None
    below: str | None = None
    equals: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [k for k in OPS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a condition needs exactly one of at_least, above, at_most, below, equals")
        return self

    @property
    def op(self) -> str:
        """The comparison's name (read field by field: scoring asks this for every figure)."""
        return next(k for k in OPS if getattr(self, k) is not None)

    def threshold(self, spec: ValueSpec) -> Decimal:
        """The threshold in the base unit of `spec`."""
        return spec.read(str(getattr(self, self.op)), check_bounds=False)

    def holds(self, value: Decimal, spec: ValueSpec) -> bool:
        """Whether `value` meets this condition."""
        limit = self.threshold(spec)
        return {
            "at_least": value >= limit,
            "above": value > limit,
            "at_most": value <= limit,
            "below": value < limit,
            "equals": value == limit,
        }[self.op]


class LinearRule(Strict):
    """Points rise (or fall) in proportion between two thresholds: 0 at `zero_at`, all at `full_at`."""

    kind: Literal["linear"]
    value: ValueSpec
    zero_at: str
    full_at: str
    round: int | None = Field(default=None, ge=0, le=6)

    @model_validator(mode="after")
    def _distinct(self) -> LinearRule:
        if self.value.read(self.zero_at, check_bounds=False) == self.value.read(self.full_at, check_bounds=False):
            raise ValueError("zero_at and full_at must differ")
        return self


class Band(Strict):
    """One step: when the condition holds, the item earns `points`."""

    when: Condition
    points: Decimal = Field(ge=0)


class BandsRule(Strict):
    """Step bands: the first band whose condition holds gives the points; otherwise `otherwise`."""

    kind: Literal["bands"]
    value: ValueSpec
    bands: list[Band] = Field(min_length=1)
    otherwise: Decimal = Field(default=Decimal(0), ge=0)

    @model_validator(mode="after")
    def _thresholds_parse(self) -> BandsRule:
        for band in self.bands:
            band.when.threshold(self.value)
        return self


class RankStepsRule(Strict):
    """Rank steps: full points within the first places, minus `per_step` for every further `step`."""

    kind: Literal["rank_steps"]
    value: ValueSpec = _spec(ValueType.RANK)
    full_within: Decimal = Field(gt=0)
    step: Decimal = Field(gt=0)
    per_step: Decimal = Field(gt=0)
    zero_beyond: Decimal = Field(gt=0)


class DeductRule(Strict):
    """From the maximum, `per` points off for every `step` the figure exceeds `allowance`; floor 0."""

    kind: Literal["deduct"]
    value: ValueSpec = _spec(ValueType.COUNT)
    per: Decimal = Field(gt=0)
    allowance: str = "0"
    step: str = "1"
    rounding: Literal["up", "down", "exact"] = "up"

    @model_validator(mode="after")
    def _parse(self) -> DeductRule:
        self.value.read(self.allowance, check_bounds=False)
        if self.value.read(self.step, check_bounds=False) <= 0:
            raise ValueError("step must be positive")
        return self


class PeriodicCheckRule(Strict):
    """Each period is checked: `reward` when the condition is met, `penalty` off when it is not."""

    kind: Literal["periodic_check"]
    value: ValueSpec
    met: Condition
    reward: Decimal = Field(gt=0)
    penalty: Decimal = Field(ge=0)

    @model_validator(mode="after")
    def _parse(self) -> PeriodicCheckRule:
        self.met.threshold(self.value)
        return self


class CountRule(Strict):
    """`per` points for each thing counted, up to the maximum."""

    kind: Literal["count"]
    value: ValueSpec = _spec(ValueType.COUNT)
    per: Decimal = Field(gt=0)


class FractionRule(Strict):
    """Points are the reported share times the maximum (coverage 87% of 1 point = 0.87)."""

    kind: Literal["fraction"]
    value: ValueSpec = _spec(ValueType.PERCENT)
    round: int | None = Field(default=None, ge=0, le=6)


class YesNoRule(Strict):
    """All or nothing: the answer named in `earns` gives the maximum, the other gives 0."""

    kind: Literal["yes_no"]
    question: str | None = None
    earns: Literal["yes", "no"] = "yes"

    @property
    def value(self) -> ValueSpec:
        """A yes/no figure."""
        return _spec(ValueType.YES_NO)


class AssessedRule(Strict):
    """Points awarded by the assessor (the office), between 0 and the maximum."""

    kind: Literal["assessed"]

    @property
    def value(self) -> ValueSpec:
        """The points themselves; the upper bound is the item's maximum."""
        return _spec(ValueType.POINTS)


_LEAF_KINDS = (
    LinearRule
    | BandsRule
    | RankStepsRule
    | DeductRule
    | PeriodicCheckRule
    | CountRule
    | FractionRule
    | YesNoRule
    | AssessedRule
)
LeafRule = Annotated[_LEAF_KINDS, Field(discriminator="kind")]


class Item(Strict):
    """A sub-item of an indicator: its own maximum, rule and seed sentence."""

    name: str = Field(min_length=1, max_length=40)
    aliases: list[str] = Field(default_factory=list)
    max: Decimal = Field(gt=0)
    rule: LeafRule
    text: str | None = None
    reporters: list[str] | None = Field(
        default=None, description="Units whose figure for this item counts at once (default: the indicator's)."
    )
    note: str | None = None

    def names(self) -> list[str]:
        """Every name a report may use for this item."""
        return [self.name, *self.aliases]


class EachItem(Strict):
    """The shared maximum and rule of items listed by name only."""

    max: Decimal = Field(gt=0)
    rule: LeafRule


class SumRule(Strict):
    """The sum of sub-items, capped at the indicator's maximum.

    Seeds differ on where the floor of 0 sits. `clamp: items` (the default) keeps every item within
    [0, its max] before adding, as "此项最低得0分" written per item says (Puyang 5.2, 5.4).
    `clamp: indicator` lets an item's deductions go below 0 and take points earned by the other
    items; only the total is kept within [0, the indicator's max] (Dingtao 5, one 4.8-point
    indicator whose "扣0.2分" must bite in every month). An item never contributes more than its
    own max in either reading.
    """

    kind: Literal["sum"]
    items: list[Item | str] = Field(min_length=1)
    each: EachItem | None = None
    clamp: Literal["items", "indicator"] = Field(
        default="items",
        description="items: each item within [0, its max], then the sum capped; "
        "indicator: items may be negative, only the total is kept within [0, max].",
    )

    @model_validator(mode="after")
    def _expand(self) -> SumRule:
        if any(isinstance(i, str) for i in self.items) and self.each is None:
            raise ValueError("items given by name need `each` with their max and rule")
        return self

    def expanded(self) -> list[Item]:
        """Every item with its own max and rule."""
        out: list[Item] = []
        for entry in self.items:
            if isinstance(entry, str):
                assert self.each is not None
                out.append(Item(name=entry, max=self.each.max, rule=self.each.rule))
            else:
                out.append(entry)
        return out


Rule = Annotated[_LEAF_KINDS | SumRule, Field(discriminator="kind")]


class Periods(Strict):
    """Reporting periods of a periodic indicator, by month, inclusive.

    A month can be reported once it is over; `current_from: last_workday` also admits the running
    month from its last working day (offices publish the month's figure before it closes), and
    `current_from: start` admits it from its first day.
    """

    every: Literal["month"] = "month"
    start: str
    end: str
    current_from: Literal["last_workday", "start"] = "last_workday"

    @field_validator("start", "end")
    @classmethod
    def _month(cls, v: str) -> str:
        if not PERIOD_RE.match(v):
            raise ValueError("a period is written YYYY-MM")
        return v

    def months(self) -> list[str]:
        """Every period from start to end."""
        year, month = map(int, self.start.split("-"))
        out: list[str] = []
        while f"{year:04d}-{month:02d}" <= self.end:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


class Unit(Strict):
    """A department or other body that can be responsible for work."""

    name: str = Field(min_length=1, max_length=60)
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["department", "town", "court", "bank", "company", "other"] = "department"
    note: str | None = None


class Group(Strict):
    """A name that stands for several units ("各镇街"); members may be units or other groups."""

    name: str = Field(min_length=1, max_length=60)
    aliases: list[str] = Field(default_factory=list)
    members: list[str] = Field(min_length=1)
    note: str | None = None


class Phase(Strict):
    """A stage of the plan with its dates."""

    name: str
    start: dt.date
    end: dt.date
    text: str | None = None


class Leader(Strict):
    """A member of the leadership group, as the plan lists them (for the record, not for login)."""

    name: str
    role: str
    title: str | None = None
    unit: str | None = None


class TaskPart(Strict):
    """A paragraph of a task that names its own responsible units."""

    text: str
    units: list[str] = Field(min_length=1)


class Task(Strict):
    """A task of the plan: who does what by when."""

    code: str
    group: str | None = None
    title: str
    text: str | None = None
    units: list[str] = Field(min_length=1)
    lead: list[str] = Field(default_factory=list)
    parts: list[TaskPart] = Field(default_factory=list)
    deadline: dt.date | None = None
    ongoing: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _when(self) -> Task:
        if self.deadline is None and not self.ongoing:
            raise ValueError("a task needs a deadline or ongoing: true")
        return self


class Section(Strict):
    """A heading that groups indicators (Puyang's 一…八, Dingtao's 16); its max is the sum."""

    code: str
    name: str
    max: Decimal = Field(ge=0)
    bonus: bool = False


ALIASES_HELP = (
    "The other names people use for it, for reading replies in plain words. An item's name or alias "
    "may be shared by items of different indicators; an indicator's or gate's alias may not be another "
    "indicator's or gate's name or alias (`plan_check`)."
)


class Indicator(Strict):
    """A scored indicator: the code a liaison reports against, its maximum and its rule.

    `aliases` are the other names liaisons write for it ("信易贷", "黑名单"), so a reply in plain
    words can be read against the plan's own vocabulary; each points at this indicator only.
    """

    code: str
    name: str
    aliases: list[str] = Field(default_factory=list, description=ALIASES_HELP)
    section: str | None = None
    max: Decimal = Field(gt=0)
    bonus: bool = False
    periods: Periods | None = None
    rule: Rule
    rule_text: str = Field(min_length=1, description="The seed's own words for the rule.")
    source: str | None = None
    goal: str | None = None
    evidence: str | None = None
    evidence_due: dt.date | None = None
    lead: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    reporters: list[str] | None = Field(
        default=None,
        description="Units that own the figure (default: the lead units, or only the office for platform data).",
    )
    note: str | None = None

    def names(self) -> list[str]:
        """Every name a reply may use for this indicator."""
        return [self.name, *self.aliases]

    def items(self) -> list[Item]:
        """Sub-items of a sum rule, else nothing."""
        return self.rule.expanded() if isinstance(self.rule, SumRule) else []


class Gate(Strict):
    """A pass/fail basic indicator: not scored, but the plan fails without it.

    `aliases`, as for an indicator: the other names people use for it, each pointing here only.
    """

    code: str
    name: str
    aliases: list[str] = Field(default_factory=list, description=ALIASES_HELP)
    text: str | None = None
    evidence: str | None = None
    evidence_due: dt.date | None = None
    lead: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    reporters: list[str] | None = Field(default=None, description="Units that own the answer (default: the lead).")
    note: str | None = None

    def names(self) -> list[str]:
        """Every name a reply may use for this gate."""
        return [self.name, *self.aliases]


class Office(Strict):
    """The leadership group's office: the unit that administers the plan."""

    unit: str
    director: str | None = None
    contacts: list[str] = Field(default_factory=list)


class ReminderSettings(Strict):
    """When Duban chases people. The defaults are the office's usual practice; a plan may change them."""

    send_at: dt.time = dt.time(9, 0)
    before: list[int] = Field(default_factory=lambda: [7, 3, 1], description="working days before a deadline")
    on_deadline: bool = True
    overdue_every_workday: bool = True
    escalate_from: int = Field(default=3, ge=1, description="overdue working day from which leaders are told")
    period_ask: int = Field(default=1, ge=1, le=10, description="working day of the month to ask for last month")
    period_nudges: list[int] = Field(default_factory=lambda: [5, 3])  # as the validator orders a given list
    ongoing_monthly: int = Field(default=1, ge=1, le=10, description="working day of the month for 长期坚持 tasks")
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(8, 0)
    catch_up_grace_hours: int = Field(default=4, ge=0, le=72)
    after_end_days: int = Field(
        default=30, ge=0, le=366, description="days after the plan's end during which overdue reminders still go out"
    )
    digest_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")
    digest_at: dt.time = dt.time(9, 0)

    @field_validator("before", "period_nudges")
    @classmethod
    def _positive(cls, v: list[int]) -> list[int]:
        if any(n < 1 or n > 30 for n in v):
            raise PydanticCustomError("day_count", "working-day counts are between 1 and 30")
        return sorted(set(v), reverse=True)

    @model_validator(mode="after")
    def _not_at_night(self) -> ReminderSettings:
        for moment in (self.send_at, self.digest_at):
            if in_quiet_hours(moment, self.quiet_start, self.quiet_end):
                raise PydanticCustomError(
                    "quiet_hours",
                    "{moment} falls in the quiet hours {start}–{end}",
                    {
                        "moment": f"{moment:%H:%M}",
                        "start": f"{self.quiet_start:%H:%M}",
                        "end": f"{self.quiet_end:%H:%M}",
                    },
                )
        return self


def in_quiet_hours(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether a time of day falls in the quiet hours (which may run past midnight)."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


class CalendarDays(Strict):
    """The office's corrections to the official calendar: extra holidays and make-up working days."""

    holidays: list[dt.date] = Field(default_factory=list)
    workdays: list[dt.date] = Field(default_factory=list)


class Plan(Strict):
    """A whole plan file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,40}$")
    name: str
    issuer: str | None = None
    document: str | None = None
    issued: dt.date | None = None
    timezone: str = "Asia/Shanghai"
    start: dt.date
    end: dt.date
    evidence_due: dt.date | None = None
    office: Office | None = None
    max_points: Decimal = Decimal(100)
    bonus_points: Decimal = Decimal(0)
    units: list[Unit] = Field(min_length=1)
    groups: list[Group] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    leaders: list[Leader] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    gates: list[Gate] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    indicators: list[Indicator] = Field(min_length=1)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    calendar: CalendarDays = Field(default_factory=CalendarDays)
    notes: list[str] = Field(default_factory=list)


def check_value_text(spec: ValueSpec, text: str) -> str | None:
    """A reason why `text` is not a valid threshold for `spec`, or None."""
    try:
        spec.read(text, check_bounds=False)
    except ValueParseError as exc:
        return str(exc)
    return None


__all__ = [
    "CODE_RE",
    "AssessedRule",
    "Band",
    "BandsRule",
    "Condition",
    "CountRule",
    "DeductRule",
    "FractionRule",
    "Gate",
    "Group",
    "Indicator",
    "Item",
    "LeafRule",
    "LinearRule",
    "Periods",
    "PeriodicCheckRule",
    "Plan",
    "RankStepsRule",
    "Rule",
    "Section",
    "SumRule",
    "Task",
    "Unit",
    "ValueSpec",
    "YesNoRule",
]
