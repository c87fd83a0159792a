"""Myofascial trigger points: the Delphi 2018 criteria and active/latent counts.

Rule from the clinical reference, section 4.2 (VERIFIED [DELPHI][ICS]): a spot is a trigger
point when at least 2 of 3 signs are present (taut band, hypersensitive spot, referred pain); active
versus latent follows whether the patient recognizes the elicited sensation as a familiar symptom.
The data-driven refinement that the hypersensitive spot must lie inside the taut band [CLUST] is not
recorded as its own field, so it is not checked here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product

from clinic.domain.findings import TriggerPointInput
from clinic.domain.scales import Side, TautBand, TriggerPointClass
from clinic.domain.scoring_outcomes import (
    Condition,
    CriterionResult,
    Outcome,
    decide,
    possible_values,
    summary_line,
)

VERSION_DELPHI = "Delphi 2018"
SIGNS_NEEDED = 2


@dataclass(frozen=True)
class TriggerPointScore:
    """One palpated spot: the Delphi 2018 result, the suggested and the confirmed classification."""

    index: int
    muscle_code: str | None
    side: Side
    criteria: CriterionResult
    suggested: TriggerPointClass | None
    confirmed: TriggerPointClass | None
    # The clinician's confirmed classification when given, else the suggestion (None: cannot say).
    classification: TriggerPointClass | None
    text: str


@dataclass(frozen=True)
class TriggerPointSummary:
    """Every palpated spot scored; counts of active, latent, non- and unclassified spots."""

    key: str
    version: str
    points: tuple[TriggerPointScore, ...]
    active: int
    latent: int
    not_trigger_point: int
    unclassified: int
    text: str


def _taut_band(value: TautBand | None) -> bool | None:
    """Return the taut band as present/absent; not assessable is unknown, not absent."""
    if value is TautBand.PRESENT:
        return True
    if value is TautBand.ABSENT:
        return False
    return None


def _sign(key: str, label: str, present: bool | None, unknown: str) -> Condition:
    """Return one Delphi sign as a condition: met when present, not met when absent."""
    if present is None:
        return Condition(key, f"{label}: {unknown}", Outcome.UNDETERMINED)
    if present:
        return Condition(key, f"{label}: present", Outcome.MET)
    return Condition(key, f"{label}: absent", Outcome.NOT_MET)


def delphi_2018(point: TriggerPointInput) -> CriterionResult:
    """Apply Delphi 2018: at least 2 of taut band, hypersensitive spot and referred pain."""
    return _delphi_2018(point.taut_band, point.hypersensitive_spot, point.referred_pain)


@cache  # three signs of a few values each: every export and page meets the same few dozen
def _delphi_2018(
    taut_band: TautBand | None, hypersensitive_spot: bool | None, referred_pain: bool | None
) -> CriterionResult:
    taut_unknown = "not assessable" if taut_band is TautBand.NOT_ASSESSABLE else "not recorded"
    signs = (
        ("taut_band", "taut band", _taut_band(taut_band), taut_unknown),
        ("hypersensitive_spot", "hypersensitive spot", hypersensitive_spot, "not recorded"),
        ("referred_pain", "referred pain", referred_pain, "not recorded"),
    )
    conditions = tuple(_sign(*sign) for sign in signs)
    outcome = decide(
        sum(values) >= SIGNS_NEEDED
        for values in product(*(possible_values(present) for _, _, present, _ in signs))
    )
    present = sum(1 for condition in conditions if condition.outcome is Outcome.MET)
    parts = (
        ", ".join(condition.text for condition in conditions),
        f"{present} of 3 signs present (≥ {SIGNS_NEEDED} needed)",
    )
    summary = summary_line(parts, VERSION_DELPHI, outcome)
    return CriterionResult("delphi_2018", VERSION_DELPHI, outcome, conditions, summary)


def suggest_classification(point: TriggerPointInput, criteria: Outcome) -> TriggerPointClass | None:
    """Return active, latent or not a trigger point from criteria and recognition, or None."""
    if criteria is Outcome.NOT_MET:
        return TriggerPointClass.NOT_TRIGGER_POINT
    if criteria is Outcome.UNDETERMINED or point.patient_recognition is None:
        return None
    return TriggerPointClass.ACTIVE if point.patient_recognition else TriggerPointClass.LATENT


def _class_words(value: TriggerPointClass) -> str:
    """Return a classification as it reads in a sentence."""
    return "not a trigger point" if value is TriggerPointClass.NOT_TRIGGER_POINT else value.value


def _reason(point: TriggerPointInput, criteria: Outcome) -> str:
    """Return why the criteria suggest what they suggest, in words."""
    if criteria is not Outcome.MET:
        return f"{VERSION_DELPHI} {criteria.words}"
    recognition = {
        True: "the patient recognizes the sensation",
        False: "the patient does not recognize the sensation",
        None: "patient recognition not recorded",
    }[point.patient_recognition]
    return f"{VERSION_DELPHI} met, {recognition}"


def score_trigger_point(index: int, point: TriggerPointInput) -> TriggerPointScore:
    """Score one palpated spot; the clinician's confirmed classification beats the suggestion."""
    criteria = delphi_2018(point)
    suggested = suggest_classification(point, criteria.outcome)
    confirmed = point.classification
    reason = _reason(point, criteria.outcome)
    if confirmed is not None:
        text = f"{_class_words(confirmed)} (confirmed by the clinician; {reason})"
    elif suggested is not None:
        text = f"{_class_words(suggested)} (suggested: {reason})"
    else:
        text = f"unclassified ({reason})"
    classification = confirmed if confirmed is not None else suggested
    return TriggerPointScore(
        index, point.muscle_code, point.side, criteria, suggested, confirmed, classification, text
    )


def score_trigger_points(points: Sequence[TriggerPointInput]) -> TriggerPointSummary:
    """Score every palpated spot and count active, latent and unclassified trigger points."""
    scores = tuple(score_trigger_point(index, point) for index, point in enumerate(points))
    classes = [score.classification for score in scores]
    active = classes.count(TriggerPointClass.ACTIVE)
    latent = classes.count(TriggerPointClass.LATENT)
    not_tp = classes.count(TriggerPointClass.NOT_TRIGGER_POINT)
    unclassified = classes.count(None)
    text = (
        f"{active} active, {latent} latent, {not_tp} not trigger points, {unclassified} "
        f"unclassified of {len(scores)} palpated spots ({VERSION_DELPHI})"
    )
    return TriggerPointSummary(
        "trigger_points", VERSION_DELPHI, scores, active, latent, not_tp, unclassified, text
    )
