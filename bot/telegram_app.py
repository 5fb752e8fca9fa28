"""Building, starting and stopping the python-telegram-bot Application (long polling or webhook).

Starting is safe to leave unattended: Telegram unreachable is retried with a growing pause (one log
line per attempt, no traceback) until it answers or the command is stopped; a rejected token ends
with one line that does not show it; the token never appears in a log (`bot.redaction`); a webhook
never runs without a secret token (a random one is made for the run when none is configured).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.cli_errors import check_webhook_secret, token_rejected
from bot.poll_lock import PollingGuard, PollLock
from bot.redaction import hide_in_logs, show_in_logs
from bot.telegram import AnyApp, TelegramBridge
from bot.telegram_commands import set_default_commands
from bot.telegram_limits import FloodLimiter
from bot.telegram_updates import ChatOrderedUpdates
from config.settings import Settings
from handlers.context import Services

log = logging.getLogger(__name__)
HIDDEN = "duban_hidden_in_logs"
"""bot_data key: the secrets masked in logs while this application runs, shown again at stop."""
GUARD = "duban_polling_guard"
"""bot_data key: the `PollingGuard` that polls only while this instance holds the polling lock."""
BOOTSTRAP_RETRIES = 3
"""python-telegram-bot's own quiet retries of setWebhook/deleteWebhook when starting the updater
(right after the same call succeeded here; after these it logs a traceback and we retry it all)."""


@dataclass(frozen=True)
class Backoff:
    """The pauses between attempts to reach Telegram at start: doubling from `first` up to `cap`
    seconds. `sleep` is injected by tests, so they need not wait."""

    first: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)

    def delays(self) -> Iterator[float]:
        """1, 2, 4, … seconds, then `cap` for ever."""
        delay = self.first
        while True:
            yield delay
            delay = min(delay * 2, self.cap)


def _loopback(url: str) -> bool:
    return (urlparse(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def build_application(settings: Settings, *, limiter: FloodLimiter | None = None) -> AnyApp:
    """The python-telegram-bot Application for the configured Bot API server.

    Updates are handled concurrently, each chat's in order (`ChatOrderedUpdates`), and every
    request goes through the flood limiter, where replies pass reminder traffic (`FloodLimiter`),
    with this instance's share of the budget (`DUBAN_INSTANCES`).
    """
    assert settings.telegram_token is not None
    base = settings.telegram_base_url.rstrip("/")
    file_base = (settings.telegram_base_file_url or f"{base}/file/bot").rstrip("/")  # the token follows it
    # A local Bot API server is reached directly, not through HTTP(S)_PROXY from the environment.
    httpx_kwargs = {"trust_env": False} if _loopback(base) else {}
    return (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(f"{base}/bot")
        .base_file_url(file_base)
        .request(HTTPXRequest(connection_pool_size=32, httpx_kwargs=httpx_kwargs))
        .get_updates_request(HTTPXRequest(httpx_kwargs=httpx_kwargs))
        .rate_limiter(limiter or FloodLimiter(instances=settings.instances))
        .concurrent_updates(ChatOrderedUpdates())
        .build()
    )


def webhook_secret(settings: Settings) -> str | None:
    """The secret Telegram sends with every webhook request (the listener refuses requests without
    it): the configured one, checked, or a random one for this run. None for long polling."""
    if not settings.telegram_webhook_url:
        return None
    if settings.telegram_secret_token is not None:
        secret = settings.telegram_secret_token.get_secret_value()
        check_webhook_secret(secret)
        return secret
    log.warning("DUBAN_TELEGRAM_SECRET_TOKEN is not set: the webhook uses a random secret made for this run")
    return secrets.token_urlsafe(32)


async def start_telegram(
    settings: Settings, services: Services, *, backoff: Backoff | None = None, poll_lock: PollLock | None = None
) -> tuple[AnyApp, TelegramBridge]:
    """Start the bot: handlers, command menus, then long polling or the webhook.

    Until Telegram answers, every attempt is retried after a pause (`Backoff`); a rejected token is
    a `CliError` without the token. While the bot runs, the token and the webhook secret are masked
    in every log record; `stop_telegram` ends that. With `poll_lock` (several instances on one
    PostgreSQL database, `bot.poll_lock`), long polling runs only while this instance holds it;
    the bot sends either way.
    """
    for noisy in ("httpx", "httpcore"):
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger(noisy).setLevel(logging.WARNING)
    assert settings.telegram_token is not None
    secret = webhook_secret(settings)
    hidden = (settings.telegram_token.get_secret_value(), secret)
    hide_in_logs(*hidden)  # before building: python-telegram-bot logs its URLs (with the token) at DEBUG
    app: AnyApp | None = None
    lock = None if settings.telegram_webhook_url else poll_lock  # a webhook's updates go to any instance
    try:
        app = build_application(settings)
        app.bot_data[HIDDEN] = hidden
        bridge = TelegramBridge(services, app)
        bridge.install()
        await _reach(app, settings, secret, backoff or Backoff(), poll=lock is None)
        await app.start()
        if lock is not None:
            await _guard_polling(app, settings, lock)
    except BaseException:  # a rejected token, a stop while waiting for Telegram, anything else
        if app is not None:
            await _abandon(app)
        show_in_logs(*hidden)
        raise
    return app, bridge


async def _guard_polling(app: AnyApp, settings: Settings, lock: PollLock) -> None:
    """Poll now if the lock is free, then keep looking at it in the background (`PollingGuard`)."""
    guard = PollingGuard(lock, start=lambda: _start_polling(app, settings), stop=lambda: _stop_polling(app))
    app.bot_data[GUARD] = guard
    await guard.tick()
    guard.begin()


async def _reach(app: AnyApp, settings: Settings, secret: str | None, backoff: Backoff, *, poll: bool) -> None:
    """First contact (getMe, command menus, webhook set or removed, updates flowing), retried after
    network errors, 5xx answers and 429s with a growing pause, one log line per attempt."""
    delays = backoff.delays()
    attempt = 0
    while True:
        attempt += 1
        try:
            await _contact(app, settings, secret, poll=poll)
            return
        except InvalidToken:
            raise token_rejected() from None  # its message holds the token
        except BadRequest:  # a NetworkError in python-telegram-bot, but Telegram answered: no retry helps
            raise
        except (NetworkError, RetryAfter) as error:
            pause = max(next(delays), _retry_after(error))
            log.warning(
                "Telegram cannot be reached (attempt %d: %s); trying again in %.0f s", attempt, _why(error), pause
            )
        await backoff.sleep(pause)


async def _contact(app: AnyApp, settings: Settings, secret: str | None, *, poll: bool) -> None:
    """One attempt at everything that needs Telegram to start; each step can be repeated. Without
    `poll`, long polling is left to the `PollingGuard`."""
    await app.initialize()
    await set_default_commands(app.bot)
    assert app.updater is not None
    if settings.telegram_webhook_url:
        # Set here first, so that a failure is retried quietly by _reach; the updater sets it again.
        await app.bot.set_webhook(settings.telegram_webhook_url, secret_token=secret)
        await app.updater.start_webhook(
            listen=settings.telegram_listen,
            port=settings.telegram_port,
            url_path=urlparse(settings.telegram_webhook_url).path.lstrip("/"),
            webhook_url=settings.telegram_webhook_url,
            secret_token=secret,
            bootstrap_retries=BOOTSTRAP_RETRIES,
        )
    elif poll:
        await _start_polling(app, settings)


async def _start_polling(app: AnyApp, settings: Settings) -> None:
    """Long polling: no webhook may be set, then getUpdates in the background."""
    assert app.updater is not None
    await app.bot.delete_webhook()
    await app.updater.start_polling(
        poll_interval=0.0, timeout=settings.telegram_poll_timeout, bootstrap_retries=BOOTSTRAP_RETRIES
    )


async def _stop_polling(app: AnyApp) -> None:
    """End long polling (the poll in flight is cancelled, fetched updates confirmed); no-op if not polling."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()


