// Tablet exam, 1 of 3: the autosave queue client. Unsent changes are kept on this tablet;
// saves go one at a time, each with the version it was based on and its own key. Changes of one
// finding go in the order they were made; a finding whose save met a server error waits (1, 2,
// 4 … 60 s, with jitter) while the changes of other findings go on. A refused save leaves the
// queue and is shown beside its finding. Scores come back from the server, never computed here.
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
  var refusalList = document.getElementById("autosave-refusals");
  var conflictPanel = document.getElementById("conflict-panel");
  var firstRetry = state.retry_ms || 2000;
  var LONGEST_WAIT = 60000;
  var ANSWER_LIMIT = 30000;   // a save unanswered this long is retried as if the network failed
  var RETRIED_4XX = [408, 425, 429];  // "try again later", not a refusal of the change
  var sending = null;         // the key of the save on its way
  var failures = {};          // finding -> server errors in a row
  var waitUntil = {};         // finding -> when its next try may go
  var held = {};              // finding -> {item, data}: a conflict the clinician has to settle
  var refusals = {};          // finding -> {label, text, open}: its last refused save
  var conflictShown = null;   // the finding the conflict panel is about
  var lastSaved = null;       // when this tablet last had a save stored
  var note = null;            // a one-off status ("Kept the other device's value")
  var timer = null, ticker = null;

  // --- the queue on this tablet ----------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    if (queue.length) { localStorage.setItem(queueKey, JSON.stringify(queue)); }
    else { localStorage.removeItem(queueKey); }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function clock(iso) {
    var d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function copy(value) { return JSON.parse(JSON.stringify(value)); }
  // The finding a change belongs to: its changes are sent in order, one after the other.
  function findingOf(item) { return item.kind === "site" ? "site:" + item.code : "trigger:" + item.local; }
  function labelOf(item) {
    if (item.kind === "site") { return exam.siteLabel ? exam.siteLabel(item.code) : item.code; }
    if (triggers[item.local] && exam.triggerName) { return exam.triggerName(item.local); }
    return item.label || "a trigger point";
  }

  // --- findings as this tablet last knew them --------------------------------------------
  // sites: code -> {version, examined, painful, rating, not_examined_reason, ppt, saved: stored}
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
             not_examined_reason: site.not_examined_reason, ppt: site.ppt || null };
  }
  var NOTHING = { examined: undefined, painful: undefined, rating: undefined,
                  not_examined_reason: undefined, ppt: null };
  // Trigger points not removed, in the order they were added (the numbers the PDF prints).
  function live() {
    return Object.keys(triggers).filter(function (local) { return !triggers[local].removed; });
  }
  // What a finding will be once this tablet's queue is sent: its last queued change, or what
  // is stored when none waits.
  function showAsQueued(item) {
    var last = null;
    loadQueue().forEach(function (queued) { if (findingOf(queued) === findingOf(item)) { last = queued; } });
    if (item.kind === "site") {
      var site = siteFinding(item.code);
      Object.assign(site, last ? last.body.finding : (site.saved || NOTHING));
      exam.markSite(item.code);
      return;
    }
    var point = triggers[item.local];
    if (!point) { return; }
    point.removed = !!last && last.kind === "trigger-remove";
    point.finding = copy(last && last.kind === "trigger" ? last.body.finding : point.saved);
    exam.markTriggers();
  }

  // --- what the tablet says: saved, sending, waiting (and why), offline --------------------
  function waitingNames(queue) {
    var names = [];
    queue.forEach(function (item) {
      var name = labelOf(item);
      if (names.indexOf(name) < 0) { names.push(name); }
    });
    return names.join("; ");
  }
  function nextTry(queue) {
    var now = Date.now(), soonest = Infinity;
    queue.forEach(function (item) {
      var at = waitUntil[findingOf(item)] || 0;
      if (at > now) { soonest = Math.min(soonest, at); }
    });
    return soonest === Infinity ? null : soonest - now;
  }
  function render() {
    var queue = loadQueue();
    var count = queue.length, text, kind;
    var changes = count + (count === 1 ? " change" : " changes");
    var wait = count ? nextTry(queue) : null;
    if (!count) {
      text = note || (lastSaved ? "Saved " + clock(lastSaved) : statusNode.textContent);
      kind = note || lastSaved ? "saved" : statusNode.className.replace("autosave-status", "").trim();
    } else if (Object.keys(held).length) {
      text = "Changed on another device: choose which to keep (" + changes + " waiting: " + waitingNames(queue) + ")";
      kind = "error";
    } else if (!navigator.onLine) {
      text = "Offline, kept on this tablet (" + count + "): " + waitingNames(queue);
      kind = "offline";
    } else if (wait !== null && !sending) {
      text = changes + " waiting to be sent: " + waitingNames(queue) + " — retrying in " +
        Math.max(1, Math.ceil(wait / 1000)) + " s";
      kind = "offline";
    } else if (wait !== null) {
      text = "Saving… (" + changes + " waiting: " + waitingNames(queue) + ")";
      kind = "offline";
    } else {
      text = "Saving…";
      kind = "saving";
    }
    var refused = Object.keys(refusals).length;
    if (!count && refused && !note) {
      text = (lastSaved ? "Saved " + clock(lastSaved) + "; " : "") + refused +
        (refused === 1 ? " change was" : " changes were") + " not saved (listed below)";
      kind = "error";
    }
    statusNode.textContent = text;
    statusNode.className = "autosave-status " + (kind || "");
    statusNode.setAttribute("data-pending", String(count));
    // While a finding waits, the seconds count down.
    if (wait !== null && !ticker) { ticker = setInterval(render, 1000); }
    if (wait === null && ticker) { clearInterval(ticker); ticker = null; }
  }
  function showStatus(text, kind) {  // a message of its own, until the next change of state
    statusNode.textContent = text;
    statusNode.className = "autosave-status " + (kind || "");
    statusNode.setAttribute("data-pending", String(loadQueue().length));
  }

  // --- sending ----------------------------------------------------------------------------
  // A later change of a finding replaces its change still waiting, if that was never sent (a
  // change sent once may be stored: it is sent again with its own key, never replaced).
  function enqueue(item) {
    item.key = newKey();
    item.tries = 0;
    item.label = labelOf(item);
    note = null;
    var queue = loadQueue(), last = -1;
    queue.forEach(function (queued, at) { if (findingOf(queued) === findingOf(item)) { last = at; } });
    var waiting = last >= 0 ? queue[last] : null;
    if (waiting && waiting.kind === item.kind && (item.kind === "site" || item.kind === "trigger") &&
        !waiting.tries && waiting.key !== sending) {
      queue[last] = item;
    } else {
      queue.push(item);
    }
    saveQueue(queue);
    render();
    flush();
  }
  function request(item) {
    if (item.kind === "site") {
      return { path: "/tender-points/" + item.code, base: siteFinding(item.code).version || 0 };
    }
    if (item.kind === "trigger-add") { return { path: "/trigger-points", base: 0 }; }
    var point = triggers[item.local];
    if (!point || !point.id) { return null; }  // its trigger point was never made
    return { path: "/trigger-points/" + point.id, base: point.version || 0 };
  }
  // The first change whose finding is not waiting (nor behind an earlier change of its own).
  function nextItem(queue) {
    var now = Date.now(), behind = {};
    for (var i = 0; i < queue.length; i += 1) {
      var finding = findingOf(queue[i]);
      if (behind[finding]) { continue; }
      behind[finding] = true;
      if (!held[finding] && (waitUntil[finding] || 0) <= now) { return queue[i]; }
    }
    return null;
  }
  function flush() {
    if (sending) { return; }
    clearTimeout(timer);
    timer = null;
    var queue = loadQueue();
    if (!queue.length || !navigator.onLine) { render(); return; }
    var item = nextItem(queue);
    if (!item) {
      var wait = nextTry(queue);
      if (wait !== null) { timer = setTimeout(flush, wait); }
      render();
      return;
    }
    var target = request(item);
    if (!target) { drop(item); flush(); return; }
    send(item, target);
  }
  function send(item, target) {
    sending = item.key;
    saveQueue(loadQueue().map(function (queued) {
      if (queued.key === item.key) { queued.tries = (queued.tries || 0) + 1; }
      return queued;
    }));
    render();
    var body = Object.assign({ base_version: target.base }, item.body);
    var controller = window.AbortController ? new AbortController() : null;
    var limit = setTimeout(function () { if (controller) { controller.abort(); } }, ANSWER_LIMIT);
    fetch(state.autosave + target.path, {
      method: item.method,
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": state.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        clearTimeout(limit);
        sending = null;
        handle(item, response.status, data || {});
      });
    }, function () {  // no answer: offline, the connection dropped, or it took too long
      clearTimeout(limit);
      sending = null;
      retryLater(item);
    });
  }
  function drop(item) {
    saveQueue(loadQueue().filter(function (queued) { return queued.key !== item.key; }));
  }
  function handle(item, status, data) {
    var finding = findingOf(item);
    if (status >= 200 && status < 300) {
      drop(item);
      delete failures[finding];
      delete waitUntil[finding];
      saved(item, data);
      updateScores(data.scores);
      lastSaved = data.saved_at || new Date().toISOString();
      flush();
      return;
    }
    if (status === 401) {
      showStatus("Signed out: sign in to send " + loadQueue().length + " kept change(s)", "offline");
      window.location.href = state.login;
      return;
    }
    if (status === 412) {
      held[finding] = { item: item, data: data };
      showConflict();
      flush();
      return;
    }
    if (status >= 400 && status < 500 && RETRIED_4XX.indexOf(status) < 0) {
      refused(item, status, data);
      flush();
      return;
    }
    retryLater(item);
  }
  // A server error or no answer: this finding waits longer after each failure, the others go on.
  function retryLater(item) {
    var finding = findingOf(item);
    var count = failures[finding] = (failures[finding] || 0) + 1;
    var delay = firstRetry * Math.pow(2, Math.min(count - 1, 10));
    delay = Math.min(LONGEST_WAIT, delay * (0.75 + Math.random() * 0.5));
    waitUntil[finding] = Date.now() + delay;
    flush();
  }
  // Send everything now (the connection is back, or the clinician asked).
  function sendNow() {
    waitUntil = {};
    flush();
  }
  function saved(item, data) {
    var record = data.saved || {};
    if (item.kind === "site") {
      var site = siteFinding(item.code);
      site.version = record.version;
      site.saved = record.site ? siteValue(record) : siteValue(item.body.finding);
      forget("site:" + item.code);
      showAsQueued(item);
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
      forget("trigger:" + item.local);
      exam.markTriggers();
    } else if (item.kind === "trigger" && triggers[item.local]) {
      triggers[item.local].version = record.version;
      triggers[item.local].saved = copy(item.body.finding);
      forget("trigger:" + item.local);
    } else if (item.kind === "trigger-remove") {
      delete triggers[item.local];
      forget("trigger:" + item.local);
      if (exam.shownTrigger() === item.local) { exam.closeTrigger(); }
      exam.markTriggers();
    }
  }

  // --- refused saves: out of the queue, shown beside their finding ------------------------
  function refusalText(status, data) {
    var fields = data.errors || {};
    var messages = Object.keys(fields).map(function (name) {
      return (name === "finding" ? "" : name.replace(/_/g, " ") + ": ") + fields[name];
    });
    if (!messages.length) { messages = [data.title || data.detail || "The server refused this change (" + status + ")."]; }
    return "Not saved: " + messages.join(" ");
  }
  function refused(item, status, data) {
    drop(item);
    var finding = findingOf(item);
    delete failures[finding];
    delete waitUntil[finding];
    var label = labelOf(item), text = refusalText(status, data);
    if (item.kind === "site") {
      remember(finding, label, text, function () { exam.openSite(item.code); });
      showAsQueued(item);
      return;
    }
    if (item.kind === "trigger-add" || status === 404 || !triggers[item.local]) {
      // Never made, or gone: nothing later in the queue can apply to it.
      saveQueue(loadQueue().filter(function (queued) { return queued.local !== item.local; }));
      delete triggers[item.local];
      if (exam.shownTrigger() === item.local) { exam.closeTrigger(); }
      remember(finding, label, text, null);
      exam.markTriggers();
      return;
    }
    remember(finding, label, text, function () {
      if (triggers[item.local]) { exam.openTrigger(item.local); }
    });
    showAsQueued(item);
  }
  function remember(finding, label, text, open) {
    refusals[finding] = { label: label, text: text, open: open };
    listRefusals();
    // Its panel opens with the message, unless the clinician is in another finding's panel
    // (the list above the map names it, with a button to open it).
    if (open && !exam.panelOpen()) { open(); }
    exam.refreshPanel();
  }
  function forget(finding) {
    if (!refusals[finding]) { return; }
    delete refusals[finding];
    listRefusals();
    exam.refreshPanel();
  }
  function listRefusals() {
    refusalList.innerHTML = "";
    Object.keys(refusals).forEach(function (finding) {
      var refusal = refusals[finding];
      var entry = document.createElement("li");
      var words = document.createElement("span");
      words.textContent = refusal.label + " — " + refusal.text;
      entry.appendChild(words);
      if (refusal.open) {
        var show = document.createElement("button");
        show.type = "button";
        show.className = "secondary";
        show.textContent = "Show";
        show.setAttribute("aria-label", "Show " + refusal.label);
        show.addEventListener("click", refusal.open);
        entry.appendChild(show);
      }
      var dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "secondary";
      dismiss.textContent = "Dismiss";
      dismiss.setAttribute("aria-label", "Dismiss the message about " + refusal.label);
      dismiss.addEventListener("click", function () { forget(finding); render(); });
      entry.appendChild(dismiss);
      refusalList.appendChild(entry);
    });
    refusalList.hidden = !refusalList.children.length;
    render();
  }
  function refusalFor(finding) { return refusals[finding] ? refusals[finding].text : ""; }
  function waitingFor(finding) {
    return loadQueue().some(function (item) { return findingOf(item) === finding; });
  }

  // --- scores: every line of the page from the server's answer ----------------------------
  function updateScores(scores) {
    if (!scores) { return; }
    document.querySelectorAll("[data-score]").forEach(function (node) {
      var value = scores[node.getAttribute("data-score")];
      if (value != null) { node.textContent = value; }
    });
    var criteria = scores.criteria || {};
    Object.keys(criteria).forEach(function (key) {
      var node = document.querySelector('[data-criterion="' + key + '"]');
      if (node) { showCriterion(node, criteria[key]); }
    });
    var box = document.querySelector('[data-score-list="pressure_differences"]');
    if (box && scores.pressure_differences) {
      var list = box.querySelector("ul");
      list.innerHTML = "";
      scores.pressure_differences.forEach(function (text) {
        var line = document.createElement("li");
        line.textContent = text;
        list.appendChild(line);
      });
      box.hidden = !scores.pressure_differences.length;
    }
  }
  function showCriterion(node, result) {
    node.className = "criterion outcome-" + result.outcome;
    var heading = node.querySelector("h3");
    heading.textContent = result.version + ": ";
    var outcome = document.createElement("span");
    outcome.className = "outcome";
    outcome.textContent = result.outcome_label;
    heading.appendChild(outcome);
    var list = node.querySelector("ul");
    list.innerHTML = "";
    result.conditions.forEach(function (condition) {
      var line = document.createElement("li");
      line.className = "outcome-" + condition.outcome;
      line.textContent = condition.text + " — " + condition.outcome_label;
      list.appendChild(line);
    });
  }

  // --- conflicts: both values shown, the clinician chooses -------------------------------
  function showConflict() {
    if (conflictShown && held[conflictShown]) { return; }
    conflictShown = Object.keys(held)[0] || null;
    if (!conflictShown) { conflictPanel.hidden = true; return; }
    var item = held[conflictShown].item, data = held[conflictShown].data;
    var site = item.kind === "site";
    var mine = item.kind === "trigger-remove" ? { removed: true } : item.body.finding;
    document.getElementById("conflict-text").textContent = labelOf(item) + ". This tablet: " +
      (site ? exam.describeSite(mine) : exam.describeTrigger(mine)) + ". Stored: " +
      (site ? exam.describeSite(data.stored) : exam.describeTrigger(data.stored)) + ".";
    conflictPanel.hidden = false;
    render();
    conflictPanel.querySelector('[data-keep="mine"]').onclick = function () { settle(true); };
    conflictPanel.querySelector('[data-keep="theirs"]').onclick = function () { settle(false); };
  }
  // Keep this tablet's change (sent again, based on the stored version), or take the stored
  // value (this tablet's waiting changes of that finding are let go).
  function settle(keepMine) {
    var finding = conflictShown, item = held[finding].item, data = held[finding].data;
    delete held[finding];
    conflictShown = null;
    conflictPanel.hidden = true;
    if (keepMine) {
      if (item.kind === "site") { siteFinding(item.code).version = data.stored_version; }
      else if (triggers[item.local]) { triggers[item.local].version = data.stored_version; }
      saveQueue(loadQueue().map(function (queued) {
        return queued.key === item.key ? Object.assign(queued, { key: newKey(), tries: 0 }) : queued;
      }));
    } else {
      saveQueue(loadQueue().filter(function (queued) { return findingOf(queued) !== finding; }));
      var stored = data.stored || null;
      if (item.kind === "site") {
        state.sites[item.code] = Object.assign({ version: data.stored_version || 0 }, stored ? siteValue(stored) : NOTHING);
        state.sites[item.code].saved = stored ? siteValue(stored) : null;
        exam.markSite(item.code);
      } else if (stored) {
        triggers[item.local] = { id: stored.id || triggers[item.local].id, version: data.stored_version, finding: stored, saved: copy(stored) };
        exam.markTriggers();
        if (exam.shownTrigger() === item.local) { exam.openTrigger(item.local); }
      }
      note = "Kept the other device's value";
    }
    showConflict();
    flush();
    render();
  }

  window.addEventListener("online", sendNow);
  window.addEventListener("offline", render);
  window.addEventListener("clinic:send-now", sendNow);

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
  exam.sendNow = sendNow;
  exam.refusalFor = refusalFor;
  exam.waitingFor = waitingFor;
})();
