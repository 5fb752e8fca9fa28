"""How the command line speaks: its two output streams, its language, and the failures it reports.

Every sentence comes from the message catalog in one language for the whole run (`Voice`); a failure
the user can act on is a `CliError` carrying its catalog key and exit status, said once by `main`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from config.i18n import translate


def write_out(text: str) -> None:
    """A line on stdout, flushed at once (a pipe reader sees it before the command ends)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def write_err(text: str) -> None:
    """A line on stderr, flushed at once."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def interactive() -> bool:
    """Someone at a terminal (not a pipe, a file, or no stdin at all)."""
    return sys.stdin is not None and sys.stdin.isatty()


def language(value: str | None) -> str:
    """'en' for English ('en', 'EN', 'en_US'…); Chinese for anything else, the default."""
    return "en" if (value or "").strip().lower().startswith("en") else "zh"


@dataclass(frozen=True)
class Voice:
    """The command line's own sentences, in one language for the whole run."""

    lang: str

    def t(self, key: str, **params: Any) -> str:
        """A catalog sentence in this language."""
        return translate(self.lang, key, **params)

    def out(self, key: str, **params: Any) -> None:
        """Say it on stdout (what the command produces)."""
        write_out(self.t(key, **params))

    def err(self, key: str, **params: Any) -> None:
        """Say it on stderr (errors and side remarks, so stdout stays clean for scripts)."""
        write_err(self.t(key, **params))


class CliError(Exception):
    """A failure the user can do something about: one sentence (or the lines in `said`) and an exit status."""

    def __init__(self, key: str, status: int = 1, *, said: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.said = said
        self.params = params
