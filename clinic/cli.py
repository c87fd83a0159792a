"""The `clinic` command: Flask's CLI, `clinic db ...` migrations, and the clinic's own commands."""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import DBAPIError

from clinic.domain.errors import DomainError
from clinic.domain.roles import Role


class _ClinicCommands(FlaskGroup):
    """Flask's command group, noting which command is asked for before the app is built, and
    telling whoever runs a command on a database without the clinic's tables what to do."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        ctx.meta[_COMMAND] = name
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DBAPIError as error:
            if ctx.meta.get(_COMMAND) == "db" or not _missing_table(error):
                raise  # `clinic db` itself, or another fault: as it is
            raise click.ClickException(
                "The database has no clinic tables yet (or is older than this version): "
                "run `clinic db upgrade` first."
            ) from error


def _missing_table(error: DBAPIError) -> bool:
    """The database lacks a table: SQLite's "no such table", PostgreSQL's undefined_table."""
    cause = error.orig
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause).startswith("no such table")
    return getattr(cause, "sqlstate", None) == "42P01"


_COMMAND = "clinic.command"


@click.group(cls=_ClinicCommands, create_app=lambda: _create_app())
def main() -> None:
    """Manage the Tender Point Clinic service."""


def _create_app() -> Flask:
    """The app, with Alembic wired in only for `clinic db`, `clinic restore` (which migrates
    what it restored) and the command list: it adds some 25 MB that an export or a report does
    not need."""
    from clinic import create_app, settle_heap

    context = click.get_current_context(silent=True)
    command = context.meta.get(_COMMAND) if context is not None else None
    app = create_app(migrations=command in (None, "db", "restore"))
    settle_heap()
    return app


@click.command("setup-token")
@with_appcontext
def setup_token_command() -> None:
    """Print the token the setup page asks for, while no user exists yet."""
    from clinic.auth import setup_done
    from clinic.services.setup import setup_token

    if setup_done():
        click.echo("Setup is complete: users exist. Administrators add users in the app.")
        return
    click.echo(setup_token())


@click.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="Repeat for several roles.",
)
@click.option("--name", required=True, help="Display name, e.g. 'Ana Ruiz'.")
@click.option("--credentials", default="", help="Shown in signature blocks, e.g. 'MD'.")
@click.option("--licence", "licence_number", default="", help="Professional licence number.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(
    email: str,
    roles: tuple[str, ...],
    name: str,
    credentials: str,
    licence_number: str,
    password_stdin: bool,
) -> None:
    """Create a user who can sign in at once."""
    from clinic.extensions import db_session
    from clinic.services.users import UserDetails, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    details = UserDetails(
        email=email,
        display_name=name,
        credentials=credentials,
        licence_number=licence_number,
        roles=frozenset(Role(role) for role in roles),
    )
    try:
        user = create_user(db_session(), details, password, None)
    except DomainError as error:
        db_session().rollback()
        for field, message in error.reasons:
            click.echo(f"error: {field}: {message}", err=True)
        raise SystemExit(1) from None
    db_session().commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


def register_commands(app: Flask) -> None:
    """Add the clinic's commands to `flask`/`clinic`."""
    from clinic.cli_audit import audit_group
    from clinic.cli_backup import backup_command, restore_command
    from clinic.cli_exams import exam_group
    from clinic.cli_exports import export_command
    from clinic.cli_imports import import_command
    from clinic.cli_reports import report_group

    app.cli.add_command(setup_token_command)
    app.cli.add_command(user_group)
    app.cli.add_command(exam_group)
    app.cli.add_command(report_group)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
