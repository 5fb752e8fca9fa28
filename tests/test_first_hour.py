"""What an office meets in its first hour: figures owned, help that reaches someone, words understood.

Each test is a scene a user would recognise, played through the console transport: people type
commands, Duban's sender delivers notices to their console chats, and they answer them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import col, select

from bot.console import ConsoleTransport
from handlers.context import Services
from handlers.router import handle
from handlers.types import Reply, Request
from models.tables import ProgressEvent, Report
from reminders.outbound import Outgoing
from reminders.sender import Sender
from tests import chinese
from tests.conftest import SHANGHAI, FakeClock, load_shipped, member

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "dingtao-2022"


class Console:
    """One person at the console: what they type goes through the router as the console would send it;
    `outbox` is the console transport that shows everything Duban sends on its own."""

    def __init__(self, services: Services, user_id: str, outbox: ConsoleTransport) -> None:
        self.services, self.user_id, self.outbox = services, user_id, outbox
        self.count = 0
        self.last: Reply | None = None
        self.lang = "zh"

    async def say(self, text: str, *, reply_to: str | None = None) -> Reply:
        self.count += 1
        request = Request(
            transport="console",
            user_id=self.user_id,
            chat_id=self.user_id,
            text=text,
            display_name=self.user_id,
            message_id=f"in-{self.count}",
            reply_to=reply_to,
        )
        self.last = await handle(self.services, request)
        if self.last.ok and text.startswith("/lang"):
            self.lang = "en" if "English" in self.last.text else "zh"
        elif self.lang == "zh":
            chinese.collect(text, self.last.text, self.user_id)
        return self.last

    async def answer(self, number: int, text: str) -> Reply:
        """Reply to message number `number` shown on the console (what '#n text' does)."""
        return await self.say(text, reply_to=self.outbox.sent[number][1])

    async def press(self, label: str) -> Reply:
        """Press a button of the last reply by its label."""
        assert self.last is not None
        button = next(b for row in self.last.buttons for b in row if b.label.startswith(label))
        return await self.say(button.command)


class Office:
    """Everyone in the scene, sharing one console transport and one sender."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.lines: list[str] = []
        self.transport = ConsoleTransport(write=self.lines.append)
        self.sender = Sender(services.db, services.clock, [self.transport])

    async def person(self, user_id: str, role: str, unit: str | None = None, plan: str = PLAN) -> Console:
        await member(self.services, plan, user_id, role, unit, transport="console")
        return Console(self.services, user_id, self.transport)

    async def deliver(self) -> list[tuple[int, str, str]]:
        """Send what is due; (message number, chat, text) of every message sent now."""
        before = len(self.transport.sent)
        self.lines.clear()
        await self.sender.send_due()
        for line in self.lines:
            chinese.collect("(sent by Duban)", line)
        numbers = range(before + 1, len(self.transport.sent) + 1)
        texts = [line for line in self.lines if line.startswith("[#")]
        return [(n, self.transport.sent[n][0], t) for n, t in zip(numbers, texts, strict=True)]

    def to(self, sent: list[tuple[int, str, str]], chat: str) -> list[tuple[int, str]]:
        return [(n, text) for n, who, text in sent if who == chat]


@pytest.fixture
def office(dingtao: Services) -> Office:
    return Office(dingtao)


async def points(chat: Console, code: str) -> str:
    reply = await chat.say(f"/score {code}")
    found = re.match(r"\S+ .+?: ([\d.]+)/", reply.text)
    assert found, reply.text
    return found.group(1)


# --- 1. who owns a figure ---------------------------------------------------------------------------


async def test_a_member_unit_cannot_overwrite_the_offices_city_wide_rank(office: Office) -> None:
    admin = await office.person("office", "admin")
    archive = await office.person("archive", "liaison", "区档案馆")
    await admin.say("/report 1 12")
    assert await points(admin, "1") == "18"
    reply = await archive.say("/report 1 95")
    assert reply.ok
    assert "建议值" in reply.text
    assert "区发改局" in reply.text  # who owns the figure
    assert await points(admin, "1") == "18"  # a proposal does not count
    sent = await office.deliver()
    ((number, notice),) = office.to(sent, "office")
    assert "【数据建议" in notice
    assert "区档案馆" in notice
    assert "95" in notice
    proposal = re.search(r"【数据建议 #(\d+)】", notice)
    assert proposal
    assert ("采纳", f"/accept {proposal.group(1)}") in office.transport.actions[number]
    accepted = await admin.say(f"/accept {proposal.group(1)}")
    assert accepted.ok, accepted.text
    assert "18 → 2" in accepted.text
    assert await points(admin, "1") == "2"
    told = office.to(await office.deliver(), "archive")
    assert len(told) == 1
    assert "已采纳" in told[0][1]


async def test_a_rejected_proposal_tells_its_unit_why_and_changes_nothing(office: Office) -> None:
    admin = await office.person("office", "admin")
    archive = await office.person("archive", "liaison", "区档案馆")
    await archive.say("/report 1 95")
    await office.deliver()
    listing = await admin.say("/proposals")
    assert "95" in listing.text
    assert "区档案馆" in listing.text
    rejected = await admin.press("不采纳")
    assert rejected.ok, rejected.text
    assert await points(admin, "1") == "0"
    told = office.to(await office.deliver(), "archive")
    assert "未被" in told[0][1]
    again = await admin.say(listing.buttons[0][0].command)
    assert not again.ok
    assert "已经处理过" in again.text
    history = await admin.say("/history 1")
    assert "未采纳" in history.text


async def test_the_owning_unit_reports_directly_and_a_correction_names_whose_figure_it_replaces(
    office: Office,
) -> None:
    admin = await office.person("office", "admin")
    gongxin = await office.person("gx", "liaison", "区工信局")  # lead of indicator 9 (县区自报)
    first = await gongxin.say("/report 9 12")
    assert "0 → 2.4" in first.text
    same = await gongxin.say("/report 9 12")
    assert "无需更正" in same.text
    assert "更正：" not in same.text
    corrected = await admin.say("/report 9 15")
    assert "区工信局" in corrected.text
    assert "12" in corrected.text
    assert "2.4 → 3" in corrected.text
    told = office.to(await office.deliver(), "gx")
    assert len(told) == 1
    assert "【数据更正】" in told[0][1]
    assert "15" in told[0][1]


async def test_a_platform_figure_belongs_to_the_office_even_for_its_lead_unit(office: Office) -> None:
    court = await office.person("court", "liaison", "区法院")  # lead of indicator 3, read off the provincial platform
    reply = await court.say("/report 3 0.45%")
    assert "建议值" in reply.text
    async with office.services.db.session() as session:
        statuses = (await session.exec(select(Report.status))).all()
    assert statuses == ["proposed"]


# --- 2. binding never demotes silently --------------------------------------------------------------


async def test_an_admin_is_asked_before_a_leader_code_replaces_their_role_and_the_last_admin_stays(
    office: Office,
) -> None:
    admin = await office.person("office", "admin")
    made = await admin.say("/invite leader")
    code = re.search(r"[A-Z2-9]{8}", made.text)
    assert code
    asked = await admin.say(f"/bind {code.group(0)}")
    assert not asked.ok
    assert "管理员" in asked.text
    assert "领导" in asked.text
    confirmed = await admin.press("确认更换")
    assert not confirmed.ok
    assert "唯一的管理员" in confirmed.text
    status = await admin.say("/invite 区民政局")
    assert status.ok  # still the admin
    second = await office.person("office2", "admin")
    assert (await second.say("/status")).ok
    switched = await admin.say(f"/bind {code.group(0)} 确认")
    assert switched.ok, switched.text
    assert "领导" in switched.text


# --- 3. months that have not ended ------------------------------------------------------------------


async def test_a_month_that_has_not_ended_is_refused_until_its_last_working_day(
    office: Office, clock: FakeClock
) -> None:
    admin = await office.person("office", "admin")
    clock.set(dt.datetime(2022, 6, 24, 10, tzinfo=SHANGHAI))
    future = await admin.say("/report 4 2022-07 0")
    assert not future.ok
    assert "尚未结束" in future.text
    current = await admin.say("/report 4 2022-06 0")
    assert not current.ok
    assert "2022-06-30" in current.text  # its last working day
    clock.set(dt.datetime(2022, 6, 30, 9, tzinfo=SHANGHAI))
    assert (await admin.say("/report 4 2022-06 0")).ok
    past = await admin.say("/report 4 3月 0")
    assert past.ok
    assert "2022-03" in past.text
    outside = await admin.say("/report 4 2021-12 0")
    assert not outside.ok
    assert "不在方案的报送期内" in outside.text
    assert await points(admin, "4") == "0.4"


# --- 4. a call for help reaches someone -------------------------------------------------------------


async def test_a_blocked_unit_reaches_the_office_and_leaders_and_gets_an_answer(office: Office) -> None:
    admin = await office.person("office", "admin")
    leader = await office.person("boss", "leader")
    mz = await office.person("mz", "liaison", "区民政局")
    blocked = await mz.say("/progress 5 受阻 缺少编办的数据接口")
    assert "已通知办公室和领导" in blocked.text
    sent = await office.deliver()
    ((number, to_admin),) = office.to(sent, "office")
    assert "【求助】区民政局" in to_admin
    assert "缺少编办的数据接口" in to_admin
    assert len(office.to(sent, "boss")) == 1
    status = await leader.say("/status")
    assert "受阻待协调 1 项" in status.text
    assert "缺少编办的数据接口" in status.text
    answered = await admin.answer(number, "已协调编办3天内提供接口")  # a number in it: still the answer, not a figure
    assert answered.ok, answered.text
    ((_, answer),) = office.to(await office.deliver(), "mz")
    assert "【办公室答复】" in answer
    assert "已协调编办3天内提供接口" in answer
    resolved = await admin.press("已解决")
    assert resolved.ok, resolved.text
    assert "受阻" not in (await leader.say("/status")).text
    assert "恢复为进行中" in office.to(await office.deliver(), "mz")[0][1]


# --- 5. replying to a reminder ----------------------------------------------------------------------


async def _task_reminder(office: Office, unit_chat: str) -> int:
    """A task-5 reminder delivered to a unit's console chat; its message number."""
    async with office.services.db.session() as session:
        from models.tables import Assignment, ReminderRow, TaskRow, UnitRow

        row = (
            await session.exec(
                select(Assignment, UnitRow)
                .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
                .join(UnitRow, col(UnitRow.id) == col(Assignment.unit_id))
                .where(TaskRow.code == "5", UnitRow.name == "区民政局")
            )
        ).one()
        session.add(
            ReminderRow(
                plan_id=PLAN,
                key="test:5",
                kind="before_deadline",
                due_at=office.services.clock(),
                unit_id=row[1].id,
                subject="5",
                assignment_id=row[0].id,
                detail='{"title": "提升统一社会信用代码质量", "deadline": "2022-06-30", "workdays_left": 3}',
                created_at=office.services.clock(),
            )
        )
    ((number, _),) = office.to(await office.deliver(), unit_chat)
    return number


async def test_replying_done_to_a_reminder_completes_the_share_and_can_be_undone(office: Office) -> None:
    mz = await office.person("mz", "liaison", "区民政局")
    number = await _task_reminder(office, "mz")
    empty = await mz.answer(number, "")
    assert not empty.ok
    assert "回复内容是空的" in empty.text
    proposed = await mz.answer(number, "已完成，重错码已全部核实")
    assert proposed.ok
    assert "未开始 → 已完成" in proposed.text
    assert "区民政局: 未开始" in (await mz.say("/task 5")).text  # proposed, not recorded
    mz.last = proposed
    done = await mz.press("确认")
    assert "未开始 → 已完成" in done.text
    assert "区民政局: 已完成" in (await mz.say("/task 5")).text
    mz.last = done
    undone = await mz.press("撤销")
    assert undone.ok, undone.text
    assert "恢复为“未开始”" in undone.text
    await mz.answer(number, "还没完成，下周一前办结")
    not_yet = await mz.press("确认")
    assert "未开始 → 进行中" in not_yet.text
    assert "“下周一前办结”已作为进展备注记录" in not_yet.text
    async with office.services.db.session() as session:
        notes = (await session.exec(select(ProgressEvent.note).order_by(col(ProgressEvent.id)))).all()
    assert notes[0] == "已完成，重错码已全部核实"  # nothing reported is lost, the undo included


# --- 6. an old plan stops nagging; an archived plan is silent ---------------------------------------


async def test_a_plan_that_ended_long_ago_sends_no_overdue_reminders(dingtao: Services) -> None:
    from models.plans import get_plan
    from reminders.listing import upcoming

    async with dingtao.db.session() as session:
        found = await get_plan(session, PLAN)
        assert found is not None
        soon_after = await upcoming(session, found[1], dt.datetime(2022, 12, 1, 8, tzinfo=SHANGHAI), 3)
        years_later = await upcoming(session, found[1], dt.datetime(2026, 11, 24, 8, tzinfo=SHANGHAI), 30)
    assert any(d.kind == "overdue" for d in soon_after)
    assert years_later == []


async def test_an_archived_plan_stays_readable_but_takes_no_reports_and_sends_nothing(office: Office) -> None:
    admin = await office.person("office", "admin")
    mz = await office.person("mz", "liaison", "区民政局")
    await mz.say("/progress 5 受阻 等接口")
    archived = await admin.say("/plan archive")
    assert archived.ok, archived.text
    assert await office.deliver() == []
    refused = await admin.say("/report 9 12")
    assert not refused.ok
    assert "已归档" in refused.text
    assert (await admin.say("/status")).ok
    assert "归档（只读）" in (await admin.say("/status")).text
    assert (await admin.say("/plan unarchive")).ok
    assert (await admin.say("/report 9 12")).ok


# --- 8. words understood ----------------------------------------------------------------------------


async def test_short_unit_names_find_the_one_unit_and_list_several(office: Office) -> None:
    admin = await office.person("office", "admin")
    one = await admin.say("/status 民政局")
    assert one.ok
    assert one.text.startswith("区民政局")
    several = await admin.say("/status 中心")
    assert not several.ok
    assert "区金融服务中心" in several.text
    assert "区住房公积金管理中心" in several.text
    assert several.buttons
    done = await admin.say("/progress 5 完成 民政局")
    assert done.ok, done.text
    assert "区民政局" in done.text
    wrong = await admin.say("/progress 1 完成 区民政局")
    assert not wrong.ok
    assert wrong.text.startswith("区民政局 不是任务 1 的责任单位")
    listing = await admin.say("/units")
    assert "各镇街（11 个）" in listing.text
    assert "天中街道" in listing.text


async def test_an_item_indicator_asks_which_item_a_bare_value_is_for(dingtao: Services, clock: FakeClock) -> None:
    await load_shipped(dingtao.db, "puyang-2021", clock)
    admin = Office(dingtao)
    office = await admin.person("py-office", "admin", plan="puyang-2021")
    asked = await office.say("/report 5.2 100%")
    assert not asked.ok
    assert "哪一项" in asked.text
    assert "有效异议占比" in asked.text
    labels = [b.label for row in asked.buttons for b in row]
    assert "异议处理" in labels
    gate = await office.say("/gate G1 达标")
    assert gate.ok, gate.text
    shown = await office.say("/score G1")
    assert shown.ok
    assert "达标" in shown.text
    assert "G1" in shown.text


# --- 9. help per role and plan ----------------------------------------------------------------------


async def test_help_shows_each_role_its_own_commands_with_the_plans_codes(dingtao: Services, clock: FakeClock) -> None:
    await load_shipped(dingtao.db, "puyang-2021", clock)
    office = Office(dingtao)
    liaison = await office.person("fgw", "liaison", "市发展改革委", plan="puyang-2021")
    admin = await office.person("py-office", "admin", plan="puyang-2021")
    mine = (await liaison.say("/help")).text
    assert "/invite" not in mine
    assert "/accept" not in mine
    for command in ("/digest", "/holiday", "/remind", "/report", "/gate", "/units"):
        assert command in mine
    assert re.search(r"/report (?:\d\.\d|\d) ", mine)  # a Puyang code, e.g. /report 5.2 …
    everything = (await admin.say("/help")).text
    for command in ("/invite", "/accept", "/answer", "/holiday", "/remind", "/plan"):
        assert command in everything


# --- 10. one language -------------------------------------------------------------------------------


async def test_policy_errors_and_history_speak_chinese(office: Office) -> None:
    admin = await office.person("office", "admin")
    zero = await admin.say("/remind escalate 0")
    assert not zero.ok
    assert "不能小于 1" in zero.text
    night = await admin.say("/remind time 22:30")
    assert "免打扰时段" in night.text
    mz = await office.person("mz", "liaison", "区民政局")
    await mz.say("/report 4 2022-03 0")
    history = (await admin.say("/history 4")).text
    assert "区民政局" in history
    assert "unit:" not in history
    assert "admin" not in history


# --- 14. leaders see what matters -------------------------------------------------------------------


