"""The export page: choose exams and a format, download a streamed file."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, stream_with_context
from werkzeug.wrappers import Response

from clinic.auth import access
from clinic.domain.roles import Capability
from clinic.exports.formats import ExportRequestError, export_stream
from clinic.extensions import db_session
from clinic.forms.exports import ExportForm
from clinic.services.patients import get_patient_by_mrn

bp = Blueprint("exports", __name__)


@bp.get("/exports")
@access(Capability.EXPORT)
def index() -> str | Response:
    """The export choices; with `download` in the query, the file itself."""
    form = ExportForm(formdata=request.args if "download" in request.args else None)
    if "download" not in request.args:
        return render_template("exports/index.html", form=form)
    session = db_session()
    if form.validate():
        if form.mrn.data and get_patient_by_mrn(session, form.mrn.data) is None:
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
                response = Response(stream_with_context(chunks), mimetype=export.media_type)
                response.headers["Content-Disposition"] = (
                    f'attachment; filename="{export.file_name}"'
                )
                return response
    return Response(render_template("exports/index.html", form=form), status=422)
