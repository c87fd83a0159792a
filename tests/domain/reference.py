"""The shared domain reference and every code the catalogues carry, for the catalogue tests."""

from __future__ import annotations

from pathlib import Path

from clinic.domain import body_structures
from clinic.domain.body_areas import BODY_AREAS
from clinic.domain.codes import Code
from clinic.domain.muscles import MUSCLES
from clinic.domain.sites import ALL_SITES
from clinic.domain.wpi import PAIN_AREAS

# tests/domain/ -> tests/ -> the repository -> its parent, where shared/ sits beside it.
REFERENCE_PATH = Path(__file__).resolve().parents[3] / "shared" / "domain.md"

# Codes the reference's tables (sections 3.1, 6.1, 6.3, 6.3b) mark VERIFIED, read by hand.
VERIFIED_IN_REFERENCE: dict[str, str] = {
    "7771000": "Left",
    "24028007": "Right",
    "51440002": "Right and left",
    "31764008": "Trapezius muscle",
    "22823000": "Sternocleidomastoid muscle",
    "6423006": "Supraspinatus muscle",
    "72573008": "Infraspinatus muscle",
    "90588001": "Subscapularis muscle",
    "1193009": "Teres major",
    "51159009": "Teres minor",
    "35259002": "Deltoid muscle",
    "15665001": "Latissimus dorsi",
    "60005003": "Pectoralis major",
    "18686000": "Pectoralis minor",
    "18346003": "Serratus anterior",
    "50755001": "Scalenus anterior",
    "44947003": "Erector spinae",
    "78333006": "Gluteus medius",
    "206007": "Gluteus maximus",
    "81727001": "Muscle of neck",
    "31640002": "Occipital bone",
    "700032006": "Occipital region of scalp",
    "52795006": "Forehead structure",
    "76505004": "Thumb",
    "770810008": "Nail unit of thumb",
    "45048000": "Neck",
    "122494005": "Cervical spine",
    "122495006": "Thoracic spine",
    "122496007": "Lumbar spine",
    "113197003": "Rib",
    "50016007": "Costal cartilage",
    "78904004": "Chest wall",
    "79601000": "Scapula",
    "54735007": "Sacrum",
    "29850006": "Iliac crest",
    "127949000": "Elbow region",
    "14975008": "Forearm",
    "40983000": "Upper arm",
    "85562004": "Hand",
    "16982005": "Shoulder region",
    "26444007": "Shoulder girdle",
    "46862004": "Buttock",
    "29836001": "Hip region",
    "30547004": "Greater trochanter of femur",
    "68367000": "Thigh",
    "72696002": "Knee region",
    "49076000": "Knee joint",
    "30021000": "Lower leg",
    "661005": "Jaw region",
    "53620006": "TMJ",
    "89545001": "Face",
    "69536005": "Head",
    "77568009": "Back",
    "52612000": "Lumbar region back structure",
    "816094009": "Chest (DICOM)",
    "51185008": "Thoracic structure",
    "818981001": "Abdomen (DICOM)",
    "11327007": "Levator scapulae muscle",
    "75699001": "Piriformis muscle",
    "79368004": "Masseter muscle",
    "52927003": "Temporalis muscle",
    "244847002": "Suboccipital muscle",
    "72226001": "Rectus femoris muscle",
    "128511007": "Posterior muscle of thigh",
    "57651003": "Iliocostalis muscle",
    "714469004": "Scalene muscle",
    "78247007": "Bone structure of second rib",
    "113345001": "Abdominal structure",
    "79112004": "Skeletal muscle structure of back",
}

# Section 6.3b: seen only in sources of unknown origin or with errors.
PARTIAL_IN_REFERENCE: dict[str, str] = {
    "1600003": "Splenius capitis",
    "3478008": "Vastus medialis",
    "75297007": "Gluteus minimus",
}

# Section 6.3b: UNVERIFIED (do not emit) and the ambiguous 24693007.
NEVER_EMITTED: frozenset[str] = frozenset(
    {
        "181700004",
        "181702007",
        "181696007",
        "181672002",
        "244855009",
        "181933003",
        "282413008",
        "24693007",
    }
)


def reference_text() -> str:
    """Return the domain reference; fail loudly, never skip, when it is missing."""
    if not REFERENCE_PATH.is_file():
        raise AssertionError(f"the shared domain reference is missing: {REFERENCE_PATH}")
    return REFERENCE_PATH.read_text(encoding="utf-8")


def catalogue_codes() -> list[tuple[str, Code]]:
    """Return (where, code) for every code any catalogue or the code module carries."""
    found: list[tuple[str, Code]] = []
    for name, value in vars(body_structures).items():
        if isinstance(value, Code):
            found.append((f"body_structures.{name}", value))
    for area in BODY_AREAS:
        if area.snomed is not None:
            found.append((f"area {area.code}", area.snomed))
    for site in ALL_SITES:
        for code in (site.snomed, site.laterality):
            if code is not None:
                found.append((f"site {site.code}", code))
    for muscle in MUSCLES:
        if muscle.snomed is not None:
            found.append((f"muscle {muscle.code}", muscle.snomed))
    for pain_area in PAIN_AREAS:
        for code in (pain_area.snomed, pain_area.laterality):
            if code is not None:
                found.append((f"WPI area {pain_area.code}", code))
    return found
