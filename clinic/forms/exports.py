"""The export page's choices."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from clinic.exports.formats import ExportRequest
from clinic.exports.selection import ExportFilter
from clinic.forms.base import ClinicForm, strip

NOT_CHOSEN = ""


class ExportForm(ClinicForm):
    """Which exams, in which format, identified or not. Sent as a GET: a download link."""

    class Meta:
        csrf = False  # a read-only download; nothing is changed by it

    format = RadioField(
        "Format",
        choices=[
            SelectChoice("csv", "CSV tables (zip: findings, exams, data dictionary)"),
            SelectChoice("json", "JSON documents (one array)"),
            SelectChoice("ndjson", "NDJSON (one document per line)"),
            SelectChoice("fhir", "HL7 FHIR R4 bundles (one per exam, signed PDFs inside)"),
            SelectChoice("fhir-bulk", "HL7 FHIR bulk data (zip, one file per resource type)"),
        ],
        default="csv",
        validators=[InputRequired(message="Choose a format.")],
    )
    table = RadioField(
        "CSV table",
        choices=[
            SelectChoice(NOT_CHOSEN, "All three, zipped"),
            SelectChoice("findings", "Findings only"),
            SelectChoice("exams", "Exams and scores only"),
            SelectChoice("dictionary", "Data dictionary only"),
        ],
        default=NOT_CHOSEN,
        validators=[Optional()],
    )
    start = DateField("From", validators=[Optional()], description="First exam date.")
    end = DateField("To", validators=[Optional()], description="Last exam date.")
    mrn = StringField(
        "Patient MRN",
        validators=[Optional(), Length(max=32)],
        filters=[strip],
        description="Only this patient's exams; leave empty for every patient.",
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    signed_only = BooleanField("Signed exams only")
    include_entered_in_error = BooleanField("Include exams entered in error")
    deidentify = BooleanField(
        "De-identify",
        description="No names or free text; MRN as a keyed pseudonym; year of birth only.",
    )
    bom = BooleanField("Byte-order mark for spreadsheets (CSV)")

    def validate_end(self, field: Any) -> None:
        """The range runs forwards."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")

    def to_request(self, base_url: str | None = None) -> ExportRequest:
        """The export these choices ask for (FHIR bulk links PDFs under `base_url`)."""
        return ExportRequest(
            self.format.data,
            ExportFilter(
                self.start.data,
                self.end.data,
                self.mrn.data or None,
                bool(self.signed_only.data),
                bool(self.include_entered_in_error.data),
            ),
            bool(self.deidentify.data),
            (self.table.data or None) if self.format.data == "csv" else None,
            bool(self.bom.data),
            base_url if self.format.data == "fhir-bulk" else None,
        )
