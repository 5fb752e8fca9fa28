"""Replies in plain Chinese in the chat: read, proposed with 确认 / 修改 / 取消, recorded only on a
tap, and recorded exactly as typed /report lines would be (the issue's "done when" on the console)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel import col, select

from bot.console import ConsoleTransport, bind_console_recipients
from handlers.context import Services
from models.tables import Report
from reminders.engine import ReminderEngine
from tests.conftest import SHANGHAI, FakeClock, member
from tests.test_console import chat

PLAN = "dingtao-2022"
UNIT = "区发改局"  # owns the figures of indicator 5 (“双公示”)


async def reports(services: Services) -> list[tuple[str | None, str | None, str]]:
    async with services.db.session() as session:
        rows = (await session.exec(select(Report).order_by(col(Report.id)))).all()
    return [(r.period, r.item, r.value) for r in rows]


@asynccontextmanager
async def march_nudge(services: Services, clock: FakeClock) -> AsyncIterator[tuple[ConsoleTransport, str]]:
    """The console on 2022-04-06 with the reminder engine running: the transport and the number of
    the nudge asking 区发改局 for March's figures."""
    clock.set(dt.datetime(2022, 4, 6, 9, 0, tzinfo=SHANGHAI))
    printed: list[str] = []
    transport = ConsoleTransport(write=printed.append)
    await bind_console_recipients(services, PLAN)
    engine = ReminderEngine(services.db, clock, [transport])
    await engine.start()
    try:
        asked = next(line for line in printed if f"→ {UNIT}]" in line and "2022-03" in line)
        yield transport, asked[2 : asked.index(" ")]
    finally:
        await engine.shutdown()


async def test_a_reply_to_the_march_nudge_is_two_proposals_and_one_tap_records_both(
    dingtao: Services, clock: FakeClock
) -> None:
    async with march_nudge(dingtao, clock) as (transport, number):
        lines = await chat(
            dingtao, f"#{number} 3月份合规率100%，及时率99.5%\n", who=f"unit:{UNIT}", transport=transport
        )
        assert any("合规率 2022-03 = 100%" in line for line in lines), lines
        assert any("及时率 2022-03 = 99.5%" in line for line in lines), lines
        assert "[1] 确认  [2] 修改  [3] 取消" in lines
        assert await reports(dingtao) == []  # nothing until the tap
        tapped = await chat(
            dingtao, f"#{number} 3月份合规率100%，及时率99.5%\n1\n", who=f"unit:{UNIT}", transport=transport
        )
        assert await reports(dingtao) == [("2022-03", "合规率", "1"), ("2022-03", "及时率", "0.995")]
        assert any("总分" in line for line in tapped), tapped  # the score moved, as a typed /report says


async def test_the_tap_scores_exactly_as_the_typed_report_lines_would(dingtao: Services) -> None:
    liaison = await member(dingtao, PLAN, "sj", "liaison", UNIT)
    read = await liaison.say("3月份合规率100%，及时率99.5%")
    confirm = read.buttons[0][0]
    assert (confirm.label, confirm.command) == ("确认", "/reports 5 2022-03 合规率 100%；5 2022-03 及时率 99.5%")
    tapped = await liaison.say(confirm.command)
    assert tapped.ok, tapped.text
    score = (await liaison.say("/score 5")).text
    typed = await member(dingtao, PLAN, "sj2", "liaison", UNIT)
    assert score == (await typed.say("/score 5")).text
    assert "2022-03 合规率 = 100%" in score


async def test_cancel_records_nothing_and_amend_gives_the_lines_to_correct(dingtao: Services) -> None:
    liaison = await member(dingtao, PLAN, "sj", "liaison", UNIT)
    read = await liaison.say("3月份合规率100%，及时率99.5%")
    _, amend, cancel = read.buttons[0]
    assert (await liaison.say(cancel.command)).text == "已取消，没有记录任何数据。"
    lines = (await liaison.say(amend.command)).text.split("\n")
    assert lines[1:] == ["/report 5 2022-03 合规率 100%", "/report 5 2022-03 及时率 99.5%"]
    assert await reports(dingtao) == []


async def test_two_figures_for_a_place_that_counts_one_are_asked_not_guessed(dingtao: Services) -> None:
    liaison = await member(dingtao, PLAN, "jr", "liaison", "区金融服务中心")
    read = await liaison.say("信易贷授信8.2亿，放款6亿")
    assert "只计一个数" in read.text, read.text
    choices = {b.label: b.command for row in read.buttons for b in row}
    assert choices == {"8.2亿": "/report 11 8.2亿元", "6亿": "/report 11 6亿元"}
    assert await reports(dingtao) == []
    tapped = await liaison.say(choices["8.2亿"])
    assert tapped.ok, tapped.text
    assert await reports(dingtao) == [(None, None, "820000000.0")]  # as `/report 11 8.2亿元` stores it


