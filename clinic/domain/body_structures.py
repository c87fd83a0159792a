"""SNOMED CT body-structure codes the catalogues bind to, each read from the clinical reference.

Every code here was copied from the clinical reference's tables (section 3.1 for the WPI areas,
6.3 and 6.3b for body structures) with the confidence they give it, so that a code is bound in one
place and the site, muscle, area and WPI catalogues only name it. Displays are the sources'.
Codes the reference marks UNVERIFIED (gastrocnemius 181700004, soleus 181702007, tibialis anterior
181696007, biceps femoris 181672002, iliocostalis lumborum 244855009, lateral epicondyle 181933003,
costochondral joint 282413008) and the ambiguous 24693007 are deliberately absent: those concepts go
out as text under a local code system instead.
"""

from __future__ import annotations

from typing import Final

from clinic.domain.codes import Code, Confidence, snomed

# Regions (section 6.3, "Neck / ... / lower leg" rows and section 3.1).
HEAD: Final[Code] = snomed("69536005", "Head")
FACE: Final[Code] = snomed("89545001", "Face")
FOREHEAD: Final[Code] = snomed("52795006", "Forehead structure")
OCCIPITAL_SCALP: Final[Code] = snomed("700032006", "Occipital region of scalp")
JAW_REGION: Final[Code] = snomed("661005", "Jaw region")
TMJ: Final[Code] = snomed("53620006", "Temporomandibular joint")
NECK: Final[Code] = snomed("45048000", "Neck")
CHEST_WALL: Final[Code] = snomed("78904004", "Chest wall")
# Section 3.1 offers 816094009 (DICOM "Chest") or 51185008; the long-standing one is chosen.
THORAX: Final[Code] = snomed("51185008", "Thoracic structure")
# Section 6.3b: "Abdomen (prefer this one)" over the DICOM 818981001.
ABDOMEN: Final[Code] = snomed("113345001", "Abdominal structure")
BACK: Final[Code] = snomed("77568009", "Back")
LUMBAR_BACK: Final[Code] = snomed("52612000", "Lumbar region back structure")
SCAPULA: Final[Code] = snomed("79601000", "Scapula")
SACRUM: Final[Code] = snomed("54735007", "Sacrum")
ILIAC_CREST: Final[Code] = snomed("29850006", "Iliac crest")
RIB: Final[Code] = snomed("113197003", "Rib")
SECOND_RIB: Final[Code] = snomed("78247007", "Bone structure of second rib")
SHOULDER_REGION: Final[Code] = snomed("16982005", "Shoulder region")
SHOULDER_GIRDLE: Final[Code] = snomed("26444007", "Shoulder girdle structure")
UPPER_ARM: Final[Code] = snomed("40983000", "Upper arm")
ELBOW_REGION: Final[Code] = snomed("127949000", "Elbow region")
FOREARM: Final[Code] = snomed("14975008", "Forearm")
HAND: Final[Code] = snomed("85562004", "Hand")
THUMB_NAIL: Final[Code] = snomed("770810008", "Nail unit of thumb")
BUTTOCK: Final[Code] = snomed("46862004", "Buttock")
HIP_REGION: Final[Code] = snomed("29836001", "Hip region")
GREATER_TROCHANTER: Final[Code] = snomed("30547004", "Structure of greater trochanter of femur")
THIGH: Final[Code] = snomed("68367000", "Thigh")
KNEE_REGION: Final[Code] = snomed("72696002", "Knee region")
LOWER_LEG: Final[Code] = snomed("30021000", "Lower leg")

# Muscles (sections 6.3 and 6.3b).
TRAPEZIUS: Final[Code] = snomed("31764008", "Structure of trapezius muscle")
# 22823000 is SCM, not trapezius: the reference warns an early draft swapped them.
STERNOCLEIDOMASTOID: Final[Code] = snomed("22823000", "Sternocleidomastoid muscle")
LEVATOR_SCAPULAE: Final[Code] = snomed("11327007", "Structure of levator scapulae muscle")
SUBOCCIPITAL: Final[Code] = snomed("244847002", "Suboccipital muscle")
TEMPORALIS: Final[Code] = snomed("52927003", "Structure of temporalis muscle")
MASSETER: Final[Code] = snomed("79368004", "Masseter muscle structure")
SCALENE: Final[Code] = snomed("714469004", "Structure of scalene muscle")
SUPRASPINATUS: Final[Code] = snomed("6423006", "Supraspinatus muscle")
INFRASPINATUS: Final[Code] = snomed("72573008", "Infraspinatus muscle")
TERES_MINOR: Final[Code] = snomed("51159009", "Teres minor")
SUBSCAPULARIS: Final[Code] = snomed("90588001", "Subscapularis muscle")
LATISSIMUS_DORSI: Final[Code] = snomed("15665001", "Latissimus dorsi")
PECTORALIS_MAJOR: Final[Code] = snomed("60005003", "Pectoralis major")
SERRATUS_ANTERIOR: Final[Code] = snomed("18346003", "Serratus anterior")
ILIOCOSTALIS: Final[Code] = snomed("57651003", "Structure of iliocostalis muscle")
GLUTEUS_MAXIMUS: Final[Code] = snomed("206007", "Gluteus maximus")
GLUTEUS_MEDIUS: Final[Code] = snomed("78333006", "Gluteus medius")
PIRIFORMIS: Final[Code] = snomed("75699001", "Structure of piriformis muscle")
RECTUS_FEMORIS: Final[Code] = snomed("72226001", "Rectus femoris muscle structure")
HAMSTRINGS: Final[Code] = snomed("128511007", "Posterior muscle of thigh structure")

# PARTIAL (section 6.3b): kept for documentation, never emitted as standard codes (Code.emittable).
SPLENIUS_CAPITIS: Final[Code] = snomed("1600003", "Splenius capitis muscle", Confidence.PARTIAL)
VASTUS_MEDIALIS: Final[Code] = snomed(
    "3478008", "Structure of vastus medialis muscle", Confidence.PARTIAL
)
# One mapping file, which also holds an error for the same muscle.
GLUTEUS_MINIMUS: Final[Code] = snomed("75297007", "Gluteus minimus muscle", Confidence.PARTIAL)
