"""Every endpoint, every role: the status each gets. An endpoint missing here fails the suite."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask

from clinic.domain.roles import Role
from tests.conftest import make_app, sign_in_as
from tests.factories import make_exam, make_patient, make_user

ANONYMOUS, CLINICIAN, STAFF, ADMIN = "anonymous", "clinician", "staff", "admin"
ROLES = (ANONYMOUS, CLINICIAN, STAFF, ADMIN)

EVERYONE_SIGNED_IN = {ANONYMOUS: 302, CLINICIAN: 200, STAFF: 200, ADMIN: 200}
STAFF_AND_ADMIN = {ANONYMOUS: 302, CLINICIAN: 403, STAFF: 200, ADMIN: 200}
ADMIN_ONLY = {ANONYMOUS: 302, CLINICIAN: 403, STAFF: 403, ADMIN: 200}
CLINICIANS_ONLY = {ANONYMOUS: 302, CLINICIAN: 200, STAFF: 403, ADMIN: 403}
# Scripts get 401 instead of a sign-in redirect; a bare request (no key, no body) is a 400.
AUTOSAVE = {ANONYMOUS: 401, CLINICIAN: 400, STAFF: 403, ADMIN: 403}
# The JSON API takes bearer tokens only: a signed-in browser session grants it nothing.
TOKEN_ONLY = {ANONYMOUS: 401, CLINICIAN: 401, STAFF: 401, ADMIN: 401}

# (method, expected status by role). A signed-out user is sent to sign in (302); a signed-in user
# without the right role gets 403. POSTs carry an empty form: allowed users get the form back with
# errors (200) or are redirected after the action (302).
ACCESS: dict[str, tuple[str, dict[str, int]]] = {
    "static": ("GET", {ANONYMOUS: 200, CLINICIAN: 200, STAFF: 200, ADMIN: 200}),
    "setup.first_admin": ("GET", {ANONYMOUS: 404, CLINICIAN: 404, STAFF: 404, ADMIN: 404}),
    "auth.login": ("GET", {ANONYMOUS: 200, CLINICIAN: 302, STAFF: 302, ADMIN: 302}),
    "auth.logout": ("POST", {ANONYMOUS: 302, CLINICIAN: 302, STAFF: 302, ADMIN: 302}),
    "held.resume": ("GET", {ANONYMOUS: 302, CLINICIAN: 404, STAFF: 404, ADMIN: 404}),
    "auth.keep_alive": ("POST", {ANONYMOUS: 302, CLINICIAN: 204, STAFF: 204, ADMIN: 204}),
    "main.index": ("GET", {ANONYMOUS: 302, CLINICIAN: 302, STAFF: 302, ADMIN: 302}),
    "account.show": ("GET", EVERYONE_SIGNED_IN),
    "patients.index": ("GET", EVERYONE_SIGNED_IN),
    "patients.show": ("GET", EVERYONE_SIGNED_IN),
    "patients.new": ("GET", STAFF_AND_ADMIN),
    "patients.edit": ("GET", STAFF_AND_ADMIN),
    # A clinician starts exams as themselves; an administrator for any active clinician.
    "exams.new": ("GET", {ANONYMOUS: 302, CLINICIAN: 200, STAFF: 403, ADMIN: 200}),
    "exams.reassign_examiner_view": ("POST", ADMIN_ONLY),
    "exams.show": ("GET", EVERYONE_SIGNED_IN),
    # Refused or not, signing answers with a redirect to the exam (post/redirect/get).
    "exams.sign": ("POST", {ANONYMOUS: 302, CLINICIAN: 303, STAFF: 403, ADMIN: 403}),
    "exams.add_addendum_view": ("POST", CLINICIANS_ONLY),
    "exams.entered_in_error": ("POST", {ANONYMOUS: 302, CLINICIAN: 200, STAFF: 403, ADMIN: 200}),
    "reports.exam_pdf": ("GET", EVERYONE_SIGNED_IN),
    "reports.day": ("GET", EVERYONE_SIGNED_IN),
    "reports.day_pdf": ("GET", {ANONYMOUS: 302, CLINICIAN: 404, STAFF: 404, ADMIN: 404}),
    "reports.trend_pdf": ("GET", EVERYONE_SIGNED_IN),
    "exports.index": ("GET", STAFF_AND_ADMIN),
    "account.create_token_view": ("POST", EVERYONE_SIGNED_IN),
    "account.revoke_token_view": ("POST", {ANONYMOUS: 302, CLINICIAN: 404, STAFF: 404, ADMIN: 404}),
    "account.end_session_view": ("POST", {ANONYMOUS: 302, CLINICIAN: 404, STAFF: 404, ADMIN: 404}),
    "account.end_other_sessions_view": ("POST", {ANONYMOUS: 302} | dict.fromkeys(ROLES[1:], 302)),
    "api.openapi": ("GET", {ANONYMOUS: 200, CLINICIAN: 200, STAFF: 200, ADMIN: 200}),
    "api.patients": ("GET", TOKEN_ONLY),
    "api.create_patient_view": ("POST", TOKEN_ONLY),
    "api.patient": ("GET", TOKEN_ONLY),
    "api.exams": ("GET", TOKEN_ONLY),
    "api.create_exam": ("POST", TOKEN_ONLY),
    "api.exam": ("GET", TOKEN_ONLY),
    "api.update_exam": ("PUT", TOKEN_ONLY),
    "api.sign": ("POST", TOKEN_ONLY),
    "api.addendum": ("POST", TOKEN_ONLY),
    "api.scores": ("GET", TOKEN_ONLY),
    "api.summary_pdf": ("GET", TOKEN_ONLY),
    "api.export": ("GET", TOKEN_ONLY),
    "autosave.tender_point": ("PUT", AUTOSAVE),
    "autosave.add_trigger_point": ("POST", AUTOSAVE),
    "autosave.update_trigger_point": ("PUT", AUTOSAVE),
    "autosave.remove_trigger_point": ("DELETE", AUTOSAVE),
    "autosave.survey": ("PUT", AUTOSAVE),
    "autosave.impression": ("PUT", AUTOSAVE),
    "autosave.survey_form": ("POST", AUTOSAVE),
    "autosave.impression_form": ("POST", AUTOSAVE),
    "capture.tender_points": ("GET", CLINICIANS_ONLY),
    "capture.trigger_points": ("GET", CLINICIANS_ONLY),
    "capture.survey": ("GET", CLINICIANS_ONLY),
    "capture.impression": ("GET", CLINICIANS_ONLY),
    "admin.users": ("GET", ADMIN_ONLY),
    "admin.new_user": ("GET", ADMIN_ONLY),
    "admin.edit_user": ("GET", ADMIN_ONLY),
    "admin.reset_user_password": ("POST", ADMIN_ONLY),
    "admin.set_user_active": ("POST", {ANONYMOUS: 302, CLINICIAN: 403, STAFF: 403, ADMIN: 302}),
    "admin.end_user_sessions": ("POST", {ANONYMOUS: 302, CLINICIAN: 403, STAFF: 403, ADMIN: 302}),
    "admin.settings": ("GET", ADMIN_ONLY),
    "audit.index": ("GET", ADMIN_ONLY),
    "audit.download": ("GET", ADMIN_ONLY),
    "audit.patient_access_report": ("GET", ADMIN_ONLY),
}


@pytest.fixture(scope="module")
def endpoints(database_url: str) -> set[str]:
    return {rule.endpoint for rule in make_app(database_url).url_map.iter_rules()}


def test_every_endpoint_has_an_access_rule_in_this_table(endpoints: set[str]) -> None:
    assert endpoints - ACCESS.keys() == set(), "add these endpoints to ACCESS"
    assert ACCESS.keys() - endpoints == set(), "these endpoints no longer exist"


def test_every_view_declares_its_rule_in_code(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "_clinic_access")
    ]
    assert undeclared == []


def _url_for(app: Flask, endpoint: str, targets: dict[str, Any]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{arg: targets[arg] for arg in rule.arguments})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_endpoint_answers_each_role_as_the_table_says(
    app: Flask, client: Any, create: Any, endpoint: str, role: str
) -> None:
    users = {
        CLINICIAN: create(make_user, roles=(Role.CLINICIAN,)),
        STAFF: create(make_user, roles=(Role.STAFF,)),
        ADMIN: create(make_user, roles=(Role.ADMIN,)),
    }
    patient = create(make_patient)
    exam = create(make_exam, patient=patient, clinician=users[CLINICIAN])
    target_user = create(make_user, roles=(Role.STAFF,))
    targets = {
        "patient_id": patient.uuid,
        "exam_id": exam.uuid,
        "user_id": target_user.uuid,
        "filename": "clinic.css",
        "site_code": "TP01L",
        "token": "no-such-token",
        "finding_id": str(uuid.uuid4()),
        "export_format": "csv",
        "token_id": str(uuid.uuid4()),
        "session_id": str(uuid.uuid4()),
    }
    if role != ANONYMOUS:
        sign_in_as(client, users[role])
    method, expected = ACCESS[endpoint]
    url = _url_for(app, endpoint, targets)
    response = client.open(url, method=method, data={})
    response.close()
    assert response.status_code == expected[role], f"{method} {url} as {role}"
    if role == ANONYMOUS and expected[role] == 302 and endpoint != "auth.logout":
        assert response.location.startswith("/login")
