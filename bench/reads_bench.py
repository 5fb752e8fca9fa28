"""Reads as data grows: `/report` and every `/status` form with 50 plans, ~3,000 units and 100,000
reports, against the same with 1,000 reports, on SQLite and on PostgreSQL.

A database is filled with 25 copies of the Dingtao plan and 25 of the Puyang plan (each loaded with
`load_plan` under its own id), an admin, a leader and one liaison per unit bound to each, and N
reports spread over every plan's indicators, items and months (about one in eight a correction of a
figure already there, 2 % proposals from units that do not own the indicator), plus one to three
progress notes per task assignment. Then the commands are sent through the router as the transports
send them (`handlers.router.handle`), each at a plan and user picked at random:

- `/report <code> [<month>] [<item>] <value>` by a liaison responsible for the indicator (a write);
- `/status` by a leader (the plan at a glance), `/status <unit>` by a leader, `/status` by a liaison
  (their unit's part).

    .venv/bin/python -m bench.reads_bench [--reports 100000 --small 1000] [--calls 300] [--pg URL]

`--pg` names a PostgreSQL server (`postgresql://postgres@127.0.0.1:5432`); a throw-away database is
created on it and dropped at the end. Without it, SQLite alone. Times include the collector (as a
user would feel it), after one call of each form at each plan (a running server has its plans
parsed); p50 and p95 are nearest-rank. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_loader import load_plan_file, shipped_plan_paths
from config.plan_schema import Item, Plan, ValueSpec
from config.values import ValueType
from handlers.context import Services
from handlers.router import handle
from handlers.types import Request
from models.database import Database, open_database
from models.evidence_store import EvidenceStore
from models.ownership import figure_owners
from models.people import bind_member
from models.plans import load_plan
from models.scoring import value_spec
from models.tables import Assignment, IndicatorRow, Member, ProgressEvent, Report, TaskRow, UnitRow

UTC = dt.UTC
KINDS = {  # shipped plan -> the moment the bench's commands are sent at (inside the plan's year)
    "dingtao-2022": dt.datetime(2022, 9, 20, 2, 0, tzinfo=UTC),
    "puyang-2021": dt.datetime(2021, 9, 20, 2, 0, tzinfo=UTC),
}
SPAN = dt.timedelta(days=240)
"""The reports of every plan are spread evenly over the 240 days before the commands are sent,
whatever their number: more reports means a longer history, not a busier week."""
FORMS = ("/report", "/status leader", "/status <unit>", "/status liaison")


@dataclass
class Place:
    """Where a figure can go: indicator code and id, month, item, and who may report it."""

    code: str
    indicator_id: int
    period: str | None
    item: str | None
    units: list[int]
    spec: ValueSpec | None  # None: a gate (met or not)


@dataclass
class PlanData:
    plan: Plan
    kind: str
    places: list[Place]
    units: dict[str, int]  # name -> id
    liaison: dict[int, str] = field(default_factory=dict)  # unit id -> user id
    leader: str = ""
    admin: str = ""


def _places(plan: Plan, ids: dict[str, int], units: dict[str, int], until: str) -> list[Place]:
    """Every (indicator, month, item) of a plan that may be reported before `until` (a month), and
    every gate, with the units whose figures count at once (`figure_owners`)."""

    def owners(code: str, item: str | None) -> list[int]:
        return [units[n] for n in figure_owners(plan, code, item) if n in units]

    out = [Place(g.code, ids[g.code], None, None, owners(g.code, None), None) for g in plan.gates]
    for indicator in plan.indicators:
        months: list[str | None] = [m for m in indicator.periods.months() if m < until] if indicator.periods else [None]
        items: list[Item | None] = list(indicator.items()) or [None]
        out += [
            Place(
                indicator.code,
                ids[indicator.code],
                m,
                i.name if i else None,
                owners(indicator.code, i.name if i else None),
                value_spec(indicator, i),
            )
            for m in months
            for i in items
        ]
    return out


async def _load(db: Database, kind: str, copy: int) -> PlanData:
    source = load_plan_file(shipped_plan_paths()[kind])
    plan = source.model_copy(update={"id": f"{kind.split('-')[0]}-{copy:02d}", "name": f"{source.name}（{copy:02d}）"})
    now = KINDS[kind] - dt.timedelta(days=200)
    async with db.session() as session:
        await load_plan(session, plan, now=now, source=kind, actor="bench")
    async with db.session() as session:
        rows = (await session.exec(select(UnitRow).where(UnitRow.plan_id == plan.id))).all()
        units = {r.name: r.id or 0 for r in rows if not r.is_group}
        ids = {
            r.code: r.id or 0 for r in (await session.exec(select(IndicatorRow).where(IndicatorRow.plan_id == plan.id)))
        }
        until = f"{KINDS[kind]:%Y-%m}"
        data = PlanData(plan, kind, _places(plan, ids, units, until), units)
        for role in ("admin", "leader"):
            setattr(data, role, await _bind(session, plan.id, f"{plan.id}-{role}", role, None, now))
        for unit_id in units.values():
            data.liaison[unit_id] = await _bind(session, plan.id, f"{plan.id}-u{unit_id}", "liaison", unit_id, now)
    return data


async def _bind(
    session: AsyncSession, plan_id: str, user: str, role: str, unit_id: int | None, now: dt.datetime
) -> str:
    """One member of the bench's own transport, whose chat is its user id; the user id."""
    await bind_member(
        session,
        plan_id=plan_id,
        transport="bench",
        user_id=user,
        display_name=user,
        chat_id=user,
        role=role,
        unit_id=unit_id,
        now=now,
        via="bench",
    )
    return user


