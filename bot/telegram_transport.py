"""Reminders and digests sent through the Telegram bot, recording only what Telegram confirmed."""

from __future__ import annotations

import asyncio

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram import TRANSPORT, TelegramBridge
from handlers.types import Button, Reply
from reminders.outbound import DeliveryFailed, Outgoing

SEND_TRIES = 3


class TelegramTransport:
    """Reminders and digests through the bot, recording only what Telegram confirmed."""

    name = TRANSPORT

    def __init__(self, bridge: TelegramBridge, *, backoff: float = 0.5) -> None:
        self.bridge = bridge
        self.backoff = backoff

    async def send(self, message: Outgoing) -> str:
        """Send with retries on network trouble; a blocked or vanished chat is a permanent failure."""
        reply = Reply(
            message.text,
            buttons=(tuple(Button(label, command) for label, command in message.actions),) if message.actions else (),
            image=message.image,
        )
        for attempt in range(SEND_TRIES):
            try:
                sent = await self.bridge.send_reply(int(message.chat_id), reply)
                return str(sent.message_id)
            except Forbidden as error:
                raise DeliveryFailed(f"forbidden: {error}", permanent=True) from error
            except BadRequest as error:
                gone = "not found" in str(error).lower() or "deactivated" in str(error).lower()
                raise DeliveryFailed(f"bad request: {error}", permanent=gone) from error
            except RetryAfter as error:
                raise DeliveryFailed(f"flood control: {error}") from error
            except (TimedOut, NetworkError) as error:
                if attempt == SEND_TRIES - 1:
                    raise DeliveryFailed(f"network: {error}") from error
                await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover
