"""`clinic backup FILE` and `clinic restore FILE`: the whole database (users, roles, API tokens,
settings, the audit trail and every record) copied while the app runs, and brought back."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, text

from clinic.extensions import db, db_session
from clinic.services.backup import (
    BackupError,
    BackupKind,
    Written,
    archive_revision,
    backup_kind,
    backup_postgresql,
    backup_sqlite,
    check_known_revision,
    database_tables,
    key_fingerprint,
    pg_dump_for,
    pg_restore_program,
    recorded_fingerprint,
    restore_postgresql,
    restore_sqlite,
    server_major_version,
    sqlite_revision,
    stamp_key_fingerprint,
)

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("file", type=_FILE)
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent copy of the whole database to FILE while the app keeps serving:
    a SQLite file (SQLite) or a pg_dump custom archive (PostgreSQL), readable by its owner only.
    The secret key is not in it: keep instance/secret_key (or CLINIC_SECRET_KEY) with it."""
    engine = db.engine
    try:
        program = _pg_dump(engine) if _kind(engine) is BackupKind.POSTGRESQL else None
        session = db_session()
        stamp_key_fingerprint(session, key_fingerprint(current_app.config["SECRET_KEY"]))
        session.commit()
        session.close()
        if program is not None:
            written = backup_postgresql(engine.url, program, file)
        else:
            written = backup_sqlite(_sqlite_file(engine), file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_written_line(written))


def _kind(engine: Engine) -> BackupKind:
    return BackupKind.POSTGRESQL if engine.dialect.name == "postgresql" else BackupKind.SQLITE


def _pg_dump(engine: Engine) -> str:
    with engine.connect() as connection:
        server = server_major_version(connection)
    return pg_dump_for(server)


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory: there is no file to back up.")
    return Path(database)


def _written_line(written: Written) -> str:
    if written.tables is not None:
        what = f"SQLite, {written.tables} tables, {written.rows:,} rows"
    else:
        what = "pg_dump custom archive"
    return (
        f"Backed up to {written.path}: {what}, {_size(written.size_bytes)} "
        f"in {written.seconds:.2f} s."
    )


def _size(size_bytes: int) -> str:
    if size_bytes < 1 << 20:
        return f"{size_bytes / 1024:.1f} KB"
    return f"{size_bytes / (1 << 20):.1f} MB"


@click.command("restore")
@click.argument("file", type=_FILE)
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore a backup made by `clinic backup` into the configured database, which must have
    no tables yet; migrate it to this version's schema, end every session, verify the audit
    trail."""
    started = time.perf_counter()
    engine = db.engine
    try:
        revision = _check_restorable(engine, file)
        engine.dispose()  # no pooled connection outlives the database it saw empty
        if _kind(engine) is BackupKind.POSTGRESQL:
            restore_postgresql(engine.url, pg_restore_program(), file)
        else:
            restore_sqlite(file, _sqlite_file(engine))
        engine.dispose()
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    head = _migrate_to_head()
    _warn_if_another_key(engine)
    ended = _end_every_session()
    click.echo(
        f"Restored {file} (revision {revision}, now {head}); {ended} session(s) ended "
        f"in {time.perf_counter() - started:.2f} s."
    )
    _verify_audit_trail()


def _check_restorable(engine: Engine, file: Path) -> str:
    """Refuse (BackupError) a file of the other kind, a database that already has tables, or a
    backup this version's migrations do not know; the backup's revision otherwise."""
    kind, configured = backup_kind(file), _kind(engine)
    if kind is not configured:
        raise BackupError(
            f"{file} is {kind.label}, but the configured database is {configured.value}: "
            f"restore it into a {kind.value} database."
        )
    with engine.connect() as connection:
        tables = database_tables(connection)
        connection.rollback()
    if tables:
        listed = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        raise BackupError(
            f"The database already has {len(tables)} table(s) ({listed}): "
            f"restore only into an empty database."
        )
    if kind is BackupKind.POSTGRESQL:
        revision = archive_revision(pg_restore_program(), file)
    else:
        revision = sqlite_revision(file)
    return check_known_revision(file, revision)


def _migrate_to_head() -> str:
    """Upgrade the restored database to this version's head (Flask-Migrate); the head."""
    import flask_migrate

    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.rollback()
    return str(head)


def _warn_if_another_key(engine: Engine) -> None:
    with engine.connect() as connection:
        recorded = recorded_fingerprint(connection)
        connection.rollback()
    running = key_fingerprint(current_app.config["SECRET_KEY"])
    if recorded is None:
        click.echo(
            "warning: the backup does not record which secret key it was made with.", err=True
        )
    elif recorded != running:
        click.echo(
            "warning: this app's secret key is not the one the backup was made with: restore "
            "instance/secret_key (or CLINIC_SECRET_KEY) from the backup's machine.",
            err=True,
        )


def _end_every_session() -> int:
    from clinic.services.sessions import end_all_sessions

    session = db_session()
    ended = end_all_sessions(session)
    session.commit()
    return ended


def _verify_audit_trail() -> None:
    """Run `clinic audit verify` on the restored database (exit 1 when it fails)."""
    from clinic.cli_audit import verify_command

    click.get_current_context().invoke(verify_command)
