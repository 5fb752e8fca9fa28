"""Evidence (佐证材料) handed in through the chat, reviewed by the office, and counted as owed or not."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from sqlmodel import col, select

from handlers.context import Services
from handlers.types import Attachment
from models.evidence import completeness, requirements
from models.people import find_unit
from models.plans import get_plan
from models.tables import AuditEntry, Evidence, EvidenceEvent, EvidenceFile, ReminderRow
from reminders.digest import compose_leader_digest, compose_unit_digest
from reminders.outbox import sync_outbox
from reminders.weekly import collect_digest
from tests.conftest import SHANGHAI, FakeClock, member

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "puyang-2021"
NDRC = "市发展改革委"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(tag: str = "") -> bytes:
    """A small PDF whose content (and so whose hash) depends on `tag`."""
    return PDF + tag.encode()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


async def test_a_liaison_sees_what_the_unit_owes_hands_in_a_file_and_after_acceptance_the_line_is_gone(
    puyang: Services,
) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    admin = await member(puyang, PLAN, "office", "admin")
    owed = await liaison.say("/evidence")
    assert owed.ok
    assert "G4 “双公示”信息上报率、合规率、及时率均达到100%（截止 2021-06-01）" in owed.text
    assert "要求：提供双公示数据统计。" in owed.text

    sent = await liaison.say("/evidence G4 2021年双公示统计", attachment=Attachment("双公示统计.pdf", pdf("g4")))
    assert sent.ok, sent.text
    assert "已登记佐证材料 #1" in sent.text
    assert "已提交办公室审核" in sent.text
    stored = puyang.evidence.path(hashlib.sha256(pdf("g4")).hexdigest(), "pdf")
    assert stored.read_bytes() == pdf("g4")

    pending = await liaison.say("/evidence")
    assert "• G4 " not in pending.text
    assert "已提交、待审核 1 项：G4" in pending.text

    table = await admin.say("/evidence")
    assert "G4 “双公示”信息上报率、合规率、及时率均达到100%（截止 2021-06-01）：通过 0/1，待审 1" in table.text
    accepted = await admin.say("/review 1 通过")
    assert accepted.ok
    assert "已通过佐证材料 #1" in accepted.text
    after = await liaison.say("/evidence")
    assert "• G4 " not in after.text
    assert "已通过 1 项：G4" in after.text
    table = await admin.say("/evidence")
    assert (
        "G4 “双公示”信息上报率、合规率、及时率均达到100%（截止 2021-06-01）：通过 1/1，待审 0，退回 0，缺 0"
        in table.text
    )


async def test_the_office_gets_the_file_with_review_buttons_and_the_unit_hears_a_rejection_reason(
    puyang: Services,
) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    admin = await member(puyang, PLAN, "office", "admin")
    await liaison.say("/evidence G4", attachment=Attachment("统计.pdf", pdf()))
    async with puyang.db.session() as session:
        notices = (await session.exec(select(ReminderRow).where(ReminderRow.kind == "notice"))).all()
    review = [n for n in notices if '"notice_evidence"' in n.detail]
    assert len(review) == 1
    assert '"document"' in review[0].detail
    assert "/review 1 通过" in review[0].detail

    refused = await admin.say("/review 1 退回")
    assert not refused.ok
    assert "理由" in refused.text
    rejected = await admin.say("/review 1 退回 缺少公章")
    assert rejected.ok
    owed = await liaison.say("/evidence")
    assert "• G4 " in owed.text
    assert "已退回，理由：缺少公章" in owed.text
    async with puyang.db.session() as session:
        notices = (await session.exec(select(ReminderRow).where(ReminderRow.kind == "notice"))).all()
        actions = [a.action for a in (await session.exec(select(AuditEntry))).all()]
    assert any('"notice_evidence_rejected"' in n.detail and "缺少公章" in n.detail for n in notices)
    assert {"evidence_submitted", "evidence_rejected"} <= set(actions)

    shown = await admin.say("/review 1")
    assert shown.document is not None
    assert shown.document.data == pdf()
    assert shown.document.name == "统计.pdf"


async def test_the_same_file_twice_is_stored_once_and_recorded_once(puyang: Services) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    await liaison.say("/evidence G4", attachment=Attachment("a.pdf", pdf()))
    again = await liaison.say("/evidence G4", attachment=Attachment("b.pdf", pdf()))
    assert again.ok
    assert "没有重复登记" in again.text
    other = await liaison.say("/evidence 1", attachment=Attachment("b.pdf", pdf()))
    assert other.ok
    async with puyang.db.session() as session:
        assert len((await session.exec(select(Evidence))).all()) == 2
        assert len((await session.exec(select(EvidenceFile))).all()) == 1
    files = [p for p in puyang.evidence.root.rglob("*") if p.is_file()]
    assert len(files) == 1


async def test_an_oversized_or_disguised_file_is_refused_and_nothing_is_kept(puyang: Services) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    disguised = await liaison.say("/evidence G4", attachment=Attachment("统计.pdf", exe))
    assert not disguised.ok
    assert "不是可接受的佐证材料格式" in disguised.text
    big = await liaison.say("/evidence G4", attachment=Attachment("大.pdf", b"", declared_size=25 * 1024 * 1024))
    assert not big.ok
    assert "文件太大（25.0 MB）" in big.text
    assert "20.0 MB" in big.text
    async with puyang.db.session() as session:
        assert (await session.exec(select(Evidence))).all() == []
    assert not puyang.evidence.root.exists() or not any(p.is_file() for p in puyang.evidence.root.rglob("*"))


async def test_a_file_sent_alone_is_filed_by_a_button(puyang: Services) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    alone = await liaison.say("", attachment=Attachment("方案.docx", docx()))
    assert alone.ok
    assert "请选择它是哪一项的佐证材料" in alone.text
    button = next(b for row in alone.buttons for b in row if b.label == "G4")
    filed = await liaison.say(button.command)
    assert filed.ok
    assert "已登记佐证材料 #1" in filed.text
    assert "Word" in filed.text
    async with puyang.db.session() as session:
        row = (await session.exec(select(Evidence))).one()
        steps = [e.action for e in (await session.exec(select(EvidenceEvent).order_by(col(EvidenceEvent.id)))).all()]
    assert (row.status, steps) == ("pending", ["received", "submitted"])


async def test_a_unit_cannot_hand_in_for_a_code_it_is_not_responsible_for(puyang: Services) -> None:
    liaison = await member(puyang, PLAN, "court", "liaison", "市中级人民法院")
    refused = await liaison.say("/evidence G4", attachment=Attachment("a.pdf", pdf()))
    assert not refused.ok
    assert "不是指标 G4 的责任单位" in refused.text


async def test_withdrawing_keeps_the_history_and_owes_the_item_again(puyang: Services) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    await liaison.say("/evidence G4", attachment=Attachment("a.pdf", pdf()))
    withdrawn = await liaison.say("/evidence 撤回 1 传错了")
    assert withdrawn.ok
    owed = await liaison.say("/evidence")
    assert "• G4 " in owed.text
    async with puyang.db.session() as session:
        assert (await session.exec(select(Evidence))).one().status == "withdrawn"


async def test_the_completeness_table_follows_the_plans_evidence_requirements(puyang: Services) -> None:
    async with puyang.db.session() as session:
        _, plan = await get_plan(session, PLAN) or (None, None)
        assert plan is not None
        cells = await completeness(session, plan)
    needs = requirements(plan)
    assert [n.code for n in needs][:3] == ["G1", "G2", "G3"]
    assert len(needs) == sum(1 for g in plan.gates if g.evidence) + sum(1 for i in plan.indicators if i.evidence)
    g1 = [c.unit for c in cells if c.code == "G1"]
    assert "市市场监管局" in g1
    assert "市民宗局" in g1
    assert all(c.state == "missing" for c in cells)
    assert {c.due for c in cells if c.code == "7.4"} == {dt.date(2021, 6, 15)}


async def test_an_admin_hands_in_for_a_named_unit_and_it_counts_at_once(puyang: Services) -> None:
    admin = await member(puyang, PLAN, "office", "admin")
    unnamed = await admin.say("/evidence 1", attachment=Attachment("a.pdf", pdf()))
    assert not unnamed.ok
    assert "请写明是哪个单位" in unnamed.text
    named = await admin.say("/evidence 1 市委办公室 会议纪要", attachment=Attachment("a.pdf", pdf()))
    assert named.ok
    assert "直接通过" in named.text


async def _evidence_reminders(services: Services, unit: str) -> list[list[str]]:
    """The codes of the unit's pending evidence reminders in the outbox, after a sync."""
    async with services.db.session() as session:
        found = await get_plan(session, PLAN)
        assert found is not None
        await sync_outbox(session, found[1], services.clock())
        pending = (ReminderRow.kind == "evidence", ReminderRow.status == "pending")
        rows = (await session.exec(select(ReminderRow).where(*pending))).all()
        row = await find_unit(session, PLAN, unit)
        assert row is not None
        return [json.loads(r.detail)["codes"] for r in rows if r.unit_id == row.id]


