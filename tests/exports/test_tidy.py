"""The tidy CSV and JSON exports: columns, values, filters, de-identification, injection,
streaming, and the `clinic export` command."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from clinic.domain.document import seal_of
from clinic.domain.roles import Role
from clinic.exports.columns import EXAM_COLUMNS, FINDING_COLUMNS, dictionary_markdown
from clinic.exports.csv_format import neutralise, stream_csv
from clinic.exports.formats import ExportRequest, ExportRequestError, export_stream, seal_key
from clinic.exports.selection import ExportFilter
from clinic.extensions import db_session
from clinic.models import Exam, TenderPointFinding
from tests.exam_forms import NOT_EXAMINED_REASON, PAINFUL_RATINGS, post_full_exam
from tests.factories import PASSWORD, make_exam, make_patient, make_user

SECRET = "test secret"


@pytest.fixture
def doctor(create, login):
    user = create(make_user, roles=(Role.CLINICIAN,), display_name='=HYPERLINK("http://x")')
    login(user)
    return user


@pytest.fixture
def recorded(client, create, doctor):
    """Two patients' exams: a signed full exam and a draft full exam."""
    patient = create(make_patient, family_name="Łukasiewicz", given_name="Zoë", mrn="A-100")
    signed = create(make_exam, clinician=doctor, patient=patient, exam_date=date(2026, 11, 2))
    post_full_exam(client, signed.uuid)
    assert client.post(f"/exams/{signed.uuid}/sign", data={"password": PASSWORD}).status_code == 303
    draft = create(make_exam, clinician=doctor, exam_date=date(2026, 11, 9))
    post_full_exam(client, draft.uuid)
    return signed, draft


_APP: list[Any] = []


@pytest.fixture(autouse=True)
def _the_app(app):
    _APP[:] = [app]


def export(request: ExportRequest) -> bytes:
    """The export's bytes, read through the app's database session as the page and CLI do."""
    with _APP[0].app_context():
        return b"".join(export_stream(db_session(), request, SECRET))


def table(request: ExportRequest) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export(request).decode("utf-8-sig"))))


def findings(**where: Any) -> list[dict[str, str]]:
    return table(ExportRequest("csv", ExportFilter(**where), table="findings"))


def test_one_row_per_finding_with_its_labels_values_and_criteria(recorded):
    signed, _draft = recorded
    rows = [row for row in findings() if row["exam_id"] == str(signed.uuid)]

    assert list(rows[0]) == [column.name for column in FINDING_COLUMNS]
    sites = {row["site_code"]: row for row in rows if row["finding_kind"] == "tender_point"}
    assert sites["TP01L"]["label"] == "Occiput, left"
    assert (sites["TP01L"]["painful"], sites["TP01L"]["rating"]) == ("true", "7")
    assert sites["TP03L"]["ppt_value"] == "2.4"
    assert sites["CTRL_THUMBNAIL"]["examined"] == "false"
    assert sites["CTRL_THUMBNAIL"]["note"] == NOT_EXAMINED_REASON
    assert set(PAINFUL_RATINGS) <= set(sites)
    first = next(row for row in rows if row["finding_kind"] == "trigger_point")
    assert first["position"] == "1"
    assert (first["muscle_code"], first["side"]) == ("upper_trapezius", "left")
    assert first["referral_zones"] == "jaw_left;posterolateral_neck_left;temple_left"
    assert (first["nodule_length_mm"], first["nodule_width_mm"]) == ("10", "5.5")
    assert (first["tenderness_grade"], first["delphi_2018"]) == ("III", "met")
    assert rows[0]["exam_date"] == "2026-11-02"
    with _APP[0].app_context():
        query = (
            select(TenderPointFinding.uuid)
            .join(Exam)
            .where(Exam.uuid == signed.uuid, TenderPointFinding.site_code == "TP01L")
        )
        ids = {"TP01L": str(db_session().scalars(query).one())}
    assert sites["TP01L"]["finding_id"] == ids["TP01L"]  # the id as the API and JSON write it


