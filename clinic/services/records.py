"""Translation between stored rows and the domain's plain finding values.

The readers take a row as the ORM loads it or as a query gives its columns (the same
attribute names): the exports read many exams' columns at once without making ORM objects
(clinic.exports.loading), and build the same records from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from clinic.domain.findings import (
    TRIGGER_POINT_PLAIN_FIELDS,
    ExamFindings,
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.record import (
    AddendumRecord,
    ErrorMark,
    ExamRecord,
    PatientRef,
    PersonRef,
    RecordedTenderPoint,
    RecordedTriggerPoint,
    Signature,
)
from clinic.domain.scoring import ExamScores, score_exam, scores_from_dict
from clinic.models import (
    Exam,
    ExamSurvey,
    PainAreaAnswer,
    Patient,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
    User,
)

# A query's row of any columns, read by column name: SQLAlchemy's Row, or the named tuple
# clinic.exports.loading makes of one (the exports read records this way).
QueryRow: TypeAlias = Any

SURVEY_FIELDS = (
    "pain_duration_months",
    "pain_left_side",
    "pain_right_side",
    "pain_above_waist",
    "pain_below_waist",
    "pain_axial",
    "fatigue",
    "waking_unrefreshed",
    "cognitive_symptoms",
    "headaches",
    "lower_abdominal_pain",
    "depression",
    "somatic_symptoms",
    "other_disorder_explains_pain",
)


def _reading(row: TenderPointFinding | TriggerPointFinding | QueryRow) -> PressureReading | None:
    if row.ppt_value is None or row.ppt_unit is None:
        return None
    return PressureReading(row.ppt_value, row.ppt_unit, row.ppt_probe_area_cm2)


def _store_reading(
    row: TenderPointFinding | TriggerPointFinding, ppt: PressureReading | None
) -> None:
    row.ppt_value = ppt.value if ppt else None
    row.ppt_unit = ppt.unit if ppt else None
    row.ppt_probe_area_cm2 = ppt.probe_area_cm2 if ppt else None


def tender_point_input(row: TenderPointFinding | QueryRow) -> TenderPointInput:
    """The domain value of a stored tender-point finding."""
    return TenderPointInput(
        site_code=row.site_code,
        examined=row.examined,
        not_examined_reason=row.not_examined_reason or "",
        painful=row.painful,
        rating=row.rating,
        ppt=_reading(row),
    )


def apply_tender_point(row: TenderPointFinding, finding: TenderPointInput) -> None:
    """Copy a tender-point finding onto its row."""
    row.site_code = finding.site_code
    row.examined = finding.examined
    row.not_examined_reason = finding.not_examined_reason.strip() or None
    row.painful = finding.painful
    row.rating = finding.rating
    _store_reading(row, finding.ppt)


def trigger_point_input(
    row: TriggerPointFinding | QueryRow, zones: Iterable[str] | None = None
) -> TriggerPointInput:
    """The domain value of a stored trigger-point finding; its referral zones are the row's own,
    or `zones` when the row is a query's (which has none)."""
    values = {name: getattr(row, name) for name in TRIGGER_POINT_PLAIN_FIELDS}
    if zones is None:
        zones = (zone.zone_code for zone in row.referral_zones)
    return TriggerPointInput(
        muscle_code=row.muscle_code,
        muscle_other_name=row.muscle_other_name or "",
        referral_zones=tuple(sorted(zones)),
        ppt=_reading(row),
        **values,
    )


def apply_trigger_point(row: TriggerPointFinding, finding: TriggerPointInput) -> None:
    """Copy a trigger-point finding onto its row, referral zones included."""
    row.muscle_code = finding.muscle_code
    row.muscle_other_name = finding.muscle_other_name.strip() or None
    for name in TRIGGER_POINT_PLAIN_FIELDS:
        setattr(row, name, getattr(finding, name))
    held = {zone.zone_code: zone for zone in row.referral_zones}
    wanted = sorted(set(finding.referral_zones))
    if sorted(held) != wanted:
        row.referral_zones = [held.get(code) or ReferralZone(zone_code=code) for code in wanted]
    _store_reading(row, finding.ppt)


def survey_input(
    survey: ExamSurvey | QueryRow | None, areas: Iterable[tuple[str, bool]] | None = None
) -> SurveyInput:
    """The domain value of a stored survey; no survey row means nothing was asked. Its pain
    areas are the row's own, or `areas` (code, painful) when the row is a query's."""
    if survey is None:
        return SurveyInput()
    if areas is None:
        areas = ((answer.area_code, answer.painful) for answer in survey.pain_areas)
    return SurveyInput(
        pain_areas=dict(areas),
        **{name: getattr(survey, name) for name in SURVEY_FIELDS},
    )


