"""The JSON API's exam routes on api.bp: the canonical document, changes under If-Match with its
ETag, signing, addenda, scores and the summary PDF."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from flask import Response, request

from clinic.auth import api, problem
from clinic.domain.document import canonical_bytes
from clinic.domain.document_reading import read_exam_document
from clinic.domain.errors import DomainError, ExamLockedError
from clinic.domain.roles import Capability
from clinic.domain.scales import ExamStatus
from clinic.extensions import db_session
from clinic.models import Exam, utc_now
from clinic.services.audit import Entry, record_reads
from clinic.services.exam_loading import update_draft
from clinic.services.examiners import ONLY_AS_YOURSELF, may_start_for
from clinic.services.exams import (
    WHOLE_EXAM,
    exams_in_date_order,
    get_exam,
    get_exam_for_change,
    start_exam,
)
from clinic.services.patients import get_patient
from clinic.services.signing import add_addendum, current_document, sign_exam
from clinic.services.users import get_user
from clinic.views import api_schemas as s
from clinic.views.api import (
    PROBLEMS,
    bp,
    domain_problem,
    encode_cursor,
    json_response,
    read_cursor,
    spec,
    validated,
)
from clinic.views.api_document import Answers as Documented
from clinic.views.common import clinic_today, current_actor


def etag_of(exam: Exam) -> str:
    """The exam's version as an entity tag: changes with anything its document holds."""
    return hashlib.sha256(canonical_bytes(current_document(exam))).hexdigest()[:32]


def _exam_out(exam: Exam) -> s.ExamOut:
    return s.ExamOut(
        id=exam.uuid,
        patient_id=exam.patient.uuid,
        exam_date=exam.exam_date,
        status=exam.status.value,
        clinician_id=exam.clinician.uuid,
        version=exam.version,
        etag=etag_of(exam),
    )


@bp.get("/exams")
@api(Capability.VIEW_RECORDS)
@spec.validate(query=s.ExamQuery, resp=Documented(HTTP_200=s.ExamList, **PROBLEMS))
def exams() -> Response:
    """Exams in date order, filtered by patient, dates and status."""
    query: s.ExamQuery = validated("query")
    try:
        after = read_cursor(query.cursor)
    except DomainError as error:
        return domain_problem(error)
    # Each item's ETag is a hash of its document: load every exam whole, not one at a time.
    rows, more = exams_in_date_order(
        db_session(),
        patient_id=query.patient_id,
        start=query.start,
        end=query.end,
        status=ExamStatus(query.status) if query.status is not None else None,
        after=(date.fromisoformat(after[0]), after[1]) if after is not None else None,
        limit=query.limit,
        options=WHOLE_EXAM,
    )
    next_cursor = encode_cursor([rows[-1].exam_date.isoformat(), rows[-1].id]) if more else None
    return json_response(s.ExamList(items=[_exam_out(e) for e in rows], next_cursor=next_cursor))


@bp.post("/exams")
@api((Capability.EXAMINE, Capability.MANAGE_USERS))
@spec.validate(json=s.ExamCreate, resp=Documented(HTTP_201=s.ExamOut, **PROBLEMS))
def create_exam() -> Response:
    """Start a draft exam: a clinician as its examiner (the default); an administrator for any
    active clinician."""
    body: s.ExamCreate = validated("json")
    session, actor = db_session(), current_actor()
    found = get_patient(session, body.patient_id)
    if found is None:
        return problem(422, "Some values are not valid", errors={"patient_id": "no such patient"})
    clinician = get_user(session, body.clinician_id) if body.clinician_id else actor
    if clinician is None:
        return problem(422, "Some values are not valid", errors={"clinician_id": "no such user"})
    if not may_start_for(actor, clinician):
        return problem(403, ONLY_AS_YOURSELF)
    try:
        exam = start_exam(session, found, body.exam_date, clinician, clinic_today(), actor)
    except DomainError as error:
        session.rollback()
        return domain_problem(error)
    session.commit()
    return json_response(_exam_out(exam), 201, etag_of(exam))


def _record_read(exam: Exam, action: str, detail: dict[str, str] | None = None) -> None:
    entry = Entry(action, "exam", exam.uuid, exam.patient.uuid, detail)
    record_reads(db_session(), current_actor(), [entry])


def _exam_or_problem(exam_id: uuid.UUID) -> Exam | Response:
    exam = get_exam(db_session(), exam_id)
    return exam if exam is not None else problem(404, "There is no such exam")


def _no_precondition() -> Response | None:
    """A change must name the ETag it was based on: `*` names none, so it is refused as well."""
    if not request.if_match or request.if_match.star_tag:
        return problem(428, "Send If-Match with the exam's ETag (not *)")
    return None


def _precondition(exam: Exam) -> Response | None:
    """If-Match must name the exam as it is now (read under its row lock)."""
    current = etag_of(exam)
    if not request.if_match.contains(current):
        refused = problem(412, "The exam changed since this ETag; read it again")
        refused.headers["ETag"] = f'"{current}"'
        return refused
    if exam.status is not ExamStatus.DRAFT:
        return problem(409, "This exam is signed; corrections are addenda")
    return None


