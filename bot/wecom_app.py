"""Starting and stopping the WeCom self-built app: its API client and the callback listener."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from bot.redaction import hide_in_logs, show_in_logs
from bot.wecom import PATH, WeComBridge
from bot.wecom_api import WeComApp, quiet_httpx
from bot.wecom_crypto import WeComCrypto
from config.settings import Settings
from handlers.context import Services

log = logging.getLogger(__name__)


@dataclass
class RunningWeCom:
    """What `duban run` holds while WeCom runs."""

    bridge: WeComBridge
    runner: web.AppRunner
    secrets: tuple[str, ...]
    address: str


def _listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host or "127.0.0.1", int(port)


async def start_wecom(settings: Settings, services: Services) -> RunningWeCom:
    """The API client and the callback on DUBAN_WECOM_LISTEN; the secrets are masked in every log."""
    assert settings.wecom_corp_id
    assert settings.wecom_agent_id is not None
    assert settings.wecom_secret
    assert settings.wecom_token
    assert settings.wecom_aes_key
    secrets = tuple(s.get_secret_value() for s in (settings.wecom_secret, settings.wecom_token, settings.wecom_aes_key))
    hide_in_logs(*secrets)
    quiet_httpx()
    api = WeComApp(settings.wecom_corp_id, settings.wecom_agent_id, secrets[0], settings.wecom_api_base)
    crypto = WeComCrypto(secrets[1], secrets[2], settings.wecom_corp_id)
    bridge = WeComBridge(services, api, crypto)
    runner = web.AppRunner(bridge.web_app(), access_log=None)
    await runner.setup()
    host, port = _listen(settings.wecom_listen)
    await web.TCPSite(runner, host, port).start()
    address = f"http://{host}:{port}{PATH}"
    log.info("WeCom callback listening on %s", address)
    return RunningWeCom(bridge, runner, secrets, address)


async def stop_wecom(running: RunningWeCom) -> None:
    """Stop taking callbacks, finish those being handled, close the client."""
    await running.runner.cleanup()
    await running.bridge.drain()
    await running.bridge.api.aclose()
    show_in_logs(*running.secrets)
