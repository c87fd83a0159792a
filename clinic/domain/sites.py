"""The 18 ACR 1990 tender-point sites and the control points palpated with them.

Sites, codes and locations follow the clinical reference's section 1.2 (Wolfe et al. 1990); the site
IDs TP01L ... TP09R are the reference's suggestion, not a standard. Control points (section 1.3)
are not part of ACR 1990 and never count in the tender point count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from clinic.domain import body_structures as bs
from clinic.domain.codes import LEFT, RIGHT, Code, Confidence
from clinic.domain.scales import Side


@dataclass(frozen=True)
class TenderPointSite:
    """A place the examiner presses with about 4 kg and asks whether it is painful."""

    code: str
    pair: int | None
    name: str
    label: str
    description: str
    region: str
    side: Side
    # The body-map view the site is drawn on; lateral sites follow the classic ACR figure.
    view: str
    acr_1990: bool
    control: bool
    mtps_control: bool
    confidence: Confidence
    snomed: Code | None
    laterality: Code | None
    # True when the SNOMED code names a nearby or containing structure, not the site itself.
    approximate: bool = False


@dataclass(frozen=True)
class _Pair:
    number: int
    name: str
    description: str
    region: str
    view: str
    snomed: Code
    approximate: bool


# Section 1.2, in the published order. Where the reference lists two codes, the first that names
# a structure containing the site is used; "approximate" is kept wherever the reference says so.
_ACR_PAIRS: Final[tuple[_Pair, ...]] = (
    _Pair(
        1,
        "Occiput",
        "At the suboccipital muscle insertions on the occiput.",
        "head and neck",
        "back",
        bs.OCCIPITAL_SCALP,
        True,
    ),
    _Pair(
        2,
        "Low cervical",
        "Anterior aspect of the intertransverse spaces at C5-C7.",
        "head and neck",
        "front",
        bs.NECK,
        True,
    ),
    _Pair(
        3,
        "Trapezius",
        "Midpoint of the upper border of the trapezius.",
        "shoulder",
        "back",
        bs.TRAPEZIUS,
        False,
    ),
    _Pair(
        4,
        "Supraspinatus",
        "At its origin, above the scapular spine near the medial border.",
        "shoulder",
        "back",
        bs.SUPRASPINATUS,
        False,
    ),
    # Section 6.3b names the second-rib bone code as the fallback for this site.
    _Pair(
        5,
        "Second rib",
        "At the second costochondral junction, just lateral to it on the upper surface.",
        "chest",
        "front",
        bs.SECOND_RIB,
        True,
    ),
    # Lateral site: drawn on the front view, where the classic ACR figure shows it.
    _Pair(
        6,
        "Lateral epicondyle",
        "2 cm distal to the lateral epicondyle, over the common extensor mass.",
        "arm",
        "front",
        bs.ELBOW_REGION,
        True,
    ),
    # Buttock rather than gluteus medius: the ACR wording places the site on the buttock, while
    # gluteus medius is the MTPS placement; the reference lists both codes as VERIFIED.
    _Pair(
        7,
        "Gluteal",
        "Upper outer quadrant of the buttock, in the anterior fold of the muscle.",
        "buttock",
        "back",
        bs.BUTTOCK,
        False,
    ),
    # Lateral site: drawn on the back view, since it lies posterior to the trochanter.
    _Pair(
        8,
        "Greater trochanter",
        "Posterior to the trochanteric prominence.",
        "hip",
        "back",
        bs.GREATER_TROCHANTER,
        False,
    ),
    # Section 6.3b: no medial knee code, "use 72696002 Knee region with text".
    _Pair(
        9,
        "Knee",
        "At the medial fat pad, proximal to the joint line.",
        "knee",
        "front",
        bs.KNEE_REGION,
        True,
    ),
)


def _acr_site(pair: _Pair, side: Side) -> TenderPointSite:
    letter = "L" if side is Side.LEFT else "R"
    return TenderPointSite(
        code=f"TP{pair.number:02d}{letter}",
        pair=pair.number,
        name=pair.name,
        label=f"{pair.name}, {side.value}",
        description=pair.description,
        region=pair.region,
        side=side,
        view=pair.view,
        acr_1990=True,
        control=False,
        mtps_control=False,
        confidence=Confidence.VERIFIED,
        snomed=pair.snomed,
        laterality=LEFT if side is Side.LEFT else RIGHT,
        approximate=pair.approximate,
    )


ACR_SITES: Final[tuple[TenderPointSite, ...]] = tuple(
    _acr_site(pair, side) for pair in _ACR_PAIRS for side in (Side.LEFT, Side.RIGHT)
)

CTRL_FOREHEAD: Final = TenderPointSite(
    code="CTRL_FOREHEAD",
    pair=None,
    name="Forehead",
    label="Forehead (control)",
    description="Mid-forehead; the first site of the MTPS sequence.",
    region="head and neck",
    side=Side.MIDLINE,
    view="front",
    acr_1990=False,
    control=True,
    mtps_control=True,
    confidence=Confidence.VERIFIED,
    snomed=bs.FOREHEAD,
    laterality=None,
)

# The sources consulted do not standardise the side of the limb controls; the right side is this
# clinic's convention. The reference gives the exact thumbnail and forearm sites as
# PARTIAL/UNVERIFIED: PARTIAL is kept because they are widely cited as the MTPS controls.
CTRL_THUMBNAIL: Final = TenderPointSite(
    code="CTRL_THUMBNAIL",
    pair=None,
    name="Thumbnail",
    label="Thumbnail, right (control)",
    description="Nail of the thumb; widely cited as an MTPS control site, exact site unconfirmed.",
    region="hand",
    side=Side.RIGHT,
    view="front",
    acr_1990=False,
    control=True,
    mtps_control=True,
    confidence=Confidence.PARTIAL,
    snomed=bs.THUMB_NAIL,
    laterality=RIGHT,
)

CTRL_FOREARM: Final = TenderPointSite(
    code="CTRL_FOREARM",
    pair=None,
    name="Forearm",
    label="Forearm, right (control)",
    description="Volar mid-forearm; widely cited as an MTPS control site, exact site unconfirmed.",
    region="forearm",
    side=Side.RIGHT,
    view="front",
    acr_1990=False,
    control=True,
    mtps_control=True,
    confidence=Confidence.PARTIAL,
    snomed=bs.FOREARM,
    laterality=RIGHT,
    approximate=True,
)

# A control in practice (fpnotebook), but not one of the three MTPS controls.
CTRL_THIGH: Final = TenderPointSite(
    code="CTRL_THIGH",
    pair=None,
    name="Thigh",
    label="Thigh, right (control)",
    description="Anterior mid-thigh.",
    region="thigh",
    side=Side.RIGHT,
    view="front",
    acr_1990=False,
    control=True,
    mtps_control=False,
    confidence=Confidence.VERIFIED,
    snomed=bs.THIGH,
    laterality=RIGHT,
    approximate=True,
)

CONTROL_SITES: Final[tuple[TenderPointSite, ...]] = (
    CTRL_FOREHEAD,
    CTRL_THUMBNAIL,
    CTRL_FOREARM,
    CTRL_THIGH,
)

# The 18 sites in published order, then the controls: the order of forms and summaries.
ALL_SITES: Final[tuple[TenderPointSite, ...]] = ACR_SITES + CONTROL_SITES

SITE_BY_CODE: Final[Mapping[str, TenderPointSite]] = MappingProxyType(
    {site.code: site for site in ALL_SITES}
)


def pair_of(code: str) -> tuple[TenderPointSite, TenderPointSite] | None:
    """Return the (left, right) ACR pair a site belongs to; None for a control point."""
    site = SITE_BY_CODE[code]
    if site.pair is None:
        return None
    prefix = f"TP{site.pair:02d}"
    return SITE_BY_CODE[f"{prefix}L"], SITE_BY_CODE[f"{prefix}R"]
