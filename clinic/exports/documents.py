"""The JSON export: each exam's canonical document (as `clinic exam show --format json` gives
it), as one JSON array or as NDJSON, read a batch of exams at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy.orm import Session

from clinic.domain.document import sealed
from clinic.domain.findings import SurveyInput
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.exports.loading import loaded_exams
from clinic.exports.selection import ExportFilter, Pseudonymiser
from clinic.services.signing import document_of

Json = dict[str, Any]

# What a de-identified document keeps of each part, by name: codes and the catalogue's labels,
# measurements, answers, scores and their times. Everything else is left out: names, what a
# person typed, and any field added to the document later until it is judged and named here
# (WITHHELD lists the parts judged identifying; a test keeps the two lists whole).
KEPT: dict[str, tuple[str, ...]] = {
    "": (
        "format",
        "format_version",
        "exam",
        "patient",
        "tender_points",
        "trigger_points",
        "survey",
        "impression",
        "scores",
        "scoring_version",
        "signature",
        "entered_in_error",
        "addenda",
    ),
    "exam": ("id", "version", "date", "status", "created_at", "clinician"),
    "patient": ("sex",),
    "tender_points": (
        "id",
        "version",
        "site",
        "site_label",
        "examined",
        "painful",
        "rating",
        "ppt",
    ),
    "trigger_points": (
        "id",
        "version",
        "position",
        "muscle",
        "muscle_label",
        "side",
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
        "referral_zones",
        "classification",
        "ppt",
    ),
    "survey": (*SurveyInput.__dataclass_fields__, "version"),
    "impression": ("fibromyalgia", "myofascial_pain_syndrome"),
    "signature": ("signed_by", "signed_at"),
    "entered_in_error": ("marked_at",),
    "addenda": ("id", "created_at"),
}
WITHHELD: dict[str, tuple[str, ...]] = {
    "": ("export",),
    # The id and MRN become pseudonyms and the date of birth its year (see _patient).
    "patient": ("id", "mrn", "family_name", "given_name", "date_of_birth"),
    "tender_points": ("not_examined_reason",),
    # muscle_label is kept only when it is the catalogue's (a muscle outside it is typed).
    "trigger_points": ("muscle_other_name", "location_in_muscle", "referral_description", "notes"),
    "impression": ("assessment", "plan"),
    # The digest is a hash of the whole identified document: with a guessed name, MRN and
    # birth date it would confirm who the exam is of.
    "signature": ("digest",),
    "entered_in_error": ("marked_by", "reason"),
    "addenda": ("author", "text"),
}
# People (clinician, signer) are kept by their id only.
_PERSON = ("id",)


def exam_documents(
    session: Session,
    where: ExportFilter,
    pseudonyms: Pseudonymiser | None = None,
    seal_key: bytes | None = None,
) -> Iterator[Json]:
    """Every chosen exam's canonical document, in exam date order; sealed with `seal_key` (an
    import here trusts a signed document only with its seal), de-identified with `pseudonyms`
    (then never sealed: such a document is not for importing)."""
    for loaded in loaded_exams(session, where):
        document = document_of(loaded.record, loaded.signed_document)
        if pseudonyms is not None:
            yield deidentified(document, pseudonyms)
        else:
            yield sealed(document, seal_key) if seal_key is not None else document


def _kept(value: Any, names: tuple[str, ...]) -> Any:
    """A part of the document (or each row of a list part) with only the fields named."""
    if isinstance(value, list):
        return [_kept(row, names) for row in value]
    if not isinstance(value, dict):
        return value
    return {key: item for key, item in value.items() if key in names}


def _trigger_point(point: Json) -> Json:
    kept: Json = _kept(point, KEPT["trigger_points"])
    if MUSCLE_BY_CODE.get(point.get("muscle") or "") is None:
        kept["muscle_label"] = None  # the name typed for a muscle outside the catalogue
    return kept


def _patient(patient: Json, pseudonyms: Pseudonymiser) -> Json:
    """The patient by keyed pseudonyms, the year of birth and the sex."""
    return {
        **_kept(patient, KEPT["patient"]),
        "id": pseudonyms.pseudonym("patient", str(patient["id"])),
        "mrn": pseudonyms.pseudonym("mrn", patient["mrn"].strip().lower()),
        "birth_year": int(patient["date_of_birth"][:4]),
    }


def deidentified(document: Json, pseudonyms: Pseudonymiser) -> Json:
    """The document for research: only the fields KEPT names, a keyed pseudonym for the
    patient and MRN, the year of birth, people by id. Scores and findings are kept."""
    result: Json = {}
    for part in KEPT[""]:
        if part not in document:
            continue
        value = document[part]
        if part == "patient":
            value = _patient(value, pseudonyms)
        elif part == "trigger_points":
            value = [_trigger_point(point) for point in value]
        elif part in KEPT:
            value = _kept(value, KEPT[part])
        result[part] = value
    result["exam"]["clinician"] = _kept(result["exam"].get("clinician"), _PERSON)
    if result.get("signature"):
        result["signature"]["signed_by"] = _kept(result["signature"].get("signed_by"), _PERSON)
    return result


# The documents as `json.dumps(document, ensure_ascii=False, sort_keys=True,
# separators=(",", ":"))` writes them (UTF-8, compact, keys sorted), several times faster.
_SORTED_LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def stream_ndjson(documents: Iterable[Json]) -> Iterator[bytes]:
    """One document per line."""
    for document in documents:
        yield orjson.dumps(document, option=_SORTED_LINE)


def stream_json_array(documents: Iterable[Json]) -> Iterator[bytes]:
    """One JSON array, written as the documents arrive."""
    yield b"["
    first = True
    for document in documents:
        yield (b"\n" if first else b",\n") + orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
        first = False
    yield b"\n]\n"
