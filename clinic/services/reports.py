"""Building the report view-models from the database: exam summaries, day batches, trends."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from clinic.domain.body_diagram import diagram_marks
from clinic.domain.comparison import Comparison, compare_exams
from clinic.domain.errors import DomainError
from clinic.domain.findings import ExamFindings
from clinic.domain.report_models import ClinicHeader, ExamSummary, PatientTrend, TrendPoint
from clinic.domain.scales import ExamStatus
from clinic.domain.scoring import ExamScores
from clinic.models import Exam, Patient, User
from clinic.services.clinic import get_settings
from clinic.services.records import exam_record, patient_ref, scores_of

MAX_BATCH_DAYS = 31


def clinic_header(session: Session) -> ClinicHeader:
    """The clinic's details as reports print them."""
    settings = get_settings(session)
    return ClinicHeader(
        name=settings.name,
        address=settings.address,
        phone=settings.phone,
        paper_size=settings.paper_size,
        time_zone=settings.time_zone,
    )


def previous_signed_exam(session: Session, exam: Exam) -> Exam | None:
    """The patient's latest signed exam before this one (entered-in-error exams never count)."""
    return session.scalars(
        select(Exam)
        .where(
            Exam.patient_id == exam.patient_id,
            Exam.id != exam.id,
            Exam.status == ExamStatus.SIGNED,
            (Exam.exam_date < exam.exam_date)
            | ((Exam.exam_date == exam.exam_date) & (Exam.created_at < exam.created_at)),
        )
        .order_by(Exam.exam_date.desc(), Exam.created_at.desc())
        .limit(1)
    ).first()


def _comparison(
    session: Session, exam: Exam, current: tuple[ExamFindings, ExamScores]
) -> Comparison | None:
    previous = previous_signed_exam(session, exam)
    if previous is None:
        return None
    old = exam_record(previous).findings
    return compare_exams(
        str(previous.uuid), previous.exam_date, (old, scores_of(previous, old)), current
    )


def exam_summary(
    session: Session, exam: Exam, printed_at: datetime, clinic: ClinicHeader | None = None
) -> ExamSummary:
    """Everything the exam summary prints about one exam."""
    record = exam_record(exam)
    findings = record.findings
    scores = scores_of(exam, findings)  # a signed exam prints the scores it was signed with
    comparison = None
    if exam.status is not ExamStatus.ENTERED_IN_ERROR:
        comparison = _comparison(session, exam, (findings, scores))
    return ExamSummary(
        clinic=clinic or clinic_header(session),
        record=record,
        scores=scores,
        marks=diagram_marks(findings, scores.trigger_points),
        comparison=comparison,
        printed_at=printed_at,
    )


def check_date_range(start: date, end: date) -> None:
    """Refuse a batch range that is reversed or longer than a month."""
    if end < start:
        raise DomainError([("end", "The end date is before the start date.")])
    if (end - start).days + 1 > MAX_BATCH_DAYS:
        raise DomainError([("end", f"Print at most {MAX_BATCH_DAYS} days at a time.")])


def exams_between(
    session: Session, start: date, end: date, clinician: User | None = None
) -> list[Exam]:
    """Every exam dated in the range, by date, clinician and patient name."""
    check_date_range(start, end)
    statement = (
        select(Exam)
        .join(Patient)
        .join(User, Exam.clinician_id == User.id)
        .where(Exam.exam_date >= start, Exam.exam_date <= end)
        .options(
            selectinload(Exam.patient),
            selectinload(Exam.clinician),
            selectinload(Exam.tender_points),
            selectinload(Exam.trigger_points),
            selectinload(Exam.addenda),
        )
        .order_by(Exam.exam_date, User.display_name, Patient.name_search, Exam.created_at)
    )
    if clinician is not None:
        statement = statement.where(Exam.clinician_id == clinician.id)
    return list(session.scalars(statement))


def patient_trend(session: Session, patient: Patient, printed_at: datetime) -> PatientTrend:
    """The patient's signed exams over time, oldest first."""
    exams = session.scalars(
        select(Exam)
        .where(Exam.patient_id == patient.id, Exam.status == ExamStatus.SIGNED)
        .order_by(Exam.exam_date, Exam.created_at)
    )
    points = []
    for exam in exams:
        scores = scores_of(exam)
        points.append(
            TrendPoint(
                exam_id=str(exam.uuid),
                exam_date=exam.exam_date,
                tender_point_count=scores.tender_point_count.value,
                mtps_tender_point_count=scores.mtps_tender_point_count.value,
                fis=scores.fibromyalgia_intensity.value,
                wpi=scores.wpi.value,
                sss=scores.sss_2011.value,
                fs=scores.fibromyalgia_severity.value,
            )
        )
    return PatientTrend(clinic_header(session), patient_ref(patient), tuple(points), printed_at)


def signed_pdf_etag(session: Session, exam: Exam) -> str | None:
    """A cache key for a signed exam's PDF: its digest, addenda and the clinic's settings."""
    if exam.status is ExamStatus.DRAFT or exam.signature_digest is None:
        return None
    settings = get_settings(session)
    parts = [
        exam.signature_digest,
        exam.status.value,
        *(str(addendum.uuid) for addendum in exam.addenda),
        settings.updated_at.isoformat(),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def report_file_name(exam_date: date, mrn: str, kind: str) -> str:
    """A readable download name: 2026-11-24_MRN123_exam.pdf."""
    safe_mrn = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in mrn)
    return f"{exam_date.isoformat()}_{safe_mrn}_{kind}.pdf"
