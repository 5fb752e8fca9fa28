"""The weekly digest's picture: points against maximum per indicator, and the total week by week.

Drawn on a standalone `Figure` with matplotlib's Agg canvas: no pyplot, no global backend switch,
no display, so it is safe in the bot's process and its worker threads. Every label is ASCII
(indicator codes, dates, plan id) because the default fonts have no Chinese glyphs; the names are
in the text that goes with the picture.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from models.scoring import display_points
from reminders.digest import DigestData

SIZE_INCHES = (12.0, 8.0)
DPI = 100  # 1200 x 800 px: legible on a phone once zoomed, a few dozen KB as PNG
POINTS_COLOUR = "#2b6cb0"
BONUS_COLOUR = "#dd8a00"
MAX_COLOUR = "#e2e8f0"
TREND_COLOUR = "#2f855a"
MAX_TICKS = 12  # date labels on the trend before they are thinned


def render_chart(data: DigestData) -> bytes:
    """The digest's chart as PNG bytes: indicator bars on top, the total's trend below."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches the Agg canvas: rendering never asks for a display backend
    grid = figure.add_gridspec(2, 1, height_ratios=(3, 2))
    _points_panel(figure.add_subplot(grid[0]), data)
    _trend_panel(figure.add_subplot(grid[1]), data)
    figure.suptitle(_ascii(f"{data.plan_id}  week {data.week_start}..{data.week_end}"), fontsize=14)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _ascii(text: str) -> str:
    """Only what the default font can draw: anything else becomes '?' rather than an empty box."""
    return text.encode("ascii", "replace").decode("ascii")


def _points_panel(axes: Axes, data: DigestData) -> None:
    """A grey bar for each indicator's maximum, its points drawn over it; bonus indicators in orange."""
    indicators = data.indicators
    if not indicators:
        axes.text(0.5, 0.5, "no indicators", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return
    positions = list(range(len(indicators)))
    axes.bar(positions, [float(i.max) for i in indicators], color=MAX_COLOUR, edgecolor="#a0aec0", width=0.8)
    colours = [BONUS_COLOUR if i.bonus else POINTS_COLOUR for i in indicators]
    bars = axes.bar(positions, [float(i.points) for i in indicators], color=colours, width=0.55)
    for bar, indicator in zip(bars, indicators, strict=True):
        if indicator.bonus:
            bar.set_hatch("//")
    crowded = len(indicators) > 20
    axes.set_xticks(positions, [_ascii(i.code) for i in indicators], rotation=90 if crowded else 0)
    axes.tick_params(axis="x", labelsize=7 if crowded else 10)
    axes.set_xlim(-0.6, len(indicators) - 0.4)
    if not crowded:
        for position, indicator in zip(positions, indicators, strict=True):
            label = f"{display_points(indicator.points)}/{display_points(indicator.max)}"
            axes.annotate(
                label,
                (position, float(max(indicator.points, indicator.max))),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                size=8,
            )
    axes.set_ylabel("points")
    axes.set_title(
        f"Points by indicator: total {display_points(data.total)} / {display_points(data.max)}"
        + (f", bonus {display_points(data.bonus_total)} / {display_points(data.bonus_max)}" if data.bonus_max else ""),
        fontsize=11,
    )
    axes.margins(y=0.12)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    legend = [Patch(color=POINTS_COLOUR, label="points"), Patch(color=MAX_COLOUR, label="maximum")]
    if any(i.bonus for i in indicators):
        legend.insert(1, Patch(facecolor=BONUS_COLOUR, hatch="//", label="bonus points"))
    axes.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.005, 1), borderaxespad=0, fontsize=9)


def _trend_panel(axes: Axes, data: DigestData) -> None:
    """The total at each digest, on a scale from 0 to the maximum so progress reads honestly."""
    trend = data.trend or ((data.week_end, data.total),)
    xs = [day.toordinal() for day, _ in trend]  # day numbers: spacing true to the calendar, labels our own
    ys = [float(total) for _, total in trend]
    axes.plot(xs, ys, color=TREND_COLOUR, marker="o", linewidth=2)
    last_x, last_y = xs[-1], ys[-1]
    axes.annotate(
        display_points(trend[-1][1]), (last_x, last_y), xytext=(0, 8), textcoords="offset points", ha="center", size=10
    )
    step = math.ceil(len(xs) / MAX_TICKS)
    shown = list(trend)[::-1][::step][::-1]  # thinned from the newest, so this week's date is always labelled
    axes.set_xticks([day.toordinal() for day, _ in shown], [f"{day:%m-%d}" for day, _ in shown])
    axes.set_xlim(xs[0] - 4, xs[-1] + 4)
    top = max(float(data.max), *ys)
    axes.set_ylim(0, top * 1.08 if top > 0 else 1)
    if data.max > Decimal(0):
        axes.axhline(float(data.max), color="#a0aec0", linestyle="--", linewidth=1)
    axes.set_ylabel("total")
    axes.set_title("Total by week", fontsize=11)
    axes.grid(alpha=0.3)
