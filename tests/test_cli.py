"""The `clinic` command line: the setup token and creating users."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

import clinic
from clinic.cli import main
from clinic.domain.roles import Role
from clinic.models import AuditEvent, User
from clinic.services.setup import setup_token
from tests.factories import make_user

PASSWORD = "a password typed at the console"


def create_user(runner: FlaskCliRunner, *args: str, password: str = PASSWORD) -> Any:
    return runner.invoke(args=["user", "create", *args, "--password-stdin"], input=f"{password}\n")


def user_count(read: Any) -> int:
    with read() as session:
        return session.scalar(select(func.count()).select_from(User))


def stored_user(read: Any, email: str) -> User | None:
    with read() as session:
        user = session.scalars(select(User).where(User.email == email)).first()
        if user is not None:
            user.roles  # noqa: B018 - load before the session closes
            session.expunge(user)
        return user


# --- setup-token -----------------------------------------------------------------------------


def test_setup_token_is_printed_while_no_user_exists(app, runner):
    result = runner.invoke(args=["setup-token"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        expected = setup_token()
    assert result.output.strip() == expected


def test_printed_setup_token_is_the_one_the_setup_page_accepts(app, runner, client, read):
    token = runner.invoke(args=["setup-token"]).output.strip()
    response = client.post(
        "/setup",
        data={
            "setup_token": token,
            "email": "first@clinic.example",
            "display_name": "First Admin",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert stored_user(read, "first@clinic.example").roles == {Role.ADMIN}


def test_setup_token_says_setup_is_complete_once_a_user_exists(runner, create, app):
    create(make_user)
    result = runner.invoke(args=["setup-token"])
    assert result.exit_code == 0
    assert "Setup is complete" in result.output
    with app.app_context():
        assert setup_token() not in result.output


# --- user create -----------------------------------------------------------------------------


def test_user_create_with_several_roles(runner, read):
    result = create_user(
        runner,
        "Ana.Ruiz@Clinic.Example",
        "--role",
        "admin",
        "--role",
        "clinician",
        "--name",
        "Ana Ruiz",
        "--credentials",
        "MD",
        "--licence",
        "L-99",
    )
    assert result.exit_code == 0, result.output
    assert "Created ana.ruiz@clinic.example (admin, clinician)." in result.output
    assert PASSWORD not in result.output

    user = stored_user(read, "ana.ruiz@clinic.example")
    assert user is not None
    assert user.roles == {Role.ADMIN, Role.CLINICIAN}
    assert user.display_name == "Ana Ruiz"
    assert user.credentials == "MD"
    assert user.licence_number == "L-99"
    assert user.is_active
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    with read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_uuid == user.uuid)).one()
        assert event.action == "user.create"
        assert event.actor_id is None  # created at the console, not by a signed-in user


def test_user_created_at_the_console_can_sign_in(runner, client):
    create_user(runner, "staff@clinic.example", "--role", "staff", "--name", "Sam Staff")
    response = client.post("/login", data={"email": "staff@clinic.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/patients").status_code == 200


def test_user_create_ends_setup(runner, client):
    create_user(runner, "admin@clinic.example", "--role", "admin", "--name", "Ada Admin")
    assert client.get("/setup").status_code == 404
    assert runner.invoke(args=["setup-token"]).output.startswith("Setup is complete")


def test_user_create_without_credentials_stores_none(runner, read):
    result = create_user(runner, "sam@clinic.example", "--role", "staff", "--name", "Sam")
    assert result.exit_code == 0, result.output
    user = stored_user(read, "sam@clinic.example")
    assert user.credentials is None
    assert user.licence_number is None


def test_user_create_with_a_short_password_stores_nothing(runner, read):
    result = create_user(
        runner, "ana@clinic.example", "--role", "admin", "--name", "Ana", password="too short"
    )
    assert result.exit_code != 0
    assert "error: password: Use at least 12 characters." in result.stderr
    assert user_count(read) == 0


def test_user_create_with_a_blank_password_stores_nothing(runner, read):
    result = create_user(
        runner, "ana@clinic.example", "--role", "admin", "--name", "Ana", password=" " * 20
    )
    assert result.exit_code != 0
    assert "cannot be only spaces" in result.stderr
    assert user_count(read) == 0


def test_user_create_refuses_a_taken_email(runner, create, read):
    create(make_user, email="ana@clinic.example", display_name="Ana First")
    result = create_user(runner, "ANA@clinic.example", "--role", "staff", "--name", "Ana Second")
    assert result.exit_code != 0
    assert "error: email: Another user already has this e-mail address." in result.stderr
    assert user_count(read) == 1
    assert stored_user(read, "ana@clinic.example").display_name == "Ana First"


def test_user_create_refuses_an_unknown_role(runner, read):
    result = create_user(runner, "ana@clinic.example", "--role", "superuser", "--name", "Ana")
    assert result.exit_code == 2
    assert "superuser" in result.output
    assert user_count(read) == 0


def test_user_create_needs_a_role_and_a_name(runner, read):
    no_role = create_user(runner, "ana@clinic.example", "--name", "Ana")
    no_name = create_user(runner, "ana@clinic.example", "--role", "staff")
    assert no_role.exit_code == 2
    assert "--role" in no_role.output
    assert no_name.exit_code == 2
    assert "--name" in no_name.output
    assert user_count(read) == 0


def test_user_create_prompts_for_the_password_twice(runner, read):
    result = runner.invoke(
        args=["user", "create", "ana@clinic.example", "--role", "staff", "--name", "Ana"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert PASSWORD not in result.output  # typed input is hidden
    assert stored_user(read, "ana@clinic.example") is not None


def test_the_command_line_wires_alembic_only_for_its_db_commands(monkeypatch, tmp_path):
    """`clinic export`, `report` and the rest build the app without Alembic (some 25 MB an export
    does not need, which kept `clinic export` over 100 MB); `clinic db` has it."""
    built: list[bool] = []
    real = clinic.create_app

    def recording(config: Any = None, *, migrations: bool = True) -> Any:
        built.append(migrations)
        return real(config, migrations=migrations)

    monkeypatch.setattr(clinic, "create_app", recording)
    monkeypatch.setenv("CLINIC_DATABASE_URL", f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
    monkeypatch.setenv("CLINIC_SECRET_KEY", "test")
    for args in (["export", "--help"], ["db", "--help"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output

    assert built == [False, True]


def test_a_database_without_the_clinics_tables_gets_told_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("CLINIC_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("CLINIC_SECRET_KEY", "test")
    for args in (["export", "csv", "-o", "-"], ["setup-token"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "no clinic tables yet" in result.output
        assert "clinic db upgrade" in result.output
        assert "Traceback" not in result.output
