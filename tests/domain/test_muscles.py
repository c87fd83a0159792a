"""The trigger-point muscle catalogue and its referral patterns, as section 5 of the clinical
reference describes them."""

from __future__ import annotations

import pytest

from clinic.domain.body_areas import AREA_BY_CODE, ZONE_CODES, parse_zone
from clinic.domain.codes import Confidence
from clinic.domain.muscle_referrals import REFERRALS
from clinic.domain.muscles import MUSCLE_BY_CODE, MUSCLES, OTHER_MUSCLE, typical_referral_zones
from clinic.domain.scales import Side
from tests.domain.reference import codes_of, source_keys, table

# Section 5 of the clinical reference: one row per muscle, in the form's order.
ROWS = table("5", "Muscle")


def _areas(cell: str) -> tuple[str, ...]:
    return tuple(area.strip() for area in cell.split(",") if area.strip())


# One entry per row of section 5; SCM's two heads are two rows there too, and the shared
# iliocostalis lumborum / lumbar multifidus row is split in two.
SECTION_5 = {
    "upper_trapezius",
    "middle_trapezius",
    "lower_trapezius",
    "levator_scapulae",
    "scm_sternal",
    "scm_clavicular",
    "splenius_capitis",
    "suboccipitals",
    "temporalis",
    "masseter",
    "scalenes",
    "supraspinatus",
    "infraspinatus",
    "teres_minor",
    "subscapularis",
    "latissimus_dorsi",
    "pectoralis_major",
    "serratus_anterior",
    "quadratus_lumborum",
    "iliocostalis_lumborum",
    "lumbar_multifidus",
    "gluteus_maximus",
    "gluteus_medius",
    "gluteus_minimus",
    "piriformis",
    "rectus_femoris",
    "vastus_medialis",
    "biceps_femoris",
    "gastrocnemius",
    "soleus",
    "tibialis_anterior",
}


def test_the_reference_lists_every_muscle_of_the_catalogue_in_order() -> None:
    assert [row["Muscle"] for row in ROWS] == [m.code for m in MUSCLES]
    assert {row["Muscle"] for row in ROWS} == SECTION_5


def test_each_muscle_is_what_the_reference_says() -> None:
    for row, muscle in zip(ROWS, MUSCLES, strict=True):
        assert muscle.label == row["Name"], muscle.code
        assert muscle.referral_areas == _areas(row["Recorded areas"]), muscle.code
        assert muscle.bilateral_referral == _areas(row["Both sides"]), muscle.code
        code = [] if muscle.snomed is None else [muscle.snomed.code]
        assert code == codes_of(row["SNOMED CT"]), muscle.code
        assert muscle.approximate == (row["Whole-muscle code"] == "yes"), muscle.code
        cited = row["Source"].strip("[]").split("][")
        assert list(muscle.sources) == cited, muscle.code
        assert set(cited) <= source_keys(), muscle.code


def _code(muscle_code: str) -> str | None:
    snomed = MUSCLE_BY_CODE[muscle_code].snomed
    return None if snomed is None else snomed.code


def test_every_muscle_of_section_5_once() -> None:
    codes = [m.code for m in MUSCLES]
    assert len(codes) == len(set(codes)) == len(MUSCLE_BY_CODE)
    assert set(codes) == SECTION_5
    assert OTHER_MUSCLE == "other"
    assert OTHER_MUSCLE not in MUSCLE_BY_CODE
    assert set(REFERRALS) == set(codes)  # no referral pattern without its muscle


def test_every_muscle_is_described() -> None:
    for muscle in MUSCLES:
        assert muscle.label
        assert muscle.group
        assert muscle.views
        assert set(muscle.views) <= {"front", "back"}
        assert muscle.referral_areas
        assert muscle.referral_note
        assert muscle.sources


def test_referral_areas_exist_in_the_vocabulary() -> None:
    for muscle in MUSCLES:
        assert set(muscle.referral_areas) <= set(AREA_BY_CODE), muscle.code
        assert len(set(muscle.referral_areas)) == len(muscle.referral_areas), muscle.code
        assert set(muscle.bilateral_referral) <= set(muscle.referral_areas), muscle.code
        assert all(AREA_BY_CODE[a].paired for a in muscle.bilateral_referral), muscle.code


