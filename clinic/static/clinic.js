// On every page: signing out clears this tablet's kept autosave queues, which belong to the
// user who made them (tablets are shared; a queue is never sent under another user), after
// naming any change not yet sent.
(function () {
  "use strict";
  // Forms marked data-once (signing) send once however often the button is tapped.
  document.querySelectorAll("form[data-once]").forEach(function (once) {
    once.addEventListener("submit", function (event) {
      if (once.getAttribute("data-sent")) { event.preventDefault(); return; }
      once.setAttribute("data-sent", "1");
      once.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
    });
  });

  // A page opened at a refusal (#sign-refused) scrolls to its message; browsers skip autofocus
  // when a page opens at a fragment, so the field to correct is focused here, where it is.
  var refused = location.hash && document.getElementById(location.hash.slice(1));
  var correct = refused && document.querySelector("[autofocus]");
  if (correct) {
    window.addEventListener("load", function () {
      if (document.activeElement !== correct) { correct.focus({ preventScroll: true }); }
    });
  }

  // A warning two minutes before the idle sign-out; autosaves do not count as activity.
  var idle = Number(document.body.getAttribute("data-idle-ms") || 0);
  var warning = document.getElementById("idle-warning");
  if (idle && warning) {
    var lead = Math.min(120000, idle / 2);
    var timer = null;
    var arm = function () {
      clearTimeout(timer);
      warning.hidden = true;
      timer = setTimeout(function () { warning.hidden = false; document.getElementById("idle-stay").focus(); }, idle - lead);
    };
    document.getElementById("idle-stay").addEventListener("click", function () {
      var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
      fetch(document.body.getAttribute("data-keep-alive"), {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token }
      }).then(function (response) {
        if (response.ok) { arm(); } else { window.location.reload(); }
      });
    });
    arm();
  }

  // Signing out clears this tablet's kept changes; any not yet sent are named first, and the
  // clinician chooses. (Without JavaScript the button signs out as a plain form.)
  var form = document.getElementById("sign-out-form");
  var signOutWarning = document.getElementById("sign-out-warning");
  if (!form) { return; }
  function keptKeys(prefix) {
    var keys = [];
    for (var i = 0; i < localStorage.length; i += 1) {
      var key = localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) { keys.push(key); }
    }
    return keys;
  }
  var mine = "clinic-queue:" + document.body.getAttribute("data-user") + ":";
  // What each kept change is about: a finding's name, or the page whose answers wait.
  function unsent(keys) {
    var counts = {}, names = [];
    keys.forEach(function (key) {
      var kept;
      try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
      var labels = Array.isArray(kept) ? kept.map(function (item) { return item.label || "a change on the body map"; })
        : kept && kept.fields ? [kept.label || "Answers on a form"] : [];
      labels.forEach(function (label) {
        if (!counts[label]) { counts[label] = 0; names.push(label); }
        counts[label] += 1;
      });
    });
    return names.map(function (name) {
      return counts[name] > 1 ? name + " (" + counts[name] + " changes)" : name;
    });
  }
  function forget(keys) { keys.forEach(function (key) { localStorage.removeItem(key); }); }
  form.addEventListener("submit", function (event) {
    var names = unsent(keptKeys(mine));
    if (!names.length || !signOutWarning) { forget(keptKeys("clinic-queue:")); return; }
    event.preventDefault();
    var list = document.getElementById("sign-out-unsent");
    list.innerHTML = "";
    names.forEach(function (name) {
      var line = document.createElement("li");
      line.textContent = name;
      list.appendChild(line);
    });
    signOutWarning.hidden = false;
    document.getElementById("sign-out-stay").focus();
  });
  if (!signOutWarning) { return; }
  document.getElementById("sign-out-stay").addEventListener("click", function () {
    signOutWarning.hidden = true;
    window.dispatchEvent(new Event("clinic:send-now"));  // the pages' queues try again at once
  });
  document.getElementById("sign-out-anyway").addEventListener("click", function () {
    forget(keptKeys("clinic-queue:"));
    form.submit();  // no submit event: the form goes as it is
  });
})();
