"""The administrators' audit page: filters, pages, the CSV download, and a patient's access
report PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import Patient, User
from clinic.services import audit
from clinic.services.audit_log import PAGE_SIZE
from tests.factories import make_patient, make_user
from tests.test_report_views import pdf_text


@pytest.fixture
def admin(create: Callable[..., Any]) -> User:
    return create(make_user, roles=(Role.ADMIN,), display_name="Ada Admin")


@pytest.fixture
def patient(create: Callable[..., Any]) -> Patient:
    return create(make_patient, family_name="Łukasiewicz", given_name="Zoë")


def _record(app: Flask, count: int, action: str, patient: Patient | None = None) -> None:
    with app.app_context():
        for _ in range(count):
            entity = patient.uuid if patient is not None else None
            audit.record(db.session, None, action, "patient", entity)
        db.session.commit()


def test_only_admins_see_the_audit_link(
    client: FlaskClient, login: Callable[[User], None], admin: User, create: Callable[..., Any]
) -> None:
    login(admin)
    assert 'href="/admin/audit"' in client.get("/patients").get_data(as_text=True)
    login(create(make_user, roles=(Role.CLINICIAN,)))
    assert 'href="/admin/audit"' not in client.get("/patients").get_data(as_text=True)


def test_the_page_filters_by_patient_user_and_action(
    app: Flask, client: FlaskClient, login: Callable[[User], None], admin: User, patient: Patient
) -> None:
    _record(app, 2, "patient.update", patient)
    _record(app, 3, "clinic.update")
    login(admin)
    by_patient = client.get(f"/admin/audit?mrn={patient.mrn}").get_data(as_text=True)
    assert "2 rows" in by_patient
    assert by_patient.count("patient.update</td>") == 2
    by_action = client.get("/admin/audit?action=clinic.update").get_data(as_text=True)
    assert "3 rows" in by_action
    # Reading the patient's page is recorded under the admin, who then shows up by e-mail.
    client.get(f"/patients/{patient.uuid}")
    by_user = client.get(f"/admin/audit?user={admin.email}").get_data(as_text=True)
    assert "1 row;" in by_user or "1 row." in by_user
    assert "patient.view</td>" in by_user


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("mrn=NOPE", "There is no patient with MRN NOPE."),
        ("user=nobody@clinic.example", "There is no user nobody@clinic.example."),
        ("action=made.up", "Choose an action from the list."),
        ("start=2026-13-01", "Not a valid date value."),
        ("start=2026-12-02&end=2026-12-01", "The last day is before the first."),
    ],
)
def test_a_filter_that_cannot_be_used_is_named(
    client: FlaskClient, login: Callable[[User], None], admin: User, query: str, message: str
) -> None:
    login(admin)
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_page_is_paginated_newest_first(
    app: Flask, client: FlaskClient, login: Callable[[User], None], admin: User
) -> None:
    _record(app, PAGE_SIZE + 5, "clinic.update")
    login(admin)
    first = client.get("/admin/audit?action=clinic.update").get_data(as_text=True)
    assert f"{PAGE_SIZE + 5} rows; page 1 of 2" in first
    assert first.count("clinic.update</td>") == PAGE_SIZE
    second = client.get("/admin/audit?action=clinic.update&page=2").get_data(as_text=True)
    assert second.count("clinic.update</td>") == 5
    assert "Newer" in second


def test_the_csv_holds_the_filtered_rows_unstored_and_neutralised(
    app: Flask, client: FlaskClient, login: Callable[[User], None], admin: User, patient: Patient
) -> None:
    _record(app, 2, "patient.update", patient)
    _record(app, 1, "=HYPERLINK(1)")  # an action a spreadsheet would run
    login(admin)
    response = client.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["id", "at", "user", "action"]
    actions = [row[3] for row in rows[1:]]
    assert actions == ["patient.update", "patient.update", "'=HYPERLINK(1)"]
    assert rows[1][6] == patient.mrn
    only_patient = client.get(f"/admin/audit.csv?mrn={patient.mrn}").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(only_patient)))) == 3


def test_the_access_report_lists_who_saw_and_changed_the_record(
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    admin: User,
    patient: Patient,
    create: Callable[..., Any],
) -> None:
    clinician = create(make_user, roles=(Role.CLINICIAN,), display_name="Nora Nurse")
    login(clinician)
    client.get(f"/patients/{patient.uuid}")
    client.get(f"/patients/{patient.uuid}/trend.pdf")
    login(admin)
    response = client.get(f"/patients/{patient.uuid}/access-report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Access report" in text
    assert "Łukasiewicz, Zoë" in text
    assert "Nora Nurse" in text
    assert "Viewed the patient's page" in text
    assert "Printed" in text
    assert "trend" in text
    assert "Page 1 of 1" in text
    # Printing the report is itself recorded.
    again = pdf_text(client.get(f"/patients/{patient.uuid}/access-report.pdf").data)
    assert "access report" in again


def test_the_patient_page_links_the_access_report_for_admins_only(
    client: FlaskClient,
    login: Callable[[User], None],
    admin: User,
    patient: Patient,
    create: Callable[..., Any],
) -> None:
    link = f'href="/patients/{patient.uuid}/access-report.pdf"'
    login(admin)
    assert link in client.get(f"/patients/{patient.uuid}").get_data(as_text=True)
    login(create(make_user, roles=(Role.CLINICIAN,)))
    assert link not in client.get(f"/patients/{patient.uuid}").get_data(as_text=True)
