"""WeCom (企业微信) self-built app (自建应用): the outbound API, async over httpx.

Plain values in, plain values out: no database, no handlers. The callback side (decrypting what
WeCom posts) is `bot.wecom_crypto`; group robots are `bot.wecom_robot`.

Every failure is one exception, `WeComError`, told apart like the Telegram transport's errors:
- not sent (connection refused, connect/pool/write timeout, an answered 5xx, a rate limit errcode):
  retried here at once with backoff, a few times, then raised `retryable`;
- in doubt (the request left but no answer came: read timeout, dropped connection): not retried
  here (`in_doubt`), since WeCom may have delivered the message;
- refused for good for this recipient (outside the app's visible range, unknown user): `permanent`.
The access_token is cached for its lifetime less a margin, fetched by one request at a time however
many sends wait for it, and fetched again (the call repeated once) when WeCom says it is invalid or
expired. Neither the secret nor the token ever appears in a log line or an exception message.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from reminders.outbound import DeliveryFailed

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_BASE = "https://qyapi.weixin.qq.com"
MAX_TEXT_BYTES = 2048
MAX_MARKDOWN_BYTES = 4096
TOKEN_MARGIN = 300.0
"""Seconds before WeCom's stated expiry at which a cached token is fetched again."""
TRIES = 3
MAX_BUTTONS = 6

TOKEN_CODES = frozenset({40014, 42001, 42009})
"""access_token invalid / expired: fetch a new one and repeat the call once."""
RETRYABLE_CODES = frozenset({-1, 45009, 45011, 45033})
"""System busy and rate limits: WeCom did not perform the call, so it can be repeated."""
PERMANENT_CODES = frozenset({81013, 60111, 40031, 60103, 81010, 93000, 93004})
"""The recipient cannot be reached by this app or robot: outside the visible range, no such user,
robot removed from its group or disabled. Repeating cannot help."""
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout, httpx.WriteError)
"""Failures before the request reached WeCom: safe to repeat at once."""


class WeComError(Exception):
    """A WeCom call that did not succeed. ``errcode`` is WeCom's (or -1 for a network failure or
    an HTTP error status); the message never contains the secret, the token or a robot key."""

    def __init__(
        self, errcode: int, errmsg: str, *, retryable: bool = False, permanent: bool = False, in_doubt: bool = False
    ) -> None:
        super().__init__(f"WeCom errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.retryable = retryable
        self.permanent = permanent
        self.in_doubt = in_doubt

    def undelivered(self, confirmed: int) -> DeliveryFailed:
        """This failure as the sender sees it, after `confirmed` pieces of a message went through."""
        return DeliveryFailed(str(self), permanent=self.permanent, in_doubt=self.in_doubt, confirmed=confirmed)


class MediaTooLarge(Exception):
    """A media over the size asked for: not read past it. `size` is what WeCom announced
    (Content-Length), or without that the bytes counted when reading stopped (a lower bound)."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(f"media {name!r} of {size} bytes or more")
        self.name = name
        self.size = size


def error_for(errcode: int, errmsg: str) -> WeComError:
    """The exception for an errcode WeCom answered, classified."""
    return WeComError(errcode, errmsg, retryable=errcode in RETRYABLE_CODES, permanent=errcode in PERMANENT_CODES)


def quiet_httpx() -> None:
    """httpx logs every request URL at INFO, and WeCom URLs carry the token or the robot key."""
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def split_bytes(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` utf-8 bytes, cut at line ends where possible.

    WeCom counts its limits in bytes (a Chinese character is three), so a 2,000-character Chinese
    text is three messages, not one. A single line longer than the limit is cut between characters.
    """
    if len(text.encode()) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for line in _lines(text, limit):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode()) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = line
    if current:
        pieces.append(current)
    return pieces