async def test_a_leaders_status_names_what_to_act_on(office: Office, clock: FakeClock) -> None:
    admin = await office.person("office", "admin")
    leader = await office.person("boss", "leader")
    mz = await office.person("mz", "liaison", "区民政局")
    clock.set(dt.datetime(2022, 7, 4, 10, tzinfo=SHANGHAI))  # task 5 (due 06-30) is overdue
    await admin.say("/report 11 8亿")
    await mz.say("/progress 5 受阻 缺接口")
    text = (await leader.say("/status")).text
    assert "总分 4.29 / 100（本周 +4.29）" in text
    assert "方案截止 2022-11-30" in text
    assert "逾期 [5] 提升统一社会信用代码质量：区委编办、区民政局、区司法局、区审批局 等 5 个单位" in text
    assert "[5] 提升统一社会信用代码质量 · 区民政局：缺接口" in text
    assert "尚无数据的指标 17 项" in text
    clock.set(dt.datetime(2022, 12, 5, 10, tzinfo=SHANGHAI))
    assert "方案已于 2022-11-30 结束" in (await leader.say("/status")).text


async def test_the_digest_never_lists_a_task_as_both_completed_and_overdue(office: Office, clock: FakeClock) -> None:
    from reminders.digest import compose_leader_digest
    from reminders.weekly import collect_digest

    admin = await office.person("office", "admin")
    clock.set(dt.datetime(2022, 7, 4, 10, tzinfo=SHANGHAI))
    for unit in ("区委编办", "区民政局"):
        assert (await admin.say(f"/progress 5 完成 {unit}")).ok
    for unit in ("区委宣传部", "区发改局"):
        assert (await admin.say(f"/progress 1 完成 {unit}")).ok
    async with office.services.db.session() as session:
        from models.plans import get_plan

        found = await get_plan(session, PLAN)
        assert found is not None
        data = await collect_digest(session, found[1], clock())
    completed = {t.code for t in data.completed}
    overdue = {t.code for t in data.overdue}
    assert completed == {"1"}
    assert "5" in overdue
    assert not completed & overdue
    text = compose_leader_digest(data, "zh")
    assert "1 开展诚信宣传活动（截止 2022-11-30），完成单位：区委宣传部、区发改局" in text


# --- 7. wrong measure words refused, natural words understood ---------------------------------------


async def test_a_measure_word_that_does_not_fit_is_refused_and_changes_nothing(office: Office) -> None:
    admin = await office.person("office", "admin")
    for wrong in ("8个", "8条", "8名"):
        reply = await admin.say(f"/report 11 {wrong}")
        assert not reply.ok, wrong
        assert "不适用于此指标" in reply.text
        assert "亿元" in reply.text  # what is expected
    on_count = await admin.say("/report 6 7500万元")
    assert not on_count.ok
    assert await points(admin, "11") == "0"
    assert "4.29" in (await admin.say("/report 11 八亿")).text
    assert "0 → 18" in (await admin.say("/report 1 第15名")).text
    assert "0 → 10" in (await admin.say("/report 6 七千五百万条")).text


# --- 15. the chart in the reader's language ---------------------------------------------------------


class _Pictures:
    """A transport that keeps the pictures it was handed, by chat."""

    name = "console"

    def __init__(self) -> None:
        self.images: dict[str, bytes] = {}

    async def send(self, message: Outgoing) -> str:
        if message.image is not None:
            self.images[message.chat_id] = message.image
        return f"p{len(self.images)}-{message.chat_id}"


async def test_each_leader_gets_the_weekly_chart_in_their_own_language(office: Office, clock: FakeClock) -> None:
    from models.tables import DigestRow
    from reminders.engine import ReminderEngine

    await office.person("boss", "leader")
    english = await office.person("visitor", "leader")
    assert (await english.say("/lang en")).ok
    pictures = _Pictures()
    clock.set(dt.datetime(2022, 7, 4, 9, tzinfo=SHANGHAI))
    await ReminderEngine(office.services.db, clock, [pictures]).digest(PLAN)
    async with office.services.db.session() as session:
        stored = (await session.exec(select(DigestRow))).one()
    assert pictures.images["boss"] == stored.chart  # drawn once, in Chinese, when the digest was made
    assert pictures.images["visitor"].startswith(b"\x89PNG")
    assert pictures.images["visitor"] != stored.chart  # drawn again in English for this reader
