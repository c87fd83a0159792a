"""Loading an exam document: a new draft exam with the document's findings, for migration and tests,
or an existing draft changed to what its document says (the JSON API's PUT).

Every finding goes through the same per-finding services as the capture forms, so the same rules
and the same audit trail apply. A signature is never imported: a loaded exam is always a draft,
to be checked and signed by a clinician here.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinic.domain.document_reading import LoadedExam, LoadedPatient, read_exam_document
from clinic.domain.errors import DomainError
from clinic.domain.findings import SurveyInput
from clinic.domain.roles import Role
from clinic.models import Exam, Patient, User, utc_now
from clinic.services import audit
from clinic.services.clinic import get_settings
from clinic.services.exam_content import (
    add_trigger_point,
    remove_trigger_point,
    save_impression,
    save_survey,
    save_tender_point,
    trigger_point_of,
    update_trigger_point,
)
from clinic.services.examiners import check_examiner
from clinic.services.exams import start_exam
from clinic.services.patients import (
    PatientDetails,
    create_patient,
    get_patient,
    get_patient_by_mrn,
)
from clinic.services.users import get_user


def _renamed(error: DomainError, paths: dict[str, str]) -> DomainError:
    """The same reasons, each field named by its path in the document."""
    return DomainError([(paths.get(field, field), message) for field, message in error.reasons])


def _is_active_clinician(user: User | None) -> bool:
    return user is not None and user.is_active and Role.CLINICIAN in user.roles


def _document_clinician(session: Session, clinician_id: uuid.UUID | None) -> User | None:
    user = get_user(session, clinician_id) if clinician_id is not None else None
    return user if _is_active_clinician(user) else None


def clinic_today(session: Session) -> date:
    """Today in the clinic's time zone."""
    return utc_now().astimezone(ZoneInfo(get_settings(session).time_zone)).date()


def _existing_patient(session: Session, wanted: LoadedPatient) -> Patient | None:
    """The stored patient the identifiers name; DomainError when id and MRN disagree."""
    by_id = get_patient(session, wanted.id) if wanted.id is not None else None
    by_mrn = get_patient_by_mrn(session, wanted.mrn)
    if by_id is not None and by_id is not by_mrn:
        message = f"the patient with this id has MRN {by_id.mrn}, not {wanted.mrn.strip()}"
        raise DomainError([("patient.mrn", message)])
    # An id unknown here is another installation's; the MRN names the patient in this clinic.
    patient = by_id or by_mrn
    if patient is not None and patient.date_of_birth != wanted.date_of_birth:
        message = (
            f"the patient with MRN {patient.mrn} was born on {patient.date_of_birth.isoformat()}"
        )
        raise DomainError([("patient.date_of_birth", message)])
    return patient


def patient_for(session: Session, wanted: LoadedPatient, today: date, actor: User) -> Patient:
    """The patient the document names, registered from its identifiers when not known here."""
    patient = _existing_patient(session, wanted)
    if patient is not None:
        return patient
    details = PatientDetails(
        wanted.mrn, wanted.family_name, wanted.given_name, wanted.date_of_birth, wanted.sex
    )
    try:
        return create_patient(session, details, today, actor, public_id=wanted.id)
    except DomainError as error:
        fields = {name: f"patient.{name}" for name in ("mrn", "date_of_birth")}
        raise _renamed(error, fields) from None


def _save_findings(session: Session, exam: Exam, loaded: LoadedExam, actor: User) -> None:
    """Fill a new exam: nothing is stored yet (version 0), the header is at its first version."""
    for tender_point in loaded.tender_points:
        save_tender_point(session, exam, tender_point, 0, actor)
    for trigger_point in loaded.trigger_points:
        add_trigger_point(session, exam, trigger_point, actor)
    if loaded.survey != SurveyInput():
        save_survey(session, exam, loaded.survey, 0, actor)
    save_impression(session, exam, loaded.impression, exam.version, actor)


def load_exam_document(
    session: Session, document: object, actor: User | None, today: date | None = None
) -> Exam:
    """Create a draft exam from an exam document; with no actor, its clinician loads it."""
    loaded = read_exam_document(document)
    examiner = _document_clinician(session, loaded.clinician_id)
    actor = actor or examiner
    if actor is None:
        message = "no active clinician here has this id; name the clinician who loads the exam"
        raise DomainError([("exam.clinician.id", message)])
    if not _is_active_clinician(actor):
        raise DomainError([("actor", f"{actor.email} is not an active clinician.")])
    today = today or clinic_today(session)
    patient = patient_for(session, loaded.patient, today, actor)
    try:
        exam = start_exam(session, patient, loaded.exam_date, examiner or actor, today, actor)
    except DomainError as error:
        raise _renamed(error, {"exam_date": "exam.date", "clinician": "exam.clinician"}) from None
    _save_findings(session, exam, loaded, actor)
    audit.record(
        session,
        actor,
        "exam.load",
        "exam",
        exam.uuid,
        {"source": loaded.source_id},
        patient_uuid=patient.uuid,
    )
    return exam


def update_draft(
    session: Session, exam: Exam, loaded: LoadedExam, document: dict[str, Any], actor: User
) -> None:
    """Change a draft to its document, read beforehand by `read_exam_document` (so reading it
    holds no lock): each tender point saved by site; trigger points with an id changed, those
    without added, those left out removed; then the survey (when the document has one) and the
    impression. The caller holds the exam's row and has compared the whole exam's version (the
    API's If-Match), so each part is saved over the version stored now. DomainError names the
    document's fields; ExamLockedError for a signed exam; NotExaminerError when the actor is not
    its examining clinician; ValueError for a trigger point id that is not one. Nothing is
    committed here."""
    check_examiner(exam, actor)
    stored_sites = {row.site_code: row.version for row in exam.tender_points}
    for site in loaded.tender_points:
        save_tender_point(session, exam, site, stored_sites.get(site.site_code, 0), actor)
    kept: set[uuid.UUID] = set()
    raw_points = document.get("trigger_points") or []
    for raw, point in zip(raw_points, loaded.trigger_points, strict=True):
        row = trigger_point_of(exam, uuid.UUID(raw["id"])) if raw.get("id") else None
        if row is None:
            row = add_trigger_point(session, exam, point, actor)
        else:
            update_trigger_point(session, exam, row, point, row.version, actor)
        kept.add(row.uuid)
    for row in [r for r in exam.trigger_points if r.uuid not in kept]:
        remove_trigger_point(session, exam, row, row.version, actor)
    if document.get("survey") is not None:
        stored_survey = exam.survey.version if exam.survey is not None else 0
        save_survey(session, exam, loaded.survey, stored_survey, actor)
    save_impression(session, exam, loaded.impression, exam.version, actor)
