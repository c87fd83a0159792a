"""`clinic report exam|day|trend -o FILE`: the same PDFs as the print buttons, written to files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from clinic.models import Patient, User
from tests.factories import make_patient
from tests.test_report_views import (
    DAY,
    configure_clinic,
    make_doctor,
    make_recorded_exam,
    numbered_documents,
    pdf_pages,
    pdf_text,
)

UNKNOWN_ID = "5b0c2e8e-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def clinic_settings(app: Any) -> None:
    configure_clinic(app, name="Riverside Pain Clinic", time_zone="America/New_York")


@pytest.fixture
def doctor(create: Callable[..., Any]) -> User:
    return create(make_doctor)


@pytest.fixture
def patient(create: Callable[..., Any]) -> Patient:
    return create(
        make_patient,
        mrn="MRN00001",
        family_name="Łukasiewicz",
        given_name="Zoë",
        date_of_birth=date(1981, 4, 2),
    )


@pytest.fixture
def output(tmp_path: Path) -> Path:
    return tmp_path / "printed.pdf"


def report(runner: FlaskCliRunner, *args: str) -> Any:
    return runner.invoke(args=["report", *args])


def written(result: Any, output: Path) -> bytes:
    """The PDF a successful command wrote, after checking it said so."""
    assert result.exit_code == 0, result.output
    assert f"Wrote {output}" in result.output
    data = output.read_bytes()
    assert data.startswith(b"%PDF-")
    return data


# --- report exam ---------------------------------------------------------------------------------


def test_report_exam_writes_the_exam_summary(
    runner: FlaskCliRunner,
    create: Callable[..., Any],
    patient: Patient,
    doctor: User,
    output: Path,
) -> None:
    exam = create(make_recorded_exam, patient=patient, clinician=doctor)
    data = written(report(runner, "exam", str(exam.uuid), "-o", str(output)), output)
    pages = pdf_pages(data)
    for number, page in enumerate(pages, start=1):
        assert "Łukasiewicz, Zoë · MRN MRN00001 · born 1981-04-02" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "DRAFT" not in page
    assert "Electronically signed Ana Ruiz, MD · licence MD-48213" in pdf_text(data)


def test_report_exam_of_a_draft_is_marked_draft(
    runner: FlaskCliRunner,
    create: Callable[..., Any],
    patient: Patient,
    doctor: User,
    output: Path,
) -> None:
    exam = create(make_recorded_exam, patient=patient, clinician=doctor, signed=False)
    data = written(report(runner, "exam", str(exam.uuid), "--output", str(output)), output)
    assert all("DRAFT" in page for page in pdf_pages(data))


@pytest.mark.parametrize(
    ("exam_id", "message"),
    [(UNKNOWN_ID, f"There is no exam {UNKNOWN_ID}."), ("42", "'42' is not an exam id.")],
)
def test_report_exam_of_an_unknown_exam_fails_with_a_message(
    runner: FlaskCliRunner, output: Path, exam_id: str, message: str
) -> None:
    result = report(runner, "exam", exam_id, "-o", str(output))
    assert result.exit_code != 0
    assert message in result.output
    assert not output.exists()


def test_report_exam_into_a_folder_that_is_not_there_fails_with_a_message(
    runner: FlaskCliRunner,
    create: Callable[..., Any],
    patient: Patient,
    doctor: User,
    tmp_path: Path,
) -> None:
    exam = create(make_recorded_exam, patient=patient, clinician=doctor)
    missing = tmp_path / "no such folder" / "exam.pdf"
    result = report(runner, "exam", str(exam.uuid), "-o", str(missing))
    assert result.exit_code != 0
    assert f"Cannot write {missing}: No such file or directory." in result.output


def test_report_exam_is_readable_by_its_owner_only(
    runner: FlaskCliRunner, create: Callable[..., Any], patient: Patient, doctor: User, output: Path
) -> None:
    exam = create(make_recorded_exam, patient=patient, clinician=doctor)
    written(report(runner, "exam", str(exam.uuid), "-o", str(output)), output)
    assert output.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in output.parent.iterdir()] == [output.name]  # nothing left beside


def test_report_exam_needs_an_output_file(runner: FlaskCliRunner) -> None:
    result = report(runner, "exam", UNKNOWN_ID)
    assert result.exit_code == 2
    assert "Missing option '-o' / '--output'" in result.output


# --- report day ----------------------------------------------------------------------------------


@pytest.fixture
def day_of_exams(create: Callable[..., Any], doctor: User) -> User:
    """Ana Ruiz's exam and Bo Berg's draft on DAY, and Ana Ruiz's exam the day after.

    Returns Bo Berg."""
    other = create(make_doctor, display_name="Bo Berg", credentials="PT", email="bo@clinic.example")
    people = [("Ψυχογιός", "Δήμητρα"), ("Смирнов", "Дмитрий"), ("Okafor", "Ngozi")]
    patients = [
        create(make_patient, mrn=f"MRN0010{n}", family_name=family, given_name=given)
        for n, (family, given) in enumerate(people)
    ]
    create(make_recorded_exam, patient=patients[0], clinician=doctor)
    create(make_recorded_exam, patient=patients[1], clinician=other, signed=False)
    create(make_recorded_exam, patient=patients[2], clinician=doctor, exam_date=date(2026, 11, 25))
    return other


def _patients_in(data: bytes) -> list[str]:
    """Whose exams the batch holds, in order, by each exam's first page header."""
    names = ("Ψυχογιός, Δήμητρα", "Смирнов, Дмитрий", "Okafor, Ngozi")
    found = []
    for document in numbered_documents(pdf_pages(data)):
        (name,) = [name for name in names if name in document[0]]
        assert all(name in page for page in document)
        found.append(name)
    return found


