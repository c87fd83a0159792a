"""What an export request produces: the formats, their file names and media types, and the
stream of bytes. The web page, the API and `clinic export` all go through `export_stream`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from clinic.database import read_only
from clinic.exports.archive import stream_zip
from clinic.exports.columns import DICTIONARY_HEADER, EXAM_COLUMNS, FINDING_COLUMNS, dictionary_rows
from clinic.exports.csv_format import stream_csv
from clinic.exports.documents import exam_documents, stream_json_array, stream_ndjson
from clinic.exports.fhir_export import fhir_bulk, fhir_bundles, stream_bundles
from clinic.exports.selection import ExportFilter, Pseudonymiser
from clinic.exports.tidy import exam_rows, finding_rows

FORMATS = ("csv", "json", "ndjson", "fhir", "fhir-bulk")
TABLES = ("findings", "exams", "dictionary")


class ExportRequestError(ValueError):
    """An export asked for in a way that cannot be served, with a message per field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ExportRequest:
    """One export: its format and filters, de-identified or not, one CSV table or all."""

    format: str
    where: ExportFilter = field(default_factory=ExportFilter)
    deidentify: bool = False
    table: str | None = None
    bom: bool = False
    # Where this installation is reached: FHIR bulk data refers to PDFs by URL.
    base_url: str | None = None

    def check(self) -> None:
        """Refuse what cannot be exported, naming the field."""
        if self.format not in FORMATS:
            raise ExportRequestError("format", f"Unknown format: choose {', '.join(FORMATS)}.")
        if self.table is not None and (self.format != "csv" or self.table not in TABLES):
            raise ExportRequestError("table", f"A table is one of {', '.join(TABLES)}, for CSV.")
        start, end = self.where.start, self.where.end
        if self.deidentify and self.format.startswith("fhir"):
            raise ExportRequestError(
                "deidentify", "FHIR exports identify the patient; choose CSV or JSON."
            )
        if self.format == "fhir-bulk" and not self.base_url:
            raise ExportRequestError(
                "base_url", "FHIR bulk data refers to PDFs by URL: give this site's address."
            )
        if start is not None and end is not None and end < start:
            raise ExportRequestError("end", "The end date is before the start date.")

    @property
    def file_name(self) -> str:
        """A readable name: exams_2026-11-01_2026-11-30[_deidentified].zip"""
        start, end = self.where.start, self.where.end
        span = "_".join(day.isoformat() for day in (start, end) if day is not None) or "all"
        stem = f"exams_{span}{'_deidentified' if self.deidentify else ''}"
        if self.format == "csv":
            return f"{stem}_{self.table}.csv" if self.table else f"{stem}_csv.zip"
        return {
            "json": f"{stem}.json",
            "ndjson": f"{stem}.ndjson",
            "fhir": f"{stem}_fhir_bundles.ndjson",
            "fhir-bulk": f"{stem}_fhir_bulk.zip",
        }[self.format]

    @property
    def media_type(self) -> str:
        if self.format == "csv":
            return "text/csv; charset=utf-8" if self.table else "application/zip"
        return {
            "json": "application/json",
            "ndjson": "application/x-ndjson",
            "fhir": "application/fhir+ndjson",
            "fhir-bulk": "application/zip",
        }[self.format]


def _csv_table(session: Session, request: ExportRequest, table: str, key: bytes) -> Iterator[str]:
    pseudonyms = Pseudonymiser(key) if request.deidentify else None
    if table == "findings":
        header = [column.name for column in FINDING_COLUMNS]
        rows = finding_rows(session, request.where, pseudonyms)
        return stream_csv(header, rows, request.bom, written=True)
    if table == "exams":
        header = [column.name for column in EXAM_COLUMNS]
        return stream_csv(header, exam_rows(session, request.where, pseudonyms), request.bom)
    return stream_csv(DICTIONARY_HEADER, dictionary_rows(), request.bom)


def _derived(secret: str | bytes, purpose: bytes) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"tender-point-clinic " + purpose, hashlib.sha256).digest()


def pseudonym_key(secret: str | bytes) -> bytes:
    """The key of de-identified exports' pseudonyms, derived from the clinic's secret key for
    this one purpose: stable within the installation, useless for anything else."""
    return _derived(secret, b"export pseudonyms")


def seal_key(secret: str | bytes) -> bytes:
    """The key of the exported documents' seals (see clinic.domain.document.seal_of)."""
    return _derived(secret, b"export seals")


def export_stream(session: Session, request: ExportRequest, secret: str | bytes) -> Iterator[bytes]:
    """The export's bytes as they are produced (checked first: raises ExportRequestError). It
    only reads, so a long export never holds SQLite's write lock against the clinic's saves."""
    request.check()
    return read_only(_export(session, request, secret))


def _export(session: Session, request: ExportRequest, secret: str | bytes) -> Iterator[bytes]:
    key = pseudonym_key(secret)
    if request.format == "csv":
        if request.table:
            return (
                chunk.encode("utf-8") for chunk in _csv_table(session, request, request.table, key)
            )
        return stream_zip(
            (f"{table}.csv", _csv_table(session, request, table, key)) for table in TABLES
        )
    if request.format == "fhir":
        bundles = fhir_bundles(session, request.where)
        return stream_bundles(bundles)
    if request.format == "fhir-bulk":
        return fhir_bulk(session, request.where, request.base_url)
    pseudonyms = Pseudonymiser(key) if request.deidentify else None
    documents = exam_documents(session, request.where, pseudonyms, seal_key(secret))
    return stream_json_array(documents) if request.format == "json" else stream_ndjson(documents)
