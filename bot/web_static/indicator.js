/* Duban board: one indicator (#/indicator/<code>): its score, rule, sub-scores, the figures behind
 * it, what would earn the rest, and every report ever made, corrections included. */
"use strict";

(() => {
  const D = window.Duban;
  const { el, t } = D;

  function renderIndicator(data, me) {
    const ind = data.indicator;
    const items = D.list(ind.items);
    const figures = D.list(ind.figure_lines);
    const hints = D.list(ind.hints);
    const units = D.list(ind.units);
    return [
      el(
        "header",
        { class: "hero" },
        D.backLink(me),
        el(
          "h1",
          { testid: "indicator-title" },
          el("span", { class: "code", text: ind.code }),
          ind.name,
          ind.bonus ? el("span", { class: "tag tag-bonus", text: t("web_bonus") }) : null,
        ),
        el("div", { class: "total" }, el("span", { class: "big", text: ind.points }), el("span", { class: "big-of", text: t("web_out_of", { max: ind.max }) })),
        D.scoreBar(ind.points, ind.max),
      ),
      el(
        "div",
        { class: "cols" },
        D.section(
          "now",
          t("web_ind_figures"),
          figures.length ? el("ul", { class: "lines" }, figures.map((line) => el("li", { text: line }))) : D.empty(t("web_no_figure")),
          items.length ? el("h3", { text: t("web_ind_items") }) : null,
          items.length ? el("ul", { class: "items" }, items.map(itemRow)) : null,
          hints.length ? el("h3", { text: t("web_ind_hints") }) : null,
          hints.length ? el("ul", { class: "hints" }, hints.map((h) => el("li", null, el("span", { class: "up", "aria-hidden": "true", text: "↑" }), h))) : null,
        ),
        D.section(
          "rule",
          t("web_ind_rule"),
          ind.rule ? el("p", { class: "rule", text: ind.rule }) : D.empty(t("web_none_yet")),
          ind.evidence ? el("h3", { text: t("web_ind_evidence") }) : null,
          ind.evidence ? el("p", { class: "rule", text: ind.evidence }) : null,
          units.length ? el("h3", { text: t("web_ind_units") }) : null,
          units.length ? D.collapsible(`units-${ind.code}`, el("ul", { class: "unit-tags" }, units.map((u) => el("li", { text: u }))), 12) : null,
        ),
      ),
      D.section("reports", t("web_ind_reports"), reports(D.list(data.reports))),
      D.footer(data.generated_at),
    ];
  }

  /** A sub-score: name, its own bar, "3 / 3". */
  function itemRow(item) {
    return el(
      "li",
      { class: "item" },
      el("span", { class: "item-name", text: item.name }),
      D.pointsText(item.points, item.max),
      D.scoreBar(item.points, item.max),
    );
  }

  /* ---------- reports ---------- */

  const STATES = ["counts", "replaced", "proposal", "rejected"];

  /** Every report, newest first as the server orders them; corrected ones struck through. */
  function reports(list) {
    if (!list.length) {
      return D.empty(t("web_none_yet"));
    }
    return el("ol", { class: "reports" }, list.map(reportRow));
  }

  function reportRow(report) {
    const state = STATES.includes(report.state) ? report.state : "counts";
    const value = el(state === "replaced" ? "s" : "b", { class: "value", text: report.value });
    return el(
      "li",
      { class: `report rp-${state}`, testid: "report-row", "data-state": state },
      el(
        "div",
        { class: "report-top" },
        el("span", { class: "period", text: [report.period, report.item].filter(Boolean).join(" · ") }),
        el("span", { class: `rp-chip rp-${state}`, text: t(`web_report_${state}`) }),
      ),
      value,
      el("p", { class: "meta", text: [report.unit, report.by, report.at].filter(Boolean).join(" · ") }),
    );
  }

  D.views.indicator = renderIndicator;
})();
