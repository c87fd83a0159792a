"""The pages in a real browser on an iPad: sign-in, layout and touch targets, accessibility
(axe-core with its default rules), the no-JavaScript path, and screenshots of the exam page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.models import TenderPointFinding
from tests.browser.conftest import (
    VIEWPORTS,
    LiveServer,
    MakeExam,
    NewPage,
    Orientation,
    SignedInPage,
)
from tests.browser.helpers import (
    ARTIFACTS,
    MIN_TARGET_PX,
    assert_accessible,
    assert_fits_width,
    assert_touch_targets,
    sign_in,
)
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.browser

ORIENTATIONS: list[Orientation] = list(VIEWPORTS)
EVERY_ROLE = (Role.CLINICIAN, Role.STAFF, Role.ADMIN)  # the most links in the top bar


def _assert_tablet_layout(page: Page, exclude: str = "") -> None:
    assert_fits_width(page)
    assert_touch_targets(page, exclude)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_sign_in_by_touch_lands_on_the_patient_list(
    orientation: Orientation, live_server: LiveServer, new_page: NewPage
) -> None:
    user = live_server.create(make_user, roles=EVERY_ROLE)
    patient = live_server.create(make_patient)
    page = new_page(orientation)

    page.goto("/login")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert page.evaluate("matchMedia('(pointer: coarse)').matches && navigator.maxTouchPoints > 0")
    _assert_tablet_layout(page)

    sign_in(page, user.email)  # taps "Sign in"
    expect(page).to_have_url(re.compile(r"/patients/?$"))
    expect(page.get_by_role("link", name=patient.full_name)).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"patients-{orientation}.png")
    _assert_tablet_layout(page)


def test_login_page_is_accessible(live_server: LiveServer, new_page: NewPage) -> None:
    live_server.create(make_user)  # with no user yet, /login sends to the first-time setup
    page = new_page()
    page.goto("/login")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page, "login")


def test_patient_page_is_accessible(
    signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user)
    page.goto(exam.patient_path)
    expect(page.get_by_role("link", name="Start an exam")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Draft")).to_have_count(1)
    _assert_tablet_layout(page)
    assert_accessible(page, "patient")


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_exam_page_with_findings(
    orientation: Orientation, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    """Findings shown, fits the tablet, screenshots kept, no serious accessibility violation."""
    page, user = signed_in_page(Role.CLINICIAN, orientation)
    exam = make_exam_with_findings(user)
    page.goto(exam.exam_path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exam of")
    occiput = page.get_by_role("row", name=re.compile(r"^Occiput, left"))
    expect(occiput).to_contain_text("painful, 7/10")
    expect(page.get_by_role("row", name=re.compile(r"^Trapezius, right"))).to_contain_text(
        "threshold"
    )
    expect(page.get_by_role("heading", level=3, name=re.compile("Temporalis"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Body map")).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"exam-{orientation}.png")
    page.screenshot(path=ARTIFACTS / f"exam-{orientation}-full.png", full_page=True)

    # The body map's marks and shapes are drawn to anatomy, not to 44 px: a tap counts for every
    # site or shape within the map's tap reach of it (a chooser asks when several are), so each
    # has a target at least two reaches wide; every one is also in the lists and forms.
    _assert_tablet_layout(page, exclude="svg")
    reach = json.loads(page.locator("#exam-state").text_content() or "{}")["tap_reach"]
    pixels_per_unit = page.evaluate("document.querySelector('.body-map').getScreenCTM().a")
    assert 2 * reach * pixels_per_unit >= MIN_TARGET_PX
    assert_accessible(page, f"exam-{orientation}")


def test_tender_point_recorded_without_javascript(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN, java_script_enabled=False)
    exam = make_exam_with_findings(user, findings=False)
    page.goto(exam.exam_path)
    expect(page.get_by_role("row", name=re.compile(r"^Occiput, left"))).to_contain_text(
        "not recorded"
    )

    page.get_by_role("link", name="Record tender points").tap()
    site = page.locator("#site-TP01L")
    site.get_by_role("group", name="Examined").get_by_label("Examined", exact=True).check()
    site.get_by_role("group", name="Painful").get_by_label("Yes", exact=True).check()
    site.get_by_role("group", name="Rating 0–10").get_by_label("7", exact=True).check()
    page.get_by_role("button", name="Save tender points").tap()

    expect(page.get_by_role("status").filter(has_text="Tender points saved.")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(exam.exam_path) + "$"))
    expect(page.get_by_role("row", name=re.compile(r"^Occiput, left"))).to_contain_text(
        "painful, 7/10"
    )
    stored = live_server.run(
        lambda session: [
            (row.site_code, row.examined, row.painful, row.rating)
            for row in session.scalars(select(TenderPointFinding))
        ]
    )
    assert stored == [("TP01L", True, True, 7)]


def test_accessibility_check_reports_what_axe_finds(
    live_server: LiveServer, new_page: NewPage
) -> None:
    """The check is not vacuous: a field without its label is a critical violation."""
    live_server.create(make_user)
    page = new_page()
    page.goto("/login")
    page.locator("label[for=email]").evaluate("label => label.remove()")
    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        assert_accessible(page, "self-check")


def test_export_page_and_api_tokens_on_a_tablet(signed_in_page: SignedInPage) -> None:
    """Staff choose an export with large controls; a token is made, shown once, revocable."""
    page, _user = signed_in_page(Role.STAFF)
    page.get_by_role("link", name="Exports").tap()
    expect(page.get_by_role("heading", level=1, name="Export records")).to_be_visible()
    expect(page.get_by_label("From")).to_be_visible()
    _assert_tablet_layout(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "exports.png", full_page=True)
    assert_accessible(page, "exports")

    page.goto("/account")
    page.get_by_label("Token name").fill("Research registry")
    page.get_by_role("button", name="Make a token").tap()
    expect(page.locator("#new-token")).to_have_text(re.compile(r"^tpc_"))
    expect(page.get_by_role("row").filter(has_text="Research registry")).to_be_visible()
    _assert_tablet_layout(page)
    page.screenshot(path=ARTIFACTS / "account-tokens.png", full_page=True)
    assert_accessible(page, "account-tokens")
    page.get_by_role("button", name="Revoke").tap()
    expect(page.get_by_text("no longer works")).to_be_visible()