def _lines(text: str, limit: int) -> list[str]:
    """The text's lines, each long one cut into parts of at most ``limit`` bytes."""
    lines: list[str] = []
    for line in text.split("\n"):
        while len(line.encode()) > limit:
            cut = len(line.encode()[:limit].decode(errors="ignore"))
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def button_card(title: str, description: str, buttons: Sequence[tuple[str, str]], *, task_id: str = "") -> JSONDict:
    """A button card (按钮交互型 template_card): buttons as (label, key) pairs, a fresh unique task_id.

    WeCom refuses a task_id it has seen before for the app, and a press reports the task_id and the
    button's key, so keys must be unique within the card.
    """
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise ValueError(f"a button card takes 1 to {MAX_BUTTONS} buttons, got {len(buttons)}")
    keys = [key for _, key in buttons]
    if len(set(keys)) != len(keys):
        raise ValueError("button keys must be unique within a card")
    return {
        "card_type": "button_interaction",
        "main_title": {"title": title, "desc": description},
        "task_id": task_id or f"duban-{secrets.token_hex(12)}",
        "button_list": [{"text": label, "style": 1, "key": key} for label, key in buttons],
    }


@dataclass(frozen=True)
class Sent:
    """What WeCom answered to one message/send: its msgid, and for a button card the one-use
    response_code that updates it."""

    msgid: str
    response_code: str = ""


