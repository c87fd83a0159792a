"""Browser sessions kept on the server (table `user_sessions`).

The cookie holds only a random key; the row found by the key's SHA-256 holds who is signed in,
the session's values (CSRF token, messages, where to return), when it began and when it was last
used. Ending the row ends the session at once, wherever the cookie was copied: signing out,
deactivation, a new password, an administrator, or a restore. The idle and absolute limits are
checked against the row's times, so they hold across any number of workers and hosts.

Writes are few: a row is made only when a session first holds something, its values are written
when they change, and "last seen" at most once a minute (it is what the idle limit reads).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, insert, select, update
from werkzeug.datastructures import CallbackDict

from clinic.database import write_intent
from clinic.extensions import db
from clinic.models import UserSession, utc_now

# How often a session's "last seen" is written at most.
LAST_SEEN_EVERY = timedelta(minutes=1)
_KEY_BYTES = 32
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_SERIALIZER = TaggedJSONSerializer()


def key_hash(key: str) -> str:
    """What the table keeps of a cookie's key."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """A session's values, and the facts about it the server keeps beside them."""

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        *,
        row_id: int | None = None,
        user_id: int | None = None,
        signed_in_at: datetime | None = None,
        last_seen_at: datetime | None = None,
    ) -> None:
        def changed(_self: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(values or {}, changed)
        self.row_id = row_id
        self.user_id = user_id
        self.signed_in_at = signed_in_at
        self.last_seen_at = last_seen_at
        self.modified = False
        self.seen = False  # this request counts as the user's activity
        self.facts_changed = False  # user, sign-in or last-seen time set by the app
        self.ending: list[tuple[int, str]] = []  # rows to end when the response is saved

    def begin(self, user_id: int, at: datetime) -> None:
        """Start afresh for a user who just proved who they are: the session this browser had
        (before signing in) ends, and a new key is issued."""
        self.end("replaced")
        self.user_id, self.signed_in_at, self.last_seen_at = user_id, at, at
        self.facts_changed = True
        self.modified = True

    def end(self, reason: str) -> None:
        """End this session's row (if it has one) when the response is saved; what the session
        holds afterwards (a message for the sign-in page) goes into a new one."""
        if self.row_id is not None:
            self.ending.append((self.row_id, reason))
        self.row_id = None
        self.user_id = self.signed_in_at = self.last_seen_at = None
        self.clear()


class ServerSessionInterface(SessionInterface):
    """Flask's session, kept in the `user_sessions` table under a random cookie key."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        key = request.cookies.get(self.get_cookie_name(app), "")
        if not _well_formed(key):
            return ServerSession()
        row = _read(
            select(
                UserSession.id,
                UserSession.data,
                UserSession.user_id,
                UserSession.signed_in_at,
                UserSession.last_seen_at,
            ).where(UserSession.key_hash == key_hash(key), UserSession.ended_at.is_(None))
        )
        if row is None:
            return ServerSession()
        try:
            values = _SERIALIZER.loads(row.data)
        except ValueError:
            values = {}
        return ServerSession(
            values if isinstance(values, dict) else {},
            row_id=row.id,
            user_id=row.user_id,
            signed_in_at=row.signed_in_at,
            last_seen_at=row.last_seen_at,
        )

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name, domain, path = (
            self.get_cookie_name(app),
            self.get_cookie_domain(app),
            self.get_cookie_path(app),
        )
        now = utc_now()
        statements: list[Any] = [
            update(UserSession)
            .where(UserSession.id == row_id, UserSession.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
            for row_id, reason in session.ending
        ]
        new_key = None
        if session.row_id is None:
            if session or session.user_id is not None:
                new_key = secrets.token_urlsafe(_KEY_BYTES)
                statements.append(insert(UserSession).values(**_new_row(session, new_key, now)))
                statements.append(_forget_old_sessions(app, now))
        else:
            values: dict[str, Any] = {}
            if session.modified:
                values["data"] = _SERIALIZER.dumps(dict(session))
            if session.facts_changed:
                values.update(user_id=session.user_id, signed_in_at=session.signed_in_at)
                values["last_seen_at"] = session.last_seen_at or now
            elif session.seen and _due(session.last_seen_at, now):
                values["last_seen_at"] = now
            if values:
                statements.append(
                    update(UserSession).where(UserSession.id == session.row_id).values(**values)
                )
        if statements:
            _write(statements)
        if new_key is not None:
            response.set_cookie(
                name,
                new_key,
                expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app),
                domain=domain,
                path=path,
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
            )
            response.vary.add("Cookie")
        elif session.ending and session.row_id is None:
            response.delete_cookie(
                name,
                domain=domain,
                path=path,
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
                httponly=self.get_cookie_httponly(app),
            )
            response.vary.add("Cookie")


def _well_formed(key: str) -> bool:
    return 20 <= len(key) <= 100 and set(key) <= _KEY_CHARS


def _due(last_seen_at: datetime | None, now: datetime) -> bool:
    return last_seen_at is None or now - last_seen_at >= LAST_SEEN_EVERY


def _new_row(session: ServerSession, key: str, now: datetime) -> dict[str, Any]:
    from clinic.services.audit import client_address

    return {
        "uuid": uuid.uuid4(),
        "key_hash": key_hash(key),
        "user_id": session.user_id,
        "data": _SERIALIZER.dumps(dict(session)),
        "created_at": now,
        "signed_in_at": session.signed_in_at,
        "last_seen_at": session.last_seen_at or now,
        "user_agent": request.headers.get("User-Agent", "")[:256],
        "client_address": (client_address() or "")[:64],
    }


def _forget_old_sessions(app: Flask, now: datetime) -> Any:
    """Rows past any session's absolute limit (and a day's grace) are of no more use."""
    limit = timedelta(hours=float(app.config["MAX_SESSION_HOURS"])) + timedelta(days=1)
    return delete(UserSession).where(UserSession.last_seen_at < now - limit)


def _read(statement: Any) -> Any:
    """One row, read in a transaction of its own that takes no write lock."""
    session = db.session()
    token = write_intent.set(False)
    try:
        row = session.execute(statement).first()
        session.commit()
    finally:
        write_intent.reset(token)
    return row


def _write(statements: Iterable[Any]) -> None:
    """Write in the request's database session once the request is answered: whatever it left
    uncommitted is discarded first, as the end of the request would discard it."""
    session = db.session()
    session.rollback()
    token = write_intent.set(True)
    try:
        for statement in statements:
            session.execute(statement)
        session.commit()
    finally:
        write_intent.reset(token)
