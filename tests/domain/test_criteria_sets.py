"""The code sets scoring counts over, as the published criteria define them."""

from __future__ import annotations

from clinic.domain import criteria_sets, sites, wpi


def test_acr_site_codes_are_the_catalogues_18_sites_in_order() -> None:
    assert tuple(site.code for site in sites.ACR_SITES) == criteria_sets.ACR_SITE_CODES
    assert len(criteria_sets.ACR_SITE_CODES) == 18
    assert all(site.acr_1990 and not site.control for site in sites.ACR_SITES)


def test_no_control_point_is_an_acr_site() -> None:
    controls = {site.code for site in sites.CONTROL_SITES}
    assert controls == {"CTRL_FOREHEAD", "CTRL_THUMBNAIL", "CTRL_FOREARM", "CTRL_THIGH"}
    assert controls.isdisjoint(criteria_sets.ACR_SITE_CODES)


def test_acr_site_pairs_are_the_nine_published_pairs() -> None:
    assert (
        tuple((n, f"TP{n:02d}L", f"TP{n:02d}R") for n in range(1, 10))
        == criteria_sets.ACR_SITE_PAIRS
    )
    for number, left, right in criteria_sets.ACR_SITE_PAIRS:
        pair = sites.pair_of(left)
        assert pair is not None
        assert (pair[0].code, pair[1].code) == (left, right)
        assert sites.SITE_BY_CODE[left].pair == number


def test_wpi_area_codes_are_the_catalogues_19_areas_in_order() -> None:
    assert tuple(area.code for area in wpi.PAIN_AREAS) == criteria_sets.WPI_AREA_CODES
    assert len(criteria_sets.WPI_AREA_CODES) == 19


def test_generalized_pain_regions_are_the_five_published_regions() -> None:
    assert dict(criteria_sets.GENERALIZED_PAIN_REGIONS) == {
        "left_upper": {"shoulder_girdle_left", "upper_arm_left", "lower_arm_left"},
        "right_upper": {"shoulder_girdle_right", "upper_arm_right", "lower_arm_right"},
        "left_lower": {"hip_left", "upper_leg_left", "lower_leg_left"},
        "right_lower": {"hip_right", "upper_leg_right", "lower_leg_right"},
        "axial": {"neck", "upper_back", "lower_back"},
    }


def test_jaw_chest_and_abdomen_are_outside_every_region() -> None:
    assert {"jaw_left", "jaw_right", "chest", "abdomen"} == criteria_sets.AREAS_OUTSIDE_REGIONS
    outside = {area.code for area in wpi.PAIN_AREAS if not area.counts_for_generalized_pain}
    assert outside == criteria_sets.AREAS_OUTSIDE_REGIONS
