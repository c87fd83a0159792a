"""Browser fixtures: the app served over HTTP from a thread, headless Chromium at iPad sizes.

The browser suite always runs on its own SQLite file (CLINIC_TEST_DATABASE_URL is ignored here),
built by the real migrations once per run and emptied after every test. CSRF protection is on, as
in production: every form is posted by the browser with the token the page gave it.

Chromium is Debian's (`apt-get install chromium`), never a Playwright download. Every wait has one
limit, CLINIC_BROWSER_TIMEOUT_MS (10 s by default): tests wait for what they expect to see, never
for a fixed time.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

import flask_migrate
import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from clinic.domain.findings import TriggerPointInput
from clinic.domain.roles import Role
from clinic.domain.scales import PressureUnit, Side, TautBand, TendernessGrade
from clinic.extensions import db
from clinic.models import Exam, TenderPointFinding, User
from clinic.services.exam_content import add_trigger_point
from tests.browser.helpers import sign_in
from tests.conftest import _empty_tables, make_app
from tests.factories import make_exam, make_patient, make_user

T = TypeVar("T")

CHROMIUM = os.environ.get("CLINIC_BROWSER_EXECUTABLE", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The one limit for every wait: navigation, locators and expect() assertions.
TIMEOUT_MS = int(os.environ.get("CLINIC_BROWSER_TIMEOUT_MS", "10000"))

Orientation = Literal["portrait", "landscape"]
# iPad (9th generation and alike) in CSS pixels, at a device pixel ratio of 2.
VIEWPORTS: dict[Orientation, ViewportSize] = {
    "portrait": {"width": 768, "height": 1024},
    "landscape": {"width": 1024, "height": 768},
}


class _QuietHandler(WSGIRequestHandler):
    """Serve without a log line per request; errors are still logged by the app."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass(frozen=True)
class ExamRef:
    """Public ids of an exam made for a test, and where its pages are."""

    exam_id: uuid.UUID
    patient_id: uuid.UUID

    @property
    def exam_path(self) -> str:
        return f"/exams/{self.exam_id}"

    @property
    def patient_path(self) -> str:
        return f"/patients/{self.patient_id}"


@dataclass
class LiveServer:
    """The app under test, served at `url`; factories run in its own app context."""

    app: Flask
    url: str

    def create(self, maker: Callable[..., T], **overrides: Any) -> T:
        """Run a factory, commit, and return the detached object (as tests/conftest `create`)."""
        with self.app.app_context():
            made = maker(db.session, **overrides)
            db.session.commit()
            db.session.refresh(made)
            getattr(made, "roles", None)  # load what tests read after detaching
            db.session.expunge(made)
            return made

    def run(self, work: Callable[[Session], T]) -> T:
        """Run `work` with a database session in the app's context, then commit."""
        with self.app.app_context():
            result = work(db.session())
            db.session.commit()
            return result


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a migrated SQLite file, served on a free port of 127.0.0.1 from a thread.

    It stands in for pytest-flask's `live_server` (a forked process on the `app` fixture's
    database): here the tests and the server share one process, so factories write directly.
    """
    path = tmp_path_factory.mktemp("browser-db") / "clinic-browser.sqlite3"
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        flask_migrate.upgrade()
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="clinic-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_live_database(live_server: LiveServer) -> Iterator[None]:
    """Every browser test starts from empty tables (and the seeded clinic settings)."""
    yield
    with live_server.app.app_context():
        db.session.remove()
        _empty_tables()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (the CI script does)")
    expect.set_options(timeout=TIMEOUT_MS)
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS * 3
    )
    yield browser
    browser.close()


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[NewPage]:
    """Open a page in a fresh context (own cookies) on an iPad with touch, portrait or landscape.

    Uncaught JavaScript errors in any page fail the test.
    """
    contexts = []
    errors: list[str] = []

    def _new_page(
        orientation: Orientation = "portrait", *, java_script_enabled: bool = True
    ) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS[orientation],
            screen=VIEWPORTS[orientation],
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            java_script_enabled=java_script_enabled,
            locale="en-GB",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert not errors, "uncaught JavaScript errors:\n" + "\n".join(errors)


RoleSpec = Role | tuple[Role, ...]
SignedInPage = Callable[..., tuple[Page, User]]


@pytest.fixture
def signed_in_page(live_server: LiveServer, new_page: NewPage) -> SignedInPage:
    """A page signed in, through the login form, as a new user with the given role(s)."""

    def _signed_in_page(
        role: RoleSpec = Role.CLINICIAN,
        orientation: Orientation = "portrait",
        *,
        java_script_enabled: bool = True,
    ) -> tuple[Page, User]:
        roles = role if isinstance(role, tuple) else (role,)
        user = live_server.create(make_user, roles=roles)
        page = new_page(orientation, java_script_enabled=java_script_enabled)
        sign_in(page, user.email)
        return page, user

    return _signed_in_page


def _record_findings(session: Session, exam: Exam) -> None:
    """Tender points of every kind (painful, not painful, not examined, with an algometer
    reading, a control site) and one trigger point with referred pain."""
    findings = [
        {"site_code": "TP01L", "examined": True, "painful": True, "rating": 7},
        {"site_code": "TP01R", "examined": True, "painful": True, "rating": 5},
        {"site_code": "TP02L", "examined": True, "painful": False, "rating": 0},
        {
            "site_code": "TP03R",
            "examined": True,
            "painful": True,
            "rating": 4,
            "ppt_value": Decimal("2.4"),
            "ppt_unit": PressureUnit.KGF_PER_CM2,
            "ppt_probe_area_cm2": Decimal("1"),
        },
        {"site_code": "TP05L", "examined": False, "not_examined_reason": "Dressing on the site"},
        {"site_code": "CTRL_FOREHEAD", "examined": True, "painful": False, "rating": 0},
    ]
    exam.tender_points.extend(TenderPointFinding(**values) for values in findings)
    session.flush()
    add_trigger_point(
        session,
        exam,
        TriggerPointInput(
            muscle_code="temporalis",
            side=Side.LEFT,
            tenderness_grade=TendernessGrade.GIII,
            rating=6,
            taut_band=TautBand.PRESENT,
            hypersensitive_spot=True,
            patient_recognition=True,
            referred_pain=True,
            referral_zones=("temple_left",),
        ),
        exam.clinician,
    )


MakeExam = Callable[..., ExamRef]


@pytest.fixture
def make_exam_with_findings(live_server: LiveServer) -> MakeExam:
    """A draft exam of a new patient by `clinician`, with findings unless `findings=False`."""

    def _make(clinician: User, *, findings: bool = True) -> ExamRef:
        def work(session: Session) -> ExamRef:
            patient = make_patient(session)
            exam = make_exam(session, patient=patient, clinician=clinician)
            if findings:
                _record_findings(session, exam)
            return ExamRef(exam.uuid, patient.uuid)

        return live_server.run(work)

    return _make
