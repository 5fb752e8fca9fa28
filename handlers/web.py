"""/web: a one-time link to the live page (督办看板) for any browser; /web logout ends every session."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.types import Reply, UserError
from models.web_access import LINK_MINUTES, create_link, revoke_sessions


async def web(ctx: Ctx, args: str) -> Reply:
    """/web: a sign-in link valid for ten minutes, once; /web logout: sign out of every browser."""
    member = ctx.need_member()
    if args.strip().lower() in ("logout", "退出"):
        count = await revoke_sessions(ctx.session, member, ctx.now)
        return Reply(ctx.t("page_logged_out", count=count))
    base = ctx.services.web.base
    if not base:
        raise UserError("page_off")
    if ctx.request.group:
        raise UserError("page_private_only")  # a link posted in a group would sign in whoever opens it first
    token = await create_link(ctx.session, member, ctx.now)
    return Reply(ctx.t("page_link", minutes=LINK_MINUTES, url=f"{base}/web/login/{token}"))
