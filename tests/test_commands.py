"""Chat commands as users meet them: reports and points, progress, permissions, bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func
from sqlmodel import select

from handlers.context import Services
from models.tables import AuditEntry, Identity, Invite, Member, ProgressEvent, Report
from tests.conftest import SHANGHAI, Chat, FakeClock, member

pytestmark = pytest.mark.both_databases  # see tests/backends.py


def invite_code(text: str) -> str:
    found = re.search(r"[A-Z2-9]{8}", text)
    assert found, text
    return found.group(0)


async def counts(services: Services) -> dict[str, int]:
    """How many rows each table of user data holds; a refused request must not change these."""
    out = {}
    async with services.db.session() as session:
        for table in (Report, ProgressEvent, AuditEntry, Member, Invite, Identity):
            out[table.__name__] = (await session.exec(select(func.count()).select_from(table))).one()
    return out


async def test_report_3_gives_one_point_and_says_what_earns_the_rest(admin: Chat) -> None:
    reply = await admin.say("/report 3 0.45%")
    assert reply.ok
    assert "0.45%" in reply.text
    assert "0 → 1（满分 4）" in reply.text
    assert "0.3%" in reply.text  # what would earn the rest


async def test_report_11_shows_two_places_of_thirty_sevenths(admin: Chat) -> None:
    reply = await admin.say("/report 11 8亿")
    assert "8亿元" in reply.text
    assert "0 → 4.29（满分 6）" in reply.text
    score = await admin.say("/score")
    assert "11 “信易贷”授信放款规模: 4.29/6" in score.text


async def test_a_correction_supersedes_for_scoring_and_keeps_history(admin: Chat, dingtao: Services) -> None:
    await admin.say("/report 3 0.45%")
    reply = await admin.say("/report 3 0.25%")
    assert "1 → 4" in reply.text
    assert "0.45%" in reply.text  # names the figure it corrects
    history = await admin.say("/history 3")
    assert "0.25%" in history.text
    assert "0.45%" in history.text
    assert "已被更正" in history.text
    assert (await counts(dingtao))["Report"] == 2


async def test_monthly_items_for_indicator_5(admin: Chat, clock: FakeClock) -> None:
    clock.set(dt.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI))  # every month of 2022 is over
    for month in range(1, 13):
        await admin.say(f"/report 5 2022-{month:02d} 合规率 100%")
        await admin.say(f"/report 5 2022年{month}月 及时率 100%")
    reply = await admin.say("/score 5")
    assert reply.text.startswith("5 “双公示”情况: 4.8/4.8")
    missed = await admin.say("/report 5 2022-07 及时率 99%")
    assert "4.8 → 4.4" in missed.text


async def test_category_items_for_indicator_7_and_aspects_of_14(admin: Chat) -> None:
    reply = await admin.say("/report 7 社保 25万")
    assert "0 → 0.5（满分 4）" in reply.text
    reply = await admin.say("/report 14 制度体系 0.7")
    assert "0 → 0.7（满分 2.8）" in reply.text
    too_much = await admin.say("/report 14 组织保障 0.8")
    assert not too_much.ok
    assert "0.7" in too_much.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/report 99 1", "没有编号为 99 的指标"),
        ("/report 7 煤 25万", "没有分项“煤”"),
        ("/report 5 2023-01 合规率 100%", "不在方案的报送期内"),
        ("/report 5 2022-13 合规率 100%", "不是月份"),
        ("/report 5", "按月报送"),
        ("/report 5 2022-01", "请写明分项"),
        ("/report 3 abc", "“abc”不是数字"),
        ("/report 2 -1", "小于允许的最小值"),
        ("/report 2 1.5", "不是整数"),
        ("/report 3 120%", "超过允许的最大值 100%"),
        ("/report 3", "缺少数值"),
        ("/report", "用法"),
        ("/report 11 8%", "不应填百分比"),
        ("/progress 5 finished", "不是可用的进展状态"),
        ("/progress 5", "用法"),
        ("/progress 99 done", "没有编号为 99 的任务"),
        ("/progress 5 done", "请注明单位"),
        ("/task", "用法"),
        ("/frobnicate", "没有 /frobnicate 这个命令"),
        ("hello", "请以命令开头"),
        ("/report 3 " + "9" * 3000, "消息太长"),
        ("/report 3 " + "9" * 100, "数值太长"),
        ("/status 不存在的局", "找不到单位"),
        ("/gate G1 是", "没有编号为 G1 的基础指标"),
        ("/invite", "用法"),
        ("/bind NOPE1234", "邀请码无效"),
    ],
)
async def test_bad_input_is_explained_and_changes_nothing(
    admin: Chat, dingtao: Services, text: str, expected: str
) -> None:
    before = await counts(dingtao)
    reply = await admin.say(text)
    assert not reply.ok
    assert expected in reply.text
    assert await counts(dingtao) == before


async def test_english_replies(admin: Chat) -> None:
    assert "English" in (await admin.say("/lang en")).text
    reply = await admin.say("/report 3 abc")
    assert "“abc” is not a number" in reply.text
    assert "Indicator points: 0 → 1 (max 4)" in (await admin.say("/report 3 0.45%")).text
    assert "说" not in (await admin.say("/help")).text


async def test_liaison_reports_and_records_progress_for_its_own_unit(minzheng: Chat, dingtao: Services) -> None:
    reply = await minzheng.say("/report 4 2022-01 0")
    assert reply.ok
    assert "建议值" in reply.text  # indicator 4 is read off a national platform: the office owns it
    reply = await minzheng.say("/progress 5 进行中 已核查200条")
    assert reply.ok
    assert "区民政局：未开始 → 进行中" in reply.text
    task = await minzheng.say("/task 5")
    assert "区民政局: 进行中" in task.text
    assert "已核查200条" in task.text
    assert task.buttons  # quick actions for its own task


async def test_liaison_is_refused_outside_its_unit_and_nothing_changes(minzheng: Chat, dingtao: Services) -> None:
    before = await counts(dingtao)
    for text, expected in [
        ("/report 11 8亿", "不由您单位负责"),
        ("/progress 17 done", "不是您单位负责的"),
        ("/invite 区民政局", "只有办公室管理员"),
        ("/status 区财政局", "只能查看本单位"),
    ]:
        reply = await minzheng.say(text)
        assert not reply.ok, text
        assert expected in reply.text, text
    assert await counts(dingtao) == before


async def test_leader_reads_everything_and_changes_nothing(leader: Chat, dingtao: Services) -> None:
    assert (await leader.say("/status")).ok
    assert (await leader.say("/tasks")).ok
    assert (await leader.say("/score 3")).ok
    before = await counts(dingtao)
    for text in ("/report 3 0.45%", "/progress 5 done 区民政局", "/invite leader"):
        reply = await leader.say(text)
        assert not reply.ok, text
    assert await counts(dingtao) == before


async def test_a_stranger_is_politely_refused(dingtao: Services) -> None:
    stranger = Chat(dingtao, "nobody")
    before = await counts(dingtao)
    for text in ("/report 3 0.45%", "/status", "/tasks", "/score"):
        reply = await stranger.say(text)
        assert not reply.ok
        assert "/bind" in reply.text
    assert "/help" in (await stranger.say("/start")).text
    assert await counts(dingtao) == before


async def test_invite_binds_once_and_expires(admin: Chat, dingtao: Services, clock: FakeClock) -> None:
    reply = await admin.say("/invite 区民政局")
    code = invite_code(reply.text)
    newcomer = Chat(dingtao, "newcomer")
    bound = await newcomer.say(f"/bind {code}")
    assert bound.ok
    assert "联络员（区民政局）" in bound.text
    again = await Chat(dingtao, "someone-else").say(f"/bind {code}")
    assert not again.ok
    assert "已被使用" in again.text
    late = invite_code((await admin.say("/invite leader")).text)
    clock.set(clock.now + dt.timedelta(days=8))
    expired = await Chat(dingtao, "late").say(f"/start {late}")
    assert not expired.ok
    assert "已过期" in expired.text


async def test_tasks_filters_and_status_drill_down(admin: Chat, minzheng: Chat, clock: FakeClock) -> None:
    clock.set(dt.datetime(2022, 7, 5, 9, 0, tzinfo=SHANGHAI))
    overdue = await admin.say("/tasks 逾期")
    assert "[5] 提升统一社会信用代码质量" in overdue.text
    assert "已逾期 5 天" in overdue.text
    assert "[1]" not in overdue.text
    status = await admin.say("/status")
    assert "任务：0/18 完成，逾期 1 项" in status.text
    assert "区民政局: 1" in status.text
    assert any(b.command == "/status 区民政局" for row in status.buttons for b in row)
    await minzheng.say("/progress 5 完成")
    unit = await admin.say("/status 区民政局")
    assert "任务：1/" in unit.text
    assert "逾期 0 项" in unit.text
    mine = await minzheng.say("/tasks")
    assert all("[" in line for line in mine.text.splitlines()[1:])


async def test_status_counts_due_soon_within_14_days(admin: Chat, clock: FakeClock) -> None:
    clock.set(dt.datetime(2022, 11, 20, 9, 0, tzinfo=SHANGHAI))
    status = await admin.say("/status")
    assert "14 天内到期 17 项" in status.text
    assert "逾期 1 项" in status.text


async def test_indicators_list_codes_maxima_and_units(admin: Chat) -> None:
    reply = await admin.say("/indicators")
    for code in ["1 ", "15 ", "16.1 ", "16.2 ", "16.3 "]:
        assert any(line.startswith(code) for line in reply.text.splitlines()), code
    assert "11 “信易贷”授信放款规模: 6  区金融服务中心" in reply.text


async def test_several_plans_live_in_one_database(dingtao: Services, clock: FakeClock) -> None:
    from tests.conftest import load_shipped

    await load_shipped(dingtao.db, "puyang-2021", clock)
    py_admin = await member(dingtao, "puyang-2021", "py-office", "admin")
    reply = await py_admin.say("/gate G1 是")
    assert reply.ok
    assert "达标" in reply.text
    score = await py_admin.say("/report 4.1 部门共享 35%")
    assert "0 → 0.5（满分 3）" in score.text
    bonus = await py_admin.say("/report A1 是")
    assert "附加分合计：0 → 5" in bonus.text
