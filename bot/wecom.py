"""The WeCom (企业微信) self-built app: its callback in, `message/send` out.

Incoming: WeCom POSTs encrypted XML to `/wecom/callback`. The request is checked (signature,
freshness, corp id) and answered at once with an empty 200, within WeCom's 5 seconds; the work is
done afterwards. Each message or event is taken in once (`models.inbound`), so WeCom's retries and a
restart never record a report twice. Text becomes a neutral `Request` (text without a slash answers
the last reminder that user received, as a Telegram reply does); a press on a template card's button
is the button's command said by the presser, and the card is updated to show what was recorded. A
file or picture is fetched through the media API as the request's attachment; one over the size
limit is not read past it (only its size is passed on, for the handler to refuse).

Outgoing: replies and reminders as text (cut at 2,048 bytes), the chart as an image, a file (uploaded,
then sent as a `file` message) before the text, and buttons as a template card (按钮交互型) under the
text. Everything that is not WeCom's wire format lives in
`handlers.conversation`, shared with Telegram and the console.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.wecom_api import MAX_BUTTONS, MediaTooLarge, WeComApp, WeComError, button_card
from bot.wecom_crypto import CallbackRejected, Incoming, WeComCrypto, check_fresh, parse_callback
from config.i18n import translate
from handlers.context import Services
from handlers.conversation import Answer, Conversation
from handlers.types import Attachment, Button, Reply, Request
from models.inbound import first_time, forget_old
from reminders.outbound import Document, Outgoing, send_pieces

log = logging.getLogger(__name__)
TRANSPORT = "wecom"
MAX_BODY = 256 * 1024
"""The largest callback body accepted (WeCom's are a few kilobytes)."""
PATH = "/wecom/callback"
KEY_LIMIT = 1024
"""Bytes of a template card button's key; longer commands go under a stored code."""
TITLE_CHARS = 26
ZONE = ZoneInfo("Asia/Shanghai")
"""A picture's name tells the time the office reads."""
PRUNE_EVERY = dt.timedelta(days=1)
"""How often identities of messages taken in are pruned (they are kept a week)."""


@dataclass(frozen=True)
class _Piece:
    """One WeCom message of a reply: the picture, a file, the text, or a card (title and buttons)."""

    image: bytes | None = None
    document: Document | None = None
    text: str = ""
    buttons: tuple[tuple[str, str], ...] = ()


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
        self._pruned_at: dt.datetime | None = None

    def web_app(self) -> web.Application:
        """An aiohttp application serving the callback path alone (GET verification, POST messages)."""
        app = web.Application(client_max_size=MAX_BODY)
        self.add_routes(app)
        return app

    def add_routes(self, app: web.Application) -> None:
        """The callback path on an application that serves more (`duban run`'s one server)."""
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.receive)

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
        now = self.services.clock()
        if self._pruned_at is None or now - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = now
            await forget_old(self.services.db, now)  # what WeCom can no longer retry
        if await first_time(self.services.db, TRANSPORT, incoming.dedup_key, now):
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
            await self._apologise(incoming.from_user)

    async def _apologise(self, user: str) -> None:
        """Tell the person their message was not handled (in their language when it can be read), so
        that nobody waits for an answer that will not come; if even that fails, the log has it."""
        try:
            lang = await self.chat.language(user) or "zh"
        except Exception:  # the database may be what failed
            lang = "zh"
        try:
            await self.send_reply(user, Reply(translate(lang, "handler_sorry"), ok=False))
        except Exception:
            log.warning("WeCom apology to %s could not be sent", user, exc_info=True)

    async def _dispatch(self, incoming: Incoming) -> None:
        user = incoming.from_user
        if incoming.msg_type == "text" and incoming.content is not None:
            request = _request(user, incoming.content.strip(), incoming.msg_id or "")
            await self.send_reply(user, (await self.chat.message(request, reply_to_last=True)).reply)
        elif incoming.msg_type == "event" and incoming.event == "template_card_event" and incoming.event_key:
            await self._pressed(incoming)
        elif incoming.msg_type in ("image", "file") and incoming.media_id:
            await self._file(incoming, incoming.media_id)
        elif incoming.msg_type == "event" and incoming.event == "enter_agent":
            await self.send_reply(user, (await self.chat.message(_request(user, "/start", ""))).reply)
        else:
            log.info("WeCom %s/%s from %s not handled", incoming.msg_type, incoming.event, user)

    async def _file(self, incoming: Incoming, media_id: str) -> None:
        """A file or picture sent alone: fetched (up to the limit) and passed on as the attachment; a
        download that fails is answered politely and nothing is passed on."""
        user = incoming.from_user
        stamp = dt.datetime.fromtimestamp(incoming.create_time, ZONE).strftime("%Y%m%d-%H%M%S")
        default = f"image-{stamp}.jpg" if incoming.msg_type == "image" else f"file-{stamp}"
        try:
            data, name = await self.api.download(media_id, max_bytes=self.services.evidence.max_bytes)
            attachment = Attachment(incoming.file_name or _named(name, media_id) or default, data)
        except MediaTooLarge as large:
            name = incoming.file_name or _named(large.name, media_id) or default
            attachment = Attachment(name, b"", declared_size=large.size)
        except WeComError as error:
            log.warning("WeCom media from %s could not be fetched: %s", user, error)
            lang = await self.chat.language(user) or "zh"
            name = incoming.file_name or default
            await self.send_reply(user, Reply(translate(lang, "attach_download_failed", name=name[:60]), ok=False))
            return
        request = replace(_request(user, "", incoming.msg_id or ""), attachment=attachment)
        await self.send_reply(user, (await self.chat.message(request)).reply)

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
        """A reply as WeCom messages: the picture, the file, the text, a card with the buttons; the
        last msgid."""
        last = ""
        text = reply.text
        if reply.page and self.services.web.base:  # the live page, signed in through WeCom's OAuth
            lang = await self.chat.language(user) or "zh"
            text += translate(lang, "page_wecom_line", url=f"{self.services.web.base}/web/wecom")
        for piece in await self.render(text, reply.image, reply.buttons, reply.document):
            last = await self.send_piece(user, piece)
        return last

    async def render(
        self,
        text: str,
        image: bytes | None,
        buttons: tuple[tuple[Button, ...], ...],
        document: Document | None = None,
    ) -> list[_Piece]:
        """The messages of one reply, in order (each sent and confirmed on its own), button keys
        stored when they are too long. The same reply always gives the same pieces."""
        rows = await self.chat.buttons(buttons)
        flat = tuple(pair for row in rows for pair in row)[:MAX_BUTTONS]
        out = [_Piece(image=image)] if image else []
        if document is not None:
            out.append(_Piece(document=document))
        if text.strip() or not out:
            out.append(_Piece(text=text))
        if flat:
            out.append(_Piece(text=_title(text), buttons=flat))
        return out

    async def send_piece(self, user: str, piece: _Piece) -> str:
        """One WeCom message: the picture, a file, a text, or the button card."""
        if piece.image is not None:
            return await self.api.send_image(user, piece.image, "chart.png")
        if piece.document is not None:
            return await self.api.send_file(user, piece.document.data, piece.document.name)
        if piece.buttons:
            return (await self.api.send_card(user, button_card(piece.text, "", piece.buttons))).msgid
        return (await self.api.send_text(user, piece.text))[-1]


def _named(name: str, media_id: str) -> str:
    """The name WeCom gave a media, unless it only repeated the media id (no name was sent)."""
    return "" if name == media_id else name


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
        todo = await self.bridge.render(message.text, message.image, actions, message.document)

        async def one(index: int) -> str:
            try:
                return await self.bridge.send_piece(message.chat_id, todo[index])
            except WeComError as error:
                raise error.undelivered(confirmed=index) from error

        return await send_pieces(message, len(todo), one)
