"""The tablet's autosave answers a body of the wrong type with 415 and says what to send: JSON to
the finding saves, a form to the pages' autosaves."""

from __future__ import annotations

import pytest

from clinic.domain.roles import Role
from tests.factories import make_exam, make_user
from tests.hostile import autosave


@pytest.fixture
def exam(create, login):
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    return create(make_exam, clinician=doctor)


def test_the_page_autosave_refuses_json_with_415(client, exam):
    response = autosave(
        client, exam, "impression-form", "k", method="POST", json={"assessment": "x"}
    )

    assert response.status_code == 415
    assert "as a form" in response.get_json()["title"]


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", b"mrn=A1"),
        ("multipart/form-data", {"mrn": "A1"}),
        ("text/plain", b'{"mrn": "A1"}'),
    ],
)
def test_the_tablet_refuses_a_body_that_is_not_json_with_415(client, exam, content_type, data):
    answer = autosave(
        client, exam, "tender-points/TP01L", "k", data=data, content_type=content_type
    )

    assert answer.status_code == 415
    assert answer.content_type == "application/problem+json"
    assert "Content-Type: application/json" in answer.get_json()["title"]
