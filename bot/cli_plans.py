"""`duban plan list/check/load/archive/unarchive`: plan files in, stored plans listed and archived."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli_errors import os_reason
from bot.cli_voice import CliError, Voice, write_out
from config.plan_loader import (
    PlanFileError,
    PlanSourceError,
    load_plan_file,
    resolve_plan_source,
    shipped_plan_paths,
)
from config.plan_schema import Plan
from config.values import plain
from models.database import Database
from models.plans import PlanLoadError, get_plan, list_plans, load_plan, set_archived
from models.tables import utcnow
from reminders.outbox import cancel_pending


def read_plan(voice: Voice, name: str) -> tuple[Path, Plan]:
    """The plan file a user named (a path or a shipped id), checked; CliError when it is unusable."""
    try:
        path = resolve_plan_source(name)
        return path, load_plan_file(path)
    except PlanSourceError as exc:
        raise CliError("cli_no_plan_file", 2, name=exc.name, shipped=", ".join(exc.shipped)) from None
    except PlanFileError as exc:
        raise CliError("cli_plan_errors", said=exc.render(voice.lang)) from None
    except OSError as exc:
        key, params = os_reason(exc)
        raise CliError("cli_cannot_read", 2, path=name, reason=voice.t(key, **params)) from None


def check_file(voice: Voice, name: str) -> int:
    """`duban plan check FILE`: every error with its line, or a summary of a valid plan."""
    _, plan = read_plan(voice, name)
    regular = sum((i.max for i in plan.indicators if not i.bonus), start=plan.max_points * 0)
    bonus = voice.t("cli_check_bonus", points=plain(plan.bonus_points)) if plan.bonus_points else ""
    voice.out(
        "cli_check_ok",
        name=name,
        plan=plan.id,
        units=len(plan.units),
        groups=len(plan.groups),
        tasks=len(plan.tasks),
        gates=len(plan.gates),
        indicators=len(plan.indicators),
        points=plain(regular),
        bonus=bonus,
    )
    return 0


_LOAD_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^unit (?P<unit>.+) is no longer in the plan", "cli_load_unit_kept"),
        (r"^task (?P<code>\S+): a unit with recorded progress", "cli_load_unit_has_progress"),
        (r"^task (?P<code>\S+) has recorded progress", "cli_load_task_has_progress"),
        (r"^indicator (?P<code>\S+) has reports", "cli_load_indicator_has_reports"),
    )
)


def _load_text(voice: Voice, text: str) -> str:
    """models.plans speaks English; say its known sentences in the user's language."""
    if voice.lang == "en":
        return text
    for pattern, key in _LOAD_REASONS:
        found = pattern.search(text)
        if found:
            return voice.t(key, **found.groupdict())
    return voice.t("cli_load_conflict")


async def plan_load(db: Database, voice: Voice, source: str) -> int:
    """`duban plan load FILE-or-ID`: store a plan, or bring a stored one up to date."""
    path, plan = read_plan(voice, source)
    return await store_plan(db, voice, plan, source=str(path))


async def store_plan(db: Database, voice: Voice, plan: Plan, *, source: str) -> int:
    """Store a checked plan as `plan load` does (also `plan import`), and say what was stored."""
    try:
        async with db.session() as session:
            result = await load_plan(session, plan, now=utcnow(), source=source, actor="cli")
    except PlanLoadError as exc:
        raise CliError("cli_load_refused", reason=_load_text(voice, str(exc))) from None
    voice.out(
        "cli_plan_loaded" if result.created else "cli_plan_updated",
        plan=result.plan_id,
        units=result.units,
        tasks=result.tasks,
        assignments=result.assignments,
        indicators=result.indicators,
        gates=result.gates,
    )
    for warning in result.warnings:
        voice.out("cli_load_warning", warning=_load_text(voice, warning))
    return 0


async def plan_archive(db: Database, voice: Voice, plan_id: str, *, archived: bool) -> int:
    """`duban plan archive ID`: the plan stays readable but sends nothing and takes no reports
    (`unarchive` brings it back)."""
    async with db.session() as session:
        row = await set_archived(session, plan_id, archived=archived, now=utcnow(), actor="cli")
        if row is None:
            raise CliError("cli_plan_not_loaded", 2, plan=plan_id)
        if archived:
            await cancel_pending(session, plan_id)
    voice.out("cli_plan_archived" if archived else "cli_plan_unarchived", plan=plan_id)
    return 0


async def plan_list(db: Database, voice: Voice) -> int:
    """`duban plan list`: shipped plan files and the plans stored in the database."""
    voice.out("cli_plan_list_shipped")
    for plan_id, path in shipped_plan_paths().items():
        write_out(f"  {plan_id}  {path}")
    async with db.session() as session:
        rows = await list_plans(session)
    voice.out("cli_plan_list_stored" if rows else "cli_plan_list_none")
    for row in rows:
        loaded = f"{row.loaded_at:%Y-%m-%d %H:%M}"
        voice.out("cli_plan_list_row", plan=row.id, name=row.name, start=row.start, end=row.end, loaded=loaded)
        if row.archived_at is not None:
            voice.out("cli_plan_list_archived", date=f"{row.archived_at:%Y-%m-%d}")
    return 0


async def loaded_plan(db: Database, plan_id: str) -> Plan:
    """A plan stored in the database, or a usage error naming the id that is not there."""
    async with db.session() as session:
        found = await get_plan(session, plan_id)
    if found is None:
        raise CliError("cli_plan_not_loaded", 2, plan=plan_id)
    return found[1]
