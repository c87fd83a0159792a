"""A patient's access report: who saw, printed, exported or changed the patient's record, and
when, in words; the view-model the access report PDF prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from clinic.domain.record import PatientRef
from clinic.domain.report_models import ClinicHeader

# What each recorded action is called in the report; an action not named here prints as stored.
ACTION_WORDS: dict[str, str] = {
    "patient.view": "Viewed the patient's page",
    "patient.print": "Printed",
    "patient.create": "Registered the patient",
    "patient.update": "Changed the patient's details",
    "exam.view": "Viewed an exam",
    "exam.print": "Printed an exam",
    "exam.start": "Started an exam",
    "exam.start_from_last": "Started an exam from the last one",
    "exam.load": "Loaded an exam",
    "exam.import": "Imported an exam",
    "exam.sign": "Signed an exam",
    "exam.addendum": "Added an addendum",
    "exam.entered_in_error": "Marked an exam entered in error",
    "exam.survey.save": "Changed an exam's survey",
    "exam.impression.save": "Changed an exam's impression",
    "finding.tender_point.save": "Changed a tender point",
    "finding.trigger_point.add": "Added a trigger point",
    "finding.trigger_point.update": "Changed a trigger point",
    "finding.trigger_point.remove": "Removed a trigger point",
    "export": "Exported",
}


def action_words(action: str) -> str:
    """An action as the report says it."""
    return ACTION_WORDS.get(action, action)


@dataclass(frozen=True)
class AccessEntry:
    """One recorded action on the patient's record."""

    at: datetime
    who: str
    action: str
    what: str
    address: str


@dataclass(frozen=True)
class AccessReport:
    """Every recorded action on one patient's record, oldest first."""

    clinic: ClinicHeader
    patient: PatientRef
    entries: tuple[AccessEntry, ...]
    printed_at: datetime
