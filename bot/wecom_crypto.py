"""WeCom (企业微信) self-built app callbacks: signature, AES-256-CBC envelope, safe XML, parsed message.

This is the lowest layer of the WeCom callback: no HTTP and no database. WeCom signs every callback
with SHA-1 over the sorted token, timestamp, nonce and ciphertext, and encrypts the message with
AES-256-CBC (key = base64 of the EncodingAESKey plus "=", IV = the key's first 16 bytes, PKCS#7
padding to 32-byte blocks) around `16 random bytes + 4-byte big-endian length + message + corp id`.
Only `cryptography`'s AES/CBC and `hashlib` are used: no home-made primitive.

Everything that comes from the network is hostile until checked, so every failure of any input
raises the one exception `CallbackRejected` with a short fixed reason (never the secrets and never
the attacker's bytes, so it is safe to log). The signature is checked before anything is decrypted,
so nobody without the token can probe the padding or length checks. XML with a DOCTYPE or entity
declaration is refused before ElementTree sees it (no entity expansion attacks), and documents are
limited to 64 KB.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MAX_XML_BYTES = 64 * 1024
"""WeCom's callbacks are a few hundred bytes; anything this large is not from WeCom."""

MAX_AGE = 300
"""Seconds a callback's timestamp may differ from our clock (WeCom retries within about 15 s)."""

PAD_BLOCK = 32
"""WeCom pads to 32-byte blocks (not AES's 16), so the padding value runs from 1 to 32."""

_RANDOM_PREFIX = 16
_LENGTH_FIELD = 4


class CallbackRejected(Exception):
    """A callback that must be refused; `reason` is short, fixed text, safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reject(reason: str) -> NoReturn:
    raise CallbackRejected(reason)


# --- freshness ------------------------------------------------------------------------------------


def _parse_timestamp(timestamp: str | int) -> int:
    """WeCom's timestamps are decimal seconds; `int()` alone would accept "1_0", " 7" or "٣"."""
    if isinstance(timestamp, bool):
        _reject("bad timestamp")
    if isinstance(timestamp, int):
        return timestamp
    if not isinstance(timestamp, str) or not (0 < len(timestamp) <= 12 and timestamp.isascii() and timestamp.isdigit()):
        _reject("bad timestamp")
    return int(timestamp)


def check_fresh(timestamp: str | int, now: dt.datetime | float, max_age: int = MAX_AGE) -> int:
    """Refuse a timestamp more than `max_age` seconds from `now`, either way; return it as an int.

    The caller injects `now` (an aware datetime or epoch seconds) so that replays of an old,
    correctly signed request are refused without the crypto depending on the wall clock.
    """
    seconds = _parse_timestamp(timestamp)
    if isinstance(now, dt.datetime):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        now = now.timestamp()
    if seconds < now - max_age:
        _reject("stale timestamp")
    if seconds > now + max_age:
        _reject("timestamp in the future")
    return seconds


# --- XML ------------------------------------------------------------------------------------------


def _refuse_declaration(*_args: object) -> NoReturn:
    _reject("DOCTYPE or entity in XML")


def _screen(document: str | bytes) -> None:
    """Run expat over the document with every DTD hook refusing, before ElementTree parses it.

    The doctype handler fires as soon as `<!DOCTYPE` starts, before any entity is declared or
    expanded, so billion-laughs and external entities never get a chance.
    """
    screener = expat.ParserCreate()
    screener.StartDoctypeDeclHandler = _refuse_declaration
    screener.EntityDeclHandler = _refuse_declaration
    screener.UnparsedEntityDeclHandler = _refuse_declaration
    screener.NotationDeclHandler = _refuse_declaration
    screener.ExternalEntityRefHandler = _refuse_declaration
    screener.Parse(document, True)


