"""Each incoming message is taken in once, also when the service retries it at the same moment or
after a restart."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from models.database import Database
from models.inbound import KEEP, first_time, forget_old
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases  # see tests/backends.py


async def test_a_retried_message_is_seen_once_even_when_the_retries_race(db: Database, clock: FakeClock) -> None:
    results = await asyncio.gather(*(first_time(db, "wecom", "msg:1456453720", clock()) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert await first_time(db, "wecom", "msg:1456453721", clock())
    assert await first_time(db, "telegram", "msg:1456453720", clock())  # another service's identity


async def test_a_restart_still_knows_what_it_took_in(tmp_path: object, clock: FakeClock) -> None:
    from models.database import open_database

    url = f"sqlite:///{tmp_path}/seen.db"
    first = await open_database(url)
    assert await first_time(first, "wecom", "event:u1:1476422779:click", clock())
    await first.close()
    second = await open_database(url)
    try:
        assert not await first_time(second, "wecom", "event:u1:1476422779:click", clock())
    finally:
        await second.close()


async def test_old_identities_are_forgotten(db: Database, clock: FakeClock) -> None:
    assert await first_time(db, "wecom", "old", clock())
    assert await first_time(db, "wecom", "new", clock() + KEEP)
    assert await forget_old(db, clock() + KEEP + dt.timedelta(seconds=1)) == 1
    assert await first_time(db, "wecom", "old", clock())
    assert not await first_time(db, "wecom", "new", clock())
