"""Personal API tokens: made by a user on their account page, shown once, kept as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clinic.domain.errors import DomainError
from clinic.models import ApiToken, User, utc_now
from clinic.services import audit

TOKEN_PREFIX = "tpc_"  # noqa: S105 - the tokens' visible prefix, not a secret
# Recording every use would make every API read a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[str, ApiToken]:
    """A new token for the user: the token text (to show once) and its stored record."""
    name = name.strip()
    if not name:
        raise DomainError([("name", "Name the token, e.g. the system that will use it.")])
    if len(name) > 80:
        raise DomainError([("name", "Keep the name under 80 characters.")])
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_digest(text), prefix=text[:12])
    session.add(token)
    session.flush()
    audit.record(session, user, "api_token.create", "api_token", token.uuid, {"name": name})
    return text, token


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    return list(session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(session: Session, user: User, token: ApiToken) -> None:
    """Stop a token working; only its owner revokes it."""
    if token.user_id != user.id:
        raise DomainError([("token", "This is not your token.")])
    if token.revoked_at is None:
        token.revoked_at = utc_now()
        audit.record(
            session,
            user,
            "api_token.revoke",
            "api_token",
            token.uuid,
            {"old": {"revoked_at": None}, "new": {"revoked_at": token.revoked_at.isoformat()}},
        )


def token_in_use(session: Session, text: str) -> ApiToken | None:
    """The token with this text if it works: known, not revoked, its user active."""
    if not text.startswith(TOKEN_PREFIX):
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(text))).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token


def needs_touch(token: ApiToken) -> bool:
    """Whether the token's last use should be written now."""
    last = token.last_used_at
    return last is None or utc_now() - last > LAST_USED_RESOLUTION


def touch(session: Session, token_id: int) -> None:
    """Record that a token was used now."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utc_now()))