def parse_xml(document: str | bytes) -> ET.Element:
    """Parse a small XML document with no DTD, or raise `CallbackRejected`."""
    if isinstance(document, str):
        try:
            size = len(document.encode("utf-8"))
        except UnicodeError:
            _reject("malformed XML")
    elif isinstance(document, bytes):
        size = len(document)
    else:
        _reject("malformed XML")
    if size > MAX_XML_BYTES:
        _reject("XML too large")
    try:
        _screen(document)
        return ET.fromstring(document)
    except CallbackRejected:
        raise
    except (ET.ParseError, expat.ExpatError, ValueError, LookupError):
        # ValueError and LookupError: encodings expat cannot use, declared in the document.
        _reject("malformed XML")


def _text(root: ET.Element, tag: str) -> str | None:
    """The text of a direct child (CDATA included), or None when the child is absent."""
    child = root.find(tag)
    if child is None:
        return None
    return child.text or ""


def _required(root: ET.Element, tag: str) -> str:
    value = _text(root, tag)
    if not value:
        _reject("missing field")
    return value


def _integer(value: str) -> int:
    """A decimal field (CreateTime, AgentID); `int()` alone would accept "1_0" or "٣"."""
    value = value.strip()
    if not (0 < len(value) <= 20 and value.isascii() and value.isdigit()):
        _reject("bad number")
    return int(value)


def _optional_integer(value: str | None) -> int | None:
    return None if not value else _integer(value)


# --- the crypto -----------------------------------------------------------------------------------


def _utf8(value: str, reason: str) -> bytes:
    if not isinstance(value, str):
        _reject(reason)
    try:
        return value.encode("utf-8")
    except UnicodeError:
        _reject(reason)


