"""The neutral shapes every transport speaks: a request in, a reply out.

Telegram, WeCom and the console translate their own updates into `Request` and render `Reply`
their own way; no handler knows which one it serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reminders.outbound import Document as Document  # re-exported: replies carry files

MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Attachment:
    """A file someone sent: its name as they gave it (never used as a path) and its bytes.

    `declared_size` is the size the chat service announced for a file the transport did not fetch
    because it is larger than Duban accepts (then `data` is empty): the handler refuses it politely.
    """

    name: str
    data: bytes
    declared_size: int | None = None

    @property
    def size(self) -> int:
        """The file's size in bytes, as received or as announced."""
        return self.declared_size if self.declared_size is not None else len(self.data)


@dataclass(frozen=True)
class Request:
    """Who said what, where: the only input a command sees."""

    transport: str
    user_id: str
    chat_id: str
    text: str
    display_name: str = ""
    message_id: str = ""
    reply_to: str | None = None
    plan_id: str | None = None
    """A plan the transport fixes (the console's --plan); otherwise the user's current plan."""
    group: bool = False
    """Said in a group chat: a group can be bound as a whole (a leaders' group, a unit's group)."""
    attachment: Attachment | None = None
    """A file or picture sent with the message, as the chat service delivered it."""

    @property
    def group_id(self) -> str:
        """The identity a bound group has: members of that group speak with its role."""
        return f"group:{self.chat_id}"


@dataclass(frozen=True)
class Button:
    """A quick action: pressing it sends `command` as if the user had typed it."""

    label: str
    command: str


@dataclass(frozen=True)
class Reply:
    """What to say back; `buttons` are rows of quick actions the transport may render."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    ok: bool = True
    image: bytes | None = None
    """A picture to send with the text (the digest's chart), PNG."""
    document: Document | None = None
    """A file to send with the text (an exported workbook, an evidence file under review)."""
    page: bool = False
    """Offer the live page under the text (Telegram: a Mini App button; WeCom: a link), where the
    transport can."""


@dataclass
class UserError(Exception):
    """A request that cannot be carried out; its message key explains why, and nothing is changed.

    `buttons` offer the likely next step (the items to choose from, a confirmation).
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()

    def __init__(self, key: str, *, buttons: tuple[tuple[Button, ...], ...] = (), **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.buttons = buttons
