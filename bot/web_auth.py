"""Sign-in checks for the live page that need a chat service's secrets: Telegram Mini App initData
and WeCom's OAuth2 redirect. Neither asks for a password; each proves who the person is in a chat
they are already signed in to.

Telegram (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app): the
page hands over the initData string Telegram gave it; it is valid when its `hash` equals
HMAC-SHA-256(key = HMAC-SHA-256(key="WebAppData", msg=bot token), msg = every other field as
`key=value`, sorted by key, joined by newlines), and its `auth_date` is at most INIT_DATA_MAX_AGE old
(a captured initData cannot be replayed for long). WeCom: the page is opened at `/web/wecom`, which
redirects to WeCom's OAuth2 authorize URL (scope snsapi_base, a random `state` kept in a cookie
against cross-site forgery); WeCom sends the browser back with a `code` that `auth/getuserinfo`
turns into the user id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

INIT_DATA_MAX_AGE = dt.timedelta(hours=1)
"""How old a Telegram initData may be: a Mini App opened an hour ago must be opened again."""
MAX_INIT_DATA = 4096


@dataclass(frozen=True)
class TelegramUser:
    """Who a valid initData says opened the page."""

    user_id: str
    name: str


def telegram_user(init_data: str, bot_token: str, now: dt.datetime) -> TelegramUser | None:
    """The user a Mini App initData was signed for by this bot, or None (forged, altered, stale)."""
    if not init_data or len(init_data) > MAX_INIT_DATA:
        return None
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=False))
    given = fields.pop("hash", "")
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not given or not hmac.compare_digest(expected, given):
        return None
    try:
        signed_at = dt.datetime.fromtimestamp(int(fields.get("auth_date", "")), dt.UTC)
        user = json.loads(fields.get("user", ""))
        user_id = str(int(user["id"]))
    except (ValueError, TypeError, KeyError, OverflowError):
        return None
    if not now - INIT_DATA_MAX_AGE <= signed_at <= now + dt.timedelta(minutes=5):
        return None
    name = " ".join(str(user.get(k, "")) for k in ("first_name", "last_name")).strip()
    return TelegramUser(user_id, name)


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """An initData string as Telegram signs it (for tests and the README's example)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    signed = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": signed})


def wecom_authorize_url(authorize: str, corp_id: str, back: str, state: str) -> str:
    """Where to send the browser for WeCom's silent OAuth2 (snsapi_base: the user id, no prompt)."""
    query = urlencode(
        {"appid": corp_id, "redirect_uri": back, "response_type": "code", "scope": "snsapi_base", "state": state}
    )
    return f"{authorize}?{query}#wechat_redirect"
