"""Writing and checking the audit trail: the only writer of audit rows, inside the caller's
transaction, chained to the row before and sealed with the app's key (clinic.domain.audit_chain).

Rows are chained in commit order: on PostgreSQL each writer takes a transaction-level advisory
lock before reading the head, so the next writer waits until this transaction ends; on SQLite the
write lock that BEGIN IMMEDIATE takes already orders writers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import (
    Connection,
    Text,
    cast,
    column,
    func,
    insert,
    inspect,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session

from clinic.database import audit_deletion_permitted, write_intent
from clinic.domain.audit_chain import (
    GENESIS_HASH,
    ROW_COLUMNS,
    Head,
    Verdict,
    anchor_key,
    canonical_bytes,
    canonical_detail,
    head_seal,
    row_hash,
    row_seal,
    sqlite_time_text,
    verify_rows,
)
from clinic.models import AuditEvent, AuditHead, User, utc_now

HEAD_ID = 1
# What is recorded of reading a record: viewing, printing, exporting it.
READ_ACTIONS = ("patient.view", "exam.view", "patient.print", "exam.print", "export")
# The advisory lock every writer of the log takes on PostgreSQL (any fixed number; "audi").
_CHAIN_LOCK = 0x61756469
REQUEST_ID_HEADER = "X-Request-Id"
_VERIFY_BATCH = 10_000


def client_address() -> str | None:
    """The address of the client of the current request, as recorded in the audit trail (None
    outside a request). The one place that decides which address that is."""
    if not has_request_context():
        return None
    return request.remote_addr


def request_id() -> str | None:
    """The current request's id (also sent back as X-Request-Id); None outside a request."""
    if not has_request_context():
        return None
    value = g.get("request_id")
    return value if isinstance(value, str) else None


def install_request_ids(app: Flask) -> None:
    """Give every request an id, recorded with its audit rows and sent back in X-Request-Id."""

    @app.before_request
    def _assign_request_id() -> None:
        g.request_id = uuid.uuid4().hex

    @app.after_request
    def _send_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response


def audit_key() -> bytes:
    """The key sealing the log, derived from the app's secret key (kept outside the database)."""
    return anchor_key(current_app.config["SECRET_KEY"])


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_uuid: uuid.UUID | None,
    detail: dict[str, Any] | None = None,
    *,
    patient_uuid: uuid.UUID | None = None,
) -> None:
    """Add an audit event for an action on a record, chained to the log's head in the caller's
    transaction. `patient_uuid`: the patient whose record it concerns (a patient's own uuid when
    the entity is the patient)."""
    _append(
        session,
        Entry(action, entity_type, entity_uuid, patient_uuid, detail),
        actor.id if actor is not None else None,
    )


@dataclass(frozen=True)
class Entry:
    """One action to record: what, on which record, for which patient, with what detail."""

    action: str
    entity_type: str
    entity_uuid: uuid.UUID | None
    patient_uuid: uuid.UUID | None = None
    detail: dict[str, Any] | None = None


def values_of(row: Any, *names: str) -> dict[str, Any]:
    """The named attributes of a record as they are now: a change's old or new values."""
    return {name: getattr(row, name) for name in names}


def input_values(value: Any) -> dict[str, Any]:
    """A domain input (a dataclass: a finding, the survey) as plain values: old or new."""
    return asdict(value) if value is not None else {}


