"""Recording an exam's content: each finding saved on its own, versioned, checked by the domain.

Saving one finding at a time is what the tablet's autosave will call; the full-page forms call the
same functions once per finding. A save names the version it was based on; when the stored record
has moved on, VersionConflictError is raised instead of overwriting another device's change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clinic.domain.errors import ExamLockedError, VersionConflictError
from clinic.domain.findings import ImpressionInput, SurveyInput, TenderPointInput, TriggerPointInput
from clinic.domain.scales import ExamStatus
from clinic.domain.validation import (
    raise_if,
    validate_survey,
    validate_tender_point,
    validate_trigger_point,
)
from clinic.models import Exam, ExamSurvey, TenderPointFinding, TriggerPointFinding, User
from clinic.services import audit
from clinic.services.exams import hold_exam
from clinic.services.records import (
    apply_survey,
    apply_tender_point,
    apply_trigger_point,
    survey_input,
    tender_point_input,
    trigger_point_input,
)


def _require_draft(session: Session, exam: Exam) -> None:
    """Hold the exam's row for the rest of the transaction, then check it is still a draft: the
    version checks after this compare with what is stored, and nothing can change it meanwhile."""
    hold_exam(session, exam)
    if exam.status is not ExamStatus.DRAFT:
        raise ExamLockedError()


def _check_version(record: str, stored: int, based_on: int) -> None:
    if based_on != stored:
        raise VersionConflictError(record, stored, based_on)


def save_tender_point(
    session: Session, exam: Exam, finding: TenderPointInput, based_on: int, actor: User
) -> TenderPointFinding:
    """Record one site's palpation; a new version only when something changed."""
    _require_draft(session, exam)
    raise_if(validate_tender_point(finding))
    row = next((r for r in exam.tender_points if r.site_code == finding.site_code), None)
    before = audit.input_values(tender_point_input(row) if row is not None else None)
    if row is None:
        # Nothing stored yet is version 0; a save based on a later version lost a race.
        _check_version(f"site {finding.site_code}", 0, based_on)
        row = TenderPointFinding(site_code=finding.site_code, examined=finding.examined)
        exam.tender_points.append(row)
    elif tender_point_input(row) == finding:
        return row
    else:
        _check_version(f"site {finding.site_code}", row.version, based_on)
        row.version += 1
    apply_tender_point(row, finding)
    session.flush()
    audit.record(
        session,
        actor,
        "finding.tender_point.save",
        "finding",
        row.uuid,
        audit.changes(
            before,
            audit.input_values(finding),
            exam=str(exam.uuid),
            site=finding.site_code,
            version=row.version,
        ),
        patient_uuid=exam.patient.uuid,
    )
    return row


def add_trigger_point(
    session: Session, exam: Exam, finding: TriggerPointInput, actor: User
) -> TriggerPointFinding:
    """Add a trigger point at the end of the exam's list."""
    _require_draft(session, exam)
    raise_if(validate_trigger_point(finding))
    position = max((row.position for row in exam.trigger_points), default=-1) + 1
    row = TriggerPointFinding(position=position, side=finding.side)
    apply_trigger_point(row, finding)
    exam.trigger_points.append(row)
    session.flush()
    audit.record(
        session,
        actor,
        "finding.trigger_point.add",
        "finding",
        row.uuid,
        audit.changes({}, audit.input_values(finding), exam=str(exam.uuid)),
        patient_uuid=exam.patient.uuid,
    )
    return row


def trigger_point_of(exam: Exam, finding_id: uuid.UUID) -> TriggerPointFinding | None:
    """One of the exam's trigger points by public id."""
    return next((row for row in exam.trigger_points if row.uuid == finding_id), None)


def update_trigger_point(
    session: Session,
    exam: Exam,
    row: TriggerPointFinding,
    finding: TriggerPointInput,
    based_on: int,
    actor: User,
) -> TriggerPointFinding:
    """Change a trigger point; refused when another device changed it since `based_on`."""
    _require_draft(session, exam)
    raise_if(validate_trigger_point(finding))
    if trigger_point_input(row) == finding:
        return row
    _check_version("trigger point", row.version, based_on)
    before = audit.input_values(trigger_point_input(row))
    apply_trigger_point(row, finding)
    row.version += 1
    session.flush()
    audit.record(
        session,
        actor,
        "finding.trigger_point.update",
        "finding",
        row.uuid,
        audit.changes(
            before, audit.input_values(finding), exam=str(exam.uuid), version=row.version
        ),
        patient_uuid=exam.patient.uuid,
    )
    return row


def remove_trigger_point(
    session: Session, exam: Exam, row: TriggerPointFinding, based_on: int, actor: User
) -> None:
    """Remove a trigger point from a draft."""
    _require_draft(session, exam)
    _check_version("trigger point", row.version, based_on)
    before = audit.input_values(trigger_point_input(row))
    exam.trigger_points.remove(row)
    session.flush()
    audit.record(
        session,
        actor,
        "finding.trigger_point.remove",
        "finding",
        row.uuid,
        {"exam": str(exam.uuid), "old": before, "new": None},
        patient_uuid=exam.patient.uuid,
    )


