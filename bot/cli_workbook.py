"""`duban plan import FILE.xlsx` and `duban plan template --out FILE.xlsx`: the plan as an Excel ledger.

An import either stores the whole plan (exactly as `duban plan load` does) or nothing: every row it
cannot read is listed with its sheet, row and column, and the exit status is 1.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.cli_errors import os_reason
from bot.cli_plans import store_plan
from bot.cli_voice import CliError, Voice
from config.plan_workbook import read_plan, write_template
from config.plan_yaml import plan_yaml
from models.database import Database


def open_workbook(voice: Voice, source: str) -> Workbook:
    """The workbook at `source` (cached values of formulas), or one line saying why it cannot be read."""
    try:
        return load_workbook(Path(source), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError):
        raise CliError("xl_cli_not_xlsx", path=source) from None
    except OSError as exc:
        key, params = os_reason(exc)
        raise CliError("cli_cannot_read", 2, path=source, reason=voice.t(key, **params)) from None


async def plan_import(db: Database, voice: Voice, source: str, out: str | None) -> int:
    """`duban plan import FILE.xlsx [--out PLAN.yaml]`: every problem, or the plan stored (and written)."""
    plan, problems = read_plan(open_workbook(voice, source))
    if plan is None:
        head = voice.t("cli_plan_errors", source=source, count=len(problems))
        raise CliError("cli_plan_errors", said="\n".join([head, *(f"  {p.render(voice.lang)}" for p in problems)]))
    status = await store_plan(db, voice, plan, source=source)
    if out is not None:
        _write(voice, Path(out), lambda path: path.write_text(plan_yaml(plan), encoding="utf-8"))
        voice.out("xl_cli_yaml_written", path=out)
    return status


def template_cmd(voice: Voice, out: str) -> int:
    """`duban plan template --out FILE.xlsx`: the empty ledger in the command line's language."""
    wb = Workbook()
    write_template(wb, voice.lang)
    _write(voice, Path(out), wb.save)
    voice.out("xl_cli_template_written", path=out, sheets=len(wb.sheetnames))
    return 0


def _write(voice: Voice, path: Path, save: Callable[[Path], object]) -> None:
    """Write a file, creating missing folders; one line when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(path)
    except OSError as exc:
        key, params = os_reason(exc)
        raise CliError("cli_cannot_write", path=str(path), reason=voice.t(key, **params)) from None
