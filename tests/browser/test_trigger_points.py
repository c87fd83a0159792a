"""Trigger points on the tablet map: tap a muscle, fill in the panel, choose referral zones by
tapping the map; refused and conflicting saves shown beside the finding."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.geometry import AREA_SHAPES
from clinic.domain.sites import SITE_BY_CODE
from clinic.models import TenderPointFinding, TriggerPointFinding
from tests.browser.conftest import LiveServer, MakeExam, SignedInPage
from tests.browser.exam_page import (
    all_sent,
    open_exam,
    queue_on_tablet,
    stored_sites,
    stored_trigger_points,
    tap_muscle,
    tap_shape,
)
from tests.browser.helpers import ARTIFACTS, assert_accessible

pytestmark = pytest.mark.browser


def test_a_trigger_point_is_added_by_tapping_its_muscle_and_its_zones_on_the_map(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    tap_muscle(page, "upper_trapezius", "left")
    panel = page.locator("#trigger-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#trigger-panel-text")).to_contain_text("Upper trapezius, left")
    panel.get_by_role("button", name="Add trigger point here").tap()
    expect(page.locator("#trigger-panel-title")).to_have_text(
        re.compile("^Trigger point 1: Upper trapezius, left")
    )
    panel.locator('[data-field="tenderness_grade"][data-value="III"]').tap()
    panel.locator('[data-field="rating"][data-value="7"]').tap()
    panel.locator('[data-field="taut_band"][data-value="present"]').tap()
    length = panel.get_by_label("Nodule length (mm)")
    expect(length).to_have_attribute("inputmode", "decimal")
    length.fill("4,5")
    length.press("Enter")
    length.blur()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "trigger-panel.png")
    assert_accessible(page, "trigger-panel")
    panel.get_by_role("button", name="Choose zones on the map").tap()
    expect(page.locator(".body-map")).to_have_class(re.compile("choosing-zones"))
    for zone in ("temple_left", "occiput_left"):
        tap_shape(page, f'.zone[data-zone="{zone}"]')
        chooser = page.locator("#site-chooser")
        if chooser.is_visible():
            chooser.get_by_role("button", name=re.compile(zone.split("_")[0], re.I)).first.tap()
    expect(page.locator("#zone-count")).to_contain_text("2 chosen")
    page.screenshot(path=ARTIFACTS / "trigger-zones.png")
    panel.get_by_role("button", name="Done choosing zones").tap()
    expect(page.locator("#trigger-zones")).to_contain_text("Temple")
    expect(page.locator('.zone[data-zone="temple_left"]')).to_have_class(re.compile("marked"))
    all_sent(page)

    stored = stored_trigger_points(live_server)
    # Seven changes; one still waiting when the next came was replaced by it, never sent twice.
    assert 2 <= stored[0].pop("version") <= 7
    assert stored == [
        {
            "muscle": "upper_trapezius",
            "side": "left",
            "grade": "III",
            "rating": 7,
            "taut_band": "present",
            "referred_pain": True,
            "zones": ["occiput_left", "temple_left"],
            "length": "4.5",
        }
    ]
    expect(page.locator('#running-scores [data-score="tender_point_count_text"]')).to_be_visible()

    # The page after a reload shows what the server holds, and the trigger point opens again.
    page.reload()
    tap_muscle(page, "upper_trapezius", "left")
    page.locator("#site-chooser").get_by_role("button", name="Trigger point 1").tap()
    expect(panel.locator('[data-field="rating"][data-value="7"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    panel.get_by_role("button", name="Remove this trigger point").tap()
    panel.get_by_role("button", name="Tap again to remove").tap()
    all_sent(page)
    assert stored_trigger_points(live_server) == []


def test_a_zone_can_be_chosen_by_name_without_the_map(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    link = page.locator('.muscle-link[data-muscle="upper_trapezius"][data-side="right"]')
    link.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add trigger point here").press("Enter")
    page.get_by_label("or add").select_option(label="Temple, right")
    expect(page.locator("#trigger-zones")).to_contain_text("Temple, right")
    all_sent(page)
    assert stored_trigger_points(live_server)[0]["zones"] == ["temple_right"]


def test_a_refused_save_is_shown_beside_its_finding_and_stores_nothing(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    queue_on_tablet(
        page,
        [
            {
                "kind": "site",
                "code": "TP06R",
                "method": "PUT",
                "key": "rating-eleven",
                "body": {"finding": {"examined": True, "painful": True, "rating": 11}},
            }
        ],
    )
    expect(page.locator("#site-panel")).to_be_visible()
    expect(page.locator("#site-panel-title")).to_have_text(SITE_BY_CODE["TP06R"].label)
    expect(page.locator("#site-panel-message")).to_contain_text("rating")
    expect(page.locator('.site[data-site="TP06R"]')).to_have_class(re.compile("state-not_recorded"))
    expect(page.locator("#autosave-status")).to_have_attribute("data-pending", "0")
    assert stored_sites(live_server) == {}

    # A trigger point with a nodule size that is not a number: refused beside that point.
    page.locator("#site-panel [data-close]").tap()
    tap_muscle(page, "upper_trapezius", "left")
    page.get_by_role("button", name="Add trigger point here").tap()
    all_sent(page)
    length = page.get_by_label("Nodule length (mm)")
    length.fill("big")
    length.press("Enter")
    expect(page.locator("#trigger-panel-message")).to_contain_text("nodule length mm")
    expect(length).to_have_value("big")  # kept to correct, not stored
    assert stored_trigger_points(live_server)[0]["length"] is None


def test_a_trigger_point_changed_elsewhere_shows_both_values(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    tap_muscle(page, "upper_trapezius", "left")
    page.get_by_role("button", name="Add trigger point here").tap()
    page.locator('#trigger-panel [data-field="rating"][data-value="4"]').tap()
    all_sent(page)

    def other_tablet(session: Session) -> None:
        row = session.scalars(select(TriggerPointFinding)).one()
        row.rating, row.version = 8, row.version + 1

    live_server.run(other_tablet)
    page.locator('#trigger-panel [data-field="rating"][data-value="5"]').tap()
    expect(page.locator("#conflict-panel")).to_be_visible()
    expect(page.locator("#conflict-text")).to_contain_text("This tablet: 5/10")
    expect(page.locator("#conflict-text")).to_contain_text("Stored: 8/10")
    page.locator("#conflict-panel").get_by_role("button", name="Keep the other").tap()
    expect(page.locator('#trigger-panel [data-field="rating"][data-value="8"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    assert stored_trigger_points(live_server)[0]["rating"] == 8
    assert live_server.run(lambda s: s.scalars(select(TenderPointFinding)).all()) == []


def test_every_zone_of_the_map_is_one_the_catalogue_knows(
    signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    codes = page.eval_on_selector_all(".zone[data-zone]", "ns => ns.map(n => n.dataset.zone)")
    assert set(codes) == set(AREA_SHAPES)
