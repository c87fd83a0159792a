"""The JSON API: tokens, roles, patients, exams with ETags, signing, addenda, scores, PDF,
exports, problem+json errors, cursor pagination and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import ApiToken, Exam
from clinic.services.api_tokens import create_token, revoke_token
from tests.exam_forms import FULL_TENDER_POINTS
from tests.factories import PASSWORD, make_patient, make_user


class Api:
    """A client calling the API with one user's token."""

    def __init__(self, client: Any, token: str) -> None:
        self.client, self.token = client, token

    def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


@pytest.fixture
def token_for(app, client):
    def make(*roles: Role, **user: Any) -> tuple[Api, Any]:
        with app.app_context():
            person = make_user(db.session, roles=roles, **user)
            text, _ = create_token(db.session, person, "test system")
            db.session.commit()
            db.session.expunge(person)
        return Api(client, text), person

    return make


@pytest.fixture
def doctor(token_for):
    return token_for(Role.CLINICIAN)


@pytest.fixture
def patient(create):
    return create(make_patient, mrn="API-1")


def a_full_document(api: Api, exam_id: str) -> dict[str, Any]:
    document = api("GET", f"/exams/{exam_id}").get_json()
    document["tender_points"] = [
        {
            "site": code,
            "examined": values["examined"] == "yes",
            "not_examined_reason": values.get("not_examined_reason", ""),
            "painful": {"yes": True, "no": False}.get(values.get("painful", "")),
            "rating": int(values["rating"]) if values.get("rating") else None,
        }
        for code, values in FULL_TENDER_POINTS.items()
    ]
    return document


def test_no_token_a_bad_token_and_a_revoked_token_get_401(app, client, doctor, patient):
    api, person = doctor
    assert client.get("/api/v1/patients").status_code == 401
    assert Api(client, "tpc_not-a-token")("GET", "/patients").status_code == 401
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        revoke_token(db.session, db.session.merge(person), token)
        db.session.commit()
    refused = api("GET", "/patients")
    assert refused.status_code == 401
    assert refused.content_type == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_records_its_last_use(app, doctor, patient):
    api, _ = doctor
    assert api("GET", "/patients").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_role_rules_are_the_pages(token_for, patient):
    staff, _ = token_for(Role.STAFF)
    clinician, _ = token_for(Role.CLINICIAN)

    assert (
        staff(
            "POST", "/exams", json={"patient_id": str(patient.uuid), "exam_date": "2026-11-02"}
        ).status_code
        == 403
    )
    assert clinician("GET", "/exports/csv").status_code == 403
    assert staff("GET", "/exports/csv").status_code == 200


def test_patients_page_by_cursor(token_for, create):
    staff, _ = token_for(Role.STAFF)
    for n in range(5):
        create(make_patient, mrn=f"P-{n}")

    first = staff("GET", "/patients", query_string={"limit": 2}).get_json()
    second = staff("GET", "/patients", query_string={"limit": 2, "cursor": first["next_cursor"]})
    third = staff(
        "GET", "/patients", query_string={"limit": 2, "cursor": second.get_json()["next_cursor"]}
    )

    seen = [
        p["mrn"] for page in (first, second.get_json(), third.get_json()) for p in page["items"]
    ]
    assert seen == [f"P-{n}" for n in range(5)]
    assert third.get_json()["next_cursor"] is None
    bad = staff("GET", "/patients", query_string={"cursor": "garbage"})
    assert bad.status_code == 422
    assert "cursor" in bad.get_json()["errors"]


def test_bad_input_is_problem_json_with_field_errors(token_for):
    staff, _ = token_for(Role.STAFF)

    response = staff("POST", "/patients", json={"mrn": "=X", "family_name": "", "sex": "robot"})

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    errors = response.get_json()["errors"]
    assert {"mrn", "family_name", "given_name", "date_of_birth", "sex"} <= set(errors)


def test_create_update_and_sign_an_exam_with_etags(app, doctor, patient):
    api, _ = doctor
    created = api(
        "POST", "/exams", json={"patient_id": str(patient.uuid), "exam_date": "2026-11-02"}
    )
    assert created.status_code == 201
    exam_id, etag = created.get_json()["id"], created.headers["ETag"]

    document = a_full_document(api, exam_id)
    no_precondition = api("PUT", f"/exams/{exam_id}", json=document)
    updated = api("PUT", f"/exams/{exam_id}", json=document, headers={"If-Match": etag})
    stale = api("PUT", f"/exams/{exam_id}", json=document, headers={"If-Match": etag})

    assert no_precondition.status_code == 428
    assert updated.status_code == 200, updated.get_json()
    assert stale.status_code == 412
    new_etag = updated.headers["ETag"]
    assert new_etag != etag
    assert updated.get_json()["scores"]["tender_point_count"]["value"] == 12

    wrong_password = api(
        "POST", f"/exams/{exam_id}/sign", json={"password": "nope"}, headers={"If-Match": new_etag}
    )
    signed = api(
        "POST",
        f"/exams/{exam_id}/sign",
        json={"password": PASSWORD},
        headers={"If-Match": new_etag},
    )
    assert wrong_password.status_code == 422
    assert "password" in wrong_password.get_json()["errors"]
    assert signed.status_code == 200, signed.get_json()
    assert signed.get_json()["status"] == "signed"

    locked = api(
        "PUT", f"/exams/{exam_id}", json=document, headers={"If-Match": signed.headers["ETag"]}
    )
    addendum = api("POST", f"/exams/{exam_id}/addenda", json={"text": "Called back."})
    scores = api("GET", f"/exams/{exam_id}/scores")
    pdf = api("GET", f"/exams/{exam_id}/summary.pdf")
    assert locked.status_code == 409
    assert addendum.status_code == 201
    assert scores.get_json()["acr_1990"]["version"] == "ACR 1990"
    assert pdf.data.startswith(b"%PDF")
    with app.app_context():
        assert db.session.scalars(select(Exam)).one().addenda[0].text == "Called back."


