/* Creatorscope outreach: conveniences for ticking creators. Every form works without it.
 *
 *  - "Tick all on this page" ([data-outreach-toggle=<form id>]) ticks or clears every row box
 *    that belongs to that form (boxes join a form from anywhere with form="<id>");
 *  - "Add selected" says how many are ticked ([data-outreach-count]);
 *  - on a list's board, "Select all with email" ([data-select-all=<form id>]) ticks every
 *    creator that can be emailed ([data-sendable]).
 */
(function () {
  "use strict";

  function boxesOf(formId, selector) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][form="' + formId + '"]' + (selector || ""))
    );
  }

  function updateCount(formId) {
    var ticked = boxesOf(formId).filter(function (box) {
      return box.checked;
    }).length;
    document.querySelectorAll("#" + formId + " [data-outreach-count]").forEach(function (el) {
      el.textContent = ticked ? "(" + ticked + ")" : "";
    });
  }

  document.querySelectorAll("[data-outreach-toggle]").forEach(function (toggle) {
    var formId = toggle.getAttribute("data-outreach-toggle");
    var label = toggle.closest("[data-outreach-toggle-label]");
    if (!boxesOf(formId).length) return;
    if (label) label.hidden = false;
    toggle.addEventListener("change", function () {
      boxesOf(formId).forEach(function (box) {
        box.checked = toggle.checked;
      });
      updateCount(formId);
    });
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box instanceof HTMLInputElement && box.type === "checkbox" && box.getAttribute("form")) {
      updateCount(box.getAttribute("form"));
    }
  });

  document.querySelectorAll("[data-select-all]").forEach(function (button) {
    var formId = button.getAttribute("data-select-all");
    if (!boxesOf(formId, "[data-sendable]").length) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      boxesOf(formId, "[data-sendable]").forEach(function (box) {
        box.checked = true;
      });
    });
  });
})();
