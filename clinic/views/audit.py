"""The administrators' audit trail: a filtered, paginated list, its CSV, and a patient's
access report PDF."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator

from flask import Blueprint, render_template, request, stream_with_context
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from clinic.auth import access
from clinic.database import read_only
from clinic.domain.roles import Capability
from clinic.exports.csv_format import neutralise
from clinic.extensions import db_session
from clinic.forms.audit import AuditFilterForm
from clinic.models import utc_now
from clinic.services.audit import Entry, record_reads
from clinic.services.audit_log import (
    CSV_COLUMNS,
    AuditFilter,
    access_report,
    actions,
    audit_csv_rows,
    audit_page,
)
from clinic.services.patients import get_patient, get_patient_by_mrn
from clinic.services.reports import report_file_name
from clinic.services.users import get_user_by_email
from clinic.views.common import clinic_today, current_actor, or_404

bp = Blueprint("audit", __name__)


def _filter() -> tuple[AuditFilterForm, AuditFilter | None]:
    """The filter as asked for; None (with field errors on the form) when it cannot be used."""
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [
        SelectChoice("", "Any action"),
        *(SelectChoice(action, action) for action in actions(db_session())),
    ]
    if not form.validate():
        return form, None
    session = db_session()
    patient = get_patient_by_mrn(session, form.mrn.data) if form.mrn.data else None
    if form.mrn.data and patient is None:
        form.mrn.errors = [f"There is no patient with MRN {form.mrn.data}."]
    user = get_user_by_email(session, form.user.data) if form.user.data else None
    if form.user.data and user is None:
        form.user.errors = [f"There is no user {form.user.data}."]
    if form.mrn.errors or form.user.errors:
        return form, None
    return form, AuditFilter(
        patient, user, form.action.data or None, form.start.data, form.end.data
    )


@bp.get("/admin/audit")
@access(Capability.MANAGE_USERS)
def index() -> str | Response:
    """The audit trail, newest first, filtered and paginated."""
    form, wanted = _filter()
    if wanted is None:
        return Response(render_template("audit/index.html", form=form, page=None), status=422)
    page = audit_page(db_session(), wanted, form.page.data or 1)
    query = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit/index.html", form=form, page=page, query=query)


@bp.get("/admin/audit.csv")
@access(Capability.MANAGE_USERS)
def download() -> str | Response:
    """The filtered rows as CSV (oldest first); formula-like cells are neutralised."""
    form, wanted = _filter()
    if wanted is None:
        return Response(render_template("audit/index.html", form=form, page=None), status=422)
    session = db_session()

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in audit_csv_rows(session, wanted):
            writer.writerow([neutralise(value) for value in row])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(read_only(lines())), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{clinic_today()}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/patients/<uuid:patient_id>/access-report.pdf")
@access(Capability.MANAGE_USERS)
def patient_access_report(patient_id: uuid.UUID) -> Response:
    """Who saw, printed, exported or changed the patient's record, and when, as a PDF."""
    from clinic.reports.access_report import render_access_report  # ReportLab loads to print

    session = db_session()
    patient = or_404(get_patient(session, patient_id))
    data = render_access_report(access_report(session, patient, utc_now()))
    response = Response(data, mimetype="application/pdf")
    name = report_file_name(clinic_today(), patient.mrn, "access")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    printed = Entry("patient.print", "patient", patient_id, patient_id, {"report": "access report"})
    record_reads(session, current_actor(), [printed])
    return response
