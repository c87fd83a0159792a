"""Only a draft's examining clinician changes it, on every write path; a clinician starts exams as
themselves; an administrator starts exams for, and hands drafts to, any active clinician."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clinic.domain.findings import SurveyInput, TenderPointInput, TriggerPointInput
from clinic.domain.roles import Role
from clinic.domain.scales import Side
from clinic.extensions import db
from clinic.models import AuditEvent, Exam, SaveReceipt, User
from clinic.services.api_tokens import create_token
from clinic.services.exam_content import add_trigger_point, save_survey, save_tender_point
from clinic.services.signing import current_document
from tests.conftest import sign_in_as
from tests.factories import make_exam, make_patient, make_user

EXAMINER = "Ana Ruiz, MD"
REFUSAL = f"{EXAMINER} examines this draft: only they can change it."
POINT = {"muscle": "upper_trapezius", "side": "left", "rating": 3}


@pytest.fixture
def examiner(create: Callable[..., Any]) -> User:
    return create(make_user, roles=(Role.CLINICIAN,), display_name="Ana Ruiz", credentials="MD")


@pytest.fixture
def colleague(create: Callable[..., Any]) -> User:
    return create(make_user, roles=(Role.CLINICIAN,), display_name="Bo Berg", credentials="PT")


@pytest.fixture
def admin(create: Callable[..., Any]) -> User:
    return create(make_user, roles=(Role.ADMIN,), display_name="Cy Admin")


@pytest.fixture
def draft(app: Flask, examiner: User) -> tuple[uuid.UUID, uuid.UUID]:
    """The examiner's draft with a site, a trigger point and the survey recorded: (exam id,
    trigger point id)."""
    with app.app_context():
        session = db.session
        exam = make_exam(session, clinician=examiner)
        actor = exam.clinician
        save_tender_point(
            session, exam, TenderPointInput("TP01L", painful=True, rating=5), 0, actor
        )
        point = add_trigger_point(
            session,
            exam,
            TriggerPointInput("upper_trapezius", Side.LEFT, nodule_length_mm=Decimal("8")),
            actor,
        )
        save_survey(session, exam, SurveyInput(pain_duration_months=24), 0, actor)
        session.commit()
        return exam.uuid, point.uuid


def _token(app: Flask, user: User) -> dict[str, str]:
    with app.app_context():
        text, _ = create_token(db.session, db.session.get(User, user.id), "tablet app")
        db.session.commit()
    return {"Authorization": f"Bearer {text}"}


def _stored(app: Flask, exam_id: uuid.UUID) -> tuple[Any, ...]:
    """Everything a change could touch: the exam's document and version, its audit trail's
    writes and the autosave receipts."""
    with app.app_context():
        exam = db.session.scalars(select(Exam).where(Exam.uuid == exam_id)).one()
        writes = db.session.scalars(
            select(AuditEvent.action).where(~AuditEvent.action.like("%.view"))
        ).all()
        receipts = db.session.scalar(select(func.count(SaveReceipt.id)))
        return current_document(exam), exam.version, exam.clinician_id, sorted(writes), receipts


# --- every write path, as a second clinician -------------------------------------------------

Request = Callable[[FlaskClient, uuid.UUID, uuid.UUID], Any]


def _autosave(method: str, path: str, body: Any, *, form: bool = False) -> Request:
    def send(client: FlaskClient, exam_id: uuid.UUID, point_id: uuid.UUID) -> Any:
        where = f"/exams/{exam_id}/autosave/{path.format(point=point_id)}"
        body_kw = {"data": body} if form else {"json": body}
        return client.open(where, method=method, headers={"Idempotency-Key": "k1"}, **body_kw)

    return send


def _page(method: str, page: str, data: dict[str, str] | None = None) -> Request:
    def send(client: FlaskClient, exam_id: uuid.UUID, _point: uuid.UUID) -> Any:
        return client.open(f"/exams/{exam_id}/{page}", method=method, data=data or {})

    return send


PAGE_WRITES: dict[str, Request] = {
    "tender points page": _page(
        "POST",
        "tender-points",
        {
            "sites-0-site_code": "TP01L",
            "sites-0-version": "1",
            "sites-0-examined": "yes",
            "sites-0-painful": "yes",
            "sites-0-rating": "9",
        },
    ),
    "trigger points page": _page(
        "POST",
        "trigger-points",
        {"points-0-muscle_code": "levator_scapulae", "points-0-side": "right"},
    ),
    "survey page": _page("POST", "survey", {"version": "1", "pain_duration_months": "30"}),
    "assessment page": _page("POST", "impression", {"version": "1", "assessment": "Changed."}),
    "tender points page, opened": _page("GET", "tender-points"),
    "trigger points page, opened": _page("GET", "trigger-points"),
    "survey page, opened": _page("GET", "survey"),
    "assessment page, opened": _page("GET", "impression"),
}

SCRIPT_WRITES: dict[str, Request] = {
    "autosave a site": _autosave(
        "PUT",
        "tender-points/TP01L",
        {"base_version": 1, "finding": {"examined": True, "painful": True, "rating": 9}},
    ),
    "autosave a new trigger point": _autosave("POST", "trigger-points", {"finding": POINT}),
    "autosave a trigger point": _autosave(
        "PUT", "trigger-points/{point}", {"base_version": 1, "finding": POINT}
    ),
    "autosave removing a trigger point": _autosave(
        "DELETE", "trigger-points/{point}", {"base_version": 1}
    ),
    "autosave the survey": _autosave(
        "PUT", "survey", {"base_version": 1, "survey": {"pain_duration_months": 30}}
    ),
    "autosave the assessment": _autosave(
        "PUT", "impression", {"base_version": 1, "impression": {"assessment": "Changed."}}
    ),
    "form autosave, survey": _autosave(
        "POST", "survey-form", {"version": "1", "pain_duration_months": "30"}, form=True
    ),
    "form autosave, assessment": _autosave(
        "POST", "impression-form", {"version": "1", "assessment": "Changed."}, form=True
    ),
}


@pytest.mark.parametrize("path", sorted(PAGE_WRITES))
def test_a_second_clinician_gets_a_clear_page_and_nothing_changes(
    app: Flask, client: FlaskClient, colleague: User, draft: Any, path: str
) -> None:
    exam_id, point_id = draft
    sign_in_as(client, colleague)
    before = _stored(app, exam_id)

    response = PAGE_WRITES[path](client, exam_id, point_id)

    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert REFUSAL in html.unescape(response.text)
    assert _stored(app, exam_id) == before


@pytest.mark.parametrize("path", sorted(SCRIPT_WRITES))
def test_a_second_clinicians_autosave_is_refused_naming_the_examiner(
    app: Flask, client: FlaskClient, colleague: User, draft: Any, path: str
) -> None:
    exam_id, point_id = draft
    sign_in_as(client, colleague)
    before = _stored(app, exam_id)

    response = SCRIPT_WRITES[path](client, exam_id, point_id)

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"].startswith(REFUSAL)
    assert _stored(app, exam_id) == before


def test_a_second_clinicians_api_change_is_refused_naming_the_examiner(
    app: Flask, client: FlaskClient, colleague: User, draft: Any
) -> None:
    exam_id, _point = draft
    api = _token(app, colleague)
    current = client.get(f"/api/v1/exams/{exam_id}", headers=api)
    document = current.get_json()
    document["impression"]["assessment"] = "Changed by someone else."
    before = _stored(app, exam_id)

    response = client.put(
        f"/api/v1/exams/{exam_id}",
        json=document,
        headers=api | {"If-Match": current.headers["ETag"]},
    )

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"].startswith(REFUSAL)
    assert _stored(app, exam_id) == before


def test_the_examiner_still_changes_their_draft_on_every_path(
    app: Flask, client: FlaskClient, examiner: User, draft: Any
) -> None:
    exam_id, point_id = draft
    sign_in_as(client, examiner)
    assert client.get(f"/exams/{exam_id}/tender-points").status_code == 200
    saved = SCRIPT_WRITES["autosave a site"](client, exam_id, point_id)
    assert saved.status_code == 200
    api = _token(app, examiner)
    current = client.get(f"/api/v1/exams/{exam_id}", headers=api)
    document = current.get_json()
    document["impression"]["assessment"] = "By the examiner."
    changed = client.put(
        f"/api/v1/exams/{exam_id}",
        json=document,
        headers=api | {"If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.get_json()["impression"]["assessment"] == "By the examiner."


def test_the_exam_page_offers_editing_to_its_examiner_only(
    client: FlaskClient, examiner: User, colleague: User, draft: Any
) -> None:
    exam_id, _point = draft
    sign_in_as(client, colleague)
    theirs = client.get(f"/exams/{exam_id}").text
    sign_in_as(client, examiner)
    mine = client.get(f"/exams/{exam_id}").text

    assert "Record tender points" not in theirs
    assert "Record tender points" in mine
    assert "Change the examining clinician" not in mine + theirs


# --- handing a draft to another clinician ------------------------------------------------------


def test_an_administrator_hands_a_draft_to_another_clinician_who_then_edits_it(
    app: Flask,
    client: FlaskClient,
    admin: User,
    examiner: User,
    colleague: User,
    draft: Any,
) -> None:
    exam_id, point_id = draft
    sign_in_as(client, admin)
    page = client.get(f"/exams/{exam_id}").text
    assert "Change the examining clinician" in page
    assert f'value="{colleague.uuid}"' in page

    response = client.post(f"/exams/{exam_id}/examiner", data={"clinician": str(colleague.uuid)})

    assert response.status_code == 302
    assert "Bo Berg, PT now examines this draft." in client.get(response.location).text
    with app.app_context():
        exam = db.session.scalars(select(Exam).where(Exam.uuid == exam_id)).one()
        assert exam.clinician_id == colleague.id
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "exam.reassign_examiner")
        ).one()
        assert event.actor_id == admin.id
        assert event.detail["old_examiner"] == str(examiner.uuid)
        assert event.detail["new_examiner"] == str(colleague.uuid)

    sign_in_as(client, colleague)
    saved = SCRIPT_WRITES["autosave a site"](client, exam_id, point_id)
    assert saved.status_code == 200
    assert saved.get_json()["saved"]["rating"] == 9
    assert "Record tender points" in client.get(f"/exams/{exam_id}").text
    sign_in_as(client, examiner)
    assert client.get(f"/exams/{exam_id}/tender-points").status_code == 403


@pytest.mark.parametrize("who", ["staff member", "inactive clinician", "the examiner", "nobody"])
def test_a_draft_is_handed_only_to_another_active_clinician(
    app: Flask, client: FlaskClient, create: Any, admin: User, examiner: User, draft: Any, who: str
) -> None:
    exam_id, _point = draft
    targets = {
        "staff member": lambda: str(create(make_user, roles=(Role.STAFF,)).uuid),
        "inactive clinician": lambda: str(
            create(make_user, roles=(Role.CLINICIAN,), is_active=False).uuid
        ),
        "the examiner": lambda: str(examiner.uuid),
        "nobody": lambda: "",
    }
    target = targets[who]()
    sign_in_as(client, admin)
    before = _stored(app, exam_id)

    response = client.post(f"/exams/{exam_id}/examiner", data={"clinician": target})

    assert response.status_code == 200
    assert 'id="clinician-error"' in response.text
    assert _stored(app, exam_id) == before


def test_a_signed_exams_examiner_cannot_change(
    app: Flask, client: FlaskClient, create: Any, admin: User, colleague: User
) -> None:
    from tests.test_report_views import make_recorded_exam

    signed = create(make_recorded_exam, clinician=None)
    sign_in_as(client, admin)
    before = _stored(app, signed.uuid)

    response = client.post(
        f"/exams/{signed.uuid}/examiner", data={"clinician": str(colleague.uuid)}
    )

    assert response.status_code == 200
    assert "Change the examining clinician" not in response.text
    assert "This exam is signed; its examiner cannot change." in response.text
    assert _stored(app, signed.uuid) == before


# --- starting an exam through the API ----------------------------------------------------------


def test_a_clinicians_token_starts_exams_only_as_themselves(
    app: Flask, client: FlaskClient, create: Any, examiner: User, colleague: User
) -> None:
    patient = create(make_patient)
    api = _token(app, examiner)
    body = {"patient_id": str(patient.uuid), "exam_date": "2026-11-02"}

    refused = client.post(
        "/api/v1/exams", json=body | {"clinician_id": str(colleague.uuid)}, headers=api
    )
    own = client.post("/api/v1/exams", json=body, headers=api)

    assert refused.status_code == 403
    assert "an administrator can start one for another clinician" in refused.get_json()["title"]
    assert own.status_code == 201
    with app.app_context():
        exams = db.session.scalars(select(Exam)).all()
        assert [e.clinician_id for e in exams] == [examiner.id]


def test_an_administrators_token_starts_an_exam_for_a_clinician(
    app: Flask, client: FlaskClient, create: Any, admin: User, colleague: User
) -> None:
    patient = create(make_patient)
    body = {
        "patient_id": str(patient.uuid),
        "exam_date": "2026-11-02",
        "clinician_id": str(colleague.uuid),
    }

    response = client.post("/api/v1/exams", json=body, headers=_token(app, admin))

    assert response.status_code == 201
    assert response.get_json()["clinician_id"] == str(colleague.uuid)
