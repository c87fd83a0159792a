"""The FHIR exports of many exams: one `collection` Bundle per exam (NDJSON, the signed PDF
embedded), or FHIR bulk data (a zip of NDJSON files, one per resource type, the PDF by the JSON
API's URL).

Read a batch of exams at a time like the other exports. A bulk export gathers each resource type
in its own temporary file (on disk, not in memory) and zips them at the end; a patient or
practitioner met in several exams is written once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO, Any

import orjson
from sqlalchemy.orm import Session

from clinic.domain.scales import ExamStatus
from clinic.domain.scoring import ExamScores
from clinic.exports.archive import stream_zip
from clinic.exports.fhir import exam_bundle, exam_resources
from clinic.exports.loading import LoadedExam, loaded_exams
from clinic.exports.selection import ExportFilter
from clinic.models import Exam, utc_now
from clinic.services.records import stored_scores

Json = dict[str, Any]
# Patients and practitioners appear once in a bulk export, however many exams name them.
_SHARED = ("Patient", "Practitioner")


def _pdf(session: Session, loaded: LoadedExam) -> bytes | None:
    """The chart summary of a signed exam, as printed."""
    if loaded.record.status is ExamStatus.DRAFT:
        return None
    from clinic.reports.chart_summary import render_exam_summary
    from clinic.services.reports import exam_summary

    exam = session.get_one(Exam, loaded.key)
    return render_exam_summary(exam_summary(session, exam, utc_now()))


def pdf_url(base_url: str, exam_id: str) -> str:
    """Where this installation serves an exam's PDF to other systems: the JSON API's address,
    read with an API token (the page's address would ask a person to sign in)."""
    return f"{base_url.rstrip('/')}/api/v1/exams/{exam_id}/summary.pdf"


def _scored(loaded: LoadedExam) -> ExamScores:
    """The scores the exam was signed with, or a draft's scores now."""
    return stored_scores(loaded.signed_document, loaded.record.findings)


def fhir_bundles(session: Session, where: ExportFilter) -> Iterator[Json]:
    """One Bundle per exam, a signed exam's PDF embedded: each bundle stands on its own."""
    for loaded in loaded_exams(session, where):
        yield exam_bundle(loaded.record, _scored(loaded), pdf=_pdf(session, loaded))


def fhir_bulk(session: Session, where: ExportFilter, base_url: str | None) -> Iterator[bytes]:
    """FHIR bulk data: a zip of `<ResourceType>.ndjson` files; PDFs by URL only."""
    files: dict[str, IO[bytes]] = {}
    seen: set[tuple[str, str]] = set()
    with ExitStack() as temporary:
        for loaded in loaded_exams(session, where):
            record = loaded.record
            signed = record.status is not ExamStatus.DRAFT
            url = pdf_url(base_url, record.id) if signed and base_url else None
            for resource in exam_resources(record, _scored(loaded), pdf_url=url):
                kind = resource["resourceType"]
                if kind in _SHARED:
                    if (kind, resource["id"]) in seen:
                        continue
                    seen.add((kind, resource["id"]))
                out = files.get(kind)
                if out is None:
                    out = files[kind] = temporary.enter_context(tempfile.TemporaryFile("w+b"))
                out.write(orjson.dumps(resource, option=orjson.OPT_APPEND_NEWLINE))
        yield from stream_zip((f"{kind}.ndjson", _lines(files[kind])) for kind in sorted(files))


def _lines(out: IO[bytes]) -> Iterator[bytes]:
    out.seek(0)
    while chunk := out.read(64 * 1024):
        yield chunk


def stream_bundles(bundles: Iterator[Json]) -> Iterator[bytes]:
    """NDJSON: one Bundle per line (UTF-8, compact: as `json.dumps(bundle, ensure_ascii=False,
    separators=(",", ":"))` writes it, several times faster)."""
    for bundle in bundles:
        yield orjson.dumps(bundle, option=orjson.OPT_APPEND_NEWLINE)