def test_one_row_per_exam_with_every_score_its_version_and_result(recorded, client):
    signed, draft = recorded
    rows = {row["exam_id"]: row for row in table(ExportRequest("csv", table="exams"))}

    assert list(rows[str(signed.uuid)]) == [column.name for column in EXAM_COLUMNS]
    row = rows[str(signed.uuid)]
    assert row["status"] == "signed"
    assert row["tpc_acr1990"] == "12"
    assert row["tpc_acr1990_version"] == "ACR 1990"
    assert row["acr_1990"] in ("met", "not_met", "cannot_be_determined")
    assert row["acr_1990_version"] == "ACR 1990"
    page = client.get(f"/exams/{signed.uuid}").get_data(as_text=True)
    assert f"{row['tpc_acr1990']} of 18 sites painful (ACR 1990)" in page
    assert rows[str(draft.uuid)]["status"] == "draft"
    assert rows[str(draft.uuid)]["signed_at"] == ""


def test_filters_choose_the_exams(recorded):
    signed, draft = recorded

    def exams(**where: Any) -> set[str]:
        return {row["exam_id"] for row in findings(**where)}

    assert exams() == {str(signed.uuid), str(draft.uuid)}
    assert exams(signed_only=True) == {str(signed.uuid)}
    assert exams(start=date(2026, 11, 3)) == {str(draft.uuid)}
    assert exams(end=date(2026, 11, 2)) == {str(signed.uuid)}
    assert exams(mrn="a-100") == {str(signed.uuid)}


def test_exams_entered_in_error_are_left_out_unless_asked_for(recorded, client):
    signed, _draft = recorded
    marked = client.post(f"/exams/{signed.uuid}/entered-in-error", data={"reason": "Wrong patient"})
    assert marked.status_code in (200, 302)

    assert str(signed.uuid) not in {row["exam_id"] for row in findings()}
    included = findings(include_entered_in_error=True)
    assert {row["status"] for row in included if row["exam_id"] == str(signed.uuid)} == {
        "entered_in_error"
    }


def test_a_hostile_cell_opens_as_text(recorded):
    rows = findings()

    assert {row["clinician"] for row in rows} == {'\'=HYPERLINK("http://x")'}
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(start + "1+1") == "'" + start + "1+1"
    assert neutralise("plain") == "plain"
    # Written with a BOM for spreadsheets, the cell still starts with the apostrophe.
    text = export(ExportRequest("csv", table="findings", bom=True)).decode("utf-8")
    assert text.startswith("\ufeffexam_id,")
    assert ',"\'=HYPERLINK(""http://x"")",' in text


def test_de_identified_exports_hold_no_name_mrn_birth_date_or_free_text(recorded):
    zipped = export(ExportRequest("csv", deidentify=True))
    json_text = export(ExportRequest("json", deidentify=True))

    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        texts = [archive.read(name).decode("utf-8") for name in archive.namelist()]
    for text in (*texts[:2], json_text.decode("utf-8")):
        for secret in ("Łukasiewicz", "Zoë", "A-100", "HYPERLINK", NOT_EXAMINED_REASON):
            assert secret not in text
        assert "1975-03-14" not in text  # the factory's date of birth
    documents = json.loads(json_text)
    assert {document["patient"]["birth_year"] for document in documents} == {1975}
    pseudonyms = {document["patient"]["mrn"] for document in documents}
    assert all(p.startswith("P-") for p in pseudonyms)
    again = json.loads(export(ExportRequest("json", deidentify=True)))
    assert {document["patient"]["mrn"] for document in again} == pseudonyms  # stable


def test_the_zip_holds_both_tables_and_the_dictionary(recorded):
    with zipfile.ZipFile(io.BytesIO(export(ExportRequest("csv")))) as archive:
        assert archive.namelist() == ["findings.csv", "exams.csv", "dictionary.csv"]
        dictionary = list(csv.DictReader(io.StringIO(archive.read("dictionary.csv").decode())))
    described = {(row["table"], row["column"]) for row in dictionary}
    assert {("findings", c.name) for c in FINDING_COLUMNS} <= described
    assert {("exams", c.name) for c in EXAM_COLUMNS} <= described


