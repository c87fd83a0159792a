"""The one clinic this installation serves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic.domain.scales import PaperSize
from clinic.models.base import Base, enum_type, utc_now

CLINIC_SETTINGS_ID = 1


class ClinicSettings(Base):
    """Name, contact details, time zone and paper size; they head every printed page."""

    __tablename__ = "clinic_settings"
    __table_args__ = (CheckConstraint(f"id = {CLINIC_SETTINGS_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=CLINIC_SETTINGS_ID)
    name: Mapped[str] = mapped_column(String(120), default="Tender Point Clinic")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    paper_size: Mapped[PaperSize] = mapped_column(
        enum_type(PaperSize, "paper_size"), default=PaperSize.LETTER
    )
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    # An HMAC of the secret key the last backup was made with (never the key itself): a restore
    # compares it with the running key. Written by `clinic backup` just before it copies.
    backup_key_fingerprint: Mapped[str | None] = mapped_column(String(64))
