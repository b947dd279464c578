/* The answer grid: type a digit (or y / n) and the answer fills the item and the cursor
   moves to the next one. Without this script the grid is a plain form. */
(function () {
  "use strict";

  var grid = document.querySelector(".answer-grid");
  if (!grid) { return; }
  var inputs = Array.prototype.slice.call(grid.querySelectorAll("input.answer"));
  var allowed = (grid.getAttribute("data-allowed") || "").split(" ");
  var yesNo = grid.getAttribute("data-answers") === "yes_no";
  var missing = document.getElementById("missing-items");

  /* The answer a key stands for, or null. Letters are read by the key's place on the
     keyboard, so y and n work whichever layout (Kazakh, Russian) is switched on. */
  function answerOf(event) {
    var key = event.key;
    if (event.code === "KeyY") { key = "y"; }
    else if (event.code === "KeyN") { key = "n"; }
    else if (event.code === "KeyR") { key = "r"; }
    else if (/^Numpad\d$/.test(event.code || "")) { key = event.code.slice(-1); }
    if (key && key.length === 1) { key = key.toLowerCase(); }
    if (yesNo && key === "1") { key = "y"; }
    if (yesNo && key === "0") { key = "n"; }
    return allowed.indexOf(key) >= 0 ? key : null;
  }

  function focusItem(index) {
    if (index >= 0 && index < inputs.length) {
      inputs[index].focus();
      inputs[index].select();
    } else if (index >= inputs.length) {
      var after = document.querySelector("#assessment-form .stacked:last-of-type select, " +
        "#assessment-form .stacked:last-of-type input, #assessment-form button[type=submit]");
      if (after) { after.focus(); }
    }
  }

  function showMissing() {
    var empty = [];
    inputs.forEach(function (input, index) {
      var cell = input.parentNode;
      var value = input.value.trim().toLowerCase();
      cell.classList.toggle("empty", value === "");
      cell.classList.toggle("invalid", value !== "" && allowed.indexOf(value) < 0);
      if (value === "") { empty.push(String(index + 1)); }
    });
    if (missing) {
      missing.textContent = empty.length ?
        missing.getAttribute("data-label") + " " + empty.join(", ") :
        missing.getAttribute("data-none");
    }
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var answer = answerOf(event);
      if (answer !== null) {
        event.preventDefault();
        input.value = answer;
        showMissing();
        focusItem(index + 1);
        return;
      }
      switch (event.key) {
        case "Backspace":
          if (input.value === "") {
            event.preventDefault();
            if (index > 0) { inputs[index - 1].value = ""; focusItem(index - 1); }
            showMissing();
          }
          return;
        case "ArrowLeft": case "ArrowUp":
          event.preventDefault(); focusItem(index - 1); return;
        case "ArrowRight": case "ArrowDown": case "Enter":
          event.preventDefault(); focusItem(index + 1); return;
        case " ":
          event.preventDefault(); input.value = ""; showMissing(); focusItem(index + 1); return;
        default:
          if (event.key && event.key.length === 1) { event.preventDefault(); }
      }
    });
    input.addEventListener("input", showMissing);
    input.addEventListener("focus", function () { input.select(); });
    /* A whole row pasted at once ("0123…" or "y n y…") fills the items from here on. */
    input.addEventListener("paste", function (event) {
      var text = (event.clipboardData || window.clipboardData).getData("text") || "";
      var answers = text.toLowerCase().split(/[\s,;]+/).join("").split("");
      if (answers.length < 2) { return; }
      event.preventDefault();
      answers.forEach(function (value, offset) {
        if (yesNo && value === "1") { value = "y"; }
        if (yesNo && value === "0") { value = "n"; }
        if (index + offset < inputs.length) { inputs[index + offset].value = value; }
      });
      showMissing();
      focusItem(Math.min(index + answers.length, inputs.length));
    });
  });
  showMissing();
})();