def test_json_and_ndjson_hold_the_canonical_documents(recorded, runner):
    signed, draft = recorded
    documents = json.loads(export(ExportRequest("json")))
    lines = export(ExportRequest("ndjson")).decode().splitlines()

    assert [d["exam"]["id"] for d in documents] == [str(signed.uuid), str(draft.uuid)]
    assert [json.loads(line) for line in lines] == documents
    shown = runner.invoke(args=["exam", "show", str(signed.uuid), "--format", "json"])
    exported = dict(documents[0])
    seal = exported.pop("export")
    assert json.loads(shown.output) == exported
    assert seal == {"hmac": seal_of(exported, seal_key(SECRET))}


def test_the_same_records_export_the_same_bytes(recorded):
    for request in (ExportRequest("csv"), ExportRequest("json"), ExportRequest("ndjson")):
        assert export(request) == export(request)


@pytest.mark.parametrize("written", [False, True])
def test_exports_stream_row_by_row(written):
    made: list[int] = []

    def rows():
        for n in range(10_000):
            made.append(n)
            yield [str(n) if written else n, f"row {n}"]

    chunks = stream_csv(["n", "text"], rows(), chunk_rows=100, written=written)
    assert next(chunks) == "n,text\r\n"
    assert next(chunks).startswith("0,row 0\r\n")  # the first rows, before the rest exist
    assert len(made) <= 101
    assert sum(chunk.count("\r\n") for chunk in chunks) == 10_000 - 100


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (ExportRequest("xml"), "format"),
        (ExportRequest("json", table="findings"), "table"),
        (ExportRequest("csv", ExportFilter(date(2026, 11, 5), date(2026, 11, 1))), "end"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(request_, field):
    with pytest.raises(ExportRequestError) as refused:
        export(request_)
    assert refused.value.field == field


def test_the_export_command_writes_what_the_page_serves(recorded, runner, tmp_path):
    target = tmp_path / "week.zip"
    result = runner.invoke(
        args=["export", "csv", "--from", "2026-11-01", "--to", "2026-11-07", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == export(
        ExportRequest("csv", ExportFilter(date(2026, 11, 1), date(2026, 11, 7)))
    )
    assert target.stat().st_mode & 0o777 == 0o600  # patient records: the owner's only
    bad = runner.invoke(args=["export", "csv", "--patient", "NOPE-1", "-o", str(target)])
    assert bad.exit_code != 0
    assert "no patient" in bad.output
    backwards = runner.invoke(
        args=["export", "json", "--from", "2026-11-07", "--to", "2026-11-01", "-o", "-"]
    )
    assert backwards.exit_code != 0
    assert "before the start date" in backwards.output


def test_an_export_that_fails_half_way_leaves_no_half_file(recorded, runner, tmp_path, monkeypatch):
    import clinic.cli_exports

    def failing(*args: Any, **kwargs: Any) -> Iterator[bytes]:
        yield b"exam_id,patient_id\n"
        raise RuntimeError("the database went away")

    target = tmp_path / "week.csv"
    target.write_bytes(b"last week's export\n")
    monkeypatch.setattr(clinic.cli_exports, "export_stream", failing)
    result = runner.invoke(args=["export", "csv", "--table", "findings", "-o", str(target)])

    assert result.exit_code != 0
    assert target.read_bytes() == b"last week's export\n"  # not replaced by a half export
    assert sorted(path.name for path in tmp_path.iterdir()) == ["week.csv"]


def test_the_readme_holds_the_data_dictionary():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

    assert dictionary_markdown() in readme


def test_a_large_export_is_read_batch_by_batch_as_it_is_written(recorded, app):
    """The first rows come out before later exams are even read from the database."""
    from sqlalchemy import event

    from clinic.exports.tidy import finding_rows

    with app.app_context():
        session = db_session()
        statements: list[str] = []

        def seen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            rows = finding_rows(session, ExportFilter(), batch_size=1)
            first = next(rows)
            read_before = len(statements)
            rest = list(rows)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert first[0] == str(recorded[0].uuid)
    assert len(rest) + 1 == 2 * 28  # both exams' findings
    assert len(statements) > read_before  # the second exam was read after the first was out
