"""Files as the transports carry them: names safe on disk, and the console's files (a path at the
end of a typed line in, received documents kept in a folder).

A transport never fetches a file larger than the limit (`Services.evidence.max_bytes`, from
`DUBAN_EVIDENCE_MAX_MB`): it passes the announced size instead (`Attachment.declared_size`), and the
handler refuses it politely. A name someone else chose is never used as a path: `safe_name` keeps
only its last part, without anything a file system or a shell treats specially.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path, PurePath

from handlers.types import Attachment, Document

MAX_NAME_BYTES = 180
"""A saved file's name, in UTF-8 bytes (file systems take 255; room is left for '-2' and the like)."""

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_LAST_ARGUMENT = re.compile(r"^(?P<rest>.*?)(?:^|\s)(?P<last>\S+)$", re.S)
_QUOTES = {'"': '"', "'": "'", "”": "“", "」": "「", "』": "『"}
"""Closing quote → its opening quote, for a path typed in quotes (spaces in names)."""


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name safe to create in a folder of ours: its last part only, without control
    characters, separators or a leading dot, at most `MAX_NAME_BYTES` long (the extension kept)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", last).strip().lstrip(".").strip()
    if not cleaned:
        return fallback
    suffix = PurePath(cleaned).suffix
    if len(suffix) > 16:
        suffix = ""
    stem = cleaned[: len(cleaned) - len(suffix)] if suffix else cleaned
    while stem and len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem or fallback) + suffix


def save_document(folder: Path, document: Document) -> Path:
    """Write a received document under `folder` by its safe name, never over an existing file (a
    second '说明.pdf' becomes '说明-2.pdf'); where it went. Blocking: small files, the console only."""
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_name(document.name)
    suffix = PurePath(name).suffix
    stem = name[: len(name) - len(suffix)] if suffix else name
    for number in itertools.count(1):
        target = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            with target.open("xb") as out:  # exclusive: an existing file is never replaced
                out.write(document.data)
        except FileExistsError:
            continue
        return target
    raise AssertionError("unreachable")  # pragma: no cover


def split_path(line: str, cwd: Path | None = None) -> tuple[str, Path | None]:
    """The line without its last argument, and that argument as a file, when it names an existing
    regular file: `/evidence 4.1 说明 ./材料/说明.pdf`, `"~/我的 文件.pdf"`. Otherwise the line as it
    is and None.

    Unquoted, only an argument that looks like a path (a folder in it, `~`, or an extension) is
    tried, so `/task 5` stays a command even beside a file called 5.
    """
    text = line.rstrip()
    found = _last_argument(text)
    if found is None:
        return line, None
    rest, last, quoted = found
    if not last or not (quoted or _looks_like_path(last)):
        return line, None
    path = Path(last).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    try:
        regular = path.is_file()
    except OSError:  # a name too long, a folder we may not read
        regular = False
    return (rest.rstrip(), path) if regular else (line, None)


def _last_argument(text: str) -> tuple[str, str, bool] | None:
    """(what comes before, the last argument, whether it was quoted)."""
    opening = _QUOTES.get(text[-1:]) if len(text) >= 2 else None
    if opening is not None:
        start = text.rfind(opening, 0, len(text) - 1)
        if start >= 0 and (start == 0 or text[start - 1].isspace()):
            return text[:start], text[start + 1 : -1], True
    match = _LAST_ARGUMENT.match(text)
    return (match["rest"], match["last"], False) if match else None


def _looks_like_path(token: str) -> bool:
    if token.startswith("~") or "/" in token or "\\" in token:
        return True
    suffix = PurePath(token).suffix
    return any(char.isalpha() for char in suffix)


def read_attachment(path: Path, max_bytes: int) -> Attachment:
    """The file as an attachment named by its last part; over `max_bytes` only its size (never
    read). Blocking: run it in a worker thread."""
    size = path.stat().st_size
    if size > max_bytes:
        return Attachment(path.name, b"", declared_size=size)
    return Attachment(path.name, path.read_bytes())
