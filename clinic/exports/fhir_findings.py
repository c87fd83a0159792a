"""FHIR Observations of an exam's palpation findings, and the QuestionnaireResponse of its survey.

One Observation (`exam` category) per palpated site, `tender-point` or `control-point`, and per
trigger point: bodySite from the site and muscle catalogues, the 0-10 rating as the LOINC 72514-3
component, every sign, measure and referral zone its own component, and a trigger point's Delphi
2018 criteria and suggested classification beside them. A value not recorded is left out; a site
not examined has a dataAbsentReason. The survey's answers go by linkId; unasked questions are left
out. Part of clinic.exports.fhir, whose docstring lists every resource of the export.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Final

from clinic.domain import codes as domain_codes
from clinic.domain.body_areas import parse_zone, zone_label
from clinic.domain.findings import PressureReading, SurveyInput, TriggerPointInput
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.domain.record import RecordedTenderPoint, RecordedTriggerPoint
from clinic.domain.scales import Side, TautBand, TriggerPointClass, TwitchResponse
from clinic.domain.scoring import Outcome, TriggerPointScore, TriggerPointSummary
from clinic.domain.sites import ALL_SITES, SITE_BY_CODE
from clinic.domain.wpi import PAIN_AREAS
from clinic.exports.fhir_codes import (
    BODY_ZONE,
    EXAM_CODES,
    PAIN_SEVERITY,
    PALPATION,
    SURVEY_QUESTIONNAIRE,
    SURVEY_QUESTIONS,
    TENDERNESS_GRADE,
    TP_MUSCLE,
    TP_SITE,
    TRIGGER_POINT_CLASS,
    Json,
    absent,
    body_site,
    component,
    concept,
    exam_coding,
    exam_component,
    exam_concept,
    is_verified,
    local_code,
    local_coding,
    outcome_concept,
    standard_coding,
    standard_concept,
    ucum_quantity,
)
from clinic.exports.fhir_exam import ExamContext

_SITE_ORDER: Final = {site.code: index for index, site in enumerate(ALL_SITES)}
_LATERALITY: Final = {Side.LEFT: domain_codes.LEFT, Side.RIGHT: domain_codes.RIGHT}
_PALPATION: Final = standard_concept(PALPATION)


def in_site_order(tender_points: Iterable[RecordedTenderPoint]) -> list[RecordedTenderPoint]:
    """Sort tender points as the site catalogue lists them; unknown sites last, by code."""
    return sorted(
        tender_points,
        key=lambda tp: (
            _SITE_ORDER.get(tp.finding.site_code, len(_SITE_ORDER)),
            tp.finding.site_code,
        ),
    )


def _pressure(reading: PressureReading | None) -> list[Json]:
    if reading is None:
        return []
    value = ucum_quantity(reading.value, reading.unit.value, reading.unit.label)
    parts = [exam_component("ppt", valueQuantity=value)]
    if reading.probe_area_cm2 is not None:
        area = ucum_quantity(reading.probe_area_cm2, "cm2", "cm²")
        parts.append(exam_component("probe-area", valueQuantity=area))
    return parts


@cache
def _site(code: str) -> tuple[Json, Json]:
    """A palpated site's Observation code and bodySite."""
    site = SITE_BY_CODE.get(code)
    label = site.label if site else code
    kind = "control-point" if site and site.control else "tender-point"
    observed = concept(exam_coding(kind), text=f"{EXAM_CODES[kind]}: {label}")
    local = local_coding(TP_SITE, code, label)
    snomed, laterality = (site.snomed, site.laterality) if site else (None, None)
    return observed, body_site(local, snomed, laterality, label)


@lru_cache(maxsize=64)
def _rating(value: int) -> Json:
    """The 0-10 palpation rating as the LOINC 72514-3 component."""
    return {"code": standard_concept(PAIN_SEVERITY), "valueInteger": value}


