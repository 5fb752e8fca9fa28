"""The `duban` command line: demo, console, plan list/check/load, invite, score, reminders, digest, run.

Every command takes `--db URL` (default: DATABASE_URL or sqlite:///data/duban.db). It speaks the
language of `DUBAN_LANG` (Chinese unless it says en), argparse's complaints included, and never
shows a traceback: a failure is one line and an exit status (2 for a wrong command line, 1 for
anything else that failed, 130 when stopped with Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import errno
import json
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.console import ConsoleIdentityError, ConsoleTransport, bind_console_recipients, console_member, run_console
from bot.telegram import TelegramTransport, start_telegram, stop_telegram
from config.i18n import MESSAGES, translate
from config.plan_loader import (
    PlanFileError,
    PlanSourceError,
    load_plan_file,
    resolve_plan_source,
    shift_plan_years,
    shipped_plan_paths,
)
from config.plan_schema import Plan
from config.settings import Settings
from config.values import plain
from handlers.context import Services
from models.database import ASYNC_DRIVERS, Database, DatabaseUrlError, open_database
from models.people import create_invite, find_unit
from models.plans import PlanLoadError, get_plan, list_plans, load_plan, set_archived
from models.reports import load_score_board
from models.scoring import display_points
from models.tables import utcnow
from reminders.chart import render_chart
from reminders.digest import compose_leader_digest
from reminders.engine import JOB_DEFAULTS, ReminderEngine
from reminders.listing import as_json as as_json_row
from reminders.listing import upcoming
from reminders.outbound import Transport
from reminders.outbox import cancel_pending
from reminders.weekly import collect_digest

log = logging.getLogger(__name__)

DEMO_PLAN = "dingtao-2022"
DEMO_ID = "dingtao-demo"
MAX_DAYS = 366


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _interactive() -> bool:
    """Someone at a terminal (not a pipe, a file, or no stdin at all)."""
    return sys.stdin is not None and sys.stdin.isatty()


def language(value: str | None) -> str:
    """'en' for English ('en', 'EN', 'en_US'…); Chinese for anything else, the default."""
    return "en" if (value or "").strip().lower().startswith("en") else "zh"


@dataclass(frozen=True)
class Voice:
    """The command line's own sentences, in one language for the whole run."""

    lang: str

    def t(self, key: str, **params: Any) -> str:
        """A catalog sentence in this language."""
        return translate(self.lang, key, **params)

    def out(self, key: str, **params: Any) -> None:
        """Say it on stdout (what the command produces)."""
        _out(self.t(key, **params))

    def err(self, key: str, **params: Any) -> None:
        """Say it on stderr (errors and side remarks, so stdout stays clean for scripts)."""
        _err(self.t(key, **params))


class CliError(Exception):
    """A failure the user can do something about: one sentence (or the lines in `said`) and an exit status."""

    def __init__(self, key: str, status: int = 1, *, said: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.said = said
        self.params = params


# --- the argument parser, in the user's language ----------------------------------------------------

_ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^the following arguments are required: (?P<names>.+)$", "cli_arg_required"),
        (
            r"^argument (?P<name>\S+): invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.+)\)$",
            "cli_arg_choice",
        ),
        (r"^argument (?P<name>\S+): invalid int value: '(?P<value>.*)'$", "cli_arg_integer"),
        (r"^argument (?P<name>\S+): expected .*argument", "cli_arg_needs_value"),
        (r"^unrecognized arguments: (?P<args>.+)$", "cli_arg_unrecognized"),
        (r"^ambiguous option: (?P<option>\S+) could match (?P<matches>.+)$", "cli_arg_ambiguous"),
    )
)
_COMMAND_DESTS = ("command", "plan_command")


def _listed(text: str) -> str:
    """argparse's "'a', 'b'" (or "a, b") as 'a、b'."""
    names = re.findall(r"'([^']*)'", text) or [n.strip() for n in text.split(",")]
    return "、".join(names)


