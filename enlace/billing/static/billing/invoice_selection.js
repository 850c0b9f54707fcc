// The customer's finance tab: count the selected open invoices, "select all", and enable the
// buttons that act on a selection. Loaded with the tab (HTMX runs it each time the tab is shown).
(function () {
  "use strict";
  var form = document.getElementById("invoice-selection");
  if (!form || form.dataset.ready) { return; }
  form.dataset.ready = "1";
  var all = document.getElementById("select-all-open");
  function update() {
    var boxes = form.querySelectorAll("input.invoice-check");
    var checked = form.querySelectorAll("input.invoice-check:checked").length;
    document.getElementById("selected-count").textContent = checked;
    form.querySelectorAll("[data-needs-selection]").forEach(function (b) { b.disabled = checked === 0; });
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
  }
  if (all) {
    all.addEventListener("change", function () {
      form.querySelectorAll("input.invoice-check").forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  form.addEventListener("change", update);
  update();
})();
