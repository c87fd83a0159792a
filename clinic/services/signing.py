"""Signing an exam, marking it entered in error, addenda, and starting from the last exam."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.document import NOT_SIGNED_PARTS, document_digest, exam_document
from clinic.domain.errors import DomainError, ExamLockedError, NotReadyToSignError
from clinic.domain.record import ExamRecord
from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.domain.scoring import SCORING_VERSION, score_exam, scores_as_dict
from clinic.domain.sites import ACR_SITES, CONTROL_SITES
from clinic.models import Addendum, Exam, Patient, TriggerPointFinding, User, utc_now
from clinic.services import audit
from clinic.services.exams import hold_exam, start_exam
from clinic.services.password_checks import (
    SIGN_EXAM,
    Caller,
    PasswordWaitError,
    caller_for,
    check_password,
)
from clinic.services.records import exam_record

# Sites that must be rated or marked not examined (with a reason) before an exam can be signed:
# the 18 ACR sites and the MTPS control points.
REQUIRED_SITES = (*ACR_SITES, *(site for site in CONTROL_SITES if site.mtps_control))

ADDENDUM_MAX_LENGTH = 10_000


def missing_before_signing(exam: Exam) -> list[str]:
    """What still has to be recorded before the exam can be signed, in words."""
    recorded = {row.site_code: row for row in exam.tender_points}
    missing = []
    for site in REQUIRED_SITES:
        row = recorded.get(site.code)
        if row is None:
            missing.append(f"{site.label}: not recorded")
        elif not row.examined and not (row.not_examined_reason or "").strip():
            missing.append(f"{site.label}: not examined, give a reason")
        elif row.examined and (row.painful is None or (row.rating is None and row.painful)):
            missing.append(f"{site.label}: painful yes/no and a 0–10 rating")
        elif row.examined and row.painful and row.rating == 0:
            # Saved before the contradiction was refused (clinical reference, product rules).
            missing.append(f"{site.label}: painful with a rating of 0, a contradiction to correct")
    return missing


def current_document(exam: Exam) -> dict[str, Any]:
    """The exam's canonical document: as signed (scores frozen) once signed, live for drafts."""
    return document_of(exam_record(exam), exam.signed_document)


def document_of(record: ExamRecord, signed_document: dict[str, Any] | None) -> dict[str, Any]:
    """The canonical document of an exam's record and the document it was signed with, if any:
    the signed parts as signed, the rest (status, addenda, error mark) as they are now."""
    if signed_document is None:
        scores = scores_as_dict(score_exam(record.findings))
        return exam_document(record, scores, SCORING_VERSION)
    live = exam_document(record, {}, "")
    document = dict(signed_document)
    document["exam"] = {**document["exam"], "status": record.status.value}
    for part in NOT_SIGNED_PARTS:
        document[part] = live[part]
    return document


def signature_holds(exam: Exam) -> bool:
    """Whether the signed document still has the digest recorded when it was signed."""
    if exam.signed_document is None or exam.signature_digest is None:
        return False
    return document_digest(exam.signed_document) == exam.signature_digest


def sign_exam(
    session: Session, exam: Exam, actor: User, password: str, caller: Caller | None = None
) -> Exam:
    """Sign a complete draft: freeze its scores, digest its document, lock it. The exam's row is
    held first, so what is checked and signed is what is stored. The password check is
    throttled with every other (`caller`: who tries it; by default this request's address)."""
    hold_exam(session, exam)
    if exam.status is not ExamStatus.DRAFT:
        raise ExamLockedError("This exam is already signed.")
    if actor.id != exam.clinician_id:
        raise DomainError([("password", "Only the examining clinician can sign this exam.")])
    # Every reason at once: a clinician who mistyped the password also learns what is missing.
    missing = missing_before_signing(exam)
    reasons = [("exam", f"Still to record: {item}.") for item in missing]
    try:
        right = check_password(
            session, actor, password, caller or caller_for(actor.email), SIGN_EXAM
        )
    except PasswordWaitError as wait:
        # Nothing else is checked while the caller waits: the password was not even looked at.
        raise DomainError(
            [("password", f"Too many wrong passwords. Try again in {wait.in_words}.")]
        ) from None
    if not right:
        reasons.append(("password", "This is not your password."))
    if missing:
        raise NotReadyToSignError(reasons, missing)
    if reasons:
        raise DomainError(reasons)
    session.flush()
    # The signature columns go in together (a CHECK requires it), so nothing flushes in between.
    with session.no_autoflush:
        exam.status = ExamStatus.SIGNED
        exam.signed_at = utc_now()
        exam.signed_by = actor
        record = exam_record(exam)
        scores = scores_as_dict(score_exam(record.findings))
        document = exam_document(record, scores, SCORING_VERSION)
        exam.signature_digest = document_digest(document)
        exam.signed_document = {k: v for k, v in document.items() if k not in NOT_SIGNED_PARTS}
    session.flush()
    audit.record(
        session,
        actor,
        "exam.sign",
        "exam",
        exam.uuid,
        {
            "digest": exam.signature_digest,
            "old": {"status": ExamStatus.DRAFT.value},
            "new": {"status": exam.status.value, "signed_at": exam.signed_at.isoformat()},
        },
        patient_uuid=exam.patient.uuid,
    )
    return exam


