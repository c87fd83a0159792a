"""Signing in and out, first-time setup, session lifetime, CSRF and one's own password."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import AuditEvent, PasswordFailure, User, utc_now
from clinic.services.setup import setup_token
from tests.conftest import make_app, session_row, set_session_times
from tests.factories import PASSWORD, make_user

WRONG_CREDENTIALS = "The e-mail address or password is not right."
NEW_PASSWORD = "another long enough password"


# --- helpers -------------------------------------------------------------------------------


def alerts(response: Any) -> list[str]:
    """The text of every alert on the page: flashed errors and form-level errors."""
    found = re.findall(r'role="alert">(.*?)</', response.text, flags=re.S)
    return [html.unescape(text).strip() for text in found]


def field_error(response: Any, field_id: str) -> str:
    """The error shown next to one field, or "" if there is none."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', response.text, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def input_value(response: Any, field_id: str) -> str | None:
    """The value an <input> is rendered with, or None if it has none."""
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', response.text)
    assert tag is not None, f"no input {field_id}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def location(response: Any) -> str:
    return response.headers["Location"]


def login_next(response: Any) -> str | None:
    """Where a redirect to the sign-in page will send the user back to afterwards."""
    url = urlsplit(location(response))
    assert url.path == "/login"
    return parse_qs(url.query).get("next", [None])[0]


def sign_in_by_form(client: FlaskClient, email: str, password: str = PASSWORD, **kw: Any) -> Any:
    return client.post("/login", data={"email": email, "password": password}, **kw)


def is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/patients")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert location(response).startswith("/login")
    return False


def shift_session(client: FlaskClient, **ago: timedelta) -> None:
    """Move the session's sign-in and last-seen times, as the server keeps them, into the past."""
    now = utc_now()
    times = {f"{name}_at": now - delta for name, delta in ago.items()}
    set_session_times(client.application, client, **times)


def failures_for(read: Any, email: str) -> int:
    with read() as session:
        return session.scalar(
            select(func.count()).select_from(PasswordFailure).where(PasswordFailure.email == email)
        )


def user_count(read: Any) -> int:
    with read() as session:
        return session.scalar(select(func.count()).select_from(User))


def stored_user(read: Any, email: str) -> User:
    with read() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        user.roles  # noqa: B018 - load before the session closes
        session.expunge(user)
        return user


# --- first-time setup ------------------------------------------------------------------------


@pytest.fixture
def token(app: Flask) -> str:
    with app.app_context():
        return setup_token()


