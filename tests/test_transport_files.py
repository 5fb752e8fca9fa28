"""Files in and out through every transport, against the local fakes and the real evidence flow:
Telegram documents and photos, WeCom files and images, group robots, and console paths."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import col, select

from bot.console import ConsoleTransport, console_member, render, run_console
from bot.files import safe_name, split_path
from bot.telegram_transport import TelegramTransport
from bot.wecom import PATH, WeComBridge, WeComTransport
from bot.wecom_api import WeComApp
from bot.wecom_crypto import WeComCrypto
from bot.wecom_robot import RobotSender, RobotTransport
from handlers.context import Services
from handlers.types import Reply
from models.evidence_store import EvidenceStore
from models.people import bind_member, find_unit
from models.tables import Evidence
from reminders.engine import ReminderEngine
from reminders.outbound import DeliveryFailed, Document, Outgoing
from reminders.sender import Sender
from tests.conftest import SHANGHAI, FakeClock, member
from tests.fake_telegram import FakeTelegram, tiny_png
from tests.fake_wecom import FakeTime, FakeWeCom
from tests.test_telegram import running
from tests.test_wecom import NOW as CALLBACK_TIME
from tests.test_wecom import WeCom
from tests.test_wecom_crypto import AES_KEY, CORP_ID, TOKEN
from tests.test_wecom_crypto import Sender as WeComSide

PLAN = "puyang-2021"
NDRC = "市发展改革委"
ALICE, OFFICE = 1001, 1009
LIAISON = "ZhangMin"
NOW = 1_622_170_000  # 2021-05-28 10:46 in Shanghai, as the puyang fixture's clock
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(tag: str = "") -> bytes:
    """A small PDF whose content (and so whose hash) depends on `tag`."""
    return PDF + tag.encode()


def limited(services: Services, max_bytes: int) -> Services:
    """The same services with a smaller evidence size limit (DUBAN_EVIDENCE_MAX_MB in small)."""
    return dataclasses.replace(services, evidence=EvidenceStore(services.evidence.root, max_bytes))


async def evidence_rows(services: Services) -> list[Evidence]:
    async with services.db.session() as session:
        return list((await session.exec(select(Evidence).order_by(col(Evidence.id)))).all())


def stored(services: Services, data: bytes, ext: str) -> bytes:
    return services.evidence.path(hashlib.sha256(data).hexdigest(), ext).read_bytes()


def nothing_stored(services: Services) -> bool:
    root = services.evidence.root
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


# ---------------------------------------------------------------------------------------- Telegram


async def answer(fake: FakeTelegram, chat_id: int, before: int) -> dict[str, Any]:
    """Duban's next message in a chat after `before` messages."""
    for _ in range(200):
        sent = fake.sent_to(chat_id)
        if len(sent) > before:
            return sent[before]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no answer in chat {chat_id}")


async def test_a_telegram_document_with_a_caption_is_handed_in_with_its_bytes_and_name(
    puyang: Services, fake: FakeTelegram
) -> None:
    await member(puyang, PLAN, str(ALICE), "liaison", NDRC, transport="telegram")
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    data = pdf("telegram")
    async with running(puyang, fake):
        fake.send_document(user=alice, chat=chat, name="双公示 统计.pdf", data=data, caption="/evidence G4 2021年统计")
        fake.send_text(user=alice, chat=chat, text="/evidence")  # sent at once: answered after the file
        said, owed = await answer(fake, ALICE, 0), await answer(fake, ALICE, 1)
    assert said["plain"].startswith("已登记佐证材料 #1：指标 G4")
    assert "已提交、待审核 1 项：G4" in owed["plain"]
    assert "文件“双公示 统计.pdf”" in said["plain"]
    assert stored(puyang, data, "pdf") == data
    [row] = await evidence_rows(puyang)
    assert (row.name, row.note) == ("双公示 统计.pdf", "2021年统计")
    assert len(fake.downloads) == 1


