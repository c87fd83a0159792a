"""Hostile input through the tablet's autosave: never a server error; each value is refused with a
4xx naming its field (problem+json, which the tablet shows beside the finding), or stored exactly
as typed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.models import TriggerPointFinding
from tests.factories import make_exam, make_user
from tests.hostile import REFUSED, STORED_AS_TYPED, assert_field_refused, autosave


@pytest.fixture
def exam(create, login):
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    return create(make_exam, clinician=doctor)


@pytest.mark.parametrize(
    "value", [*STORED_AS_TYPED.values(), *REFUSED.values()], ids=[*STORED_AS_TYPED, *REFUSED]
)
def test_the_tablet_stores_a_note_as_typed_or_names_the_field(client, exam, read, value):
    finding = {"muscle": "upper_trapezius", "side": "left", "notes": value}

    response = autosave(
        client, exam, "trigger-points", "k", method="POST", json={"finding": finding}
    )

    with read() as session:
        notes = session.scalars(select(TriggerPointFinding.notes)).all()
    if value in STORED_AS_TYPED.values():
        assert response.status_code == 201
        assert notes == [value]
    else:
        assert_field_refused(response, "notes")
        assert notes == []


def test_fifty_thousand_unknown_keys_in_a_finding_are_refused_naming_a_few(client, exam, read):
    crowded = {"examined": True} | {f"k{n}": n for n in range(50_000)}
    some = {"examined": True} | {f"k{n}": n for n in range(100)}

    too_many = autosave(
        client,
        exam,
        "tender-points/TP01L",
        "a",
        data=json.dumps({"base_version": 0, "finding": crowded}),
        content_type="application/json",
    )
    unknown = autosave(
        client,
        exam,
        "tender-points/TP01L",
        "b",
        data=json.dumps({"base_version": 0, "finding": some}),
        content_type="application/json",
    )

    assert too_many.status_code == 400
    assert too_many.get_json()["errors"] == {
        "finding": "has 50,001 keys, more than the 256 allowed (the first: 'examined', 'k0', 'k1')"
    }
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == {
        "k0": "unknown key",
        "k1": "unknown key",
        "k2": "unknown key",
        "k3": "unknown key, and 96 more unknown keys in this object",
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (b'{"mrn": "\xff"}', "body", "is not valid UTF-8 text (byte 10)"),
        (b'{"mrn": "\xed\xa0\x80"}', "body", "is not valid UTF-8 text (byte 10)"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "is nested more than 16 levels deep"),
        (
            json.dumps({"a": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}).encode(),
            "a" + "[0]" * 15,
            "is nested more than 16 levels deep",
        ),
        (b'{"mrn": NaN}', "body", "is not valid JSON: NaN is not a JSON number"),
        (b'{"mrn": 1' + b"0" * 5000 + b"}", "body", "is not valid JSON"),
        (b'{"mrn": "A1"', "body", "is not valid JSON: Expecting ',' delimiter (line 1 column 13)"),
        (json.dumps([0] * 20_001).encode(), "body", "holds more than 20,000 values"),
        (
            json.dumps({f"k{n}": n for n in range(50_000)}).encode(),
            "body",
            "has 50,000 keys, more than the 256 allowed (the first: 'k0', 'k1', 'k2')",
        ),
        (
            b'{"mrn": "a\\u0000b"}',
            "mrn",
            "contains a NUL character (U+0000), which cannot be stored",
        ),
        (
            b'{"\\udfff": 1}',
            "\\udfff",
            "its key a lone surrogate (U+DFFF), which is not a character",
        ),
    ],
)
def test_a_json_body_that_cannot_be_read_is_refused_naming_where(
    client, exam, data, field, message
):
    answer = autosave(
        client, exam, "tender-points/TP01L", "k", data=data, content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.get_json()["errors"][field].startswith(message)
