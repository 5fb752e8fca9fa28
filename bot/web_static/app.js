/* Duban board: start-up, sign-in hand-over, routing, live updates.
 *
 * Order of events: (Telegram only) hand the Mini App's initData to the server; then /me, /texts and
 * the view for the current hash. After that the page only refetches when the server says something
 * changed (server-sent events), when the page becomes visible again, or when the hash changes.
 */
"use strict";

(() => {
  const D = window.Duban;
  const { el, t } = D;

  const app = {
    me: null,
    route: null,
    loadSeq: 0, // the latest load wins; older answers are dropped
    refreshTimer: 0,
  };

  /* ---------- start-up and sign-in ---------- */

  async function boot() {
    const initData = telegramInitData();
    if (initData !== null) {
      try {
        await D.api.post("telegram", { init_data: initData });
      } catch (error) {
        refuse(error);
        return;
      }
      history.replaceState(null, "", location.pathname + location.search);
    }
    try {
      app.me = await D.api.get("me");
      D.setTexts(await D.api.get("texts"));
    } catch (error) {
      refuse(error);
      return;
    }
    document.documentElement.lang = app.me.lang === "en" ? "en" : "zh-CN";
    document.title = t("web_title");
    showChrome();
    window.addEventListener("hashchange", () => navigate());
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("resize", onResize);
    live.start();
    navigate();
  }

  /** Telegram opens the Mini App with `#tgWebAppData=<initData>&tgWebAppVersion=…`; null otherwise. */
  function telegramInitData() {
    if (!location.hash.includes("tgWebAppData=")) {
      return null;
    }
    return new URLSearchParams(location.hash.slice(1)).get("tgWebAppData") || "";
  }

  function showChrome() {
    const brand = document.getElementById("brand");
    brand.textContent = t("web_title");
    brand.setAttribute("href", app.me.scope === "unit" && app.me.unit ? D.href.unit(app.me.unit.id) : D.href.plan());
    document.getElementById("who").textContent = app.me.member ? app.me.member.name : "";
    document.getElementById("topbar").hidden = false;
  }

  /**
   * No session (401), a refusal (403) or a failure before anything is shown: the server's own
   * message and nothing else. The page holds no words of its own before /texts has arrived.
   */
  function refuse(error) {
    const signin = error.status === 401 || Boolean(error.body && error.body.error === "signin");
    if (signin) {
      live.stop(); // the session is gone: nothing more will come until a new sign-in link
    }
    D.panel.close();
    const started = Boolean(app.me) && D.hasTexts(); // the chrome exists only after /me and /texts
    document.getElementById("topbar").hidden = signin || !started;
    const fallback = t(error.status === 0 ? "web_offline_error" : error.status === 404 ? "web_not_found" : "web_error");
    const message = error.serverMessage || fallback || `⚠ ${error.status || ""}`.trim();
    const card = el(
      "div",
      { class: `gate-card${signin ? " signin" : ""}`, role: "alert" },
      gateIcon(signin),
      el("p", { testid: "signin-message", text: message }),
    );
    if (!signin && started && app.route && error.status !== 403 && error.status !== 404) {
      const retry = el("button", { type: "button", class: "show-more", text: t("web_retry") });
      retry.addEventListener("click", () => load(false));
      card.append(retry);
    }
    if (!signin && started) {
      card.append(el("a", { class: "more", href: homeHref(), text: t("web_back_home") }));
    }
    setMain([card], false);
  }

  /** A padlock (sign in) or a warning sign, drawn: emoji fonts are missing on many intranet PCs. */
  function gateIcon(signin) {
    const { svg } = D;
    const shapes = signin
      ? [svg("rect", { x: 9, y: 21, width: 30, height: 22, rx: 4 }), svg("path", { d: "M15 21v-6a9 9 0 0 1 18 0v6", class: "stroke" })]
      : [svg("path", { d: "M24 6 44 41H4Z" }), svg("path", { d: "M24 18v11M24 34v2", class: "cut" })];
    return svg("svg", { class: "gate-icon", viewBox: "0 0 48 48", width: 44, height: 44, "aria-hidden": "true" }, ...shapes);
  }

  /* ---------- routing and rendering ---------- */

  function parseRoute() {
    const hash = location.hash.replace(/^#/, "");
    let match = /^\/unit\/([^/]+)$/.exec(hash);
    if (match) {
      return { view: "unit", key: safeDecode(match[1]) };
    }
    match = /^\/indicator\/(.+)$/.exec(hash);
    if (match) {
      return { view: "indicator", key: safeDecode(match[1]) };
    }
    return { view: "plan", key: "" };
  }

  function safeDecode(text) {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  }

  function homeHref() {
    return app.me && app.me.scope === "unit" && app.me.unit ? D.href.unit(app.me.unit.id) : D.href.plan();
  }

  function apiPath(route) {
    if (route.view === "unit") {
      return `unit/${encodeURIComponent(route.key)}`;
    }
    if (route.view === "indicator") {
      return `indicator/${encodeURIComponent(route.key)}`;
    }
    return "plan";
  }

  /** A new hash: a liaison's "#/" becomes their unit; then load and show from the top. */
  function navigate() {
    const route = parseRoute();
    if (route.view === "plan" && app.me.scope === "unit" && app.me.unit) {
      history.replaceState(null, "", D.href.unit(app.me.unit.id));
      navigate();
      return;
    }
    D.panel.close();
    app.route = route;
    load(false);
  }

  /** Fetch the current view's JSON and show it; `refresh` keeps scroll, panel and open details. */
  async function load(refresh) {
    const seq = ++app.loadSeq;
    const route = app.route;
    document.body.classList.add("busy");
    let data;
    try {
      data = await D.api.get(apiPath(route));
    } catch (error) {
      if (seq === app.loadSeq) {
        document.body.classList.remove("busy");
        failed(error, refresh);
      }
      return;
    }
    if (seq !== app.loadSeq) {
      return;
    }
    document.body.classList.remove("busy");
    hideToast();
    setMain(D.views[route.view](data, app.me), refresh);
  }

  function failed(error, refresh) {
    if (error.status === 401 || error.status === 403 || error.status === 404 || !refresh) {
      refuse(error);
      return;
    }
    showToast(t("web_refresh_failed")); // keep what is on screen; the next change or visit retries
  }

  /** Swap the main content. On a refresh, carry over what the reader had open or scrolled. */
  function setMain(nodes, refresh) {
    const main = document.getElementById("main");
    const kept = refresh ? keepState(main) : null;
    main.replaceChildren(...nodes.filter(Boolean));
    main.setAttribute("aria-busy", "false");
    D.mountCharts(main);
    if (kept) {
      restoreState(main, kept);
      D.panel.restore();
    } else {
      window.scrollTo(0, 0);
      const heading = main.querySelector("h1, [role=alert]");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    }
  }

  /** Scroll offsets and open <details>, by their data-keep names. */
  function keepState(main) {
    const kept = { scrollY: window.scrollY, parts: new Map() };
    for (const node of main.querySelectorAll("[data-keep]")) {
      kept.parts.set(node.dataset.keep, { open: node.open, left: node.scrollLeft, top: node.scrollTop });
    }
    return kept;
  }

  function restoreState(main, kept) {
    for (const node of main.querySelectorAll("[data-keep]")) {
      const part = kept.parts.get(node.dataset.keep);
      if (!part) {
        continue;
      }
      if (node.tagName === "DETAILS") {
        node.open = Boolean(part.open);
      }
      node.scrollLeft = part.left;
      node.scrollTop = part.top;
    }
    window.scrollTo(0, kept.scrollY);
  }

  /* ---------- live updates ---------- */

  /** Coalesce bursts of changes (a batch of reports) into one refetch. */
  function scheduleRefresh() {
    if (!app.route) {
      return;
    }
    clearTimeout(app.refreshTimer);
    app.refreshTimer = setTimeout(() => load(true), 300);
  }

  function onVisible() {
    if (document.visibilityState === "visible") {
      live.ensure();
      scheduleRefresh();
    }
  }

  let lastWidth = window.innerWidth;
  let resizeTimer = 0;

  /** Charts are drawn at their pixel width: redraw when the width (not just the height) changes. */
  function onResize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (window.innerWidth !== lastWidth) {
        lastWidth = window.innerWidth;
        D.mountCharts(document.getElementById("main"));
      }
    }, 150);
  }

  /**
   * The event stream. EventSource reconnects by itself after a dropped connection; if the server
   * answers with an error it gives up (CLOSED), so then we reopen it ourselves with a growing delay.
   */
  const live = (() => {
    let source = null;
    let retryTimer = 0;
    let retryDelay = 5000;
    let wasDown = false;

    function start() {
      if (!("EventSource" in window) || source) {
        return;
      }
      setState("connecting");
      source = new EventSource(D.api.url("events"));
      source.addEventListener("open", () => {
        setState("live");
        retryDelay = 5000;
        if (wasDown) {
          wasDown = false;
          scheduleRefresh(); // we may have missed changes while away
        }
      });
      source.addEventListener("change", scheduleRefresh);
      source.addEventListener("error", () => {
        wasDown = true;
        if (source && source.readyState === EventSource.CLOSED) {
          source = null;
          setState("down");
          clearTimeout(retryTimer);
          retryTimer = setTimeout(start, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 120000);
        } else {
          setState("connecting");
        }
      });
    }

    function stop() {
      clearTimeout(retryTimer);
      if (source) {
        source.close();
        source = null;
      }
    }

    /** Back from the background: reopen at once rather than wait out the retry delay. */
    function ensure() {
      if (!source && app.me) {
        clearTimeout(retryTimer);
        start();
      }
    }

    function setState(state) {
      const node = document.getElementById("live");
      const word = { live: "web_live", connecting: "web_reconnecting", down: "web_disconnected" }[state];
      node.dataset.state = state;
      node.querySelector(".live-text").textContent = t(word);
      node.setAttribute("title", t(word));
    }

    return { start, stop, ensure };
  })();

  /* ---------- a small notice for failed refreshes ---------- */

  function showToast(text) {
    const toast = document.getElementById("toast");
    toast.textContent = text;
    toast.hidden = !text;
  }

  function hideToast() {
    showToast("");
  }

  boot();
})();
