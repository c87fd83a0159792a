// Tablet exam, 1 of 3: the autosave queue client. Unsent changes are kept on this tablet;
// saves go one at a time, in order, each with the version it was based on and its own key;
// scores come back from the server (the domain code), never computed here.
// Loaded first; exam_panels.js and exam_map.js (loaded after it, all three `defer`) share
// window.ClinicExam with it: this file puts the queue and the findings there, and calls the
// panels' functions through it once they are loaded (markSite, openTrigger, ...).
(function () {
  "use strict";
  var stateNode = document.getElementById("exam-state");
  if (!stateNode) { return; }
  var state = JSON.parse(stateNode.textContent);
  var exam = window.ClinicExam = { state: state };
  var queueKey = "clinic-queue:" + state.user + ":" + state.exam;
  var statusNode = document.getElementById("autosave-status");
  var conflictPanel = document.getElementById("conflict-panel");
  var retryDelay = state.retry_ms || 2000;
  var sending = false;

  // --- the queue on this tablet ----------------------------------------------------------
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
  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  // --- findings as this tablet last knew them --------------------------------------------
  // sites: code -> {version, examined, painful, rating, not_examined_reason, saved: last stored}
  // triggers: local id -> {id (null until the server made it), version, finding, saved}
  var triggers = {};
  state.triggers.forEach(function (point) {
    triggers[point.id] = { id: point.id, version: point.version, finding: point, saved: copy(point) };
  });
  Object.keys(state.sites).forEach(function (code) {
    state.sites[code].saved = siteValue(state.sites[code]);
  });
  function siteFinding(code) {
    var site = state.sites[code] || { version: 0, saved: null };
    state.sites[code] = site;
    return site;
  }
  function siteValue(site) {
    return { examined: site.examined, painful: site.painful, rating: site.rating,
             not_examined_reason: site.not_examined_reason };
  }
  // Trigger points not removed, in the order they were added (the numbers the PDF prints).
  function live() {
    return Object.keys(triggers).filter(function (local) { return !triggers[local].removed; });
  }

  // --- sending ----------------------------------------------------------------------------
  function enqueue(item) {
    item.key = newKey();
    var queue = loadQueue();
    queue.push(item);
    saveQueue(queue);
    showStatus("Saving…", "saving");
    flush();
  }
  function request(item) {
    if (item.kind === "site") {
      return { path: "/tender-points/" + item.code, base: siteFinding(item.code).version || 0 };
    }
    if (item.kind === "trigger-add") { return { path: "/trigger-points", base: 0 }; }
    var point = triggers[item.local];
    if (!point || !point.id) { return null; }  // its trigger point was never made
    return { path: "/trigger-points/" + point.id, base: point.version };
  }
  function flush() {
    if (sending) { return; }
    var queue = loadQueue();
    if (!queue.length) { return; }
    if (!navigator.onLine) { showStatus("Offline, kept on this tablet (" + queue.length + ")", "offline"); return; }
    var item = queue[0];
    var target = request(item);
    if (!target) { drop(item); flush(); return; }
    sending = true;
    var body = Object.assign({ base_version: target.base }, item.body);
    fetch(state.autosave + target.path, {
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
  function saved(item, data) {
    var record = data.saved || {};
    if (item.kind === "site") {
      var site = siteFinding(item.code);
      site.version = record.version;
      site.saved = item.body.finding;
    } else if (item.kind === "trigger-add") {
      // From now on the trigger point goes by the server's id, in memory and in the queue.
      var point = triggers[item.local];
      delete triggers[item.local];
      triggers[record.id] = point;
      point.id = record.id;
      point.version = record.version;
      point.saved = copy(record);
      exam.renameTrigger(item.local, record.id);
      saveQueue(loadQueue().map(function (queued) {
        if (queued.local === item.local) { queued.local = record.id; }
        return queued;
      }));
    } else if (item.kind === "trigger") {
      triggers[item.local].version = record.version;
      triggers[item.local].saved = copy(item.body.finding);
    } else if (item.kind === "trigger-remove") {
      delete triggers[item.local];
      if (exam.shownTrigger() === item.local) { exam.closeTrigger(); }
      exam.markTriggers();
    }
  }
  function handle(item, status, data) {
    if (status === 200 || status === 201) {
      drop(item);
      saved(item, data);
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
    if (status >= 400 && status < 500) { refused(item, status, data); flush(); return; }
    showStatus("Server problem, kept on this tablet; retrying", "offline");
    setTimeout(flush, retryDelay);
  }
  // A refused save changes nothing stored: the finding goes back to its stored value and the
  // reason is shown beside it.
  function refused(item, status, data) {
    drop(item);
    var fields = data.errors || {};
    var messages = Object.keys(fields).map(function (name) {
      return (name === "finding" ? "" : name.replace(/_/g, " ") + ": ") + fields[name];
    });
    if (!messages.length) { messages = [data.title || "The server refused this change."]; }
    var text = "Not saved: " + messages.join(" ");
    showStatus(text, "error");
    if (item.kind === "site") {
      var site = siteFinding(item.code);
      Object.assign(site, site.saved || { examined: undefined, painful: undefined, rating: undefined });
      exam.markSite(item.code);
      exam.openSite(item.code);
      document.getElementById("site-panel-message").textContent = text;
      return;
    }
    var point = triggers[item.local];
    if (!point) { return; }
    if (item.kind === "trigger-add" || status === 404) {
      // Never made, or gone: nothing later in the queue can apply to it.
      saveQueue(loadQueue().filter(function (queued) { return queued.local !== item.local; }));
      delete triggers[item.local];
      exam.markTriggers();
      exam.closeTrigger();
      showStatus(text, "error");
      return;
    }
    point.finding = copy(point.saved);
    point.removed = false;
    exam.markTriggers();
    exam.openTrigger(item.local);
    document.getElementById("trigger-panel-message").textContent = text;
  }
  function updateScores(scores) {
    if (!scores) { return; }
    document.querySelectorAll("[data-score]").forEach(function (node) {
      var value = scores[node.getAttribute("data-score")];
      if (value != null) { node.textContent = value; }
    });
  }

  // --- conflicts: both values shown, the clinician chooses -------------------------------
  function showConflict(item, data) {
    var site = item.kind === "site";
    var mine = item.kind === "trigger-remove" ? { removed: true } : item.body.finding;
    var what = site ? exam.siteLabel(item.code) : exam.triggerName(item.local);
    document.getElementById("conflict-text").textContent = what + ". This tablet: " +
      (site ? exam.describeSite(mine) : exam.describeTrigger(mine)) + ". Stored: " +
      (site ? exam.describeSite(data.stored) : exam.describeTrigger(data.stored)) + ".";
    conflictPanel.hidden = false;
    showStatus("Changed on another device: choose which to keep", "error");
    conflictPanel.querySelector('[data-keep="mine"]').onclick = function () {
      if (site) { siteFinding(item.code).version = data.stored_version; }
      else { triggers[item.local].version = data.stored_version; }
      saveQueue(loadQueue().map(function (q) { return q.key === item.key ? Object.assign(q, { key: newKey() }) : q; }));
      conflictPanel.hidden = true;
      flush();
    };
    conflictPanel.querySelector('[data-keep="theirs"]').onclick = function () {
      drop(item);
      var stored = data.stored || {};
      if (site) {
        state.sites[item.code] = Object.assign({ version: data.stored_version }, siteValue(stored));
        state.sites[item.code].saved = siteValue(stored);
        exam.markSite(item.code);
      } else {
        triggers[item.local] = { id: stored.id || triggers[item.local].id, version: data.stored_version, finding: stored, saved: copy(stored) };
        exam.markTriggers();
        if (exam.shownTrigger() === item.local) { exam.openTrigger(item.local); }
      }
      conflictPanel.hidden = true;
      showStatus("Kept the other device's value", "saved");
      flush();
    };
  }

  // What the panels and the map use.
  exam.triggers = triggers;
  exam.loadQueue = loadQueue;
  exam.newKey = newKey;
  exam.copy = copy;
  exam.showStatus = showStatus;
  exam.siteFinding = siteFinding;
  exam.live = live;
  exam.enqueue = enqueue;
  exam.flush = flush;
})();
