/* Business review form: autosave drafts in the background, add rows, print buttons.
 *
 * Progressive enhancement: without JavaScript the form works with its "Save draft"
 * and "Submit" buttons and one blank row per section. With it, the form is posted
 * (autosave=1) a moment after each change, and the server answers JSON:
 * {ok: true, saved_at} or {ok: false, errors: {"metrics.0.actual": ["…"]}}.
 * A rejected autosave changes nothing on the server: the last good draft stays.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.getElementById("review-form");
  if (!form) { return; }
  var statusEl = document.getElementById("autosave-status");
  var url = form.getAttribute("data-autosave");
  var DELAY_MS = 1500;
  var timer = null;
  var inFlight = false;
  var pending = false;
  var dirty = false;

  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; el.classList.add("js-ready"); });

  function setStatus(text, kind) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.className = "autosave-status" + (kind ? " is-" + kind : "");
  }

  function clearMarks() {
    form.querySelectorAll(".autosave-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid=true]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function fieldFor(key) {
    // "metrics.0.actual" → the input named "metrics-0-actual"; "wins" → "wins".
    var name = key.split(".").join("-");
    return form.querySelector("[name='" + name + "']");
  }

  function showErrors(errors) {
    clearMarks();
    var messages = [];
    Object.keys(errors).forEach(function (key) {
      var text = errors[key].join(" ");
      var input = key === "__all__" ? null : fieldFor(key);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        var note = document.createElement("span");
        note.className = "errorlist autosave-error";
        note.textContent = text;
        input.insertAdjacentElement("afterend", note);
      }
      messages.push(text);
    });
    setStatus("Not saved: " + messages[0] + (messages.length > 1 ? " (+" + (messages.length - 1) + " more)" : ""), "error");
  }

  function save() {
    if (inFlight) { pending = true; return; }
    inFlight = true;
    dirty = false;
    setStatus("Saving…", "saving");
    var body = new FormData(form);
    body.set("autosave", "1");
    body.delete("action");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().catch(function () { return { ok: false, errors: { __all__: ["The server did not answer."] } }; });
      })
      .then(function (data) {
        if (data.ok) {
          clearMarks();
          setStatus("Draft saved at " + data.saved_at, "saved");
        } else {
          dirty = true;
          showErrors(data.errors || { __all__: ["Could not save."] });
        }
      })
      .catch(function () {
        dirty = true;
        setStatus("Offline: not saved. Your text is still here; use Save draft when you are back online.", "error");
      })
      .then(function () {
        inFlight = false;
        if (pending) { pending = false; save(); }
      });
  }

  function schedule() {
    dirty = true;
    setStatus("Unsaved changes…", "saving");
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () { window.clearTimeout(timer); dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // "Add a metric" and friends: clone the section's <template>, numbered by TOTAL_FORMS.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-add-row");
      var total = form.querySelector("[name='" + prefix + "-TOTAL_FORMS']");
      var template = document.getElementById(prefix + "-template");
      var bodyEl = form.querySelector("[data-formset-body='" + prefix + "']");
      if (!total || !template || !bodyEl) { return; }
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement(bodyEl.tagName === "TBODY" ? "tbody" : "div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      bodyEl.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
