"""Forms posted after their session expired, held until the same user signs in again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic.models.base import Base, utc_now


class HeldPost(Base):
    """A form a signed-out user posted: where it went and what it held."""

    __tablename__ = "held_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    # The posted fields as [name, value] pairs, in order (a name may repeat).
    fields: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
