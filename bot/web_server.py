"""`duban run`'s one HTTP server: the live page (/web/) and, when WeCom is configured, its callback
(/wecom/callback), on DUBAN_WEB_LISTEN. Once it listens, `Services.web` says where people reach it
(DUBAN_PUBLIC_URL, else the address it listens on), so /web links and buttons point there."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from aiohttp import web

from bot.web import Page, security_headers
from bot.web_live import LivePlans
from bot.web_signin import SignIn, WeComSignIn
from bot.wecom import MAX_BODY
from bot.wecom_app import RunningWeCom
from config.settings import Settings
from handlers.context import Services

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0
"""How long requests being answered may take to finish when the server stops."""


@dataclass
class RunningWeb:
    """The server while it runs."""

    runner: web.AppRunner
    page: Page
    address: str
    """Where it listens, as http://host:port."""


def listen_address(value: str) -> tuple[str, int]:
    """'127.0.0.1:8080' → ('127.0.0.1', 8080); ':8080' listens on 127.0.0.1."""
    host, _, port = value.rpartition(":")
    return host or "127.0.0.1", int(port)


def serves_page(settings: Settings) -> bool:
    """Whether `duban run` starts the server (DUBAN_WEB_LISTEN=off turns it off, unless WeCom needs it)."""
    return settings.web_listen.strip().lower() != "off" or settings.wecom


async def start_web(
    settings: Settings, services: Services, *, wecom: RunningWeCom | None = None, bot_token: str | None = None
) -> RunningWeb:
    """Listen on DUBAN_WEB_LISTEN (raises OSError when the address is taken)."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[security_headers])
    if wecom is not None:
        wecom.bridge.add_routes(app)
    page = Page(services, LivePlans(services))
    page.add_routes(app)
    oauth = WeComSignIn(wecom.bridge.api, settings.wecom_oauth_url) if wecom is not None else None
    SignIn(services, bot_token, oauth).add_routes(app)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=STOP_SECONDS)
    await runner.setup()
    listen = settings.web_listen if settings.web_listen.strip().lower() != "off" else "127.0.0.1:8080"
    host, port = listen_address(listen)
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError:
        await runner.cleanup()
        raise
    bound = runner.addresses[0][1]
    address = f"http://{host}:{bound}"
    services.web.base = (settings.public_url or address).rstrip("/")
    services.web.telegram_button = services.web.base.startswith("https://")
    log.info("live page at %s/web/ (listening on %s)", services.web.base, address)
    return RunningWeb(runner, page, address)


async def stop_web(running: RunningWeb) -> None:
    """Close the live streams, then stop taking requests and finish those being answered."""
    await running.page.close()
    with contextlib.suppress(asyncio.CancelledError):
        await running.runner.cleanup()
