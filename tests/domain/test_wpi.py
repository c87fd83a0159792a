"""The 19 Widespread Pain Index areas and the 2016 generalized-pain regions, as sections 3.1 and
3.5 of the clinical reference describe them."""

from __future__ import annotations

from clinic.domain.codes import LEFT, RIGHT
from clinic.domain.scales import Side
from clinic.domain.wpi import GENERALIZED_PAIN_REGIONS, PAIN_AREA_BY_CODE, PAIN_AREAS
from tests.domain.reference import codes_of, key_values, table

# Section 3.1 of the clinical reference: one row per area, in checklist order.
AREAS = table("3.1", "#")

ORDER = [
    "jaw_left",
    "jaw_right",
    "shoulder_girdle_left",
    "shoulder_girdle_right",
    "upper_arm_left",
    "upper_arm_right",
    "lower_arm_left",
    "lower_arm_right",
    "hip_left",
    "hip_right",
    "upper_leg_left",
    "upper_leg_right",
    "lower_leg_left",
    "lower_leg_right",
    "neck",
    "upper_back",
    "lower_back",
    "chest",
    "abdomen",
]

# Section 3.5: the regions are made of the areas of 3.1 that count for generalized pain.
REGIONS_2016 = {
    "left_upper": {"shoulder_girdle_left", "upper_arm_left", "lower_arm_left"},
    "right_upper": {"shoulder_girdle_right", "upper_arm_right", "lower_arm_right"},
    "left_lower": {"hip_left", "upper_leg_left", "lower_leg_left"},
    "right_lower": {"hip_right", "upper_leg_right", "lower_leg_right"},
    "axial": {"neck", "upper_back", "lower_back"},
}


def test_the_reference_lists_the_areas_in_checklist_order() -> None:
    assert [int(row["#"]) for row in AREAS] == list(range(1, 20))
    assert [row["Area"] for row in AREAS] == ORDER
    assert len(AREAS) == int(key_values()["wpi.areas"])
    regions: dict[str, set[str]] = {}
    for row in AREAS:
        if row["Counts for generalized pain"] == "yes":
            regions.setdefault(row["2016 region"], set()).add(row["Area"])
    assert regions == REGIONS_2016
    assert len(regions) == int(key_values()["acr2016.regions"])


def test_each_area_is_what_the_reference_says() -> None:
    assert [a.code for a in PAIN_AREAS] == [row["Area"] for row in AREAS]
    for row, area in zip(AREAS, PAIN_AREAS, strict=True):
        assert area.label == row["Name"]
        assert area.region_2016 == row["2016 region"]
        assert area.counts_for_generalized_pain == (row["Counts for generalized pain"] == "yes")
        assert area.snomed is not None
        assert [area.snomed.code] == codes_of(row["SNOMED CT"]), area.code
        assert area.fallback_code == ("fallback" in row["SNOMED CT"]), area.code


# Section 3.1's suggested codes.
SNOMED_3_1 = {
    "jaw": "661005",
    "shoulder_girdle": "26444007",
    "upper_arm": "40983000",
    "lower_arm": "14975008",
    "hip": "29836001",
    "upper_leg": "68367000",
    "lower_leg": "30021000",
    "neck": "45048000",
    "upper_back": "77568009",
    "lower_back": "52612000",
}


def test_nineteen_areas_in_checklist_order() -> None:
    assert [a.code for a in PAIN_AREAS] == ORDER
    assert len(PAIN_AREA_BY_CODE) == 19


def test_jaw_chest_and_abdomen_do_not_count_for_generalized_pain() -> None:
    excluded = {a.code for a in PAIN_AREAS if not a.counts_for_generalized_pain}
    assert excluded == {"jaw_left", "jaw_right", "chest", "abdomen"}


def test_jaw_is_listed_in_the_upper_regions_without_counting() -> None:
    assert PAIN_AREA_BY_CODE["jaw_left"].region_2016 == "left_upper"
    assert PAIN_AREA_BY_CODE["jaw_right"].region_2016 == "right_upper"
    for code in ("jaw_left", "jaw_right"):
        assert not any(code in areas for areas in GENERALIZED_PAIN_REGIONS.values())


def test_generalized_pain_regions_are_those_of_section_3_5() -> None:
    assert {k: set(v) for k, v in GENERALIZED_PAIN_REGIONS.items()} == REGIONS_2016
    assert len(GENERALIZED_PAIN_REGIONS) == 5
    assert all(len(areas) == 3 for areas in GENERALIZED_PAIN_REGIONS.values())
    counted = {a.code for a in PAIN_AREAS if a.counts_for_generalized_pain}
    assert set().union(*GENERALIZED_PAIN_REGIONS.values()) == counted


def test_sides_and_laterality() -> None:
    for area in PAIN_AREAS:
        if area.code.endswith("_left"):
            assert (area.side, area.laterality) == (Side.LEFT, LEFT)
            assert area.label.endswith(", left")
        elif area.code.endswith("_right"):
            assert (area.side, area.laterality) == (Side.RIGHT, RIGHT)
            assert area.label.endswith(", right")
        else:
            assert (area.side, area.laterality, area.region_2016) == (Side.MIDLINE, None, "axial")
    assert PAIN_AREA_BY_CODE["hip_left"].label == "Hip (buttock, trochanter), left"


def test_codes_follow_section_3_1() -> None:
    for area in PAIN_AREAS:
        base = area.code.removesuffix("_left").removesuffix("_right")
        assert area.snomed is not None
        if base in SNOMED_3_1:
            assert area.snomed.code == SNOMED_3_1[base], area.code
    codes = {a.code: a.snomed.code for a in PAIN_AREAS if a.snomed is not None}
    assert codes["chest"] in {"816094009", "51185008"}
    assert codes["abdomen"] == "113345001"  # section 6.3b: "Abdomen (prefer this one)"


def test_upper_back_code_is_flagged_as_a_fallback() -> None:
    assert [a.code for a in PAIN_AREAS if a.fallback_code] == ["upper_back"]
