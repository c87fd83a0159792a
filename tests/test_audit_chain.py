"""The audit trail proves itself: `clinic audit verify` names the first row that was changed,
removed, added or moved, a cut tail or a chain rewritten without the key; the database refuses
UPDATE and DELETE on the log; concurrent writers still chain in commit order."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from clinic.domain.audit_chain import (
    GENESIS_HASH,
    anchor_key,
    canonical_bytes,
    head_seal,
    row_hash,
    row_seal,
)
from clinic.extensions import db
from clinic.models import AuditEvent, AuditHead, Patient
from clinic.services import audit
from tests.factories import make_patient, make_user

LOG_ROWS = 300


@pytest.fixture
def log(app: Flask) -> list[int]:
    """A log of a few hundred rows, written as the app writes them; their ids."""
    with app.app_context():
        session = db.session
        user = make_user(session)
        patient = make_patient(session)
        session.flush()
        for number in range(LOG_ROWS - 2):  # the two factories recorded nothing, or not here
            audit.record(
                session,
                user,
                "patient.view" if number % 3 else "patient.update",
                "patient",
                patient.uuid,
                {"number": number, "old": {"given_name": "Zoë"}, "new": {"given_name": "Zoe"}},
            )
            if number % 50 == 49:
                session.commit()
        session.commit()
        ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        session.rollback()
    assert len(ids) >= LOG_ROWS - 2
    return ids


@pytest.fixture
def as_owner(app: Flask) -> Callable[[str, dict[str, Any] | None], None]:
    """Run SQL on the log the way the database's owner could: with its guard triggers off."""

    def _run(sql: str, params: dict[str, Any] | None = None) -> None:
        with app.app_context(), db.engine.begin() as connection, _triggers_off(connection):
            connection.execute(text(sql), params or {})

    return _run


def _triggers_off(connection: Connection) -> Any:
    from contextlib import contextmanager

    @contextmanager
    def _off() -> Iterator[None]:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            yield
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
            return
        triggers = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": "audit_events"},
        ).all()
        for name, _sql in triggers:
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        for _name, sql in triggers:
            connection.execute(text(sql))

    return _off()


def _verify(runner: FlaskCliRunner) -> tuple[int, str]:
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_an_untouched_log_verifies_with_its_row_count(log: list[int], runner: FlaskCliRunner):
    code, output = _verify(runner)
    assert code == 0
    assert f"OK: {len(log)} rows" in output
    assert len(output.strip().splitlines()) == 1


def test_an_empty_log_verifies(runner: FlaskCliRunner) -> None:
    code, output = _verify(runner)
    assert (code, output.strip()) == (0, "Audit trail OK: 0 rows, chain and seals intact.")


def test_an_edited_row_is_named(log: list[int], as_owner: Any, runner: FlaskCliRunner) -> None:
    target = log[120]
    as_owner("UPDATE audit_events SET action = 'patient.nothing' WHERE id = :id", {"id": target})
    code, output = _verify(runner)
    assert code == 1
    assert f"row {target}: its content does not match its hash" in output


def test_an_edited_row_with_its_hash_recomputed_is_named_by_its_seal(
    app: Flask, log: list[int], as_owner: Any, runner: FlaskCliRunner
) -> None:
    target = log[7]
    with app.app_context():
        event = db.session.get(AuditEvent, target)
        assert event is not None
        forged = row_hash(
            canonical_bytes(
                event.id,
                event.at,
                None,
                event.action,
                event.entity_type,
                event.entity_uuid,
                event.patient_uuid,
                event.detail,
                event.client_address,
                event.request_id,
                event.prev_hash,
            )
        )
    as_owner(
        "UPDATE audit_events SET actor_id = NULL, row_hash = :h WHERE id = :id",
        {"h": forged, "id": target},
    )
    code, output = _verify(runner)
    assert code == 1
    assert f"row {target}: its seal does not match" in output


