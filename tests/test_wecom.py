"""Duban as a WeCom self-built app, over real HTTP: WeCom's side (a local API server and encrypted
callbacks built by the tests' own code from WeCom's published algorithm) against Duban's callback."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import select

from bot.wecom import PATH, WeComBridge, WeComTransport
from bot.wecom_api import WeComApp
from bot.wecom_crypto import WeComCrypto
from handlers.context import Services
from models.people import create_invite, find_unit
from models.tables import Assignment, Member, ProgressEvent, Report, TaskRow
from reminders.engine import ReminderEngine
from tests.conftest import FakeClock, member
from tests.fake_wecom import FakeWeCom
from tests.test_wecom_crypto import AES_KEY, CORP_ID, TOKEN, Sender

NOW = 1_654_000_000
LIAISON = "ZhangMin"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class WeCom:
    """Duban's callback on a free port, WeCom's API fake, and WeCom's side of the crypto."""

    fake: FakeWeCom
    bridge: WeComBridge
    url: str
    wecom_side: Sender
    http: aiohttp.ClientSession
    sequence: int = 0

    async def post(self, inner: str, *, timestamp: int = NOW, signature: str | None = None) -> int:
        encrypted = self.wecom_side.encrypt(inner)
        body, signed, ts, nonce = self.wecom_side.post(encrypted, timestamp=str(timestamp))
        query = {"msg_signature": signature or signed, "timestamp": ts, "nonce": nonce}
        async with self.http.post(self.url, params=query, data=body) as response:
            status = response.status
            assert await response.text() == ""
        await self.bridge.drain()
        return status

    def text(self, user: str, content: str, msg_id: int | None = None) -> str:
        self.sequence += 1
        return (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id or 7000 + self.sequence}</MsgId><AgentID>1000002</AgentID></xml>"
        )

    def press(self, user: str, task_id: str, key: str, response_code: str) -> str:
        return (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[template_card_event]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
            f"<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[{response_code}]]></ResponseCode>"
            "<AgentID>1000002</AgentID></xml>"
        )

    def said_to(self, user: str) -> list[str]:
        out = []
        for m in self.fake.messages_to(user):
            if m["msgtype"] == "text":
                out.append(m["text"]["content"])
            elif m["msgtype"] == "template_card":
                out.append("[card] " + " / ".join(b["text"] for b in m["template_card"]["button_list"]))
        return out


