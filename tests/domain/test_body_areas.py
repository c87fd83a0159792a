"""The body-area vocabulary referral zones are recorded in, as section 5.1 of the clinical
reference describes it."""

from __future__ import annotations

import re

import pytest

from clinic.domain.body_areas import (
    AREA_BY_CODE,
    BODY_AREAS,
    ZONE_CODES,
    parse_zone,
    zone_code,
    zone_label,
)
from clinic.domain.scales import Side
from tests.domain.reference import codes_of, table

# Section 5.1 of the clinical reference: every area, head to toe; section 5: the muscles' zones.
AREAS = table("5.1", "Area")
RECORDED_IN_SECTION_5 = {
    area.strip() for row in table("5", "Muscle") for area in row["Recorded areas"].split(",")
}

# Every zone the referral column of section 5 names, as this vocabulary spells it.
ZONES_IN_SECTION_5 = {
    "vertex",
    "occiput",
    "temple",
    "forehead",
    "orbit",
    "cheek",
    "upper_teeth",
    "lower_teeth",
    "tmj",
    "ear",
    "mastoid",
    "jaw",
    "throat",
    "posterolateral_neck",
    "neck_angle",
    "sternum",
    "anterior_chest",
    "lateral_chest",
    "shoulder_top",
    "anterior_shoulder",
    "posterior_shoulder",
    "deltoid",
    "lateral_arm",
    "medial_arm",
    "posterior_arm",
    "lateral_elbow",
    "radial_forearm",
    "ulnar_forearm",
    "hand",
    "ulnar_fingers",
    "wrist",
    "suprascapular",
    "scapula",
    "interscapular",
    "medial_scapular_border",
    "inferior_scapular_angle",
    "low_back",
    "sacroiliac",
    "sacrum",
    "coccyx",
    "buttock",
    "iliac_crest",
    "lower_abdomen",
    "groin",
    "greater_trochanter",
    "lateral_thigh",
    "posterior_thigh",
    "anterior_thigh",
    "patella",
    "medial_knee",
    "posterior_knee",
    "calf",
    "lateral_leg",
    "anterior_shin",
    "ankle",
    "heel",
    "instep",
    "toes",
}

MIDLINE = {"vertex", "throat", "sternum", "sacrum", "coccyx"}
UNCODED = {"ear", "groin", "sacroiliac", "coccyx", "wrist", "ankle", "heel", "instep", "toes"}


def test_vocabulary_covers_every_zone_of_section_5() -> None:
    assert set(AREA_BY_CODE) >= ZONES_IN_SECTION_5
    assert set(AREA_BY_CODE) >= RECORDED_IN_SECTION_5
    assert ZONES_IN_SECTION_5 >= RECORDED_IN_SECTION_5
    assert 45 <= len(BODY_AREAS) <= 60


def test_the_vocabulary_is_the_references_in_its_order() -> None:
    assert [a.code for a in BODY_AREAS] == [row["Area"] for row in AREAS]
    for row, area in zip(AREAS, BODY_AREAS, strict=True):
        assert area.label == row["Name"], area.code
        assert area.paired == (row["Paired"] == "yes"), area.code
        code = [] if area.snomed is None else [area.snomed.code]
        assert code == codes_of(row["SNOMED CT"]), area.code
        assert area.approximate == (row["Mapping"] == "approximate"), area.code
    assert {row["Area"] for row in AREAS if row["Paired"] == "no"} == MIDLINE
    assert {row["Area"] for row in AREAS if row["SNOMED CT"] == "none"} == UNCODED


def test_codes_are_unique_snake_case() -> None:
    codes = [a.code for a in BODY_AREAS]
    assert len(codes) == len(set(codes)) == len(AREA_BY_CODE)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", c) for c in codes)
    assert all(a.label and a.label[0].isupper() for a in BODY_AREAS)


def test_midline_areas_are_the_unpaired_ones() -> None:
    assert {a.code for a in BODY_AREAS if not a.paired} == MIDLINE
    # SCM clavicular head can refer to both sides of the forehead, so it has two.
    assert AREA_BY_CODE["forehead"].paired


def test_zone_codes_qualify_paired_areas_by_side() -> None:
    paired = [a for a in BODY_AREAS if a.paired]
    assert len(ZONE_CODES) == 2 * len(paired) + len(MIDLINE)
    for area in paired:
        assert {f"{area.code}_left", f"{area.code}_right"} <= ZONE_CODES
        assert area.code not in ZONE_CODES
    assert MIDLINE <= ZONE_CODES


def test_zone_code() -> None:
    assert zone_code("temple", Side.LEFT) == "temple_left"
    assert zone_code("temple", Side.RIGHT) == "temple_right"
    assert zone_code("sternum", Side.LEFT) == "sternum"
    assert zone_code("sternum", Side.MIDLINE) == "sternum"
    with pytest.raises(ValueError, match="left or right"):
        zone_code("temple", Side.MIDLINE)
    with pytest.raises(ValueError, match="unknown"):
        zone_code("elbow_pit", Side.LEFT)


def test_parse_zone_round_trips_every_zone() -> None:
    for zone in ZONE_CODES:
        area, side = parse_zone(zone)
        assert zone_code(area.code, side) == zone
    assert parse_zone("temple_left") == (AREA_BY_CODE["temple"], Side.LEFT)
    assert parse_zone("sacrum") == (AREA_BY_CODE["sacrum"], Side.MIDLINE)


@pytest.mark.parametrize("zone", ["temple", "sternum_left", "nose_left", "", "left", "_left"])
def test_parse_zone_rejects_codes_outside_the_vocabulary(zone: str) -> None:
    with pytest.raises(ValueError, match="unknown body zone"):
        parse_zone(zone)


def test_zone_label() -> None:
    assert zone_label("temple_left") == "Temple, left"
    assert zone_label("greater_trochanter_right") == "Greater trochanter, right"
    assert zone_label("sternum") == "Sternum"


def test_views_are_front_or_back() -> None:
    for area in BODY_AREAS:
        assert area.views
        assert set(area.views) <= {"front", "back"}
        assert len(set(area.views)) == len(area.views)


def test_codes_only_where_the_reference_has_one() -> None:
    assert {a.code for a in BODY_AREAS if a.snomed is None} == UNCODED
    assert not [a.code for a in BODY_AREAS if a.snomed is None and a.approximate]
    assert AREA_BY_CODE["occiput"].snomed is not None
    assert AREA_BY_CODE["occiput"].snomed.code == "700032006"
    # Section 6.3b: "medial knee (use 72696002 Knee region with text)".
    medial_knee = AREA_BY_CODE["medial_knee"]
    assert medial_knee.snomed is not None
    assert medial_knee.snomed.code == "72696002"
    assert medial_knee.approximate
