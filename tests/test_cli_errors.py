"""`duban` when something is wrong: one clear line in the user's language, an exit status, never a
traceback; and `duban plan check` naming every problem of a plan file in one pass."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from config.i18n_cli import CLI_MESSAGES
from config.plan_loader import explain_schema_message, shipped_plan_paths
from models.schema import head_revision

ROOT = Path(__file__).parent.parent
COMMANDS = "demo、console、plan、invite、reminders、digest、run、score、export、db"


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_LANG", "zh")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


CODES = {
    *("Duban", "duban", "plan", "load", "help", "admin", "leader", "unit", "Telegram", "webhook", "SIGTERM"),
    *("db", "upgrade"),
    *("YAML", "UTF", "ISO", "JSON", "PNG", "UTC", "YYYY", "MM", "DD", "HH", "Ctrl", "Tab", "env", "zh"),
    *("id", "name", "units", "periods", "periodic_check", "at_least", "above", "at_most", "below", "equals"),
    *("zero_at", "full_at", "step", "each", "deadline", "ongoing", "true", "false"),
}
"""Words allowed in Chinese mode: commands, roles, YAML keys and values, formats, product names."""


def english_words(text: str) -> list[str]:
    """Latin words left once codes, paths, URLs, options, YAML paths and quoted input are taken out."""
    text = re.sub(r"应为以下之一：[^（]*|“[^”]*”|\b[A-Z]+_[A-Z_]+\b|\S*[/\\]\S*|--?[a-z-]+", " ", text)
    text = re.sub(r"\b[a-z_]+(\[[^\]]*\])?(\.[a-z_]+(\[[^\]]*\])?)+", " ", text)
    return [w for w in re.findall(r"[A-Za-z_]{2,}", text) if w not in CODES]


# --- plan check -----------------------------------------------------------------------------------

MANY_ERRORS = """\
id: demo-errors
name: 演示
start: 2022-01-01
end: 2022-11-30
units:
  - name: 区发改局
    kind: dept
tasks:
  - code: '5'
    title: 提升代码质量
    units: [区发改局]
    deadline: 2022-06-31
  - code: '6'
    title: 清理
    units: [区法改局]
    deadline: 2023-01-10
phases: [{name: 启动, start: 2021-12-01, end: 2022-03-31}]
gates:
  - {code: G1, name: 平台, units: [没有局]}
indicators:
  - code: '3'
    name: 比例
    max: 4
    rule: {kind: linear, value: {type: percent}, zero_at: "0.3%", full_at: abc}
    rule_text: r
  - code: '4'
    name: 评价
    max: 96
    rule: {kind: assessed}
    colour: red
