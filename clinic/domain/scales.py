"""Enumerations and bounds of the exam's scales (see the clinical reference, sections 1-4)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final


class Sex(StrEnum):
    """Administrative sex, the four values HL7 FHIR's AdministrativeGender allows."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Side(StrEnum):
    """Body side of a finding; midline for structures on the body's axis."""

    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ExamStatus(StrEnum):
    """Life cycle of an exam: a draft, then signed and locked, or later marked entered in error."""

    DRAFT = "draft"
    SIGNED = "signed"
    ENTERED_IN_ERROR = "entered_in_error"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "signed": "Signed", "entered_in_error": "Entered in error"}[
            self.value
        ]


class TendernessGrade(StrEnum):
    """Soft-tissue tenderness grade 0-IV (Hubbard & Berkoff 1993): ordinal, never averaged."""

    G0 = "0"
    GI = "I"
    GII = "II"
    GIII = "III"
    GIV = "IV"


class PressureUnit(StrEnum):
    """Unit an algometer reports a pressure pain threshold in; values are the UCUM codes."""

    KGF_PER_CM2 = "kgf/cm2"
    KPA = "kPa"
    NEWTON = "N"

    @property
    def label(self) -> str:
        return {"kgf/cm2": "kgf/cm²", "kPa": "kPa", "N": "N"}[self.value]


# The one list of threshold units, as stored and exchanged: the forms, the exam document and its
# import, the data dictionary and the API schema all read it, so none can offer a unit the scale
# does not have.
PRESSURE_UNIT_CODES: Final[tuple[str, ...]] = tuple(unit.value for unit in PressureUnit)


class TautBand(StrEnum):
    """Whether a taut band was felt; deep muscles may make it impossible to assess."""

    PRESENT = "present"
    ABSENT = "absent"
    NOT_ASSESSABLE = "not_assessable"


class TwitchResponse(StrEnum):
    """Local twitch response on snapping palpation."""

    YES = "yes"
    NO = "no"
    NOT_TESTED = "not_tested"


class TriggerPointClass(StrEnum):
    """Classification the clinician confirms for a palpated spot."""

    ACTIVE = "active"
    LATENT = "latent"
    NOT_TRIGGER_POINT = "not_trigger_point"


class Impression(StrEnum):
    """The clinician's own diagnostic impression, kept apart from the classification criteria."""

    YES = "yes"
    NO = "no"
    NOT_ASSESSED = "not_assessed"


class PaperSize(StrEnum):
    """Paper the clinic prints chart summaries on."""

    LETTER = "letter"
    A4 = "a4"

    @property
    def label(self) -> str:
        return {"letter": "US Letter", "a4": "A4"}[self.value]


PAIN_RATING_MIN = 0
PAIN_RATING_MAX = 10
SYMPTOM_SEVERITY_ITEM_MAX = 3
NODULE_SIZE_MIN_MM = Decimal("1")
NODULE_SIZE_MAX_MM = Decimal("50")
NODULE_SIZE_STEP_MM = Decimal("0.5")
