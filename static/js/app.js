// gonogo's own script: small touches that htmx does not cover. The pages
// work without it.
(function () {
  "use strict";

  // Dismiss a notice with its close button; info notices also fade on their
  // own. A [data-print] button prints the page.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest(".notice-close");
    if (btn) btn.closest(".notice").remove();
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