def _retry_after(error: Exception) -> float:
    """Seconds Telegram asked us to wait (a 429 at start), else 0."""
    if not isinstance(error, RetryAfter):
        return 0.0
    wait = error.retry_after  # an int in PTB 22, a timedelta with PTB_TIMEDELTA (and in PTB 23)
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


def _why(error: Exception) -> str:
    """The failure in a few words for the log line (httpx's reason is in the message)."""
    return f"{type(error).__name__}: {error}"[:200]


async def _abandon(app: AnyApp) -> None:
    """Close what a failed start opened (the polling guard and its lock, the updater, the HTTP
    clients), so nothing is left half-open."""
    guard: PollingGuard | None = app.bot_data.pop(GUARD, None)
    if guard is not None:
        await guard.close()
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:  # a stop while the guard first looked at the lock
        await app.stop()
    await app.shutdown()  # does nothing when initialize never completed…
    await app.bot.shutdown()  # …but the bot's HTTP clients may be open: closed here (no-op if closed)


async def stop_telegram(app: AnyApp) -> None:
    """Stop taking updates, let running handlers finish, close the connections (and let the
    polling lock go, for another instance to poll)."""
    try:
        guard: PollingGuard | None = app.bot_data.pop(GUARD, None)
        if guard is not None:
            await guard.close()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
    finally:
        show_in_logs(*app.bot_data.pop(HIDDEN, ()))
