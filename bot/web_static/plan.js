/* Duban board: the plan view (#/), what a leader sees first, top to bottom, phone first. */
"use strict";

(() => {
  const D = window.Duban;
  const { el, t } = D;

  function renderPlan(data) {
    return [
      hero(data.plan),
      el("div", { class: "cols" }, totalCard(data), trendCard(data)),
      el("div", { class: "cols" }, attention(data), gates(D.list(data.gates))),
      indicators(D.list(data.indicators)),
      D.section("grid", t("web_grid_title"), D.taskGrid(data)),
      data.evidence ? evidence(data.evidence) : null,
      D.footer(data.generated_at),
    ];
  }

  /* ---------- header ---------- */

  function hero(plan) {
    return el(
      "header",
      { class: "hero" },
      el("h1", { text: plan.name }),
      el(
        "p",
        { class: "hero-meta" },
        plan.today ? el("span", { text: t("web_today", { date: plan.today }) }) : null,
        el("span", { class: `badge state-${plan.state}`, text: planState(plan) }),
      ),
    );
  }

  function planState(plan) {
    if (plan.state === "archived") {
      return t("web_state_archived");
    }
    if (plan.state === "ended") {
      return t("web_state_ended");
    }
    const days = Number(plan.days_left);
    if (days === 0) {
      return t("web_last_day");
    }
    return t(days === 1 ? "web_days_left_one" : "web_days_left", { days: plan.days_left });
  }

  /* ---------- the total and its trend ---------- */

  function totalCard(data) {
    const total = data.total;
    const change = total.week_change || "";
    const direction = change.startsWith("-") ? "down" : /^\+?0(\.0+)?$/.test(change) ? "flat" : "up";
    return D.section(
      "total",
      t("web_total_title"),
      el(
        "div",
        { class: "total", testid: "total" },
        el("span", { class: "big", text: total.points }),
        el("span", { class: "big-of", text: t("web_out_of", { max: total.max }) }),
        change ? el("span", { class: `delta ${direction}`, text: t("web_week_change", { change }) }) : null,
      ),
      D.scoreBar(total.points, total.max),
      total.bonus_max && total.bonus_max !== "0"
        ? el("p", { class: "bonus-line", text: t("web_bonus_line", { bonus: total.bonus, bonus_max: total.bonus_max }) })
        : null,
      total.projection
        ? el("p", { class: "projection", text: t("web_projection", { date: total.projection.date, points: total.projection.points }) })
        : null,
    );
  }

  function trendCard(data) {
    return D.section("trend", t("web_trend_title"), D.trendChart(data));
  }

  /* ---------- needs attention first ---------- */

  function attention(data) {
    const blocked = D.list(data.blocked);
    const late = D.list(data.late_units)
      .slice()
      .sort((a, b) => Number(b.overdue) - Number(a.overdue));
    if (!blocked.length && !late.length) {
      return D.section("attention", t("web_attention_title"), el("p", { class: "all-clear", text: `✓ ${t("web_attention_none")}` }));
    }
    const most = Number(late[0] && late[0].overdue) || 1;
    return D.section(
      "attention",
      t("web_attention_title"),
      el(
        "div",
        { class: "att-groups" },
        blocked.length
          ? el(
              "div",
              null,
              el("h3", { text: t("web_blocked_title", { n: blocked.length }) }),
              D.collapsible("blocked", el("ul", { class: "blocked" }, blocked.map(blockedItem)), 3),
            )
          : null,
        late.length
          ? el(
              "div",
              null,
              el("h3", { text: t("web_late_title", { n: late.length }) }),
              D.collapsible("late", el("ol", { class: "late" }, late.map((u) => lateUnit(u, most))), 6),
            )
          : null,
      ),
    );
  }

  function blockedItem(item) {
    return el(
      "li",
      { testid: "blocked-item" },
      el(
        "a",
        { href: D.href.unit(item.unit_id), class: "blocked-link" },
        el("span", { class: "blocked-top" }, el("span", { class: "code", text: item.task }), el("b", { text: item.title })),
        el(
          "span",
          { class: "blocked-unit" },
          item.unit,
          item.since ? el("span", { class: "since", text: t("web_blocked_since", { since: item.since }) }) : null,
        ),
        item.note ? el("span", { class: "note", text: item.note }) : null,
      ),
    );
  }

  function lateUnit(unit, most) {
    const fill = el("span", { class: "fill" });
    D.setWidth(fill, String(unit.overdue), String(most));
    return el(
      "li",
      null,
      el(
        "a",
        { href: D.href.unit(unit.id), testid: `late-unit-${unit.id}`, class: "late-link" },
        el("span", { class: "late-name", text: unit.name }),
        el("span", { class: "late-bar", "aria-hidden": "true" }, fill),
        el("span", { class: "late-count", text: t("web_late_count", { n: unit.overdue }) }),
      ),
    );
  }

  /* ---------- gates ---------- */

  const GATE = {
    true: { cls: "met", glyph: "✓", key: "web_gate_met" },
    false: { cls: "not", glyph: "×", key: "web_gate_not_met" },
    null: { cls: "unknown", glyph: "?", key: "web_gate_unknown" },
  };

  function gates(list) {
    if (!list.length) {
      return null;
    }
    const kind = (g) => GATE[String(g.met === true || g.met === false ? g.met : null)];
    const count = (cls) => list.filter((g) => kind(g).cls === cls).length;
    return D.section(
      "gates",
      t("web_gates_title"),
      el("p", { class: "muted", text: t("web_gates_summary", { met: count("met"), not: count("not"), unknown: count("unknown"), n: list.length }) }),
      el(
        "ul",
        { class: "gates" },
        list.map((g) => {
          const k = kind(g);
          return el(
            "li",
            { class: `gate g-${k.cls}`, testid: `gate-${g.code}` },
            el("span", { class: "glyph", "aria-hidden": "true", text: k.glyph }),
            el("span", { class: "code", text: g.code }),
            el("span", { class: "gate-name", text: g.name }),
            el("span", { class: "gate-state", text: t(k.key) }),
          );
        }),
      ),
    );
  }

  /* ---------- indicators ---------- */

  // Which rows show; module state, so it survives live re-renders.
  let filter = "all";
  const FILTERS = {
    all: () => true,
    short: (ind) => D.percent(ind.points, ind.max) < 99.95,
    missing: (ind) => !(ind.reported && ind.figure),
  };

  function indicators(list) {
    const rows = (name) => D.collapsible(`indicators-${name}`, D.indicatorList(list.filter(FILTERS[name])), 12);
    const holder = el("div", null, rows(filter));
    const buttons = Object.keys(FILTERS).map((name) => {
      const button = el(
        "button",
        { type: "button", class: "seg", "aria-pressed": String(name === filter) },
        t(`web_filter_${name}`),
        el("span", { class: "count", text: String(list.filter(FILTERS[name]).length) }),
      );
      button.addEventListener("click", () => {
        filter = name;
        for (const b of buttons) {
          b.setAttribute("aria-pressed", String(b === button));
        }
        holder.replaceChildren(rows(name));
      });
      return button;
    });
    return D.section(
      "indicators",
      t("web_indicators_title"),
      list.length ? el("div", { class: "segs", role: "group", "aria-label": t("web_filter_label") }, buttons) : null,
      holder,
    );
  }

  /* ---------- evidence ---------- */

  const EVIDENCE_STATES = ["accepted", "pending", "rejected", "missing"];

  function evidence(counts) {
    const total = EVIDENCE_STATES.reduce((sum, s) => sum + (Number(counts[s]) || 0), 0);
    const label = t("web_evidence_label", Object.fromEntries(EVIDENCE_STATES.map((s) => [s, counts[s]])));
    const bar = el(
      "div",
      { class: "stack", testid: "evidence-bar", role: "img", "aria-label": label },
      EVIDENCE_STATES.filter((s) => Number(counts[s]) > 0).map((s) => {
        const part = el("span", { class: `seg-${s}`, text: String(counts[s]) });
        D.setWidth(part, String(counts[s]), String(total));
        return part;
      }),
    );
    return D.section(
      "evidence",
      t("web_evidence_title"),
      bar,
      el(
        "ul",
        { class: "legend" },
        EVIDENCE_STATES.map((s) =>
          el("li", null, el("span", { class: `sw-box seg-${s}`, "aria-hidden": "true" }), t(`web_ev_${s}`), el("b", { text: ` ${counts[s]}` })),
        ),
      ),
    );
  }

  D.views.plan = renderPlan;
})();
