"""The audit chain's canonical form is the sorted-key compact JSON of a row's columns, however
its text is put together."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from clinic.domain.audit_chain import canonical_bytes, canonical_json


@pytest.mark.parametrize(
    "detail",
    [
        None,
        {},
        {"new": {"family_name": "Łukasiewicz \u202e\u0000 =1+1"}, "old": {"rating": 3}},
        {"z": [1, 2.5, None, True], "a": {"nested": {"b": "é", "a": "\ud83d\ude00"}}},
    ],
)
@pytest.mark.parametrize("people", [(None, None, None), (7, uuid.uuid4(), uuid.uuid4())])
def test_the_canonical_form_is_the_sorted_compact_json_of_the_columns(
    detail: object, people: tuple[int | None, uuid.UUID | None, uuid.UUID | None]
) -> None:
    actor, entity, patient = people
    at = datetime(2026, 12, 5, 14, 10, 0, 12, tzinfo=UTC)
    columns = {
        "id": 42,
        "at": "2026-12-05T14:10:00.000012Z",
        "actor_id": actor,
        "action": 'patient.update "quoted"',
        "entity_type": "patient",
        "entity_uuid": entity.hex if entity else None,
        "patient_uuid": patient.hex if patient else None,
        "detail": detail,
        "client_address": "2001:db8::1",
        "request_id": None,
        "prev_hash": "0" * 64,
    }
    expected = json.dumps(columns, sort_keys=True, separators=(",", ":")).encode()
    made = canonical_bytes(
        42, at, actor, "patient.update \"quoted\"", "patient", entity, patient, detail,
        "2001:db8::1", None, "0" * 64,
    )  # fmt: skip
    assert made == expected
    assert canonical_json(detail) == json.dumps(detail, sort_keys=True, separators=(",", ":"))