@pytest.fixture
async def wecom(dingtao: Services) -> AsyncIterator[WeCom]:
    async with FakeWeCom(corp_id=CORP_ID, visible={LIAISON, "LiLeader"}) as fake:
        api = WeComApp(fake.corp_id, fake.agent_id, fake.secret, fake.base_url)
        bridge = WeComBridge(dingtao, api, WeComCrypto(TOKEN, AES_KEY, CORP_ID), seconds=lambda: NOW)
        runner = web.AppRunner(bridge.web_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as http:
            yield WeCom(fake, bridge, f"http://127.0.0.1:{port}{PATH}", Sender(), http)
        await runner.cleanup()
        await api.aclose()


async def test_the_callback_url_is_verified(wecom: WeCom) -> None:
    echostr = wecom.wecom_side.encrypt("1288432023552776189")
    query = {
        "msg_signature": wecom.wecom_side.sign(str(NOW), "47744683", echostr),
        "timestamp": str(NOW),
        "nonce": "47744683",
        "echostr": echostr,
    }
    async with wecom.http.get(wecom.url, params=query) as response:
        assert response.status == 200
        assert await response.text() == "1288432023552776189"
    query["msg_signature"] = "0" * 40
    async with wecom.http.get(wecom.url, params=query) as response:
        assert response.status == 403


async def test_a_liaison_binds_in_the_app_and_status_is_answered_once_despite_retries(
    dingtao: Services, wecom: WeCom
) -> None:
    async with dingtao.db.session() as session:
        unit = await find_unit(session, "dingtao-2022", "区民政局")
        assert unit is not None
        code = await create_invite(
            session,
            plan_id="dingtao-2022",
            role="liaison",
            unit_id=unit.id,
            created_by=None,
            actor="test",
            now=dingtao.clock(),
        )
    assert await wecom.post(wecom.text(LIAISON, f"/bind {code.code}")) == 200
    assert "区民政局" in wecom.said_to(LIAISON)[-1]
    status = wecom.text(LIAISON, "/status", msg_id=99001)
    for _ in range(4):  # WeCom retries a callback it thinks unanswered, up to three times
        assert await wecom.post(status) == 200
    answers = [t for t in wecom.said_to(LIAISON) if "区民政局" in t and "任务" in t]
    assert len(answers) == 1
    async with dingtao.db.session() as session:
        bound = (await session.exec(select(Member).where(Member.transport == "wecom"))).one()
    assert (bound.user_id, bound.chat_id, bound.role) == (LIAISON, LIAISON, "liaison")


async def test_forged_and_stale_callbacks_change_nothing(dingtao: Services, wecom: WeCom) -> None:
    await member(dingtao, "dingtao-2022", LIAISON, "liaison", "区民政局", transport="wecom")
    assert await wecom.post(wecom.text(LIAISON, "/status"), signature="f" * 40) == 403
    assert await wecom.post(wecom.text(LIAISON, "/status"), timestamp=NOW - 3600) == 403
    assert wecom.fake.sent == []


async def test_a_task_reminder_is_a_card_and_pressing_done_records_it(
    dingtao: Services, wecom: WeCom, clock: FakeClock
) -> None:
    await member(dingtao, "dingtao-2022", LIAISON, "liaison", "区民政局", transport="wecom")
    clock.set(dt.datetime(2022, 6, 21, 9, 0, tzinfo=SHANGHAI))
    engine = ReminderEngine(dingtao.db, clock, [WeComTransport(wecom.bridge)])
    await engine.start()
    cards = [m for m in wecom.fake.messages_to(LIAISON) if m["msgtype"] == "template_card"]
    assert cards, wecom.said_to(LIAISON)
    card = cards[0]
    labels = {b["text"]: b["key"] for b in card["template_card"]["button_list"]}
    assert len(labels) == 3
    assert "完成" in labels
    done_key = next(key for key in labels.values() if key.endswith(" done"))
    code = wecom.fake.press(card["msgid"])
    event = wecom.press(LIAISON, card["template_card"]["task_id"], done_key, code)
    assert await wecom.post(event) == 200
    assert await wecom.post(event) == 200  # a retry of the same event changes nothing more
    assert len(wecom.fake.card_updates) == 1
    task_code = done_key.split()[1]
    async with dingtao.db.session() as session:
        unit = await find_unit(session, "dingtao-2022", "区民政局")
        task = (await session.exec(select(TaskRow).where(TaskRow.code == task_code))).one()
        share = (
            await session.exec(select(Assignment).where(Assignment.task_id == task.id, Assignment.unit_id == unit.id))  # type: ignore[union-attr]
        ).one()
    assert share.status == "done"


async def test_a_message_without_a_command_answers_the_last_reminder(
    dingtao: Services, wecom: WeCom, clock: FakeClock
) -> None:
    await member(dingtao, "dingtao-2022", LIAISON, "liaison", "区民政局", transport="wecom")
    clock.set(dt.datetime(2022, 6, 21, 9, 0, tzinfo=SHANGHAI))
    await ReminderEngine(dingtao.db, clock, [WeComTransport(wecom.bridge)]).start()
    assert await wecom.post(wecom.text(LIAISON, "已经报送了一半，下周完成")) == 200
    async with dingtao.db.session() as session:
        assert not (await session.exec(select(ProgressEvent))).all()  # proposed, recorded on 确认
    card = [m for m in wecom.fake.messages_to(LIAISON) if m["msgtype"] == "template_card"][-1]
    assert "已作为进展备注" in wecom.said_to(LIAISON)[-2]  # the proposal's text, then its button card
    keys = {b["text"]: b["key"] for b in card["template_card"]["button_list"]}
    event = wecom.press(LIAISON, card["template_card"]["task_id"], keys["确认"], wecom.fake.press(card["msgid"]))
    assert await wecom.post(event) == 200
    async with dingtao.db.session() as session:
        notes = (await session.exec(select(ProgressEvent))).all()
    assert any("下周完成" in (n.note or "") for n in notes)


async def test_a_file_sent_to_the_app_is_downloaded_and_answered_honestly(dingtao: Services, wecom: WeCom) -> None:
    await member(dingtao, "dingtao-2022", LIAISON, "liaison", "区民政局", transport="wecom")
    wecom.fake.seed_media("MEDIA-1", b"%PDF-1.4 evidence" * 100, "信用承诺书.pdf")
    inner = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{LIAISON}]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[file]]></MsgType><MediaId><![CDATA[MEDIA-1]]></MediaId>"
        "<FileName><![CDATA[信用承诺书.pdf]]></FileName><MsgId>88001</MsgId><AgentID>1000002</AgentID></xml>"
    )
    assert await wecom.post(inner) == 200
    assert any(call.path == "media/get" for call in wecom.fake.calls)
    said = wecom.said_to(LIAISON)[-1]
    assert "信用承诺书.pdf" in said
    assert "2 KB" in said


