"""WeCom group robots bound per unit and for the leaders: /robot, and the outbox reaching them.

Over real HTTP to the local WeCom fake (`tests/fake_wecom.py`); the robots' pacing runs on an injected
clock (`FakeTime`), the outbox on the test's `FakeClock`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.cli_run import start_robots
from bot.cli_voice import CliError, Voice
from bot.wecom_api import MAX_MARKDOWN_BYTES
from bot.wecom_robot import RobotSender, RobotTransport, plain_markdown
from config.settings import Settings
from handlers.context import Services
from models.people import find_unit
from models.robots import TRANSPORT, webhook_key
from models.tables import AuditEntry, ChatBlock, DigestRow, Member, ReminderRow
from reminders.engine import ReminderEngine
from reminders.outbound import Outgoing
from reminders.sender import Sender
from tests.conftest import Chat, FakeClock, member
from tests.fake_telegram import tiny_png
from tests.fake_wecom import FakeTime, FakeWeCom

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "dingtao-2022"
SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY_A = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
KEY_B = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
GONE = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e81"
"""A key the fake does not know: a robot removed from its group (93000)."""
URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="


def local(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, tzinfo=SHANGHAI)


class People:
    """The WeCom app's side of the outbox, recorded: liaisons on it are @-mentioned by robots."""

    name = "wecom"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    async def send(self, message: Outgoing) -> str:
        self.sent.append(message)
        return f"p{len(self.sent)}"


@pytest.fixture
def ticks() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def wecom(ticks: FakeTime) -> AsyncIterator[FakeWeCom]:
    async with FakeWeCom(clock=ticks) as server:
        server.add_robot(KEY_A)
        server.add_robot(KEY_B)
        yield server
    assert server.internal_errors == []


@pytest.fixture
async def robots(wecom: FakeWeCom, ticks: FakeTime) -> AsyncIterator[RobotTransport]:
    transport = RobotTransport(RobotSender(wecom.base_url, clock=ticks, sleep=ticks.sleep))
    yield transport
    await transport.aclose()


async def stored_robots(services: Services) -> list[Member]:
    async with services.db.session() as session:
        return list((await session.exec(select(Member).where(Member.transport == TRANSPORT))).all())


async def unit_id(services: Services, name: str) -> int:
    async with services.db.session() as session:
        found = await find_unit(session, PLAN, name)
        assert found is not None
        assert found.id is not None
        return found.id


