// Keeps the trial banner's countdown current. Mirrors trials.selectors.countdown_text:
// rounded up in the smallest unit shown ("7 days left", "3 hours 12 minutes left").
(function () {
  "use strict";
  function plural(n, unit) { return n + " " + unit + (n === 1 ? "" : "s"); }
  function join(parts) {
    var words = parts.filter(function (p) { return p[0]; }).map(function (p) { return plural(p[0], p[1]); });
    return words.join(" ") + " left";
  }
  function countdownText(seconds) {
    if (seconds <= 0) return "Trial ended";
    if (seconds >= 86400) {
      var hours = Math.ceil(seconds / 3600);
      return join([[Math.floor(hours / 24), "day"], [hours % 24, "hour"]]);
    }
    var minutes = Math.ceil(seconds / 60);
    if (minutes >= 1440) return "1 day left";
    return join([[Math.floor(minutes / 60), "hour"], [minutes % 60, "minute"]]);
  }
  function tick() {
    document.querySelectorAll("[data-trial-countdown]").forEach(function (el) {
      var endsAt = Date.parse(el.getAttribute("data-ends-at"));
      if (!isNaN(endsAt)) el.textContent = countdownText((endsAt - Date.now()) / 1000);
    });
  }
  setInterval(tick, 30000);
})();
