"""The code sets the published criteria count over: 18 ACR 1990 sites, 19 WPI areas, 5 regions.

Derived from the site and WPI catalogues (one source of truth per fact; clinical reference,
sections 1.2 and 3.1); the scoring tests check them against the published rules with literal codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from clinic.domain.sites import ACR_SITES, pair_of
from clinic.domain.wpi import GENERALIZED_PAIN_REGIONS as _REGIONS
from clinic.domain.wpi import PAIN_AREAS

# TP01L, TP01R, ..., TP09L, TP09R: the only sites a tender point count ever looks at.
ACR_SITE_CODES: Final[tuple[str, ...]] = tuple(site.code for site in ACR_SITES)


def _pairs() -> tuple[tuple[int, str, str], ...]:
    pairs = []
    for site in ACR_SITES:
        both = pair_of(site.code)
        if site.pair is not None and both is not None and both[0].code == site.code:
            pairs.append((site.pair, both[0].code, both[1].code))
    return tuple(pairs)


# The 9 bilateral ACR 1990 pairs in the order of the published list (occiput ... knee).
ACR_SITE_PAIRS: Final[tuple[tuple[int, str, str], ...]] = _pairs()

# The 19 Widespread Pain Index areas (ACR 2010/2011/2016), in the order of the published checklist.
WPI_AREA_CODES: Final[tuple[str, ...]] = tuple(area.code for area in PAIN_AREAS)

# ACR 2016 generalized pain: the five regions and the areas that make each of them painful.
# Jaw, chest and abdomen belong to WPI but deliberately make no region painful (Wolfe 2016).
GENERALIZED_PAIN_REGIONS: Final[Mapping[str, frozenset[str]]] = _REGIONS

# WPI areas that count toward WPI but toward no generalized-pain region.
AREAS_OUTSIDE_REGIONS: Final[frozenset[str]] = frozenset(WPI_AREA_CODES).difference(
    *GENERALIZED_PAIN_REGIONS.values()
)
