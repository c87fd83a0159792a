"""An exam as one plain value: header, people, findings, signature and addenda.

Services build it from the database; the canonical document, the PDF and the exports read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from clinic.domain.findings import (
    ExamFindings,
    ImpressionInput,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.scales import ExamStatus, Sex


@dataclass(frozen=True)
class PersonRef:
    """A clinician or staff member as named on records and signature blocks."""

    id: str
    name: str
    credentials: str = ""
    licence_number: str = ""


@dataclass(frozen=True)
class PatientRef:
    """The identifiers of the patient an exam belongs to."""

    id: str
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex


@dataclass(frozen=True)
class RecordedTenderPoint:
    """A stored tender-point finding with its public id and version."""

    id: str
    version: int
    finding: TenderPointInput


@dataclass(frozen=True)
class RecordedTriggerPoint:
    """A stored trigger-point finding with its public id and version."""

    id: str
    version: int
    finding: TriggerPointInput


@dataclass(frozen=True)
class Signature:
    """Who signed, when, and the digest of what they signed."""

    signed_by: PersonRef
    signed_at: datetime
    digest: str


@dataclass(frozen=True)
class ErrorMark:
    """Why and by whom a signed exam was marked entered in error."""

    marked_by: PersonRef
    marked_at: datetime
    reason: str


@dataclass(frozen=True)
class AddendumRecord:
    """A note appended after signing."""

    id: str
    author: PersonRef
    created_at: datetime
    text: str


@dataclass(frozen=True)
class ExamRecord:
    """Everything about one exam."""

    id: str
    version: int
    exam_date: date
    status: ExamStatus
    patient: PatientRef
    clinician: PersonRef
    created_at: datetime
    tender_points: tuple[RecordedTenderPoint, ...]
    trigger_points: tuple[RecordedTriggerPoint, ...]
    survey: SurveyInput
    survey_version: int
    impression: ImpressionInput
    signature: Signature | None = None
    entered_in_error: ErrorMark | None = None
    addenda: tuple[AddendumRecord, ...] = ()

    @property
    def findings(self) -> ExamFindings:
        """The findings as scoring takes them."""
        return ExamFindings(
            tender_points={tp.finding.site_code: tp.finding for tp in self.tender_points},
            trigger_points=tuple(tp.finding for tp in self.trigger_points),
            survey=self.survey,
        )
