"""Exams: starting one and finding it again. The exam content comes with the capture forms."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, scoped_session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from clinic.domain.errors import DomainError, ExamLockedError
from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.models import Exam, ExamSurvey, Patient, TriggerPointFinding, User
from clinic.services import audit


def start_exam(
    session: Session, patient: Patient, exam_date: date, clinician: User, today: date, actor: User
) -> Exam:
    """Open a draft exam of a patient on a date by an examining clinician."""
    reasons: list[tuple[str, str]] = []
    if exam_date > today:
        reasons.append(("exam_date", "An exam cannot be dated in the future."))
    if exam_date < patient.date_of_birth:
        reasons.append(("exam_date", "An exam cannot be dated before the patient's birth."))
    if Role.CLINICIAN not in clinician.roles or not clinician.is_active:
        reasons.append(("clinician", "Choose an active clinician."))
    if reasons:
        raise DomainError(reasons)
    exam = Exam(patient=patient, exam_date=exam_date, clinician=clinician, created_by=actor)
    session.add(exam)
    session.flush()
    audit.record(
        session,
        actor,
        "exam.start",
        "exam",
        exam.uuid,
        {"patient": str(patient.uuid)},
        patient_uuid=patient.uuid,
    )
    return exam


def get_exam(session: Session, public_id: uuid.UUID) -> Exam | None:
    """Find an exam by public id."""
    return session.scalars(select(Exam).where(Exam.uuid == public_id)).first()


def get_draft_exam(session: Session, public_id: uuid.UUID) -> Exam | None:
    """Find an exam by public id; a signed exam cannot be edited, so it counts as locked."""
    exam = get_exam(session, public_id)
    if exam is not None and exam.status is not ExamStatus.DRAFT:
        raise ExamLockedError()
    return exam


def get_exam_with_findings(session: Session, public_id: uuid.UUID) -> Exam | None:
    """An exam with every finding loaded up front (in a few queries, not one per relation)."""
    return session.scalars(
        select(Exam)
        .where(Exam.uuid == public_id)
        .options(
            selectinload(Exam.tender_points),
            selectinload(Exam.trigger_points),
            selectinload(Exam.survey),
        )
    ).first()


# session.info key: the exams whose rows this session's current transaction holds.
_HELD = "clinic_held_exams"


def _transaction(session: Session | scoped_session[Session]) -> object | None:
    """The session's current transaction (Flask-SQLAlchemy hands a scoped_session proxy, which
    does not forward get_transaction: ask the session it stands for)."""
    real = session() if isinstance(session, scoped_session) else session
    return real.get_transaction()


def _holds(session: Session, exam_id: int) -> bool:
    transaction = _transaction(session)
    return transaction is not None and session.info.get(_HELD, {}).get(exam_id) is transaction


def _mark_held(session: Session, exam_id: int) -> None:
    held = session.info.setdefault(_HELD, {})
    held[exam_id] = _transaction(session)


def get_exam_for_change(
    session: Session, public_id: uuid.UUID, options: Sequence[ORMOption] = ()
) -> Exam | None:
    """An exam read under its row lock, held until the transaction ends, with `options` loaded
    after the lock: every change to an exam's content waits for the one before it, then reads
    what that one left, so a version check cannot pass on a value another device is replacing.
    (PostgreSQL: SELECT ... FOR UPDATE. SQLite: a writing transaction already began with BEGIN
    IMMEDIATE, which holds the whole database's write lock.)"""
    exam = session.scalars(
        select(Exam)
        .where(Exam.uuid == public_id)
        .options(*options)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if exam is not None:
        _mark_held(session, exam.id)
    return exam


def hold_exam(session: Session, exam: Exam) -> None:
    """Take the exam's row lock now when its loader did not, and read the exam again under it
    (everything loaded before the lock may be another device's past); a no-op when held."""
    if exam.id is None or _holds(session, exam.id):
        return
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Exam.id).where(Exam.id == exam.id).with_for_update())
        session.expire_all()
    _mark_held(session, exam.id)


def trigger_point_count(session: Session, public_id: uuid.UUID) -> int:
    """How many trigger points an exam holds (0 for an exam not there)."""
    count = session.scalar(
        select(func.count(TriggerPointFinding.id)).join(Exam).where(Exam.uuid == public_id)
    )
    return int(count or 0)


def get_exam_for_autosave(session: Session, public_id: uuid.UUID) -> Exam | None:
    """An exam, under its row lock, with its palpation findings loaded up front: what one
    autosave reads and the running counts it answers with (the survey loads only when a save
    touches it)."""
    return get_exam_for_change(
        session, public_id, (selectinload(Exam.tender_points), selectinload(Exam.trigger_points))
    )


# Everything an exam's document needs, loaded with the exams in one query per relation (not per
# exam): the API's exam list answers each exam's ETag, a hash of its document.
WHOLE_EXAM: Sequence[ORMOption] = (
    selectinload(Exam.patient),
    selectinload(Exam.clinician),
    selectinload(Exam.signed_by),
    selectinload(Exam.entered_in_error_by),
    selectinload(Exam.tender_points),
    selectinload(Exam.trigger_points).selectinload(TriggerPointFinding.referral_zones),
    selectinload(Exam.survey).selectinload(ExamSurvey.pain_areas),
    selectinload(Exam.addenda),
)


def exams_in_date_order(
    session: Session,
    *,
    patient_id: uuid.UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    status: ExamStatus | None = None,
    after: tuple[date, int] | None = None,
    limit: int,
    options: Sequence[ORMOption] = (),
) -> tuple[list[Exam], bool]:
    """Up to `limit` exams in date order after the (date, id) keyset `after`, filtered by patient,
    dates and status, loaded with `options`; and whether more follow."""
    statement = select(Exam).options(*options).order_by(Exam.exam_date, Exam.id)
    if patient_id is not None:
        statement = statement.join(Patient).where(Patient.uuid == patient_id)
    if start is not None:
        statement = statement.where(Exam.exam_date >= start)
    if end is not None:
        statement = statement.where(Exam.exam_date <= end)
    if status is not None:
        statement = statement.where(Exam.status == status)
    if after is not None:
        day, last = after
        statement = statement.where(
            or_(Exam.exam_date > day, and_(Exam.exam_date == day, Exam.id > last))
        )
    rows = list(session.scalars(statement.limit(limit + 1)))
    return rows[:limit], len(rows) > limit
