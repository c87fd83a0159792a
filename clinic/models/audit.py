"""The audit trail: who did what to which record, and when; append-only and hash-chained."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic.models.base import Base, utc_now


class AuditEvent(Base):
    """One recorded action; rows are only ever added (the database refuses UPDATE and DELETE),
    each chained to the one before it by hash and sealed with a key kept outside the database
    (clinic.domain.audit_chain)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_uuid"),
        Index("ix_audit_events_patient_uuid_at", "patient_uuid", "at"),
    )

    # Given by the writer under the chain's lock (the head's id + 1), not by a sequence.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_uuid: Mapped[uuid.UUID | None]
    # The patient whose record the action concerns, for the patient's access report.
    patient_uuid: Mapped[uuid.UUID | None]
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    client_address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    row_hmac: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The anchored end of the audit log (one row): its last row, hash and row count, sealed with
    the same key, updated in the transaction that adds each row. Cutting rows off the end of the
    log without forging this seal shows."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int]
    head_hmac: Mapped[str] = mapped_column(String(64))
