"""Users of the service, their roles, and the failed sign-ins that rate-limit them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.domain.roles import Capability, Role, capabilities_of
from clinic.models.base import Base, PublicIdMixin, TimestampMixin, enum_type


class User(PublicIdMixin, TimestampMixin, Base):
    """A person who signs in: clinician, staff member or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str | None] = mapped_column(String(80))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password is reset or the account deactivated: every older session ends.
    auth_epoch: Mapped[int] = mapped_column(default=0)
    last_sign_in_at: Mapped[datetime | None]

    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.role_grants)

    def set_roles(self, wanted: set[Role] | frozenset[Role]) -> None:
        """Grant exactly the wanted roles, keeping grants the user already has."""
        held = {grant.role: grant for grant in self.role_grants}
        self.role_grants = [held.get(role) or UserRole(role=role) for role in sorted(wanted)]

    @property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.roles)

    def can(self, capability: Capability) -> bool:
        """Say whether any of the user's roles grants the capability."""
        return capability in self.capabilities

    # The session-user protocol Flask-Login expects, written out so models stay free of Flask.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id a session keeps: public id and auth epoch, so a password reset ends sessions."""
        return f"{self.uuid}:{self.auth_epoch}"

    @property
    def signature_name(self) -> str:
        """Name as it appears in a signature block: "Ana Ruiz, MD"."""
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_grants")


class PasswordFailure(Base):
    """A failed password check (signing in, signing an exam, re-entering one's password), kept
    in the database so the waits hold across workers and hosts."""

    __tablename__ = "password_failures"
    __table_args__ = (
        Index("ix_password_failures_email_at", "email", "at"),
        Index("ix_password_failures_client_address_at", "client_address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(64), default="")
    # The session the check was made in (its row id), for checks made while signed in.
    session_row: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(16))
