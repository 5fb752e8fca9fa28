"""Units as people name them: '民政局' finds '区民政局' when only one unit fits; /units lists them all."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.types import Button, Reply, UserError
from models.people import group_members
from models.people import plan_units as all_units
from models.tables import UnitRow

MAX_CHOICES = 8


def _names(row: UnitRow) -> list[str]:
    return [row.name, *(a for a in row.aliases.split("|") if a)]


def _matches(rows: list[UnitRow], word: str) -> list[UnitRow]:
    """Exact name or alias first; otherwise every unit one of whose names contains the word
    ('区民政局' typed as '民政局'). A longer word is never cut down: it may be a note."""
    exact = [r for r in rows if word in _names(r)]
    if exact:
        return exact
    if len(word) < 2:
        return []
    return [r for r in rows if any(word in n for n in _names(r))]


async def plan_units(ctx: Ctx, *, groups: bool = False) -> list[UnitRow]:
    """The plan's units (and groups, when asked), in plan order."""
    plan_row, _ = ctx.need_plan()
    return await all_units(ctx.session, plan_row.id, groups=groups)


async def resolve_unit(ctx: Ctx, word: str, *, command: str = "", groups: bool = False) -> UnitRow:
    """The one unit a word names, or a polite refusal: none fits, or several do (they are listed,
    and, when `command` is given, offered as buttons that repeat it with the full name)."""
    word = word.strip()
    found = _matches(await plan_units(ctx, groups=groups), word)
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError("unknown_unit", unit=word[:40])
    names = [r.name for r in found]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if command:
        choices = [Button(n, command.replace("{unit}", n)) for n in names[:MAX_CHOICES]]
        buttons = tuple(tuple(choices[i : i + 2]) for i in range(0, len(choices), 2))
    raise UserError("ambiguous_unit", unit=word[:40], units="、".join(names[:MAX_CHOICES]), buttons=buttons)


async def find_unit_word(ctx: Ctx, word: str, *, command: str = "") -> UnitRow | None:
    """The one unit a word names, or None when it names none (several: the refusal lists them)."""
    try:
        return await resolve_unit(ctx, word, command=command)
    except UserError as error:
        if error.key == "unknown_unit":
            return None
        raise


async def units(ctx: Ctx, args: str) -> Reply:
    """Lists the plan's units and its groups with their members: /units [name]."""
    ctx.need_member()
    rows = await plan_units(ctx, groups=True)
    word = args.strip()
    if word:
        rows = [await resolve_unit(ctx, word, groups=True)]
    members = await group_members(ctx.session, ctx.need_plan()[0].id)
    names = {r.id: r.name for r in await plan_units(ctx, groups=True)}
    plain_units = [r for r in rows if not r.is_group]
    groups = [r for r in rows if r.is_group]
    lines: list[str] = []
    if plain_units:
        lines.append(ctx.t("units_header", count=len(plain_units)))
        lines += ["  " + r.name + (f"（{ctx.t('aliases_word')}：{'、'.join(_names(r)[1:])}）" if r.aliases else "")
                  for r in plain_units]
    for group in groups:
        inside = [names[u] for u in members.get(group.id or 0, []) if u in names]
        lines.append(ctx.t("group_line", group=group.name, count=len(inside), units="、".join(inside)))
    return Reply("\n".join(lines))
