// gonogo's forms: touches that make them quicker to use. Every form works
// without this script. A refused form needs nothing of it: the first field
// in error carries autofocus, which browsers honour on a page and htmx
// honours in what it swaps in.
(function () {
  "use strict";

  // A defect's status form always holds its reason field; it shows only
  // while the chosen status sets the defect aside (deferred, won't fix),
  // or while its message says it is needed.
  function showReason(select) {
    var box = document.getElementById(select.getAttribute("data-reason-box"));
    if (!box) return;
    var chosen = select.options[select.selectedIndex];
    var needed = chosen && chosen.hasAttribute("data-sets-aside");
    box.hidden = !needed && !box.querySelector("[aria-invalid=true]");
  }

  function scan(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("select[data-reason-box]").forEach(showReason);
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-reason-box]")) showReason(e.target);
  });
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (e) { scan(e.target); });
})();
