"""The console transport: chat with Duban in a terminal, or pipe a script of messages through it.

Interactive (a terminal): a prompt per line, with line editing and history (readline). Piped: every
line is one message, every reply is printed, and it exits at the end of input. Ctrl-C stops at once
in both, even while a line is being typed. The console's own lines are in the console's language;
a reply and what comes with it are in the speaker's (`/lang`).

Numbers press buttons: `1` presses `[1]` under the last reply; `3.1` presses the first button
of reminder #3 (as the chat the reminder went to), and `#3 text` answers reminder #3.

Files: a line whose last argument names an existing file sends that file with the rest of the line
(`/evidence 4.1 说明 ./材料/说明.pdf`, `/evidence 4.1 "~/我的 文件.pdf"`); a line that is only a path sends
the file alone. Unquoted, the argument must look like a path (a folder in it, `~`, or an extension).
A file over the size limit is not read: only its size goes on, and Duban declines it. A file that
comes back (an export, an evidence file under review) is saved under ./data/files, never over
another file, and announced in one line: `[文件] <name>（<size>）已保存：<path>`.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import os
import re
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.files import read_attachment, save_document, split_path
from config.i18n import translate
from handlers.context import Services
from handlers.conversation import Conversation
from handlers.evidence_view import size_text
from handlers.types import Attachment, Button, Document, Reply, Request
from models.people import bind_member, find_member, find_unit
from models.plans import get_plan
from models.tables import UnitRow
from reminders.outbound import Outgoing

TRANSPORT = "console"
UNLIMITED = 1 << 20
BIND_TRIES = 3
"""Tries at binding the console recipients when other instances bind them at the same moment."""
"""Console buttons are numbered, their commands kept in memory: no length limit."""
ENGLISH = "en"  # exceptions carry English text, for logs
REMINDER_REF = re.compile(r"^#?(?P<number>\d+)\.(?P<index>\d+)$|^#(?P<reply_to>\d+)(?:\s+(?P<text>.*))?$", re.S)
"""'3.1' or '#3.1' presses button 1 of reminder 3; '#3 text' answers reminder 3."""
FILES_DIR = Path("data") / "files"
"""Where files that come back to the console are saved (unless the console is given another folder)."""


class ConsoleTransport:
    """Reminders shown in the terminal as they fire, numbered so the operator can answer them.

    Each delivery goes to a console chat (the console member of a unit, a leader or the admin);
    answering by number ('#3 text', or '3.1' for its first button) speaks as that recipient, the way
    the unit would in a chat app.
    """

    name = TRANSPORT

    def __init__(self, write: Callable[[str], None] = print, *, lang: str = "zh", files_dir: Path = FILES_DIR) -> None:
        self.write = write
        self.lang = lang
        self.files_dir = files_dir
        self.sent: dict[int, tuple[str, str]] = {}
        self.actions: dict[int, tuple[tuple[str, str], ...]] = {}
        # Message ids differ from one run to the next, so '#1' never finds an earlier run's reminder 1.
        self._run = uuid.uuid4().hex[:8]

    async def send(self, message: Outgoing) -> str:
        """Print the reminder with its number and numbered buttons; returns the message id."""
        number = len(self.sent) + 1
        message_id = f"{self._run}-{number}"
        self.sent[number] = (message.chat_id, message_id)
        self.actions[number] = message.actions
        picture = translate(self.lang, "cli_console_reminder_chart", size=len(message.image)) if message.image else ""
        self.write(f"[#{number} → {message.recipient or message.chat_id}] {message.text}{picture}")
        if message.document is not None:
            self.write(saved_line(message.document, self.files_dir, self.lang))
        if message.actions:
            buttons = "  ".join(f"[{number}.{i}] {label}" for i, (label, _) in enumerate(message.actions, 1))
            self.write(f"  {buttons}  — {translate(self.lang, 'cli_console_reply_hint', number=number)}")
        return message_id

    def reply_target(self, text: str) -> tuple[str, str, str] | None:
        """'#3 done the first draft' -> (chat id, message id, text) of reminder 3, if it was shown."""
        found = REMINDER_REF.match(text.strip())
        if not found or found["reply_to"] is None or int(found["reply_to"]) not in self.sent:
            return None
        chat_id, message_id = self.sent[int(found["reply_to"])]
        return chat_id, message_id, (found["text"] or "").strip()

    def press(self, number: int, index: int) -> tuple[str, str, str] | None:
        """(chat id, label, command) of button `index` of reminder `number`, if it has one."""
        actions = self.actions.get(number, ())
        if number not in self.sent or not 1 <= index <= len(actions):
            return None
        label, command = actions[index - 1]
        return self.sent[number][0], label, command


class ConsoleIdentityError(ValueError):
    """An --as value that names no role or unit of the plan; `key` and `params` explain it."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(translate(ENGLISH, key, **params))
        self.key = key
        self.params = params