def test_report_day_writes_every_exam_of_the_day(
    runner: FlaskCliRunner, day_of_exams: User, output: Path
) -> None:
    data = written(report(runner, "day", DAY.isoformat(), "-o", str(output)), output)
    assert _patients_in(data) == ["Ψυχογιός, Δήμητρα", "Смирнов, Дмитрий"]


def test_report_day_to_covers_the_range(
    runner: FlaskCliRunner, day_of_exams: User, output: Path
) -> None:
    result = report(runner, "day", "2026-11-24", "--to", "2026-11-25", "-o", str(output))
    assert _patients_in(written(result, output)) == [
        "Ψυχογιός, Δήμητρα",
        "Смирнов, Дмитрий",
        "Okafor, Ngozi",
    ]


def test_report_day_for_one_clinician(
    runner: FlaskCliRunner, day_of_exams: User, output: Path
) -> None:
    result = report(
        runner,
        "day",
        "2026-11-24",
        "--to",
        "2026-11-25",
        "--clinician",
        "BO@clinic.example",
        "-o",
        str(output),
    )
    assert _patients_in(written(result, output)) == ["Смирнов, Дмитрий"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-11-20"], "There are no exams in this range, so there is nothing to print."),
        (["2026-11-01", "--to", "2026-12-02"], "Print at most 31 days at a time."),
        (["2026-11-25", "--to", "2026-11-24"], "The end date is before the start date."),
        (["2026-11-24", "--clinician", "nobody@clinic.example"], "There is no user"),
    ],
)
def test_report_day_refuses_with_a_message(
    runner: FlaskCliRunner, day_of_exams: User, output: Path, args: list[str], message: str
) -> None:
    result = report(runner, "day", *args, "-o", str(output))
    assert result.exit_code == 1
    assert message in result.output
    assert not output.exists()  # never an empty PDF


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["24.11.2026"], "Invalid value for 'DATE': '24.11.2026'"),
        (["2026-13-01"], "Invalid value for 'DATE': '2026-13-01'"),
        (["2026-11-24", "--to", "tomorrow"], "Invalid value for '--to': 'tomorrow'"),
    ],
)
def test_report_day_with_a_bad_date_is_clicks_usage_error(
    runner: FlaskCliRunner, output: Path, args: list[str], message: str
) -> None:
    result = report(runner, "day", *args, "-o", str(output))
    assert result.exit_code == 2
    assert "Usage: clinic report day [OPTIONS] DATE" in result.output
    assert f"{message} does not match the format '%Y-%m-%d'." in result.output
    assert not output.exists()


def test_report_day_needs_a_date(runner: FlaskCliRunner, output: Path) -> None:
    result = report(runner, "day", "-o", str(output))
    assert result.exit_code == 2
    assert "Missing argument 'DATE'." in result.output


# --- report trend --------------------------------------------------------------------------------


@pytest.fixture
def history(create: Callable[..., Any], patient: Patient, doctor: User) -> None:
    """Two signed exams, one entered in error and a draft."""
    for day, options in (
        (date(2026, 8, 20), {}),
        (date(2026, 10, 7), {"entered_in_error": "Wrong date"}),
        (date(2026, 10, 13), {"signed": False}),
        (DAY, {}),
    ):
        create(make_recorded_exam, patient=patient, clinician=doctor, exam_date=day, **options)


@pytest.mark.parametrize("by", ["mrn", "lower-case mrn", "id"])
def test_report_trend_writes_the_signed_exams(
    runner: FlaskCliRunner, history: None, patient: Patient, output: Path, by: str
) -> None:
    who = {"mrn": "MRN00001", "lower-case mrn": "mrn00001", "id": str(patient.uuid)}[by]
    data = written(report(runner, "trend", who, "-o", str(output)), output)
    text = pdf_text(data)
    assert "Łukasiewicz, Zoë · MRN MRN00001 · born 1981-04-02" in text
    assert "Patient trend" in text
    assert "2 signed exams, 2026-08-20 to 2026-11-24." in text
    assert "2026-10-07" not in text
    assert "2026-10-13" not in text


@pytest.mark.parametrize("who", ["MRN99999", UNKNOWN_ID])
def test_report_trend_of_an_unknown_patient_fails_with_a_message(
    runner: FlaskCliRunner, patient: Patient, output: Path, who: str
) -> None:
    result = report(runner, "trend", who, "-o", str(output))
    assert result.exit_code == 1
    assert f"There is no patient {who}." in result.output
    assert not output.exists()
