"""The console transport: chat with Duban in a terminal, or pipe a script of messages through it.

Interactive (a terminal): a prompt per line. Piped: every line is one message, every reply is
printed, and it exits at the end of input. Buttons are shown numbered; typing the number presses it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlmodel import col, select

from handlers.context import Services
from handlers.router import handle
from handlers.types import Button, Reply, Request
from models.people import bind_member, find_member, find_unit
from models.plans import get_plan
from models.tables import UnitRow
from reminders.outbound import Outgoing

TRANSPORT = "console"


class ConsoleTransport:
    """Reminders shown in the terminal as they fire, numbered so the operator can reply: '#3 text'.

    Each delivery goes to a console chat (the console member of a unit, a leader or the admin);
    replying by number answers as that recipient, the way the unit would in a chat app.
    """

    name = TRANSPORT

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write
        self.sent: dict[int, tuple[str, str]] = {}

    async def send(self, message: Outgoing) -> str:
        """Print the reminder with its number; the number is the message id."""
        number = len(self.sent) + 1
        self.sent[number] = (message.chat_id, str(number))
        actions = "  ".join(f"[{label}: {command}]" for label, command in message.actions)
        picture = f"  (chart: {len(message.image)} bytes)" if message.image else ""
        self.write(f"[#{number} → {message.recipient or message.chat_id}] {message.text}{picture}")
        if actions:
            self.write("  " + actions + f"  — reply: #{number} <text>")
        return str(number)

    def reply_target(self, text: str) -> tuple[str, str, str] | None:
        """'#3 done the first draft' -> (chat id, message id, text) of reminder 3, if it was shown."""
        head, _, rest = text.partition(" ")
        number = head[1:]
        if not head.startswith("#") or not number.isdigit() or int(number) not in self.sent:
            return None
        chat_id, message_id = self.sent[int(number)]
        return chat_id, message_id, rest.strip()


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


def save_picture(image: bytes) -> Path:
    """Keep a picture the console cannot show, and say where it is."""
    folder = Path("data") / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"chart-{len(list(folder.glob('*.png'))) + 1}.png"
    path.write_bytes(image)
    return path


async def bind_console_recipients(services: Services, plan_id: str) -> None:
    """With the console as the only chat, every unit and the leaders get a console chat, so every
    reminder is shown in the terminal and can be answered there."""
    async with services.db.session() as session:
        units = (
            await session.exec(select(UnitRow).where(UnitRow.plan_id == plan_id, col(UnitRow.is_group).is_(False)))
        ).all()
        for unit in units:
            if await find_member(session, plan_id, TRANSPORT, f"unit:{unit.name}") is None:
                await bind_member(
                    session,
                    plan_id=plan_id,
                    transport=TRANSPORT,
                    user_id=f"unit:{unit.name}",
                    display_name=unit.name,
                    chat_id=f"unit:{unit.name}",
                    role="liaison",
                    unit_id=unit.id,
                    now=services.clock(),
                    via="console run",
                )
        if await find_member(session, plan_id, TRANSPORT, "leader") is None:
            await bind_member(
                session,
                plan_id=plan_id,
                transport=TRANSPORT,
                user_id="leader",
                display_name="leader",
                chat_id="leader",
                role="leader",
                unit_id=None,
                now=services.clock(),
                via="console run",
            )


def _prompt() -> str:
    """One line typed at a '> ' prompt, with line editing; '' at end of input (Ctrl-D)."""
    try:
        return input("> ") + "\n"
    except EOFError:
        return ""


def render(reply: Reply) -> tuple[str, list[Button]]:
    """A reply as plain text, with numbered buttons; a picture is saved under ./data/charts."""
    buttons = [b for row in reply.buttons for b in row]
    lines = [reply.text]
    if reply.image:
        lines.append(f"(chart: {save_picture(reply.image)})")
    if buttons:
        lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, 1)))
    return "\n".join(lines), buttons


def _request(text: str, user_id: str, plan_id: str, answered: int, transport: ConsoleTransport | None) -> Request:
    """A typed line as a message; '#3 text' answers reminder 3 as the chat it went to."""
    target = transport.reply_target(text) if transport else None
    chat_id, reply_to, body = target if target else (user_id, None, text)
    return Request(
        transport=TRANSPORT,
        user_id=chat_id,
        chat_id=chat_id,
        text=body,
        display_name=chat_id,
        message_id=f"in-{answered + 1}",
        reply_to=reply_to,
        plan_id=plan_id,
    )


async def run_console(
    services: Services,
    *,
    plan_id: str,
    user_id: str,
    stdin: TextIO | None = None,
    write: Callable[[str], None] = print,
    transport: ConsoleTransport | None = None,
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
        shown, buttons = render(await handle(services, _request(text, user_id, plan_id, answered, transport)))
        write(shown)
        answered += 1
    return answered
