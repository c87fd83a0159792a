"""Template filters and globals: formatting only, never computing clinical values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask

from clinic.domain.summary import OUTCOME_LABELS
from clinic.forms.rendering import render_choices, render_input
from clinic.views.common import clinic_settings, in_clinic_time


def format_time(moment: datetime | None) -> str:
    """ "2026-11-24 10:42 CET" in the clinic's time zone."""
    if moment is None:
        return ""
    local = in_clinic_time(moment)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def format_date(day: date | None) -> str:
    """ISO date, the one format that no reader mistakes."""
    return day.isoformat() if day is not None else ""


def register_formatting(app: Flask) -> None:
    """Make the filters and the clinic's settings available to every template."""
    app.add_template_filter(format_time, "time")
    app.add_template_filter(format_date, "date")
    app.jinja_env.globals["outcome_labels"] = OUTCOME_LABELS
    app.jinja_env.globals["render_input"] = render_input
    app.jinja_env.globals["render_choices"] = render_choices

    @app.context_processor
    def _clinic() -> dict[str, Any]:
        return {"clinic_settings": clinic_settings}
