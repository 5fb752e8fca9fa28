"""The weekly digest's chart: the plan's own names, words in the reader's language, never an empty box."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from config.plan_loader import load_plan_file, shipped_plan_paths
from handlers.context import Services
from models.database import Database
from reminders.chart import draw_chart, render_chart, short_name
from reminders.digest import DigestData
from reminders.weekly import ADAPTER, collect_digest
from tests.conftest import SHANGHAI, Chat, FakeClock, load_shipped

PNG = b"\x89PNG\r\n\x1a\n"
DINGTAO_WEEK = dt.datetime(2022, 6, 6, 9, 0, tzinfo=SHANGHAI)  # a Monday, five months into the plan
PUYANG_WEEK = dt.datetime(2021, 6, 7, 9, 0, tzinfo=SHANGHAI)  # a Monday, in the ledger's one month


async def digest_of(db: Database, plan_id: str, now: dt.datetime) -> DigestData:
    """The digest a plan in the database would get at `now`, collected as the weekly job does."""
    plan = load_plan_file(shipped_plan_paths()[plan_id])
    async with db.session() as session:
        return await collect_digest(session, plan, now)


@pytest.fixture
async def puyang(db: Database) -> Database:
    await load_shipped(db, "puyang-2021", FakeClock(PUYANG_WEEK))
    return db


def drawn_texts(figure: Figure) -> Iterator[Text]:
    """Every piece of text the PNG will show, tick labels included (laid out first, as saving does)."""
    figure.draw_without_rendering()
    for text in figure.findobj(Text):
        if isinstance(text, Text) and text.get_visible() and text.get_text().strip():
            yield text


def characters_without_glyph(figure: Figure) -> dict[str, str]:
    """Text drawn in a font whose character map lacks some of its characters: text -> those characters.

    The font is the one matplotlib resolves for the text's own properties, with no silent fallback.
    """
    charmaps: dict[str, set[int]] = {}
    missing: dict[str, str] = {}
    for text in drawn_texts(figure):
        path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        charmap = charmaps.setdefault(path, set(FT2Font(path).get_charmap()))
        lacking = "".join(sorted({c for c in text.get_text() if c != "\n" and ord(c) not in charmap}))
        if lacking:
            missing[text.get_text()] = lacking
    return missing


def words(figure: Figure) -> str:
    return "\n".join(text.get_text() for text in drawn_texts(figure))


@pytest.mark.filterwarnings("error:Glyph")  # matplotlib's own word for a box drawn instead of a character
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_dingtao_chart_has_a_glyph_for_every_character(dingtao: Services, lang: str) -> None:
    data = await digest_of(dingtao.db, "dingtao-2022", DINGTAO_WEEK)
    figure = draw_chart(data, lang)
    assert characters_without_glyph(figure) == {}
    shown = words(figure)
    assert "定陶区创建省社会信用体系建设典型城市实施方案" in shown
    assert "5 双公示" in shown
    assert "1 国家城市信用监测排名" in shown
    assert "16.3 防范重大区域金融风险" in shown


@pytest.mark.filterwarnings("error:Glyph")  # matplotlib's own word for a box drawn instead of a character
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_puyang_chart_has_a_glyph_for_every_character(puyang: Database, lang: str) -> None:
    data = await digest_of(puyang, "puyang-2021", PUYANG_WEEK)
    figure = draw_chart(data, lang)
    assert characters_without_glyph(figure) == {}
    shown = words(figure)
    assert "濮阳市创建第三批社会信用体系建设示范城市工作台账" in shown
    assert "6.1 信易贷" in shown
    assert "A3 其他创新做法和突出贡献" in shown


def test_the_glyph_check_notices_a_font_without_chinese() -> None:
    """matplotlib's own DejaVu would draw 督办 as two boxes: the check above must see that."""
    figure = Figure()
    figure.suptitle("督办 Duban", family="DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        assert characters_without_glyph(figure) == {"督办 Duban": "办督"}


async def test_chart_words_are_in_the_readers_language(dingtao: Services) -> None:
    data = await digest_of(dingtao.db, "dingtao-2022", DINGTAO_WEEK)
    chinese, english = words(draw_chart(data, "zh")), words(draw_chart(data, "en"))
    assert "督办周报 2022-05-30 至 2022-06-06　总分 0 / 100" in chinese
    assert "各指标得分" in chinese
    assert "时序进度" in chinese
    assert "任务完成情况（未完成最多的 10 个单位，共 76 个）" in chinese
    assert "Points" not in chinese
    assert "Weekly digest 2022-05-30 to 2022-06-06   total 0 / 100" in english
    assert "Points by indicator" in english
    assert "even pace to full marks" in english
    assert "Tasks done: the 10 units with most open (of 76)" in english
    assert "各指标得分" not in english
    assert "定陶区创建省社会信用体系建设典型城市实施方案" in english  # the plan's name is data, kept as written


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("“双公示”情况", "双公示"),
        ("国家城市信用监测排名情况", "国家城市信用监测排名"),
        ("信用惠民便企开展情况", "信用惠民便企"),
        ("“信易贷”工作", "信易贷"),
        ("整治违规使用“征信”行为", "整治违规使用征信行为"),
        ("贯彻落实习近平总书记重要指示精神和党中央国务院重要文件精神", "贯彻落实习近平总书记重…"),
        ("情况", "情况"),
    ],
)
def test_indicator_names_are_shortened_for_the_chart(name: str, label: str) -> None:
    assert short_name(name) == label


