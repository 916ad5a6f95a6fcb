/* Peak OS — the survey answering page (progressive enhancement; the page works without it).
 *
 * - keeps a draft of the answers in localStorage while typing, so a reload loses nothing
 *   (keyed by the round, never by the link's token); the thank-you page deletes it;
 * - shows progress ("3 of 8 answered") and a character counter for comments;
 * - moves focus to the error summary when the server sent the form back;
 * - sends the answers with fetch() and, when the server answers 503 ("busy, try again")
 *   or cannot be reached, keeps the draft and sends again with backoff (honouring
 *   Retry-After, up to ~5 minutes). Safe: a link is single use, so a repeat of an answer
 *   that was stored shows "You already answered", never a second response. Any other
 *   answer (thank-you, errors, closed) replaces the page, as a plain form post would.
 *
 * Its messages are in the page's language: gettext/ngettext/interpolate come from Django's
 * JavaScript catalogue (/jsi18n/<lang>/, loaded before this file); without it (blocked,
 * failed) the English text shows. Numbers are formatted for the page's language (<html lang>).
 * The language switch keeps the draft: the draft is keyed by the round, not the language,
 * and is saved on pagehide, which a click on the switch triggers.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (msgid) { return msgid; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (match) { return String(obj[match.slice(2, -2)]); });
  };
  var lang = document.documentElement.lang || undefined;

  function number(n) {
    try {
      return n.toLocaleString(lang);
    } catch (e) {
      return String(n); // an unknown language tag
    }
  }

  function storage() {
    try {
      var probe = "__peakos__";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or storage disabled: no drafts, everything else works
    }
  }

  var store = storage();

  // The thank-you page: the answers were stored, drop the draft.
  var done = document.querySelector("[data-clear-draft]");
  if (done && store) {
    store.removeItem(done.getAttribute("data-clear-draft"));
  }

  var form = document.querySelector("form[data-survey-form]");
  if (!form) {
    return;
  }
  var key = form.getAttribute("data-draft-key");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && /^q\d+/.test(el.name);
    });
  }

  function collect() {
    var draft = {};
    fields().forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) {
          draft[el.name] = el.value;
        }
      } else if (el.value !== "") {
        draft[el.name] = el.value;
      }
    });
    return draft;
  }

  function save() {
    if (!store) {
      return;
    }
    try {
      store.setItem(key, JSON.stringify({ savedAt: Date.now(), answers: collect() }));
    } catch (e) {
      /* quota exceeded: keep going without a draft */
    }
  }

  function restore() {
    if (!store) {
      return;
    }
    var raw = store.getItem(key);
    if (!raw) {
      return;
    }
    var answers;
    try {
      answers = JSON.parse(raw).answers || {};
    } catch (e) {
      return;
    }
    // What the server rendered (answers sent back with errors) wins over the draft.
    var present = collect();
    fields().forEach(function (el) {
      if (!(el.name in answers) || el.name in present) {
        return;
      }
      if (el.type === "radio") {
        el.checked = el.value === answers[el.name];
      } else {
        el.value = answers[el.name];
      }
    });
  }

  function isAnswered(fieldset) {
    var inputs = fieldset.querySelectorAll("input, select, textarea");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "radio" ? el.checked : el.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  var text = document.querySelector("[data-progress-text]");
  var bar = document.querySelector("[data-progress-bar]");
  var questions = form.querySelectorAll("[data-question]");

  function progress() {
    var answered = 0;
    var missing = 0;
    Array.prototype.forEach.call(questions, function (q) {
      var ok = isAnswered(q);
      if (ok) {
        answered += 1;
      } else if (q.getAttribute("data-required") === "1") {
        missing += 1;
      }
      q.classList.toggle("is-answered", ok);
    });
    if (bar) {
      bar.value = answered;
    }
    if (text) {
      var total = questions.length;
      var answeredText = interpolate(
        ngettext("%(answered)s of %(total)s answered", "%(answered)s of %(total)s answered", answered),
        { answered: number(answered), total: number(total) },
        true
      );
      var rest;
      if (missing) {
        rest = interpolate(ngettext("%(count)s required to go", "%(count)s required to go", missing), { count: number(missing) }, true);
      } else if (answered === total) {
        rest = gettext("ready to send");
      } else {
        rest = gettext("ready to send (the rest is optional)");
      }
      text.textContent = answeredText + " · " + rest;
    }
  }

  function counters() {
    Array.prototype.forEach.call(form.querySelectorAll("textarea[data-counter]"), function (area) {
      var out = document.getElementById(area.getAttribute("data-counter"));
      if (out) {
        var left = 5000 - area.value.length;
        out.textContent = left >= 0
          ? interpolate(ngettext("%(count)s character left.", "%(count)s characters left.", left), { count: number(left) }, true)
          : interpolate(ngettext("%(count)s character too many.", "%(count)s characters too many.", -left), { count: number(-left) }, true);
      }
    });
  }

  var timer = null;
  function onChange() {
    progress();
    counters();
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 250);
  }

  restore();
  progress();
  counters();
  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);
  window.addEventListener("pagehide", save);

  // ---- sending, with retries when the server is busy -----------------------------
  var MAX_ATTEMPTS = 8;
  var status = null;
  var sending = false;

  function say(message) {
    if (!status) {
      status = document.createElement("p");
      status.className = "survey-retry";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      var where = form.querySelector(".survey-submit") || form;
      where.appendChild(status);
    }
    status.textContent = message;
  }

  function delayFor(attempt, retryAfter) {
    var backoff = Math.min(60, 2 * Math.pow(2, attempt)); // 2, 4, 8 … 60 s
    var asked = parseInt(retryAfter, 10);
    var seconds = isNaN(asked) ? backoff : Math.min(60, Math.max(1, asked));
    return seconds + Math.random(); // spread the retries of many browsers
  }

  function send(attempt) {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    window.fetch(form.action || window.location.href, {
      method: "POST",
      body: new window.FormData(form),
      credentials: "same-origin",
      redirect: "follow"
    }).then(function (response) {
      if (response.status === 503) {
        retry(attempt, response.headers.get("Retry-After"));
        return null;
      }
      return response.text().then(function (html) {
        document.open();
        document.write(html);
        document.close();
      });
    }, function () {
      retry(attempt, null); // offline, connection reset, proxy gone
    });
  }

  function retry(attempt, retryAfter) {
    save();
    var button = form.querySelector("button[type=submit]");
    if (attempt + 1 >= MAX_ATTEMPTS) {
      sending = false;
      if (button) {
        button.disabled = false;
      }
      say(gettext("Your answers could not be sent yet. They are kept in this browser: please try again in a minute."));
      return;
    }
    var seconds = delayFor(attempt, retryAfter);
    say(interpolate(
      gettext("The server is busy. Your answers are kept in this browser; sending again in %(seconds)s seconds."),
      { seconds: number(Math.round(seconds)) },
      true
    ));
    window.setTimeout(function () { send(attempt + 1); }, seconds * 1000);
  }

  if (window.fetch && window.FormData) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) {
        return;
      }
      sending = true;
      save();
      send(0);
    });
  }

  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
})();
