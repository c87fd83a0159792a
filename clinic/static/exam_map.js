// Tablet exam, 3 of 3: tapping the body map, and starting up. Loaded last, after exam_queue.js
// and exam_panels.js, whose functions it uses through window.ClinicExam.
(function () {
  "use strict";
  var exam = window.ClinicExam;
  if (!exam) { return; }
  var state = exam.state, triggers = exam.triggers, copy = exam.copy, live = exam.live;
  var loadQueue = exam.loadQueue, siteFinding = exam.siteFinding;
  var showStatus = exam.showStatus, flush = exam.flush;
  var siteLabel = exam.siteLabel, triggerName = exam.triggerName, markSite = exam.markSite;
  var markTriggers = exam.markTriggers, openSite = exam.openSite, openTrigger = exam.openTrigger;
  var offerTrigger = exam.offerTrigger, toggleZone = exam.toggleZone;
  var map = document.querySelector(".body-map");
  var chooser = document.getElementById("site-chooser");
  var reach = state.tap_reach || 7;  // map units around a mark or shape that still count as a tap on it

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
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  var waiting = loadQueue().length;
  if (waiting) { showStatus("Sending " + waiting + " kept change(s)…", "saving"); flush(); }
  // Until this point a tap follows the plain link to the form; from here the map handles it.
  document.documentElement.setAttribute("data-exam-ready", "1");
})();
