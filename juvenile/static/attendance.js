/* The monthly missed-lessons screen: digits only, Tab or Enter moves to the next field,
   the "lessons in the month" typed at the top shows in every row left empty (the server
   applies it to those rows too), and a row's totals are checked as they are typed.
   Without this script the screen is a plain form and the server makes the same checks. */
(function () {
  "use strict";

  var form = document.getElementById("attendance-form");
  if (!form) { return; }
  var table = form.querySelector(".attendance-sheet");
  var top = document.getElementById("lessons");
  var save = document.getElementById("save-month");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.count"));
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.attendance-row"));
  var max = parseInt(table.getAttribute("data-max"), 10);

  function numberIn(input) {
    var value = input.value.trim();
    return /^\d+$/.test(value) ? parseInt(value, 10) : null;
  }

  /* The row's own lessons, or the top value when its field is empty. */
  function lessonsOf(counts) {
    if (counts[0].value.trim() === "") { return top ? numberIn(top) : null; }
    return numberIn(counts[0]);
  }

  function checkRow(row) {
    var counts = row.querySelectorAll("input.count");
    var typed = counts[0].value || counts[1].value || counts[2].value;
    var lessons = lessonsOf(counts);
    var missed = (numberIn(counts[1]) || 0) + (numberIn(counts[2]) || 0);
    var message = "";
    if (typed && lessons !== null && lessons > max) {
      message = table.getAttribute("data-too-many");
    } else if (typed && lessons !== null && missed > lessons) {
      message = table.getAttribute("data-above");
    }
    var out = row.querySelector(".live-check");
    if (out.textContent !== message) { out.textContent = message; }
    row.classList.toggle("over", message !== "");
  }

  function showTopValue() {
    var value = top ? top.value.trim() : "";
    rows.forEach(function (row) {
      var lessons = row.querySelector("input.count");
      lessons.placeholder = /^\d+$/.test(value) ? value : "";
      checkRow(row);
    });
  }

  function focusInput(index) {
    if (index < inputs.length) {
      inputs[index].focus();
      inputs[index].select();
    } else if (save) {
      save.focus();
    }
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (event.key === "Enter") {
        event.preventDefault();
        focusInput(index + 1);
        return;
      }
      if (event.key && event.key.length === 1 && !/^[0-9]$/.test(event.key)) {
        event.preventDefault();  /* digits only */
      }
    });
    input.addEventListener("input", function () {
      if (input === top) {
        showTopValue();
      } else {
        checkRow(input.closest("tr"));
      }
    });
    input.addEventListener("focus", function () { input.select(); });
  });
  showTopValue();
})();
