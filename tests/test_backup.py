"""`clinic backup` and `clinic restore`: a copy taken while tablets save is one moment of the
database, and it comes back whole (users, roles, tokens, settings, the audit trail, signed exams),
with every session ended; what cannot be restored is refused in one line and left untouched.

Runs on the test database's kind (SQLite, or PostgreSQL with CLINIC_TEST_DATABASE_URL); restores
go into a second, empty database of the same kind (a temporary file, or a scratch database made
once per run on the same server).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import Connection, create_engine, inspect, make_url, select, text

from clinic.config import database_url as normalised_url
from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import (
    AuditEvent,
    Base,
    ClinicSettings,
    Exam,
    SaveReceipt,
    TenderPointFinding,
    UserSession,
)
from clinic.services.api_tokens import create_token
from clinic.services.backup import BackupError, backup_postgresql, backup_sqlite, pg_dump_for
from clinic.services.signing import signature_holds
from tests.conftest import TEST_CONFIG, make_app, sign_in_as
from tests.exam_forms import post_full_exam
from tests.factories import PASSWORD, make_exam, make_patient, make_user

WRITER_SITES = ("TP01L", "TP01R", "TP02L", "TP02R", "TP03L")


# --- the second database ----------------------------------------------------------------------


@dataclass
class Target:
    """The empty database a restore goes into, and an app configured for it."""

    url: str
    app: Flask
    kind: str

    def empty(self) -> None:
        """Drop everything, as a freshly created database."""
        with self.app.app_context():
            db.engine.dispose()
            if self.kind == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
                db.engine.dispose()
                return
        path = Path(make_url(self.url).database or "")
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)

    def restore(self, file: Path, app: Flask | None = None) -> Result:
        """`clinic restore FILE` with this database configured."""
        return (app or self.app).test_cli_runner().invoke(args=["restore", str(file)])


@pytest.fixture(scope="session")
def _target(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    url = make_url(normalised_url(make_app(database_url)))
    if url.get_backend_name() == "sqlite":
        path = tmp_path_factory.mktemp("restore") / "restored.sqlite3"
        target_url = f"sqlite:///{path}"
        yield Target(target_url, make_app(target_url), "sqlite")
        return
    name = f"clinic_restore_{uuid.uuid4().hex[:12]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target_url = url.set(database=name).render_as_string(hide_password=False)
    target = Target(target_url, make_app(target_url), "postgresql")
    try:
        yield target
        with target.app.app_context():
            db.engine.dispose()
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def target(_target: Target) -> Target:
    """An empty database of the test database's kind."""
    _target.empty()
    return _target


