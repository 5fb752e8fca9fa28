"""A local WeCom (企业微信) API server for tests.

The WeCom clients (``bot.wecom_api.WeComApp``, ``bot.wecom_robot.RobotSender``) are tested over real
HTTP against this server instead of patching httpx: whatever they really send (query strings,
multipart uploads, JSON bodies) is what the fake sees, and whatever WeCom really answers (an expired
token, a rate limit, a user outside the app's visible range) is what the clients have to cope with.

Each test gets its own server (``async with FakeWeCom() as fake:``) on 127.0.0.1 and a free port,
on the test's event loop. ``fake.base_url`` is the API root; clients append ``/cgi-bin/...``.

WeCom answers HTTP 200 with ``{"errcode": N, "errmsg": "..."}`` for every API error; the fake does
the same. Codes used (from WeCom's global error code table):

- 40001 invalid secret, 40013 invalid corpid (gettoken);
- 41001 access_token missing, 40014 invalid access_token, 42001 access_token expired;
- 40056 invalid agentid, 40008 invalid msgtype, 44004 empty content, 45002 content too long
  (WeCom truncates an app text over 2,048 bytes silently; the fake refuses it so that a client
  which forgets to split is caught), 40007 invalid media_id, 40058 invalid parameter (also for a
  reused ``task_id`` or ``response_code``: the exact codes WeCom uses there are not confirmed);
- 81013 every recipient invalid or outside the visible range (a partly valid ``touser`` succeeds
  and lists the others in ``invaliduser``, as WeCom does);
- 45009 API rate limit (also the robot's 20 messages a minute), 60020 IP not trusted,
  301002 no permission on the agent, 93000 robot webhook key invalid (robot removed from its group),
  40009 image too large, 40006 file too large, -1 system busy.

What the fake does *not* model: parties/tags as recipients (accepted, not checked), news/mpnews for
the app, card types other than ``button_interaction``, the 72-hour life of a response_code.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import contextvars
import hashlib
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

from aiohttp import BodyPartReader, web

JSONDict = dict[str, Any]
_REQUEST: contextvars.ContextVar[web.Request] = contextvars.ContextVar("request")
"""The HTTP request being answered (a streamed answer is prepared on it)."""

MAX_TEXT_BYTES = 2048
MAX_MARKDOWN_BYTES = 4096
MAX_ROBOT_IMAGE = 2 * 1024 * 1024
MAX_UPLOAD_IMAGE = 10 * 1024 * 1024
MAX_UPLOAD_FILE = 20 * 1024 * 1024
TOKEN_LIFETIME = 7200
MAX_BUTTONS = 6

ERRMSG = {
    -1: "system busy",
    0: "ok",
    40001: "invalid secret",
    40006: "invalid file size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40056: "invalid agentid",
    40058: "invalid parameter",
    41001: "access_token missing",
    42001: "access_token expired",
    44004: "empty content",
    45002: "content size out of limit",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    60020: "not allow to access from your ip",
    81013: "user & party & tag all invalid",
    93000: "invalid webhook url",
    301002: "not allow to operate another agent",
}


@dataclass
class Call:
    """One request, in arrival order: ``at`` on the fake's clock, the errcode (or HTTP status) answered.

    ``query`` never matters for secrets here: the fake is the only one who sees it.
    """

    path: str
    query: dict[str, str]
    body: JSONDict | None
    at: float
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int | None = None
    errcode: int | None = None


@dataclass
class _Injection:
    path: str | None
    times: int
    errcode: int = 0
    status: int = 200
    hang: float = 0.0


@dataclass
class _Media:
    data: bytes
    filename: str
    kind: str
    chunked: bool = False
    """Served without Content-Length, in pieces (WeCom may), so a client must count what it reads."""
    served: int = 0
    """Bytes of it written to clients (a client that stops reading early shows a smaller number)."""


class FakeError(Exception):
    """Raised inside an endpoint to answer ``{"errcode": N, "errmsg": ...}`` with HTTP 200."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        super().__init__(errmsg or ERRMSG.get(errcode, "error"))
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSG.get(errcode, "error")


