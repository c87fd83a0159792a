"""Nothing entered on the tablet is held up, dropped unseen or shown other than stored: a server
error holds up only its own finding, a refused save is shown beside its finding, signing out
names what is unsent, WPI ticks answer the WPI question, and a rating without a "painful" answer
reads as not asked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.roles import Role
from clinic.domain.wpi import PAIN_AREAS
from clinic.models import Exam, TenderPointFinding
from tests.browser.conftest import (
    VIEWPORTS,
    LiveServer,
    MakeExam,
    Orientation,
    SignedInPage,
)
from tests.browser.exam_page import all_sent, open_exam, stored_sites, tap_site
from tests.browser.helpers import (
    ARTIFACTS,
    assert_accessible,
    assert_fits_width,
    assert_touch_targets,
    sign_in,
)

pytestmark = pytest.mark.browser

ORIENTATIONS: list[Orientation] = list(VIEWPORTS)
CONTRADICTION = (
    "Painful with a rating of 0 is a contradiction (positive for ACR 1990, negative for MTPS): "
    "rate the pain from 1 to 10, or answer not painful."
)


@pytest.fixture
def quick_retries(live_server: LiveServer) -> Iterator[None]:
    """Retries start after 0.5 s instead of 2 s (still doubling each time, with jitter)."""
    live_server.app.config["AUTOSAVE_RETRY_MS"] = 500
    yield
    live_server.app.config["AUTOSAVE_RETRY_MS"] = 2000


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def tap(page: Page, code: str, *buttons: str) -> None:
    """Open a site on the map and tap its panel's buttons (CSS selectors inside the panel)."""
    tap_site(page, code)
    for button in buttons:
        page.locator(f"#site-panel {button}").tap()


def close_panel(page: Page) -> None:
    page.locator("#site-panel [data-close]").tap()


# --- two tablets on one site ------------------------------------------------------------------


def test_two_tablets_on_one_site_the_second_sees_both_values_and_chooses(
    live_server: LiveServer,
    signed_in_page: SignedInPage,
    new_page: Any,
    make_exam_with_findings: MakeExam,
) -> None:
    first, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user, findings=False)
    second = new_page("landscape")
    sign_in(second, user.email)
    for tablet in (first, second):
        tablet.goto(exam.exam_path)  # both see the site unrecorded (version 0)

    tap(first, "TP06L", '[data-painful="yes"]', '[data-rating="5"]')
    all_sent(first)
    tap(second, "TP06L", '[data-painful="no"]')

    conflict = second.locator("#conflict-panel")
    expect(conflict).to_be_visible()
    expect(second.locator("#conflict-text")).to_contain_text("This tablet: not painful")
    expect(second.locator("#conflict-text")).to_contain_text("Stored: painful, 5/10")
    screenshot(second, "two-tablets-conflict")
    assert stored_sites(live_server)["TP06L"] == (True, 5, 2)  # the first one's, untouched
    conflict.get_by_role("button", name="Keep mine").tap()
    all_sent(second)
    assert stored_sites(live_server)["TP06L"][0] is False


# --- a server error holds up only its own finding ----------------------------------------------


