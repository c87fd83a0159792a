// Capture pages (survey, assessment): the form is saved as a draft shortly after the last edit,
// exactly as the page would post it. Unsent edits are kept on this tablet under the signed-in
// user's key ("clinic-queue:…", cleared at sign-out) and sent when the connection or the
// session is back. The page's own Save button still works, with or without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave");
  var storeKey = form.getAttribute("data-autosave-key");
  var delay = Number(form.getAttribute("data-autosave-delay") || 1500);
  var firstRetry = Number(form.getAttribute("data-retry-ms") || 2000);
  var label = form.getAttribute("data-autosave-label") || "Answers on this page";
  var failures = 0;  // server errors in a row: each waits twice as long, up to a minute
  var statusNode = document.getElementById("autosave-status");
  var conflict = document.getElementById("form-conflict");
  var timer = null;
  var sending = false;

  function showStatus(text, kind) {
    statusNode.textContent = text;
    statusNode.className = "autosave-status " + (kind || "");
    statusNode.setAttribute("data-pending", load() ? "1" : "0");
  }
  function clock(iso) {
    return (iso ? new Date(iso) : new Date()).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }
  function store(snapshot) {
    if (snapshot) { localStorage.setItem(storeKey, JSON.stringify(snapshot)); } else { localStorage.removeItem(storeKey); }
  }
  // What the form would post now (the CSRF token is the page's own at sending time).
  function snapshot() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") { fields.push([name, String(value)]); }
    });
    return { key: newKey(), label: label, fields: fields };
  }
  function setVersion(snap, version) {
    snap.fields = snap.fields.map(function (pair) { return pair[0] === "version" ? ["version", String(version)] : pair; });
  }
  function edited() {
    store(snapshot());
    showStatus("Saving…", "saving");
    clearTimeout(timer);
    timer = setTimeout(send, delay);
  }
  function send() {
    var snap = load();
    if (!snap || sending) { return; }
    if (!navigator.onLine) { showStatus("Offline, kept on this tablet", "offline"); return; }
    sending = true;
    var body = new FormData();
    snap.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    var token = form.querySelector('[name="csrf_token"]');
    if (token) { body.append("csrf_token", token.value); }
    fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Idempotency-Key": snap.key, "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        sending = false;
        handle(snap, response.status, data);
      });
    }, function () {
      sending = false;
      if (!navigator.onLine) { showStatus("Offline, kept on this tablet", "offline"); return; }
      retryLater();
    });
  }
  function sameSnapshot(snap) { var now = load(); return now && now.key === snap.key; }
  // A server error or no answer: try again later, and say when.
  function retryLater() {
    failures += 1;
    var delay = firstRetry * Math.pow(2, Math.min(failures - 1, 10));
    delay = Math.min(60000, delay * (0.75 + Math.random() * 0.5));
    var due = Date.now() + delay;
    clearTimeout(timer);
    var tick = function () {
      if (!load()) { return; }
      var left = due - Date.now();
      if (left <= 0) { send(); return; }
      showStatus(label + " waiting to be sent — retrying in " + Math.ceil(left / 1000) + " s", "offline");
      timer = setTimeout(tick, Math.min(1000, left));
    };
    tick();
  }
  function handle(snap, status, data) {
    if (status === 200) {
      failures = 0;
      var version = data.saved.version;
      form.querySelector('[name="version"]').value = version;
      var pending = load();
      if (sameSnapshot(snap)) { store(null); }
      else if (pending) { setVersion(pending, version); store(pending); }  // typed on meanwhile
      showErrors({});
      showStatus("Saved " + clock(data.saved_at), "saved");
      if (load()) { send(); }
      return;
    }
    if (status === 401) {
      showStatus("Signed out: sign in to send the kept changes", "offline");
      window.location.href = form.getAttribute("data-login");
      return;
    }
    if (status === 412) { showConflict(snap, data); return; }
    if (status >= 400 && status < 500 && [408, 425, 429].indexOf(status) < 0) {
      failures = 0;
      if (sameSnapshot(snap)) { store(null); }  // the values stay on the form to correct
      showErrors(data.errors || {});
      showStatus("Not saved: " + (data.errors ? "correct the marked answers" :
        data.title || "the server refused these answers (" + status + ")"), "error");
      return;
    }
    retryLater();
  }
  // Each refused answer's message goes beside it, where the page itself would put it.
  function showErrors(errors) {
    form.querySelectorAll(".error[data-autosave-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll(".has-error[data-autosave-error]").forEach(function (node) {
      node.classList.remove("has-error");
      node.removeAttribute("data-autosave-error");
    });
    Object.keys(errors).forEach(function (name) {
      var control = form.querySelector('[name="' + name + '"]');
      var box = control ? control.closest(".field") : null;
      var message = document.createElement("p");
      message.className = "error";
      message.setAttribute("data-autosave-error", "1");
      message.setAttribute("role", "alert");
      message.textContent = errors[name];
      if (box) {
        box.classList.add("has-error");
        box.setAttribute("data-autosave-error", "1");
        box.appendChild(message);
      } else {
        form.insertBefore(message, form.firstChild);
      }
    });
  }
  function showConflict(snap, data) {
    conflict.hidden = false;
    showStatus("Changed on another device: choose which to keep", "error");
    conflict.querySelector('[data-keep="mine"]').onclick = function () {
      conflict.hidden = true;
      var pending = load() || snap;
      setVersion(pending, data.stored_version);
      pending.key = newKey();
      store(pending);
      send();
    };
    conflict.querySelector('[data-keep="theirs"]').onclick = function () {
      store(null);
      window.location.reload();
    };
  }
  // Back after a sign-in or a reload with edits still kept: put them on the form, then send.
  function restore(snap) {
    var values = {};
    snap.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (control) {
      if (!control.name || control.name === "csrf_token" || control.type === "submit") { return; }
      var given = values[control.name] || [];
      if (control.type === "radio" || control.type === "checkbox") { control.checked = given.indexOf(control.value) >= 0; }
      else if (given.length) { control.value = given[0]; }
    });
  }

  // A tick that answers a question (a WPI area answers "Widespread Pain Index") answers it on
  // the page at once, as the server will store it; choosing "Not asked" clears the ticks.
  form.querySelectorAll("[data-ticks-answer]").forEach(function (box) {
    var question = box.getAttribute("data-ticks-answer");
    box.addEventListener("change", function (event) {
      var target = event.target;
      if (target.type === "checkbox" && target.checked) {
        var asked = box.querySelector('input[type=radio][name="' + question + '"][value="yes"]');
        if (asked) { asked.checked = true; }
      } else if (target.type === "radio" && target.name === question && target.value !== "yes") {
        box.querySelectorAll("input[type=checkbox]").forEach(function (tick) { tick.checked = false; });
      }
    });
  });
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("submit", function () { clearTimeout(timer); store(null); });
  window.addEventListener("online", send);
  window.addEventListener("clinic:send-now", send);
  var kept = load();
  if (kept) {
    restore(kept);
    showStatus("Sending the changes kept on this tablet…", "saving");
    send();
  }
  form.setAttribute("data-autosave-ready", "1");
})();
