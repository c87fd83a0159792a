"""An exam and what it records: tender points, trigger points, the criteria survey, addenda."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.domain.scales import (
    ExamStatus,
    Impression,
    PressureUnit,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)
from clinic.models.base import Base, PublicIdMixin, TimestampMixin, enum_type, utc_now
from clinic.models.patients import Patient
from clinic.models.users import User

# Algometer readings: up to 99999.99 in the unit recorded beside them.
PressureValue = Numeric(7, 2)
NoduleSize = Numeric(3, 1)


def _rating_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 0 AND 10", name=f"{column}_0_to_10")


def _pressure_checks() -> tuple[CheckConstraint, ...]:
    """A threshold has a positive value and a unit, or neither."""
    return (
        CheckConstraint("ppt_value IS NULL OR ppt_value > 0", name="ppt_value_positive"),
        CheckConstraint("(ppt_value IS NULL) = (ppt_unit IS NULL)", name="ppt_value_has_unit"),
        CheckConstraint(
            "ppt_probe_area_cm2 IS NULL OR ppt_probe_area_cm2 > 0", name="ppt_probe_area_positive"
        ),
    )


class Exam(PublicIdMixin, TimestampMixin, Base):
    """One physical exam of a patient by a clinician: drafted, signed, then only amended."""

    __tablename__ = "exams"
    __table_args__ = (
        CheckConstraint(
            "status = 'draft' OR (signed_at IS NOT NULL AND signed_by_id IS NOT NULL"
            " AND signature_digest IS NOT NULL)",
            name="signed_has_signature",
        ),
        CheckConstraint(
            "status <> 'entered_in_error' OR (entered_in_error_at IS NOT NULL"
            " AND entered_in_error_reason IS NOT NULL)",
            name="entered_in_error_has_reason",
        ),
        Index("ix_exams_patient_id_exam_date", "patient_id", "exam_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    exam_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[ExamStatus] = mapped_column(
        enum_type(ExamStatus, "status"), default=ExamStatus.DRAFT
    )
    # Optimistic concurrency: every change to the header bumps it; saves name the version they saw.
    version: Mapped[int] = mapped_column(default=1)

    fm_impression: Mapped[Impression] = mapped_column(
        enum_type(Impression, "fm_impression"), default=Impression.NOT_ASSESSED
    )
    mps_impression: Mapped[Impression] = mapped_column(
        enum_type(Impression, "mps_impression"), default=Impression.NOT_ASSESSED
    )
    assessment: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")

    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    signature_digest: Mapped[str | None] = mapped_column(String(64))
    # The canonical document as signed, scores frozen: what the digest was computed over.
    signed_document: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    entered_in_error_at: Mapped[datetime | None]
    entered_in_error_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    entered_in_error_reason: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship(back_populates="exams")
    clinician: Mapped[User] = relationship(foreign_keys=[clinician_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    entered_in_error_by: Mapped[User | None] = relationship(foreign_keys=[entered_in_error_by_id])

    tender_points: Mapped[list[TenderPointFinding]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="TenderPointFinding.site_code"
    )
    trigger_points: Mapped[list[TriggerPointFinding]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="TriggerPointFinding.position"
    )
    survey: Mapped[ExamSurvey | None] = relationship(
        back_populates="exam", cascade="all, delete-orphan"
    )
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="exam", order_by="Addendum.created_at"
    )


class TenderPointFinding(PublicIdMixin, TimestampMixin, Base):
    """Palpation of one tender-point or control site: examined or not, painful, rated."""

    __tablename__ = "tender_point_findings"
    __table_args__ = (
        UniqueConstraint("exam_id", "site_code"),
        _rating_check("rating"),
        CheckConstraint(
            "examined OR (painful IS NULL AND rating IS NULL AND ppt_value IS NULL)",
            name="not_examined_has_no_result",
        ),
        *_pressure_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    site_code: Mapped[str] = mapped_column(String(32))
    # False means deliberately not examined, which is not a negative finding.
    examined: Mapped[bool]
    not_examined_reason: Mapped[str | None] = mapped_column(Text)
    # ACR 1990 counts a site only when the patient says palpation was painful (tender is not).
    painful: Mapped[bool | None]
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    ppt_value: Mapped[Decimal | None] = mapped_column(PressureValue)
    ppt_unit: Mapped[PressureUnit | None] = mapped_column(enum_type(PressureUnit, "ppt_unit"))
    ppt_probe_area_cm2: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))

    exam: Mapped[Exam] = relationship(back_populates="tender_points")


class TriggerPointFinding(PublicIdMixin, TimestampMixin, Base):
    """One palpated myofascial trigger point: where it is, its signs, and its referral."""

    __tablename__ = "trigger_point_findings"
    __table_args__ = (
        CheckConstraint(
            "muscle_code IS NOT NULL OR muscle_other_name IS NOT NULL", name="has_muscle"
        ),
        CheckConstraint(
            "nodule_length_mm IS NULL OR nodule_length_mm BETWEEN 1 AND 50", name="nodule_length"
        ),
        CheckConstraint(
            "nodule_width_mm IS NULL OR nodule_width_mm BETWEEN 1 AND 50", name="nodule_width"
        ),
        _rating_check("rating"),
        *_pressure_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    muscle_code: Mapped[str | None] = mapped_column(String(40))
    muscle_other_name: Mapped[str | None] = mapped_column(String(120))
    side: Mapped[Side] = mapped_column(enum_type(Side, "side"))
    location_in_muscle: Mapped[str] = mapped_column(String(120), default="")
    nodule_length_mm: Mapped[Decimal | None] = mapped_column(NoduleSize)
    nodule_width_mm: Mapped[Decimal | None] = mapped_column(NoduleSize)
    tenderness_grade: Mapped[TendernessGrade | None] = mapped_column(
        enum_type(TendernessGrade, "tenderness_grade")
    )
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    taut_band: Mapped[TautBand | None] = mapped_column(enum_type(TautBand, "taut_band"))
    hypersensitive_spot: Mapped[bool | None]
    patient_recognition: Mapped[bool | None]
    local_twitch_response: Mapped[TwitchResponse | None] = mapped_column(
        enum_type(TwitchResponse, "local_twitch_response")
    )
    jump_sign: Mapped[bool | None]
    referred_pain: Mapped[bool | None]
    referral_description: Mapped[str] = mapped_column(Text, default="")
    # The clinician's confirmed classification; the criteria's suggestion is computed, not stored.
    classification: Mapped[TriggerPointClass | None] = mapped_column(
        enum_type(TriggerPointClass, "classification")
    )
    ppt_value: Mapped[Decimal | None] = mapped_column(PressureValue)
    ppt_unit: Mapped[PressureUnit | None] = mapped_column(enum_type(PressureUnit, "ppt_unit"))
    ppt_probe_area_cm2: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    notes: Mapped[str] = mapped_column(Text, default="")

    exam: Mapped[Exam] = relationship(back_populates="trigger_points")
    referral_zones: Mapped[list[ReferralZone]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", lazy="selectin"
    )


class ReferralZone(Base):
    """A body area a trigger point's pain refers to, from the shared body-area vocabulary."""

    __tablename__ = "referral_zones"

    finding_id: Mapped[int] = mapped_column(
        ForeignKey("trigger_point_findings.id", ondelete="CASCADE"), primary_key=True
    )
    zone_code: Mapped[str] = mapped_column(String(40), primary_key=True)

    finding: Mapped[TriggerPointFinding] = relationship(back_populates="referral_zones")


