/* wpsnap's own script: progressive enhancement only; every page works without it. */
(function () {
  "use strict";

  // Leave empty filter fields out of the URL the filter form pushes ("?pillar=protection",
  // not "?agency=&year=&pillar=protection").
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.verb !== "get" || !detail.elt || !detail.elt.classList.contains("filter-form")) {
      return;
    }
    var params = detail.parameters;
    var names = [];
    if (params && typeof params.forEach === "function") {
      params.forEach(function (value, name) {
        if (value === "") { names.push(name); }
      });
    } else if (params) {
      Object.keys(params).forEach(function (name) {
        if (params[name] === "") { names.push(name); }
      });
    }
    names.forEach(function (name) {
      if (typeof params.delete === "function") { params.delete(name); } else { delete params[name]; }
    });
  });

  // The language form returns to the page it was on: keep its "next" in step with the address
  // htmx pushes, so that switching language keeps the filters.
  function followAddress() {
    var next = document.querySelector(".language-form input[name='next']");
    if (next) { next.value = window.location.pathname + window.location.search; }
  }
  document.addEventListener("htmx:pushedIntoHistory", followAddress);
  document.addEventListener("htmx:historyRestore", followAddress);
})();
