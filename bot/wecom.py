"""The WeCom (企业微信) self-built app: its callback in, `message/send` out.

Incoming: WeCom POSTs encrypted XML to `/wecom/callback`. The request is checked (signature,
freshness, corp id) and answered at once with an empty 200, within WeCom's 5 seconds; the work is
done afterwards. Each message or event is taken in once (`models.inbound`), so WeCom's retries and a
restart never record a report twice. Text becomes a neutral `Request` (text without a slash answers
the last reminder that user received, as a Telegram reply does); a press on a template card's button
is the button's command said by the presser, and the card is updated to show what was recorded.

Outgoing: replies and reminders as text (cut at 2,048 bytes), the chart as an image, and buttons as a
template card (按钮交互型) under the text. Everything that is not WeCom's wire format lives in
`handlers.conversation`, shared with Telegram and the console.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from aiohttp import web

from bot.wecom_api import MAX_BUTTONS, WeComApp, WeComError, button_card
from bot.wecom_crypto import CallbackRejected, Incoming, WeComCrypto, check_fresh, parse_callback
from config.i18n import translate
from handlers.context import Services
from handlers.conversation import Answer, Conversation
from handlers.types import Attachment, Button, Reply, Request
from models.inbound import first_time
from reminders.outbound import DeliveryFailed, Outgoing

log = logging.getLogger(__name__)
TRANSPORT = "wecom"
PATH = "/wecom/callback"
KEY_LIMIT = 1024
"""Bytes of a template card button's key; longer commands go under a stored code."""
TITLE_CHARS = 26


@dataclass(frozen=True)
class _Rendered:
    """A reply in WeCom's pieces: the picture, the text, the buttons' card (title and rows)."""

    image: bytes | None
    text: str
    title: str
    buttons: list[tuple[str, str]]


