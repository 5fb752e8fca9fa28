"""Signing in to the live page without a password, three ways, each ending in a session cookie
(HttpOnly, SameSite=Lax, Secure when the page is served over https):

- a one-time link from /web: opening it shows a button; pressing it (a POST) uses the link up, so a
  chat service fetching the link for a preview does not spend it;
- Telegram: the Mini App's page posts the initData Telegram signed (`bot.web_auth.telegram_user`);
- WeCom: /web/wecom sends the browser through WeCom's OAuth2 and back with a code (a random `state`
  in a short-lived cookie stops a forged return).

/web/api/logout ends the browser's own session; /web logout in the chat ends them all.
"""

from __future__ import annotations

import html
import json
import secrets
from dataclasses import dataclass

from aiohttp import web

from bot.web import COOKIE, json_response
from bot.web_auth import telegram_user, wecom_authorize_url
from bot.wecom_api import WeComApp, WeComError
from config.i18n import translate
from handlers.context import Services
from models.web_access import SESSION_DAYS, member_for, open_session, redeem_link, revoke_one, signed_in

STATE_COOKIE = "duban_oauth_state"
LINK_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/web/static/app.css"></head>
<body class="signin"><main><h1>{title}</h1><p data-testid="signin-message">{text}</p>{form}</main></body></html>
"""


@dataclass
class WeComSignIn:
    """What WeCom's OAuth2 needs: the app's API client (for `auth/getuserinfo`) and where to send people."""

    api: WeComApp
    authorize: str


@dataclass
class SignIn:
    """The sign-in routes."""

    services: Services
    bot_token: str | None = None
    wecom: WeComSignIn | None = None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/web/login/{token}", self.link_page)
        app.router.add_post("/web/login/{token}", self.link)
        app.router.add_post("/web/api/telegram", self.telegram)
        app.router.add_get("/web/wecom", self.wecom_start)
        app.router.add_get("/web/wecom/back", self.wecom_back)
        app.router.add_post("/web/api/logout", self.logout)

    @property
    def secure(self) -> bool:
        return self.services.web.base.startswith("https://")

    async def link_page(self, request: web.Request) -> web.StreamResponse:
        """The link opened: one button that signs in (nothing is spent by merely fetching the page)."""
        token = html.escape(request.match_info["token"], quote=True)
        button = translate("zh", "page_enter")
        form = f'<form method="post" action="/web/login/{token}"><button type="submit">{button}</button></form>'
        return _page(translate("zh", "page_title"), translate("zh", "page_link_ready"), form)

    async def link(self, request: web.Request) -> web.StreamResponse:
        """The button pressed: the link is used up and a session starts."""
        async with self.services.db.session() as session:
            now = self.services.clock()
            member = await redeem_link(session, request.match_info["token"], now)
            if member is None:
                return _page(translate("zh", "page_title"), translate("zh", "page_signin_refused"), status=403)
            token = await open_session(session, member, "link", now)
        return self._signed(_to_page(), token)

    async def telegram(self, request: web.Request) -> web.StreamResponse:
        """A Telegram Mini App's initData, checked against this bot's token."""
        try:
            body = await request.json()
            init_data = str(body.get("init_data", "")) if isinstance(body, dict) else ""
        except (ValueError, UnicodeDecodeError):
            init_data = ""
        user = telegram_user(init_data, self.bot_token, self.services.clock()) if self.bot_token else None
        if user is None:
            return _refused("page_telegram_refused", 401)
        return await self._start("telegram", user.user_id, json=True)

    async def wecom_start(self, request: web.Request) -> web.StreamResponse:
        """Off to WeCom's OAuth2, with a fresh `state` kept in a cookie for the way back."""
        if self.wecom is None or not self.services.web.base:
            raise web.HTTPNotFound()
        state = secrets.token_urlsafe(16)
        back = f"{self.services.web.base}/web/wecom/back"
        url = wecom_authorize_url(self.wecom.authorize, self.wecom.api.corp_id, back, state)
        response = web.Response(status=302, headers={"Location": url})
        response.set_cookie(
            STATE_COOKIE, state, max_age=600, httponly=True, samesite="Lax", path="/web", secure=self.secure
        )
        return response

    async def wecom_back(self, request: web.Request) -> web.StreamResponse:
        """Back from WeCom with a code: the user id it stands for signs in that member."""
        if self.wecom is None:
            raise web.HTTPNotFound()
        state, expected = request.query.get("state", ""), request.cookies.get(STATE_COOKIE, "")
        code = request.query.get("code", "")
        if not code or not expected or not secrets.compare_digest(state, expected):
            return _page(translate("zh", "page_title"), translate("zh", "page_signin_refused"), status=403)
        try:
            user_id = await self.wecom.api.user_for_code(code)
        except WeComError:
            user_id = ""
        if not user_id:
            return _page(translate("zh", "page_title"), translate("zh", "page_signin_refused"), status=403)
        answer = await self._start("wecom", user_id, json=False)
        answer.del_cookie(STATE_COOKIE, path="/web")
        return answer

    async def logout(self, request: web.Request) -> web.StreamResponse:
        """This browser's session ends."""
        async with self.services.db.session() as session:
            now = self.services.clock()
            signed = await signed_in(session, request.cookies.get(COOKIE, ""), now)
            if signed is not None:
                await revoke_one(session, signed.session_id, now)
        response = json_response({"ok": True})
        response.del_cookie(COOKIE, path="/web")
        return response

    async def _start(self, transport: str, user_id: str, *, json: bool) -> web.Response:
        """A session for the member this chat user is (then the page, or {"ok": true} for the page's
        script), or a polite refusal when they are nobody's."""
        async with self.services.db.session() as session:
            member = await member_for(session, transport, user_id)
            if member is None:
                if json:
                    return _refused("page_not_bound", 403)
                return _page(translate("zh", "page_title"), translate("zh", "page_not_bound"), status=403)
            token = await open_session(session, member, transport, self.services.clock())
        return self._signed(json_response({"ok": True}) if json else _to_page(), token)

    def _signed(self, answer: web.Response, token: str) -> web.Response:
        answer.set_cookie(
            COOKIE, token, max_age=SESSION_DAYS * 86400, httponly=True, samesite="Lax", path="/web", secure=self.secure
        )
        return answer


def _to_page() -> web.Response:
    """Signed in: on to the page (303, so the browser fetches it with GET)."""
    return web.Response(status=303, headers={"Location": "/web/"})


def _refused(key: str, status: int) -> web.Response:
    return web.Response(
        text=json.dumps({"error": "signin", "message": translate("zh", key)}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _page(title: str, text: str, form: str = "", status: int = 200) -> web.Response:
    body = LINK_PAGE.format(title=html.escape(title), text=html.escape(text), form=form)
    return web.Response(text=body, status=status, content_type="text/html")
