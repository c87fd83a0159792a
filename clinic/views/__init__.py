"""Blueprints: parse the request, call a service, commit once, respond."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint; this list is the app's whole surface."""
    from clinic.views import (
        account,
        admin,
        api,
        audit,
        auth,
        autosave,
        exam_capture,
        exams,
        exports,
        held,
        main,
        patients,
        reports,
        setup,
    )

    for module in (
        main,
        setup,
        auth,
        account,
        patients,
        exams,
        exam_capture,
        autosave,
        held,
        reports,
        exports,
        admin,
        audit,
        api,
    ):
        app.register_blueprint(module.bp)