async def test_a_telegram_photo_alone_is_fetched_at_its_largest_size_and_filed_by_a_button(
    puyang: Services, fake: FakeTelegram
) -> None:
    await member(puyang, PLAN, str(ALICE), "liaison", NDRC, transport="telegram")
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    picture = tiny_png(64, 48)
    async with running(puyang, fake):
        fake.send_photo(user=alice, chat=chat, data=picture, thumbnail=tiny_png(2, 1))
        said = await answer(fake, ALICE, 0)
    assert re.match(r"已收到文件“photo-\d{8}-\d{6}\.jpg”（PNG，1 KB）", said["plain"])
    buttons = [b["callback_data"] for row in said["reply_markup"]["inline_keyboard"] for b in row]
    assert any(data.startswith("/evidence G4 文件:") for data in buttons)
    assert stored(puyang, picture, "png") == picture  # the full picture, not the thumbnail
    assert fake.downloads == ["photos/file_2.jpg"]


async def test_an_oversized_telegram_document_is_not_downloaded_and_politely_refused(
    puyang: Services, fake: FakeTelegram
) -> None:
    small = limited(puyang, 1000)
    await member(small, PLAN, str(ALICE), "liaison", NDRC, transport="telegram")
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    async with running(small, fake):
        fake.send_document(user=alice, chat=chat, name="大.pdf", data=pdf("x" * 5000), caption="/evidence G4")
        said = await answer(fake, ALICE, 0)
    assert said["plain"].startswith("文件太大（5 KB），佐证材料每个文件不能超过 1 KB。")
    assert fake.downloads == []
    assert fake.calls_of("getFile") == []
    assert nothing_stored(small)


async def test_a_failed_telegram_download_is_answered_politely_and_nothing_is_recorded(
    puyang: Services, fake: FakeTelegram
) -> None:
    await member(puyang, PLAN, str(ALICE), "liaison", NDRC, transport="telegram")
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    fake.fail_downloads(1, status=404)
    async with running(puyang, fake):
        sent = fake.send_document(user=alice, chat=chat, name="统计.pdf", data=pdf(), caption="/evidence G4")
        said = await answer(fake, ALICE, 0)
    assert said["plain"] == "抱歉，文件“统计.pdf”没能从聊天服务取回，没有登记。请稍后重新发送。"
    assert said["reply_to_message_id"] == sent
    assert await evidence_rows(puyang) == []


async def test_in_a_group_only_files_for_us_are_fetched(puyang: Services, fake: FakeTelegram) -> None:
    await member(puyang, PLAN, str(ALICE), "liaison", NDRC, transport="telegram")
    alice, group = fake.user(ALICE, "Alice"), fake.group_chat(-4001, "联络员群")
    async with running(puyang, fake):
        fake.send_document(user=alice, chat=group, name="闲聊.pdf", data=pdf("chat"))
        fake.send_document(user=alice, chat=group, name="别的.pdf", data=pdf("other"), caption="/evidence@other_bot G4")
        mine = f"/evidence@{fake.bot_username} G4"
        fake.send_document(user=alice, chat=group, name="统计.pdf", data=pdf("mine"), caption=mine)
        said = await answer(fake, -4001, 0)
    assert said["plain"].startswith("已登记佐证材料 #1")
    assert len(fake.downloads) == 1  # the other two were never fetched
    assert [row.name for row in await evidence_rows(puyang)] == ["统计.pdf"]


