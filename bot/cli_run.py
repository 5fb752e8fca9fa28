"""The commands that open a conversation with Duban: console, demo, run, and invite (a code to bind a chat)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli_plans import loaded_plan
from bot.cli_stop import to_the_end
from bot.cli_voice import CliError, Voice, interactive, write_out
from bot.console import ConsoleIdentityError, ConsoleTransport, bind_console_recipients, console_member, run_console
from bot.poll_lock import polling_lock
from bot.single_run import hold_sqlite_lock
from bot.telegram import AnyApp
from bot.telegram_app import start_telegram, stop_telegram
from bot.telegram_transport import TelegramTransport
from bot.web_server import RunningWeb, serves_page, start_web, stop_web
from bot.wecom import PATH as WECOM_PATH
from bot.wecom import WeComTransport
from bot.wecom_api import quiet_httpx
from bot.wecom_app import RunningWeCom, prepare_wecom, stop_wecom
from bot.wecom_robot import RobotSender, RobotTransport
from config.i18n import translate
from config.plan_loader import load_plan_file, shift_plan_years, shipped_plan_paths
from config.settings import Settings
from handlers.context import Services
from models.database import Database
from models.people import create_invite, find_unit
from models.plans import get_plan, list_plans, load_plan
from models.robots import LEADERS, bind_robot, plan_robots, robot_keys, webhook_key
from models.tables import utcnow
from reminders.engine import JOB_DEFAULTS, ReminderEngine
from reminders.guard import log_error
from reminders.outbound import Transport

DEMO_PLAN = "dingtao-2022"
DEMO_ID = "dingtao-demo"


async def console_identity(services: Services, plan_id: str, who: str) -> str:
    """The user id the console speaks as (`--as`), or a usage error saying who is unknown."""
    try:
        return await console_member(services, plan_id, who)
    except ConsoleIdentityError as exc:
        raise CliError(exc.key, 2, **exc.params) from None


async def console(services: Services, voice: Voice, plan_id: str, who: str) -> int:
    """`duban console`: chat in the terminal as admin, leader or a unit's liaison."""
    user_id = await console_identity(services, plan_id, who)
    if interactive():
        voice.out("cli_console_greeting", plan=plan_id, who=who)
    await run_console(services, plan_id=plan_id, user_id=user_id, write=write_out, lang=voice.lang)
    return 0


async def demo(services: Services, settings: Settings, voice: Voice) -> int:
    """`duban demo`: the Dingtao plan, moved to this year, loaded once; then the console as admin,
    with the live page served beside it (/web gives the link)."""
    async with services.db.session() as session:
        if await get_plan(session, DEMO_ID) is None:
            year = dt.datetime.now(dt.UTC).year
            source = shipped_plan_paths()[DEMO_PLAN]
            plan = shift_plan_years(
                load_plan_file(source), year, new_id=DEMO_ID, name_suffix=f"（演示：日期移至{year}年）"
            )
            await load_plan(session, plan, now=services.clock(), source=f"{source} (demo, {year})", actor="cli:demo")
            voice.out("cli_demo_loaded", plan=DEMO_ID, year=year)
    voice.out("cli_demo_try")
    page = await _serve(settings, services, None, voice)
    try:
        return await console(services, voice, DEMO_ID, "admin")
    finally:
        if page is not None:
            await to_the_end(stop_web(page))


async def invite(db: Database, voice: Voice, plan_id: str, target: str) -> int:
    """`duban invite`: a single-use code so the office's first admin can bind in any chat."""
    await loaded_plan(db, plan_id)
    async with db.session() as session:
        role, unit_id = (target, None) if target in ("admin", "leader") else ("liaison", None)
        if role == "liaison":
            unit = await find_unit(session, plan_id, target)
            if unit is None:
                raise CliError("cli_no_unit", 2, plan=plan_id, unit=target)
            unit_id = unit.id
        code = await create_invite(
            session, plan_id=plan_id, role=role, unit_id=unit_id, created_by=None, actor="cli", now=utcnow()
        )
    write_out(code.code)
    voice.err("cli_invite_expiry", expires=f"{code.expires_at:%Y-%m-%d %H:%M}", code=code.code)
    return 0


async def start_robots(services: Services, settings: Settings, voice: Voice) -> RobotTransport:
    """The group robots' transport, always running: a robot bound with /robot while Duban runs is
    reached without a restart, and a run with no robot bound never calls WeCom.

    DUBAN_WECOM_LEADERS_ROBOT becomes the leaders' robot of every active plan (bound again only when
    its key changed). Every bound key is masked in the logs from now on.
    """
    key = None
    if settings.wecom_leaders_robot is not None:
        try:
            key = webhook_key(settings.wecom_leaders_robot.get_secret_value())
        except ValueError:
            raise CliError("cli_bad_leaders_robot", 2) from None
    async with services.db.session() as session:
        if key is not None:
            await _bind_leaders_robot(session, key, services.clock())
        keys = await robot_keys(session)
    transport = RobotTransport(RobotSender(settings.wecom_api_base))
    transport.hide(*keys)
    quiet_httpx()
    if keys:
        voice.out("cli_run_robots", count=len(keys))
    return transport


