"""What the exam page shows, computed once in Python so the template only formats it."""

from __future__ import annotations

from dataclasses import dataclass

from clinic.domain.record import ExamRecord
from clinic.domain.roles import Capability, Role
from clinic.domain.scales import ExamStatus
from clinic.domain.scoring import SCORING_VERSION, ExamScores, score_exam
from clinic.domain.sites import ALL_SITES, TenderPointSite
from clinic.domain.summary import survey_lines, tender_point_text, trigger_point_lines
from clinic.models import Exam, User
from clinic.services.records import exam_record
from clinic.services.signing import missing_before_signing, signature_holds


@dataclass(frozen=True)
class SiteLine:
    """One site's row on the exam page."""

    site: TenderPointSite
    text: str


@dataclass(frozen=True)
class TriggerPointLine:
    """One trigger point's block on the exam page."""

    number: int
    lines: list[str]
    criteria: str
    classification: str


@dataclass(frozen=True)
class ExamPage:
    """Everything the exam page needs."""

    record: ExamRecord
    scores: ExamScores
    sites: list[SiteLine]
    trigger_points: list[TriggerPointLine]
    survey: list[tuple[str, str]]
    missing: list[str]
    can_edit: bool
    can_reassign: bool
    can_sign: bool
    can_add_addendum: bool
    can_mark_in_error: bool
    signature_holds: bool
    scored_with_other_version: bool


def exam_page(exam: Exam, viewer: User) -> ExamPage:
    """Build the exam page's content for a viewer."""
    record = exam_record(exam)
    findings = record.findings
    scores = score_exam(findings)
    trigger_points = [
        TriggerPointLine(
            number=point.index + 1,
            lines=trigger_point_lines(finding),
            criteria=point.criteria.summary,
            classification=point.text,
        )
        for point, finding in zip(
            scores.trigger_points.points, findings.trigger_points, strict=True
        )
    ]
    draft = exam.status is ExamStatus.DRAFT
    examines = viewer.can(Capability.EXAMINE)
    frozen_version = (exam.signed_document or {}).get("scoring_version", SCORING_VERSION)
    return ExamPage(
        record=record,
        scores=scores,
        sites=[
            SiteLine(site, tender_point_text(findings.tender_points.get(site.code)))
            for site in ALL_SITES
        ],
        trigger_points=trigger_points,
        survey=survey_lines(findings.survey),
        missing=missing_before_signing(exam) if draft else [],
        can_edit=draft and examines and viewer.id == exam.clinician_id,
        can_reassign=draft and Role.ADMIN in viewer.roles,
        can_sign=draft and viewer.id == exam.clinician_id,
        can_add_addendum=not draft and examines,
        can_mark_in_error=exam.status is ExamStatus.SIGNED
        and (viewer.id == exam.signed_by_id or Role.ADMIN in viewer.roles),
        signature_holds=signature_holds(exam) if not draft else False,
        scored_with_other_version=frozen_version != SCORING_VERSION,
    )
