"""What the office can read off a stored plan: `duban score`, `duban reminders` and `duban digest`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli_errors import os_reason
from bot.cli_plans import loaded_plan
from bot.cli_voice import CliError, Voice, write_out
from config.i18n import MESSAGES
from config.values import plain
from models.database import Database
from models.reports import load_score_board
from models.scoring import display_points
from models.tables import utcnow
from reminders.chart import render_chart
from reminders.digest import compose_leader_digest
from reminders.listing import as_json as as_json_row
from reminders.listing import upcoming
from reminders.weekly import collect_digest


async def score(db: Database, plan_id: str, *, as_json: bool) -> int:
    """`duban score`: totals, gates and every reportable code's points."""
    plan = await loaded_plan(db, plan_id)
    async with db.session() as session:
        board = await load_score_board(session, plan)
    if not as_json:
        write_out(f"{plan.name}: {display_points(board.total)} / {plain(plan.max_points)}")
        for s in board.scores:
            points, most = display_points(s.points), plain(s.indicator.max)
            write_out(f"  {s.indicator.code:>6} {points:>6} / {most:<4} {s.indicator.name}")
        return 0
    doc = {
        "plan": plan.id,
        "total": plain(board.total),
        "max": plain(plan.max_points),
        "bonus_total": plain(board.bonus_total),
        "bonus_max": plain(plan.bonus_points),
        "gates": [{"code": g.code, "name": g.name, "met": g.met} for g in board.gates],
        "indicators": [
            {
                "code": s.indicator.code,
                "name": s.indicator.name,
                "points": plain(s.points),
                "max": plain(s.indicator.max),
                "bonus": s.indicator.bonus,
            }
            for s in board.scores
        ],
    }
    write_out(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0


def parse_now(text: str | None, zone: ZoneInfo) -> dt.datetime:
    """--now: an ISO time, read in the plan's zone when it carries none; default the real now."""
    if text is None:
        return utcnow()
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _kind_label(voice: Voice, kind: str, subject: str) -> str:
    """'任务 5 截止前提醒' for before_deadline; a kind the catalog does not know stays a code."""
    key = f"kind_{kind}"
    if key not in MESSAGES:
        return f"{kind} {subject}"
    label = voice.t(key, subject=subject)
    return label if "{subject}" in MESSAGES[key][0] else f"{label} {subject}"


async def reminders_cmd(
    db: Database, voice: Voice, plan_id: str, now_text: str | None, days: int, *, as_json: bool
) -> int:
    """`duban reminders`: the coming days' reminders, as the plan stands now."""
    plan = await loaded_plan(db, plan_id)
    zone = ZoneInfo(plan.timezone)
    now = parse_now(now_text, zone)
    async with db.session() as session:
        dues = await upcoming(session, plan, now, days)
    if as_json:
        write_out(json.dumps([as_json_row(d, zone) for d in dues], ensure_ascii=False, indent=2))
        return 0
    for due in dues:
        who = voice.t("role_leader") if due.to_leaders else due.unit
        write_out(f"{due.due_at.astimezone(zone):%Y-%m-%d %H:%M}  {who}  {_kind_label(voice, due.kind, due.subject)}")
    voice.out("cli_reminders_count", count=len(dues), days=days)
    return 0


def _write_chart(path: Path, image: bytes) -> None:
    """Missing folders are created: asking for reports/week.png should not fail for want of reports/."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image)


async def digest_cmd(
    db: Database, voice: Voice, plan_id: str, now_text: str | None, chart: str | None, lang: str
) -> int:
    """`duban digest`: the leaders' digest as it would be sent at --now (nothing is stored)."""
    plan = await loaded_plan(db, plan_id)
    now = parse_now(now_text, ZoneInfo(plan.timezone))
    async with db.session() as session:
        data = await collect_digest(session, plan, now)
    write_out(compose_leader_digest(data, lang))
    if chart:
        image = await asyncio.to_thread(render_chart, data)
        try:
            await asyncio.to_thread(_write_chart, Path(chart), image)
        except OSError as exc:
            key, params = os_reason(exc)
            raise CliError("cli_cannot_write", path=chart, reason=voice.t(key, **params)) from None
        voice.err("cli_chart_written", path=chart)
    return 0
