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
  var map = document.querySelector(".body-map");
  var sitePanel = document.getElementById("site-panel");
  var triggerPanel = document.getElementById("trigger-panel");
  var chooser = document.getElementById("site-chooser");
  var conflictPanel = document.getElementById("conflict-panel");
  var reach = state.tap_reach || 7;  // map units around a mark or shape that still count as a tap on it
  var retryDelay = state.retry_ms || 2000;
  var currentSite = null;     // the site code open in the site panel
  var currentTrigger = null;  // the trigger point (local id) open in the trigger panel
  var newTriggerAt = null;    // the muscle link a new trigger point would go on
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
  function siteNode(code) { return document.querySelector('.site[data-site="' + code + '"]'); }
  function siteLabel(code) { return siteNode(code).getAttribute("aria-label").split(":")[0]; }
  function markSite(code) {
    var site = state.sites[code] || {};
    var node = siteNode(code);
    if (!node) { return; }
    var kind = "not_recorded";
    if (site.examined === false) { kind = "not_examined"; }
    else if (site.examined) { kind = site.painful ? "painful" : "not_painful"; }
    node.setAttribute("class", node.getAttribute("class").replace(/state-\S+/, "state-" + kind));
    var label = node.querySelector(".rating");
    if (label) { label.textContent = kind === "painful" && site.rating != null ? site.rating : ""; }
  }
  function muscleLink(muscle, side) {
    return document.querySelector('.muscle-link[data-muscle="' + muscle + '"][data-side="' + side + '"]');
  }
  function zoneLabel(code) {
    var node = document.querySelector('.zone[data-zone="' + code + '"]');
    return node ? node.getAttribute("data-label") : code;
  }
  // Trigger points not removed, in the order they were added (the numbers the PDF prints).
  function live() {
    return Object.keys(triggers).filter(function (local) { return !triggers[local].removed; });
  }
  function triggerName(local) {
    var number = live().indexOf(local) + 1;
    return "Trigger point " + (number || "") + ": " + muscleName(triggers[local].finding);
  }
  function muscleName(finding) {
    var link = muscleLink(finding.muscle, finding.side);
    return link ? link.getAttribute("aria-label").replace("Add a trigger point: ", "")
                : (finding.muscle_label || finding.muscle || "other muscle") + ", " + finding.side;
  }
  // Muscles holding a trigger point and the zones they refer to are shaded on the map.
  function markTriggers() {
    var muscles = {}, zones = {};
    live().forEach(function (local) {
      var finding = triggers[local].finding;
      muscles[finding.muscle + ":" + finding.side] = true;
      (finding.referral_zones || []).forEach(function (zone) { zones[zone] = true; });
    });
    document.querySelectorAll(".muscle-link").forEach(function (link) {
      var key = link.getAttribute("data-muscle") + ":" + link.getAttribute("data-side");
      link.querySelector("polygon").classList.toggle("marked", !!muscles[key]);
    });
    var chosen = currentTrigger && triggers[currentTrigger] ? triggers[currentTrigger].finding.referral_zones || [] : [];
    document.querySelectorAll(".zone[data-zone]").forEach(function (node) {
      var code = node.getAttribute("data-zone");
      node.classList.toggle("marked", !!zones[code]);
      node.classList.toggle("chosen", chosen.indexOf(code) >= 0);
    });
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
      if (currentTrigger === item.local) { currentTrigger = record.id; }
      saveQueue(loadQueue().map(function (queued) {
        if (queued.local === item.local) { queued.local = record.id; }
        return queued;
      }));
    } else if (item.kind === "trigger") {
      triggers[item.local].version = record.version;
      triggers[item.local].saved = copy(item.body.finding);
    } else if (item.kind === "trigger-remove") {
      delete triggers[item.local];
      if (currentTrigger === item.local) { closeTrigger(); }
      markTriggers();
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
      markSite(item.code);
      openSite(item.code);
      document.getElementById("site-panel-message").textContent = text;
      return;
    }
    var point = triggers[item.local];
    if (!point) { return; }
    if (item.kind === "trigger-add" || status === 404) {
      // Never made, or gone: nothing later in the queue can apply to it.
      saveQueue(loadQueue().filter(function (queued) { return queued.local !== item.local; }));
      delete triggers[item.local];
      markTriggers();
      closeTrigger();
      showStatus(text, "error");
      return;
    }
    point.finding = copy(point.saved);
    point.removed = false;
    markTriggers();
    openTrigger(item.local);
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
  function describeSite(finding) {
    if (!finding || finding.examined == null) { return "nothing recorded"; }
    if (finding.examined === false) { return "not examined (" + (finding.not_examined_reason || "") + ")"; }
    return (finding.painful ? "painful" : "not painful") + ", " + (finding.rating == null ? "no rating" : finding.rating + "/10");
  }
  function describeTrigger(finding) {
    if (!finding) { return "removed"; }
    if (finding.removed) { return "removed"; }
    var parts = [];
    if (finding.tenderness_grade != null) { parts.push("grade " + finding.tenderness_grade); }
    if (finding.rating != null) { parts.push(finding.rating + "/10"); }
    if (finding.taut_band) { parts.push("taut band " + finding.taut_band.replace(/_/g, " ")); }
    if (finding.classification) { parts.push(finding.classification.replace(/_/g, " ")); }
    var zones = finding.referral_zones || [];
    if (zones.length) { parts.push("refers to " + zones.map(zoneLabel).join(", ")); }
    return parts.length ? parts.join(", ") : "no details yet";
  }
  function showConflict(item, data) {
    var site = item.kind === "site";
    var mine = item.kind === "trigger-remove" ? { removed: true } : item.body.finding;
    var what = site ? siteLabel(item.code) : triggerName(item.local);
    document.getElementById("conflict-text").textContent = what + ". This tablet: " +
      (site ? describeSite(mine) : describeTrigger(mine)) + ". Stored: " +
      (site ? describeSite(data.stored) : describeTrigger(data.stored)) + ".";
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
        markSite(item.code);
      } else {
        triggers[item.local] = { id: stored.id || triggers[item.local].id, version: data.stored_version, finding: stored, saved: copy(stored) };
        markTriggers();
        if (currentTrigger === item.local) { openTrigger(item.local); }
      }
      conflictPanel.hidden = true;
      showStatus("Kept the other device's value", "saved");
      flush();
    };
  }

  // --- the site panel --------------------------------------------------------------------
  function openSite(code) {
    closeTrigger();
    currentSite = code;
    document.getElementById("site-panel-title").textContent = siteLabel(code);
    var site = siteFinding(code);
    document.getElementById("site-panel-text").textContent = describeSite(site);
    document.getElementById("site-panel-message").textContent = "";
    document.getElementById("site-panel-reason").value = site.not_examined_reason || "";
    sitePanel.hidden = false;
    sitePanel.querySelector("button").focus();
  }
  function enqueueSite(code, finding) {
    Object.assign(siteFinding(code), finding);
    markSite(code);
    document.getElementById("site-panel-text").textContent = describeSite(finding);
    enqueue({ kind: "site", code: code, method: "PUT", body: { finding: finding } });
  }
  function changeSite(patch) {
    var site = siteFinding(currentSite);
    var finding = {
      examined: true,
      painful: site.examined ? site.painful : null,
      rating: site.examined ? site.rating : null
    };
    Object.assign(finding, patch);
    if (finding.painful === false && finding.rating == null) { finding.rating = 0; }
    enqueueSite(currentSite, finding);
  }
  function closeSite() {
    if (!currentSite) { return; }
    sitePanel.hidden = true;
    var node = siteNode(currentSite);
    currentSite = null;
    if (node) { node.focus(); }
  }
  sitePanel.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !currentSite) { return; }
    if (button.hasAttribute("data-painful")) {
      var painful = button.getAttribute("data-painful") === "yes";
      changeSite(painful ? { painful: true } : { painful: false, rating: 0 });
    } else if (button.hasAttribute("data-rating")) {
      var rating = Number(button.getAttribute("data-rating"));
      var was = siteFinding(currentSite).painful;
      changeSite({ rating: rating, painful: was === false && rating > 0 ? true : was });
    } else if (button.hasAttribute("data-not-examined")) {
      var reason = document.getElementById("site-panel-reason").value.trim();
      enqueueSite(currentSite, { examined: false, not_examined_reason: reason, painful: null, rating: null });
    } else if (button.hasAttribute("data-close")) {
      closeSite();
    }
  });

  // --- the trigger-point panel -----------------------------------------------------------
  function triggerMode(mode) {
    triggerPanel.querySelectorAll("[data-when]").forEach(function (part) {
      part.hidden = part.getAttribute("data-when") !== mode;
    });
    triggerPanel.classList.toggle("compact", mode === "zones");
    map.classList.toggle("choosing-zones", mode === "zones");
  }
  function offerTrigger(link) {
    closeSite();
    currentTrigger = null;
    newTriggerAt = link;
    document.getElementById("trigger-panel-title").textContent = "New trigger point";
    document.getElementById("trigger-panel-text").textContent = link.getAttribute("aria-label").replace("Add a trigger point: ", "");
    document.getElementById("trigger-panel-message").textContent = "";
    triggerMode("new");
    triggerPanel.hidden = false;
    triggerPanel.querySelector("[data-add]").focus();
  }
  function openTrigger(local) {
    closeSite();
    currentTrigger = local;
    newTriggerAt = null;
    var finding = triggers[local].finding;
    document.getElementById("trigger-panel-title").textContent = triggerName(local);
    document.getElementById("trigger-panel-text").textContent = describeTrigger(finding);
    document.getElementById("trigger-panel-message").textContent = "";
    triggerPanel.querySelectorAll("button[data-field]").forEach(function (button) {
      var value = finding[button.getAttribute("data-field")];
      button.setAttribute("aria-pressed", String(value != null && String(value) === button.getAttribute("data-value")));
    });
    triggerPanel.querySelectorAll("input[data-field]").forEach(function (input) {
      if (document.activeElement !== input) { input.value = finding[input.getAttribute("data-field")] || ""; }
    });
    var list = document.getElementById("trigger-zones");
    list.innerHTML = "";
    (finding.referral_zones || []).forEach(function (zone) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.setAttribute("data-unzone", zone);
      button.setAttribute("aria-label", "Remove referral zone " + zoneLabel(zone));
      button.textContent = zoneLabel(zone) + " ×";
      item.appendChild(button);
      list.appendChild(item);
    });
    if (!(finding.referral_zones || []).length) {
      var none = document.createElement("li");
      none.className = "empty";
      none.textContent = "none";
      list.appendChild(none);
    }
    document.getElementById("zone-count").textContent =
      "Tap the areas the pain refers to: " + (finding.referral_zones || []).length + " chosen";
    if (!map.classList.contains("choosing-zones")) { triggerMode("existing"); }
    triggerPanel.hidden = false;
    markTriggers();
  }
  function closeTrigger() {
    if (triggerPanel.hidden) { return; }
    triggerMode("existing");
    triggerPanel.hidden = true;
    currentTrigger = null;
    newTriggerAt = null;
    markTriggers();
  }
  function changeTrigger(patch) {
    var point = triggers[currentTrigger];
    Object.assign(point.finding, patch);
    openTrigger(currentTrigger);
    enqueue({ kind: "trigger", local: currentTrigger, method: "PUT", body: { finding: copy(point.finding) } });
  }
  function toggleZone(zone) {
    var zones = (triggers[currentTrigger].finding.referral_zones || []).slice();
    var at = zones.indexOf(zone);
    if (at >= 0) { zones.splice(at, 1); } else { zones.push(zone); zones.sort(); }
    var patch = { referral_zones: zones };
    if (zones.length) { patch.referred_pain = true; }  // zones are where the referred pain goes
    changeTrigger(patch);
  }
  function fieldValue(button) {
    var value = button.getAttribute("data-value");
    if (value === "true" || value === "false") { return value === "true"; }
    return button.getAttribute("data-field") === "rating" ? Number(value) : value;
  }
  triggerPanel.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-add") && newTriggerAt) {
      var local = "new-" + newKey();
      var finding = { muscle: newTriggerAt.getAttribute("data-muscle"), side: newTriggerAt.getAttribute("data-side"), referral_zones: [] };
      triggers[local] = { id: null, version: 0, finding: finding, saved: copy(finding) };
      enqueue({ kind: "trigger-add", local: local, method: "POST", body: { finding: copy(finding) } });
      openTrigger(local);
      triggerPanel.querySelector("button[data-field]").focus();
    } else if (button.hasAttribute("data-close")) {
      closeTrigger();
    } else if (!currentTrigger) {
      return;
    } else if (button.hasAttribute("data-field")) {
      var name = button.getAttribute("data-field");
      var patch = {};
      // Tapping the chosen answer again clears it.
      patch[name] = button.getAttribute("aria-pressed") === "true" ? null : fieldValue(button);
      changeTrigger(patch);
    } else if (button.hasAttribute("data-unzone")) {
      toggleZone(button.getAttribute("data-unzone"));
    } else if (button.hasAttribute("data-choose-zones")) {
      triggerMode("zones");
    } else if (button.hasAttribute("data-zones-done")) {
      triggerMode("existing");
      openTrigger(currentTrigger);
    } else if (button.hasAttribute("data-remove")) {
      if (button.getAttribute("data-armed") !== "1") {
        button.setAttribute("data-armed", "1");
        button.textContent = "Tap again to remove";
        return;
      }
      triggers[currentTrigger].removed = true;
      enqueue({ kind: "trigger-remove", local: currentTrigger, method: "DELETE", body: {} });
      closeTrigger();
    }
    if (!button.hasAttribute("data-remove")) {
      var remove = triggerPanel.querySelector("[data-remove]");
      remove.removeAttribute("data-armed");
      remove.textContent = "Remove this trigger point";
    }
  });
  triggerPanel.addEventListener("change", function (event) {
    var target = event.target;
    if (!currentTrigger) { return; }
    if (target.id === "zone-add" && target.value) {
      if ((triggers[currentTrigger].finding.referral_zones || []).indexOf(target.value) < 0) { toggleZone(target.value); }
      target.value = "";
    } else if (target.hasAttribute("data-field")) {
      var text = target.value.trim().replace(",", ".");
      var patch = {};
      patch[target.getAttribute("data-field")] = text === "" ? null : text;
      changeTrigger(patch);
    }
  });
  // The zone list by name: the keyboard and screen-reader way to choose zones.
  var zoneSelect = document.getElementById("zone-add");
  var listed = {};
  document.querySelectorAll(".zone[data-zone]").forEach(function (node) {
    var code = node.getAttribute("data-zone");
    if (listed[code]) { return; }
    listed[code] = true;
    var option = document.createElement("option");
    option.value = code;
    option.textContent = node.getAttribute("data-label");
    zoneSelect.appendChild(option);
  });

  // --- tapping the map -------------------------------------------------------------------
  // Marks and shapes drawn to anatomy can be smaller than a fingertip: a tap counts for every
  // site or shape within `reach` map units, and when several qualify a chooser with large
  // buttons asks which, instead of a guess.
  function mapPoint(event) {
    var point = map.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    return point.matrixTransform(map.getScreenCTM().inverse());
  }
  function sitesNear(local) {
    var near = [];
    document.querySelectorAll(".site[data-site]").forEach(function (node) {
      var hit = node.querySelector(".hit");
      var dx = Number(hit.getAttribute("cx")) - local.x, dy = Number(hit.getAttribute("cy")) - local.y;
      var distance = Math.sqrt(dx * dx + dy * dy);
      if (distance <= reach) { near.push({ node: node, distance: distance }); }
    });
    return near.sort(function (a, b) { return a.distance - b.distance; }).map(function (n) { return n.node; });
  }
  var outlines = new Map();
  function pointsOf(polygon) {
    if (!outlines.has(polygon)) {
      outlines.set(polygon, polygon.getAttribute("points").trim().split(/\s+/).map(function (pair) {
        var xy = pair.split(","); return [Number(xy[0]), Number(xy[1])];
      }));
    }
    return outlines.get(polygon);
  }
  function distanceTo(points, x, y) {  // 0 inside the polygon, else to its nearest edge
    var inside = false, best = Infinity;
    for (var i = 0, j = points.length - 1; i < points.length; j = i++) {
      var a = points[j], b = points[i];
      if ((b[1] > y) !== (a[1] > y) && x < (a[0] - b[0]) * (y - b[1]) / (a[1] - b[1]) + b[0]) { inside = !inside; }
      var ex = b[0] - a[0], ey = b[1] - a[1];
      var t = Math.max(0, Math.min(1, ((x - a[0]) * ex + (y - a[1]) * ey) / (ex * ex + ey * ey || 1)));
      var dx = a[0] + t * ex - x, dy = a[1] + t * ey - y;
      best = Math.min(best, Math.sqrt(dx * dx + dy * dy));
    }
    return inside ? 0 : best;
  }
  // The shape tapped: the one under the finger, or those within reach when it is under none.
  function shapesNear(selector, polygonOf, local) {
    var near = [];
    document.querySelectorAll(selector).forEach(function (node) {
      var distance = distanceTo(pointsOf(polygonOf(node)), local.x, local.y);
      if (distance <= reach) { near.push({ node: node, distance: distance }); }
    });
    near.sort(function (a, b) { return a.distance - b.distance; });
    var under = near.filter(function (n) { return n.distance === 0; });
    return (under.length ? under : near.slice(0, 6)).map(function (n) { return n.node; });
  }
  function choose(title, options) {
    chooser.innerHTML = "";
    var heading = document.createElement("h3");
    heading.textContent = title;
    chooser.appendChild(heading);
    var row = document.createElement("div");
    row.className = "panel-row";
    options.concat([{ label: "Cancel", secondary: true, pick: function () {} }]).forEach(function (option) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = option.label;
      if (option.secondary) { button.className = "secondary"; }
      button.addEventListener("click", function () { chooser.hidden = true; option.pick(); });
      row.appendChild(button);
    });
    chooser.appendChild(row);
    chooser.hidden = false;
    row.querySelector("button").focus();
  }
  function label(link) { return link.getAttribute("aria-label").replace("Add a trigger point: ", ""); }
  function tapMuscle(link) {
    var muscle = link.getAttribute("data-muscle"), side = link.getAttribute("data-side");
    var here = live().filter(function (local) {
      var finding = triggers[local].finding;
      return finding.muscle === muscle && finding.side === side;
    });
    if (!here.length) { offerTrigger(link); return; }
    choose(label(link), here.map(function (local) {
      return { label: triggerName(local).split(":")[0], pick: function () { openTrigger(local); } };
    }).concat([{ label: "Add another here", pick: function () { offerTrigger(link); } }]));
  }
  function tapZone(local) {
    var zones = shapesNear(".zone[data-zone]", function (node) { return node; }, local);
    if (zones.length === 1) { toggleZone(zones[0].getAttribute("data-zone")); }
    else if (zones.length > 1) {
      choose("Which area?", zones.map(function (node) {
        return { label: node.getAttribute("data-label"), pick: function () { toggleZone(node.getAttribute("data-zone")); } };
      }));
    }
  }
  map.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (link) { event.preventDefault(); }  // the links are the no-script way; here the map decides
    if (event.detail === 0 && link) {  // keyboard: the focused element is the choice
      if (link.hasAttribute("data-site")) { openSite(link.getAttribute("data-site")); } else { tapMuscle(link); }
      return;
    }
    var local = mapPoint(event);
    if (map.classList.contains("choosing-zones")) { tapZone(local); return; }
    var sites = sitesNear(local);
    if (sites.length === 1) { openSite(sites[0].getAttribute("data-site")); return; }
    if (sites.length > 1) {
      choose("Which site?", sites.map(function (node) {
        var code = node.getAttribute("data-site");
        return { label: siteLabel(code), pick: function () { openSite(code); } };
      }));
      return;
    }
    var muscles = shapesNear(".muscle-link", function (node) { return node.querySelector("polygon"); }, local);
    if (muscles.length === 1) { tapMuscle(muscles[0]); }
    else if (muscles.length > 1) {
      choose("Which muscle?", muscles.map(function (node) {
        return { label: label(node), pick: function () { tapMuscle(node); } };
      }));
    }
  });

  // --- starting up: what this tablet still holds is shown as it will be sent --------------
  loadQueue().forEach(function (item) {
    if (item.kind === "site") { Object.assign(siteFinding(item.code), item.body.finding); markSite(item.code); }
    else if (item.kind === "trigger-add") {
      triggers[item.local] = { id: null, version: 0, finding: copy(item.body.finding), saved: copy(item.body.finding) };
    } else if (item.kind === "trigger" && triggers[item.local]) { triggers[item.local].finding = copy(item.body.finding); }
    else if (item.kind === "trigger-remove" && triggers[item.local]) { triggers[item.local].removed = true; }
  });
  markTriggers();
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  var waiting = loadQueue().length;
  if (waiting) { showStatus("Sending " + waiting + " kept change(s)…", "saving"); flush(); }
  // Until this point a tap follows the plain link to the form; from here the map handles it.
  document.documentElement.setAttribute("data-exam-ready", "1");
})();