def test_only_scm_clavicular_head_refers_to_both_sides() -> None:
    bilateral = {m.code: m.bilateral_referral for m in MUSCLES if m.bilateral_referral}
    assert bilateral == {"scm_clavicular": ("forehead",)}


def test_verified_muscle_codes() -> None:
    for part in ("upper_trapezius", "middle_trapezius", "lower_trapezius"):
        snomed = MUSCLE_BY_CODE[part].snomed
        assert snomed is not None
        assert snomed.code == "31764008"
        assert snomed.confidence is Confidence.VERIFIED
    assert _code("scm_sternal") == _code("scm_clavicular") == "22823000"
    assert _code("levator_scapulae") == "11327007"
    assert _code("supraspinatus") == "6423006"
    assert _code("gluteus_medius") == "78333006"
    assert _code("gluteus_maximus") == "206007"
    assert _code("piriformis") == "75699001"


def test_partial_codes_stay_partial() -> None:
    for code, sctid in (
        ("gluteus_minimus", "75297007"),
        ("splenius_capitis", "1600003"),
        ("vastus_medialis", "3478008"),
    ):
        snomed = MUSCLE_BY_CODE[code].snomed
        assert snomed is not None
        assert snomed.code == sctid
        assert snomed.confidence is Confidence.PARTIAL
        assert not snomed.emittable


def test_muscles_without_a_verified_code_carry_none() -> None:
    uncoded = {m.code for m in MUSCLES if m.snomed is None}
    assert uncoded == {
        "quadratus_lumborum",
        "lumbar_multifidus",
        "gastrocnemius",
        "soleus",
        "tibialis_anterior",
    }


def test_referral_notes_keep_the_reference_caveats() -> None:
    assert "not seen in the sources consulted" in MUSCLE_BY_CODE["upper_trapezius"].referral_note
    assert "posterior knee per T&S — not seen" in MUSCLE_BY_CODE["biceps_femoris"].referral_note
    assert "bilateral if severe" in MUSCLE_BY_CODE["scm_clavicular"].referral_note
    assert "rare point" in MUSCLE_BY_CODE["infraspinatus"].referral_note


def test_typical_referral_zones_of_a_left_muscle_are_left_or_midline() -> None:
    assert typical_referral_zones("upper_trapezius", Side.LEFT) == (
        "posterolateral_neck_left",
        "mastoid_left",
        "temple_left",
    )
    assert typical_referral_zones("scm_sternal", Side.LEFT) == (
        "vertex",
        "occiput_left",
        "cheek_left",
        "orbit_left",
        "throat",
        "sternum",
    )


@pytest.mark.parametrize("side", [Side.LEFT, Side.RIGHT])
def test_typical_referral_zones_stay_on_the_muscle_side(side: Side) -> None:
    for muscle in MUSCLES:
        zones = typical_referral_zones(muscle.code, side)
        assert len(zones) == len(muscle.referral_areas)
        for zone in zones:
            assert zone in ZONE_CODES
            area, zone_side = parse_zone(zone)
            assert zone_side is (side if area.paired else Side.MIDLINE)


def test_bilateral_referral_adds_the_other_side_on_request() -> None:
    zones = typical_referral_zones("scm_clavicular", Side.LEFT, include_bilateral=True)
    assert zones == ("forehead_left", "ear_left", "mastoid_left", "forehead_right")
    assert "forehead_right" not in typical_referral_zones("scm_clavicular", Side.LEFT)


def test_typical_referral_zones_edge_cases() -> None:
    assert typical_referral_zones(OTHER_MUSCLE, Side.LEFT) == ()
    with pytest.raises(ValueError, match="paired"):
        typical_referral_zones("masseter", Side.MIDLINE)
    with pytest.raises(KeyError):
        typical_referral_zones("deltoid", Side.LEFT)
