"""Reminder messages in the reader's language, with the quick actions that answer them."""

from __future__ import annotations

from typing import Any

from config.i18n import translate

TASK_KINDS = ("before_deadline", "deadline_day", "overdue", "ongoing_progress")
TASK_KEYS = {kind: f"rem_{kind}" for kind in TASK_KINDS}
ACTIONS = (("btn_done", "done"), ("btn_doing", "doing"), ("btn_blocked", "blocked"))


def render_reminder(kind: str, subject: str, unit: str, detail: dict[str, Any], lang: str) -> str:
    """The text of one reminder (not the digest, which has its own composer)."""

    if kind in TASK_KINDS:  # nearly every reminder of a burst: no more work than the template's
        return translate(lang, TASK_KEYS[kind], unit=unit, code=subject, **_task_params(detail))

    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    if kind == "escalation":
        return _escalation(detail, lang)
    if kind in ("period_figure", "nudge"):
        lines = [t(f"rem_{kind}", unit=unit)]
        lines += [t("rem_period_line", code=i["code"], name=i["name"], period=i["period"]) for i in detail["items"]]
        return "\n".join(lines)
    if kind == "evidence":
        params = {
            "unit": unit,
            "due": detail["due"],
            "codes": "、".join(detail["codes"]),
            "workdays_left": detail.get("workdays_left", 0),
            "overdue_days": detail.get("overdue_days", 0),
        }
        return t(f"rem_evidence_{detail['phase']}", **params)
    if kind == "notice":
        return t(detail["key"], **detail.get("params", {}))
    if kind == "calendar_warning":
        return t("rem_calendar_warning", year=detail["year"])
    if kind == "chat_blocked":
        return t(
            "rem_chat_blocked",
            who=detail["who"],
            name=detail["name"],
            transport=detail["transport"],
            reason=detail["reason"],
        )
    if kind == "catch_up":
        lines = [t("rem_catch_up", count=len(detail["items"]))]
        lines += [
            t("rem_catch_up_line", day=i["day"], what=t(f"kind_{i['kind']}", subject=i["subject"]))
            for i in detail["items"]
        ]
        return "\n".join(lines)
    raise ValueError(f"no text for reminder kind {kind!r}")


def _task_params(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": detail.get("title", ""),
        "deadline": detail.get("deadline", ""),
        "workdays_left": detail.get("workdays_left", 0),
        "overdue_days": detail.get("overdue_days", 0),
        "overdue_workdays": detail.get("overdue_workdays", 0),
        "month": detail.get("month", ""),
    }


def _escalation(detail: dict[str, Any], lang: str) -> str:
    lines: list[str] = []
    if "items" in detail:
        days = detail["items"][0]["overdue_workdays"]
        lines.append(translate(lang, "rem_escalation_tasks", days=days))
        lines += [
            translate(lang, "rem_escalation_task_line", **{k: i[k] for k in ("unit", "task", "title", "deadline")})
            for i in detail["items"]
        ]
        lines.append(translate(lang, "rem_escalation_total", total=detail["total_escalated"], days=days))
    if "evidence" in detail:
        lines.append(translate(lang, "rem_escalation_evidence", days=detail.get("days", 3)))
        lines += [
            translate(lang, "rem_escalation_evidence_line", unit=e["unit"], due=e["due"], codes="、".join(e["codes"]))
            for e in detail["evidence"]
        ]
    return "\n".join(lines)


def reminder_actions(
    kind: str, subject: str, lang: str, detail: dict[str, Any] | None = None
) -> tuple[tuple[str, str], ...]:
    """Done / doing / need help for task reminders; a notice's own buttons; nothing for the others."""
    if kind == "notice" and detail:
        return tuple((translate(lang, label), command) for label, command in detail.get("actions", []))
    if kind not in TASK_KINDS:
        return ()
    return tuple((translate(lang, label), f"/progress {subject} {status}") for label, status in ACTIONS)
