/* Shared by every page (loaded with defer, no inline script anywhere).
   After a refused submission the form's error summary (templates/includes/error_summary.html)
   takes the focus, so a screen reader reads it out and Tab continues from it to the fields. */
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
