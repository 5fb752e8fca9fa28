"""What the reminder engine hands to a transport, and what a transport answers.

A transport (console, Telegram, WeCom) implements `Transport.send`: it returns the message id the
chat service confirmed, or raises `DeliveryFailed`. Only a confirmed send is recorded as delivered.

A message may go out in pieces (a picture, then text cut at the service's length limit). The sender
tells the transport how many pieces an earlier attempt already delivered (`skip`: those are never
sent again) and hears of each confirmed piece as it comes (`on_piece`), so a crash or a failure in
the middle of a long message re-sends only what was not confirmed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Document:
    """A file to send (an evidence file under review, an exported workbook): the name the reader
    sees and its bytes. Sent as its own piece, after the picture and before the text."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    """One message to one chat."""

    chat_id: str
    text: str
    actions: tuple[tuple[str, str], ...] = ()
    """Quick actions as (label, command); the transport renders them as buttons if it can."""
    image: bytes | None = None
    document: Document | None = None
    reminder_id: int | None = None
    recipient: str = ""
    """Who it is for, as people read it (a unit's name, 领导), for transports that show it."""
    skip: int = 0
    """Pieces an earlier attempt delivered: the transport starts after them."""
    on_piece: Callable[[int, str], None] | None = None
    """Called with (pieces confirmed so far, that piece's message id) after each confirmed piece."""
    mentions: tuple[str, ...] = ()
    """WeCom user ids of the people concerned (a unit's liaisons), for a group robot to @-mention."""


class DeliveryFailed(Exception):
    """A send that did not go through.

    `permanent`: retrying cannot help (chat gone, bot blocked). `in_doubt`: the request left but no
    answer came (a read timeout), so it may have arrived: retried once, later, never at once.
    `confirmed`: pieces delivered before the failure. `migrated_to`: the chat moved to a new id (a
    Telegram group became a supergroup); the binding should follow and the send be repeated there.
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        in_doubt: bool = False,
        confirmed: int = 0,
        migrated_to: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.in_doubt = in_doubt
        self.confirmed = confirmed
        self.migrated_to = migrated_to


class Transport(Protocol):
    """A chat service Duban can send through."""

    name: str

    async def send(self, message: Outgoing) -> str:
        """Send `message` (from piece `message.skip` on); return the confirmed id of its last piece,
        or raise DeliveryFailed."""
        ...


async def send_pieces(message: Outgoing, count: int, send_one: Callable[[int], Awaitable[str]]) -> str:
    """Send pieces `message.skip` to `count - 1` in order, reporting each confirmed one through
    `message.on_piece`; the last piece's id. Every transport sends its pieces this one way."""
    last = ""
    for index in range(message.skip, count):
        last = await send_one(index)
        if message.on_piece is not None:
            message.on_piece(index + 1, last)
    return last
