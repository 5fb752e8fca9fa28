"""Starting and stopping the WeCom self-built app: its API client and the callback's bridge. The
callback itself is served by `duban run`'s one HTTP server (`bot.web_server`), with the live page."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.redaction import hide_in_logs, show_in_logs
from bot.wecom import WeComBridge
from bot.wecom_api import WeComApp, quiet_httpx
from bot.wecom_crypto import WeComCrypto
from config.settings import Settings
from handlers.context import Services

log = logging.getLogger(__name__)


@dataclass
class RunningWeCom:
    """What `duban run` holds while WeCom runs."""

    bridge: WeComBridge
    secrets: tuple[str, ...]


def prepare_wecom(settings: Settings, services: Services) -> RunningWeCom:
    """The API client and the callback's bridge; the secrets are masked in every log from now on."""
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
    return RunningWeCom(WeComBridge(services, api, crypto), secrets)


async def stop_wecom(running: RunningWeCom) -> None:
    """Finish the callbacks being handled and close the client (after the server stopped taking them)."""
    await running.bridge.drain()
    await running.bridge.api.aclose()
    show_in_logs(*running.secrets)