def apply_survey(survey: ExamSurvey, answers: SurveyInput) -> None:
    """Copy survey answers onto the survey row, pain areas included."""
    for name in SURVEY_FIELDS:
        setattr(survey, name, getattr(answers, name))
    held = {answer.area_code: answer for answer in survey.pain_areas}
    for code, painful in answers.pain_areas.items():
        if code in held:
            held[code].painful = painful
        else:
            survey.pain_areas.append(PainAreaAnswer(area_code=code, painful=painful))
    for code, answer in held.items():
        if code not in answers.pain_areas:
            survey.pain_areas.remove(answer)


def impression_input(exam: Exam | QueryRow) -> ImpressionInput:
    """The clinician's impression as recorded on the exam."""
    return ImpressionInput(
        fibromyalgia=exam.fm_impression,
        myofascial_pain_syndrome=exam.mps_impression,
        assessment=exam.assessment,
        plan=exam.plan,
    )


def exam_findings(exam: Exam) -> ExamFindings:
    """Everything recorded in an exam, as the domain's scoring input."""
    return ExamFindings(
        tender_points={row.site_code: tender_point_input(row) for row in exam.tender_points},
        trigger_points=tuple(trigger_point_input(row) for row in exam.trigger_points),
        survey=survey_input(exam.survey),
    )


def person_ref(user: User | QueryRow) -> PersonRef:
    """A user as named on records."""
    return PersonRef(
        id=str(user.uuid),
        name=user.display_name,
        credentials=user.credentials or "",
        licence_number=user.licence_number or "",
    )


def patient_ref(patient: Patient | QueryRow) -> PatientRef:
    """A patient's identifiers as records carry them."""
    return PatientRef(
        id=str(patient.uuid),
        mrn=patient.mrn,
        family_name=patient.family_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
    )


def recorded_tender_point(row: TenderPointFinding | QueryRow) -> RecordedTenderPoint:
    return RecordedTenderPoint(str(row.uuid), row.version, tender_point_input(row))


def recorded_trigger_point(
    row: TriggerPointFinding | QueryRow, zones: Iterable[str] | None = None
) -> RecordedTriggerPoint:
    return RecordedTriggerPoint(str(row.uuid), row.version, trigger_point_input(row, zones))


def assemble_record(
    exam: Exam | QueryRow,
    *,
    patient: PatientRef,
    clinician: PersonRef,
    signer: PersonRef | None,
    marker: PersonRef | None,
    tender_points: tuple[RecordedTenderPoint, ...],
    trigger_points: tuple[RecordedTriggerPoint, ...],
    survey: SurveyInput,
    survey_version: int,
    addenda: tuple[AddendumRecord, ...],
) -> ExamRecord:
    """The whole exam as one plain value, from the exam's columns and its parts as records."""
    signature = None
    if signer is not None and exam.signed_at and exam.signature_digest:
        signature = Signature(signer, exam.signed_at, exam.signature_digest)
    error_mark = None
    if marker is not None and exam.entered_in_error_at:
        error_mark = ErrorMark(marker, exam.entered_in_error_at, exam.entered_in_error_reason or "")
    return ExamRecord(
        id=str(exam.uuid),
        version=exam.version,
        exam_date=exam.exam_date,
        status=exam.status,
        patient=patient,
        clinician=clinician,
        created_at=exam.created_at,
        tender_points=tender_points,
        trigger_points=trigger_points,
        survey=survey,
        survey_version=survey_version,
        impression=impression_input(exam),
        signature=signature,
        entered_in_error=error_mark,
        addenda=addenda,
    )


def exam_record(exam: Exam) -> ExamRecord:
    """The whole exam as one plain value."""
    signer, marker = exam.signed_by, exam.entered_in_error_by
    return assemble_record(
        exam,
        patient=patient_ref(exam.patient),
        clinician=person_ref(exam.clinician),
        signer=person_ref(signer) if signer is not None else None,
        marker=person_ref(marker) if marker is not None else None,
        tender_points=tuple(recorded_tender_point(row) for row in exam.tender_points),
        trigger_points=tuple(recorded_trigger_point(row) for row in exam.trigger_points),
        survey=survey_input(exam.survey),
        survey_version=exam.survey.version if exam.survey else 0,
        addenda=tuple(
            AddendumRecord(str(a.uuid), person_ref(a.author), a.created_at, a.text)
            for a in exam.addenda
        ),
    )


def scores_of(exam: Exam, findings: ExamFindings | None = None) -> ExamScores:
    """The exam's scores: as frozen at signing for a signed exam (what its signature covers),
    computed from its findings for a draft."""
    if findings is None and not (exam.signed_document or {}).get("scores"):
        findings = exam_findings(exam)
    return stored_scores(exam.signed_document, findings)


def stored_scores(
    signed_document: dict[str, Any] | None, findings: ExamFindings | None
) -> ExamScores:
    """The scores frozen in a signed document, or those of the findings for a draft."""
    frozen = (signed_document or {}).get("scores")
    if frozen:
        return scores_from_dict(frozen)
    if findings is None:
        raise ValueError("A draft is scored from its findings.")
    return score_exam(findings)