def _argparse_message(lang: str, message: str, commands: list[str]) -> str:
    """argparse's English complaint, said in Chinese (in English mode it stays as argparse wrote it)."""
    if lang == "en":
        return message
    command_names = (*_COMMAND_DESTS, translate(lang, "cli_meta_command"))
    for pattern, key in _ARGPARSE_ERRORS:
        found = pattern.search(message)
        if not found:
            continue
        params = found.groupdict()
        if key == "cli_arg_required" and params["names"] in command_names:
            return translate(lang, "cli_arg_command_missing", choices="、".join(commands))
        if key == "cli_arg_choice" and params["name"] in command_names:
            return translate(lang, "cli_arg_command_unknown", value=params["value"], choices="、".join(commands))
        if key == "cli_arg_choice":
            params["choices"] = _listed(params["choices"])
        return translate(lang, key, **params)
    return translate(lang, "cli_arg_invalid")


def _parser_class(lang: str) -> type[argparse.ArgumentParser]:
    """An ArgumentParser that writes its usage, help headings and errors in `lang`.

    Sub-parsers are made from the same class (argparse uses `type(parent)`), so they speak it too.
    """
    usage_prefix = translate(lang, "cli_usage_prefix")

    class Formatter(argparse.HelpFormatter):
        def add_usage(
            self,
            usage: str | None,
            actions: Iterable[argparse.Action],
            groups: Iterable[argparse._MutuallyExclusiveGroup],
            prefix: str | None = None,
        ) -> None:
            super().add_usage(usage, actions, groups, usage_prefix if prefix is None else prefix)

    class Parser(argparse.ArgumentParser):
        def __init__(self, prog: str | None = None, *, add_help: bool = True, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", Formatter)
            parents: list[argparse.ArgumentParser] = kwargs.pop("parents", [])
            super().__init__(prog, add_help=False, **kwargs)
            # Headings renamed before the parents' options are copied, so theirs join ours under one heading.
            self._positionals.title = translate(lang, "cli_positionals")
            self._optionals.title = translate(lang, "cli_options")
            if add_help:
                self.add_argument(
                    "-h", "--help", action="help", default=argparse.SUPPRESS, help=translate(lang, "cli_help_help")
                )
            for parent in parents:
                self._add_container_actions(parent)
                self._defaults.update(parent._defaults)

        def error(self, message: str) -> NoReturn:
            """One line saying what is wrong, and where the usage is: no usage dump, no English."""
            commands = [
                name
                for action in self._actions
                if isinstance(action, argparse._SubParsersAction)
                for name in action.choices
            ]
            said = _argparse_message(lang, message, commands)
            line = translate(lang, "cli_arg_error", prog=self.prog, message=said)
            self.exit(2, line + "\n" + translate(lang, "cli_arg_hint", prog=self.prog) + "\n")

    return Parser


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser (also used by tests to check the interface)."""

    def t(key: str) -> str:
        return translate(lang, key)

    parser_class = _parser_class(lang)
    parser = parser_class(prog="duban", description=t("cli_help_description"))
    common = parser_class(add_help=False)
    common.add_argument("--db", help=t("cli_help_db"))
    sub = parser.add_subparsers(dest="command", required=True, metavar=t("cli_meta_command"))

    def command(holder: Any, name: str, help_key: str, *, shared: bool = True) -> argparse.ArgumentParser:
        made: argparse.ArgumentParser = holder.add_parser(
            name, parents=[common] if shared else [], help=t(help_key), description=t(help_key)
        )
        return made

    command(sub, "demo", "cli_help_demo")
    console = command(sub, "console", "cli_help_console")
    console.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    console.add_argument("--as", dest="who", default="admin", help=t("cli_help_as"))

    plan = command(sub, "plan", "cli_help_plan", shared=False)
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar=t("cli_meta_command"))
    command(plan_sub, "list", "cli_help_plan_list")
    check = command(plan_sub, "check", "cli_help_plan_check")
    check.add_argument("file", metavar=t("cli_meta_source"), help=t("cli_help_source"))
    load = command(plan_sub, "load", "cli_help_plan_load")
    load.add_argument("source", metavar=t("cli_meta_source"), help=t("cli_help_source"))
    for name in ("archive", "unarchive"):
        archive = command(plan_sub, name, f"cli_help_plan_{name}")
        archive.add_argument("plan_id", metavar="ID", help=t("cli_help_plan_id"))

    invite = command(sub, "invite", "cli_help_invite")
    invite.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    invite.add_argument("target", metavar=t("cli_meta_target"), help=t("cli_help_target"))

    reminders = command(sub, "reminders", "cli_help_reminders")
    reminders.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    reminders.add_argument("--now", help=t("cli_help_now"))
    reminders.add_argument("--days", type=int, default=14, help=t("cli_help_days"))
    reminders.add_argument("--json", action="store_true", help=t("cli_help_json"))

    digest = command(sub, "digest", "cli_help_digest")
    digest.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    digest.add_argument("--now", help=t("cli_help_now"))
    digest.add_argument("--chart", help=t("cli_help_chart"))
    digest.add_argument("--lang", choices=["zh", "en"], help=t("cli_help_lang"))

    run = command(sub, "run", "cli_help_run")
    run.add_argument("--plan", help=t("cli_help_run_plan"))
    run.add_argument("--as", dest="who", default="admin", help=t("cli_help_as"))

    score = command(sub, "score", "cli_help_score")
    score.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    score.add_argument("--json", action="store_true", help=t("cli_help_json"))
    return parser


# --- the entry point ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `duban` command: a one-line message on any failure, never a traceback."""
    settings, broken = _settings()
    voice = Voice(language(settings.lang if settings else os.environ.get("DUBAN_LANG")))
    try:
        args = build_parser(voice.lang).parse_args(argv)
    except SystemExit as exit_:  # --help, or a wrong command line (already explained)
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        if settings is None:
            raise broken or CliError("cli_unexpected", kind="Settings")
        _check_arguments(args)
        if args.command == "plan" and args.plan_command == "check":
            return check_file(voice, args.file)
        return asyncio.run(_main(args, settings, voice))
    except CliError as error:
        if error.said is not None:
            _err(error.said)
        else:
            voice.err(error.key, **error.params)
        return error.status
    except KeyboardInterrupt:
        voice.err("cli_stopped")
        return 130
    except BrokenPipeError:  # `duban plan list | head -1`: the reader has gone; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:  # the last resort: one line; the traceback only in the debug log
        log.debug("duban %s failed", args.command, exc_info=True)
        voice.err("cli_unexpected", kind=type(error).__name__)
        return 1


def _settings() -> tuple[Settings | None, CliError | None]:
    """Settings from the environment and .env, or the error naming the settings that are wrong."""
    try:
        return Settings(), None
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        return None, CliError("cli_settings_invalid", fields=fields)


def _check_arguments(args: argparse.Namespace) -> None:
    """What argparse cannot check: the database URL, --now and --days (usage errors, status 2)."""
    url = getattr(args, "db", None)
    if url:
        _check_url(url)
    now = getattr(args, "now", None)
    if now is not None:
        try:
            dt.datetime.fromisoformat(now)
        except ValueError:
            raise CliError("cli_arg_now", 2, value=now) from None
    days = getattr(args, "days", None)
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise CliError("cli_arg_days", 2, value=days)


def _check_url(url: str) -> None:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise CliError("cli_db_bad_url", 2, url=url) from None
    if backend not in ASYNC_DRIVERS:
        raise CliError("cli_db_unsupported", 2, backend=backend)


class _Stop:
    """Ctrl-C (SIGINT) and SIGTERM cancel the command's task: its `finally` blocks run (sends in flight
    finish, the database closes) and the command exits with 130, or 0 for SIGTERM (a service stop)."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def install(self) -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._stop, sig, task)
            except (NotImplementedError, RuntimeError):  # not on this platform: asyncio.run's Ctrl-C remains
                return

    def _stop(self, sig: int, task: asyncio.Task[Any] | None) -> None:
        if self.signal is not None or task is None:
            return
        self.signal = sig
        task.cancel()
        # Should stopping hang, a second Ctrl-C interrupts at once (KeyboardInterrupt, status 130).
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)


async def _main(args: argparse.Namespace, settings: Settings, voice: Voice) -> int:
    stop = _Stop()
    stop.install()
    try:
        url = args.db or settings.database_url
        _check_url(url)
        db = await _open(url, voice)
        try:
            return await _dispatch(args, Services(db=db, clock=utcnow), settings, voice)
        finally:
            await to_the_end(db.close())
    except asyncio.CancelledError:
        if stop.signal is None:
            raise
        if _interactive():
            _out("")  # off the prompt's line
        voice.err("cli_stopped")
        return 130 if stop.signal == signal.SIGINT else 0


async def to_the_end(cleanup: Coroutine[Any, Any, None]) -> None:
    """Run a clean-up to its end even if Ctrl-C arrives meanwhile (the stop is then re-raised).

    A connection closed halfway would be logged by SQLAlchemy with a traceback.
    """
    running = asyncio.ensure_future(cleanup)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        await running
        raise


async def _open(url: str, voice: Voice) -> Database:
    """The database, or one line saying why it cannot be used (server down, folder not writable…)."""
    shown = make_url(url).render_as_string(hide_password=True)
    problem = _sqlite_problem(url)
    if problem is not None:
        raise CliError("cli_db_unusable", url=shown, reason=voice.t(problem))
    try:
        return await open_database(url)
    except DatabaseUrlError:
        raise CliError("cli_db_bad_url", 2, url=shown) from None
    except ModuleNotFoundError as exc:  # a driver missing from the environment
        raise CliError("cli_db_unusable", url=shown, reason=voice.t("cli_db_driver", module=exc.name or "?")) from None
    except (OSError, SQLAlchemyError) as exc:
        log.debug("cannot open %s", shown, exc_info=True)
        key, params = db_reason(exc) if isinstance(exc, SQLAlchemyError) else os_reason(exc)
        raise CliError("cli_db_unusable", url=shown, reason=voice.t(key, **params)) from None


def _sqlite_problem(url: str) -> str | None:
    """Why a SQLite file cannot be opened for writing, found before trying: a failed attempt leaves a
    driver thread behind that complains after the program has ended."""
    parsed = make_url(url)
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return None
    path = Path(name).expanduser()
    if path.is_dir():
        return "cli_os_is_dir"
    if path.exists() and not os.access(path, os.W_OK):
        return "cli_db_read_only"
    folder = next((p for p in path.parents if p.exists()), None)
    if folder is not None and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK) and not path.exists():
        return "cli_os_denied"
    return None


_OS_REASONS = {
    errno.EACCES: "cli_os_denied",
    errno.EPERM: "cli_os_denied",
    errno.ENOENT: "cli_os_missing",
    errno.EISDIR: "cli_os_is_dir",
    errno.ENOTDIR: "cli_os_not_dir",
    errno.EEXIST: "cli_os_exists",
    errno.EROFS: "cli_os_read_only",
    errno.ENOSPC: "cli_os_full",
    errno.ECONNREFUSED: "cli_os_refused",
    errno.ETIMEDOUT: "cli_os_timeout",
    errno.EHOSTUNREACH: "cli_os_unreachable",
    errno.ENETUNREACH: "cli_os_unreachable",
}


def os_reason(exc: OSError) -> tuple[str, dict[str, Any]]:
    """Why a file or connection failed, as a catalog key: the system's own text is English."""
    if isinstance(exc, socket.gaierror):
        return "cli_os_no_host", {}
    if isinstance(exc, TimeoutError) and exc.errno is None:
        return "cli_os_timeout", {}
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno], {}
    code = errno.errorcode.get(exc.errno or 0) or type(exc).__name__
    return "cli_os_other", {"code": code}


