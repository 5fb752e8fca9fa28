"""Nobody gets in where they do not belong: every command the router knows, tried by a stranger, by the
liaison of another unit, by a leader and by the office of an archived plan, is politely refused
(in the speaker's language) and changes no row of any table, or is a read that changes nothing."""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from sqlmodel import SQLModel, col, select

from bot.cli_run import start_robots
from bot.cli_voice import Voice
from bot.redaction import hide_in_logs, show_in_logs
from bot.telegram_app import start_telegram, stop_telegram
from bot.web_server import start_web, stop_web
from bot.wecom import PATH, WeComTransport
from bot.wecom_app import prepare_wecom, stop_wecom
from config.i18n import MESSAGES, translate
from config.settings import Settings
from handlers.context import Services
from handlers.router import COMMANDS, handle
from handlers.types import Attachment, Reply, Request
from models.people import create_invite
from models.tables import AuditEntry, Evidence, Member, ProgressEvent, Report
from reminders.engine import ReminderEngine
from tests import chinese
from tests.conftest import SHANGHAI, FakeClock, load_shipped, member
from tests.fake_telegram import FakeTelegram
from tests.fake_wecom import FakeWeCom
from tests.test_telegram import ALICE, BOB, _free_port, say, settings_for
from tests.test_telegram_start import HOOK, SECRET_HEADER, bind_update
from tests.test_wecom import LIAISON, WeCom
from tests.test_wecom_crypto import AES_KEY, CORP_ID, TOKEN
from tests.test_wecom_crypto import Sender as WeComSide

pytestmark = pytest.mark.both_databases  # see tests/backends.py

D, P = "dingtao-2022", "puyang-2021"
MOMENTS = {D: dt.datetime(2022, 6, 1, 10, 0, tzinfo=SHANGHAI), P: dt.datetime(2021, 5, 28, 10, 0, tzinfo=SHANGHAI)}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROBOT_KEY = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=12345678-1234-1234-1234-123456789abc"
OFFICE = 1004
HOOK_SECRET = "webhook-secret-for-the-test_0123456789"

# --- snapshots ----------------------------------------------------------------------------------------

Snapshot = dict[str, list[tuple[Any, ...]]]


async def snapshot(services: Services) -> Snapshot:
    """Every row of every table the code declares, in primary-key order: what a refusal must not change.

    No table is left out: the inbound-message log (`inbound_seen`) is written by the WeCom bridge,
    not by the router, and button codes by the transports, so neither moves here either."""
    rows: Snapshot = {}
    async with services.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            statement = table.select().order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in (await connection.execute(statement)).all()]
    return rows


def changed_tables(before: Snapshot, after: Snapshot) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ, with their row counts before and after."""
    return {name: (len(before[name]), len(after[name])) for name in before if before[name] != after[name]}


# --- the matrix ---------------------------------------------------------------------------------------

OK = "ok"
"""Allowed, and only reads: nothing changes."""


@dataclass(frozen=True)
class Allowed:
    """Allowed, changing only the speaker's own rows in these tables (their language, their plan)."""

    tables: frozenset[str]


OWN = Allowed(frozenset({"identity"}))


@dataclass(frozen=True)
class Refused:
    """Refused with this message; a refusal changes nothing, except `counted`: a wrong invite code
    adds one row to the failed-attempt counts (that is what stops guessing)."""

    key: str
    counted: bool = False


Outcome = str | Allowed | Refused


@dataclass(frozen=True)
class Attempt:
    """One message: about `plan` (the stranger names none), `text` with `{ids}` filled from the world,
    and a PDF attached when `file`."""

    plan: str
    text: str
    outcome: dict[str, Outcome]
    file: bool = False


PERSONAS = ("stranger", "other_unit", "leader", "archived")
"""A user bound nowhere; the liaison of 区民政局 / 市民政局 acting for other units; a leader; the
office (admin) of plans that are archived."""


