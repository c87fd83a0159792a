"""The JSON export: each exam's canonical document (as `clinic exam show --format json` gives
it), as one JSON array or as NDJSON, read a batch of exams at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy.orm import Session

from clinic.domain.document import sealed
from clinic.exports.loading import loaded_exams
from clinic.exports.selection import ExportFilter, Pseudonymiser
from clinic.services.signing import document_of

Json = dict[str, Any]

# Free text a de-identified document leaves out (it may name people or places).
_FREE_TEXT = {
    "tender_points": ("not_examined_reason",),
    "trigger_points": ("location_in_muscle", "referral_description", "notes", "muscle_other_name"),
}


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


def _person(person: Json | None) -> Json | None:
    """A clinician by id only."""
    return None if person is None else {"id": person["id"]}


def deidentified(document: Json, pseudonyms: Pseudonymiser) -> Json:
    """The document for research: no names, a keyed pseudonym for the patient and MRN, the year
    of birth only, no free text. Scores and findings are kept."""
    patient = document["patient"]
    result = dict(document)
    result["patient"] = {
        "id": pseudonyms.pseudonym("patient", str(patient["id"])),
        "mrn": pseudonyms.pseudonym("mrn", patient["mrn"].strip().lower()),
        "birth_year": int(patient["date_of_birth"][:4]),
        "sex": patient["sex"],
    }
    result["exam"] = {**document["exam"], "clinician": _person(document["exam"].get("clinician"))}
    for part, names in _FREE_TEXT.items():
        result[part] = [{k: v for k, v in row.items() if k not in names} for row in document[part]]
    result["impression"] = {
        key: value
        for key, value in document["impression"].items()
        if key not in ("assessment", "plan")
    }
    signature = document.get("signature")
    if signature:
        result["signature"] = {**signature, "signed_by": _person(signature["signed_by"])}
    if document.get("entered_in_error"):
        result["entered_in_error"] = {
            key: value for key, value in document["entered_in_error"].items() if key == "marked_at"
        }
    result["addenda"] = [
        {"id": addendum["id"], "created_at": addendum["created_at"]}
        for addendum in document.get("addenda") or []
    ]
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
