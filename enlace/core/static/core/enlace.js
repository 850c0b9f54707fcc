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

  // The top bar's global search (core/search.py): results drop down while typing (HTMX); arrow
  // keys move through them, Enter opens the one selected (or the results page), Escape closes;
  // "/" anywhere outside a field focuses the box.
  function searchHits() {
    return Array.prototype.slice.call(document.querySelectorAll("#global-search-results .search-hit"));
  }
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search-q");
    if (!box) { return; }
    var inSearch = event.target === box || event.target.closest("#global-search-results");
    if (event.key === "/" && !inSearch && !event.target.closest("input, textarea, select, [contenteditable]")) {
      event.preventDefault();
      box.focus();
      return;
    }
    if (!inSearch) { return; }
    var hits = searchHits();
    var index = hits.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!hits.length) { return; }
      event.preventDefault();
      var next = event.key === "ArrowDown" ? index + 1 : index - 1;
      if (next < 0) { box.focus(); return; }
      hits[Math.min(next, hits.length - 1)].focus();
    } else if (event.key === "Escape") {
      document.getElementById("global-search-results").innerHTML = "";
      box.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var results = document.getElementById("global-search-results");
    if (results && !event.target.closest("#global-search")) { results.innerHTML = ""; }
  });

  // Searchable pickers (core/pickers.py, core/widgets.py PickerSelect): <select data-picker="url">
  // becomes a Tom Select box that asks url?q=<typed> for {results: [{value, text}]};
  // data-picker-depends="branch" sends the value of #id_branch along and clears the choice when
  // that field changes.
  function setUpPickers(root) {
    if (!window.TomSelect) { return; }
    root.querySelectorAll("select[data-picker]").forEach(function (select) {
      if (select.tomselect) { return; }
      var depends = select.dataset.pickerDepends;
      var prefix = select.id.slice(0, select.id.length - select.name.length);
      var other = depends ? document.getElementById(prefix + depends) : null;
      // An answer that arrives after the operator picked (a search typed before the click) must
      // not open the list again: Tom Select reopens it on every load while the box has focus.
      var picked = false;
      var control = new window.TomSelect(select, {
        valueField: "value",
        labelField: "text",
        searchField: [],
        maxOptions: 50,
        loadThrottle: 250,
        preload: "focus",
        placeholder: select.dataset.pickerPlaceholder,
        shouldLoad: function () { return true; },
        load: function (query, callback) {
          var url = select.dataset.picker + "?q=" + encodeURIComponent(query);
          if (other && other.value) { url += "&" + encodeURIComponent(depends) + "=" + encodeURIComponent(other.value); }
          var self = this;
          picked = false;
          self.clearOptions();
          var done = function (results) {
            callback(results);
            if (picked) { self.close(); }
          };
          fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
            .then(function (response) { return response.json(); })
            .then(function (data) { done(data.results); })
            .catch(function () { done(); });
        },
        onItemAdd: function () { picked = true; },
        render: {
          no_results: function () { return '<div class="no-results">' + (select.dataset.pickerEmpty || "") + "</div>"; }
        }
      });
      if (other) {
        other.addEventListener("change", function () { control.clear(); control.clearOptions(); });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpPickers(document); });
  } else {
    setUpPickers(document);
  }
  document.body.addEventListener("htmx:afterSettle", function (event) { setUpPickers(event.detail.elt || document); });

  // <input data-money>: show the amount the Brazilian way when leaving the box ("1234.5" → "1.234,50").
  document.addEventListener("blur", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-money]") || !input.value.trim()) { return; }
    var text = input.value.replace(/[\sR$]/g, "");
    var last = Math.max(text.lastIndexOf(","), text.lastIndexOf("."));
    var integer = text, fraction = "";
    if (last >= 0 && text.length - last - 1 <= 2 && (text.split(text[last]).length === 2)) {
      integer = text.slice(0, last); fraction = text.slice(last + 1);
    }
    integer = integer.replace(/[.,]/g, "");
    if (!/^-?\d+$/.test(integer) || !/^\d*$/.test(fraction)) { return; }
    var value = Number(integer + "." + (fraction || "0"));
    input.value = value.toLocaleString("pt-BR", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }, true);

  // Table cells cut with "…" (enlace.css): their full text as a tooltip.
  document.addEventListener("mouseover", function (event) {
    var cell = event.target.closest && event.target.closest(".table td");
    if (cell && !cell.title && cell.scrollWidth > cell.clientWidth) { cell.title = cell.textContent.trim(); }
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
