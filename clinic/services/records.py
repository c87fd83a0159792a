"""Translation between stored rows and the domain's plain finding values."""

from __future__ import annotations

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


def _reading(row: TenderPointFinding | TriggerPointFinding) -> PressureReading | None:
    if row.ppt_value is None or row.ppt_unit is None:
        return None
    return PressureReading(row.ppt_value, row.ppt_unit, row.ppt_probe_area_cm2)


def _store_reading(
    row: TenderPointFinding | TriggerPointFinding, ppt: PressureReading | None
) -> None:
    row.ppt_value = ppt.value if ppt else None
    row.ppt_unit = ppt.unit if ppt else None
    row.ppt_probe_area_cm2 = ppt.probe_area_cm2 if ppt else None


def tender_point_input(row: TenderPointFinding) -> TenderPointInput:
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


def trigger_point_input(row: TriggerPointFinding) -> TriggerPointInput:
    """The domain value of a stored trigger-point finding."""
    values = {name: getattr(row, name) for name in TRIGGER_POINT_PLAIN_FIELDS}
    return TriggerPointInput(
        muscle_code=row.muscle_code,
        muscle_other_name=row.muscle_other_name or "",
        referral_zones=tuple(sorted(zone.zone_code for zone in row.referral_zones)),
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


def survey_input(survey: ExamSurvey | None) -> SurveyInput:
    """The domain value of a stored survey; no survey row means nothing was asked."""
    if survey is None:
        return SurveyInput()
    return SurveyInput(
        pain_areas={answer.area_code: answer.painful for answer in survey.pain_areas},
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


def impression_input(exam: Exam) -> ImpressionInput:
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


def person_ref(user: User) -> PersonRef:
    """A user as named on records."""
    return PersonRef(
        id=str(user.uuid),
        name=user.display_name,
        credentials=user.credentials or "",
        licence_number=user.licence_number or "",
    )


def patient_ref(patient: Patient) -> PatientRef:
    """A patient's identifiers as records carry them."""
    return PatientRef(
        id=str(patient.uuid),
        mrn=patient.mrn,
        family_name=patient.family_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
    )


def exam_record(exam: Exam) -> ExamRecord:
    """The whole exam as one plain value."""
    signature = None
    if exam.signed_by is not None and exam.signed_at and exam.signature_digest:
        signature = Signature(person_ref(exam.signed_by), exam.signed_at, exam.signature_digest)
    error_mark = None
    if exam.entered_in_error_by is not None and exam.entered_in_error_at:
        error_mark = ErrorMark(
            person_ref(exam.entered_in_error_by),
            exam.entered_in_error_at,
            exam.entered_in_error_reason or "",
        )
    return ExamRecord(
        id=str(exam.uuid),
        version=exam.version,
        exam_date=exam.exam_date,
        status=exam.status,
        patient=patient_ref(exam.patient),
        clinician=person_ref(exam.clinician),
        created_at=exam.created_at,
        tender_points=tuple(
            RecordedTenderPoint(str(row.uuid), row.version, tender_point_input(row))
            for row in exam.tender_points
        ),
        trigger_points=tuple(
            RecordedTriggerPoint(str(row.uuid), row.version, trigger_point_input(row))
            for row in exam.trigger_points
        ),
        survey=survey_input(exam.survey),
        survey_version=exam.survey.version if exam.survey else 0,
        impression=impression_input(exam),
        signature=signature,
        entered_in_error=error_mark,
        addenda=tuple(
            AddendumRecord(str(a.uuid), person_ref(a.author), a.created_at, a.text)
            for a in exam.addenda
        ),
    )


def scores_of(exam: Exam, findings: ExamFindings | None = None) -> ExamScores:
    """The exam's scores: as frozen at signing for a signed exam (what its signature covers),
    computed from its findings for a draft."""
    frozen = (exam.signed_document or {}).get("scores")
    if frozen:
        return scores_from_dict(frozen)
    return score_exam(findings if findings is not None else exam_findings(exam))
