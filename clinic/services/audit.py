"""Writing the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from clinic.models import AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_uuid: uuid.UUID | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for an action on a record."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_uuid=entity_uuid,
        detail=detail,
    )
    session.add(event)
    return event
