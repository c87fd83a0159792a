"""`clinic import`: exported exams restored whole, signatures trusted only when sealed here,
every problem named by record and field, and nothing stored unless the whole file is sound."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.exports.formats import ExportRequest, export_stream
from clinic.extensions import db_session
from clinic.models import AuditEvent, Exam, User
from tests.conftest import _empty_tables
from tests.exam_forms import post_full_exam
from tests.factories import PASSWORD, make_exam, make_patient, make_user


@pytest.fixture
def recorded(client, create, login):
    """A signed exam with an addendum, a draft, and a signed exam entered in error."""
    doctor = create(make_user, roles=(Role.CLINICIAN,), licence_number="MD-1")
    login(doctor)
    patient = create(make_patient, family_name="Łukasiewicz", given_name="Zoë", mrn="A-100")
    exams = [
        create(make_exam, clinician=doctor, patient=patient, exam_date=date(2026, 11, day))
        for day in (2, 9, 16)
    ]
    for exam in exams:
        post_full_exam(client, exam.uuid)
    for exam in (exams[0], exams[2]):
        assert (
            client.post(f"/exams/{exam.uuid}/sign", data={"password": PASSWORD}).status_code == 303
        )
    added = client.post(f"/exams/{exams[0].uuid}/addenda", data={"text": "Patient called back."})
    marked = client.post(f"/exams/{exams[2].uuid}/entered-in-error", data={"reason": "Wrong"})
    assert (added.status_code, marked.status_code) == (302, 302)
    return exams


def exported(app, fmt: str, **options: Any) -> bytes:
    with app.app_context():
        request = ExportRequest(fmt, **options)
        return b"".join(export_stream(db_session(), request, app.config["SECRET_KEY"]))


def run_import(runner, tmp_path, data: bytes, *args: str) -> Any:
    path = tmp_path / "exams.json"
    path.write_bytes(data)
    return runner.invoke(args=["import", str(path), *args])


def count(app, model: type) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model)) or 0


def test_export_import_export_gives_the_same_bytes(app, recorded, runner, tmp_path):
    before = {
        fmt: exported(app, fmt, **({"where": _everything()} if fmt != "ndjson" else {}))
        for fmt in ("csv", "json", "ndjson")
    }
    with app.app_context():
        _empty_tables()

    result = run_import(runner, tmp_path, before["json"])

    assert result.exit_code == 0, result.output
    assert "Imported 3 exam(s): 2 signed, 1 draft(s); 1 new patient(s)" in result.output
    assert '"addenda":[{"author"' in before["json"].decode()  # the addendum travels too
    after = {
        fmt: exported(app, fmt, **({"where": _everything()} if fmt != "ndjson" else {}))
        for fmt in ("csv", "json", "ndjson")
    }
    for name in ("findings.csv", "exams.csv"):
        assert _member(after["csv"], name) == _member(before["csv"], name), name
    assert after == before
    with app.app_context():
        people = db_session().scalars(select(User)).all()
        assert [(user.is_active, user.email.endswith("@imported.invalid")) for user in people] == [
            (False, True)
        ]
        statuses = sorted(e.status.value for e in db_session().scalars(select(Exam)))
        assert statuses == ["draft", "entered_in_error", "signed"]


def test_documents_are_written_as_the_standard_librarys_compact_sorted_json(app, recorded):
    """Other systems read the exports as plain JSON: keys sorted, no spaces, UTF-8 text as it is
    (not \\u escapes), one document per line in NDJSON."""
    lines = exported(app, "ndjson", where=_everything()).decode("utf-8").splitlines()
    array = exported(app, "json", where=_everything()).decode("utf-8")

    def standard(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    assert len(lines) == 3
    assert "Łukasiewicz" in lines[0]
    assert lines == [standard(json.loads(line)) for line in lines]
    assert array == "[\n" + ",\n".join(lines) + "\n]\n"


def _everything():
    from clinic.exports.selection import ExportFilter

    return ExportFilter(include_entered_in_error=True)


def test_an_edited_signed_document_imports_as_a_draft_that_names_its_signer(
    app, recorded, runner, tmp_path
):
    documents = json.loads(exported(app, "json"))
    documents[0]["tender_points"][0]["rating"] = 2  # edited after export
    with app.app_context():
        _empty_tables()

    result = run_import(runner, tmp_path, json.dumps(documents).encode())

    assert result.exit_code == 0, result.output
    assert "0 signed, 2 draft(s)" in result.output
    with app.app_context():
        session = db_session()
        exam = session.scalars(select(Exam).where(Exam.uuid == recorded[0].uuid)).one()
        assert exam.status is ExamStatus.DRAFT
        assert exam.signature_digest is None
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "exam.import")
        ).first()
        assert event is not None
        details = [
            e.detail for e in session.scalars(select(AuditEvent)) if e.action == "exam.import"
        ]
        signer = next(d for d in details if d["source"] == str(recorded[0].uuid))
        assert signer["original_signature"]["digest"] == documents[0]["signature"]["digest"]
        assert signer["sealed"] is False


def test_a_file_with_a_wrong_field_imports_nothing_and_names_record_and_field(
    app, recorded, runner, tmp_path
):
    documents = json.loads(exported(app, "json"))
    documents[1]["tender_points"][0]["rating"] = 11
    with app.app_context():
        _empty_tables()

    result = run_import(runner, tmp_path, json.dumps(documents).encode())

    assert result.exit_code == 1
    assert "document 2: tender_points[0].rating:" in result.output
    assert "Nothing imported" in result.output
    assert count(app, Exam) == 0
    assert count(app, User) == 0


def test_a_dry_run_reports_and_stores_nothing(app, recorded, runner, tmp_path):
    data = exported(app, "ndjson")
    with app.app_context():
        _empty_tables()

    result = run_import(runner, tmp_path, data, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Would import 2 exam(s)" in result.output
    assert count(app, Exam) == 0


def test_an_exam_already_here_is_a_problem_not_a_duplicate(app, recorded, runner, tmp_path):
    result = run_import(runner, tmp_path, exported(app, "json"))

    assert result.exit_code == 1
    assert "exam.id: an exam with this id is already here" in result.output
    assert count(app, Exam) == 3


def test_a_broken_line_is_named(app, runner, tmp_path):
    result = run_import(runner, tmp_path, b'{"format": 1}\n{not json\n')

    assert result.exit_code == 1
    assert "line 2: json:" in result.output
    assert "line 1: format:" in result.output


def _member(data: bytes, name: str) -> list[str]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode().splitlines()


def test_a_findings_csv_comes_back_as_drafts_of_known_patients(app, recorded, runner, tmp_path):
    zipped = exported(app, "csv")  # the zip: the import reads its findings.csv
    _delete_drafts(app)
    assert count(app, Exam) == 2  # the signed exam and the one entered in error stay

    path = tmp_path / "week.zip"
    path.write_bytes(zipped)
    clash = runner.invoke(args=["import", str(path)])
    assert clash.exit_code == 1
    assert "an exam with this id is already here" in clash.output

    findings = _member(zipped, "findings.csv")
    draft_id = str(recorded[1].uuid)
    header, rows = findings[0], [row for row in findings[1:] if row.startswith(draft_id)]
    path = tmp_path / "findings.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    result = runner.invoke(args=["import", str(path)])

    assert result.exit_code == 0, result.output
    assert "Imported 1 exam(s): 0 signed, 1 draft(s)" in result.output
    with app.app_context():
        draft = db_session().scalars(select(Exam).where(Exam.uuid == recorded[1].uuid)).one()
        assert draft.status is ExamStatus.DRAFT
        assert len(draft.tender_points) == 22
        assert [t.muscle_code for t in draft.trigger_points][:1] == ["upper_trapezius"]
        zones = sorted(z.zone_code for z in draft.trigger_points[0].referral_zones)
        assert zones == ["jaw_left", "posterolateral_neck_left", "temple_left"]


def test_a_wrong_csv_cell_is_named_by_row_and_column(app, recorded, runner, tmp_path):
    findings = _member(exported(app, "csv"), "findings.csv")
    rows = list(csv.reader(io.StringIO("\n".join(findings))))
    mine = [row for row in rows[1:] if row[0] == str(recorded[1].uuid)]
    mine[0][rows[0].index("rating")] = "11"
    _delete_drafts(app)
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], *mine])
    path = tmp_path / "findings.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    result = runner.invoke(args=["import", str(path)])

    assert result.exit_code == 1
    assert "(CSV rows 2–" in result.output
    assert "row 2, rating:" in result.output
    assert count(app, Exam) == 2


def _delete_drafts(app) -> None:
    with app.app_context():
        session = db_session()
        for exam in session.scalars(select(Exam).where(Exam.status == ExamStatus.DRAFT)):
            session.delete(exam)
        session.commit()


def test_a_painful_site_rated_0_is_refused_as_a_contradiction(app, recorded, runner, tmp_path):
    documents = json.loads(exported(app, "json"))
    points = documents[0]["tender_points"]
    index = next(i for i, point in enumerate(points) if point["painful"] is True)
    points[index]["rating"] = 0
    with app.app_context():
        _empty_tables()

    result = run_import(runner, tmp_path, json.dumps(documents).encode())

    assert result.exit_code == 1
    assert f"document 1: tender_points[{index}].rating: Painful with a rating of 0" in result.output
    assert "Nothing imported" in result.output
    assert count(app, Exam) == 0
