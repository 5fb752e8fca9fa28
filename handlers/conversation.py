"""What every chat transport asks of Duban, one call per flow, whatever its wire format.

A transport (Telegram, WeCom, the console) only translates its service's updates into a neutral
`Request` and renders what comes back. Everything else lives here, once: answering a message,
deciding whether the chat's command menu changed, button data that fits the service's limit (long
commands under a stored code that survives a restart), pressing a button, following a chat that
moved to a new id, and the role a chat's menu should show.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace

from handlers.context import Services
from handlers.router import handle
from handlers.types import Button, Reply, Request
from models.button_codes import code_for, command_for, is_code, keep_codes
from models.people import members_on_chat, move_chat
from models.tables import Identity
from reminders.replies import last_delivered

log = logging.getLogger(__name__)
MENU_COMMANDS = ("/bind", "/start", "/lang")
"""Commands after which a chat's role or language may differ, and with them its command menu."""
ROLES_WIDEST_FIRST = ("admin", "leader", "liaison")


@dataclass(frozen=True)
class Answer:
    """A reply, and what the transport should do besides sending it."""

    reply: Reply
    menu_changed: bool = False
    """The chat's role or language may have changed: refresh its command menu (if the service has one)."""
    settles_message: bool = False
    """A progress button was recorded: the transport may edit the pressed message (or card) to show it."""


def command_name(text: str) -> str:
    """'/Bind@duban_bot 123' → '/bind'."""
    head = text.split(maxsplit=1)[0] if text.strip() else ""
    return head.split("@", 1)[0].lower()


class Conversation:
    """Duban as one chat service's users meet it; `limit` is the service's button data size in bytes."""

    def __init__(self, services: Services, transport: str, *, limit: int) -> None:
        self.services = services
        self.transport = transport
        self.limit = limit

    async def message(self, request: Request, *, reply_to_last: bool = False) -> Answer:
        """A message in, one answer out (a refusal is an answer too).

        `reply_to_last`: the service has no replies (WeCom), so a message without a command answers
        the last reminder this chat received, as a reply would on Telegram.
        """
        if reply_to_last and request.reply_to is None and not request.text.startswith("/"):
            async with self.services.db.session() as session:
                request = replace(request, reply_to=await last_delivered(session, self.transport, request.chat_id))
        reply = await handle(self.services, request)
        return Answer(reply, menu_changed=reply.ok and command_name(request.text) in MENU_COMMANDS)

    async def press(self, request: Request, data: str) -> Answer | None:
        """A pressed button: its command said by the presser; None when the button has expired."""
        command = await self.command_for(data)
        if command is None:
            return None
        answer = await self.message(replace(request, text=command))
        settles = answer.reply.ok and command_name(command) == "/progress"
        return Answer(answer.reply, answer.menu_changed, settles_message=settles)

    def data_for(self, command: str) -> str:
        """A button's data: the command itself when it fits, else its stored code (see `keep`)."""
        return command if len(command.encode()) <= self.limit else code_for(command)

    async def keep(self, commands: Iterable[str]) -> None:
        """Store the codes of the commands that do not fit, before the buttons go out."""
        long = sorted({c for c in commands if len(c.encode()) > self.limit})
        if long:
            async with self.services.db.session() as session:
                await keep_codes(session, long, self.services.clock())

    async def buttons(self, rows: tuple[tuple[Button, ...], ...]) -> list[list[tuple[str, str]]]:
        """Rows of (label, data), codes stored: what a transport renders as its buttons."""
        await self.keep(b.command for row in rows for b in row)
        return [[(b.label, self.data_for(b.command)) for b in row] for row in rows]

    async def command_for(self, data: str) -> str | None:
        """The command a button's data stands for; None for a code unknown or expired."""
        if not is_code(data):
            return data
        async with self.services.db.session() as session:
            return await command_for(session, data, self.services.clock())

    async def chat_moved(self, old_chat_id: str, new_chat_id: str) -> int:
        """A chat got a new id (a Telegram group upgraded): the bindings follow; how many moved."""
        async with self.services.db.session() as session:
            moved = await move_chat(session, self.transport, old_chat_id, new_chat_id, self.services.clock())
        if moved:
            log.info("chat %s is now %s: %d binding(s) moved", old_chat_id, new_chat_id, moved)
        return moved

    async def language(self, user_id: str) -> str | None:
        """The language a user chose with /lang, if any (the transport's default otherwise)."""
        async with self.services.db.session() as session:
            found = await session.get(Identity, (self.transport, user_id))
        return found.lang if found is not None else None

    async def menu_role(self, chat_id: str) -> str | None:
        """The widest role bound to a chat (admin over leader over liaison), for its command menu."""
        async with self.services.db.session() as session:
            roles = {m.role for m in await members_on_chat(session, self.transport, chat_id)}
        return next((r for r in ROLES_WIDEST_FIRST if r in roles), None)
