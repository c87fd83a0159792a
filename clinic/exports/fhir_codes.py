"""Code systems, identifiers and extensions of the FHIR export, and the datatypes built of them.

Every system, identifier system and extension clinic.exports.fhir uses. Prefixes: `tpc:` is the
clinic's own base `https://tenderpoint.clinic/fhir/` (`BASE_URL`), `hl7:` is
`http://terminology.hl7.org/CodeSystem/`, `ext:` is `http://hl7.org/fhir/StructureDefinition/`.

| System, identifier system or extension | Used for |
|---|---|
| `http://snomed.info/sct` | body sites, laterality, palpation method, diagnoses: VERIFIED only |
| `http://loinc.org` | 72514-3 pain severity 0-10 (the palpation rating): VERIFIED only |
| `http://unitsofmeasure.org` (UCUM) | `mm`; `kgf/cm2`, `kPa`, `N` as read; `cm2` probe; `{score}` |
| `hl7:observation-category` | `exam` (palpation findings), `survey` (scores and criteria) |
| `hl7:data-absent-reason` | `not-performed` (not examined, not tested), `unknown` |
| `hl7:v3-ActCode` | Encounter.class `AMB` |
| `hl7:v3-DataOperation` | Provenance.activity `NULLIFY`: the exam was entered in error |
| `hl7:condition-clinical` | Condition.clinicalStatus `active` |
| `hl7:condition-ver-status` | `confirmed` (signed), `provisional` (draft), `entered-in-error` |
| `hl7:condition-category` | Condition.category `encounter-diagnosis` |
| `urn:iso-astm:E1762-95:2013` | Provenance.signature.type: author's / verification signature |
| `ext:observation-structureLaterality` | bodySite laterality, only beside a VERIFIED structure |
| `tpc:CodeSystem/tp-exam` | finding, report and component codes (`EXAM_CODES`) |
| `tpc:CodeSystem/tp-score` | score and criterion keys of clinic.domain.scoring, `_` as `-` |
| `tpc:CodeSystem/tp-site` | tender-point site codes as catalogued (`TP03L`, `CTRL_FOREHEAD`) |
| `tpc:CodeSystem/tp-muscle` | muscle codes as catalogued (`upper_trapezius`) |
| `tpc:CodeSystem/body-zone` | referral zone codes as catalogued (`temple_left`, `sternum`) |
| `tpc:CodeSystem/tenderness-grade` | `0`, `I`, `II`, `III`, `IV` (Hubbard & Berkoff 1993) |
| `tpc:CodeSystem/trigger-point-class` | `active`, `latent`, `not-trigger-point` |
| `tpc:CodeSystem/criteria-outcome` | `met`, `not-met`, `cannot-be-determined` |
| `tpc:CodeSystem/fs-category` | `none`, `mild`, `moderate`, `severe`, `very-severe` |
| `tpc:Questionnaire/exam-survey` | QuestionnaireResponse.questionnaire, `|` survey version |
| `tpc:sid/mrn` | Patient.identifier: the medical record number |
| `tpc:sid/exam` | DiagnosticReport.identifier: the exam's id |

Standard codes: `STANDARD_CODES` holds every SNOMED CT and LOINC code the export can emit. Body
structures and laterality come from the domain catalogues (sites, muscles, body areas, WPI areas),
never typed again here; the four concepts no catalogue binds (palpation, fibromyalgia, myofascial
pain syndrome, LOINC pain severity) are bound below, once, from the clinical reference.
Only codes whose confidence is VERIFIED are ever emitted; the others go out as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, Final

from clinic.domain import codes as domain_codes
from clinic.domain.body_areas import BODY_AREAS
from clinic.domain.codes import LOINC, SNOMED_CT, UCUM, Code, Confidence, snomed
from clinic.domain.muscles import MUSCLES
from clinic.domain.scoring import Outcome
from clinic.domain.sites import ALL_SITES
from clinic.domain.wpi import PAIN_AREAS

Json = dict[str, Any]

BASE_URL: Final = "https://tenderpoint.clinic/fhir"
CODE_SYSTEM_BASE: Final = f"{BASE_URL}/CodeSystem"
TP_EXAM: Final = f"{CODE_SYSTEM_BASE}/tp-exam"
TP_SCORE: Final = f"{CODE_SYSTEM_BASE}/tp-score"
TP_SITE: Final = f"{CODE_SYSTEM_BASE}/tp-site"
TP_MUSCLE: Final = f"{CODE_SYSTEM_BASE}/tp-muscle"
BODY_ZONE: Final = f"{CODE_SYSTEM_BASE}/body-zone"
TENDERNESS_GRADE: Final = f"{CODE_SYSTEM_BASE}/tenderness-grade"
TRIGGER_POINT_CLASS: Final = f"{CODE_SYSTEM_BASE}/trigger-point-class"
CRITERIA_OUTCOME: Final = f"{CODE_SYSTEM_BASE}/criteria-outcome"
FS_CATEGORY: Final = f"{CODE_SYSTEM_BASE}/fs-category"
SURVEY_QUESTIONNAIRE: Final = f"{BASE_URL}/Questionnaire/exam-survey"
MRN_SYSTEM: Final = f"{BASE_URL}/sid/mrn"
EXAM_ID_SYSTEM: Final = f"{BASE_URL}/sid/exam"

_HL7: Final = "http://terminology.hl7.org/CodeSystem"
OBSERVATION_CATEGORY: Final = f"{_HL7}/observation-category"
DATA_ABSENT_REASON: Final = f"{_HL7}/data-absent-reason"
ACT_CODE: Final = f"{_HL7}/v3-ActCode"
DATA_OPERATION: Final = f"{_HL7}/v3-DataOperation"
CONDITION_CLINICAL: Final = f"{_HL7}/condition-clinical"
CONDITION_VERIFICATION: Final = f"{_HL7}/condition-ver-status"
CONDITION_CATEGORY: Final = f"{_HL7}/condition-category"
SIGNATURE_TYPE: Final = "urn:iso-astm:E1762-95:2013"
LATERALITY_EXTENSION: Final = (
    "http://hl7.org/fhir/StructureDefinition/observation-structureLaterality"
)

# tpc:CodeSystem/tp-exam: every code of the clinic's exam code system, with its display.
EXAM_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # Observation.code of one palpated site or spot; DiagnosticReport.code of the exam.
        "tender-point": "Tender point",
        "control-point": "Control point",
        "trigger-point": "Myofascial trigger point finding",
        "exam-report": "Tender point and trigger point examination",
        # Components of a site or spot: valueBoolean, or dataAbsentReason (not tested, not
        # assessable), for these signs.
        "painful": "Painful on palpation (ACR 1990)",
        "taut-band": "Taut band",
        "hypersensitive-spot": "Hypersensitive spot",
        "referred-pain": "Referred pain",
        "pain-recognition": "Patient recognizes the pain",
        "local-twitch-response": "Local twitch response",
        "jump-sign": "Jump sign",
        # valueQuantity (UCUM): the algometer reading in its own unit, the probe, the nodule.
        "ppt": "Pressure pain threshold",
        "probe-area": "Algometer probe area",
        "nodule-length": "Nodule length",
        "nodule-width": "Nodule width",
        # valueCodeableConcept; one referral-zone component per zone.
        "tenderness-grade": "Tenderness grade",
        "referral-zone": "Referred pain zone",
        "delphi-2018": "Delphi 2018 trigger point criteria",
        "suggested-classification": "Classification suggested by the criteria",
        # valueString.
        "referral-description": "Referred pain description",
        # Components of scores: valueRange of an incomplete count, FS category, and the
        # trigger-point counts (valueInteger).
        "possible-range": "Range still possible while inputs are missing",
        "severity-category": "Severity category",
        "active": "Active trigger points",
        "latent": "Latent trigger points",
        "not-trigger-point": "Spots that are not trigger points",
        "unclassified": "Spots not classified",
    }
)

# tpc:CodeSystem/tp-score displays; the keys, versions and texts come from the scores themselves.
SCORE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "tpc_acr1990": "Tender point count",
        "tpc_mtps": "Tender point count, sites rated 2 or more",
        "fis": "Fibromyalgia Intensity Score",
        "wpi": "Widespread Pain Index",
        "sss_2010": "Symptom Severity Scale",
        "sss_2011": "Symptom Severity Scale",
        "regions_2016": "Generalized pain regions",
        "fs": "Fibromyalgia Severity (polysymptomatic distress)",
        "trigger_points": "Myofascial trigger points",
        "acr_1990": "Fibromyalgia classification criteria",
        "acr_2010": "Fibromyalgia diagnostic criteria",
        "acr_2011": "Fibromyalgia diagnostic criteria",
        "acr_2016": "Fibromyalgia diagnostic criteria",
    }
)

# tpc:Questionnaire/exam-survey: linkId (a SurveyInput field) -> question, in the form's order.
# pain_areas is a group whose items are the WPI area codes, labelled from the WPI catalogue.
SURVEY_QUESTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pain_duration_months": "How many months has the pain lasted?",
        "pain_left_side": "Pain on the left side of the body?",
        "pain_right_side": "Pain on the right side of the body?",
        "pain_above_waist": "Pain above the waist?",
        "pain_below_waist": "Pain below the waist?",
        "pain_axial": "Axial pain (neck, chest, thoracic or low back)?",
        "pain_areas": "Areas painful in the past week (Widespread Pain Index)",
        "fatigue": "Fatigue (0-3)",
        "waking_unrefreshed": "Waking unrefreshed (0-3)",
        "cognitive_symptoms": "Cognitive symptoms (0-3)",
        "headaches": "Headaches in the past 6 months?",
        "lower_abdominal_pain": "Pain or cramps in the lower abdomen in the past 6 months?",
        "depression": "Depression in the past 6 months?",
        "somatic_symptoms": "Somatic symptoms (0-3, ACR 2010)",
        "other_disorder_explains_pain": "Does another disorder explain the pain?",
    }
)

# The concepts no catalogue binds, each read next to its name in the clinical reference.
# Section 6.2: "Palpation (procedure) — Observation.method", VERIFIED [PYD].
PALPATION: Final = snomed("113011001", "Palpation")
# Section 6.2: VERIFIED (HL7 FHIR example data + VSAC value set).
FIBROMYALGIA: Final = snomed("203082005", "Fibromyalgia")
# Section 6.3b: VERIFIED (one code-set source); 24693007 is ambiguous there and never used.
MYOFASCIAL_PAIN_SYNDROME: Final = snomed("726531007", "Myofascial pain syndrome")
# Section 6.5: a *reported* pain severity, used for the palpation-evoked 0-10 rating as a
# documented pragmatic choice; valueInteger, not the LA answer codes (section 8.8).
PAIN_SEVERITY: Final = Code(
    LOINC,
    "72514-3",
    "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    Confidence.VERIFIED,
)


def _catalogue_codes() -> Iterator[Code]:
    yield from (domain_codes.LEFT, domain_codes.RIGHT, domain_codes.BILATERAL)
    for site in ALL_SITES:
        yield from (c for c in (site.snomed, site.laterality) if c is not None)
    yield from (muscle.snomed for muscle in MUSCLES if muscle.snomed is not None)
    yield from (area.snomed for area in BODY_AREAS if area.snomed is not None)
    for pain_area in PAIN_AREAS:
        yield from (c for c in (pain_area.snomed, pain_area.laterality) if c is not None)
    yield from (PALPATION, FIBROMYALGIA, MYOFASCIAL_PAIN_SYNDROME, PAIN_SEVERITY)


# (system, code) -> Code: every SNOMED CT and LOINC code the export may meet, with its confidence.
STANDARD_CODES: Final[Mapping[tuple[str, str], Code]] = MappingProxyType(
    {(code.system, code.code): code for code in _catalogue_codes()}
)
STANDARD_SYSTEMS: Final = frozenset({SNOMED_CT, LOINC})


def is_verified(code: Code | None) -> bool:
    """Whether a code is the registry's own and marked VERIFIED there."""
    if code is None:
        return False
    known = STANDARD_CODES.get((code.system, code.code))
    return known == code and code.emittable


