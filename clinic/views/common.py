"""Small helpers the views share."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import abort, g
from flask_login import current_user

from clinic.extensions import db_session
from clinic.models import ClinicSettings, User, utc_now
from clinic.services.clinic import get_settings

T = TypeVar("T")


def or_404(found: T | None) -> T:
    """Return what was found, or answer 404 Not Found."""
    if found is None:
        abort(404)
    return found


def current_actor() -> User:
    """The signed-in user, as the model services take it."""
    user: User = current_user._get_current_object()
    return user


def clinic_settings() -> ClinicSettings:
    """The clinic's settings, read once per request."""
    if "clinic_settings" not in g:
        g.clinic_settings = get_settings(db_session())
    settings: ClinicSettings = g.clinic_settings
    return settings


def clinic_zone() -> ZoneInfo:
    """The clinic's time zone."""
    return ZoneInfo(clinic_settings().time_zone)


def clinic_today() -> date:
    """Today's date where the clinic is, which is what exam and birth dates mean."""
    return utc_now().astimezone(clinic_zone()).date()


def in_clinic_time(moment: datetime) -> datetime:
    """A stored UTC time converted to the clinic's time zone for display."""
    return moment.astimezone(clinic_zone())
