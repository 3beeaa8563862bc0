// The visitor's browser language, suggested once and never forced: when the browser prefers
// one of the site's languages other than the page's, a notice in that language offers the
// same page in it. Following or dismissing it is remembered here, and it never shows again.
// The words and addresses come from the language switcher's links (templates/includes/
// language_switcher.html), so every visitor is sent the same cached page.
(function () {
  "use strict";
  var KEY = "language-suggestion-seen";
  try {
    if (window.localStorage.getItem(KEY)) return;
  } catch (error) {
    return; // No storage: it could not be shown only once, so it is not shown.
  }
  var links = document.querySelectorAll(".language-switcher a[data-language]");
  if (!links.length) return;
  var page = document.documentElement.lang.toLowerCase();
  var offered = {};
  links.forEach(function (link) { offered[link.dataset.language] = link; });
  var preferred = null;
  (navigator.languages || [navigator.language || ""]).some(function (tag) {
    tag = tag.toLowerCase();
    var base = tag.split("-")[0];
    var code = tag.indexOf("zh") === 0 ? (/(tw|hk|mo|hant)/.test(tag) ? null : "zh-hans") : base;
    if (code && offered[code]) { preferred = code; return true; }
    return false;
  });
  if (!preferred || preferred === page) return;
  var link = offered[preferred];
  function remember() {
    try { window.localStorage.setItem(KEY, "1"); } catch (error) { /* nothing to do */ }
  }
  var notice = document.createElement("div");
  notice.className = "language-suggestion";
  notice.setAttribute("role", "status");
  notice.lang = preferred;
  var text = document.createElement("p");
  text.textContent = link.dataset.suggestion + " ";
  var go = document.createElement("a");
  go.href = link.getAttribute("href");
  go.hreflang = preferred;
  go.textContent = link.dataset.accept;
  go.addEventListener("click", remember);
  text.appendChild(go);
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = link.dataset.dismiss;
  close.addEventListener("click", function () { remember(); notice.remove(); });
  notice.appendChild(text);
  notice.appendChild(close);
  var main = document.getElementById("main");
  main.parentNode.insertBefore(notice, main);
})();
