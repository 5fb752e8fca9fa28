/* Duban board: pieces shared by the views (sections, bars, indicator rows, back links, footer). */
"use strict";

(() => {
  const D = window.Duban;
  const { el, t } = D;

  /** A titled card; `id` names the heading so the content can point back to it (aria-labelledby). */
  function section(id, title, ...content) {
    const headingId = `h-${id}`;
    return el(
      "section",
      { class: `card sec-${id}`, "aria-labelledby": headingId },
      el("h2", { id: headingId, text: title }),
      ...content,
    );
  }

  /** A muted line for an empty list, so a section never just vanishes without saying why. */
  function empty(text) {
    return el("p", { class: "empty", text });
  }

  /** A horizontal score bar: coloured by how much of the maximum is earned. */
  function scoreBar(points, max) {
    const share = D.percent(points, max);
    const level = share >= 99.95 ? "full" : share >= 60 ? "good" : share > 0 ? "low" : "zero";
    const fill = el("span", { class: "fill" });
    D.setWidth(fill, points, max);
    return el("span", { class: `bar lvl-${level}`, "aria-hidden": "true" }, fill);
  }

  /** "4.8 / 6" as given by the server (never reformatted). */
  function pointsText(points, max) {
    return el("span", { class: "pts" }, el("b", { text: points }), el("span", { class: "of", text: ` / ${max}` }));
  }

  /**
   * One indicator as a tappable row (plan and unit views): code, name, bar, points, the figure
   * behind them, who reported it and when, and what would earn the rest.
   */
  function indicatorRow(ind) {
    const hasFigure = Boolean(ind.reported && ind.figure);
    const row = el(
      "a",
      {
        class: `ind${hasFigure ? "" : " no-figure"}${ind.bonus ? " bonus" : ""}`,
        href: D.href.indicator(ind.code),
        testid: `indicator-${ind.code}`,
      },
      el(
        "span",
        { class: "ind-head" },
        el("span", { class: "code", text: ind.code }),
        el("span", { class: "ind-name", text: ind.name }),
        ind.bonus ? el("span", { class: "tag tag-bonus", text: t("web_bonus") }) : null,
        pointsText(ind.points, ind.max),
      ),
      scoreBar(ind.points, ind.max),
      hasFigure
        ? el("span", { class: "figure", text: ind.figure })
        : el("span", { class: "figure missing", text: t("web_no_figure") }),
      hasFigure && (ind.reported_by || ind.reported_at)
        ? el("span", { class: "meta", text: byLine(ind.reported_by, ind.reported_at) })
        : null,
      ind.rest ? el("span", { class: "rest" }, el("span", { class: "up", "aria-hidden": "true", text: "↑" }), ind.rest) : null,
    );
    return row;
  }

  /** "张敏 · 2022-09-02 15:20" with whichever parts exist. */
  function byLine(by, at) {
    return [by, at].filter(Boolean).join(" · ");
  }

  /** A list of indicator rows, or the empty line. */
  function indicatorList(indicators) {
    if (!indicators.length) {
      return empty(t("web_none_yet"));
    }
    return el(
      "ul",
      { class: "ind-list" },
      indicators.map((ind) => el("li", null, indicatorRow(ind))),
    );
  }

  /** The way back: leaders go to the plan, a liaison to their unit. */
  function backLink(me) {
    if (me.scope === "plan") {
      return el("a", { class: "back", href: D.href.plan(), text: `← ${t("web_back")}` });
    }
    if (me.unit) {
      return el("a", { class: "back", href: D.href.unit(me.unit.id), text: `← ${t("web_back_unit")}` });
    }
    return null;
  }

  function footer(generatedAt) {
    return el("footer", { class: "foot" }, generatedAt ? t("web_updated", { time: generatedAt }) : "");
  }

  // Lists the reader expanded, by name; module state, so a live re-render keeps them expanded.
  const expanded = new Set();

  /**
   * A long list shows its first `limit` items and a button for the rest. Every item stays in the
   * page (the rest are only hidden), so counts and tests see the whole list.
   */
  function collapsible(name, listNode, limit) {
    const items = Array.from(listNode.children);
    if (items.length <= limit + 1) {
      return listNode;
    }
    const button = el("button", { type: "button", class: "show-more", "aria-expanded": "false" });
    const show = (open) => {
      items.forEach((item, i) => {
        item.hidden = !open && i >= limit;
      });
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? t("web_show_less") : t("web_show_all", { n: items.length });
    };
    button.addEventListener("click", () => {
      const open = !expanded.has(name);
      if (open) {
        expanded.add(name);
      } else {
        expanded.delete(name);
      }
      show(open);
    });
    show(expanded.has(name));
    return el("div", null, listNode, button);
  }

  /** The value if it is a list, else []: any field may come empty or missing from the server. */
  function list(value) {
    return Array.isArray(value) ? value : [];
  }

  Object.assign(D, { section, empty, scoreBar, pointsText, indicatorRow, indicatorList, byLine, backLink, footer, list, collapsible });
})();
