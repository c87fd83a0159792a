"""Tender point scores: ACR 1990 and MTPS tender point counts, FIS, ACR 1990 classification.

Rules from the clinical reference, sections 1 (ACR 1990) and 2 (MTPS). Only the 18 ACR sites
are ever counted; control points are recorded elsewhere and never enter a count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import lru_cache
from itertools import product

from clinic.domain.criteria_sets import ACR_SITE_CODES
from clinic.domain.findings import SurveyInput, TenderPointInput
from clinic.domain.scales import PAIN_RATING_MAX, PAIN_RATING_MIN
from clinic.domain.scoring_outcomes import (
    EN_DASH,
    Condition,
    CountScore,
    CriterionResult,
    at_least,
    check_scale,
    decide,
    duration_condition,
    duration_phrase,
    outcome_values,
    possible_values,
    span,
    summary_line,
    yes_no,
)

VERSION_ACR_1990 = "ACR 1990"
VERSION_MTPS = "MTPS 1997"
# PARTIAL (clinical reference section 2): the FIS definition was not visible in the primary text.
VERSION_FIS = "MTPS 1997, Fibromyalgia Intensity Score"
ACR_1990_TENDER_POINTS_NEEDED = 11
# MTPS: a site is positive at a rating of 2 or more; 0 and 1 are negative (Okifuji 1997).
MTPS_POSITIVE_RATING = 2
SITE_COUNT = len(ACR_SITE_CODES)


@dataclass(frozen=True)
class IntensityScore:
    """Fibromyalgia Intensity Score: mean rating over the 18 sites, or None while incomplete."""

    key: str
    version: str
    value: Decimal | None
    rated: int
    of: int
    missing: tuple[str, ...]
    text: str


def _rating(point: TenderPointInput | None, code: str) -> int | None:
    """Return the site's effective 0-10 rating, or None when it was not examined or not rated."""
    if point is None:
        return None
    field = f"tender_points.{code}.rating"
    check_scale(point.rating, field, PAIN_RATING_MIN, PAIN_RATING_MAX)
    return point.effective_rating


def _painful(point: TenderPointInput | None) -> bool | None:
    """Return ACR 1990 positivity: only a stated "painful" counts ("tender" alone is False)."""
    if point is None or not point.examined:
        return None
    # A rating does not stand in for the painful answer: the 1990 rule asks the patient that.
    return point.painful


def _count(
    key: str, version: str, flags: Mapping[str, bool | None], positive: str, unknown: str
) -> CountScore:
    """Build a site count from per-site positive flags, None meaning not known."""
    count = sum(1 for flag in flags.values() if flag)
    missing = tuple(code for code, flag in flags.items() if flag is None)
    maximum = count + len(missing)
    if missing:
        text = (
            f"incomplete: {count} of {SITE_COUNT} sites {positive}, {len(missing)} {unknown} "
            f"({span(count, maximum)} possible)"
        )
        return CountScore(key, version, None, count, maximum, SITE_COUNT, missing, text)
    text = f"{count} of {SITE_COUNT} sites {positive} ({version})"
    return CountScore(key, version, count, count, count, SITE_COUNT, (), text)


def tender_point_count_acr1990(tender_points: Mapping[str, TenderPointInput]) -> CountScore:
    """Count the ACR sites the patient called painful (0-18); controls never count."""
    flags = {code: _painful(tender_points.get(code)) for code in ACR_SITE_CODES}
    return _count("tpc_acr1990", VERSION_ACR_1990, flags, "painful", "not examined or not recorded")


def tender_point_count_mtps(tender_points: Mapping[str, TenderPointInput]) -> CountScore:
    """Count the ACR sites rated 2 or more on the MTPS 0-10 scale (0-18); controls never count."""
    flags: dict[str, bool | None] = {}
    for code in ACR_SITE_CODES:
        rating = _rating(tender_points.get(code), code)
        flags[code] = None if rating is None else rating >= MTPS_POSITIVE_RATING
    return _count(
        "tpc_mtps", VERSION_MTPS, flags, f"rated {MTPS_POSITIVE_RATING} or more", "not rated"
    )