def tender_point(exam: ExamContext, recorded: RecordedTenderPoint) -> Json:
    """The Observation of one palpated site: a tender point or a control point."""
    finding = recorded.finding
    code, site = _site(finding.site_code)
    # A finding's Observation has the finding's own id (as in the JSON and CSV exports).
    resource = exam.observation(recorded.id, "exam", code)
    resource["bodySite"] = site
    resource["method"] = _PALPATION
    if not finding.examined:
        reason = finding.not_examined_reason or "not examined"
        resource["dataAbsentReason"] = absent("not-performed", reason)
        return resource
    parts = _palpation(finding.painful, finding.rating)
    if finding.ppt is not None:
        parts = [*parts, *_pressure(finding.ppt)]
    if parts:
        resource["component"] = parts
    else:
        resource["dataAbsentReason"] = _NOTHING_RECORDED
    return resource


_NOTHING_RECORDED: Final = absent("unknown", "examined, nothing recorded")


@cache
def _palpation(painful: bool | None, rating: int | None) -> list[Json]:
    """A site's answer and rating as components (one list shared by every site answered so)."""
    parts = [*_flag("painful", painful)]
    if rating is not None:
        parts.append(_rating(rating))
    return parts


@cache
def _flag(code: str, value: bool | None) -> tuple[Json, ...]:
    return () if value is None else (exam_component(code, valueBoolean=value),)


@cache
def _signs(
    taut: TautBand | None,
    spot: bool | None,
    referred: bool | None,
    recognition: bool | None,
    twitch: TwitchResponse | None,
    jump: bool | None,
) -> tuple[Json, ...]:
    """A trigger point's signs, a component each; a sign not recorded is left out."""
    if taut is TautBand.NOT_ASSESSABLE:
        not_assessable = absent("unknown", "not assessable")
        parts = [exam_component("taut-band", dataAbsentReason=not_assessable)]
    else:
        parts = [*_flag("taut-band", None if taut is None else taut is TautBand.PRESENT)]
    parts += _flag("hypersensitive-spot", spot)
    parts += _flag("referred-pain", referred)
    parts += _flag("pain-recognition", recognition)
    if twitch is TwitchResponse.NOT_TESTED:
        not_tested = absent("not-performed", "not tested")
        parts.append(exam_component("local-twitch-response", dataAbsentReason=not_tested))
    else:
        parts += _flag(
            "local-twitch-response", None if twitch is None else twitch is TwitchResponse.YES
        )
    return (*parts, *_flag("jump-sign", jump))


@lru_cache(maxsize=4096)
def _zone(zone: str) -> Json:
    """A referral zone's component."""
    try:
        area, _ = parse_zone(zone)
    except ValueError:
        value = concept(local_coding(BODY_ZONE, zone), text=zone)
    else:
        label = zone_label(zone)
        codings = [local_coding(BODY_ZONE, zone, label)]
        if is_verified(area.snomed) and area.snomed is not None:
            codings.insert(0, standard_coding(area.snomed))
        value = concept(*codings, text=label)
    return exam_component("referral-zone", valueCodeableConcept=value)


@cache
def _class(value: str) -> Json:
    return concept(
        local_coding(TRIGGER_POINT_CLASS, local_code(value)), text=value.replace("_", " ")
    )


@cache
def _grade(grade: str) -> Json:
    value = concept(local_coding(TENDERNESS_GRADE, grade))
    return exam_component("tenderness-grade", valueCodeableConcept=value)


def _measures(finding: TriggerPointInput) -> list[Json]:
    parts = []
    if finding.rating is not None:
        parts.append(_rating(finding.rating))
    if finding.tenderness_grade is not None:
        parts.append(_grade(finding.tenderness_grade.value))
    for code, size in (
        ("nodule-length", finding.nodule_length_mm),
        ("nodule-width", finding.nodule_width_mm),
    ):
        if size is not None:
            parts.append(exam_component(code, valueQuantity=ucum_quantity(size, "mm")))
    return parts + _pressure(finding.ppt)


def _referral(finding: TriggerPointInput) -> list[Json]:
    parts = [_zone(zone) for zone in sorted(finding.referral_zones)]
    if finding.referral_description:
        description = finding.referral_description
        parts.append(exam_component("referral-description", valueString=description))
    return parts