def mark_entered_in_error(session: Session, exam: Exam, reason: str, actor: User) -> Exam:
    """Mark a signed exam as filed in error (wrong patient, wrong date); it stays visible."""
    if exam.status is not ExamStatus.SIGNED:
        raise DomainError([("reason", "Only a signed exam can be marked entered in error.")])
    if actor.id != exam.signed_by_id and Role.ADMIN not in actor.roles:
        raise DomainError([("reason", "Only the signer or an administrator can do this.")])
    if not reason.strip():
        raise DomainError([("reason", "Say why the exam was entered in error.")])
    exam.status = ExamStatus.ENTERED_IN_ERROR
    exam.entered_in_error_at = utc_now()
    exam.entered_in_error_by = actor
    exam.entered_in_error_reason = reason.strip()
    session.flush()
    audit.record(
        session,
        actor,
        "exam.entered_in_error",
        "exam",
        exam.uuid,
        {
            "reason": reason,
            "old": {"status": ExamStatus.SIGNED.value},
            "new": {"status": exam.status.value, "entered_in_error_reason": reason.strip()},
        },
        patient_uuid=exam.patient.uuid,
    )
    return exam


def add_addendum(session: Session, exam: Exam, text: str, actor: User) -> Addendum:
    """Append a correction or note to a signed exam."""
    if exam.status is ExamStatus.DRAFT:
        raise DomainError(
            [("text", "A draft is still editable; change it instead of adding an addendum.")]
        )
    if not text.strip():
        raise DomainError([("text", "Write the addendum.")])
    if len(text) > ADDENDUM_MAX_LENGTH:
        raise DomainError([("text", f"Keep an addendum under {ADDENDUM_MAX_LENGTH} characters.")])
    addendum = Addendum(exam=exam, author=actor, text=text.strip())
    session.add(addendum)
    session.flush()
    audit.record(
        session,
        actor,
        "exam.addendum",
        "exam",
        exam.uuid,
        {"addendum": str(addendum.uuid), "old": None, "new": {"text": addendum.text}},
        patient_uuid=exam.patient.uuid,
    )
    return addendum


def last_exam_of(session: Session, patient: Patient, on_or_before: date) -> Exam | None:
    """The patient's latest exam up to a date that was not entered in error."""
    return session.scalars(
        select(Exam)
        .where(
            Exam.patient_id == patient.id,
            Exam.status != ExamStatus.ENTERED_IN_ERROR,
            Exam.exam_date <= on_or_before,
        )
        .order_by(Exam.exam_date.desc(), Exam.created_at.desc(), Exam.id.desc())
        .limit(1)
    ).first()


def start_from_last_exam(
    session: Session, patient: Patient, exam_date: date, clinician: User, today: date, actor: User
) -> Exam:
    """A new draft listing the last exam's trigger points (muscle, side, location), unexamined."""
    previous = last_exam_of(session, patient, exam_date)
    if previous is None:
        raise DomainError([("from_last_exam", "This patient has no earlier exam to start from.")])
    exam = start_exam(session, patient, exam_date, clinician, today, actor)
    for position, old in enumerate(previous.trigger_points):
        exam.trigger_points.append(
            TriggerPointFinding(
                position=position,
                muscle_code=old.muscle_code,
                muscle_other_name=old.muscle_other_name,
                side=old.side,
                location_in_muscle=old.location_in_muscle,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "exam.start_from_last",
        "exam",
        exam.uuid,
        {"previous": str(previous.uuid)},
        patient_uuid=previous.patient.uuid,
    )
    return exam
