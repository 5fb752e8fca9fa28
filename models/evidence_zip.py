"""The accepted evidence (佐证材料) bundled the way offices hand it to the assessors: one folder per code,
one per unit inside it, the files under the names their senders gave them, and an index (清单).

A sender's name only ever becomes the last part of a path inside the zip, after it is made safe (no
separators, no `..`, no control characters, bounded length, duplicates numbered); the bytes are read
only from the evidence store, by hash, and never from outside its root.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.i18n import translate
from models.evidence import EvidenceCell, Submission
from models.evidence_store import EvidenceStore
from models.ledger_data import local_time
from models.tables import Evidence, Member

FOLDER_CHARS = 60
FILE_CHARS = 80
_SEPARATORS = re.compile(r"[/\\]+")
_WINDOWS_BAD = re.compile(r'[<>:"|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_SAME_EXT = {"jpeg": "jpg", "tiff": "tif"}
_HIDDEN = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
"""Unicode categories never kept in a name: controls, invisible format marks (e.g. the right-to-left
override that disguises `exe.pdf`), private use, surrogates, line and paragraph separators."""

Decisions = Mapping[int, tuple[dt.datetime, str]]
"""When and by whom each accepted submission was accepted, by submission id."""


def safe_part(text: str, *, limit: int, fallback: str) -> str:
    """One path component from any text: separators, `..`, controls and characters Windows refuses
    are gone, leading and trailing dots and spaces trimmed, at most `limit` characters (the file's
    extension is kept when the stem is cut)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in _HIDDEN else c for c in text)
    parts = [p.strip() for p in _SEPARATORS.split(text)]
    name = "_".join(p for p in parts if p not in ("", ".", ".."))
    name = _WINDOWS_BAD.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)
    if _RESERVED.match(name):
        name = "_" + name
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 8:
            name = stem[: limit - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:limit].rstrip(" .")
    return name or fallback


def file_name(submission: Submission, fallback: str) -> str:
    """The sender's name, made safe, ending in the extension of what the file really is."""
    suffix = Path(submission.name).suffix.lower().lstrip(".")
    name = submission.name
    if _SAME_EXT.get(suffix, suffix) != submission.ext:
        name = f"{name}.{submission.ext}"
    return safe_part(name, limit=FILE_CHARS, fallback=f"{fallback}.{submission.ext}")


def _numbered(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`… before the extension: the first not taken (case-blind)."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}){dot}{ext}"
    taken.add(candidate.casefold())
    return candidate


@dataclass(frozen=True)
class Entry:
    """One accepted file and where it goes in the zip."""

    cell: EvidenceCell
    submission: Submission
    path: str


@dataclass
class ZipSummary:
    """What was bundled: the entries written, and files the store did not have (listed in the index)."""

    written: list[Entry] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)


def plan_entries(cells: Iterable[EvidenceCell], lang: str = "zh") -> list[Entry]:
    """Every accepted file of `cells` with its path in the zip: `<code> <name>/<unit>/<file name>`."""
    entries: list[Entry] = []
    taken: dict[str, set[str]] = {}
    fallback = translate(lang, "xl_ex_zip_file")
    for cell in cells:
        folder = safe_part(f"{cell.code} {cell.name}", limit=FOLDER_CHARS, fallback=fallback)
        unit = safe_part(cell.unit, limit=FOLDER_CHARS, fallback=str(cell.unit_id))
        for submission in cell.submissions:
            if submission.status != "accepted":
                continue
            place = f"{folder}/{unit}"
            name = _numbered(file_name(submission, fallback), taken.setdefault(place, set()))
            entries.append(Entry(cell, submission, f"{place}/{name}"))
    return entries


def _source(store: EvidenceStore, submission: Submission) -> Path | None:
    """The stored file, only if it lies inside the store's root (a symlink out of it is refused)."""
    try:
        path = store.path(submission.sha256, submission.ext).resolve()
    except ValueError:  # not a hash and extension the store could have written
        return None
    return path if path.is_relative_to(store.root.resolve()) and path.is_file() else None


def write_evidence_zip(
    cells: Iterable[EvidenceCell],
    store: EvidenceStore,
    out: BinaryIO,
    *,
    decisions: Decisions | None = None,
    zone: ZoneInfo | None = None,
    lang: str = "zh",
) -> ZipSummary:
    """Write the accepted files of `cells` and the index (清单.csv) as a zip to `out`.

    Blocking (it reads every file): call it in a worker thread. `decisions` (see `accepted_decisions`)
    fills the index's "accepted when, by whom"; times are shown in `zone` (the plan's).
    """
    summary = ZipSummary()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for entry in plan_entries(cells, lang):
            source = _source(store, entry.submission)
            if source is None:
                summary.missing.append(entry)
                continue
            bundle.write(source, entry.path)
            summary.written.append(entry)
        index = _index(summary, decisions or {}, zone or ZoneInfo("Asia/Shanghai"), lang)
        bundle.writestr(translate(lang, "xl_ex_zip_index_name"), index)
    return summary


def _index(summary: ZipSummary, decisions: Decisions, zone: ZoneInfo, lang: str) -> bytes:
    """The 清单: one line per accepted file (UTF-8 with a byte-order mark, so Excel reads Chinese)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([translate(lang, key) for key in _INDEX_HEADERS])
    missing = translate(lang, "xl_ex_zip_missing")
    for entry, found in [(e, True) for e in summary.written] + [(e, False) for e in summary.missing]:
        sub = entry.submission
        decided_at, decided_by = decisions.get(sub.id, (None, ""))
        writer.writerow(
            [
                entry.cell.code,
                entry.cell.name,
                entry.cell.unit,
                entry.path if found else missing,
                sub.name,
                sub.sha256,
                local_time(sub.at, zone),
                sub.by,
                local_time(decided_at, zone),
                decided_by,
            ]
        )
    return ("\ufeff" + text.getvalue()).encode("utf-8")


_INDEX_HEADERS = (
    "xl_col_code",
    "xl_col_name",
    "xl_col_unit",
    "xl_ex_zip_path",
    "xl_ex_original_name",
    "xl_ex_sha256",
    "xl_ex_submitted_at",
    "xl_ex_submitted_by",
    "xl_ex_accepted_at",
    "xl_ex_accepted_by",
)


async def accepted_decisions(
    session: AsyncSession, cells: Iterable[EvidenceCell]
) -> dict[int, tuple[dt.datetime, str]]:
    """When and by whom each accepted submission of `cells` was accepted (for the index)."""
    ids = [s.id for c in cells for s in c.submissions if s.status == "accepted"]
    if not ids:
        return {}
    statement = (
        select(Evidence.id, Evidence.decided_at, Member.display_name, Member.user_id)
        .join(Member, col(Member.id) == col(Evidence.decided_by), isouter=True)
        .where(col(Evidence.id).in_(ids))
    )
    return {
        evidence_id or 0: (decided_at, name or user or "")
        for evidence_id, decided_at, name, user in (await session.exec(statement)).all()
        if decided_at is not None
    }
