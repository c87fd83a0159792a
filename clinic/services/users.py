"""User accounts: creation, roles, deactivation, passwords and signing in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic.auth import hash_password
from clinic.domain.accounts import normalise_email, password_problems
from clinic.domain.errors import DomainError
from clinic.domain.roles import Role
from clinic.models import User, UserRole, utc_now
from clinic.services import audit
from clinic.services.password_checks import (
    REAUTHENTICATE,
    SIGN_IN,
    PasswordWaitError,
    caller_for,
    check_password,
)
from clinic.services.sessions import end_sessions_of


@dataclass(frozen=True)
class UserDetails:
    """What an administrator sets about a user."""

    email: str
    display_name: str
    credentials: str
    licence_number: str
    roles: frozenset[Role]


class SignInRefusedError(Exception):
    """Sign-in failed; the message never tells an unknown user from a wrong password."""


def _check_password(password: str, field: str, email: str, name: str) -> None:
    # The user's own e-mail address and name are easy guesses too.
    problems = password_problems(password, (email, email.partition("@")[0], *name.split(), name))
    if problems:
        raise DomainError([(field, problem) for problem in problems])


def _check_details(session: Session, details: UserDetails, user: User | None) -> None:
    reasons: list[tuple[str, str]] = []
    if not details.roles:
        reasons.append(("roles", "Choose at least one role."))
    email = normalise_email(details.email)
    clash = session.scalar(select(User.id).where(User.email == email))
    if clash is not None and (user is None or clash != user.id):
        reasons.append(("email", "Another user already has this e-mail address."))
    if reasons:
        raise DomainError(reasons)


def create_user(session: Session, details: UserDetails, password: str, actor: User | None) -> User:
    """Add an active user with the given roles and password."""
    _check_details(session, details, None)
    _check_password(password, "password", details.email, details.display_name)
    user = User(
        email=normalise_email(details.email),
        display_name=details.display_name.strip(),
        credentials=details.credentials.strip() or None,
        licence_number=details.licence_number.strip() or None,
        password_hash=hash_password(password),
    )
    user.set_roles(details.roles)
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.uuid,
        audit.changes({}, _recorded(user)) | {"roles": sorted(details.roles)},
    )
    return user


def _recorded(user: User) -> dict[str, Any]:
    """A user's details as the audit trail records their changes (never a password)."""
    values = audit.values_of(user, "email", "display_name", "credentials", "licence_number")
    return values | {"roles": sorted(user.roles)}


def update_user(session: Session, user: User, details: UserDetails, actor: User) -> User:
    """Change a user's name, credentials, e-mail and roles."""
    _check_details(session, details, user)
    if Role.ADMIN in user.roles and Role.ADMIN not in details.roles:
        _keep_an_admin(session, user)
    before = _recorded(user)
    user.email = normalise_email(details.email)
    user.display_name = details.display_name.strip()
    user.credentials = details.credentials.strip() or None
    user.licence_number = details.licence_number.strip() or None
    user.set_roles(details.roles)
    session.flush()
    audit.record(
        session,
        actor,
        "user.update",
        "user",
        user.uuid,
        audit.changes(before, _recorded(user)) | {"roles": sorted(details.roles)},
    )
    return user


def set_active(session: Session, user: User, active: bool, actor: User) -> User:
    """Deactivate (never delete) or reactivate a user; deactivation ends their sessions."""
    if not active:
        if user.id == actor.id:
            raise DomainError([("active", "You cannot deactivate your own account.")])
        if Role.ADMIN in user.roles:
            _keep_an_admin(session, user)
        user.auth_epoch += 1
        end_sessions_of(session, user, "deactivated")
    user.is_active = active
    session.flush()
    audit.record(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        "user",
        user.uuid,
        {"old": {"is_active": not active}, "new": {"is_active": active}},
    )
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User)
        .where(UserRole.role == Role.ADMIN, User.is_active, User.id != leaving.id)
    )
    if not others:
        raise DomainError([("roles", "The clinic needs at least one active administrator.")])


def reset_password(session: Session, user: User, password: str, actor: User) -> None:
    """Set a new password for a user and end their other sessions."""
    _check_password(password, "password", user.email, user.display_name)
    user.password_hash = hash_password(password)
    user.auth_epoch += 1
    end_sessions_of(session, user, "password reset")
    session.flush()
    audit.record(session, actor, "user.reset_password", "user", user.uuid)


def change_own_password(
    session: Session, user: User, current: str, new: str, session_row: int | None = None
) -> None:
    """Let a user change their password after proving they know the current one (a check
    throttled with every other password check, counted against this session)."""
    try:
        right = check_password(
            session, user, current, caller_for(user.email, session_row), REAUTHENTICATE
        )
    except PasswordWaitError as wait:
        raise DomainError(
            [("current_password", f"Too many wrong passwords. Try again in {wait.in_words}.")]
        ) from None
    if not right:
        raise DomainError([("current_password", "This is not your current password.")])
    _check_password(new, "new_password", user.email, user.display_name)
    user.password_hash = hash_password(new)
    user.auth_epoch += 1
    end_sessions_of(session, user, "password changed")
    session.flush()
    audit.record(session, user, "user.change_password", "user", user.uuid)


def sign_in(session: Session, email: str, password: str) -> User:
    """Return the user if the password is right (and the caller need not wait first: the
    password checks are throttled, see clinic/services/password_checks.py)."""
    user = session.scalars(select(User).where(User.email == normalise_email(email))).first()
    try:
        right = check_password(session, user, password, caller_for(email), SIGN_IN)
    except PasswordWaitError as wait:
        _record_failed_sign_in(session, user, email, "throttled")
        raise SignInRefusedError(
            f"Too many failed sign-ins from here. Try again in {wait.in_words}."
        ) from None
    if not right or user is None:
        _record_failed_sign_in(session, user, email, "wrong e-mail or password")
        raise SignInRefusedError("The e-mail address or password is not right.")
    user.last_sign_in_at = utc_now()
    session.flush()
    audit.record(session, user, "user.sign_in", "user", user.uuid)
    return user


def _record_failed_sign_in(session: Session, user: User | None, email: str, reason: str) -> None:
    # The e-mail tried (cut to a column's length), never the password.
    audit.record(
        session,
        None,
        "user.sign_in_failed",
        "user",
        user.uuid if user is not None else None,
        {"email": email[:254], "reason": reason},
    )


def get_user(session: Session, public_id: uuid.UUID) -> User | None:
    """Find a user by public id."""
    return session.scalars(select(User).where(User.uuid == public_id)).first()


def get_user_by_email(session: Session, email: str) -> User | None:
    """Find a user by e-mail address, as they sign in with it."""
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def list_users(session: Session) -> list[User]:
    """Every user, active first, by name."""
    return list(
        session.scalars(select(User).order_by(User.is_active.desc(), User.display_name, User.id))
    )


def active_clinicians(session: Session) -> list[User]:
    """Users who may examine, by name."""
    return list(
        session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.CLINICIAN, User.is_active)
            .order_by(User.display_name, User.id)
        )
    )
