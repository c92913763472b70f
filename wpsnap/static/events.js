/* The events pages, enhanced. Progressive enhancement only: every page works without this script.
   No inline code anywhere (the CSP refuses it).
   - The event form: the dialogue fields (issues raised, answers given) show only for the types of
     event that have them (consultations and surveys). Without the script they show with a note
     saying when they apply, and the server ignores them for other types.
   - A form with data-confirm (removing a participant, deleting a file: one tap on a phone) asks
     first; without the script it goes ahead, as the flash message says what was removed.
   - A page that comes back with problems (a rejected file, a form to correct) puts the keyboard
     and the screen reader on the list of problems. */
(function () {
  "use strict";

  function dialogueFields() {
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

  function confirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form && form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  function focusProblems() {
    var box = document.getElementById("import-problems") || document.getElementById("error-summary");
    if (!box) { return; }
    if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "-1"); }
    box.focus();
  }

  function start() {
    dialogueFields();
    focusProblems();
  }

  confirmations();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
