"""Progress read from plain replies is proposed like figures: recorded only on 确认, all or none with
the figures it came with, only on the speaker's own task shares, the unplaced words kept as its note."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from config.plan_schema import Item, Plan, Task
from config.values import ValueParseError, plain
from handlers.context import Services
from handlers.reading import typed_value
from handlers.shares import status_from_text
from models.plans import expand_units
from models.reader_tasks import named_task
from models.scoring import value_spec
from models.tables import Assignment, ProgressEvent, ReminderRow, Report, TaskRow, UnitRow
from tests.conftest import member
from tests.reader_corpus import CORPUS, FRESH, HOLDOUT, entries, plan_of
from tests.test_corpus_valid import TASK_KINDS
from tests.test_first_hour import Office, _task_reminder

pytestmark = pytest.mark.both_databases

PLAN = "dingtao-2022"


@pytest.fixture
def office(dingtao: Services) -> Office:
    return Office(dingtao)


async def share_id(services: Services, code: str, unit: str) -> int:
    async with services.db.session() as session:
        found = (
            await session.exec(
                select(Assignment.id)
                .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
                .join(UnitRow, col(UnitRow.id) == col(Assignment.unit_id))
                .where(TaskRow.code == code, UnitRow.name == unit)
            )
        ).one()
    assert found is not None
    return found


async def events(services: Services) -> list[tuple[str, str]]:
    async with services.db.session() as session:
        rows = (await session.exec(select(ProgressEvent).order_by(col(ProgressEvent.id)))).all()
    return [(r.status, r.note) for r in rows]


async def reports(services: Services) -> list[tuple[str | None, str | None, str]]:
    async with services.db.session() as session:
        rows = (await session.exec(select(Report).order_by(col(Report.id)))).all()
    return [(r.period, r.item, r.value) for r in rows]


async def test_a_reply_to_a_task_reminder_is_proposed_and_recorded_on_confirm(office: Office) -> None:
    mz = await office.person("mz", "liaison", "区民政局")
    number = await _task_reminder(office, "mz")
    proposed = await mz.answer(number, "还差两个部门没报，下周一前完成")
    assert "任务 5 提升统一社会信用代码质量（区民政局）：未开始 → 进行中" in proposed.text
    assert "“还差两个部门没报”“下周一前完成”已作为进展备注（确认后记录）" in proposed.text
    assert [b.label for b in proposed.buttons[0]] == ["确认", "修改", "取消"]
    assert await events(office.services) == []  # nothing before the tap
    cancelled = await mz.press("取消")
    assert cancelled.text == "已取消，没有记录任何数据。"
    assert await events(office.services) == []
    mz.last = proposed
    amend = await mz.press("修改")
    assert amend.text.split("\n")[1:] == ["/progress 5 进行中 还差两个部门没报，下周一前完成"]
    mz.last = proposed
    done = await mz.press("确认")
    assert "区民政局：未开始 → 进行中" in done.text
    assert "已作为进展备注记录" in done.text
    assert await events(office.services) == [("doing", "还差两个部门没报，下周一前完成")]
    assert any(b.label == "撤销" for row in done.buttons for b in row)


async def test_figures_and_progress_in_one_reply_are_confirmed_together(office: Office) -> None:
    await member(office.services, PLAN, "fg", "liaison", "区发改局", transport="console")
    mz = await office.person("mz", "liaison", "区民政局")
    number = await _task_reminder(office, "mz")
    # 区民政局 reports for indicator 6 ("报送数据") but 区发改局 owns the figure: a proposal.
    proposed = await mz.answer(number, "已完成，累计报送数据7500万条")
    lines = proposed.text.split("\n")
    assert any("未开始 → 已完成" in line for line in lines), lines
    assert any("= 75000000" in line and "由 区发改局 确认后计分" in line for line in lines), lines
    command = proposed.buttons[0][0].command
    assert command.startswith("/reports ")
    assert "；进展 #" in command
    assert await events(office.services) == []
    assert await reports(office.services) == []
    done = await mz.press("确认")
    assert done.ok, done.text
    assert [s for s, _ in await events(office.services)] == ["done"]
    assert [value for _, _, value in await reports(office.services)] == ["75000000"]


async def test_all_or_none_a_refused_progress_part_records_no_figure(dingtao: Services) -> None:
    fg = await member(dingtao, PLAN, "fg", "liaison", "区发改局")
    other = await share_id(dingtao, "5", "区民政局")
    refused = await fg.say(f"/reports 5 2022-03 合规率 100%；进展 #{other} done 已完成")
    assert not refused.ok
    assert "任务 5" in refused.text
    assert await reports(dingtao) == []
    assert await events(dingtao) == []


async def test_progress_parts_are_checked_like_progress(dingtao: Services) -> None:
    mz = await member(dingtao, PLAN, "mz", "liaison", "区民政局")
    leader = await member(dingtao, PLAN, "boss", "leader")
    own = await share_id(dingtao, "5", "区民政局")
    for text in (f"/reports 进展 #{own} finished 好", "/reports 进展 #99999 done 好", f"/reports 进展 #{own} done"):
        answer = await mz.say(text)
        assert not answer.ok, text
    assert not (await leader.say(f"/reports 进展 #{own} done 已完成")).ok
    assert not (await mz.say(f"/reports 进展 #{own} done " + "长" * 501)).ok
    assert await events(dingtao) == []
    assert (await mz.say(f"/reports 进展 #{own} done 已完成；附件另行报送")).ok
    assert await events(dingtao) == [("done", "已完成；附件另行报送")]  # the note runs to the end


async def test_a_plain_progress_message_fits_the_units_only_open_task(dingtao: Services) -> None:
    lt = await member(dingtao, PLAN, "lt", "liaison", "区联通公司")  # one task in the plan
    proposed = await lt.say("正在推进，下周完成数据对接")
    assert "（区联通公司）：未开始 → 进行中" in proposed.text, proposed.text
    assert await events(dingtao) == []
    assert (await lt.say(proposed.buttons[0][0].command)).ok
    assert await events(dingtao) == [("doing", "正在推进，下周完成数据对接")]
    assert not (await lt.say("好的，收到")).ok  # no figure and no progress word: how to use Duban


async def test_a_plain_progress_message_asks_which_of_several_tasks(dingtao: Services) -> None:
    jj = await member(dingtao, PLAN, "jj", "liaison", "区交警大队")  # two tasks
    asked = await jj.say("已完成")
    assert "哪项任务" in asked.text
    choices = [row[0] for row in asked.buttons]
    assert len(choices) == 3
    assert choices[-1].label == "取消"
    assert await events(dingtao) == []
    assert (await jj.say(choices[0].command)).ok
    assert await events(dingtao) == [("done", "已完成")]
    office = await member(dingtao, PLAN, "office", "admin")
    assert not (await office.say("已完成")).ok  # the office has no share of its own


async def test_a_blocked_reply_calls_for_help_only_when_confirmed(office: Office) -> None:
    mz = await office.person("mz", "liaison", "区民政局")
    number = await _task_reminder(office, "mz")
    await mz.answer(number, "编办数据不给，需要协调")

    async def notices() -> int:
        async with office.services.db.session() as session:
            return len((await session.exec(select(ReminderRow).where(ReminderRow.kind == "notice"))).all())

    before = await notices()
    assert before == await notices()
    done = await mz.press("确认")
    assert "受阻" in done.text
    assert await notices() > before


@pytest.mark.sqlite_only
@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
@settings(max_examples=60, deadline=None)
def test_every_confirm_line_reads_back_to_its_value(value: Decimal) -> None:
    """The line 确认 sends (and 修改 shows) is read by /report back to exactly the figure read."""
    for name in ("dingtao", "puyang"):
        plan = plan_of(name)
        for indicator in plan.indicators:
            items: list[Item | None] = [*indicator.items()] or [None]
            for item in items:
                spec = value_spec(indicator, item)
                try:
                    expected = spec.read(plain(value))
                except (ValueParseError, ValueError):
                    continue
                assert spec.read(typed_value(spec, expected)) == expected, (indicator.code, item)


def test_every_progress_in_the_corpus_is_read_with_its_status() -> None:
    """The corpus's 56 progress replies ("代码核查已完成", "没有完成，卡在系统对接上，请办公室帮忙协调")
    mean the status it expects, from a share not started."""
    expected = [(entry["text"], entry["progress"]["status"]) for _, entry in entries() if entry.get("progress")]
    assert len(expected) >= 50
    assert [(text, status_from_text(text, "todo")) for text, _ in expected] == expected


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("初稿已完成", "doing"),
        ("已完成初稿", "doing"),
        ("还没有全部完成", "doing"),
        ("宣传材料印制这块已经完成了", "done"),
        ("系统对接卡在省里，请市局帮忙协调", "blocked"),
        ("好的", "doing"),
    ],
)
def test_status_words(text: str, status: str) -> None:
    assert status_from_text(text, "todo") == status


async def test_a_figure_for_an_indicator_not_the_units_is_said_and_left_out(office: Office) -> None:
    """/report would refuse it, and with it the progress confirmed in the same tap: it is not sent."""
    mz = await office.person("mz", "liaison", "区民政局")
    number = await _task_reminder(office, "mz")
    proposed = await mz.answer(number, "已完成，信易贷放款6亿")
    assert "指标 11 “信易贷”授信放款规模 不由您单位负责，这个数据没有列入" in proposed.text, proposed.text
    assert proposed.buttons[0][0].command.startswith("/reports 进展 #")  # the progress alone
    assert (await mz.press("确认")).ok
    assert [s for s, _ in await events(office.services)] == ["done"]
    assert await reports(office.services) == []


async def test_a_plain_message_naming_its_task_proposes_that_progress_with_the_figures(dingtao: Services) -> None:
    zj = await member(dingtao, PLAN, "zj", "liaison", "区住建局")
    proposed = await zj.say("双公示专项行动正在推进，5月份合规率100%，及时率98.6%")
    assert "任务 6 开展行政许可、行政处罚信息“双公示”专项行动（区住建局）：未开始 → 进行中" in proposed.text, (
        proposed.text
    )
    command = proposed.buttons[0][0].command
    assert command.startswith("/reports 5 2022-05 合规率 100%；5 2022-05 及时率 98.6%；进展 #")
    assert (await zj.say(command)).ok
    assert [s for s, _ in await events(dingtao)] == ["doing"]


def test_a_task_named_by_its_words_is_never_the_wrong_one_on_the_corpora() -> None:
    """Every free-text progress message of the three corpora: its task, or none (then asked)."""
    right = named = 0
    for folder in (CORPUS, HOLDOUT, FRESH):
        for name, entry in entries(folder):
            reply_to = entry.get("reply_to") or {}
            if not entry.get("progress") or reply_to.get("kind") in TASK_KINDS:
                continue
            plan = plan_of(name)
            found = named_task(entry["text"], [t for t in plan.tasks if entry["unit"] in task_units(plan, t)])
            named += found is not None
            right += found == entry["progress"]["task"]
    assert right == named
    assert named >= 20


def task_units(plan: Plan, task: Task) -> list[str]:
    return expand_units(plan, task.units + task.lead + [u for part in task.parts for u in part.units])
