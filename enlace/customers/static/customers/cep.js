// SPEC A-1: the CEP lookup answers with the "cepFound" event (HX-Trigger); copy the address into
// the form (the customer's address, or the billing address when detail.target is "billing").
document.body.addEventListener("cepFound", function (evt) {
  "use strict";
  var d = evt.detail || {};
  var prefix = d.target === "billing" ? "billing_" : "";
  function set(name, value) {
    var el = document.getElementById("id_" + prefix + name);
    if (el && value !== undefined && value !== null && value !== "") {
      el.value = value;
      el.dispatchEvent(new Event("change"));
    }
  }
  set("street", d.street);
  set("neighborhood", d.neighborhood);
  var city = document.getElementById("id_" + prefix + "city");
  if (city && city.tomselect && d.city) {
    // A searchable picker (core/pickers.py) holds only the chosen city: add the one found.
    city.tomselect.addOption({value: String(d.city), text: d.city_name + "/" + d.state});
    city.tomselect.setValue(String(d.city));
  } else {
    set("city", String(d.city));
  }
  var state = document.getElementById(prefix + "state-display");
  if (state) { state.value = d.state || ""; }
  var number = document.getElementById("id_" + prefix + "number");
  if (number && !number.value && d.street) { number.focus(); }
});
