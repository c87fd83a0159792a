"""Patients of the clinic."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from clinic.domain.names import search_key
from clinic.domain.scales import Sex
from clinic.models.base import Base, PublicIdMixin, TimestampMixin, enum_type

if TYPE_CHECKING:
    from clinic.models.exams import Exam


class Patient(PublicIdMixin, TimestampMixin, Base):
    """A person the clinic examines, identified in the clinic by a unique MRN."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(index=True)
    sex: Mapped[Sex] = mapped_column(enum_type(Sex, "sex"))
    # Accent- and case-free "family given" so a search for "zoe" finds "Zoë" on every database.
    name_search: Mapped[str] = mapped_column(String(201), index=True)

    exams: Mapped[list[Exam]] = relationship(back_populates="patient")

    @validates("family_name", "given_name")
    def _keep_search_key(self, key: str, value: str) -> str:
        family = value if key == "family_name" else (self.family_name or "")
        given = value if key == "given_name" else (self.given_name or "")
        self.name_search = search_key(f"{family} {given}")
        return value

    @property
    def full_name(self) -> str:
        """Name as shown on screens and charts: "Łukasiewicz, Zoë"."""
        return f"{self.family_name}, {self.given_name}"
