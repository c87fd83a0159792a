// On every page: signing out clears this tablet's kept autosave queues, which belong to the
// user who made them (tablets are shared; a queue is never sent under another user).
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

  var form = document.getElementById("sign-out-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var doomed = [];
    for (var i = 0; i < localStorage.length; i += 1) {
      var key = localStorage.key(i);
      if (key && key.indexOf("clinic-queue:") === 0) { doomed.push(key); }
    }
    doomed.forEach(function (key) { localStorage.removeItem(key); });
  });
})();
