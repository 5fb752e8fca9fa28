"""The `duban` command line: demo, console, plan list/check/load, invite, score, reminders, digest, run, db.

Every command takes `--db URL` (default: DATABASE_URL or sqlite:///data/duban.db). It speaks the
language of `DUBAN_LANG` (Chinese unless it says en), argparse's complaints included, and never
shows a traceback: a failure is one line and an exit status (2 for a wrong command line, 1 for
anything else that failed, 130 when stopped with Ctrl-C).

This module is the entry point and the dispatch; the parser is in `bot.cli_parser`, the commands in
`bot.cli_plans`, `bot.cli_run` and `bot.cli_reports`, how failures are said in `bot.cli_voice` and
`bot.cli_errors`, stopping in `bot.cli_stop`. Their public names are re-exported here.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import signal
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot.cli_db import db_cmd
from bot.cli_errors import check_url, db_reason, open_db, os_reason
from bot.cli_export import export_cmd
from bot.cli_parser import build_parser
from bot.cli_plans import check_file, plan_archive, plan_list, plan_load, read_plan
from bot.cli_reports import digest_cmd, parse_now, reminders_cmd, score
from bot.cli_run import DEMO_ID, DEMO_PLAN, console, demo, invite, run_cmd
from bot.cli_stop import Stop, to_the_end
from bot.cli_voice import CliError, Voice, interactive, language, write_err, write_out
from bot.cli_workbook import plan_import, template_cmd
from config.settings import Settings
from handlers.context import Services
from models.evidence_store import EvidenceStore
from models.tables import utcnow

__all__ = [
    "DEMO_ID",
    "DEMO_PLAN",
    "MAX_DAYS",
    "CliError",
    "Voice",
    "build_parser",
    "check_file",
    "console",
    "db_reason",
    "demo",
    "digest_cmd",
    "invite",
    "language",
    "main",
    "os_reason",
    "parse_now",
    "plan_archive",
    "plan_list",
    "plan_load",
    "read_plan",
    "reminders_cmd",
    "run_cmd",
    "score",
    "to_the_end",
]

log = logging.getLogger(__name__)

MAX_DAYS = 366


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
        if args.command == "plan" and args.plan_command == "template":
            return template_cmd(voice, args.out)
        return asyncio.run(_main(args, settings, voice))
    except CliError as error:
        if error.said is not None:
            write_err(error.said)
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
        check_url(url)
    now = getattr(args, "now", None)
    if now is not None:
        try:
            dt.datetime.fromisoformat(now)
        except ValueError:
            raise CliError("cli_arg_now", 2, value=now) from None
    days = getattr(args, "days", None)
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise CliError("cli_arg_days", 2, value=days)


def evidence_store(settings: Settings) -> EvidenceStore:
    """The evidence directory and size limit the settings name."""
    return EvidenceStore(settings.evidence_dir, settings.evidence_max_bytes)


async def _main(args: argparse.Namespace, settings: Settings, voice: Voice) -> int:
    """Open the database, run the command, close it: a signal stops the command, never the close."""
    stop = Stop()
    stop.install()
    try:
        url = args.db or settings.database_url
        check_url(url)
        db = await open_db(url, voice, create=args.command != "db")  # `db` commands take any schema
        try:
            services = Services(db=db, clock=utcnow, evidence=evidence_store(settings))
            return await _dispatch(args, services, settings, voice)
        finally:
            await to_the_end(db.close())
    except asyncio.CancelledError:
        if stop.signal is None:
            raise
        if interactive():
            write_out("")  # off the prompt's line
        voice.err("cli_stopped")
        return 130 if stop.signal == signal.SIGINT else 0


async def _dispatch(args: argparse.Namespace, services: Services, settings: Settings, voice: Voice) -> int:
    """The command argparse chose, with the arguments it takes (every command in one place)."""
    if args.command == "demo":
        return await demo(services, settings, voice)
    if args.command == "console":
        return await console(services, voice, args.plan, args.who)
    if args.command == "plan" and args.plan_command == "list":
        return await plan_list(services.db, voice)
    if args.command == "plan" and args.plan_command == "load":
        return await plan_load(services.db, voice, args.source)
    if args.command == "plan" and args.plan_command == "import":
        return await plan_import(services.db, voice, args.file, args.out)
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
    if args.command == "export":
        zip_path, lang = args.evidence_zip, args.lang or voice.lang
        return await export_cmd(
            services.db, services.evidence, voice, args.plan, out=args.out, evidence_zip=zip_path, lang=lang
        )
    if args.command == "run":
        return await run_cmd(services, settings, voice, args.plan, args.who)
    if args.command == "db":
        shown = make_url(args.db or settings.database_url).render_as_string(hide_password=True)
        return await db_cmd(services.db, voice, args.db_command, shown)
    raise AssertionError(args.command)  # pragma: no cover - argparse allows nothing else


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
