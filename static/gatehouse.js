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
  // Forms marked data-confirm ask once more before a destructive post.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
