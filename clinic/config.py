"""Settings: defaults here, then CLINIC_* environment variables, then the caller's overrides."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from clinic.domain.audit_chain import canonical_json

DEFAULTS: dict[str, Any] = {
    # Minutes without a request before a signed-in user must sign in again.
    "IDLE_TIMEOUT_MINUTES": 15,
    # Hours after signing in when a session ends however active it was.
    "MAX_SESSION_HOURS": 12,
    # Password checks (signing in, signing an exam, re-entering one's password): failures of one
    # account from one address (or session) before each next try waits 1 s, 2, 4 … up to the
    # longest wait; failures from one address (any accounts), or of one account from everywhere,
    # before the same; the window they are counted in. See clinic/services/password_checks.py.
    "PASSWORD_FAILURES_BEFORE_WAIT": 5,
    "PASSWORD_FAILURES_PER_ADDRESS": 20,
    "PASSWORD_FAILURE_WINDOW_MINUTES": 15,
    "PASSWORD_WAIT_MAX_MINUTES": 15,
    # Reverse proxies in front of the app whose X-Forwarded-For is trusted for the client's
    # address (0: the address the connection comes from).
    "TRUSTED_PROXIES": 0,
    # argon2id cost profile, one of argon2.profiles: RFC_9106_LOW_MEMORY in production.
    "PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY",
    "PATIENTS_PER_PAGE": 25,
    # How long the tablet waits before resending a kept autosave after a failure.
    "AUTOSAVE_RETRY_MS": 2000,
    # The largest body any web request may send, in bytes; a larger one is refused (413) before
    # it is read. A page's form with every text at its longest (20,000 characters) fits.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Multipart forms (the survey and assessment pages' autosave): the largest text field in bytes,
    # and the most fields. Urlencoded forms and query strings are held to the same field count.
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "MAX_FORM_PARTS": 2000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    # The CSRF token lives exactly as long as the session that holds it.
    "WTF_CSRF_TIME_LIMIT": None,
    # JSON is stored in one canonical form (sorted keys, compact): the audit trail's check reads
    # each row's detail as stored, without decoding it (clinic.domain.audit_chain).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "json_serializer": canonical_json},
}

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Load defaults, CLINIC_* variables and overrides; derive the database URL and secret."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("CLINIC")
    if overrides:
        app.config.from_mapping(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    app.config["PERMANENT_SESSION_LIFETIME"] = int(float(app.config["MAX_SESSION_HOURS"]) * 3600)


def database_url(app: Flask) -> str:
    """Return the configured database URL, SQLite in the instance folder by default."""
    url = str(app.config.get("DATABASE_URL") or "")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(app.instance_path) / 'clinic.sqlite3'}"
    # psycopg 3 is the PostgreSQL driver; plain postgresql:// would ask for psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it on first start with owner-only permissions."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key)
    return key
