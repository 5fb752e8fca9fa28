"""The weekly digest's picture, in the reader's language: points per indicator, the total on its way
to the deadline, and how far each unit is with its tasks.

Drawn on a standalone `Figure` with matplotlib's Agg canvas: no pyplot, no global backend or
rcParams switch, no display, so it is safe in the bot's process and its worker threads.

Every word is set in Noto Sans SC, installed with the project from PyPI (the data-only wheel
`pylopdf-fonts-zh-cn`). The plan's name and the indicator names are Chinese in either language and
matplotlib's own DejaVu has no Chinese glyph, so without it they would be empty boxes. Offices run
on intranets: the font is neither downloaded nor looked for among the system's fonts at run time.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from config.i18n import translate
from models.scoring import display_points
from reminders.digest import DigestData, projection

SIZE_INCHES = (12.0, 8.0)
DPI = 100  # 1200 x 800 px: legible on a phone once zoomed, about 200 KB as PNG (antialiased Chinese text)
POINTS_COLOUR = "#2b6cb0"
BONUS_COLOUR = "#dd8a00"
MAX_COLOUR = "#e2e8f0"
EDGE_COLOUR = "#a0aec0"
TREND_COLOUR = "#2f855a"
OPEN_COLOUR = "#fbd38d"
FONT_PACKAGE = "pylopdf_fonts_zh_cn"  # Noto Sans SC as notofonts/noto-cjk publishes it (SubsetOTF/SC), OFL-1.1
FONT_FILE = "NotoSansSC-Regular.otf"
NAME_CHARS = 12  # an indicator's name on the chart; the digest's text carries the full name
UNIT_CHARS = 10  # the longest unit names (区住房公积金管理中心) still fit whole
MAX_UNITS = 10  # units on the task panel: the ones with the most left to do
MAX_DATE_TICKS = 8
QUOTES = str.maketrans("", "", "“”‘’「」『』\"'")
NAME_SUFFIXES = ("开展情况", "情况", "工作")  # words that end many names and tell a reader nothing


@functools.cache
def chart_font() -> Path:
    """The bundled Noto Sans SC, added once to this process's font list so tick labels can name its family.

    Only matplotlib's in-memory font list changes: nothing is written to the user's matplotlib config.
    """
    path = Path(str(resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))
    font_manager.fontManager.addfont(path)
    return path


@functools.cache
def _family() -> str:
    return FontProperties(fname=chart_font()).get_name()


def _font(size: float) -> FontProperties:
    """The chart font by its file, so a same-named system font can never stand in for it."""
    return FontProperties(fname=chart_font(), size=size)


def _tick_font(axes: Axes, size: float) -> None:
    """Tick labels are made while drawing, so they get the font by family (registered in `chart_font`)."""
    axes.tick_params(labelfontfamily=_family(), labelsize=size)


def short_name(name: str) -> str:
    """An indicator's name short enough for a chart label: no quotes, no trailing 情况/工作, at most NAME_CHARS."""
    text = name.translate(QUOTES).strip()
    for suffix in NAME_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return _cut(text, NAME_CHARS)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_chart(data: DigestData, lang: str = "zh") -> bytes:
    """The digest's chart as PNG bytes, its words in `lang` ('zh' or 'en')."""
    figure = draw_chart(data, lang)
    figure.draw_without_rendering()  # lays it out once; left on, `savefig` would do it twice, once per pass
    figure.set_layout_engine("none")  # keeps the positions just computed
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def draw_chart(data: DigestData, lang: str = "zh") -> Figure:
    """Indicators on the left; the total's path to the deadline and the units' tasks on the right."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches the Agg canvas: rendering never asks for a display backend
    grid = figure.add_gridspec(2, 2, width_ratios=(1.1, 1))
    _points_panel(figure.add_subplot(grid[:, 0]), data, lang)
    if data.unit_progress:
        _trend_panel(figure.add_subplot(grid[0, 1]), data, lang)
        _units_panel(figure.add_subplot(grid[1, 1]), data, lang)
    else:  # a plan without tasks (Puyang's ledger) or a digest stored before units were counted
        _trend_panel(figure.add_subplot(grid[:, 1]), data, lang)
    scores = [translate(lang, "digest_chart_total", total=display_points(data.total), max=display_points(data.max))]
    if data.bonus_max:
        scores.append(
            translate(
                lang, "digest_chart_bonus", total=display_points(data.bonus_total), max=display_points(data.bonus_max)
            )
        )
    subtitle = translate(
        lang,
        "digest_chart_subtitle",
        start=data.week_start.isoformat(),
        end=data.week_end.isoformat(),
        scores=translate(lang, "digest_chart_score_sep").join(scores),
    )
    figure.suptitle(f"{data.plan_name}\n{subtitle}", fontproperties=_font(16))
    return figure


def _label_size(rows: int) -> float:
    """Smaller labels for longer lists, so every row keeps its own line."""
    return 12 if rows <= 20 else 10.5 if rows <= 30 else 8.5 if rows <= 45 else 7


def _points_panel(axes: Axes, data: DigestData, lang: str) -> None:
    """A grey bar for each indicator's maximum, its points over it (bonus hatched orange); names down the side."""
    indicators = data.indicators
    if not indicators:
        axes.text(
            0.5,
            0.5,
            translate(lang, "digest_chart_no_indicators"),
            ha="center",
            va="center",
            transform=axes.transAxes,
            fontproperties=_font(13),
        )
        axes.set_axis_off()
        return
    size = _label_size(len(indicators))
    rows = list(range(len(indicators)))
    axes.barh(rows, [float(i.max) for i in indicators], color=MAX_COLOUR, edgecolor=EDGE_COLOUR, height=0.8)
    colours = [BONUS_COLOUR if i.bonus else POINTS_COLOUR for i in indicators]
    bars = axes.barh(rows, [float(i.points) for i in indicators], color=colours, height=0.55)
    for bar, indicator in zip(bars, indicators, strict=True):
        if indicator.bonus:
            bar.set_hatch("//")
    axes.set_yticks(rows, [f"{i.code} {short_name(i.name)}" for i in indicators])
    axes.set_ylim(len(indicators) - 0.5, -0.5)  # the plan's order, top to bottom
    for row, indicator in zip(rows, indicators, strict=True):
        axes.annotate(
            f"{display_points(indicator.points)}/{display_points(indicator.max)}",
            (float(max(indicator.points, indicator.max)), row),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontproperties=_font(size - 1),
        )
    widest = max(float(max(i.points, i.max)) for i in indicators)
    axes.set_xlim(0, widest * 1.2 if widest > 0 else 1)  # room for the widest bar's figures
    _tick_font(axes, size)
    axes.set_xlabel(translate(lang, "digest_chart_points_axis"), fontproperties=_font(11), loc="left")
    axes.set_title(translate(lang, "digest_chart_points_title"), fontproperties=_font(13))
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    legend = [
        Patch(color=POINTS_COLOUR, label=translate(lang, "digest_chart_points")),
        Patch(facecolor=MAX_COLOUR, edgecolor=EDGE_COLOUR, label=translate(lang, "digest_chart_maximum")),
    ]
    if any(i.bonus for i in indicators):
        legend.insert(1, Patch(facecolor=BONUS_COLOUR, hatch="//", label=translate(lang, "digest_chart_bonus_points")))
    _legend_below(axes, legend)


