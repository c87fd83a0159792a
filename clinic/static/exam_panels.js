// Tablet exam, 2 of 3: the findings drawn on the body map, the site (tender-point) panel and the
// trigger-point panel with its referral zones. Loaded after exam_queue.js, whose queue and
// findings it uses through window.ClinicExam, and adds its own functions there.
(function () {
  "use strict";
  var exam = window.ClinicExam;
  if (!exam) { return; }
  var state = exam.state, triggers = exam.triggers, copy = exam.copy, newKey = exam.newKey;
  var siteFinding = exam.siteFinding, live = exam.live, enqueue = exam.enqueue;
  var map = document.querySelector(".body-map");
  var sitePanel = document.getElementById("site-panel");
  var triggerPanel = document.getElementById("trigger-panel");
  var currentSite = null;     // the site code open in the site panel
  var currentTrigger = null;  // the trigger point (local id) open in the trigger panel
  var newTriggerAt = null;    // the muscle link a new trigger point would go on

  // --- the findings on the map and in the site list --------------------------------------
  function siteNode(code) { return document.querySelector('.site[data-site="' + code + '"]'); }
  var siteLabels = {};
  function siteLabel(code) {
    if (!siteLabels[code]) { siteLabels[code] = siteNode(code).getAttribute("aria-label").split(":")[0]; }
    return siteLabels[code];
  }
  // Examined with "painful" unanswered is its own mark: never drawn as not painful.
  function siteState(site) {
    if (site.examined == null) { return "not_recorded"; }
    if (site.examined === false) { return "not_examined"; }
    if (site.painful == null) { return "unanswered"; }
    return site.painful ? "painful" : "not_painful";
  }
  function markSite(code) {
    var site = state.sites[code] || {};
    var node = siteNode(code);
    var refusal = exam.refusalFor("site:" + code);
    var waiting = exam.waitingFor("site:" + code);  // shown as it will be stored, not yet sent
    if (node) {
      var kind = siteState(site);
      node.setAttribute("class", node.getAttribute("class").replace(/state-\S+/, "state-" + kind)
        .replace(/ (refused|waiting)/g, "") + (refusal ? " refused" : "") + (waiting ? " waiting" : ""));
      node.setAttribute("aria-label", siteLabel(code) + ": " + describeSite(site) +
        (waiting ? " (not sent yet)" : "") + (refusal ? ". " + refusal : ""));
      var label = node.querySelector(".rating");
      var rated = (kind === "painful" || kind === "unanswered") && site.rating != null;
      if (label) { label.textContent = rated ? site.rating : ""; }
    }
    var row = document.querySelector('[data-site-row="' + code + '"]');
    if (row) {
      row.querySelector(".finding-text").textContent = describeSite(site) + (waiting ? " (not sent yet)" : "");
      showRefusal(row.querySelector("td"), refusal);
      row.classList.toggle("refused", !!refusal);
    }
    if (currentSite === code) { showSitePanel(); }
  }
  // A refused save's message, under the finding it belongs to (the site's row, the trigger
  // point's card), until the finding saves.
  function showRefusal(box, text) {
    if (!box) { return; }
    var line = box.querySelector(".refusal");
    if (!text) { if (line) { line.remove(); } return; }
    if (!line) {
      line = document.createElement("p");
      line.className = "error refusal";
      box.appendChild(line);
    }
    line.textContent = text;
  }
  function muscleLink(muscle, side) {
    return document.querySelector('.muscle-link[data-muscle="' + muscle + '"][data-side="' + side + '"]');
  }
  function zoneLabel(code) {
    var node = document.querySelector('.zone[data-zone="' + code + '"]');
    return node ? node.getAttribute("data-label") : code;
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
    var refused = {};
    Object.keys(triggers).forEach(function (local) {
      var finding = triggers[local].finding;
      if (exam.refusalFor("trigger:" + local)) { refused[finding.muscle + ":" + finding.side] = true; }
      var card = triggers[local].id && document.querySelector('[data-trigger="' + triggers[local].id + '"]');
      if (card) { showRefusal(card, exam.refusalFor("trigger:" + local)); }
    });
    document.querySelectorAll(".muscle-link").forEach(function (link) {
      var key = link.getAttribute("data-muscle") + ":" + link.getAttribute("data-side");
      link.querySelector("polygon").classList.toggle("marked", !!muscles[key]);
      link.querySelector("polygon").classList.toggle("refused", !!refused[key]);
    });
    var chosen = currentTrigger && triggers[currentTrigger] ? triggers[currentTrigger].finding.referral_zones || [] : [];
    document.querySelectorAll(".zone[data-zone]").forEach(function (node) {
      var code = node.getAttribute("data-zone");
      node.classList.toggle("marked", !!zones[code]);
      node.classList.toggle("chosen", chosen.indexOf(code) >= 0);
    });
  }

  // --- findings in words (the panels and the conflict panel) ----------------------------
  // In the words the exam page uses for a stored finding (domain summary.tender_point_text).
  var UNITS = { "kgf/cm2": "kgf/cm²", "kPa": "kPa", "N": "N" };
  function describeSite(finding) {
    if (!finding || finding.examined == null) { return "not recorded"; }
    if (finding.examined === false) {
      var reason = (finding.not_examined_reason || "").trim();
      return reason ? "not examined: " + reason : "not examined (no reason given)";
    }
    var painful = { "true": "painful", "false": "not painful" }[String(finding.painful)] || "painful: not asked";
    var rating = finding.rating == null && finding.painful === false ? 0 : finding.rating;
    var parts = [painful, rating == null ? "no rating" : rating + "/10"];
    var ppt = finding.ppt;
    if (ppt) {
      parts.push("threshold " + ppt.value + " " + (UNITS[ppt.unit] || ppt.unit) +
        (ppt.probe_area_cm2 ? " (" + ppt.probe_area_cm2 + " cm² probe)" : ""));
    }
    return parts.join(", ");
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

  // --- the site panel --------------------------------------------------------------------
  function openSite(code) {
    closeTrigger();
    currentSite = code;
    document.getElementById("site-panel-title").textContent = siteLabel(code);
    document.getElementById("site-panel-reason").value = siteFinding(code).not_examined_reason || "";
    showSitePanel();
    sitePanel.hidden = false;
    sitePanel.querySelector("button").focus();
  }
  // The open site as this tablet holds it: in words, its answers pressed, its refusal if any.
  function showSitePanel() {
    var site = siteFinding(currentSite);
    document.getElementById("site-panel-text").textContent = describeSite(site);
    document.getElementById("site-panel-message").textContent = exam.refusalFor("site:" + currentSite);
    var examined = site.examined === true;
    sitePanel.querySelectorAll("[data-painful]").forEach(function (button) {
      var yes = button.getAttribute("data-painful") === "yes";
      button.setAttribute("aria-pressed", String(examined && site.painful === (yes ? true : false)));
    });
    sitePanel.querySelectorAll("[data-rating]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(examined && site.rating != null &&
        String(site.rating) === button.getAttribute("data-rating")));
    });
  }
  function enqueueSite(code, finding) {
    Object.assign(siteFinding(code), finding);
    enqueue({ kind: "site", code: code, method: "PUT", body: { finding: finding } });
    markSite(code);
  }
  function changeSite(patch) {
    var site = siteFinding(currentSite);
    var finding = {
      examined: true,
      painful: site.examined ? site.painful : null,
      rating: site.examined ? site.rating : null,
      // The reading is not on the map: sent back as stored, so a tap never drops it.
      ppt: site.examined ? site.ppt || null : null
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
      // Painful with a rating of 0 is refused as a contradiction: a site called not painful
      // (rated 0) that turns out painful waits for its rating instead.
      var zero = siteFinding(currentSite).rating === 0;
      changeSite(painful ? (zero ? { painful: true, rating: null } : { painful: true }) : { painful: false, rating: 0 });
    } else if (button.hasAttribute("data-rating")) {
      var rating = Number(button.getAttribute("data-rating"));
      var was = siteFinding(currentSite).painful;
      changeSite({ rating: rating, painful: was === false && rating > 0 ? true : was });
    } else if (button.hasAttribute("data-not-examined")) {
      var reason = document.getElementById("site-panel-reason").value.trim();
      enqueueSite(currentSite, { examined: false, not_examined_reason: reason, painful: null, rating: null, ppt: null });
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
    document.getElementById("trigger-panel-message").textContent = exam.refusalFor("trigger:" + local);
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

  // What the queue and the map use.
  exam.markSite = markSite;
  exam.markTriggers = markTriggers;
  exam.siteLabel = siteLabel;
  exam.triggerName = triggerName;
  exam.describeSite = describeSite;
  exam.describeTrigger = describeTrigger;
  exam.openSite = openSite;
  exam.offerTrigger = offerTrigger;
  exam.openTrigger = openTrigger;
  exam.closeTrigger = closeTrigger;
  exam.toggleZone = toggleZone;
  exam.shownTrigger = function () { return currentTrigger; };
  exam.panelOpen = function () { return !sitePanel.hidden || !triggerPanel.hidden; };
  // A refusal came or went: every mark, row and open panel shows it (or no longer does).
  exam.refreshPanel = function () {
    Object.keys(state.sites).forEach(markSite);
    document.querySelectorAll(".site.refused").forEach(function (node) { markSite(node.getAttribute("data-site")); });
    markTriggers();
    if (currentTrigger && triggers[currentTrigger]) {
      document.getElementById("trigger-panel-message").textContent = exam.refusalFor("trigger:" + currentTrigger);
    }
  };
  // Once the server has made a new trigger point it goes by the server's id, open or not.
  exam.renameTrigger = function (local, id) { if (currentTrigger === local) { currentTrigger = id; } };
})();