class WeComBridge:
    """Turns WeCom callbacks into neutral requests and answers into WeCom messages."""

    def __init__(
        self,
        services: Services,
        api: WeComApp,
        crypto: WeComCrypto,
        *,
        seconds: Callable[[], float] = time.time,
    ) -> None:
        self.services = services
        self.api = api
        self.crypto = crypto
        self.seconds = seconds
        self.chat = Conversation(services, TRANSPORT, limit=KEY_LIMIT)
        self._work: set[asyncio.Task[None]] = set()

    def web_app(self) -> web.Application:
        """The aiohttp application serving the callback path (GET verification, POST messages)."""
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.receive)
        return app

    async def verify(self, request: web.Request) -> web.Response:
        """URL verification: answer the decrypted echostr, or refuse."""
        query = request.query
        try:
            check_fresh(query.get("timestamp", ""), self.seconds())
            echo = self.crypto.verify_url(
                query.get("msg_signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
                query.get("echostr", ""),
            )
        except CallbackRejected as rejected:
            log.warning("WeCom URL verification refused: %s", rejected)
            return web.Response(status=403, text="")
        return web.Response(text=echo)

    async def receive(self, request: web.Request) -> web.Response:
        """A message or event: checked, answered at once with an empty 200, handled afterwards."""
        query = request.query
        try:
            check_fresh(query.get("timestamp", ""), self.seconds())
            body = await request.read()
            inner = self.crypto.decrypt_message(
                body, query.get("msg_signature", ""), query.get("timestamp", ""), query.get("nonce", "")
            )
            incoming = parse_callback(inner)
        except CallbackRejected as rejected:
            log.warning("WeCom callback refused: %s", rejected)
            return web.Response(status=403, text="")
        if await first_time(self.services.db, TRANSPORT, incoming.dedup_key, self.services.clock()):
            task = asyncio.create_task(self._handle(incoming))
            self._work.add(task)
            task.add_done_callback(self._work.discard)
        return web.Response(text="")

    async def drain(self) -> None:
        """Wait for the callbacks being handled (on shutdown, and in tests)."""
        while self._work:
            await asyncio.gather(*list(self._work), return_exceptions=True)

    async def _handle(self, incoming: Incoming) -> None:
        try:
            await self._dispatch(incoming)
        except Exception:  # one failed callback is logged with what it was; the next one goes on
            log.exception("WeCom %s from %s failed", incoming.msg_type, incoming.from_user)

    async def _dispatch(self, incoming: Incoming) -> None:
        user = incoming.from_user
        if incoming.msg_type == "text" and incoming.content is not None:
            request = _request(user, incoming.content.strip(), incoming.msg_id or "")
            await self.send_reply(user, (await self.chat.message(request, reply_to_last=True)).reply)
        elif incoming.msg_type == "event" and incoming.event == "template_card_event" and incoming.event_key:
            await self._pressed(incoming)
        elif incoming.msg_type in ("image", "file") and incoming.media_id:
            data, name = await self.api.download(incoming.media_id)
            attachment = Attachment(incoming.file_name or name or f"{incoming.msg_type}", data)
            request = replace(_request(user, "", incoming.msg_id or ""), attachment=attachment)
            await self.send_reply(user, (await self.chat.message(request)).reply)
        elif incoming.msg_type == "event" and incoming.event == "enter_agent":
            await self.send_reply(user, (await self.chat.message(_request(user, "/start", ""))).reply)
        else:
            log.info("WeCom %s/%s from %s not handled", incoming.msg_type, incoming.event, user)

    async def _pressed(self, incoming: Incoming) -> None:
        """A card's button: its command as the presser; the card shows what was recorded."""
        user = incoming.from_user
        answer = await self.chat.press(_request(user, "", ""), incoming.event_key or "")
        if answer is None:
            await self.api.send_text(user, translate("zh", "telegram_button_expired"))
            return
        if incoming.response_code:
            await self.api.update_card(incoming.response_code, _done_label(answer))
        if not answer.settles_message:
            await self.send_reply(user, answer.reply)

    async def send_reply(self, user: str, reply: Reply) -> str:
        """A reply as WeCom messages: the picture, the text, a card with the buttons; the last msgid."""
        rendered = await self.render(reply.text, reply.image, reply.buttons)
        last = ""
        for piece in pieces(rendered):
            last = await self.send_piece(user, piece)
        return last

    async def render(self, text: str, image: bytes | None, buttons: tuple[tuple[Button, ...], ...]) -> _Rendered:
        """The reply's pieces, with button keys stored when they are too long."""
        rows = await self.chat.buttons(buttons)
        flat = [pair for row in rows for pair in row][:MAX_BUTTONS]
        return _Rendered(image, text, _title(text), flat)

    async def send_piece(self, user: str, piece: tuple[str, object]) -> str:
        """One WeCom message of a reply: the picture, a text piece, or the button card."""
        kind, content = piece
        if kind == "image":
            assert isinstance(content, bytes)
            return await self.api.send_image(user, content, "chart.png")
        if kind == "text":
            assert isinstance(content, str)
            return (await self.api.send_text(user, content))[-1]
        assert isinstance(content, tuple)
        title, buttons = content
        return (await self.api.send_card(user, button_card(title, "", buttons))).msgid


def pieces(rendered: _Rendered) -> list[tuple[str, object]]:
    """The messages of one reply, in order: each is sent and confirmed on its own."""
    out: list[tuple[str, object]] = [("image", rendered.image)] if rendered.image else []
    out.append(("text", rendered.text))
    if rendered.buttons:
        out.append(("card", (rendered.title, rendered.buttons)))
    return out


def _title(text: str) -> str:
    first = text.strip().split("\n", 1)[0] or "督办"
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def _done_label(answer: Answer) -> str:
    """What the pressed card's buttons are replaced with: the reply's first line, short."""
    mark = "✅ " if answer.reply.ok else "⚠ "
    first = answer.reply.text.split("\n", 1)[0]
    return mark + (first if len(first) <= 20 else first[:19] + "…")


def _request(user: str, text: str, message_id: str) -> Request:
    return Request(transport=TRANSPORT, user_id=user, chat_id=user, text=text, display_name=user, message_id=message_id)


class WeComTransport:
    """Reminders, notices and digests to WeCom users through the app, piece by piece."""

    name = TRANSPORT

    def __init__(self, bridge: WeComBridge) -> None:
        self.bridge = bridge

    async def send(self, message: Outgoing) -> str:
        """Send the pieces not yet confirmed; the last piece's msgid."""
        actions = (tuple(Button(label, command) for label, command in message.actions),) if message.actions else ()
        rendered = await self.bridge.render(message.text, message.image, actions)
        todo = pieces(rendered)
        last = ""
        for index in range(message.skip, len(todo)):
            try:
                last = await self.bridge.send_piece(message.chat_id, todo[index])
            except WeComError as error:
                raise DeliveryFailed(
                    str(error), permanent=error.permanent, in_doubt=error.in_doubt, confirmed=index
                ) from error
            if message.on_piece is not None:
                message.on_piece(index + 1, last)
        return last
