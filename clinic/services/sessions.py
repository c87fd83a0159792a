"""A user's browser sessions: listing them, and ending them (one, all of a user's, everyone's)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, select, update
from sqlalchemy.orm import Session

from clinic.models import User, UserSession, utc_now
from clinic.services import audit


@dataclass(frozen=True)
class SessionView:
    """One of a user's sessions as the account page shows it."""

    id: uuid.UUID
    device: str
    address: str
    signed_in_at: datetime
    last_seen_at: datetime
    current: bool


def active_sessions(
    session: Session, user: User, idle: timedelta, absolute: timedelta, current_row: int | None
) -> list[SessionView]:
    """The user's sessions still in force (not ended, within the idle and absolute limits),
    the latest used first."""
    now = utc_now()
    rows = session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.signed_in_at.is_not(None),
            UserSession.signed_in_at > now - absolute,
            UserSession.last_seen_at > now - idle,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return [
        SessionView(
            row.uuid,
            device_label(row.user_agent),
            row.client_address,
            row.signed_in_at or row.created_at,
            row.last_seen_at,
            row.id == current_row,
        )
        for row in rows
    ]


def end_session_of(
    session: Session, user: User, session_id: uuid.UUID, actor: User, reason: str
) -> bool:
    """End one of a user's sessions; False when the user has no such session in force."""
    ended = _count(
        session,
        update(UserSession)
        .where(
            UserSession.uuid == session_id,
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=utc_now(), end_reason=reason),
    )
    if ended:
        audit.record(session, actor, "session.end", "user", user.uuid, {"session": str(session_id)})
    return bool(ended)


def end_sessions_of(session: Session, user: User, reason: str, *, keep: int | None = None) -> int:
    """End every session of a user but `keep` (the one making the change), in the caller's
    transaction: the change that calls for it and the ending commit together."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utc_now(), end_reason=reason)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    return _count(session, statement)


def end_all_sessions(session: Session, reason: str = "restored") -> int:
    """End every session there is (after a restore): everyone signs in again."""
    statement = (
        update(UserSession)
        .where(UserSession.ended_at.is_(None))
        .values(ended_at=utc_now(), end_reason=reason)
    )
    return _count(session, statement)


def _count(session: Session, statement: Update) -> int:
    """Run an UPDATE; how many rows it changed."""
    result = cast("CursorResult[Any]", session.execute(statement))
    return int(result.rowcount or 0)


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPad", "iPad"),
    ("iPhone", "iPhone"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """A short name for the device a session was started on ("Safari on iPad")."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"
