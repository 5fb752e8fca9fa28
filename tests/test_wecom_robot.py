"""WeCom group robots over real HTTP against the local fake: pacing, 45009, images, files, splitting."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from collections.abc import AsyncIterator

import pytest

from bot.wecom_api import MAX_MARKDOWN_BYTES, WeComError
from bot.wecom_robot import MAX_IMAGE, RobotSender, key_tag, webhook_key
from tests.fake_telegram import tiny_png
from tests.fake_wecom import FakeTime, FakeWeCom

KEY_A = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
KEY_B = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


@pytest.fixture
def ticks() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def fake(ticks: FakeTime) -> AsyncIterator[FakeWeCom]:
    async with FakeWeCom(clock=ticks) as server:
        server.add_robot(KEY_A)
        server.add_robot(KEY_B)
        yield server


@pytest.fixture
async def robots(fake: FakeWeCom, ticks: FakeTime) -> AsyncIterator[RobotSender]:
    sender = RobotSender(fake.base_url, clock=ticks, sleep=ticks.sleep)
    yield sender
    await sender.aclose()


def assert_within_limit(times: list[float], per_minute: int = 20) -> None:
    """No 60 s of the clock holds more than ``per_minute`` of these arrivals."""
    assert all(later - earlier >= 60 for earlier, later in zip(times, times[per_minute:], strict=False))


async def test_120_messages_paced_to_20_a_minute(robots: RobotSender, fake: FakeWeCom, ticks: FakeTime) -> None:
    start = ticks.now
    for n in range(120):
        await robots.send_markdown(KEY_A, f"提醒 {n}")

    assert [m["markdown"]["content"] for m in fake.robot_messages(KEY_A)] == [f"提醒 {n}" for n in range(120)]
    times = fake.robot_times(KEY_A)
    assert_within_limit(times)
    assert [c.errcode for c in fake.calls] == [0] * 120  # the limit was never hit
    assert times[-1] - start == pytest.approx(300)  # six minutes' worth of 20, no slower


async def test_concurrent_callers_wait_and_nothing_is_dropped(
    robots: RobotSender, fake: FakeWeCom, ticks: FakeTime
) -> None:
    await asyncio.gather(*(robots.send_markdown(KEY_A, f"提醒 {n}") for n in range(45)))

    contents = [m["markdown"]["content"] for m in fake.robot_messages(KEY_A)]
    assert sorted(contents) == sorted(f"提醒 {n}" for n in range(45))
    assert contents == [f"提醒 {n}" for n in range(45)]  # callers are served in the order they came
    assert_within_limit(fake.robot_times(KEY_A))


async def test_two_robots_are_independent(fake: FakeWeCom) -> None:
    ticks = FakeTime(auto=False)
    fake.clock = ticks
    robots = RobotSender(fake.base_url, clock=ticks, sleep=ticks.sleep)
    for n in range(20):
        await robots.send_markdown(KEY_A, f"A{n}")

    waiting = asyncio.create_task(robots.send_markdown(KEY_A, "A20"))
    for n in range(5):
        await robots.send_markdown(KEY_B, f"B{n}")  # robot B does not wait for A's full minute
    await asyncio.sleep(0.05)

    assert not waiting.done()
    assert len(fake.robot_messages(KEY_A)) == 20
    assert len(fake.robot_messages(KEY_B)) == 5
    ticks.advance(60)
    await asyncio.wait_for(waiting, 5)
    assert fake.robot_messages(KEY_A)[-1]["markdown"]["content"] == "A20"
    assert fake.robot_times(KEY_A)[-1] == ticks.now
    await robots.aclose()


async def test_rate_limit_pauses_the_robot_and_retries(robots: RobotSender, fake: FakeWeCom, ticks: FakeTime) -> None:
    fake.fail_next("webhook/send", 45009)
    start = ticks.now

    await robots.send_markdown(KEY_A, "周报")

    assert [c.errcode for c in fake.calls] == [45009, 0]
    assert [m["markdown"]["content"] for m in fake.robot_messages(KEY_A)] == ["周报"]
    assert fake.robot_times(KEY_A) == [start + 60]


async def test_robot_shared_with_another_sender_pauses_until_the_minute_frees(fake: FakeWeCom, ticks: FakeTime) -> None:
    ours = RobotSender(fake.base_url, clock=ticks, sleep=ticks.sleep)
    theirs = RobotSender(fake.base_url, clock=ticks, sleep=ticks.sleep)
    for n in range(20):
        await theirs.send_markdown(KEY_A, f"别处 {n}")

    await ours.send_markdown(KEY_A, "督办")

    assert [c.errcode for c in fake.calls].count(45009) == 1
    assert fake.robot_messages(KEY_A)[-1]["markdown"]["content"] == "督办"
    assert_within_limit(fake.robot_times(KEY_A))
    await ours.aclose()
    await theirs.aclose()


async def test_image_sent_with_base64_and_md5(robots: RobotSender, fake: FakeWeCom) -> None:
    png = tiny_png(40, 30)

    await robots.send_image(KEY_A, png)

    image = fake.robot_messages(KEY_A)[0]["image"]
    assert base64.b64decode(image["base64"]) == png
    assert image["md5"] == hashlib.md5(png).hexdigest()


async def test_image_over_2_mb_refused_before_sending(robots: RobotSender, fake: FakeWeCom) -> None:
    with pytest.raises(WeComError, match="at most 2097152 bytes") as caught:
        await robots.send_image(KEY_A, b"\x89PNG" + b"\0" * MAX_IMAGE)
    assert caught.value.permanent
    assert fake.calls == []


async def test_file_uploaded_then_sent(robots: RobotSender, fake: FakeWeCom) -> None:
    data = b"unit,overdue\n" * 50

    await robots.send_file(KEY_B, data, "周报.csv")

    assert [c.path for c in fake.calls] == ["webhook/upload_media", "webhook/send"]
    assert fake.calls[0].query["type"] == "file"
    assert fake.calls[0].files["media"] == ("周报.csv", data)
    assert fake.robot_messages(KEY_B)[0]["file"]["media_id"].startswith("media-")


async def test_digest_markdown_split_with_mentions_last(robots: RobotSender, fake: FakeWeCom) -> None:
    rows = [f'> **第{n}项** 城关镇：<font color="warning">逾期 {n} 天</font>' for n in range(150)]
    digest = "# 本周督办周报\n" + "\n".join(rows)

    count = await robots.send_markdown(KEY_A, digest, mentions=["zhangsan", "lisi"])

    contents = [m["markdown"]["content"] for m in fake.robot_messages(KEY_A)]
    assert count == len(contents) > 1
    assert all(len(c.encode()) <= MAX_MARKDOWN_BYTES for c in contents)
    assert contents[-1].endswith("\n<@zhangsan> <@lisi>")
    assert "\n".join(contents).removesuffix("\n<@zhangsan> <@lisi>") == digest
    assert all("<@" not in c for c in contents[:-1])


async def test_unknown_key_is_permanent_and_never_logged(
    robots: RobotSender, fake: FakeWeCom, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_key = "ffffffff-dead-beef-0000-123456789abc"
    fake.fail_next("webhook/send", 45009)
    await robots.send_markdown(KEY_A, "一")
    with pytest.raises(WeComError) as caught:
        await robots.send_markdown(secret_key, "二")

    assert (caught.value.errcode, caught.value.permanent) == (93000, True)
    assert key_tag(KEY_A) in caplog.text  # the pause is logged, by the key's hash
    for key in (KEY_A, secret_key):
        assert key not in caplog.text + str(caught.value)


def test_webhook_key_from_url() -> None:
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY_A}"
    assert webhook_key(url) == KEY_A
    with pytest.raises(ValueError, match="key"):
        webhook_key("https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
