"""Passwords, sessions and the access rule every route declares."""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask import Response as FlaskResponse
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from clinic.domain.roles import Capability
from clinic.extensions import db, login_manager
from clinic.models import User, utc_now
from clinic.server_sessions import ServerSession, ServerSessionInterface

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "_clinic_access"
BACKGROUND_ATTR = "_clinic_background"
API_ATTR = "_clinic_api"
PUBLIC = "public"
SIGNED_IN = "signed_in"


def password_hasher() -> argon2.PasswordHasher:
    """Return the argon2id hasher for the configured cost profile."""
    profile = getattr(argon2.profiles, current_app.config["PASSWORD_HASH_PROFILE"])
    return argon2.PasswordHasher.from_parameters(profile)


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return password_hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password; an unknown user costs the same time as a wrong password."""
    hasher = password_hasher()
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return True


def _dummy_hash() -> str:
    cached: str | None = current_app.extensions.get("clinic_dummy_hash")
    if cached is None:
        cached = hash_password("not a password of anyone")
        current_app.extensions["clinic_dummy_hash"] = cached
    return cached


def _load_user(session_id: str) -> User | None:
    public_id, _, epoch = session_id.partition(":")
    user = db.session.scalars(select(User).where(User.uuid == _parse_uuid(public_id))).first()
    if user is None or not user.is_active or str(user.auth_epoch) != epoch:
        return None
    if getattr(session, "user_id", None) != user.id:
        return None  # a session is its own user's only (its row says whose)
    return user


def _parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def access(rule: Capability | tuple[Capability, ...] | str) -> Callable[[F], F]:
    """Declare who may call a view: PUBLIC, SIGNED_IN, or users with (any of) the capabilities."""

    def mark(view: F) -> F:
        setattr(view, ACCESS_ATTR, rule)
        return view

    return mark


def background(view: F) -> F:
    """Mark a view a script calls on its own (autosave): JSON errors, no idle-time refresh."""
    setattr(view, BACKGROUND_ATTR, True)
    return view


def api(rule: Capability | tuple[Capability, ...] | str) -> Callable[[F], F]:
    """Declare a JSON API view and who may call it: a bearer token authenticates the call,
    never the browser session (so the API needs no CSRF token and a cookie grants nothing)."""

    def mark(view: F) -> F:
        setattr(view, ACCESS_ATTR, rule)
        setattr(view, API_ATTR, True)
        return view

    return mark


def problem(status: int, title: str, **extra: Any) -> FlaskResponse:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    return FlaskResponse(json.dumps(body), status=status, mimetype="application/problem+json")


def _enforce_api(rule: Capability | tuple[Capability, ...] | str) -> Response | None:
    """Authenticate an API call by its bearer token and check the view's rule."""
    if rule == PUBLIC:
        return None
    from clinic.database import write_intent
    from clinic.extensions import db_session
    from clinic.services.api_tokens import needs_touch, token_in_use, touch

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        refused = problem(401, "Send an API token", detail="Authorization: Bearer <token>")
        refused.headers["WWW-Authenticate"] = "Bearer"
        return refused
    found = token_in_use(db_session(), token.strip())
    if found is None:
        refused = problem(
            401,
            "This API token is not valid",
            detail="It is unknown or revoked, or its user is no longer active.",
        )
        refused.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return refused
    user = found.user
    if needs_touch(found):
        # The token's last use, in its own short write (a reading call takes no write lock).
        token_id = found.id
        db_session().commit()
        intent = write_intent.set(True)
        try:
            touch(db_session(), token_id)
            db_session().commit()
        finally:
            write_intent.reset(intent)
    # The caller is this token's user for this request only: nothing goes into the session.
    # (Flask-Login's own hook for a user loaded from the request rather than the session.)
    login_manager._update_request_context_with_user(user)
    if rule != SIGNED_IN and not _allowed(rule):
        return problem(403, "This token's user may not do this")
    return None


def public(view: F) -> F:
    """Let anyone call the view, signed in or not."""
    return access(PUBLIC)(view)


def start_session(user: User) -> None:
    """Begin a fresh session, under a new key, for a user who just proved who they are (the
    session the browser had before ends)."""
    _server_session().begin(user.id, utc_now())
    session.permanent = True
    login_user(user)


def end_session(reason: str = "signed out") -> None:
    """Sign the current user out: the session's row ends, wherever its cookie was copied, and
    everything it held is forgotten."""
    logout_user()
    _server_session().end(reason)


def session_limits() -> tuple[timedelta, timedelta]:
    """How long a session may go unused, and how long it may last however used."""
    config = current_app.config
    idle = timedelta(minutes=float(config["IDLE_TIMEOUT_MINUTES"]))
    return idle, timedelta(hours=float(config["MAX_SESSION_HOURS"]))


