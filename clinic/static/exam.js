// Tablet exam: tap the body map, autosave each change, keep unsent changes on the tablet.
// Saves go one at a time, in order, each with the version it was based on and its own key;
// scores come back from the server (the domain code), never computed here.
(function () {
  "use strict";
  var stateNode = document.getElementById("exam-state");
  if (!stateNode) { return; }
  var state = JSON.parse(stateNode.textContent);
  var queueKey = "clinic-queue:" + state.user + ":" + state.exam;
  var statusNode = document.getElementById("autosave-status");
  var panel = document.getElementById("site-panel");
  var conflictPanel = document.getElementById("conflict-panel");
  var current = null;  // the site code open in the panel
  var sending = false;
  var retryDelay = state.retry_ms || 2000;

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) { localStorage.setItem(queueKey, JSON.stringify(queue)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function showStatus(text, kind) {
    statusNode.textContent = text;
    statusNode.className = "autosave-status " + (kind || "");
    statusNode.setAttribute("data-pending", String(loadQueue().length));
  }
  function clock(iso) {
    var d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // --- site findings ---------------------------------------------------------------------
  function siteFinding(code) {
    var site = state.sites[code] || { version: 0 };
    state.sites[code] = site;
    return site;
  }
  function markSite(code) {
    var site = state.sites[code] || {};
    var node = document.querySelector('.site[data-site="' + code + '"]');
    if (!node) { return; }
    var kind = "not_recorded";
    if (site.examined === false) { kind = "not_examined"; }
    else if (site.examined) { kind = site.painful ? "painful" : "not_painful"; }
    node.setAttribute("class", node.getAttribute("class").replace(/state-\S+/, "state-" + kind));
    var label = node.querySelector(".rating");
    if (label) { label.textContent = kind === "painful" && site.rating != null ? site.rating : ""; }
  }
  function enqueueSite(code, finding) {
    var site = siteFinding(code);
    Object.assign(site, finding);
    markSite(code);
    enqueue({
      kind: "site", code: code, method: "PUT", path: "/tender-points/" + code,
      body: { finding: finding }
    });
  }

  // --- the queue -------------------------------------------------------------------------
  function enqueue(item) {
    item.key = newKey();
    var queue = loadQueue();
    queue.push(item);
    saveQueue(queue);
    showStatus("Saving…", "saving");
    flush();
  }
  function baseVersion(item) {
    if (item.kind === "site") { return siteFinding(item.code).version || 0; }
    return item.base_version;
  }
  function flush() {
    if (sending) { return; }
    var queue = loadQueue();
    if (!queue.length) { return; }
    if (!navigator.onLine) { showStatus("Offline, kept on this tablet (" + queue.length + ")", "offline"); return; }
    sending = true;
    var item = queue[0];
    var body = Object.assign({ base_version: baseVersion(item) }, item.body);
    fetch(state.autosave + item.path, {
      method: item.method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": state.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        sending = false;
        handle(item, response.status, data);
      });
    }, function () {
      sending = false;
      showStatus("Offline, kept on this tablet (" + loadQueue().length + ")", "offline");
      setTimeout(flush, retryDelay);
    });
  }
  function drop(item) {
    saveQueue(loadQueue().filter(function (queued) { return queued.key !== item.key; }));
  }
  function handle(item, status, data) {
    if (status === 200 || status === 201) {
      drop(item);
      if (item.kind === "site" && data.saved) { siteFinding(item.code).version = data.saved.version; }
      if (item.kind === "trigger" && data.saved) { addTriggerMark(data.saved); }
      updateScores(data.scores);
      showStatus("Saved " + clock(data.saved_at), "saved");
      flush();
      return;
    }
    if (status === 401) {
      showStatus("Signed out: sign in to send " + loadQueue().length + " kept change(s)", "offline");
      window.location.href = state.login;
      return;
    }
    if (status === 412) { showConflict(item, data); return; }
    if (status === 422 || status === 409 || status === 400 || status === 404) {
      drop(item);
      var messages = data.errors ? Object.keys(data.errors).map(function (k) { return k + ": " + data.errors[k]; }) : [data.title];
      showStatus("Not saved: " + messages.join("; "), "error");
      if (item.kind === "site") {
        openPanel(item.code);
        document.getElementById("site-panel-message").textContent = messages.join(" ");
      }
      flush();
      return;
    }
    showStatus("Server problem, kept on this tablet; retrying", "offline");
    setTimeout(flush, retryDelay);
  }
  function updateScores(scores) {
    if (!scores) { return; }
    document.querySelectorAll("[data-score]").forEach(function (node) {
      var value = scores[node.getAttribute("data-score")];
      if (value != null) { node.textContent = value; }
    });
  }

  // --- conflicts: both values shown, the clinician chooses -------------------------------
  function describe(finding) {
    if (!finding) { return "nothing"; }
    if (finding.examined === false) { return "not examined (" + (finding.not_examined_reason || "") + ")"; }
    return (finding.painful ? "painful" : "not painful") + ", " + (finding.rating == null ? "no rating" : finding.rating + "/10");
  }
  function showConflict(item, data) {
    var mine = item.body.finding;
    document.getElementById("conflict-text").textContent =
      "This tablet: " + describe(mine) + ". Stored: " + describe(data.stored) + ".";
    conflictPanel.hidden = false;
    showStatus("Changed on another device: choose which to keep", "error");
    conflictPanel.querySelector('[data-keep="mine"]').onclick = function () {
      if (item.kind === "site") { siteFinding(item.code).version = data.stored_version; }
      item.base_version = data.stored_version;
      saveQueue(loadQueue().map(function (q) { return q.key === item.key ? Object.assign(q, { key: newKey(), base_version: data.stored_version }) : q; }));
      conflictPanel.hidden = true;
      flush();
    };
    conflictPanel.querySelector('[data-keep="theirs"]').onclick = function () {
      drop(item);
      if (item.kind === "site") {
        var stored = data.stored || {};
        state.sites[item.code] = { version: data.stored_version, examined: stored.examined, painful: stored.painful, rating: stored.rating };
        markSite(item.code);
      }
      conflictPanel.hidden = true;
      showStatus("Kept the other device's value", "saved");
      flush();
    };
  }

  // --- the site panel --------------------------------------------------------------------
  function openPanel(code) {
    current = code;
    var node = document.querySelector('.site[data-site="' + code + '"]');
    document.getElementById("site-panel-title").textContent = node.getAttribute("aria-label").split(":")[0];
    var site = siteFinding(code);
    document.getElementById("site-panel-text").textContent = describe(site.examined === undefined ? null : site);
    document.getElementById("site-panel-message").textContent = "";
    document.getElementById("site-panel-reason").value = site.not_examined_reason || "";
    panel.hidden = false;
    panel.querySelector("button").focus();
  }
  function changeSite(patch) {
    var site = siteFinding(current);
    var finding = {
      examined: true,
      painful: site.examined ? site.painful : null,
      rating: site.examined ? site.rating : null
    };
    Object.assign(finding, patch);
    if (finding.painful === false && finding.rating == null) { finding.rating = 0; }
    enqueueSite(current, finding);
    document.getElementById("site-panel-text").textContent = describe(finding);
  }
  if (panel) {
    panel.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !current) { return; }
      if (button.hasAttribute("data-painful")) {
        var painful = button.getAttribute("data-painful") === "yes";
        changeSite(painful ? { painful: true } : { painful: false, rating: 0 });
      } else if (button.hasAttribute("data-rating")) {
        var rating = Number(button.getAttribute("data-rating"));
        changeSite({ rating: rating, painful: siteFinding(current).painful === false && rating > 0 ? true : siteFinding(current).painful });
      } else if (button.hasAttribute("data-not-examined")) {
        var reason = document.getElementById("site-panel-reason").value.trim();
        enqueueSite(current, { examined: false, not_examined_reason: reason, painful: null, rating: null });
      } else if (button.hasAttribute("data-close")) {
        panel.hidden = true;
        var node = document.querySelector('.site[data-site="' + current + '"]');
        current = null;
        if (node) { node.focus(); }
      }
    });
  }

  // --- trigger points by tapping a muscle --------------------------------------------------
  function addTriggerMark(saved) {
    var shape = document.querySelector('.muscle-link[data-muscle="' + saved.muscle + '"][data-side="' + saved.side + '"] polygon');
    if (shape) { shape.classList.add("marked"); }
  }
  // One tap handler for the whole map: sites close together (the occiput pair lies a finger's
  // width apart) get a chooser with large buttons instead of a guess.
  var map = document.querySelector(".body-map");
  var chooser = document.getElementById("site-chooser");
  var reach = state.tap_reach || 7;
  function sitesNear(event) {
    var point = map.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    var local = point.matrixTransform(map.getScreenCTM().inverse());
    var near = [];
    document.querySelectorAll(".site[data-site]").forEach(function (node) {
      var hit = node.querySelector(".hit");
      var dx = Number(hit.getAttribute("cx")) - local.x, dy = Number(hit.getAttribute("cy")) - local.y;
      var distance = Math.sqrt(dx * dx + dy * dy);
      if (distance <= reach) { near.push({ node: node, distance: distance }); }
    });
    return near.sort(function (a, b) { return a.distance - b.distance; }).map(function (n) { return n.node; });
  }
  function choose(nodes) {
    chooser.innerHTML = "";
    var title = document.createElement("h3");
    title.textContent = "Which site?";
    chooser.appendChild(title);
    var row = document.createElement("div");
    row.className = "panel-row";
    nodes.forEach(function (node) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = node.getAttribute("aria-label").split(":")[0];
      button.addEventListener("click", function () { chooser.hidden = true; openPanel(node.getAttribute("data-site")); });
      row.appendChild(button);
    });
    chooser.appendChild(row);
    chooser.hidden = false;
    row.querySelector("button").focus();
  }
  function addTriggerPoint(link) {
    var label = link.getAttribute("aria-label").replace("Add a trigger point: ", "");
    if (!window.confirm("Add a trigger point: " + label + "?")) { return; }
    enqueue({ kind: "trigger", method: "POST", path: "/trigger-points", base_version: 0,
              body: { finding: { muscle: link.getAttribute("data-muscle"), side: link.getAttribute("data-side") } } });
  }
  if (map) {
    map.addEventListener("click", function (event) {
      var site = event.target.closest(".site[data-site]");
      var muscle = event.target.closest(".muscle-link");
      if (!site && !muscle) { return; }
      event.preventDefault();
      if (event.detail === 0) {  // keyboard: the focused element is the choice
        if (site) { openPanel(site.getAttribute("data-site")); } else { addTriggerPoint(muscle); }
        return;
      }
      var near = sitesNear(event);
      if (near.length === 1) { openPanel(near[0].getAttribute("data-site")); }
      else if (near.length > 1) { choose(near); }
      else if (muscle) { addTriggerPoint(muscle); }
    });
  }

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  var waiting = loadQueue().length;
  if (waiting) { showStatus("Sending " + waiting + " kept change(s)…", "saving"); flush(); }
  // Until this point a tap follows the plain link to the form; from here the map handles it.
  document.documentElement.setAttribute("data-exam-ready", "1");
})();
