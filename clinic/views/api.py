"""The JSON API, version 1 (/api/v1): patients, exams as canonical documents, scores, PDFs and
exports, for other systems. A personal token (Authorization: Bearer) authenticates each call;
the role rules are the pages'. Changes need If-Match with the exam's ETag: a stale one gets 412,
a signed exam 409. Errors are application/problem+json with a message per field.
"""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel
from spectree import Response as Documented
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType

from clinic.auth import PUBLIC, api, problem
from clinic.domain.errors import DomainError
from clinic.domain.roles import Capability
from clinic.domain.scales import Sex
from clinic.extensions import csrf, db_session
from clinic.models import Patient
from clinic.services.audit import Entry, record_reads
from clinic.services.patients import (
    PatientDetails,
    create_patient,
    get_patient,
    search_patients,
)
from clinic.views import api_schemas as s
from clinic.views.api_cursors import decode_cursor
from clinic.views.api_cursors import encode_cursor as encode_cursor  # api_exams reads it here
from clinic.views.api_document import published
from clinic.views.bodies import json_body
from clinic.views.common import clinic_today, current_actor
from clinic.views.refusals import shown

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # a bearer token, never a cookie, authenticates these calls


@bp.before_request
def _read_body() -> None:
    """Read a body as JSON, strictly, before spectree does: spectree takes a body it cannot read
    for an empty one, and a form for no body at all."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        json_body()


def _problem_on_invalid(req: Any, resp: Any, error: Any, _instance: Any, *_: Any) -> None:
    """Validation failures as problem+json, each message under the field's path."""
    if error is None or resp is None:
        return
    errors = {
        ".".join(shown(str(part)) for part in item["loc"]) or "body": item["msg"]
        for item in error.errors()
    }
    body = {"type": "about:blank", "title": "Some values are not valid", "status": 422}
    resp.set_data(json.dumps(body | {"errors": errors}))
    resp.mimetype = "application/problem+json"


spec = SpecTree(
    "flask",
    openapi_version="3.1.0",
    mode="strict",  # only the routes decorated below, not the pages
    title="Tender Point Clinic API",
    version="1",
    description=__doc__,  # this module's docstring is the document's description
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"),
        )
    ],
    security={"bearer": []},
    before=_problem_on_invalid,
)

PROBLEMS: dict[str, Any] = {f"HTTP_{code}": s.Problem for code in (401, 403, 404, 422)}


def validated(part: str) -> Any:
    """Return the request's `query` or `json` as spectree validated it."""
    return getattr(request.context, part)  # type: ignore[attr-defined]


def json_response(
    model: BaseModel | dict[str, Any], status: int = 200, etag: str | None = None
) -> Response:
    """Return the model as JSON, with its ETag if given."""
    data = model.model_dump_json() if isinstance(model, BaseModel) else json.dumps(model)
    response = Response(data, status=status, mimetype="application/json")
    if etag:
        response.headers["ETag"] = f'"{etag}"'
    return response


def domain_problem(error: DomainError, status: int = 422) -> Response:
    """Return the domain's reasons as a problem with a message per field."""
    return problem(status, "Some values are not valid", errors=dict(error.reasons))


def read_cursor(text: str | None) -> list[Any] | None:
    """Return the values a cursor of encode_cursor holds (the query models checked them for
    their list); DomainError if it is not one."""
    if not text:
        return None
    values = decode_cursor(text)
    if values is None:
        raise DomainError([("cursor", "not a cursor this API gave")])
    return values


# --- the document -----------------------------------------------------------------------------


@functools.cache
def _document() -> dict[str, Any]:
    return published(spec.spec)


@bp.get("/openapi.json")
@api(PUBLIC)
def openapi() -> Response:
    """This API's OpenAPI 3.1 document."""
    return json_response(_document())


# --- patients ---------------------------------------------------------------------------------


def _patient_out(patient: Patient) -> s.PatientOut:
    return s.PatientOut(
        id=patient.uuid,
        mrn=patient.mrn,
        family_name=patient.family_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex.value,
    )


@bp.get("/patients")
@api(Capability.VIEW_RECORDS)
@spec.validate(query=s.PatientQuery, resp=Documented(HTTP_200=s.PatientList, **PROBLEMS))
def patients() -> Response:
    """Patients, by id; `q` searches names, MRN and date of birth."""
    query: s.PatientQuery = validated("query")
    try:
        after = read_cursor(query.cursor)
    except DomainError as error:
        return domain_problem(error)
    statement = search_patients(query.q or "").order_by(None).order_by(Patient.id)
    if after is not None:
        statement = statement.where(Patient.id > after[1])
    rows = list(db_session().scalars(statement.limit(query.limit + 1)))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor(["patient", rows[-1].id]) if more else None
    return json_response(
        s.PatientList(items=[_patient_out(p) for p in rows], next_cursor=next_cursor)
    )


@bp.post("/patients")
@api(Capability.EDIT_PATIENTS)
@spec.validate(json=s.PatientIn, resp=Documented(HTTP_201=s.PatientOut, **PROBLEMS))
def create_patient_view() -> Response:
    """Register a patient."""
    body: s.PatientIn = validated("json")
    details = PatientDetails(
        body.mrn, body.family_name, body.given_name, body.date_of_birth, Sex(body.sex)
    )
    try:
        patient = create_patient(db_session(), details, clinic_today(), current_actor())
    except DomainError as error:
        db_session().rollback()
        return domain_problem(error)
    db_session().commit()
    return json_response(_patient_out(patient), 201)


@bp.get("/patients/<uuid:patient_id>")
@api(Capability.VIEW_RECORDS)
@spec.validate(resp=Documented(HTTP_200=s.PatientOut, **PROBLEMS))
def patient(patient_id: uuid.UUID) -> Response:
    """One patient."""
    found = get_patient(db_session(), patient_id)
    if found is None:
        return problem(404, "There is no such patient")
    response = json_response(_patient_out(found))
    record_reads(db_session(), current_actor(), [Entry("patient.view", "patient", patient_id)])
    return response


# The exam and export routes join bp from their own modules. Importing them here, after the
# routes above, keeps the routes and so the OpenAPI document in this order.
from clinic.views import api_exams, api_exports  # noqa: E402, F401
