"""Why a database, a file or a connection cannot be used, said in the user's language.

The system, SQLAlchemy and the drivers explain failures in English (or not at all); these functions
find the cause underneath and name it by a catalog key, so the command line can say it in one line.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import socket
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.cli_voice import CliError, Voice
from models.database import ASYNC_DRIVERS, Database, DatabaseUrlError, open_database
from models.schema import SchemaError, SchemaState

log = logging.getLogger(__name__)

WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram accepts as a webhook's secret_token."""


def check_url(url: str) -> None:
    """A database URL SQLAlchemy can read, for a driver Duban has (a usage error, status 2, if not)."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise CliError("cli_db_bad_url", 2, url=url) from None
    if backend not in ASYNC_DRIVERS:
        raise CliError("cli_db_unsupported", 2, backend=backend)


async def open_db(url: str, voice: Voice, *, create: bool = True) -> Database:
    """The database, or one line saying why it cannot be used (server down, folder not writable, a
    schema this code does not run on…). `create=False`: the schema is neither checked nor created."""
    shown = make_url(url).render_as_string(hide_password=True)
    problem = _sqlite_problem(url)
    if problem is not None:
        raise CliError("cli_db_unusable", url=shown, reason=voice.t(problem))
    try:
        return await open_database(url, create=create)
    except SchemaError as exc:
        raise schema_refusal(exc, shown) from None
    except DatabaseUrlError:
        raise CliError("cli_db_bad_url", 2, url=shown) from None
    except ModuleNotFoundError as exc:  # a driver missing from the environment
        raise CliError("cli_db_unusable", url=shown, reason=voice.t("cli_db_driver", module=exc.name or "?")) from None
    except (OSError, SQLAlchemyError) as exc:
        raise unusable(exc, shown, voice) from None


_SCHEMA_REFUSALS = {
    SchemaState.BEHIND: "cli_schema_behind",
    SchemaState.LEGACY: "cli_schema_legacy",
    SchemaState.UNKNOWN: "cli_schema_unknown",
}


def schema_refusal(error: SchemaError, url: str) -> CliError:
    """A schema this code does not run on (status 1), and what to run: `duban db upgrade`, or a newer Duban."""
    status = error.status
    key = _SCHEMA_REFUSALS.get(status.state, "cli_schema_unknown")
    return CliError(key, url=url, revision=status.revision or "", head=status.head)


def unusable(exc: OSError | SQLAlchemyError, url: str, voice: Voice) -> CliError:
    """A database that failed us, said with the cause found underneath (status 1)."""
    log.debug("cannot use %s", url, exc_info=exc)
    key, params = db_reason(exc) if isinstance(exc, SQLAlchemyError) else os_reason(exc)
    return CliError("cli_db_unusable", url=url, reason=voice.t(key, **params))


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


def check_webhook_secret(secret: str) -> None:
    """A webhook secret Telegram accepts, or one line saying what it may contain (status 1, like
    other settings that are wrong: the command line itself was right)."""
    if not WEBHOOK_SECRET.fullmatch(secret):
        raise CliError("cli_telegram_secret_invalid", length=len(secret))


def token_rejected() -> CliError:
    """Telegram refused the bot token: said without the token (status 1, like a database that refuses
    the password)."""
    return CliError("cli_telegram_token_rejected")
