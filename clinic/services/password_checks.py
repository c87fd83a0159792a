"""Every password check, throttled together: signing in, signing an exam (page and API) and the
current password asked before a change.

Each failure is kept with the account (its e-mail address as typed, normalised), the client's
address and, for a check made inside a signed-in session, that session. Nothing ever locks an
account; a caller who keeps failing waits longer and longer before its next try:

- one account from one address (or one session): after FAILURES_BEFORE_WAIT failures in the
  window, 1 s after the last failure, then 2, 4, 8 … up to the longest wait;
- one address, whatever accounts it tries: likewise after FAILURES_PER_ADDRESS;
- one account from every address together: likewise after FAILURES_PER_ADDRESS, but only for an
  address that has itself failed on the account, so that failures elsewhere never hold up the
  owner at their own device;
- a check inside a signed-in session (signing an exam, changing one's password) counts against
  that session and its account only: someone else failing from the same address (a clinic's
  shared connection) does not hold up the owner's session.

A right password clears the failures it made (this account from this address or session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from clinic.auth import verify_password
from clinic.domain.accounts import normalise_email
from clinic.models import PasswordFailure, User, utc_now
from clinic.services.audit import client_address

SIGN_IN = "sign_in"
SIGN_EXAM = "sign_exam"
REAUTHENTICATE = "reauthenticate"


class PasswordWaitError(Exception):
    """Too many failed password checks: the caller must wait `seconds` before the next."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds

    @property
    def in_words(self) -> str:
        if self.seconds < 120:
            return f"{self.seconds} second{'s' if self.seconds != 1 else ''}"
        return f"{(self.seconds + 59) // 60} minutes"


@dataclass(frozen=True)
class Caller:
    """Who is trying a password: the account, their address, and their session if signed in."""

    email: str
    address: str
    session_row: int | None = None


def caller_for(email: str, session_row: int | None = None) -> Caller:
    """The caller of this request (no address outside one: the command line)."""
    return Caller(normalise_email(email), (client_address() or "")[:64], session_row)


def check_password(
    session: Session, user: User | None, password: str, caller: Caller, kind: str
) -> bool:
    """Check a password unless the caller must wait first (PasswordWaitError, the password not
    even looked at); count a failure, clear the caller's failures on success."""
    now = utc_now()
    wait = seconds_to_wait(session, caller, now)
    if wait:
        raise PasswordWaitError(wait)
    if verify_password(user, password) and user is not None and user.is_active:
        session.execute(delete(PasswordFailure).where(*_own(caller)))
        return True
    session.add(
        PasswordFailure(
            at=now,
            email=caller.email,
            client_address=caller.address,
            session_row=caller.session_row,
            kind=kind,
        )
    )
    session.flush()
    return False


def seconds_to_wait(session: Session, caller: Caller, now: datetime) -> int:
    """How long the caller must wait before its next password check (0: not at all)."""
    config = current_app.config
    window = now - timedelta(minutes=float(config["PASSWORD_FAILURE_WINDOW_MINUTES"]))
    before_wait = int(config["PASSWORD_FAILURES_BEFORE_WAIT"])
    per_address = int(config["PASSWORD_FAILURES_PER_ADDRESS"])
    recent = PasswordFailure.at > window
    own_count, own_last = _count(session, recent, *_own(caller))
    waits = [_wait(own_count, own_last, before_wait, now)]
    if caller.session_row is None:
        count, last = _count(session, recent, PasswordFailure.client_address == caller.address)
        waits.append(_wait(count, last, per_address, now))
        if own_count:
            count, last = _count(session, recent, PasswordFailure.email == caller.email)
            waits.append(_wait(count, last, per_address, now))
    return max(waits)


def _own(caller: Caller) -> tuple[Any, ...]:
    """The failures that are this caller's own: its account from its session, or from its
    address outside any session."""
    if caller.session_row is not None:
        return (
            PasswordFailure.email == caller.email,
            PasswordFailure.session_row == caller.session_row,
        )
    return (
        PasswordFailure.email == caller.email,
        PasswordFailure.client_address == caller.address,
        PasswordFailure.session_row.is_(None),
    )


def _count(session: Session, *where: Any) -> tuple[int, datetime | None]:
    row = session.execute(select(func.count(), func.max(PasswordFailure.at)).where(*where)).one()
    count, last = row  # MAX() keeps the column's type: an aware UTC time on either database
    return int(count or 0), last


def _wait(count: int, last: datetime | None, allowed: int, now: datetime) -> int:
    """Seconds left to wait after `count` failures, the last at `last`: none up to `allowed`,
    then 1 s, doubling with each further failure, up to the longest wait."""
    if count < allowed or last is None:
        return 0
    longest = float(current_app.config["PASSWORD_WAIT_MAX_MINUTES"]) * 60
    wait = min(2.0 ** (count - allowed), longest)
    left = (last + timedelta(seconds=wait) - now).total_seconds()
    return max(0, int(left + 0.999))
