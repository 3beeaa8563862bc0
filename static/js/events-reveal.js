// When the venue's reveal moment comes while the page is open, reload it once, so a
// ticket holder sees the venue without refreshing. The server decides what is shown.
(function () {
  "use strict";
  var note = document.querySelector("[data-reveal-at]");
  if (!note) { return; }
  var at = Date.parse(note.getAttribute("data-reveal-at"));
  if (isNaN(at)) { return; }
  var wait = at - Date.now() + 2000;
  if (wait <= 0 || wait > 2147483000) { return; }
  window.setTimeout(function () { window.location.reload(); }, wait);
}());
