"""Any body sent to the tablet's autosave gives an answer or field errors, never a server error.

Property-based (Hypothesis), derandomized with a bounded number of examples per endpoint: bodies are
sound findings with parts replaced by any JSON value (lone surrogates, NUL, deep lists, huge
numbers), or any JSON value at all; the page autosaves get forms of any text."""

from __future__ import annotations

import json
from itertools import count
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.domain.roles import Role
from tests.domain.test_document_reading_properties import ANY_TEXT, DOCUMENT, JSON, mutated
from tests.factories import make_exam, make_user

FIXED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one exam for all examples: saves pile up on it
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
KEYS = count()

# (method, path, the body's part, a sound value of that part)
ENDPOINTS = {
    "tender point": ("PUT", "tender-points/TP01L", "finding", DOCUMENT["tender_points"][0]),
    "new trigger point": ("POST", "trigger-points", "finding", DOCUMENT["trigger_points"][0]),
    "survey": ("PUT", "survey", "survey", DOCUMENT["survey"]),
    "impression": ("PUT", "impression", "impression", DOCUMENT["impression"]),
}
FORMS = {
    "survey form": ("survey-form", ["pain_duration_months", "fatigue", "pain_areas", "version"]),
    "impression form": ("impression-form", ["assessment", "plan", "fm_impression", "version"]),
}


@pytest.fixture
def exam(create, login):
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    return create(make_exam, clinician=doctor)


def body_of(part: str, sound: Any) -> st.SearchStrategy[Any]:
    """A body with a base version (or something else there) and a changed or arbitrary part."""
    version = st.integers(0, 3) | JSON
    wrapped = st.builds(lambda v, p: {"base_version": v, part: p}, version, mutated(sound) | JSON)
    return wrapped | mutated({"base_version": 0, part: sound}) | JSON


def assert_answered(response: Any) -> None:
    """A 2xx with JSON, or a 4xx problem with a title and, for bad values, a message per field."""
    assert response.status_code < 500
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert response.content_type == "application/problem+json"
        assert body["title"]
        if response.status_code in (400, 422) and "errors" in body:
            assert all(isinstance(v, str) and v for v in body["errors"].values())


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_any_json_body_is_answered_never_a_server_error(client, exam, endpoint):
    method, path, part, sound = ENDPOINTS[endpoint]

    @FIXED
    @given(body_of(part, sound))
    def send(body: Any) -> None:
        response = client.open(
            f"/exams/{exam.uuid}/autosave/{path}",
            method=method,
            data=json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": f"k{next(KEYS)}"},
        )
        assert_answered(response)

    send()


@pytest.mark.parametrize("endpoint", FORMS)
def test_any_form_is_answered_never_a_server_error(client, exam, endpoint):
    path, names = FORMS[endpoint]
    fields = st.lists(st.tuples(st.sampled_from(names) | ANY_TEXT, ANY_TEXT), max_size=6)

    @FIXED
    @given(fields)
    def send(pairs: list[tuple[str, str]]) -> None:
        raw = "&".join(f"{_encoded(name)}={_encoded(value)}" for name, value in pairs)
        response = client.post(
            f"/exams/{exam.uuid}/autosave/{path}",
            data=raw.encode("ascii"),
            content_type="application/x-www-form-urlencoded",
            headers={"Idempotency-Key": f"k{next(KEYS)}"},
        )
        assert_answered(response)

    send()


def _encoded(text: str) -> str:
    """Text as a client percent-encodes it; a lone surrogate becomes bytes that are not UTF-8."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")