"""


def test_plan_check_reports_every_error_in_one_pass_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(MANY_ERRORS, encoding="utf-8")
    code, out, err = run(capsys, "plan", "check", str(plan))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{plan}：9 处错误",
        "  第 7 行第 11 列：units[0].kind：应为以下之一：department、town、court、bank、company、other（收到“dept”）",
        "  第 12 行第 15 列：tasks[code=5].deadline：“2022-06-31”不是有效的日期（写作 YYYY-MM-DD）",
        "  第 15 行第 13 列：tasks[code=6].units[0]：未知的单位或单位组“区法改局”",
        "  第 16 行第 15 列：tasks[code=6].deadline："
        "截止日期 2023-01-10 不在方案起止日期 2022-01-01 至 2022-11-30 之内",
        "  第 17 行第 28 列：phases[0].start：阶段日期 2021-12-01 不在方案起止日期 2022-01-01 至 2022-11-30 之内",
        "  第 19 行第 34 列：gates[code=G1].units[0]：未知的单位或单位组“没有局”",
        "  第 24 行第 76 列：indicators[code=3].rule.full_at：“abc”不是数字",
        "  第 26 行第 5 列：indicators[code=4].rule_text：缺少此项（必填）",
        "  第 30 行第 13 列：indicators[code=4].colour：不认识的键“colour”：拼写有误，或不属于这里",
    ]
    assert english_words(err) == []


def test_plan_check_reports_an_impossible_date_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "config/plans/dingtao-2022.yaml").read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "deadline: 2022-06-30" in row)
    plan = tmp_path / "dingtao.yaml"
    plan.write_text(text.replace("deadline: 2022-06-30", "deadline: 2022-06-31", 1), encoding="utf-8")
    code, _, err = run(capsys, "plan", "check", str(plan))
    assert code == 1
    assert f"第 {line} 行" in err
    assert "deadline：“2022-06-31”不是有效的日期（写作 YYYY-MM-DD）" in err


def test_plan_check_keeps_the_english_wording_in_english_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_LANG", "en")
    plan = tmp_path / "plan.yaml"
    plan.write_text(MANY_ERRORS, encoding="utf-8")
    code, _, err = run(capsys, "plan", "check", str(plan))
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"{plan}: 9 error(s)"
    assert "  line 12, column 15: tasks[code=5].deadline: Input should be a valid date or datetime" in err
    assert "  line 15, column 13: tasks[code=6].units[0]: unknown unit or group '区法改局'" in lines
    assert "  line 26, column 5: indicators[code=4].rule_text: Field required" in lines


def test_plan_check_says_what_is_wrong_with_the_yaml_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("id: x\nname: 演示\n  start: 2022-01-01\n", encoding="utf-8")
    code, _, err = run(capsys, "plan", "check", str(plan))
    assert code == 1
    assert err == (
        f"{plan}：1 处错误\n  第 3 行第 8 列：（顶层）：此处不能出现“键: 值”：多半是缩进不对，或值里的冒号需要加引号\n"
    )


def test_plan_check_refuses_a_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "gbk.yaml"
    plan.write_bytes("name: 演示\n".encode("gbk"))
    code, _, err = run(capsys, "plan", "check", str(plan))
    assert code == 1
    assert err == f"{plan}：1 处错误\n  整个文件：（顶层）：文件不是 UTF-8 编码的文本，请另存为 UTF-8\n"


def test_plan_check_refuses_an_unknown_time_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "config/plans/puyang-2021.yaml").read_text(encoding="utf-8")
    plan = tmp_path / "puyang.yaml"
    plan.write_text(text.replace("timezone: Asia/Shanghai", "timezone: Asia/Puyang"), encoding="utf-8")
    code, _, err = run(capsys, "plan", "check", str(plan))
    assert code == 1
    assert "timezone：未知的时区“Asia/Puyang”（例如 Asia/Shanghai）" in err


@pytest.mark.parametrize("command", ["check", "load"])
def test_a_plan_file_that_does_not_exist_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    missing = tmp_path / "missing.yaml"
    code, _, err = run(capsys, "plan", command, str(missing), "--db", f"sqlite:///{tmp_path}/x.db")
    assert code == 2
    assert err == f"找不到方案文件或内置方案“{missing}”（内置方案：dingtao-2022, puyang-2021）\n"


def test_every_sentence_the_schema_raises_has_chinese_words() -> None:
    schema = (ROOT / "config/plan_schema.py").read_text(encoding="utf-8")
    sentences = re.findall(r'(?:ValueError|PydanticCustomError)\(\s*(?:"\w+",\s*)?f?"([^"]+)"', schema)
    assert len(sentences) >= 8
    for sentence in sentences:
        sample = sentence.replace("{moment:%H:%M}", "08:00").replace("{self.quiet_start:%H:%M}", "21:00")
        sample = sample.replace("{self.quiet_end:%H:%M}", "08:00").replace("{moment}", "08:00")
        sample = sample.replace("{start}", "21:00").replace("{end}", "08:00")
        assert explain_schema_message(sample) is not None, sentence


def test_every_cli_sentence_has_the_same_parameters_in_both_languages() -> None:
    used: set[str] = set()
    for path in [*ROOT.glob("bot/cli*.py"), ROOT / "bot/console.py", *ROOT.glob("config/plan_*.py")]:
        used |= set(re.findall(r'"(cli_[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used - set(CLI_MESSAGES) == set()
    for key, (zh, en) in CLI_MESSAGES.items():
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
        assert english_words(re.sub(r"{\w+}", "", zh)) == [], key


# --- the command line itself --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            [],
            f"duban：缺少命令，可用的命令：{COMMANDS}\n查看用法：duban --help",
        ),
        (
            ["frobnicate"],
            f"duban：没有“frobnicate”这个命令，可用的命令：{COMMANDS}\n查看用法：duban --help",
        ),
        (
            ["plan"],
            "duban plan：缺少命令，可用的命令：list、check、load、import、template、archive、unarchive\n"
            "查看用法：duban plan --help",
        ),
        (["db"], "duban db：缺少命令，可用的命令：upgrade、current\n查看用法：duban db --help"),
        (["console"], "duban console：缺少参数 --plan\n查看用法：duban console --help"),
        (["console", "--plan"], "duban console：--plan 后面缺少取值\n查看用法：duban console --help"),
        (
            ["reminders", "--plan", "x", "--days", "abc"],
            "duban reminders：--days 应为整数（收到“abc”）\n查看用法：duban reminders --help",
        ),
        (
            ["digest", "--plan", "x", "--lang", "fr"],
            "duban digest：--lang 不能是“fr”，可选：zh、en\n查看用法：duban digest --help",
        ),
        (["score", "--plan", "x", "--bogus"], "duban：无法识别的参数：--bogus\n查看用法：duban --help"),
        (
            ["reminders", "--plan", "x", "--now", "yesterday"],
            "--now 应为 ISO 时间，例如 2022-06-01T08:00（收到“yesterday”）",
        ),
        (["reminders", "--plan", "x", "--days", "0"], "--days 应为 1 到 366 之间的整数（收到 0）"),
        (["plan", "list", "--db", "::"], "不是数据库地址：::（应写作 sqlite:///路径 或 postgresql://用户@主机/库名）"),
    ],
)
def test_a_wrong_command_line_is_explained_in_chinese_with_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (2, "", said + "\n")


def test_a_wrong_command_line_in_english_mode_keeps_argparse_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_LANG", "en")
    code, _, err = run(capsys, "console")
    assert code == 2
    assert err == "duban console: error: the following arguments are required: --plan\nSee: duban console --help\n"


def test_help_is_chinese_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reminders", "--help")
    assert code == 0
    assert out.startswith("用法：duban reminders [-h] [--db DB] --plan PLAN")
    assert "  --days DAYS  天数（1–366，默认 14）" in out


def test_an_unknown_plan_id_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", "--plan", "nope", "--db", f"sqlite:///{tmp_path}/x.db")
    assert (code, err) == (2, "方案 nope 尚未载入（先运行：duban plan load nope）\n")


def test_a_postgresql_server_that_refuses_connections_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", "list", "--db", "postgresql://nobody@127.0.0.1:1/x")
    assert code == 1
    assert err == "无法使用数据库 postgresql://nobody@127.0.0.1:1/x：连接被拒绝（服务器没有运行，或端口不对）\n"


def test_an_unusable_sqlite_path_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    code, _, err = run(capsys, "plan", "list", "--db", f"sqlite:///{tmp_path}/a-file/sub/duban.db")
    assert code == 1
    assert err == f"无法使用数据库 sqlite:///{tmp_path}/a-file/sub/duban.db：路径中有一段是文件而不是文件夹\n"
    code, _, err = run(capsys, "plan", "list", "--db", f"sqlite:///{tmp_path}")
    assert code == 1
    assert err == f"无法使用数据库 sqlite:///{tmp_path}：这是一个文件夹\n"


def test_bad_settings_are_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_TELEGRAM_PORT", "eighty")
    code, _, err = run(capsys, "plan", "list")
    assert (code, err) == (1, "环境变量或 .env 中的设置有误：telegram_port\n")


def test_an_unexpected_failure_is_one_line_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.db"
    with sqlite3.connect(broken) as connection:  # a 'plan' table from some other program, stamped as Duban's
        connection.execute("CREATE TABLE plan (id TEXT PRIMARY KEY)")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
    code, _, err = run(capsys, "plan", "list", "--db", f"sqlite:///{broken}")
    assert (code, err) == (1, "意外错误（OperationalError），已停止。\n")


# --- the digest's chart ----------------------------------------------------------------------------


@pytest.fixture
def loaded(tmp_path: Path, dingtao_template: Path) -> str:
    shutil.copyfile(dingtao_template, tmp_path / "d.db")
    return f"sqlite:///{tmp_path}/d.db"


def test_a_chart_into_a_missing_folder_creates_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], loaded: str
) -> None:
    chart = tmp_path / "reports" / "2022" / "week-28.png"
    code, out, err = run(
        capsys, "digest", "--plan", "dingtao-2022", "--now", "2022-07-11T09:00", "--chart", str(chart), "--db", loaded
    )
    assert code == 0
    assert "总分 0 / 100" in out
    assert err == f"图表已写入 {chart}\n"
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_a_chart_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], loaded: str
) -> None:
    (tmp_path / "reports").write_text("a file, not a folder", encoding="utf-8")
    chart = tmp_path / "reports" / "week.png"
    code, _, err = run(capsys, "digest", "--plan", "dingtao-2022", "--chart", str(chart), "--db", loaded)
    assert code == 1
    assert err == f"无法写入 {chart}：路径中已有同名文件\n"


def test_plan_check_names_an_unknown_reporter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = shipped_plan_paths()["dingtao-2022"].read_text(encoding="utf-8")
    text = text.replace("    lead: [区金融服务中心]\n", "    lead: [区金融服务中心]\n    reporters: [区金融中心]\n", 1)
    bad = tmp_path / "reporters.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["plan", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "indicators[code=11].reporters[0]" in err
    assert "区金融中心" in err


def test_archiving_a_plan_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/duban.db"
    assert main(["plan", "load", "dingtao-2022", "--db", db]) == 0
    assert main(["plan", "archive", "dingtao-2022", "--db", db]) == 0
    assert "已归档" in capsys.readouterr().out
    assert main(["plan", "list", "--db", db]) == 0
    assert "归档" in capsys.readouterr().out
    assert main(["plan", "archive", "nope", "--db", db]) == 2
    assert main(["plan", "unarchive", "dingtao-2022", "--db", db]) == 0
    assert "已恢复" in capsys.readouterr().out
