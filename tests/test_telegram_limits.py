"""The flood limiter and the update processor: pauses, stalls, replies before reminders, chat order.

The limiter's own tests run on a hand-moved clock (`FakeTime`) with fake Bot API calls that record
when each request left; the end-to-end test runs python-telegram-bot against the local fake Bot API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
from typing import Any

import pytest
from pydantic import ValidationError
from telegram import Chat, Message, Update, User
from telegram.error import RetryAfter

from bot.telegram_app import build_application
from bot.telegram_limits import BULK, FloodLimiter, Lane
from bot.telegram_updates import ChatOrderedUpdates
from config.settings import Settings
from tests.fake_telegram import FakeTelegram


async def settle() -> None:
    """Let every task that can run, run (a chain of wake-ups takes a few loop turns)."""
    for _ in range(50):
        await asyncio.sleep(0)


class FakeTime:
    """A monotonic clock and a sleep that only move when the test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        if delay <= 0:
            await asyncio.sleep(0)
            return
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._order), wake))
        await wake

    async def advance(self, seconds: float) -> None:
        """Move the clock, waking each sleeper at its own time and letting it run before the next."""
        end = self.now + seconds
        await settle()
        while self._sleepers and self._sleepers[0][0] <= end:
            at, _, wake = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            if not wake.done():
                wake.set_result(None)
            await settle()
        self.now = end
        await settle()


