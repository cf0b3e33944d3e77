// Asking before a step that cannot be undone. A form, or its submit button,
// names in data-confirm the <dialog> the server rendered in the page; the
// dialog opens instead of the form being sent, with the focus on Back.
// Escape and Back close it; Confirm sends the form, from the same button,
// with confirm=1. Without this script the server answers such a form with
// a confirmation page: it never acts on one sent without confirm=1.
(function () {
  "use strict";

  var pending = null; // what Confirm sends: {form, id, submitter, name, value}

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var by = e.submitter;
    var id = (by && by.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!id || form.dataset.confirmed === "1") return;
    var dialog = document.getElementById(id);
    if (!dialog || typeof dialog.showModal !== "function") return; // the server asks
    // Before htmx or the browser sends it.
    e.preventDefault();
    e.stopImmediatePropagation();
    pending = {
      form: form, id: form.id, submitter: by,
      name: by ? by.name : "", value: by ? by.value : ""
    };
    dialog.showModal();
  }, true);

  document.addEventListener("click", function (e) {
    var ok = e.target.closest("[data-confirm-ok]");
    var back = e.target.closest("[data-confirm-cancel]");
    if (!ok && !back) return;
    var dialog = e.target.closest("dialog");
    var p = pending;
    if (dialog) dialog.close();
    if (ok && p) send(p);
  });

  // A dialog closed by Escape or Back forgets what it was asked for.
  document.addEventListener("close", function () { pending = null; }, true);

  // send submits the form that asked, or the form that replaced it if a
  // live update swapped it meanwhile, with confirm=1 from the same button.
  function send(p) {
    var form = p.form.isConnected ? p.form : (p.id && document.getElementById(p.id));
    if (!form) return;
    var by = p.submitter && p.submitter.isConnected ? p.submitter : null;
    if (!by && p.name) {
      by = Array.prototype.find.call(form.elements, function (el) {
        return el.name === p.name && el.value === p.value && el.type === "submit";
      }) || null;
    }
    var flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "confirm";
    flag.value = "1";
    form.appendChild(flag);
    form.dataset.confirmed = "1";
    try {
      if (by && !by.disabled) form.requestSubmit(by); else form.requestSubmit();
    } finally {
      // The form sent its fields just now; should the person come back to
      // this page, the next submit asks again.
      flag.remove();
      delete form.dataset.confirmed;
    }
  }
})();
