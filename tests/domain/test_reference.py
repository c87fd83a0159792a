"""The clinical reference is the project's own and complete: every number the scoring and the
validation use is the reference's, its tables are well formed, every source it cites is listed,
and nothing in the repository reads a reference from outside it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from clinic.domain import scoring_pressure, scoring_survey_criteria, scoring_tender_points
from clinic.domain.comparison import SDD_HIGH, SDD_LOW
from clinic.domain.criteria_sets import ACR_SITE_CODES, GENERALIZED_PAIN_REGIONS, WPI_AREA_CODES
from clinic.domain.scales import (
    NODULE_SIZE_MAX_MM,
    NODULE_SIZE_MIN_MM,
    NODULE_SIZE_STEP_MM,
    PAIN_RATING_MAX,
    PAIN_RATING_MIN,
    SYMPTOM_SEVERITY_ITEM_MAX,
    PressureUnit,
    TendernessGrade,
)
from clinic.domain.scoring import SeverityCategory, meets_severity, severity_category
from clinic.domain.scoring_outcomes import MINIMUM_DURATION_MONTHS
from clinic.domain.scoring_survey import FS_MAX, SSS_MAX
from clinic.domain.scoring_trigger_points import SIGNS_NEEDED
from clinic.domain.validation import (
    MAX_PAIN_DURATION_MONTHS,
    PPT_DECIMAL_PLACES,
    PPT_MAX,
    PROBE_AREA_MAX_CM2,
)
from tests.domain.reference import (
    REPOSITORY,
    STATUSES,
    cited_source_keys,
    key_values,
    reference_text,
    source_keys,
    status_of,
    tables,
    value_range,
)


def number(key: str) -> Decimal:
    """A key's value as a number."""
    return Decimal(key_values()[key])


def test_the_tender_point_numbers_are_the_references() -> None:
    assert len(ACR_SITE_CODES) == number("acr1990.sites")
    assert (
        number("acr1990.tender_points_needed")
        == scoring_tender_points.ACR_1990_TENDER_POINTS_NEEDED
    )
    assert number("mtps.positive_rating") == scoring_tender_points.MTPS_POSITIVE_RATING
    assert (number("rating.min"), number("rating.max")) == (PAIN_RATING_MIN, PAIN_RATING_MAX)
    assert number("fis.sites") == scoring_tender_points.SITE_COUNT
    assert number("criteria.duration_months") == MINIMUM_DURATION_MONTHS
    assert (number("tpc.sdd_low"), number("tpc.sdd_high")) == (SDD_LOW, SDD_HIGH)


def test_the_survey_numbers_are_the_references() -> None:
    assert len(WPI_AREA_CODES) == number("wpi.areas")
    assert number("sss.item_max") == SYMPTOM_SEVERITY_ITEM_MAX
    assert number("sss.max") == SSS_MAX
    assert number("fs.max") == FS_MAX
    assert len(GENERALIZED_PAIN_REGIONS) == number("acr2016.regions")
    assert number("acr2016.regions_needed") == scoring_survey_criteria.REGIONS_NEEDED_2016
    assert number("acr2010.moderate_wpi_from") == scoring_survey_criteria.MODERATE_WPI_FROM_2010
    assert number("acr2016.moderate_wpi_from") == scoring_survey_criteria.MODERATE_WPI_FROM_2016


@pytest.mark.parametrize("moderate_key", ["acr2010.moderate_wpi_from", "acr2016.moderate_wpi_from"])
def test_the_severity_arms_are_the_references(moderate_key: str) -> None:
    high = int(number("severity.high_wpi"))
    with_high = int(number("severity.sss_with_high_wpi"))
    with_moderate = int(number("severity.sss_with_moderate_wpi"))
    moderate = int(number(moderate_key))
    assert meets_severity(high, with_high, moderate)
    assert not meets_severity(high, with_high - 1, moderate)
    assert meets_severity(moderate, with_moderate, moderate)
    assert meets_severity(high - 1, with_moderate, moderate)
    assert not meets_severity(moderate - 1, 12, moderate)
    assert not meets_severity(moderate, with_moderate - 1, moderate)
    assert not meets_severity(high - 1, with_high, moderate)