async def console_member(services: Services, plan_id: str, who: str) -> str:
    """Bind the console operator as `who` (admin, leader or unit:<name>) and return their user id.

    The console runs on the office's own machine with direct access to the database, so the
    operator chooses their role; chat transports bind only through invite codes.
    """
    async with services.db.session() as session:
        if await get_plan(session, plan_id) is None:
            raise ConsoleIdentityError("cli_plan_not_loaded", plan=plan_id)
        if who in ("admin", "leader"):
            role, unit_id = who, None
        elif who.startswith("unit:"):
            unit = await find_unit(session, plan_id, who.removeprefix("unit:"))
            if unit is None:
                raise ConsoleIdentityError("cli_no_unit", plan=plan_id, unit=who.removeprefix("unit:"))
            role, unit_id = "liaison", unit.id
        else:
            raise ConsoleIdentityError("cli_bad_identity")
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
    reminder is shown in the terminal and can be answered there. Instances starting together on one
    database may bind the same recipients at the same moment: the one that loses the race finds the
    other's bindings on its next try."""
    for attempt in range(BIND_TRIES):
        try:
            await _bind_console_recipients(services, plan_id)
            return
        except IntegrityError:
            if attempt == BIND_TRIES - 1:
                raise


async def _bind_console_recipients(services: Services, plan_id: str) -> None:
    async with services.db.session() as session:
        units = (
            await session.exec(select(UnitRow).where(UnitRow.plan_id == plan_id, col(UnitRow.is_group).is_(False)))
        ).all()
        wanted = [(f"unit:{u.name}", u.name, "liaison", u.id) for u in units] + [("leader", "leader", "leader", None)]
        for user_id, display_name, role, unit_id in wanted:
            if await find_member(session, plan_id, TRANSPORT, user_id) is None:
                await bind_member(
                    session,
                    plan_id=plan_id,
                    transport=TRANSPORT,
                    user_id=user_id,
                    display_name=display_name,
                    chat_id=user_id,
                    role=role,
                    unit_id=unit_id,
                    now=services.clock(),
                    via="console run",
                )


class TypedLines:
    """Lines from the terminal or a pipe, read so that Ctrl-C stops the console at once.

    `asyncio.to_thread(input)` parks the read in the default executor, whose threads the interpreter
    waits for at exit: Ctrl-C then took effect only after Enter. Here a daemon thread of our own
    reads, and nobody waits for it. A terminal is read with input(), readline imported, so arrow
    keys edit the line and recall earlier ones; a pipe is read from its file descriptor, so the
    thread holds no lock of sys.stdin that the interpreter would need at exit. One line is read
    when asked for, so the prompt comes after the previous reply.
    """

    def __init__(self, source: TextIO, prompt: str = "> ") -> None:
        self.source = source
        self.prompt = prompt
        self.interactive = source.isatty()
        self._wanted = threading.Semaphore(0)
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._terminal: list[Any] | None = None

    async def next(self) -> str | None:
        """The next line without its newline; None at the end of input (Ctrl-D)."""
        if self._loop is None:
            self._start()
        self._wanted.release()
        return await self._lines.get()

    def close(self) -> None:
        """Give the terminal back as we found it (readline may be in the middle of a line)."""
        if self._terminal is not None:
            import termios

            with contextlib.suppress(OSError, termios.error):
                termios.tcsetattr(self.source.fileno(), termios.TCSADRAIN, self._terminal)

    def _start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.interactive:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401 - input() edits lines and keeps history once it is loaded
            with contextlib.suppress(ImportError, OSError):
                import termios

                self._terminal = termios.tcgetattr(self.source.fileno())
        threading.Thread(target=self._read_all, name="console-input", daemon=True).start()

    def _read_all(self) -> None:
        read = self._typed if self.interactive else self._piped()
        while True:
            self._wanted.acquire()
            try:
                line = read()
            except (OSError, ValueError):  # stdin closed under us: the end of input
                line = None
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            except RuntimeError:  # the console has stopped
                return
            if line is None:
                return

    def _typed(self) -> str | None:
        try:
            return input(self.prompt)
        except EOFError:
            return None

    def _from_file(self) -> str | None:
        line = self.source.readline()
        return line.removesuffix("\n") if line else None

    def _piped(self) -> Callable[[], str | None]:
        try:
            fd = self.source.fileno()
        except (OSError, ValueError, io.UnsupportedOperation):  # an in-memory file (tests)
            return self._from_file
        decoder = codecs.getincrementaldecoder(getattr(self.source, "encoding", None) or "utf-8")(errors="replace")
        pending = [""]

        def read() -> str | None:
            while "\n" not in pending[0]:
                chunk = os.read(fd, 65536)
                pending[0] += decoder.decode(chunk, final=not chunk)
                if not chunk:
                    rest, pending[0] = pending[0], ""
                    return rest or None
            line, _, pending[0] = pending[0].partition("\n")
            return line.removesuffix("\r")

        return read


def saved_line(document: Document, folder: Path, lang: str) -> str:
    """Save a file that came to the console and say so in one line."""
    path = save_document(folder, document)
    return translate(lang, "attach_saved", name=document.name, size=size_text(len(document.data)), path=path)


