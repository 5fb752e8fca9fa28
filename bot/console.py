"""The console transport: chat with Duban in a terminal, or pipe a script of messages through it.

Interactive (a terminal): a prompt per line. Piped: every line is one message, every reply is
printed, and it exits at the end of input. Buttons are shown numbered; typing the number presses it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from handlers.context import Services
from handlers.router import handle
from handlers.types import Button, Reply, Request
from models.people import bind_member, find_unit
from models.plans import get_plan

TRANSPORT = "console"


class ConsoleIdentityError(ValueError):
    """An --as value that names no role or unit of the plan."""


async def console_member(services: Services, plan_id: str, who: str) -> str:
    """Bind the console operator as `who` (admin, leader or unit:<name>) and return their user id.

    The console runs on the office's own machine with direct access to the database, so the
    operator chooses their role; chat transports bind only through invite codes.
    """
    async with services.db.session() as session:
        if await get_plan(session, plan_id) is None:
            raise ConsoleIdentityError(f"plan {plan_id!r} is not loaded (try: duban plan load {plan_id})")
        if who in ("admin", "leader"):
            role, unit_id = who, None
        elif who.startswith("unit:"):
            unit = await find_unit(session, plan_id, who.removeprefix("unit:"))
            if unit is None:
                raise ConsoleIdentityError(f"no unit {who.removeprefix('unit:')!r} in plan {plan_id}")
            role, unit_id = "liaison", unit.id
        else:
            raise ConsoleIdentityError("--as takes admin, leader or unit:<unit name>")
        await bind_member(
            session,
            plan_id=plan_id,
            transport=TRANSPORT,
            user_id=who,
            display_name=who,
            chat_id=who,
            role=role,
            unit_id=unit_id,
            now=services.clock(),
            via="console",
        )
    return who


def _prompt() -> str:
    """One line typed at a '> ' prompt, with line editing; '' at end of input (Ctrl-D)."""
    try:
        return input("> ") + "\n"
    except EOFError:
        return ""


def render(reply: Reply) -> tuple[str, list[Button]]:
    """A reply as plain text, with numbered buttons."""
    buttons = [b for row in reply.buttons for b in row]
    lines = [reply.text]
    if buttons:
        lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, 1)))
    return "\n".join(lines), buttons


async def run_console(
    services: Services,
    *,
    plan_id: str,
    user_id: str,
    stdin: TextIO | None = None,
    write: Callable[[str], None] = print,
) -> int:
    """Chat until end of input; returns the number of messages answered."""
    source = stdin or sys.stdin
    interactive = source.isatty()
    buttons: list[Button] = []
    answered = 0
    while True:
        line = await asyncio.to_thread(_prompt if interactive else source.readline)
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1].command
        if not interactive:
            write(f"> {text}")
        request = Request(
            transport=TRANSPORT,
            user_id=user_id,
            chat_id=user_id,
            text=text,
            display_name=user_id,
            message_id=str(answered + 1),
            plan_id=plan_id,
        )
        shown, buttons = render(await handle(services, request))
        write(shown)
        answered += 1
    return answered