def db_reason(exc: SQLAlchemyError) -> tuple[str, dict[str, Any]]:
    """Why the database refused us, from the driver's error underneath SQLAlchemy's."""
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in ("28P01", "28000"):
        return "cli_db_auth", {}
    if state == "3D000":
        return "cli_db_no_database", {}
    if "unable to open database file" in str(exc):
        return "cli_db_sqlite_open", {}
    if "readonly database" in str(exc):
        return "cli_db_read_only", {}
    if isinstance(orig, OSError):
        return os_reason(orig)
    return "cli_db_other", {"kind": type(orig or exc).__name__}


async def _dispatch(args: argparse.Namespace, services: Services, settings: Settings, voice: Voice) -> int:
    if args.command == "demo":
        return await demo(services, voice)
    if args.command == "console":
        return await console(services, voice, args.plan, args.who)
    if args.command == "plan" and args.plan_command == "list":
        return await plan_list(services.db, voice)
    if args.command == "plan" and args.plan_command == "load":
        return await plan_load(services.db, voice, args.source)
    if args.command == "plan" and args.plan_command in ("archive", "unarchive"):
        return await plan_archive(services.db, voice, args.plan_id, archived=args.plan_command == "archive")
    if args.command == "invite":
        return await invite(services.db, voice, args.plan, args.target)
    if args.command == "score":
        return await score(services.db, args.plan, as_json=args.json)
    if args.command == "reminders":
        return await reminders_cmd(services.db, voice, args.plan, args.now, args.days, as_json=args.json)
    if args.command == "digest":
        return await digest_cmd(services.db, voice, args.plan, args.now, args.chart, args.lang or voice.lang)
    if args.command == "run":
        return await run_cmd(services, settings, voice, args.plan, args.who)
    raise AssertionError(args.command)  # pragma: no cover - argparse allows nothing else


