"""Typical referred-pain patterns of the catalogued muscles: the clinical reference's section 5.

Areas are base codes of clinic.domain.body_areas, felt on the muscle's side unless listed as
bilateral. Notes keep the sources' wording and caveats; sources are the keys of section 9.
Where a source names a spot the vocabulary has no area for, the comment says where it goes.
clinic.domain.muscles joins these to the muscles; read them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class Referral:
    """Where pain from a trigger point in one muscle is typically felt."""

    areas: tuple[str, ...]
    note: str
    sources: tuple[str, ...]
    bilateral: tuple[str, ...] = ()


REFERRALS: Final[Mapping[str, Referral]] = MappingProxyType(
    {
        "temporalis": Referral(
            # The maxilla is recorded as the cheek.
            ("temple", "orbit", "upper_teeth", "cheek", "tmj"),
            "Temple, eyebrow, behind eye, upper teeth; maxilla/TMJ.",
            ("NAM-T", "TRA"),
        ),
        "masseter": Referral(
            ("upper_teeth", "lower_teeth", "cheek", "jaw", "orbit", "tmj", "ear"),
            "Upper & lower molars, maxilla/mandible, eyebrow, TMJ, deep ear (tinnitus).",
            ("ML-MA", "TPN"),
        ),
        "scm_sternal": Referral(
            ("vertex", "occiput", "cheek", "orbit", "throat", "sternum"),
            "Vertex, occiput, cheek, over eye, throat, sternum (autonomic signs: lacrimation, "
            "coryza).",
            ("ML-SCM", "FPN"),
        ),
        "scm_clavicular": Referral(
            ("forehead", "ear", "mastoid"),
            "Forehead (bilateral if severe), deep ear / postauricular; dizziness.",
            ("ML-SCM", "TRI"),
            bilateral=("forehead",),
        ),
        "splenius_capitis": Referral(("vertex",), "Vertex of head.", ("GAT", "FPN")),
        "suboccipitals": Referral(
            ("occiput", "orbit"), "Band from occiput to orbit (headache).", ("GAT",)
        ),
        "scalenes": Referral(
            # "Lateral arm to hand/fingers" passes down the radial forearm.
            (
                "anterior_chest",
                "lateral_arm",
                "radial_forearm",
                "hand",
                "medial_scapular_border",
                "interscapular",
            ),
            "Anterior chest, lateral arm to hand/fingers, medial scapular border / interscapular.",
            ("GAT", "STUD"),
        ),
        "levator_scapulae": Referral(
            (
                "neck_angle",
                "medial_scapular_border",
                "inferior_scapular_angle",
                "posterior_shoulder",
            ),
            "Angle of neck, vertebral border and inferior angle of scapula, posterior shoulder.",
            ("ML-LS", "STUD"),
        ),
        "upper_trapezius": Referral(
            # The angle of the jaw is left out of the typical zones: the reference did not see it.
            ("posterolateral_neck", "mastoid", "temple"),
            "Posterolateral neck, behind ear/mastoid, temple (angle of jaw as spill-over per T&S "
            "— not seen in the sources consulted).",
            ("GAT", "FPN"),
        ),
        "middle_trapezius": Referral(
            ("interscapular", "shoulder_top"),
            "Medially toward spinous processes; top of shoulder.",
            ("GAT",),
        ),
        "lower_trapezius": Referral(
            ("posterolateral_neck", "suprascapular", "interscapular"),
            "Neck, suprascapular and interscapular region.",
            ("GAT",),
        ),
        "supraspinatus": Referral(
            ("deltoid", "lateral_arm", "lateral_elbow"),
            "Mid-deltoid region, down the arm, lateral epicondyle/elbow.",
            ("FPN", "ABE"),
        ),
        "infraspinatus": Referral(
            # The rare point to the medial scapular border is left to the clinician to tick.
            ("anterior_shoulder", "lateral_arm", "radial_forearm", "hand"),
            "Deep anterior shoulder, anterolateral arm, radial forearm and hand; "
            "(rare point → medial scapular border).",
            ("ML-IS", "FVIP", "STUD"),
        ),
        "teres_minor": Referral(("posterior_shoulder",), "Posterior deltoid area.", ("ABE",)),
        "subscapularis": Referral(
            ("posterior_shoulder", "scapula", "posterior_arm", "wrist"),
            "Posterior shoulder, over scapula, posterior arm to elbow; band around wrist "
            "(dorsal > volar).",
            ("NAM-S",),
        ),
        "latissimus_dorsi": Referral(
            (
                "inferior_scapular_angle",
                "anterior_shoulder",
                "medial_arm",
                "ulnar_forearm",
                "ulnar_fingers",
            ),
            "Inferior angle of scapula, front of shoulder, medial arm to ring/little fingers.",
            ("RE",),
        ),
        "pectoralis_major": Referral(
            ("anterior_chest", "anterior_shoulder", "medial_arm"),
            "Anterior chest/breast, front of shoulder, ulnar side of arm.",
            ("FPN", "ABE"),
        ),
        "serratus_anterior": Referral(
            # The reference says "scapular border"; the medial border is the one it can mean.
            ("lateral_chest", "medial_scapular_border"),
            "Lateral chest, scapular border.",
            ("FPN",),
        ),
        "quadratus_lumborum": Referral(
            (
                "sacroiliac",
                "buttock",
                "iliac_crest",
                "lower_abdomen",
                "groin",
                "greater_trochanter",
            ),
            "SI joint and lower buttock; along iliac crest to lower abdomen/groin; greater "
            "trochanter.",
            ("BRS", "FVIP-QL"),
        ),
        # One row in the reference; the occasional lower abdomen is left to the clinician.
        "iliocostalis_lumborum": Referral(
            ("low_back", "buttock"),
            "Low back, inferior gluteal region, occasionally lower abdomen (row shared with "
            "lumbar multifidus).",
            ("BRS",),
        ),
        "lumbar_multifidus": Referral(
            ("low_back", "buttock", "sacrum"),
            "Low back, inferior gluteal region; S-level multifidi locally to sacrum (row shared "
            "with iliocostalis lumborum).",
            ("BRS",),
        ),
        "gluteus_maximus": Referral(
            ("sacroiliac", "buttock", "coccyx"),
            "Crescent beside gluteal cleft / SI joint, whole buttock, coccyx.",
            ("TPM2", "BRS"),
        ),
        "gluteus_medius": Referral(
            ("iliac_crest", "sacrum", "sacroiliac", "buttock", "lateral_thigh", "low_back"),
            "Posterior iliac crest, sacrum/SI joint, lateral buttock, upper lateral thigh; "
            "low back.",
            ("BRS", "TGG", "ABE"),
        ),
        "gluteus_minimus": Referral(
            ("lateral_thigh", "posterior_thigh", "lateral_leg", "calf", "ankle"),
            'Lateral & posterior thigh and leg down to ankle ("pseudo-sciatica").',
            ("TGG", "CHR"),
        ),
        "piriformis": Referral(
            # "Posterior hip" has no area of its own: it is recorded as buttock.
            ("buttock", "posterior_thigh"),
            "Buttock, posterior hip, posterior thigh.",
            ("ABE",),
        ),
        "rectus_femoris": Referral(
            ("patella", "anterior_thigh"), "Patella and distal anterior thigh.", ("FPN",)
        ),
        "vastus_medialis": Referral(("medial_knee",), "Medial knee.", ("FPN",)),
        "biceps_femoris": Referral(
            # The posterior knee is left out of the typical zones: the reference did not see it.
            ("calf",),
            "Posterior leg / calf per fpnotebook (posterior knee per T&S — not seen).",
            ("FPN",),
        ),
        "gastrocnemius": Referral(("calf", "instep"), "Calf and instep of foot.", ("FPN",)),
        "soleus": Referral(("heel", "sacroiliac"), "Heel; sacroiliac joint.", ("FPN", "KNB")),
        "tibialis_anterior": Referral(
            ("anterior_shin", "ankle", "instep", "toes"),
            "Anterior shin/ankle, dorsum of foot, toes (great toe).",
            ("KNB",),
        ),
    }
)
