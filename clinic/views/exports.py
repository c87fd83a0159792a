"""The export page: choose exams and a format, download a streamed file."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, render_template, request, stream_with_context
from werkzeug.wrappers import Response

from clinic.auth import access
from clinic.domain.roles import Capability
from clinic.exports.formats import ExportRequest, ExportRequestError, export_stream
from clinic.extensions import db_session
from clinic.forms.exports import ExportForm
from clinic.services.audit import Entry, record_reads
from clinic.services.patients import get_patient_by_mrn
from clinic.views.common import current_actor

bp = Blueprint("exports", __name__)


def export_entry(export: ExportRequest, patient_uuid: uuid.UUID | None) -> Entry:
    """The audit entry of an export as it starts: its format and filters."""
    where = export.where
    return Entry(
        "export",
        "export",
        None,
        patient_uuid,
        {
            "format": export.format,
            "table": export.table,
            "deidentify": export.deidentify,
            "start": where.start.isoformat() if where.start else None,
            "end": where.end.isoformat() if where.end else None,
            "mrn": where.mrn,
            "signed_only": where.signed_only,
            "include_entered_in_error": where.include_entered_in_error,
        },
    )


@bp.get("/exports")
@access(Capability.EXPORT)
def index() -> str | Response:
    """The export choices; with `download` in the query, the file itself."""
    form = ExportForm(formdata=request.args if "download" in request.args else None)
    if "download" not in request.args:
        return render_template("exports/index.html", form=form)
    session = db_session()
    if form.validate():
        patient = get_patient_by_mrn(session, form.mrn.data) if form.mrn.data else None
        if form.mrn.data and patient is None:
            form.mrn.errors = [f"There is no patient with MRN {form.mrn.data}."]
        else:
            export = form.to_request(request.url_root)
            try:
                chunks = export_stream(session, export, current_app.config["SECRET_KEY"])
            except ExportRequestError as error:
                field = form._fields.get(error.field)
                if field is not None:
                    field.errors = [error.message]
                else:
                    form.form_errors.append(error.message)
            else:
                entry = export_entry(export, patient.uuid if patient is not None else None)
                record_reads(session, current_actor(), [entry])
                response = Response(stream_with_context(chunks), mimetype=export.media_type)
                response.headers["Content-Disposition"] = (
                    f'attachment; filename="{export.file_name}"'
                )
                return response
    return Response(render_template("exports/index.html", form=form), status=422)