def fibromyalgia_intensity_score(tender_points: Mapping[str, TenderPointInput]) -> IntensityScore:
    """Return the FIS: mean 0-10 rating over the 18 ACR sites to 1 decimal; None if any missing."""
    # PARTIAL (clinical reference section 2): "mean of the 0-10 ratings over the 18 sites" comes
    # from a secondary source; the primary text was not seen. Policy: no FIS unless all 18 sites
    # are rated, because a mean over fewer sites is a different number, not an estimate of it.
    ratings = {code: _rating(tender_points.get(code), code) for code in ACR_SITE_CODES}
    known = [rating for rating in ratings.values() if rating is not None]
    missing = tuple(code for code, rating in ratings.items() if rating is None)
    if missing:
        text = f"incomplete: {len(known)} of {SITE_COUNT} sites rated"
        return IntensityScore("fis", VERSION_FIS, None, len(known), SITE_COUNT, missing, text)
    # A fixed context keeps the frozen result identical whatever context the caller has set; a sum
    # over 18 never has an exact tie at the second decimal, so 28 digits round exactly.
    with localcontext(Context(prec=28)):
        mean = (Decimal(sum(known)) / SITE_COUNT).quantize(Decimal("0.1"), ROUND_HALF_UP)
    text = f"FIS {mean} (mean 0{EN_DASH}10 rating over the {SITE_COUNT} sites)"
    return IntensityScore("fis", VERSION_FIS, mean, SITE_COUNT, SITE_COUNT, (), text)


def _widespread_pain(survey: SurveyInput) -> Condition:
    """Return ACR 1990 widespread pain: left, right, above and below the waist, and axial."""
    return _widespread_pain_of(
        survey.pain_left_side,
        survey.pain_right_side,
        survey.pain_above_waist,
        survey.pain_below_waist,
        survey.pain_axial,
    )


@lru_cache(maxsize=256)  # a pure function of five yes/no/unknown answers: 243 combinations
def _widespread_pain_of(
    left: bool | None,
    right: bool | None,
    above: bool | None,
    below: bool | None,
    axial: bool | None,
) -> Condition:
    parts = (
        ("left side", left),
        ("right side", right),
        ("above the waist", above),
        ("below the waist", below),
        ("axial", axial),
    )
    outcome = decide(all(values) for values in product(*(possible_values(a) for _, a in parts)))
    answers = ", ".join(f"{name} {yes_no(answer)}" for name, answer in parts)
    return Condition("widespread_pain", f"widespread pain (all five needed): {answers}", outcome)


def acr_1990(
    survey: SurveyInput,
    tender_points: Mapping[str, TenderPointInput],
    count: CountScore | None = None,
) -> CriterionResult:
    """Apply the ACR 1990 criteria: a research classification, not a diagnosis of fibromyalgia.
    `count`: the ACR 1990 tender point count, if already worked out."""
    if count is None:
        count = tender_point_count_acr1990(tender_points)
    widespread = _widespread_pain(survey)
    duration = duration_condition(survey.pain_duration_months)
    painful = f"{span(count.minimum, count.maximum)} of {SITE_COUNT} sites painful"
    if count.value is None:
        painful += f" ({len(count.missing)} not examined or not recorded)"
    tender = Condition(
        "tender_points",
        f"{painful} (≥ {ACR_1990_TENDER_POINTS_NEEDED} needed)",
        at_least(count, ACR_1990_TENDER_POINTS_NEEDED),
    )
    conditions = (widespread, duration, tender)
    # The three conditions read disjoint inputs, so combining their outcomes is exact.
    outcome = decide(all(v) for v in product(*(outcome_values(c.outcome) for c in conditions)))
    parts = (
        f"{span(count.minimum, count.maximum)} of {SITE_COUNT} sites painful",
        f"widespread pain: {widespread.outcome.answer}",
        duration_phrase(duration),
    )
    summary = summary_line(parts, VERSION_ACR_1990, outcome)
    return CriterionResult("acr_1990", VERSION_ACR_1990, outcome, conditions, summary)
