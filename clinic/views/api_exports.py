"""The JSON API's export route on api.bp: the export page's formats, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, current_app, request, stream_with_context

from clinic.auth import api, problem
from clinic.domain.roles import Capability
from clinic.exports.formats import ExportRequest, ExportRequestError, export_stream
from clinic.exports.selection import ExportFilter
from clinic.extensions import db_session
from clinic.services.audit import record_reads
from clinic.services.patients import get_patient_by_mrn
from clinic.views import api_schemas as s
from clinic.views.api import PROBLEMS, bp, spec, validated
from clinic.views.api_document import Answers
from clinic.views.common import current_actor
from clinic.views.exports import export_entry

# What each format is sent as (ExportRequest.media_type): a CSV table, the CSV zip or FHIR bulk
# data, JSON, NDJSON, FHIR bundles.
MEDIA = (
    "text/csv",
    "application/zip",
    "application/json",
    "application/x-ndjson",
    "application/fhir+ndjson",
)


@bp.get("/exports/<export_format>")
@api(Capability.EXPORT)
@spec.validate(query=s.ExportQuery, resp=Answers("HTTP_200", media={"HTTP_200": MEDIA}, **PROBLEMS))
def export(export_format: str) -> Response | tuple[Iterator[bytes], int, dict[str, str]]:
    """An export as the export page gives it: csv, json, ndjson, fhir or fhir-bulk, streamed."""
    query: s.ExportQuery = validated("query")
    where = ExportFilter(
        query.start, query.end, query.mrn, query.signed_only, query.include_entered_in_error
    )
    wanted = ExportRequest(
        export_format, where, query.deidentify, query.table, query.bom, request.url_root
    )
    try:
        chunks = export_stream(db_session(), wanted, current_app.config["SECRET_KEY"])
    except ExportRequestError as error:
        return problem(422, "This export cannot be made", errors={error.field: error.message})
    patient = get_patient_by_mrn(db_session(), query.mrn) if query.mrn else None
    entry = export_entry(wanted, patient.uuid if patient is not None else None)
    record_reads(db_session(), current_actor(), [entry])
    headers = {
        "Content-Type": wanted.media_type,
        "Content-Disposition": f'attachment; filename="{wanted.file_name}"',
    }
    # The body as a generator, not a Response: spectree reads a Response's whole body (to
    # validate it), which would hold the entire export in memory before sending a byte.
    return stream_with_context(chunks), 200, headers
