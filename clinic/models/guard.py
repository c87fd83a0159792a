"""The write guard: nothing recorded in a signed exam changes, whatever path the write takes.

Every ORM flush passes through here, so routes, services, the CLI and a stray model change in a
shell are all refused alike. After signing, only the entered-in-error marking may change an exam.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from clinic.domain.errors import ExamLockedError
from clinic.domain.scales import ExamStatus
from clinic.models.exams import (
    Addendum,
    Exam,
    ExamSurvey,
    PainAreaAnswer,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
)

# What may still change on an exam that is no longer a draft.
_MUTABLE_AFTER_SIGNING = frozenset(
    {
        "status",
        "entered_in_error_at",
        "entered_in_error_by_id",
        "entered_in_error_reason",
        "entered_in_error_by",
        "updated_at",
        "version",
    }
)
# Appending an addendum touches the exam's list of addenda, which is no change to the exam.
_APPENDED_AFTER_SIGNING = frozenset({"addenda"})


def _stored_status(exam: Exam) -> ExamStatus | None:
    """The status as loaded from the database, before any change in this session."""
    state = inspect(exam)
    if state.pending or state.transient:
        return None
    history = state.attrs.status.history
    if history.deleted:
        return ExamStatus(history.deleted[0])
    return exam.status


def _exam_of(session: Session, record: Any) -> Exam | None:
    if isinstance(record, TenderPointFinding | TriggerPointFinding | ExamSurvey):
        exam = record.__dict__.get("exam")
        return exam if exam is not None else session.get(Exam, record.exam_id)
    if isinstance(record, ReferralZone):
        finding = record.__dict__.get("finding") or session.get(
            TriggerPointFinding, record.finding_id
        )
        return _exam_of(session, finding) if finding is not None else None
    if isinstance(record, PainAreaAnswer):
        survey = record.__dict__.get("survey") or session.get(ExamSurvey, record.survey_id)
        return _exam_of(session, survey) if survey is not None else None
    return None


def _check_exam_change(exam: Exam) -> None:
    stored = _stored_status(exam)
    if stored in (None, ExamStatus.DRAFT):
        return
    changed = {attr.key for attr in inspect(exam).attrs if attr.history.has_changes()}
    changed -= _APPENDED_AFTER_SIGNING
    if changed - _MUTABLE_AFTER_SIGNING:
        raise ExamLockedError()
    if stored is ExamStatus.ENTERED_IN_ERROR and changed:
        raise ExamLockedError("This exam is marked entered in error and cannot change.")
    # A signed exam only moves on to entered in error, never back to a draft.
    if "status" in changed and exam.status is not ExamStatus.ENTERED_IN_ERROR:
        raise ExamLockedError()


def _refuse_changes_to_signed_exams(
    session: Session, _flush: UOWTransaction, _instances: Any
) -> None:
    for record in (*session.new, *session.dirty, *session.deleted):
        if isinstance(record, Exam):
            if record in session.deleted and _stored_status(record) is not ExamStatus.DRAFT:
                raise ExamLockedError()
            if record in session.dirty:
                _check_exam_change(record)
            continue
        if isinstance(record, Addendum) and record not in session.new:
            # Addenda are appended, never edited or removed, whatever the exam's state.
            if record in session.deleted or session.is_modified(record):
                raise ExamLockedError("An addendum cannot be changed; add another one.")
            continue
        if record in session.dirty and not session.is_modified(record):
            continue
        with session.no_autoflush:
            exam = _exam_of(session, record)
        if exam is not None and _stored_status(exam) not in (None, ExamStatus.DRAFT):
            raise ExamLockedError()


def install_write_guard() -> None:
    """Register the guard on every SQLAlchemy session (idempotent)."""
    if not event.contains(Session, "before_flush", _refuse_changes_to_signed_exams):
        event.listen(Session, "before_flush", _refuse_changes_to_signed_exams)
