"""The export page: staff choose exams and a format and get a streamed download."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from clinic.domain.roles import Role
from tests.exam_forms import page_of, post_full_exam
from tests.factories import make_exam, make_patient, make_user


@pytest.fixture
def exam(client, create, login):
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    patient = create(make_patient, family_name="Łukasiewicz", mrn="B-7")
    recorded = create(make_exam, clinician=doctor, patient=patient, exam_date=date(2026, 11, 3))
    post_full_exam(client, recorded.uuid)
    login(create(make_user, roles=(Role.STAFF,)))
    return recorded


def test_staff_download_a_week_as_a_zip_with_a_readable_name(client, exam):
    response = client.get(
        "/exports",
        query_string={"download": "1", "format": "csv", "start": "2026-11-01", "end": "2026-11-07"},
    )

    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="exams_2026-11-01_2026-11-07_csv.zip"'
    )
    data = response.get_data()
    response.close()  # a server closes every response; here that ends the request's session
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        findings = archive.read("findings.csv").decode()
    assert str(exam.uuid) in findings
    assert "Łukasiewicz" not in findings  # names are not in the tidy tables


def test_the_de_identify_box_leaves_out_the_mrn(client, exam):
    def download(**query: str) -> str:
        response = client.get("/exports", query_string={"download": "1", **query})
        text = response.get_data(as_text=True)
        response.close()
        return text

    plain = download(format="json")
    hidden = download(format="json", deidentify="y")

    assert "B-7" in plain
    assert "B-7" not in hidden
    assert "Łukasiewicz" not in hidden


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-11-07", "end": "2026-11-01"}, "end", "before the start date"),
        ({"mrn": "NOPE-1"}, "mrn", "no patient with MRN NOPE-1"),
        ({"format": "xml"}, "format", "Not a valid choice"),
        ({"start": "11/01/2026"}, "start", "Not a valid date"),
    ],
)
def test_bad_choices_get_a_message_beside_the_field_and_keep_the_values(
    client, exam, query, field, message
):
    response = client.get("/exports", query_string={"download": "1", "format": "csv", **query})

    assert response.status_code == 422
    page = page_of(response)
    assert message in page.errors.get(field, "")
    for name, value in query.items():
        if name != "format":
            assert page.form().value(name) == value


def test_the_page_offers_every_choice(client, exam):
    page = client.get("/exports").get_data(as_text=True)

    for label in ("CSV tables", "JSON documents", "NDJSON", "De-identify", "Patient MRN"):
        assert label in page