def changes(before: dict[str, Any], after: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A change's detail: the old and the new value of every field that changed (and `extra`)."""
    changed = [name for name, value in after.items() if before.get(name) != value]
    return {
        **extra,
        "old": {name: before[name] for name in changed if name in before},
        "new": {name: after[name] for name in changed},
    }


def record_reads(session: Session, actor: User | None, entries: list[Entry]) -> None:
    """Record what a reading request showed, printed or exported, in one short write of its own:
    the request's read-only transaction ends first (nothing it loaded is reloaded), then these
    rows are chained and committed under write intent (SQLite's write lock, taken up front)."""
    identity = inspect(actor).identity if actor is not None else None
    actor_id = identity[0] if identity is not None else None
    session.commit()
    intent = write_intent.set(True)
    try:
        for entry in entries:
            _append(session, entry, actor_id)
        session.commit()
    finally:
        write_intent.reset(intent)


def _append(session: Session, entry: Entry, actor_id: int | None) -> None:
    patient_uuid = entry.patient_uuid
    if patient_uuid is None and entry.entity_type == "patient":
        patient_uuid = entry.entity_uuid
    key = audit_key()
    _lock_chain(session)
    head = session.execute(
        select(AuditHead.last_id, AuditHead.last_hash, AuditHead.row_count).where(
            AuditHead.id == HEAD_ID
        )
    ).first()
    last_id, prev_hash, count = head if head is not None else (0, GENESIS_HASH, 0)
    row = {
        "id": last_id + 1,
        "at": utc_now(),
        "actor_id": actor_id,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_uuid": entry.entity_uuid,
        "patient_uuid": patient_uuid,
        "detail": canonical_detail(entry.detail),
        "client_address": client_address(),
        "request_id": request_id(),
        "prev_hash": prev_hash,
    }
    hashed = row_hash(canonical_bytes(*row.values()))
    # A plain INSERT (no unit of work to run): one statement, written now.
    session.execute(
        insert(AuditEvent).values(**row, row_hash=hashed, row_hmac=row_seal(key, row["id"], hashed))
    )
    _move_head(session, head is not None, row["id"], hashed, count + 1, key)


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(text(f"pg_advisory_xact_lock({_CHAIN_LOCK})")))


def _move_head(
    session: Session, exists: bool, last_id: int, last_hash: str, count: int, key: bytes
) -> None:
    values = {
        "last_id": last_id,
        "last_hash": last_hash,
        "row_count": count,
        "head_hmac": head_seal(key, last_id, last_hash, count),
    }
    if exists:
        session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(**values))
    else:
        session.execute(insert(AuditHead).values(id=HEAD_ID, **values))


# The log's columns as the database hands them, without the models' conversions: the check
# reads times, uuids and the detail's JSON text as stored and makes them canonical itself.
_RAW_LOG = table(
    "audit_events",
    *(column(name) for name in ROW_COLUMNS),
)


def verify_log(connection: Connection, key: bytes) -> Verdict:
    """Walk the whole log in id order (streamed) and check every row and the anchored head."""
    head_row = connection.execute(
        select(
            AuditHead.last_id, AuditHead.last_hash, AuditHead.row_count, AuditHead.head_hmac
        ).where(AuditHead.id == HEAD_ID)
    ).first()
    head = Head(*head_row) if head_row is not None else None
    raw = _RAW_LOG.c
    sqlite = connection.dialect.name == "sqlite"
    columns: list[Any] = [raw[name] for name in ROW_COLUMNS]
    if not sqlite:
        # PostgreSQL hands over the canonical text itself: the JSON as stored (not decoded),
        # the time in UTC with microseconds, the uuids' hex digits.
        columns[ROW_COLUMNS.index("detail")] = cast(raw.detail, Text)
        columns[ROW_COLUMNS.index("at")] = func.to_char(
            func.timezone("UTC", raw.at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
        )
        for name in ("entity_uuid", "patient_uuid"):
            columns[ROW_COLUMNS.index(name)] = func.replace(cast(raw[name], Text), "-", "")
    with connection.execution_options(yield_per=_VERIFY_BATCH).execute(
        select(*columns).order_by(raw.id)
    ) as result:
        return verify_rows(
            _tuples(result.partitions()),
            head,
            key,
            time_text=sqlite_time_text if sqlite else _same,
            uuid_hex=_same,
        )


def _same(value: Any) -> Any:
    return value


def _tuples(partitions: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
    for partition in partitions:
        yield from partition


@contextmanager
def log_deletion_permitted(connection: Connection) -> Iterator[None]:
    """Let this transaction delete audit rows, which the database otherwise refuses: only for
    emptying a test database between tests, or replacing a database's contents wholesale.
    The permission ends with the transaction (PostgreSQL) or the block (SQLite)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT set_config('clinic.audit_deletion', 'on', true)"))
        try:
            yield
        finally:
            connection.execute(text("SELECT set_config('clinic.audit_deletion', 'off', true)"))
        return
    token = audit_deletion_permitted.set(True)
    try:
        yield
    finally:
        audit_deletion_permitted.reset(token)
