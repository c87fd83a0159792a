"""The 19 Widespread Pain Index areas (ACR 2010/2011/2016) and the 2016 generalized-pain regions.

Areas, regions and codes follow docs/clinical-reference.md §3.1 and §3.5. Jaw, chest and
abdomen count toward the WPI but toward no generalized-pain region (Wolfe 2016).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from clinic.domain import body_structures as bs
from clinic.domain.codes import LEFT, RIGHT, Code
from clinic.domain.scales import Side

LEFT_UPPER: Final = "left_upper"
RIGHT_UPPER: Final = "right_upper"
LEFT_LOWER: Final = "left_lower"
RIGHT_LOWER: Final = "right_lower"
AXIAL: Final = "axial"
REGIONS_2016: Final[tuple[str, ...]] = (LEFT_UPPER, RIGHT_UPPER, LEFT_LOWER, RIGHT_LOWER, AXIAL)


@dataclass(frozen=True)
class PainArea:
    """A body area the patient says was painful in the past week."""

    code: str
    label: str
    side: Side
    # The region the 2016 table lists the area under; jaw is listed but never counted.
    region_2016: str | None
    counts_for_generalized_pain: bool
    snomed: Code | None
    laterality: Code | None
    # True when the code is a stand-in for a concept the reference found no code for.
    fallback_code: bool = False


def _sided(
    base: str, name: str, upper: bool, snomed: Code, *, counts: bool = True
) -> tuple[PainArea, PainArea]:
    left, right = (LEFT_UPPER, RIGHT_UPPER) if upper else (LEFT_LOWER, RIGHT_LOWER)
    return (
        PainArea(f"{base}_left", f"{name}, left", Side.LEFT, left, counts, snomed, LEFT),
        PainArea(f"{base}_right", f"{name}, right", Side.RIGHT, right, counts, snomed, RIGHT),
    )


def _axial(
    code: str, label: str, snomed: Code, *, counts: bool = True, fallback: bool = False
) -> PainArea:
    return PainArea(code, label, Side.MIDLINE, AXIAL, counts, snomed, None, fallback)


# In the order of the published checklist (section 3.1).
PAIN_AREAS: Final[tuple[PainArea, ...]] = (
    *_sided("jaw", "Jaw", True, bs.JAW_REGION, counts=False),
    *_sided("shoulder_girdle", "Shoulder girdle", True, bs.SHOULDER_GIRDLE),
    *_sided("upper_arm", "Upper arm", True, bs.UPPER_ARM),
    *_sided("lower_arm", "Lower arm", True, bs.FOREARM),
    *_sided("hip", "Hip (buttock, trochanter)", False, bs.HIP_REGION),
    *_sided("upper_leg", "Upper leg", False, bs.THIGH),
    *_sided("lower_leg", "Lower leg", False, bs.LOWER_LEG),
    _axial("neck", "Neck", bs.NECK),
    # No upper back code was found; the reference's fallback is Back, sent with the text.
    _axial("upper_back", "Upper back", bs.BACK, fallback=True),
    _axial("lower_back", "Lower back", bs.LUMBAR_BACK),
    _axial("chest", "Chest", bs.THORAX, counts=False),
    _axial("abdomen", "Abdomen", bs.ABDOMEN, counts=False),
)

PAIN_AREA_BY_CODE: Final[Mapping[str, PainArea]] = MappingProxyType(
    {area.code: area for area in PAIN_AREAS}
)

# Section 3.5 REGIONS_2016 with this catalogue's codes: the areas that make a region painful.
GENERALIZED_PAIN_REGIONS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        region: frozenset(
            area.code
            for area in PAIN_AREAS
            if area.region_2016 == region and area.counts_for_generalized_pain
        )
        for region in REGIONS_2016
    }
)


def wpi_answers(asked: bool, painful: Iterable[str]) -> dict[str, bool]:
    """Return the WPI answers of a checklist: every area answered once the question was asked.

    A ticked area is an answer, so it answers the question: ticks with the question left at "not
    asked" count as asked (every area not ticked is then not painful) rather than being dropped.
    Nothing asked and nothing ticked is no answer at all (an empty mapping).
    """
    ticked = set(painful)
    if not asked and not ticked:
        return {}
    return {area.code: area.code in ticked for area in PAIN_AREAS}