def _value(place: Place, rng: random.Random) -> str:
    """A figure a liaison could send for this place, as they would type it."""
    spec = place.spec
    if spec is None or spec.type is ValueType.YES_NO:
        return "是" if rng.random() < 0.8 else "否"
    if spec.type is ValueType.PERCENT:
        return f"{Decimal(rng.randint(800, 1000)) / 10}%"
    low, high = spec.lower() or Decimal(0), spec.upper()
    if spec.type in (ValueType.COUNT, ValueType.RANK, ValueType.DAYS):
        return str(rng.randint(int(low), int(high) if high is not None else int(low) + 50))
    top = high if high is not None else low + 100
    return f"{(low + (top - low) * Decimal(rng.randint(0, 10)) / 10).normalize():f}"


def _stored(place: Place, text: str) -> str:
    """The normalised value of a bulk-inserted report, as `record_report` would store it."""
    if place.spec is None:
        return "1" if text == "是" else "0"
    return str(place.spec.read(text))


async def _fill_reports(db: Database, plans: list[PlanData], count: int, rng: random.Random) -> None:
    """`count` reports over all plans, as bulk inserts (the write path is measured by `/report`)."""
    members: dict[str, int] = {}
    async with db.session() as session:
        for user, member_id in (await session.exec(select(Member.user_id, Member.id))).all():
            members[user] = member_id or 0
    rows: list[dict[str, Any]] = []
    per_plan = count // len(plans)
    for data in plans:
        end = KINDS[data.kind]
        filled: list[Place] = []
        for n in range(per_plan + (1 if plans.index(data) < count % len(plans) else 0)):
            again = filled and rng.random() < 0.125
            place = rng.choice(filled) if again else rng.choice(data.places)
            filled.append(place)
            proposed = rng.random() < 0.02
            units = list(data.units.values()) if proposed or not place.units else place.units
            unit = rng.choice(units)
            rows.append(
                {
                    "plan_id": data.plan.id,
                    "indicator_id": place.indicator_id,
                    "period": place.period,
                    "item": place.item,
                    "value": _stored(place, _value(place, rng)),
                    "raw": "bench",
                    "unit_id": unit,
                    "member_id": members[data.liaison[unit]],
                    "at": end - SPAN + SPAN * (n + 1) / (per_plan + 1),
                    "transport": "bench",
                    "status": "proposed" if proposed else None,
                }
            )
    _mark_replaced(rows)
    async with db.session() as session:
        for start in range(0, len(rows), 5000):
            await session.exec(insert(Report), params=rows[start : start + 5000])


def _mark_replaced(rows: list[dict[str, Any]]) -> None:
    """Set `replaced_at` as `record_report` would have: a counted figure is replaced by the next
    counted figure of its place (the rows are in the order they were reported)."""
    current: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        row["replaced_at"] = None
        if row["status"] is None:
            place = (row["plan_id"], row["indicator_id"], row["period"], row["item"])
            if place in current:
                current[place]["replaced_at"] = row["at"]
            current[place] = row


async def _fill_progress(db: Database, plans: list[PlanData], rng: random.Random) -> None:
    async with db.session() as session:
        found = (
            await session.exec(
                select(Assignment.id, TaskRow.plan_id).join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
            )
        ).all()
        events: list[dict[str, Any]] = []
        statuses = ("doing", "doing", "done", "blocked")
        for assignment_id, plan_id in found:
            kind = "dingtao-2022" if plan_id.startswith("dingtao") else "puyang-2021"
            for n in range(rng.randint(1, 3)):
                status = rng.choice(statuses)
                events.append(
                    {
                        "assignment_id": assignment_id,
                        "status": status,
                        "note": f"进展{n}",
                        "at": KINDS[kind] - dt.timedelta(days=30 - n),
                    }
                )
        for start in range(0, len(events), 5000):
            await session.exec(insert(ProgressEvent), params=events[start : start + 5000])


