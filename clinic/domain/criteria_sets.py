"""The code sets the published criteria count over: 18 ACR 1990 sites, 19 WPI areas, 5 regions.

Scoring keeps its own copy so that it does not depend on how the catalogues are laid out;
tests/domain/test_criteria_sets.py cross-checks every set here against clinic.domain.sites and
clinic.domain.wpi, so the two cannot drift apart (shared domain reference, sections 1.2 and 3.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# The 9 bilateral ACR 1990 pairs in the order of the published list (occiput ... knee).
ACR_SITE_PAIRS: Final[tuple[tuple[int, str, str], ...]] = tuple(
    (n, f"TP{n:02d}L", f"TP{n:02d}R") for n in range(1, 10)
)

# TP01L, TP01R, ..., TP09L, TP09R: the only sites a tender point count ever looks at.
ACR_SITE_CODES: Final[tuple[str, ...]] = tuple(
    f"TP{n:02d}{side}" for n in range(1, 10) for side in ("L", "R")
)

# The 19 Widespread Pain Index areas (ACR 2010/2011/2016), in the order of the published checklist.
WPI_AREA_CODES: Final[tuple[str, ...]] = (
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
)

# ACR 2016 generalized pain: the five regions and the areas that make each of them painful.
# Jaw, chest and abdomen belong to WPI but deliberately make no region painful (Wolfe 2016).
GENERALIZED_PAIN_REGIONS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "left_upper": frozenset({"shoulder_girdle_left", "upper_arm_left", "lower_arm_left"}),
        "right_upper": frozenset({"shoulder_girdle_right", "upper_arm_right", "lower_arm_right"}),
        "left_lower": frozenset({"hip_left", "upper_leg_left", "lower_leg_left"}),
        "right_lower": frozenset({"hip_right", "upper_leg_right", "lower_leg_right"}),
        "axial": frozenset({"neck", "upper_back", "lower_back"}),
    }
)

# WPI areas that count toward WPI but toward no generalized-pain region.
AREAS_OUTSIDE_REGIONS: Final[frozenset[str]] = frozenset(WPI_AREA_CODES).difference(
    *GENERALIZED_PAIN_REGIONS.values()
)
