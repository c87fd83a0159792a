"""Survey scores: WPI, SSS (2010 and 2011/2016 versions), generalized pain regions, FS/PSD.

Rules from the clinical reference, sections 3.1, 3.2 and 3.4. Every count reports the range
still possible while answers are missing; every integer inside that range can occur, because each
unanswered item may independently take any value on its scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from clinic.domain.criteria_sets import (
    AREAS_OUTSIDE_REGIONS,
    GENERALIZED_PAIN_REGIONS,
    WPI_AREA_CODES,
)
from clinic.domain.findings import SurveyInput
from clinic.domain.scales import SYMPTOM_SEVERITY_ITEM_MAX
from clinic.domain.scoring_outcomes import CountScore, check_scale, span

VERSION_WPI = "ACR 2010/2011/2016"
VERSION_SSS_2010 = "ACR 2010 preliminary"
VERSION_SSS_2011 = "ACR 2011 modified / ACR 2016 revised"
VERSION_REGIONS = "ACR 2016 revised"
VERSION_FS = "ACR 2011/2016 FS (Wolfe 2015 categories)"
SSS_MAX = 12
FS_MAX = len(WPI_AREA_CODES) + SSS_MAX

# An item of a symptom scale: its survey field, its recorded value (None = not asked), its maximum.
SymptomItem = tuple[str, int | None, int]


class SeverityCategory(StrEnum):
    """Polysymptomatic distress category of an FS score (Wolfe 2015)."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    VERY_SEVERE = "very_severe"

    @property
    def label(self) -> str:
        """Return the category as it reads in a sentence."""
        return self.value.replace("_", " ")


# Inclusive FS bands from Wolfe 2015 [PSD-C]: none 0-3, mild 4-7, moderate 8-11, severe 12-19,
# very severe 20-31.
_FS_BANDS: tuple[tuple[int, int, SeverityCategory], ...] = (
    (0, 3, SeverityCategory.NONE),
    (4, 7, SeverityCategory.MILD),
    (8, 11, SeverityCategory.MODERATE),
    (12, 19, SeverityCategory.SEVERE),
    (20, FS_MAX, SeverityCategory.VERY_SEVERE),
)


@dataclass(frozen=True)
class SeverityScore:
    """Fibromyalgia Severity (FS = PSD = WPI + SSS, 0-31) with its Wolfe 2015 category."""

    key: str
    version: str
    value: int | None
    minimum: int
    maximum: int
    of: int
    missing: tuple[str, ...]
    # Given while incomplete only when every still-possible FS falls into the same category.
    category: SeverityCategory | None
    text: str


def severity_category(fs: int) -> SeverityCategory:
    """Return the Wolfe 2015 category of an FS score (0-31)."""
    for low, high, category in _FS_BANDS:
        if low <= fs <= high:
            return category
    raise ValueError(f"FS must be between 0 and {FS_MAX}, got {fs}")


def area_answers(survey: SurveyInput) -> dict[str, bool | None]:
    """Return each of the 19 WPI areas' answer, None when it was not asked."""
    return {code: survey.pain_areas.get(code) for code in WPI_AREA_CODES}


def widespread_pain_index(survey: SurveyInput) -> CountScore:
    """Count the WPI areas painful in the past week (0-19)."""
    return _wpi(area_answers(survey))


def _wpi(answers: Mapping[str, bool | None]) -> CountScore:
    count = sum(1 for answer in answers.values() if answer)
    missing = tuple(code for code, answer in answers.items() if answer is None)
    of = len(WPI_AREA_CODES)
    if missing:
        maximum = count + len(missing)
        text = (
            f"incomplete: {count} of {of} areas painful, {len(missing)} not answered "
            f"(WPI {span(count, maximum)} possible)"
        )
        return CountScore("wpi", VERSION_WPI, None, count, maximum, of, missing, text)
    text = f"WPI {count} of {of} (areas painful in the past week)"
    return CountScore("wpi", VERSION_WPI, count, count, count, of, (), text)


