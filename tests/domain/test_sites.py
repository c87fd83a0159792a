"""The tender-point catalogue: the 18 ACR 1990 sites and the control points, as sections 1.2
and 1.3 of the clinical reference describe them."""

from __future__ import annotations

import pytest

from clinic.domain.codes import LEFT, RIGHT, Confidence
from clinic.domain.scales import Side
from clinic.domain.sites import (
    ACR_SITES,
    ALL_SITES,
    CONTROL_SITES,
    CTRL_FOREARM,
    CTRL_FOREHEAD,
    CTRL_THIGH,
    CTRL_THUMBNAIL,
    SITE_BY_CODE,
    pair_of,
)
from tests.domain.reference import codes_of, key_values, status_of, table

# Section 1.2 (the 18 sites) and 1.3 (the control points) of the clinical reference.
PAIRS = table("1.2", "Pair")
CONTROLS = table("1.3", "Site")
PAIR_NAMES = tuple(row["Name"] for row in PAIRS)


def test_the_reference_lists_nine_pairs_and_four_controls() -> None:
    assert [int(row["Pair"]) for row in PAIRS] == list(range(1, 10))
    assert len(CONTROLS) == 4
    assert "Occiput" in PAIR_NAMES


def test_eighteen_acr_sites_in_nine_pairs_with_the_reference_codes() -> None:
    assert [s.code for s in ACR_SITES] == [
        f"TP{n:02d}{side}" for n in range(1, 10) for side in ("L", "R")
    ]
    assert [s.code for s in ACR_SITES] == [code for row in PAIRS for code in row["Sites"].split()]
    assert [s.pair for s in ACR_SITES] == [n for n in range(1, 10) for _ in range(2)]
    assert [s.name for s in ACR_SITES[::2]] == list(PAIR_NAMES)
    assert [s.name for s in ACR_SITES[1::2]] == list(PAIR_NAMES)


def test_each_site_is_what_the_reference_says() -> None:
    for row, site in zip(PAIRS, ACR_SITES[::2], strict=True):
        assert site.snomed is not None
        assert [site.snomed.code] == codes_of(row["SNOMED CT"]), site.code
        assert site.approximate == (row["Mapping"] == "approximate"), site.code
        assert site.view == row["Drawn on"], site.code
        assert site.confidence.value.upper() == status_of(row["Status"]), site.code
        # The alternatives the reference names are never bound to the site.
        assert site.snomed.code not in codes_of(row["Other VERIFIED codes"]), site.code


def test_each_control_is_what_the_reference_says() -> None:
    assert [s.code for s in CONTROL_SITES] == [row["Site"] for row in CONTROLS]
    for row, site in zip(CONTROLS, CONTROL_SITES, strict=True):
        assert site.side.value == row["Side"], site.code
        assert site.mtps_control == (row["MTPS control"] == "yes"), site.code
        assert site.snomed is not None
        assert [site.snomed.code] == codes_of(row["SNOMED CT"]), site.code
        assert site.approximate == (row["Mapping"] == "approximate"), site.code
        assert site.confidence.value.upper() == status_of(row["Status"]), site.code
    assert sum(s.mtps_control for s in CONTROL_SITES) == int(key_values()["mtps.control_points"])


def test_each_pair_is_left_then_right_with_snomed_laterality() -> None:
    for left, right in zip(ACR_SITES[::2], ACR_SITES[1::2], strict=True):
        assert (left.side, right.side) == (Side.LEFT, Side.RIGHT)
        assert (left.laterality, right.laterality) == (LEFT, RIGHT)
        assert left.laterality is not None
        assert left.laterality.code == "7771000"
        assert right.laterality is not None
        assert right.laterality.code == "24028007"
        assert left.label == f"{left.name}, left"
        assert right.label == f"{right.name}, right"
        assert (left.snomed, left.view, left.region) == (right.snomed, right.view, right.region)


def test_acr_sites_are_verified_and_never_controls() -> None:
    for site in ACR_SITES:
        assert site.acr_1990
        assert not site.control
        assert not site.mtps_control
        assert site.confidence is Confidence.VERIFIED
        assert site.description


