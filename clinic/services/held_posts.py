"""Holding a form posted after its session expired, so signing in again completes the save."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clinic.models import HeldPost, User, utc_now

# A held form older than a working day is stale; the user will have re-entered it by then.
HOLD_FOR = timedelta(hours=12)


def hold_post(session: Session, user: User, path: str, fields: list[tuple[str, str]]) -> str:
    """Keep a posted form for its user; answer the token that finds it again."""
    token = secrets.token_urlsafe(32)
    session.add(HeldPost(token=token, user_id=user.id, path=path, fields=[list(f) for f in fields]))
    session.flush()
    return token


def take_held_post(session: Session, token: str, user: User) -> HeldPost | None:
    """Hand a held form to the user who posted it, once. Anyone else gets nothing, and the form
    is neither read nor removed for them: its owner's own sign-in still finishes the save."""
    session.execute(delete(HeldPost).where(HeldPost.created_at < utc_now() - HOLD_FOR))
    held = session.scalars(
        select(HeldPost).where(HeldPost.token == token, HeldPost.user_id == user.id)
    ).first()
    if held is None:
        return None
    session.delete(held)
    session.flush()
    return held


def held_for_another(session: Session, token: str, user: User) -> bool:
    """Whether the token finds a form held for some other user (what it holds is not read)."""
    found = session.scalar(
        select(HeldPost.id).where(HeldPost.token == token, HeldPost.user_id != user.id)
    )
    return found is not None