def _symptom_score(key: str, version: str, items: Sequence[SymptomItem]) -> CountScore:
    """Add up symptom items into an SSS, with its range while items are unanswered."""
    for name, value, item_max in items:
        check_scale(value, f"survey.{name}", 0, item_max)
    minimum = sum(value or 0 for _, value, _ in items)
    maximum = sum(item_max if value is None else value for _, value, item_max in items)
    missing = tuple(name for name, value, _ in items if value is None)
    if missing:
        unanswered = ", ".join(name.replace("_", " ") for name in missing)
        text = f"incomplete: SSS {span(minimum, maximum)} possible; not answered: {unanswered}"
        return CountScore(key, version, None, minimum, maximum, SSS_MAX, missing, text)
    details = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value, _ in items)
    text = f"SSS {minimum} of {SSS_MAX} ({details})"
    return CountScore(key, version, minimum, minimum, maximum, SSS_MAX, (), text)


def _part_a(survey: SurveyInput) -> list[SymptomItem]:
    """Return SSS part A: fatigue, waking unrefreshed, cognitive symptoms, 0-3 each."""
    top = SYMPTOM_SEVERITY_ITEM_MAX
    return [
        ("fatigue", survey.fatigue, top),
        ("waking_unrefreshed", survey.waking_unrefreshed, top),
        ("cognitive_symptoms", survey.cognitive_symptoms, top),
    ]


def symptom_severity_2010(survey: SurveyInput) -> CountScore:
    """Return the ACR 2010 clinician SSS: part A plus the somatic-symptom estimate (0-12)."""
    # The 0-3 somatic anchors (none, few, moderate number, great deal) are PARTIAL in the domain
    # reference (section 3.2, low-authority source); only the 0-3 number is scored here.
    somatic = ("somatic_symptoms", survey.somatic_symptoms, SYMPTOM_SEVERITY_ITEM_MAX)
    return _symptom_score("sss_2010", VERSION_SSS_2010, [*_part_a(survey), somatic])


def _flag(answer: bool | None) -> int | None:
    """Return a yes/no symptom as 1/0, None when not asked."""
    return None if answer is None else int(answer)


def symptom_severity_2011(survey: SurveyInput) -> CountScore:
    """Return the ACR 2011/2016 SSS: part A + headaches, lower abdominal pain, depression (0-12)."""
    part_b = [
        ("headaches", _flag(survey.headaches), 1),
        ("lower_abdominal_pain", _flag(survey.lower_abdominal_pain), 1),
        ("depression", _flag(survey.depression), 1),
    ]
    return _symptom_score("sss_2011", VERSION_SSS_2011, [*_part_a(survey), *part_b])


def _region_states(answers: Mapping[str, bool | None]) -> dict[str, tuple[int, int]]:
    """Return per region (painful areas, unanswered areas)."""
    return {
        region: (
            sum(1 for code in areas if answers[code]),
            sum(1 for code in areas if answers[code] is None),
        )
        for region, areas in GENERALIZED_PAIN_REGIONS.items()
    }


def generalized_pain_regions(survey: SurveyInput) -> CountScore:
    """Count the ACR 2016 regions with pain (0-5); jaw, chest and abdomen never count."""
    return _regions(area_answers(survey))


def _regions(answers: Mapping[str, bool | None]) -> CountScore:
    states = _region_states(answers)
    painful = [region for region, (known, _) in states.items() if known]
    count = len(painful)
    maximum = sum(1 for known, unknown in states.values() if known or unknown)
    # Only unanswered areas of regions not yet painful can still change this count.
    open_areas = {
        code
        for region, areas in GENERALIZED_PAIN_REGIONS.items()
        if not states[region][0]
        for code in areas
    }
    missing = tuple(code for code in WPI_AREA_CODES if code in open_areas and answers[code] is None)
    of = len(GENERALIZED_PAIN_REGIONS)
    names = ", ".join(region.replace("_", " ") for region in painful) or "none"
    if missing:
        text = (
            f"incomplete: {span(count, maximum)} of {of} regions possible "
            f"(painful so far: {names}; jaw, chest and abdomen do not count)"
        )
        return CountScore("regions_2016", VERSION_REGIONS, None, count, maximum, of, missing, text)
    text = f"pain in {count} of {of} regions ({names}; jaw, chest and abdomen do not count)"
    return CountScore("regions_2016", VERSION_REGIONS, count, count, count, of, (), text)


