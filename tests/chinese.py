"""Checking that Chinese replies contain no English: every reply the tests produce in Chinese is
collected and searched for Latin-script words outside an allow-list (codes, commands, URLs, the
keywords a command takes)."""

from __future__ import annotations

import re

ALLOWED = {
    # the product's name and the language switch
    "Duban",
    "English",
    "zh",
    "en",
    # keywords commands take literally (/invite leader, /remind before 7,3,1, /holiday add …)
    "leader",
    "admin",
    "archive",
    "unarchive",
    "add",
    "workday",
    "remove",
    "before",
    "time",
    "escalate",
    "nudges",
    "quiet",
    "digest",
    "logout",
    # names of file formats and sizes (evidence files): proper names, written so in Chinese too
    "PDF",
    "OFD",
    "JPG",
    "JPEG",
    "PNG",
    "GIF",
    "BMP",
    "TIFF",
    "WebP",
    "HEIC",
    "Word",
    "Excel",
    "PowerPoint",
    "WPS",
    "ZIP",
    "OpenDocument",
    "KB",
    "MB",
    # date and time placeholders
    "YYYY",
    "MM",
    "DD",
    "HH",
}
_URL = re.compile(r"https?://\S+")
_COMMAND = re.compile(r"/[A-Za-z_]+(?:@\w+)?")
_INVITE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")
"""An invite code (eight letters and digits without 0/O, 1/I): data, not English."""
_WORD = re.compile(r"(?<![A-Za-z0-9_.:#-])[A-Za-z]{2,}(?![A-Za-z0-9_-])")
"""A Latin word that is not part of a code or an identifier (G1, dingtao-2022, in-3)."""

collected: list[tuple[str, str, frozenset[str]]] = []
"""(what was said, the Chinese reply, words the people in the test typed or are called) for the
running test; the conftest fixture checks and clears it."""


def latin_words(text: str, echoed: frozenset[str] = frozenset()) -> list[str]:
    """English words in a Chinese text, outside the allow-list and what people typed themselves
    (a reply may quote the user's words, and names of people are theirs)."""
    text = _COMMAND.sub(" ", _URL.sub(" ", text))
    return [w for w in _WORD.findall(text) if w not in ALLOWED and w not in echoed and not _INVITE.match(w)]


def collect(said: str, reply: str, *names: str) -> None:
    """Keep a Chinese reply for the end-of-test check."""
    echoed = frozenset(_WORD.findall(said)) | frozenset(w for n in names for w in _WORD.findall(n))
    collected.append((said, reply, echoed))
