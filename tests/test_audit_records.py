"""What the audit trail records of reading: every view, print and export of a patient's record,
and every sign-in, sign-out and failed sign-in, one row each (one per exam in a day's batch),
naming the action, the record and the patient; and changes with their old and new values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clinic.domain.findings import TenderPointInput
from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import AuditEvent, Exam, Patient, User
from clinic.services.api_tokens import create_token
from clinic.services.exam_content import save_tender_point
from clinic.services.patients import PatientDetails, update_patient
from tests.factories import PASSWORD, make_exam, make_patient, make_user


@dataclass
class Record:
    """An exam of a patient, its clinician (who may do everything) and an API token of theirs."""

    user: User
    patient: Patient
    exam: Exam
    token: str


@pytest.fixture
def record(app: Flask) -> Record:
    with app.app_context():
        session = db.session
        user = make_user(session, roles=(Role.ADMIN, Role.CLINICIAN))
        patient = make_patient(session)
        exam = make_exam(session, patient=patient, clinician=user)
        token, _ = create_token(session, user, "audit test")
        session.commit()
        for row in (user, patient, exam):
            session.refresh(row)
        session.expunge_all()
    return Record(user, patient, exam, token)


def _rows_after(app: Flask, last_id: int) -> list[AuditEvent]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
    return rows


def _last_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(db.func.coalesce(db.func.max(AuditEvent.id), 0))) or 0


# (name, path from the record, API call?, action, entity type, entity: "patient" | "exam" | None,
#  detail expected to hold)
READS: list[tuple[str, Callable[[Record], str], bool, str, str, str | None, dict[str, Any]]] = [
    ("patient page", lambda r: f"/patients/{r.patient.uuid}", False,
     "patient.view", "patient", "patient", {}),
    ("exam page", lambda r: f"/exams/{r.exam.uuid}", False, "exam.view", "exam", "exam", {}),
    ("exam summary PDF", lambda r: f"/exams/{r.exam.uuid}/summary.pdf", False,
     "exam.print", "exam", "exam", {"report": "exam summary"}),
    ("day batch PDF", lambda r: "/reports/day.pdf?start=2026-11-02", False,
     "exam.print", "exam", "exam", {"report": "day batch", "from": "2026-11-02"}),
    ("trend PDF", lambda r: f"/patients/{r.patient.uuid}/trend.pdf", False,
     "patient.print", "patient", "patient", {"report": "trend"}),
    ("export", lambda r: f"/exports?download=1&format=csv&mrn={r.patient.mrn}", False,
     "export", "export", None, {"format": "csv"}),
    ("API patient", lambda r: f"/api/v1/patients/{r.patient.uuid}", True,
     "patient.view", "patient", "patient", {}),
    ("API exam", lambda r: f"/api/v1/exams/{r.exam.uuid}", True, "exam.view", "exam", "exam", {}),
    ("API scores", lambda r: f"/api/v1/exams/{r.exam.uuid}/scores", True,
     "exam.view", "exam", "exam", {"part": "scores"}),
    ("API PDF", lambda r: f"/api/v1/exams/{r.exam.uuid}/summary.pdf", True,
     "exam.print", "exam", "exam", {"report": "exam summary"}),
    ("API export", lambda r: f"/api/v1/exports/json?mrn={r.patient.mrn}", True,
     "export", "export", None, {"format": "json"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "api", "action", "entity_type", "entity", "detail"),
    [case[1:] for case in READS],
    ids=[case[0] for case in READS],
)
def test_each_read_writes_exactly_one_row(
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    record: Record,
    path: Callable[[Record], str],
    api: bool,
    action: str,
    entity_type: str,
    entity: str | None,
    detail: dict[str, Any],
) -> None:
    headers = {"Authorization": f"Bearer {record.token}"} if api else {}
    if not api:
        login(record.user)
    before = _last_id(app)
    response = client.get(path(record), headers=headers)
    body = response.get_data()  # a streamed export writes its row before its first byte
    assert response.status_code == 200, body[:300]
    [row] = _rows_after(app, before)
    assert (row.action, row.entity_type, row.actor_id) == (action, entity_type, record.user.id)
    expected_entity = {"patient": record.patient.uuid, "exam": record.exam.uuid}.get(entity or "")
    assert row.entity_uuid == expected_entity
    assert row.patient_uuid == record.patient.uuid
    assert detail.items() <= (row.detail or {}).items()
    assert row.request_id == response.headers["X-Request-Id"]
    assert row.client_address == "127.0.0.1"


def test_signing_in_and_out_and_a_failed_sign_in_are_recorded(
    app: Flask, client: FlaskClient, record: Record
) -> None:
    before = _last_id(app)
    client.post("/login", data={"email": record.user.email, "password": "not it"})
    client.post("/login", data={"email": "nobody@clinic.example", "password": "not it"})
    client.post("/login", data={"email": record.user.email, "password": PASSWORD})
    client.post("/logout")
    rows = _rows_after(app, before)
    assert [(row.action, row.entity_uuid, row.actor_id) for row in rows] == [
        ("user.sign_in_failed", record.user.uuid, None),
        ("user.sign_in_failed", None, None),
        ("user.sign_in", record.user.uuid, record.user.id),
        ("user.sign_out", record.user.uuid, record.user.id),
    ]
    assert rows[0].detail == {"email": record.user.email, "reason": "wrong e-mail or password"}
    assert rows[1].detail is not None
    assert rows[1].detail["email"] == "nobody@clinic.example"
    assert "not it" not in str([row.detail for row in rows])


def test_a_change_records_its_old_and_new_values(app: Flask, record: Record) -> None:
    before = _last_id(app)
    with app.app_context():
        session = db.session
        patient = session.get(Patient, record.patient.id)
        actor = session.get(User, record.user.id)
        assert patient is not None
        assert actor is not None
        details = PatientDetails(
            patient.mrn, "Nowakowa", patient.given_name, date(1975, 3, 15), patient.sex
        )
        update_patient(session, patient, details, date(2026, 12, 1), actor)
        session.commit()
    [row] = _rows_after(app, before)
    assert (row.action, row.patient_uuid) == ("patient.update", record.patient.uuid)
    assert row.detail == {
        "old": {"family_name": record.patient.family_name, "date_of_birth": "1975-03-14"},
        "new": {"family_name": "Nowakowa", "date_of_birth": "1975-03-15"},
    }


def test_a_tender_point_save_records_the_site_before_and_after(app: Flask, record: Record) -> None:
    def save(painful: bool, rating: int, version: int) -> None:
        with app.app_context():
            exam = db.session.get(Exam, record.exam.id)
            actor = db.session.get(User, record.user.id)
            assert exam is not None
            assert actor is not None
            finding = TenderPointInput("TP01L", examined=True, painful=painful, rating=rating)
            save_tender_point(db.session, exam, finding, version, actor)
            db.session.commit()

    save(False, 0, 0)
    before = _last_id(app)
    save(True, 6, 1)
    [row] = _rows_after(app, before)
    assert row.action == "finding.tender_point.save"
    assert row.patient_uuid == record.patient.uuid
    assert row.detail is not None
    assert (row.detail["old"], row.detail["new"]) == (
        {"painful": False, "rating": 0},
        {"painful": True, "rating": 6},
    )
