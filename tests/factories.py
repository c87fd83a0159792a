"""Test data makers: each takes a Session and keyword overrides, adds and flushes, never commits."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from clinic.auth import hash_password
from clinic.domain.roles import Role
from clinic.domain.scales import Sex
from clinic.models import Exam, Patient, User

PASSWORD = "a long enough test password"
_serial = itertools.count(1)


def make_user(
    session: Session, roles: tuple[Role, ...] = (Role.CLINICIAN,), **overrides: Any
) -> User:
    """A user with the given roles; signs in with PASSWORD unless `password` is given."""
    n = next(_serial)
    password = overrides.pop("password", PASSWORD)
    values: dict[str, Any] = {
        "email": f"user{n}@clinic.example",
        "display_name": f"Test User {n}",
        "credentials": "MD" if Role.CLINICIAN in roles else None,
        "password_hash": hash_password(password),
    } | overrides
    user = User(**values)
    user.set_roles(set(roles))
    session.add(user)
    session.flush()
    return user


def make_patient(session: Session, **overrides: Any) -> Patient:
    """A synthetic patient with a unique MRN."""
    n = next(_serial)
    values: dict[str, Any] = {
        "mrn": f"MRN{n:05d}",
        "family_name": f"Family{n}",
        "given_name": f"Given{n}",
        "date_of_birth": date(1975, 3, 14),
        "sex": Sex.FEMALE,
    } | overrides
    patient = Patient(**values)
    session.add(patient)
    session.flush()
    return patient


def make_exam(
    session: Session,
    patient: Patient | None = None,
    clinician: User | None = None,
    **overrides: Any,
) -> Exam:
    """A draft exam; makes its patient and clinician unless given (attached or detached)."""
    patient = session.get(Patient, patient.id) if patient else make_patient(session)
    clinician = session.get(User, clinician.id) if clinician else make_user(session)
    values: dict[str, Any] = {"exam_date": date(2026, 11, 2)} | overrides
    exam = Exam(patient=patient, clinician=clinician, created_by=clinician, **values)
    session.add(exam)
    session.flush()
    return exam
