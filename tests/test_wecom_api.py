"""The WeCom self-built app client over real HTTP against the local fake WeCom API."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.wecom_api import (
    MAX_MARKDOWN_BYTES,
    MAX_TEXT_BYTES,
    TOKEN_MARGIN,
    WeComApp,
    WeComError,
    button_card,
    split_bytes,
)
from tests.fake_telegram import tiny_png
from tests.fake_wecom import FakeTime, FakeWeCom


@pytest.fixture
def ticks() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def fake(ticks: FakeTime) -> AsyncIterator[FakeWeCom]:
    async with FakeWeCom(visible={"liaison1", "liaison2"}, clock=ticks) as server:
        yield server


@pytest.fixture
async def app(fake: FakeWeCom, ticks: FakeTime) -> AsyncIterator[WeComApp]:
    wecom = WeComApp(fake.corp_id, fake.agent_id, fake.secret, fake.base_url, clock=ticks, sleep=ticks.sleep)
    yield wecom
    await wecom.aclose()


def paths(fake: FakeWeCom) -> list[str]:
    return [call.path for call in fake.calls]


async def test_token_fetched_once_for_20_concurrent_sends(app: WeComApp, fake: FakeWeCom) -> None:
    msgids = await asyncio.gather(*(app.send_text("liaison1", f"提醒 {n}") for n in range(20)))

    assert fake.token_fetches == 1
    assert paths(fake).count("gettoken") == 1
    assert len({m for ids in msgids for m in ids}) == 20
    assert sorted(m["text"]["content"] for m in fake.sent) == sorted(f"提醒 {n}" for n in range(20))


async def test_token_cached_for_its_lifetime_less_a_margin(app: WeComApp, fake: FakeWeCom, ticks: FakeTime) -> None:
    await app.send_text("liaison1", "一")
    ticks.advance(7200 - TOKEN_MARGIN - 1)
    await app.send_text("liaison1", "二")
    assert paths(fake).count("gettoken") == 1

    ticks.advance(2)
    fake.expire_token()  # WeCom would still accept it for a few minutes; the client renews early anyway
    await app.send_text("liaison1", "三")
    assert paths(fake).count("gettoken") == 2
    assert [c.errcode for c in fake.calls if c.path == "message/send"] == [0, 0, 0]


async def test_expired_token_refreshed_and_send_repeated_once(app: WeComApp, fake: FakeWeCom) -> None:
    await app.send_text("liaison1", "一")
    fake.expire_token()

    await app.send_text("liaison1", "二")

    assert paths(fake) == ["gettoken", "message/send", "message/send", "gettoken", "message/send"]
    assert [c.errcode for c in fake.calls] == [0, 0, 42001, 0, 0]
    assert [m["text"]["content"] for m in fake.sent] == ["一", "二"]


async def test_invalid_token_twice_is_not_repeated_again(app: WeComApp, fake: FakeWeCom) -> None:
    fake.fail_next("message/send", 40014, times=2)

    with pytest.raises(WeComError) as caught:
        await app.send_text("liaison1", "一")

    assert caught.value.errcode == 40014
    assert paths(fake).count("message/send") == 2
    assert fake.sent == []


async def test_rate_limit_and_server_error_retried_in_place(app: WeComApp, fake: FakeWeCom, ticks: FakeTime) -> None:
    fake.fail_next("message/send", 45009)
    fake.fail_next("message/send", status=500)

    assert len(await app.send_text("liaison1", "一")) == 1

    assert [c.status for c in fake.calls if c.path == "message/send"] == [200, 500, 200]
    assert [c.errcode for c in fake.calls if c.path == "message/send"] == [45009, None, 0]
    assert len(fake.sent) == 1
    assert ticks.sleeps  # backed off between tries


async def test_rate_limit_that_persists_is_retryable(app: WeComApp, fake: FakeWeCom) -> None:
    fake.fail_next("message/send", 45009, times=5)

    with pytest.raises(WeComError) as caught:
        await app.send_text("liaison1", "一")

    assert (caught.value.errcode, caught.value.retryable, caught.value.permanent) == (45009, True, False)
    assert paths(fake).count("message/send") == 3


async def test_user_outside_visible_range_is_permanent(app: WeComApp, fake: FakeWeCom) -> None:
    with pytest.raises(WeComError) as caught:
        await app.send_text("stranger", "一")

    assert (caught.value.errcode, caught.value.permanent, caught.value.retryable) == (81013, True, False)
    assert paths(fake).count("message/send") == 1


async def test_user_not_in_range_injected_is_permanent(app: WeComApp, fake: FakeWeCom) -> None:
    fake.fail_next("message/send", 60111)
    with pytest.raises(WeComError) as caught:
        await app.send_markdown("liaison1", "**一**")
    assert caught.value.permanent
    assert paths(fake).count("message/send") == 1


async def test_untrusted_ip_is_neither_retried_nor_permanent(app: WeComApp, fake: FakeWeCom) -> None:
    fake.fail_next("message/send", 60020)
    with pytest.raises(WeComError) as caught:
        await app.send_text("liaison1", "一")
    assert (caught.value.errcode, caught.value.retryable, caught.value.permanent) == (60020, False, False)
    assert paths(fake).count("message/send") == 1


async def test_read_timeout_is_in_doubt_and_not_retried(fake: FakeWeCom, ticks: FakeTime) -> None:
    client = httpx.AsyncClient(timeout=httpx.Timeout(0.2), trust_env=False)
    app = WeComApp(
        fake.corp_id, fake.agent_id, fake.secret, fake.base_url, client=client, clock=ticks, sleep=ticks.sleep
    )
    await app.access_token()
    fake.hang_next("message/send", 1.0)

    with pytest.raises(WeComError) as caught:
        await app.send_text("liaison1", "一")

    assert caught.value.in_doubt
    assert caught.value.retryable
    assert paths(fake).count("message/send") == 1
    assert len(fake.sent) == 1  # WeCom did deliver it: repeating would send it twice
    await client.aclose()


async def test_connection_refused_retried_then_retryable(ticks: FakeTime) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = WeComApp("ww1", 1000002, "secret-value-123", f"http://127.0.0.1:{port}", clock=ticks, sleep=ticks.sleep)

    with pytest.raises(WeComError) as caught:
        await app.send_text("liaison1", "一")

    assert caught.value.retryable
    assert not caught.value.in_doubt
    assert len(ticks.sleeps) == 2  # three tries
    assert "secret-value-123" not in str(caught.value)
    await app.aclose()


def test_split_bytes_cuts_at_line_ends_by_utf8_bytes() -> None:
    lines = [f"第{n:03d}行：" + "督办事项进展" * 10 for n in range(100)]
    text = "\n".join(lines)

    pieces = split_bytes(text, MAX_MARKDOWN_BYTES)

    assert len(pieces) > 1
    assert all(len(p.encode()) <= MAX_MARKDOWN_BYTES for p in pieces)
    assert "\n".join(pieces) == text
    assert all(p.split("\n")[0] in lines and p.split("\n")[-1] in lines for p in pieces)  # whole lines only
    assert len(text) < MAX_MARKDOWN_BYTES * len(pieces) - MAX_MARKDOWN_BYTES  # counted in bytes, not characters


def test_split_bytes_cuts_an_overlong_line_between_characters() -> None:
    line = "汉" * 1000  # 3,000 bytes
    pieces = split_bytes(line, MAX_TEXT_BYTES)
    assert "".join(pieces) == line
    assert [len(p.encode()) for p in pieces] == [2046, 954]
    assert split_bytes("", 10) == []


async def test_long_markdown_sent_in_pieces(app: WeComApp, fake: FakeWeCom) -> None:
    text = "\n".join(f'- **单位{n}**：<font color="warning">逾期</font> 三项' for n in range(200))

    msgids = await app.send_markdown("liaison1", text)

    contents = [m["markdown"]["content"] for m in fake.sent]
    assert len(msgids) == len(contents) > 1
    assert all(len(c.encode()) <= MAX_MARKDOWN_BYTES for c in contents)
    assert "\n".join(contents) == text


async def test_card_sent_and_updated_with_its_response_code_once(app: WeComApp, fake: FakeWeCom) -> None:
    card = button_card("任务提醒", "完成防汛检查", [("完成", "done:7"), ("进行中", "doing:7"), ("需要帮助", "help:7")])

    sent = await app.send_card("liaison1", card)

    assert fake.sent[0]["template_card"]["task_id"] == card["task_id"]
    assert [b["key"] for b in fake.sent[0]["template_card"]["button_list"]] == ["done:7", "doing:7", "help:7"]
    pressed = fake.press(sent.msgid)
    await app.update_card(pressed, "已完成")
    assert fake.card_updates[0]["button"] == {"replace_name": "已完成"}
    assert fake.card_updates[0]["response_code"] == pressed

    with pytest.raises(WeComError) as caught:
        await app.update_card(pressed, "已完成")
    assert caught.value.errcode == 40058
    assert not caught.value.retryable
    assert len(fake.card_updates) == 1

    await app.update_card(sent.response_code, button_card("任务提醒", "已完成", [("查看", "view:7")]))
    assert fake.card_updates[1]["template_card"]["main_title"]["desc"] == "已完成"


async def test_card_task_id_unique(app: WeComApp, fake: FakeWeCom) -> None:
    card = button_card("任务提醒", "说明", [("完成", "done:1")])
    other = button_card("任务提醒", "说明", [("完成", "done:1")])
    assert card["task_id"] != other["task_id"]
    await app.send_card("liaison1", card)
    with pytest.raises(WeComError):
        await app.send_card("liaison1", card)
    with pytest.raises(ValueError, match="unique"):
        button_card("t", "d", [("a", "k"), ("b", "k")])


async def test_media_upload_and_download_round_trip(app: WeComApp, fake: FakeWeCom) -> None:
    data = b"%PDF-1.4 report " * 100
    await app.send_file("liaison1", data, "报告.pdf")
    png = tiny_png()
    await app.send_image("liaison2", png)

    file_id = fake.sent[0]["file"]["media_id"]
    assert await app.download(file_id) == (data, "报告.pdf")
    assert (await app.download(fake.sent[1]["image"]["media_id"]))[0] == png
    fake.seed_media("from-user-1", b"photo-bytes", "现场.jpg")
    assert await app.download("from-user-1") == (b"photo-bytes", "现场.jpg")
    with pytest.raises(WeComError) as caught:
        await app.download("no-such-media")
    assert caught.value.errcode == 40007


async def test_wrong_secret_refused_without_showing_it(fake: FakeWeCom, ticks: FakeTime) -> None:
    app = WeComApp(fake.corp_id, fake.agent_id, "wrong-secret-abc", fake.base_url, clock=ticks, sleep=ticks.sleep)
    with pytest.raises(WeComError) as caught:
        await app.send_text("liaison1", "一")
    assert caught.value.errcode == 40001
    assert "wrong-secret-abc" not in str(caught.value) + repr(app)
    await app.aclose()


async def test_secret_and_token_never_logged(app: WeComApp, fake: FakeWeCom, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await app.send_text("liaison1", "一")
    fake.expire_token()
    await app.send_text("liaison1", "二")
    fake.fail_next("message/send", status=500, times=3)
    with pytest.raises(WeComError) as caught:
        await app.send_text("liaison1", "三")

    tokens = {c.query["access_token"] for c in fake.calls if "access_token" in c.query}
    assert len(tokens) == 2
    logged = caplog.text + str(caught.value)
    assert "fetching a new one" in caplog.text
    for secret in (fake.secret, *tokens):
        assert secret not in logged
