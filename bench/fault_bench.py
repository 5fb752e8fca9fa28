"""The fault test: `duban run` against a local Bot API that answers 429, stalls, and is killed under it.

Measured from the outside, as an office would notice it: a database holds a shipped plan, N members
each bound to their own Telegram private chat and one notice per member due now (some long enough to
go out in two pieces). The real `duban run` is started as a subprocess pointed at the fake Bot API of
the tests (`tests.fake_telegram`, served from a thread of this process so its log can be read live),
and three scenarios are run, each on a fresh copy of the database:

- kill: SIGKILL in the middle of the burst (after 10 %, 50 % and 90 % of the pieces arrived), restart,
  wait until every message is in its chat. Figures: lost, duplicates, (a) requests the server had
  received but not answered when the process died, (b) `delivery` rows in state `sending` found in
  the database right after the kill ("n/a" while the sender writes no such rows).
- 429: 10 % of sending calls are answered 429 with retry_after 1-3 s. Figures: requests that arrived
  while a retry_after was running (from the moment the 429 was answered), lost, duplicates, time.
- stall: a few percent of sending calls are performed but answered only after the client's read
  timeout (5 s, python-telegram-bot's default). Figures: confirmed pieces sent again, pieces in
  doubt sent again, lost.

Invariants (exit status 1 when one breaks): lost = 0; duplicated messages <= (b) after a kill ((a)
while (b) is n/a); no request inside a retry_after; no confirmed piece sent twice.

Run from the repository root: `.venv/bin/python -m bench.fault_bench [--quick] [--tree DIR]`.
`--tree DIR` runs `duban` (and prepares its database) from another checkout of the code, e.g. an
export of an older commit, while the fake and this harness stay the current ones.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the harness imports the fake lazily: `--prepare` runs against another tree
    from tests.fake_telegram import FakeTelegramThread, Faults, SendRecord

PLAN_ID = "dingtao-2022"
CHAT_BASE = 810_000_000
"""Chat (and user) id of member i is CHAT_BASE + i."""
LONG_LINES = 90
FILLER = "请按照工作方案的要求整理本单位的佐证材料并按时报送"
SETTLE = 2.0
"""Seconds without a new sending request (and none open) before a run counts as finished."""
PATIENCE = 60.0
"""Seconds without any sending request after which lines still missing count as lost."""
KILL_POINTS = (0.1, 0.5, 0.9)
CLIENT_READ_TIMEOUT = 5.0
"""python-telegram-bot's default read timeout; Duban has no setting for it, so stalls must exceed it."""
IN_FLIGHT = 0.02
"""A request arriving this soon after a 429 was answered left before the bot could read the 429: it
is reported, but no client can call it back, so it does not break the retry_after invariant. The test
suite, which runs the bench beside pytest's own work on a shared machine, allows more (IN_FLIGHT_LOADED)."""
IN_FLIGHT_LOADED = 0.25
"""On a loaded machine a request that passed the pause check may reach the server this long after the
429 it could not yet have read (seen: one request 20-250 ms late, in one run of the full suite)."""


# ---------------------------------------------------------------------------------------- the burst


@dataclass(frozen=True)
class Burst:
    """What the database holds: `members` chats, one notice each; every `long_every`-th is long."""

    members: int
    long_every: int = 20

    def is_long(self, index: int) -> bool:
        return self.long_every > 0 and index % self.long_every == self.long_every - 1

    def lines(self, index: int) -> list[str]:
        """The notice's own text, line by line; every line is unique, so a lost piece is noticed."""
        if not self.is_long(index):
            return [f"第{index + 1:04d}号答复：请于本周五前报送本单位材料。"]
        return [f"第{index + 1:04d}号答复第{n:03d}段：{FILLER}{FILLER}。" for n in range(1, LONG_LINES + 1)]

    def expected(self) -> dict[int, list[str]]:
        """Chat id -> the lines that must arrive there."""
        return {CHAT_BASE + i: self.lines(i) for i in range(self.members)}

    def pieces_of(self, index: int) -> int:
        """Messages member `index`'s notice makes in Telegram: a long one (about 6,000 characters) is two."""
        return 2 if self.is_long(index) else 1

    @property
    def pieces(self) -> int:
        """Messages the whole burst hands to Telegram."""
        return sum(self.pieces_of(i) for i in range(self.members))


