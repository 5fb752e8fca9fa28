"""Messages about the live page (督办看板) said by the server: the /web command, sign-in refusals,
and the lines of a unit's history. The page's own labels are in `config.i18n_web`."""

from __future__ import annotations

PAGE_MESSAGES: dict[str, tuple[str, str]] = {
    "page_link": (
        "督办看板登录链接（{minutes} 分钟内有效，只能使用一次，请勿转发）：\n{url}\n"
        "在浏览器中打开即可查看；退出所有已登录的浏览器请发送 /web logout。",
        "Your sign-in link to the live page (valid for {minutes} minutes, once; do not forward it):\n{url}\n"
        "Open it in a browser. To sign out every browser, send /web logout.",
    ),
    "page_off": (
        "督办看板没有开启（需由办公室在服务器上启用），暂时无法获取登录链接。",
        "The live page is not served here (the office turns it on with duban run), so no link can be given.",
    ),
    "page_private_only": (
        "登录链接只能在与机器人的私聊中获取，请私聊机器人发送 /web。",
        "Sign-in links are given in a private chat only: send /web to the bot privately.",
    ),
    "page_logged_out": (
        "已退出督办看板：{count} 个已登录的浏览器需要重新登录。",
        "Signed out of the live page: {count} browser session(s) must sign in again.",
    ),
    "page_title": ("督办看板", "Live page"),
    "page_enter": ("进入督办看板", "Open the live page"),
    "page_link_ready": (
        "点击下面的按钮登录督办看板（此链接只能使用一次）。",
        "Press the button to sign in (this link works once).",
    ),
    "page_button": ("📊 打开督办看板", "📊 Open the live page"),
    "page_wecom_line": ('\n📊 <a href="{url}">打开督办看板</a>', '\n📊 <a href="{url}">Open the live page</a>'),
    "page_forbidden": (
        "您没有查看这一页的权限。联络员只能查看本单位的页面。",
        "You may not see this page. A liaison sees their own unit's page only.",
    ),
    "page_not_found": ("没有找到这一页：单位或指标不存在。", "No such page: the unit or indicator does not exist."),
    "page_signin": (
        "请先登录：在聊天中发送 /web 获取登录链接，或从机器人 /status 回复下的按钮打开。",
        "Please sign in: send /web in the chat for a link, or open the page with the button under /status.",
    ),
    "page_signin_refused": (
        "登录没有成功：链接无效、已使用或已过期。请在聊天中重新发送 /web 获取新链接。",
        "Sign-in failed: the link is unknown, used or expired. Send /web in the chat for a new one.",
    ),
    "page_telegram_refused": (
        "无法确认您的身份（数据无效或已过期），请从机器人的按钮重新打开。",
        "Your identity could not be confirmed (invalid or stale data): open the page again from the bot's button.",
    ),
    "page_not_bound": (
        "您还没有加入任何督办计划：请先用邀请码在聊天中绑定（/bind 邀请码）。",
        "You are not a member of any plan yet: bind with an invite code in the chat first (/bind <code>).",
    ),
    "page_history_progress": ("任务 {code}：{status} {note}", "Task {code}: {status} {note}"),
    "page_history_report": ("报送 指标{code} {place} {value}", "Reported {code} {place} {value}"),
}
