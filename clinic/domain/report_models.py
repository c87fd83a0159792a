"""The plain view-models the PDF reports are rendered from; built by services, read by reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from clinic.domain.body_diagram import DiagramMarks
from clinic.domain.comparison import Comparison
from clinic.domain.record import ExamRecord, PatientRef
from clinic.domain.scales import PaperSize
from clinic.domain.scoring import ExamScores


@dataclass(frozen=True)
class ClinicHeader:
    """The clinic's details that head every printed page."""

    name: str
    address: str
    phone: str
    paper_size: PaperSize
    time_zone: str


@dataclass(frozen=True)
class ExamSummary:
    """Everything the exam summary prints."""

    clinic: ClinicHeader
    record: ExamRecord
    scores: ExamScores
    marks: DiagramMarks
    comparison: Comparison | None
    printed_at: datetime


@dataclass(frozen=True)
class TrendPoint:
    """One signed exam's scores on the patient's trend."""

    exam_id: str
    exam_date: date
    tender_point_count: int | None
    mtps_tender_point_count: int | None
    fis: Decimal | None
    wpi: int | None
    sss: int | None
    fs: int | None


@dataclass(frozen=True)
class PatientTrend:
    """A patient's signed exams over time."""

    clinic: ClinicHeader
    patient: PatientRef
    points: tuple[TrendPoint, ...]
    printed_at: datetime
