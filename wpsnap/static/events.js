/* The event form, enhanced: the dialogue fields (issues raised, answers given) show only for the
   types of event that have them (consultations and surveys). Progressive enhancement only: without
   this script the fields show with a note saying when they apply, and the server ignores them for
   other types. No inline code anywhere (the CSP refuses it). */
(function () {
  "use strict";

  function start() {
    var kind = document.querySelector("select[data-dialogue-kinds]");
    var section = document.getElementById("dialogue-fields");
    if (!kind || !section) { return; }
    var kinds = (kind.getAttribute("data-dialogue-kinds") || "").split(" ");
    var hasProblems = !!section.querySelector(".invalid-feedback");
    function update() {
      var show = kinds.indexOf(kind.value) !== -1 || hasProblems;
      section.hidden = !show;
    }
    kind.addEventListener("change", function () {
      hasProblems = false;
      update();
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