def _exam_to_change(exam_id: uuid.UUID) -> Exam | Response:
    """The exam to change, held under its row lock until the commit, when it exists and If-Match
    names it as it is now; else the problem."""
    missing = _no_precondition()
    if missing is not None:
        return missing
    found = get_exam_for_change(db_session(), exam_id, WHOLE_EXAM)
    if found is None:
        return problem(404, "There is no such exam")
    refused = _precondition(found)
    return found if refused is None else refused


@bp.get("/exams/<uuid:exam_id>")
@api(Capability.VIEW_RECORDS)
@spec.validate(resp=Documented(HTTP_200=s.ExamDocument, **PROBLEMS))
def exam(exam_id: uuid.UUID) -> Response:
    """The exam's canonical document (findings, survey, impression, scores, signature)."""
    found = _exam_or_problem(exam_id)
    if isinstance(found, Response):
        return found
    response = json_response(current_document(found), etag=etag_of(found))
    _record_read(found, "exam.view")
    return response


@bp.put("/exams/<uuid:exam_id>")
@api(Capability.EXAMINE)
@spec.validate(
    json=s.ExamDocument,
    resp=Documented(
        HTTP_200=s.ExamDocument,
        HTTP_409=s.Problem,
        HTTP_412=s.Problem,
        HTTP_428=s.Problem,
        **PROBLEMS,
    ),
)
def update_exam(exam_id: uuid.UUID) -> Response:
    """Change a draft from its document: each tender point is saved by site; trigger points
    with an id are changed, those without are added, those left out are removed; then the
    survey and the impression. Needs If-Match."""
    document = validated("json").root
    refused = _no_precondition()
    if refused is not None:
        return refused
    try:
        loaded = read_exam_document(document)  # read before the exam's lock is taken
    except DomainError as error:
        return domain_problem(error)
    found = _exam_to_change(exam_id)
    if isinstance(found, Response):
        return found
    session = db_session()
    try:
        update_draft(session, found, loaded, document, current_actor())
    except ExamLockedError:
        session.rollback()
        return problem(409, "This exam is signed; corrections are addenda")
    except (DomainError, ValueError) as error:
        session.rollback()
        reasons = error if isinstance(error, DomainError) else DomainError([("id", str(error))])
        return domain_problem(reasons)
    session.commit()
    return json_response(current_document(found), etag=etag_of(found))


@bp.post("/exams/<uuid:exam_id>/sign")
@api(Capability.EXAMINE)
@spec.validate(
    json=s.SignIn,
    resp=Documented(
        HTTP_200=s.ExamOut, HTTP_409=s.Problem, HTTP_412=s.Problem, HTTP_428=s.Problem, **PROBLEMS
    ),
)
def sign(exam_id: uuid.UUID) -> Response:
    """Sign a complete draft: the examining clinician's token and password. Needs If-Match."""
    found = _exam_to_change(exam_id)
    if isinstance(found, Response):
        return found
    body: s.SignIn = validated("json")
    session = db_session()
    try:
        sign_exam(session, found, current_actor(), body.password)
    except DomainError as error:
        session.commit()  # nothing changed but the count of failed password checks
        return domain_problem(error)
    session.commit()
    return json_response(_exam_out(found), etag=etag_of(found))


@bp.post("/exams/<uuid:exam_id>/addenda")
@api(Capability.EXAMINE)
@spec.validate(
    json=s.AddendumIn, resp=Documented(HTTP_201=s.AddendumOut, HTTP_409=s.Problem, **PROBLEMS)
)
def addendum(exam_id: uuid.UUID) -> Response:
    """Add an addendum to a signed exam."""
    found = _exam_or_problem(exam_id)
    if isinstance(found, Response):
        return found
    body: s.AddendumIn = validated("json")
    session = db_session()
    try:
        added = add_addendum(session, found, body.text, current_actor())
    except DomainError as error:
        session.rollback()
        return domain_problem(error, 409 if found.status is ExamStatus.DRAFT else 422)
    session.commit()
    out = s.AddendumOut(id=added.uuid, created_at=added.created_at.isoformat())
    return json_response(out, 201, etag_of(found))


@bp.get("/exams/<uuid:exam_id>/scores")
@api(Capability.VIEW_RECORDS)
@spec.validate(resp=Documented(HTTP_200=s.Scores, **PROBLEMS))
def scores(exam_id: uuid.UUID) -> Response:
    """Every score and criterion (frozen at signing for a signed exam)."""
    found = _exam_or_problem(exam_id)
    if isinstance(found, Response):
        return found
    response = json_response(current_document(found)["scores"], etag=etag_of(found))
    _record_read(found, "exam.view", {"part": "scores"})
    return response


@bp.get("/exams/<uuid:exam_id>/summary.pdf")
@api(Capability.PRINT)
@spec.validate(resp=Documented("HTTP_200", media={"HTTP_200": ("application/pdf",)}, **PROBLEMS))
def summary_pdf(exam_id: uuid.UUID) -> Response:
    """The exam's chart summary PDF, as printed."""
    from clinic.reports.chart_summary import render_exam_summary
    from clinic.services.reports import exam_summary, report_file_name

    found = _exam_or_problem(exam_id)
    if isinstance(found, Response):
        return found
    data = render_exam_summary(exam_summary(db_session(), found, utc_now()))
    response = Response(data, mimetype="application/pdf")
    name = report_file_name(found.exam_date, found.patient.mrn, "exam")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    _record_read(found, "exam.print", {"report": "exam summary"})
    return response
