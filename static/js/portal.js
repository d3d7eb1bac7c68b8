/* Every page: the language switch submits on change (no inline handlers: Content-Security-Policy). */
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("lang-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
});
