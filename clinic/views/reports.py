"""Printing: the exam summary, the day list and its batch PDF, the patient trend."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from clinic.auth import access
from clinic.domain.errors import DomainError
from clinic.domain.roles import Capability
from clinic.extensions import db_session
from clinic.models import User, utc_now
from clinic.services.audit import Entry, record_reads
from clinic.services.exams import get_exam
from clinic.services.patients import get_patient
from clinic.services.reports import (
    check_date_range,
    clinic_header,
    exam_summary,
    exams_between,
    patient_trend,
    report_file_name,
    signed_pdf_etag,
)
from clinic.services.users import active_clinicians, get_user
from clinic.views.common import clinic_today, current_actor, or_404

bp = Blueprint("reports", __name__)


def _pdf(data: bytes, file_name: str, etag: str | None = None) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{file_name}"'
    if etag:
        # A signed exam's PDF changes only with an addendum or the clinic's settings: a client
        # that kept its own copy asks with If-None-Match. Browsers keep none: every PDF is sent
        # no-store (clinic/headers.py), as the tablets are shared.
        response.set_etag(etag)
    return response


@bp.get("/exams/<uuid:exam_id>/summary.pdf")
@access(Capability.PRINT)
def exam_pdf(exam_id: uuid.UUID) -> Response:
    """One exam's chart summary."""
    session = db_session()
    exam = or_404(get_exam(session, exam_id))
    etag = signed_pdf_etag(session, exam)
    if etag and request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    from clinic.reports.chart_summary import render_exam_summary  # ReportLab loads only to print

    data = render_exam_summary(exam_summary(session, exam, utc_now()))
    response = _pdf(data, report_file_name(exam.exam_date, exam.patient.mrn, "exam"), etag)
    printed = Entry("exam.print", "exam", exam_id, exam.patient.uuid, {"report": "exam summary"})
    record_reads(session, current_actor(), [printed])
    return response


def _date_arg(name: str, default: date | None) -> date:
    value = request.args.get(name, "").strip()
    if not value:
        if default is None:
            raise BadRequest(f"Give the {name} date.")
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"“{value}” is not a date; write it as YYYY-MM-DD.") from None


def _clinician_arg() -> User | None:
    value = request.args.get("clinician", "").strip()
    if not value:
        return None
    try:
        return or_404(get_user(db_session(), uuid.UUID(value)))
    except ValueError:
        raise BadRequest("Choose the clinician from the list.") from None


def _range() -> tuple[date, date, User | None]:
    start = _date_arg("start", clinic_today())
    end = _date_arg("end", start)
    try:
        check_date_range(start, end)
    except DomainError as error:
        raise BadRequest(" ".join(message for _field, message in error.reasons)) from None
    return start, end, _clinician_arg()


@bp.get("/reports/day")
@access(Capability.PRINT)
def day() -> str:
    """The exams of a day (or range), with a button to print them all."""
    start, end, clinician = _range()
    exams = exams_between(db_session(), start, end, clinician)
    return render_template(
        "reports/day.html",
        exams=exams,
        start=start,
        end=end,
        clinician=clinician,
        clinicians=active_clinicians(db_session()),
    )


@bp.get("/reports/day.pdf")
@access(Capability.PRINT)
def day_pdf() -> Response:
    """Every exam of a day (or range) in one PDF, each with its own page numbers."""
    start, end, clinician = _range()
    session = db_session()
    exams = exams_between(session, start, end, clinician)
    if not exams:
        raise NotFound("There are no exams in this range, so there is nothing to print.")
    clinic, now = clinic_header(session), utc_now()
    from clinic.reports.chart_summary import render_exam_batch  # ReportLab loads only to print

    data = render_exam_batch([exam_summary(session, exam, now, clinic) for exam in exams])
    name = f"{start.isoformat()}_exams.pdf" if start == end else f"{start}_to_{end}_exams.pdf"
    detail = {"report": "day batch", "from": start.isoformat(), "to": end.isoformat()}
    printed = [Entry("exam.print", "exam", e.uuid, e.patient.uuid, detail) for e in exams]
    record_reads(session, current_actor(), printed)
    return _pdf(data, name)


@bp.get("/patients/<uuid:patient_id>/trend.pdf")
@access(Capability.PRINT)
def trend_pdf(patient_id: uuid.UUID) -> Response:
    """The patient's signed exams over time."""
    session = db_session()
    patient = or_404(get_patient(session, patient_id))
    from clinic.reports.trend import render_patient_trend  # ReportLab loads only to print

    data = render_patient_trend(patient_trend(session, patient, utc_now()))
    response = _pdf(data, report_file_name(clinic_today(), patient.mrn, "trend"))
    printed = Entry("patient.print", "patient", patient_id, patient_id, {"report": "trend"})
    record_reads(session, current_actor(), [printed])
    return response
