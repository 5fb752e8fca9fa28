"""Settings from the environment (or a .env file), built by the application at start, never at import.

`DATABASE_URL` (or `DUBAN_DATABASE_URL`) chooses the database; the default is a SQLite file under
./data, so Duban runs with no configuration at all.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
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