async def _bind_leaders_robot(session: AsyncSession, key: str, now: dt.datetime) -> None:
    for row in await list_plans(session):
        bound = {m.unit_id: m.chat_id for m in await plan_robots(session, row.id)}
        if row.archived_at is None and bound.get(None) != key:
            name = translate("zh", "robot_name", who=translate("zh", "robot_leaders"))
            actor = f"settings:{LEADERS}"
            await bind_robot(session, plan_id=row.id, unit_id=None, key=key, name=name, actor=actor, now=now)


def engine_errors(app: AnyApp | None) -> Callable[[Exception], Awaitable[None]]:
    """Where the reminder engine's failures go: the bot's one error handler when Telegram runs (it
    logs them like a failed update), else the log."""
    if app is None:
        return log_error

    async def to_the_bot(error: Exception) -> None:
        await app.process_error(update=None, error=error)

    return to_the_bot


async def _serve(settings: Settings, services: Services, wecom: RunningWeCom | None, voice: Voice) -> RunningWeb | None:
    """The HTTP server (the live page, and WeCom's callback); without WeCom, an address that is taken
    costs only the page (said once), never the chat."""
    if not serves_page(settings):
        return None
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
    try:
        page = await start_web(settings, services, wecom=wecom, bot_token=token)
    except OSError as error:
        if wecom is not None:
            raise CliError("cli_web_taken", 1, listen=settings.web_listen, error=str(error)) from error
        voice.out("cli_web_taken_page", listen=settings.web_listen)
        return None
    voice.out("cli_run_page", url=f"{services.web.base}/web/")
    return page


async def run_cmd(services: Services, settings: Settings, voice: Voice, plan_id: str | None, who: str) -> int:
    """`duban run`: the reminder engine and the digests, with Telegram when configured, else the console."""
    hold_sqlite_lock(services.db)  # released by the operating system when this process ends
    async with services.db.session() as session:
        loaded = [row.id for row in await list_plans(session)]
    if plan_id is None and len(loaded) == 1:
        plan_id = loaded[0]
    telegram = settings.telegram_token is not None
    chat_service = telegram or settings.wecom
    if plan_id is not None and plan_id not in loaded or (plan_id is None and not chat_service):
        raise CliError("cli_run_needs_plan", 2, loaded=", ".join(loaded) or voice.t("cli_run_none_loaded"))
    robots = await start_robots(services, settings, voice)  # first: a bad setting stops before anything runs
    console_chat = ConsoleTransport(write=write_out, lang=voice.lang)
    transports: list[Transport] = []
    app = None
    wecom = prepare_wecom(settings, services) if settings.wecom else None
    page = await _serve(settings, services, wecom, voice)
    if telegram:
        # On PostgreSQL one instance at a time polls (bot.poll_lock); every instance sends.
        app, bridge = await start_telegram(settings, services, poll_lock=polling_lock(settings, services.db))
        transports.append(TelegramTransport(bridge))
        mode = voice.t("cli_mode_webhook" if settings.telegram_webhook_url else "cli_mode_polling")
        voice.out("cli_run_telegram", bot=app.bot.username, mode=mode)
    if wecom is not None and page is not None:
        transports.append(WeComTransport(wecom.bridge))
        voice.out("cli_run_wecom", address=page.address + WECOM_PATH)
    if not chat_service and plan_id is not None:
        await bind_console_recipients(services, plan_id)
        transports.append(console_chat)
    transports.append(robots)
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = ReminderEngine(
        services.db,
        services.clock,
        transports,
        scheduler=scheduler,
        on_error=engine_errors(app),
        files=services.evidence,
        lease=dt.timedelta(seconds=settings.claim_lease_seconds),
    )
    services.changes.subscribe(engine.wake)  # a command's change re-plans and sends at once
    await engine.start()
    try:
        if interactive() and plan_id is not None:
            user_id = await console_identity(services, plan_id, who)
            voice.out("cli_run_console", plan=plan_id)
            await run_console(
                services, plan_id=plan_id, user_id=user_id, write=write_out, transport=console_chat, lang=voice.lang
            )
        else:
            voice.out("cli_run_waiting")
            await asyncio.Event().wait()  # until SIGINT or SIGTERM cancels the command
    finally:
        await to_the_end(engine.shutdown())  # sends in flight finish; pending reminders wait in the outbox
        if app is not None:
            await to_the_end(stop_telegram(app))
        if page is not None:
            await to_the_end(stop_web(page))
        if wecom is not None:
            await to_the_end(stop_wecom(wecom))
        await to_the_end(robots.aclose())
    return 0
