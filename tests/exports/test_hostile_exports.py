"""The hostile-input corpus through every export: each text the service stores as typed comes out
of CSV, JSON, NDJSON and FHIR as typed (a CSV cell that a spreadsheet would run as a formula
opens as text instead), and no export fails on it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask

from clinic.domain.findings import ImpressionInput, TriggerPointInput
from clinic.domain.roles import Role
from clinic.domain.scales import Side
from clinic.exports.formats import ExportRequest, export_stream
from clinic.extensions import db, db_session
from clinic.services.exam_content import add_trigger_point, save_impression
from tests.factories import make_exam, make_patient, make_user
from tests.hostile import STORED_AS_TYPED

SECRET = "test secret"
CORPUS = list(STORED_AS_TYPED.items())
# What a spreadsheet reads as the start of a formula (OWASP's list): such a cell gets a "'".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def recorded(app: Flask) -> None:
    """One patient and exam per text of the corpus: the text as the family name (its first 100
    characters), the assessment and a trigger point's notes."""
    with app.app_context():
        session = db.session()
        doctor = make_user(session, roles=(Role.CLINICIAN,))
        for number, (_name, text) in enumerate(CORPUS):
            patient = make_patient(session, mrn=f"H-{number}", family_name=text[:100])
            exam = make_exam(session, patient, doctor, exam_date=date(2026, 11, 2))
            point = TriggerPointInput("upper_trapezius", Side.LEFT, notes=text)
            add_trigger_point(session, exam, point, doctor)
            impression = ImpressionInput(assessment=text)
            save_impression(session, exam, impression, exam.version, doctor)
        session.commit()


def export(app: Flask, request: ExportRequest) -> bytes:
    with app.app_context():
        return b"".join(export_stream(db_session(), request, SECRET))


def as_in_a_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def by_mrn(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {document["patient"]["mrn"]: document for document in documents}


def test_csv_cells_hold_each_text_as_typed_and_formulas_as_text(app, recorded):
    tables = zipfile.ZipFile(io.BytesIO(export(app, ExportRequest("csv"))))
    findings = list(csv.DictReader(io.StringIO(tables.read("findings.csv").decode("utf-8-sig"))))
    exams = list(csv.DictReader(io.StringIO(tables.read("exams.csv").decode("utf-8-sig"))))

    notes = {row["mrn"]: row["note"] for row in findings if row["finding_kind"] == "trigger_point"}
    for number, (name, text) in enumerate(CORPUS):
        assert notes[f"H-{number}"] == as_in_a_cell(text), name
    assert sorted(row["mrn"] for row in exams) == sorted(f"H-{n}" for n in range(len(CORPUS)))


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_json_and_ndjson_hold_each_text_as_typed(app, recorded, fmt):
    data = export(app, ExportRequest(fmt))
    if fmt == "json":
        documents = json.loads(data)
    else:
        # NDJSON records end at "\n" only: a U+2028 inside a note is not a line end.
        documents = [json.loads(line) for line in data.split(b"\n") if line]

    found = by_mrn(documents)
    for number, (name, text) in enumerate(CORPUS):
        document = found[f"H-{number}"]
        assert document["patient"]["family_name"] == text[:100], name
        assert document["impression"]["assessment"] == text.strip(), name
        assert document["trigger_points"][0]["notes"] == text, name


def test_fhir_holds_each_text_as_typed(app, recorded):
    data = export(app, ExportRequest("fhir"))
    bundles = [json.loads(line) for line in data.split(b"\n") if line]

    families = {
        name.get("family")
        for bundle in bundles
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Patient"
        for name in entry["resource"]["name"]
    }
    every_string = set(strings(bundles))
    for name, text in CORPUS:
        assert text[:100] in families, name
        assert text in every_string, name  # the trigger point's notes, whole
        assert any(text.strip() in string for string in every_string), name  # the assessment


def test_fhir_bulk_data_exports_every_text_without_failing(app, recorded):
    data = export(app, ExportRequest("fhir-bulk", base_url="https://clinic.example"))

    archive = zipfile.ZipFile(io.BytesIO(data))
    resources = [
        json.loads(line)
        for member in archive.namelist()
        if member.endswith(".ndjson")
        for line in archive.read(member).split(b"\n")
        if line
    ]
    every_string = set(strings(resources))
    for name, text in CORPUS:
        assert text in every_string, name