# --- plan files -----------------------------------------------------------------------------------


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
    try:
        async with db.session() as session:
            result = await load_plan(session, plan, now=utcnow(), source=str(path), actor="cli")
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
        _out(f"  {plan_id}  {path}")
    async with db.session() as session:
        rows = await list_plans(session)
    voice.out("cli_plan_list_stored" if rows else "cli_plan_list_none")
    for row in rows:
        loaded = f"{row.loaded_at:%Y-%m-%d %H:%M}"
        voice.out("cli_plan_list_row", plan=row.id, name=row.name, start=row.start, end=row.end, loaded=loaded)
        if row.archived_at is not None:
            voice.out("cli_plan_list_archived", date=f"{row.archived_at:%Y-%m-%d}")
    return 0


async def _loaded_plan(db: Database, plan_id: str) -> Plan:
    async with db.session() as session:
        found = await get_plan(session, plan_id)
    if found is None:
        raise CliError("cli_plan_not_loaded", 2, plan=plan_id)
    return found[1]


# --- chatting -------------------------------------------------------------------------------------


async def _console_member(services: Services, plan_id: str, who: str) -> str:
    try:
        return await console_member(services, plan_id, who)
    except ConsoleIdentityError as exc:
        raise CliError(exc.key, 2, **exc.params) from None


