"""Patients: registration, edits and search."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from clinic.domain.errors import DomainError
from clinic.domain.names import search_key
from clinic.domain.scales import Sex
from clinic.models import Exam, Patient, User
from clinic.services import audit


@dataclass(frozen=True)
class PatientDetails:
    """What staff enter about a patient."""

    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex


def _check(session: Session, details: PatientDetails, today: date, patient: Patient | None) -> None:
    reasons: list[tuple[str, str]] = []
    if details.date_of_birth > today:
        reasons.append(("date_of_birth", "Date of birth cannot be in the future."))
    # MRNs differing only in case are the same number typed twice, not two patients.
    clash = session.scalar(
        select(Patient.id).where(func.lower(Patient.mrn) == details.mrn.strip().lower())
    )
    if clash is not None and (patient is None or clash != patient.id):
        reasons.append(("mrn", f"Another patient already has MRN {details.mrn.strip()}."))
    if reasons:
        raise DomainError(reasons)


# A patient's details as the audit trail records their changes.
_RECORDED = ("mrn", "family_name", "given_name", "date_of_birth", "sex")


def _apply(patient: Patient, details: PatientDetails) -> None:
    patient.mrn = details.mrn.strip()
    patient.family_name = details.family_name.strip()
    patient.given_name = details.given_name.strip()
    patient.date_of_birth = details.date_of_birth
    patient.sex = details.sex


def create_patient(
    session: Session,
    details: PatientDetails,
    today: date,
    actor: User,
    public_id: uuid.UUID | None = None,
) -> Patient:
    """Register a patient with a unique MRN (and the public id it has elsewhere, if given)."""
    _check(session, details, today, None)
    patient = Patient(uuid=public_id) if public_id is not None else Patient()
    _apply(patient, details)
    session.add(patient)
    session.flush()
    audit.record(
        session,
        actor,
        "patient.create",
        "patient",
        patient.uuid,
        audit.changes({}, audit.values_of(patient, *_RECORDED)),
    )
    return patient


def update_patient(
    session: Session, patient: Patient, details: PatientDetails, today: date, actor: User
) -> Patient:
    """Correct a patient's identifying details."""
    _check(session, details, today, patient)
    before = audit.values_of(patient, *_RECORDED)
    _apply(patient, details)
    session.flush()
    audit.record(
        session,
        actor,
        "patient.update",
        "patient",
        patient.uuid,
        audit.changes(before, audit.values_of(patient, *_RECORDED)),
    )
    return patient


def get_patient(session: Session, public_id: uuid.UUID) -> Patient | None:
    """Find a patient by public id."""
    return session.scalars(select(Patient).where(Patient.uuid == public_id)).first()


def get_patient_by_mrn(session: Session, mrn: str) -> Patient | None:
    """Find a patient by MRN; MRNs differing only in case are the same number."""
    same = func.lower(Patient.mrn) == mrn.strip().lower()
    return session.scalars(select(Patient).where(same)).first()


def search_patients(query: str) -> Select[Patient]:
    """Build the query for patients matching a name, an MRN or a date of birth (YYYY-MM-DD)."""
    statement = select(Patient).order_by(Patient.name_search, Patient.id)
    text = query.strip()
    if not text:
        return statement
    same_mrn = func.lower(Patient.mrn) == text.lower()
    try:
        born = date.fromisoformat(text)
    except ValueError:
        born = None
    if born is not None:
        # An all-digit MRN such as "19800101" also reads as an ISO date: match either.
        return statement.where(or_(Patient.date_of_birth == born, same_mrn))
    # Every word must match the start of a name part: "luk zo" finds "Łukasiewicz, Zoë".
    name_terms = [  # search_key() of non-blank text always has at least one word
        or_(
            Patient.name_search.startswith(word, autoescape=True),
            Patient.name_search.contains(" " + word, autoescape=True),
        )
        for word in search_key(text).split()
    ]
    return statement.where(or_(same_mrn, and_(*name_terms)))


def exams_of(session: Session, patient: Patient) -> list[Exam]:
    """The patient's exams, newest first."""
    return list(
        session.scalars(
            select(Exam)
            .where(Exam.patient_id == patient.id)
            .options(selectinload(Exam.clinician))  # one query for the list, not one per row
            .order_by(Exam.exam_date.desc(), Exam.created_at.desc(), Exam.id.desc())
        )
    )