def test_controls_never_count_as_acr_1990_sites() -> None:
    assert CONTROL_SITES == (CTRL_FOREHEAD, CTRL_THUMBNAIL, CTRL_FOREARM, CTRL_THIGH)
    for site in CONTROL_SITES:
        assert site.control
        assert not site.acr_1990
        assert site.pair is None
        assert pair_of(site.code) is None


def test_mtps_controls_are_forehead_thumbnail_and_forearm() -> None:
    mtps = {s.code for s in ALL_SITES if s.mtps_control}
    assert mtps == {"CTRL_FOREHEAD", "CTRL_THUMBNAIL", "CTRL_FOREARM"}
    assert CTRL_THIGH.control
    assert not CTRL_THIGH.mtps_control


def test_control_confidence_is_what_the_reference_says() -> None:
    assert CTRL_FOREHEAD.confidence is Confidence.VERIFIED
    # "exact sites PARTIAL/UNVERIFIED in the sources consulted"
    assert CTRL_THUMBNAIL.confidence is not Confidence.VERIFIED
    assert CTRL_FOREARM.confidence is not Confidence.VERIFIED
    assert CTRL_THIGH.confidence is Confidence.VERIFIED  # fpnotebook, one source


def test_forehead_is_midline_and_limb_controls_are_on_the_right() -> None:
    assert CTRL_FOREHEAD.side is Side.MIDLINE
    assert CTRL_FOREHEAD.laterality is None
    for site in (CTRL_THUMBNAIL, CTRL_FOREARM, CTRL_THIGH):
        assert site.side is Side.RIGHT
        assert site.laterality == RIGHT


def test_site_codes_match_the_reference_body_structures() -> None:
    codes = {s.name: s.snomed.code for s in ACR_SITES[::2] if s.snomed is not None}
    assert codes["Trapezius"] == "31764008"
    assert codes["Supraspinatus"] == "6423006"
    assert codes["Greater trochanter"] == "30547004"
    assert codes["Knee"] == "72696002"
    assert codes["Occiput"] in {"700032006", "31640002"}
    assert codes["Low cervical"] in {"45048000", "122494005"}
    assert codes["Second rib"] in {"50016007", "113197003", "78247007"}
    assert codes["Lateral epicondyle"] in {"127949000", "14975008"}
    assert codes["Gluteal"] in {"78333006", "46862004"}
    assert "22823000" not in {s.snomed.code for s in ALL_SITES if s.snomed is not None}


def test_mappings_the_reference_calls_approximate_are_flagged() -> None:
    approximate = {s.name for s in ACR_SITES if s.approximate}
    assert approximate == {"Occiput", "Low cervical", "Second rib", "Lateral epicondyle", "Knee"}


def test_views_follow_the_reference() -> None:
    views = {s.name: s.view for s in ACR_SITES}
    assert {n for n, v in views.items() if v == "back"} >= {
        "Occiput",
        "Trapezius",
        "Supraspinatus",
        "Gluteal",
    }
    assert {n for n, v in views.items() if v == "front"} >= {"Low cervical", "Second rib", "Knee"}
    assert all(s.view in {"front", "back"} for s in ALL_SITES)
    assert {s.view for s in CONTROL_SITES} == {"front"}


def test_all_sites_are_the_acr_sites_then_the_controls_with_unique_codes() -> None:
    assert ALL_SITES == ACR_SITES + CONTROL_SITES
    assert len(SITE_BY_CODE) == len(ALL_SITES) == 22
    assert all(SITE_BY_CODE[s.code] is s for s in ALL_SITES)


def test_pair_of_returns_left_and_right() -> None:
    assert pair_of("TP03R") == (SITE_BY_CODE["TP03L"], SITE_BY_CODE["TP03R"])
    assert pair_of("TP09L") == (SITE_BY_CODE["TP09L"], SITE_BY_CODE["TP09R"])
    with pytest.raises(KeyError):
        pair_of("TP10L")