def _ascii_token(value: str | int, reason: str) -> str:
    """Timestamps and nonces we write ourselves: plain ASCII letters and digits, nothing to escape."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not (0 < len(text) <= 64 and text.isascii() and text.isalnum()):
        _reject(reason)
    return text


class WeComCrypto:
    """The callback crypto of one WeCom self-built app: its Token, EncodingAESKey and corp id."""

    check_fresh = staticmethod(check_fresh)

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        if not token or not corp_id:
            raise ValueError("WeCom token and corp id must not be empty")
        key = _decode_aes_key(encoding_aes_key)
        self._token = token.encode("utf-8")
        self._key = key
        self._corp_id = corp_id.encode("utf-8")

    def __repr__(self) -> str:
        return "WeComCrypto(<secrets hidden>)"

    # The public API ------------------------------------------------------------------------------

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Check the GET verification's signature and return the decrypted echostr to answer with."""
        self._check_signature(msg_signature, timestamp, nonce, echostr)
        return self._decrypt(echostr)

    def decrypt_message(self, body: bytes | str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Return the inner XML of a POSTed `<xml><Encrypt>…</Encrypt></xml>` envelope."""
        envelope = parse_xml(body)
        encrypted = _required(envelope, "Encrypt")
        self._check_signature(msg_signature, timestamp, nonce, encrypted)
        return self._decrypt(encrypted)

    def encrypt_message(self, xml: str, timestamp: str | int, nonce: str) -> str:
        """The envelope WeCom expects for a passive reply (kept for completeness: replies go through
        message/send, since the callback must be answered within 5 seconds)."""
        timestamp = _ascii_token(timestamp, "bad timestamp")
        nonce = _ascii_token(nonce, "bad nonce")
        encrypted = self._encrypt(_utf8(xml, "malformed XML"))
        signature = self.signature(timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp>"
            f"<Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """SHA-1 (hex) of the sorted concatenation of token, timestamp, nonce and ciphertext."""
        parts = sorted(
            [
                self._token,
                _utf8(timestamp, "bad timestamp"),
                _utf8(nonce, "bad nonce"),
                _utf8(encrypted, "bad ciphertext"),
            ]
        )
        return hashlib.sha1(b"".join(parts)).hexdigest()  # SHA-1 is what WeCom signs with

    # Internals -----------------------------------------------------------------------------------

    def _check_signature(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = self.signature(timestamp, nonce, encrypted).encode("ascii")
        given = _utf8(msg_signature, "bad signature")
        if not hmac.compare_digest(expected, given):
            _reject("bad signature")

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def _encrypt(self, message: bytes) -> str:
        plain = secrets.token_bytes(_RANDOM_PREFIX) + len(message).to_bytes(_LENGTH_FIELD, "big")
        plain += message + self._corp_id
        pad = PAD_BLOCK - len(plain) % PAD_BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def _decrypt(self, encrypted: str) -> str:
        if not isinstance(encrypted, str):
            _reject("bad base64")
        try:
            ciphertext = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            _reject("bad base64")
        if not ciphertext or len(ciphertext) % PAD_BLOCK:
            _reject("bad length")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(ciphertext) + decryptor.finalize()
        plain = _unpad(plain)
        if len(plain) < _RANDOM_PREFIX + _LENGTH_FIELD:
            _reject("bad length")
        start = _RANDOM_PREFIX + _LENGTH_FIELD
        length = int.from_bytes(plain[_RANDOM_PREFIX:start], "big")
        if start + length > len(plain):
            _reject("bad length")
        message, corp_id = plain[start : start + length], plain[start + length :]
        if not hmac.compare_digest(corp_id, self._corp_id):
            _reject("wrong corp id")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError:
            _reject("bad encoding")


def _decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 43-character EncodingAESKey is base64 of the 32-byte AES key, without its "=" (a config
    error here is a ValueError at start-up, and its message never contains the key)."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ValueError("the WeCom EncodingAESKey is not valid base64") from None
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise ValueError("the WeCom EncodingAESKey must be 43 characters (a 32-byte key)")
    return key


def _unpad(plain: bytes) -> bytes:
    """Strict PKCS#7 to 32-byte blocks: the value is 1–32 and every padding byte carries it."""
    pad = plain[-1]
    if not 1 <= pad <= PAD_BLOCK or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
        _reject("bad padding")
    return plain[:-pad]


# --- the decrypted message ------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """What Duban needs from one decrypted callback: a message (text, image, file…) or an event."""

    msg_type: str
    from_user: str
    to_user: str
    """The corp id."""
    agent_id: int | None
    create_time: int
    msg_id: str | None
    """None for events, which WeCom sends without a MsgId."""
    content: str | None = None
    media_id: str | None = None
    file_name: str | None = None
    event: str | None = None
    event_key: str | None = None
    task_id: str | None = None
    response_code: str | None = None
    """For template_card_event: the one-time code (72 hours) that update_template_card needs."""
    dedup_key: str = ""
    """`msg:<MsgId>` for messages; for events (no MsgId) `event:` and a SHA-256 of the sender, time,
    event and key/task (JSON, so no two identities run together), so WeCom's retries of one event
    share a key while presses of different buttons do not, and the key stays 70 characters long."""


def parse_callback(xml: str) -> Incoming:
    """Read the decrypted inner XML; unknown message types parse too (their `msg_type` is kept)."""
    root = parse_xml(xml)
    msg_type = _required(root, "MsgType")
    from_user = _required(root, "FromUserName")
    create_time = _integer(_required(root, "CreateTime"))
    msg_id = _text(root, "MsgId") or None
    event = _text(root, "Event") or None
    event_key = _text(root, "EventKey") or None
    task_id = _text(root, "TaskId") or None
    if msg_id is not None:
        dedup_key = f"msg:{msg_id}"
    else:
        identity = json.dumps([from_user, create_time, event or msg_type, event_key or "", task_id or ""])
        dedup_key = "event:" + hashlib.sha256(identity.encode("utf-8")).hexdigest()
    return Incoming(
        msg_type=msg_type,
        from_user=from_user,
        to_user=_text(root, "ToUserName") or "",
        agent_id=_optional_integer(_text(root, "AgentID")),
        create_time=create_time,
        msg_id=msg_id,
        content=_text(root, "Content"),
        media_id=_text(root, "MediaId") or None,
        file_name=_text(root, "FileName") or None,
        event=event,
        event_key=event_key,
        task_id=task_id,
        response_code=_text(root, "ResponseCode") or None,
        dedup_key=dedup_key,
    )
