"""What the reminder engine hands to a transport, and what a transport answers.

A transport (console, Telegram, WeCom) implements `Transport.send`: it returns the message id the
chat service confirmed, or raises `DeliveryFailed`. Only a confirmed send is recorded as delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """One message to one chat."""

    chat_id: str
    text: str
    actions: tuple[tuple[str, str], ...] = ()
    """Quick actions as (label, command); the transport renders them as buttons if it can."""
    image: bytes | None = None
    reminder_id: int | None = None
    recipient: str = ""
    """Who it is for, as people read it (a unit's name, 领导), for transports that show it."""


class DeliveryFailed(Exception):
    """A send that did not go through; `permanent` when retrying cannot help (chat gone, bot blocked)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Transport(Protocol):
    """A chat service Duban can send through."""

    name: str

    async def send(self, message: Outgoing) -> str:
        """Send `message`; return the confirmed message id, or raise DeliveryFailed."""
        ...
