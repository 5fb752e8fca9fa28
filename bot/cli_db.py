"""`duban db upgrade` and `duban db current`: the database's schema revision, and bringing it to this
code's.

Every other command opens the database for work, which refuses a schema this code does not run on
(`bot.cli_errors.schema_refusal` says so in one line, naming what to do: `duban db upgrade`, or a
newer Duban).
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from bot.cli_errors import schema_refusal, unusable
from bot.cli_voice import CliError, Voice
from models.database import Database
from models.schema import BASELINE, AdoptionError, SchemaError, SchemaState, schema_status, upgrade_schema

_CURRENT = {
    SchemaState.CURRENT: "cli_db_current_head",
    SchemaState.BEHIND: "cli_db_current_behind",
    SchemaState.UNKNOWN: "cli_db_current_unknown",
    SchemaState.EMPTY: "cli_db_current_empty",
    SchemaState.LEGACY: "cli_db_current_legacy",
}


async def db_cmd(db: Database, voice: Voice, command: str, url: str) -> int:
    """`duban db <command>` on a database opened without the schema check: its first connection is
    made here, so a server that is down is said here, in one line, as for any other command."""
    try:
        if command == "upgrade":
            return await db_upgrade(db, voice, url)
        return await db_current(db, voice)
    except (OSError, SQLAlchemyError) as exc:
        raise unusable(exc, url, voice) from None


async def db_current(db: Database, voice: Voice) -> int:
    """The database's revision and whether it is this code's head (informational: status 0)."""
    status = await schema_status(db.engine)
    voice.out(_CURRENT[status.state], revision=status.revision or "", head=status.head)
    return 0


async def db_upgrade(db: Database, voice: Voice, url: str) -> int:
    """Bring the database to the head: create, upgrade or adopt it, and say which was done."""
    try:
        done = await upgrade_schema(db.engine)
    except SchemaError as error:
        raise schema_refusal(error, url) from None
    except AdoptionError as error:
        raise CliError("cli_schema_not_duban", url=url, columns=_listed(voice, error.missing)) from None
    head = done.after.head
    state = done.before.state
    if state is SchemaState.CURRENT:
        voice.out("cli_db_up_to_date", head=head)
    elif state is SchemaState.EMPTY:
        voice.out("cli_db_created", head=head)
    elif state is SchemaState.BEHIND:
        voice.out("cli_db_upgraded", revision=done.before.revision or "", head=head)
    else:
        voice.out("cli_db_adopted", baseline=BASELINE, head=head)
        if done.tables_added:
            voice.out("cli_db_adopted_tables", names=_listed(voice, done.tables_added))
        if done.columns_added:
            voice.out("cli_db_adopted_columns", names=_listed(voice, done.columns_added))
    return 0


def _listed(voice: Voice, names: tuple[str, ...] | list[str]) -> str:
    return ("、" if voice.lang == "zh" else ", ").join(names)