def test_the_fs_categories_are_the_references() -> None:
    covered = []
    for category in SeverityCategory:
        low, high = value_range(f"fs.{category.value}")
        assert severity_category(low) is category
        assert severity_category(high) is category
        covered += range(low, high + 1)
    assert covered == list(range(FS_MAX + 1))


def test_the_trigger_point_numbers_are_the_references() -> None:
    assert number("delphi2018.signs_needed") == SIGNS_NEEDED
    assert key_values()["tenderness.grades"].split(", ") == [g.value for g in TendernessGrade]


def test_the_conversions_are_the_references() -> None:
    assert number("ppt.kpa_per_kgf_per_cm2") == scoring_pressure.KPA_PER_KGF_PER_CM2
    assert number("ppt.kpa_per_n_per_cm2") == scoring_pressure.KPA_PER_N_PER_CM2


def test_the_product_limits_are_the_references() -> None:
    assert number("nodule.min_mm") == NODULE_SIZE_MIN_MM
    assert number("nodule.max_mm") == NODULE_SIZE_MAX_MM
    assert number("nodule.step_mm") == NODULE_SIZE_STEP_MM
    assert {unit.value: limit for unit, limit in PPT_MAX.items()} == {
        unit.value: number(f"ppt.max.{unit.value}") for unit in PressureUnit
    }
    assert number("ppt.probe_area_max_cm2") == PROBE_AREA_MAX_CM2
    assert number("ppt.decimal_places") == PPT_DECIMAL_PLACES
    assert number("survey.max_pain_duration_months") == MAX_PAIN_DURATION_MONTHS


def _section(number: str) -> str:
    match = re.search(rf"^## {re.escape(number)}\. .*?(?=^## |\Z)", reference_text(), re.M | re.S)
    assert match is not None, number
    return match.group(0)


def test_the_product_rules_are_stated_as_the_products_own() -> None:
    rules = " ".join(_section("7").split())
    assert "## 7. Product rules" in rules
    assert "not published" in rules
    assert (
        'A tender point answered "painful: yes" with a rating of 0 is a contradiction and is '
        "refused** (ACR 1990 would count it positive, MTPS negative)" in rules
    )


def test_every_status_is_one_of_the_four() -> None:
    for found in tables():
        for column in ("Status", "Site status"):
            if column in found.header:
                for row in found.rows:
                    assert status_of(row[column]) in STATUSES


def test_every_cited_source_is_listed_and_every_listed_source_is_cited() -> None:
    assert cited_source_keys() == set(source_keys())
    assert len(source_keys()) > 50


def test_the_leftovers_of_the_sources_are_not_carried() -> None:
    text = reference_text()
    # Patient-reported instruments and treatment are later work: nothing uses them yet.
    for later in ("FIQR", "PGIC", "CPT 20552", "CHOIR"):
        assert later not in text


# Built, not written, so that this file does not match itself.
_OUTSIDE = ("../sh" + "ared", "sh" + "ared/dom" + "ain.md", "dom" + "ain.md", '"sh' + 'ared"')
_SCANNED = ("clinic", "tests", "bench", "docs", "migrations", ".ci", "Makefile", "README.md")


def test_nothing_in_the_repository_reads_a_reference_from_outside_it() -> None:
    files = [REPOSITORY / name for name in _SCANNED if (REPOSITORY / name).is_file()]
    for folder in (REPOSITORY / name for name in _SCANNED if (REPOSITORY / name).is_dir()):
        files += [path for path in folder.rglob("*") if path.is_file()]
    files += [REPOSITORY / "pyproject.toml"]
    assert len(files) > 100
    found = [
        (str(path.relative_to(REPOSITORY)), pattern)
        for path in files
        if "__pycache__" not in path.parts
        for pattern in _OUTSIDE
        if pattern.encode() in path.read_bytes()
    ]
    assert found == []
