"""One exam being exported to FHIR: its resources' stable ids, their references, the statuses they
take from the exam, and the Observation skeleton every finding and score shares.

Shared by clinic.exports.fhir, fhir_findings and fhir_scores; imports none of them.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import cache, lru_cache
from typing import Final, NamedTuple

from clinic.domain.record import ExamRecord, PersonRef
from clinic.domain.scales import ExamStatus
from clinic.exports.fhir_codes import OBSERVATION_CATEGORY, Json, concept, local_coding

URN_UUID: Final = "urn:uuid:"
# Fixed forever: changing it would change every exported id.
ID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://tenderpoint.clinic/fhir")
_NAMESPACE_BYTES: Final = ID_NAMESPACE.bytes


class _Statuses(NamedTuple):
    observation: str
    encounter: str
    questionnaire: str
    verification: str


_STATUSES: Final = {
    ExamStatus.DRAFT: _Statuses("preliminary", "in-progress", "in-progress", "provisional"),
    ExamStatus.SIGNED: _Statuses("final", "finished", "completed", "confirmed"),
    ExamStatus.ENTERED_IN_ERROR: _Statuses(*["entered-in-error"] * 4),
}


def full_url(base_url: str, resource_type: str, resource_id: str) -> str:
    """The absolute URL of a resource: urn:uuid:<id>, or <server base>/<type>/<id>."""
    if base_url == URN_UUID:
        return f"{URN_UUID}{resource_id}"
    if base_url.startswith("urn:") or not base_url:
        raise ValueError(f"base_url must be {URN_UUID!r} or a FHIR server base, not {base_url!r}")
    return f"{base_url.rstrip('/')}/{resource_type}/{resource_id}"


# The RFC 4122 variant written over a hex digit's top two bits (10xx).
_VARIANT: Final = {f"{digit:x}": f"{digit & 0x3 | 0x8:x}" for digit in range(16)}


def resource_id(*parts: str) -> str:
    """A stable resource id: UUID v5 of the record ids and the role that name the resource
    (`str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))`, written from the SHA-1's hex digits
    without UUID objects: an export names some fifty resources per exam)."""
    h = hashlib.sha1(_NAMESPACE_BYTES + "/".join(parts).encode()).hexdigest()  # noqa: S324
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


@lru_cache(maxsize=4096)
def _shared_id(kind: str, record_id: str) -> str:
    """The id of a resource many exams name (a patient, a clinician), remembered."""
    return resource_id(kind, record_id)


def patient_id(record: ExamRecord) -> str:
    """The id of the exam's Patient: the same for every exam of the patient."""
    return _shared_id("patient", record.patient.id)


def person_id(person: PersonRef) -> str:
    """The id of a clinician's Practitioner: the same in every exam they take part in."""
    return _shared_id("practitioner", person.id)


@cache
def _category(category: str) -> list[Json]:
    return [concept(local_coding(OBSERVATION_CATEGORY, category))]


class ExamContext:
    """One exam being exported: its record, where its resources live, their ids and references.
    The references every resource of the exam repeats (its patient, encounter and clinician) are
    made once and shared."""

    __slots__ = (
        "_day",
        "_encounter",
        "_ids",
        "_patient",
        "_performer",
        "base_url",
        "record",
        "scoring_version",
        "status",
    )

    def __init__(self, record: ExamRecord, base_url: str, scoring_version: str) -> None:
        self.record = record
        self.base_url = base_url
        self.scoring_version = scoring_version
        self.status: _Statuses = _STATUSES[record.status]
        self._ids: dict[str, str] = {}
        self._patient = {"reference": full_url(base_url, "Patient", patient_id(record))}
        self._encounter = self.ref("Encounter", "encounter")
        self._performer = [self.person(record.clinician)]
        self._day = record.exam_date.isoformat()

    def id(self, role: str) -> str:
        """The id of the exam's resource in this role (each worked out once per exam)."""
        found = self._ids.get(role)
        if found is None:
            found = self._ids[role] = resource_id("exam", self.record.id, role)
        return found

    def ref(self, resource_type: str, role: str) -> Json:
        return {"reference": full_url(self.base_url, resource_type, self.id(role))}

    def ref_of(self, resource: Json) -> Json:
        return {"reference": full_url(self.base_url, resource["resourceType"], resource["id"])}

    def patient(self) -> Json:
        return self._patient

    def encounter(self) -> Json:
        return self._encounter

    def person(self, person: PersonRef) -> Json:
        return {"reference": full_url(self.base_url, "Practitioner", person_id(person))}

    def observation(self, observation_id: str, category: str, code: Json) -> Json:
        """An Observation of this exam, its value and components still to be added."""
        return {
            "resourceType": "Observation",
            "id": observation_id,
            "status": self.status.observation,
            "category": _category(category),
            "code": code,
            "subject": self._patient,
            "encounter": self._encounter,
            "effectiveDateTime": self._day,
            "performer": self._performer,
        }