async def test_evidence_reminders_follow_the_files_handed_in_not_the_figures_reported(
    puyang: Services, clock: FakeClock
) -> None:
    clock.set(dt.datetime(2021, 5, 31, 8, 0, tzinfo=SHANGHAI))  # one working day before 2021-06-01
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    admin = await member(puyang, PLAN, "office", "admin")
    before = await _evidence_reminders(puyang, NDRC)
    assert before
    assert all("G4" in codes for codes in before)
    await liaison.say("/gate G4 达标")
    assert all("G4" in codes for codes in await _evidence_reminders(puyang, NDRC))
    await liaison.say("/evidence G4", attachment=Attachment("统计.pdf", pdf()))
    waiting = await _evidence_reminders(puyang, NDRC)
    assert waiting
    assert not any("G4" in codes for codes in waiting)
    await admin.say("/review 1 退回 缺少公章")
    assert all("G4" in codes for codes in await _evidence_reminders(puyang, NDRC))


async def test_status_shows_evidence_completeness_for_plans_that_require_it(
    puyang: Services, dingtao: Services
) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    leader = await member(puyang, PLAN, "boss", "leader")
    await liaison.say("/evidence G4", attachment=Attachment("统计.pdf", pdf()))
    async with puyang.db.session() as session:
        found = await get_plan(session, PLAN)
        assert found is not None
        total = len(await completeness(session, found[1]))
    status = await leader.say("/status")
    assert f"佐证材料：应交 {total} 项，已通过 0，待审核 1，已退回 0，缺 {total - 1}（/evidence 查看）" in status.text
    unit = await leader.say(f"/status {NDRC}")
    assert "佐证材料：应交" in unit.text
    dingtao_leader = await member(dingtao, "dingtao-2022", "boss", "leader")
    assert "佐证材料" not in (await dingtao_leader.say("/status")).text