def setup_data(token: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "setup_token": token,
        "email": "Ana.Ruiz@Clinic.Example",
        "display_name": "Ana Ruiz",
        "credentials": "MD",
        "licence_number": "L-123",
        "also_clinician": "y",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("path", ["/", "/patients", "/account", "/admin/users", "/login"])
def test_without_users_every_page_sends_to_setup(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert location(response) == "/setup"


def test_setup_page_shows_the_form_while_no_user_exists(client):
    response = client.get("/setup")
    assert response.status_code == 200
    assert "Set up the clinic" in response.text
    assert 'name="setup_token"' in response.text


def test_setup_with_wrong_token_shows_field_error_and_creates_nothing(client, read, token):
    response = client.post("/setup", data=setup_data("wrong-token"))
    assert response.status_code == 200
    assert field_error(response, "setup_token") == (
        "This is not the setup token this server printed."
    )
    assert input_value(response, "email") == "Ana.Ruiz@Clinic.Example"
    assert input_value(response, "display_name") == "Ana Ruiz"
    assert user_count(read) == 0
    assert location(client.get("/patients")) == "/setup"


def test_setup_reports_a_wrong_token_together_with_other_errors(client, read, token):
    response = client.post(
        "/setup", data=setup_data("wrong-token", confirm="not the same password")
    )
    assert response.status_code == 200
    assert field_error(response, "setup_token") == (
        "This is not the setup token this server printed."
    )
    assert field_error(response, "confirm") == "The two passwords differ."
    assert user_count(read) == 0


def test_setup_without_a_token_asks_for_it(client, read, token):
    response = client.post("/setup", data=setup_data(""))
    assert response.status_code == 200
    assert field_error(response, "setup_token") == "Enter the setup token."
    assert user_count(read) == 0


def test_setup_with_right_token_creates_admin_and_clinician_and_signs_in(client, read, token):
    response = client.post("/setup", data=setup_data(token))
    assert response.status_code == 302
    assert location(response) == "/admin/settings"

    user = stored_user(read, "ana.ruiz@clinic.example")
    assert user.roles == {Role.ADMIN, Role.CLINICIAN}
    assert user.display_name == "Ana Ruiz"
    assert user.credentials == "MD"
    assert user.licence_number == "L-123"
    assert user.is_active

    page = client.get("/admin/settings")
    assert page.status_code == 200
    assert "Welcome. Now enter your clinic" in html.unescape(page.text)
    assert client.get("/patients").status_code == 200


def test_setup_without_clinician_tick_creates_admin_only(client, read, token):
    response = client.post("/setup", data=setup_data(token, also_clinician=None))
    assert response.status_code == 302
    assert stored_user(read, "ana.ruiz@clinic.example").roles == {Role.ADMIN}


def test_setup_without_the_optional_fields_works(client, read, token):
    # Credentials and licence number are optional; a form posted without them is still saved.
    response = client.post("/setup", data=setup_data(token, credentials=None, licence_number=None))
    assert response.status_code == 302
    user = stored_user(read, "ana.ruiz@clinic.example")
    assert user.credentials is None
    assert user.licence_number is None


def test_setup_is_gone_once_it_is_done(client, read, token):
    client.post("/setup", data=setup_data(token))
    assert client.get("/setup").status_code == 404
    again = client.post("/setup", data=setup_data(token, email="second@clinic.example"))
    assert again.status_code == 404
    assert user_count(read) == 1
    # A visitor who is not signed in meets the sign-in page, not setup.
    client.post("/logout")
    assert location(client.get("/patients")).startswith("/login")
    assert client.get("/login").status_code == 200


def test_setup_is_404_when_a_user_already_exists(client, create, token, read):
    create(make_user, roles=(Role.STAFF,))
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data=setup_data(token)).status_code == 404
    assert user_count(read) == 1


def test_setup_with_mismatched_passwords_gives_field_error_and_keeps_values(client, read, token):
    response = client.post("/setup", data=setup_data(token, confirm="not the same password"))
    assert response.status_code == 200
    assert field_error(response, "confirm") == "The two passwords differ."
    assert input_value(response, "email") == "Ana.Ruiz@Clinic.Example"
    assert input_value(response, "display_name") == "Ana Ruiz"
    assert input_value(response, "setup_token") == token
    assert user_count(read) == 0


def test_setup_with_short_password_gives_field_error(client, read, token):
    response = client.post(
        "/setup", data=setup_data(token, password="too short", confirm="too short")
    )
    assert response.status_code == 200
    assert field_error(response, "password") == "Use 12 to 256 characters."
    assert input_value(response, "email") == "Ana.Ruiz@Clinic.Example"
    assert "Please correct the fields marked below." in alerts(response)
    assert user_count(read) == 0


def test_setup_never_stores_the_password_in_plain_text(client, read, token):
    client.post("/setup", data=setup_data(token))
    user = stored_user(read, "ana.ruiz@clinic.example")
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash


# --- signing in ------------------------------------------------------------------------------


@pytest.fixture
def clinician(create) -> User:
    return create(make_user, email="cara@clinic.example", roles=(Role.CLINICIAN,))


def test_login_page_shows_the_form(client, clinician):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Sign in" in response.text
    assert 'name="password"' in response.text


def test_login_success_redirects_home_and_signs_in(client, clinician, read):
    response = sign_in_by_form(client, "cara@clinic.example")
    assert response.status_code == 302
    assert location(response) == "/"
    assert is_signed_in(client)
    with read() as session:
        user = session.get(User, clinician.id)
        assert user.last_sign_in_at is not None
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == clinician.id)
        ).all()
    assert "user.sign_in" in actions


def test_signing_in_starts_a_fresh_session(client, clinician):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in_by_form(client, "cara@clinic.example")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent


def test_login_matches_email_whatever_its_case_and_spaces(client, clinician):
    response = sign_in_by_form(client, "  Cara@CLINIC.example ")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_signed_in_user_visiting_login_goes_home(client, clinician, login):
    login(clinician)
    response = client.get("/login")
    assert response.status_code == 302
    assert location(response) == "/"


def test_a_protected_page_sends_to_login_and_back(client, clinician):
    response = client.get("/patients?q=smith")
    assert response.status_code == 302
    assert login_next(response) == "/patients?q=smith"
    after = sign_in_by_form(
        client, "cara@clinic.example", query_string={"next": "/patients?q=smith"}
    )
    assert location(after) == "/patients?q=smith"


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "//evil.example/patients", "https://evil.example/", "/\\evil.example", ""],
)
def test_login_ignores_next_that_leaves_the_site(client, clinician, target):
    response = sign_in_by_form(client, "cara@clinic.example", query_string={"next": target})
    assert response.status_code == 302
    assert location(response) == "/"