@pytest.fixture
def kind(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def backup(app: Flask, file: Path) -> Result:
    """`clinic backup FILE` on the test database."""
    return app.test_cli_runner().invoke(args=["backup", str(file)])


# --- reading whole databases ------------------------------------------------------------------


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def contents(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order; a session's end is left out (a restore
    ends every session, which is checked on its own)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        columns = [
            column
            for column in table.columns
            if not (table.name == "user_sessions" and column.name in ("ended_at", "end_reason"))
        ]
        query = select(*columns).order_by(*table.primary_key.columns)
        tables[table.name] = [tuple(row) for row in connection.execute(query)]
    tables["alembic_version"] = [
        tuple(row) for row in connection.execute(text("SELECT version_num FROM alembic_version"))
    ]
    return tables


def contents_of(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context(), db.engine.connect() as connection:
        found = contents(connection)
        connection.rollback()
    return found


# --- a clinic worth restoring -----------------------------------------------------------------


@dataclass
class Clinic:
    users: list[Any]
    clinician: Any
    signed: Any
    draft: Any
    api_token: str


@pytest.fixture
def clinic(app: Flask, create: Callable[..., Any], client: Any) -> Clinic:
    """Users of every role, an API token, changed settings, a signed exam and a draft, and the
    audit trail all of that wrote; the clinician signed in on `client`."""
    admin = create(make_user, roles=(Role.ADMIN,), email="admin@clinic.example")
    staff = create(make_user, roles=(Role.STAFF,), email="front@clinic.example")
    clinician = create(make_user, roles=(Role.CLINICIAN, Role.ADMIN), email="ana@clinic.example")
    patient = create(make_patient, family_name="Okafor", given_name="Ngozi")
    signed = create(make_exam, patient=patient, clinician=clinician, exam_date=date(2026, 3, 4))
    draft = create(make_exam, patient=patient, clinician=clinician, exam_date=date(2026, 4, 1))
    sign_in_as(client, clinician)
    post_full_exam(client, signed.uuid)
    response = client.post(f"/exams/{signed.uuid}/sign", data={"password": PASSWORD})
    assert response.status_code == 303
    with app.app_context():
        token, _ = create_token(db.session, db.session.merge(admin), "lab system")
        settings = db.session.get(ClinicSettings, 1)
        settings.name = "Tender Point Clinic — Riverside"
        db.session.commit()
    return Clinic([admin, staff, clinician], clinician, signed, draft, token)


def autosave(client: Any, exam: Any, site: str, base_version: int, rating: int) -> Any:
    return client.put(
        f"/exams/{exam.uuid}/autosave/tender-points/{site}",
        json={
            "base_version": base_version,
            "finding": {"examined": True, "painful": True, "rating": rating},
        },
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )


class Tablet(threading.Thread):
    """A tablet autosaving the draft's sites one after another through the app until stopped.
    After each save (this tablet being the only writer) it reads the whole database: the state
    the database was in from that commit until the next."""

    def __init__(self, app: Flask, user: Any, exam: Any) -> None:
        super().__init__(daemon=True)
        self.app, self.exam = app, exam
        self.client = app.test_client()
        sign_in_as(self.client, user)
        self.states = [contents_of(app)]
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        versions: dict[str, int] = {}
        try:
            while not self.stop.is_set():
                site = WRITER_SITES[len(self.states) % len(WRITER_SITES)]
                response = autosave(
                    self.client, self.exam, site, versions.get(site, 0), len(self.states) % 10 + 1
                )
                assert response.status_code == 200, response.text
                versions[site] = response.get_json()["saved"]["version"]
                self.states.append(contents_of(self.app))
        except BaseException as error:  # reported by the test's thread
            self.failure = error

    def wait_for(self, saves: int) -> None:
        deadline = time.monotonic() + 30
        while len(self.states) <= saves and self.failure is None:
            assert time.monotonic() < deadline, "the tablet stopped saving"
            time.sleep(0.005)
        assert self.failure is None, self.failure


# --- backups taken while the app writes, restored -----------------------------------------------


def test_a_backup_taken_while_a_tablet_saves_restores_one_moment_of_the_database(
    app, clinic, target, tmp_path
):
    file = tmp_path / "clinic.backup"
    # A first backup records the key's fingerprint; from then on a backup writes nothing, and
    # the tablet is the only writer, so its reading after each save is the database until its
    # next save.
    assert backup(app, tmp_path / "first.backup").exit_code == 0
    tablet = Tablet(app, clinic.clinician, clinic.draft)
    tablet.start()
    tablet.wait_for(saves=3)
    saved_before = len(tablet.states) - 1
    made = backup(app, file)
    saved_after = len(tablet.states)  # one more save may have committed, not yet read
    tablet.wait_for(saves=saved_after + 2)
    tablet.stop.set()
    tablet.join()
    assert tablet.failure is None, tablet.failure
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"Backed up to {file}: ")

    restored = target.restore(file)

    assert restored.exit_code == 0, restored.output
    assert "Audit trail OK" in restored.stdout
    copy = contents_of(target.app)
    moments = [n for n, state in enumerate(tablet.states) if state == copy]
    # The copy is the database as it was between two of the tablet's saves, at a moment while
    # the backup ran: not a mixture of tables read at different times.
    assert moments, "the restored database matches no moment of the source"
    assert saved_before <= moments[0] <= saved_after
    assert moments[0] < len(tablet.states) - 1  # the tablet saved on after the backup
    with target.app.app_context(), db.engine.connect() as connection:
        assert table_names(connection) == table_names_of(app)
        _assert_every_save_whole(connection, clinic.draft)


def table_names_of(app: Flask) -> set[str]:
    with app.app_context(), db.engine.connect() as connection:
        return table_names(connection)


def _assert_every_save_whole(connection: Connection, draft: Any) -> None:
    """Each site's version, its audit rows and the tablet's receipts tell the same story."""
    saves = [
        event.detail
        for event in connection.execute(
            select(AuditEvent.detail).where(AuditEvent.action == "finding.tender_point.save")
        )
    ]
    in_draft = [detail for detail in saves if detail["exam"] == str(draft.uuid)]
    sites = connection.execute(
        select(TenderPointFinding.site_code, TenderPointFinding.version)
        .join(Exam)
        .where(Exam.uuid == draft.uuid)
    ).all()
    assert in_draft
    assert sites
    for site, version in sites:
        assert max(d["version"] for d in in_draft if d["site"] == site) == version
        assert sum(1 for d in in_draft if d["site"] == site) == version
    receipts = connection.execute(
        select(SaveReceipt.id).join(Exam).where(Exam.uuid == draft.uuid)
    ).all()
    assert len(receipts) == len(in_draft)


def test_after_a_restore_every_user_signs_in_and_the_signed_exam_still_verifies(
    app, clinic, client, target, tmp_path
):
    file = tmp_path / "clinic.backup"
    assert backup(app, file).exit_code == 0

    restored = target.restore(file)

    assert restored.exit_code == 0, restored.output
    with target.app.app_context():
        exam = db.session.scalars(select(Exam).where(Exam.uuid == clinic.signed.uuid)).one()
        assert exam.signed_document is not None
        assert signature_holds(exam)
        assert db.session.get(ClinicSettings, 1).name == "Tender Point Clinic — Riverside"
        sessions = db.session.scalars(select(UserSession)).all()
        assert sessions
        assert all(row.ended_at is not None for row in sessions)
        db.session.rollback()
    for user in clinic.users:
        browser = target.app.test_client()
        answer = browser.post("/login", data={"email": user.email, "password": PASSWORD})
        assert answer.status_code == 302, user.email
        assert browser.get("/patients").status_code == 200
    api = target.app.test_client().get(
        "/api/v1/patients", headers={"Authorization": f"Bearer {clinic.api_token}"}
    )
    assert api.status_code == 200
    # The clinician's browser session was copied with the rest, and ended by the restore.
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    copied = target.app.test_client()
    copied.set_cookie(cookie.key, cookie.value)
    assert copied.get("/patients").status_code == 302


def test_a_backup_is_readable_by_its_owner_only_and_replaces_the_file_whole(app, clinic, tmp_path):
    file = tmp_path / "clinic.backup"
    file.write_bytes(b"an older backup")
    file.chmod(0o644)
    umask = os.umask(0)  # the most permissive umask: the mode is the backup's own doing
    try:
        made = backup(app, file)
    finally:
        os.umask(umask)

    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clinic.backup"]
    assert len(made.output.strip().splitlines()) == 1


def test_a_backup_from_an_older_version_is_migrated_and_says_its_key_is_unknown(
    app, clinic, target, tmp_path
):
    # An older clinic's database (one revision behind, before the key was recorded).
    with target.app.app_context():
        flask_migrate.upgrade(revision="0007")
        db.engine.dispose()
    file = tmp_path / "older.backup"
    if target.kind == "postgresql":
        with target.app.app_context(), db.engine.connect() as connection:
            program = pg_dump_for(_server_major(connection))
        backup_postgresql(make_url(target.url), program, file)
    else:
        backup_sqlite(Path(make_url(target.url).database or ""), file)
    target.empty()

    restored = target.restore(file)

    assert restored.exit_code == 0, restored.output
    assert "revision 0007, now 0008" in restored.stdout
    assert restored.stderr.strip().splitlines()[-1] == (
        "warning: the backup does not record which secret key it was made with."
    )
    with target.app.app_context(), db.engine.connect() as connection:
        assert table_names(connection) == table_names_of(app)


def _server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def test_a_restore_with_another_secret_key_warns_and_the_audit_trail_does_not_verify(
    app, clinic, target, tmp_path
):
    file = tmp_path / "clinic.backup"
    assert backup(app, file).exit_code == 0
    other = make_app(target.url, SECRET_KEY="not the key the backup was made with")
    try:
        restored = target.restore(file, other)
    finally:
        with other.app_context():
            db.engine.dispose()

    warnings = [line for line in restored.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: this app's secret key is not the one the backup was made with: restore "
        "instance/secret_key (or CLINIC_SECRET_KEY) from the backup's machine."
    ]
    assert "Audit trail FAILED" in restored.stderr
    assert restored.exit_code == 1


def test_the_clinic_command_restores_with_its_migrations(app, clinic, target, tmp_path):
    file = tmp_path / "clinic.backup"
    assert backup(app, file).exit_code == 0
    with target.app.app_context():
        db.engine.dispose()
    environment = {
        **os.environ,
        "CLINIC_DATABASE_URL": target.url,
        "CLINIC_SECRET_KEY": TEST_CONFIG["SECRET_KEY"],
    }
    command = [str(Path(sys.executable).with_name("clinic")), "restore", str(file)]

    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Restored {file} (revision 0008, now 0008)")
    assert contents_of(target.app) == contents_of(app)


# --- refusals -----------------------------------------------------------------------------------


def test_a_restore_into_a_database_with_tables_is_refused_and_changes_nothing(
    app, clinic, target, tmp_path
):
    file = tmp_path / "clinic.backup"
    assert backup(app, file).exit_code == 0
    assert target.restore(file).exit_code == 0
    with target.app.app_context():
        db.session.execute(text("UPDATE clinic_settings SET name = 'Second site'"))
        db.session.commit()
    before = contents_of(target.app)

    again = target.restore(file)

    assert again.exit_code == 1
    assert again.stderr.strip().splitlines() == [
        "Error: The database already has "
        f"{len(table_names_of(target.app))} table(s) ({_first_three(target)}, …): "
        "restore only into an empty database."
    ]
    assert contents_of(target.app) == before


def _first_three(target: Target) -> str:
    names = sorted(table_names_of(target.app))[:3]
    prefix = "public." if target.kind == "postgresql" else ""
    return ", ".join(prefix + name for name in names)


def other_kind_of_backup(kind: str, path: Path) -> Path:
    """A real backup file of the other kind than the configured database."""
    if kind == "postgresql":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        return path
    # A pg_dump custom archive begins with PGDMP and its format version.
    path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x08\x01\x01" + bytes(200))
    return path


def test_a_backup_of_the_other_kind_of_database_is_refused(kind, target, tmp_path):
    file = other_kind_of_backup(kind, tmp_path / "other.backup")

    refused = target.restore(file)

    assert refused.exit_code == 1
    other = "sqlite" if kind == "postgresql" else "postgresql"
    label = (
        "a SQLite backup" if other == "sqlite" else "a PostgreSQL backup (pg_dump custom archive)"
    )
    assert refused.stderr.strip().splitlines() == [
        f"Error: {file} is {label}, but the configured database is {kind}: "
        f"restore it into a {other} database."
    ]
    assert table_names_of(target.app) == set()


def test_a_file_that_is_no_backup_is_refused(target, tmp_path):
    file = tmp_path / "exams.csv"
    file.write_text("exam_uuid,site\n")

    refused = target.restore(file)

    assert refused.exit_code == 1
    assert "is not a backup made by `clinic backup`" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert table_names_of(target.app) == set()


def test_a_backup_newer_than_the_code_is_refused(app, clinic, target, tmp_path):
    file = tmp_path / "newer.backup"
    with app.app_context():
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        db.session.execute(text("UPDATE alembic_version SET version_num = '0999'"))
        db.session.commit()
        try:
            made = backup(app, file)
        finally:
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()
    assert made.exit_code == 0, made.output

    refused = target.restore(file)

    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [
        f"Error: {file} is at schema revision 0999, newer than this version of the clinic "
        f"knows (up to {head}): restore it with the version that made it, or a later one."
    ]
    assert table_names_of(target.app) == set()


def test_without_pg_dump_a_backup_is_refused_and_writes_nothing(app, kind, tmp_path, monkeypatch):
    if kind != "postgresql":
        pytest.skip("SQLite is backed up by SQLite itself; pg_dump is for PostgreSQL")
    monkeypatch.setenv("PATH", "")

    refused = backup(app, tmp_path / "clinic.backup")

    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: pg_dump is not on PATH: install PostgreSQL's client programs (e.g. the "
        "postgresql-client package) of the server's version or later."
    ]
    assert list(tmp_path.iterdir()) == []


def test_pg_dump_older_than_the_server_is_refused():
    try:
        program = pg_dump_for(0)
    except BackupError:
        pytest.skip("pg_dump is not installed here")
    assert program
    with pytest.raises(BackupError, match=r"^pg_dump \d+ cannot dump PostgreSQL 99: install"):
        pg_dump_for(99)


def test_a_failed_pg_dump_leaves_no_file(app, kind, tmp_path):
    if kind != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    with app.app_context():
        missing = db.engine.url.set(database="no_such_database")
    program = pg_dump_for(0)

    with pytest.raises(BackupError, match=r"^pg_dump failed: "):
        backup_postgresql(missing, program, tmp_path / "clinic.backup")

    assert list(tmp_path.iterdir()) == []