class FakeApi:
    """Bot API calls for the limiter: each records when it left; some answer 429 or hang."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.sent: list[tuple[str, float]] = []
        self.floods: dict[str, list[int]] = {}
        self.hangs: dict[str, asyncio.Event] = {}

    async def call(self, name: str) -> bool:
        self.sent.append((name, self.time()))
        await asyncio.sleep(0)  # the answer comes back later: other requests may leave meanwhile
        if self.floods.get(name):
            raise RetryAfter(self.floods[name].pop(0))
        if name in self.hangs:
            await self.hangs[name].wait()
        return True

    def times(self, name: str) -> list[float]:
        return [at for sent, at in self.sent if sent == name]

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]


def request(limiter: FloodLimiter, api: FakeApi, name: str, chat: int, lane: Lane | None = None) -> asyncio.Task[Any]:
    """One sendMessage through the limiter, as python-telegram-bot makes it."""
    return asyncio.create_task(
        limiter.process_request(
            callback=api.call,
            args=(name,),
            kwargs={},
            endpoint="sendMessage",
            data={"chat_id": chat, "text": name},
            rate_limit_args=lane,
        )
    )


async def warm(**limits: Any) -> tuple[FakeTime, FakeApi, FloodLimiter]:
    """A limiter on fake time, past its first seconds (when it assumes a previous run just sent)."""
    time = FakeTime()
    limiter = FloodLimiter(clock=time, sleep=time.sleep, **limits)
    await time.advance(5.0)
    return time, FakeApi(time), limiter


async def test_a_request_waiting_for_a_slot_does_not_leave_during_a_pause_another_request_began() -> None:
    time, api, limiter = await warm(overall=(1, 1.0))
    start = time()
    api.floods["flooded"] = [5]
    flooded = request(limiter, api, "flooded", 1)
    waiting = request(limiter, api, "waiting", 2)  # waits for the only overall slot
    await time.advance(5.05)
    assert api.names() == ["flooded"]  # the slot came free after 1 s, but Telegram said 5
    await time.advance(1.5)
    await asyncio.gather(flooded, waiting)
    assert api.times("waiting")[0] >= start + 5.1
    assert limiter.retries_after_429 == 1


async def test_overlapping_pauses_the_longest_one_wins() -> None:
    time, api, limiter = await warm()
    start = time()
    api.floods = {"ten": [10], "three": [3]}
    tasks = [request(limiter, api, "ten", 1), request(limiter, api, "three", 2)]
    await time.advance(0.5)
    tasks.append(request(limiter, api, "later", 3))
    await time.advance(9.5)
    assert api.names() == ["ten", "three"]  # nothing at all after the 3 s pause ended: 10 s wins
    await time.advance(1.0)
    await asyncio.gather(*tasks)
    assert sorted(api.names()[2:]) == ["later", "ten", "three"]
    assert min(at for _, at in api.sent[2:]) >= start + 10.1


async def test_sending_resumes_after_a_pause_at_the_limiters_pace() -> None:
    time, api, limiter = await warm(overall=(3, 1.0))
    start = time()
    api.floods["first"] = [4]
    tasks = [request(limiter, api, "first", 1)] + [request(limiter, api, f"m{i}", 10 + i) for i in range(8)]
    await time.advance(12.0)
    await asyncio.gather(*tasks)
    after = sorted(at for name, at in api.sent[1:] if at > start + 0.5)
    assert len(api.sent) == 10  # nine requests, the flooded one twice
    assert after[0] >= start + 4.1
    # never more than 3 in any 1.02 s, also right after the pause
    assert all(later - earlier >= 1.02 - 1e-9 for earlier, later in zip(after, after[3:], strict=False))


async def test_a_stalled_request_holds_other_chats_for_at_most_the_bound() -> None:
    time, api, limiter = await warm(overall=(1, 1.0))
    start = time()
    api.hangs["stalled"] = asyncio.Event()
    stalled = request(limiter, api, "stalled", 1)
    other = request(limiter, api, "other", 2)
    same_chat = request(limiter, api, "same chat", 1)
    await time.advance(1.9)
    assert api.names() == ["stalled"]
    await time.advance(0.3)
    # counted as done one period after it left, then one period in the window: 2 × 1.02 s
    assert api.times("other") == [start + 2.04]
    await time.advance(20.0)
    assert "same chat" not in api.names()  # its own chat still waits for the answer
    api.hangs["stalled"].set()
    await time.advance(1.1)
    await asyncio.gather(stalled, other, same_chat)
    assert api.times("same chat")[0] >= start + 22.2


async def test_replies_pass_reminders_waiting_in_the_overall_window() -> None:
    time, api, limiter = await warm(overall=(3, 1.0), bulk=2)
    start = time()
    tasks = [request(limiter, api, f"bulk{i}", 10 + i, BULK) for i in range(6)]
    await time.advance(0.1)
    assert api.names() == ["bulk0", "bulk1"]  # bulk may use 2 of the 3 places
    tasks.append(request(limiter, api, "reply", 20))
    await time.advance(0.1)
    assert api.times("reply") == [start + 0.1]  # the reserved place: no wait behind four reminders
    tasks.append(request(limiter, api, "second reply", 21))
    await time.advance(1.0)
    assert api.names()[:5] == ["bulk0", "bulk1", "reply", "second reply", "bulk2"]
    await time.advance(5.0)
    await asyncio.gather(*tasks)
    bulk = sorted(at for name, at in api.sent if name.startswith("bulk"))
    assert all(later - earlier >= 1.02 - 1e-9 for earlier, later in zip(bulk, bulk[2:], strict=False))


async def test_a_reply_passes_a_reminder_waiting_for_the_same_chat() -> None:
    time, api, limiter = await warm()
    tasks = [request(limiter, api, "reminder", 7, BULK), request(limiter, api, "next reminder", 7, BULK)]
    await time.advance(0.2)
    tasks.append(request(limiter, api, "reply", 7))
    await time.advance(3.0)
    await asyncio.gather(*tasks)
    assert api.names() == ["reminder", "reply", "next reminder"]
    first, reply, last = (at for _, at in api.sent)
    assert reply - first >= 1.0  # the chat's own window holds for both
    assert last - reply >= 1.0


async def test_a_429_stops_every_send_until_retry_after_has_passed(fake: FakeTelegram) -> None:
    """End to end: python-telegram-bot against the fake Bot API, a request waiting when the 429 comes."""
    for chat in range(1, 6):
        fake.private_chat(chat)
    settings = Settings(_env_file=None, telegram_token=fake.token, telegram_base_url=f"http://127.0.0.1:{fake.port}")
    app = build_application(settings, limiter=FloodLimiter(overall=(2, 0.2), private=(1, 0.01)))
    async with app:
        await asyncio.sleep(0.25)  # getMe's place has expired
        await app.bot.send_message(1, "before")  # holds one of the two overall places for 0.2 s
        fake.fail_next("sendMessage", retry_after=1)
        flooded = app.bot.send_message(2, "flooded")  # takes the other place and is answered 429
        waiting = [app.bot.send_message(chat, "waiting") for chat in (3, 4, 5)]  # wait for a place
        await asyncio.gather(flooded, *waiting)
    calls = fake.calls_of("sendMessage")
    refused = next(c for c in calls if c.status == 429)
    during = [c for c in calls if refused.at < c.at < refused.at + 1.0]
    assert during == []
    after = [c for c in calls if c.at >= refused.at + 1.0]
    assert len(after) == 4  # three that were waiting for a slot, and the flooded one again
    assert all(len(fake.sent_to(chat)) == 1 for chat in range(1, 6))


async def test_reminders_marked_bulk_through_the_bot_leave_room_for_replies(fake: FakeTelegram) -> None:
    """python-telegram-bot hands `rate_limit_args=BULK` to the limiter: the reply passes the second reminder."""
    for chat in (1, 2, 3):
        fake.private_chat(chat)
    settings = Settings(_env_file=None, telegram_token=fake.token, telegram_base_url=f"http://127.0.0.1:{fake.port}")
    app = build_application(settings, limiter=FloodLimiter(overall=(3, 0.3), bulk=1, private=(1, 0.01)))
    async with app:
        await asyncio.sleep(0.35)  # getMe's place has expired
        first = asyncio.create_task(app.bot.send_message(1, "reminder", rate_limit_args=BULK))
        second = asyncio.create_task(app.bot.send_message(2, "reminder", rate_limit_args=BULK))
        await fake.wait_for("sendMessage")
        await app.bot.send_message(3, "reply")
        await asyncio.gather(first, second)
    assert [c.params["chat_id"] for c in fake.calls_of("sendMessage")] == [1, 3, 2]


async def test_an_instance_of_three_sends_at_most_ten_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """DUBAN_INSTANCES=3: each instance keeps to a third of Telegram's 30 a second, and uses all of it."""
    monkeypatch.setenv("DUBAN_INSTANCES", "3")
    time, api, limiter = await warm(instances=Settings(_env_file=None).instances)
    start = time()
    tasks = [request(limiter, api, f"m{i}", 100 + i) for i in range(45)]
    await time.advance(6.0)
    await asyncio.gather(*tasks)
    sent = sorted(at for _, at in api.sent)
    assert len(sent) == 45
    assert all(later - earlier >= 1.02 - 1e-9 for earlier, later in zip(sent, sent[10:], strict=False))
    assert sum(at < start + 1.0 for at in sent) == 10
    assert sent[-1] <= start + 4 * 1.02 + 1e-9  # ten every 1.02 s: no slower than its share


