"""`duban export`: the ledger workbook (台账) and the accepted evidence, as files the office hands on.

Each file is written beside its destination under a temporary name and renamed into place, so a
failure (a full disk, Ctrl-C) never leaves half a workbook under the name the office asked for.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.cli_errors import os_reason
from bot.cli_voice import CliError, Voice
from models.database import Database
from models.evidence import completeness
from models.evidence_store import EvidenceStore
from models.evidence_zip import ZipSummary, accepted_decisions, write_evidence_zip
from models.ledger_export import export_workbook
from models.plans import get_plan
from models.tables import utcnow


async def export_cmd(
    db: Database,
    store: EvidenceStore,
    voice: Voice,
    plan_id: str,
    *,
    out: str | None,
    evidence_zip: str | None,
    lang: str,
) -> int:
    """`duban export --plan ID [--out FILE.xlsx] [--evidence-zip FILE.zip] [--lang zh|en]`."""
    if not out and not evidence_zip:
        raise CliError("xl_cli_export_nothing", 2)
    now = utcnow()
    async with db.session() as session:
        found = await get_plan(session, plan_id)
        if found is None:
            raise CliError("cli_plan_not_loaded", 2, plan=plan_id)
        plan_row, plan = found
        workbook = await export_workbook(session, plan_row, plan, now=now, lang=lang) if out else None
        cells = await completeness(session, plan) if evidence_zip else []
        decisions = await accepted_decisions(session, cells) if evidence_zip else {}
    if out and workbook is not None:
        await _write(voice, Path(out), lambda f: f.write(workbook))
        voice.out("xl_cli_export_written", path=out, sheets=len(load_workbook(Path(out), read_only=True).sheetnames))
    if evidence_zip:
        summary = ZipSummary()

        def bundle(f: BinaryIO) -> None:
            nonlocal summary
            summary = write_evidence_zip(cells, store, f, decisions=decisions, zone=ZoneInfo(plan.timezone), lang=lang)

        await _write(voice, Path(evidence_zip), bundle)
        voice.out("xl_cli_zip_written", path=evidence_zip, files=len(summary.written))
        if summary.missing:
            voice.err("xl_cli_zip_missing", count=len(summary.missing), dir=str(store.root))
    return 0


async def _write(voice: Voice, path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Write a file in a worker thread, missing folders created; a failure is one line (status 1)."""
    try:
        await asyncio.to_thread(_write_atomically, path, fill)
    except OSError as exc:
        key, params = os_reason(exc)
        raise CliError("cli_cannot_write", path=str(path), reason=voice.t(key, **params)) from None


def _write_atomically(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with temporary.open("xb") as f:
            fill(f)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
