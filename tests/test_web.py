"""The live page's server over real HTTP: the three ways to sign in, who sees what, the security
headers, and a report reaching an open page's live stream. (The page itself, in a real browser, is
tests/test_web_browser.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.web_auth import sign_init_data
from bot.web_server import RunningWeb, start_web, stop_web
from bot.wecom_app import prepare_wecom, stop_wecom
from config.i18n import translate
from config.settings import Settings
from handlers.board import cell_status, short_name
from handlers.context import Services
from handlers.router import handle
from handlers.types import Request
from models.plans import expand_units, get_plan
from models.work import TaskView
from tests.conftest import Chat, FakeClock, member
from tests.fake_wecom import FakeWeCom
from tests.test_wecom_crypto import AES_KEY, CORP_ID, TOKEN

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "dingtao-2022"
BOT_TOKEN = "123456:TEST-token-for-the-live-page"
OWN_UNIT, OTHER_UNIT = "区民政局", "区司法局"


@dataclass
class Site:
    """`duban run`'s server on a free port, and a browser-like client with its own cookie jar."""

    running: RunningWeb
    services: Services

    @property
    def base(self) -> str:
        return self.running.address

    def client(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(self.base, cookie_jar=aiohttp.CookieJar(unsafe=True))


@pytest.fixture
async def site(dingtao: Services) -> AsyncIterator[Site]:
    settings = Settings(_env_file=None, web_listen="127.0.0.1:0")
    running = await start_web(settings, dingtao, bot_token=BOT_TOKEN)
    try:
        yield Site(running, dingtao)
    finally:
        await stop_web(running)


def wecom_settings(fake: FakeWeCom) -> Settings:
    """`duban run`'s settings with the WeCom app on the fake (and its OAuth page), the page on a free port."""
    return Settings(
        _env_file=None,
        web_listen="127.0.0.1:0",
        wecom_corp_id=CORP_ID,
        wecom_agent_id=fake.agent_id,
        wecom_secret=fake.secret,
        wecom_token=TOKEN,
        wecom_aes_key=AES_KEY,
        wecom_api_base=fake.base_url,
        wecom_oauth_url=fake.oauth_url,
    )


async def link_for(chat: Chat) -> str:
    reply = await chat.say("/web")
    assert reply.ok, reply.text
    found = re.search(r"http://\S+/web/login/(\S+)", reply.text)
    assert found is not None, reply.text
    return "/web/login/" + found.group(1)


async def sign_in(site: Site, chat: Chat) -> aiohttp.ClientSession:
    http = site.client()
    path = await link_for(chat)
    async with http.post(path, allow_redirects=False) as answer:
        assert answer.status == 303
        assert answer.headers["Location"] == "/web/"
        cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/web" in cookie
    return http


async def get_json(http: aiohttp.ClientSession, path: str) -> tuple[int, Any]:
    async with http.get(path) as answer:
        return answer.status, json.loads(await answer.text())


async def owned_indicators(services: Services, unit: str) -> tuple[str, str]:
    """A code the unit reports, and one it does not."""
    async with services.db.session() as session:
        found = await get_plan(session, PLAN)
    assert found is not None
    plan = found[1]
    mine = next(i.code for i in plan.indicators if unit in expand_units(plan, i.units + i.lead))
    other = next(i.code for i in plan.indicators if unit not in expand_units(plan, i.units + i.lead))
    return mine, other


async def test_a_link_signs_in_once_and_only_when_its_button_is_pressed(dingtao: Services, site: Site) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    path = await link_for(leader)
    async with site.client() as http:
        for _ in range(2):  # fetched for a preview, then opened: nothing spent yet
            async with http.get(path) as page:
                assert page.status == 200
                assert 'method="post"' in await page.text()
        async with http.post(path, allow_redirects=False) as answer:
            assert answer.status == 303
        status, me = await get_json(http, "/web/api/me")
        assert status == 200
        assert me["scope"] == "plan"
        assert me["member"] == {"id": me["member"]["id"], "name": "boss", "role": "leader"}
    async with site.client() as again, again.post(path, allow_redirects=False) as used:
        assert used.status == 403
        assert "已使用或已过期" in await used.text()


async def test_an_expired_link_signs_nobody_in(dingtao: Services, site: Site, clock: FakeClock) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    path = await link_for(leader)
    clock.set(clock() + dt.timedelta(minutes=10, seconds=1))
    async with site.client() as http:
        async with http.post(path, allow_redirects=False) as answer:
            assert answer.status == 403
        status, body = await get_json(http, "/web/api/me")
    assert status == 401
    assert body["error"] == "signin"
    assert "/web" in str(body["message"])


async def test_without_a_session_every_api_is_refused(site: Site) -> None:
    async with site.client() as http:
        for path in ("/web/api/me", "/web/api/plan", "/web/api/unit/1", "/web/api/indicator/1", "/web/api/events"):
            status, body = await get_json(http, path)
            assert (status, body["error"]) == (401, "signin"), path


async def test_telegram_init_data_signs_in_when_genuine_and_fresh(
    dingtao: Services, site: Site, clock: FakeClock
) -> None:
    await member(dingtao, PLAN, "777001", "leader", transport="telegram")
    user = json.dumps({"id": 777001, "first_name": "王", "last_name": "局长"}, ensure_ascii=False)
    fresh = {"auth_date": str(int(clock().timestamp())), "query_id": "AAF1", "user": user}
    forged = sign_init_data(fresh, "999:another-bot")
    stale = sign_init_data({**fresh, "auth_date": str(int(clock().timestamp()) - 2 * 3600)}, BOT_TOKEN)
    altered = sign_init_data(fresh, BOT_TOKEN).replace("777001", "777002")
    stranger = sign_init_data({**fresh, "user": json.dumps({"id": 5, "first_name": "x"})}, BOT_TOKEN)
    async with site.client() as http:
        for bad, status in ((forged, 401), (stale, 401), (altered, 401), ("", 401), (stranger, 403)):
            async with http.post("/web/api/telegram", json={"init_data": bad}) as answer:
                assert answer.status == status, bad
        assert (await get_json(http, "/web/api/me"))[0] == 401
        async with http.post("/web/api/telegram", json={"init_data": sign_init_data(fresh, BOT_TOKEN)}) as answer:
            assert answer.status == 200
        status, me = await get_json(http, "/web/api/me")
    assert status == 200
    assert me["scope"] == "plan"


async def test_wecom_oauth_signs_in_the_member_wecom_says_it_is(dingtao: Services) -> None:
    liaison = "ZhangMin"
    await member(dingtao, PLAN, liaison, "liaison", OWN_UNIT, transport="wecom")
    async with FakeWeCom(corp_id=CORP_ID) as fake:
        settings = wecom_settings(fake)
        wecom = prepare_wecom(settings, dingtao)
        running = await start_web(settings, dingtao, wecom=wecom)
        site = Site(running, dingtao)
        try:
            fake.browser_user = liaison
            async with site.client() as http:
                async with http.get("/web/wecom") as answer:  # through WeCom and back
                    assert answer.status == 200
                    assert str(answer.url).endswith("/web/")
                status, me = await get_json(http, "/web/api/me")
                assert status == 200
                assert me["scope"] == "unit"
                assert me["unit"]["name"] == OWN_UNIT
            async with site.client() as forger:  # a return with a state this browser was never given
                async with forger.get("/web/wecom/back?code=CODE-1-ZhangMin&state=guessed") as answer:
                    assert answer.status == 403
                assert (await get_json(forger, "/web/api/me"))[0] == 401
        finally:
            await stop_web(running)
            await stop_wecom(wecom)


async def test_a_liaison_sees_their_unit_and_nothing_else(dingtao: Services, site: Site) -> None:
    liaison = await member(dingtao, PLAN, "mz", "liaison", OWN_UNIT)
    mine, other = await owned_indicators(dingtao, OWN_UNIT)
    async with await sign_in(site, liaison) as http:
        status, me = await get_json(http, "/web/api/me")
        own_id = me["unit"]["id"]
        assert (await get_json(http, f"/web/api/unit/{own_id}"))[0] == 200
        assert (await get_json(http, f"/web/api/indicator/{mine}"))[0] == 200
        for path in ("/web/api/plan", f"/web/api/unit/{int(str(own_id)) + 1}", f"/web/api/indicator/{other}"):
            status, body = await get_json(http, path)
            assert (status, body["error"]) == (403, "forbidden"), path
            assert "本单位" in str(body["message"])


async def test_every_answer_carries_a_strict_content_security_policy(dingtao: Services, site: Site) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    async with await sign_in(site, leader) as http:
        for path in ("/web/", "/web/api/me", "/web/static/app.css", "/web/api/nothing"):
            async with http.get(path) as answer:
                policy = answer.headers.get("Content-Security-Policy", "")
                assert "default-src 'none'" in policy, path
                assert "script-src 'self'" in policy, path
                assert answer.headers.get("X-Content-Type-Options") == "nosniff", path
        async with http.get("/web/static/..%2Fweb.py") as answer:
            assert answer.status == 404


async def test_a_report_reaches_an_open_page_within_two_seconds(dingtao: Services, site: Site) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    office = await member(dingtao, PLAN, "office", "admin")
    async with await sign_in(site, leader) as http, http.get("/web/api/events") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert (await stream.content.readline()).startswith(b"retry:")
        await stream.content.readline()
        began = time.monotonic()
        assert (await office.say("/report 11 8亿")).ok
        line = await asyncio.wait_for(stream.content.readline(), 2.0)
        assert line == b"event: change\n"
        assert time.monotonic() - began < 2.0
        status, plan = await get_json(http, "/web/api/plan")
    assert status == 200
    row = next(i for i in plan["indicators"] if i["code"] == "11")
    assert row["reported"]
    assert row["points"] != "0"
    assert "8亿" in row["figure"]
    assert row["reported_by"]


async def test_web_logout_in_the_chat_ends_every_browser_session(dingtao: Services, site: Site) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    first, second = await sign_in(site, leader), await sign_in(site, leader)
    async with first, second:
        reply = await leader.say("/web logout")
        assert "2" in reply.text
        for http in (first, second):
            assert (await get_json(http, "/web/api/me"))[0] == 401


async def test_an_indicators_page_lists_every_report_with_what_became_of_it(dingtao: Services, site: Site) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    office = await member(dingtao, PLAN, "office", "admin")
    liaison = await member(dingtao, PLAN, "mz", "liaison", OWN_UNIT)
    assert (await office.say("/report 11 8亿")).ok
    assert (await office.say("/report 11 9亿")).ok  # a correction
    assert (await liaison.say("/report 4 2022-05 0")).ok  # indicator 4 is the office's: a proposal
    async with await sign_in(site, leader) as http:
        status, page = await get_json(http, "/web/api/indicator/11")
        assert status == 200
        assert [(r["value"], r["state"]) for r in page["reports"]] == [("9亿元", "counts"), ("8亿元", "replaced")]
        assert page["indicator"]["points"] != "0"
        proposal = (await get_json(http, "/web/api/indicator/4"))[1]["reports"]
        assert [(r["period"], r["state"], r["unit"]) for r in proposal] == [("2022-05", "proposal", OWN_UNIT)]


async def test_a_units_page_shows_its_shares_with_their_history(dingtao: Services, site: Site) -> None:
    liaison = await member(dingtao, PLAN, "mz", "liaison", OWN_UNIT)
    assert (await liaison.say("/progress 5 进行中 核查了一半")).ok
    assert (await liaison.say("/progress 5 受阻 需要市局协调")).ok
    async with await sign_in(site, liaison) as http:
        me = (await get_json(http, "/web/api/me"))[1]
        status, page = await get_json(http, f"/web/api/unit/{me['unit']['id']}")
    assert status == 200
    task = next(t for t in page["tasks"] if t["code"] == "5")
    assert (task["status"], task["note"]) == ("blocked", "需要市局协调")
    assert [h["note"] for h in task["history"]] == ["需要市局协调", "核查了一半"]
    assert any("需要市局协调" in event["what"] for event in page["history"])


def test_cells_take_done_then_blocked_then_overdue_and_names_lose_only_a_district_prefix() -> None:
    task = TaskView(id=1, code="5", title="t", deadline=dt.date(2022, 6, 30), ongoing=False)
    before, after = dt.date(2022, 6, 1), dt.date(2022, 7, 1)
    assert [cell_status(task, s, before) for s in ("done", "blocked", "doing", "todo")] == [
        "done",
        "blocked",
        "doing",
        "not_started",
    ]
    assert [cell_status(task, s, after) for s in ("done", "blocked", "doing", "todo")] == [
        "done",
        "blocked",
        "overdue",
        "overdue",
    ]
    assert short_name("区市场监督管理局") == "市场监督管理局"
    assert [short_name(n) for n in ("区委宣传部", "区人民法院", "区政府办", "团区委")] == [
        "区委宣传部",
        "区人民法院",
        "区政府办",
        "团区委",
    ]


async def test_web_links_are_given_in_private_chats_only_and_only_when_the_page_is_served(dingtao: Services) -> None:
    leader = await member(dingtao, PLAN, "boss", "leader")
    off = await leader.say("/web")
    assert (off.ok, off.text) == (False, translate("zh", "page_off"))
    dingtao.web.base = "https://duban.example.gov.cn"
    request = Request(transport="test", user_id="boss", chat_id="-100", text="/web", group=True)
    in_group = await handle(dingtao, request)
    assert (in_group.ok, in_group.text) == (False, translate("zh", "page_private_only"))
    private = await leader.say("/web")
    assert private.ok
    assert "https://duban.example.gov.cn/web/login/" in private.text