async def test_the_digest_names_who_owes_evidence_and_counts_what_was_handed_in(
    puyang: Services, clock: FakeClock
) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    await liaison.say("/evidence G4", attachment=Attachment("统计.pdf", pdf()))
    clock.set(dt.datetime(2021, 6, 4, 9, 0, tzinfo=SHANGHAI))
    async with puyang.db.session() as session:
        found = await get_plan(session, PLAN)
        assert found is not None
        data = await collect_digest(session, found[1], clock())
        total = len(await completeness(session, found[1]))
    assert data.evidence == (0, 1, 0, total - 1)
    leaders = compose_leader_digest(data, "zh")
    assert f"佐证材料：应交 {total} 项，已通过 0，待审核 1，已退回 0，缺 {total - 1}。" in leaders
    owing = leaders.split("尚欠佐证材料的单位：")[1]
    assert "G2、G12、2.1、2.2、5.2、5.3、6.2、7.1、7.2、7.3（截止 2021-06-01，已逾期 3 天）" in owing
    assert "（截止 2021-06-01，已逾期 3 天）" in leaders
    unit = compose_unit_digest(data, NDRC, "zh")
    assert unit is not None
    assert "尚欠佐证材料：" in unit
    assert "G4" not in unit.split("尚欠佐证材料：")[1].split("\n\n")[0]


async def test_a_code_everyone_handed_in_is_not_shown_late_after_its_due_date(
    puyang: Services, clock: FakeClock
) -> None:
    liaison = await member(puyang, PLAN, "ndrc", "liaison", NDRC)
    admin = await member(puyang, PLAN, "office", "admin")
    await liaison.say("/evidence G4", attachment=Attachment("统计.pdf", pdf()))
    await admin.say("/review 1 通过")
    clock.set(dt.datetime(2021, 6, 4, 9, 0, tzinfo=SHANGHAI))
    g4 = "G4 “双公示”信息上报率、合规率、及时率均达到100%"
    assert f"{g4}（截止 2021-06-01）：通过 1/1" in (await admin.say("/evidence")).text
    assert f"【佐证材料】{g4}（截止 2021-06-01）" in (await admin.say("/evidence G4")).text
    assert (
        "G3 政府及其部门失信被执行人整改到位率达到100%（已逾期 3 天，截止 2021-06-01）"
        in (await admin.say("/evidence")).text
    )
