"""Building, starting and stopping the python-telegram-bot Application (long polling or webhook)."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.telegram import AnyApp, TelegramBridge
from bot.telegram_commands import set_default_commands
from bot.telegram_limits import FloodLimiter
from config.settings import Settings
from handlers.context import Services


def _loopback(url: str) -> bool:
    return (urlparse(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def build_application(settings: Settings, *, limiter: FloodLimiter | None = None) -> AnyApp:
    """The python-telegram-bot Application for the configured Bot API server."""
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
        .rate_limiter(limiter or FloodLimiter())
        .build()
    )


async def start_telegram(settings: Settings, services: Services) -> tuple[AnyApp, TelegramBridge]:
    """Start the bot: handlers, command menus, then long polling or the webhook."""
    for noisy in ("httpx", "httpcore"):
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app = build_application(settings)
    bridge = TelegramBridge(services, app)
    bridge.install()
    await app.initialize()
    await set_default_commands(app.bot)
    if settings.telegram_webhook_url:
        secret = settings.telegram_secret_token.get_secret_value() if settings.telegram_secret_token else None
        path = urlparse(settings.telegram_webhook_url).path.lstrip("/")
        assert app.updater is not None
        await app.updater.start_webhook(
            listen=settings.telegram_listen,
            port=settings.telegram_port,
            url_path=path,
            webhook_url=settings.telegram_webhook_url,
            secret_token=secret,
        )
    else:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=settings.telegram_poll_timeout)
    await app.start()
    return app, bridge


async def stop_telegram(app: AnyApp) -> None:
    """Stop taking updates, let running handlers finish, close the connections."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
