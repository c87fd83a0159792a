"""Body areas a referred-pain zone is recorded in, shaded on the body map and in the PDF.

The vocabulary covers every zone named in the referral column of the clinical reference's section 5
(Travell & Simons patterns). A zone is an area plus a side: "temple_left", "temple_right", or the
bare code for an area on the midline ("sternum"). Codes come only from sections 3.1, 6.3 and 6.3b;
`approximate` marks a code that names a larger region than the area, so the label must go with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from clinic.domain import body_structures as bs
from clinic.domain.codes import Code
from clinic.domain.scales import Side

FRONT: Final = "front"
BACK: Final = "back"


@dataclass(frozen=True)
class BodyArea:
    """A body area referred pain can be felt in."""

    code: str
    label: str
    paired: bool
    views: tuple[str, ...]
    snomed: Code | None
    group: str
    # True when the SNOMED code names a containing region (Hand for "ring and little fingers").
    approximate: bool = False


def _paired(
    code: str,
    label: str,
    group: str,
    views: tuple[str, ...],
    snomed: Code | None = None,
    *,
    approximate: bool = False,
) -> BodyArea:
    return BodyArea(code, label, True, views, snomed, group, approximate)


def _midline(
    code: str,
    label: str,
    group: str,
    views: tuple[str, ...],
    snomed: Code | None = None,
    *,
    approximate: bool = False,
) -> BodyArea:
    return BodyArea(code, label, False, views, snomed, group, approximate)


_F = (FRONT,)
_B = (BACK,)
_FB = (FRONT, BACK)

HEAD: Final = "head"
NECK: Final = "neck"
TRUNK: Final = "trunk"
UPPER_LIMB: Final = "upper limb"
LOWER_LIMB: Final = "lower limb"

# Grouped head to toe, as the list fallback of the body map shows them.
BODY_AREAS: Final[tuple[BodyArea, ...]] = (
    _midline("vertex", "Vertex of head", HEAD, _FB, bs.HEAD, approximate=True),
    _paired("occiput", "Occiput", HEAD, _B, bs.OCCIPITAL_SCALP),
    _paired("temple", "Temple", HEAD, _F, bs.HEAD, approximate=True),
    # Paired, not midline: SCM clavicular head refers to one side, to both only when severe.
    _paired("forehead", "Forehead", HEAD, _F, bs.FOREHEAD),
    _paired("orbit", "Eyebrow and orbit", HEAD, _F, bs.FACE, approximate=True),
    _paired("cheek", "Cheek and maxilla", HEAD, _F, bs.FACE, approximate=True),
    _paired("upper_teeth", "Upper teeth", HEAD, _F, bs.JAW_REGION, approximate=True),
    _paired("lower_teeth", "Lower teeth", HEAD, _F, bs.JAW_REGION, approximate=True),
    _paired("jaw", "Jaw and angle of jaw", HEAD, _F, bs.JAW_REGION),
    _paired("tmj", "Temporomandibular joint", HEAD, _F, bs.TMJ),
    _paired("ear", "Ear (deep ear)", HEAD, _F),  # no ear code in the reference's tables
    _paired("mastoid", "Behind the ear (mastoid)", HEAD, _B, bs.HEAD, approximate=True),
    _midline("throat", "Throat", NECK, _F, bs.NECK, approximate=True),
    _paired("posterolateral_neck", "Posterolateral neck", NECK, _B, bs.NECK, approximate=True),
    _paired("neck_angle", "Angle of neck and shoulder", NECK, _B, bs.NECK, approximate=True),
    _midline("sternum", "Sternum", TRUNK, _F, bs.CHEST_WALL, approximate=True),
    _paired(
        "anterior_chest", "Anterior chest and breast", TRUNK, _F, bs.CHEST_WALL, approximate=True
    ),
    _paired("lateral_chest", "Lateral chest", TRUNK, _F, bs.CHEST_WALL, approximate=True),
    _paired("lower_abdomen", "Lower abdomen", TRUNK, _F, bs.ABDOMEN, approximate=True),
    _paired("groin", "Groin", TRUNK, _F),  # no groin code in the reference's tables
    _paired("suprascapular", "Suprascapular region", TRUNK, _B, bs.SCAPULA, approximate=True),
    _paired("scapula", "Over the scapula", TRUNK, _B, bs.SCAPULA, approximate=True),
    _paired("interscapular", "Interscapular region", TRUNK, _B, bs.BACK, approximate=True),
    _paired(
        "medial_scapular_border", "Medial scapular border", TRUNK, _B, bs.SCAPULA, approximate=True
    ),
    _paired(
        "inferior_scapular_angle",
        "Inferior angle of scapula",
        TRUNK,
        _B,
        bs.SCAPULA,
        approximate=True,
    ),
    _paired("low_back", "Low back", TRUNK, _B, bs.LUMBAR_BACK),
    # The crest code covers the whole crest; the zone is its posterior part.
    _paired("iliac_crest", "Posterior iliac crest", TRUNK, _B, bs.ILIAC_CREST, approximate=True),
    _paired("sacroiliac", "Sacroiliac joint", TRUNK, _B),  # no SI joint code in the reference
    _midline("sacrum", "Sacrum", TRUNK, _B, bs.SACRUM),
    _midline("coccyx", "Coccyx", TRUNK, _B),  # no coccyx code in the reference's tables
    _paired(
        "shoulder_top", "Top of shoulder", UPPER_LIMB, _B, bs.SHOULDER_REGION, approximate=True
    ),
    _paired(
        "anterior_shoulder",
        "Anterior shoulder",
        UPPER_LIMB,
        _F,
        bs.SHOULDER_REGION,
        approximate=True,
    ),
    _paired(
        "posterior_shoulder",
        "Posterior shoulder",
        UPPER_LIMB,
        _B,
        bs.SHOULDER_REGION,
        approximate=True,
    ),
    _paired("deltoid", "Deltoid region", UPPER_LIMB, _FB, bs.SHOULDER_REGION, approximate=True),
    _paired("lateral_arm", "Lateral arm", UPPER_LIMB, _F, bs.UPPER_ARM, approximate=True),
    _paired("medial_arm", "Medial arm", UPPER_LIMB, _F, bs.UPPER_ARM, approximate=True),
    _paired("posterior_arm", "Posterior arm", UPPER_LIMB, _B, bs.UPPER_ARM, approximate=True),
    _paired(
        "lateral_elbow",
        "Lateral epicondyle and elbow",
        UPPER_LIMB,
        _F,
        bs.ELBOW_REGION,
        approximate=True,
    ),
    _paired(
        "radial_forearm",
        "Radial (thumb-side) forearm",
        UPPER_LIMB,
        _F,
        bs.FOREARM,
        approximate=True,
    ),
    _paired(
        "ulnar_forearm",
        "Ulnar (little-finger-side) forearm",
        UPPER_LIMB,
        _F,
        bs.FOREARM,
        approximate=True,
    ),
    _paired("wrist", "Wrist", UPPER_LIMB, _FB),  # no wrist code in the reference's tables
    _paired("hand", "Hand", UPPER_LIMB, _FB, bs.HAND),
    _paired("ulnar_fingers", "Ring and little fingers", UPPER_LIMB, _FB, bs.HAND, approximate=True),
    _paired("buttock", "Buttock", LOWER_LIMB, _B, bs.BUTTOCK),
    _paired("greater_trochanter", "Greater trochanter", LOWER_LIMB, _FB, bs.GREATER_TROCHANTER),
    _paired("lateral_thigh", "Lateral thigh", LOWER_LIMB, _FB, bs.THIGH, approximate=True),
    _paired("posterior_thigh", "Posterior thigh", LOWER_LIMB, _B, bs.THIGH, approximate=True),
    _paired("anterior_thigh", "Anterior thigh", LOWER_LIMB, _F, bs.THIGH, approximate=True),
    _paired("patella", "Patella", LOWER_LIMB, _F, bs.KNEE_REGION, approximate=True),
    # Section 6.3b: no medial knee code, "use 72696002 Knee region with text".
    _paired("medial_knee", "Medial knee", LOWER_LIMB, _F, bs.KNEE_REGION, approximate=True),
    _paired("posterior_knee", "Back of knee", LOWER_LIMB, _B, bs.KNEE_REGION, approximate=True),
    _paired("calf", "Calf", LOWER_LIMB, _B, bs.LOWER_LEG, approximate=True),
    _paired("lateral_leg", "Lateral leg", LOWER_LIMB, _F, bs.LOWER_LEG, approximate=True),
    _paired("anterior_shin", "Anterior shin", LOWER_LIMB, _F, bs.LOWER_LEG, approximate=True),
    _paired("ankle", "Ankle", LOWER_LIMB, _FB),  # no ankle code in the reference's tables
    _paired("heel", "Heel", LOWER_LIMB, _B),  # nor heel, instep or toes
    _paired("instep", "Instep and dorsum of foot", LOWER_LIMB, _F),
    _paired("toes", "Toes", LOWER_LIMB, _F),
)

AREA_BY_CODE: Final[Mapping[str, BodyArea]] = MappingProxyType(
    {area.code: area for area in BODY_AREAS}
)

_SIDED: Final = (Side.LEFT, Side.RIGHT)


def zone_code(area_code: str, side: Side) -> str:
    """Return the side-qualified zone code of an area; midline areas ignore the side."""
    area = AREA_BY_CODE.get(area_code)
    if area is None:
        raise ValueError(f"unknown body area {area_code!r}")
    if not area.paired:
        return area.code
    if side not in _SIDED:
        raise ValueError(f"body area {area_code!r} needs a left or right side")
    return f"{area.code}_{side.value}"


ZONE_CODES: Final[frozenset[str]] = frozenset(
    zone_code(area.code, side) for area in BODY_AREAS for side in _SIDED
)


def parse_zone(zone: str) -> tuple[BodyArea, Side]:
    """Return the area and side a zone code names; ValueError for a code not in the vocabulary."""
    area = AREA_BY_CODE.get(zone)
    if area is not None and not area.paired:
        return area, Side.MIDLINE
    for side in _SIDED:
        suffix = f"_{side.value}"
        if zone.endswith(suffix):
            area = AREA_BY_CODE.get(zone.removesuffix(suffix))
            if area is not None and area.paired:
                return area, side
    raise ValueError(f"unknown body zone {zone!r}")


def zone_label(zone: str) -> str:
    """Return a zone's label for people, e.g. "Temple, left"."""
    area, side = parse_zone(zone)
    return area.label if side is Side.MIDLINE else f"{area.label}, {side.value}"