def _criteria_parts(score: TriggerPointScore | None) -> tuple[Json, ...]:
    if score is None:
        return ()
    return _criteria_components(score.criteria.outcome, score.criteria.summary, score.suggested)


@lru_cache(maxsize=256)
def _criteria_components(
    outcome: Outcome, summary: str, suggested: TriggerPointClass | None
) -> tuple[Json, ...]:
    """The Delphi 2018 result and the classification it suggests."""
    delphi = component(
        exam_coding("delphi-2018"), text=summary, valueCodeableConcept=outcome_concept(outcome)
    )
    if suggested is None:
        return (delphi,)
    return delphi, exam_component(
        "suggested-classification", valueCodeableConcept=_class(suggested.value)
    )


@lru_cache(maxsize=4096)
def _muscle(code: str | None, other_name: str, side: Side, location: str) -> Json:
    """A trigger point's bodySite: its muscle, and the muscle, side and place in words."""
    muscle = MUSCLE_BY_CODE.get(code or "")
    name = muscle.label if muscle else other_name or "muscle not named"
    text = ", ".join(part for part in (name, side.value, location) if part)
    local = local_coding(TP_MUSCLE, muscle.code, muscle.label) if muscle else None
    snomed = muscle.snomed if muscle else None
    return body_site(local, snomed, _LATERALITY.get(side), text)


def _trigger_point(
    exam: ExamContext, recorded: RecordedTriggerPoint, score: TriggerPointScore | None
) -> Json:
    finding = recorded.finding
    site = _muscle(
        finding.muscle_code, finding.muscle_other_name, finding.side, finding.location_in_muscle
    )
    resource = exam.observation(recorded.id, "exam", exam_concept("trigger-point"))
    resource["bodySite"] = site
    resource["method"] = _PALPATION
    if finding.classification is not None:
        resource["valueCodeableConcept"] = _class(finding.classification.value)
    signs = _signs(
        finding.taut_band,
        finding.hypersensitive_spot,
        finding.referred_pain,
        finding.patient_recognition,
        finding.local_twitch_response,
        finding.jump_sign,
    )
    parts = [*_measures(finding), *signs, *_referral(finding), *_criteria_parts(score)]
    if parts:
        resource["component"] = parts
    if finding.notes:
        resource["note"] = [{"text": finding.notes}]
    return resource


def trigger_points(exam: ExamContext, summary: TriggerPointSummary) -> list[Json]:
    """The Observation of every trigger point, in the order recorded, with its criteria."""
    by_index = {score.index: score for score in summary.points}
    return [
        _trigger_point(exam, tp, by_index.get(index))
        for index, tp in enumerate(exam.record.trigger_points)
    ]


def _answer(value: bool | int) -> Json:
    # bool first: True is an int too.
    return {"valueBoolean": value} if isinstance(value, bool) else {"valueInteger": value}


def _survey_items(survey: SurveyInput) -> list[Json]:
    items = []
    for link_id, question in SURVEY_QUESTIONS.items():
        if link_id == "pain_areas":
            areas = [
                {"linkId": area.code, "text": area.label, "answer": [_answer(painful)]}
                for area in PAIN_AREAS
                if (painful := survey.pain_areas.get(area.code)) is not None
            ]
            if areas:
                items.append({"linkId": link_id, "text": question, "item": areas})
        elif (value := getattr(survey, link_id)) is not None:  # not asked: left out
            items.append({"linkId": link_id, "text": question, "answer": [_answer(value)]})
    return items


def questionnaire_response(exam: ExamContext) -> Json:
    """The QuestionnaireResponse of the exam's survey: the answers given, by linkId."""
    record = exam.record
    resource: Json = {
        "resourceType": "QuestionnaireResponse",
        "id": exam.id("survey"),
        "questionnaire": f"{SURVEY_QUESTIONNAIRE}|{record.survey_version}",
        "status": exam.status.questionnaire,
        "subject": exam.patient(),
        "encounter": exam.encounter(),
        "authored": record.exam_date.isoformat(),
        "author": exam.person(record.clinician),
        "source": exam.patient(),
    }
    if items := _survey_items(record.survey):
        resource["item"] = items
    return resource
