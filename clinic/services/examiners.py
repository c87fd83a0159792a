"""Who examines a draft: only its examining clinician changes it; a clinician starts exams as
themselves, and an administrator may start one for, or hand a draft to, any active clinician."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.domain.errors import DomainError, ExamLockedError, NotExaminerError
from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.models import Exam, User
from clinic.services import audit

ONLY_AS_YOURSELF = (
    "You can start exams only as the examining clinician yourself; an administrator can start "
    "one for another clinician."
)


def check_examiner(exam: Exam, actor: User) -> None:
    """Refuse a change to the exam by anyone but its examining clinician."""
    if actor.id != exam.clinician_id:
        raise NotExaminerError(exam.clinician.signature_name)


def may_start_for(actor: User, clinician: User) -> bool:
    """Whether the actor may start an exam naming this clinician as examiner."""
    return actor.id == clinician.id or Role.ADMIN in actor.roles


def check_may_start_for(actor: User, clinician: User) -> None:
    """Refuse starting an exam for another clinician unless the actor is an administrator."""
    if not may_start_for(actor, clinician):
        raise DomainError([("clinician", ONLY_AS_YOURSELF)])


def reassign_examiner(session: Session, exam: Exam, clinician: User, actor: User) -> None:
    """Hand a draft to another examining clinician (an administrator's act), audited with the
    examiner before and after. The caller holds the exam's row lock."""
    if Role.ADMIN not in actor.roles:
        raise DomainError([("clinician", "Only an administrator can change the examiner.")])
    if exam.status is not ExamStatus.DRAFT:
        raise ExamLockedError("This exam is signed; its examiner cannot change.")
    if not clinician.is_active or Role.CLINICIAN not in clinician.roles:
        raise DomainError([("clinician", "Choose an active clinician.")])
    before = exam.clinician
    if before.id == clinician.id:
        raise DomainError([("clinician", f"{clinician.signature_name} already examines it.")])
    exam.clinician = clinician
    session.flush()
    audit.record(
        session,
        actor,
        "exam.reassign_examiner",
        "exam",
        exam.uuid,
        {
            "old_examiner": str(before.uuid),
            "old_examiner_name": before.signature_name,
            "new_examiner": str(clinician.uuid),
            "new_examiner_name": clinician.signature_name,
        },
        patient_uuid=exam.patient.uuid,
    )
