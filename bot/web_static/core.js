/* Duban board: shared helpers (texts, DOM builders, the JSON API, dates and statuses).
 *
 * Every other script adds to the one global `Duban` object defined here. No library, no build step:
 * the page must run on an intranet with no internet and under a strict Content-Security-Policy, so
 * all nodes are built with createElement / createElementNS and every piece of data goes in through
 * textContent (never innerHTML).
 */
"use strict";

window.Duban = (() => {
  // The API lives next to the static folder: /web/static/core.js -> /web/api/. Deriving it from our
  // own address keeps the page working if the server is ever mounted under another prefix.
  const scriptUrl = document.currentScript ? document.currentScript.src : location.href;
  const apiBase = new URL("../api/", scriptUrl);

  /* ---------- texts ---------- */

  let texts = {};

  /** The member's text for `key` with `{name}` placeholders filled; "" when the server lacks it. */
  function t(key, params) {
    const text = texts[key];
    if (typeof text !== "string") {
      return "";
    }
    if (!params) {
      return text;
    }
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  function setTexts(received) {
    texts = received && typeof received === "object" ? received : {};
  }

  function hasTexts() {
    return Object.keys(texts).length > 0;
  }

  /* ---------- DOM builders ---------- */

  /**
   * Build an HTML element. `attrs` keys: `class`, `text` (textContent), `testid` (data-testid),
   * `hidden` (boolean), anything else as an attribute. Children may be nodes, strings (text nodes),
   * or null/false (skipped), so optional parts can be written inline.
   */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    applyAttrs(node, attrs);
    append(node, children);
    return node;
  }

  /** Build an SVG element (same `attrs` conventions as `el`). */
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    applyAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function applyAttrs(node, attrs) {
    if (!attrs) {
      return;
    }
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (name === "text") {
        node.textContent = String(value);
      } else if (name === "class") {
        node.setAttribute("class", value);
      } else if (name === "testid") {
        node.setAttribute("data-testid", value);
      } else if (name === "style") {
        throw new Error("inline styles are forbidden by the page's CSP");
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    }
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false || child === "") {
        continue;
      }
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  /** Set a bar's width from two display strings ("4.8", "6"); parsing is for geometry only. */
  function setWidth(node, part, whole) {
    node.style.width = `${percent(part, whole)}%`;
  }

  function percent(part, whole) {
    const p = parseFloat(part);
    const w = parseFloat(whole);
    if (!Number.isFinite(p) || !Number.isFinite(w) || w <= 0) {
      return 0;
    }
    return Math.max(0, Math.min(100, (p / w) * 100));
  }

  /* ---------- the JSON API ---------- */

  /** A failed API call: `status` 0 means the network failed; `body` is the parsed answer or null. */
  class ApiError extends Error {
    constructor(status, body) {
      super(`API ${status}`);
      this.status = status;
      this.body = body;
    }

    /** The server's own explanation (sign-in, refusal), if it sent one. */
    get serverMessage() {
      return this.body && typeof this.body.message === "string" ? this.body.message : "";
    }
  }

  async function request(path, options) {
    let response;
    try {
      response = await fetch(new URL(path, apiBase), {
        credentials: "same-origin",
        cache: "no-store",
        ...options,
        headers: { Accept: "application/json", ...(options && options.headers) },
      });
    } catch {
      throw new ApiError(0, null); // offline, DNS, connection reset
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null; // not JSON (a proxy's error page, an empty answer)
    }
    if (!response.ok) {
      throw new ApiError(response.status, body);
    }
    return body;
  }

  const api = {
    get: (path) => request(path),
    post: (path, data) =>
      request(path, { method: "POST", body: JSON.stringify(data), headers: { "Content-Type": "application/json" } }),
    url: (path) => new URL(path, apiBase).href,
  };

  /* ---------- dates (geometry only: every shown date is the server's string) ---------- */

  /** "2022-09-20" or "2022-09-20 10:31" -> milliseconds (UTC midnight of that day), or NaN. */
  function dayValue(text) {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text || "");
    return match ? Date.UTC(+match[1], +match[2] - 1, +match[3]) : NaN;
  }

  /* ---------- statuses ---------- */

  // Task-share statuses with their glyph, so colours also read in grey scale.
  const STATUS_GLYPHS = { done: "✓", doing: "…", blocked: "!", overdue: "×", not_started: "○", none: "" };
  const STATUS_ORDER = ["done", "doing", "blocked", "overdue", "not_started"];

  /** The server may say "todo" (the bot's word) for not started; anything unknown reads as such. */
  function normalStatus(status) {
    if (status === "todo") {
      return "not_started";
    }
    return status in STATUS_GLYPHS ? status : "not_started";
  }

  /** A coloured status pill: glyph plus word. */
  function statusChip(status) {
    const s = normalStatus(status);
    return el(
      "span",
      { class: `chip st-${s}` },
      el("span", { class: "glyph", "aria-hidden": "true", text: STATUS_GLYPHS[s] }),
      t(`web_status_${s}`),
    );
  }

  /** Route helpers: codes may be non-ASCII, so they are always encoded. */
  const href = {
    plan: () => "#/",
    unit: (id) => `#/unit/${encodeURIComponent(String(id))}`,
    indicator: (code) => `#/indicator/${encodeURIComponent(String(code))}`,
  };

  return {
    t,
    setTexts,
    hasTexts,
    el,
    svg,
    setWidth,
    percent,
    api,
    ApiError,
    dayValue,
    STATUS_GLYPHS,
    STATUS_ORDER,
    normalStatus,
    statusChip,
    href,
    views: {},
  };
})();
