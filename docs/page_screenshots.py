"""The README's screenshots of the live page (督办看板), taken of the real page on a phone-sized screen.

A throw-away SQLite database gets the Dingtao plan and three months of a county office's work,
played through the router as people would send it (figures reported, progress and a call for help
recorded, a weekly digest each Monday); then `duban run`'s web server serves it, a leader signs in
with a /web link in headless Chromium (Debian's), and the pages are photographed at 375×812.

    .venv/bin/python -m docs.page_screenshots [--out docs]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.web_server import start_web, stop_web
from config.plan_loader import load_plan_file, shipped_plan_paths
from config.settings import Settings
from handlers.context import Services
from handlers.help import report_example
from handlers.router import handle
from handlers.types import Request
from models.database import open_database
from models.evidence_store import EvidenceStore
from models.people import bind_member, find_unit
from models.plans import load_plan
from models.work import list_tasks
from reminders.engine import ReminderEngine

PLAN = "dingtao-2022"
ZONE = dt.timezone(dt.timedelta(hours=8))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
NOTES = {
    "done": ["已完成，相关材料已归档", "已按要求完成并报送", "已办结"],
    "doing": ["正在推进，本月底前完成", "已完成一半，正在核查数据", "已起草方案，待局务会审议"],
    "blocked": ["需要市局协调数据接口", "还差两个部门没报，需要协调"],
}


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


async def say(services: Services, user: str, text: str) -> None:
    request = Request(transport="console", user_id=user, chat_id=user, text=text, display_name=user)
    await handle(services, request)


async def people(services: Services, clock: Clock) -> dict[str, str]:
    """An office, a leader, and one liaison per unit with a share of a task (named like people are)."""
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    liaisons: dict[str, str] = {}
    async with services.db.session() as session:
        for user, role in (("办公室 刘洋", "admin"), ("王局长", "leader")):
            await bind_member(
                session,
                plan_id=PLAN,
                transport="console",
                user_id=user,
                display_name=user,
                chat_id=user,
                role=role,
                unit_id=None,
                now=clock(),
                via="screenshots",
            )
        units = sorted({a.unit for t in await list_tasks(session, PLAN) for a in t.assignments})
        for i, unit in enumerate(units):
            found = await find_unit(session, PLAN, unit)
            assert found is not None
            name = f"{surnames[i % len(surnames)]}{'敏静磊芳强丽军燕'[i % 8]}"
            await bind_member(
                session,
                plan_id=PLAN,
                transport="console",
                user_id=name,
                display_name=name,
                chat_id=name,
                role="liaison",
                unit_id=found.id,
                now=clock(),
                via="screenshots",
            )
            liaisons[unit] = name
    return liaisons


async def months_of_work(services: Services, clock: Clock, liaisons: dict[str, str]) -> None:
    """Weekly from June to late September: figures, progress, and each Monday's digest."""
    plan = load_plan_file(shipped_plan_paths()[PLAN])
    async with services.db.session() as session:
        tasks = await list_tasks(session, PLAN)
    engine = ReminderEngine(services.db, clock, [])
    week = dt.datetime(2022, 6, 6, 10, 0, tzinfo=ZONE)
    for n in range(16):
        clock.now = week + dt.timedelta(days=7 * n)
        for indicator in plan.indicators[n % 3 :: 5]:  # a few figures a week, in turn
            await say(services, "办公室 刘洋", report_example(indicator, clock.now.date()))
        for k, task in enumerate(tasks):
            for j, share in enumerate(task.assignments):
                turn = (k * 7 + j * 3 + n) % 11
                if turn not in (0, 1, 2) or share.unit not in liaisons:
                    continue
                status = "done" if n > 4 and turn == 0 else "blocked" if turn == 1 and (k + j) % 9 == 0 else "doing"
                word = {"done": "完成", "doing": "进行中", "blocked": "受阻"}[status]
                note = NOTES[status][(k + j + n) % len(NOTES[status])]
                await say(services, liaisons[share.unit], f"/progress {task.code} {word} {note}")
        await engine.digest(PLAN)
    clock.now = dt.datetime(2022, 9, 20, 16, 30, tzinfo=ZONE)


async def photograph(base: str, link: str, out: Path) -> list[Path]:
    from playwright.async_api import async_playwright

    shots: list[Path] = []
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2)
        page = await context.new_page()
        await page.goto(link)
        await page.get_by_role("button").click()
        await page.get_by_test_id("trend-chart").wait_for()
        shots.append(out / "page-plan.png")
        await page.screenshot(path=str(shots[-1]))
        grid = page.locator("[data-testid^=cell-]").first
        await grid.scroll_into_view_if_needed()
        await grid.click()
        await page.get_by_test_id("note-panel").wait_for()
        shots.append(out / "page-grid.png")
        await page.screenshot(path=str(shots[-1]))
        await page.goto(f"{base}/web/#/indicator/5")
        await page.get_by_test_id("indicator-title").wait_for()
        shots.append(out / "page-indicator.png")
        await page.screenshot(path=str(shots[-1]))
        await browser.close()
    return shots


async def main(out: Path) -> list[Path]:
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock(dt.datetime(2022, 6, 1, 9, 0, tzinfo=ZONE))
        db = await open_database(f"sqlite:///{folder}/screens.db")
        services = Services(db=db, clock=clock, evidence=EvidenceStore(Path(folder) / "evidence"))
        async with db.session() as session:
            await load_plan(
                session,
                load_plan_file(shipped_plan_paths()[PLAN]),
                now=clock(),
                source="screenshots",
                actor="screenshots",
            )
        liaisons = await people(services, clock)
        await months_of_work(services, clock, liaisons)
        running = await start_web(Settings(_env_file=None, web_listen="127.0.0.1:0"), services)
        try:
            request = Request(transport="console", user_id="王局长", chat_id="王局长", text="/web")
            reply = await handle(services, request)
            link = re.search(r"http://\S+/web/login/\S+", reply.text)
            assert link is not None, reply.text
            return await photograph(running.address, link.group(0), out)
        finally:
            await stop_web(running)
            await db.close()


def cli(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docs.page_screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    for shot in asyncio.run(main(args.out)):
        print(shot)
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
