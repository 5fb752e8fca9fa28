"""Invite codes: single use, expiring, 40 bits, and whoever guesses wrong five times in a quarter of an
hour waits, however many instances serve them and however often they restart."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from sqlmodel import col, func, select

from config.i18n import translate
from handlers.context import Services
from handlers.router import handle
from handlers.types import Reply, Request
from models.database import open_database
from models.invite_limits import MAX_FAILURES, WINDOW
from models.people import INVITE_ALPHABET, INVITE_LENGTH, INVITE_TTL, new_code
from models.tables import AuditEntry, InviteAttempt, Member
from tests import chinese
from tests.conftest import SHANGHAI, FakeClock
from tests.test_invites import bind_at_once, new_invite

pytestmark = pytest.mark.both_databases  # see tests/backends.py

WRONG = ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE", "FFFFFFFF")


async def say(
    services: Services, user: str, text: str, *, chat: str | None = None, group: bool = False, lang: str = "zh"
) -> Reply:
    """`user` sends `text` in `chat` (their private chat by default)."""
    request = Request(
        transport="test", user_id=user, chat_id=chat or user, text=text, display_name=user, message_id="1", group=group
    )
    reply = await handle(services, request)
    if lang == "zh":
        chinese.collect(text, reply.text, user)
    return reply


async def fail(services: Services, user: str, times: int, **where: str | bool) -> None:
    for code in WRONG[:times]:
        reply = await say(services, user, f"/bind {code}", **where)  # type: ignore[arg-type]
        assert reply.text == translate("zh", "invite_unknown")


def limited(time: str, lang: str = "zh") -> str:
    return translate(lang, "invite_limited", time=time)


async def bound(services: Services, user_id: str) -> bool:
    async with services.db.session() as session:
        return (await session.exec(select(Member).where(Member.user_id == user_id))).first() is not None


# --- single use, expiry, entropy ----------------------------------------------------------------------


def test_a_code_carries_forty_bits_and_reads_aloud_without_ambiguous_characters() -> None:
    bits = INVITE_LENGTH * math.log2(len(INVITE_ALPHABET))
    assert bits == 40.0
    assert bits >= 40
    assert len(set(INVITE_ALPHABET)) == len(INVITE_ALPHABET) == 32
    assert not set(INVITE_ALPHABET) & set("01IO")
    codes = {new_code() for _ in range(2000)}
    assert all(re.fullmatch(f"[{INVITE_ALPHABET}]{{{INVITE_LENGTH}}}", code) for code in codes)
    assert len(codes) == 2000  # 2,000 draws from 2^40 collide with probability about 2e-6
    assert set("".join(codes)) == set(INVITE_ALPHABET)  # every character is drawn


async def test_a_code_binds_once_and_the_second_person_is_refused(dingtao: Services) -> None:
    code = await new_invite(dingtao)
    assert (await say(dingtao, "anna", f"/bind {code}")).ok
    second = await say(dingtao, "ben", f"/bind {code.lower()}")
    assert (second.ok, second.text) == (False, translate("zh", "invite_used"))
    again = await say(dingtao, "anna", f"/bind {code}")
    assert (again.ok, again.text) == (False, translate("zh", "invite_used"))
    assert not await bound(dingtao, "ben")


async def test_two_redeeming_at_once_one_wins_and_the_other_s_refusal_counts(dingtao: Services) -> None:
    code = await new_invite(dingtao)
    replies = await bind_at_once(dingtao, code, ("anna", "ben"))
    assert sorted(r.ok for r in replies) == [False, True]
    async with dingtao.db.session() as session:
        counted = (await session.exec(select(InviteAttempt))).all()
    loser = "ben" if await bound(dingtao, "anna") else "anna"
    assert [(a.user_id, a.outcome) for a in counted] == [(loser, "used")]


async def test_a_code_expires_after_seven_days(dingtao: Services, clock: FakeClock) -> None:
    early, late = await new_invite(dingtao), await new_invite(dingtao)
    made = clock()
    clock.set(made + INVITE_TTL - dt.timedelta(seconds=1))
    assert (await say(dingtao, "anna", f"/bind {early}")).ok
    clock.set(made + INVITE_TTL)
    refused = await say(dingtao, "ben", f"/bind {late}")
    assert (refused.ok, refused.text) == (False, translate("zh", "invite_expired"))
    assert not await bound(dingtao, "ben")


# --- rate limiting ------------------------------------------------------------------------------------


async def test_after_five_wrong_codes_even_the_right_one_waits_until_the_window_passes(
    dingtao: Services, clock: FakeClock
) -> None:
    code = await new_invite(dingtao)
    clock.set(dt.datetime(2022, 6, 1, 10, 0, 30, tzinfo=SHANGHAI))
    await fail(dingtao, "mallory", MAX_FAILURES)
    refused = await say(dingtao, "mallory", f"/bind {code}")
    assert (refused.ok, refused.text) == (False, limited("10:16"))  # 10:15:30, rounded up to the minute
    clock.set(clock() + WINDOW - dt.timedelta(seconds=1))
    assert (await say(dingtao, "mallory", f"/start {code}")).text == limited("10:16")  # the deep link too
    assert not await bound(dingtao, "mallory")
    clock.set(clock() + dt.timedelta(seconds=1))  # 10:15:30: the first failure has left the window
    assert (await say(dingtao, "mallory", f"/bind {code}")).ok
    assert await bound(dingtao, "mallory")


async def test_a_lock_out_is_audited_once_and_refusals_while_locked_do_not_extend_it(
    dingtao: Services, clock: FakeClock
) -> None:
    start = clock()
    await fail(dingtao, "mallory", MAX_FAILURES)
    for minutes in (1, 5, 14):
        clock.set(start + dt.timedelta(minutes=minutes))
        assert (await say(dingtao, "mallory", "/bind GGGGGGGG")).text == limited("10:15")
    async with dingtao.db.session() as session:
        audited = (await session.exec(select(AuditEntry).where(AuditEntry.action == "invite.limited"))).all()
        noted = (await session.exec(select(InviteAttempt).where(InviteAttempt.outcome == "limited"))).all()
    assert [(a.actor, a.plan_id, a.member_id) for a in audited] == [("test:mallory", None, None)]
    assert [n.at for n in noted] == [start + dt.timedelta(minutes=1)]  # later refusals write nothing
    assert '"until": "2022-06-01T02:15:00+00:00"' in audited[0].detail
    clock.set(start + WINDOW)
    assert (await say(dingtao, "mallory", "/bind GGGGGGGG")).text == translate("zh", "invite_unknown")


async def test_a_guess_right_after_a_lock_out_locks_again_at_once_and_is_audited_again(
    dingtao: Services, clock: FakeClock
) -> None:
    start = clock()
    for minute, code in enumerate(WRONG[:MAX_FAILURES]):  # one a minute, 10:00 to 10:04
        clock.set(start + dt.timedelta(minutes=minute))
        await say(dingtao, "mallory", f"/bind {code}")
    clock.set(start + dt.timedelta(minutes=5))
    assert (await say(dingtao, "mallory", "/bind GGGGGGGG")).text == limited("10:15")
    clock.set(start + WINDOW)  # the 10:00 failure has left the window: four remain
    assert (await say(dingtao, "mallory", "/bind GGGGGGGG")).text == translate("zh", "invite_unknown")
    clock.set(start + WINDOW + dt.timedelta(seconds=30))
    assert (await say(dingtao, "mallory", "/bind GGGGGGGG")).text == limited("10:16")  # until the 10:01 one leaves
    async with dingtao.db.session() as session:
        audited = (await session.exec(select(AuditEntry).where(AuditEntry.action == "invite.limited"))).all()
    assert len(audited) == 2


async def test_wrong_codes_from_many_people_in_one_group_lock_the_group(dingtao: Services) -> None:
    code = await new_invite(dingtao)
    for person in ("p1", "p2", "p3", "p4", "p5"):
        await fail(dingtao, person, 1, chat="-100", group=True)
    refused = await say(dingtao, "p6", f"/bind {code}", chat="-100", group=True)
    assert (refused.ok, refused.text) == (False, limited("10:15"))
    assert (await say(dingtao, "p1", f"/bind {code}")).ok  # in their own chat, p1 has failed once


async def test_a_person_locked_out_in_one_chat_is_locked_out_in_every_chat(dingtao: Services) -> None:
    code = await new_invite(dingtao)
    await fail(dingtao, "mallory", MAX_FAILURES)
    refused = await say(dingtao, "mallory", f"/bind {code}", chat="-200", group=True)
    assert refused.text == limited("10:15")
    assert (await say(dingtao, "anna", f"/bind {code}", chat="-200", group=True)).ok  # the group itself is not


async def test_the_limit_holds_across_instances_and_restarts(dingtao: Services, clock: FakeClock) -> None:
    url = dingtao.db.engine.url.render_as_string(hide_password=False)
    code = await new_invite(dingtao)
    await fail(dingtao, "mallory", 3)
    other = await open_database(url)  # a second instance on the same database
    try:
        await fail(Services(db=other, clock=clock), "mallory", 2)
    finally:
        await other.close()
    await dingtao.db.close()  # the first instance restarts
    restarted = await open_database(url)
    try:
        reply = await say(Services(db=restarted, clock=clock), "mallory", f"/bind {code}")
    finally:
        await restarted.close()
    assert reply.text == limited("10:15")


async def test_mistakes_that_are_not_wrong_codes_do_not_count(dingtao: Services) -> None:
    code = await new_invite(dingtao)
    for text in ("/bind", "/bind A B C", "/bind " + "A" * 40, "/bind AAAAAAAA 不对"):
        assert not (await say(dingtao, "anna", text)).ok
    await fail(dingtao, "anna", MAX_FAILURES - 1)
    assert (await say(dingtao, "anna", f"/bind {code}")).ok


async def test_the_refusal_speaks_english_to_an_english_user(dingtao: Services) -> None:
    await say(dingtao, "mallory", "/lang en", lang="en")
    for code in WRONG[:MAX_FAILURES]:
        assert (await say(dingtao, "mallory", f"/bind {code}", lang="en")).text == translate("en", "invite_unknown")
    assert (await say(dingtao, "mallory", "/bind GGGGGGGG", lang="en")).text == limited("10:15", "en")


async def test_counts_older_than_the_window_are_pruned(dingtao: Services, clock: FakeClock) -> None:
    start = clock()
    await fail(dingtao, "anna", 3)
    clock.set(start + WINDOW)
    await fail(dingtao, "ben", 1)
    async with dingtao.db.session() as session:
        by_user = select(InviteAttempt.user_id, func.count()).group_by(col(InviteAttempt.user_id))
        left = (await session.exec(by_user)).all()
    assert list(left) == [("ben", 1)]
