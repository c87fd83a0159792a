"""`clinic export FORMAT ...`: the same exports as the web page, written as they are read."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from clinic.cli_output import write_whole
from clinic.exports.formats import FORMATS, TABLES, ExportRequest, ExportRequestError, export_stream
from clinic.exports.selection import ExportFilter
from clinic.extensions import db_session
from clinic.services.patients import get_patient_by_mrn

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.command("export")
@click.argument("export_format", metavar="FORMAT", type=click.Choice(FORMATS))
@click.option("--from", "start", metavar="DATE", type=DATE, help="First exam date (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", type=DATE, help="Last exam date (YYYY-MM-DD).")
@click.option("--patient", "mrn", metavar="MRN", help="Only this patient's exams.")
@click.option("--signed-only", is_flag=True, help="Only signed exams.")
@click.option(
    "--include-entered-in-error", is_flag=True, help="Also exams marked entered in error."
)
@click.option(
    "--deidentify",
    is_flag=True,
    help="No names or free text; MRN as a keyed pseudonym; year of birth only.",
)
@click.option(
    "--table", type=click.Choice(TABLES), help="One CSV table instead of the zip of all three."
)
@click.option("--bom", is_flag=True, help="Start CSV with a byte-order mark (for spreadsheets).")
@click.option(
    "--base-url",
    metavar="URL",
    help="This site's address, e.g. https://clinic.example: FHIR exports then link PDFs.",
)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    metavar="FILE|-",
    help="Where to write: a file, or - for standard output.",
)
@with_appcontext
def export_command(
    export_format: str,
    start: datetime | None,
    end: datetime | None,
    mrn: str | None,
    signed_only: bool,
    include_entered_in_error: bool,
    deidentify: bool,
    table: str | None,
    bom: bool,
    base_url: str | None,
    output: str,
) -> None:
    """Export exams as tidy CSV (a zip of findings, exams and the data dictionary), JSON
    documents, NDJSON, FHIR R4 bundles (NDJSON, one per exam, signed PDFs embedded) or FHIR bulk
    data (a zip of NDJSON per resource type, PDFs by URL). Exams entered in error are left out
    unless asked for."""
    session = db_session()
    if mrn and get_patient_by_mrn(session, mrn) is None:
        raise click.ClickException(f"There is no patient with MRN {mrn}.")
    request = ExportRequest(
        export_format,
        ExportFilter(_day(start), _day(end), mrn, signed_only, include_entered_in_error),
        deidentify,
        table,
        bom,
        base_url,
    )
    try:
        chunks = export_stream(session, request, current_app.config["SECRET_KEY"])
    except ExportRequestError as error:
        raise click.ClickException(error.message) from None
    if output == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    written = write_whole(Path(output), chunks)
    click.echo(f"Wrote {output} ({written:,} bytes).", err=True)
