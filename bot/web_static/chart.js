/* Duban board: the score trend chart, drawn as inline SVG at the width it is shown at.
 *
 * The chart is drawn at its real pixel width (not scaled down from a fixed viewBox) so that labels
 * stay 11 px on a 375 px phone; it is redrawn when the width changes. Points arrive as display
 * strings; parseFloat is used for geometry only, labels show the server's strings.
 */
"use strict";

(() => {
  const D = window.Duban;
  const { el, svg, t } = D;
  const DAY = 86400000;
  const drawers = new WeakMap();

  /** A placeholder that draws itself once it is in the page and knows its width (see mountCharts). */
  function trendChart(data) {
    const box = el("div", { class: "chart-box", testid: "trend-chart" });
    drawers.set(box, (width) => drawTrend(box, data, width));
    return box;
  }

  /** Draw (or redraw) every chart under `root` at its current width. */
  function mountCharts(root) {
    for (const box of root.querySelectorAll(".chart-box")) {
      const width = Math.round(box.clientWidth);
      if (width > 0 && box.dataset.width !== String(width)) {
        box.dataset.width = String(width);
        drawers.get(box)(width);
      }
    }
  }

  /* ---------- the trend ---------- */

  function drawTrend(box, data, width) {
    const { plan, total } = data;
    const max = parseFloat(total.max) || 100;
    const actual = actualPoints(data);
    const projection = projectionPoint(total.projection);
    const frame = makeFrame(width, plan, actual, projection, max);

    const root = svg("svg", {
      class: "chart",
      viewBox: `0 0 ${frame.width} ${frame.height}`,
      width: frame.width,
      height: frame.height,
      role: "img",
      "aria-label": chartLabel(total),
    });
    root.append(...yAxis(frame), ...xAxis(frame));
    const start = D.dayValue(plan.start);
    const end = D.dayValue(plan.end);
    if (Number.isFinite(start) && Number.isFinite(end)) {
      root.append(line(frame, [{ x: start, y: 0 }, { x: end, y: max }], "pace"));
    }
    const nearTop = actual.length && frame.sy(actual[actual.length - 1].y) < frame.pad.top + 30;
    if (!nearTop) {
      root.append(...todayMark(frame, D.dayValue(plan.today), plan.state)); // else today's value label says it
    }
    if (actual.length) {
      root.append(area(frame, actual), line(frame, actual, "actual"), ...dots(frame, actual));
      const last = actual[actual.length - 1];
      if (projection) {
        root.append(line(frame, [last, projection], "proj"));
        root.append(dot(frame, projection, "proj-dot", 4), label(frame, projection, projection.label, "proj-label"));
      }
      root.append(label(frame, last, last.label, "value-label"));
    }
    const parts = [root, legend(Boolean(projection))];
    if (!D.list(data.trend).length) {
      parts.push(D.empty(t("web_trend_empty")));
    }
    box.replaceChildren(...parts);
  }

  /** Weekly totals, plus today's total when the plan is running and the last week is behind it. */
  function actualPoints(data) {
    const points = D.list(data.trend)
      .map((p) => ({ x: D.dayValue(p.date), y: parseFloat(p.points), label: p.points }))
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      .sort((a, b) => a.x - b.x);
    const today = D.dayValue(data.plan.today);
    const now = parseFloat(data.total.points);
    const behind = !points.length || points[points.length - 1].x < today;
    if (data.plan.state === "running" && Number.isFinite(today) && Number.isFinite(now) && behind) {
      points.push({ x: today, y: now, label: data.total.points });
    }
    return points;
  }

  function projectionPoint(projection) {
    if (!projection) {
      return null;
    }
    const p = { x: D.dayValue(projection.date), y: parseFloat(projection.points), label: projection.points };
    return Number.isFinite(p.x) && Number.isFinite(p.y) ? p : null;
  }

  function chartLabel(total) {
    const parts = [t("web_trend_label", { points: total.points, max: total.max })];
    if (total.projection) {
      parts.push(t("web_projection", { date: total.projection.date, points: total.projection.points }));
    }
    return parts.filter(Boolean).join(" ");
  }

  /* ---------- geometry ---------- */

  /** Scales and padding: x is time from the plan's start to its end (or the data's, if wider). */
  function makeFrame(width, plan, actual, projection, max) {
    const xs = [D.dayValue(plan.start), D.dayValue(plan.end), ...actual.map((p) => p.x)];
    const ys = [max, ...actual.map((p) => p.y)];
    if (projection) {
      xs.push(projection.x);
      ys.push(projection.y);
    }
    const known = xs.filter(Number.isFinite);
    let x0 = known.length ? Math.min(...known) : Date.UTC(2000, 0, 1);
    let x1 = known.length ? Math.max(...known) : x0 + DAY;
    if (x1 - x0 < DAY) {
      x0 -= DAY;
      x1 += DAY;
    }
    const yTicks = niceTicks(Math.max(...ys.filter(Number.isFinite)));
    const height = Math.round(Math.min(280, Math.max(190, width * 0.52)));
    const pad = { left: 34, right: 18, top: 22, bottom: 26 };
    const yMax = yTicks[yTicks.length - 1];
    return {
      width,
      height,
      pad,
      x0,
      x1,
      yTicks,
      sx: (x) => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right),
      sy: (y) => height - pad.bottom - (y / yMax) * (height - pad.top - pad.bottom),
    };
  }

  /** 0..top in 2–5 round steps (1, 2, 2.5, 5 × 10^k) so the axis has few, clean labels. */
  function niceTicks(top) {
    const limit = top > 0 ? top : 1;
    const magnitude = 10 ** Math.floor(Math.log10(limit));
    const step = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => limit / s <= 4);
    const ticks = [];
    for (let v = 0; v < limit + step * 0.999; v += step) {
      ticks.push(Math.round(v * 1000) / 1000);
    }
    return ticks;
  }

  function yAxis(f) {
    return f.yTicks.flatMap((v) => {
      const y = f.sy(v);
      return [
        svg("line", { class: "gridline", x1: f.pad.left, x2: f.width - f.pad.right, y1: y, y2: y }),
        svg("text", { class: "tick", x: f.pad.left - 6, y: y + 4, "text-anchor": "end", text: String(v) }),
      ];
    });
  }

  function xAxis(f) {
    const y = f.height - 8;
    return xTicks(f).map((tick) => {
      const x = f.sx(tick.x);
      const anchor = x < f.pad.left + 16 ? "start" : x > f.width - 24 ? "end" : "middle";
      return svg("text", { class: "tick", x, y, "text-anchor": anchor, text: tick.text });
    });
  }

  /**
   * Date ticks: the finest of days, weeks, months … whose labels fit side by side without touching.
   * Labels come from the browser's Intl in the page's language, not from a word list of our own.
   */
  function xTicks(f) {
    const plotWidth = f.width - f.pad.left - f.pad.right;
    const locale = document.documentElement.lang || "zh-CN";
    const span = (f.x1 - f.x0) / DAY;
    const options = [];
    for (const days of [1, 7, 14]) {
      if (span / days <= 12) {
        options.push(() => stepDays(f, days, locale));
      }
    }
    for (const months of [1, 2, 3, 6, 12]) {
      options.push(() => stepMonths(f, months, locale));
    }
    for (const make of options) {
      const ticks = make();
      const widest = Math.max(0, ...ticks.map((tick) => textWidth(tick.text)));
      if (ticks.length >= 2 && ticks.length * (widest + 12) <= plotWidth) {
        return ticks;
      }
    }
    return [];
  }

  function stepDays(f, days, locale) {
    const format = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
    const ticks = [];
    for (let x = f.x0; x <= f.x1; x += days * DAY) {
      ticks.push({ x, text: format.format(x) });
    }
    return ticks;
  }

  function stepMonths(f, months, locale) {
    const short = new Intl.DateTimeFormat(locale, { month: "short", timeZone: "UTC" });
    const withYear = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone: "UTC" });
    const first = new Date(f.x0);
    const manyYears = new Date(f.x0).getUTCFullYear() !== new Date(f.x1).getUTCFullYear();
    const ticks = [];
    let year = first.getUTCFullYear();
    let month = first.getUTCMonth() + (first.getUTCDate() === 1 ? 0 : 1);
    for (;;) {
      const x = Date.UTC(year, month, 1);
      if (x > f.x1) {
        break;
      }
      const date = new Date(x);
      if ((date.getUTCMonth() % months) === 0 || months === 1) {
        const yearly = manyYears && (date.getUTCMonth() === 0 || !ticks.length);
        ticks.push({ x, text: (yearly ? withYear : short).format(x) });
      }
      month += 1;
      if (month > 11) {
        month = 0;
        year += 1;
      }
    }
    return ticks;
  }

  /** A label's width at 11 px: CJK characters are square, Latin ones about half as wide. */
  function textWidth(text) {
    let width = 0;
    for (const ch of text) {
      width += /[\u2E80-\uFFFF]/.test(ch) ? 11 : 6.5;
    }
    return width;
  }

  /* ---------- marks ---------- */

  function line(f, points, cls) {
    const d = points.map((p, i) => `${i ? "L" : "M"}${f.sx(p.x).toFixed(1)},${f.sy(p.y).toFixed(1)}`).join("");
    return svg("path", { class: cls, d });
  }

  function area(f, points) {
    const base = f.sy(0).toFixed(1);
    const first = f.sx(points[0].x).toFixed(1);
    const last = f.sx(points[points.length - 1].x).toFixed(1);
    const top = points.map((p) => `L${f.sx(p.x).toFixed(1)},${f.sy(p.y).toFixed(1)}`).join("");
    return svg("path", { class: "area", d: `M${first},${base}${top}L${last},${base}Z` });
  }

  function dot(f, p, cls, r) {
    return svg("circle", { class: cls, cx: f.sx(p.x).toFixed(1), cy: f.sy(p.y).toFixed(1), r });
  }

  function dots(f, points) {
    return points.map((p, i) => dot(f, p, i === points.length - 1 ? "dot now" : "dot", i === points.length - 1 ? 4.5 : 2.5));
  }

  /** A value label above its point, kept inside the chart. */
  function label(f, p, text, cls) {
    const x = f.sx(p.x);
    const y = f.sy(p.y);
    const anchor = x > f.width - 30 ? "end" : x < f.pad.left + 20 ? "start" : "middle";
    const above = y - 9 > f.pad.top + 4; // clear of the "today" label
    return svg("text", { class: cls, x: x.toFixed(1), y: (above ? y - 9 : y + 18).toFixed(1), "text-anchor": anchor, text });
  }

  /** A faint vertical line at today, labelled at the top, while the plan is running. */
  function todayMark(f, today, state) {
    if (state !== "running" || !Number.isFinite(today) || today < f.x0 || today > f.x1) {
      return [];
    }
    const x = f.sx(today);
    const anchor = x > f.width - 30 ? "end" : "middle";
    return [
      svg("line", { class: "today", x1: x, x2: x, y1: f.pad.top - 4, y2: f.height - f.pad.bottom }),
      svg("text", { class: "today-label", x, y: f.pad.top - 8, "text-anchor": anchor, text: t("web_today_mark") }),
    ];
  }

  function legend(withProjection) {
    const item = (cls, text) => el("li", null, el("span", { class: `sw ${cls}`, "aria-hidden": "true" }), text);
    return el(
      "ul",
      { class: "legend chart-legend" },
      item("sw-actual", t("web_legend_actual")),
      item("sw-pace", t("web_legend_pace")),
      withProjection ? item("sw-proj", t("web_legend_projection")) : null,
    );
  }

  Object.assign(D, { trendChart, mountCharts });
})();
