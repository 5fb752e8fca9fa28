"""The command line's sentences (`duban …`), in Simplified Chinese (the default) and English.

Merged into `config.i18n.MESSAGES`; every key starts with `cli_`.
"""

from __future__ import annotations

CLI_MESSAGES: dict[str, tuple[str, str]] = {}
