"""The `duban` command line: demo, console, plan list/check/load, invite, score.

Every command takes `--db URL` (default: DATABASE_URL or sqlite:///data/duban.db).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.console import ConsoleIdentityError, ConsoleTransport, bind_console_recipients, console_member, run_console
from bot.telegram import TelegramTransport, start_telegram, stop_telegram
from config.plan_loader import PlanFileError, load_plan_file, resolve_plan_source, shift_plan_years, shipped_plan_paths
from config.plan_schema import Plan
from config.settings import Settings
from config.values import plain
from handlers.context import Services
from models.database import Database, DatabaseUrlError, open_database
from models.people import create_invite, find_unit
from models.plans import PlanLoadError, get_plan, list_plans, load_plan
from models.reports import load_score_board
from models.tables import utcnow
from reminders.chart import render_chart
from reminders.digest import compose_leader_digest
from reminders.engine import JOB_DEFAULTS, ReminderEngine
from reminders.listing import as_json as as_json_row
from reminders.listing import upcoming
from reminders.outbound import Transport
from reminders.weekly import collect_digest

DEMO_PLAN = "dingtao-2022"
DEMO_ID = "dingtao-demo"


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by tests to check the interface)."""
    parser = argparse.ArgumentParser(
        prog="duban", description="Duban (督办): runs a government work plan to completion."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///data/duban.db)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("demo", parents=[common], help="chat as the admin on the Dingtao plan, moved to this year")
    console = sub.add_parser("console", parents=[common], help="chat in the terminal")
    console.add_argument("--plan", required=True)
    console.add_argument("--as", dest="who", default="admin", help="admin, leader or unit:<unit name>")

    plan = sub.add_parser("plan", help="list, check or load plan files")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    plan_sub.add_parser("list", parents=[common], help="shipped plans and plans in the database")
    check = plan_sub.add_parser("check", parents=[common], help="validate a plan file")
    check.add_argument("file")
    load = plan_sub.add_parser("load", parents=[common], help="load a plan file (or a shipped plan id)")
    load.add_argument("source")

    invite = sub.add_parser("invite", parents=[common], help="print a single-use invite code")
    invite.add_argument("--plan", required=True)
    invite.add_argument("target", help="admin, leader or a unit name")

    reminders = sub.add_parser("reminders", parents=[common], help="what Duban will send in the coming days")
    reminders.add_argument("--plan", required=True)
    reminders.add_argument("--now", help="ISO time (plan time zone when none given); default: now")
    reminders.add_argument("--days", type=int, default=14)
    reminders.add_argument("--json", action="store_true")

    digest = sub.add_parser("digest", parents=[common], help="the digest that would be sent")
    digest.add_argument("--plan", required=True)
    digest.add_argument("--now", help="ISO time (plan time zone when none given); default: now")
    digest.add_argument("--chart", help="write the chart to this PNG file")
    digest.add_argument("--lang", default="zh", choices=["zh", "en"])

    run = sub.add_parser("run", parents=[common], help="start the reminder engine with the configured transports")
    run.add_argument("--plan", help="the plan the console works on (default: the only one loaded)")
    run.add_argument("--as", dest="who", default="admin", help="console identity: admin, leader or unit:<unit>")

    score = sub.add_parser("score", parents=[common], help="the plan's scores")
    score.add_argument("--plan", required=True)
    score.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `duban` command."""
    args = build_parser().parse_args(argv)
    if args.command == "plan" and args.plan_command == "check":
        return check_file(args.file)
    try:
        return asyncio.run(_main(args))
    except DatabaseUrlError as exc:
        _err(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130


def check_file(name: str) -> int:
    """`duban plan check FILE`: every error with its line, or a summary of a valid plan."""
    try:
        plan = load_plan_file(resolve_plan_source(name))
    except FileNotFoundError as exc:
        _err(f"error: {exc}")
        return 2
    except PlanFileError as exc:
        _err(str(exc))
        return 1
    regular = sum((i.max for i in plan.indicators if not i.bonus), start=plan.max_points * 0)
    _out(
        f"{name}: OK — plan {plan.id}: {len(plan.units)} units, {len(plan.groups)} groups, {len(plan.tasks)} tasks, "
        f"{len(plan.gates)} gates, {len(plan.indicators)} indicators worth {plain(regular)}"
        + (f" + {plain(plan.bonus_points)} bonus" if plan.bonus_points else "")
    )
    return 0


async def _main(args: argparse.Namespace) -> int:
    settings = Settings()
    db = await open_database(args.db or settings.database_url)
    services = Services(db=db, clock=utcnow)
    try:
        return await _dispatch(args, services)
    finally:
        await db.close()


async def _dispatch(args: argparse.Namespace, services: Services) -> int:
    if args.command == "demo":
        return await demo(services)
    if args.command == "console":
        return await console(services, args.plan, args.who)
    if args.command == "plan" and args.plan_command == "list":
        return await plan_list(services.db)
    if args.command == "plan" and args.plan_command == "load":
        return await plan_load(services.db, args.source)
    if args.command == "invite":
        return await invite(services.db, args.plan, args.target)
    if args.command == "score":
        return await score(services.db, args.plan, as_json=args.json)
    if args.command == "reminders":
        return await reminders_cmd(services.db, args.plan, args.now, args.days, as_json=args.json)
    if args.command == "digest":
        return await digest_cmd(services.db, args.plan, args.now, args.chart, args.lang)
    if args.command == "run":
        return await run_cmd(services, Settings(), args.plan, args.who)
    raise AssertionError(args.command)  # pragma: no cover - argparse allows nothing else


async def console(services: Services, plan_id: str, who: str) -> int:
    """`duban console`: chat in the terminal as admin, leader or a unit's liaison."""
    try:
        user_id = await console_member(services, plan_id, who)
    except ConsoleIdentityError as exc:
        _err(f"error: {exc}")
        return 2
    if sys.stdin.isatty():
        _out(f"Duban console — plan {plan_id}, as {who}. /help lists the commands; Ctrl-D quits.")
    await run_console(services, plan_id=plan_id, user_id=user_id, write=_out)
    return 0


async def demo(services: Services) -> int:
    """`duban demo`: the Dingtao plan, moved to this year, loaded once; then the console as admin."""
    async with services.db.session() as session:
        if await get_plan(session, DEMO_ID) is None:
            year = dt.datetime.now(dt.UTC).year
            source = shipped_plan_paths()[DEMO_PLAN]
            plan = shift_plan_years(
                load_plan_file(source), year, new_id=DEMO_ID, name_suffix=f"（演示：日期移至{year}年）"
            )
            await load_plan(session, plan, now=services.clock(), source=f"{source} (demo, {year})", actor="cli:demo")
            _out(f"Loaded the demo plan {DEMO_ID} (Dingtao 2022 moved to {year}).")
    _out("Try: /status  /tasks 逾期  /indicators  /report 3 0.45%  /report 11 8亿  /score 11  /help")
    return await console(services, DEMO_ID, "admin")


async def plan_list(db: Database) -> int:
    """`duban plan list`: shipped plan files and the plans stored in the database."""
    _out("Shipped plan files:")
    for plan_id, path in shipped_plan_paths().items():
        _out(f"  {plan_id}  {path}")
    async with db.session() as session:
        rows = await list_plans(session)
    _out("Plans in the database:" if rows else "No plans in the database yet (duban plan load <id>).")
    for row in rows:
        _out(f"  {row.id}  {row.name}  ({row.start} – {row.end}, loaded {row.loaded_at:%Y-%m-%d %H:%M} UTC)")
    return 0


async def plan_load(db: Database, source: str) -> int:
    """`duban plan load FILE-or-ID`: store a plan, or bring a stored one up to date."""
    try:
        path = resolve_plan_source(source)
        plan = load_plan_file(path)
        async with db.session() as session:
            result = await load_plan(session, plan, now=utcnow(), source=str(path), actor="cli")
    except FileNotFoundError as exc:
        _err(f"error: {exc}")
        return 2
    except (PlanFileError, PlanLoadError) as exc:
        _err(str(exc))
        return 1
    verb = "Loaded" if result.created else "Updated"
    _out(
        f"{verb} plan {result.plan_id}: {result.units} units, {result.tasks} tasks ({result.assignments} unit "
        f"assignments), {result.indicators} indicators, {result.gates} gates."
    )
    for warning in result.warnings:
        _out(f"  warning: {warning}")
    return 0


async def invite(db: Database, plan_id: str, target: str) -> int:
    """`duban invite`: a single-use code so the office's first admin can bind in any chat."""
    async with db.session() as session:
        if await get_plan(session, plan_id) is None:
            _err(f"error: plan {plan_id!r} is not loaded (duban plan load {plan_id})")
            return 2
        role, unit_id = (target, None) if target in ("admin", "leader") else ("liaison", None)
        if role == "liaison":
            unit = await find_unit(session, plan_id, target)
            if unit is None:
                _err(f"error: no unit {target!r} in plan {plan_id}")
                return 2
            unit_id = unit.id
        code = await create_invite(
            session, plan_id=plan_id, role=role, unit_id=unit_id, created_by=None, actor="cli", now=utcnow()
        )
    _out(code.code)
    _err(f"Single use, valid until {code.expires_at:%Y-%m-%d %H:%M} UTC. In the chat, send: /bind {code.code}")
    return 0


async def score(db: Database, plan_id: str, *, as_json: bool) -> int:
    """`duban score`: totals, gates and every reportable code's points."""
    async with db.session() as session:
        found = await get_plan(session, plan_id)
        if found is None:
            _err(f"error: plan {plan_id!r} is not loaded (duban plan load {plan_id})")
            return 2
        plan = found[1]
        board = await load_score_board(session, plan)
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
    if as_json:
        _out(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    from models.scoring import display_points

    _out(f"{plan.name}: {display_points(board.total)} / {plain(plan.max_points)}")
    for s in board.scores:
        _out(f"  {s.indicator.code:>6} {display_points(s.points):>6} / {plain(s.indicator.max):<4} {s.indicator.name}")
    return 0


def parse_now(text: str | None, zone: ZoneInfo) -> dt.datetime:
    """--now: an ISO time, read in the plan's zone when it carries none; default the real now."""
    if text is None:
        return utcnow()
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


async def _plan_or_error(db: Database, plan_id: str) -> Plan | None:
    async with db.session() as session:
        found = await get_plan(session, plan_id)
    if found is None:
        _err(f"error: plan {plan_id!r} is not loaded (duban plan load {plan_id})")
        return None
    return found[1]


async def reminders_cmd(db: Database, plan_id: str, now_text: str | None, days: int, *, as_json: bool) -> int:
    """`duban reminders`: the coming days' reminders, as the plan stands now."""
    plan = await _plan_or_error(db, plan_id)
    if plan is None:
        return 2
    zone = ZoneInfo(plan.timezone)
    now = parse_now(now_text, zone)
    async with db.session() as session:
        dues = await upcoming(session, plan, now, days)
    if as_json:
        _out(json.dumps([as_json_row(d, zone) for d in dues], ensure_ascii=False, indent=2))
        return 0
    for due in dues:
        who = "领导" if due.to_leaders else due.unit
        _out(f"{due.due_at.astimezone(zone):%Y-%m-%d %H:%M}  {due.kind:<16} {who}  {due.subject}")
    _out(f"{len(dues)} reminder(s) in the next {days} day(s).")
    return 0


async def digest_cmd(db: Database, plan_id: str, now_text: str | None, chart: str | None, lang: str) -> int:
    """`duban digest`: the leaders' digest as it would be sent at --now (nothing is stored)."""
    plan = await _plan_or_error(db, plan_id)
    if plan is None:
        return 2
    now = parse_now(now_text, ZoneInfo(plan.timezone))
    async with db.session() as session:
        data = await collect_digest(session, plan, now)
    _out(compose_leader_digest(data, lang))
    if chart:
        await asyncio.to_thread(Path(chart).write_bytes, render_chart(data))
        _err(f"chart written to {chart}")
    return 0


async def run_cmd(services: Services, settings: Settings, plan_id: str | None, who: str) -> int:
    """`duban run`: the reminder engine and the digests, with Telegram when configured, else the console."""
    async with services.db.session() as session:
        loaded = [row.id for row in await list_plans(session)]
    if plan_id is None and len(loaded) == 1:
        plan_id = loaded[0]
    telegram = settings.telegram_token is not None
    if plan_id is not None and plan_id not in loaded or (plan_id is None and not telegram):
        _err(
            "error: name a loaded plan with --plan (loaded: "
            + (", ".join(loaded) or "none; duban plan load <id>")
            + ")"
        )
        return 2
    console = ConsoleTransport(write=_out)
    transports: list[Transport] = []
    app = None
    if telegram:
        app, bridge = await start_telegram(settings, services)
        transports.append(TelegramTransport(bridge))
        mode = "webhook" if settings.telegram_webhook_url else "long polling"
        _out(f"Telegram: serving @{app.bot.username} via {mode}.")
    elif plan_id is not None:
        await bind_console_recipients(services, plan_id)
        transports.append(console)
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = ReminderEngine(services.db, services.clock, transports, scheduler=scheduler)
    await engine.start()
    try:
        if sys.stdin.isatty() and plan_id is not None:
            user_id = await console_member(services, plan_id, who)
            _out(f"Duban running — plan {plan_id}; reminders show as they fire, reply with #<n> <text>. Ctrl-D stops.")
            await run_console(services, plan_id=plan_id, user_id=user_id, write=_out, transport=console)
        else:
            _out("Duban running; Ctrl-C or SIGTERM stops.")
            await _until_stopped()
    finally:
        await engine.shutdown()
        if app is not None:
            await stop_telegram(app)
    return 0


async def _until_stopped() -> None:
    """Wait for SIGINT or SIGTERM; pending reminders stay in the outbox for the next start."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