async def test_a_report_through_the_app_scores_once(dingtao: Services, wecom: WeCom) -> None:
    await member(dingtao, "dingtao-2022", "OfficeWang", "admin", transport="wecom")
    assert wecom.fake.visible is not None
    wecom.fake.visible.add("OfficeWang")
    report = wecom.text("OfficeWang", "/report 11 8亿", msg_id=99101)
    assert await wecom.post(report) == 200
    assert await wecom.post(report) == 200  # WeCom's retry of the same message
    scored = [t for t in wecom.said_to("OfficeWang") if "0 → 4.29" in t]
    assert len(scored) == 1


async def test_a_message_that_fails_inside_duban_is_answered_with_an_apology(
    wecom: WeCom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(wecom.bridge.chat, "message", broken)
    monkeypatch.setattr(wecom.bridge.chat, "language", broken)
    assert await wecom.post(wecom.text(LIAISON, "/status")) == 200
    assert wecom.said_to(LIAISON) == ["抱歉，处理您的消息时出了点问题，已记入日志，请稍后再试。"]


async def test_status_links_to_the_live_page_through_wecom_sign_in(dingtao: Services, wecom: WeCom) -> None:
    await member(dingtao, "dingtao-2022", "LiLeader", "leader", transport="wecom")
    dingtao.web.base = "https://duban.example.gov.cn"
    assert await wecom.post(wecom.text("LiLeader", "/status")) == 200
    answer = wecom.said_to("LiLeader")[-1]
    assert answer.endswith('📊 <a href="https://duban.example.gov.cn/web/wecom">打开督办看板</a>')


async def test_a_plain_reply_to_the_march_nudge_is_read_and_one_press_records_both_figures(
    dingtao: Services, wecom: WeCom, clock: FakeClock
) -> None:
    await member(dingtao, "dingtao-2022", LIAISON, "liaison", "区发改局", transport="wecom")
    clock.set(dt.datetime(2022, 4, 6, 9, 0, tzinfo=SHANGHAI))
    await ReminderEngine(dingtao.db, clock, [WeComTransport(wecom.bridge)]).start()
    assert any("2022-03" in t for t in wecom.said_to(LIAISON))  # March's figures are asked for
    assert await wecom.post(wecom.text(LIAISON, "3月份合规率100%，及时率99.5%")) == 200  # no reply in WeCom
    card = [m for m in wecom.fake.messages_to(LIAISON) if m["msgtype"] == "template_card"][-1]
    keys = {b["text"]: b["key"] for b in card["template_card"]["button_list"]}
    assert list(keys) == ["确认", "修改", "取消"]
    event = wecom.press(LIAISON, card["template_card"]["task_id"], keys["确认"], wecom.fake.press(card["msgid"]))
    assert await wecom.post(event) == 200
    async with dingtao.db.session() as session:
        rows = (await session.exec(select(Report.period, Report.item, Report.value).order_by(Report.id))).all()  # type: ignore[arg-type]
    assert [tuple(r) for r in rows] == [("2022-03", "合规率", "1"), ("2022-03", "及时率", "0.995")]
