"""The API fuzzed from its own OpenAPI document (Schemathesis, in-process through the WSGI app):
no server error, and every answer's status, content type, headers and body are ones the document
declares. Derandomized with a bounded number of cases per operation, so every run sends the same
few hundred requests."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.services.api_tokens import create_token
from tests.conftest import make_app
from tests.factories import make_exam, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def records(app) -> dict[str, Any]:
    """A clinician who is also staff, with a token, a patient and a draft exam to aim at."""
    with app.app_context():
        person = make_user(db.session, roles=(Role.CLINICIAN, Role.STAFF))
        token, _ = create_token(db.session, person, "fuzz")
        exam = make_exam(db.session, clinician=person)
        db.session.commit()
        return {"token": token, "exam_id": exam.uuid, "patient_id": exam.patient.uuid}


def _document() -> dict[str, Any]:
    """The API's OpenAPI document, as an app on an empty in-memory database serves it (the
    document does not depend on the data; the cases are sent to the test's own app)."""
    answer = make_app("sqlite://").test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


schema = schemathesis.openapi.from_dict(_document())


def _aim(case: Any, records: dict[str, Any]) -> None:
    """Point half the generated ids at records that exist, so the fuzz reaches past the 404."""
    for name in ("exam_id", "patient_id"):
        value = (case.path_parameters or {}).get(name)
        try:
            generated = uuid.UUID(str(value))
        except ValueError:
            continue
        if generated.int % 2 == 0:
            case.path_parameters[name] = str(records[name])


@schema.parametrize()
@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=20,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_document_says(app, records, case):
    _aim(case, records)

    case.call_and_validate(
        app=app, headers={"Authorization": f"Bearer {records['token']}"}, checks=CHECKS
    )