async def build(url: str, plans: int, reports: int) -> tuple[Database, list[PlanData], dict[str, Any]]:
    started = time.perf_counter()
    db = await open_database(url)
    rng = random.Random(2022)
    loaded = [await _load(db, kind, n) for n in range(plans // 2) for kind in KINDS]
    await _fill_reports(db, loaded, reports, rng)
    await _fill_progress(db, loaded, rng)
    facts = {
        "plans": len(loaded),
        "units": sum(len(d.units) for d in loaded),
        "reports": reports,
        "build_s": round(time.perf_counter() - started, 1),
    }
    return db, loaded, facts


def _command(form: str, data: PlanData, rng: random.Random) -> tuple[str, str]:
    """(user, text) of one command of `form` at plan `data`."""
    if form == "/report":
        place = rng.choice([p for p in data.places if p.units and p.spec is not None])
        unit = rng.choice(place.units)
        words = [place.code, place.period or "", place.item or "", _value(place, rng)]
        return data.liaison[unit], "/report " + " ".join(w for w in words if w)
    if form == "/status leader":
        return data.leader, "/status"
    if form == "/status <unit>":
        return data.leader, "/status " + rng.choice(list(data.units))
    return rng.choice(list(data.liaison.values())), "/status"


def _services(db: Database, at: dt.datetime, tmp: Path) -> Services:
    """Services whose clock stands still at `at` (the bench's commands are all sent at one moment)."""

    def clock() -> dt.datetime:
        return at

    return Services(db=db, clock=clock, evidence=EvidenceStore(tmp / "evidence"))


async def measure(db: Database, plans: list[PlanData], calls: int, tmp: Path) -> dict[str, dict[str, float]]:
    rng = random.Random(7)
    services = {kind: _services(db, at, tmp) for kind, at in KINDS.items()}
    out: dict[str, dict[str, float]] = {}
    for form in FORMS:
        times: list[float] = []
        failed = 0
        warm = len(plans)  # one call per plan first, not counted: a running server has parsed its plans
        for n in range(calls + warm):
            data = plans[n] if n < warm else rng.choice(plans)
            user, text = _command(form, data, rng)
            request = Request(
                transport="bench", user_id=user, chat_id=user, text=text, display_name=user, message_id=str(n)
            )
            started = time.perf_counter()
            reply = await handle(services[data.kind], request)
            elapsed = time.perf_counter() - started
            failed += not reply.ok
            if n >= warm:
                times.append(elapsed * 1000)
        times.sort()
        out[form] = {
            "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
            "max_ms": round(times[-1], 2),
            "refused": failed,
        }
    return out


async def run_one(url: str, plans: int, reports: int, calls: int, tmp: Path) -> dict[str, Any]:
    print(f"  building {url.split('@')[-1]} with {reports:,} reports…", file=sys.stderr, flush=True)
    db, loaded, facts = await build(url, plans, reports)
    try:
        gc.collect()
        facts["forms"] = await measure(db, loaded, calls, tmp)
    finally:
        await db.close()
    return facts


async def _pg_database(server: str, create: bool, name: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(f"{server}/postgres")
    try:
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
        else:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        backends = ["sqlite"] + (["postgresql"] if args.pg else [])
        for backend in backends:
            for reports in (args.small, args.reports):
                if backend == "sqlite":
                    url = f"sqlite:///{tmp}/reads-{reports}.db"
                    results[f"{backend} {reports}"] = await run_one(url, args.plans, reports, args.calls, tmp)
                    continue
                name = f"duban_bench_{uuid.uuid4().hex[:8]}"
                await _pg_database(args.pg, True, name)
                try:
                    url = f"{args.pg}/{name}"
                    results[f"{backend} {reports}"] = await run_one(url, args.plans, reports, args.calls, tmp)
                finally:
                    await _pg_database(args.pg, False, name)
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    first = next(iter(results.values()))
    print(
        f"Reads: {first['plans']} plans, {first['units']:,} units; {args.calls} calls per form,"
        " at random plans and users"
    )
    print(f"  {'database, reports':<24}" + "".join(f"{f:>22}" for f in FORMS))
    print(f"  {'':<24}" + "".join(f"{'p50 / p95 ms':>22}" for _ in FORMS))
    for key, facts in results.items():
        cells = "".join(f"{facts['forms'][f]['p50_ms']:>13.1f} / {facts['forms'][f]['p95_ms']:<6.1f}" for f in FORMS)
        print(f"  {key:<24}{cells}")
    for backend in ("sqlite", "postgresql"):
        small, big = results.get(f"{backend} {args.small}"), results.get(f"{backend} {args.reports}")
        if small and big:
            ratios = [big["forms"][f]["p95_ms"] / max(small["forms"][f]["p95_ms"], 0.001) for f in FORMS]
            print(
                f"  {backend}: p95 at {args.reports:,} / p95 at {args.small:,}: "
                + ", ".join(f"{f} {r:.2f}×" for f, r in zip(FORMS, ratios, strict=True))
            )
    refused = {k: {f: v["forms"][f]["refused"] for f in FORMS} for k, v in results.items()}
    print(f"  commands refused (should be 0): {refused}")
    print(json.dumps(results, ensure_ascii=False))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--pg", default="", help="a PostgreSQL server URL, without a database name")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    report(asyncio.run(main(arguments)), arguments)
