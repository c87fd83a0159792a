"""Fixtures: an app on the test database, a client, a CLI runner, factories and sign-in.

The database comes from CLINIC_TEST_DATABASE_URL (default: a temporary SQLite file). Its schema is
built once per run by the real migrations, and every test starts with empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from clinic import create_app
from clinic.extensions import db
from clinic.models import CLINIC_SETTINGS_ID, Base, ClinicSettings, User, UserSession, utc_now
from clinic.server_sessions import key_hash
from clinic.services.audit import log_deletion_permitted

T = TypeVar("T")

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test secret key, not for production",
    "WTF_CSRF_ENABLED": False,  # tests/test_auth.py turns it back on to prove it is enforced
    "PASSWORD_HASH_PROFILE": "CHEAPEST",  # argon2id still; cheap so the suite stays fast
}


def _test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CLINIC_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'clinic-test.sqlite3'}"


def make_app(database_url: str, **overrides: Any) -> Flask:
    """An app on the given database with the test configuration."""
    return create_app({**TEST_CONFIG, "DATABASE_URL": database_url, **overrides})


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database, emptied and migrated to head once per run."""
    url = _test_database_url(tmp_path_factory)
    app = make_app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def _shared_app(database_url: str) -> Iterator[Flask]:
    """One app for the run: building it (and compiling its templates) per test is the slow part."""
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_shared_app: Flask) -> Iterator[Flask]:
    """The app under test; every table is emptied after the test, and what the app caches about
    the data (the first administrator exists) is forgotten with it."""
    yield _shared_app
    with _shared_app.app_context():
        db.session.remove()
        _empty_tables()
    _shared_app.extensions.pop("clinic_setup_done", None)


def _empty_tables() -> None:
    # DELETE, not TRUNCATE: on tables of a few rows PostgreSQL's TRUNCATE costs far more.
    # The audit log refuses DELETE unless this transaction is allowed to empty it.
    with db.engine.begin() as connection, log_deletion_permitted(connection):
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        # The first migration seeds the clinic's settings row; every test starts from it.
        connection.execute(ClinicSettings.__table__.insert().values(id=CLINIC_SETTINGS_ID))


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Replace pytest-flask's per-test request context.

    A context pushed for the whole test would make every request reuse one app context and one
    database session, hiding exactly the per-request commit/rollback behaviour under test. Tests
    open contexts explicitly instead (the `create` and `read` fixtures).
    """


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client; unlike pytest-flask's, it keeps no request context between requests,
    so each request gets its own app context and database session, as in production."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Invoke the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def read(app: Flask) -> Callable[[], AbstractContextManager[Session]]:
    """Open a database session in a fresh app context, to look at what is stored."""

    @contextmanager
    def _read() -> Iterator[Session]:
        with app.app_context():
            yield db.session
            db.session.rollback()

    return _read


@pytest.fixture
def create(app: Flask) -> Callable[..., Any]:
    """Run a factory in its own app context, commit, and return the detached object."""

    def _create(maker: Callable[..., T], **overrides: Any) -> T:
        with app.app_context():
            made = maker(db.session, **overrides)
            db.session.commit()
            db.session.refresh(made)
            for name in ("roles",):
                getattr(made, name, None)  # load what tests read after detaching
            db.session.expunge(made)
            return made

    return _create


def sign_in_as(client: FlaskClient, user: User) -> None:
    """Give the client a fresh session for the user, as a successful sign-in would (a new
    session row under a new cookie key)."""
    with client.session_transaction() as session:
        session.begin(user.id, utc_now())
        session.permanent = True
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def session_row(app: Flask, client: FlaskClient) -> UserSession | None:
    """The server's row of the client's session (None when its cookie finds none)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return None
    with app.app_context():
        row = db.session.scalars(
            select(UserSession).where(UserSession.key_hash == key_hash(cookie.value))
        ).first()
        if row is not None:
            db.session.expunge(row)
        return row


def set_session_times(app: Flask, client: FlaskClient, **times: Any) -> None:
    """Move the client's session row's times (signed_in_at, last_seen_at) as the server keeps
    them: how tests make a session idle or old."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None, "the client has no session"
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.key_hash == key_hash(cookie.value))
            .values(**times)
        )
        db.session.commit()


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    """Sign the test client in as a user."""
    return lambda user: sign_in_as(client, user)