class FakeWeCom:
    """A WeCom API server on 127.0.0.1: the self-built app's endpoints and group robots' webhooks.

    Public state: ``corp_id``, ``secret``, ``agent_id``, ``base_url``, ``calls`` (every request),
    ``sent`` (every message/send body accepted, with ``msgid`` added), ``card_updates`` (accepted
    update_template_card bodies), ``token_fetches`` (tokens issued), ``internal_errors``.

    ``visible`` (user ids) is the app's visible range; ``None`` means everyone. ``clock`` (seconds,
    monotonic) stamps arrivals and drives token expiry and the robots' 20-a-minute limit, so a test
    can share its fake clock with the client under test.
    """

    def __init__(
        self,
        *,
        corp_id: str = "ww-fake-corp-0001",
        secret: str = "FAKE-wecom-app-secret-0000000000000000000",
        agent_id: int = 1000002,
        visible: set[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        robot_per_minute: int = 20,
    ) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.visible = visible
        self.clock = clock
        self.robot_per_minute = robot_per_minute

        self.calls: list[Call] = []
        self.sent: list[JSONDict] = []
        self.card_updates: list[JSONDict] = []
        self.token_fetches = 0
        self.internal_errors: list[Exception] = []

        self.port = 0
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._tokens: dict[str, float] = {}  # token -> expires at (fake clock)
        self._current: str | None = None
        self._token_numbers = itertools.count(1)
        self._msg_numbers = itertools.count(1)
        self._media_numbers = itertools.count(1)
        self._task_ids: set[str] = set()
        self._response_codes: dict[str, bool] = {}  # code -> already used
        self._media: dict[str, _Media] = {}
        self._robots: dict[str, list[tuple[float, JSONDict]]] = {}
        self._robot_media: dict[str, str] = {}  # media_id -> the robot key it was uploaded with
        self._robot_log: dict[str, deque[float]] = {}
        self._injections: list[_Injection] = []
        self.browser_user: str | None = None
        """Who is signed in to WeCom in the browser that opens the OAuth2 page (None: nobody)."""
        self._oauth_codes: dict[str, str | None] = {}  # code -> user id (None once used)

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """The API root (``DUBAN_WECOM_API_BASE``): clients append ``/cgi-bin/<api>``."""
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ test controls

    @property
    def oauth_url(self) -> str:
        """WeCom's OAuth2 authorize page (``DUBAN_WECOM_OAUTH_URL``)."""
        return f"{self.base_url}/connect/oauth2/authorize"

    def add_robot(self, key: str) -> str:
        """A group robot the fake knows (its webhook key); unknown keys answer 93000."""
        self._robots.setdefault(key, [])
        self._robot_log.setdefault(key, deque())
        return key

    def robot_messages(self, key: str) -> list[JSONDict]:
        """The messages a robot posted to its group, in order."""
        return [body for _, body in self._robots.get(key, [])]

    def robot_times(self, key: str) -> list[float]:
        """When (fake clock) each of the robot's accepted messages arrived."""
        return [at for at, _ in self._robots.get(key, [])]

    def seed_media(
        self, media_id: str, data: bytes, filename: str, *, kind: str = "file", chunked: bool = False
    ) -> None:
        """A media id as if a user had sent a file (or with ``kind="image"`` a picture) to the app,
        for ``media/get``; ``chunked`` serves it without Content-Length."""
        self._media[media_id] = _Media(data, filename, kind, chunked=chunked)

    def media(self, media_id: str) -> tuple[str, bytes]:
        """(file name, bytes) of an uploaded or seeded media."""
        found = self._media[media_id]
        return found.filename, found.data

    def media_served(self, media_id: str) -> int:
        """How many bytes of a media ``media/get`` wrote out (all of it, unless the client hung up)."""
        return self._media[media_id].served

    def files_to(self, user: str) -> list[tuple[str, bytes]]:
        """(file name, bytes) of every ``file`` message the app sent to ``user``, in order."""
        return [self.media(m["file"]["media_id"]) for m in self.messages_to(user) if m["msgtype"] == "file"]

    def robot_files(self, key: str) -> list[tuple[str, bytes]]:
        """(file name, bytes) of every ``file`` message a robot posted, in order."""
        return [self.media(m["file"]["media_id"]) for m in self.robot_messages(key) if m["msgtype"] == "file"]

    def expire_token(self) -> None:
        """Every token issued so far expires now (the next use answers 42001)."""
        now = self.clock()
        for token in self._tokens:
            self._tokens[token] = min(self._tokens[token], now)
        self._current = None

    def press(self, msgid: str) -> str:
        """A user pressed a button on the card sent as ``msgid``: a fresh response_code for it
        (as in the template_card_event), usable once."""
        if not any(message["msgid"] == msgid for message in self.sent):
            raise KeyError(msgid)
        code = f"RC-{msgid}-{next(self._msg_numbers)}"
        self._response_codes[code] = False
        return code

    def fail_next(self, path: str | None, errcode: int = 45009, *, status: int = 200, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``path`` (e.g. ``"message/send"``; None: any) with
        ``errcode`` (HTTP 200, as WeCom does) or, when ``status`` is not 200, with that HTTP status
        and a plain-text body; the call is not performed."""
        self._injections.append(_Injection(path, times, errcode=errcode, status=status))

    def hang_next(self, path: str | None, seconds: float, times: int = 1) -> None:
        """Perform the next ``times`` calls of ``path``, but answer only after ``seconds`` (real
        time): a client whose read timeout is shorter cannot know the message went out."""
        self._injections.append(_Injection(path, times, hang=seconds))

    def messages_to(self, user: str) -> list[JSONDict]:
        """Accepted message/send bodies whose ``touser`` includes ``user``."""
        return [m for m in self.sent if user in str(m.get("touser", "")).split("|")]

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/connect/oauth2/authorize":
            return self._authorize(request)
        path = request.path.removeprefix("/cgi-bin/")
        call = Call(path, dict(request.query), None, self.clock())
        self.calls.append(call)
        _REQUEST.set(request)
        handlers: dict[str, Callable[[Call], Awaitable[JSONDict | web.StreamResponse]]] = {
            "gettoken": self._gettoken,
            "message/send": self._message_send,
            "message/update_template_card": self._update_card,
            "media/upload": self._media_upload,
            "media/get": self._media_get,
            "webhook/send": self._webhook_send,
            "webhook/upload_media": self._webhook_upload,
            "auth/getuserinfo": self._getuserinfo,
        }
        handler = handlers.get(path) if request.path.startswith("/cgi-bin/") else None
        try:
            await self._read_body(request, call)
            if handler is None:
                call.status = 404
                return web.Response(status=404, text="404 page not found")
            injection = self._injection(path)
            if injection is not None and injection.status != 200:
                call.status = injection.status
                return web.Response(status=injection.status, text="Internal Server Error")
            if injection is not None and injection.errcode:
                raise FakeError(injection.errcode)
            result = await handler(call)
            if isinstance(result, web.StreamResponse):
                call.status, call.errcode = result.status, 0
                return result
            body: JSONDict = {"errcode": 0, "errmsg": "ok", **result}
            if injection is not None and injection.hang > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), injection.hang)
        except FakeError as error:
            body = {"errcode": error.errcode, "errmsg": error.errmsg}
        except Exception as error:  # a bug in the fake or a request it cannot read: visible, never silent
            self.internal_errors.append(error)
            call.status = 500
            return web.Response(status=500, text=f"fake_wecom failed: {error!r}")
        call.status, call.errcode = 200, int(body["errcode"])
        return web.json_response(body)

    def _injection(self, path: str) -> _Injection | None:
        for injection in self._injections:
            if injection.path is None or injection.path == path:
                injection.times -= 1
                if injection.times <= 0:
                    self._injections.remove(injection)
                return injection
        return None

    @staticmethod
    async def _read_body(request: web.Request, call: Call) -> None:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if isinstance(part, BodyPartReader) and part.name:
                    call.files[part.name] = (part.filename or "", bytes(await part.read()))
            return
        raw = await request.read()
        if raw:
            try:
                call.body = json.loads(raw)
            except ValueError as error:
                raise FakeError(40058, "Warning: wrong json format.") from error

    # ------------------------------------------------------------------ OAuth2 (web sign-in)

    def _authorize(self, request: web.Request) -> web.StreamResponse:
        """WeCom's silent OAuth2 page: back to ``redirect_uri`` with a one-time code for the user
        signed in to this browser (scope snsapi_base asks nothing), or an error page."""
        query = request.query
        self.calls.append(Call("oauth2/authorize", dict(query), None, self.clock()))
        ok = query.get("appid") == self.corp_id and query.get("scope") == "snsapi_base"
        if not ok or query.get("response_type") != "code" or not query.get("redirect_uri") or self.browser_user is None:
            return web.Response(status=400, text="invalid oauth request")
        code = f"CODE-{next(self._msg_numbers)}-{self.browser_user}"
        self._oauth_codes[code] = self.browser_user
        back = query["redirect_uri"]
        joined = "&" if "?" in back else "?"
        return web.Response(
            status=302,
            headers={"Location": f"{back}{joined}{urlencode({'code': code, 'state': query.get('state', '')})}"},
        )

    async def _getuserinfo(self, call: Call) -> JSONDict:
        self._check_token(call)
        user = self._oauth_codes.get(call.query.get("code", ""))
        if user is None:
            raise FakeError(40029, "invalid code")
        self._oauth_codes[call.query["code"]] = None  # a code works once
        return {"userid": user, "user_ticket": ""}

    # ------------------------------------------------------------------ the app's endpoints

    def _check_token(self, call: Call) -> None:
        token = call.query.get("access_token")
        if not token:
            raise FakeError(41001)
        expires = self._tokens.get(token)
        if expires is None:
            raise FakeError(40014)
        if self.clock() >= expires:
            raise FakeError(42001)

    async def _gettoken(self, call: Call) -> JSONDict:
        if call.query.get("corpid") != self.corp_id:
            raise FakeError(40013)
        if call.query.get("corpsecret") != self.secret:
            raise FakeError(40001)
        now = self.clock()
        if self._current is None or self._tokens[self._current] <= now:
            self._current = f"FAKE-token-{next(self._token_numbers):04d}-" + "x" * 40
            self._tokens[self._current] = now + TOKEN_LIFETIME
            self.token_fetches += 1
        return {"access_token": self._current, "expires_in": int(self._tokens[self._current] - now)}

    def _body(self, call: Call) -> JSONDict:
        if not isinstance(call.body, dict):
            raise FakeError(40058, "missing json body")
        return call.body

    async def _message_send(self, call: Call) -> JSONDict:
        self._check_token(call)
        body = self._body(call)
        if body.get("agentid") != self.agent_id:
            raise FakeError(40056 if "agentid" not in body else 301002)
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        if not users and not body.get("toparty") and not body.get("totag"):
            raise FakeError(40058, "touser, toparty and totag are all empty")
        invalid = [u for u in users if u != "@all" and self.visible is not None and u not in self.visible]
        if users and len(invalid) == len(users) and not body.get("toparty") and not body.get("totag"):
            raise FakeError(81013)
        answer: JSONDict = {"invaliduser": "|".join(invalid)}
        self._check_content(body, answer)
        msgid = f"msg-{next(self._msg_numbers):06d}"
        answer["msgid"] = msgid
        self.sent.append({**body, "msgid": msgid})
        return answer

    def _check_content(self, body: JSONDict, answer: JSONDict) -> None:
        """WeCom's rules per msgtype; a button card also gets its one-use response_code."""
        kind = body.get("msgtype")
        part = body.get(kind) if isinstance(kind, str) else None
        if kind not in ("text", "markdown", "image", "file", "template_card") or not isinstance(part, dict):
            raise FakeError(40008)
        if kind in ("text", "markdown"):
            limit = MAX_TEXT_BYTES if kind == "text" else MAX_MARKDOWN_BYTES
            _check_length(part.get("content"), limit)
        elif kind in ("image", "file"):
            media = self._media.get(str(part.get("media_id")))
            if media is None:
                raise FakeError(40007)
        else:
            self._check_card(part)
            code = f"RC-{next(self._msg_numbers):06d}"
            self._response_codes[code] = False
            answer["response_code"] = code

    def _check_card(self, card: JSONDict) -> None:
        if card.get("card_type") != "button_interaction":
            raise FakeError(40058, "card_type not supported by the fake")
        task_id = card.get("task_id")
        if not isinstance(task_id, str) or not task_id or len(task_id.encode()) > 128:
            raise FakeError(40058, "task_id missing or invalid")
        if task_id in self._task_ids:
            raise FakeError(40058, "task_id already exists")
        main = card.get("main_title") or {}
        if not main.get("title") and not card.get("sub_title_text"):
            raise FakeError(40058, "main_title.title or sub_title_text required")
        buttons = card.get("button_list")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
            raise FakeError(40058, "button_list needs 1 to 6 buttons")
        keys = [b.get("key") for b in buttons if isinstance(b, dict)]
        if len(keys) != len(buttons) or any(not isinstance(k, str) or not k or len(k.encode()) > 1024 for k in keys):
            raise FakeError(40058, "button key missing or invalid")
        if len(set(keys)) != len(keys) or any(not b.get("text") for b in buttons):
            raise FakeError(40058, "button keys must be unique and every button needs text")
        self._task_ids.add(task_id)

    async def _update_card(self, call: Call) -> JSONDict:
        self._check_token(call)
        body = self._body(call)
        if body.get("agentid") != self.agent_id:
            raise FakeError(301002)
        code = body.get("response_code")
        if not isinstance(code, str) or code not in self._response_codes or self._response_codes[code]:
            raise FakeError(40058, "invalid response_code")
        replacement = body.get("button") or body.get("template_card")
        if not isinstance(replacement, dict):
            raise FakeError(40058, "button or template_card required")
        self._response_codes[code] = True
        self.card_updates.append(body)
        return {"invaliduser": []}

    async def _media_upload(self, call: Call) -> JSONDict:
        self._check_token(call)
        kind = call.query.get("type")
        if kind not in ("image", "file", "voice", "video"):
            raise FakeError(40005 if kind else 40058, "invalid type")
        media_id = self._store(call, kind, MAX_UPLOAD_IMAGE if kind == "image" else MAX_UPLOAD_FILE)
        return {"type": kind, "media_id": media_id, "created_at": str(int(time.time()))}

    def _store(self, call: Call, kind: str, limit: int) -> str:
        if "media" not in call.files:
            raise FakeError(40058, "multipart field media missing")
        filename, data = call.files["media"]
        if len(data) < 5 or len(data) > limit:
            raise FakeError(40009 if kind == "image" else 40006)
        media_id = f"media-{next(self._media_numbers):05d}"
        self._media[media_id] = _Media(data, filename or "file", kind)
        return media_id

    async def _media_get(self, call: Call) -> web.StreamResponse:
        self._check_token(call)
        media = self._media.get(call.query.get("media_id", ""))
        if media is None:
            raise FakeError(40007)
        quoted = media.filename.encode().decode("latin-1")  # WeCom sends the raw utf-8 name
        headers = {"Content-Disposition": f'attachment; filename="{quoted}"'}
        if not media.chunked:
            media.served += len(media.data)
            return web.Response(body=media.data, content_type="application/octet-stream", headers=headers)
        response = web.StreamResponse(headers={**headers, "Content-Type": "application/octet-stream"})
        response.enable_chunked_encoding()
        await response.prepare(_REQUEST.get())
        with contextlib.suppress(ConnectionResetError):
            for start in range(0, len(media.data), 64 * 1024):
                await response.write(media.data[start : start + 64 * 1024])
                media.served += len(media.data[start : start + 64 * 1024])
            await response.write_eof()
        return response

    # ------------------------------------------------------------------ group robots

    def _robot(self, call: Call) -> str:
        key = call.query.get("key", "")
        if key not in self._robots:
            raise FakeError(93000)
        return key

    async def _webhook_send(self, call: Call) -> JSONDict:
        key = self._robot(call)
        body = self._body(call)
        kind = body.get("msgtype")
        part = body.get(kind) if isinstance(kind, str) else None
        if not isinstance(part, dict):
            raise FakeError(40008)
        if kind == "text":
            _check_length(part.get("content"), MAX_TEXT_BYTES)
        elif kind == "markdown":
            _check_length(part.get("content"), MAX_MARKDOWN_BYTES)
        elif kind == "image":
            _check_image(part)
        elif kind == "file":
            if self._robot_media.get(str(part.get("media_id"))) != key:
                raise FakeError(40007)
        elif kind == "news":
            articles = part.get("articles")
            if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
                raise FakeError(40058, "news needs 1 to 8 articles")
            if any(not a.get("title") or not a.get("url") for a in articles):
                raise FakeError(40058, "an article needs title and url")
        else:
            raise FakeError(40008)
        now = self.clock()
        window = self._robot_log[key]
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= self.robot_per_minute:
            raise FakeError(45009)
        window.append(now)
        self._robots[key].append((now, body))
        return {}

    async def _webhook_upload(self, call: Call) -> JSONDict:
        key = self._robot(call)
        kind = call.query.get("type")
        if kind not in ("file", "voice"):
            raise FakeError(40058, "invalid type")
        media_id = self._store(call, kind, MAX_UPLOAD_FILE)
        self._robot_media[media_id] = key
        return {"type": kind, "media_id": media_id, "created_at": str(int(time.time()))}


def _check_length(content: Any, limit: int) -> None:
    if not isinstance(content, str) or not content:
        raise FakeError(44004)
    if len(content.encode()) > limit:
        raise FakeError(45002)


def _check_image(part: JSONDict) -> None:
    try:
        data = base64.b64decode(str(part.get("base64", "")), validate=True)
    except binascii.Error as error:
        raise FakeError(40058, "image base64 invalid") from error
    if not data:
        raise FakeError(40058, "image base64 missing")
    if len(data) > MAX_ROBOT_IMAGE:
        raise FakeError(40009)
    if hashlib.md5(data).hexdigest() != part.get("md5"):  # noqa: S324 - WeCom's checksum, not security
        raise FakeError(40058, "image md5 mismatch")


class FakeTime:
    """A monotonic clock and its ``sleep`` for pacing tests, shared by the client and the fake.

    ``auto=True``: ``sleep(s)`` moves the clock forward by ``s`` at once (an hour of pacing runs in
    milliseconds). ``auto=False``: ``sleep`` waits until the test calls ``advance`` far enough, so a
    test can look at what happened while a sender was waiting.
    """

    def __init__(self, start: float = 1000.0, *, auto: bool = True) -> None:
        self.now = start
        self.auto = auto
        self.sleeps: list[float] = []
        self._moved = asyncio.Event()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        target = self.now + seconds
        if self.auto:
            await asyncio.sleep(0)
            self.now = max(self.now, target)
            return
        while self.now < target:
            self._moved.clear()
            await self._moved.wait()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._moved.set()