def _trend_panel(axes: Axes, data: DigestData, lang: str) -> None:
    """The weekly totals between the plan's start and end, with the even pace and the pace so far."""
    trend = data.trend or ((data.week_end, data.total),)
    today, total = trend[-1]
    start, end = data.plan_start, data.plan_end
    days = [day for day, _ in trend]
    first = min(days + ([start] if start else []))
    last = max(days + ([end] if end else []))
    if start is not None and end is not None and start < end:
        _pace_lines(axes, data, start, end, lang)
    axes.plot(
        [day.toordinal() for day in days],
        [float(value) for _, value in trend],
        color=TREND_COLOUR,
        marker="o",
        linewidth=2,
        label=translate(lang, "digest_chart_weekly_total"),
    )
    axes.annotate(
        display_points(total),
        (today.toordinal(), float(total)),
        xytext=(0, 8),
        textcoords="offset points",
        ha="center",
        fontproperties=_font(10),
    )
    if first == last:
        first, last = first - timedelta(days=7), last + timedelta(days=7)
    ticks = _date_ticks(first, last)
    axes.set_xticks([day.toordinal() for day in ticks], [f"{day:%m-%d}" for day in ticks])
    margin = max(2, (last - first).days // 40)
    axes.set_xlim(first.toordinal() - margin, last.toordinal() + margin)
    top = max([float(data.max)] + [float(value) for _, value in trend])
    axes.set_ylim(0, top * 1.1 if top > 0 else 1)
    if data.max > Decimal(0):
        axes.axhline(float(data.max), color=EDGE_COLOUR, linestyle="--", linewidth=1)
    _tick_font(axes, 10.5)
    axes.set_ylabel(translate(lang, "digest_chart_trend_axis"), fontproperties=_font(10))
    if start is not None and end is not None:
        title = translate(lang, "digest_chart_trend_title", start=start.isoformat(), end=end.isoformat())
    else:  # a digest stored before the plan's dates were kept
        title = translate(lang, "digest_chart_trend_by_week")
    axes.set_title(title, fontproperties=_font(13))
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", prop=_font(10))


def _pace_lines(axes: Axes, data: DigestData, start: date, end: date, lang: str) -> None:
    """Two lines that tell from the first digest on whether the total is early or late.

    The even pace runs from nothing at the start to full marks at the deadline; the pace so far
    carries the total on at its own rate to the deadline (or to full marks, if it gets there sooner).
    Points do not accrue evenly (many are scored at the end), so both are guides, not forecasts.
    """
    axes.plot(
        [start.toordinal(), end.toordinal()],
        [0, float(data.max)],
        color=EDGE_COLOUR,
        linestyle=":",
        linewidth=1.5,
        label=translate(lang, "digest_chart_even_pace"),
    )
    today, total = data.trend[-1] if data.trend else (data.week_end, data.total)
    carried = projection(total, data.max, start, end, today)
    if carried is None:
        return
    reach, at_reach = carried
    axes.plot(
        [start.toordinal(), today.toordinal(), reach.toordinal()],
        [0, float(total), float(at_reach)],
        color=TREND_COLOUR,
        linestyle="--",
        linewidth=1.2,
        alpha=0.7,
        label=translate(lang, "digest_chart_projection"),
    )
    axes.annotate(
        translate(lang, "digest_chart_projected", points=display_points(at_reach)),
        (reach.toordinal(), float(at_reach)),
        xytext=(-4, 6),
        textcoords="offset points",
        ha="right",
        fontproperties=_font(9),
    )


def _date_ticks(first: date, last: date) -> list[date]:
    """Both ends, and month starts between them (week steps for a plan shorter than two months), thinned."""
    span = (last - first).days
    if span > 60:
        inner = [
            date(m // 12, m % 12 + 1, 1)  # the 1st of each month after `first`'s
            for m in range(first.year * 12 + first.month, last.year * 12 + last.month)
        ]
    else:
        inner = [first + timedelta(days=7 * n) for n in range(1, span // 7 + 1)]
    gap = span / (MAX_DATE_TICKS + 1)  # closer to an end than this, a label would touch the end's label
    inner = [day for day in inner if (day - first).days > gap and (last - day).days > gap]
    step = math.ceil(len(inner) / (MAX_DATE_TICKS - 2)) or 1
    return [first, *inner[::step], last]


def _units_panel(axes: Axes, data: DigestData, lang: str) -> None:
    """Tasks done and not done for the units with the most left to do; counts, so the load shows too."""
    shares = sorted(data.unit_progress, key=lambda share: share[1] - share[2])  # most not done first, else plan order
    shown: Sequence[tuple[str, int, int]] = shares[:MAX_UNITS]
    rows = list(range(len(shown)))
    done = [d for _, d, _ in shown]
    axes.barh(rows, done, color=TREND_COLOUR, height=0.6, label=translate(lang, "digest_chart_done"))
    axes.barh(
        rows,
        [t - d for _, d, t in shown],
        left=done,
        color=OPEN_COLOUR,
        height=0.6,
        label=translate(lang, "digest_chart_open"),
    )
    axes.set_yticks(rows, [_cut(unit, UNIT_CHARS) for unit, _, _ in shown])
    axes.set_ylim(len(shown) - 0.5, -0.5)
    for row, (_, d, t) in zip(rows, shown, strict=True):
        axes.annotate(
            f"{d}/{t}", (t, row), xytext=(3, 0), textcoords="offset points", va="center", fontproperties=_font(10)
        )
    axes.set_xlim(0, max(t for _, _, t in shown) * 1.15 + 0.5)  # room for the figures
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _tick_font(axes, 10.5)
    axes.set_xlabel(translate(lang, "digest_chart_tasks_axis"), fontproperties=_font(10), loc="left")
    if len(shares) > len(shown):
        title = translate(lang, "digest_chart_units_most_open", count=len(shown), total=len(shares))
    else:
        title = translate(lang, "digest_chart_units_title")
    axes.set_title(title, fontproperties=_font(13))
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    _legend_below(axes)


def _legend_below(axes: Axes, handles: Sequence[Artist] | None = None) -> None:
    """The key in one row under the axis, right of its label: on a panel of bars it would hide a bar.

    Placed at a fixed place rather than "best", which tries every corner on every draw.
    """
    axes.legend(
        handles=list(handles) if handles is not None else axes.get_legend_handles_labels()[0],
        loc="upper right",
        bbox_to_anchor=(1, 0),
        borderaxespad=2.2,  # in font sizes: just below the tick labels
        ncols=3,
        frameon=False,
        prop=_font(10),
    )
