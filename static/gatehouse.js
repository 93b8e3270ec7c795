// Small improvements on top of pages that work without JavaScript.
(function () {
  "use strict";
  // Buttons marked data-copy copy the text of the element they point at.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    navigator.clipboard.writeText(text.trim()).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
  // A checkbox marked data-submit-on-change shows its result at once: it presses the button
  // it names (the one that does the same without JavaScript, hidden here), and the new page
  // gives the focus back to the checkbox, so keyboard users stay where they were.
  var refocus = "gatehouse-refocus";
  document.querySelectorAll("[data-submit-on-change]").forEach(function (input) {
    var button = document.getElementById(input.getAttribute("data-submit-on-change"));
    if (button) button.hidden = true;
  });
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-submit-on-change]");
    var button = input && document.getElementById(input.getAttribute("data-submit-on-change"));
    if (!button) return;
    try { sessionStorage.setItem(refocus, input.id); } catch (e) { /* storage off: no refocus */ }
    button.click();
  });
  try {
    var id = sessionStorage.getItem(refocus);
    sessionStorage.removeItem(refocus);
    var again = id && document.getElementById(id);
    if (again) again.focus();
  } catch (e) { /* storage off: no refocus */ }
  // A region marked data-live-refresh is a run still going: it is fetched again every two
  // seconds and swapped in, until the fresh copy no longer carries the mark (the run ended).
  var live = document.querySelector("[data-live-refresh]");
  function refresh() {
    if (!live || !window.fetch || !window.DOMParser) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(live.id);
        if (!fresh) return;
        live.replaceWith(fresh);
        live = fresh;
        if (live.hasAttribute("data-live-refresh")) setTimeout(refresh, 2000);
      })
      .catch(function () { setTimeout(refresh, 5000); });
  }
  if (live) setTimeout(refresh, 2000);
  // Forms marked data-confirm ask once more before a destructive post.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
