"""The autosave API the tablet calls: one finding per request, JSON in and out.

Every request carries an `Idempotency-Key` header and the version its change was based on.
Answers: 200/201 saved (with the running scores), 412 changed elsewhere (with the stored value),
409 the exam is locked, 422 field errors, 400 a malformed request, 404 unknown exam or finding,
401 signed out (the script keeps its queue and sends the user to sign in).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from clinic.auth import access, background
from clinic.domain.document_reading import (
    read_impression,
    read_survey,
    read_tender_point,
    read_trigger_point,
)
from clinic.domain.errors import DomainError, ExamLockedError, VersionConflictError
from clinic.domain.findings import ImpressionInput, SurveyInput, TenderPointInput, TriggerPointInput
from clinic.domain.roles import Capability
from clinic.domain.validation import (
    raise_if,
    validate_survey,
    validate_tender_point,
    validate_trigger_point,
)
from clinic.extensions import db_session
from clinic.forms.base import ClinicForm
from clinic.forms.exam import ImpressionForm, SurveyForm, version_of
from clinic.models import Exam, utc_now
from clinic.services import exam_content
from clinic.services.autosave import (
    MAX_KEY_LENGTH,
    SaveAnswer,
    exam_scores,
    keep_receipt,
    receipt_for,
    tender_point_state,
    trigger_point_state,
)
from clinic.services.exam_content import NO_VERSION
from clinic.services.examiners import check_examiner
from clinic.services.exams import get_exam_for_autosave
from clinic.views.bodies import form_body, json_object_body
from clinic.views.common import current_actor

bp = Blueprint("autosave", __name__, url_prefix="/exams/<uuid:exam_id>/autosave")

Read = Callable[[Any], Any]
Apply = Callable[[Session, Exam, Any], SaveAnswer]


class RefusedSaveError(Exception):
    """A request refused before anything was applied."""

    def __init__(self, status: int, title: str, **extra: Any) -> None:
        super().__init__(title)
        self.answer = SaveAnswer(status, {"title": title, **extra})


def _json(answer: SaveAnswer) -> Response:
    mimetype = "application/json" if answer.status < 400 else "application/problem+json"
    return Response(json.dumps(answer.body), status=answer.status, mimetype=mimetype)


def _base_version(body: Any) -> int:
    """The version the change was based on: required, 0 for a record never saved."""
    value = body.get("base_version")
    if value is None:
        raise RefusedSaveError(
            428, "Send base_version: the version this change was based on, 0 for a new record"
        )
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RefusedSaveError(400, "base_version must be a whole number, 0 for a new record")
    return value


def _saved(exam: Exam, record: dict[str, Any], status: int = 200) -> SaveAnswer:
    body = {"saved": record, "saved_at": utc_now().isoformat(), "scores": exam_scores(exam)}
    return SaveAnswer(status, body)


def _refusal(error: Exception) -> SaveAnswer:
    """The answer to a change refused by its reading or by the rules."""
    if isinstance(error, RefusedSaveError):
        return error.answer
    if isinstance(error, ExamLockedError):
        return SaveAnswer(409, {"title": error.reasons[0][1]})
    assert isinstance(error, DomainError)
    errors = {field or "finding": message for field, message in error.reasons}
    return SaveAnswer(422, {"title": "Some values are not valid", "errors": errors})


def _run(exam_id: uuid.UUID, read: Read, apply: Apply, from_form: bool = False) -> Response:
    """Read and check the change with no lock held, then apply it once per key under the exam's
    row lock, answer in JSON; one commit. `from_form`: the body is the capture page's own form,
    posted as the page would post it."""
    session, user = db_session(), current_actor()
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        return _json(
            SaveAnswer(400, {"title": "Send an Idempotency-Key header of 1 to 64 characters"})
        )
    # A body of the wrong type (415) or unreadable (400) is refused there, naming the field.
    body: Any = form_body() if from_form else json_object_body()
    try:
        change = read(body)
    except (RefusedSaveError, DomainError) as refused:
        return _json(_refusal(refused))
    exam = get_exam_for_autosave(session, exam_id)
    if exam is None:
        return _json(SaveAnswer(404, {"title": "There is no such exam"}))
    earlier = receipt_for(session, user, key)
    if earlier is not None:
        if earlier.exam_id != exam.id:
            return _json(SaveAnswer(409, {"title": "This key was already used for another exam"}))
        return _json(SaveAnswer(earlier.status_code, earlier.response))
    check_examiner(exam, user)  # read under the exam's row lock: 403 for anyone else
    try:
        answer = apply(session, exam, change)
    except (RefusedSaveError, DomainError) as refused:
        session.rollback()
        return _json(_refusal(refused))
    keep_receipt(session, user, exam, key, answer)
    try:
        session.commit()
    except IntegrityError:
        # The same key arrived twice at once: the other request saved; answer as it did.
        session.rollback()
        again = receipt_for(session, user, key)
        if again is None:
            raise
        return _json(SaveAnswer(again.status_code, again.response))
    return _json(answer)


def _conflict(stored: dict[str, Any] | None, version: int) -> RefusedSaveError:
    return RefusedSaveError(
        412,
        "Changed on another device since this tablet last saw it",
        stored=stored,
        stored_version=version,
    )


@bp.put("/tender-points/<site_code>")
@access(Capability.EXAMINE)
@background
def tender_point(exam_id: uuid.UUID, site_code: str) -> Response:
    """Save one site's finding."""

    def read(body: dict[str, Any]) -> tuple[TenderPointInput, int]:
        value = body.get("finding")
        if isinstance(value, dict):
            value = {**value, "site": site_code}  # the address names the site
        finding = read_tender_point(value)
        raise_if(validate_tender_point(finding))
        return finding, _base_version(body)

    def apply(session: Session, exam: Exam, change: tuple[TenderPointInput, int]) -> SaveAnswer:
        finding, base = change
        try:
            row = exam_content.save_tender_point(session, exam, finding, base, current_actor())
        except VersionConflictError as conflict:
            stored = next((r for r in exam.tender_points if r.site_code == site_code), None)
            state = tender_point_state(stored) if stored is not None else None
            raise _conflict(state, conflict.stored_version) from None
        return _saved(exam, tender_point_state(row))

    return _run(exam_id, read, apply)


