// The sale form's "Add item" button: a new item row from the formset's empty form.
(function () {
  "use strict";
  var button = document.getElementById("add-item");
  var total = document.getElementById("id_items-TOTAL_FORMS");
  var template = document.getElementById("item-template");
  if (!button || !total || !template) { return; }
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    document.getElementById("item-rows").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  });
})();
