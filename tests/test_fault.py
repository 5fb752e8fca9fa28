"""The fault test in the suite: `duban run` killed mid-burst, under a 429 storm, and with stalled calls.

A reduced but honest form of `bench.fault_bench`: the real `duban run` runs as a subprocess against
the fake Bot API (served from a thread of the test process) and is judged only by what arrived in the
chats and what the database holds. The kill scenario keeps the full 300 chats (one kill point); the
429 and stall scenarios use fewer chats. Each scenario runs once per module; its tests read its figures.

`DUBAN_FAULT_TREE=/path/to/checkout` runs `duban` (and prepares its database) from another checkout,
e.g. an export of an older commit, to see what these tests say about it.

The fake's fault knobs (429s with retry_after, stalls, the send log, chat migration, the threaded
server) have their own fast tests first.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import ChatMigrated, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bench.fault_bench import CHAT_BASE, CLIENT_READ_TIMEOUT, IN_FLIGHT_LOADED, Burst, Harness, Run
from tests.fake_telegram import FakeTelegram, FakeTelegramThread, Faults, SendRecord

ALICE = 1001
GROUP = -4001
SUPERGROUP = -1_000_000_004_001


@asynccontextmanager
async def bot_for(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """The real PTB Bot against the fake (loopback: no proxies from the environment)."""
    bot = Bot(
        fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=HTTPXRequest(httpx_kwargs={"trust_env": False}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"trust_env": False}),
    )
    async with bot:
        yield bot


# --------------------------------------------------------------------------- the fake's fault knobs


async def test_a_group_upgraded_to_a_supergroup_answers_chat_migrated(fake: FakeTelegram) -> None:
    fake.group_chat(GROUP, "督办工作群")
    fake.fail_next("sendMessage", migrate_to_chat_id=SUPERGROUP)
    async with bot_for(fake) as bot:
        with pytest.raises(ChatMigrated) as caught:
            await bot.send_message(GROUP, "周报")
        assert caught.value.new_chat_id == SUPERGROUP
        sent = await bot.send_message(SUPERGROUP, "周报")
    assert (sent.chat.type, sent.chat.title) == ("supergroup", "督办工作群")
    assert [(r.chat_id, r.status, r.performed) for r in fake.sends] == [(GROUP, 400, False), (SUPERGROUP, 200, True)]


async def test_a_429_fault_is_answered_and_its_retry_after_window_kept(fake: FakeTelegram) -> None:
    fake.private_chat(ALICE)
    fake.faults = Faults(too_many=1.0, retry_after=(2, 2))
    async with bot_for(fake) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(ALICE, "第一条")
        fake.faults = None
        await bot.send_message(ALICE, "第二条")  # at once: inside the 2 s Telegram asked for
    assert fake.sent_to(ALICE)[0]["text"] == "第二条"
    [(start, end)] = fake.retry_windows
    assert end - start == 2.0
    assert [r.text for r in fake.sends_in_retry_windows()] == ["第二条"]
    assert fake.sends_in_retry_windows(in_flight=5.0) == []
    assert [r.fault for r in fake.sends] == ["429", ""]


async def test_a_stalled_call_is_performed_but_answered_too_late(fake: FakeTelegram) -> None:
    fake.private_chat(ALICE)
    fake.faults = Faults(stall=1.0, stall_seconds=0.4)
    async with bot_for(fake) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "慢", read_timeout=0.1)
        assert [m["text"] for m in fake.sent_to(ALICE)] == ["慢"]  # in the chat, though the bot gave up
        assert fake.open_sends == 1
        await fake.wait_for("sendMessage", timeout=3)
    assert fake.open_sends == 0
    [record] = fake.sends
    assert (record.fault, record.performed, record.delivered, record.confirmed) == ("stall", True, False, False)
    assert record.answered is not None
    assert record.answered - record.arrived >= 0.4


def test_faults_follow_the_seed_whatever_the_timing() -> None:
    keys = [("sendMessage", CHAT_BASE + chat, n) for chat in range(2000) for n in (1, 2)]
    draws = [Faults(seed=7, too_many=0.10, stall=0.03, latency=(0.05, 0.3)).draw(*key) for key in keys]
    assert draws == [Faults(seed=7, too_many=0.10, stall=0.03, latency=(0.05, 0.3)).draw(*key) for key in keys]
    kinds = [fault for fault, _, _ in draws]
    assert 0.09 < kinds.count("429") / len(draws) < 0.11
    assert 0.02 < kinds.count("stall") / len(draws) < 0.04
    assert {after for fault, after, _ in draws if fault == "429"} == {1, 2, 3}
    assert all(0.05 <= hold <= 0.3 for fault, _, hold in draws if fault == "")
    assert [d[0] for d in draws] != [Faults(seed=8, too_many=0.10, stall=0.03).draw(*key)[0] for key in keys]


def test_a_fake_in_its_own_thread_serves_another_client_on_a_fixed_port() -> None:
    port = _free_port()
    seen: list[int] = []
    with FakeTelegramThread(FakeTelegram(port=port)) as server:
        assert server.base_url == f"http://127.0.0.1:{port}"
        token = server.call(lambda fake: fake.token)
        server.call(lambda fake: fake.private_chat(ALICE))
        server.call(lambda fake: setattr(fake, "on_send", lambda record: seen.append(record.number)))
        body = json.dumps({"chat_id": ALICE, "text": "线程"}).encode()
        request = urllib.request.Request(
            f"{server.base_url}/bot{token}/sendMessage", body, {"Content-Type": "application/json"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=5) as answer:
            assert json.load(answer)["result"]["text"] == "线程"
        records: list[SendRecord] = server.call(lambda fake: list(fake.sends))
    assert seen == [1]
    assert [(r.chat_id, r.text, r.confirmed) for r in records] == [(ALICE, "线程", True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- duban run under faults


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    tree = os.environ.get("DUBAN_FAULT_TREE")
    return Harness(tmp_path_factory.mktemp("fault"), Path(tree) if tree else None)


@pytest.fixture(scope="module")
def killed(harness: Harness) -> Run:
    """300 chats, SIGKILL when half of the pieces arrived, a round trip of 50-300 ms, restart."""
    return harness.kill(Burst(300, long_every=20), 0.5, Faults(seed=2022, latency=(0.05, 0.3)))


@pytest.fixture(scope="module")
def storm(harness: Harness) -> Run:
    """60 chats, 10 % of sending calls answered 429 with retry_after 1-3 s."""
    faults = Faults(seed=2022, too_many=0.10, latency=(0.02, 0.1))
    return harness.too_many(Burst(60, long_every=20), faults, in_flight=IN_FLIGHT_LOADED)


@pytest.fixture(scope="module")
def stalled(harness: Harness) -> Run:
    """30 chats, every second notice long (two pieces); a few calls stall past the read timeout."""
    burst = Burst(30, long_every=2)
    return harness.stall(burst, stall_faults(burst))


def stall_faults(burst: Burst, most: int = 3) -> Faults:
    """The first seed whose stalls hit a long notice's second piece (the case that shows whether a
    confirmed first piece is sent again) and never a long notice's first piece (its second piece would
    wait for the outbox's later retry of what is in doubt, beyond this test's patience), with at most
    `most` stalls in the first pass (each may hold the sender for the 5 s read timeout)."""
    first_pass = [(CHAT_BASE + i, n, burst.pieces_of(i)) for i in range(burst.members) for n in (1, 2)]
    first_pass = [(chat, n, pieces) for chat, n, pieces in first_pass if n <= pieces]
    for seed in range(10_000):
        faults = Faults(seed=seed, stall=0.05, stall_seconds=CLIENT_READ_TIMEOUT + 1, latency=(0.02, 0.1))
        stalls = [(n, pieces) for chat, n, pieces in first_pass if faults.draw("sendMessage", chat, n)[0] == "stall"]
        if len(stalls) <= most and (2, 2) in stalls and (1, 2) not in stalls:
            return faults
    raise AssertionError("no seed stalls a second piece")  # pragma: no cover - the draw is a pure function


def test_a_kill_mid_burst_loses_no_message(killed: Run) -> None:
    assert killed.figures["arrived_at_kill"] >= 150
    assert killed.figures["lost"] == 0
    assert (killed.figures["exit_status"], killed.figures["fake_errors"]) == (0, 0)


def test_a_kill_mid_burst_repeats_at_most_the_deliveries_in_doubt(killed: Run) -> None:
    in_doubt = killed.figures["in_doubt_rows"]
    assert in_doubt is not None, (
        f"no delivery.state column: nothing tells a restart what was in doubt "
        f"({killed.figures['duplicate_messages']} duplicates, {killed.figures['open_at_kill']} requests open)"
    )
    assert killed.figures["duplicate_messages"] <= in_doubt


def test_a_429_storm_loses_nothing_and_doubles_nothing(storm: Run) -> None:
    assert storm.figures["answers_429"] >= 3
    assert (storm.figures["lost"], storm.figures["duplicate_messages"]) == (0, 0)
    assert (storm.figures["exit_status"], storm.figures["fake_errors"]) == (0, 0)


def test_nothing_is_sent_while_telegram_asks_to_wait(storm: Run) -> None:
    assert storm.figures["inside_after_in_flight"] == 0, storm.figures


def test_stalled_calls_lose_nothing(stalled: Run) -> None:
    assert stalled.figures["stalls_on_a_later_piece"] >= 1
    assert stalled.figures["lost"] == 0
    assert (stalled.figures["exit_status"], stalled.figures["fake_errors"]) == (0, 0)


def test_a_piece_telegram_confirmed_is_never_sent_again(stalled: Run) -> None:
    assert stalled.figures["confirmed_sent_again"] == 0, stalled.figures
