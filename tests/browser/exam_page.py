"""Driving the exam page like a clinician: taps on the body map's sites, muscles and zones,
what the server stored, and this tablet's queue of unsent saves."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.roles import Role
from clinic.domain.sites import SITE_BY_CODE
from clinic.models import TenderPointFinding, TriggerPointFinding
from tests.browser.conftest import LiveServer, MakeExam, SignedInPage


def tap_site(page: Page, code: str) -> None:
    """Tap a site on the map with a finger; near neighbours bring up a chooser."""
    expect(page.locator("html")).to_have_attribute("data-exam-ready", "1")
    hit = page.locator(f'.site[data-site="{code}"] .hit')
    hit.scroll_into_view_if_needed()
    box = hit.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    panel, chooser = page.locator("#site-panel"), page.locator("#site-chooser")
    expect(page.locator("#site-panel:not([hidden]), #site-chooser:not([hidden])")).to_be_visible()
    if chooser.is_visible():
        chooser.get_by_role("button", name=SITE_BY_CODE[code].label, exact=True).tap()
    expect(panel).to_be_visible()
    expect(page.locator("#site-panel-title")).to_have_text(SITE_BY_CODE[code].label)


def all_sent(page: Page) -> None:
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("data-pending", "0")
    expect(status).to_have_text(re.compile(r"^Saved \d"))


def stored_sites(live_server: LiveServer) -> dict[str, tuple[bool | None, int | None, int]]:
    def read(session: Session) -> dict[str, tuple[bool | None, int | None, int]]:
        rows = session.scalars(select(TenderPointFinding)).all()
        return {row.site_code: (row.painful, row.rating, row.version) for row in rows}

    return live_server.run(read)


def open_exam(signed_in_page: SignedInPage, make_exam_with_findings: MakeExam) -> Page:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user, findings=False)
    page.goto(exam.exam_path)
    return page


# The point of an SVG polygon farthest from every site mark (a tap near a site opens the site),
# in screen coordinates.
_SPOT_IN_SHAPE_JS = """(selector) => {
  const polygon = document.querySelector(selector);
  polygon.scrollIntoView({block: 'center'});
  const points = polygon.getAttribute('points').trim().split(/\\s+/)
    .map(p => p.split(',').map(Number));
  const inside = (x, y) => {
    let odd = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [ax, ay] = points[j], [bx, by] = points[i];
      if ((ay > y) !== (by > y) && x < ax + (y - ay) * (bx - ax) / (by - ay)) odd = !odd;
    }
    return odd;
  };
  const sites = [...document.querySelectorAll('.site .hit')].map(
    c => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]);
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  let best = null, far = -1;
  for (let x = Math.min(...xs); x <= Math.max(...xs); x += 0.5)
    for (let y = Math.min(...ys); y <= Math.max(...ys); y += 0.5) {
      if (!inside(x, y)) continue;
      const near = Math.min(...sites.map(([sx, sy]) => Math.hypot(sx - x, sy - y)));
      if (near > far) { far = near; best = [x, y]; }
    }
  const svg = polygon.ownerSVGElement;
  const p = svg.createSVGPoint();
  [p.x, p.y] = best;
  const screen = p.matrixTransform(svg.getScreenCTM());
  return [screen.x, screen.y];
}"""


def tap_shape(page: Page, selector: str) -> None:
    """Tap with a finger inside an SVG polygon, as far from the site marks as it allows."""
    expect(page.locator("html")).to_have_attribute("data-exam-ready", "1")
    x, y = page.evaluate(_SPOT_IN_SHAPE_JS, selector)
    page.touchscreen.tap(x, y)


def tap_muscle(page: Page, muscle: str, side: str) -> None:
    tap_shape(page, f'.muscle-link[data-muscle="{muscle}"][data-side="{side}"] polygon')
    chooser = page.locator("#site-chooser")
    if chooser.is_visible() and chooser.get_by_role("heading", name="Which muscle?").is_visible():
        # A tap between muscles: the chooser names them.
        chooser.get_by_role("button", name=re.compile(muscle.replace("_", " "), re.I)).tap()


def stored_trigger_points(live_server: LiveServer) -> list[dict[str, Any]]:
    def read(session: Session) -> list[dict[str, Any]]:
        rows = session.scalars(select(TriggerPointFinding)).all()
        return [
            {
                "muscle": row.muscle_code,
                "side": row.side.value,
                "grade": row.tenderness_grade.value if row.tenderness_grade else None,
                "rating": row.rating,
                "taut_band": row.taut_band.value if row.taut_band else None,
                "referred_pain": row.referred_pain,
                "zones": sorted(zone.zone_code for zone in row.referral_zones),
                "length": str(row.nodule_length_mm) if row.nodule_length_mm is not None else None,
                "version": row.version,
            }
            for row in rows
        ]

    return live_server.run(read)


def queue_on_tablet(page: Page, items: list[dict[str, Any]]) -> None:
    """Put saves in this tablet's queue as a page would have left them, then load the page."""
    state = json.loads(page.locator("#exam-state").text_content() or "{}")
    key = f"clinic-queue:{state['user']}:{state['exam']}"
    page.evaluate(
        "([key, items]) => localStorage.setItem(key, JSON.stringify(items))", [key, items]
    )
    page.reload()