def current_session_row() -> int | None:
    """The id of this request's session row (None before it has one)."""
    return _server_session().row_id


def _server_session() -> ServerSession:
    current = session._get_current_object()  # type: ignore[attr-defined]
    assert isinstance(current, ServerSession), "the app serves sessions from the server"
    return current


def enforce_access() -> Response | None:
    """Check the current request against its view's declared rule; default is deny."""
    if request.endpoint is None:
        return None  # 404 and 405 are answered by Flask itself
    if request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    rule = getattr(view, ACCESS_ATTR, None)
    if rule is None:
        # A view that forgot to declare its rule is a bug; refuse rather than expose it.
        current_app.logger.error("view %s declares no access rule", request.endpoint)
        abort(403)
    if getattr(view, API_ATTR, False):
        return _enforce_api(rule)
    if rule == PUBLIC:
        return None
    expired = _session_expired()
    background = getattr(view, BACKGROUND_ATTR, False)
    if not current_user.is_authenticated or expired:
        resume = _hold_expired_post() if expired and not background else None
        end_session()
        if expired:
            flash("Your session expired. Please sign in again.", "warning")
        if background:
            # A script can't follow a redirect to a sign-in page: it keeps the save queued,
            # sends the user to sign in, and replays the queue afterwards.
            body = {"title": "Signed out", "detail": "Sign in again; your changes are kept."}
            return Response(json.dumps(body), status=401, mimetype="application/problem+json")
        if not setup_done():
            return redirect(url_for("setup.first_admin"))
        return redirect(url_for("auth.login", next=resume or _safe_next()))
    if not background:
        # Autosaves are not the user at the tablet: they must not keep an idle session open.
        _server_session().seen = True
    if rule != SIGNED_IN and not _allowed(rule):
        abort(403)
    return None


def _enforce_access_then_release() -> Response | None:
    """Check access, then end the transaction that check read in: on SQLite a writing request's
    first statement took the database's write lock, which must not be held while the view reads
    and validates its input (a large or hostile body would stop every other clinician's save).
    The view's own first statement takes it again, once its input is known to be good."""
    refused = enforce_access()
    if refused is None:
        _end_reading()
    return refused


def _end_reading() -> None:
    from clinic.database import write_intent

    session_ = db.session()
    if not write_intent.get() or not session_.in_transaction():
        return
    # What access read (the user, their roles) stays loaded; only the transaction ends.
    expire, session_.expire_on_commit = session_.expire_on_commit, False
    try:
        session_.commit()
    finally:
        session_.expire_on_commit = expire


def _hold_expired_post() -> str | None:
    """Keep a form its user posted after the session expired; answer where to finish it."""
    if request.method != "POST" or request.endpoint == "auth.logout":
        return None
    from clinic.services.held_posts import hold_post

    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    token = hold_post(db.session(), current_user._get_current_object(), request.path, fields)
    db.session.commit()  # this request does nothing else: the held form is all it writes
    return url_for("held.resume", token=token)


def _allowed(rule: Capability | tuple[Capability, ...] | str) -> bool:
    wanted = rule if isinstance(rule, tuple) else (Capability(rule),)
    return any(current_user.can(capability) for capability in wanted)


def _session_expired() -> bool:
    """Whether the signed-in session is past its idle or absolute limit (read from its row, so
    every worker and host agrees)."""
    if not current_user.is_authenticated:
        return False
    current = _server_session()
    signed_in, last_seen = current.signed_in_at, current.last_seen_at
    if signed_in is None or last_seen is None:
        return True
    idle, absolute = session_limits()
    now = utc_now()
    return now - last_seen > idle or now - signed_in > absolute


def _safe_next() -> str | None:
    if request.method != "GET":
        return None
    return request.full_path.rstrip("?")


def setup_done() -> bool:
    """Say whether the first administrator exists; once true it stays true (users are kept)."""
    if current_app.extensions.get("clinic_setup_done"):
        return True
    done = db.session.scalar(select(User.id).limit(1)) is not None
    if done:
        current_app.extensions["clinic_setup_done"] = True
    return done


def same_token(given: str, expected: str) -> bool:
    """Compare secrets in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())


def _protective_headers(response: Response) -> Response:
    """Keep patient pages out of shared caches and other sites' frames; scripts only from here."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Tablets are shared: the back button after sign-out must not show a patient's page.
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_auth(app: Flask) -> None:
    """Wire the login manager and the access check into the app."""
    app.session_interface = ServerSessionInterface()
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.session_protection = "basic"
    app.before_request(_enforce_access_then_release)
    app.after_request(_protective_headers)

    @app.context_processor
    def _inject_capabilities() -> dict[str, Any]:
        return {"Capability": Capability}
