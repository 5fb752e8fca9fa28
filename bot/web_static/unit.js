/* Duban board: one unit's page (#/unit/<id>): its tasks with their history, its indicators, the
 * evidence asked of it and its recent activity. A liaison lands here; leaders come from the plan. */
"use strict";

(() => {
  const D = window.Duban;
  const { el, t } = D;

  function renderUnit(data, me) {
    const tasks = D.list(data.tasks);
    return [
      el(
        "header",
        { class: "hero" },
        me.scope === "plan" ? D.backLink(me) : null,
        el("h1", { testid: "unit-title", text: data.unit.name }),
        tasks.length ? statusSummary(tasks) : null,
      ),
      D.section("tasks", t("web_unit_tasks"), tasks.length ? el("ul", { class: "tasks" }, tasks.map(taskCard)) : D.empty(t("web_none_yet"))),
      D.section("indicators", t("web_unit_indicators"), D.indicatorList(D.list(data.indicators))),
      D.section("unit-evidence", t("web_evidence_title"), evidenceList(D.list(data.evidence))),
      D.section("history", t("web_unit_history"), activity(D.list(data.history))),
      D.footer(data.generated_at),
    ];
  }

  /** "✓ 已完成 3 · × 逾期 1 …": the unit's standing in one line. */
  function statusSummary(tasks) {
    const counts = new Map();
    for (const task of tasks) {
      const s = D.normalStatus(task.status);
      counts.set(s, (counts.get(s) || 0) + 1);
    }
    return el(
      "p",
      { class: "summary" },
      D.STATUS_ORDER.filter((s) => counts.has(s)).map((s) => {
        const chip = D.statusChip(s);
        chip.append(` ${counts.get(s)}`);
        return chip;
      }),
    );
  }

  /* ---------- tasks ---------- */

  function taskCard(task) {
    const history = D.list(task.history);
    return el(
      "li",
      { class: `task st-${D.normalStatus(task.status)}` },
      el("div", { class: "task-top" }, el("span", { class: "code", text: task.code }), el("b", { class: "task-title", text: task.title })),
      el("p", { class: "task-meta" }, D.statusChip(task.status), task.deadline ? el("span", { class: "muted", text: t("web_deadline", { date: task.deadline }) }) : null),
      task.note ? el("p", { class: "note", text: task.note }) : el("p", { class: "empty", text: t("web_note_none") }),
      task.note_by || task.note_at ? el("p", { class: "meta", text: D.byLine(task.note_by, task.note_at) }) : null,
      history.length
        ? el(
            "details",
            { class: "hist", "data-keep": `hist-${task.code}` },
            el("summary", { text: t("web_history_count", { n: history.length }) }),
            el("ol", { class: "timeline" }, history.map(historyItem)),
          )
        : null,
    );
  }

  function historyItem(event) {
    return el(
      "li",
      null,
      el("p", { class: "tl-head" }, D.statusChip(event.status), el("span", { class: "meta", text: D.byLine(event.by, event.at) })),
      event.note ? el("p", { class: "note", text: event.note }) : null,
    );
  }

  /* ---------- evidence ---------- */

  function evidenceList(items) {
    if (!items.length) {
      return D.empty(t("web_none_yet"));
    }
    return el(
      "ul",
      { class: "ev-list" },
      items.map((item) =>
        el(
          "li",
          { class: `ev ev-${item.state}` },
          el(
            "a",
            { class: "ev-top", href: D.href.indicator(item.code) },
            el("span", { class: "code", text: item.code }),
            el("b", { text: item.name }),
            el("span", { class: `ev-state seg-${item.state}`, text: t(`web_ev_${item.state}`) || item.state }),
          ),
          item.asked ? el("p", { class: "asked", text: item.asked }) : null,
          el(
            "p",
            { class: "meta" },
            [item.due ? t("web_deadline", { date: item.due }) : "", t(Number(item.files) === 1 ? "web_ev_files_one" : "web_ev_files", { n: item.files })]
              .filter(Boolean)
              .join(" · "),
          ),
        ),
      ),
    );
  }

  /* ---------- recent activity ---------- */

  function activity(items) {
    if (!items.length) {
      return D.empty(t("web_none_yet"));
    }
    return el(
      "ol",
      { class: "activity" },
      items.map((item) => el("li", null, el("span", { class: "what", text: item.what }), el("span", { class: "meta", text: D.byLine(item.by, item.at) }))),
    );
  }

  D.views.unit = renderUnit;
})();
