"""Muscles commonly examined for myofascial trigger points, with their typical referral zones.

The list follows the clinical reference's section 5 (Travell & Simons patterns as seen in the cited
sources); the patterns themselves live in clinic.domain.muscle_referrals. Referral is ipsilateral
unless a zone is listed in `bilateral_referral`. SNOMED codes come only from sections 6.3 and 6.3b;
a muscle whose code the reference could not verify carries none and goes out as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from clinic.domain import body_structures as bs
from clinic.domain.body_areas import zone_code
from clinic.domain.codes import Code
from clinic.domain.muscle_referrals import REFERRALS
from clinic.domain.scales import Side

# The form's choice for a muscle outside the catalogue; its name is then typed as text.
OTHER_MUSCLE: Final = "other"


@dataclass(frozen=True)
class Muscle:
    """A muscle a trigger point can be palpated in."""

    code: str
    label: str
    group: str
    # The body-map view the muscle is palpated and drawn on.
    views: tuple[str, ...]
    snomed: Code | None
    # Base body-area codes from clinic.domain.body_areas, felt on the same side as the muscle.
    referral_areas: tuple[str, ...]
    referral_note: str
    sources: tuple[str, ...]
    # Areas that may be felt on both sides (SCM clavicular head to the forehead, if severe).
    bilateral_referral: tuple[str, ...] = ()
    # True when the code names the whole muscle or group the entry is a part of.
    approximate: bool = False


def _muscle(
    code: str,
    label: str,
    group: str,
    view: str,
    snomed: Code | None,
    *,
    approximate: bool = False,
) -> Muscle:
    referral = REFERRALS[code]
    return Muscle(
        code=code,
        label=label,
        group=group,
        views=(view,),
        snomed=snomed,
        referral_areas=referral.areas,
        referral_note=referral.note,
        sources=referral.sources,
        bilateral_referral=referral.bilateral,
        approximate=approximate,
    )


_F = "front"
_B = "back"
_HEAD = "head and jaw"
_NECK = "neck"
_SHOULDER = "shoulder girdle"
_CHEST = "chest"
_BACK = "back"
_HIP = "hip"
_THIGH = "thigh"
_LEG = "leg"

# Grouped head to foot, the order the form lists them in.
MUSCLES: Final[tuple[Muscle, ...]] = (
    _muscle("temporalis", "Temporalis", _HEAD, _F, bs.TEMPORALIS),
    _muscle("masseter", "Masseter", _HEAD, _F, bs.MASSETER),
    # Both heads share the whole-muscle code.
    _muscle(
        "scm_sternal",
        "Sternocleidomastoid, sternal head",
        _NECK,
        _F,
        bs.STERNOCLEIDOMASTOID,
        approximate=True,
    ),
    _muscle(
        "scm_clavicular",
        "Sternocleidomastoid, clavicular head",
        _NECK,
        _F,
        bs.STERNOCLEIDOMASTOID,
        approximate=True,
    ),
    _muscle("splenius_capitis", "Splenius capitis", _NECK, _B, bs.SPLENIUS_CAPITIS),  # PARTIAL
    _muscle("suboccipitals", "Suboccipitals", _NECK, _B, bs.SUBOCCIPITAL),
    _muscle("scalenes", "Scalenes", _NECK, _F, bs.SCALENE),
    _muscle("levator_scapulae", "Levator scapulae", _NECK, _B, bs.LEVATOR_SCAPULAE),
    # The three parts of trapezius share the whole-muscle code.
    _muscle("upper_trapezius", "Upper trapezius", _SHOULDER, _B, bs.TRAPEZIUS, approximate=True),
    _muscle("middle_trapezius", "Middle trapezius", _SHOULDER, _B, bs.TRAPEZIUS, approximate=True),
    _muscle("lower_trapezius", "Lower trapezius", _SHOULDER, _B, bs.TRAPEZIUS, approximate=True),
    _muscle("supraspinatus", "Supraspinatus", _SHOULDER, _B, bs.SUPRASPINATUS),
    _muscle("infraspinatus", "Infraspinatus", _SHOULDER, _B, bs.INFRASPINATUS),
    _muscle("teres_minor", "Teres minor", _SHOULDER, _B, bs.TERES_MINOR),
    # Palpated in the axilla, so drawn on the front view.
    _muscle("subscapularis", "Subscapularis", _SHOULDER, _F, bs.SUBSCAPULARIS),
    _muscle("latissimus_dorsi", "Latissimus dorsi", _SHOULDER, _B, bs.LATISSIMUS_DORSI),
    _muscle("pectoralis_major", "Pectoralis major", _CHEST, _F, bs.PECTORALIS_MAJOR),
    _muscle("serratus_anterior", "Serratus anterior", _CHEST, _F, bs.SERRATUS_ANTERIOR),
    _muscle("quadratus_lumborum", "Quadratus lumborum", _BACK, _B, None),  # no code seen
    # The reference gives these two one row; two entries because only iliocostalis has a code,
    # the whole-muscle one (244855009 for iliocostalis lumborum is UNVERIFIED).
    _muscle(
        "iliocostalis_lumborum",
        "Iliocostalis lumborum",
        _BACK,
        _B,
        bs.ILIOCOSTALIS,
        approximate=True,
    ),
    _muscle("lumbar_multifidus", "Lumbar multifidus", _BACK, _B, None),  # no code seen
    _muscle("gluteus_maximus", "Gluteus maximus", _HIP, _B, bs.GLUTEUS_MAXIMUS),
    _muscle("gluteus_medius", "Gluteus medius", _HIP, _B, bs.GLUTEUS_MEDIUS),
    _muscle("gluteus_minimus", "Gluteus minimus", _HIP, _B, bs.GLUTEUS_MINIMUS),  # PARTIAL
    _muscle("piriformis", "Piriformis", _HIP, _B, bs.PIRIFORMIS),
    _muscle("rectus_femoris", "Rectus femoris", _THIGH, _F, bs.RECTUS_FEMORIS),
    _muscle("vastus_medialis", "Vastus medialis", _THIGH, _F, bs.VASTUS_MEDIALIS),  # PARTIAL
    # Coded as the hamstring group: 181672002 for biceps femoris is UNVERIFIED.
    _muscle(
        "biceps_femoris",
        "Biceps femoris (hamstrings)",
        _THIGH,
        _B,
        bs.HAMSTRINGS,
        approximate=True,
    ),
    # The reference's codes for these three (181700004, 181702007, 181696007) are UNVERIFIED.
    _muscle("gastrocnemius", "Gastrocnemius", _LEG, _B, None),
    _muscle("soleus", "Soleus", _LEG, _B, None),
    _muscle("tibialis_anterior", "Tibialis anterior", _LEG, _F, None),
)

MUSCLE_BY_CODE: Final[Mapping[str, Muscle]] = MappingProxyType(
    {muscle.code: muscle for muscle in MUSCLES}
)


def typical_referral_zones(
    muscle_code: str, side: Side, *, include_bilateral: bool = False
) -> tuple[str, ...]:
    """Return the side-qualified zones a trigger point in this muscle typically refers to."""
    if muscle_code == OTHER_MUSCLE:
        return ()
    muscle = MUSCLE_BY_CODE[muscle_code]
    if side is Side.MIDLINE:
        raise ValueError("muscles are paired: a trigger point is on the left or the right")
    zones = [zone_code(area, side) for area in muscle.referral_areas]
    if include_bilateral:
        other = Side.RIGHT if side is Side.LEFT else Side.LEFT
        zones += [zone_code(area, other) for area in muscle.bilateral_referral]
    return tuple(dict.fromkeys(zones))  # a midline zone would otherwise repeat
