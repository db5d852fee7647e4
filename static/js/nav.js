/* The main menu on a phone: a button folds the links away and opens them again.
 *
 * The button is `hidden` in the page, so without this script the menu simply stays open; the
 * stylesheet folds it (at 600 px and less) only while the button is shown and not expanded.
 */
(function () {
  "use strict";

  function init() {
    var toggle = document.querySelector(".nav-toggle");
    if (!toggle) return;
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    // Escape closes an open menu and gives the focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