def each(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(PERSONAS, outcome)


def writes(other_unit: Outcome) -> dict[str, Outcome]:
    """A change to the plan's data: a stranger has no plan, a leader reads only, an archived plan is read-only."""
    return {
        "stranger": Refused("no_plan"),
        "other_unit": other_unit,
        "leader": Refused("leader_read_only"),
        "archived": Refused("plan_archived"),
    }


def office(**overrides: Outcome) -> dict[str, Outcome]:
    """A change only the office may make."""
    return writes(Refused("admin_only")) | {"leader": Refused("admin_only")} | overrides


def reads(**overrides: Outcome) -> dict[str, Outcome]:
    """A read: members may, a stranger has no plan."""
    return each(OK) | {"stranger": Refused("no_plan")} | overrides


USED = Refused("invite_used", counted=True)
LINK = Allowed(frozenset({"web_link", "audit"}))
"""A sign-in link to the live page: any member may ask for one (the page shows each their part)."""

ATTEMPTS: dict[str, list[Attempt]] = {
    "start": [Attempt(D, "/start", each(OK))],
    "help": [Attempt(D, "/help", each(OK))],
    "lang": [Attempt(D, "/lang {lang}", each(OWN))],
    "plan": [
        Attempt(D, "/plan archive", office(archived=Refused("plan_already_archived"))),
        Attempt(D, "/plan", each(OK) | {"stranger": Refused("not_member_anywhere")}),
    ],
    "invite": [Attempt(D, "/invite 区委编办", office()), Attempt(D, "/invite admin", office())],
    "bind": [Attempt(D, "/bind {used_code}", each(USED)), Attempt(D, "/start {used_code}", each(USED))],
    "tasks": [Attempt(D, "/tasks 区委编办", reads(other_unit=Refused("tasks_filter_usage")))],
    "task": [Attempt(D, "/task 5", reads())],
    "progress": [
        Attempt(D, "/progress 1 完成", writes(Refused("not_your_task"))),
    ],
    "undo": [Attempt(D, "/undo {bz_event}", writes(Refused("undo_unknown")) | {"leader": Refused("undo_unknown")})],
    "answer": [Attempt(D, "/answer 5 区委编办 已协调市局", office())],
    "resolve": [Attempt(D, "/resolve 5 区委编办", office())],
    "report": [Attempt(D, "/report 11 8亿", writes(Refused("not_your_indicator")))],
    "reports": [
        Attempt(D, "/reports 11 8亿；3 0.45%", writes(Refused("not_your_indicator"))),
        Attempt(D, "/reports 进展 #{bz_share} done 已完成", writes(Refused("not_your_task"))),
    ],
    "gate": [Attempt(P, "/gate G3 达标", writes(Refused("not_your_indicator")))],
    "history": [Attempt(D, "/history 11", reads())],
    "proposals": [Attempt(D, "/proposals", reads())],
    "accept": [Attempt(D, "/accept {proposal}", writes(Refused("not_your_figure")))],
    "reject": [Attempt(D, "/reject {proposal} 数据有误", writes(Refused("not_your_figure")))],
    "score": [Attempt(D, "/score 11", reads())],
    "status": [Attempt(D, "/status 区委编办", reads(other_unit=Refused("other_unit_hidden")))],
    "indicators": [Attempt(D, "/indicators", reads())],
    "units": [Attempt(D, "/units 区委编办", reads())],
    "holiday": [Attempt(D, "/holiday add 2022-06-06 调休", office())],
    "remind": [Attempt(D, "/remind before 7,3", office())],
    "digest": [Attempt(D, "/digest", reads())],
    "robot": [Attempt(D, "/robot 区委编办 " + ROBOT_KEY, office()), Attempt(D, "/robot", office(archived=OK))],
    "evidence": [
        Attempt(P, "/evidence G3 判决书", writes(Refused("evidence_not_yours")), file=True),
        Attempt(P, "/evidence 撤回 {court_file}", writes(Refused("evidence_not_your_file"))),
    ],
    "review": [Attempt(P, "/review {court_file} 通过", office())],
    "export": [Attempt(D, "/export", reads(other_unit=Refused("xl_export_readers_only")))],
    "web": [
        Attempt(D, "/web", reads(**dict.fromkeys(("other_unit", "leader", "archived"), LINK))),
        Attempt(D, "/web logout", reads()),  # nobody is signed in: nothing to end
    ],
}
"""Every command, with the arguments that would change something (or read another unit's part)."""


def test_every_command_the_router_knows_is_tried() -> None:
    assert sorted(set(COMMANDS) - set(ATTEMPTS)) == [], "add the new command to ATTEMPTS"
    assert sorted(set(ATTEMPTS) - set(COMMANDS)) == []
    for name, tries in ATTEMPTS.items():
        assert all(set(t.outcome) == set(PERSONAS) for t in tries), name


# --- the world ----------------------------------------------------------------------------------------


@dataclass
class World:
    """Both shipped plans in one database, with something of another unit's to reach for."""

    services: Services
    clock: FakeClock
    ids: dict[str, str] = field(default_factory=dict)

    def at(self, plan: str) -> None:
        self.clock.set(MOMENTS[plan])

    async def say(self, user: str, plan: str | None, text: str, *, file: bool = False) -> Reply:
        if plan is not None:
            self.at(plan)
        request = Request(
            transport="test",
            user_id=user,
            chat_id=user,
            text=text,
            display_name=user,
            message_id="1",
            plan_id=plan,
            attachment=Attachment("判决书.pdf", PDF + text.encode()) if file else None,  # a file per message
        )
        return await handle(self.services, request)


async def build_world(services: Services, clock: FakeClock) -> World:
    """Puyang (loaded) and Dingtao in one database: an office, a leader, the liaisons of 区民政局 and
    市民政局 (the persona), of 区委编办 (progress, a call for help, a proposal) and of 市中级人民法院
    (a gate and a piece of evidence), and an invite code already used."""
    world = World(services, clock)
    services.web.base = "https://duban.test"  # the live page is served: /web gives links
    world.at(D)
    await load_shipped(services.db, D, clock)
    for plan in (D, P):
        world.at(plan)
        await member(services, plan, "office", "admin")
        await member(services, plan, "boss", "leader")
    world.at(D)
    await member(services, D, "mz", "liaison", "区民政局")
    await member(services, D, "bz", "liaison", "区委编办")
    world.at(P)
    await member(services, P, "mz", "liaison", "市民政局")
    await member(services, P, "court", "liaison", "市中级人民法院")
    assert (await world.say("bz", D, "/progress 5 进行中")).ok
    assert (await world.say("bz", D, "/progress 5 受阻 需要市局协调")).ok
    proposed = await world.say("bz", D, "/report 4 2022-05 0")
    assert "建议值" in proposed.text, proposed.text
    assert (await world.say("court", P, "/gate G3 达标")).ok
    handed = await world.say("court", P, "/evidence G3 判决书", file=True)
    assert handed.ok, handed.text
    async with services.db.session() as session:
        event = (await session.exec(select(ProgressEvent).order_by(col(ProgressEvent.id).desc()))).first()
        proposal = (await session.exec(select(Report).where(Report.status == "proposed"))).one()
        handed_in = (await session.exec(select(Evidence).where(Evidence.status == "pending"))).one()
        assert event is not None
        world.ids |= {
            "bz_event": str(event.id),
            "bz_share": str(event.assignment_id),
            "proposal": str(proposal.id),
            "court_file": str(handed_in.id),
        }
        invite = await create_invite(
            session, plan_id=D, role="leader", unit_id=None, created_by=None, actor="test", now=MOMENTS[D]
        )
    world.ids["used_code"] = invite.code
    assert (await world.say("someone", None, f"/bind {invite.code}")).ok
    return world


# --- the test -----------------------------------------------------------------------------------------

SPEAKERS = {"stranger": "stranger", "other_unit": "mz", "leader": "boss", "archived": "office"}


def template_pattern(lang: str, key: str) -> re.Pattern[str]:
    """The message `key` in `lang` with any value in each of its parameters."""
    template = MESSAGES[key][1 if lang == "en" else 0]
    pieces = string.Formatter().parse(template)
    parts = [re.escape(text) + (".*?" if name is not None else "") for text, name, _, _ in pieces]
    return re.compile("".join(parts), re.DOTALL)


def judge(outcome: Outcome, lang: str, user: str, reply: Reply, before: Snapshot, after: Snapshot) -> str | None:
    """What is wrong with this reply and this change, or None."""
    changed = changed_tables(before, after)
    if isinstance(outcome, Refused):
        if reply.ok or not template_pattern(lang, outcome.key).fullmatch(reply.text):
            return f"expected the refusal {outcome.key}, got {reply.ok} {reply.text[:200]!r}"
        counted = {"invite_attempt": (len(before["invite_attempt"]), len(before["invite_attempt"]) + 1)}
        if changed != (counted if outcome.counted else {}):
            return f"a refusal changed {changed}"
        added = set(after["invite_attempt"]) - set(before["invite_attempt"])
        if not all(user in row for row in added):
            return "the failed attempt was counted for someone else"
        return None
    if not reply.ok:
        return f"expected to be allowed, refused: {reply.text[:200]!r}"
    allowed = outcome.tables if isinstance(outcome, Allowed) else frozenset()
    if not set(changed) <= allowed:
        return f"changed {changed}"
    for table in changed:
        touched = set(after[table]) ^ set(before[table])
        if not all(_speakers(table, row, user, after) for row in touched):
            return f"changed rows of {table} that are not the speaker's"
    return None


def _speakers(table: str, row: tuple[object, ...], user: str, after: Snapshot) -> bool:
    """Whether a row is the speaker's: it names them, as its actor, or as one of their memberships."""
    if user in row or f"test:{user}" in row:
        return True
    if table != "web_link":
        return False
    columns = list(SQLModel.metadata.tables[table].columns.keys())
    members = {r[0] for r in after["member"] if user in r}
    return row[columns.index("member_id")] in members


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("persona", PERSONAS)
async def test_every_command_from_someone_not_entitled_is_refused_politely_and_changes_nothing(
    puyang: Services, clock: FakeClock, persona: str, lang: str
) -> None:
    world = await build_world(puyang, clock)
    user = SPEAKERS[persona]
    if persona == "archived":
        for plan in (D, P):
            assert (await world.say(user, plan, "/plan archive")).ok
    if lang == "en":
        assert (await world.say(user, None, "/lang en")).ok
    problems = []
    after = await snapshot(puyang)
    for name, tries in ATTEMPTS.items():
        for attempt in tries:
            before = after
            text = attempt.text.format(lang=lang, **world.ids)
            about = None if persona == "stranger" else attempt.plan
            reply = await world.say(user, about, text, file=attempt.file)
            if lang == "zh":
                chinese.collect(text, reply.text, user)
            after = await snapshot(puyang)
            problem = judge(attempt.outcome[persona], lang, user, reply, before, after)
            if problem is not None:
                problems.append(f"/{name}: {text!r}: {problem}")
    assert problems == [], "\n".join(problems)


# --- the audit log ------------------------------------------------------------------------------------

CHANGES: list[tuple[str, str | None, str, bool, str]] = [
    # (who, plan, what they send, with a file, the audit action it must leave)
    ("office", D, "/invite 区委宣传部", False, "invite.create"),
    ("newbie", D, "/bind {code}", False, "member.bind"),
    ("office", D, "/report 3 0.45%", False, "report.record"),
    ("office", D, "/report 3 0.25%", False, "report.record"),  # a correction
    ("office", D, "/reports 11 9亿", False, "report.record"),  # the 确认 of a reply read in plain Chinese
    ("mz", D, "/report 4 2022-04 0", False, "report.propose"),
    ("office", D, "/accept {number}", False, "report.accept"),
    ("mz", D, "/report 4 2022-03 0", False, "report.propose"),
    ("office", D, "/reject {number} 与平台数据不符", False, "report.reject"),
    ("mz", D, "/progress 5 进行中 核查了一半", False, "progress.record"),
    ("mz", D, "/undo {undo}", False, "progress.record"),
    ("mz", D, "/progress 5 受阻 需要市局协调", False, "progress.record"),
    ("office", D, "/answer 5 区民政局 已协调市局", False, "help.answer"),
    ("office", D, "/resolve 5 区民政局", False, "progress.record"),
    ("office", D, "/holiday add 2022-06-06 调休", False, "calendar.set"),
    ("office", D, "/holiday remove 2022-06-06", False, "calendar.remove"),
    ("office", D, "/remind before 7,3", False, "policy.set"),
    ("office", D, "/robot 区民政局 " + ROBOT_KEY, False, "robot.bind"),
    ("office", D, "/robot remove 区民政局", False, "robot.remove"),
    ("mz", D, "/lang en", False, "identity.set"),
    ("mz", D, "/lang zh", False, "identity.set"),
    ("mz", None, "/plan dingtao-2022", False, "identity.set"),  # mz was bound in puyang last
    ("office", D, "/plan archive", False, "plan.archive"),
    ("office", D, "/plan unarchive", False, "plan.unarchive"),
    ("court", P, "/gate G3 未达标 复核未通过", False, "report.record"),
    ("court", P, "/evidence G3 执行裁定书", True, "evidence_submitted"),
    ("office", P, "/review {number} 通过", False, "evidence_accepted"),
    ("court", P, "", True, "evidence_received"),  # a file alone, kept aside
    ("court", P, "/evidence G3 {token} 补充材料", False, "evidence_submitted"),
    ("office", P, "/review {number} 退回 缺少盖章", False, "evidence_rejected"),
    ("court", P, "/evidence G3 判决书第二版", True, "evidence_submitted"),
    ("court", P, "/evidence 撤回 {number} 传错了", False, "evidence_withdrawn"),
    ("mz", D, "/web", False, "web.link"),
]
"""Every kind of change a chat command makes, in an order where each finds what it needs."""

READ_ONLY = {"start", "help", "tasks", "task", "history", "proposals", "score", "status", "indicators", "units"}
READ_ONLY |= {"digest", "export"}
"""Commands that only read (/start with a code is /bind)."""


def test_every_command_either_only_reads_or_its_changes_are_tried_below() -> None:
    changing = {text.partition(" ")[0].lstrip("/") for _, _, text, _, _ in CHANGES if text}
    assert sorted(set(COMMANDS) - READ_ONLY - changing) == [], "add the command's changes to CHANGES"
    assert READ_ONLY & changing == set()


CREDITED: dict[str, set[tuple[str, str]]] = {}
"""Audit rows a command writes in someone else's name: none (an accepted proposal's figure keeps its
sender as author, but the audit row of the change names the office that accepted it)."""

_FOUND = {"number": r"#(\d+)", "undo": r"/undo (\d+)", "token": r"(文件:[0-9a-f]{12})", "code": r"([A-HJ-NP-Z2-9]{8})"}


def remember(found: dict[str, str], reply: Reply) -> None:
    """The numbers a reply hands out (a proposal's, a file's, an undo's, an invite code) for later steps."""
    said = reply.text + " " + " ".join(b.command for row in reply.buttons for b in row)
    for name, pattern in _FOUND.items():
        if match := re.search(pattern, said):
            found[name] = match.group(1)


async def member_id(services: Services, user: str, plan: str) -> int | None:
    async with services.db.session() as session:
        row = (await session.exec(select(Member).where(Member.user_id == user, Member.plan_id == plan))).first()
    return row.id if row else None


async def test_every_change_a_command_makes_is_audited_with_its_actor(puyang: Services, clock: FakeClock) -> None:
    world = await build_world(puyang, clock)
    after = await snapshot(puyang)
    seen = set()
    found: dict[str, str] = {}
    for user, plan, text, file, action in CHANGES:
        before = after
        said = text.format(**found)
        reply = await world.say(user, plan, said, file=file)
        assert reply.ok, (said, reply.text)
        if said != "/lang en":
            chinese.collect(said, reply.text, user)
        remember(found, reply)
        after = await snapshot(puyang)
        assert set(changed_tables(before, after)) - {"audit"}, f"{said!r} changed nothing"
        async with puyang.db.session() as session:
            newest = before["audit"][-1][0] if before["audit"] else 0
            rows = (await session.exec(select(AuditEntry).where(col(AuditEntry.id) > newest))).all()
        mine = [row for row in rows if row.action == action and row.actor == f"test:{user}"]
        assert len(mine) == 1, (said, [(r.action, r.actor) for r in rows])
        others = {(row.action, row.actor) for row in rows if row.actor != f"test:{user}"}
        assert others == CREDITED.get(said.partition(" ")[0], set()), said  # nobody else is credited
        speaker = None if action == "identity.set" else await member_id(puyang, user, plan or D)
        if not action.startswith("robot."):  # a robot's rows name the robot's member (the actor names the office)
            assert mine[0].member_id == speaker, said
        seen.add(action)
    assert seen == {action for *_, action in CHANGES}


# --- secrets never in logs ----------------------------------------------------------------------------

ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
UNIT_ROBOT, LEADERS_ROBOT = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e81"


def leaked(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> list[str]:
    """The secrets (as written or URL-quoted) found in any record: its message, arguments,
    exception or stack, as any handler would format it."""
    forms = {form for secret in secrets for form in (secret, quote(secret, safe=""))}
    texts = [caplog.text] + [f"{r.getMessage()} {r.args!r} {r.exc_text} {r.stack_info}" for r in caplog.records]
    return sorted({form for form in forms for text in texts if form in text})


def everything_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Every logger at DEBUG, also those Duban quiets (httpx, httpcore): the worst case."""
    for name in (None, "httpx", "httpcore", "telegram", "aiohttp", "apscheduler"):
        caplog.set_level(logging.DEBUG, logger=name)


async def test_a_telegram_session_at_debug_logs_no_token_secret_invite_code_or_robot_key(
    dingtao: Services, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    office, alice, bob = fake.user(OFFICE, "Wu"), fake.user(ALICE, "Alice"), fake.user(BOB, "Bob")
    chats = {who: fake.private_chat(who) for who in (OFFICE, ALICE, BOB)}
    await member(dingtao, D, str(OFFICE), "admin", transport="telegram")
    app, _ = await start_telegram(settings_for(fake), dingtao)
    everything_at_debug(caplog)
    try:
        made = await say(fake, office, chats[OFFICE], "/invite 区民政局")
        code = re.search(r"[A-HJ-NP-Z2-9]{8}", made["plain"]).group(0)  # type: ignore[union-attr]
        assert "区民政局" in (await say(fake, alice, chats[ALICE], f"/start {code}"))["plain"]
        assert (await say(fake, bob, chats[BOB], "/bind WXYZ2345"))["plain"] == translate("zh", "invite_unknown")
        robot = await say(fake, office, chats[OFFICE], f"/robot 区民政局 {ROBOT_URL}{UNIT_ROBOT}")
        assert "区民政局" in robot["plain"]
    finally:
        await stop_telegram(app)
    port = _free_port()
    webhook = settings_for(fake, telegram_webhook_url=HOOK, telegram_port=port, telegram_secret_token=HOOK_SECRET)
    app, _ = await start_telegram(webhook, dingtao)
    everything_at_debug(caplog)
    try:
        async with aiohttp.ClientSession() as http:
            headers = {SECRET_HEADER: HOOK_SECRET}
            url = f"http://127.0.0.1:{port}/tg/hook"
            async with http.post(url, json=bind_update("ZZZZ9999", 7), headers=headers) as answered:
                assert answered.status == 200
        await fake.wait_for("sendMessage", predicate=lambda call: call.params.get("chat_id") == ALICE)
    finally:
        await stop_telegram(app)
    assert len(caplog.records) > 50  # python-telegram-bot logged its requests and updates
    assert any("sendMessage" in r.getMessage() for r in caplog.records)
    assert any("[secret]" in r.getMessage() for r in caplog.records)
    secrets = [fake.token, HOOK_SECRET, code, "WXYZ2345", "ZZZZ9999", UNIT_ROBOT]
    assert leaked(caplog, secrets) == []


async def test_a_wecom_session_at_debug_logs_no_secret_access_token_invite_code_or_robot_key(
    dingtao: Services, caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    async with FakeWeCom(corp_id=CORP_ID, visible={"OfficeWang", LIAISON}) as fake:
        fake.add_robot(UNIT_ROBOT)
        fake.add_robot(LEADERS_ROBOT)
        settings = Settings(
            _env_file=None,
            wecom_corp_id=CORP_ID,
            wecom_agent_id=fake.agent_id,
            wecom_secret=fake.secret,
            wecom_token=TOKEN,
            wecom_aes_key=AES_KEY,
            web_listen=f"127.0.0.1:{_free_port()}",
            wecom_api_base=fake.base_url,
            wecom_leaders_robot=ROBOT_URL + LEADERS_ROBOT,
        )
        await member(dingtao, D, "OfficeWang", "admin", transport="wecom")
        running = prepare_wecom(settings, dingtao)
        server = await start_web(settings, dingtao, wecom=running)
        robots = await start_robots(dingtao, settings, Voice("zh"))
        everything_at_debug(caplog)
        try:
            async with aiohttp.ClientSession() as http:
                app = WeCom(fake, running.bridge, server.address + PATH, WeComSide(), http)

                async def post(user: str, text: str) -> None:  # signed now: the callback checks the time
                    assert await app.post(app.text(user, text), timestamp=int(time.time())) == 200

                await post("OfficeWang", "/invite 区民政局")
                code = re.search(r"[A-HJ-NP-Z2-9]{8}", app.said_to("OfficeWang")[-1]).group(0)  # type: ignore[union-attr]
                await post(LIAISON, f"/bind {code}")
                assert "区民政局" in app.said_to(LIAISON)[-1]
                await post(LIAISON, "/bind WXYZ2345")
                await post("OfficeWang", f"/robot 区民政局 {ROBOT_URL}{UNIT_ROBOT}")
                clock.set(dt.datetime(2022, 7, 4, 9, 0, tzinfo=SHANGHAI))
                await ReminderEngine(dingtao.db, clock, [WeComTransport(running.bridge), robots]).digest(D)
                assert fake.robot_messages(LEADERS_ROBOT)  # the digest reached the leaders' robot
        finally:
            await robots.aclose()
            await stop_web(server)
            await stop_wecom(running)
        tokens = sorted({c.query["access_token"] for c in fake.calls if "access_token" in c.query})
    assert tokens
    assert len(caplog.records) > 20
    assert any("[secret]" in r.getMessage() for r in caplog.records)
    secrets = [fake.secret, TOKEN, AES_KEY, *tokens, code, "WXYZ2345", UNIT_ROBOT, LEADERS_ROBOT]
    assert leaked(caplog, secrets) == []


def test_an_update_logged_by_the_error_handler_shows_no_invite_code_or_robot_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    hide_in_logs("some-bot-token")  # what a running transport does
    try:
        update = {"message": {"text": "/bind@duban_bot abcd2345 确认"}, "reply": "邀请码 QRST6789（领导）"}
        logging.getLogger("bot.telegram").error("update %r failed", update)
        logging.getLogger("bot.telegram").error("robot: %s", f"/robot 领导 {UNIT_ROBOT}")
        logging.getLogger("bot.wecom").info("GET /cgi-bin/gettoken?corpid=ww1&corpsecret=S3CR3T&x=1")
    finally:
        show_in_logs("some-bot-token")
    assert leaked(caplog, ["abcd2345", "QRST6789", UNIT_ROBOT, "S3CR3T"]) == []
    assert "/bind@duban_bot [secret] 确认" in caplog.text
    assert "corpid=ww1&corpsecret=[secret]&x=1" in caplog.text
