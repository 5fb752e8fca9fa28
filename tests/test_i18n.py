"""Every message key the code uses exists in Chinese and English, so no user meets a raw key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.i18n import MESSAGES, translate
from config.values import ValueType
from handlers.help import ADMIN_FORMS, commands_for
from handlers.schedule import POLICY_FIELDS
from models.people import ROLES
from models.work import STATUSES
from reminders.policy import KINDS
from reminders.texts import TASK_KINDS

ROOT = Path(__file__).parent.parent
POLICY_FIELDS_USED = [f.removeprefix("policy_") for f in POLICY_FIELDS]
LITERAL = re.compile(
    r"""(?:ctx\.t|UserError|InviteError|Hint|translate|\bt)\(\s*(?:"[a-z]+",\s*|lang,\s*)?(?!"(?:zh|en)")"([a-z_]+)"\s*[,)]"""
)


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("handlers", "models", "config", "reminders", "bot"):
        for path in (ROOT / folder).glob("*.py"):
            keys |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return keys


def composed_keys() -> set[str]:
    value_errors = set(re.findall(r'ValueParseError\(\s*"([a-z_]+)"', (ROOT / "config/values.py").read_text()))
    keys = {f"val_{k}" for k in value_errors}
    keys |= {f"status_{s}" for s in STATUSES} | {f"role_{r}" for r in ROLES}
    keys |= {f"expect_{t.value}" for t in ValueType}
    keys |= {f"op_{op}" for op in ("at_least", "above", "at_most", "below", "equals")}
    keys |= {"answer_yes", "answer_no"}
    keys |= {f"rem_{kind}" for kind in TASK_KINDS}
    keys |= {f"rem_evidence_{phase}" for phase in ("before_deadline", "deadline_day", "overdue")}
    keys |= {f"kind_{kind}" for kind in (*KINDS, "calendar_warning", "digest", "catch_up", "chat_blocked", "notice")}
    keys |= {f"policy_{field}" for field in POLICY_FIELDS_USED}
    keys |= {f"help_{name}" for role in ("liaison", "leader", "admin", None) for name in commands_for(role)}
    keys |= {f"help_{name}_admin" for name in ADMIN_FORMS}
    keys |= {f"history_{s}" for s in ("proposed", "accepted", "rejected")}
    keys |= {f"proposal_{s}" for s in ("proposed", "accepted", "rejected")}
    handlers = "".join(p.read_text() for p in (ROOT / "handlers").glob("*.py"))
    keys |= set(re.findall(r'key="([a-z_]+)"', handlers)) | set(re.findall(r'"(notice_[a-z_]+)"', handlers))
    keys |= set(re.findall(r'\("(btn_[a-z_]+)",', "".join(p.read_text() for p in (ROOT / "handlers").glob("*.py"))))
    return keys


def test_the_scan_finds_keys() -> None:
    assert {"report_recorded", "unknown_code", "hint_linear", "invite_used", "rem_calendar_warning"} <= used_keys()


@pytest.mark.parametrize("key", sorted(used_keys() | composed_keys()))
def test_key_exists_in_both_languages(key: str) -> None:
    assert key in MESSAGES
    zh, en = MESSAGES[key]
    assert zh.strip()
    assert en.strip()
    assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en))


def test_translate_fills_parameters() -> None:
    assert translate("en", "unknown_task", code="99") == "There is no task 99. Send /tasks for the list."
    assert translate("zh", "unknown_task", code="99").startswith("没有编号为 99 的任务")
