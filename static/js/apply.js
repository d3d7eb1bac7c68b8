/* Progressive enhancement: pick regions level by level from the public API and keep the
   category list to the chosen insurance. Without JavaScript the form works as it is. */
(function () {
  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  var form = document.querySelector("form.apply-form");
  if (!form) { return; }
  var placeholder = form.dataset.placeholder;

  function fill(select, regions) {
    select.length = 0;
    select.add(new Option(placeholder, ""));
    regions.forEach(function (r) {
      var option = new Option(r.name, r.code);
      option.dataset.level = r.level;
      select.add(option);
    });
    select.disabled = regions.length === 0;
  }
  function load(select, parent) {
    fill(select, []);
    // Arrowing through the provinces fires one request per step; only the answer for the
    // last choice may fill the list (an earlier one can arrive later).
    select.dataset.parent = parent || "";
    if (!parent) { return; }
    function settle(regions) {
      if (select.dataset.parent === parent) { fill(select, regions); }
    }
    fetch("/api/v1/regions/?parent=" + encodeURIComponent(parent), {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(settle)
      .catch(function () { settle([]); });
  }
  ["from", "from2", "to"].forEach(function (side) {
    var province = document.getElementById("id_" + side + "_province");
    var city = document.getElementById("id_" + side + "_city");
    var county = document.getElementById("id_" + side + "_county");
    if (!province || !city || !county) { return; }
    if (county.length <= 1) { county.disabled = true; }
    if (city.length <= 1) { city.disabled = true; }
    province.addEventListener("change", function () { load(city, province.value); load(county, ""); });
    city.addEventListener("change", function () {
      var chosen = city.options[city.selectedIndex];
      if (chosen && chosen.value && chosen.dataset.level !== "3") { load(county, city.value); }
      else { load(county, ""); }
    });
  });

  var category = document.getElementById("id_category");
  // The insurance of each option group, in order (several groups may share one).
  var insurances = (category.getAttribute("data-group-insurance") || "").split(" ");
  var groups = Array.prototype.slice.call(category.querySelectorAll("optgroup"));
  function filterCategories() {
    var checked = document.querySelector("input[name=insurance]:checked");
    groups.forEach(function (group, i) {
      var off = checked && checked.value !== insurances[i];
      group.hidden = off;
      group.disabled = off;
      if (off && category.selectedOptions[0] && category.selectedOptions[0].parentNode === group) {
        category.value = "";
      }
    });
  }
  document.querySelectorAll("input[name=insurance]").forEach(function (radio) {
    radio.addEventListener("change", filterCategories);
  });
  filterCategories();
})();