def test_a_server_error_waits_while_later_saves_of_other_findings_go_through(
    live_server: LiveServer,
    signed_in_page: SignedInPage,
    make_exam_with_findings: MakeExam,
    quick_retries: None,
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    failing = {"on": True, "failed": 0}

    def occiput(route: Route) -> None:
        if failing["on"]:
            failing["failed"] += 1
            route.fulfill(status=500, content_type="text/html", body="<h1>Server error</h1>")
        else:
            route.continue_()

    page.route("**/autosave/tender-points/TP01L", occiput)
    tap(page, "TP01L", '[data-painful="yes"]')
    status = page.locator("#autosave-status")
    expect(status).to_have_text(
        re.compile(r"^1 change waiting to be sent: Occiput, left — retrying in \d+ s$")
    )
    page.locator('#site-panel [data-rating="5"]').tap()  # a second change of the same site
    close_panel(page)
    tap(page, "TP02L", '[data-painful="no"]')
    close_panel(page)
    tap(page, "TP03L", '[data-painful="yes"]', '[data-rating="4"]')
    close_panel(page)

    # The other sites are stored while Occiput waits, and the tablet says what waits.
    expect(status).to_have_text(
        re.compile(r"^2 changes waiting to be sent: Occiput, left — retrying in \d+ s$")
    )
    stored = stored_sites(live_server)
    assert {code: value[:2] for code, value in stored.items()} == {
        "TP02L": (False, 0),
        "TP03L": (True, 4),
    }
    expect(page.locator('#running-scores [data-score="tender_point_count_text"]')).to_contain_text(
        "1 of 18"
    )
    screenshot(page, "queue-waiting-portrait")
    assert failing["failed"] >= 1

    # The server recovers: Occiput's two changes are sent in the order they were made.
    failing["on"] = False
    all_sent(page)
    assert stored_sites(live_server)["TP01L"] == (True, 5, 2)
    counts = page.locator('[data-score="tender_point_count_text"]')
    expect(counts).to_have_text([re.compile(r"^incomplete: 2 of 18")] * 2)


# --- a refused save leaves the queue, shown beside its finding ---------------------------------


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_a_refused_save_is_shown_beside_its_finding_and_the_queue_goes_on(
    orientation: Orientation,
    live_server: LiveServer,
    signed_in_page: SignedInPage,
    make_exam_with_findings: MakeExam,
) -> None:
    page, user = signed_in_page(Role.CLINICIAN, orientation)
    exam = make_exam_with_findings(user, findings=False)
    page.goto(exam.exam_path)

    def refuse_a_zero(route: Route) -> None:
        finding = json.loads(route.request.post_data or "{}").get("finding", {})
        if finding.get("painful") is True and finding.get("rating") == 0:
            body = {"title": "Some values are not valid", "errors": {"rating": CONTRADICTION}}
            route.fulfill(
                status=422, content_type="application/problem+json", body=json.dumps(body)
            )
        else:
            route.continue_()

    page.route("**/autosave/tender-points/*", refuse_a_zero)
    tap(page, "TP04L", '[data-painful="yes"]')
    all_sent(page)
    page.locator('#site-panel [data-rating="0"]').tap()

    message = f"Not saved: rating: {CONTRADICTION}"
    expect(page.locator("#site-panel-message")).to_have_text(message)
    expect(page.locator("#site-panel-text")).to_have_text("painful, no rating")  # as stored
    expect(page.locator('.site[data-site="TP04L"]')).to_have_class(re.compile(r"\brefused\b"))
    row = page.locator('[data-site-row="TP04L"]')
    expect(row).to_contain_text("painful, no rating")
    expect(row).to_contain_text(message)
    expect(page.locator("#autosave-refusals")).to_contain_text(f"Supraspinatus, left — {message}")
    expect(page.locator("#autosave-status")).to_have_attribute("data-pending", "0")
    assert stored_sites(live_server) == {"TP04L": (True, None, 1)}
    screenshot(page, f"refused-save-{orientation}")
    assert_fits_width(page)
    assert_touch_targets(page, exclude="svg")
    assert_accessible(page, f"refused-save-{orientation}")

    # Later saves go on; the next stored change of that site clears the message.
    close_panel(page)
    tap(page, "TP05R", '[data-painful="no"]')
    close_panel(page)
    tap(page, "TP04L", '[data-rating="6"]')
    all_sent(page)
    expect(page.locator("#site-panel-message")).to_have_text("")
    expect(row).not_to_contain_text("Not saved")
    expect(page.locator("#autosave-refusals")).to_be_hidden()
    stored = stored_sites(live_server)
    assert (stored["TP04L"][:2], stored["TP05R"][:2]) == ((True, 6), (False, 0))


def test_a_refusal_of_another_finding_does_not_take_over_the_open_panel(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    held: list[Route] = []  # the save of Lateral epicondyle, right, answered once another is open
    page.route("**/autosave/tender-points/TP06R", lambda route: held.append(route))
    tap(page, "TP06R", '[data-painful="yes"]')
    close_panel(page)
    tap(page, "TP07L", '[data-painful="no"]')  # this panel stays open
    expect(page.locator("#autosave-status")).to_have_text("Saving…")
    assert len(held) == 1
    held[0].fulfill(
        status=409, content_type="application/problem+json", body='{"title": "Exam signed"}'
    )

    refusals = page.locator("#autosave-refusals")
    expect(refusals).to_contain_text("Lateral epicondyle, right — Not saved: Exam signed")
    expect(page.locator("#site-panel-title")).to_have_text("Gluteal, left")
    expect(page.locator("#site-panel-message")).to_have_text("")
    all_sent(page)
    assert set(stored_sites(live_server)) == {"TP07L"}
    refusals.get_by_role("button", name="Show Lateral epicondyle, right").tap()
    expect(page.locator("#site-panel-title")).to_have_text("Lateral epicondyle, right")
    expect(page.locator("#site-panel-message")).to_have_text("Not saved: Exam signed")
    expect(page.locator('.site[data-site="TP06R"]')).to_have_class(re.compile(r"\brefused\b"))


# --- a rating tapped before "painful" ----------------------------------------------------------


def test_a_rating_tapped_before_painful_shows_painful_not_asked(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    tap(page, "TP02R", '[data-rating="3"]')

    expect(page.locator("#site-panel-text")).to_have_text("painful: not asked, 3/10")
    mark = page.locator('.site[data-site="TP02R"]')
    expect(mark).to_have_class(re.compile(r"\bstate-unanswered\b"))
    expect(mark).not_to_have_class(re.compile("not_painful"))
    expect(mark.locator(".rating")).to_have_text("3")
    expect(page.locator('#site-panel [data-rating="3"]')).to_have_attribute("aria-pressed", "true")
    for answer in ("yes", "no"):
        expect(page.locator(f'#site-panel [data-painful="{answer}"]')).to_have_attribute(
            "aria-pressed", "false"
        )
    all_sent(page)
    assert stored_sites(live_server) == {"TP02R": (None, 3, 1)}
    screenshot(page, "rating-before-painful")

    # Reloaded, the page shows the same as the server holds.
    page.reload()
    expect(mark).to_have_class(re.compile(r"\bstate-unanswered\b"))
    expect(page.locator('[data-site-row="TP02R"]')).to_contain_text("painful: not asked, 3/10")
    expect(page.locator(".map-legend")).to_contain_text("Painful not asked")


def test_a_site_called_not_painful_then_painful_waits_for_its_rating(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    tap(page, "TP08L", '[data-painful="no"]')
    all_sent(page)
    page.locator('#site-panel [data-painful="yes"]').tap()  # never "painful, 0/10"
    expect(page.locator("#site-panel-text")).to_have_text("painful, no rating")
    all_sent(page)
    assert stored_sites(live_server) == {"TP08L": (True, None, 2)}


def test_a_tap_keeps_the_algometer_reading_it_does_not_show(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN)
    exam = make_exam_with_findings(user)  # Trapezius, right holds a 2.4 kgf/cm² reading
    page.goto(exam.exam_path)
    tap(page, "TP03R", '[data-rating="6"]')
    all_sent(page)

    def reading(session: Session) -> tuple[Any, ...]:
        row = session.scalars(
            select(TenderPointFinding).where(TenderPointFinding.site_code == "TP03R")
        ).one()
        return (row.rating, row.ppt_value, row.version)

    assert live_server.run(reading) == (6, Decimal("2.4"), 2)
    expect(page.locator('[data-site-row="TP03R"]')).to_contain_text(
        "painful, 6/10, threshold 2.4 kgf/cm² (1 cm² probe)"
    )


# --- WPI ticks answer the WPI question ----------------------------------------------------------

TICKED = (
    "neck",
    "upper_back",
    "lower_back",
    "hip_left",
    "hip_right",
    "chest",
    "abdomen",
    "jaw_left",
)


def stored_wpi(live_server: LiveServer) -> dict[str, bool]:
    def read(session: Session) -> dict[str, bool]:
        survey = session.scalars(select(Exam)).one().survey
        return {} if survey is None else {a.area_code: a.painful for a in survey.pain_areas}

    return live_server.run(read)


def tick_areas(page: Page) -> None:
    areas = page.get_by_role("group", name="Painful in the past week")
    for code in TICKED:
        label = next(area.label for area in PAIN_AREAS if area.code == code)
        areas.get_by_label(label, exact=True).tap()


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_ticking_wpi_areas_answers_the_question_and_the_scores_count_them(
    orientation: Orientation,
    live_server: LiveServer,
    signed_in_page: SignedInPage,
    make_exam_with_findings: MakeExam,
) -> None:
    page, user = signed_in_page(Role.CLINICIAN, orientation)
    exam = make_exam_with_findings(user, findings=False)
    page.goto(f"{exam.exam_path}/survey")
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-autosave-ready", "1")
    wpi = page.get_by_role("group", name="Widespread Pain Index")
    expect(wpi.get_by_label("Not asked")).to_be_checked()

    tick_areas(page)  # the WPI question itself is not touched
    expect(wpi.get_by_label("Asked", exact=True)).to_be_checked()
    status = page.locator("#autosave-status")
    expect(status).to_have_text(re.compile(r"^Saved \d"))
    expect(status).to_have_attribute("data-pending", "0")
    answers = stored_wpi(live_server)
    assert len(answers) == len(PAIN_AREAS)
    assert sorted(code for code, painful in answers.items() if painful) == sorted(TICKED)
    page.locator("section", has=wpi).scroll_into_view_if_needed()
    screenshot(page, f"survey-wpi-{orientation}")

    page.goto(exam.exam_path)
    expect(page.locator('[data-score="wpi_text"]')).to_have_text(
        "WPI 8 of 19 (areas painful in the past week)"
    )

    # Choosing "Not asked" again clears the ticks on the page, and so in the record.
    page.goto(f"{exam.exam_path}/survey")
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-autosave-ready", "1")
    expect(wpi.get_by_label("Asked", exact=True)).to_be_checked()
    wpi.get_by_label("Not asked").tap()
    expect(
        page.get_by_role("group", name="Painful in the past week").locator(":checked")
    ).to_have_count(0)
    expect(status).to_have_text(re.compile(r"^Saved \d"))
    assert stored_wpi(live_server) == {}


def test_wpi_areas_ticked_without_javascript_are_stored_as_asked(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page, user = signed_in_page(Role.CLINICIAN, java_script_enabled=False)
    exam = make_exam_with_findings(user, findings=False)
    page.goto(f"{exam.exam_path}/survey")
    tick_areas(page)
    page.get_by_role("button", name="Save survey").tap()

    expect(page).to_have_url(re.compile(re.escape(exam.exam_path) + "$"))
    expect(page.get_by_text("WPI 8 of 19 (areas painful in the past week)")).to_be_visible()
    assert sorted(code for code, painful in stored_wpi(live_server).items() if painful) == sorted(
        TICKED
    )


# --- signing out with changes not yet sent ------------------------------------------------------


def test_signing_out_with_unsent_changes_names_them_and_asks(
    live_server: LiveServer, signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    page.route(
        "**/autosave/**",
        lambda route: route.fulfill(status=503, content_type="text/plain", body="down"),
    )
    tap(page, "TP01L", '[data-painful="yes"]')
    close_panel(page)
    tap(page, "TP05R", '[data-painful="no"]')
    close_panel(page)
    expect(page.locator("#autosave-status")).to_have_text(
        re.compile(r"^2 changes waiting to be sent: Occiput, left; Second rib, right — retrying")
    )

    page.get_by_role("button", name="Sign out").tap()
    warning = page.get_by_role("alertdialog", name="Changes this tablet has not sent yet:")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("listitem")).to_have_text(["Occiput, left", "Second rib, right"])
    screenshot(page, "sign-out-unsent")
    assert_touch_targets(page, exclude="svg")
    assert_accessible(page, "sign-out-unsent")

    # Staying keeps the session and the changes, and sends them as soon as the server answers.
    warning.get_by_role("button", name="Stay signed in and send them").tap()
    expect(warning).to_be_hidden()
    page.unroute("**/autosave/**")
    page.evaluate("window.dispatchEvent(new Event('clinic:send-now'))")
    all_sent(page)
    assert set(stored_sites(live_server)) == {"TP01L", "TP05R"}

    # Signing out with one change unsent, and choosing to discard it.
    page.route(
        "**/autosave/**",
        lambda route: route.fulfill(status=503, content_type="text/plain", body="down"),
    )
    tap(page, "TP06L", '[data-painful="yes"]')
    close_panel(page)
    page.get_by_role("button", name="Sign out").tap()
    expect(warning.get_by_role("listitem")).to_have_text(["Lateral epicondyle, left"])
    warning.get_by_role("button", name="Sign out and discard them").tap()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    kept = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('clinic-queue:')).length"
    )
    assert kept == 0
    assert set(stored_sites(live_server)) == {"TP01L", "TP05R"}


def test_signing_out_with_nothing_unsent_asks_nothing(
    signed_in_page: SignedInPage, make_exam_with_findings: MakeExam
) -> None:
    page = open_exam(signed_in_page, make_exam_with_findings)
    tap(page, "TP01L", '[data-painful="yes"]')
    all_sent(page)
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_signing_out_without_javascript_still_signs_out(signed_in_page: SignedInPage) -> None:
    page, _user = signed_in_page(Role.CLINICIAN, java_script_enabled=False)
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
