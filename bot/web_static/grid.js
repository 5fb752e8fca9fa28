/* Duban board: the tasks × units grid and its detail panel.
 *
 * A plan can have 60+ units, so the grid scrolls inside its own box (task column and unit row
 * sticky) rather than widening the page. A cell tapped (or hovered with a mouse) opens one shared
 * panel with the latest progress note; the panel survives live re-renders while its cell exists.
 */
"use strict";

(() => {
  const D = window.Duban;
  const { el, t } = D;

  /* ---------- the grid ---------- */

  let lookup = { tasks: new Map(), units: new Map(), cells: new Map() };

  function cellKey(task, unitId) {
    return `${task}\u0000${unitId}`;
  }

  function taskGrid(data) {
    const tasks = D.list(data.tasks);
    const units = D.list(data.units);
    lookup = {
      tasks: new Map(tasks.map((task) => [String(task.code), task])),
      units: new Map(units.map((unit) => [String(unit.id), unit])),
      cells: new Map(D.list(data.cells).map((c) => [cellKey(c.task, c.unit_id), c])),
    };
    if (!tasks.length || !units.length) {
      return D.empty(t("web_none_yet"));
    }
    const table = el(
      "table",
      { class: "grid", "aria-labelledby": "h-grid" },
      el("thead", null, el("tr", null, el("th", { class: "corner", scope: "col", text: t("web_task_col") }), units.map(unitHead))),
      el("tbody", null, tasks.map((task) => taskRow(task, units))),
    );
    table.addEventListener("click", onGridClick);
    table.addEventListener("pointerover", onGridHover);
    table.addEventListener("pointerleave", onGridLeave);
    const box = el("div", { class: "grid-box", "data-keep": "grid", tabindex: "0", "aria-labelledby": "h-grid" }, table);
    box.addEventListener("scroll", () => panel.follow(), { passive: true });
    return el(
      "div",
      null,
      units.length > 8 ? el("p", { class: "hint", text: t("web_grid_hint", { n: units.length }) }) : null,
      box,
      gridLegend(),
    );
  }

  function unitHead(unit) {
    return el(
      "th",
      { scope: "col", class: "unit-head" },
      el(
        "a",
        { href: D.href.unit(unit.id), title: unit.name, "aria-label": unit.name },
        el("span", { class: "vt", text: unit.short || unit.name }),
      ),
    );
  }

  function taskRow(task, units) {
    const head = el(
      "th",
      { scope: "row", class: "task-head" },
      el(
        "button",
        { type: "button", class: "task-btn", "data-task": task.code, "aria-label": `${task.code} ${task.title}` },
        el("span", { class: "tcode", text: task.code }),
        el("span", { class: "ttitle", text: task.title }),
        el("span", { class: "tprog", text: `${task.done}/${task.total}` }),
      ),
    );
    return el("tr", null, head, units.map((unit) => cell(task, unit)));
  }

  function cell(task, unit) {
    const data = lookup.cells.get(cellKey(task.code, unit.id));
    const status = data ? D.normalStatus(data.status) : "none";
    const td = el("td", { class: `c st-${status}`, "data-status": status, testid: `cell-${task.code}-${unit.id}` });
    if (status !== "none") {
      td.append(
        el("button", {
          type: "button",
          class: "cell-btn",
          "data-task": task.code,
          "data-unit": unit.id,
          "aria-label": t("web_cell_label", { task: task.code, unit: unit.name, status: t(`web_status_${status}`) }),
          text: D.STATUS_GLYPHS[status],
        }),
      );
    }
    return td;
  }

  /** Counts per status, so the colours are explained and the whole grid is summed up at once. */
  function gridLegend() {
    const counts = Object.fromEntries(D.STATUS_ORDER.map((s) => [s, 0]));
    for (const c of lookup.cells.values()) {
      counts[D.normalStatus(c.status)] += 1;
    }
    return el(
      "ul",
      { class: "legend grid-legend" },
      D.STATUS_ORDER.map((s) =>
        el(
          "li",
          null,
          el("span", { class: `sw-cell st-${s}`, "aria-hidden": "true", text: D.STATUS_GLYPHS[s] }),
          `${t(`web_status_${s}`)} ${counts[s]}`,
        ),
      ),
      el("li", null, el("span", { class: "sw-cell st-none", "aria-hidden": "true" }), t("web_status_none")),
    );
  }

  /* ---------- pointer handling ---------- */

  const mouse = window.matchMedia("(hover: hover) and (pointer: fine)");

  function onGridClick(event) {
    const cellBtn = event.target.closest(".cell-btn");
    if (cellBtn) {
      panel.open({ kind: "cell", task: cellBtn.dataset.task, unit: cellBtn.dataset.unit, pinned: true });
      return;
    }
    const taskBtn = event.target.closest(".task-btn");
    if (taskBtn) {
      panel.open({ kind: "task", task: taskBtn.dataset.task, pinned: true });
    }
  }

  function onGridHover(event) {
    if (!mouse.matches || event.pointerType !== "mouse" || panel.pinned()) {
      return;
    }
    const cellBtn = event.target.closest(".cell-btn");
    if (cellBtn) {
      panel.open({ kind: "cell", task: cellBtn.dataset.task, unit: cellBtn.dataset.unit, pinned: false });
    }
  }

  function onGridLeave(event) {
    if (event.pointerType === "mouse" && !panel.pinned()) {
      panel.close();
    }
  }

  /* ---------- the panel ---------- */

  const panel = (() => {
    let state = null; // {kind, task, unit, pinned}
    let anchor = null;

    const node = () => document.getElementById("panel");

    /** The grid element the panel belongs to, looked up afresh (re-renders replace the grid). */
    function findAnchor(s) {
      if (s.kind === "cell") {
        return document.querySelector(`[data-testid="cell-${CSS.escape(s.task)}-${CSS.escape(String(s.unit))}"]`);
      }
      const btn = document.querySelector(`.task-btn[data-task="${CSS.escape(s.task)}"]`);
      return btn ? btn.closest("th") : null;
    }

    function open(next) {
      const target = findAnchor(next);
      const content = target ? body(next) : null;
      if (!content) {
        close();
        return;
      }
      if (anchor) {
        anchor.classList.remove("sel");
      }
      state = next;
      anchor = target;
      anchor.classList.add("sel");
      const box = node();
      box.replaceChildren(...content);
      box.hidden = false;
      box.classList.toggle("pinned", next.pinned);
      follow();
    }

    function close() {
      if (anchor) {
        anchor.classList.remove("sel");
      }
      state = null;
      anchor = null;
      const box = node();
      if (box) {
        box.hidden = true;
        box.replaceChildren();
      }
    }

    /** After a live re-render: reopen on the new cell with its new note, or close if it is gone. */
    function restore() {
      if (state) {
        open(state);
      }
    }

    /** Wide screens: float beside the anchor. Phones: a bottom sheet (CSS), nothing to place. */
    function follow() {
      const box = node();
      if (!state || !anchor || box.hidden) {
        return;
      }
      if (window.innerWidth < 720) {
        box.style.left = "";
        box.style.top = "";
        return;
      }
      const rect = anchor.getBoundingClientRect();
      const width = box.offsetWidth;
      const height = box.offsetHeight;
      const left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
      const below = rect.bottom + 6 + height < window.innerHeight;
      const top = below ? rect.bottom + 6 : Math.max(8, rect.top - height - 6);
      box.style.left = `${Math.round(left + window.scrollX)}px`;
      box.style.top = `${Math.round(top + window.scrollY)}px`;
    }

    function body(s) {
      const task = lookup.tasks.get(String(s.task));
      if (!task) {
        return null;
      }
      if (s.kind === "task") {
        return [
          head(task.code, task.title),
          el("p", { class: "muted", text: t("web_deadline", { date: task.deadline }) }),
          el("p", null, t("web_task_progress", { done: task.done, total: task.total })),
        ];
      }
      const unit = lookup.units.get(String(s.unit));
      const c = lookup.cells.get(cellKey(s.task, s.unit));
      if (!unit || !c) {
        return null;
      }
      return [
        head(`${task.code} · ${unit.name}`, task.title),
        el("p", { class: "panel-status" }, D.statusChip(c.status), task.deadline ? el("span", { class: "muted", text: t("web_deadline", { date: task.deadline }) }) : null),
        c.note ? el("p", { class: "note", text: c.note }) : el("p", { class: "empty", text: t("web_note_none") }),
        c.note_by || c.note_at ? el("p", { class: "meta", text: D.byLine(c.note_by, c.note_at) }) : null,
        el("a", { class: "more", href: D.href.unit(unit.id), text: `${t("web_open_unit")} →` }),
      ];
    }

    function head(title, subtitle) {
      const closeBtn = el("button", { type: "button", class: "close", "aria-label": t("web_close"), text: "×" });
      closeBtn.addEventListener("click", close);
      return el("div", { class: "panel-head" }, el("div", null, el("h3", { text: title }), el("p", { class: "muted", text: subtitle })), closeBtn);
    }

    return { open, close, restore, follow, pinned: () => Boolean(state && state.pinned), isOpen: () => Boolean(state) };
  })();

  // Close a pinned panel on Escape or a tap elsewhere; keep it placed on scroll and resize.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      panel.close();
    }
  });
  document.addEventListener("click", (event) => {
    if (panel.isOpen() && !event.target.closest("#panel, .cell-btn, .task-btn")) {
      panel.close();
    }
  });
  window.addEventListener("resize", () => panel.follow());

  Object.assign(D, { taskGrid, panel });
})();