def area_completions(
    survey: SurveyInput, counts: SurveyCounts | None = None
) -> frozenset[tuple[int, int]]:
    """Return every (WPI, painful regions) pair that some answer to the unanswered areas gives."""
    answers = counts.answers if counts is not None else area_answers(survey)
    outside_known = sum(1 for code in AREAS_OUTSIDE_REGIONS if answers[code])
    outside_unknown = sum(1 for code in AREAS_OUTSIDE_REGIONS if answers[code] is None)
    states = tuple(_region_states(answers).values())
    return _completions(states, outside_known, outside_unknown)


@lru_cache(maxsize=1024)  # a pure function of a few small counts, met again and again
def _completions(
    states: tuple[tuple[int, int], ...], outside_known: int, outside_unknown: int
) -> frozenset[tuple[int, int]]:
    # WPI and the region count depend on the same unanswered areas, so their ranges cannot be
    # combined independently. Within a region only how many unanswered areas are painful matters
    # (0..n), which keeps the enumeration to a few hundred pairs at most.
    pairs: set[tuple[int, int]] = {(0, 0)}
    for known, unknown in states:
        options = {(known + j, int(known + j > 0)) for j in range(unknown + 1)}
        pairs = {(w + dw, r + dr) for w, r in pairs for dw, dr in options}
    return frozenset(
        (w + outside_known + j, r) for w, r in pairs for j in range(outside_unknown + 1)
    )


@dataclass(frozen=True)
class SurveyCounts:
    """The survey's counts that FS and the criteria are decided on, worked out once per exam
    (each criterion would otherwise count the same answers again)."""

    answers: Mapping[str, bool | None]  # each WPI area's answer, None when not asked
    wpi: CountScore
    sss_2010: CountScore
    sss_2011: CountScore
    regions: CountScore


def survey_counts(survey: SurveyInput) -> SurveyCounts:
    """Return the WPI, both SSS versions and the painful regions of one survey."""
    answers = area_answers(survey)
    return SurveyCounts(
        answers,
        _wpi(answers),
        symptom_severity_2010(survey),
        symptom_severity_2011(survey),
        _regions(answers),
    )


def fibromyalgia_severity(survey: SurveyInput, counts: SurveyCounts | None = None) -> SeverityScore:
    """Return FS (= PSD) = WPI + SSS (2011/2016 part B), 0-31, with its Wolfe 2015 category.
    `counts`: the survey's counts if already worked out."""
    counts = counts if counts is not None else survey_counts(survey)
    wpi, sss = counts.wpi, counts.sss_2011
    minimum, maximum = wpi.minimum + sss.minimum, wpi.maximum + sss.maximum
    low, high = severity_category(minimum), severity_category(maximum)
    # Bands are contiguous and ordered, so equal end categories mean the whole range shares one.
    category = low if low is high else None
    missing = wpi.missing + sss.missing
    if missing:
        verdict = f"{category.label} either way" if category else "category not known yet"
        text = f"incomplete: FS {span(minimum, maximum)} possible; {verdict}"
        return SeverityScore(
            "fs", VERSION_FS, None, minimum, maximum, FS_MAX, missing, category, text
        )
    text = f"FS {minimum} of {FS_MAX}: {low.label} (WPI {wpi.value} + SSS {sss.value})"
    return SeverityScore("fs", VERSION_FS, minimum, minimum, maximum, FS_MAX, (), low, text)