async def console(services: Services, voice: Voice, plan_id: str, who: str) -> int:
    """`duban console`: chat in the terminal as admin, leader or a unit's liaison."""
    user_id = await _console_member(services, plan_id, who)
    if _interactive():
        voice.out("cli_console_greeting", plan=plan_id, who=who)
    await run_console(services, plan_id=plan_id, user_id=user_id, write=_out, lang=voice.lang)
    return 0


async def demo(services: Services, voice: Voice) -> int:
    """`duban demo`: the Dingtao plan, moved to this year, loaded once; then the console as admin."""
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
    return await console(services, voice, DEMO_ID, "admin")


async def invite(db: Database, voice: Voice, plan_id: str, target: str) -> int:
    """`duban invite`: a single-use code so the office's first admin can bind in any chat."""
    await _loaded_plan(db, plan_id)
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
    _out(code.code)
    voice.err("cli_invite_expiry", expires=f"{code.expires_at:%Y-%m-%d %H:%M}", code=code.code)
    return 0


async def score(db: Database, plan_id: str, *, as_json: bool) -> int:
    """`duban score`: totals, gates and every reportable code's points."""
    plan = await _loaded_plan(db, plan_id)
    async with db.session() as session:
        board = await load_score_board(session, plan)
    if not as_json:
        _out(f"{plan.name}: {display_points(board.total)} / {plain(plan.max_points)}")
        for s in board.scores:
            points, most = display_points(s.points), plain(s.indicator.max)
            _out(f"  {s.indicator.code:>6} {points:>6} / {most:<4} {s.indicator.name}")
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
    _out(json.dumps(doc, ensure_ascii=False, indent=2))
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
    plan = await _loaded_plan(db, plan_id)
    zone = ZoneInfo(plan.timezone)
    now = parse_now(now_text, zone)
    async with db.session() as session:
        dues = await upcoming(session, plan, now, days)
    if as_json:
        _out(json.dumps([as_json_row(d, zone) for d in dues], ensure_ascii=False, indent=2))
        return 0
    for due in dues:
        who = voice.t("role_leader") if due.to_leaders else due.unit
        _out(f"{due.due_at.astimezone(zone):%Y-%m-%d %H:%M}  {who}  {_kind_label(voice, due.kind, due.subject)}")
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
    plan = await _loaded_plan(db, plan_id)
    now = parse_now(now_text, ZoneInfo(plan.timezone))
    async with db.session() as session:
        data = await collect_digest(session, plan, now)
    _out(compose_leader_digest(data, lang))
    if chart:
        image = await asyncio.to_thread(render_chart, data)
        try:
            await asyncio.to_thread(_write_chart, Path(chart), image)
        except OSError as exc:
            key, params = os_reason(exc)
            raise CliError("cli_cannot_write", path=chart, reason=voice.t(key, **params)) from None
        voice.err("cli_chart_written", path=chart)
    return 0


