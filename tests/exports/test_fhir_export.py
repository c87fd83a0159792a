"""The FHIR exports of many exams: bundles with the signed PDF, and bulk data by resource type."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import date

import pytest
from fhir.resources.R4B import get_fhir_model_class

from clinic.domain.roles import Role
from clinic.exports.fhir_codes import unverified_codes
from clinic.exports.formats import ExportRequest, ExportRequestError, export_stream
from clinic.extensions import db_session
from tests.exam_forms import post_full_exam
from tests.factories import PASSWORD, make_exam, make_patient, make_user


@pytest.fixture
def recorded(client, create, login):
    """One patient: a signed exam and a draft."""
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    patient = create(make_patient, mrn="F-1")
    exams = [
        create(make_exam, clinician=doctor, patient=patient, exam_date=date(2026, 11, day))
        for day in (2, 9)
    ]
    for exam in exams:
        post_full_exam(client, exam.uuid)
    assert (
        client.post(f"/exams/{exams[0].uuid}/sign", data={"password": PASSWORD}).status_code == 303
    )
    return exams


def exported(app, request: ExportRequest) -> bytes:
    with app.app_context():
        return b"".join(export_stream(db_session(), request, "secret"))


def valid(resource: dict) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@pytest.mark.parametrize("base_url", [None, "https://clinic.example/"])
def test_one_bundle_per_exam_with_the_signed_pdf_inside(app, recorded, base_url):
    # The export page and the API give their address (for bulk data); a bundle embeds its PDF.
    lines = exported(app, ExportRequest("fhir", base_url=base_url)).decode().splitlines()

    bundles = [json.loads(line) for line in lines]
    assert [b["type"] for b in bundles] == ["collection", "collection"]
    # Plain compact JSON, one Bundle per line, UTF-8 text as it is.
    compact = [json.dumps(b, ensure_ascii=False, separators=(",", ":")) for b in bundles]
    assert lines == compact
    for bundle in bundles:
        valid(bundle)
        assert unverified_codes([entry["resource"] for entry in bundle["entry"]]) == []
    reports = [
        entry["resource"]
        for bundle in bundles
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "DiagnosticReport"
    ]
    assert [r["status"] for r in reports] == ["final", "preliminary"]
    pdf = next(
        form for form in reports[0]["presentedForm"] if form["contentType"] == "application/pdf"
    )
    assert base64.b64decode(pdf["data"]).startswith(b"%PDF")
    assert "presentedForm" not in reports[1] or all(
        form["contentType"] != "application/pdf" for form in reports[1]["presentedForm"]
    )


def test_bulk_data_has_one_file_per_resource_type_and_links_the_pdf(app, recorded):
    data = exported(app, ExportRequest("fhir-bulk", base_url="https://clinic.example/"))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {
            name: [json.loads(line) for line in archive.read(name).decode().splitlines()]
            for name in archive.namelist()
        }
    assert {"Patient.ndjson", "Practitioner.ndjson", "Observation.ndjson"} <= set(files)
    assert len(files["Patient.ndjson"]) == 1  # two exams, one patient
    for name, resources in files.items():
        assert {r["resourceType"] for r in resources} == {name.removesuffix(".ndjson")}
        for resource in resources:
            valid(resource)
    signed = next(r for r in files["DiagnosticReport.ndjson"] if r["status"] == "final")
    pdf = next(f for f in signed["presentedForm"] if f["contentType"] == "application/pdf")
    # The JSON API's address: another system reads it with its API token.
    path = f"/api/v1/exams/{recorded[0].uuid}/summary.pdf"
    assert pdf["url"] == f"https://clinic.example{path}"
    assert "data" not in pdf
    endpoint, _ = app.url_map.bind("clinic.example").match(path)
    assert endpoint == "api.summary_pdf"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (ExportRequest("fhir-bulk"), "base_url"),
        (ExportRequest("fhir", deidentify=True), "deidentify"),
    ],
)
def test_fhir_requests_that_cannot_be_served_are_refused(app, request_, field):
    with pytest.raises(ExportRequestError) as refused:
        exported(app, request_)
    assert refused.value.field == field


def test_a_signed_exam_exports_the_scores_it_was_signed_with(app, recorded):
    """Not the scores today's rules would give: the ones its signature covers."""
    from sqlalchemy import select, update

    from clinic.models import Exam

    with app.app_context():
        session = db_session()
        signed = session.scalars(select(Exam).where(Exam.uuid == recorded[0].uuid)).one()
        document = json.loads(json.dumps(signed.signed_document))
        document["scores"]["tender_point_count"]["text"] = "as signed"
        # Straight to the table: the app itself never changes a signed document.
        session.execute(update(Exam).where(Exam.id == signed.id).values(signed_document=document))
        session.commit()

    bundles = [json.loads(line) for line in exported(app, ExportRequest("fhir")).splitlines()]

    assert "as signed" in json.dumps(bundles[0])  # the signed exam's frozen scores
    assert "as signed" not in json.dumps(bundles[1])  # the draft's, computed