async def test_chatter_and_leaders_messages_are_not_read_as_reports(dingtao: Services) -> None:
    liaison = await member(dingtao, PLAN, "sj", "liaison", UNIT)
    assert not (await liaison.say("收到，马上办")).ok  # not a command, as before
    leader = await member(dingtao, PLAN, "boss", "leader")
    assert not (await leader.say("合规率100%")).ok
    assert await reports(dingtao) == []


async def test_a_figure_named_for_nothing_is_asked_about_among_the_units_own_indicators(dingtao: Services) -> None:
    liaison = await member(dingtao, PLAN, "mz", "liaison", "区民政局")
    read = await liaison.say("2月份是100%")
    assert "请选择" in read.text
    choices = [b.command for row in read.buttons for b in row]
    assert choices == ["/report 4 2022-02 100%", "/report 5 2022-02 合规率 100%", "/report 5 2022-02 及时率 100%"]
    assert await reports(dingtao) == []
    assert (await liaison.say(choices[1])).ok  # each button is a whole report: period and item included
    assert await reports(dingtao) == [("2022-02", "合规率", "1")]


async def test_a_figure_for_a_known_indicator_but_no_item_asks_which_item(dingtao: Services) -> None:
    liaison = await member(dingtao, PLAN, "fg", "liaison", UNIT)
    read = await liaison.say("双公示3月份是100%")
    assert "哪一项" in read.text
    choices = {b.label: b.command for row in read.buttons for b in row}
    assert choices == {"合规率": "/report 5 2022-03 合规率 100%", "及时率": "/report 5 2022-03 及时率 100%"}
    assert await reports(dingtao) == []
    assert (await liaison.say(choices["合规率"])).ok
    assert await reports(dingtao) == [("2022-03", "合规率", "1")]


async def test_an_answer_to_a_nudge_without_figures_is_read_as_progress_or_explained(
    dingtao: Services, clock: FakeClock
) -> None:
    """In WeCom every message answers the last reminder: progress typed after a figure's nudge is
    progress on the unit's tasks (asked which), and a reply with neither says what Duban needs."""
    async with march_nudge(dingtao, clock) as (transport, number):
        lines = await chat(
            dingtao, f"#{number} 正在推进，下周完成\n#{number} 好的\n", who=f"unit:{UNIT}", transport=transport
        )
    progress, nothing = lines[1], lines[-1]
    assert progress.startswith("您的单位有 12 项任务未完成，无法判断这条进展属于哪一项："), lines
    assert "  1 开展诚信宣传活动" in lines  # the open tasks are listed
    assert nothing.startswith("没有从您的回复中读到数据"), lines


async def test_the_points_an_indicator_would_have_are_shown_once_after_its_figures(dingtao: Services) -> None:
    liaison = await member(dingtao, PLAN, "sj", "liaison", UNIT)
    lines = (await liaison.say("3月份合规率100%，及时率100%，排名第12名")).text.split("\n")
    assert lines[1:4] == [
        "  指标 5 “双公示”情况 合规率 2022-03 = 100%",
        "  指标 5 “双公示”情况 及时率 2022-03 = 100% → 得分 0 → 0.4（满分 4.8）",
        "  指标 1 国家城市信用监测排名情况 = 12 → 得分 0 → 18（满分 20）",
    ]


async def test_a_month_that_has_not_ended_is_said_and_left_out_so_that_confirm_never_fails(
    dingtao: Services, clock: FakeClock
) -> None:
    clock.set(dt.datetime(2022, 4, 6, 9, 0, tzinfo=SHANGHAI))
    liaison = await member(dingtao, PLAN, "sj", "liaison", UNIT)
    read = await liaison.say("本月合规率100%，及时率99%")  # 本月 is April, whose figure opens on 29 April
    assert "2022-04 尚未结束" in read.text, read.text
    assert "如指 2022-03，请写明“3月份”" in read.text
    assert read.buttons == ()
    both = await liaison.say("3月份合规率100%，本月及时率99%")
    assert [b.command for b in both.buttons[0]][0] == "/reports 5 2022-03 合规率 100%"
    assert await reports(dingtao) == []