def test_a_deleted_row_is_named_by_the_row_after_it(
    log: list[int], as_owner: Any, runner: FlaskCliRunner
) -> None:
    as_owner("DELETE FROM audit_events WHERE id = :id", {"id": log[150]})
    code, output = _verify(runner)
    assert code == 1
    assert f"row {log[151]}: it does not follow row {log[149]}" in output


def test_an_inserted_row_is_named(
    app: Flask, log: list[int], as_owner: Any, runner: FlaskCliRunner
) -> None:
    """A row added after the last, chained correctly but sealed without the app's key."""
    with app.app_context():
        last = db.session.get(AuditEvent, log[-1])
        assert last is not None
        new_id, prev, at = last.id + 1, last.row_hash, last.at
    content = canonical_bytes(new_id, at, None, "patient.view", "patient", None, None, None,
                              None, None, prev)  # fmt: skip
    hashed = row_hash(content)
    as_owner(
        "INSERT INTO audit_events (id, at, action, entity_type, prev_hash, row_hash, row_hmac)"
        " VALUES (:id, :at, 'patient.view', 'patient', :prev, :hash, :seal)",
        {
            "id": new_id,
            "at": at.replace(tzinfo=None) if db_is_sqlite(app) else at,
            "prev": prev,
            "hash": hashed,
            "seal": row_seal(anchor_key("a guessed key"), new_id, hashed),
        },
    )
    code, output = _verify(runner)
    assert code == 1
    assert f"row {new_id}: its seal does not match" in output


def test_two_swapped_rows_are_named(log: list[int], as_owner: Any, runner: FlaskCliRunner):
    first, second = log[50], log[60]
    as_owner("UPDATE audit_events SET id = -1 WHERE id = :id", {"id": first})
    as_owner("UPDATE audit_events SET id = :a WHERE id = :b", {"a": first, "b": second})
    as_owner("UPDATE audit_events SET id = :b WHERE id = -1", {"b": second})
    code, output = _verify(runner)
    assert code == 1
    assert f"row {first}: its content does not match its hash" in output


def test_a_cut_tail_is_named(log: list[int], as_owner: Any, runner: FlaskCliRunner) -> None:
    as_owner("DELETE FROM audit_events WHERE id > :id", {"id": log[-6]})
    code, output = _verify(runner)
    assert code == 1
    assert f"row {log[-1]}: the log ends at row {log[-6]}" in output


def test_a_log_emptied_with_its_head_left_is_caught(
    log: list[int], as_owner: Any, runner: FlaskCliRunner
) -> None:
    as_owner("DELETE FROM audit_events")
    code, output = _verify(runner)
    assert code == 1
    assert f"row {log[-1]}: the log ends at the start of the log" in output


def test_a_chain_rewritten_with_fresh_hashes_is_named_at_its_first_row(
    app: Flask, log: list[int], as_owner: Any, runner: FlaskCliRunner
) -> None:
    """Every row's hash, link and seal and the head recomputed, as whoever has the database
    but not the app's key could: the first row's seal gives it away."""
    wrong_key = anchor_key("not the app's key")
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
    prev = GENESIS_HASH
    with app.app_context(), db.engine.begin() as connection, _triggers_off(connection):
        for event in events:
            event.detail = {"rewritten": True}
            hashed = row_hash(
                canonical_bytes(
                    event.id,
                    event.at,
                    event.actor_id,
                    event.action,
                    event.entity_type,
                    event.entity_uuid,
                    event.patient_uuid,
                    event.detail,
                    event.client_address,
                    event.request_id,
                    prev,
                )
            )
            connection.execute(
                AuditEvent.__table__.update()
                .where(AuditEvent.__table__.c.id == event.id)
                .values(
                    detail=event.detail,
                    prev_hash=prev,
                    row_hash=hashed,
                    row_hmac=row_seal(wrong_key, event.id, hashed),
                )
            )
            prev = hashed
        connection.execute(
            AuditHead.__table__.update().values(
                last_hash=prev, head_hmac=head_seal(wrong_key, events[-1].id, prev, len(events))
            )
        )
    code, output = _verify(runner)
    assert code == 1
    assert f"row {log[0]}: its seal does not match" in output


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"],
    ids=["update", "delete"],
)
def test_the_database_refuses_changing_the_log(
    app: Flask, log: list[int], statement: str, runner: FlaskCliRunner
) -> None:
    with (
        app.app_context(),
        pytest.raises(DBAPIError, match="append-only"),
        db.engine.begin() as connection,
    ):
        connection.execute(text(statement))
    assert _verify(runner)[0] == 0