class ExamSurvey(TimestampMixin, Base):
    """History and criteria survey: pain duration, widespread pain, WPI areas, SSS items."""

    __tablename__ = "exam_surveys"
    __table_args__ = (
        CheckConstraint(
            "pain_duration_months IS NULL OR pain_duration_months >= 0", name="duration"
        ),
        *(
            CheckConstraint(f"{item} BETWEEN 0 AND 3", name=f"{item}_0_to_3")
            for item in ("fatigue", "waking_unrefreshed", "cognitive_symptoms", "somatic_symptoms")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    pain_duration_months: Mapped[int | None]
    # ACR 1990 widespread pain history; None is "not asked", never "no".
    pain_left_side: Mapped[bool | None]
    pain_right_side: Mapped[bool | None]
    pain_above_waist: Mapped[bool | None]
    pain_below_waist: Mapped[bool | None]
    pain_axial: Mapped[bool | None]
    # SSS part A, 0-3 each, past week.
    fatigue: Mapped[int | None] = mapped_column(SmallInteger)
    waking_unrefreshed: Mapped[int | None] = mapped_column(SmallInteger)
    cognitive_symptoms: Mapped[int | None] = mapped_column(SmallInteger)
    # SSS part B (2011/2016): present during the previous 6 months.
    headaches: Mapped[bool | None]
    lower_abdominal_pain: Mapped[bool | None]
    depression: Mapped[bool | None]
    # SSS part B (2010): the clinician's estimate of somatic symptoms, 0-3.
    somatic_symptoms: Mapped[int | None] = mapped_column(SmallInteger)
    # 2010/2011 exclusion; 2016 has none.
    other_disorder_explains_pain: Mapped[bool | None]

    exam: Mapped[Exam] = relationship(back_populates="survey")
    pain_areas: Mapped[list[PainAreaAnswer]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", lazy="selectin"
    )


class PainAreaAnswer(Base):
    """Whether one of the 19 Widespread Pain Index areas hurt in the past week; no row = unasked."""

    __tablename__ = "pain_area_answers"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("exam_surveys.id", ondelete="CASCADE"), primary_key=True
    )
    area_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    painful: Mapped[bool]

    survey: Mapped[ExamSurvey] = relationship(back_populates="pain_areas")


class Addendum(PublicIdMixin, Base):
    """A correction or note appended to a signed exam; never edited once written."""

    __tablename__ = "addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    text: Mapped[str] = mapped_column(Text)

    exam: Mapped[Exam] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()
