"""Reading the audit trail: the administrators' filtered, paginated list, its CSV rows, and a
patient's access report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from clinic.domain.access_report import AccessEntry, AccessReport, action_words
from clinic.models import AuditEvent, Patient, User
from clinic.services.records import patient_ref
from clinic.services.reports import clinic_header

# Any select statement: the filter narrows counts and rows alike.
_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])
PAGE_SIZE = 50
CSV_COLUMNS = (
    "id",
    "at",
    "user",
    "action",
    "entity_type",
    "entity_uuid",
    "patient_mrn",
    "patient_uuid",
    "client_address",
    "request_id",
    "detail",
)


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to show: a patient (by MRN), a user (by e-mail), an action, a date range
    (inclusive, UTC days)."""

    patient: Patient | None = None
    user: User | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class AuditRow:
    """One row as the audit page shows it."""

    event: AuditEvent
    user: str
    patient_mrn: str | None

    @property
    def detail_text(self) -> str:
        """The detail as readable JSON (letters as written), or nothing."""
        if self.event.detail is None:
            return ""
        return json.dumps(self.event.detail, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class AuditPage:
    """One page of rows, newest first."""

    rows: list[AuditRow]
    number: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the filtered rows fill (at least one)."""
        return max(1, -(-self.total // PAGE_SIZE))


def _where(statement: _S, wanted: AuditFilter) -> _S:
    if wanted.patient is not None:
        statement = statement.where(AuditEvent.patient_uuid == wanted.patient.uuid)
    if wanted.user is not None:
        statement = statement.where(AuditEvent.actor_id == wanted.user.id)
    if wanted.action:
        statement = statement.where(AuditEvent.action == wanted.action)
    if wanted.start is not None:
        statement = statement.where(AuditEvent.at >= datetime.combine(wanted.start, time(), UTC))
    if wanted.end is not None:
        after = datetime.combine(wanted.end + timedelta(days=1), time(), UTC)
        statement = statement.where(AuditEvent.at < after)
    return statement


def _rows(wanted: AuditFilter) -> Select[AuditEvent, str, str]:
    return _where(
        select(AuditEvent, User.email, Patient.mrn)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Patient, Patient.uuid == AuditEvent.patient_uuid),
        wanted,
    )


def audit_page(session: Session, wanted: AuditFilter, number: int) -> AuditPage:
    """The filtered rows' page `number` (from 1), newest first."""
    total = session.scalar(_where(select(func.count(AuditEvent.id)), wanted)) or 0
    number = max(1, number)
    statement = (
        _rows(wanted)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    )
    rows = [AuditRow(event, email or "", mrn) for event, email, mrn in session.execute(statement)]
    return AuditPage(rows, number, total)


def actions(session: Session) -> list[str]:
    """Every action the log holds, for the filter's choices."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_csv_rows(session: Session, wanted: AuditFilter) -> Iterator[list[str]]:
    """The filtered rows for the CSV, oldest first, streamed."""
    statement = _rows(wanted).order_by(AuditEvent.id).execution_options(yield_per=1000)
    for event, email, mrn in session.execute(statement):
        yield [
            str(event.id),
            event.at.isoformat(),
            email or "",
            event.action,
            event.entity_type,
            str(event.entity_uuid or ""),
            mrn or "",
            str(event.patient_uuid or ""),
            event.client_address or "",
            event.request_id or "",
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
            if event.detail is not None
            else "",
        ]


def access_report(session: Session, patient: Patient, printed_at: datetime) -> AccessReport:
    """Who saw, printed, exported or changed the patient's record, and when, oldest first."""
    statement = (
        select(AuditEvent, User.display_name, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.patient_uuid == patient.uuid)
        .order_by(AuditEvent.id)
    )
    entries = tuple(
        AccessEntry(
            at=event.at,
            who=f"{name} ({email})" if name else "(no user)",
            action=action_words(event.action),
            what=_what(event),
            address=event.client_address or "",
        )
        for event, name, email in session.execute(statement)
    )
    return AccessReport(clinic_header(session), patient_ref(patient), entries, printed_at)


def _what(event: AuditEvent) -> str:
    detail = event.detail or {}
    if event.action == "export":
        parts = [f"{detail.get('format', '')}"] + [
            f"{name} {detail[name]}"
            for name in ("start", "end", "mrn")
            if detail.get(name) not in (None, "")
        ]
        return " · ".join(part for part in parts if part)
    if "report" in detail:
        return str(detail["report"])
    if isinstance(detail.get("new"), dict) and detail["new"]:
        return "changed: " + ", ".join(sorted(detail["new"]))
    if event.entity_type == "patient":
        return "patient record"
    return f"{event.entity_type} {str(event.entity_uuid)[:8]}" if event.entity_uuid else ""
