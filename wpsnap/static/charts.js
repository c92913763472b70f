/* Draws every chart of the page (templates/partials/chart.html) from its Vega-Lite spec with vega-embed.
 *
 * The Content Security Policy forbids eval and inline styles, so: `ast: true` with vega-interpreter's
 * expression interpreter (no `new Function`), `defaultStyle: false` (vega-embed adds no <style>; the
 * styles are in charts.css), vega-tooltip without its own style sheet, no actions menu, SVG.
 * Without JavaScript, or if drawing fails, the chart's table stands alone. */
(function () {
  "use strict";

  function options() {
    return {
      actions: false,
      renderer: "svg",
      ast: true,
      expr: window.vegaInterpreter.expressionInterpreter,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    };
  }

  function draw(element) {
    if (element.dataset.chartState) {
      return;
    }
    var source = document.getElementById(element.dataset.chartSpec);
    if (!source || !window.vegaEmbed || !window.vegaInterpreter) {
      return;
    }
    element.dataset.chartState = "drawing";
    window
      .vegaEmbed(element, JSON.parse(source.textContent), options())
      .then(function () {
        element.dataset.chartState = "drawn";
      })
      .catch(function (error) {
        element.dataset.chartState = "failed";
        element.hidden = true;
        console.error("chart " + element.id + " not drawn:", error);
      });
  }

  function drawAll(root) {
    root.querySelectorAll("[data-chart-spec]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll(document);
    });
  } else {
    drawAll(document);
  }
  // Charts that htmx swaps into the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.target);
  });
})();
