"""The canonical JSON document of an exam, and the digest a signature covers.

Canonical form: keys sorted, UTF-8, no insignificant whitespace, decimals as strings without
trailing zeros, dates as YYYY-MM-DD, timestamps in UTC as YYYY-MM-DDTHH:MM:SSZ. The digest is the
SHA-256 of the canonical bytes without the parts that may change after signing: the status, the
signature itself, the entered-in-error mark and the addenda.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from clinic.domain.findings import (
    TRIGGER_POINT_PLAIN_FIELDS,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.domain.record import ExamRecord, PersonRef, RecordedTenderPoint, RecordedTriggerPoint
from clinic.domain.sites import ALL_SITES, SITE_BY_CODE

FORMAT = "tender-point-clinic/exam"
FORMAT_VERSION = 1
NOT_SIGNED_PARTS = ("signature", "entered_in_error", "addenda")

_SITE_ORDER = {site.code: index for index, site in enumerate(ALL_SITES)}

Json = dict[str, Any]


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as canonical text: "2.4", "5", never "2.40" or "5E+1"."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def timestamp_text(moment: datetime | None) -> str | None:
    """A moment in UTC to the second: 2026-11-24T10:42:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _person(person: PersonRef) -> Json:
    return {
        "id": person.id,
        "name": person.name,
        "credentials": person.credentials,
        "licence_number": person.licence_number,
    }


def _pressure(reading: PressureReading | None) -> Json | None:
    if reading is None:
        return None
    return {
        "value": decimal_text(reading.value),
        "unit": reading.unit.value,
        "probe_area_cm2": decimal_text(reading.probe_area_cm2),
    }


def _tender_point(recorded: RecordedTenderPoint) -> Json:
    finding: TenderPointInput = recorded.finding
    site = SITE_BY_CODE.get(finding.site_code)
    return {
        "id": recorded.id,
        "version": recorded.version,
        "site": finding.site_code,
        "site_label": site.label if site else finding.site_code,
        "examined": finding.examined,
        "not_examined_reason": finding.not_examined_reason,
        "painful": finding.painful,
        "rating": finding.rating,
        "ppt": _pressure(finding.ppt),
    }


def _trigger_point(recorded: RecordedTriggerPoint, position: int) -> Json:
    finding: TriggerPointInput = recorded.finding
    muscle = MUSCLE_BY_CODE.get(finding.muscle_code or "")
    document: Json = {
        "id": recorded.id,
        "version": recorded.version,
        "position": position,
        "muscle": finding.muscle_code,
        "muscle_label": muscle.label if muscle else finding.muscle_other_name,
        "muscle_other_name": finding.muscle_other_name,
        "referral_zones": sorted(finding.referral_zones),
        "ppt": _pressure(finding.ppt),
    }
    for name in TRIGGER_POINT_PLAIN_FIELDS:
        document[name] = _plain(getattr(finding, name))
    return document


def _survey(survey: SurveyInput, version: int) -> Json:
    document: Json = {
        name: _plain(getattr(survey, name))
        for name in SurveyInput.__dataclass_fields__
        if name != "pain_areas"
    }
    document["pain_areas"] = dict(sorted(survey.pain_areas.items()))
    document["version"] = version
    return document


def exam_document(record: ExamRecord, scores: Json, scoring_version: str) -> Json:
    """The whole exam as one JSON-ready document (scores given: frozen ones once signed)."""
    impression = record.impression
    tender_points = sorted(
        record.tender_points, key=lambda tp: _SITE_ORDER.get(tp.finding.site_code, len(_SITE_ORDER))
    )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exam": {
            "id": record.id,
            "version": record.version,
            "date": record.exam_date.isoformat(),
            "status": record.status.value,
            "created_at": timestamp_text(record.created_at),
            "clinician": _person(record.clinician),
        },
        "patient": {
            "id": record.patient.id,
            "mrn": record.patient.mrn,
            "family_name": record.patient.family_name,
            "given_name": record.patient.given_name,
            "date_of_birth": record.patient.date_of_birth.isoformat(),
            "sex": record.patient.sex.value,
        },
        "tender_points": [_tender_point(tp) for tp in tender_points],
        "trigger_points": [
            _trigger_point(tp, position) for position, tp in enumerate(record.trigger_points)
        ],
        "survey": _survey(record.survey, record.survey_version),
        "impression": {
            "fibromyalgia": impression.fibromyalgia.value,
            "myofascial_pain_syndrome": impression.myofascial_pain_syndrome.value,
            "assessment": impression.assessment,
            "plan": impression.plan,
        },
        "scores": scores,
        "scoring_version": scoring_version,
        "signature": (
            {
                "signed_by": _person(record.signature.signed_by),
                "signed_at": timestamp_text(record.signature.signed_at),
                "digest": record.signature.digest,
            }
            if record.signature
            else None
        ),
        "entered_in_error": (
            {
                "marked_by": _person(record.entered_in_error.marked_by),
                "marked_at": timestamp_text(record.entered_in_error.marked_at),
                "reason": record.entered_in_error.reason,
            }
            if record.entered_in_error
            else None
        ),
        "addenda": [
            {
                "id": addendum.id,
                "author": _person(addendum.author),
                "created_at": timestamp_text(addendum.created_at),
                "text": addendum.text,
            }
            for addendum in record.addenda
        ],
    }


def canonical_bytes(document: Json) -> bytes:
    """The document as canonical JSON bytes."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def signed_part(document: Json) -> Json:
    """The part of a document a signature covers."""
    signed = {key: value for key, value in document.items() if key not in NOT_SIGNED_PARTS}
    signed["exam"] = {key: value for key, value in document["exam"].items() if key != "status"}
    return signed


def document_digest(document: Json) -> str:
    """SHA-256 (hex) of the canonical bytes of the signed part of a document."""
    return hashlib.sha256(canonical_bytes(signed_part(document))).hexdigest()


def tender_point_json(recorded: RecordedTenderPoint) -> Json:
    """One tender-point finding as the document (and the autosave API) writes it."""
    return _tender_point(recorded)


def trigger_point_json(recorded: RecordedTriggerPoint, position: int) -> Json:
    """One trigger-point finding as the document (and the autosave API) writes it."""
    return _trigger_point(recorded, position)


# An exported document carries `export.hmac`: HMAC-SHA-256 of its canonical bytes (without the
# `export` block) under a key derived from the installation's secret key. An import trusts a
# document's signature only when this seal and the signature's digest both verify.
EXPORT_SEAL = "export"


def seal_of(document: Json, key: bytes) -> str:
    """The export seal (hex) of a document, whatever `export` block it carries."""
    unsealed = {name: value for name, value in document.items() if name != EXPORT_SEAL}
    return hmac.new(key, canonical_bytes(unsealed), hashlib.sha256).hexdigest()


def sealed(document: Json, key: bytes) -> Json:
    """The document with its export seal."""
    return {**document, EXPORT_SEAL: {"hmac": seal_of(document, key)}}
