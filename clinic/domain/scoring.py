"""Every published score of one exam, computed purely from its findings.

The rules live in the scoring_* modules (one per family of scores); this module gathers them into
`ExamScores`, and `scores_as_dict` turns them into the plain JSON values frozen into the signed exam
document. Each result carries its criteria version and its explanation in words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache
from types import UnionType
from typing import Any, Final, TypeAlias, Union, get_args, get_origin, get_type_hints

from clinic.domain.document import decimal_text
from clinic.domain.findings import ExamFindings, TenderPointInput, TriggerPointInput
from clinic.domain.scoring_outcomes import Condition, CountScore, CriterionResult, Outcome, decide
from clinic.domain.scoring_pressure import (
    PressureDifference,
    PressureThreshold,
    kpa_to_kgf_per_cm2,
    pressure_differences,
    pressure_in_kpa,
    pressure_thresholds,
)
from clinic.domain.scoring_survey import (
    SeverityCategory,
    SeverityScore,
    fibromyalgia_severity,
    generalized_pain_regions,
    severity_category,
    survey_counts,
    symptom_severity_2010,
    symptom_severity_2011,
    widespread_pain_index,
)
from clinic.domain.scoring_survey_criteria import acr_2010, acr_2011, acr_2016, meets_severity
from clinic.domain.scoring_tender_points import (
    IntensityScore,
    acr_1990,
    fibromyalgia_intensity_score,
    tender_point_count_acr1990,
    tender_point_count_mtps,
)
from clinic.domain.scoring_trigger_points import (
    TriggerPointScore,
    TriggerPointSummary,
    delphi_2018,
    score_trigger_points,
    suggest_classification,
)

# Bump whenever any score's implementation changes: it is stored with every frozen result, so a
# signed exam always says which rules produced its scores.
SCORING_VERSION = "1"

JsonValue: TypeAlias = str | int | bool | list["JsonValue"] | dict[str, "JsonValue"] | None

__all__ = [
    "SCORING_VERSION",
    "Condition",
    "CountScore",
    "CriterionResult",
    "ExamScores",
    "IntensityScore",
    "JsonValue",
    "Outcome",
    "PressureDifference",
    "PressureThreshold",
    "SeverityCategory",
    "SeverityScore",
    "TriggerPointScore",
    "TriggerPointSummary",
    "acr_1990",
    "acr_2010",
    "acr_2011",
    "acr_2016",
    "decide",
    "delphi_2018",
    "fibromyalgia_intensity_score",
    "fibromyalgia_severity",
    "generalized_pain_regions",
    "kpa_to_kgf_per_cm2",
    "meets_severity",
    "pressure_differences",
    "pressure_in_kpa",
    "pressure_thresholds",
    "score_exam",
    "score_trigger_points",
    "scores_as_dict",
    "severity_category",
    "suggest_classification",
    "symptom_severity_2010",
    "symptom_severity_2011",
    "tender_point_count_acr1990",
    "tender_point_count_mtps",
    "widespread_pain_index",
]


@dataclass(frozen=True)
class ExamScores:
    """Every score of one exam, with the scoring version that produced them."""

    scoring_version: str
    tender_point_count: CountScore
    mtps_tender_point_count: CountScore
    fibromyalgia_intensity: IntensityScore
    acr_1990: CriterionResult
    wpi: CountScore
    sss_2010: CountScore
    sss_2011: CountScore
    generalized_pain_regions: CountScore
    fibromyalgia_severity: SeverityScore
    acr_2010: CriterionResult
    acr_2011: CriterionResult
    acr_2016: CriterionResult
    trigger_points: TriggerPointSummary
    pressure_thresholds: tuple[PressureThreshold, ...]
    pressure_differences: tuple[PressureDifference, ...]


def score_exam(findings: ExamFindings) -> ExamScores:
    """Compute every score of an exam from its findings."""
    tender_points, survey = findings.tender_points, findings.survey
    # Counts the criteria are decided on, worked out once and handed to them.
    counts, tender_point_count = survey_counts(survey), tender_point_count_acr1990(tender_points)
    return ExamScores(
        scoring_version=SCORING_VERSION,
        tender_point_count=tender_point_count,
        mtps_tender_point_count=tender_point_count_mtps(tender_points),
        fibromyalgia_intensity=fibromyalgia_intensity_score(tender_points),
        acr_1990=acr_1990(survey, tender_points, tender_point_count),
        wpi=counts.wpi,
        sss_2010=counts.sss_2010,
        sss_2011=counts.sss_2011,
        generalized_pain_regions=counts.regions,
        fibromyalgia_severity=fibromyalgia_severity(survey, counts),
        acr_2010=acr_2010(survey, counts),
        acr_2011=acr_2011(survey, counts),
        acr_2016=acr_2016(survey, counts),
        trigger_points=score_trigger_points(findings.trigger_points),
        pressure_thresholds=pressure_thresholds(tender_points),
        pressure_differences=pressure_differences(tender_points),
    )


@dataclass(frozen=True)
class RunningScores:
    """The counts shown while findings are entered: from the palpation findings alone."""

    tender_point_count: CountScore
    mtps_tender_point_count: CountScore
    fibromyalgia_intensity: IntensityScore
    trigger_points: TriggerPointSummary


def score_running(
    tender_points: Mapping[str, TenderPointInput], trigger_points: Sequence[TriggerPointInput]
) -> RunningScores:
    """The running counts: the same functions, and so the same values, as `score_exam`'s."""
    return RunningScores(
        tender_point_count=tender_point_count_acr1990(tender_points),
        mtps_tender_point_count=tender_point_count_mtps(tender_points),
        fibromyalgia_intensity=fibromyalgia_intensity_score(tender_points),
        trigger_points=score_trigger_points(trigger_points),
    )


