"""The console as an operator meets it: numbers press buttons, reminders are answered by number,
its own lines are Chinese, and Ctrl-C stops `duban console`, `duban run` and `duban demo` at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console import ConsoleTransport, bind_console_recipients, console_member, run_console
from handlers.context import Services
from reminders.engine import ReminderEngine
from reminders.outbound import Outgoing
from tests.conftest import FakeClock

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


async def chat(
    services: Services,
    script: str,
    *,
    who: str = "admin",
    transport: ConsoleTransport | None = None,
    lang: str = "zh",
) -> list[str]:
    """Pipe `script` through the console as `who`; every line it prints."""
    lines: list[str] = []
    user_id = await console_member(services, "dingtao-2022", who)
    await run_console(
        services,
        plan_id="dingtao-2022",
        user_id=user_id,
        stdin=io.StringIO(script),
        write=lambda text: lines.extend(text.split("\n")),
        transport=transport,
        lang=lang,
    )
    return lines


async def test_typing_a_number_presses_that_button_of_the_last_reply(dingtao: Services) -> None:
    lines = await chat(dingtao, "/task 5\n2\n", who="unit:区民政局")
    assert "[1] 完成  [2] 进行中  [3] 需要帮助" in lines
    assert "> 2（进行中）" in lines
    assert "区民政局：未开始 → 进行中" in lines


async def test_a_number_with_no_button_behind_it_is_just_a_message(dingtao: Services) -> None:
    lines = await chat(dingtao, "/start\n7\n", who="unit:区民政局")
    assert "> 7" in lines
    assert not any("→ 进行中" in line for line in lines)


@pytest.fixture
async def reminded(dingtao: Services, clock: FakeClock) -> AsyncIterator[tuple[ConsoleTransport, list[str], int]]:
    """The console showing 21 June 2022's reminders; yields the transport, what it printed, and the
    number of 区民政局's reminder about task 5."""
    clock.set(dt.datetime(2022, 6, 21, 9, 0, tzinfo=SHANGHAI))
    printed: list[str] = []
    transport = ConsoleTransport(write=printed.append)
    await bind_console_recipients(dingtao, "dingtao-2022")
    engine = ReminderEngine(dingtao.db, clock, [transport])
    await engine.start()
    shown = next(line for line in printed if line.startswith("[#") and "→ 区民政局]" in line and "任务 5 " in line)
    yield transport, printed, int(shown[2 : shown.index(" ")])
    await engine.shutdown()


async def test_reminder_buttons_are_numbered_in_chinese(reminded: tuple[ConsoleTransport, list[str], int]) -> None:
    _, printed, number = reminded
    shown = next(i for i, line in enumerate(printed) if line.startswith(f"[#{number} → 区民政局]"))
    assert (
        printed[shown + 1]
        == f"  [{number}.1] 完成  [{number}.2] 进行中  [{number}.3] 需要帮助  — 回复：#{number} <内容>"
    )
    assert not any("reply:" in line for line in printed)


async def test_a_reminder_with_a_chart_says_so_in_chinese() -> None:
    printed: list[str] = []
    transport = ConsoleTransport(write=printed.append)
    await transport.send(Outgoing(chat_id="leader", text="【督办周报】", image=b"\x89PNG" + bytes(6), recipient="领导"))
    assert printed == ["[#1 → 领导] 【督办周报】（附图表，10 字节）"]


async def test_reminder_numbers_of_an_earlier_run_are_not_confused_with_this_ones() -> None:
    earlier, now = ConsoleTransport(write=lambda _: None), ConsoleTransport(write=lambda _: None)
    message = Outgoing(chat_id="unit:区民政局", text="任务 5")
    assert await earlier.send(message) != await now.send(message)  # both are shown as #1


async def test_pressing_a_reminder_button_answers_as_its_recipient(
    dingtao: Services, reminded: tuple[ConsoleTransport, list[str], int]
) -> None:
    transport, _, number = reminded
    lines = await chat(dingtao, f"{number}.1\n", transport=transport)
    assert f"> {number}.1（完成）" in lines
    assert "区民政局：未开始 → 已完成" in lines


async def test_answering_a_reminder_by_number_records_progress(
    dingtao: Services, reminded: tuple[ConsoleTransport, list[str], int]
) -> None:
    transport, _, number = reminded
    proposed = await chat(dingtao, f"#{number} 正在核查\n/task 5\n", transport=transport)
    assert any("区民政局）：未开始 → 进行中" in line for line in proposed), proposed
    assert "[1] 确认  [2] 修改  [3] 取消" in proposed
    assert any(line.strip() == "区民政局: 未开始" for line in proposed)  # nothing before the tap
    lines = await chat(dingtao, f"#{number} 正在核查\n1\n", transport=transport)
    assert "区民政局：未开始 → 进行中" in lines


async def test_a_reminder_number_never_shown_is_answered_politely(
    dingtao: Services, reminded: tuple[ConsoleTransport, list[str], int]
) -> None:
    transport, _, number = reminded
    lines = await chat(dingtao, f"#999 已完成\n999.1\n#{number}\n{number}.9\n/task 5\n", transport=transport)
    assert lines[:8] == [
        "> #999 已完成",
        "没有 #999 号提醒。提醒到点时会显示编号，回复写作 #<编号> <内容>。",
        "> 999.1",
        "没有 #999 号提醒。提醒到点时会显示编号，回复写作 #<编号> <内容>。",
        f"> #{number}",
        f"请在编号后写上回复内容：#{number} <内容>",
        f"> {number}.9",
        f"提醒 #{number} 没有第 9 个按钮。",
    ]
    assert any(line.strip().startswith("区民政局") and "未开始" in line for line in lines[8:])  # nothing recorded


