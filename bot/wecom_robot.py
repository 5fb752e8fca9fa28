"""WeCom group robots (群机器人): send-only, one webhook key per group, paced to 20 messages a minute.

A robot takes at most 20 messages in any minute and answers errcode 45009 beyond that. Reminders,
escalations and digests must neither be dropped nor provoke the limit, so each robot has its own
sliding window on the injected clock: a message waits until the window has room (callers wait,
nothing is dropped), messages to one robot leave in the order they were given, and robots never wait
for each other. Should WeCom still answer 45009 (another sender uses the same robot), that robot
pauses until its window frees (at least a minute if the window looked empty) and the message is
sent again.

Webhook keys are secrets (anyone holding one can post to the group): they appear in no log line and
no exception message; logs name a robot by `key_tag`.

`RobotTransport` is the outbox's way to a robot (members bound by `/robot`, see `models.robots`):
the digest's chart as a picture, a file (uploaded with the robot's key, then posted), then the text
as markdown pieces with the unit's liaisons @-mentioned. Nobody can press a button on a robot's
message, so the buttons become command hints.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.redaction import hide_in_logs, show_in_logs
from bot.wecom_api import (
    DEFAULT_BASE,
    MAX_MARKDOWN_BYTES,
    Clock,
    JSONDict,
    Sleep,
    WeComError,
    WeComHttp,
    raise_for,
    read_json,
    split_bytes,
)
from config.i18n import translate
from models.robots import TRANSPORT
from models.robots import key_tag as key_tag
from models.robots import webhook_key as webhook_key
from reminders.outbound import Document, Outgoing, send_pieces

log = logging.getLogger(__name__)

PER_MINUTE = 20
WINDOW = 60.0
MAX_IMAGE = 2 * 1024 * 1024
"""A robot's picture, before base64."""
RATE_LIMITED = 45009
MAX_PAUSES = 30
"""45009 answers in a row after which a message is given up as `retryable` (half an hour)."""


def mention_line(mentions: Sequence[str]) -> str:
    """``<@userid>`` for each person to notify, on one line (WeCom markdown's mention syntax)."""
    return " ".join(f"<@{user}>" for user in mentions)


def markdown_pieces(markdown: str, mentions: Sequence[str] = ()) -> list[str]:
    """Markdown cut at line ends into messages of at most 4,096 bytes, the mentions on the last."""
    tail = mention_line(mentions)
    room = MAX_MARKDOWN_BYTES - (len(tail.encode()) + 1 if tail else 0)
    pieces = split_bytes(markdown, room) or [""]
    if tail:
        pieces[-1] = f"{pieces[-1]}\n{tail}" if pieces[-1] else tail
    return [piece for piece in pieces if piece]


@dataclass
class _Robot:
    """One robot's pacing: when its recent messages left, until when it is paused, its queue lock."""

    sent: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class RobotSender:
    """Posts to group robots through ``{base_url}/cgi-bin/webhook/…``, paced per robot.

    ``clock`` (monotonic seconds) and ``sleep`` are injected so that tests can run an hour of pacing
    in milliseconds.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE,
        *,
        client: httpx.AsyncClient | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        per_minute: int = PER_MINUTE,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.sleep = sleep
        self.per_minute = per_minute
        self.http = WeComHttp(client, base_url=self.base_url, sleep=sleep, backoff=backoff, tries=3)
        self._robots: dict[str, _Robot] = {}

    async def aclose(self) -> None:
        await self.http.aclose()

    # ------------------------------------------------------------------ messages

    async def send_markdown(self, key: str, markdown: str, mentions: Sequence[str] = ()) -> int:
        """Post WeCom markdown, cut at line ends into pieces of at most 4,096 bytes, the mentions
        appended to the last piece; the number of messages posted."""
        pieces = markdown_pieces(markdown, mentions)
        robot = self._robot(key)
        async with robot.lock:  # the pieces of one call stay together and in order
            for piece in pieces:
                await self._post(key, robot, {"msgtype": "markdown", "markdown": {"content": piece}})
        return len(pieces)

    async def send_image(self, key: str, png: bytes) -> None:
        """Post a picture (base64 and md5 of the bytes); more than 2 MB is refused before sending."""
        if len(png) > MAX_IMAGE:
            raise WeComError(
                40009, f"image of {len(png)} bytes: a group robot takes at most {MAX_IMAGE} bytes", permanent=True
            )
        image = {"base64": base64.b64encode(png).decode(), "md5": hashlib.md5(png).hexdigest()}  # noqa: S324
        robot = self._robot(key)
        async with robot.lock:
            await self._post(key, robot, {"msgtype": "image", "image": image})

    async def send_file(self, key: str, data: bytes, filename: str) -> None:
        """Upload the file with the robot's key, then post it to the group."""
        body = await self.http.call(
            "POST",
            f"{self.base_url}/cgi-bin/webhook/upload_media",
            secret_params={"key": key, "type": "file"},
            files={"media": (filename, data, "application/octet-stream")},
        )
        raise_for(body)
        robot = self._robot(key)
        async with robot.lock:
            await self._post(key, robot, {"msgtype": "file", "file": {"media_id": str(body["media_id"])}})

    # ------------------------------------------------------------------ pacing

    def _robot(self, key: str) -> _Robot:
        return self._robots.setdefault(key, _Robot())

    async def _post(self, key: str, robot: _Robot, message: JSONDict) -> None:
        """Send one message when the robot's window has room; on 45009 pause the robot and repeat."""
        for _ in range(MAX_PAUSES):
            await self._wait_for_room(robot)
            robot.sent.append(self.clock())
            response = await self.http.exchange(
                "POST", f"{self.base_url}/cgi-bin/webhook/send", secret_params={"key": key}, json=message
            )
            body: dict[str, Any] = read_json(response)
            if int(body.get("errcode", 0)) != RATE_LIMITED:
                raise_for(body)
                return
            robot.paused_until = self._free_at(robot)
            log.warning("%s: WeCom answered 45009, pausing until the minute frees", key_tag(key))
        raise WeComError(RATE_LIMITED, f"{key_tag(key)} still rate limited after {MAX_PAUSES} pauses", retryable=True)

    async def _wait_for_room(self, robot: _Robot) -> None:
        """Wait until the robot is not paused and fewer than ``per_minute`` messages left it in the
        last 60 s of the clock."""
        while True:
            now = self.clock()
            while robot.sent and robot.sent[0] <= now - WINDOW:
                robot.sent.popleft()
            wait = robot.paused_until - now
            if len(robot.sent) >= self.per_minute:
                wait = max(wait, robot.sent[0] + WINDOW - now)
            if wait <= 0:
                return
            await self.sleep(wait)

    def _free_at(self, robot: _Robot) -> float:
        """When a paused robot may send again: when its window frees a place (the oldest message
        leaves it), or a full minute from now if nothing of ours is in the window."""
        now = self.clock()
        if len(robot.sent) >= 2:  # the last entry is the refused message itself
            return max(robot.sent[0] + WINDOW, now + 1.0)
        return now + WINDOW