@bp.post("/trigger-points")
@access(Capability.EXAMINE)
@background
def add_trigger_point(exam_id: uuid.UUID) -> Response:
    """Add a trigger point (a retry with the same key adds nothing more)."""

    def read(body: dict[str, Any]) -> TriggerPointInput:
        finding = read_trigger_point(body.get("finding"))
        raise_if(validate_trigger_point(finding))
        return finding

    def apply(session: Session, exam: Exam, finding: TriggerPointInput) -> SaveAnswer:
        row = exam_content.add_trigger_point(session, exam, finding, current_actor())
        return _saved(exam, trigger_point_state(row), status=201)

    return _run(exam_id, read, apply)


def _trigger_point_row(exam: Exam, finding_id: str) -> Any:
    try:
        row = exam_content.trigger_point_of(exam, uuid.UUID(finding_id))
    except ValueError:
        row = None
    if row is None:
        raise RefusedSaveError(404, "There is no such trigger point in this exam")
    return row


@bp.put("/trigger-points/<finding_id>")
@access(Capability.EXAMINE)
@background
def update_trigger_point(exam_id: uuid.UUID, finding_id: str) -> Response:
    """Change one trigger point."""

    def read(body: dict[str, Any]) -> tuple[TriggerPointInput, int]:
        finding = read_trigger_point(body.get("finding"))
        raise_if(validate_trigger_point(finding))
        return finding, _base_version(body)

    def apply(session: Session, exam: Exam, change: tuple[TriggerPointInput, int]) -> SaveAnswer:
        finding, base = change
        row = _trigger_point_row(exam, finding_id)
        try:
            exam_content.update_trigger_point(session, exam, row, finding, base, current_actor())
        except VersionConflictError as conflict:
            raise _conflict(trigger_point_state(row), conflict.stored_version) from None
        return _saved(exam, trigger_point_state(row))

    return _run(exam_id, read, apply)