async def queue(services: Services, unit: str, title: str, due: dt.datetime) -> int:
    """A deadline reminder for a unit's task 5, straight into the outbox."""
    async with services.db.session() as session:
        row = ReminderRow(
            plan_id=PLAN,
            key=f"deadline:{title}",
            kind="deadline_day",
            due_at=due,
            unit_id=await unit_id(services, unit),
            subject="5",
            detail=json.dumps({"title": title, "deadline": "2022-06-30"}),
            created_at=due,
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def reminder(services: Services, row_id: int) -> ReminderRow:
    async with services.db.session() as session:
        found = await session.get(ReminderRow, row_id)
        assert found is not None
        return found


def contents(fake: FakeWeCom, key: str) -> list[str]:
    return [m["markdown"]["content"] for m in fake.robot_messages(key) if m["msgtype"] == "markdown"]


# --- /robot ------------------------------------------------------------------------------------------


async def test_the_admin_binds_lists_replaces_and_removes_robots(dingtao: Services, admin: Chat) -> None:
    assert "尚未绑定" in (await admin.say("/robot")).text

    bound = await admin.say(f"/robot 区民政局 {URL}{KEY_A}")
    assert bound.ok, bound.text
    assert "区民政局" in bound.text
    assert "5aaa" in bound.text
    assert KEY_A not in bound.text
    assert KEY_A[:-4] not in bound.text
    leaders = await admin.say(f"/robot 领导 {KEY_B}")  # a bare key is taken too
    assert leaders.ok
    assert "e9f0" in leaders.text
    assert KEY_B not in leaders.text

    rows = {m.user_id: m for m in await stored_robots(dingtao)}
    minzheng = await unit_id(dingtao, "区民政局")
    unit_robot, leaders_robot = rows[f"robot:{minzheng}"], rows["robot:leaders"]
    assert (unit_robot.role, unit_robot.unit_id, unit_robot.chat_id) == ("liaison", minzheng, KEY_A)
    assert (leaders_robot.role, leaders_robot.unit_id, leaders_robot.chat_id) == ("leader", None, KEY_B)

    listed = (await admin.say("/robot")).text
    assert "领导" in listed
    assert "区民政局" in listed
    assert "5aaa" in listed
    assert "e9f0" in listed
    assert KEY_A not in listed
    assert KEY_B not in listed

    replaced = await admin.say(f"/robot 区民政局 {URL}{KEY_B}")
    assert replaced.ok
    assert "更换" in replaced.text
    removed = await admin.say("/robot remove 领导")
    assert removed.ok
    assert "解除" in removed.text
    assert not (await admin.say("/robot remove 领导")).ok  # nothing left to remove
    listed = (await admin.say("/robot")).text
    assert "区民政局" in listed
    assert "领导" not in listed

    async with dingtao.db.session() as session:
        robots = select(AuditEntry).where(col(AuditEntry.action).startswith("robot.")).order_by(col(AuditEntry.id))
        audit = (await session.exec(robots)).all()
    assert [a.action for a in audit] == ["robot.bind", "robot.bind", "robot.bind", "robot.remove"]
    assert all(a.actor == "test:office" for a in audit)
    assert not any(key in a.detail for a in audit for key in (KEY_A, KEY_B))


async def test_a_non_admin_cannot_bind_a_robot(dingtao: Services, minzheng: Chat, leader: Chat) -> None:
    for chat in (minzheng, leader):
        reply = await chat.say(f"/robot 区民政局 {URL}{KEY_A}")
        assert not reply.ok
        assert "管理员" in reply.text
        assert KEY_A not in reply.text
    assert await stored_robots(dingtao) == []


@pytest.mark.parametrize(
    "said",
    [
        pytest.param("/robot 区民政局 https://qyapi.weixin.qq.com/cgi-bin/webhook/send", id="no-key"),
        pytest.param(f"/robot 区民政局 https://qyapi.weixin.qq.com/cgi-bin/message/send?key={KEY_A}", id="not-webhook"),
        pytest.param("/robot 区民政局 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc123", id="short-key"),
        pytest.param("/robot 区民政局 密钥", id="not-a-key"),
        pytest.param("/robot 区民政局", id="no-address"),
        pytest.param(f"/robot 没有这个单位 {URL}{KEY_A}", id="unknown-unit"),
    ],
)
async def test_a_bad_robot_address_is_refused_and_nothing_stored(dingtao: Services, admin: Chat, said: str) -> None:
    reply = await admin.say(said)
    assert not reply.ok
    assert "abc123" not in reply.text
    assert KEY_A not in reply.text
    assert await stored_robots(dingtao) == []


def test_the_key_parser_lives_once_below_the_transport() -> None:
    assert webhook_key(f"  {URL}{KEY_A}  ") == KEY_A
    with pytest.raises(ValueError, match="key") as caught:
        webhook_key(f"{URL}{KEY_A}x")
    assert KEY_A not in str(caught.value)


# --- the outbox reaching robots ----------------------------------------------------------------------


async def test_a_units_deadline_reminder_reaches_its_robot_with_its_liaisons_mentioned(
    dingtao: Services, clock: FakeClock, admin: Chat, wecom: FakeWeCom, robots: RobotTransport
) -> None:
    assert (await admin.say(f"/robot 区民政局 {URL}{KEY_A}")).ok
    for user in ("zhangsan", "lisi"):
        await member(dingtao, PLAN, user, "liaison", "区民政局", transport="wecom")
    await member(dingtao, PLAN, "wangwu", "liaison", "区司法局", transport="wecom")  # another unit's
    clock.set(local(6, 30))
    row = await queue(dingtao, "区民政局", "**紧急** [报表](http://x.example) <@all>", local(6, 30))
    people = People()

    await Sender(dingtao.db, clock, [robots, people]).send_due()

    (posted,) = contents(wecom, KEY_A)
    lines = posted.split("\n")
    assert lines[-1] == "<@zhangsan> <@lisi>"  # the unit's WeCom liaisons, nobody else
    assert "区民政局" in lines[0]
    assert "任务 5" in lines[0]
    assert "＊＊紧急＊＊ ［报表］(http://x.example) ＜@all＞" in lines[0]  # a title cannot format or mention
    assert "<@all>" not in posted.replace("<@zhangsan> <@lisi>", "")
    assert "> 完成：/progress 5 done" in lines
    assert "> 进行中：/progress 5 doing" in lines
    assert [m.chat_id for m in people.sent] == ["zhangsan", "lisi"]  # and each liaison gets it too
    assert (await reminder(dingtao, row)).status == "sent"


async def test_a_robot_mentions_the_units_wecom_liaisons_also_when_only_robots_run(
    dingtao: Services, clock: FakeClock, admin: Chat, wecom: FakeWeCom, robots: RobotTransport
) -> None:
    assert (await admin.say(f"/robot 区民政局 {URL}{KEY_A}")).ok
    await member(dingtao, PLAN, "zhangsan", "liaison", "区民政局", transport="wecom")
    clock.set(local(6, 30))
    await queue(dingtao, "区民政局", "报送数据", local(6, 30))

    await Sender(dingtao.db, clock, [robots]).send_due()  # the WeCom app itself is not running

    (posted,) = contents(wecom, KEY_A)
    assert posted.split("\n")[-1] == "<@zhangsan>"


async def test_the_weekly_digest_reaches_the_leaders_robot_with_its_chart(
    dingtao: Services, clock: FakeClock, admin: Chat, wecom: FakeWeCom, robots: RobotTransport
) -> None:
    assert (await admin.say(f"/robot 领导 {URL}{KEY_B}")).ok
    clock.set(local(7, 4))

    await ReminderEngine(dingtao.db, clock, [robots]).digest(PLAN)

    async with dingtao.db.session() as session:
        stored = (await session.exec(select(DigestRow))).one()
    assert stored.chart is not None
    messages = wecom.robot_messages(KEY_B)
    images = [i for i, m in enumerate(messages) if m["msgtype"] == "image"]
    assert len(images) == 1
    image = messages[images[0]]["image"]
    assert base64.b64decode(image["base64"]) == stored.chart  # the fake checked its md5 too
    assert image["md5"] == hashlib.md5(stored.chart).hexdigest()  # noqa: S324
    digest = [m["markdown"]["content"] for m in messages[images[0] + 1 :] if m["msgtype"] == "markdown"]
    assert digest
    assert digest[0].startswith("督办周报")
    assert all(len(piece.encode()) <= MAX_MARKDOWN_BYTES for piece in digest)


async def test_a_long_message_is_split_and_resumed_after_the_confirmed_pieces(
    wecom: FakeWeCom, robots: RobotTransport
) -> None:
    text = "\n".join(f"第 {n} 行：区民政局 进度正常，数据已报送。" for n in range(400))
    confirmed: list[int] = []
    message = Outgoing(chat_id=KEY_A, text=text, image=tiny_png(), on_piece=lambda n, _id: confirmed.append(n))

    await robots.send(message)

    posted = wecom.robot_messages(KEY_A)
    assert posted[0]["msgtype"] == "image"
    pieces = [m["markdown"]["content"] for m in posted[1:]]
    assert len(pieces) >= 4
    assert all(len(p.encode()) <= MAX_MARKDOWN_BYTES for p in pieces)
    assert "\n".join(pieces) == plain_markdown(text)  # cut at line ends, nothing lost
    assert confirmed == list(range(1, len(posted) + 1))

    await robots.send(Outgoing(chat_id=KEY_A, text=text, image=tiny_png(), skip=len(posted) - 1))
    assert wecom.robot_messages(KEY_A)[len(posted) :] == posted[-1:]  # only the last piece again


async def test_a_robot_removed_from_its_group_is_marked_unreachable_and_not_retried(
    dingtao: Services,
    clock: FakeClock,
    admin: Chat,
    wecom: FakeWeCom,
    robots: RobotTransport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert (await admin.say(f"/robot 区民政局 {URL}{GONE}")).ok
    clock.set(local(6, 30))
    first = await queue(dingtao, "区民政局", "第一份", local(6, 30))
    sender = Sender(dingtao.db, clock, [robots])

    with caplog.at_level(logging.INFO):
        await sender.send_due()

    sends = [c for c in wecom.calls if c.path == "webhook/send"]
    assert [c.errcode for c in sends] == [93000]  # asked once, not again at once
    found = await reminder(dingtao, first)
    assert found.status == "undeliverable"
    assert "93000" in found.last_error
    async with dingtao.db.session() as session:
        assert await session.get(ChatBlock, (TRANSPORT, GONE)) is not None
    clock.set(local(6, 30, 10))
    await queue(dingtao, "区司法局", "第二份", local(6, 30, 10))
    await queue(dingtao, "区民政局", "第三份", local(6, 30, 10))
    await sender.send_due()
    assert len([c for c in wecom.calls if c.path == "webhook/send"]) == 1  # the robot is not tried again
    assert GONE not in caplog.text

    assert (await admin.say(f"/robot 区民政局 {URL}{KEY_A}")).ok  # bound anew: reachable again


async def test_a_rate_limited_robot_pauses_and_sends_again_with_nothing_lost(
    dingtao: Services, clock: FakeClock, admin: Chat, wecom: FakeWeCom, robots: RobotTransport, ticks: FakeTime
) -> None:
    assert (await admin.say(f"/robot 区民政局 {URL}{KEY_A}")).ok
    clock.set(local(6, 30))
    rows = [await queue(dingtao, "区民政局", f"报表{n}", local(6, 30)) for n in range(3)]
    wecom.fail_next("webhook/send", 45009)
    start = ticks.now

    await Sender(dingtao.db, clock, [robots]).send_due()

    posted = contents(wecom, KEY_A)
    assert sorted(p.split("\n")[0].split("报表")[1][0] for p in posted) == ["0", "1", "2"]  # each once
    assert [c.errcode for c in wecom.calls if c.path == "webhook/send"] == [45009, 0, 0, 0]
    assert ticks.now - start >= 1.0  # the robot paused before sending again
    assert [(await reminder(dingtao, r)).status for r in rows] == ["sent"] * 3


# --- duban run ---------------------------------------------------------------------------------------


async def test_the_leaders_robot_setting_binds_every_active_plan_once_and_hides_the_key(
    dingtao: Services, wecom: FakeWeCom, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(wecom_leaders_robot=f"{URL}{KEY_B}", wecom_api_base=wecom.base_url)
    voice = Voice("zh")

    transport = await start_robots(dingtao, settings, voice)
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("duban.test").info("posting to %s", KEY_B)
        assert KEY_B not in caplog.text
        assert "[secret]" in caplog.text
    finally:
        await transport.aclose()
    again = await start_robots(dingtao, settings, voice)
    await again.aclose()

    (robot,) = await stored_robots(dingtao)
    assert (robot.user_id, robot.role, robot.chat_id) == ("robot:leaders", "leader", KEY_B)
    async with dingtao.db.session() as session:
        audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "robot.bind"))).all()
    assert len(audit) == 1  # the second start found it bound already


async def test_a_malformed_leaders_robot_setting_stops_the_start(dingtao: Services) -> None:
    settings = Settings(wecom_leaders_robot="https://example.com/hook")
    with pytest.raises(CliError) as caught:
        await start_robots(dingtao, settings, Voice("zh"))
    assert caught.value.key == "cli_bad_leaders_robot"
    assert await stored_robots(dingtao) == []
