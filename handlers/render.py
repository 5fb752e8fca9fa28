"""Shared pieces of replies: points as the plan writes them, and hints for missing points."""

from __future__ import annotations

from decimal import Decimal

from config.plan_schema import Indicator
from handlers.context import Ctx
from models.phrases import hint_words, person_words
from models.scoring import Hint, Key, display_points, indicator_hints

MAX_HINTS = 6


def points_text(points: Decimal) -> str:
    """4.2857… -> '4.29', 4.80 -> '4.8'."""
    return display_points(points)


def hint_text(ctx: Ctx, hint: Hint) -> str:
    """One hint in the speaker's language (the same words as the exported ledger's)."""
    return hint_words(ctx.lang, hint)


def hint_lines(ctx: Ctx, indicator: Indicator, obs: dict[Key, Decimal]) -> list[str]:
    """'What would earn the rest', one line per hint, at most a handful."""
    hints = indicator_hints(indicator, obs)
    if not hints:
        return [ctx.t("full_marks")]
    lines = [ctx.t("to_earn_more")]
    for item, hint in hints[:MAX_HINTS]:
        prefix = f"{item}: " if item else ""
        lines.append(f"  · {prefix}{hint_text(ctx, hint)}")
    if len(hints) > MAX_HINTS:
        lines.append("  · " + ctx.t("more_hints", count=len(hints) - MAX_HINTS))
    return lines


def person_label(ctx: Ctx, role: str, unit: str | None, display_name: str, transport: str) -> str:
    """Who did something, as people read it: the unit for a liaison, else the role; with the
    person's name when the chat service gave one (console identities are not names)."""
    return person_words(ctx.lang, role, unit, display_name, transport)
