"""ACR 2010 preliminary, ACR 2011 modified and ACR 2016 revised fibromyalgia criteria.

Rules from the clinical reference, section 3.3 (and pitfall 1 in section 8): 2010/2011
accept WPI 3-6 with SSS >= 9 and exclude pain another disorder explains; 2016 accepts WPI 4-6 with
SSS >= 9, adds generalized pain in >= 4 of 5 regions and has no exclusion. Outcomes are exact
over every completion of the unanswered items (see clinic.domain.scoring_outcomes).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

from clinic.domain.findings import SurveyInput
from clinic.domain.scoring_outcomes import (
    EN_DASH,
    Condition,
    CountScore,
    CriterionResult,
    Outcome,
    at_least,
    decide,
    duration_condition,
    duration_phrase,
    outcome_values,
    span,
    summary_line,
)
from clinic.domain.scoring_survey import SurveyCounts, area_completions, survey_counts

VERSION_2010 = "ACR 2010 preliminary"
VERSION_2011 = "ACR 2011 modified"
VERSION_2016 = "ACR 2016 revised"
# Lowest WPI of the "moderate WPI with high SSS" arm: 3 in 2010/2011, raised to 4 in 2016.
MODERATE_WPI_FROM_2010 = 3
MODERATE_WPI_FROM_2016 = 4
REGIONS_NEEDED_2016 = 4


def meets_severity(wpi: int, sss: int, moderate_from: int) -> bool:
    """Return (WPI >= 7 and SSS >= 5) or (moderate_from <= WPI <= 6 and SSS >= 9)."""
    return (wpi >= 7 and sss >= 5) or (moderate_from <= wpi <= 6 and sss >= 9)


def _severity(wpi: CountScore, sss: CountScore, moderate_from: int) -> Condition:
    """Return the WPI/SSS condition, decided over every (WPI, SSS) pair still possible."""
    # Judging the two arms separately (Kleene logic) would leave WPI 6-7 with SSS 9 undetermined,
    # although both WPI 6 and WPI 7 meet; so every pair is checked.
    outcome = _severity_outcome(wpi.minimum, wpi.maximum, sss.minimum, sss.maximum, moderate_from)
    text = (
        f"WPI {span(wpi.minimum, wpi.maximum)} and SSS {span(sss.minimum, sss.maximum)} "
        f"(needed: WPI ≥ 7 with SSS ≥ 5, or WPI {moderate_from}{EN_DASH}6 with SSS ≥ 9)"
    )
    return Condition("severity", text, outcome)


@lru_cache(maxsize=4096)  # a pure function of five small numbers, met again and again
def _severity_outcome(
    wpi_min: int, wpi_max: int, sss_min: int, sss_max: int, moderate_from: int
) -> Outcome:
    return decide(
        meets_severity(w, s, moderate_from)
        for w in range(wpi_min, wpi_max + 1)
        for s in range(sss_min, sss_max + 1)
    )


def _severity_phrase(wpi: CountScore, sss: CountScore) -> str:
    """Return WPI and SSS as a summary phrase."""
    return f"WPI {span(wpi.minimum, wpi.maximum)}, SSS {span(sss.minimum, sss.maximum)}"


def _no_other_disorder(survey: SurveyInput) -> Condition:
    """Return the 2010/2011 exclusion: no other disorder would otherwise explain the pain."""
    explains = survey.other_disorder_explains_pain
    if explains is None:
        text, outcome = (
            "whether another disorder explains the pain: not recorded",
            Outcome.UNDETERMINED,
        )
    elif explains:
        text, outcome = "another disorder explains the pain (excludes)", Outcome.NOT_MET
    else:
        text, outcome = "no other disorder explains the pain", Outcome.MET
    return Condition("no_other_disorder", text, outcome)


def _acr_2010_2011(
    key: str, version: str, wpi: CountScore, sss: CountScore, survey: SurveyInput
) -> CriterionResult:
    """Apply the 2010/2011 rule with the given SSS version."""
    severity = _severity(wpi, sss, MODERATE_WPI_FROM_2010)
    duration = duration_condition(survey.pain_duration_months)
    exclusion = _no_other_disorder(survey)
    conditions = (severity, duration, exclusion)
    # Severity, duration and exclusion read disjoint inputs, so combining their outcomes is exact.
    outcome = decide(all(v) for v in product(*(outcome_values(c.outcome) for c in conditions)))
    parts = (
        _severity_phrase(wpi, sss),
        duration_phrase(duration),
        f"explained by another disorder: {_explained(exclusion.outcome)}",
    )
    return CriterionResult(key, version, outcome, conditions, summary_line(parts, version, outcome))


def _explained(outcome: Outcome) -> str:
    """Return the exclusion condition's outcome as the answer to "explained by another disorder"."""
    return {Outcome.MET: "no", Outcome.NOT_MET: "yes", Outcome.UNDETERMINED: "unknown"}[outcome]


def acr_2010(survey: SurveyInput, counts: SurveyCounts | None = None) -> CriterionResult:
    """Apply the ACR 2010 preliminary diagnostic criteria (clinician SSS with somatic estimate).
    `counts`: the survey's counts if already worked out (likewise below)."""
    counts = counts if counts is not None else survey_counts(survey)
    return _acr_2010_2011("acr_2010", VERSION_2010, counts.wpi, counts.sss_2010, survey)


def acr_2011(survey: SurveyInput, counts: SurveyCounts | None = None) -> CriterionResult:
    """Apply the ACR 2011 modified criteria (self-report SSS with the three named symptoms)."""
    counts = counts if counts is not None else survey_counts(survey)
    return _acr_2010_2011("acr_2011", VERSION_2011, counts.wpi, counts.sss_2011, survey)


@lru_cache(maxsize=4096)  # a pure function of a few small numbers, met again and again
def _acr_2016_outcome(
    completions: frozenset[tuple[int, int]], sss_min: int, sss_max: int, duration: Outcome
) -> Outcome:
    return decide(
        meets_severity(w, s, MODERATE_WPI_FROM_2016) and r >= REGIONS_NEEDED_2016 and d
        for (w, r) in completions
        for s in range(sss_min, sss_max + 1)
        for d in outcome_values(duration)
    )


def acr_2016(survey: SurveyInput, counts: SurveyCounts | None = None) -> CriterionResult:
    """Apply the ACR 2016 revised criteria; another diagnosis does not exclude fibromyalgia."""
    counts = counts if counts is not None else survey_counts(survey)
    wpi, sss, regions = counts.wpi, counts.sss_2011, counts.regions
    severity = _severity(wpi, sss, MODERATE_WPI_FROM_2016)
    region_text = (
        f"generalized pain in {span(regions.minimum, regions.maximum)} of {regions.of} regions "
        f"(≥ {REGIONS_NEEDED_2016} needed; jaw, chest and abdomen do not count)"
    )
    generalized = Condition("generalized_pain", region_text, at_least(regions, REGIONS_NEEDED_2016))
    duration = duration_condition(survey.pain_duration_months)
    # Severity and generalized pain share the unanswered areas, so they are decided together over
    # every (WPI, regions) pair those areas can produce, never by combining their own outcomes.
    outcome = _acr_2016_outcome(
        area_completions(survey, counts), sss.minimum, sss.maximum, duration.outcome
    )
    parts = (
        _severity_phrase(wpi, sss),
        f"{span(regions.minimum, regions.maximum)} of {regions.of} regions",
        duration_phrase(duration),
    )
    conditions = (severity, generalized, duration)
    return CriterionResult(
        "acr_2016", VERSION_2016, outcome, conditions, summary_line(parts, VERSION_2016, outcome)
    )
