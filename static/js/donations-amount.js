// Typing your own amount unchooses the preset amounts, and choosing a preset clears what
// was typed, so the form never holds two amounts. Without JavaScript the server asks instead.
(function () {
  "use strict";
  var other = document.querySelector("input[name='other_amount']");
  var choices = document.querySelectorAll("input[name='amount_choice']");
  if (!other || !choices.length) { return; }
  other.addEventListener("input", function () {
    if (other.value === "") { return; }
    choices.forEach(function (choice) { choice.checked = false; });
  });
  choices.forEach(function (choice) {
    choice.addEventListener("change", function () {
      if (choice.checked) { other.value = ""; }
    });
  });
}());