async def run_cmd(services: Services, settings: Settings, voice: Voice, plan_id: str | None, who: str) -> int:
    """`duban run`: the reminder engine and the digests, with Telegram when configured, else the console."""
    async with services.db.session() as session:
        loaded = [row.id for row in await list_plans(session)]
    if plan_id is None and len(loaded) == 1:
        plan_id = loaded[0]
    telegram = settings.telegram_token is not None
    if plan_id is not None and plan_id not in loaded or (plan_id is None and not telegram):
        raise CliError("cli_run_needs_plan", 2, loaded=", ".join(loaded) or voice.t("cli_run_none_loaded"))
    console_chat = ConsoleTransport(write=_out, lang=voice.lang)
    transports: list[Transport] = []
    app = None
    if telegram:
        app, bridge = await start_telegram(settings, services)
        transports.append(TelegramTransport(bridge))
        mode = voice.t("cli_mode_webhook" if settings.telegram_webhook_url else "cli_mode_polling")
        voice.out("cli_run_telegram", bot=app.bot.username, mode=mode)
    elif plan_id is not None:
        await bind_console_recipients(services, plan_id)
        transports.append(console_chat)
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = ReminderEngine(services.db, services.clock, transports, scheduler=scheduler)
    await engine.start()
    try:
        if _interactive() and plan_id is not None:
            user_id = await _console_member(services, plan_id, who)
            voice.out("cli_run_console", plan=plan_id)
            await run_console(
                services, plan_id=plan_id, user_id=user_id, write=_out, transport=console_chat, lang=voice.lang
            )
        else:
            voice.out("cli_run_waiting")
            await asyncio.Event().wait()  # until SIGINT or SIGTERM cancels the command
    finally:
        await to_the_end(engine.shutdown())  # sends in flight finish; pending reminders wait in the outbox
        if app is not None:
            await to_the_end(stop_telegram(app))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