def render(reply: Reply, lang: str = "zh", files_dir: Path = FILES_DIR) -> tuple[str, list[Button]]:
    """A reply as plain text, with numbered buttons; a picture is saved under ./data/charts, a file
    under `files_dir`."""
    buttons = [b for row in reply.buttons for b in row]
    lines = [reply.text]
    if reply.image:
        lines.append(translate(lang, "cli_console_chart_saved", path=save_picture(reply.image)))
    if reply.document is not None:
        lines.append(saved_line(reply.document, files_dir, lang))
    if buttons:
        lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, 1)))
    return "\n".join(lines), buttons


async def _answer(
    services: Services, request: Request, lang: str, write: Callable[[str], None], files_dir: Path
) -> list[Button]:
    """Answer one message and show the reply in the speaker's language (their /lang, else the
    console's); Ctrl-C while it is handled lets it finish and be shown first."""
    chat = Conversation(services, TRANSPORT, limit=UNLIMITED)
    handling = asyncio.ensure_future(chat.message(request))
    try:
        await asyncio.shield(handling)
    finally:
        shown, buttons = render((await handling).reply, await chat.language(request.user_id) or lang, files_dir)
        write(shown)
    return buttons


async def _with_file(request: Request, max_bytes: int) -> Request:
    """The request with the file its last argument names as the attachment, and without that argument."""
    text, path = split_path(request.text)
    if path is None:
        return request
    attachment: Attachment = await asyncio.to_thread(read_attachment, path, max_bytes)
    return replace(request, text=text, attachment=attachment)


def _request(chat_id: str, text: str, plan_id: str, answered: int, reply_to: str | None = None) -> Request:
    return Request(
        transport=TRANSPORT,
        user_id=chat_id,
        chat_id=chat_id,
        text=text,
        display_name=chat_id,
        message_id=f"in-{answered + 1}",
        reply_to=reply_to,
        plan_id=plan_id,
    )


@dataclass(frozen=True)
class _Send:
    """A typed line to pass on: who says it (a reminder's recipient when answering one), and what."""

    speaker: str
    text: str
    reply_to: str | None = None
    pressed: str | None = None
    """The label of the button a number pressed."""


@dataclass(frozen=True)
class _Say:
    """A typed line the console answers itself (no such reminder), as a catalog sentence."""

    key: str
    params: dict[str, Any]


def _understand(
    text: str, user_id: str, shown: tuple[str, list[Button]], transport: ConsoleTransport | None
) -> _Send | _Say:
    """What a typed line means: a button pressed (by whoever got the reply it is under: the unit that
    answered a reminder), a reminder answered, or just a message."""
    speaker, buttons = shown
    if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
        button = buttons[int(text) - 1]
        return _Send(speaker, button.command, pressed=button.label)
    found = REMINDER_REF.match(text)
    if found is None:
        return _Send(user_id, text)
    if found["reply_to"] is None:
        number, index = int(found["number"]), int(found["index"])
        pressed = transport.press(number, index) if transport else None
        if pressed is not None:
            return _Send(pressed[0], pressed[2], pressed=pressed[1])
        if transport is not None and number in transport.sent:
            return _Say("cli_console_no_button", {"number": number, "index": index})
        return _Say("cli_console_no_reminder", {"number": number})
    target = transport.reply_target(text) if transport else None
    if target is None:
        return _Say("cli_console_no_reminder", {"number": found["reply_to"]})
    chat_id, message_id, body = target
    if not body:
        return _Say("cli_console_reply_empty", {"number": found["reply_to"]})
    return _Send(chat_id, body, message_id)


async def run_console(
    services: Services,
    *,
    plan_id: str,
    user_id: str,
    stdin: TextIO | None = None,
    write: Callable[[str], None] = print,
    transport: ConsoleTransport | None = None,
    lang: str = "zh",
    files_dir: Path | None = None,
) -> int:
    """Chat until end of input; returns the number of messages answered. Files that come back are
    saved under `files_dir` (default: the transport's folder, else ./data/files)."""
    folder = files_dir or (transport.files_dir if transport is not None else FILES_DIR)
    lines = TypedLines(stdin or sys.stdin or io.StringIO())  # no stdin at all (`<&-`): nothing to read
    shown: tuple[str, list[Button]] = (user_id, [])  # the last reply's buttons and whom they were for
    answered = 0
    try:
        while (line := await lines.next()) is not None:
            text = line.strip()
            if not text:
                continue
            meaning = _understand(text, user_id, shown, transport)
            if not lines.interactive:  # a transcript: what was typed, and the button a number pressed
                label = meaning.pressed if isinstance(meaning, _Send) else None
                write(translate(lang, "cli_console_pressed", typed=text, label=label) if label else f"> {text}")
            if isinstance(meaning, _Say):
                write(translate(lang, meaning.key, **meaning.params))
                continue
            request = _request(meaning.speaker, meaning.text, plan_id, answered, meaning.reply_to)
            if meaning.pressed is None:  # a typed line may end with a file's path; a button never does
                request = await _with_file(request, services.evidence.max_bytes)
            shown = (meaning.speaker, await _answer(services, request, lang, write, folder))
            answered += 1
    finally:
        lines.close()
    return answered
