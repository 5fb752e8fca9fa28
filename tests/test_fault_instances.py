"""kill -9 among several `duban run` on one PostgreSQL database (issue 12): 10,000 notices, each
delivered exactly once by two or three real processes, and nothing lost when one of them is killed
in the middle of the burst.

The harness is `bench.instances_bench` (the benchmark prints the same runs with their throughput):
real `duban run` subprocesses on a database of their own, the console as their transport (each
instance's stdout is a file; a notice's unique number found there is a delivery), the claims' lease
shortened to 5 s (DUBAN_CLAIM_LEASE_SECONDS) so that a killed instance's rows are taken over within
seconds. Skipped, with the reason, without a PostgreSQL server (DUBAN_TEST_POSTGRES_URL): on SQLite a
second `duban run` refuses to start (tests/test_instances.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.instances_bench import run_burst
from tests import backends
from tests.backends import PostgresServer
from tests.conftest import build_seeded

NOTICES = 10_000


@pytest.fixture
async def dingtao_url(request: pytest.FixtureRequest, postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A PostgreSQL database of its own holding the Dingtao plan; its URL (dropped afterwards)."""
    server = backends.uses_postgres(request)  # the session's server (found before any loop ran), counted
    template = await server.template("dingtao", lambda url: build_seeded(url, "dingtao"))
    name = await server.copy(template)
    yield server.database_url(name)
    server.drop(name)


@pytest.mark.parametrize("instances", [2, 3])
async def test_several_duban_run_deliver_each_of_10000_notices_exactly_once(
    dingtao_url: str, tmp_path: Path, instances: int
) -> None:
    run = await run_burst(dingtao_url, tmp_path, instances=instances, notices=NOTICES)
    figures = run.figures
    assert (figures["lost"], figures["duplicates"]) == (0, 0), figures
    assert figures["rows"] == figures["deliveries"] == {"sent": NOTICES}
    assert all(figures["printed_per_instance"]), f"every instance took part: {figures['printed_per_instance']}"
    assert run.broken == []


@pytest.mark.parametrize("instances", [2, 3])
async def test_an_instance_killed_mid_burst_loses_nothing_and_its_rows_are_taken_over(
    dingtao_url: str, tmp_path: Path, instances: int
) -> None:
    run = await run_burst(dingtao_url, tmp_path, instances=instances, notices=NOTICES, scenario="kill")
    figures = run.figures
    assert figures["held"] > 0, "killed in the middle of a batch: it held leased rows"
    assert figures["lost"] == 0
    assert figures["rows"] == figures["deliveries"] == {"sent": NOTICES}  # its rows taken over and settled
    # Only what it had printed and not yet recorded may come twice.
    assert figures["duplicates"] <= figures["in_doubt"], figures
    assert run.broken == []