async def test_a_file_sent_as_a_reply_to_an_evidence_reminder_in_a_group_is_taken_for_its_codes(
    puyang: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    alice, group = fake.user(ALICE, "Alice"), fake.group_chat(-4001, "发展改革委工作群")
    async with puyang.db.session() as session:  # the unit's liaison reads reminders in the unit's group
        unit = await find_unit(session, PLAN, NDRC)
        assert unit is not None
        await bind_member(
            session,
            plan_id=PLAN,
            transport="telegram",
            user_id=str(ALICE),
            display_name="Alice",
            chat_id="-4001",
            role="liaison",
            unit_id=unit.id,
            now=clock(),
            via="test",
        )
    clock.set(dt.datetime(2021, 5, 31, 9, 0, tzinfo=SHANGHAI))  # one working day before evidence is due
    async with running(puyang, fake) as (_, bridge):
        engine = ReminderEngine(puyang.db, clock, [TelegramTransport(bridge)], files=puyang.evidence)
        await engine.start()
        await engine.shutdown()
        reminder = next(m for m in fake.sent_to(-4001) if m["plain"].startswith("【佐证材料】市发展改革委"))
        before = len(fake.sent_to(-4001))
        fake.send_document(user=alice, chat=group, name="闲聊.pdf", data=pdf("chat"))  # not for us: ignored
        fake.send_document(
            user=alice, chat=group, name="统计.pdf", data=pdf("reply"), reply_to_message_id=reminder["message_id"]
        )
        said = await answer(fake, -4001, before)
    assert said["plain"].startswith("已收到文件“统计.pdf”（PDF，1 KB）")
    buttons = [b["text"] for row in said["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["G4", "G7", "G8", "G9", "G10", "G12", "1", "4.4"]  # the reminder's codes, in its order
    assert len(fake.downloads) == 1


async def test_a_reply_with_a_file_arrives_as_a_document_before_its_text(puyang: Services, fake: FakeTelegram) -> None:
    fake.private_chat(OFFICE)
    workbook = b"PK\x03\x04 workbook bytes"
    async with running(puyang, fake) as (_, bridge):
        await bridge.send_reply(OFFICE, Reply("台账已导出。", document=Document("濮阳 台账.xlsx", workbook)))
    sent = fake.sent_to(OFFICE)
    assert [(m["method"], m["document"] or m["plain"]) for m in sent] == [
        ("sendDocument", "濮阳 台账.xlsx"),
        ("sendMessage", "台账已导出。"),
    ]
    assert fake.calls_of("sendDocument")[0].files["document"] == workbook


async def test_the_office_gets_a_handed_in_file_with_review_buttons_under_it(
    puyang: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    await member(puyang, PLAN, str(ALICE), "liaison", NDRC, transport="telegram")
    await member(puyang, PLAN, str(OFFICE), "admin", transport="telegram")
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    fake.private_chat(OFFICE)
    data = pdf("review")
    async with running(puyang, fake) as (_, bridge):
        fake.send_document(user=alice, chat=chat, name="统计.pdf", data=data, caption="/evidence G4")
        await answer(fake, ALICE, 0)
        sender = Sender(puyang.db, clock, [TelegramTransport(bridge)], files=puyang.evidence)
        await sender.send_due()
    document, text = fake.sent_to(OFFICE)
    assert document["document"] == "统计.pdf"
    assert fake.calls_of("sendDocument")[0].files["document"] == data
    buttons = [b["text"] for row in text["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["通过", "退回"]


async def test_a_document_confirmed_before_a_failure_is_not_sent_again(puyang: Services, fake: FakeTelegram) -> None:
    fake.private_chat(OFFICE)
    confirmed: list[int] = []
    message = Outgoing(
        chat_id=str(OFFICE),
        text="【佐证材料】请审核。",
        actions=(("通过", "/review 1 通过"),),
        document=Document("统计.pdf", pdf()),
        on_piece=lambda pieces, _: confirmed.append(pieces),
    )
    async with running(puyang, fake) as (_, bridge):
        transport = TelegramTransport(bridge, backoff=0.01)
        fake.fail_next("sendMessage", status=400, description="Bad Request: message text is empty")
        with pytest.raises(DeliveryFailed) as failure:
            await transport.send(message)
        assert failure.value.confirmed == 1
        await transport.send(dataclasses.replace(message, skip=failure.value.confirmed))
    assert confirmed == [1, 2]
    assert [m["method"] for m in fake.sent_to(OFFICE)] == ["sendDocument", "sendMessage"]
    assert len(fake.calls_of("sendDocument")) == 1


# ------------------------------------------------------------------------------------------- WeCom


@pytest.fixture
async def wecom(puyang: Services) -> AsyncIterator[WeCom]:
    """Duban's WeCom callback for the Puyang plan, against the fake WeCom API."""
    await member(puyang, PLAN, LIAISON, "liaison", NDRC, transport="wecom")
    async with FakeWeCom(corp_id=CORP_ID) as fake:
        yield await _start_wecom(puyang, fake)


async def _start_wecom(services: Services, fake: FakeWeCom) -> WeCom:
    api = WeComApp(fake.corp_id, fake.agent_id, fake.secret, fake.base_url, sleep=FakeTime().sleep)
    bridge = WeComBridge(services, api, WeComCrypto(TOKEN, AES_KEY, CORP_ID), seconds=lambda: CALLBACK_TIME)
    runner = web.AppRunner(bridge.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    http = aiohttp.ClientSession()
    _OPEN.append((runner, api, http))
    return WeCom(fake, bridge, f"http://127.0.0.1:{port}{PATH}", WeComSide(), http)


_OPEN: list[tuple[web.AppRunner, WeComApp, aiohttp.ClientSession]] = []


@pytest.fixture(autouse=True)
async def _close_wecom() -> AsyncIterator[None]:
    yield
    while _OPEN:
        runner, api, http = _OPEN.pop()
        await http.close()
        await runner.cleanup()
        await api.aclose()


def media_message(kind: str, media_id: str, file_name: str | None = None, msg_id: int = 88001) -> str:
    name = f"<FileName><![CDATA[{file_name}]]></FileName>" if file_name else ""
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{LIAISON}]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
        f"<MediaId><![CDATA[{media_id}]]></MediaId>{name}<MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    )


async def test_a_wecom_file_and_image_are_fetched_and_kept_aside_for_their_code(puyang: Services, wecom: WeCom) -> None:
    data, picture = pdf("wecom"), tiny_png(40, 30)
    wecom.fake.seed_media("MEDIA-1", data, "信用承诺书.pdf")
    wecom.fake.seed_media("MEDIA-2", picture, "", kind="image")
    assert await wecom.post(media_message("file", "MEDIA-1", "信用承诺书.pdf")) == 200
    assert await wecom.post(media_message("image", "MEDIA-2", msg_id=88002)) == 200
    said = wecom.said_to(LIAISON)
    assert said[
        0
    ] == "已收到文件“信用承诺书.pdf”（PDF，1 KB）。\n请选择它是哪一项的佐证材料（或发送 /evidence <编号> 文件:" + (
        hashlib.sha256(data).hexdigest()[:12] + " [说明]）："
    )
    assert any(line.startswith("已收到文件“image-20210528-") and "（PNG，1 KB）" in line for line in said)
    assert stored(puyang, data, "pdf") == data
    assert stored(puyang, picture, "png") == picture


async def test_a_wecom_file_over_the_limit_is_not_read_past_it(puyang: Services) -> None:
    small = limited(puyang, 1000)
    await member(small, PLAN, LIAISON, "liaison", NDRC, transport="wecom")
    big = pdf("y" * 5000)
    huge = pdf("z" * 16 * 1024 * 1024)  # more than socket buffers hold: the rest is never sent
    async with FakeWeCom(corp_id=CORP_ID) as fake:
        wecom = await _start_wecom(small, fake)
        fake.seed_media("MEDIA-LEN", big, "大.pdf")  # Content-Length says it at once
        fake.seed_media("MEDIA-CHUNKED", huge, "更大.pdf", chunked=True)  # counted while reading
        assert await wecom.post(media_message("file", "MEDIA-LEN", "大.pdf")) == 200
        assert await wecom.post(media_message("file", "MEDIA-CHUNKED", "更大.pdf", msg_id=88002)) == 200
        said = wecom.said_to(LIAISON)
        assert said[0] == "文件太大（5 KB），佐证材料每个文件不能超过 1 KB。请压缩或拆分后再发送，本次没有保存。"
        assert said[1].startswith("文件太大（")
        assert fake.media_served("MEDIA-CHUNKED") < len(huge)
    assert nothing_stored(small)


async def test_a_wecom_media_that_cannot_be_fetched_is_answered_politely(puyang: Services, wecom: WeCom) -> None:
    assert await wecom.post(media_message("file", "MEDIA-GONE", "统计.pdf")) == 200
    assert wecom.said_to(LIAISON) == ["抱歉，文件“统计.pdf”没能从聊天服务取回，没有登记。请稍后重新发送。"]
    assert await evidence_rows(puyang) == []


async def test_wecom_app_documents_go_before_the_text_and_are_never_sent_twice(wecom: WeCom) -> None:
    fake, data = wecom.fake, b"PK\x03\x04 workbook"
    await wecom.bridge.send_reply(LIAISON, Reply("台账已导出。", document=Document("台账.xlsx", data)))
    assert fake.files_to(LIAISON) == [("台账.xlsx", data)]
    assert [m["msgtype"] for m in fake.messages_to(LIAISON)] == ["file", "text"]

    def fail_after_the_file(pieces: int, _: str) -> None:
        if pieces == 1:
            fake.fail_next("message/send", 40058)

    message = Outgoing(
        chat_id=LIAISON,
        text="【佐证材料】请审核。",
        actions=(("通过", "/review 1 通过"),),
        document=Document("统计.pdf", pdf()),
        on_piece=fail_after_the_file,
    )
    transport = WeComTransport(wecom.bridge)
    with pytest.raises(DeliveryFailed) as failure:
        await transport.send(message)
    assert failure.value.confirmed == 1
    await transport.send(dataclasses.replace(message, skip=1, on_piece=None))
    assert fake.files_to(LIAISON) == [("台账.xlsx", data), ("统计.pdf", pdf())]
    assert [m["msgtype"] for m in fake.messages_to(LIAISON)][2:] == ["file", "text", "template_card"]
    assert [c.query.get("type") for c in fake.calls if c.path == "media/upload"] == ["file", "file"]


async def test_a_group_robot_posts_the_file_before_the_text_and_never_twice() -> None:
    key, ticks = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", FakeTime()
    async with FakeWeCom(clock=ticks) as fake:
        fake.add_robot(key)
        transport = RobotTransport(RobotSender(fake.base_url, clock=ticks, sleep=ticks.sleep))

        def fail_after_the_file(pieces: int, _: str) -> None:
            if pieces == 1:
                fake.fail_next("webhook/send", 40058)

        message = Outgoing(
            chat_id=key,
            text="本周台账见附件。",
            document=Document("周报.xlsx", b"PK\x03\x04 weekly"),
            on_piece=fail_after_the_file,
        )
        with pytest.raises(DeliveryFailed) as failure:
            await transport.send(message)
        assert failure.value.confirmed == 1
        await transport.send(dataclasses.replace(message, skip=1))
        await transport.aclose()
    assert fake.robot_files(key) == [("周报.xlsx", b"PK\x03\x04 weekly")]
    assert [m["msgtype"] for m in fake.robot_messages(key)] == ["file", "markdown"]
    assert [c.path for c in fake.calls].count("webhook/upload_media") == 1


# ----------------------------------------------------------------------------------------- console


async def console(
    services: Services, script: str, *, who: str = f"unit:{NDRC}", files_dir: Path | None = None
) -> list[str]:
    """Pipe `script` through the console on the Puyang plan; every line it prints."""
    lines: list[str] = []
    user_id = await console_member(services, PLAN, who)
    await run_console(
        services,
        plan_id=PLAN,
        user_id=user_id,
        stdin=io.StringIO(script),
        write=lambda text: lines.extend(text.split("\n")),
        files_dir=files_dir,
    )
    return lines


async def test_a_console_path_at_the_end_of_a_line_is_handed_in(
    puyang: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "材料"
    folder.mkdir()
    (folder / "说明 文件.pdf").write_bytes(pdf("quoted"))
    (folder / "说明.pdf").write_bytes(pdf("relative"))
    (tmp_path / "G4").write_bytes(pdf("named like a code"))
    monkeypatch.chdir(tmp_path)
    script = f'/evidence G4 加盖公章 "{folder / "说明 文件.pdf"}"\n/evidence 1 ./材料/说明.pdf\n/evidence G4\n'
    lines = await console(puyang, script)
    assert any(line.startswith("已登记佐证材料 #1：指标 G4") and "文件“说明 文件.pdf”" in line for line in lines)
    assert any(line.startswith("已登记佐证材料 #2：指标 1") for line in lines)
    rows = await evidence_rows(puyang)
    assert [(r.name, r.note) for r in rows] == [("说明 文件.pdf", "加盖公章"), ("说明.pdf", "")]
    assert stored(puyang, pdf("quoted"), "pdf") == pdf("quoted")
    assert any(
        line.startswith("【佐证材料】G4") for line in lines
    )  # `/evidence G4` stayed a command beside a file "G4"


async def test_a_console_line_that_is_only_a_path_sends_the_file_alone(
    puyang: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "照片.png").write_bytes(tiny_png(8, 8))
    monkeypatch.chdir(tmp_path)
    lines = await console(puyang, "照片.png\n")
    assert any(line.startswith("已收到文件“照片.png”（PNG，1 KB）") for line in lines)


async def test_a_console_file_over_the_limit_is_refused_without_being_read(puyang: Services, tmp_path: Path) -> None:
    small = limited(puyang, 1000)
    big = tmp_path / "大.pdf"
    big.write_bytes(pdf("b" * 5000))
    lines = await console(small, f"/evidence G4 {big}\n")
    assert "文件太大（5 KB），佐证材料每个文件不能超过 1 KB。请压缩或拆分后再发送，本次没有保存。" in lines
    assert nothing_stored(small)


def test_files_that_come_back_to_the_console_are_saved_safely_and_never_overwritten(tmp_path: Path) -> None:
    reply = Reply("台账已导出。", document=Document("台账.xlsx", b"x" * 3000))
    first, _ = render(reply, "zh", tmp_path)
    second, _ = render(reply, "zh", tmp_path)
    assert first.split("\n")[1] == f"[文件] 台账.xlsx（3 KB）已保存：{tmp_path / '台账.xlsx'}"
    assert second.split("\n")[1] == f"[文件] 台账.xlsx（3 KB）已保存：{tmp_path / '台账-2.xlsx'}"
    sneaky, _ = render(Reply("", document=Document("../../.bashrc", b"echo")), "en", tmp_path)
    assert sneaky.split("\n")[1] == f"[file] ../../.bashrc (1 KB) saved: {tmp_path / 'bashrc'}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bashrc", "台账-2.xlsx", "台账.xlsx"]


async def test_the_office_on_the_console_gets_the_handed_in_file_saved(
    puyang: Services, tmp_path: Path, clock: FakeClock
) -> None:
    await console_member(puyang, PLAN, "admin")
    (tmp_path / "统计.pdf").write_bytes(pdf("office"))
    await console(puyang, f"/evidence G4 {tmp_path / '统计.pdf'}\n")
    printed: list[str] = []
    transport = ConsoleTransport(write=printed.append, files_dir=tmp_path / "received")
    await Sender(puyang.db, clock, [transport], files=puyang.evidence).send_due()
    saved = tmp_path / "received" / "统计.pdf"
    assert f"[文件] 统计.pdf（1 KB）已保存：{saved}" in printed
    assert saved.read_bytes() == pdf("office")


def test_a_path_is_taken_only_when_it_names_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "a b.pdf").write_bytes(b"x")
    (tmp_path / "5").write_bytes(b"x")
    assert split_path(f"/evidence G4 “{tmp_path / 'a b.pdf'}”", tmp_path) == ("/evidence G4", tmp_path / "a b.pdf")
    assert split_path("/evidence G4 'a b.pdf'", tmp_path) == ("/evidence G4", tmp_path / "a b.pdf")
    assert split_path("/task 5", tmp_path) == ("/task 5", None)  # no folder, no extension: not a path
    assert split_path("/report 3 0.45%", tmp_path) == ("/report 3 0.45%", None)
    assert split_path("/evidence G4 missing.pdf", tmp_path) == ("/evidence G4 missing.pdf", None)
    assert split_path(str(tmp_path), tmp_path) == (str(tmp_path), None)  # a folder is not a file
    assert safe_name("..\\..\\自评报告?.docx") == "自评报告_.docx"
    assert safe_name("...") == "file"