async def _prepare(path: Path, burst: Burst) -> None:
    """Plan, members, notices and a policy that lets them go now (runs against the tree under test)."""
    from sqlmodel import col, select

    from config.plan_loader import load_plan_file, shipped_plan_paths
    from models.database import open_database
    from models.notices import queue_notice, to_member
    from models.people import bind_member
    from models.plans import load_plan
    from models.tables import UnitRow, utcnow
    from reminders.state import set_policy

    now = utcnow()
    plan = load_plan_file(shipped_plan_paths()[PLAN_ID])
    task = plan.tasks[0]
    db = await open_database(f"sqlite:///{path}")
    try:
        async with db.session() as session:
            await load_plan(session, plan, now=now, source=PLAN_ID, actor="fault-bench")
        async with db.session() as session:
            units = (
                await session.exec(
                    select(UnitRow)
                    .where(UnitRow.plan_id == PLAN_ID, col(UnitRow.is_group).is_(False))
                    .order_by(col(UnitRow.id))
                )
            ).all()
            for i in range(burst.members):
                chat = str(CHAT_BASE + i)
                member = await bind_member(
                    session,
                    plan_id=PLAN_ID,
                    transport="telegram",
                    user_id=chat,
                    display_name=f"联络员{i + 1}",
                    chat_id=chat,
                    role="liaison",
                    unit_id=units[i % len(units)].id,
                    now=now,
                    via="fault-bench",
                )
                await queue_notice(
                    session,
                    plan_id=PLAN_ID,
                    audience=[to_member(member.id or 0)],
                    key="notice_answer",
                    params={"code": task.code, "title": task.title, "text": "\n".join(burst.lines(i))},
                    now=now,
                )
            # Quiet hours empty (the test may run at night) and the weekly digest on a day out of reach.
            weekday = (now.astimezone(dt.timezone(dt.timedelta(hours=8))).weekday() + 3) % 7
            quiet = {"quiet_start": dt.time(0, 0), "quiet_end": dt.time(0, 0), "digest_weekday": weekday}
            await set_policy(session, plan, quiet, member_id=None, actor="fault-bench", now=now)
    finally:
        await db.close()


def prepare(path: Path, burst: Burst, tree: Path | None) -> None:
    """Build the database in a child process, with the code of the tree that will run on it."""
    command = [sys.executable, str(Path(__file__).resolve()), "--prepare", str(path)]
    command += ["--members", str(burst.members), "--long-every", str(burst.long_every)]
    done = subprocess.run(command, env=_env(tree), capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"preparing {path} failed:\n{done.stdout}{done.stderr}")


def copy_db(source: Path, target: Path) -> None:
    """A fresh copy of a closed SQLite database (with its WAL, should one be left)."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def in_doubt_rows(path: Path) -> int | None:
    """(b): `delivery` rows in state `sending`; None while the table has no `state` column."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(delivery)")}
        if "state" not in columns:
            return None
        return int(conn.execute("SELECT count(*) FROM delivery WHERE state = 'sending'").fetchone()[0])


def pending_notices(path: Path) -> int:
    """Notices still pending in the outbox (due or retried later) when a run ends."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        query = "SELECT count(*) FROM reminder WHERE kind = 'notice' AND status = 'pending'"
        return int(conn.execute(query).fetchone()[0])


# ---------------------------------------------------------------------------------------- duban run


def _env(tree: Path | None) -> dict[str, str]:
    """The environment of a child: nothing of this shell's Duban settings; the tree under test first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_") and k != "DATABASE_URL"}
    env["PTB_TIMEDELTA"] = "1"
    env["DUBAN_WEB_LISTEN"] = "127.0.0.1:0"  # each child's live page on a port of its own
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    else:
        env.pop("PYTHONPATH", None)
    return env


def duban_command() -> str:
    """The `duban` script of this virtualenv (the one `pip install -e .` made)."""
    beside = Path(sys.executable).parent / "duban"
    found = str(beside) if beside.exists() else shutil.which("duban")
    if found is None:
        raise RuntimeError("no `duban` command: install the project in this virtualenv (pip install -e .)")
    return found


