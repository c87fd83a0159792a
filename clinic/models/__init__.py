"""Every model, imported here so that Alembic and the app see all tables."""

from clinic.models.api_tokens import ApiToken
from clinic.models.audit import AuditEvent, AuditHead
from clinic.models.autosave import SaveReceipt
from clinic.models.base import Base, utc_now
from clinic.models.clinic import CLINIC_SETTINGS_ID, ClinicSettings
from clinic.models.exams import (
    Addendum,
    Exam,
    ExamSurvey,
    PainAreaAnswer,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
)
from clinic.models.held_posts import HeldPost
from clinic.models.patients import Patient
from clinic.models.sessions import UserSession
from clinic.models.users import PasswordFailure, User, UserRole

__all__ = [
    "CLINIC_SETTINGS_ID",
    "Addendum",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Base",
    "ClinicSettings",
    "Exam",
    "ExamSurvey",
    "HeldPost",
    "PainAreaAnswer",
    "PasswordFailure",
    "Patient",
    "ReferralZone",
    "SaveReceipt",
    "TenderPointFinding",
    "TriggerPointFinding",
    "User",
    "UserRole",
    "UserSession",
    "utc_now",
]

from clinic.models.guard import install_write_guard

install_write_guard()