def test_postgresql_refuses_truncating_the_log(app: Flask, log: list[int]) -> None:
    if db_is_sqlite(app):
        pytest.skip("SQLite has no TRUNCATE")
    with (
        app.app_context(),
        pytest.raises(DBAPIError, match="append-only"),
        db.engine.begin() as connection,
    ):
        connection.execute(text("TRUNCATE audit_events"))


def test_concurrent_writers_chain_in_commit_order(app: Flask, runner: FlaskCliRunner) -> None:
    """Eight writers at once, each committing rows one by one: every row lands, the chain has no
    fork, and verify passes."""
    writers, each = 8, 15
    with app.app_context():
        patient = make_patient(db.session)
        db.session.commit()
        patient_uuid = patient.uuid
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for row in range(each):
                    audit.record(db.session, None, "patient.view", "patient", patient_uuid,
                                 {"writer": number, "row": row})  # fmt: skip
                    db.session.commit()
                db.session.remove()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.id, AuditEvent.prev_hash, AuditEvent.row_hash).order_by(AuditEvent.id)
        ).all()
    assert len(rows) == writers * each
    assert [row.prev_hash for row in rows[1:]] == [row.row_hash for row in rows[:-1]]
    code, output = _verify(runner)
    assert (code, f"OK: {writers * each} rows" in output) == (0, True)


def test_each_row_records_the_patient_address_and_request(app: Flask, log: list[int]) -> None:
    with app.app_context():
        event = db.session.get(AuditEvent, log[0])
        patient = db.session.scalars(select(Patient)).one()
        assert event is not None
        assert event.patient_uuid == patient.uuid
        assert event.detail is not None
        assert event.detail["old"] == {"given_name": "Zoë"}


def test_a_request_gets_an_id_sent_back_and_recorded(app: Flask, client: Any) -> None:
    response = client.get("/login")
    request_id = response.headers["X-Request-Id"]
    assert uuid.UUID(hex=request_id).hex == request_id
    assert client.get("/login").headers["X-Request-Id"] != request_id


def db_is_sqlite(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def test_rows_logged_before_the_chain_are_chained_by_its_migration(
    database_url: str, tmp_path: Any
) -> None:
    """Rows written before the audit chain existed (detail in any JSON form) verify after the
    upgrade that chains them."""
    import flask_migrate
    from sqlalchemy import make_url

    from clinic.config import database_url as normalised_url
    from tests.conftest import make_app

    url = make_url(normalised_url(make_app(database_url)))
    if url.get_backend_name() != "sqlite":
        pytest.skip("the migration tests cover PostgreSQL's upgrade; this one needs a fresh file")
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        flask_migrate.upgrade(revision="0006")
        with db.engine.begin() as connection:
            for row_id, detail in ((1, '{"b": 1, "a": "\\u00e9"}'), (2, None)):
                connection.execute(
                    text(
                        "INSERT INTO audit_events (id, at, action, entity_type, entity_uuid,"
                        " detail) VALUES (:id, '2026-01-02 03:04:05.000006', 'patient.update',"
                        " 'patient', :uuid, :detail)"
                    ),
                    {"id": row_id, "uuid": uuid.uuid4().hex, "detail": detail},
                )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            verdict = audit.verify_log(connection, audit.audit_key())
            patients = connection.execute(text("SELECT patient_uuid FROM audit_events")).all()
        db.engine.dispose()
    assert (verdict.ok, verdict.rows) == (True, 2)
    assert all(row[0] is not None for row in patients)