class Duban:
    """One `duban run` process: Telegram through the fake, stdin not a terminal, output to a log file."""

    def __init__(self, db: Path, base_url: str, token: str, log: Path, tree: Path | None) -> None:
        env = _env(tree)
        env.update(DUBAN_TELEGRAM_TOKEN=token, DUBAN_TELEGRAM_BASE_URL=base_url, DATABASE_URL=f"sqlite:///{db}")
        self.log = log
        with log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [duban_command(), "run"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=log.parent,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_dead(self, timeout: float) -> None:
        self.process.wait(timeout)

    def stop(self) -> int:
        """SIGTERM (a service stop) and wait; SIGKILL if it does not end within 30 s."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# ---------------------------------------------------------------------------------------- what arrived


def performed(records: Iterable[SendRecord]) -> dict[int, Counter[str]]:
    """Per chat, how many times each piece (its text as sent) is in the chat."""
    found: dict[int, Counter[str]] = defaultdict(Counter)
    for record in records:
        if record.performed and record.chat_id is not None:
            found[record.chat_id][record.text or ""] += 1
    return found


def lost_messages(expected: dict[int, list[str]], records: Iterable[SendRecord]) -> int:
    """Messages with a line that never arrived in their chat."""
    chats = performed(records)
    lost = 0
    for chat, lines in expected.items():
        there = "\n".join(chats.get(chat, Counter()))
        lost += any(line not in there for line in lines)
    return lost


def duplicates(records: Iterable[SendRecord]) -> tuple[int, int]:
    """(messages, pieces) that arrived more than once: a message counts its most repeated piece."""
    messages = pieces = 0
    for counts in performed(records).values():
        extra = [n - 1 for n in counts.values() if n > 1]
        pieces += sum(extra)
        messages += max(extra, default=0)
    return messages, pieces


def _by_piece(records: Iterable[SendRecord]) -> dict[tuple[int | None, str], list[SendRecord]]:
    groups: dict[tuple[int | None, str], list[SendRecord]] = defaultdict(list)
    for record in records:
        groups[(record.chat_id, record.text or "")].append(record)
    return groups


def confirmed_sent_again(records: Iterable[SendRecord]) -> int:
    """Requests for a piece that arrived after Telegram's answer confirming that piece was read."""
    again = 0
    for group in _by_piece(records).values():
        confirmations = [r.answered for r in group if r.confirmed and r.answered is not None]
        if confirmations:
            first = min(confirmations)
            again += sum(1 for r in group if r.arrived > first)
    return again


def in_doubt_sent_again(records: Iterable[SendRecord]) -> int:
    """Pieces performed whose answer never reached the bot, and that were requested again later."""
    again = 0
    for group in _by_piece(records).values():
        doubtful = [r for r in group if r.performed and r.delivered is False]
        again += sum(1 for d in doubtful if any(r.arrived > d.arrived for r in group))
    return again


def open_at(records: Iterable[SendRecord], kill: float, restart: float) -> int:
    """(a): requests the server had received and not answered when the process died, counting those
    still in the socket when it died (they arrive after the kill, before the restart)."""
    return sum(1 for r in records if r.arrived < restart and (r.answered is None or r.answered > kill))


# ---------------------------------------------------------------------------------------- running


@dataclass
class Run:
    """One scenario run: its settings, figures and broken invariants."""

    scenario: str
    figures: dict[str, Any] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.broken.append(what)


class Harness:
    """Templates per burst, a fake Bot API per run, and `duban run` processes against it."""

    def __init__(self, folder: Path, tree: Path | None = None, progress: Callable[[str], None] | None = None) -> None:
        self.folder = folder
        self.tree = tree
        self.progress = progress or (lambda _: None)
        self._templates: dict[Burst, Path] = {}
        self._started: list[Duban] = []

    def database(self, burst: Burst, name: str) -> Path:
        if burst not in self._templates:
            path = self.folder / f"template-{burst.members}-{burst.long_every}.db"
            self.progress(f"preparing {burst.members} members ({burst.pieces} pieces)")
            prepare(path, burst, self.tree)
            self._templates[burst] = path
        target = self.folder / f"{name}.db"
        copy_db(self._templates[burst], target)
        return target

    def serve(self, burst: Burst, faults: Faults | None) -> FakeTelegramThread:
        from tests.fake_telegram import FakeTelegram, FakeTelegramThread

        server = FakeTelegramThread(FakeTelegram(faults=faults)).__enter__()
        try:
            server.call(lambda fake: [fake.private_chat(chat) for chat in burst.expected()])
        except BaseException:
            server.__exit__(None, None, None)
            raise
        return server

    def start(self, server: FakeTelegramThread, db: Path, name: str) -> Duban:
        token = server.call(lambda fake: fake.token)
        duban = Duban(db, server.base_url, token, self.folder / f"{name}.log", self.tree)
        self._started.append(duban)
        return duban

    def _close(self, server: FakeTelegramThread) -> None:
        """After a run, also a failed one: no `duban` left running, the server stopped."""
        for duban in self._started:
            if duban.alive():
                duban.process.kill()
                duban.process.wait()
        self._started.clear()
        server.__exit__(None, None, None)

    def wait_delivered(
        self, server: FakeTelegramThread, duban: Duban, expected: dict[int, list[str]], limit: float
    ) -> float | None:
        """Until every line is in its chat and nothing was sent for SETTLE seconds; returns when the
        last line arrived (monotonic), or None if it did not happen: `limit` seconds passed, nothing
        was sent for PATIENCE seconds, or duban died."""
        started = time.monotonic()
        complete: float | None = None
        while time.monotonic() < started + limit and duban.alive():
            records = snapshot(server)
            now = time.monotonic()
            if complete is None and lost_messages(expected, records) == 0:
                complete = max(r.arrived for r in records)
            last = max((r.arrived for r in records), default=started)
            idle = all(r.answered is not None for r in records)
            if idle and now - max(last, started) >= (SETTLE if complete is not None else PATIENCE):
                break
            time.sleep(0.2)
        return complete

    def kill(self, burst: Burst, point: float, faults: Faults) -> Run:
        """SIGKILL after `point` of the pieces arrived, restart, wait until all is delivered."""
        run = Run("kill", {"messages": burst.members, "pieces": burst.pieces, "kill_at": point})
        name = f"kill-{round(point * 100)}"
        db = self.database(burst, name)
        threshold = max(1, round(point * burst.pieces))
        server = self.serve(burst, faults)
        try:
            killed: dict[str, float] = {}
            first = self.start(server, db, f"{name}-first")

            def on_send(record: SendRecord) -> None:  # in the server's thread, as the request arrives
                if record.number >= threshold and not killed:
                    with contextlib.suppress(ProcessLookupError):  # it died on its own: reported below
                        os.kill(first.pid, signal.SIGKILL)
                    killed.update(at=time.monotonic(), arrived=record.number, open_live=server.fake.open_sends)

            server.call(lambda fake: setattr(fake, "on_send", on_send))
            self.progress(f"kill at {point:.0%}: burst started, SIGKILL after {threshold} pieces")
            first.wait_dead(timeout=30 + burst.pieces / 10)
            if not killed:
                raise RuntimeError(f"duban ended before the kill point:\n{first.tail()}")
            run.figures["in_doubt_rows"] = in_doubt_rows(db)
            restart = time.monotonic()
            second = self.start(server, db, f"{name}-second")
            complete = self.wait_delivered(server, second, burst.expected(), limit=120 + burst.pieces / 10)
            code = second.stop()
            records = snapshot(server)
            errors = server.call(lambda fake: [repr(error) for error in fake.internal_errors])
        finally:
            self._close(server)
        self._finish(run, burst, records, errors, code, second, db)
        dup_messages, _ = duplicates(records)
        run.figures.update(
            arrived_at_kill=int(killed["arrived"]),
            open_at_kill=open_at(records, killed["at"], restart),
            open_live=int(killed["open_live"]),
            seconds_after_restart=None if complete is None else round(complete - restart, 1),
        )
        bound = run.figures["in_doubt_rows"]
        bound_name = "(b) in-doubt rows"
        if bound is None:
            bound, bound_name = run.figures["open_at_kill"], "(a) open requests, (b) being n/a"
        run.check(dup_messages <= bound, f"duplicates {dup_messages} > {bound_name} {bound}")
        return run

    def too_many(self, burst: Burst, faults: Faults, in_flight: float = IN_FLIGHT) -> Run:
        """10 % of sending calls answered 429: nothing may arrive while a retry_after runs."""
        run = Run("429", {"messages": burst.members, "pieces": burst.pieces})
        db = self.database(burst, "429")
        server = self.serve(burst, faults)
        try:
            duban = self.start(server, db, "429")
            self.progress(f"429: {faults.too_many:.0%} of sending calls answered 429")
            complete = self.wait_delivered(server, duban, burst.expected(), limit=120 + burst.pieces)
            code = duban.stop()
            records = snapshot(server)
            errors = server.call(lambda fake: [repr(error) for error in fake.internal_errors])
            windows = server.call(lambda fake: list(fake.retry_windows))
            inside = server.call(lambda fake: len(fake.sends_in_retry_windows()))
            knowingly = server.call(lambda fake: len(fake.sends_in_retry_windows(in_flight)))
        finally:
            self._close(server)
        self._finish(run, burst, records, errors, code, duban, db)
        run.figures.update(
            answers_429=len(windows),
            retry_after_seconds=sum(round(end - start) for start, end in windows),
            inside_retry_after=inside,
            inside_after_in_flight=knowingly,
            seconds=None if complete is None else round(complete - min(r.arrived for r in records), 1),
        )
        run.check(knowingly == 0, f"{knowingly} requests arrived during a retry_after (more than 20 ms after the 429)")
        run.check(run.figures["duplicate_messages"] == 0, "duplicates without any crash")
        return run

    def stall(self, burst: Burst, faults: Faults) -> Run:
        """Calls performed but answered after the client's read timeout: confirmed pieces never again."""
        run = Run("stall", {"messages": burst.members, "pieces": burst.pieces})
        db = self.database(burst, "stall")
        server = self.serve(burst, faults)
        try:
            duban = self.start(server, db, "stall")
            self.progress(f"stall: {faults.stall:.0%} of sending calls answered after {faults.stall_seconds:.0f} s")
            complete = self.wait_delivered(server, duban, burst.expected(), limit=120 + burst.pieces)
            code = duban.stop()
            records = snapshot(server)
            errors = server.call(lambda fake: [repr(error) for error in fake.internal_errors])
        finally:
            self._close(server)
        self._finish(run, burst, records, errors, code, duban, db)
        later = {text for chat in burst.expected() for text in _later_pieces(records, chat)}
        again = confirmed_sent_again(records)
        run.figures.update(
            stalls=sum(1 for r in records if r.fault == "stall"),
            stalls_on_a_later_piece=sum(1 for r in records if r.fault == "stall" and (r.text or "") in later),
            confirmed_sent_again=again,
            in_doubt_sent_again=in_doubt_sent_again(records),
            seconds=None if complete is None else round(complete - min(r.arrived for r in records), 1),
        )
        run.check(again == 0, f"{again} confirmed pieces sent again")
        return run

    def _finish(
        self, run: Run, burst: Burst, records: list[SendRecord], errors: list[str], code: int, duban: Duban, db: Path
    ) -> None:
        """Figures every scenario shares, and the invariants they carry (and the fake's own failures,
        which would make every figure suspect)."""
        dup_messages, dup_pieces = duplicates(records)
        lost = lost_messages(burst.expected(), records)
        run.figures.update(
            requests=len(records),
            lost=lost,
            pending_at_end=pending_notices(db),
            fake_errors=len(errors),
            duplicate_messages=dup_messages,
            duplicate_pieces=dup_pieces,
            exit_status=code,
        )
        run.check(lost == 0, f"{lost} messages lost")
        run.check(not errors, f"the fake Bot API failed: {errors[:3]}")
        if code not in (0, 130):
            run.broken.append(f"duban run exited with {code}: {duban.tail(5)}")


def snapshot(server: FakeTelegramThread) -> list[SendRecord]:
    """Copies of the fake's send log, taken in its own thread."""
    return server.call(lambda fake: [dataclasses.replace(r) for r in fake.sends])


def _later_pieces(records: Sequence[SendRecord], chat: int) -> list[str]:
    """Texts of a chat's pieces after its first (the pieces a long message sends second)."""
    order: list[str] = []
    for record in sorted(records, key=lambda r: r.arrived):
        if record.chat_id == chat and (record.text or "") not in order:
            order.append(record.text or "")
    return order[1:]


# ---------------------------------------------------------------------------------------- the report


def faults_for(scenario: str, seed: int) -> Faults:
    """The trouble each scenario brings (a round trip of 50-300 ms in the kill scenario, like a real
    Bot API seen from a server in China)."""
    from tests.fake_telegram import Faults

    if scenario == "kill":
        return Faults(seed=seed, latency=(0.05, 0.3))
    if scenario == "429":
        return Faults(seed=seed, too_many=0.10, retry_after=(1, 3), latency=(0.02, 0.1))
    return Faults(seed=seed, stall=0.03, stall_seconds=CLIENT_READ_TIMEOUT + 1, latency=(0.02, 0.1))


def run_all(harness: Harness, *, quick: bool, seed: int) -> list[Run]:
    """The three scenarios; `quick` kills once (at 50 %) and sends 429s and stalls to 100 chats."""
    kill_burst = Burst(300, long_every=20)
    small = Burst(100 if quick else 300, long_every=20)
    stall_burst = Burst(100, long_every=2) if quick else Burst(300, long_every=3)  # long ones: a second piece to stall
    runs = [harness.kill(kill_burst, point, faults_for("kill", seed)) for point in ((0.5,) if quick else KILL_POINTS)]
    runs.append(harness.too_many(small, faults_for("429", seed)))
    runs.append(harness.stall(stall_burst, faults_for("stall", seed)))
    return runs


def _cell(value: Any) -> str:
    return "n/a" if value is None else str(value)


def table(runs: list[Run]) -> str:
    """The figures as plain text: the kill runs as a table, the other scenarios a few lines each."""
    lines: list[str] = []
    kills = [r for r in runs if r.scenario == "kill"]
    if kills:
        f = kills[0].figures
        lines.append(
            f"kill: {f['messages']} messages ({f['pieces']} pieces), SIGKILL during the burst, restart, "
            "wait until every message arrived"
        )
        head = ("kill at", "lost", "dup msgs", "dup pieces", "(a) open", "(b) sending", "pending", "restart s", "ok")
        lines.append("  " + "  ".join(f"{h:>11}" for h in head))
        for r in kills:
            f = r.figures
            row = (
                f"{f['kill_at']:.0%}",
                f["lost"],
                f["duplicate_messages"],
                f["duplicate_pieces"],
                f["open_at_kill"],
                f["in_doubt_rows"],
                f["pending_at_end"],
                f["seconds_after_restart"],
                "yes" if not r.broken else "NO",
            )
            lines.append("  " + "  ".join(f"{_cell(v):>11}" for v in row))
    for r in runs:
        f = r.figures
        common = (
            f"lost {f['lost']}, duplicated messages {f['duplicate_messages']} (pieces {f['duplicate_pieces']}), "
            f"pending at the end {f['pending_at_end']}, all delivered after {_cell(f.get('seconds'))} s"
        )
        if r.scenario == "429":
            lines.append(f"429: {f['messages']} messages ({f['pieces']} pieces), {f['requests']} requests")
            lines.append(
                f"  {f['answers_429']} answered 429 (retry_after {f['retry_after_seconds']} s in all); requests "
                f"inside a retry_after: {f['inside_retry_after']} ({f['inside_after_in_flight']} of them more "
                "than 20 ms after the 429)"
            )
            lines.append(f"  {common}")
        elif r.scenario == "stall":
            lines.append(f"stall: {f['messages']} messages ({f['pieces']} pieces), {f['requests']} requests")
            lines.append(
                f"  {f['stalls']} calls stalled ({f['stalls_on_a_later_piece']} on a second piece); "
                f"confirmed pieces sent again: {f['confirmed_sent_again']}; "
                f"in-doubt pieces sent again: {f['in_doubt_sent_again']}"
            )
            lines.append(f"  {common}")
    broken = [f"{r.scenario}: {what}" for r in runs for what in r.broken]
    lines.append("invariants: " + ("all hold" if not broken else "BROKEN: " + "; ".join(broken)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios, print the table and one JSON line; 1 when an invariant is broken."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one kill point; 100 chats for 429 and stall")
    parser.add_argument("--tree", type=Path, help="run duban from this checkout of the code")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--members", type=int, default=300, help=argparse.SUPPRESS)
    parser.add_argument("--long-every", type=int, default=20, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare is not None:
        asyncio.run(_prepare(args.prepare, Burst(args.members, args.long_every)))
        return 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="duban-fault-") as folder:
        harness = Harness(Path(folder), args.tree, lambda text: print(text, file=sys.stderr, flush=True))
        runs = run_all(harness, quick=args.quick, seed=args.seed)
    print(table(runs))
    summary = {
        "runs": [{"scenario": r.scenario, **r.figures, "broken": r.broken} for r in runs],
        "seconds": round(time.monotonic() - started, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count() or 0,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if any(r.broken for r in runs) else 0


if __name__ == "__main__":
    if __package__ in (None, ""):  # run as a file (`--prepare` in a child): the tree under test comes first
        sys.path.pop(0)
    sys.exit(main())
