"""Rules a recorded finding must satisfy beyond its shape; each broken rule names its field."""

from __future__ import annotations

from decimal import Decimal

from clinic.domain.body_areas import ZONE_CODES
from clinic.domain.errors import DomainError
from clinic.domain.findings import PressureReading, SurveyInput, TenderPointInput, TriggerPointInput
from clinic.domain.muscles import MUSCLE_BY_CODE, OTHER_MUSCLE
from clinic.domain.scales import (
    NODULE_SIZE_MAX_MM,
    NODULE_SIZE_MIN_MM,
    NODULE_SIZE_STEP_MM,
    PAIN_RATING_MAX,
    PAIN_RATING_MIN,
    SYMPTOM_SEVERITY_ITEM_MAX,
    PressureUnit,
    Side,
)
from clinic.domain.sites import SITE_BY_CODE
from clinic.domain.wpi import PAIN_AREA_BY_CODE

Reasons = list[tuple[str, str]]


def raise_if(reasons: Reasons) -> None:
    """Refuse the input with its reasons, when it has any."""
    if reasons:
        raise DomainError(reasons)


# Plausible algometer readings; beyond these a typo is far likelier than a patient.
PPT_MAX = {
    PressureUnit.KGF_PER_CM2: Decimal(20),
    PressureUnit.KPA: Decimal(2000),
    PressureUnit.NEWTON: Decimal(200),
}
PROBE_AREA_MAX_CM2 = Decimal(10)
# The columns keep two decimal places; more would be rounded away silently on storage.
PPT_DECIMAL_PLACES = 2
MAX_PAIN_DURATION_MONTHS = 1200


def _rating(value: int | None, field: str) -> Reasons:
    if value is not None and not PAIN_RATING_MIN <= value <= PAIN_RATING_MAX:
        return [
            (field, f"A pain rating is a whole number from {PAIN_RATING_MIN} to {PAIN_RATING_MAX}.")
        ]
    return []


def _too_precise(value: Decimal) -> bool:
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent < -PPT_DECIMAL_PLACES


def _pressure(reading: PressureReading | None, prefix: str) -> Reasons:
    if reading is None:
        return []
    reasons: Reasons = []
    limit = PPT_MAX[reading.unit]
    if not Decimal(0) < reading.value <= limit:
        reasons.append(
            (
                f"{prefix}ppt_value",
                f"Enter a threshold above 0 and at most {limit} {reading.unit.label}.",
            )
        )
    elif _too_precise(reading.value):
        reasons.append((f"{prefix}ppt_value", f"Use at most {PPT_DECIMAL_PLACES} decimal places."))
    area = reading.probe_area_cm2
    if area is not None and not Decimal(0) < area <= PROBE_AREA_MAX_CM2:
        reasons.append(
            (f"{prefix}ppt_probe_area_cm2", "Enter a probe area above 0 and at most 10 cm².")
        )
    elif area is not None and _too_precise(area):
        reasons.append(
            (f"{prefix}ppt_probe_area_cm2", f"Use at most {PPT_DECIMAL_PLACES} decimal places.")
        )
    return reasons


def validate_tender_point(finding: TenderPointInput) -> Reasons:
    """Check one tender-point or control-site finding."""
    if finding.site_code not in SITE_BY_CODE:
        return [("site_code", f"There is no tender-point site {finding.site_code!r}.")]
    if not finding.examined:
        reasons: Reasons = []
        if finding.painful is not None or finding.rating is not None or finding.ppt is not None:
            reasons.append(
                ("examined", "A site not examined has no result; clear it or mark it examined.")
            )
        return reasons
    reasons = _rating(finding.rating, "rating") + _pressure(finding.ppt, "")
    if finding.painful is False and finding.rating not in (None, 0):
        reasons.append(("rating", "The patient said it was not painful, so the rating is 0."))
    if finding.painful is True and finding.rating == 0:
        # A product rule, not a published one (docs/clinical-reference.md, product rules): the
        # site would count as positive for ACR 1990 and as negative for MTPS.
        reasons.append(
            (
                "rating",
                "Painful with a rating of 0 is a contradiction (positive for ACR 1990, negative "
                "for MTPS): rate the pain from 1 to 10, or answer not painful.",
            )
        )
    return reasons


def _nodule(size: Decimal | None, field: str) -> Reasons:
    if size is None:
        return []
    if not NODULE_SIZE_MIN_MM <= size <= NODULE_SIZE_MAX_MM:
        return [(field, f"A nodule measures {NODULE_SIZE_MIN_MM} to {NODULE_SIZE_MAX_MM} mm.")]
    if size % NODULE_SIZE_STEP_MM:
        return [(field, f"Measure to the nearest {NODULE_SIZE_STEP_MM} mm.")]
    return []


def validate_trigger_point(finding: TriggerPointInput) -> Reasons:
    """Check one trigger-point finding."""
    reasons: Reasons = []
    if finding.muscle_code is None or finding.muscle_code == OTHER_MUSCLE:
        if not finding.muscle_other_name.strip():
            reasons.append(("muscle_other_name", "Name the muscle, or choose it from the list."))
    elif finding.muscle_code not in MUSCLE_BY_CODE:
        reasons.append(
            ("muscle_code", f"There is no muscle {finding.muscle_code!r} in the catalogue.")
        )
    if finding.side is Side.MIDLINE:
        reasons.append(("side", "A trigger point lies in the left or the right muscle."))
    reasons += _nodule(finding.nodule_length_mm, "nodule_length_mm")
    reasons += _nodule(finding.nodule_width_mm, "nodule_width_mm")
    if finding.nodule_width_mm is not None and finding.nodule_length_mm is None:
        reasons.append(("nodule_length_mm", "Give the length when you give a width."))
    reasons += _rating(finding.rating, "rating") + _pressure(finding.ppt, "")
    unknown = [zone for zone in finding.referral_zones if zone not in ZONE_CODES]
    if unknown:
        reasons.append(("referral_zones", f"Unknown referral zone: {', '.join(unknown)}."))
    if finding.referral_zones and finding.referred_pain is False:
        reasons.append(("referral_zones", "Referral zones need referred pain to be marked yes."))
    return reasons


def validate_survey(survey: SurveyInput) -> Reasons:
    """Check the history and criteria survey."""
    reasons: Reasons = []
    months = survey.pain_duration_months
    if months is not None and not 0 <= months <= MAX_PAIN_DURATION_MONTHS:
        reasons.append(("pain_duration_months", "Enter the duration in whole months, 0 or more."))
    unknown = sorted(set(survey.pain_areas) - set(PAIN_AREA_BY_CODE))
    if unknown:
        reasons.append(("pain_areas", f"Unknown pain area: {', '.join(unknown)}."))
    for item in ("fatigue", "waking_unrefreshed", "cognitive_symptoms", "somatic_symptoms"):
        value = getattr(survey, item)
        if value is not None and not 0 <= value <= SYMPTOM_SEVERITY_ITEM_MAX:
            reasons.append((item, f"Choose a severity from 0 to {SYMPTOM_SEVERITY_ITEM_MAX}."))
    return reasons
