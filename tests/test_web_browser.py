"""The live page in a real browser: headless Chromium (Debian's, driven by Playwright) against the
page server on 127.0.0.1. Signed in each of the three ways, it shows the plan, drills down, and
shows a report within two seconds without reloading; a forged initData, a spent or expired link and
another unit's URL are refused. Skipped, saying why, where Chromium or Playwright is missing
(`.ci/run` installs Chromium when it can). `DUBAN_SCREENSHOTS=<folder>` keeps phone-sized
screenshots of the pages seen (the README's come from there)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.web_auth import sign_init_data
from bot.web_server import RunningWeb, start_web, stop_web
from bot.wecom_app import prepare_wecom, stop_wecom
from config.settings import Settings
from handlers.context import Services
from tests.conftest import Chat, FakeClock, duban, member
from tests.fake_telegram import FakeTelegram
from tests.fake_wecom import FakeWeCom
from tests.test_telegram import say
from tests.test_web import wecom_settings
from tests.test_wecom_crypto import CORP_ID

pytestmark = pytest.mark.sqlite_only

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 812}
PLAN = "dingtao-2022"
BOT_TOKEN = "123456:TEST-token-for-the-live-page"
LIVE_SECONDS = 2.0
PUBLIC = "https://duban.test"
LEADER = 5001


def need_browser() -> None:
    """Skip, saying why, when this machine cannot run the browser tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium): the browser tests are skipped")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[dev]'): the browser tests are skipped")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    need_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def server(dingtao: Services) -> AsyncIterator[RunningWeb]:
    running = await start_web(Settings(_env_file=None, web_listen="127.0.0.1:0"), dingtao, bot_token=BOT_TOKEN)
    try:
        yield running
    finally:
        await stop_web(running)


async def phone(browser: Any) -> Any:
    """A fresh phone-sized page with its own cookies, failing the test on any script error."""
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: errors.append(f"failed {request.url}"))
    page.on("response", lambda answer: errors.append(f"{answer.status} {answer.url}") if answer.status >= 400 else None)
    page.errors = errors
    return page


async def screenshot(page: Any, name: str) -> None:
    """Kept when DUBAN_SCREENSHOTS names a folder."""
    folder = os.environ.get("DUBAN_SCREENSHOTS")
    if folder:  # Playwright makes the folder
        await page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=False)


async def link_for(chat: Chat, server: RunningWeb) -> str:
    reply = await chat.say("/web")
    found = re.search(r"/web/login/\S+", reply.text)
    assert found is not None, reply.text
    return server.address + found.group(0)


async def sign_in_by_link(browser: Any, chat: Chat, server: RunningWeb) -> Any:
    page = await phone(browser)
    await page.goto(await link_for(chat, server))
    await page.get_by_role("button").click()
    await page.wait_for_url(re.compile(r".*/web/(#.*)?$"))
    return page


def expect(locator: Any, **kwargs: Any) -> Any:
    from playwright.async_api import expect as playwright_expect

    return playwright_expect(locator, **kwargs)


async def test_a_leader_signs_in_by_link_sees_the_plan_and_drills_down(
    browser: Any, dingtao: Services, server: RunningWeb
) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    page = await sign_in_by_link(browser, leader, server)
    await expect(page.get_by_test_id("total")).to_contain_text("/")
    await expect(page.get_by_test_id("trend-chart")).to_be_visible()
    await expect(page.get_by_test_id("indicator-11")).to_be_visible()
    await screenshot(page, "plan")
    await page.get_by_test_id("indicator-11").click()
    await expect(page.get_by_test_id("indicator-title")).to_contain_text("11")
    await page.go_back()
    await expect(page.get_by_test_id("total")).to_be_visible()
    assert page.errors == []


async def test_a_report_appears_on_the_open_page_within_two_seconds(
    browser: Any, dingtao: Services, server: RunningWeb
) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    office = await member(dingtao, PLAN, "office", "admin")
    page = await sign_in_by_link(browser, leader, server)
    row = page.get_by_test_id("indicator-11")
    await expect(row).to_be_visible()
    await expect(page.get_by_test_id("live")).to_have_attribute("data-state", "live")
    assert (await office.say("/report 11 8亿")).ok
    await expect(row).to_contain_text("8亿", timeout=LIVE_SECONDS * 1000)
    await screenshot(page, "plan-after-report")
    assert page.errors == []


