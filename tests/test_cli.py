"""The `duban` command line as an office uses it: check, load, invite, score, console."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.cli import main

DINGTAO_CODES = [str(n) for n in range(1, 16)] + ["16.1", "16.2", "16.3"]


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks Chinese unless DUBAN_LANG says otherwise (a developer's .env must not leak in)."""
    monkeypatch.setenv("DUBAN_LANG", "zh")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_check_accepts_both_shipped_plans(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "check", "dingtao-2022")
    assert code == 0
    assert "18 项任务" in out
    assert "18 项指标，共 100 分" in out
    code, out, _ = run(capsys, "plan", "check", "puyang-2021")
    assert code == 0
    assert "12 项基础指标" in out
    assert "共 100 分，附加分 13" in out


def test_plan_check_speaks_english_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_LANG", "en")
    code, out, _ = run(capsys, "plan", "check", "puyang-2021")
    assert code == 0
    assert "12 gates" in out
    assert "100 + 13 bonus" in out


def test_plan_check_names_the_place_of_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nname: Bad\nstart: 2022-01-01\nend: 2022-11-30\nunits:\n  - name: 区发改局\n"
        "tasks:\n  - code: '1'\n    title: t\n    units: [区法改局]\n    deadline: 2022-11-30\n"
        "indicators:\n  - code: '3'\n    name: x\n    max: 4\n"
        "    rule: {kind: linear, value: {type: percent}, zero_at: 0.5, full_at: abc}\n    rule_text: r\n"
        "  - code: '4'\n    name: y\n    max: 96\n    rule: {kind: countt, per: 1}\n    rule_text: r\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "plan", "check", str(bad))
    assert code == 1
    assert "第 16 行" in err  # the linear rule with an unreadable threshold
    assert "indicators[code=3].rule" in err
    assert "第 21 行" in err  # the unknown rule kind
    assert "countt" in err


def test_plan_check_reports_cross_reference_errors_with_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "refs.yaml"
    bad.write_text(
        "id: refs\nname: Refs\nstart: 2022-01-01\nend: 2022-11-30\nunits:\n  - name: 区发改局\n"
        "tasks:\n  - code: '1'\n    title: t\n    units: [区发改局, 区法改局]\n    deadline: 2022-11-30\n"
        "indicators:\n  - code: '1'\n    name: x\n    max: 90\n    rule: {kind: assessed}\n    rule_text: r\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "plan", "check", str(bad))
    assert code == 1
    assert "第 10 行第 19 列：tasks[code=1].units[1]：未知的单位或单位组“区法改局”" in err
    assert "max_points：指标合计 90 分，不等于 100" in err


def test_score_json_lists_every_reportable_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    assert run(capsys, "plan", "load", "dingtao-2022", "--db", db)[0] == 0
    assert run(capsys, "plan", "load", "puyang-2021", "--db", db)[0] == 0
    code, out, _ = run(capsys, "score", "--plan", "dingtao-2022", "--json", "--db", db)
    assert code == 0
    doc = json.loads(out)
    assert [i["code"] for i in doc["indicators"]] == DINGTAO_CODES
    assert sum(Decimal(i["max"]) for i in doc["indicators"]) == 100
    assert doc["max"] == "100"
    assert doc["total"] == "0"
    assert doc["gates"] == []
    code, out, _ = run(capsys, "score", "--plan", "puyang-2021", "--json", "--db", db)
    doc = json.loads(out)
    assert len(doc["gates"]) == 12
    assert all(g["met"] is None for g in doc["gates"])
    assert sum(Decimal(i["max"]) for i in doc["indicators"] if not i["bonus"]) == 100
    assert sum(Decimal(i["max"]) for i in doc["indicators"] if i["bonus"]) == 13
    assert (doc["bonus_max"], doc["max"]) == ("13", "100")


def test_loading_again_keeps_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    run(capsys, "plan", "load", "dingtao-2022", "--db", db)
    console(db, "dingtao-2022", "admin", "/report 11 8亿\n")
    code, out, _ = run(capsys, "plan", "load", "dingtao-2022", "--db", db)
    assert code == 0
    assert "已更新方案 dingtao-2022" in out
    doc = json.loads(run(capsys, "score", "--plan", "dingtao-2022", "--json", "--db", db)[1])
    points = next(Decimal(i["points"]) for i in doc["indicators"] if i["code"] == "11")
    assert points == Decimal(30) / Decimal(7)


def console(db: str, plan: str, who: str, script: str) -> subprocess.CompletedProcess[str]:
    """Runs the real `duban console` with piped input, as a user would."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "DUBAN_LANG": "zh"}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--plan", plan, "--as", who, "--db", db],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


def test_console_pipes_every_line_and_exits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    run(capsys, "plan", "load", "dingtao-2022", "--db", db)
    done = console(
        db, "dingtao-2022", "unit:区民政局", "/start\n/report 4 2022-01 0\n/report 11 8亿\n/progress 5 完成\n"
    )
    assert done.returncode == 0, done.stderr
    assert "联络员（区民政局）" in done.stdout
    typed = [line for line in done.stdout.splitlines() if line.startswith("> ")]
    assert typed == ["> /start", "> /report 4 2022-01 0", "> /report 11 8亿", "> /progress 5 完成"]
    assert "不由您单位负责" in done.stdout
    assert "区民政局：未开始 → 已完成" in done.stdout
    leader = console(db, "dingtao-2022", "leader", "/status 区民政局\n")
    assert "任务：1/" in leader.stdout


def test_console_refuses_an_unknown_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    run(capsys, "plan", "load", "dingtao-2022", "--db", db)
    done = console(db, "dingtao-2022", "unit:不存在局", "/start\n")
    assert done.returncode == 2
    assert done.stderr == "方案 dingtao-2022 中没有单位“不存在局”\n"


def test_invite_from_the_cli_binds_the_first_admin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    run(capsys, "plan", "load", "puyang-2021", "--db", db)
    code, out, err = run(capsys, "invite", "--plan", "puyang-2021", "admin", "--db", db)
    assert code == 0
    assert f"在聊天中发送：/bind {out.strip()}" in err
    assert len(out.strip()) == 8
    code, _, err = run(capsys, "invite", "--plan", "nope", "admin", "--db", db)
    assert code == 2
    assert err == "方案 nope 尚未载入（先运行：duban plan load nope）\n"


def test_demo_loads_the_dingtao_plan_moved_to_this_year(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONIOENCODING": "utf-8",
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
        "DUBAN_LANG": "zh",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        input="/report 11 8亿\n/tasks\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "0 → 4.29（满分 6）" in done.stdout
    assert "任务 18 项" in done.stdout
    year = dt.datetime.now(dt.UTC).year
    assert done.stdout.startswith(
        f"已载入演示方案 dingtao-demo（定陶 2022 年方案，日期移至 {year} 年）。\n试试：/status"
    )
    assert not re.search(r"\b(Loaded|Try|chart)\b", done.stdout)


def test_a_bad_database_url_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", "list", "--db", "mysql://x@y/z")
    assert code == 2
    assert err == "不支持的数据库“mysql”：请用 sqlite:/// 或 postgresql://\n"
