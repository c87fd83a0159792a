"""`clinic audit verify`: check that the audit trail is whole and unchanged."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from clinic.database import write_intent
from clinic.extensions import db
from clinic.services.audit import audit_key, verify_log


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Rebuild every audit row's hash, walk the chain, check each row's seal and the anchored
    head; name the first row that does not fit and exit 1, else print one line and exit 0."""
    intent = write_intent.set(False)  # only reads: no write lock on SQLite
    try:
        engine = db.engine
        options = (
            {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
        )
        with engine.connect().execution_options(**options) as connection:
            verdict = verify_log(connection, audit_key())
            connection.rollback()
    finally:
        write_intent.reset(intent)
    if not verdict.ok:
        click.echo(
            f"Audit trail FAILED at row {verdict.bad_row}: {verdict.reason} "
            f"({verdict.rows} rows before it fit).",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"Audit trail OK: {verdict.rows} rows, chain and seals intact.")