def test_wrong_password_and_unknown_email_get_the_same_message(client, clinician):
    wrong = sign_in_by_form(client, "cara@clinic.example", "not the password at all")
    unknown = sign_in_by_form(client, "nobody@clinic.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    assert alerts(wrong) == alerts(unknown) == [WRONG_CREDENTIALS]
    assert not is_signed_in(client)


def test_wrong_password_keeps_the_email_but_not_the_password(client, clinician):
    response = sign_in_by_form(client, "cara@clinic.example", "not the password at all")
    assert input_value(response, "email") == "cara@clinic.example"
    assert input_value(response, "password") in (None, "")
    assert "not the password at all" not in response.text


def test_each_failed_sign_in_is_counted_by_normalised_email(client, clinician, read):
    sign_in_by_form(client, "Cara@Clinic.Example", "wrong password one")
    sign_in_by_form(client, "nobody@clinic.example", "wrong password two")
    assert failures_for(read, "cara@clinic.example") == 1
    assert failures_for(read, "nobody@clinic.example") == 1


def test_inactive_user_cannot_sign_in_and_gets_the_same_message(client, create):
    create(make_user, email="gone@clinic.example", is_active=False)
    response = sign_in_by_form(client, "gone@clinic.example")
    assert response.status_code == 200
    assert alerts(response) == [WRONG_CREDENTIALS]
    assert not is_signed_in(client)


# --- signing out and session lifetime --------------------------------------------------------


def test_logout_ends_the_session(client, clinician):
    sign_in_by_form(client, "cara@clinic.example")
    assert is_signed_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert location(response) == "/login"
    assert "You are signed out." in client.get("/login").text
    after = client.get("/patients")
    assert after.status_code == 302
    assert login_next(after) == "/patients"
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert session.user_id is None


def test_logout_is_post_only(client, clinician, login):
    login(clinician)
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


def test_idle_for_16_minutes_ends_the_session_with_a_message(client, clinician, login):
    login(clinician)
    shift_session(client, last_seen=timedelta(minutes=16))
    response = client.get("/patients")
    assert response.status_code == 302
    assert login_next(response) == "/patients"
    page = client.get(location(response))
    assert "Your session expired. Please sign in again." in alerts(page)
    assert not is_signed_in(client)


def test_idle_for_14_minutes_keeps_the_session(client, clinician, login):
    login(clinician)
    shift_session(client, last_seen=timedelta(minutes=14))
    assert client.get("/patients").status_code == 200


def test_each_request_restarts_the_idle_clock(client, clinician, login):
    login(clinician)
    shift_session(client, last_seen=timedelta(minutes=14))
    assert client.get("/patients").status_code == 200
    row = session_row(client.application, client)
    assert row is not None
    assert utc_now() - row.last_seen_at < timedelta(seconds=60)
    assert client.get("/patients").status_code == 200


def test_session_ends_after_12_hours_however_active(client, clinician, login):
    login(clinician)
    shift_session(client, signed_in=timedelta(hours=12, minutes=1), last_seen=timedelta(0))
    response = client.get("/patients")
    assert response.status_code == 302
    assert "Your session expired. Please sign in again." in alerts(client.get(location(response)))


def test_session_of_almost_12_hours_is_still_valid(client, clinician, login):
    login(clinician)
    shift_session(client, signed_in=timedelta(hours=11, minutes=59), last_seen=timedelta(0))
    assert client.get("/patients").status_code == 200


def test_session_without_timestamps_is_not_trusted(client, clinician, login):
    login(clinician)
    set_session_times(client.application, client, signed_in_at=None)
    assert location(client.get("/patients")).startswith("/login")


# Tests with two browsers make both with app.test_client(): the `client` fixture keeps its last
# request's context pushed, which a second client's requests would then share (and its `g`).


def test_admin_password_reset_ends_the_users_existing_session(app, clinician, create):
    admin = create(make_user, roles=(Role.ADMIN,))
    client = app.test_client()
    sign_in_by_form(client, clinician.email)
    assert is_signed_in(client)

    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    reset = admin_client.post(
        f"/admin/users/{clinician.uuid}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert reset.status_code == 302

    response = client.get("/patients")
    assert response.status_code == 302
    assert location(response).startswith("/login")
    assert sign_in_by_form(client, clinician.email, PASSWORD).status_code == 200
    assert sign_in_by_form(client, clinician.email, NEW_PASSWORD).status_code == 302
    assert admin_client.get("/admin/users").status_code == 200


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(app: Flask, database_url: str) -> Iterator[FlaskClient]:
    """A client of an app that enforces CSRF tokens, on the same test database."""
    csrf_app = make_app(database_url, WTF_CSRF_ENABLED=True)
    yield csrf_app.test_client()
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()


def csrf_token_from(response: Any) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
    assert match is not None, "page has no CSRF token"
    return match.group(1)


def test_login_without_csrf_token_is_refused_with_a_friendly_page(csrf_client, clinician, read):
    response = csrf_client.post("/login", data={"email": clinician.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Not saved" in response.text
    assert "so it was not saved" in response.text
    assert not is_signed_in(csrf_client)
    with read() as session:
        assert session.scalar(select(User.last_sign_in_at).where(User.id == clinician.id)) is None


def test_login_with_a_wrong_csrf_token_is_refused(csrf_client, clinician):
    csrf_client.get("/login")
    response = csrf_client.post(
        "/login", data={"email": clinician.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert not is_signed_in(csrf_client)


def test_login_with_the_pages_csrf_token_works(csrf_client, clinician):
    token = csrf_token_from(csrf_client.get("/login"))
    response = csrf_client.post(
        "/login", data={"email": clinician.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert is_signed_in(csrf_client)


def test_logout_without_csrf_token_keeps_the_session(csrf_client, clinician):
    token = csrf_token_from(csrf_client.get("/login"))
    csrf_client.post(
        "/login", data={"email": clinician.email, "password": PASSWORD, "csrf_token": token}
    )
    assert csrf_client.post("/logout").status_code == 400
    assert is_signed_in(csrf_client)
    page = csrf_client.get("/patients")
    assert (
        csrf_client.post("/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302
    )
    assert not is_signed_in(csrf_client)


# --- passwords -------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(client, clinician, read):
    stored = stored_user(read, clinician.email)
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def change_password(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> Any:
    return client.post(
        "/account",
        data={"current_password": current, "new_password": new, "confirm": confirm or new},
    )


def test_account_page_shows_who_is_signed_in(client, clinician, login):
    login(clinician)
    response = client.get("/account")
    assert response.status_code == 200
    assert clinician.email in response.text
    assert "Clinician" in response.text


def test_change_password_needs_the_current_password(client, clinician, login, read):
    login(clinician)
    before = stored_user(read, clinician.email).password_hash
    response = change_password(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 200
    assert field_error(response, "current_password") == "This is not your current password."
    assert stored_user(read, clinician.email).password_hash == before


def test_change_password_checks_the_new_one(client, clinician, login, read):
    login(clinician)
    before = stored_user(read, clinician.email).password_hash
    short = change_password(client, PASSWORD, "short")
    assert field_error(short, "new_password") == ("Use 12 to 256 characters.")
    differ = change_password(client, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert field_error(differ, "confirm") == "The two passwords differ."
    assert stored_user(read, clinician.email).password_hash == before


def test_change_password_with_the_current_one(app, clinician, read):
    client, other_device = app.test_client(), app.test_client()
    sign_in_by_form(other_device, clinician.email)
    sign_in_by_form(client, clinician.email)

    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert location(response) == "/account"
    assert "Your password is changed." in client.get("/account").text

    stored = stored_user(read, clinician.email)
    assert stored.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in stored.password_hash
    # This browser stays signed in; the other device is signed out.
    assert is_signed_in(client)
    assert not is_signed_in(other_device)
    # Only the new password works from now on.
    client.post("/logout")
    assert alerts(sign_in_by_form(client, clinician.email, PASSWORD)) == [WRONG_CREDENTIALS]
    assert sign_in_by_form(client, clinician.email, NEW_PASSWORD).status_code == 302


def test_answering_the_idle_warning_keeps_the_session(client, create, login):
    user = create(make_user, roles=(Role.CLINICIAN,))
    login(user)
    long_ago = utc_now() - timedelta(minutes=10)
    set_session_times(client.application, client, last_seen_at=long_ago)

    response = client.post("/session/keep-alive")

    assert response.status_code == 204
    row = session_row(client.application, client)
    assert row is not None
    assert row.last_seen_at > long_ago