async def test_a_reminder_number_in_plain_console_is_answered_politely(dingtao: Services) -> None:
    lines = await chat(dingtao, "#9 正在办\n")
    assert lines == ["> #9 正在办", "没有 #9 号提醒。提醒到点时会显示编号，回复写作 #<编号> <内容>。"]


async def test_a_saved_chart_is_announced_in_the_speakers_language(
    dingtao: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = await chat(dingtao, "/digest\n/lang en\n/digest\n")
    assert "（图表已保存：data/charts/chart-1.png）" in lines
    assert "(chart: data/charts/chart-2.png)" in lines
    assert (tmp_path / "data/charts/chart-2.png").read_bytes().startswith(b"\x89PNG")


async def test_the_consoles_own_lines_follow_its_language(
    dingtao: Services, reminded: tuple[ConsoleTransport, list[str], int]
) -> None:
    transport, _, _ = reminded
    transport.lang = "en"
    lines = await chat(dingtao, "#999 done\n", transport=transport, lang="en")
    assert (
        lines[1] == "There is no reminder #999. Reminders show their number when they arrive; reply with #<n> <text>."
    )


# --- the real commands, stopped with Ctrl-C ---------------------------------------------------------


def environment(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "DUBAN_LANG": "zh", "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"}
    env.pop("DUBAN_TELEGRAM_TOKEN", None)
    return env


@pytest.fixture
def loaded(tmp_path: Path, dingtao_template: Path) -> dict[str, str]:
    """An environment whose database holds the Dingtao plan (as `duban plan load dingtao-2022` leaves it)."""
    shutil.copyfile(dingtao_template, tmp_path / "d.db")
    return environment(tmp_path)


async def started(env: dict[str, str], *args: str, ready: str) -> asyncio.subprocess.Process:
    """`duban <args>` with a pipe for stdin that stays open, once it has printed `ready`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    if args[0] in ("console", "demo"):
        process.stdin.write(b"/start\n")
        await process.stdin.drain()
    await asyncio.wait_for(process.stdout.readuntil(ready.encode()), timeout=60)
    return process


async def stopped(process: asyncio.subprocess.Process, sig: int = signal.SIGINT) -> tuple[int, float, str]:
    """Send `sig`; the exit status, the seconds it took, and what went to stderr."""
    assert process.stdin is not None
    assert process.stderr is not None
    begin = time.monotonic()
    process.send_signal(sig)
    try:
        status = await asyncio.wait_for(process.wait(), timeout=10)
    finally:
        if process.returncode is None:
            process.kill()
        process.stdin.close()
    return status, time.monotonic() - begin, (await process.stderr.read()).decode()


async def test_ctrl_c_stops_the_console_at_once_with_status_130(loaded: dict[str, str]) -> None:
    process = await started(loaded, "console", "--plan", "dingtao-2022", ready="发送 /help")
    status, seconds, err = await stopped(process)
    assert (status, err) == (130, "已停止。\n")
    assert seconds < 3


async def test_ctrl_c_stops_duban_run_at_once_with_status_130(loaded: dict[str, str]) -> None:
    process = await started(loaded, "run", "--plan", "dingtao-2022", ready="督办已启动；Ctrl-C 或 SIGTERM 停止。")
    status, seconds, err = await stopped(process)
    assert (status, err) == (130, "已停止。\n")
    assert seconds < 3


async def test_sigterm_stops_duban_run_as_a_normal_service_stop(loaded: dict[str, str]) -> None:
    process = await started(loaded, "run", "--plan", "dingtao-2022", ready="督办已启动")
    status, seconds, err = await stopped(process, signal.SIGTERM)
    assert (status, err) == (0, "已停止。\n")
    assert seconds < 3


async def test_ctrl_c_stops_the_demo_at_once_with_status_130(tmp_path: Path) -> None:
    process = await started(environment(tmp_path), "demo", ready="发送 /help")
    status, seconds, err = await stopped(process)
    assert (status, err) == (130, "已停止。\n")
    assert seconds < 3


# --- a real terminal ---------------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal test written for Linux")
def test_in_a_terminal_arrow_up_recalls_a_line_and_ctrl_c_stops_at_once(loaded: dict[str, str]) -> None:
    import fcntl
    import pty
    import select
    import subprocess
    import termios

    def own_terminal() -> None:  # the pty becomes the child's controlling terminal, as in a shell
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console", "--plan", "dingtao-2022"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**loaded, "TERM": "dumb"},
        preexec_fn=own_terminal,  # a test process; preexec_fn is the way to give the child a terminal
    )
    os.close(slave)
    seen = b""

    def wait_for(text: str, count: int = 1, timeout: float = 60) -> None:
        nonlocal seen
        end = time.monotonic() + timeout
        while seen.count(text.encode()) < count:
            assert time.monotonic() < end, seen.decode(errors="replace")
            if select.select([master], [], [], 0.2)[0]:
                seen += os.read(master, 4096)

    try:
        wait_for("督办控制台 —— 方案 dingtao-2022")
        wait_for("> ")
        os.write(master, b"/start\r")
        wait_for("您的身份：管理员（办公室）")
        os.write(master, b"\x1b[A\r")  # arrow up, Enter: /start again
        wait_for("您的身份：管理员（办公室）", count=2)
        wait_for("> ", count=3)
        os.write(master, b"/sta")  # half a line typed, then Ctrl-C
        time.sleep(0.2)
        begin = time.monotonic()
        os.write(master, b"\x03")
        status = process.wait(timeout=10)
        assert time.monotonic() - begin < 3
        wait_for("已停止。")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert status == 130
    assert re.search(rb"Traceback", seen) is None
