"""Browser sessions, kept on the server: the cookie holds only a random key, whose SHA-256 finds
the row. Ending a row (sign-out, deactivation, a new password, an administrator, a restore) ends
the session at once, wherever its cookie was copied to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.models.base import Base, PublicIdMixin, utc_now
from clinic.models.users import User


class UserSession(PublicIdMixin, Base):
    """One browser session: who is signed in on it (once someone is), what it holds (the CSRF
    token, messages waiting to be shown, the page to return to), since when and until when."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index("ix_user_sessions_user_id_ended_at", "user_id", "ended_at"),
        Index("ix_user_sessions_last_seen_at", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The session's values in Flask's tagged JSON (which keeps tuples, bytes and dates).
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    signed_in_at: Mapped[datetime | None]
    # Written at most once a minute: the idle limit is checked against it.
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str] = mapped_column(String(256), default="")
    client_address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:  # never the key
        return f"<UserSession {self.id}>"
