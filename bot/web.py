"""The live page (督办看板) over HTTP: the page's files, its JSON and its live stream.

Served by `duban run` on the same server as the WeCom callback (`bot.web_server`). Every request
under /web/api is checked on the server: the session cookie must stand for a member still bound,
and what the member may see is decided by `handlers.board` (leaders and admins the plan, a liaison
their unit). Every response carries a strict Content-Security-Policy: the page loads nothing but its
own files, so it works on an intranet with no internet at all. Sign-in is in `bot.web_signin`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.web_live import LivePlans
from config.i18n import MESSAGES, translate
from handlers.board import plan_board
from handlers.board_detail import indicator_board, unit_board
from handlers.context import Ctx, Services
from handlers.types import Request, UserError
from models.plans import get_plan
from models.tables import Identity, Member, UnitRow
from models.web_access import signed_in

STATIC = Path(str(resources.files("bot") / "web_static"))
COOKIE = "duban_page"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self' https://web.telegram.org"
)
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
HEARTBEAT = 15.0
"""Seconds between comments on an idle live stream (proxies close silent connections)."""
Json = dict[str, Any]
View = Callable[[Ctx, dict[str, str]], Awaitable[Json]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every answer under /web: the page's own files only, no sniffing, no referrer, no caching of data."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
    if request.path.startswith("/web"):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.path.startswith("/web/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
    if isinstance(response, web.HTTPException):
        raise response
    return response


@dataclass
class Page:
    """The page's routes, bound to the services they read."""

    services: Services
    live: LivePlans
    streams: set[asyncio.Task[Any]] = field(default_factory=set)
    """The live streams being served: closed when the server stops (they would keep it waiting)."""

    def add_routes(self, app: web.Application) -> None:
        """The page's routes under /web (the sign-in routes are added by `bot.web_signin`)."""
        app.router.add_get("/web", self.to_page)
        app.router.add_get("/web/", self.index)
        app.router.add_get("/web/static/{name}", self.static)
        app.router.add_get("/web/api/me", self.api(me))
        app.router.add_get("/web/api/texts", self.api(texts))
        app.router.add_get("/web/api/plan", self.api(lambda ctx, _: plan_board(ctx)))
        app.router.add_get(
            "/web/api/unit/{unit_id:\\d{1,12}}", self.api(lambda ctx, m: unit_board(ctx, int(m["unit_id"])))
        )
        app.router.add_get("/web/api/indicator/{code}", self.api(lambda ctx, m: indicator_board(ctx, m["code"])))
        app.router.add_get("/web/api/events", self.events)

    async def to_page(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/web/")

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Content-Type": "text/html; charset=utf-8"})

    async def static(self, request: web.Request) -> web.StreamResponse:
        """One of the page's own files; nothing outside `bot/web_static`."""
        name = request.match_info["name"]
        path = STATIC / name
        if not SAFE_NAME.match(name) or path.suffix not in TYPES or not path.is_file():
            raise web.HTTPNotFound()
        kind = TYPES[path.suffix] + ("; charset=utf-8" if path.suffix in (".html", ".js", ".css", ".svg") else "")
        return web.FileResponse(path, headers={"Content-Type": kind, "Cache-Control": "no-cache"})

    def api(self, view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """A JSON endpoint: signed in, as the member the session stands for, refusals as 403/404."""

        async def answer(request: web.Request) -> web.StreamResponse:
            async with self.signed_ctx(request) as ctx:
                try:
                    return json_response(await view(ctx, dict(request.match_info)))
                except UserError as refused:
                    status = 404 if refused.key == "page_not_found" else 403
                    error = "not_found" if status == 404 else "forbidden"
                    return json_response({"error": error, "message": ctx.t(refused.key, **refused.params)}, status)

        return answer

    @contextlib.asynccontextmanager
    async def signed_ctx(self, request: web.Request) -> AsyncIterator[Ctx]:
        """The member's world for one request, read afresh (an unbound member is out at once)."""
        services = self.services
        async with services.db.session() as session:
            now = services.clock()
            signed = await signed_in(session, request.cookies.get(COOKIE, ""), now)
            if signed is None:
                raise unauthorized()
            ctx = await member_ctx(services, session, signed.member, now)
            if ctx is None:
                raise unauthorized()
            yield ctx

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: `change` whenever the member's plan changed; a comment now and then."""
        async with self.signed_ctx(request) as ctx:
            plan_id = ctx.need_plan()[0].id
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        task = asyncio.current_task()
        assert task is not None
        self.streams.add(task)
        try:
            async with self.live.listen(plan_id) as changes:
                while True:
                    try:
                        await asyncio.wait_for(changes.get(), HEARTBEAT)
                        await response.write(b"event: change\ndata: {}\n\n")
                    except TimeoutError:
                        await response.write(b": idle\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the page went away, or the server is stopping
        finally:
            self.streams.discard(task)
        return response

    async def close(self) -> None:
        """End the live streams and stop watching for changes."""
        for task in list(self.streams):
            task.cancel()
        await self.live.close()


async def member_ctx(services: Services, session: Any, member: Member, now: Any) -> Ctx | None:
    """A Ctx for the member, as the router would build it for a message from them."""
    found = await get_plan(session, member.plan_id)
    if found is None:
        return None
    identity = await session.get(Identity, (member.transport, member.user_id))
    request = Request(
        transport=member.transport, user_id=member.user_id, chat_id=member.chat_id, text="", plan_id=member.plan_id
    )
    ctx = Ctx(services=services, session=session, request=request, now=now, lang=identity.lang if identity else "zh")
    ctx.plan_row, ctx.plan = found
    ctx.member = member
    if member.unit_id is not None:
        ctx.unit = await session.get(UnitRow, member.unit_id)
    return ctx


async def me(ctx: Ctx, _: dict[str, str]) -> Json:
    """Who is signed in, and which view they start at."""
    member = ctx.need_member()
    plan_row, plan = ctx.need_plan()
    unit = {"id": ctx.unit.id, "name": ctx.unit.name} if ctx.unit is not None else None
    return {
        "member": {"id": member.id, "name": member.display_name or member.user_id, "role": member.role},
        "plan": {"id": plan.id, "name": plan.name},
        "lang": ctx.lang,
        "scope": "plan" if ctx.reads_all else "unit",
        "unit": unit if member.role == "liaison" else None,
    }


async def texts(ctx: Ctx, _: dict[str, str]) -> Json:
    """The page's labels in the member's language."""
    return {key: translate(ctx.lang, key) for key in MESSAGES if key.startswith("web_")}


def json_response(body: Json, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json", charset="utf-8"
    )


def unauthorized() -> web.HTTPUnauthorized:
    """No session: the page shows how to sign in."""
    body = json.dumps({"error": "signin", "message": translate("zh", "page_signin")}, ensure_ascii=False)
    return web.HTTPUnauthorized(text=body, content_type="application/json")
