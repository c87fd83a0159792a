"""Administration: users, their roles, passwords and state, and the clinic's settings."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clinic.domain.roles import Role
from clinic.domain.scales import PaperSize
from clinic.models import AuditEvent, ClinicSettings, User
from tests.factories import PASSWORD, make_exam, make_user

NEW_PASSWORD = "a brand new long password"
NEEDS_AN_ADMIN = "The clinic needs at least one active administrator."


# --- helpers -------------------------------------------------------------------------------


def alerts(response: Any) -> list[str]:
    """The text of every alert on the page: flashed errors and form-level errors."""
    found = re.findall(r'role="alert">(.*?)</', response.text, flags=re.S)
    return [html.unescape(text).strip() for text in found]


def flashes(response: Any) -> list[str]:
    """The text of every flashed message, whatever its category."""
    found = re.findall(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', response.text, re.S)
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


def checked_roles(response: Any) -> set[str]:
    """The role checkboxes that are ticked on a user form."""
    tags = re.findall(r'<input[^>]*name="roles"[^>]*>', response.text)
    return {
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in tags
        if re.search(r"\bchecked\b", tag)
    }


def selected_option(response: Any, field_id: str) -> str | None:
    """The value of the chosen <option> of a <select>."""
    select_tag = re.search(rf'<select[^>]*\bid="{field_id}".*?</select>', response.text, re.S)
    assert select_tag is not None, f"no select {field_id}"
    for option in re.findall(r"<option[^>]*>", select_tag.group(0)):
        if re.search(r"\bselected\b", option):
            return html.unescape(re.search(r'value="([^"]*)"', option).group(1))
    return None


def location(response: Any) -> str:
    return response.headers["Location"]


def stored(read: Any, user_id: int) -> User:
    with read() as session:
        user = session.get(User, user_id)
        user.roles  # noqa: B018 - load before the session closes
        session.expunge(user)
        return user


def user_count(read: Any) -> int:
    with read() as session:
        return session.scalar(select(func.count()).select_from(User))


def audit_actions(read: Any, entity_uuid: Any) -> list[tuple[str, int | None]]:
    with read() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.actor_id)
            .where(AuditEvent.entity_uuid == entity_uuid)
            .order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]


def can_sign_in(client: FlaskClient, email: str, password: str) -> bool:
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code == 302:
        client.post("/logout")
        return True
    return False


def user_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": "Nina.Park@Clinic.Example",
        "display_name": "Nina Park",
        "credentials": "PT, DPT",
        "licence_number": "PT-4711",
        "roles": ["clinician", "staff"],
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(user: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": user.email,
        "display_name": user.display_name,
        "credentials": user.credentials or "",
        "licence_number": user.licence_number or "",
        "roles": sorted(user.roles),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def admin(create, login) -> User:
    """An administrator, signed in on the test client."""
    user = create(make_user, email="admin@clinic.example", roles=(Role.ADMIN,))
    login(user)
    return user


@pytest.fixture
def clinician(create) -> User:
    return create(make_user, email="cara@clinic.example", roles=(Role.CLINICIAN,))


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/settings"])
@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.STAFF])
def test_only_administrators_reach_administration(client, create, login, path, role):
    login(create(make_user, roles=(role,)))
    response = client.get(path)
    assert response.status_code == 403
    assert "Not allowed" in response.text


def test_non_admin_cannot_create_users_by_posting(client, create, login, read):
    login(create(make_user, roles=(Role.STAFF,)))
    assert client.post("/admin/users/new", data=user_data()).status_code == 403
    assert user_count(read) == 1


def test_user_list_shows_every_user_with_roles_and_state(client, admin, clinician, create):
    create(make_user, display_name="Gone Person", is_active=False, roles=(Role.STAFF,))
    response = client.get("/admin/users")
    assert response.status_code == 200
    assert clinician.email in response.text
    assert "Gone Person" in response.text
    assert "Deactivated" in response.text
    assert "Clinician" in response.text


def test_unknown_user_is_404(client, admin):
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/admin/users/{missing}").status_code == 404
    assert client.post(f"/admin/users/{missing}/active", data={"active": "0"}).status_code == 404


# --- creating users --------------------------------------------------------------------------


def test_admin_creates_a_user_with_roles(app, client, admin, read):
    response = client.post("/admin/users/new", data=user_data())
    assert response.status_code == 302
    assert location(response) == "/admin/users"
    assert "Nina Park can now sign in." in flashes(client.get("/admin/users"))

    with read() as session:
        user = session.scalars(select(User).where(User.email == "nina.park@clinic.example")).one()
        assert user.roles == {Role.CLINICIAN, Role.STAFF}
        assert user.display_name == "Nina Park"
        assert user.credentials == "PT, DPT"
        assert user.licence_number == "PT-4711"
        assert user.is_active
        assert user.password_hash.startswith("$argon2id$")
        assert NEW_PASSWORD not in user.password_hash
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_uuid == user.uuid)).one()
        assert event.action == "user.create"
        assert event.actor_id == admin.id
        assert event.detail is not None
        assert event.detail["roles"] == ["clinician", "staff"]
        assert event.detail["old"] == {}
        assert event.detail["new"]["display_name"] == "Nina Park"

    assert can_sign_in(app.test_client(), "nina.park@clinic.example", NEW_PASSWORD)


def test_new_user_with_a_taken_email_gets_a_field_error(client, admin, clinician, read):
    response = client.post("/admin/users/new", data=user_data(email="  CARA@clinic.example "))
    assert response.status_code == 200
    assert "already" in field_error(response, "email")
    assert input_value(response, "display_name") == "Nina Park"
    assert input_value(response, "licence_number") == "PT-4711"
    assert checked_roles(response) == {"clinician", "staff"}
    assert user_count(read) == 2


def test_new_user_needs_a_role(client, admin, read):
    response = client.post("/admin/users/new", data=user_data(roles=None))
    assert response.status_code == 200
    assert field_error(response, "roles") == "Choose at least one role."
    assert input_value(response, "email") == "Nina.Park@Clinic.Example"
    assert input_value(response, "display_name") == "Nina Park"
    assert user_count(read) == 1


def test_new_user_with_an_unknown_role_is_refused(client, admin, read):
    response = client.post("/admin/users/new", data=user_data(roles=["superuser"]))
    assert response.status_code == 200
    assert field_error(response, "roles") != ""
    assert user_count(read) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": "short", "confirm": "short"}, "password", "Use 12 to 256 characters."),
        ({"confirm": "a different long password"}, "confirm", "The two passwords differ."),
        ({"email": "not-an-email"}, "email", "Enter a valid e-mail address."),
        ({"display_name": "  "}, "display_name", "Enter a name."),
        ({"password": None, "confirm": None}, "password", "Choose a password."),
    ],
)
def test_new_user_form_checks_its_fields(client, admin, read, overrides, field, message):
    response = client.post("/admin/users/new", data=user_data(**overrides))
    assert response.status_code == 200
    assert message in field_error(response, field)
    assert user_count(read) == 1


# --- editing users ---------------------------------------------------------------------------


def test_edit_page_shows_the_users_details(client, admin, clinician):
    response = client.get(f"/admin/users/{clinician.uuid}")
    assert response.status_code == 200
    assert input_value(response, "email") == clinician.email
    assert checked_roles(response) == {"clinician"}


def test_admin_changes_a_users_roles_and_details(client, admin, clinician, read):
    response = client.post(
        f"/admin/users/{clinician.uuid}",
        data=edit_data(
            clinician,
            roles=["staff", "admin"],
            display_name="Cara Lee",
            email="Cara.Lee@Clinic.Example",
        ),
    )
    assert response.status_code == 302
    assert location(response) == "/admin/users"
    user = stored(read, clinician.id)
    assert user.roles == {Role.STAFF, Role.ADMIN}
    assert user.display_name == "Cara Lee"
    assert user.email == "cara.lee@clinic.example"
    assert ("user.update", admin.id) in audit_actions(read, clinician.uuid)


def test_editing_to_another_users_email_is_refused(client, admin, clinician, read):
    response = client.post(
        f"/admin/users/{clinician.uuid}", data=edit_data(clinician, email=admin.email)
    )
    assert response.status_code == 200
    assert "already" in field_error(response, "email")
    assert stored(read, clinician.id).email == clinician.email


def test_editing_keeps_the_users_own_email(client, admin, clinician):
    response = client.post(f"/admin/users/{clinician.uuid}", data=edit_data(clinician))
    assert response.status_code == 302


def test_editing_away_every_role_is_refused(client, admin, clinician, read):
    response = client.post(f"/admin/users/{clinician.uuid}", data=edit_data(clinician, roles=None))
    assert response.status_code == 200
    assert field_error(response, "roles") == "Choose at least one role."
    assert stored(read, clinician.id).roles == {Role.CLINICIAN}


def test_last_admin_cannot_lose_the_admin_role(client, admin, read):
    response = client.post(f"/admin/users/{admin.uuid}", data=edit_data(admin, roles=["clinician"]))
    assert response.status_code == 200
    assert field_error(response, "roles") == NEEDS_AN_ADMIN
    assert stored(read, admin.id).roles == {Role.ADMIN}


def test_an_inactive_admin_does_not_count_as_another_admin(client, admin, create, read):
    create(make_user, roles=(Role.ADMIN,), is_active=False)
    response = client.post(f"/admin/users/{admin.uuid}", data=edit_data(admin, roles=["staff"]))
    assert field_error(response, "roles") == NEEDS_AN_ADMIN
    assert stored(read, admin.id).roles == {Role.ADMIN}


def test_admin_role_can_move_when_another_admin_exists(client, admin, create, read):
    create(make_user, roles=(Role.ADMIN,))
    response = client.post(f"/admin/users/{admin.uuid}", data=edit_data(admin, roles=["staff"]))
    assert response.status_code == 302
    assert stored(read, admin.id).roles == {Role.STAFF}
    # Without the admin role the pages are closed to them at once.
    assert client.get("/admin/users").status_code == 403


# --- deactivating and reactivating -----------------------------------------------------------


def test_admin_cannot_deactivate_themselves(client, admin, read):
    response = client.post(f"/admin/users/{admin.uuid}/active", data={"active": "0"})
    assert response.status_code == 302
    page = client.get(location(response))
    assert "You cannot deactivate your own account." in alerts(page)
    assert stored(read, admin.id).is_active
    assert audit_actions(read, admin.uuid) == []


def test_user_list_offers_no_deactivate_button_for_oneself(client, admin, clinician):
    response = client.get("/admin/users")
    assert f"/admin/users/{clinician.uuid}/active" in response.text
    assert f"/admin/users/{admin.uuid}/active" not in response.text


def test_admin_deactivates_and_reactivates_another_user(app, client, admin, clinician, read):
    response = client.post(f"/admin/users/{clinician.uuid}/active", data={"active": "0"})
    assert response.status_code == 302
    assert f"{clinician.display_name} is deactivated." in flashes(client.get(location(response)))
    assert not stored(read, clinician.id).is_active
    assert audit_actions(read, clinician.uuid) == [("user.deactivate", admin.id)]
    assert not can_sign_in(app.test_client(), clinician.email, PASSWORD)

    response = client.post(f"/admin/users/{clinician.uuid}/active", data={"active": "1"})
    assert response.status_code == 302
    assert f"{clinician.display_name} is active." in flashes(client.get(location(response)))
    assert stored(read, clinician.id).is_active
    assert audit_actions(read, clinician.uuid) == [
        ("user.deactivate", admin.id),
        ("user.sign_in_failed", None),  # the refused try above, while deactivated
        ("user.activate", admin.id),
    ]
    assert can_sign_in(app.test_client(), clinician.email, PASSWORD)


def test_deactivation_ends_the_users_session(app, clinician, create):
    # Two browsers, both plain test clients (the `client` fixture keeps its last request's
    # context pushed, which another client's requests would share).
    admin = create(make_user, roles=(Role.ADMIN,))
    admin_browser, clinician_browser = app.test_client(), app.test_client()
    admin_browser.post("/login", data={"email": admin.email, "password": PASSWORD})
    clinician_browser.post("/login", data={"email": clinician.email, "password": PASSWORD})
    assert clinician_browser.get("/patients").status_code == 200

    admin_browser.post(f"/admin/users/{clinician.uuid}/active", data={"active": "0"})
    response = clinician_browser.get("/patients")
    assert response.status_code == 302
    assert location(response).startswith("/login")
    # Reactivation alone does not revive the old session.
    admin_browser.post(f"/admin/users/{clinician.uuid}/active", data={"active": "1"})
    assert clinician_browser.get("/patients").status_code == 302


def test_another_admin_can_be_deactivated_while_one_admin_stays(client, admin, create, read):
    other = create(make_user, roles=(Role.ADMIN,))
    client.post(f"/admin/users/{other.uuid}/active", data={"active": "0"})
    assert not stored(read, other.id).is_active


# --- resetting passwords ---------------------------------------------------------------------


def test_admin_resets_a_users_password(app, client, admin, clinician, read):
    before = stored(read, clinician.id).password_hash
    response = client.post(
        f"/admin/users/{clinician.uuid}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert location(response) == "/admin/users"
    assert f"{clinician.display_name} has a new password." in flashes(client.get("/admin/users"))

    after = stored(read, clinician.id).password_hash
    assert after != before
    assert after.startswith("$argon2id$")
    assert NEW_PASSWORD not in after
    assert ("user.reset_password", admin.id) in audit_actions(read, clinician.uuid)

    browser = app.test_client()
    assert can_sign_in(browser, clinician.email, NEW_PASSWORD)
    assert not can_sign_in(browser, clinician.email, PASSWORD)


def test_reset_with_a_short_password_gives_a_field_error(client, admin, clinician, read):
    before = stored(read, clinician.id)
    response = client.post(
        f"/admin/users/{clinician.uuid}/password", data={"password": "short", "confirm": "short"}
    )
    assert response.status_code == 200
    assert field_error(response, "password") == "Use 12 to 256 characters."
    # The page still shows the user's details above the reset form.
    assert input_value(response, "email") == clinician.email
    after = stored(read, clinician.id)
    assert after.password_hash == before.password_hash
    assert after.auth_epoch == before.auth_epoch


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "This is a very common password."),
        ("aaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
        ("qwertyuiop12", "This is similar to a commonly used password."),
        ("Nina Park 123", ""),  # the user's own name
        ("nina.park@clinic.example", ""),  # the user's own e-mail address
    ],
)
def test_a_common_or_personal_password_is_refused_with_a_clear_message(
    client, admin, read, password, message
):
    before = user_count(read)

    response = client.post("/admin/users/new", data=user_data(password=password, confirm=password))

    assert response.status_code == 200
    shown = field_error(response, "password")
    assert shown.endswith("Choose a passphrase of several unrelated words."), shown
    assert shown.startswith(message)
    assert user_count(read) == before
    assert input_value(response, "email") == "Nina.Park@Clinic.Example"  # kept on the form


def test_a_common_password_is_refused_on_reset_and_change(client, admin, clinician, read):
    before = stored(read, clinician.id).password_hash
    admins_before = stored(read, admin.id).password_hash
    reset = client.post(
        f"/admin/users/{clinician.uuid}/password",
        data={"password": "password1234", "confirm": "password1234"},
    )
    change = client.post(
        "/account",
        data={
            "current_password": PASSWORD,
            "new_password": "aaaaaaaaaaaa",
            "confirm": "aaaaaaaaaaaa",
        },
    )

    assert "Choose a passphrase" in field_error(reset, "password")
    assert "Choose a passphrase" in field_error(change, "new_password")
    assert stored(read, clinician.id).password_hash == before
    assert stored(read, admin.id).password_hash == admins_before  # the admin's own, unchanged


def test_reset_with_differing_passwords_gives_a_field_error(client, admin, clinician, read):
    before = stored(read, clinician.id).password_hash
    response = client.post(
        f"/admin/users/{clinician.uuid}/password",
        data={"password": NEW_PASSWORD, "confirm": "something else entirely"},
    )
    assert response.status_code == 200
    assert field_error(response, "confirm") == "The two passwords differ."
    assert stored(read, clinician.id).password_hash == before


# --- clinic settings -------------------------------------------------------------------------


def settings_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Harbour Pain Clinic",
        "address": "1 Quay Street\nPortsmouth",
        "phone": "+44 23 9200 0000",
        "time_zone": "Europe/London",
        "paper_size": "a4",
    }
    data.update(overrides)
    return data


def stored_settings(read: Any) -> ClinicSettings | None:
    with read() as session:
        settings = session.get(ClinicSettings, 1)
        if settings is not None:
            session.expunge(settings)
        return settings


def test_settings_page_shows_the_defaults(client, admin):
    response = client.get("/admin/settings")
    assert response.status_code == 200
    assert input_value(response, "name") == "Tender Point Clinic"
    assert selected_option(response, "time_zone") == "UTC"
    assert selected_option(response, "paper_size") == "letter"


def test_admin_saves_the_clinic_settings(client, admin, read):
    response = client.post("/admin/settings", data=settings_data())
    assert response.status_code == 302
    assert location(response) == "/admin/settings"
    page = client.get("/admin/settings")
    assert "Clinic settings saved." in flashes(page)
    assert "Harbour Pain Clinic" in page.text  # the page header shows the new name

    settings = stored_settings(read)
    assert settings.name == "Harbour Pain Clinic"
    assert settings.address == "1 Quay Street\nPortsmouth"
    assert settings.phone == "+44 23 9200 0000"
    assert settings.time_zone == "Europe/London"
    assert settings.paper_size is PaperSize.A4
    assert selected_option(page, "time_zone") == "Europe/London"
    assert selected_option(page, "paper_size") == "a4"
    with read() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id))
        assert "clinic.update" in list(actions)


def test_invalid_time_zone_is_refused(client, admin, read):
    response = client.post("/admin/settings", data=settings_data(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert field_error(response, "time_zone") != ""
    assert input_value(response, "name") == "Harbour Pain Clinic"
    settings = stored_settings(read)
    assert settings is None or settings.time_zone == "UTC"


def test_invalid_paper_size_is_refused(client, admin, read):
    response = client.post("/admin/settings", data=settings_data(paper_size="tabloid"))
    assert response.status_code == 200
    assert field_error(response, "paper_size") != ""
    settings = stored_settings(read)
    assert settings is None or settings.paper_size is PaperSize.LETTER


def test_clinic_name_is_required(client, admin, read):
    response = client.post("/admin/settings", data=settings_data(name="   "))
    assert response.status_code == 200
    assert field_error(response, "name") == "Enter the clinic's name."
    settings = stored_settings(read)
    assert settings is None or settings.name == "Tender Point Clinic"


@pytest.mark.parametrize(
    ("time_zone", "started", "expected"),
    [
        ("UTC", datetime(2026, 1, 15, 15, 30, tzinfo=UTC), "2026-01-15 15:30 UTC"),
        ("America/New_York", datetime(2026, 1, 15, 15, 30, tzinfo=UTC), "2026-01-15 10:30 EST"),
        ("America/New_York", datetime(2026, 7, 15, 15, 30, tzinfo=UTC), "2026-07-15 11:30 EDT"),
        ("America/New_York", datetime(2026, 1, 16, 3, 0, tzinfo=UTC), "2026-01-15 22:00 EST"),
        ("Europe/Berlin", datetime(2026, 7, 15, 22, 30, tzinfo=UTC), "2026-07-16 00:30 CEST"),
    ],
)
def test_exam_times_are_shown_in_the_clinic_time_zone(
    app, client, admin, create, login, time_zone, started, expected
):
    response = client.post("/admin/settings", data=settings_data(time_zone=time_zone))
    assert response.status_code == 302

    clinician = create(make_user, display_name="Cara Lee", roles=(Role.CLINICIAN,))
    exam = create(make_exam, clinician=clinician, created_at=started)
    login(clinician)
    page = client.get(f"/exams/{exam.uuid}")
    assert page.status_code == 200
    assert f"<dd>{expected} by Cara Lee</dd>" in page.text
