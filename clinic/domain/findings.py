"""What the clinician recorded, as plain values: the input of validation and scoring.

A site that is absent from `ExamFindings.tender_points` was not recorded yet; a site recorded with
`examined=False` was deliberately not examined. Neither is a negative finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from clinic.domain.scales import (
    Impression,
    PressureUnit,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)


@dataclass(frozen=True)
class PressureReading:
    """An algometer reading: pressure pain threshold, its unit, and the probe area if known."""

    value: Decimal
    unit: PressureUnit
    probe_area_cm2: Decimal | None = None


@dataclass(frozen=True)
class TenderPointInput:
    """Palpation of one tender-point or control site."""

    site_code: str
    examined: bool = True
    not_examined_reason: str = ""
    # ACR 1990: did the patient say palpation was painful? ("tender" alone is not painful)
    painful: bool | None = None
    # MTPS 0-10 rating; a "not painful" answer means 0 (see effective_rating).
    rating: int | None = None
    ppt: PressureReading | None = None

    @property
    def effective_rating(self) -> int | None:
        """The 0-10 rating, with "not painful" read as 0 as the MTPS protocol does."""
        if not self.examined:
            return None
        if self.rating is None and self.painful is False:
            return 0
        return self.rating


@dataclass(frozen=True)
class TriggerPointInput:
    """One palpated myofascial trigger point."""

    muscle_code: str | None
    side: Side
    muscle_other_name: str = ""
    location_in_muscle: str = ""
    nodule_length_mm: Decimal | None = None
    nodule_width_mm: Decimal | None = None
    tenderness_grade: TendernessGrade | None = None
    rating: int | None = None
    taut_band: TautBand | None = None
    hypersensitive_spot: bool | None = None
    patient_recognition: bool | None = None
    local_twitch_response: TwitchResponse | None = None
    jump_sign: bool | None = None
    referred_pain: bool | None = None
    # Side-qualified body-area codes from clinic.domain.body_areas ("temple_left", "sternum").
    referral_zones: tuple[str, ...] = ()
    referral_description: str = ""
    classification: TriggerPointClass | None = None
    ppt: PressureReading | None = None
    notes: str = ""


# The trigger-point values stored, shown and exported as they are (muscle, zones and the
# algometer reading need their own handling).
TRIGGER_POINT_PLAIN_FIELDS = (
    "side",
    "location_in_muscle",
    "nodule_length_mm",
    "nodule_width_mm",
    "tenderness_grade",
    "rating",
    "taut_band",
    "hypersensitive_spot",
    "patient_recognition",
    "local_twitch_response",
    "jump_sign",
    "referred_pain",
    "referral_description",
    "classification",
    "notes",
)


@dataclass(frozen=True)
class SurveyInput:
    """History and criteria survey; None always means "not asked", never "no"."""

    pain_duration_months: int | None = None
    pain_left_side: bool | None = None
    pain_right_side: bool | None = None
    pain_above_waist: bool | None = None
    pain_below_waist: bool | None = None
    pain_axial: bool | None = None
    # WPI area code -> painful in the past week; an area missing from the mapping was not asked.
    pain_areas: Mapping[str, bool] = field(default_factory=dict)
    fatigue: int | None = None
    waking_unrefreshed: int | None = None
    cognitive_symptoms: int | None = None
    headaches: bool | None = None
    lower_abdominal_pain: bool | None = None
    depression: bool | None = None
    somatic_symptoms: int | None = None
    other_disorder_explains_pain: bool | None = None


@dataclass(frozen=True)
class ImpressionInput:
    """The clinician's own conclusions, apart from the classification criteria."""

    fibromyalgia: Impression = Impression.NOT_ASSESSED
    myofascial_pain_syndrome: Impression = Impression.NOT_ASSESSED
    assessment: str = ""
    plan: str = ""


@dataclass(frozen=True)
class ExamFindings:
    """Everything recorded in one exam, keyed for scoring."""

    tender_points: Mapping[str, TenderPointInput] = field(default_factory=dict)
    trigger_points: tuple[TriggerPointInput, ...] = ()
    survey: SurveyInput = field(default_factory=SurveyInput)
