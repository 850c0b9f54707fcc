// Behaviour shared by the operator pages. The Content-Security-Policy allows no inline script
// or on* attribute: pages declare what they need with data- attributes handled here, and
// page-specific code lives in each app's static/<app>/ files (docs/operations.md, "Headers").
(function () {
  "use strict";

  // <form data-confirm="Question?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <input data-autosubmit>: changing it submits its form.
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) { field.form.submit(); }
  });

  // <button data-copy-from="element-id" data-copied="Copied!">: copy that field's text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.copyFrom);
    if (!field) { return; }
    var text = field.value !== undefined ? field.value : field.textContent.trim();
    function done() {
      if (!button.dataset.copied) { return; }
      var label = button.textContent;
      button.textContent = button.dataset.copied;
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    function fallback() {
      // No Clipboard API (plain HTTP, permission refused): select the text and use the old command.
      if (field.select) { field.select(); }
      if (document.execCommand("copy")) { done(); }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });

  // Tabs loaded by HTMX into #tab-content: keep the tab bar ([data-tab-bar]) in step with the
  // pane shown (clicks, back/forward); a pane names itself with data-tab-key.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "tab-content") { return; }
    var pane = target.querySelector("[data-tab-key]");
    if (!pane) { return; }
    document.querySelectorAll("[data-tab-bar] .nav-link[data-tab]").forEach(function (link) {
      link.classList.toggle("active", link.dataset.tab === pane.dataset.tabKey);
    });
  });

  // <div class="modal" data-show-on-load>: open it when the page opens (the customer's alert).
  function showModals() {
    document.querySelectorAll(".modal[data-show-on-load]").forEach(function (element) {
      window.bootstrap.Modal.getOrCreateInstance(element).show();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showModals);
  } else {
    showModals();
  }
})();
