"""Reminders on Telegram under faults, against the local Bot API server: what may have arrived is
never repeated at once, confirmed pieces are never sent twice, what surely did not arrive is retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.telegram import TelegramBridge, split_text
from bot.telegram_app import start_telegram, stop_telegram
from bot.telegram_transport import TelegramTransport
from handlers.context import Services
from reminders.outbound import DeliveryFailed, Outgoing
from tests.fake_telegram import FakeTelegram, tiny_png
from tests.test_telegram import settings_for

CHAT = 4242


@pytest.fixture
async def transport(dingtao: Services, fake: FakeTelegram) -> AsyncIterator[TelegramTransport]:
    fake.private_chat(CHAT)
    app, bridge = await start_telegram(settings_for(fake), dingtao)
    assert isinstance(bridge, TelegramBridge)
    try:
        yield TelegramTransport(bridge, backoff=0.01, read_timeout=0.3)
    finally:
        await stop_telegram(app)


def texts(fake: FakeTelegram) -> list[str]:
    return [str(m.get("plain") or m.get("caption") or "photo") for m in fake.sent_to(CHAT)]


async def test_a_read_timeout_is_in_doubt_and_not_repeated_at_once(
    fake: FakeTelegram, transport: TelegramTransport
) -> None:
    fake.hang_next("sendMessage", 1.0)
    with pytest.raises(DeliveryFailed) as failure:
        await transport.send(Outgoing(chat_id=str(CHAT), text="提醒一"))
    assert failure.value.in_doubt
    await fake.wait_for("sendMessage", 1, timeout=3)
    assert texts(fake) == ["提醒一"]  # it did arrive; it was not sent a second time


async def test_an_answered_server_error_is_retried_at_once(fake: FakeTelegram, transport: TelegramTransport) -> None:
    fake.fail_next("sendMessage", status=500, retry_after=None)
    assert await transport.send(Outgoing(chat_id=str(CHAT), text="提醒二"))
    assert texts(fake) == ["提醒二"]
    assert len(fake.calls_of("sendMessage")) == 2


async def test_pieces_confirmed_before_a_stall_are_never_sent_again(
    fake: FakeTelegram, transport: TelegramTransport
) -> None:
    long_text = "\n".join(f"第 {i} 行：请按时报送" for i in range(600))  # more than 4,096 characters
    confirmed: list[int] = []
    message = Outgoing(chat_id=str(CHAT), text=long_text, image=tiny_png(), on_piece=lambda n, _: confirmed.append(n))
    fake.hang_next("sendMessage", 1.0)  # the first text piece stalls after the photo went through
    with pytest.raises(DeliveryFailed) as failure:
        await transport.send(message)
    assert failure.value.in_doubt
    assert failure.value.confirmed == 1
    assert confirmed == [1]
    await fake.wait_for("sendMessage", 1, timeout=3)
    # The outbox retries later from the doubtful piece: the photo is not sent again.
    await transport.send(replace(message, skip=1))
    sent = texts(fake)
    assert sent.count("photo") == 1
    assert len(sent) == 1 + len(split_text(long_text)) + 1  # photo, text pieces, the doubtful one once more


async def test_a_migrated_group_is_reported_with_its_new_id(fake: FakeTelegram, transport: TelegramTransport) -> None:
    group = fake.group_chat(-4001, "联络员群")
    fake.fail_next("sendMessage", status=400, migrate_to_chat_id=-1004001)
    with pytest.raises(DeliveryFailed) as failure:
        await transport.send(Outgoing(chat_id=str(group["id"]), text="提醒三"))
    assert failure.value.migrated_to == "-1004001"
    assert not failure.value.permanent
