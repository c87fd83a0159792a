"""Tender Point Clinic: exam records for fibromyalgia and myofascial pain."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from clinic.database import configure_engine, write_intent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI, error handlers."""
    app = Flask(__name__, instance_relative_config=True)

    from clinic.config import configure

    configure(app, config)

    from clinic.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    @app.before_request
    def _declare_write_intent() -> None:
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    from clinic.auth import init_auth

    init_auth(app)

    from clinic.views import register_blueprints
    from clinic.views.errors import register_error_handlers
    from clinic.views.formatting import register_formatting

    register_blueprints(app)
    register_error_handlers(app)
    register_formatting(app)

    from clinic.cli import register_commands

    register_commands(app)
    return app


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