async def test_three_instances_share_the_reminders_budget_and_each_groups_minute() -> None:
    time, api, limiter = await warm(instances=3)
    start = time()
    tasks = [request(limiter, api, f"bulk{i}", 100 + i, BULK) for i in range(20)]
    tasks += [request(limiter, api, f"group{i}", -100, BULK) for i in range(8)]
    await time.advance(0.1)
    tasks.append(request(limiter, api, "reply", 7))
    await time.advance(70.0)
    await asyncio.gather(*tasks)
    bulk = sorted(at for name, at in api.sent if name != "reply")
    assert len(bulk) == 28
    assert all(later - earlier >= 1.02 - 1e-9 for earlier, later in zip(bulk, bulk[8:], strict=False))  # 25 / 3
    assert api.times("reply") == [start + 0.1]  # replies keep their place beside the reminders
    group = sorted(at for name, at in api.sent if name.startswith("group"))
    assert sum(at < group[0] + 60 for at in group) == 6  # 20 a minute / 3
    assert group[6] >= group[0] + 60 * 1.02 - 1e-9


def test_the_number_of_instances_is_between_one_and_twenty(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).instances == 1
    for wrong in ("0", "21", "two"):
        monkeypatch.setenv("DUBAN_INSTANCES", wrong)
        with pytest.raises(ValidationError):
            Settings(_env_file=None)


async def test_the_bot_of_an_instance_of_three_paces_itself_at_ten_a_second(fake: FakeTelegram) -> None:
    """End to end: build_application reads DUBAN_INSTANCES; the fake Bot API sees at most 10 a second."""
    for chat in range(1, 16):
        fake.private_chat(chat)
    settings = Settings(
        _env_file=None, telegram_token=fake.token, telegram_base_url=f"http://127.0.0.1:{fake.port}", instances=3
    )
    app = build_application(settings)
    async with app:
        await asyncio.gather(*(app.bot.send_message(chat, "提醒") for chat in range(1, 16)))
    arrived = sorted(c.at for c in fake.calls_of("sendMessage"))
    assert len(arrived) == 15
    assert all(later - earlier >= 1.0 for earlier, later in zip(arrived, arrived[10:], strict=False))


def update(update_id: int, chat_id: int) -> Update:
    user = User(id=abs(chat_id), first_name="Tester", is_bot=False)
    chat = Chat(id=chat_id, type=Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    message = Message(message_id=update_id, date=dt.datetime.now(dt.UTC), chat=chat, from_user=user, text="/status")
    return Update(update_id=update_id, message=message)


async def test_one_chats_updates_run_in_order_while_other_chats_go_ahead() -> None:
    log: list[str] = []
    slow = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"{name} starts")
        if wait is not None:
            await wait.wait()
        log.append(f"{name} ends")

    async with ChatOrderedUpdates() as processor:
        tasks = [
            asyncio.create_task(processor.process_update(update(1, 5), handle("first of 5", slow))),
            asyncio.create_task(processor.process_update(update(2, 5), handle("second of 5"))),
            asyncio.create_task(processor.process_update(update(3, 6), handle("only of 6"))),
        ]
        await settle()
        assert log == ["first of 5 starts", "only of 6 starts", "only of 6 ends"]
        slow.set()
        await asyncio.gather(*tasks)
    assert log[3:] == ["first of 5 ends", "second of 5 starts", "second of 5 ends"]


async def test_updates_running_at_once_are_bounded() -> None:
    gate = asyncio.Event()
    started: list[int] = []

    async def handle(chat: int) -> None:
        started.append(chat)
        await gate.wait()

    async with ChatOrderedUpdates(running=2) as processor:
        tasks = [asyncio.create_task(processor.process_update(update(i, i), handle(i))) for i in range(1, 4)]
        await settle()
        assert started == [1, 2]
        gate.set()
        await asyncio.gather(*tasks)
    assert started == [1, 2, 3]


async def test_the_bot_handles_updates_concurrently_in_chat_order(fake: FakeTelegram) -> None:
    settings = Settings(_env_file=None, telegram_token=fake.token, telegram_base_url=f"http://127.0.0.1:{fake.port}")
    app = build_application(settings)
    assert isinstance(app.update_processor, ChatOrderedUpdates)
    assert app.update_processor.max_concurrent_updates > 1
