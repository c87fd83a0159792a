"""Reading an exam document back into the domain's values: the inverse of exam_document.

A document is checked whole, and every problem is reported with the path of the key it concerns
("tender_points[3].rating"), the rules of clinic.domain.validation included. The keys the writer
derives (labels, ids, versions, scores, signature, addenda) are accepted and ignored; any other
unknown key is an error, so that a misspelt key is never silently dropped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Final, TypeVar

from clinic.domain.body_areas import ZONE_CODES
from clinic.domain.document import FORMAT, FORMAT_VERSION
from clinic.domain.document_fields import (
    DocumentObject,
    Reasons,
    object_at,
    refusal,
    shown,
    unstorable,
)
from clinic.domain.errors import DomainError
from clinic.domain.findings import (
    TRIGGER_POINT_PLAIN_FIELDS,
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.scales import (
    PAIN_RATING_MAX,
    PAIN_RATING_MIN,
    SYMPTOM_SEVERITY_ITEM_MAX,
    Impression,
    PressureUnit,
    Sex,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)
from clinic.domain.sites import SITE_BY_CODE
from clinic.domain.validation import validate_survey, validate_tender_point, validate_trigger_point
from clinic.domain.wpi import PAIN_AREA_BY_CODE

T = TypeVar("T")

_RATING = f"must be a whole number from {PAIN_RATING_MIN} to {PAIN_RATING_MAX}"
_SEVERITY = f"must be a whole number from 0 to {SYMPTOM_SEVERITY_ITEM_MAX}"
MRN_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
# The most trigger points one exam may hold: far more than any examination finds, few enough that
# reading and checking them all takes milliseconds.
MAX_TRIGGER_POINTS: Final = 200


@dataclass(frozen=True)
class LoadedPatient:
    """The patient identifiers a document carries; the id is absent from hand-made documents."""

    id: uuid.UUID | None
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex


@dataclass(frozen=True)
class LoadedExam:
    """What a document records, as the per-finding services take it."""

    patient: LoadedPatient
    exam_date: date
    clinician_id: uuid.UUID | None
    tender_points: tuple[TenderPointInput, ...]
    trigger_points: tuple[TriggerPointInput, ...]
    survey: SurveyInput
    impression: ImpressionInput
    # exam.id of the document, kept for the audit trail of a migration.
    source_id: str | None = None


def _pressure(record: DocumentObject) -> PressureReading | None:
    ppt = record.child("ppt", ("value", "unit", "probe_area_cm2"))
    if ppt is None:
        return None
    value = ppt.decimal("value", required=True)
    unit = ppt.choice("unit", PressureUnit, required=True)
    area = ppt.decimal("probe_area_cm2")
    if value is None or unit is None:
        return None
    return PressureReading(value, unit, area)


_TENDER_POINT_KEYS: Final = ("site", "examined", "not_examined_reason", "painful", "rating", "ppt")


def _tender_point(value: object, path: str, problems: Reasons) -> TenderPointInput | None:
    record = object_at(value, path, problems, _TENDER_POINT_KEYS, ("id", "version", "site_label"))
    if record is None:
        return None
    finding = TenderPointInput(
        site_code=record.text("site", required=True),
        examined=bool(record.flag("examined", required=True)),
        not_examined_reason=record.text("not_examined_reason"),
        painful=record.flag("painful"),
        rating=record.whole("rating", _RATING),
        ppt=_pressure(record),
    )
    if not record.sound:
        return None
    record.validated(validate_tender_point(finding))
    return finding if record.sound else None


_TRIGGER_POINT_KEYS: Final = (
    "position",
    "muscle",
    "muscle_other_name",
    "referral_zones",
    "ppt",
    *TRIGGER_POINT_PLAIN_FIELDS,
)


def _zones(record: DocumentObject) -> tuple[str, ...]:
    zones: dict[str, None] = {}  # in the order given, each once
    for path, zone in record.items("referral_zones", len(ZONE_CODES)):
        if not isinstance(zone, str):
            record.problems.append((path, "must be a body-zone code (a string)"))
        elif reason := unstorable(zone):
            record.problems.append((path, reason))
        elif zone in zones:
            record.problems.append((path, f"zone {shown(zone)!r} is listed twice"))
        else:
            zones[zone] = None
    return tuple(zones)


def _trigger_point(value: object, path: str, problems: Reasons) -> TriggerPointInput | None:
    derived = ("id", "version", "muscle_label")
    record = object_at(value, path, problems, _TRIGGER_POINT_KEYS, derived)
    if record is None:
        return None
    side = record.choice("side", Side, required=True)
    finding = TriggerPointInput(
        muscle_code=record.code("muscle"),
        side=side or Side.LEFT,
        muscle_other_name=record.text("muscle_other_name"),
        location_in_muscle=record.text("location_in_muscle"),
        nodule_length_mm=record.decimal("nodule_length_mm"),
        nodule_width_mm=record.decimal("nodule_width_mm"),
        tenderness_grade=record.choice("tenderness_grade", TendernessGrade),
        rating=record.whole("rating", _RATING),
        taut_band=record.choice("taut_band", TautBand),
        hypersensitive_spot=record.flag("hypersensitive_spot"),
        patient_recognition=record.flag("patient_recognition"),
        local_twitch_response=record.choice("local_twitch_response", TwitchResponse),
        jump_sign=record.flag("jump_sign"),
        referred_pain=record.flag("referred_pain"),
        referral_zones=_zones(record),
        referral_description=record.text("referral_description"),
        classification=record.choice("classification", TriggerPointClass),
        ppt=_pressure(record),
        notes=record.text("notes"),
    )
    if not record.sound:
        return None
    record.validated(validate_trigger_point(finding))
    return finding if record.sound else None


def _position(value: object) -> object:
    return value.get("position") if isinstance(value, dict) else None


def _trigger_points(document: DocumentObject) -> tuple[TriggerPointInput, ...]:
    """The trigger points in `position` order (list order where no position is given)."""
    entries = document.items("trigger_points", MAX_TRIGGER_POINTS)
    read: list[tuple[int, int, TriggerPointInput | None]] = []
    holders: dict[int, str] = {}
    for index, (path, value) in enumerate(entries):
        finding = _trigger_point(value, path, document.problems)
        position = _position(value)
        if position is None:
            read.append((index, index, finding))
        elif type(position) is not int or position < 0:
            document.problems.append((f"{path}.position", "must be a whole number, 0 or more"))
        elif position in holders:
            message = f"position {position} is also given to {holders[position]}"
            document.problems.append((f"{path}.position", message))
        else:
            holders[position] = path
            read.append((position, index, finding))
    return tuple(finding for _p, _i, finding in sorted(read, key=lambda r: r[:2]) if finding)


def _tender_points(document: DocumentObject) -> tuple[TenderPointInput, ...]:
    findings: list[TenderPointInput] = []
    seen: dict[str, str] = {}
    for path, value in document.items("tender_points", len(SITE_BY_CODE)):
        finding = _tender_point(value, path, document.problems)
        if finding is None:
            continue
        if finding.site_code in seen:
            message = f"site {finding.site_code} is also recorded in {seen[finding.site_code]}"
            document.problems.append((f"{path}.site", message))
            continue
        seen[finding.site_code] = path
        findings.append(finding)
    return tuple(findings)


def _pain_areas(survey: DocumentObject) -> dict[str, bool]:
    value = survey.value.get("pain_areas", {})
    if not isinstance(value, dict):
        survey.problem("pain_areas", "must be an object of area codes, each true or false")
        return {}
    if len(value) > len(PAIN_AREA_BY_CODE):
        message = f"must hold at most {len(PAIN_AREA_BY_CODE)} areas, not {len(value):,}"
        survey.problem("pain_areas", message)
        return {}
    answers: dict[str, bool] = {}
    for code, painful in value.items():
        if reason := unstorable(code):
            reason = "its code " + reason.removeprefix("contains ")
            survey.problem(f"pain_areas.{shown(code)}", reason)
        elif isinstance(painful, bool):
            answers[code] = painful
        else:
            message = "must be true or false (an area not asked is left out)"
            survey.problem(f"pain_areas.{code}", message)
    return answers


def _survey(document: DocumentObject) -> SurveyInput:
    survey = document.child("survey", tuple(f.name for f in fields(SurveyInput)), ("version",))
    if survey is None:
        return SurveyInput()
    answers = SurveyInput(
        pain_duration_months=survey.whole(
            "pain_duration_months", "must be a whole number of months, 0 or more"
        ),
        pain_left_side=survey.flag("pain_left_side"),
        pain_right_side=survey.flag("pain_right_side"),
        pain_above_waist=survey.flag("pain_above_waist"),
        pain_below_waist=survey.flag("pain_below_waist"),
        pain_axial=survey.flag("pain_axial"),
        pain_areas=_pain_areas(survey),
        fatigue=survey.whole("fatigue", _SEVERITY),
        waking_unrefreshed=survey.whole("waking_unrefreshed", _SEVERITY),
        cognitive_symptoms=survey.whole("cognitive_symptoms", _SEVERITY),
        headaches=survey.flag("headaches"),
        lower_abdominal_pain=survey.flag("lower_abdominal_pain"),
        depression=survey.flag("depression"),
        somatic_symptoms=survey.whole("somatic_symptoms", _SEVERITY),
        other_disorder_explains_pain=survey.flag("other_disorder_explains_pain"),
    )
    if survey.sound:
        survey.validated(validate_survey(answers))
    return answers


def _impression(document: DocumentObject) -> ImpressionInput:
    keys = ("fibromyalgia", "myofascial_pain_syndrome", "assessment", "plan")
    impression = document.child("impression", keys)
    if impression is None:
        return ImpressionInput()
    return ImpressionInput(
        fibromyalgia=impression.choice("fibromyalgia", Impression) or Impression.NOT_ASSESSED,
        myofascial_pain_syndrome=(
            impression.choice("myofascial_pain_syndrome", Impression) or Impression.NOT_ASSESSED
        ),
        assessment=impression.text("assessment"),
        plan=impression.text("plan"),
    )


def _name(patient: DocumentObject, key: str) -> str:
    name = patient.text(key, required=True)
    if isinstance(patient.value.get(key), str) and not name.strip():
        patient.problem(key, "must not be blank")
    return name


def _patient(document: DocumentObject) -> LoadedPatient | None:
    keys = ("id", "mrn", "family_name", "given_name", "date_of_birth", "sex")
    patient = document.child("patient", keys, required=True)
    if patient is None:
        return None
    patient_id = patient.public_id("id")
    mrn = _name(patient, "mrn")
    if mrn.strip() and not MRN_PATTERN.fullmatch(mrn.strip()):
        patient.problem("mrn", "must use letters, digits and . _ / - only")
    family_name = _name(patient, "family_name")
    given_name = _name(patient, "given_name")
    born = patient.day("date_of_birth")
    sex = patient.choice("sex", Sex, required=True)
    if not patient.sound or born is None or sex is None:
        return None
    return LoadedPatient(patient_id, mrn, family_name, given_name, born, sex)


def _header(document: DocumentObject) -> tuple[date | None, uuid.UUID | None, str | None]:
    exam = document.child(
        "exam", ("date", "clinician"), ("id", "version", "status", "created_at"), required=True
    )
    if exam is None:
        return None, None, None
    exam_date = exam.day("date")
    clinician = exam.child("clinician", ("id",), ("name", "credentials", "licence_number"))
    clinician_id = clinician.public_id("id") if clinician else None
    source = exam.value.get("id")
    return exam_date, clinician_id, source if isinstance(source, str) else None


_DOCUMENT_KEYS_READ: Final = (
    "format",
    "format_version",
    "exam",
    "patient",
    "tender_points",
    "trigger_points",
    "survey",
    "impression",
)
_DOCUMENT_KEYS_DERIVED: Final = (
    "export",  # an export's seal (clinic.domain.document.seal_of)
    "scores",
    "scoring_version",
    "signature",
    "entered_in_error",
    "addenda",
)


def _check_format(document: Mapping[str, object]) -> Reasons:
    reasons: Reasons = []
    if document.get("format") != FORMAT:
        reasons.append(("format", f"must be {FORMAT!r}"))
    version = document.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        reasons.append(("format_version", f"must be {FORMAT_VERSION}"))
    return reasons


def read_exam_document(document: object) -> LoadedExam:
    """Read an exam document into domain values; DomainError names every problem by its path."""
    if not isinstance(document, dict):
        raise DomainError([("document", "must be a JSON object")])
    problems = _check_format(document)
    if problems:
        raise DomainError(problems)
    top = DocumentObject(document, "", problems, _DOCUMENT_KEYS_READ, _DOCUMENT_KEYS_DERIVED)
    exam_date, clinician_id, source_id = _header(top)
    patient = _patient(top)
    tender_points = _tender_points(top)
    trigger_points = _trigger_points(top)
    survey = _survey(top)
    impression = _impression(top)
    if problems or patient is None or exam_date is None:
        raise refusal(problems, "document")
    return LoadedExam(
        patient=patient,
        exam_date=exam_date,
        clinician_id=clinician_id,
        tender_points=tender_points,
        trigger_points=trigger_points,
        survey=survey,
        impression=impression,
        source_id=source_id,
    )


def _read_one(value: object, read: Callable[[object, str, Reasons], T | None]) -> T:
    problems: Reasons = []
    result = read(value, "", problems)
    if problems or result is None:
        raise refusal(problems or [("", "must be an object")], "")
    return result


def read_tender_point(value: object) -> TenderPointInput:
    """One tender-point finding in the document's shape (as the tablet's autosave sends it)."""
    return _read_one(value, _tender_point)


def read_trigger_point(value: object) -> TriggerPointInput:
    """One trigger-point finding in the document's shape."""
    return _read_one(value, _trigger_point)


def _read_section(value: object, name: str, read: Callable[[DocumentObject], T]) -> T:
    problems: Reasons = []
    document = DocumentObject({name: value}, "", problems, (name,))
    result = read(document)
    if problems:
        prefix = f"{name}."
        reasons = [(field.removeprefix(prefix), message) for field, message in problems]
        raise refusal(reasons, "")
    return result


def read_survey(value: object) -> SurveyInput:
    """The survey answers in the document's shape."""
    return _read_section(value, "survey", _survey)


def read_impression(value: object) -> ImpressionInput:
    """The impression, assessment and plan in the document's shape."""
    return _read_section(value, "impression", _impression)
