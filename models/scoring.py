"""The scoring engine: a plan's declarative rules applied to reported figures, in exact Decimal.

Pure functions, no database: given an indicator and its latest figure per (period, item), return
points clamped to [0, max], and say what would earn the points still missing. A sum's items are
clamped one by one or only as a total, as its `clamp` says. Points are kept exact (30/7 stays
4.2857…, to 28 significant digits) and only rounded for display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from config.plan_schema import (
    AssessedRule,
    BandsRule,
    CountRule,
    DeductRule,
    FractionRule,
    Indicator,
    Item,
    LeafRule,
    LinearRule,
    PeriodicCheckRule,
    RankStepsRule,
    SumRule,
    ValueSpec,
    YesNoRule,
)
from config.values import ValueType, format_value, plain

ZERO = Decimal(0)
Key = tuple[str | None, str | None]
"""A figure's place within an indicator: (period YYYY-MM or None, item name or None)."""


@dataclass(frozen=True)
class Hint:
    """What would earn missing points, as a message key and its display-ready parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def clamp(points: Decimal, maximum: Decimal) -> Decimal:
    """Points never fall below 0 nor rise above the maximum."""
    return max(ZERO, min(points, maximum))


def display_points(points: Decimal) -> str:
    """Points as the plan writes them: two places at most, no trailing zeros (4.8, 4.29, 20)."""
    return plain(points.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _rounded(points: Decimal, places: int | None) -> Decimal:
    if places is None:
        return points
    return points.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _steps(excess: Decimal, step: Decimal, rounding: str) -> Decimal:
    ratio = excess / step
    if rounding == "up":
        return ratio.to_integral_value(rounding=ROUND_CEILING)
    if rounding == "down":
        return ratio.to_integral_value(rounding=ROUND_FLOOR)
    return ratio


def _raw_points(rule: LeafRule, maximum: Decimal, values: Mapping[str | None, Decimal]) -> Decimal:
    """Points before any floor or cap: rewards minus penalties over the periods, or the rule's figure.

    Periodic checks, deductions and rank steps can fall below 0 here; whether that shortfall is cut
    off at the item or carried into its indicator's total is the caller's decision.
    """
    with localcontext() as ctx:
        ctx.prec = 28
        if isinstance(rule, PeriodicCheckRule):
            return sum(
                (rule.reward if rule.met.holds(v, rule.value) else -rule.penalty for v in values.values()),
                ZERO,
            )
        value = values.get(None)
        if value is None:
            return ZERO
        return _single(rule, maximum, value)


def leaf_points(rule: LeafRule, maximum: Decimal, values: Mapping[str | None, Decimal]) -> Decimal:
    """Points of one rule given its figures by period (None for a non-periodic figure), within [0, max]."""
    return clamp(_raw_points(rule, maximum, values), maximum)


def leaf_net(rule: LeafRule, maximum: Decimal, values: Mapping[str | None, Decimal]) -> Decimal:
    """Points of one rule capped at its maximum but not floored at 0.

    This is what an item adds under `clamp: indicator`: a missed month still costs its penalty when
    the item's own net is already at or below 0, because the floor belongs to the indicator.
    """
    return min(_raw_points(rule, maximum, values), maximum)


def _single(rule: LeafRule, maximum: Decimal, value: Decimal) -> Decimal:  # noqa: PLR0911
    if isinstance(rule, LinearRule):
        zero, full = (
            rule.value.read(rule.zero_at, check_bounds=False),
            rule.value.read(rule.full_at, check_bounds=False),
        )
        share = max(ZERO, min(Decimal(1), (value - zero) / (full - zero)))
        return _rounded(maximum * share, rule.round)
    if isinstance(rule, BandsRule):
        for band in rule.bands:
            if band.when.holds(value, rule.value):
                return band.points
        return rule.otherwise
    if isinstance(rule, RankStepsRule):
        if value <= rule.full_within:
            return maximum
        if value > rule.zero_beyond:
            return ZERO
        return maximum - rule.per_step * _steps(value - rule.full_within, rule.step, "up")
    if isinstance(rule, DeductRule):
        allowance = rule.value.read(rule.allowance, check_bounds=False)
        if value <= allowance:
            return maximum
        step = rule.value.read(rule.step, check_bounds=False)
        return maximum - rule.per * _steps(value - allowance, step, rule.rounding)
    if isinstance(rule, CountRule):
        return rule.per * value
    if isinstance(rule, FractionRule):
        return _rounded(maximum * value, rule.round)
    if isinstance(rule, YesNoRule):
        earned = (value != 0) == (rule.earns == "yes")
        return maximum if earned else ZERO
    if isinstance(rule, AssessedRule):
        return value
    raise TypeError(f"not a leaf rule: {rule!r}")  # pragma: no cover - PeriodicCheckRule handled above


def _item_values(indicator: Indicator, obs: Mapping[Key, Decimal], item: str | None) -> dict[str | None, Decimal]:
    """The figures of one item, keeping only periods the indicator has (None when it has none)."""
    months = set(indicator.periods.months()) if indicator.periods else {None}
    return {period: value for (period, name), value in obs.items() if name == item and period in months}


def _floored_items(indicator: Indicator) -> bool:
    """Whether each item of a sum is kept at or above 0 on its own (`clamp: items`, the default)."""
    return not (isinstance(indicator.rule, SumRule) and indicator.rule.clamp == "indicator")


def item_points(indicator: Indicator, obs: Mapping[Key, Decimal]) -> dict[str, Decimal]:
    """What each sub-item of a sum indicator adds to its total (empty for a single-rule indicator).

    The figures add up to the indicator's points before the indicator's own clamp, so `/score`
    can show them beside the total. Under `clamp: items` each is within [0, the item's max]; under
    `clamp: indicator` an item is capped at its max but may be negative (Dingtao 5: 及时率 missed in
    5 months and never met shows -1, and takes that from 合规率).
    """
    points = leaf_points if _floored_items(indicator) else leaf_net
    return {
        item.name: points(item.rule, item.max, _item_values(indicator, obs, item.name)) for item in indicator.items()
    }


def score_indicator(indicator: Indicator, obs: Mapping[Key, Decimal]) -> Decimal:
    """Points of an indicator from its latest figure per (period, item), within [0, max]."""
    if isinstance(indicator.rule, SumRule):
        return clamp(sum(item_points(indicator, obs).values(), ZERO), indicator.max)
    return leaf_points(indicator.rule, indicator.max, _item_values(indicator, obs, None))


def value_spec(indicator: Indicator, item: Item | None) -> ValueSpec:
    """The figure a report for this indicator (and item) must carry, with its bounds."""
    rule = item.rule if item is not None else indicator.rule
    assert not isinstance(rule, SumRule)
    spec = rule.value
    if isinstance(rule, AssessedRule):
        upper = item.max if item is not None else indicator.max
        return spec.model_copy(update={"max": plain(upper)})
    return spec


def find_item(indicator: Indicator, name: str) -> Item | None:
    """The sub-item called `name` (or an alias, or its 1-based number), if any."""
    items = indicator.items()
    if name.isdigit() and 1 <= int(name) <= len(items):
        return items[int(name) - 1]
    folded = name.casefold()
    return next((i for i in items if folded in (n.casefold() for n in i.names())), None)


# --- what would earn the rest -----------------------------------------------------------------


def _fmt(spec: ValueSpec, value: Decimal) -> str:
    return format_value(value, spec.type, unit=spec.unit)


def leaf_hints(
    rule: LeafRule,
    maximum: Decimal,
    values: Mapping[str | None, Decimal],
    periods: list[str],
    *,
    floored: bool = True,
) -> list[Hint]:
    """What this rule still offers, given its figures.

    `floored=False` is for an item of a `clamp: indicator` sum: its points are counted below 0, so
    what it lacks is measured from its net (a 2-point item with 3 deducted lacks 3, not 2).
    """
    got = leaf_points(rule, maximum, values) if floored else leaf_net(rule, maximum, values)
    if got >= maximum and not isinstance(rule, PeriodicCheckRule):
        return []
    if isinstance(rule, PeriodicCheckRule):
        return _periodic_hints(rule, values, periods, got, maximum)
    value = values.get(None)
    if value is None:
        return [Hint("hint_not_reported", {"max": display_points(maximum)})]
    missing = display_points(maximum - got)
    if isinstance(rule, LinearRule):
        return [
            Hint(
                "hint_linear",
                {
                    "target": _fmt(rule.value, rule.value.read(rule.full_at, check_bounds=False)),
                    "max": display_points(maximum),
                    "missing": missing,
                },
            )
        ]
    if isinstance(rule, BandsRule):
        better = [b for b in rule.bands if b.points > got]
        return [
            Hint(
                "hint_band",
                {
                    "op": b.when.op,
                    "target": _fmt(rule.value, b.when.threshold(rule.value)),
                    "points": display_points(b.points),
                },
            )
            for b in better[-1:]
        ]
    if isinstance(rule, RankStepsRule):
        return [Hint("hint_rank", {"target": plain(rule.full_within), "max": display_points(maximum)})]
    if isinstance(rule, DeductRule):
        return [
            Hint(
                "hint_deduct",
                {
                    "allowance": _fmt(rule.value, rule.value.read(rule.allowance, check_bounds=False)),
                    "per": display_points(rule.per),
                    "missing": missing,
                },
            )
        ]
    if isinstance(rule, CountRule):
        need = ((maximum - got) / rule.per).to_integral_value(rounding=ROUND_CEILING)
        return [Hint("hint_count", {"per": display_points(rule.per), "need": plain(need), "missing": missing})]
    if isinstance(rule, FractionRule):
        return [Hint("hint_fraction", {"max": display_points(maximum), "missing": missing})]
    if isinstance(rule, YesNoRule):
        return [Hint("hint_yes_no", {"answer": rule.earns, "max": display_points(maximum)})]
    return [Hint("hint_assessed", {"max": display_points(maximum), "missing": missing})]


def _periodic_hints(
    rule: PeriodicCheckRule, values: Mapping[str | None, Decimal], periods: list[str], got: Decimal, maximum: Decimal
) -> list[Hint]:
    hints: list[Hint] = []
    missed = sorted(p for p, v in values.items() if p is not None and not rule.met.holds(v, rule.value))
    unreported = [p for p in periods if p not in values]
    if missed:
        hints.append(
            Hint("hint_periods_missed", {"periods": ", ".join(missed), "penalty": display_points(rule.penalty)})
        )
    if unreported and got < maximum:
        hints.append(
            Hint(
                "hint_periods_open",
                {
                    "periods": _ranges(unreported),
                    "reward": display_points(rule.reward),
                    "target": f"{rule.met.op} {_fmt(rule.value, rule.met.threshold(rule.value))}",
                },
            )
        )
    return hints


def _ranges(periods: list[str]) -> str:
    """2022-01, 2022-02, 2022-03 -> '2022-01…2022-03' (consecutive months folded)."""
    if len(periods) <= 3:
        return ", ".join(periods)
    return f"{periods[0]}…{periods[-1]} ({len(periods)})"


def indicator_hints(indicator: Indicator, obs: Mapping[Key, Decimal]) -> list[tuple[str | None, Hint]]:
    """Hints for an indicator, each with the item it concerns (None for the whole indicator)."""
    periods = indicator.periods.months() if indicator.periods else []
    if isinstance(indicator.rule, SumRule):
        if score_indicator(indicator, obs) >= indicator.max:
            return []
        floored = _floored_items(indicator)
        return [
            (item.name, hint)
            for item in indicator.items()
            for hint in leaf_hints(
                item.rule, item.max, _item_values(indicator, obs, item.name), periods, floored=floored
            )
        ]
    return [(None, h) for h in leaf_hints(indicator.rule, indicator.max, _item_values(indicator, obs, None), periods)]


def value_type_of(indicator: Indicator, item: Item | None) -> ValueType:
    """The type of figure expected, for messages."""
    return value_spec(indicator, item).type