def standard_coding(code: Code) -> Json:
    """A Coding of a standard code; refuses any code the registry does not hold as VERIFIED."""
    if not is_verified(code):
        raise ValueError(f"{code.system}|{code.code} is not a verified code of the registry")
    return {"system": code.system, "code": code.code, "display": code.display}


def local_coding(system: str, code: str, display: str | None = None) -> Json:
    """A Coding of a code system that is not SNOMED CT or LOINC."""
    coding: Json = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def exam_coding(code: str) -> Json:
    """A Coding of the clinic's tp-exam code system; KeyError for a code it does not define."""
    return local_coding(TP_EXAM, code, EXAM_CODES[code])


# The constant parts of resources (a site's bodySite, a component's code) are built once and then
# shared by every resource that holds them: a resource is written out as built, never changed.


@cache
def exam_concept(code: str) -> Json:
    """The CodeableConcept of a tp-exam code (built once, shared)."""
    return concept(exam_coding(code))


@cache
def standard_concept(code: Code) -> Json:
    """The CodeableConcept of a VERIFIED standard code (built once, shared)."""
    return concept(standard_coding(code))


def exam_component(code: str, **value: object) -> Json:
    """An Observation.component coded in tp-exam, with its one value[x]."""
    return {"code": exam_concept(code), **value}