class WeComHttp:
    """The HTTP exchange shared by the app and the robots: one JSON answer, or a `WeComError`.

    Repeats at once (with backoff) only what surely did not reach WeCom or was refused unperformed
    (5xx, system busy, rate limit); a request whose answer never came is `in_doubt`.
    """

    def __init__(
        self, client: httpx.AsyncClient | None, *, base_url: str, sleep: Sleep, backoff: float, tries: int
    ) -> None:
        quiet_httpx()
        # A local server (tests, a gateway) is reached directly, not through HTTP(S)_PROXY from the environment.
        local = urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1")
        self.client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0), trust_env=not local)
        self.owns_client = client is None
        self.sleep = sleep
        self.backoff = backoff
        self.tries = tries

    async def aclose(self) -> None:
        if self.owns_client:
            await self.client.aclose()

    async def exchange(
        self, method: str, url: str, *, secret_params: dict[str, str], stream: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One request, repeated only when it surely was not performed; the secrets go in the query
        and never into an error message. `stream`: the body is left unread (the caller reads and
        closes it), so a download can stop at a size limit."""
        for attempt in range(self.tries):
            try:
                request = self.client.build_request(method, url, params=secret_params, **kwargs)
                response = await self.client.send(request, stream=stream)
            except NOT_SENT as error:
                failure = WeComError(-1, f"not sent: {type(error).__name__}", retryable=True)
            except httpx.TransportError as error:  # read timeout, connection dropped: maybe delivered
                raise WeComError(-1, f"no answer: {type(error).__name__}", retryable=True, in_doubt=True) from None
            else:
                if response.status_code < 500:
                    return response
                await response.aclose()
                failure = WeComError(-1, f"HTTP {response.status_code}", retryable=True)
            if attempt == self.tries - 1:
                raise failure
            await self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def call(self, method: str, url: str, *, secret_params: dict[str, str], **kwargs: Any) -> JSONDict:
        """The exchange, its JSON checked; WeCom's rate-limit errcodes repeated like a 5xx."""
        for attempt in range(self.tries):
            response = await self.exchange(method, url, secret_params=secret_params, **kwargs)
            body = read_json(response)
            errcode = int(body.get("errcode", 0))
            if errcode == 0 or errcode not in RETRYABLE_CODES or attempt == self.tries - 1:
                return body
            await self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover


def read_json(response: httpx.Response) -> JSONDict:
    try:
        body = response.json()
    except ValueError:
        raise WeComError(-1, f"not JSON (HTTP {response.status_code})", retryable=True) from None
    if not isinstance(body, dict):
        raise WeComError(-1, "unexpected answer", retryable=True)
    return body


def raise_for(body: JSONDict) -> None:
    """Raise the classified `WeComError` unless WeCom answered errcode 0."""
    errcode = int(body.get("errcode", 0))
    if errcode != 0:
        raise error_for(errcode, str(body.get("errmsg", "")))


class WeComApp:
    """The self-built app's API: messages, button cards, media.

    ``clock`` is monotonic seconds (token lifetime); ``sleep`` waits between in-place retries.
    """

    def __init__(
        self,
        corp_id: str,
        agent_id: int,
        secret: str,
        base_url: str = DEFAULT_BASE,
        *,
        client: httpx.AsyncClient | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        backoff: float = 0.5,
        tries: int = TRIES,
    ) -> None:
        self.corp_id = corp_id
        self.agent_id = agent_id
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.http = WeComHttp(client, base_url=self.base_url, sleep=sleep, backoff=backoff, tries=tries)
        self._token = ""
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the secret
        return f"WeComApp(corp_id={self.corp_id!r}, agent_id={self.agent_id})"

    async def aclose(self) -> None:
        await self.http.aclose()

    # ------------------------------------------------------------------ the access token

    async def access_token(self) -> str:
        """The cached token, or a new one: one fetch at a time, the others wait for its result."""
        if self._token and self.clock() < self._token_expires:
            return self._token
        async with self._token_lock:
            if self._token and self.clock() < self._token_expires:
                return self._token
            body = await self.http.call(
                "GET", self._url("gettoken"), secret_params={"corpid": self.corp_id, "corpsecret": self._secret}
            )
            raise_for(body)
            token = str(body.get("access_token", ""))
            if not token:
                raise WeComError(-1, "gettoken answered no access_token", retryable=True)
            self._token = token
            self._token_expires = self.clock() + max(float(body.get("expires_in", 7200)) - TOKEN_MARGIN, 0.0)
            log.info("WeCom access token fetched (valid %s s)", body.get("expires_in"))
            return token

    def _forget(self, token: str) -> None:
        """Drop the token WeCom refused, unless another call already replaced it."""
        if self._token == token:
            self._token = ""

    async def _api(self, method: str, api: str, *, params: dict[str, str] | None = None, **kwargs: Any) -> JSONDict:
        """One API call with the token; a refused token is fetched again and the call repeated once."""
        for attempt in range(2):
            token = await self.access_token()
            body = await self.http.call(
                method, self._url(api), secret_params={"access_token": token, **(params or {})}, **kwargs
            )
            if int(body.get("errcode", 0)) in TOKEN_CODES and attempt == 0:
                log.info("WeCom refused the access token (errcode %s): fetching a new one", body.get("errcode"))
                self._forget(token)
                continue
            raise_for(body)
            return body
        raise AssertionError("unreachable")  # pragma: no cover

    def _url(self, api: str) -> str:
        return f"{self.base_url}/cgi-bin/{api}"

    async def user_for_code(self, code: str) -> str:
        """The WeCom user id an OAuth2 `code` stands for (`auth/getuserinfo`); "" for someone outside
        the enterprise (WeCom then answers an `openid`, not a `userid`)."""
        body = await self._api("GET", "auth/getuserinfo", params={"code": code})
        return str(body.get("userid") or body.get("UserId") or "")

    # ------------------------------------------------------------------ messages

    async def _send(self, user: str, msgtype: str, content: JSONDict) -> Sent:
        body = {"touser": user, "msgtype": msgtype, "agentid": self.agent_id, msgtype: content}
        answer = await self._api("POST", "message/send", json=body)
        if user in str(answer.get("invaliduser", "")).split("|"):
            raise WeComError(81013, "user outside the app's visible range", permanent=True)
        return Sent(str(answer.get("msgid", "")), str(answer.get("response_code", "")))

    async def send_text(self, user: str, text: str) -> list[str]:
        """Send a text (cut at line ends into pieces of at most 2,048 bytes); the msgids, in order."""
        return [(await self._send(user, "text", {"content": p})).msgid for p in split_bytes(text, MAX_TEXT_BYTES)]

    async def send_markdown(self, user: str, markdown: str) -> list[str]:
        """Send WeCom markdown (pieces of at most 4,096 bytes, cut at line ends); the msgids."""
        pieces = split_bytes(markdown, MAX_MARKDOWN_BYTES)
        return [(await self._send(user, "markdown", {"content": p})).msgid for p in pieces]

    async def send_image(self, user: str, data: bytes, filename: str = "image.png") -> str:
        """Upload the picture, then send it; the msgid."""
        media_id = await self.upload(data, filename, kind="image")
        return (await self._send(user, "image", {"media_id": media_id})).msgid

    async def send_file(self, user: str, data: bytes, filename: str) -> str:
        """Upload the file, then send it; the msgid."""
        media_id = await self.upload(data, filename, kind="file")
        return (await self._send(user, "file", {"media_id": media_id})).msgid

    async def send_card(self, user: str, card: JSONDict) -> Sent:
        """Send a template card (see `button_card`); its msgid and response_code."""
        return await self._send(user, "template_card", card)

    async def update_card(self, response_code: str, replacement: str | JSONDict, *, users: Sequence[str] = ()) -> None:
        """Update a pressed card: a text replaces its buttons (e.g. "已完成"), a dict the whole card.

        The response_code comes with the button event (or the send) and works once.
        """
        body: JSONDict = {"agentid": self.agent_id, "response_code": response_code}
        if users:
            body["userids"] = list(users)
        if isinstance(replacement, str):
            body["button"] = {"replace_name": replacement}
        else:
            body["template_card"] = replacement
        await self._api("POST", "message/update_template_card", json=body)

    # ------------------------------------------------------------------ media

    async def upload(self, data: bytes, filename: str, *, kind: str = "file") -> str:
        """A temporary media (3 days) from bytes; its media_id."""
        files = {"media": (filename, data, "application/octet-stream")}
        body = await self._api("POST", "media/upload", params={"type": kind}, files=files)
        return str(body["media_id"])

    async def download(self, media_id: str, *, max_bytes: int | None = None) -> tuple[bytes, str]:
        """The bytes and file name of a media a user sent to the app.

        With `max_bytes`, a larger media raises `MediaTooLarge` without being read past the limit
        (at once when WeCom announces its length).
        """
        for attempt in range(2):
            token = await self.access_token()
            response = await self.http.exchange(
                "GET", self._url("media/get"), secret_params={"access_token": token, "media_id": media_id}, stream=True
            )
            try:
                if not response.headers.get("content-type", "").startswith(("application/json", "text/plain")):
                    name = _filename(response.headers.get("content-disposition", ""), media_id)
                    return await _read_limited(response, name, max_bytes), name
                await response.aread()
            except httpx.TransportError as error:
                raise WeComError(-1, f"download broke off: {type(error).__name__}", retryable=True) from None
            finally:
                await response.aclose()
            body = read_json(response)
            if int(body.get("errcode", 0)) in TOKEN_CODES and attempt == 0:
                self._forget(token)
                continue
            raise_for(body)
            raise WeComError(-1, "media/get answered JSON without an error", retryable=True)
        raise AssertionError("unreachable")  # pragma: no cover


async def _read_limited(response: httpx.Response, name: str, max_bytes: int | None) -> bytes:
    """The body, or `MediaTooLarge` as soon as it is known to pass `max_bytes`."""
    announced = response.headers.get("content-length", "")
    if max_bytes is not None and announced.isdigit() and int(announced) > max_bytes:
        raise MediaTooLarge(name, int(announced))
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if max_bytes is not None and total > max_bytes:
            raise MediaTooLarge(name, total)
        chunks.append(chunk)
    return b"".join(chunks)


_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


def _filename(disposition: str, fallback: str) -> str:
    """The file name from Content-Disposition: WeCom sends raw utf-8 bytes (httpx reads latin-1)."""
    match = _FILENAME.search(disposition)
    if match is None:
        return fallback
    raw = match.group(1)
    try:
        return unquote(raw.encode("latin-1").decode("utf-8"))
    except (UnicodeEncodeError, UnicodeDecodeError):
        return unquote(raw)
