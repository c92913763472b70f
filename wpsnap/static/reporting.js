/* The report form, enhanced: live row, column and grand sums of each disaggregation table; the
   total filled in from the parts while it is blank; a total that does not match the parts flagged
   next to it before the server checks; the autosave status kept readable.
   Progressive enhancement only: without this script the server fills a blank total and checks
   the sums, and the page says the same things. No inline code anywhere (the CSP refuses it). */
(function () {
  "use strict";

  var EPSILON = 1e-9;

  // A typed number as the server reads it: spaces as thousands separators, one comma as the
  // decimal mark. null for a blank, NaN for anything else.
  function parse(text) {
    var t = String(text || "").replace(/[\s\u00a0]/g, "");
    if (t === "") { return null; }
    if ((t.match(/,/g) || []).length === 1 && t.indexOf(".") === -1) { t = t.replace(",", "."); }
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) { return NaN; }
    return Number(t);
  }

  function plain(n) {
    return String(Math.round(n * 100) / 100);
  }

  // Sum the inputs; {sum, filled, bad}.
  function add(inputs) {
    var result = { sum: 0, filled: 0, bad: false };
    inputs.forEach(function (input) {
      var value = parse(input.value);
      if (value === null) { return; }
      if (isNaN(value)) { result.bad = true; return; }
      result.sum += value;
      result.filled += 1;
    });
    return result;
  }

  function showSum(output, result) {
    if (!output) { return; }
    output.textContent = result.bad ? "?" : (result.filled ? plain(result.sum) : "");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  function Figures(container) {
    this.container = container;
    this.cells = Array.prototype.slice.call(container.querySelectorAll("input[data-cell]"));
    this.total = container.querySelector("input.figure-total");
    this.check = this.total ? document.getElementById(this.total.id + "_check") : null;
    this.hint = this.check ? this.check.textContent : "";
    this.auto = !this.total || this.total.value.trim() === "";
    this.flagged = false;
    // The server already explained a mismatch: do not say it twice until something changes.
    this.quiet = !!(this.total && document.getElementById(this.total.id + "_error"));
    container.addEventListener("input", this.onInput.bind(this));
    container.addEventListener("wpsnap:merged", this.onMerged.bind(this));
    this.update();
  }

  Figures.prototype.onInput = function (event) {
    var target = event.target;
    if (target === this.total) {
      this.auto = this.total.value.trim() === "";
    } else if (!target.hasAttribute("data-cell")) {
      return;
    }
    this.quiet = false;
    this.update();
  };

  // Figures someone else saved came in: a total they gave is theirs, not one to fill from the parts.
  Figures.prototype.onMerged = function () {
    this.auto = !this.total || this.total.value.trim() === "";
    this.update();
  };

  Figures.prototype.inGrid = function (grid, axis, index) {
    return this.cells.filter(function (cell) {
      return cell.getAttribute("data-grid") === grid &&
        (axis === null || cell.getAttribute(axis) === index);
    });
  };

  Figures.prototype.update = function () {
    var self = this;
    this.container.querySelectorAll("table.figure-grid").forEach(function (table) {
      var grid = table.getAttribute("data-grid");
      table.querySelectorAll("output[data-row-sum]").forEach(function (output) {
        showSum(output, add(self.inGrid(grid, "data-row", output.getAttribute("data-row-sum"))));
      });
      table.querySelectorAll("output[data-col-sum]").forEach(function (output) {
        showSum(output, add(self.inGrid(grid, "data-col", output.getAttribute("data-col-sum"))));
      });
      showSum(table.querySelector("output[data-grid-sum]"), add(self.inGrid(grid, null, null)));
    });
    if (!this.total || !this.cells.length) { return; }
    var parts = add(this.cells);
    if (this.auto) {
      if (!parts.bad) { this.total.value = parts.filled ? plain(parts.sum) : ""; }
      this.say(parts.filled && !parts.bad ? fill(this.check.getAttribute("data-filled") || "", { sum: plain(parts.sum) }) : this.hint, false);
      return;
    }
    var total = parse(this.total.value);
    var mismatch = parts.filled > 0 && !parts.bad && total !== null && !isNaN(total) &&
      Math.abs(total - parts.sum) > EPSILON;
    if (mismatch && !this.quiet) {
      this.say(fill(this.check.getAttribute("data-mismatch") || "", { sum: plain(parts.sum), total: plain(total) }), true);
    } else {
      this.say(this.hint, false);
    }
  };

  Figures.prototype.say = function (text, problem) {
    if (!this.check) { return; }
    if (this.check.textContent !== text) { this.check.textContent = text; }
    this.check.classList.toggle("text-danger", problem);
    this.check.classList.toggle("sum-mismatch", problem);
    if (problem && !this.total.classList.contains("is-invalid")) {
      this.total.classList.add("is-invalid");
      this.flagged = true;
    } else if (!problem && this.flagged) {
      this.total.classList.remove("is-invalid");
      this.flagged = false;
    }
  };

  // Once per table of figures, including those htmx swaps in (an indicator whose figures were
  // taken from events).
  function enhance(root) {
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-figures]"));
    if (root.matches && root.matches("[data-figures]")) { found.push(root); }
    found.forEach(function (container) {
      if (container.hasAttribute("data-live")) { return; }
      container.setAttribute("data-live", "");
      new Figures(container);
    });
  }
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.querySelectorAll) { enhance(event.detail.elt); }
  });

  function start() {
    enhance(document);
    var status = document.getElementById("autosave-status");
    if (status && status.textContent.trim() === "" && status.getAttribute("data-hint")) {
      status.textContent = status.getAttribute("data-hint");
    }
  }

  // Sending the form (submit, save) abandons an autosave still on its way: the step's own save carries
  // every field, and the autosave, answered after it, would only be refused as stale (409).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.id === "report-form" && window.htmx) { window.htmx.trigger(form, "htmx:abort"); }
  }, true);

  // A refused autosave (the period was locked meanwhile: 409) says why in the status region.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.target || detail.target.id !== "autosave-status") { return; }
    if (detail.xhr && detail.xhr.status === 409) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  // After an autosave the page holds the report's new version and base (swapped in out of band), and
  // shows what others saved meanwhile in the fields this person left alone (wpsnap.core.versions).
  function applyMerged() {
    var holder = document.getElementById("form-merged");
    var form = document.getElementById("report-form");
    if (!holder || !form) { return; }
    var values;
    try { values = JSON.parse(holder.getAttribute("data-values") || "{}"); } catch (e) { return; }
    holder.setAttribute("data-values", "{}");
    Object.keys(values).forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (!input || input === document.activeElement || input.type === "hidden") { return; }
      input.value = values[name];
      var figures = input.closest ? input.closest("[data-figures]") : null;
      if (figures) { figures.dispatchEvent(new CustomEvent("wpsnap:merged")); }
    });
  }
  document.addEventListener("htmx:afterSettle", applyMerged);

  // Any other failure (refused, server error, no connection): say the draft was not saved.
  function failed(event) {
    var elt = event.detail && event.detail.elt;
    var status = document.getElementById("autosave-status");
    if (!elt || elt.id !== "report-form" || !status) { return; }
    if (event.detail.xhr && event.detail.xhr.status === 409) { return; }
    status.textContent = status.getAttribute("data-failed") || "";
    status.classList.add("has-problems");
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
