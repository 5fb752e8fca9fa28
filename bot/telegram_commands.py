"""Telegram's command menu (setMyCommands): what each kind of person sees, in Chinese and English.

Everyone sees how to get in; a bound chat sees the commands of its role, so a liaison's menu is
about reporting and a leader's about reading.
"""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

# (command, Chinese description, English description)
ENTRY = [
    ("start", "开始 / 我的身份", "start / who am I"),
    ("bind", "用邀请码绑定", "bind with an invite code"),
    ("help", "命令说明", "help"),
]
ROLE_COMMANDS: dict[str, list[tuple[str, str, str]]] = {
    "liaison": [
        ("tasks", "本单位任务", "my unit's tasks"),
        ("progress", "登记任务进展", "record progress"),
        ("report", "报送数据", "report a figure"),
        ("score", "指标得分", "scores"),
        ("status", "本单位情况", "my unit's status"),
        ("gate", "基础指标达标", "basic indicator met"),
        ("evidence", "佐证材料", "evidence files"),
        ("proposals", "待确认的建议值", "proposed figures"),
        ("units", "单位与单位组", "units and groups"),
        ("digest", "本周简报", "this week's digest"),
        ("help", "命令说明", "help"),
    ],
    "leader": [
        ("status", "总体情况 / 单位下钻", "status, drill down"),
        ("score", "指标得分", "scores"),
        ("tasks", "任务清单", "tasks"),
        ("indicators", "指标与责任单位", "indicators"),
        ("evidence", "佐证材料完整性", "evidence completeness"),
        ("export", "导出台账", "export the ledger"),
        ("digest", "本周简报", "this week's digest"),
        ("history", "报送记录", "report history"),
        ("units", "单位与单位组", "units and groups"),
        ("help", "命令说明", "help"),
    ],
    "admin": [
        ("status", "总体情况", "status"),
        ("tasks", "任务清单", "tasks"),
        ("report", "报送数据", "report a figure"),
        ("progress", "登记进展", "record progress"),
        ("gate", "基础指标达标", "basic indicator met"),
        ("evidence", "佐证材料完整性", "evidence completeness"),
        ("review", "审核佐证材料", "review evidence"),
        ("export", "导出台账", "export the ledger"),
        ("score", "指标得分", "scores"),
        ("proposals", "待确认的建议值", "proposed figures"),
        ("answer", "答复求助", "answer a call for help"),
        ("invite", "生成邀请码", "invite code"),
        ("robot", "企业微信群机器人", "WeCom group robots"),
        ("remind", "提醒规则", "reminder policy"),
        ("holiday", "节假日调整", "holidays"),
        ("digest", "本周简报", "this week's digest"),
        ("help", "命令说明", "help"),
    ],
}


def _commands(entries: list[tuple[str, str, str]], lang: str) -> list[BotCommand]:
    return [BotCommand(name, zh if lang == "zh" else en) for name, zh, en in entries]


async def _set(
    bot: Bot, entries: list[tuple[str, str, str]], scope: BotCommandScopeDefault | BotCommandScopeChat
) -> None:
    await bot.set_my_commands(_commands(entries, "zh"), scope=scope)
    await bot.set_my_commands(_commands(entries, "en"), scope=scope, language_code="en")


async def set_default_commands(bot: Bot) -> None:
    """The menu for everyone. A bound chat's own menu is set when it binds; Telegram keeps it, so a
    restart does not spend hundreds of requests setting it again."""
    await _set(bot, ENTRY, BotCommandScopeDefault())


async def set_commands_for_chat(bot: Bot, role: str | None, chat_id: int) -> None:
    """A bound chat's menu: the commands of its widest role (`Conversation.menu_role`)."""
    if role is None:
        return
    try:
        await _set(bot, ROLE_COMMANDS[role], BotCommandScopeChat(chat_id))
    except TelegramError:
        # A menu is a convenience; a chat we cannot reach must not stop the bot.
        return
