"""Signing on the tablet follows post/redirect/get: a refused sign lands at the sign button with
its message in view and the password field focused; reloading or going back never sends the
password again; the exam is signed only by a deliberate tap once it is complete."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.models import Exam, TenderPointFinding
from clinic.services.signing import REQUIRED_SITES
from tests.browser.conftest import ExamRef, LiveServer, MakeExam, SignedInPage
from tests.browser.helpers import ARTIFACTS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def status(live_server: LiveServer, exam: ExamRef) -> ExamStatus:
    return live_server.run(
        lambda session: session.scalars(select(Exam.status).where(Exam.uuid == exam.exam_id)).one()
    )


def record_every_required_site(live_server: LiveServer, exam: ExamRef) -> None:
    def work(session: Session) -> None:
        stored = session.scalars(select(Exam).where(Exam.uuid == exam.exam_id)).one()
        have = {row.site_code for row in stored.tender_points}
        stored.tender_points.extend(
            TenderPointFinding(site_code=site.code, examined=True, painful=False, rating=0)
            for site in REQUIRED_SITES
            if site.code not in have
        )

    live_server.run(work)


def in_view(page: Page, selector: str) -> bool:
    return bool(
        page.eval_on_selector(
            selector,
            "e => { const r = e.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        )
    )


def test_a_refused_sign_is_shown_at_the_button_and_a_reload_never_signs(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user)  # a few sites recorded: not ready to sign
    signs: list[str] = []
    page.on(
        "request",
        lambda request: (
            signs.append(request.method) if request.url.endswith(f"{exam.exam_path}/sign") else None
        ),
    )
    page.goto(exam.exam_path)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign exam").tap()

    page.wait_for_url(re.compile(rf"{exam.exam_path}#sign-refused$"))
    alert = page.locator("#sign-refused [role=alert]").first
    expect(alert).to_have_text("Not signed: 15 findings listed above are still to record.")
    expect(page.locator("#sign")).to_contain_text("Knee, left: not recorded")
    assert in_view(page, "#sign-refused [role=alert]")
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_label("Password")).to_have_value("")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "sign-refused.png")

    # The clinician records the missing sites (on another tablet, say), then reloads and goes
    # back: neither sends the sign again.
    record_every_required_site(live_server, exam)
    page.reload()
    page.go_back()
    page.go_forward()
    assert signs == ["POST"]
    assert status(live_server, exam) is ExamStatus.DRAFT

    # Signed by a deliberate tap only.
    page.goto(exam.exam_path)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign exam").tap()
    expect(page.get_by_text("Exam signed. Corrections from now on are addenda.")).to_be_visible()
    assert signs == ["POST", "POST"]
    assert status(live_server, exam) is ExamStatus.SIGNED
