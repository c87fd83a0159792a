"""Tender Point Clinic: exam records for fibromyalgia and myofascial pain.

This module imports nothing at load time, so that `clinic.domain` and `clinic.reports` stay free of
Flask and SQLAlchemy when imported on their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None, *, migrations: bool = True) -> Flask:
    """Build the app: config, extensions, blueprints, CLI, error handlers. `migrations`: wire
    Alembic (through Flask-Migrate) for `clinic db`; the web server (wsgi.py) leaves it out, and
    its workers are 11 MB lighter."""
    from flask import Flask, g, request

    from clinic.auth import init_auth
    from clinic.cli import register_commands
    from clinic.config import configure
    from clinic.database import configure_engine, write_intent
    from clinic.extensions import csrf, db
    from clinic.headers import init_headers
    from clinic.services.audit import install_request_ids
    from clinic.views import register_blueprints
    from clinic.views.bodies import register_body_limits
    from clinic.views.errors import register_error_handlers
    from clinic.views.formatting import register_formatting

    app = Flask(__name__, instance_relative_config=True)
    configure(app, config)

    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # The client's address (throttling, the audit trail, session lists) from the
        # X-Forwarded-For that this many trusted proxies in front of the app appended.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    db.init_app(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    register_body_limits(app)  # before CSRF protection, the first to read a posted form
    csrf.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    @app.before_request
    def _declare_write_intent() -> None:
        g.write_intent_token = write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _forget_write_intent(_error: BaseException | None) -> None:
        token = g.pop("write_intent_token", None)
        if token is not None:
            write_intent.reset(token)

    install_request_ids(app)
    init_auth(app)
    init_headers(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_formatting(app)
    register_commands(app)
    return app


def settle_heap() -> None:
    """Called once a process has built its app and will serve with it until it exits (a web
    worker, the `clinic` command): collect what start-up left over, then freeze the rest (modules,
    the app, SQLAlchemy's mappers and caches) out of the garbage collector's sight. Its full
    collections then scan only what requests and exports make: a FHIR export spent an eighth of
    its time scanning the app's 100,000 start-up objects again and again."""
    import gc

    gc.collect()
    gc.freeze()
