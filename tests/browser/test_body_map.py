"""The body map on a tablet: a full survey by taps, autosave, offline, conflicts, expiry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.roles import Role
from clinic.domain.sites import ACR_SITES, CONTROL_SITES
from clinic.models import AuditEvent, Exam, SaveReceipt, TenderPointFinding
from tests.browser.conftest import LiveServer, MakeExam, SignedInPage
from tests.browser.exam_page import all_sent, open_exam, stored_sites, tap_site
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_full_survey_by_taps_only_is_stored_and_scored(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    expected = {}
    for index, site in enumerate(ACR_SITES):
        tap_site(page, site.code)
        if index < 12:
            page.locator('#site-panel [data-painful="yes"]').tap()
            page.locator(f'#site-panel [data-rating="{2 + index % 8}"]').tap()
            expected[site.code] = (True, 2 + index % 8)
        else:
            page.locator('#site-panel [data-painful="no"]').tap()
            expected[site.code] = (False, 0)
        page.locator("#site-panel [data-close]").tap()
    all_sent(page)

    stored = stored_sites(live_server)
    assert {code: value[:2] for code, value in stored.items()} == expected
    # The running line and the Scores card say the same, both from the last save's answer.
    counts = page.locator('[data-score="tender_point_count_text"]')
    expect(counts).to_have_count(2)
    expect(counts).to_have_text(["12 of 18 sites painful (ACR 1990)"] * 2)
    expect(page.locator('.site[data-site="TP01L"]')).to_have_class(re.compile("state-painful"))


def test_offline_edits_wait_on_the_tablet_and_are_stored_once(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    page.context.set_offline(True)
    tap_site(page, "TP03L")
    page.locator('#site-panel [data-painful="yes"]').tap()
    page.locator('#site-panel [data-rating="6"]').tap()
    expect(page.locator("#autosave-status")).to_have_text(
        re.compile("Offline, kept on this tablet")
    )
    assert stored_sites(live_server) == {}

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    all_sent(page)

    assert stored_sites(live_server) == {"TP03L": (True, 6, 1)}
    receipts = live_server.run(lambda s: len(s.scalars(select(SaveReceipt)).all()))
    assert receipts == 1  # the rating replaced the waiting "painful" change: one save, applied once


def test_a_change_made_elsewhere_is_shown_and_the_clinician_chooses(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    tap_site(page, "TP04R")
    page.locator('#site-panel [data-painful="yes"]').tap()
    all_sent(page)

    def other_tablet(session: Session) -> None:
        row = session.scalars(select(TenderPointFinding)).one()
        row.rating, row.version = 9, row.version + 1

    live_server.run(other_tablet)
    page.locator('#site-panel [data-rating="3"]').tap()

    conflict = page.locator("#conflict-panel")
    expect(conflict).to_be_visible()
    expect(page.locator("#conflict-text")).to_contain_text("This tablet: painful, 3/10")
    expect(page.locator("#conflict-text")).to_contain_text("Stored: painful, 9/10")
    conflict.get_by_role("button", name="Keep mine").tap()
    all_sent(page)
    assert stored_sites(live_server)["TP04R"][:2] == (True, 3)


def test_an_expired_session_keeps_the_edit_and_sends_it_after_sign_in(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user, findings=False)
    page.goto(exam.exam_path)
    tap_site(page, "TP05L")
    live_server.app.config["IDLE_TIMEOUT_MINUTES"] = -1  # every session is now past its idle limit
    try:
        page.locator('#site-panel [data-painful="yes"]').tap()
        expect(page).to_have_url(re.compile("/login"))
    finally:
        live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 15
    assert stored_sites(live_server) == {}

    expect(page.get_by_text("Your session expired")).to_be_visible()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()

    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + exam.exam_path + "$"))
    all_sent(page)
    assert stored_sites(live_server) == {"TP05L": (True, None, 1)}


def test_a_warning_comes_before_the_idle_sign_out_and_keeps_the_session(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user, findings=False)
    live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 0.1  # six seconds; the warning comes at 3
    try:
        page.goto(exam.exam_path)
        expect(page).to_have_url(re.compile(r"^https?://[^/]+" + exam.exam_path + "$"))
        warning = page.locator("#idle-warning")
        expect(warning).to_be_visible()
        page.get_by_role("button", name="Stay signed in").tap()
        expect(warning).to_be_hidden()
    finally:
        live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 15
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exam of")


def test_double_tapping_sign_signs_once(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user, findings=False)

    def complete(session: Session) -> None:
        stored = session.scalars(select(Exam).where(Exam.uuid == exam.exam_id)).one()
        for site in (*ACR_SITES, *(s for s in CONTROL_SITES if s.mtps_control)):
            stored.tender_points.append(
                TenderPointFinding(site_code=site.code, examined=True, painful=False, rating=0)
            )

    live_server.run(complete)
    page.goto(exam.exam_path)
    page.get_by_label("Your password").fill(PASSWORD)
    expect(page.get_by_role("button", name="Sign exam")).to_be_visible()
    # Two taps in the same instant, before the first submission leaves the page.
    page.evaluate(
        "() => { const b = document.querySelector('form[data-once] button');"
        " b.click(); b.click(); }"
    )

    expect(page.get_by_text("Exam signed.")).to_be_visible()
    signings = live_server.run(
        lambda s: s.scalars(select(AuditEvent).where(AuditEvent.action == "exam.sign")).all()
    )
    assert len(signings) == 1
