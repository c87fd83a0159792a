"""Backups of the whole database and their restore: SQLite's online backup API, PostgreSQL's
pg_dump custom archive. Used by `clinic backup` and `clinic restore` only.

A backup is one consistent moment of the database (SQLite copies every page in one step under one
read transaction; pg_dump reads one snapshot) while the app keeps writing. It is written beside its
target, readable by its owner only from the moment it exists, and renamed into place once whole.
The secret key is never in it: only an HMAC of the key (`key_fingerprint`), kept in the clinic's
settings row, so a restore can tell whether it runs with the key the records were sealed with.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from sqlalchemy import URL, Connection, select, text, update
from sqlalchemy.orm import Session

from clinic.models import CLINIC_SETTINGS_ID, ClinicSettings

SQLITE_HEADER = b"SQLite format 3\x00"
PG_ARCHIVE_HEADER = b"PGDMP"
_FINGERPRINT_MESSAGE = b"tender-point-clinic: the secret key a backup was made with"
# libpq's connection parameters that a database URL's query may carry, and their variables.
_LIBPQ_VARIABLES = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "client_encoding": "PGCLIENTENCODING",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """A backup or restore refused or failed; the message is one line for whoever runs it."""


class BackupKind(Enum):
    """What a backup file is, by its first bytes."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"

    @property
    def label(self) -> str:
        """How the file is named to a user."""
        if self is BackupKind.SQLITE:
            return "a SQLite backup"
        return "a PostgreSQL backup (pg_dump custom archive)"


@dataclass(frozen=True)
class Written:
    """What a backup wrote: its size, and for SQLite its tables and rows."""

    path: Path
    size_bytes: int
    seconds: float
    tables: int | None = None
    rows: int | None = None


def key_fingerprint(secret_key: str | bytes) -> str:
    """An HMAC of the app's secret key, keyed by the key itself: it tells two keys apart and
    reveals nothing of either."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()


def stamp_key_fingerprint(session: Session, fingerprint: str) -> bool:
    """Record the fingerprint in the settings row unless it is there already (a backup then
    writes nothing to the database); True when it was written. The caller commits."""
    stored = session.scalars(
        select(ClinicSettings.backup_key_fingerprint).where(ClinicSettings.id == CLINIC_SETTINGS_ID)
    ).first()
    if stored == fingerprint:
        return False
    session.execute(
        update(ClinicSettings)
        .where(ClinicSettings.id == CLINIC_SETTINGS_ID)
        # The settings themselves did not change: their time stays.
        .values(backup_key_fingerprint=fingerprint, updated_at=ClinicSettings.updated_at)
    )
    return True


def recorded_fingerprint(connection: Connection) -> str | None:
    """The fingerprint of the key the restored backup was made with (None: not recorded)."""
    return connection.execute(
        select(ClinicSettings.backup_key_fingerprint).where(ClinicSettings.id == CLINIC_SETTINGS_ID)
    ).scalar()


# --- writing the file -------------------------------------------------------------------------


def _temporary_beside(target: Path) -> tuple[int, Path]:
    """A new empty file next to the target, created readable and writable by its owner only
    (mkstemp: O_EXCL, mode 0600) so that no one else can open it even for a moment."""
    if target.is_dir():
        raise BackupError(f"{target} is a directory: name the backup file.")
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as error:
        raise BackupError(f"Cannot write {target}: {error.strerror}.") from None
    return fd, Path(name)


def _put_in_place(partial: Path, target: Path) -> None:
    """Make the finished file durable, then rename it over the target in one step."""
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    os.replace(partial, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _discard(partial: Path) -> None:
    for leftover in (partial, partial.with_name(partial.name + "-journal")):
        leftover.unlink(missing_ok=True)


def backup_sqlite(database: Path, target: Path) -> Written:
    """Copy the SQLite database to the target with the online backup API, in one step: one read
    transaction sees one moment of the database, and in WAL mode writers go on meanwhile."""
    started = time.perf_counter()
    if target.exists() and database.exists() and target.samefile(database):
        raise BackupError(f"{target} is the database itself: name another file.")
    fd, partial = _temporary_beside(target)
    os.close(fd)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, sleep=0.05)
            # The copy is one self-contained file: no WAL beside it to lose.
            copy.execute("PRAGMA journal_mode = DELETE")
            tables, rows = _count_rows(copy)
        finally:
            copy.close()
            source.close()
        _put_in_place(partial, target)
    except sqlite3.Error as error:
        _discard(partial)
        raise BackupError(f"The backup failed: {error}.") from None
    except BaseException:
        _discard(partial)
        raise
    size = target.stat().st_size
    return Written(target, size, time.perf_counter() - started, tables, rows)


def _user_tables(connection: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _count_rows(connection: sqlite3.Connection) -> tuple[int, int]:
    tables = _user_tables(connection)
    rows = sum(
        connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608 - names from sqlite_master
        for name in tables
    )
    return len(tables), rows


# --- PostgreSQL -------------------------------------------------------------------------------


def libpq_environment(url: URL) -> dict[str, str]:
    """The environment pg_dump and pg_restore connect with: the URL's user, password, host,
    port and database as libpq's variables (never on a command line, where `ps` shows them)."""
    # What the URL leaves out (a host, say) comes from the environment, as for the app itself.
    environment = dict(os.environ)
    fields = {
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGDATABASE": url.database,
    }
    for name, value in url.query.items():
        variable = _LIBPQ_VARIABLES.get(name)
        if variable is None:
            raise BackupError(f"The database URL's parameter {name!r} is not one pg_dump takes.")
        fields[variable] = value if isinstance(value, str) else value[-1]
    environment.update({name: str(value) for name, value in fields.items() if value})
    return environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client programs (e.g. the "
            f"postgresql-client package) of the server's version or later."
        )
    return found


