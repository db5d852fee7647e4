/* Creatorscope workspace: live search progress, search tabs, and the results table's helpers.
 *
 * Our own code, no framework, no CDN. Every page works without it (server-rendered progress,
 * tabs as links, plain forms); this adds:
 *  - one poller per job (guarded by job id) for every `.job-progress[data-job-id]` on the page:
 *    GET data-status-url every data-poll-interval ms (setTimeout, never setInterval), update
 *    every widget of that job, stop on a terminal status and refresh the page's
 *    `[data-refresh]` regions from the server so the finished table appears;
 *  - search-form tabs (arrow keys, Home/End);
 *  - bio "Show more", email copy buttons, avatar fallback to the initial;
 *  - the creators' filters apply on change (text after a short pause), with the focus back in
 *    the field after the page reloads;
 *  - after a failed submit, the focus on the first field in error, scrolled into view;
 *  - the creator panel: a row's "Details" link opens it in a side panel (a modal dialog) instead
 *    of a page, "Fetch recent posts" posts from there, and a pending fetch is followed until ready.
 */
(function () {
  "use strict";

  // The statuses come from the server ({% job_statuses_script %}, scraping.models.JobStatus).
  var STATUSES = JSON.parse(document.getElementById("job-statuses").textContent);
  var TERMINAL = STATUSES.terminal;
  var LABELS = STATUSES.labels;
  var DEFAULT_INTERVAL = 2500;
  var MAX_BACKOFF = 30000;
  var LIVE_REFRESH_MS = 8000;
  var FILTER_TYPING_MS = 500;
  var FILTER_FOCUS_KEY = "creatorscope:filter-focus";
  var METRICS_POLL_MS = 3000;

  // job id → poller. Exposed for diagnostics and the browser tests.
  var pollers = {};

  function isTerminal(status) {
    return TERMINAL.indexOf(status) !== -1;
  }

  function fmt(n) {
    var value = Number(n);
    return isFinite(value) ? value.toLocaleString("en-US") : "—";
  }

  function widgets(jobId) {
    return document.querySelectorAll('.job-progress[data-job-id="' + jobId + '"]');
  }

  function setField(root, name, text) {
    var nodes = root.querySelectorAll('[data-field="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].textContent !== text) nodes[i].textContent = text;
    }
  }

  // --- time estimate: the rate so far since the job started ---------------------------------
  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min " + (seconds % 60) + " s";
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  function estimate(data, now) {
    if (isTerminal(data.status)) {
      var start = Date.parse(data.startedAt || data.createdAt || "");
      var end = Date.parse(data.completedAt || "");
      return isFinite(start) && isFinite(end) ? "Took " + duration((end - start) / 1000) : "—";
    }
    var started = Date.parse(data.startedAt || "");
    var done = Number(data.processedResults) || 0;
    var target = Number(data.targetResults) || 0;
    if (!isFinite(started) || done <= 0 || target <= 0) {
      return data.status === "pending" && !data.startedAt ? "Waiting to start…" : "Estimating time left…";
    }
    var elapsed = Math.max(1, (now - started) / 1000);
    var left = ((target - done) * elapsed) / done;
    if (left < 60) return "Less than a minute left";
    if (left < 3600) return "About " + Math.round(left / 60) + " min left";
    return "About " + Math.floor(left / 3600) + " h " + Math.round((left % 3600) / 60) + " min left";
  }

  function finishedMessage(data) {
    if (data.message) return data.message;
    if (data.error) return data.error;
    var found = fmt(data.processedResults) + " of " + fmt(data.targetResults) + " creators";
    return {
      completed: "Completed: found " + found + ".",
      partial: "Finished early: found " + found + ".",
      error: "Stopped by an error after finding " + found + ".",
      timeout: "Timed out after finding " + found + ".",
      cancelled: "Cancelled after finding " + found + ".",
    }[data.status] || "";
  }

  // --- rendering a status payload into every widget of its job --------------------------------
  function render(jobId, data) {
    var nodes = widgets(jobId);
    var progress = Math.max(0, Math.min(100, Number(data.progress) || 0));
    var terminal = isTerminal(data.status);
    for (var i = 0; i < nodes.length; i++) {
      var root = nodes[i];
      root.dataset.status = data.status;
      root.className = root.className.replace(/\bis-[a-z]+\b/g, "").trim() + " is-" + data.status;
      var badge = root.querySelector('[data-field="status"]');
      if (badge) {
        badge.textContent = LABELS[data.status] || data.status;
        badge.className = "badge status-" + data.status;
      }
      var bar = root.querySelector('[role="progressbar"]');
      if (bar) {
        bar.setAttribute("aria-valuenow", String(progress));
        bar.setAttribute(
          "aria-valuetext",
          progress + "% (" + fmt(data.processedResults) + " of " + fmt(data.targetResults) + " creators)"
        );
        var fill = bar.querySelector(".progress-fill");
        if (fill) fill.style.width = progress + "%";
      }
      setField(root, "progress", progress + "%");
      setField(root, "found", fmt(data.processedResults));
      setField(root, "target", fmt(data.targetResults));
      setField(root, "runs", fmt(data.processedRuns));
      setField(root, "credits", fmt(data.creditsUsed));
      setField(root, "estimate", estimate(data, Date.now()));
      // Lists say "100 of 100 creators" already; a completed row needs no sentence.
      if (terminal && !(data.status === "completed" && root.classList.contains("compact"))) {
        var message = root.querySelector('[data-field="message"]');
        if (message) {
          message.textContent = finishedMessage(data);
          message.classList.toggle("error", data.status === "error");
        }
      }
      note(root, "");
    }
  }

  function note(root, text) {
    var el = root.querySelector('[data-field="note"]');
    if (!el) return;
    el.textContent = text;
    el.hidden = !text;
  }

  function noteAll(jobId, text) {
    var nodes = widgets(jobId);
    for (var i = 0; i < nodes.length; i++) note(nodes[i], text);
  }

  // --- the poller ------------------------------------------------------------------------------
  function startPoller(root) {
    var jobId = root.dataset.jobId;
    // A cancelled search whose last step is still saving is followed until its final numbers.
    var finishing = root.dataset.finishing === "true";
    if (!jobId || !root.dataset.statusUrl || (isTerminal(root.dataset.status) && !finishing)) return;
    if (pollers[jobId]) return; // one poller per job, however many widgets show it
    var interval = parseInt(root.dataset.pollInterval, 10);
    var poller = {
      jobId: jobId,
      url: root.dataset.statusUrl,
      interval: interval > 0 ? interval : DEFAULT_INTERVAL,
      failures: 0,
      requests: 0,
      done: false,
      timer: null,
      lastProcessed: Number(root.dataset.processed) || 0,
      lastRefresh: Date.now(),
    };
    pollers[jobId] = poller;
    // A first estimate from what the server rendered, before the first answer.
    setField(root, "estimate", estimate({
      status: root.dataset.status,
      startedAt: root.dataset.startedAt,
      processedResults: root.dataset.processed,
      targetResults: root.dataset.target,
    }, Date.now()));
    schedule(poller, poller.interval);
  }

  function schedule(poller, delay) {
    clearTimeout(poller.timer);
    poller.timer = setTimeout(function () {
      tick(poller);
    }, delay);
  }

  function stop(poller) {
    poller.done = true;
    clearTimeout(poller.timer);
  }

  function tick(poller) {
    if (poller.done) return;
    poller.requests += 1;
    fetch(poller.url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 404) {
          stop(poller);
          noteAll(poller.jobId, "This search no longer exists.");
          return null;
        }
        if (response.status === 401 || response.status === 403) {
          stop(poller);
          noteAll(poller.jobId, "You are signed out. Reload the page after signing in to follow this search.");
          return null;
        }
        if (response.status === 429) {
          // Throttled: wait as long as the server asks (at least one interval), then go on.
          var wait = parseInt(response.headers.get("Retry-After"), 10);
          schedule(poller, Math.max(poller.interval, (wait > 0 ? wait : 5) * 1000));
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data || poller.done) return;
        poller.failures = 0;
        render(poller.jobId, data);
        if (isTerminal(data.status) && !data.finishing) {
          stop(poller);
          refreshRegions(false);
          return;
        }
        maybeRefreshLive(poller, data);
        schedule(poller, poller.interval);
      })
      .catch(function () {
        if (poller.done) return;
        poller.failures += 1;
        var delay = Math.min(MAX_BACKOFF, poller.interval * Math.pow(2, poller.failures));
        noteAll(poller.jobId, "Can't reach the server; trying again in " + Math.round(delay / 1000) + " s.");
        schedule(poller, delay);
      });
  }

  // While a search runs, its results table refreshes when new creators arrived (not more than
  // every few seconds, and never under the user's keyboard focus or selection).
  function maybeRefreshLive(poller, data) {
    var processed = Number(data.processedResults) || 0;
    if (processed === poller.lastProcessed) return;
    if (Date.now() - poller.lastRefresh < LIVE_REFRESH_MS) return;
    poller.lastProcessed = processed;
    poller.lastRefresh = Date.now();
    refreshRegions(true);
  }

  // --- refreshing server-rendered regions ------------------------------------------------------
  var refreshing = null;
  var fullRefreshQueued = false;

  function refreshRegions(liveOnly) {
    if (refreshing) {
      // A finished job must always get its final table, even if a live refresh is in flight.
      if (!liveOnly) fullRefreshQueued = true;
      return refreshing;
    }
    refreshing = fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var regions = document.querySelectorAll(liveOnly ? "[data-refresh][data-live]" : "[data-refresh]");
        for (var i = 0; i < regions.length; i++) {
          var old = regions[i];
          if (liveOnly && (old.contains(document.activeElement) && document.activeElement !== document.body)) continue;
          if (liveOnly && hasSelectionIn(old)) continue;
          var replacement = fresh.getElementById(old.id);
          if (!replacement) continue;
          var node = document.importNode(replacement, true);
          // The table scrolls in its own box: keep the reader where they were.
          var oldWrap = old.querySelector(".table-wrap");
          var scrollTop = oldWrap ? oldWrap.scrollTop : 0;
          old.parentNode.replaceChild(node, old);
          var newWrap = node.querySelector(".table-wrap");
          if (newWrap) newWrap.scrollTop = scrollTop;
          enhance(node);
        }
      })
      .catch(function () {
        /* the next poll or a reload shows the server's state */
      })
      .then(function () {
        refreshing = null;
        if (fullRefreshQueued) {
          fullRefreshQueued = false;
          refreshRegions(false);
        }
      });
    return refreshing;
  }

  function hasSelectionIn(el) {
    var selection = window.getSelection && window.getSelection();
    return !!(selection && !selection.isCollapsed && el.contains(selection.anchorNode));
  }

  // --- search-form tabs ------------------------------------------------------------------------
  function enhanceTabs(root) {
    var lists = root.querySelectorAll('[role="tablist"]');
    for (var i = 0; i < lists.length; i++) {
      (function (list) {
        var tabs = Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
        function select(tab, focus) {
          tabs.forEach(function (t) {
            var on = t === tab;
            t.setAttribute("aria-selected", on ? "true" : "false");
            t.tabIndex = on ? 0 : -1;
            var panel = document.getElementById(t.getAttribute("aria-controls"));
            if (panel) panel.hidden = !on;
          });
          if (focus) tab.focus();
          if (tab.dataset.search && window.history && history.replaceState) {
            var url = new URL(window.location.href);
            url.searchParams.set("search", tab.dataset.search);
            history.replaceState(null, "", url.pathname + url.search + "#new-search");
          }
        }
        tabs.forEach(function (tab, index) {
          tab.addEventListener("click", function (event) {
            event.preventDefault();
            select(tab, false);
          });
          tab.addEventListener("keydown", function (event) {
            var next = null;
            if (event.key === "ArrowRight" || event.key === "ArrowDown") next = tabs[(index + 1) % tabs.length];
            if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = tabs[(index - 1 + tabs.length) % tabs.length];
            if (event.key === "Home") next = tabs[0];
            if (event.key === "End") next = tabs[tabs.length - 1];
            if (next) {
              event.preventDefault();
              select(next, true);
            }
          });
        });
      })(lists[i]);
    }
  }

  // --- results table helpers -------------------------------------------------------------------
  function announce(text) {
    var region = document.getElementById("sr-announcer");
    if (!region) {
      region = document.createElement("div");
      region.id = "sr-announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      document.body.removeChild(area);
      if (ok) {
        resolve();
      } else {
        reject(new Error("copy failed"));
      }
    });
  }

  // --- the creator panel ----------------------------------------------------------------------
  // The "Details" link is a plain link (the panel's own page without this script). Here the same
  // page is asked for as a fragment (X-Requested-With: fetch) and shown in a modal side panel:
  // focus moves into it and back to the link; Escape, the close button or the backdrop close it.
  var panel = { aside: null, backdrop: null, opener: null, url: "", timer: null };

  function panelFetch(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.cache = "no-store";
    options.headers = { "X-Requested-With": "fetch" };
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    });
  }

  function openPanel(link) {
    closePanel(false);
    panel.opener = link;
    panel.url = link.getAttribute("href");
    panel.backdrop = document.createElement("div");
    panel.backdrop.className = "panel-backdrop";
    panel.backdrop.setAttribute("data-panel-close", "");
    panel.aside = document.createElement("aside");
    panel.aside.className = "side-panel";
    panel.aside.setAttribute("role", "dialog");
    panel.aside.setAttribute("aria-modal", "true");
    panel.aside.setAttribute("aria-label", "Creator details");
    panel.aside.tabIndex = -1;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button secondary small panel-close";
    close.setAttribute("data-panel-close", "");
    close.textContent = "Close";
    var body = document.createElement("div");
    body.className = "side-panel-body";
    body.setAttribute("aria-busy", "true");
    body.textContent = "Loading…";
    panel.aside.appendChild(close);
    panel.aside.appendChild(body);
    document.body.appendChild(panel.backdrop);
    document.body.appendChild(panel.aside);
    close.focus();
    loadPanel(true);
  }

  function loadPanel(first) {
    var aside = panel.aside;
    if (!aside) return;
    panelFetch(panel.url)
      .then(function (html) {
        if (aside !== panel.aside) return; // closed or replaced meanwhile
        showPanelHtml(html, first);
      })
      .catch(function () {
        if (aside !== panel.aside) return;
        // The page itself still works: go there.
        window.location.assign(panel.url);
      });
  }

  function showPanelHtml(html, first) {
    var body = panel.aside.querySelector(".side-panel-body");
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".creator-panel");
    if (!fresh) return;
    body.replaceChildren(document.importNode(fresh, true));
    body.removeAttribute("aria-busy");
    panel.aside.setAttribute("aria-labelledby", "creator-panel-title");
    panel.aside.removeAttribute("aria-label");
    enhance(body);
    if (first) {
      var title = body.querySelector("#creator-panel-title");
      if (title) {
        title.tabIndex = -1;
        title.focus();
      }
    }
    followPendingMetrics(body, function () {
      loadPanel(false);
    });
  }

  function closePanel(restoreFocus) {
    clearTimeout(panel.timer);
    if (panel.aside) panel.aside.remove();
    if (panel.backdrop) panel.backdrop.remove();
    var opener = panel.opener;
    panel.aside = panel.backdrop = panel.opener = null;
    if (restoreFocus && opener && document.contains(opener)) opener.focus();
  }

  // Tab and Shift+Tab stay inside the open panel (it is modal).
  function trapFocus(event) {
    var focusable = panel.aside.querySelectorAll(
      'a[href], button:not([disabled]), input:not([disabled]), [tabindex="0"]'
    );
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var active = document.activeElement;
    if (event.shiftKey && (active === first || !panel.aside.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !panel.aside.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  function onKeydown(event) {
    if (!panel.aside) return;
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel(true);
    } else if (event.key === "Tab") {
      trapFocus(event);
    }
  }

  // "Fetch recent posts" from the side panel: post it, then show the panel the redirect answers.
  function onPanelFetchSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-panel-fetch")) return;
    if (!panel.aside || !panel.aside.contains(form)) return; // the panel's page: a plain post
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    panelFetch(form.action, { method: "POST", body: new FormData(form) })
      .then(function (html) {
        if (panel.aside) showPanelHtml(html, false);
      })
      .catch(function () {
        form.submit();
      });
  }

  // While a fetch of recent posts is pending, ask the metrics API until it is not, then redraw.
  function followPendingMetrics(root, redraw) {
    var pending = root.querySelector("[data-metrics-pending]");
    clearTimeout(panel.timer);
    if (!pending) return;
    var url = pending.getAttribute("data-metrics-url");
    panel.timer = setTimeout(function check() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { status: "pending" };
        })
        .catch(function () {
          return { status: "pending" };
        })
        .then(function (data) {
          if (!document.contains(pending)) return;
          if (data.status === "pending") {
            panel.timer = setTimeout(check, METRICS_POLL_MS);
          } else {
            redraw();
          }
        });
    }, METRICS_POLL_MS);
  }

  function onClick(event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var details = target.closest("a[data-panel]");
    // A new tab or window (modifier keys, middle click) gets the page itself.
    if (details && event.button === 0 && !(event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)) {
      event.preventDefault();
      openPanel(details);
      return;
    }
    if (target.closest("[data-panel-close]")) {
      closePanel(true);
      return;
    }
    var copy = target.closest("button[data-copy]");
    if (copy) {
      var value = copy.getAttribute("data-copy");
      copyText(value).then(
        function () {
          copy.textContent = "Copied";
          copy.classList.add("copied");
          announce("Copied " + value);
          setTimeout(function () {
            copy.textContent = "Copy";
            copy.classList.remove("copied");
          }, 1500);
        },
        function () {
          announce("Could not copy; select the address instead.");
        }
      );
      return;
    }
    var toggle = target.closest("button.bio-toggle");
    if (toggle) {
      var bio = document.getElementById(toggle.getAttribute("aria-controls"));
      if (!bio) return;
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? "Show less" : "Show more";
      bio.classList.toggle("expanded", open);
    }
  }

  // An avatar that fails to load is removed: the CSS then shows the creator's initial. (An
  // error listener, not an onerror attribute: the Content-Security-Policy forbids inline code.)
  function onImageError(event) {
    var target = event.target;
    if (target instanceof HTMLImageElement && target.closest(".avatar")) target.remove();
  }

  // Avatars that failed before this script ran (onImageError handles later failures).
  function fixAvatars(root) {
    var images = root.querySelectorAll(".avatar img");
    for (var i = 0; i < images.length; i++) {
      var img = images[i];
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) img.remove();
    }
  }

  // Bios are clamped to two lines; "Show more" appears only where text is actually cut.
  function fitBios(root) {
    var bios = root.querySelectorAll(".bio.clamped");
    for (var i = 0; i < bios.length; i++) {
      var bio = bios[i];
      var toggle = root.querySelector('button.bio-toggle[aria-controls="' + bio.id + '"]');
      if (toggle) toggle.hidden = bio.scrollHeight <= bio.clientHeight + 1;
    }
  }

  // --- filters that apply on change --------------------------------------------------------------
  // The form is a plain GET form (its Apply button works without this script). Here: empty
  // fields are left out of the address, selects and checkboxes apply at once, text fields after
  // a short pause once what is typed so far matches the field's pattern (or on Enter/leaving the
  // field, when the server says what is wrong with it).
  var filterTimer = null;

  function filterUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim() !== "") params.append(name, value);
    });
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  function applyFilters(form, always) {
    clearTimeout(filterTimer);
    var url = filterUrl(form);
    if (!always && url === window.location.pathname + window.location.search) return;
    var active = document.activeElement;
    if (active && active.form === form && active.id) {
      try {
        sessionStorage.setItem(
          FILTER_FOCUS_KEY,
          JSON.stringify({ path: window.location.pathname, id: active.id })
        );
      } catch (e) {
        /* private mode: the focus just starts at the top */
      }
    }
    window.location.assign(url);
  }

  function isTextField(el) {
    return el instanceof HTMLInputElement && (el.type === "text" || el.type === "search");
  }

  function filterForm(el) {
    return el instanceof Element ? el.closest("form[data-auto-apply]") : null;
  }

  function onFilterChange(event) {
    var form = filterForm(event.target);
    if (form) applyFilters(form, false);
  }

  function onFilterInput(event) {
    var form = filterForm(event.target);
    if (!form || !isTextField(event.target)) return;
    clearTimeout(filterTimer);
    if (!event.target.validity.valid) return; // "2." on its way to "2.5": wait
    filterTimer = setTimeout(function () {
      applyFilters(form, false);
    }, FILTER_TYPING_MS);
  }

  function onFilterSubmit(event) {
    var form = filterForm(event.target);
    if (!form) return;
    event.preventDefault();
    applyFilters(form, true);
  }

  // The field the reader was in before the filters reloaded the page, caret at the end.
  function restoreFilterFocus() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(FILTER_FOCUS_KEY) || "null");
      sessionStorage.removeItem(FILTER_FOCUS_KEY);
    } catch (e) {
      return false;
    }
    if (!saved || saved.path !== window.location.pathname) return false;
    var field = document.getElementById(saved.id);
    if (!field || !filterForm(field)) return false;
    field.focus();
    if (isTextField(field)) {
      var end = field.value.length;
      field.setSelectionRange(end, end);
    }
    return true;
  }

  // --- after a failed submit: the first field in error, in view and focused -------------------
  function isShown(el) {
    return el.getClientRects().length > 0;
  }

  function focusFirstError() {
    var fields = document.querySelectorAll('[aria-invalid="true"]');
    for (var i = 0; i < fields.length; i++) {
      if (!isShown(fields[i])) continue;
      fields[i].focus({ preventScroll: true });
      fields[i].scrollIntoView({ block: "center" });
      return;
    }
    // A message for the whole form (a plan limit, a target to confirm): show it.
    var alerts = document.querySelectorAll(".search-form [role=alert]");
    for (var j = 0; j < alerts.length; j++) {
      if (isShown(alerts[j])) {
        alerts[j].scrollIntoView({ block: "center" });
        return;
      }
    }
  }

  function enhance(root) {
    var progress = root.querySelectorAll(".job-progress[data-job-id]");
    for (var i = 0; i < progress.length; i++) startPoller(progress[i]);
    enhanceTabs(root);
    fixAvatars(root);
    fitBios(root);
  }

  function init() {
    document.addEventListener("click", onClick);
    document.addEventListener("error", onImageError, true); // error does not bubble: capture
    document.addEventListener("change", onFilterChange);
    document.addEventListener("input", onFilterInput);
    document.addEventListener("submit", onFilterSubmit);
    document.addEventListener("submit", onPanelFetchSubmit);
    document.addEventListener("keydown", onKeydown);
    enhance(document);
    // The panel's own page: a pending fetch reloads it once ready.
    if (document.getElementById("creator-panel-page")) {
      followPendingMetrics(document, function () {
        window.location.reload();
      });
    }
    if (!restoreFilterFocus()) focusFirstError();
  }

  window.creatorscope = { pollers: pollers, enhance: enhance, estimate: estimate };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