def local_code(key: str) -> str:
    """A domain key or enum value as a local code: kebab case ("not_met" -> "not-met")."""
    return key.replace("_", "-")


def concept(*codings: Json, text: str | None = None) -> Json:
    """A CodeableConcept of the codings given, with text when given."""
    value: Json = {}
    if codings:
        value["coding"] = list(codings)
    if text:
        value["text"] = text
    return value


def number(value: Decimal) -> int | float:
    """A decimal as a JSON number: 5, not 5.0; 2.4 as the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)


def ucum_quantity(value: Decimal, unit_code: str, unit: str | None = None) -> Json:
    """A Quantity in a UCUM unit; `unit` is the human form when it differs from the code."""
    return {"value": number(value), "unit": unit or unit_code, "system": UCUM, "code": unit_code}


@lru_cache(maxsize=256)
def absent(code: str, text: str | None = None) -> Json:
    """A dataAbsentReason CodeableConcept."""
    return concept(local_coding(DATA_ABSENT_REASON, code), text=text)


def component(code: Json, text: str | None = None, **value: object) -> Json:
    """An Observation.component: its code and one value[x] (or dataAbsentReason)."""
    return {"code": concept(code, text=text), **value}


@cache
def outcome_concept(outcome: Outcome) -> Json:
    """A criterion's outcome (met, not met, cannot be determined) as a CodeableConcept."""
    return concept(local_coding(CRITERIA_OUTCOME, local_code(outcome.value), outcome.words))