def _major_version(program: str) -> int:
    """The major version of a PostgreSQL client program ("pg_dump (PostgreSQL) 16.4" -> 16)."""
    answer = subprocess.run(  # noqa: S603 - a program found on PATH, fixed arguments
        [program, "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"\)\s*(\d+)", answer.stdout)
    if answer.returncode != 0 or found is None:
        raise BackupError(f"Cannot tell the version of {program}: {answer.stdout.strip()!r}.")
    return int(found.group(1))


def server_major_version(connection: Connection) -> int:
    """The PostgreSQL server's major version (160004 -> 16)."""
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def pg_dump_for(server_major: int) -> str:
    """pg_dump on PATH, if it can dump a server of this major version (its own or older)."""
    program = _tool("pg_dump")
    major = _major_version(program)
    if major < server_major:
        raise BackupError(
            f"pg_dump {major} cannot dump PostgreSQL {server_major}: "
            f"install pg_dump {server_major} or later."
        )
    return program


def backup_postgresql(url: URL, program: str, target: Path) -> Written:
    """Dump the database with pg_dump --format=custom into the target (one snapshot; writers go
    on meanwhile). pg_dump writes to a file this process created 0600, never one of its own."""
    started = time.perf_counter()
    fd, partial = _temporary_beside(target)
    try:
        with os.fdopen(fd, "wb") as out:
            done = subprocess.run(  # noqa: S603 - pg_dump from PATH, fixed options
                [program, "--format=custom", "--no-password"],
                stdout=out,
                stderr=subprocess.PIPE,
                env=libpq_environment(url),
                check=False,
            )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {_first_line(done.stderr)}")
        _put_in_place(partial, target)
    except BaseException:
        _discard(partial)
        raise
    return Written(target, target.stat().st_size, time.perf_counter() - started)


def _first_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return lines[0].strip() if lines else "no message"


# --- restoring --------------------------------------------------------------------------------


def backup_kind(path: Path) -> BackupKind:
    """What the file is, by its header; refused when it is neither kind of backup."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if head.startswith(SQLITE_HEADER):
        return BackupKind.SQLITE
    if head.startswith(PG_ARCHIVE_HEADER):
        return BackupKind.POSTGRESQL
    raise BackupError(
        f"{path} is not a backup made by `clinic backup` (neither a SQLite file nor a "
        f"pg_dump custom archive)."
    )


def database_tables(connection: Connection) -> list[str]:
    """Every table the database holds, in any schema but the system's."""
    if connection.dialect.name == "postgresql":
        statement = (
            "SELECT schemaname || '.' || tablename FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )
    else:
        statement = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    return list(connection.execute(text(statement)).scalars())


def sqlite_revision(path: Path) -> str | None:
    """The Alembic revision a SQLite backup is at (None: it has none)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
            if "alembic_version" not in _user_tables(backup):
                return None
            row = backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be read as a SQLite database: {error}.") from None
    return None if row is None else str(row[0])


def pg_restore_program() -> str:
    """pg_restore on PATH."""
    return _tool("pg_restore")


def archive_revision(program: str, path: Path) -> str | None:
    """The Alembic revision a pg_dump archive is at, read from the archive alone (pg_restore
    prints the table's data as COPY text; no database is needed)."""
    done = subprocess.run(  # noqa: S603 - pg_restore from PATH, fixed options
        [program, "--data-only", "--table=alembic_version", "--file=-", str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore cannot read {path}: {_first_line(done.stderr)}")
    lines = done.stdout.decode().splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and ".alembic_version " in line:
            value = lines[index + 1] if index + 1 < len(lines) else "\\."
            return None if value == "\\." else value.strip()
    return None


def restore_sqlite(backup: Path, database: Path) -> None:
    """Copy the backup into the (empty) database file with the online backup API."""
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        target = sqlite3.connect(database, timeout=30)
        try:
            # Into the (empty) file directly: in WAL mode every page would be written twice,
            # to the log and again when it is checkpointed.
            mode = target.execute("PRAGMA journal_mode").fetchone()[0]
            target.execute("PRAGMA journal_mode = DELETE")
            source.backup(target)
            target.execute(f"PRAGMA journal_mode = {'WAL' if mode == 'wal' else 'DELETE'}")
        finally:
            target.close()
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"The restore failed: {error}.") from None


def restore_postgresql(url: URL, program: str, backup: Path) -> None:
    """Load the archive into the (empty) database in one transaction: all of it or nothing.
    Objects are owned by the restoring user, and no grants are replayed (the second machine's
    roles need not be the first's)."""
    done = subprocess.run(  # noqa: S603 - pg_restore from PATH, fixed options
        [
            program,
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={url.database}",
            str(backup),
        ],
        capture_output=True,
        env=libpq_environment(url),
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing restored: {_first_line(done.stderr)}")


def check_known_revision(path: Path, revision: str | None) -> str:
    """The backup's Alembic revision, if this version's migrations know it (an older one is
    upgraded after the restore); refused when it has none or a newer one."""
    from alembic.script import ScriptDirectory

    from clinic import MIGRATIONS_DIR

    if revision is None:
        raise BackupError(f"{path} holds no clinic database (it has no schema revision).")
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    known = {script.revision for script in scripts.walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"{path} is at schema revision {revision}, newer than this version of the clinic "
            f"knows (up to {scripts.get_current_head()}): restore it with the version that "
            f"made it, or a later one."
        )
    return revision
