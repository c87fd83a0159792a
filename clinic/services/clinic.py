"""The clinic's settings."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session

from clinic.domain.errors import DomainError
from clinic.domain.scales import PaperSize
from clinic.models import CLINIC_SETTINGS_ID, ClinicSettings, User
from clinic.services import audit


@dataclass(frozen=True)
class ClinicDetails:
    """What an administrator edits about the clinic."""

    name: str
    address: str
    phone: str
    time_zone: str
    paper_size: PaperSize


def get_settings(session: Session) -> ClinicSettings:
    """Return the clinic's settings row (seeded by the first migration; recreated if missing)."""
    settings = session.get(ClinicSettings, CLINIC_SETTINGS_ID)
    if settings is None:
        settings = ClinicSettings(id=CLINIC_SETTINGS_ID)
        session.add(settings)
        session.flush()
    return settings


def time_zone_names() -> list[str]:
    """Every IANA time zone name a clinic can choose, sorted."""
    return sorted(available_timezones())


# The settings as the audit trail records their changes.
_RECORDED = ("name", "address", "phone", "time_zone", "paper_size")


def update_settings(session: Session, details: ClinicDetails, actor: User) -> ClinicSettings:
    """Change the clinic's details after checking the time zone exists."""
    try:
        ZoneInfo(details.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError([("time_zone", "Choose a time zone from the list.")]) from None
    settings = get_settings(session)
    before = audit.values_of(settings, *_RECORDED)
    settings.name = details.name
    settings.address = details.address
    settings.phone = details.phone
    settings.time_zone = details.time_zone
    settings.paper_size = details.paper_size
    session.flush()
    audit.record(
        session,
        actor,
        "clinic.update",
        "clinic",
        None,
        audit.changes(before, audit.values_of(settings, *_RECORDED)),
    )
    return settings
