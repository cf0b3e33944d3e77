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

  // When the network or server fails outright, say so instead of doing nothing.
  document.addEventListener("htmx:sendError", function () {
    var area = document.getElementById("notice");
    if (!area) return;
    area.innerHTML = "";
    var div = document.createElement("div");
    div.className = "notice notice-error";
    div.textContent = "Could not reach the server. Check your connection and try again.";
    area.appendChild(div);
  });
})();
