"""Importing exported exams: each exam restored as it was exported (its ids, versions, findings,
signature and addenda), into this or another installation.

Every document is read through the domain (clinic.domain.document_reading), so every problem is
named by its record and its path. A file imports whole or not at all: the caller commits only a
report without problems. Patients are matched by id and MRN and registered when unknown; people
named by a document (clinician, signer, addendum authors) who are not users here become inactive
users, who cannot sign in. A signed document keeps its signature only when its export seal (made
with this installation's key) and its signature digest both verify; otherwise it becomes a draft,
and the audit trail keeps who signed it where it came from.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic.auth import hash_password
from clinic.domain.document import (
    EXPORT_SEAL,
    NOT_SIGNED_PARTS,
    document_digest,
    seal_of,
)
from clinic.domain.document_reading import read_exam_document
from clinic.domain.errors import DomainError
from clinic.domain.findings import SurveyInput
from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.models import (
    Addendum,
    Exam,
    ExamSurvey,
    Patient,
    TenderPointFinding,
    TriggerPointFinding,
    User,
)
from clinic.services import audit
from clinic.services.exam_loading import clinic_today, patient_for
from clinic.services.exams import get_exam
from clinic.services.records import apply_survey, apply_tender_point, apply_trigger_point
from clinic.services.users import get_user

# Users created for people a document names: never able to sign in (no one knows a password).
IMPORTED_EMAIL_DOMAIN = "imported.invalid"


@dataclass(frozen=True)
class ImportProblem:
    """One reason a record cannot be imported: which record, which field, why."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    """What an import did, or would do, and every problem it found."""

    exams: int = 0
    signed: int = 0
    drafts: int = 0
    patients: int = 0
    users: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _uuid(value: Any, path: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError([(path, "must be an id (a UUID)")]) from None


def _moment(value: Any, path: str) -> datetime:
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or not text.endswith("Z") or len(text) != len("2026-11-24T10:42:00Z"):
        raise DomainError([(path, "must be a UTC time like 2026-11-24T10:42:00Z")])
    return moment.astimezone(UTC)


def _version(value: Any, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise DomainError([(path, "must be a whole number, 1 or more")])
    return value


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class _People:
    """The users a file names, found here or created inactive, once each."""

    def __init__(self, session: Session, report: ImportReport) -> None:
        self.session = session
        self.report = report

    def get(self, person: Any, path: str, role: Role | None = Role.CLINICIAN) -> User:
        if not isinstance(person, dict) or not person.get("id"):
            raise DomainError([(path, "must name a person with an id")])
        public_id = _uuid(person["id"], f"{path}.id")
        user = get_user(self.session, public_id)
        if user is not None:
            return user
        name = str(person.get("name") or "").strip()
        if not name:
            raise DomainError([(f"{path}.name", "must not be blank")])
        user = User(
            uuid=public_id,
            email=f"{public_id}@{IMPORTED_EMAIL_DOMAIN}",
            display_name=name[:120],
            credentials=str(person.get("credentials") or "").strip() or None,
            licence_number=str(person.get("licence_number") or "").strip() or None,
            password_hash=hash_password(secrets.token_urlsafe(32)),
            is_active=False,
        )
        user.set_roles({role} if role else set())
        self.session.add(user)
        self.session.flush()
        self.report.users += 1
        return user


def _restore(
    session: Session,
    document: dict[str, Any],
    trusted: bool,
    people: _People,
    report: ImportReport,
    actor: User | None,
) -> Exam:
    loaded = read_exam_document(document)
    header = document["exam"]
    exam_id = _uuid(header.get("id"), "exam.id")
    if get_exam(session, exam_id) is not None:
        raise DomainError([("exam.id", "an exam with this id is already here")])
    clinician = people.get(header.get("clinician"), "exam.clinician")
    patients_before = _count(session, Patient)
    patient = patient_for(session, loaded.patient, clinic_today(session), actor or clinician)
    report.patients += _count(session, Patient) - patients_before
    exam = Exam(
        uuid=exam_id,
        patient=patient,
        clinician=clinician,
        created_by=clinician,
        exam_date=loaded.exam_date,
        status=ExamStatus.DRAFT,
        version=_version(header.get("version"), "exam.version"),
        created_at=_moment(header.get("created_at"), "exam.created_at"),
        fm_impression=loaded.impression.fibromyalgia,
        mps_impression=loaded.impression.myofascial_pain_syndrome,
        assessment=loaded.impression.assessment,
        plan=loaded.impression.plan,
    )
    session.add(exam)
    for index, (raw, finding) in enumerate(
        zip(document.get("tender_points") or [], loaded.tender_points, strict=True)
    ):
        row = TenderPointFinding(
            uuid=_uuid(raw.get("id"), f"tender_points[{index}].id"),
            version=_version(raw.get("version"), f"tender_points[{index}].version"),
        )
        apply_tender_point(row, finding)
        exam.tender_points.append(row)
    for index, (raw, point) in enumerate(
        zip(document.get("trigger_points") or [], loaded.trigger_points, strict=True)
    ):
        trigger = TriggerPointFinding(
            uuid=_uuid(raw.get("id"), f"trigger_points[{index}].id"),
            version=_version(raw.get("version"), f"trigger_points[{index}].version"),
            position=index,
            side=point.side,
        )
        apply_trigger_point(trigger, point)
        exam.trigger_points.append(trigger)
    survey = document.get("survey") or {}
    if loaded.survey != SurveyInput() or survey.get("version"):
        row_survey = ExamSurvey(version=_version(survey.get("version"), "survey.version"))
        apply_survey(row_survey, loaded.survey)
        exam.survey = row_survey
    session.flush()
    signature = document.get("signature")
    if signature and trusted and document_digest(document) == signature.get("digest"):
        _sign(document, exam, people)
        report.signed += 1
    else:
        report.drafts += 1
    provenance: dict[str, Any] = {"source": str(exam_id), "sealed": trusted}
    if signature and exam.status is ExamStatus.DRAFT:
        # Not trusted: the exam is a draft to be checked and signed here; say who signed it.
        provenance["original_signature"] = signature
        provenance["original_addenda"] = document.get("addenda") or []
    audit.record(
        session,
        actor or clinician,
        "exam.import",
        "exam",
        exam.uuid,
        provenance,
        patient_uuid=exam.patient.uuid,
    )
    report.exams += 1
    return exam


def _sign(document: dict[str, Any], exam: Exam, people: _People) -> None:
    """Put back the signature, addenda and entered-in-error mark of a verified document."""
    signature = document["signature"]
    signer = people.get(signature.get("signed_by"), "signature.signed_by")
    addenda = [
        Addendum(
            uuid=_uuid(addendum.get("id"), f"addenda[{index}].id"),
            author=people.get(addendum.get("author"), f"addenda[{index}].author"),
            created_at=_moment(addendum.get("created_at"), f"addenda[{index}].created_at"),
            text=str(addendum.get("text") or ""),
        )
        for index, addendum in enumerate(document.get("addenda") or [])
    ]
    mark = document.get("entered_in_error")
    marker = (
        people.get(mark.get("marked_by"), "entered_in_error.marked_by", role=None) if mark else None
    )
    signed = {key: value for key, value in document.items() if key not in NOT_SIGNED_PARTS}
    signed["exam"] = {**signed["exam"], "status": ExamStatus.SIGNED.value}
    # The signature columns go in together (a CHECK requires it), so nothing flushes between.
    with people.session.no_autoflush:
        exam.status = ExamStatus.SIGNED
        exam.signed_at = _moment(signature.get("signed_at"), "signature.signed_at")
        exam.signed_by = signer
        exam.signature_digest = signature["digest"]
        exam.signed_document = signed
        if mark:
            exam.status = ExamStatus.ENTERED_IN_ERROR
            exam.entered_in_error_at = _moment(mark.get("marked_at"), "entered_in_error.marked_at")
            exam.entered_in_error_by = marker
            exam.entered_in_error_reason = str(mark.get("reason") or "")
        people.session.flush()
    exam.addenda.extend(addenda)
    people.session.flush()


def import_documents(
    session: Session,
    documents: Iterable[tuple[str, Any]],
    seal_key: bytes,
    actor: User | None = None,
) -> ImportReport:
    """Restore each (label, document); the report names every problem by record and field.
    Nothing is committed here: commit only when the report is ok (and not a dry run)."""
    report = ImportReport()
    people = _People(session, report)
    for label, document in documents:
        if isinstance(document, ImportProblem):
            report.problems.append(document)
            continue
        if not isinstance(document, dict):
            report.problems.append(ImportProblem(label, "document", "must be a JSON object"))
            continue
        seal = document.get(EXPORT_SEAL)
        content = {key: value for key, value in document.items() if key != EXPORT_SEAL}
        trusted = isinstance(seal, dict) and hmac.compare_digest(
            str(seal.get("hmac", "")), seal_of(content, seal_key)
        )
        try:
            with session.begin_nested():
                _restore(session, content, trusted, people, report, actor)
        except DomainError as error:
            report.problems += [ImportProblem(label, f, m) for f, m in error.reasons]
    return report
