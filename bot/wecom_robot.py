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
from urllib.parse import parse_qs, urlsplit

import httpx

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

log = logging.getLogger(__name__)

PER_MINUTE = 20
WINDOW = 60.0
MAX_IMAGE = 2 * 1024 * 1024
"""A robot's picture, before base64."""
RATE_LIMITED = 45009
MAX_PAUSES = 30
"""45009 answers in a row after which a message is given up as `retryable` (half an hour)."""


def key_tag(key: str) -> str:
    """A robot's name for logs: a short hash of its key (the key itself is a secret)."""
    return "robot-" + hashlib.sha256(key.encode()).hexdigest()[:8]


def webhook_key(url: str) -> str:
    """The key of a webhook URL as WeCom shows it (``…/cgi-bin/webhook/send?key=…``)."""
    keys = parse_qs(urlsplit(url.strip()).query).get("key", [])
    if len(keys) != 1 or not keys[0]:
        raise ValueError("not a WeCom robot webhook URL (no key=…)")
    return keys[0]


def mention_line(mentions: Sequence[str]) -> str:
    """``<@userid>`` for each person to notify, on one line (WeCom markdown's mention syntax)."""
    return " ".join(f"<@{user}>" for user in mentions)


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
        tail = mention_line(mentions)
        room = MAX_MARKDOWN_BYTES - (len(tail.encode()) + 1 if tail else 0)
        pieces = split_bytes(markdown, room) or [""]
        if tail:
            pieces[-1] = f"{pieces[-1]}\n{tail}" if pieces[-1] else tail
        pieces = [piece for piece in pieces if piece]
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
