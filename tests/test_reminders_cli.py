"""`duban reminders`, `duban digest`, the console's view of reminders, and the real scheduler."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.cli import main
from bot.console import ConsoleTransport, bind_console_recipients, run_console
from handlers.context import Services
from models.people import find_unit
from models.tables import ReminderRow, utcnow
from reminders.calendar import WorkCalendar
from reminders.engine import JOB_DEFAULTS, ReminderEngine
from tests.conftest import Chat, FakeClock, member


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks Chinese unless DUBAN_LANG says otherwise."""
    monkeypatch.setenv("DUBAN_LANG", "zh")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_reminders_json_for_task_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/r.db"
    assert cli(capsys, "plan", "load", "dingtao-2022", "--db", db)[0] == 0
    code, out = cli(
        capsys, "reminders", "--plan", "dingtao-2022", "--now", "2022-06-01T08:00", "--days", "45", "--json", "--db", db
    )
    assert code == 0
    rows = json.loads(out)
    task5 = [r for r in rows if r["about"] == {"type": "task", "code": "5"} and r["to"] != "leaders"]
    units = {r["to"] for r in task5}
    assert units == {"区委编办", "区民政局", "区司法局", "区审批局", "区市场监管局"}
    for unit in units:
        before = [r["due"] for r in task5 if r["to"] == unit and r["kind"] in ("before_deadline", "deadline_day")]
        assert before == [
            "2022-06-21T09:00:00+08:00",
            "2022-06-27T09:00:00+08:00",
            "2022-06-29T09:00:00+08:00",
            "2022-06-30T09:00:00+08:00",
        ]
    days = {dt.date.fromisoformat(r["due"][:10]) for r in rows}
    calendar = WorkCalendar()
    assert dt.date(2022, 6, 3) not in days
    assert all(calendar.is_workday(day) for day in days)
    kinds = {r["kind"] for r in rows}
    assert {
        "before_deadline",
        "deadline_day",
        "overdue",
        "escalation",
        "period_figure",
        "nudge",
        "ongoing_progress",
    } <= kinds
    code, out = cli(
        capsys, "reminders", "--plan", "dingtao-2022", "--now", "2022-06-20T08:00", "--days", "2", "--db", db
    )
    assert out.endswith("未来 2 天共 5 条提醒。\n")
    assert "2022-06-21 09:00  区民政局  任务 5 截止前提醒" in out


def test_puyang_evidence_deadline_is_reminded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/p.db"
    cli(capsys, "plan", "load", "puyang-2021", "--db", db)
    code, out = cli(
        capsys, "reminders", "--plan", "puyang-2021", "--now", "2021-05-20T08:00", "--days", "20", "--json", "--db", db
    )
    rows = json.loads(out)
    evidence = [r for r in rows if r["kind"] == "evidence"]
    assert {r["detail"]["phase"] for r in evidence} >= {"before_deadline", "deadline_day", "overdue"}
    on_due = [r for r in evidence if r["detail"]["phase"] == "deadline_day" and r["detail"]["due"] == "2021-06-01"]
    assert on_due
    assert all(r["due"].startswith("2021-06-01T09:00") for r in on_due)


def test_digest_cli_writes_a_picture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/d.db"
    cli(capsys, "plan", "load", "dingtao-2022", "--db", db)
    chart = tmp_path / "week.png"
    code, out = cli(
        capsys, "digest", "--plan", "dingtao-2022", "--now", "2022-07-11T09:00", "--chart", str(chart), "--db", db
    )
    assert code == 0
    assert "总分 0 / 100" in out
    assert "区委编办" in out  # overdue units named
    assert chart.read_bytes().startswith(b"\x89PNG")
    code, out = cli(capsys, "digest", "--plan", "dingtao-2022", "--now", "2022-11-20T09:00", "--lang", "en", "--db", db)
    assert "Total 0 / 100" in out
    assert "2022-11-30" in out  # deadlines in the next 14 days


async def test_console_shows_reminders_and_takes_replies_by_number(dingtao: Services, clock: FakeClock) -> None:
    clock.set(dt.datetime(2022, 6, 21, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    lines: list[str] = []
    transport = ConsoleTransport(write=lines.append)
    await bind_console_recipients(dingtao, "dingtao-2022")
    engine = ReminderEngine(dingtao.db, clock, [transport])
    await engine.start()
    shown = [line for line in lines if line.startswith("[#") and "区民政局" in line and "任务 5 " in line]
    assert shown
    number = shown[0][2 : shown[0].index(" ")]
    admin: Chat = await member(dingtao, "dingtao-2022", "office", "admin")
    await run_console(
        dingtao,
        plan_id="dingtao-2022",
        user_id="office",
        stdin=io.StringIO(f"#{number} 正在核查\n1\n"),  # the reply is proposed; [1] 确认 records it
        write=lines.append,
        transport=transport,
    )
    assert "区民政局：未开始 → 进行中" in lines[-1]
    assert "正在核查" in (await admin.say("/task 5")).text


async def test_the_real_scheduler_wakes_the_sender(dingtao: Services) -> None:
    """APScheduler with the real clock: a reminder due in a fraction of a second is delivered."""
    sent: list[str] = []

    class Fast:
        name = "test"

        async def send(self, message: object) -> str:
            sent.append(getattr(message, "text", ""))
            return str(len(sent))

    services = Services(db=dingtao.db, clock=utcnow)
    await member(services, "dingtao-2022", "区民政局", "liaison", "区民政局")
    admin = await member(services, "dingtao-2022", "office", "admin")
    assert (await admin.say("/remind quiet 00:00-00:00")).ok  # no quiet hours: the test may run at night
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = ReminderEngine(dingtao.db, utcnow, [Fast()], scheduler=scheduler)
    await engine.start()
    async with dingtao.db.session() as session:
        unit = await find_unit(session, "dingtao-2022", "区民政局")
        assert unit is not None
        session.add(
            ReminderRow(
                plan_id="dingtao-2022",
                key="test:soon",
                kind="deadline_day",
                due_at=utcnow() + dt.timedelta(milliseconds=300),
                unit_id=unit.id,
                subject="5",
                detail=json.dumps({"title": "t", "deadline": "2022-06-30"}),
                created_at=utcnow(),
            )
        )
    engine.sync = _no_sync  # type: ignore[method-assign]  # the plan's own schedule is not what this tests
    await engine.arm()
    try:
        for _ in range(50):
            if any("任务 5 t " in text for text in sent):
                break
            await asyncio.sleep(0.1)
    finally:
        await engine.shutdown()
    assert any("任务 5 t 今天（2022-06-30）到期" in text for text in sent)


async def _no_sync() -> None:
    return None