async def test_first_week_shows_the_even_pace_and_the_pace_so_far_to_the_deadline(
    dingtao: Services, admin: Chat, clock: FakeClock
) -> None:
    clock.set(DINGTAO_WEEK - dt.timedelta(days=1))
    await admin.say("/report 3 0.45%")  # worth 1 point
    data = await digest_of(dingtao.db, "dingtao-2022", DINGTAO_WEEK)
    assert data.trend == ((dt.date(2022, 6, 6), Decimal(1)),)
    figure = draw_chart(data, "en")
    lines = {line.get_label(): np.asarray(line.get_xydata()).tolist() for line in figure.axes[1].get_lines()}
    start, today, end = (
        dt.date(2022, 1, 1).toordinal(),
        dt.date(2022, 6, 6).toordinal(),
        dt.date(2022, 11, 30).toordinal(),
    )
    assert lines["even pace to full marks"] == [[start, 0], [end, 100]]
    assert lines["weekly total"] == [[today, 1]]
    projected = 1 * (end - start) / (today - start)  # 1 point in 156 days, carried on for 333
    assert lines["at the pace so far"] == [[start, 0], [today, 1], [end, pytest.approx(projected)]]
    assert "projected 2.13" in words(figure)


async def test_nothing_scored_yet_shows_the_even_pace_without_a_flat_projection(dingtao: Services) -> None:
    data = await digest_of(dingtao.db, "dingtao-2022", DINGTAO_WEEK)
    lines = draw_chart(data, "en").axes[1].get_lines()
    labels = [label for line in lines if not (label := str(line.get_label())).startswith("_")]  # keyed lines only
    assert labels == ["even pace to full marks", "weekly total"]


async def test_digest_counts_each_units_tasks_done(dingtao: Services, admin: Chat, clock: FakeClock) -> None:
    clock.set(DINGTAO_WEEK - dt.timedelta(days=1))
    await admin.say("/progress 5 完成 区民政局")
    data = await digest_of(dingtao.db, "dingtao-2022", DINGTAO_WEEK)
    progress = {unit: (done, assigned) for unit, done, assigned in data.unit_progress}
    assert progress["区民政局"] == (1, 10)  # tasks 3, 4, 5, 6, 7, 9, 10, 12, 13, 15; 5 done
    assert progress["区委宣传部"] == (0, 6)  # tasks 1, 3, 6, 7, 9, 15
    assert sum(done for done, _ in progress.values()) == 1


def test_a_digest_stored_before_the_chart_knew_plan_dates_and_units_still_draws() -> None:
    stored = {
        "plan_id": "dingtao-2022",
        "plan_name": "定陶区创建省社会信用体系建设典型城市实施方案",
        "week_start": "2022-05-30",
        "week_end": "2022-06-06",
        "generated_at": "2022-06-06T09:00:00+08:00",
        "total": "12.5",
        "max": "100",
        "bonus_total": "0",
        "bonus_max": "0",
        "previous_total": "10",
        "indicators": [],
        "gates": [],
        "completed": [],
        "overdue": [],
        "upcoming": [],
        "missing": [],
        "trend": [["2022-05-30", "10"], ["2022-06-06", "12.5"]],
    }
    data = ADAPTER.validate_json(json.dumps(stored))
    assert (data.plan_start, data.plan_end, data.unit_progress) == (None, None, ())
    assert "Total by week" in words(draw_chart(data, "en"))
    assert render_chart(data, "zh").startswith(PNG)
