// Selects the whole value of [data-select-on-focus] fields (the API token) when focused, so it
// copies in one go. A listener, not an onfocus attribute: the Content-Security-Policy forbids
// inline code.
(function () {
  "use strict";
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
      field.select();
    }
  });
})();
