"""The survey and assessment pages save themselves as drafts, keep edits through a lost
connection or an expired session, and show refused answers beside them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.roles import Role
from clinic.models import Exam
from tests.browser.conftest import ExamRef, LiveServer, MakeExam, SignedInPage
from tests.browser.helpers import ARTIFACTS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def open_page(
    signed_in_page: SignedInPage, make_exam_with_findings: MakeExam, page_name: str
) -> tuple[Page, ExamRef, str]:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user, findings=False)
    page.goto(f"{exam.exam_path}/{page_name}")
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-autosave-ready", "1")
    return page, exam, user.email


def saved(page: Page) -> None:
    status = page.locator("#autosave-status")
    expect(status).to_have_text(re.compile(r"^Saved \d"))
    expect(status).to_have_attribute("data-pending", "0")


def stored(live_server: LiveServer) -> dict[str, Any]:
    """The exam's assessment, plan and survey answers as the server holds them."""

    def read(session: Session) -> dict[str, Any]:
        exam = session.scalars(select(Exam)).one()
        survey = exam.survey
        return {
            "assessment": exam.assessment,
            "plan": exam.plan,
            "survey": None
            if survey is None
            else (survey.fatigue, survey.headaches, survey.pain_duration_months),
        }

    return live_server.run(read)


def test_the_survey_saves_itself_without_the_save_button(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, _exam, _email = open_page(signed_in_page, make_exam_with_findings, "survey")
    page.get_by_role("group", name="Fatigue").get_by_text("2", exact=True).tap()
    page.get_by_role("group", name="Headaches").get_by_text("Yes").tap()
    page.get_by_label("Pain duration (months)").fill("30")
    saved(page)

    assert stored(live_server)["survey"] == (2, True, 30)
    expect(page).to_have_url(re.compile("/survey$"))  # still on the page, nothing lost


def test_a_refused_answer_is_marked_beside_it_and_not_stored(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, _exam, _email = open_page(signed_in_page, make_exam_with_findings, "survey")
    duration = page.get_by_label("Pain duration (months)")
    duration.fill("two")
    field = page.locator(".field", has=duration)
    expect(field.locator(".error")).to_have_text("Enter a whole number, like 6.")
    expect(duration).to_have_value("two")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "survey-refused-answer.png")
    assert stored(live_server)["survey"] is None

    duration.fill("24")
    saved(page)
    expect(field.locator(".error")).to_have_count(0)


def test_an_assessment_typed_offline_is_sent_when_the_connection_returns(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, _exam, _email = open_page(signed_in_page, make_exam_with_findings, "impression")
    page.context.set_offline(True)
    page.get_by_label("Plan").fill("Graded walking; review in 3 months.")
    expect(page.locator("#autosave-status")).to_have_text("Offline, kept on this tablet")
    assert stored(live_server)["plan"] == ""

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    saved(page)
    assert stored(live_server)["plan"] == "Graded walking; review in 3 months."


def test_an_assessment_typed_as_the_session_expires_is_kept_through_sign_in(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, exam, email = open_page(signed_in_page, make_exam_with_findings, "impression")
    live_server.app.config["IDLE_TIMEOUT_MINUTES"] = -1
    try:
        page.get_by_label("Assessment").fill("Widespread pain for two years.")
        expect(page).to_have_url(re.compile("/login"))
    finally:
        live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 15
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()

    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + exam.exam_path + "/impression$"))
    expect(page.get_by_label("Assessment")).to_have_value("Widespread pain for two years.")
    saved(page)
    assert stored(live_server)["assessment"] == "Widespread pain for two years."