def save_survey(
    session: Session, exam: Exam, answers: SurveyInput, based_on: int, actor: User
) -> ExamSurvey:
    """Record the history and criteria survey."""
    _require_draft(session, exam)
    raise_if(validate_survey(answers))
    survey = exam.survey
    before = audit.input_values(survey_input(survey) if survey is not None else None)
    if survey is None:
        # Nothing stored yet is version 0, as for a site never recorded.
        _check_version("survey", 0, based_on)
        survey = ExamSurvey()
        exam.survey = survey
    elif survey_input(survey) == answers:
        return survey
    else:
        _check_version("survey", survey.version, based_on)
        survey.version += 1
    apply_survey(survey, answers)
    session.flush()
    audit.record(
        session,
        actor,
        "exam.survey.save",
        "exam",
        exam.uuid,
        audit.changes(before, audit.input_values(answers), version=survey.version),
        patient_uuid=exam.patient.uuid,
    )
    return survey


def save_impression(
    session: Session, exam: Exam, impression: ImpressionInput, based_on: int, actor: User
) -> Exam:
    """Record the clinician's impression, assessment and plan (part of the exam header)."""
    _require_draft(session, exam)
    values = {
        "fm_impression": impression.fibromyalgia,
        "mps_impression": impression.myofascial_pain_syndrome,
        "assessment": impression.assessment.strip(),
        "plan": impression.plan.strip(),
    }
    if all(getattr(exam, name) == value for name, value in values.items()):
        return exam
    _check_version("exam", exam.version, based_on)
    before = audit.values_of(exam, *values)
    for name, value in values.items():
        setattr(exam, name, value)
    exam.version += 1
    session.flush()
    audit.record(
        session,
        actor,
        "exam.impression.save",
        "exam",
        exam.uuid,
        audit.changes(before, values, version=exam.version),
        patient_uuid=exam.patient.uuid,
    )
    return exam


class RowErrors(Exception):  # noqa: N818 - a collection of errors, named as such
    """Reasons per form row; nothing of the batch was saved."""

    def __init__(self, errors: dict[int, list[tuple[str, str]]]) -> None:
        super().__init__(f"{len(errors)} rows refused")
        self.errors = errors


def _conflict_message(error: VersionConflictError) -> str:
    return (
        f"Changed on another device since you opened this page (now version "
        f"{error.stored_version}). Reload to see it before saving."
    )


# A page posted without the versions it was shown (a hand-made post, or a page from before this
# check): saving it could overwrite another device's change unseen.
NO_VERSION = "This page was sent without the version it was based on. Reload it before saving."


def save_tender_points(
    session: Session,
    exam: Exam,
    rows: Sequence[tuple[TenderPointInput, int | None]],
    actor: User,
) -> None:
    """Save a page of site findings, each on its own; all or nothing."""
    _require_draft(session, exam)
    errors = {i: r for i, (finding, _v) in enumerate(rows) if (r := validate_tender_point(finding))}
    if errors:
        raise RowErrors(errors)
    for index, (finding, version) in enumerate(rows):
        if version is None:
            errors[index] = [("examined", NO_VERSION)]
            continue
        try:
            save_tender_point(session, exam, finding, version, actor)
        except VersionConflictError as conflict:
            errors[index] = [("examined", _conflict_message(conflict))]
    if errors:
        raise RowErrors(errors)


@dataclass(frozen=True)
class TriggerPointRowInput:
    """One trigger-point row of the form: new or existing, kept or removed."""

    finding_id: uuid.UUID | None
    version: int | None
    remove: bool
    finding: TriggerPointInput | None


def save_trigger_points(
    session: Session, exam: Exam, rows: Sequence[TriggerPointRowInput], actor: User
) -> None:
    """Add, change and remove trigger points from one form; all or nothing."""
    _require_draft(session, exam)
    errors: dict[int, list[tuple[str, str]]] = {}
    for index, row in enumerate(rows):
        if row.finding is not None and not row.remove:
            reasons = validate_trigger_point(row.finding)
            if reasons:
                errors[index] = reasons
    if errors:
        raise RowErrors(errors)
    for index, row in enumerate(rows):
        stored = trigger_point_of(exam, row.finding_id) if row.finding_id else None
        if row.finding_id and stored is None:
            errors[index] = [("muscle_code", "This trigger point was removed on another device.")]
            continue
        if stored is not None and row.version is None:
            errors[index] = [("muscle_code", NO_VERSION)]
            continue
        try:
            if stored is not None and row.version is not None and row.remove:
                remove_trigger_point(session, exam, stored, row.version, actor)
            elif stored is not None and row.version is not None and row.finding is not None:
                update_trigger_point(session, exam, stored, row.finding, row.version, actor)
            elif stored is None and row.finding is not None and not row.remove:
                add_trigger_point(session, exam, row.finding, actor)
        except VersionConflictError as conflict:
            errors[index] = [("muscle_code", _conflict_message(conflict))]
    if errors:
        raise RowErrors(errors)