def body_site(local: Json | None, code: Code | None, laterality: Code | None, text: str) -> Json:
    """A bodySite: SNOMED CT, and laterality beside it, only where the code is VERIFIED."""
    site: Json = {}
    codings = [] if local is None else [local]
    if code is not None and is_verified(code):
        codings.insert(0, standard_coding(code))
        if laterality is not None:
            lateral = concept(standard_coding(laterality))
            site["extension"] = [{"url": LATERALITY_EXTENSION, "valueCodeableConcept": lateral}]
    return site | concept(*codings, text=text)


def codings_in(value: object) -> Iterator[tuple[str, str]]:
    """Every (system, code) of a Coding anywhere in a JSON value (resources, bundles)."""
    if isinstance(value, Mapping):
        system, code = value.get("system"), value.get("code")
        if isinstance(system, str) and isinstance(code, str):
            yield system, code
        for item in value.values():
            yield from codings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from codings_in(item)


def unverified_codes(resources: Iterable[Json]) -> list[tuple[str, str]]:
    """The SNOMED CT and LOINC codes in these resources that the registry does not hold VERIFIED."""
    found = set()
    for resource in resources:
        for system, code in codings_in(resource):
            known = STANDARD_CODES.get((system, code))
            if system in STANDARD_SYSTEMS and (known is None or not known.emittable):
                found.add((system, code))
    return sorted(found)
