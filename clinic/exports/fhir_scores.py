"""FHIR Observations of an exam's scores and criteria, and the gathering of all its Observations.

One Observation (`survey` category) per score, criterion and trigger-point count, coded `tp-score`:
the criteria version in `code.text`, the app's scoring rules version in `method.text`, the
explanation in words in `note`, and `derivedFrom` the findings or the survey it was computed from.
A score that cannot be computed has a dataAbsentReason, never a zero. Part of clinic.exports.fhir,
whose docstring lists every resource of the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from clinic.domain.scoring import (
    Condition,
    CountScore,
    CriterionResult,
    ExamScores,
    IntensityScore,
    SeverityScore,
    TriggerPointSummary,
)
from clinic.domain.sites import SITE_BY_CODE
from clinic.exports.fhir_codes import (
    FS_CATEGORY,
    SCORE_NAMES,
    TP_SCORE,
    Json,
    absent,
    component,
    concept,
    exam_component,
    local_code,
    local_coding,
    outcome_concept,
    ucum_quantity,
)
from clinic.exports.fhir_exam import ExamContext
from clinic.exports.fhir_findings import in_site_order, tender_point, trigger_points


@lru_cache(maxsize=256)
def _code(key: str, version: str) -> Json:
    """A score's or criterion's code, its criteria version in the text."""
    name = SCORE_NAMES.get(key, key)
    return concept(local_coding(TP_SCORE, local_code(key), name), text=f"{name} ({version})")


@lru_cache(maxsize=16)
def _method(scoring_version: str) -> Json:
    return concept(text=f"Tender Point Clinic scoring rules, version {scoring_version}")


def _score(exam: ExamContext, key: str, version: str, text: str, derived: Sequence[Json]) -> Json:
    resource = exam.observation(exam.id(f"score/{key}"), "survey", _code(key, version))
    resource["method"] = _method(exam.scoring_version)
    if derived:
        resource["derivedFrom"] = list(derived)
    resource["note"] = [{"text": text}]
    return resource


def _count(exam: ExamContext, score: CountScore | SeverityScore, derived: Sequence[Json]) -> Json:
    resource = _score(exam, score.key, score.version, score.text, derived)
    parts = []
    if score.value is not None:
        resource["valueInteger"] = score.value
    else:
        resource["dataAbsentReason"] = absent("unknown", f"{len(score.missing)} inputs missing")
        possible = {"low": {"value": score.minimum}, "high": {"value": score.maximum}}
        parts.append(exam_component("possible-range", valueRange=possible))
    if isinstance(score, SeverityScore) and score.category is not None:
        category = score.category
        value = concept(local_coding(FS_CATEGORY, local_code(category.value), category.label))
        parts.append(exam_component("severity-category", valueCodeableConcept=value))
    if parts:
        resource["component"] = parts
    return resource


def _intensity(exam: ExamContext, score: IntensityScore, derived: Sequence[Json]) -> Json:
    resource = _score(exam, score.key, score.version, score.text, derived)
    if score.value is None:
        resource["dataAbsentReason"] = absent("unknown", f"{score.rated} of {score.of} sites rated")
    else:
        resource["valueQuantity"] = ucum_quantity(score.value, "{score}")
    return resource


def _criterion(exam: ExamContext, result: CriterionResult, derived: Sequence[Json]) -> Json:
    resource = _score(exam, result.key, result.version, result.summary, derived)
    resource["valueCodeableConcept"] = outcome_concept(result.outcome)
    resource["component"] = [_condition(result.key, condition) for condition in result.conditions]
    return resource


@lru_cache(maxsize=1024)
def _condition(key: str, condition: Condition) -> Json:
    """One condition of a criterion as a component: its outcome, and what it is in words."""
    return component(
        local_coding(TP_SCORE, local_code(f"{key}.{condition.key}")),
        text=condition.text,
        valueCodeableConcept=outcome_concept(condition.outcome),
    )


def _trigger_point_counts(
    exam: ExamContext, summary: TriggerPointSummary, derived: Sequence[Json]
) -> list[Json]:
    if not summary.points:
        return []  # no spot palpated: no counts, rather than zeros that read as findings
    resource = _score(exam, summary.key, summary.version, summary.text, derived)
    counts = {
        "active": summary.active,
        "latent": summary.latent,
        "not-trigger-point": summary.not_trigger_point,
        "unclassified": summary.unclassified,
    }
    resource["component"] = [exam_component(code, valueInteger=n) for code, n in counts.items()]
    return [resource]


@dataclass(frozen=True)
class Observations:
    """The exam's Observations by what they hold."""

    tender_points: list[Json]
    trigger_points: list[Json]
    scores: list[Json]
    criteria: list[Json]
    trigger_point_counts: list[Json]

    def all(self) -> list[Json]:
        return self.tender_points + self.trigger_points + self.scores + self.criteria


def _scores(
    exam: ExamContext, scores: ExamScores, acr: list[Json], survey: list[Json]
) -> list[Json]:
    return [
        _count(exam, scores.tender_point_count, acr),
        _count(exam, scores.mtps_tender_point_count, acr),
        _intensity(exam, scores.fibromyalgia_intensity, acr),
        _count(exam, scores.wpi, survey),
        _count(exam, scores.sss_2010, survey),
        _count(exam, scores.sss_2011, survey),
        _count(exam, scores.generalized_pain_regions, survey),
        _count(exam, scores.fibromyalgia_severity, survey),
    ]


def _criteria(exam: ExamContext, scores: ExamScores, survey: list[Json]) -> list[Json]:
    # ACR 1990 is derived from the tender point count's Observation, which _scores made.
    tender_point_count = exam.ref("Observation", f"score/{scores.tender_point_count.key}")
    return [
        _criterion(exam, scores.acr_1990, [tender_point_count, *survey]),
        _criterion(exam, scores.acr_2010, survey),
        _criterion(exam, scores.acr_2011, survey),
        _criterion(exam, scores.acr_2016, survey),
    ]


def exam_observations(exam: ExamContext, scores: ExamScores) -> Observations:
    """Every Observation of the exam: the findings, and the scores derived from them."""
    ordered = in_site_order(exam.record.tender_points)
    tender_points = [tender_point(exam, tp) for tp in ordered]
    acr = [
        exam.ref_of(resource)
        for tp, resource in zip(ordered, tender_points, strict=True)
        if (site := SITE_BY_CODE.get(tp.finding.site_code)) is not None and site.acr_1990
    ]
    spots = trigger_points(exam, scores.trigger_points)
    survey = [exam.ref("QuestionnaireResponse", "survey")]
    counts = _trigger_point_counts(
        exam, scores.trigger_points, [exam.ref_of(resource) for resource in spots]
    )
    score_resources = _scores(exam, scores, acr, survey)
    criteria = _criteria(exam, scores, survey)
    return Observations(tender_points, spots, score_resources + counts, criteria, counts)
