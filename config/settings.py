"""Settings from the environment (or a .env file), built by the application at start, never at import.

`DATABASE_URL` (or `DUBAN_DATABASE_URL`) chooses the database; the default is a SQLite file under
./data, so Duban runs with no configuration at all.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/duban.db"


class Settings(BaseSettings):
    """Duban's configuration."""

    model_config = SettingsConfigDict(env_prefix="DUBAN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DUBAN_DATABASE_URL", "DATABASE_URL"),
    )
    timezone: str = "Asia/Shanghai"
    lang: str = "zh"
    claim_lease_seconds: float = Field(default=60, ge=1, le=3600)
    """How long an instance's claim on the reminders it is sending holds without being renewed (a
    third of it between renewals): also how soon another instance sends the rows of one that died."""

    evidence_dir: Path = Path("data/evidence")
    """Where evidence files (佐证材料) are kept, each once, under its content hash."""
    evidence_max_mb: int = Field(default=20, ge=1, le=2000)
    """The largest file accepted as evidence (20 MB: what a Telegram bot may download)."""

    @property
    def evidence_max_bytes(self) -> int:
        """`evidence_max_mb` in bytes."""
        return self.evidence_max_mb * 1024 * 1024

    instances: int = Field(default=1, ge=1, le=20)
    """How many `duban run` share this database and bot (PostgreSQL): each one keeps to 1/N of
    Telegram's overall and per-group flood budgets, so together they stay within them (at most 20:
    beyond, one message a minute per group and instance would already add up to more than 20)."""

    telegram_token: SecretStr | None = None
    """BotFather's token; setting it turns the Telegram transport on. Never logged."""
    telegram_base_url: str = "https://api.telegram.org"
    """The Bot API server (a self-hosted one, or a local one in tests); '/bot<token>' is added."""
    telegram_base_file_url: str | None = None
    """Where files are fetched, up to the token (e.g. 'https://host/file/bot'); default: base URL + '/file/bot'."""
    telegram_webhook_url: str | None = None
    """Public HTTPS URL Telegram posts updates to; unset means long polling."""
    telegram_poll_timeout: int = 10
    """Seconds a long-polling request waits for updates."""
    telegram_listen: str = "127.0.0.1"
    telegram_port: int = 8443
    telegram_secret_token: SecretStr | None = None
    """Checked on every webhook request (X-Telegram-Bot-Api-Secret-Token): 1-256 of A-Z a-z 0-9 _ -.
    Unset, the webhook gets a random one for each run (a webhook never runs without one)."""

    wecom_corp_id: str | None = None
    """The enterprise's corp id (我的企业 → 企业ID); with the agent id and secret it turns WeCom on."""
    wecom_agent_id: int | None = None
    """The self-built app's AgentId (应用管理 → 自建应用)."""
    wecom_secret: SecretStr | None = None
    """The app's Secret, for access tokens. Never logged."""
    wecom_token: SecretStr | None = None
    """The callback Token (接收消息 → API接收), for signatures. Never logged."""
    wecom_aes_key: SecretStr | None = None
    """The callback EncodingAESKey (43 characters). Never logged."""
    web_listen: str = Field(
        default="127.0.0.1:8080", validation_alias=AliasChoices("DUBAN_WEB_LISTEN", "DUBAN_WECOM_LISTEN", "web_listen")
    )
    """host:port of `duban run`'s HTTP server: the live page (/web/) and the WeCom callback
    (`/wecom/callback`), behind the office's reverse proxy. Port 0 takes a free port; 'off' serves no
    page (WeCom needs the server). DUBAN_WECOM_LISTEN, its older name, is read too."""
    public_url: str | None = None
    """The address people's browsers reach the server at (the proxy's, e.g. https://duban.example.gov.cn),
    for the page's links and WeCom's OAuth return; default: http://<DUBAN_WEB_LISTEN>. Telegram shows
    the page as a Mini App button only at an https address."""
    wecom_oauth_url: str = "https://open.weixin.qq.com/connect/oauth2/authorize"
    """WeCom's OAuth2 authorize page, where /web/wecom sends the browser (tests point it at a fake)."""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    """WeCom's API root (tests point it at a local server)."""
    wecom_leaders_robot: SecretStr | None = None
    """The leaders' group robot (its webhook URL or key): bound as the leaders' robot of every active
    plan when `duban run` starts (other robots are bound with /robot). Never logged."""

    @property
    def wecom(self) -> bool:
        """Whether the WeCom self-built app is configured (all five values)."""
        values = (self.wecom_corp_id, self.wecom_agent_id, self.wecom_secret, self.wecom_token, self.wecom_aes_key)
        return all(v is not None for v in values)