MARKUP = str.maketrans({"*": "＊", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞"})
"""WeCom markdown's active characters (bold, code, links, tags and mentions, quotes), replaced by
their full-width look-alikes in the text of a message: a unit's name or a task's title with one of
them cannot change how the rest is shown, nor mention anyone."""


def plain_markdown(text: str) -> str:
    """Text shown as it is in WeCom markdown (a line's leading '#' would make it a heading)."""
    lines = text.translate(MARKUP).split("\n")
    return "\n".join("＃" + line[1:] if line.startswith("#") else line for line in lines)


def _cjk(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def action_hints(actions: Sequence[tuple[str, str]]) -> str:
    """Buttons as commands to type, in the language the labels were written in (a robot's message
    carries no language of its own: its labels were translated for its recipient)."""
    if not actions:
        return ""
    lang = "zh" if any(_cjk(label) for label, _ in actions) else "en"
    lines = [translate(lang, "robot_hint_title")]
    lines += [translate(lang, "robot_hint_line", label=label, command=command) for label, command in actions]
    return "\n".join("> " + plain_markdown(line) for line in lines)


Piece = tuple[str, bytes | str | Document]
"""One robot message: ("image", PNG bytes), ("file", a Document) or ("markdown", text)."""


def robot_pieces(message: Outgoing) -> list[Piece]:
    """The messages a robot posts for one outgoing message, in order: the chart (when it fits a
    robot's 2 MB), the file, then the markdown pieces, the mentions on the last one. The same
    message always gives the same pieces, so `skip` counts them alike."""
    out: list[Piece] = []
    if message.image is not None and len(message.image) <= MAX_IMAGE:
        out.append(("image", message.image))
    elif message.image is not None:
        log.warning("a chart of %d bytes is too large for a group robot; the text goes alone", len(message.image))
    if message.document is not None:
        out.append(("file", message.document))
    hints = action_hints(message.actions)
    text = plain_markdown(message.text) + (f"\n\n{hints}" if hints else "")
    out += [("markdown", piece) for piece in markdown_pieces(text, message.mentions)]
    return out


class RobotTransport:
    """Reminders, escalations and digests to the group robots bound in the plans, piece by piece."""

    name = TRANSPORT

    def __init__(self, robots: RobotSender) -> None:
        self.robots = robots
        self._locks: dict[str, asyncio.Lock] = {}
        self._hidden: set[str] = set()

    def hide(self, *keys: str) -> None:
        """Mask these robot keys in every log record from now on (until `aclose`)."""
        new = [key for key in keys if key and key not in self._hidden]
        if new:
            hide_in_logs(*new)
            self._hidden.update(new)

    async def aclose(self) -> None:
        """Close the HTTP client; the keys are no longer masked."""
        await self.robots.aclose()
        show_in_logs(*self._hidden)
        self._hidden.clear()

    async def send(self, message: Outgoing) -> str:
        """Post the pieces not yet confirmed; an id for the last one (a robot's webhook gives none).

        The pieces of one message stay together in the group: two messages to one robot are posted
        one after the other, never interleaved.
        """
        key = message.chat_id
        self.hide(key)
        todo = robot_pieces(message)

        async def one(index: int) -> str:
            await self._post(key, todo[index], index)
            return f"{key_tag(key)}:{message.reminder_id or 0}:{index + 1}"

        async with self._locks.setdefault(key, asyncio.Lock()):
            return await send_pieces(message, len(todo), one)

    async def _post(self, key: str, piece: Piece, index: int) -> None:
        kind, content = piece
        try:
            if isinstance(content, bytes):
                await self.robots.send_image(key, content)
            elif isinstance(content, Document):
                await self.robots.send_file(key, content.data, content.name)
            else:
                await self.robots.send_markdown(key, content)
        except WeComError as error:
            log.warning("%s: %s piece %d not delivered: %s", key_tag(key), kind, index + 1, error)
            raise error.undelivered(confirmed=index) from error
