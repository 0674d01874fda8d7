// Teilhabe: the little JavaScript the pages need. Everything works without it.
document.addEventListener("DOMContentLoaded", function () {
  // Forms with data-confirm ask before a destructive action.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