@bp.delete("/trigger-points/<finding_id>")
@access(Capability.EXAMINE)
@background
def remove_trigger_point(exam_id: uuid.UUID, finding_id: str) -> Response:
    """Remove one trigger point."""

    def apply(session: Session, exam: Exam, base: int) -> SaveAnswer:
        row = _trigger_point_row(exam, finding_id)
        try:
            exam_content.remove_trigger_point(session, exam, row, base, current_actor())
        except VersionConflictError as conflict:
            raise _conflict(trigger_point_state(row), conflict.stored_version) from None
        return _saved(exam, {"id": finding_id, "removed": True})

    return _run(exam_id, _base_version, apply)


@bp.put("/survey")
@access(Capability.EXAMINE)
@background
def survey(exam_id: uuid.UUID) -> Response:
    """Save the history and criteria survey."""

    def read(body: dict[str, Any]) -> tuple[SurveyInput, int]:
        answers = read_survey(body.get("survey"))
        raise_if(validate_survey(answers))
        return answers, _base_version(body)

    def apply(session: Session, exam: Exam, change: tuple[SurveyInput, int]) -> SaveAnswer:
        answers, base = change
        try:
            saved = exam_content.save_survey(session, exam, answers, base, current_actor())
        except VersionConflictError as conflict:
            raise _conflict({"version": conflict.stored_version}, conflict.stored_version) from None
        return _saved(exam, {"survey": True, "version": saved.version})

    return _run(exam_id, read, apply)


@bp.put("/impression")
@access(Capability.EXAMINE)
@background
def impression(exam_id: uuid.UUID) -> Response:
    """Save the impression, assessment and plan (the exam header's version)."""

    def read(body: dict[str, Any]) -> tuple[ImpressionInput, int]:
        return read_impression(body.get("impression")), _base_version(body)

    def apply(session: Session, exam: Exam, change: tuple[ImpressionInput, int]) -> SaveAnswer:
        value, base = change
        try:
            exam_content.save_impression(session, exam, value, base, current_actor())
        except VersionConflictError as conflict:
            stored = {"assessment": exam.assessment, "plan": exam.plan, "version": exam.version}
            raise _conflict(stored, conflict.stored_version) from None
        return _saved(exam, {"impression": True, "version": exam.version})

    return _run(exam_id, read, apply)


def _form_errors(form: ClinicForm) -> RefusedSaveError:
    errors = {name: " ".join(messages) for name, messages in form.errors.items() if messages}
    if form.form_errors:
        errors["form"] = " ".join(form.form_errors)
    return RefusedSaveError(422, "Some values are not valid", errors=errors)


def _save_form(
    exam_id: uuid.UUID, make_form: Callable[[], Any], save: Callable[..., Any]
) -> Response:
    """Validate the posted page form as the page would (before any lock), save it, answer in
    JSON."""

    def read(_body: Any) -> tuple[ClinicForm, int]:
        form = make_form()
        if not form.validate():
            raise _form_errors(form)
        base = version_of(form.version)
        if base is None:
            raise RefusedSaveError(428, NO_VERSION)
        return form, base

    def apply(session: Session, exam: Exam, change: tuple[Any, int]) -> SaveAnswer:
        form, base = change
        try:
            saved = save(session, exam, form.to_input(), base, current_actor())
        except ExamLockedError:
            raise
        except DomainError as error:
            form.populate_errors(error)
            raise _form_errors(form) from None
        except VersionConflictError as conflict:
            raise _conflict({}, conflict.stored_version) from None
        return _saved(exam, {"version": saved.version})

    return _run(exam_id, read, apply, from_form=True)


@bp.post("/survey-form")
@access(Capability.EXAMINE)
@background
def survey_form(exam_id: uuid.UUID) -> Response:
    """Save the survey page's form as it stands, as a draft (the page's autosave)."""
    return _save_form(exam_id, SurveyForm, exam_content.save_survey)


@bp.post("/impression-form")
@access(Capability.EXAMINE)
@background
def impression_form(exam_id: uuid.UUID) -> Response:
    """Save the assessment page's form as it stands, as a draft (the page's autosave)."""
    return _save_form(exam_id, ImpressionForm, exam_content.save_impression)
