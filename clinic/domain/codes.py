"""Coded concepts with the confidence the clinical reference (docs/clinical-reference.md) gives.

Only VERIFIED codes are ever emitted as standard codes (FHIR, PDF); the others stay in the
catalogue as documentation and are replaced by a local code and text (clinical reference,
sections 6 and 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SNOMED_CT = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


class Confidence(StrEnum):
    """How well the clinical reference could confirm a code or fact."""

    VERIFIED = "verified"
    PARTIAL = "partial"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Code:
    """A code in a terminology, with its display text and confidence."""

    system: str
    code: str
    display: str
    confidence: Confidence

    @property
    def emittable(self) -> bool:
        """Whether the code may be sent to other systems as a standard code."""
        return self.confidence is Confidence.VERIFIED


def snomed(code: str, display: str, confidence: Confidence = Confidence.VERIFIED) -> Code:
    """A SNOMED CT concept."""
    return Code(SNOMED_CT, code, display, confidence)


LEFT = snomed("7771000", "Left")
RIGHT = snomed("24028007", "Right")
BILATERAL = snomed("51440002", "Right and left")
