// gonogo's own script: small touches that htmx does not cover. The pages
// work without it.
(function () {
  "use strict";

  // Dismiss a notice with its close button; info notices also fade on their
  // own. A [data-print] button prints the page.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest(".notice-close");
    var box = btn && btn.closest(".notice, .celebration");
    if (box) box.remove();
    if (e.target.closest("[data-print]")) window.print();
  });

  function expire(root) {
    root.querySelectorAll(".notice-info, .notice-ok").forEach(function (n) {
      if (n.dataset.timed) return;
      n.dataset.timed = "1";
      setTimeout(function () { n.remove(); }, 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { expire(document); });
  document.addEventListener("htmx:afterSettle", function () { expire(document); });

  // A celebration goes by itself: its CSS animation hides it after a few
  // seconds (pausing while it is pointed at or focused), and then it leaves
  // the page.
  document.addEventListener("animationend", function (e) {
    if (e.animationName === "celebration-out" && e.target.classList.contains("celebration")) e.target.remove();
  });

  // Live pages: remember the last change seen, so that a stream that has to
  // be opened anew asks for what it missed; keep only the newest notices.
  document.addEventListener("htmx:sseMessage", function (e) {
    var id = e.detail && e.detail.lastEventId;
    var main = document.querySelector("[data-sse-connect]");
    if (id && main) {
      var url = new URL(main.getAttribute("data-sse-connect"), location.href);
      url.searchParams.set("since", id);
      main.setAttribute("data-sse-connect", url.pathname + url.search);
    }
    var live = document.getElementById("live");
    if (live) {
      while (live.children.length > 3) live.lastElementChild.remove();
      Array.prototype.forEach.call(live.children, function (n) {
        if (n.dataset.timed) return;
        n.dataset.timed = "1";
        setTimeout(function () { n.remove(); }, 8000);
      });
    }
  });

  // A live page may fall behind: its stream drops and reconnects, or the
  // fragment a change asks for cannot be fetched. Until it has caught up it
  // says so, in a status region made when the page loads (so that screen
  // readers announce what is put in it later).
  // stale.stream is "" while the stream flows, "reconnecting" while the
  // browser reopens it, "refused" while the server turns it away.
  var stale = { stream: "", fragments: new Set(), region: null };
  function showStale() {
    if (!stale.region) return;
    var text = "";
    if (stale.stream === "refused") text = "This page may be out of date — the server is not taking live updates now; trying again…";
    else if (stale.stream || stale.fragments.size > 0) text = "This page may be out of date — reconnecting…";
    if (stale.region.textContent !== text) stale.region.textContent = text;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.querySelector("[data-sse-connect]");
    if (!main) return;
    stale.region = document.createElement("div");
    stale.region.className = "live-stale";
    stale.region.setAttribute("role", "status");
    stale.region.dataset.testid = "live-stale";
    main.insertBefore(stale.region, main.firstChild);
  });

  // The stream: the browser reopens a stream the server ended (a restart,
  // a page that fell too far behind) by itself, and is then replayed what
  // it missed. A stream the server answered with a refusal (too many live
  // pages, a session that ended, a server shutting down) is closed, and
  // htmx's SSE extension opens a new one later, backing off up to a
  // minute. Either way the page says it may be behind, in the status
  // region, and nothing goes to the console: the extension would log every
  // error event as "[object Event]", so none reaches it. A closed stream's
  // error is handed to it without the event, for it to try again.
  // A page put away (left, or kept in the back/forward cache, which
  // reloads it when it comes back: below) lets its streams go at once:
  // the server counts each open one against the person's live pages.
  var sources = [];
  window.addEventListener("pagehide", function () {
    sources.forEach(function (s) { s.close(); });
    sources = [];
  });
  if (window.htmx) htmx.createEventSource = function (url) {
    var source = new EventSource(url, { withCredentials: true });
    sources = sources.filter(function (s) { return s.readyState !== EventSource.CLOSED; });
    sources.push(source);
    source.addEventListener("open", function () {
      stale.stream = "";
      showStale();
    });
    source.addEventListener("error", function (e) {
      e.stopImmediatePropagation();
      if (source.readyState === EventSource.CONNECTING) {
        stale.stream = "reconnecting";
      } else {
        stale.stream = "refused";
        if (typeof source.onerror === "function") source.onerror.call(source, undefined);
      }
      showStale();
    });
    return source;
  };

  // The fragments a change asks for (data-hx-trigger="sse:..."): one that
  // could not be fetched is asked again, after 1, 2, 4 ... up to 30
  // seconds, all together, until they come.
  var retry = { timer: 0, attempt: 0 };
  function liveTrigger(elt) {
    var spec = elt && elt.getAttribute && elt.getAttribute("data-hx-trigger");
    var m = spec && spec.match(/sse:[^\s,]+/);
    return m ? m[0] : "";
  }
  function retryFragments() {
    retry.timer = 0;
    stale.fragments.forEach(function (elt) {
      if (!document.body.contains(elt)) {
        stale.fragments.delete(elt);
        return;
      }
      htmx.trigger(elt, liveTrigger(elt));
    });
    showStale();
  }
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    if (!liveTrigger(elt)) return;
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    if (status === 0 || status === 408 || status === 429 || status >= 500) {
      stale.fragments.add(elt);
      if (!retry.timer) {
        retry.timer = setTimeout(retryFragments, Math.min(1000 * Math.pow(2, retry.attempt), 30000));
        retry.attempt++;
      }
    } else {
      stale.fragments.delete(elt);
      if (stale.fragments.size === 0) {
        retry.attempt = 0;
        clearTimeout(retry.timer);
        retry.timer = 0;
      }
    }
    showStale();
  });
  // What a failed live fetch brought is not for the reader: the status
  // above says the page is catching up.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    if (liveTrigger(e.detail.elt) && (status === 408 || status === 429 || status >= 500)) e.detail.shouldSwap = false;
  });

  // A swap replaces the element that has the focus (the checklist button
  // just pressed, or any part a live change redraws): the focus stays on
  // its successor, the same button of the same item, the caret where it
  // was, at the same place on the screen. The element is let go of before
  // the swap: removed while focused, Chromium lays the page out with the old
  // part and the new one both in it, and its scroll anchoring jumps by the
  // height of the part (the whole checklist: thousands of pixels). What
  // htmx preserves (data-hx-preserve) it moves over, focus and all.
  var focus = null;
  function focusKey(el) {
    if (el.id) return "#" + CSS.escape(el.id);
    var host = el.parentElement && el.parentElement.closest("[id]");
    if (!host) return "";
    var sel = el.tagName.toLowerCase();
    ["name", "value", "data-testid"].forEach(function (a) {
      var v = el.getAttribute(a);
      if (v) sel += "[" + a + '="' + CSS.escape(v) + '"]';
    });
    return "#" + CSS.escape(host.id) + " " + sel;
  }
  function preserved(el, detail) {
    if (!el.id) return false;
    if (detail.fragment) return !!detail.fragment.querySelector("#" + CSS.escape(el.id) + "[data-hx-preserve]");
    var html = detail.serverResponse || "";
    return html.indexOf("data-hx-preserve") >= 0 && html.indexOf('id="' + el.id + '"') >= 0;
  }
  function letGoOfFocus(e) {
    var target = e.detail && e.detail.target;
    var el = document.activeElement;
    if (e.detail.shouldSwap === false || !target || !el || el === document.body || !target.contains(el) || preserved(el, e.detail)) return;
    var key = focusKey(el);
    if (!key) return;
    focus = { key: key, target: target, top: el.getBoundingClientRect().top, start: el.selectionStart, end: el.selectionEnd };
    el.blur();
  }
  function restoreFocus(e) {
    var last = e.type === "htmx:afterRequest" || e.type === "htmx:afterSettle"; // swapped, or not at all
    if (!focus || (!last && e.detail.target !== focus.target)) return;
    var f = focus;
    focus = null;
    var next = document.querySelector(f.key);
    var active = document.activeElement;
    if (!next || (active && active !== document.body && active !== next)) return; // the reader has moved on
    if (active !== next) {
      next.focus({ preventScroll: true });
      if (typeof f.start === "number" && typeof next.setSelectionRange === "function") {
        try { next.setSelectionRange(f.start, f.end); } catch (err) { /* not a text field */ }
      }
    }
    // What changed above it (a line more on an item) would push it down
    // the screen: the page follows, so it stays where the reader saw it.
    var moved = next.getBoundingClientRect().top - f.top;
    if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
  }
  document.addEventListener("htmx:beforeSwap", letGoOfFocus);
  document.addEventListener("htmx:oobBeforeSwap", letGoOfFocus);
  document.addEventListener("htmx:afterSwap", restoreFocus);
  document.addEventListener("htmx:oobAfterSwap", restoreFocus);
  document.addEventListener("htmx:afterRequest", restoreFocus);
  document.addEventListener("htmx:afterSettle", restoreFocus);

  // When the network or server fails outright, say so instead of doing
  // nothing. A live fragment says so in its own way, above.
  document.addEventListener("htmx:sendError", function (e) {
    if (liveTrigger(e.detail && e.detail.elt)) return;
    var area = document.getElementById("notice");
    if (!area) return;
    area.innerHTML = "";
    var div = document.createElement("div");
    div.className = "notice notice-error";
    div.textContent = "Could not reach the server. Check your connection and try again.";
    area.appendChild(div);
  });
})();

// A signed-in page may be kept by the browser (Cache-Control: private,
// no-cache), and history shows what it kept without asking: whole, from
// the back/forward cache, or from the HTTP cache. Its live stream missed
// what changed meanwhile, and its session may have ended since (signed
// out, expired, disabled), when it must not be shown at all. So a page
// brought back from either is hidden and asked for again: a 304 when
// nothing changed, the sign-in page when the session is over
// (docs/security.md).
(function () {
  "use strict";
  function again() {
    document.documentElement.style.visibility = "hidden";
    window.location.reload();
  }
  window.addEventListener("pagehide", function (e) {
    if (e.persisted) document.documentElement.style.visibility = "hidden";
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) again();
  });
  var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  if (nav && nav.type === "back_forward" && nav.transferSize === 0) again(); // from the HTTP cache, unasked
})();
