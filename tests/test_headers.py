"""Security headers on every response; no printed or exported record is left in a cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import Exam, Patient, User
from clinic.services.api_tokens import create_token
from tests.conftest import make_app, sign_in_as
from tests.factories import make_patient, make_user
from tests.test_report_views import DAY, make_recorded_exam

DENIED = ("camera", "microphone", "geolocation", "payment", "usb")


@pytest.fixture
def staff(create: Callable[..., Any]) -> User:
    return create(make_user, roles=(Role.STAFF,), credentials=None)


@pytest.fixture
def patient(create: Callable[..., Any]) -> Patient:
    return create(make_patient)


@pytest.fixture
def signed(create: Callable[..., Any], patient: Patient) -> Exam:
    return create(make_recorded_exam, patient=patient, clinician=None)


@pytest.fixture
def draft(create: Callable[..., Any], patient: Patient) -> Exam:
    return create(make_recorded_exam, patient=patient, clinician=None, signed=False)


def _token(app: Flask, user: User) -> dict[str, str]:
    with app.app_context():
        text, _ = create_token(db.session, db.session.get(User, user.id), "practice system")
        db.session.commit()
    return {"Authorization": f"Bearer {text}"}


def _permissions_policy(response: Any) -> dict[str, str]:
    policy = response.headers["Permissions-Policy"]
    return dict(item.strip().split("=", 1) for item in policy.split(","))


# --- every response --------------------------------------------------------------------------


def test_every_kind_of_answer_refuses_framing_and_the_devices(
    app: Flask, client: FlaskClient, staff: User
) -> None:
    answers = [client.get("/login"), client.get("/static/clinic.css"), client.get("/api/v1/x")]
    sign_in_as(client, staff)
    answers += [client.get("/patients"), client.get("/no-such-page")]
    for response in answers:
        assert response.headers["X-Frame-Options"] == "DENY"
        policy = _permissions_policy(response)
        assert all(policy[feature] == "()" for feature in DENIED), policy
        response.close()


@pytest.fixture
def secure_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """An app with secure session cookies (behind HTTPS), on the same test database."""
    secure = make_app(database_url, SESSION_COOKIE_SECURE=True)
    yield secure
    with secure.app_context():
        db.session.remove()
        db.engine.dispose()


def test_strict_transport_security_is_sent_only_with_secure_cookies(
    client: FlaskClient, secure_app: Flask
) -> None:
    plain = client.get("/login")
    secure = secure_app.test_client().get("/login", base_url="https://clinic.example")

    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


# --- PDFs and exports ------------------------------------------------------------------------


EXPORT_FORMATS = ("csv", "json", "ndjson", "fhir", "fhir-bulk")
FILES = [
    "signed exam PDF",
    "draft PDF",
    "day batch PDF",
    "trend PDF",
    "API exam PDF",
    *(f"{name} export" for name in EXPORT_FORMATS),
    *(f"API {name} export" for name in EXPORT_FORMATS),
]


def _get_file(
    client: FlaskClient, api: dict[str, str], name: str, signed: Exam, draft: Exam, patient: Any
) -> Any:
    week = {"start": "2026-11-01", "end": "2026-11-30"}
    kind = name.removesuffix(" export").removeprefix("API ")
    requests: dict[str, Callable[[], Any]] = {
        "signed exam PDF": lambda: client.get(f"/exams/{signed.uuid}/summary.pdf"),
        "draft PDF": lambda: client.get(f"/exams/{draft.uuid}/summary.pdf"),
        "day batch PDF": lambda: client.get(
            "/reports/day.pdf", query_string={"start": DAY.isoformat(), "end": DAY.isoformat()}
        ),
        "trend PDF": lambda: client.get(f"/patients/{patient.uuid}/trend.pdf"),
        "API exam PDF": lambda: client.get(f"/api/v1/exams/{signed.uuid}/summary.pdf", headers=api),
        f"{kind} export": lambda: client.get(
            "/exports", query_string=week | {"download": "1", "format": kind}
        ),
        f"API {kind} export": lambda: client.get(
            f"/api/v1/exports/{kind}", query_string=week, headers=api
        ),
    }
    return requests[name]()


@pytest.mark.parametrize("name", FILES)
def test_every_pdf_and_export_is_sent_no_store(
    app: Flask,
    client: FlaskClient,
    staff: User,
    signed: Exam,
    draft: Exam,
    patient: Patient,
    name: str,
) -> None:
    api = _token(app, staff)
    sign_in_as(client, staff)

    response = _get_file(client, api, name, signed, draft, patient)
    response.get_data()  # a streamed export, read whole
    response.close()

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Disposition" in response.headers


def test_pages_are_still_no_store_and_static_files_are_revalidated(
    client: FlaskClient, staff: User
) -> None:
    sign_in_as(client, staff)
    page = client.get("/patients")
    style = client.get("/static/clinic.css")
    assert page.headers["Cache-Control"] == "no-store"
    assert style.headers["Cache-Control"] == "no-cache"
    style.close()
