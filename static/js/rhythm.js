// Weekly rhythm pages (no inline scripts: CSP).
// * The live meeting page asks the server for its live part every few seconds and swaps it in,
//   so everyone in the meeting sees the agenda move, issues solved and ratings arrive without a
//   reload. It waits while someone is typing into a form there, so nothing typed is lost. It
//   sends the version it shows (If-None-Match): the server answers 304 while nothing changed.
// * The section timer counts up from the moment the section started (server clock).
// * The scorecard's "Enter a week" form posts to the measurable chosen in its select.
(function () {
  "use strict";

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  var clockOffset = 0; // server time minus browser time, in seconds

  function tickTimer() {
    var el = document.querySelector(".section-timer");
    if (!el) return;
    var started = Number(el.dataset.started);
    var minutes = Number(el.dataset.minutes);
    var now = Date.now() / 1000 + clockOffset;
    var elapsed = Math.max(0, Math.floor(now - started));
    var value = el.querySelector(".timer-value");
    value.textContent = Math.floor(elapsed / 60) + ":" + pad(elapsed % 60);
    el.classList.toggle("over", elapsed > minutes * 60);
  }

  function syncClock() {
    var el = document.querySelector(".section-timer");
    if (el && el.dataset.now) clockOffset = Number(el.dataset.now) - Date.now() / 1000;
  }

  function busy(root) {
    // Someone is working in a form of the live part: an open "Solve" panel, focus in a field,
    // or text typed and not sent yet.
    if (root.querySelector("details[open]")) return true;
    var active = document.activeElement;
    if (active && root.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    var fields = root.querySelectorAll("input[type=text], textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  function startPolling(config) {
    var root = document.getElementById("live");
    if (!root || !config.live) return;
    var inFlight = false;
    var etag = config.etag || "";
    function poll() {
      if (inFlight || busy(root) || document.hidden) return;
      inFlight = true;
      var headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      // The page keeps the version it shows: 304 (nothing changed) has no body and changes nothing.
      fetch(config.url, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          if (r.status === 304) return null;
          if (!r.ok) throw new Error(r.status);
          var next = r.headers.get("ETag") || "";
          return r.json().then(function (data) {
            data.etag = next;
            return data;
          });
        })
        .then(function (data) {
          if (!data) return;
          // Typed since the request left: keep the old version (and its ETag), ask again later.
          if (!busy(root)) {
            etag = data.etag;
            if (data.html !== root.dataset.html) {
              root.innerHTML = data.html;
              root.dataset.html = data.html;
              syncClock();
              tickTimer();
            }
          }
          if (!data.live) window.location.reload();
        })
        .catch(function () {
          /* the next poll tries again */
        })
        .finally(function () {
          inFlight = false;
        });
    }
    window.setInterval(poll, config.interval || 2000);
  }

  function entryForm() {
    var select = document.querySelector("[data-sets-action]");
    if (!select) return;
    select.addEventListener("change", function () {
      select.form.action = select.value;
    });
    select.form.action = select.value;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var configEl = document.getElementById("rhythm-live-config");
    syncClock();
    tickTimer();
    window.setInterval(tickTimer, 1000);
    entryForm();
    if (configEl) startPolling(JSON.parse(configEl.textContent));
  });
})();
