// Financeiro ➜ Notas fiscais: the header checkbox selects every row of the page (the table is
// replaced by HTMX when filtering, so the listener is on the document).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (event.target.id !== "fiscal-check-all") { return; }
    document.querySelectorAll("input.fiscal-check").forEach(function (box) { box.checked = event.target.checked; });
  });
})();