def test_a_document_with_a_wrong_field_changes_nothing(doctor, patient):
    api, _ = doctor
    created = api(
        "POST", "/exams", json={"patient_id": str(patient.uuid), "exam_date": "2026-11-02"}
    )
    exam_id = created.get_json()["id"]
    document = a_full_document(api, exam_id)
    document["tender_points"][0]["rating"] = 11

    response = api(
        "PUT", f"/exams/{exam_id}", json=document, headers={"If-Match": created.headers["ETag"]}
    )

    assert response.status_code == 422
    assert "tender_points[0].rating" in response.get_json()["errors"]
    assert api("GET", f"/exams/{exam_id}").get_json()["tender_points"] == []


def test_exams_list_by_patient_and_date(doctor, patient, create):
    api, _ = doctor
    other = create(make_patient, mrn="API-2")
    for day, who in ((2, patient), (9, patient), (3, other)):
        api("POST", "/exams", json={"patient_id": str(who.uuid), "exam_date": f"2026-11-0{day}"})

    mine = api("GET", "/exams", query_string={"patient_id": str(patient.uuid)}).get_json()
    late = api("GET", "/exams", query_string={"start": "2026-11-03"}).get_json()

    assert [e["exam_date"] for e in mine["items"]] == ["2026-11-02", "2026-11-09"]
    assert [e["exam_date"] for e in late["items"]] == ["2026-11-03", "2026-11-09"]


def test_unknown_exam_and_unknown_export_format(token_for, patient):
    staff, _ = token_for(Role.STAFF)
    assert staff("GET", "/exams/00000000-0000-4000-8000-000000000000").status_code == 404
    bad = staff("GET", "/exports/xml")
    assert bad.status_code == 422
    assert "format" in bad.get_json()["errors"]
    backwards = staff(
        "GET", "/exports/csv", query_string={"start": "2026-11-09", "end": "2026-11-01"}
    )
    assert backwards.status_code == 422


def test_the_openapi_document_describes_every_route(app, client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()

    assert document["openapi"].startswith("3.1")
    validate(document)
    paths = set(document["paths"])
    assert {
        "/api/v1/patients",
        "/api/v1/exams/{exam_id}",
        "/api/v1/exports/{export_format}",
    } <= paths
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_listing_exams_costs_the_same_queries_for_many_exams_as_for_few(app, doctor, create):
    from sqlalchemy import event

    api, _ = doctor
    patient = create(make_patient, mrn="API-Q")

    def statements_for_list() -> int:
        seen: list[str] = []

        def count(*_args: Any) -> None:
            seen.append("x")

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert api("GET", "/exams").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    body = {"patient_id": str(patient.uuid), "exam_date": "2026-11-02"}
    api("POST", "/exams", json=body)
    few = statements_for_list()
    for _ in range(5):
        api("POST", "/exams", json=body)

    assert statements_for_list() == few


def test_an_export_is_sent_as_it_is_made(app, token_for, create, monkeypatch):
    """The first exam's bytes reach the client before the later exams are exported: nothing
    (neither the API's response validation nor anything else) gathers the whole file first."""
    from datetime import date

    from clinic.views import api_exports
    from tests.factories import make_exam

    clinician = create(make_user, roles=(Role.CLINICIAN,))
    for day in (2, 3, 4):
        create(make_exam, clinician=clinician, exam_date=date(2026, 11, day))
    produced: list[int] = []
    real = api_exports.export_stream

    def counted(*args: Any) -> Any:
        chunks = real(*args)  # a refused request still raises here, before any byte
        return (produced.append(len(chunk)) or chunk for chunk in chunks)

    monkeypatch.setattr(api_exports, "export_stream", counted)
    staff, _ = token_for(Role.STAFF)

    response = staff("GET", "/exports/ndjson", buffered=False)
    body = iter(response.response)
    first = next(body)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-ndjson"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="exams_')
    assert first.startswith(b'{"addenda"')
    assert len(produced) == 1  # one exam's document made so far, of three
    assert len(b"".join([first, *body]).splitlines()) == 3
    response.close()