_PLAIN: Final = (str, int, bool, type(None))


def _json(value: object) -> JsonValue:
    """Return a scoring value as plain JSON: dataclasses in field order, enums by value."""
    convert = _CONVERTERS.get(type(value))
    if convert is None:
        convert = _CONVERTERS[type(value)] = _converter(type(value))
    return convert(value)


def _same(value: Any) -> JsonValue:
    return value  # type: ignore[no-any-return]


def _converter(kind: type) -> Callable[[Any], JsonValue]:
    """How every value of one type becomes JSON: decided once per type (a signed exam's scores
    hold some 500 values of a dozen types)."""
    if kind in _PLAIN:  # exactly: a str or int enum is written by its value below
        return _same
    if dataclasses.is_dataclass(kind):
        return _fields_converter(tuple(f.name for f in dataclasses.fields(kind)))
    if issubclass(kind, Enum):
        return lambda value: _json(value.value)
    if issubclass(kind, Decimal):
        return decimal_text
    if issubclass(kind, tuple | list):
        return _items
    if issubclass(kind, str | int | bool):
        return _same
    raise TypeError(f"cannot freeze {kind.__name__} into the exam document")


def _fields_converter(names: tuple[str, ...]) -> Callable[[Any], JsonValue]:
    def convert(value: Any) -> JsonValue:
        result: dict[str, JsonValue] = {}
        for name in names:
            item = getattr(value, name)
            result[name] = item if type(item) in _PLAIN else _json(item)  # most are plain
        return result

    return convert


def _items(value: Any) -> JsonValue:
    return [item if type(item) in _PLAIN else _json(item) for item in value]


_CONVERTERS: dict[type, Callable[[Any], JsonValue]] = {}


def scores_as_dict(scores: ExamScores) -> dict[str, JsonValue]:
    """Return the scores as plain JSON values in a stable key order, for the signed document."""
    result = _json(scores)
    assert isinstance(result, dict)  # a dataclass always becomes a dict
    return result


def scores_from_dict(frozen: Mapping[str, JsonValue]) -> ExamScores:
    """The scores a signed document froze (`scores_as_dict`), as the values scoring returns:
    what a signed exam prints and exports, whatever the scoring rules have become since."""
    result = _thaw(ExamScores, frozen)
    assert isinstance(result, ExamScores)
    return result


def _thaw(kind: Any, value: Any) -> Any:
    """The value of a type, read back from its frozen JSON (the inverse of `_json`)."""
    origin = get_origin(kind)
    if origin in (Union, UnionType):
        present = [arg for arg in get_args(kind) if arg is not type(None)]
        return None if value is None else _thaw(present[0], value)
    if origin is tuple:
        return tuple(_thaw(get_args(kind)[0], item) for item in value)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = _hints(kind)
        return kind(
            **{f.name: _thaw(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)}
        )
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if kind is Decimal:
        return Decimal(value)
    return value


@cache
def _hints(kind: type) -> dict[str, Any]:
    return get_type_hints(kind)
