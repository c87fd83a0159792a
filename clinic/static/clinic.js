// On every page: signing out clears this tablet's kept autosave queues, which belong to the
// user who made them (tablets are shared; a queue is never sent under another user).
(function () {
  "use strict";
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