async def test_a_liaison_sees_their_unit_and_is_refused_another_units_url(
    browser: Any, dingtao: Services, server: RunningWeb
) -> None:
    liaison = await member(dingtao, PLAN, "mz", "liaison", "区民政局")
    page = await sign_in_by_link(browser, liaison, server)
    await expect(page.get_by_test_id("unit-title")).to_contain_text("区民政局")
    await screenshot(page, "unit")
    own = int(re.search(r"#/unit/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    await page.goto(f"{server.address}/web/#/unit/{own + 1}")
    await expect(page.get_by_test_id("signin-message")).to_contain_text("本单位")
    await expect(page.get_by_test_id("unit-title")).to_have_count(0)


async def test_a_spent_or_expired_link_is_refused(
    browser: Any, dingtao: Services, server: RunningWeb, clock: FakeClock
) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    link = await link_for(leader, server)
    page = await phone(browser)
    clock.set(clock() + dt.timedelta(minutes=11))
    await page.goto(link)
    await page.get_by_role("button").click()
    await expect(page.get_by_test_id("signin-message")).to_contain_text("已过期")
    await page.goto(f"{server.address}/web/")
    await expect(page.get_by_test_id("signin-message")).to_contain_text("/web")
    await expect(page.get_by_test_id("total")).to_have_count(0)


async def test_telegram_init_data_opens_the_page_and_a_forged_one_is_refused(
    browser: Any, dingtao: Services, server: RunningWeb, clock: FakeClock
) -> None:
    await member(dingtao, PLAN, "777001", "leader", transport="telegram")
    user = json.dumps({"id": 777001, "first_name": "王"}, ensure_ascii=False)
    fields = {"auth_date": str(int(clock().timestamp())), "query_id": "AAF1", "user": user}
    forged = await phone(browser)
    await forged.goto(f"{server.address}/web/#tgWebAppData={_quoted(sign_init_data(fields, '1:another-bot'))}")
    await expect(forged.get_by_test_id("signin-message")).to_contain_text("无法确认您的身份")
    await expect(forged.get_by_test_id("total")).to_have_count(0)
    genuine = await phone(browser)
    fragment = f"tgWebAppData={_quoted(sign_init_data(fields, BOT_TOKEN))}&tgWebAppVersion=7.0&tgWebAppPlatform=ios"
    await genuine.goto(f"{server.address}/web/#{fragment}")
    await expect(genuine.get_by_test_id("total")).to_be_visible()
    assert "tgWebAppData" not in genuine.url  # the signed data does not stay in the address bar


async def test_wecom_oauth_opens_the_page(browser: Any, dingtao: Services) -> None:
    await member(dingtao, PLAN, "ZhangMin", "liaison", "区民政局", transport="wecom")
    async with FakeWeCom(corp_id=CORP_ID) as fake:
        settings = wecom_settings(fake)
        wecom = prepare_wecom(settings, dingtao)
        running = await start_web(settings, dingtao, wecom=wecom)
        try:
            fake.browser_user = "ZhangMin"
            page = await phone(browser)
            await page.goto(f"{running.address}/web/wecom")
            await expect(page.get_by_test_id("unit-title")).to_contain_text("区民政局")
        finally:
            await stop_web(running)
            await stop_wecom(wecom)


def _quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


async def test_a_leader_taps_the_status_button_and_a_console_report_appears_within_two_seconds(
    browser: Any, tmp_path: Path, fake: FakeTelegram
) -> None:
    """The issue's "done when", end to end: the real `duban run` (Telegram through the fake Bot API,
    the console on a terminal, the page on its one HTTP server), a leader's /status button opened as
    Telegram opens a Mini App, and a report typed at the console appearing on the open page."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "DUBAN_LANG": "zh",
        "PYTHONIOENCODING": "utf-8",
        "DUBAN_TELEGRAM_TOKEN": fake.token,
        "DUBAN_TELEGRAM_BASE_URL": f"http://127.0.0.1:{fake.port}",
        "DUBAN_TELEGRAM_POLL_TIMEOUT": "1",
        "PTB_TIMEDELTA": "1",
        "DUBAN_WEB_LISTEN": f"127.0.0.1:{port}",
        "DUBAN_PUBLIC_URL": PUBLIC,  # the office's https proxy, which forwards to DUBAN_WEB_LISTEN
    }
    await duban(env, "plan", "load", PLAN)
    code = await duban(env, "invite", "--plan", PLAN, "leader")
    terminal, its_end = os.openpty()  # `duban run` keeps its console only on a terminal
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        "--plan",
        PLAN,
        env=env,
        stdin=its_end,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    os.close(its_end)
    try:
        await fake.wait_for("getUpdates", answered=False, timeout=30)
        leader, chat = fake.user(LEADER, "王局长"), fake.private_chat(LEADER)
        assert "领导" in (await say(fake, leader, chat, f"/start {code}"))["plain"]
        status = await say(fake, leader, chat, "/status")
        button = [b for row in status["reply_markup"]["inline_keyboard"] for b in row][-1]
        assert button["web_app"]["url"] == f"{PUBLIC}/web/"
        user = json.dumps({"id": LEADER, "first_name": "王局长"}, ensure_ascii=False)
        signed = sign_init_data({"auth_date": str(int(time.time())), "query_id": "AAE", "user": user}, fake.token)
        opened = button["web_app"]["url"].replace(PUBLIC, f"http://127.0.0.1:{port}")  # through the proxy
        page = await phone(browser)
        await page.goto(f"{opened}#tgWebAppData={_quoted(signed)}&tgWebAppVersion=7.0&tgWebAppPlatform=android")
        row = page.get_by_test_id("indicator-11")
        await expect(row).to_be_visible(timeout=15_000)
        await expect(page.get_by_test_id("live")).to_have_attribute("data-state", "live")
        os.write(terminal, "/report 11 8亿\n".encode())  # the office, at the console
        await expect(row).to_contain_text("8亿", timeout=LIVE_SECONDS * 1000)
        await screenshot(page, "telegram-mini-app")
        assert page.errors == []
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        os.close(terminal)
    assert process.returncode == 0, err.decode()
    assert fake.token not in (out + err).decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_puyang_shows_its_twelve_gates_and_evidence_completeness(browser: Any, puyang: Services) -> None:
    running = await start_web(Settings(_env_file=None, web_listen="127.0.0.1:0"), puyang, bot_token=BOT_TOKEN)
    try:
        leader = await member(puyang, "puyang-2021", "boss", "leader")
        page = await sign_in_by_link(browser, leader, running)
        await expect(page.locator("[data-testid^=gate-]")).to_have_count(12)
        await expect(page.get_by_test_id("evidence-bar")).to_be_visible()
        await expect(page.locator("[data-testid^=indicator-]")).not_to_have_count(0)
        assert page.errors == []
    finally:
        await stop_web(running)
