"""`clinic import` refuses hostile and damaged files cleanly: a zip bomb, a file or member over
the size cap, a huge CSV cell, too many rows, deep or large JSON, unknown columns, a file cut
off. Each refusal is one line on standard error, exit status 1, and nothing stored."""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from clinic.domain.findings import TenderPointInput, TriggerPointInput
from clinic.domain.roles import Role
from clinic.domain.scales import Side
from clinic.exports.formats import ExportRequest, export_stream
from clinic.extensions import db, db_session
from clinic.models import AuditEvent, Exam, Patient, User
from clinic.services.exam_content import add_trigger_point, save_tender_point
from clinic.services.import_files import ImportFileError, ImportLimits, read_import_file
from tests.factories import make_exam, make_patient, make_user

MiB = 1024 * 1024


@pytest.fixture
def drafts(app: Flask) -> list[str]:
    """Two draft exams of one patient, each with a few sites and a trigger point."""
    with app.app_context():
        session = db.session()
        doctor = make_user(session, roles=(Role.CLINICIAN,))
        patient = make_patient(session, mrn="A-200")
        exams = []
        for day in (2, 9):
            exam = make_exam(session, patient, doctor, exam_date=date(2026, 11, day))
            for code, rating in (("TP01L", 6), ("TP01R", 3), ("TP02L", None)):
                finding = TenderPointInput(code, painful=rating is not None, rating=rating)
                save_tender_point(session, exam, finding, 0, doctor)
            point = TriggerPointInput(
                "upper_trapezius", Side.LEFT, rating=5, referral_zones=("temple_left",), notes="Nó"
            )
            add_trigger_point(session, exam, point, doctor)
            exams.append(str(exam.uuid))
        session.commit()
        return exams


def exported(app: Flask, fmt: str, **options: Any) -> bytes:
    with app.app_context():
        request = ExportRequest(fmt, **options)
        return b"".join(export_stream(db_session(), request, app.config["SECRET_KEY"]))


def stored(app: Flask) -> tuple[int, ...]:
    """What an import could have added: exams, patients, users, audit events."""
    with app.app_context():
        session = db_session()
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Exam, Patient, User, AuditEvent)
        )


def refused(app: Flask, runner: Any, path: Path, before: tuple[int, ...]) -> str:
    """Import `path`; assert one line on stderr, exit status 1 and nothing stored; the line."""
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert lines[0].endswith(" Nothing imported.")
    assert result.stdout == ""
    assert stored(app) == before
    return lines[0]


def _file(tmp_path: Path, data: bytes, name: str = "import.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb(claimed: int, header: bytes) -> bytes:
    """A zip of about a megabyte whose findings.csv is `header` then `claimed` bytes of "a"
    (ZIP64 sizes, as its headers say): the same deflated megabyte repeated, so it is built
    at once. Its CRC is never checked: the import must refuse it long before its end."""
    chunk = b"a" * MiB
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(header) + deflate.flush(zlib.Z_FULL_FLUSH)
    first = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = claimed // MiB
    data = b"".join([start, first, again * (count - 1), deflate.flush()])
    size, name = len(header) + count * MiB, b"findings.csv"
    unknown = 0xFFFFFFFF
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, 8, 0, 0, 0, unknown, unknown, len(name), 20
    )
    local += name + struct.pack("<HHQQ", 1, 16, size, len(data))
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        *(b"PK\x01\x02", 45, 45, 0, 8, 0, 0, 0, unknown, unknown, len(name), 28, 0, 0, 0, 0),
        unknown,
    )
    central += name + struct.pack("<HHQQQ", 1, 24, size, len(data), 0)
    at = len(local) + len(data)
    end64 = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1, len(central), at)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, at + len(central), 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), at, 0)
    return local + data + central + end64 + locator + end


class _CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def findings_csv(app: Flask) -> str:
    return exported(app, "csv", table="findings").decode("utf-8")


# --- zips --------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_after_reading_a_few_of_its_bytes(app, drafts, runner, tmp_path):
    header = findings_csv(app).split("\r\n", 1)[0].encode() + b"\r\n"
    bomb = zip_bomb(1024 * MiB, header)  # a megabyte holding a gibibyte of CSV
    assert len(bomb) < 2 * MiB
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("findings.csv").file_size > 1024 * MiB

    before = stored(app)
    line = refused(app, runner, _file(tmp_path, bomb, "bomb.zip"), before)

    assert "findings.csv expands more than 100 times its compressed size" in line
    # The bound itself: the refusal came after a sliver of the compressed bytes.
    counting = _CountingFile(bomb)
    with pytest.raises(ImportFileError):
        read_import_file(counting, ImportLimits())
    assert counting.read_bytes < 256 * 1024


def test_a_member_over_the_size_cap_is_refused(app, drafts, runner, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 1024
    try:
        before = stored(app)
        line = refused(app, runner, _file(tmp_path, exported(app, "csv"), "week.zip"), before)
        plain = refused(app, runner, _file(tmp_path, findings_csv(app).encode()), before)
    finally:
        del app.config["IMPORT_MAX_BYTES"]

    assert "findings.csv is larger than 1,024 bytes uncompressed" in line
    assert "The file is larger than 1,024 bytes" in plain


def test_a_damaged_or_cut_off_zip_is_refused(app, drafts, runner, tmp_path):
    whole = exported(app, "csv")
    before = stored(app)

    line = refused(app, runner, _file(tmp_path, whole[: len(whole) // 2], "cut.zip"), before)
    assert "The zip is damaged or cut off" in line
    no_findings = _zip({"exams.csv": b"exam_id\r\n"})
    line = refused(app, runner, _file(tmp_path, no_findings, "exams.zip"), before)
    assert "The zip holds no findings.csv." in line


def test_an_exams_table_without_its_findings_is_refused(app, drafts, runner, tmp_path):
    whole = exported(app, "csv")
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    lines = members["findings.csv"].decode().splitlines(keepends=True)
    cut = [line for line in lines if not line.startswith(str(drafts[1]))]
    members["findings.csv"] = "".join(cut).encode()
    _delete_exams(app)
    before = stored(app)

    line = refused(app, runner, _file(tmp_path, _zip(members), "week.zip"), before)

    assert f"exams.csv lists 1 exam(s) without a row in findings.csv ({drafts[1]})" in line
    members["exams.csv"] = members["exams.csv"].decode().splitlines(keepends=True)[0].encode()
    line = refused(app, runner, _file(tmp_path, _zip(members), "week.zip"), before)
    assert "findings.csv holds 1 exam(s) exams.csv does not list" in line


# --- CSV ---------------------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


def test_a_cell_over_the_cap_is_refused_naming_its_line(app, drafts, runner, tmp_path):
    rows = _rows(findings_csv(app))
    rows[3][rows[0].index("note")] = "x" * 200_000
    _delete_exams(app)
    before = stored(app)
    limit = csv.field_size_limit()

    line = refused(app, runner, _file(tmp_path, _csv(rows)), before)

    assert "import.csv line 4: a cell is longer than 65,536 characters." in line
    assert csv.field_size_limit() == limit  # the process's own limit is given back


def test_more_rows_than_the_cap_are_refused(app, drafts, runner, tmp_path):
    data = findings_csv(app).encode()
    _delete_exams(app)
    before = stored(app)
    app.config["IMPORT_MAX_ROWS"] = 5
    try:
        line = refused(app, runner, _file(tmp_path, data), before)
    finally:
        del app.config["IMPORT_MAX_ROWS"]

    assert "import.csv holds more than 5 rows." in line


def test_unknown_missing_and_doubled_columns_are_named(app, drafts, runner, tmp_path):
    rows = _rows(findings_csv(app))
    _delete_exams(app)
    before = stored(app)

    extra = [[*row, "blue"] for row in rows]
    extra[0][-1] = "favourite_colour"
    line = refused(app, runner, _file(tmp_path, _csv(extra)), before)
    assert line == (
        "Error: import.csv has columns this clinic does not know: 'favourite_colour'. "
        "Nothing imported."
    )

    renamed = [row[:] for row in rows]
    renamed[0][renamed[0].index("rating")] = "ratings"
    line = refused(app, runner, _file(tmp_path, _csv(renamed)), before)
    assert "does not know: 'ratings'; lacks the columns 'rating'" in line

    fewer = [row[:-1] for row in rows]
    line = refused(app, runner, _file(tmp_path, _csv(fewer)), before)
    assert "lacks the columns 'note': is it cut off?" in line

    twice = [[*row, row[1]] for row in rows]
    line = refused(app, runner, _file(tmp_path, _csv(twice)), before)
    assert "has these columns twice: 'patient_id'." in line


def test_the_exams_table_alone_is_named_as_such(app, drafts, runner, tmp_path):
    data = exported(app, "csv", table="exams")
    before = stored(app)

    line = refused(app, runner, _file(tmp_path, data), before)

    assert "is the exams table: import findings.csv, or the zip that holds it." in line


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda text: text[: text.rindex(",", 0, -50)], "ends in the middle of a row"),
        (lambda text: text.split("\r\n", 1)[0] + "\r\n", "import.csv holds no findings"),
        (lambda text: text.split("\r\n", 1)[0][:25], "ends in the middle of a row"),
        (lambda text: text.split("\r\n", 1)[0][:25] + "\r\n", "lacks the columns"),
        (lambda text: "", "import.csv is empty."),
        (lambda text: text + "only,three,cells\r\n", "3 cells where the header has"),
        (lambda text: text + 'x,"a note cut\r\noff\r\n', "unexpected end of data"),
    ],
)
def test_a_cut_off_csv_is_an_error_not_fewer_exams(app, drafts, runner, tmp_path, cut, message):
    text = findings_csv(app)
    _delete_exams(app)
    before = stored(app)

    line = refused(app, runner, _file(tmp_path, cut(text).encode()), before)

    assert message in line


# --- JSON --------------------------------------------------------------------------------------


def test_a_cut_off_json_or_ndjson_file_is_refused(app, drafts, runner, tmp_path):
    array = exported(app, "json")
    lines = exported(app, "ndjson")
    _delete_exams(app)
    before = stored(app)

    line = refused(app, runner, _file(tmp_path, array[:-100], "a.json"), before)
    assert "The file ends inside its JSON array: it looks cut off." in line
    line = refused(app, runner, _file(tmp_path, lines[:-100], "a.ndjson"), before)
    assert "line 2 ends inside its document: the file looks cut off." in line


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "a.json is empty."),
        (b"[]", "The file holds no exams."),
        (b"\n\n", "a.json is empty."),
        (b"[" * 5000 + b"]" * 5000, "The file is not valid JSON: depth limit exceeded"),
        (b'[{"survey": ' + b"[" * 40 + b"]" * 40 + b"}]", "document 1 nests more than 32 levels"),
        (b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}\n", "line 1 nests more than 32 levels deep"),
        (b"\xff\xfe{}", "The file is not UTF-8 text (byte 0)."),
    ],
)
def test_an_empty_deep_or_garbled_json_file_is_refused(app, runner, tmp_path, data, message):
    before = stored(app)

    line = refused(app, runner, _file(tmp_path, data, "a.json"), before)

    assert message in line


def test_a_document_over_the_size_cap_or_too_many_are_refused(app, drafts, runner, tmp_path):
    array, lines = exported(app, "json"), exported(app, "ndjson")
    _delete_exams(app)
    before = stored(app)
    size = len(lines.splitlines()[0])
    app.config["IMPORT_MAX_DOCUMENT_BYTES"] = size - 1
    try:
        line = refused(app, runner, _file(tmp_path, array, "a.json"), before)
        assert f"document 1 is larger than {size - 1:,} bytes." in line
        line = refused(app, runner, _file(tmp_path, lines, "a.ndjson"), before)
        assert f"line 1 is larger than {size - 1:,} bytes." in line
    finally:
        del app.config["IMPORT_MAX_DOCUMENT_BYTES"]
    app.config["IMPORT_MAX_DOCUMENTS"] = 1
    try:
        line = refused(app, runner, _file(tmp_path, lines, "a.ndjson"), before)
    finally:
        del app.config["IMPORT_MAX_DOCUMENTS"]
    assert "The file holds more than 1 documents." in line


def test_a_note_with_a_line_separator_survives_ndjson(app, drafts, runner, tmp_path, read):
    """NDJSON lines end at \\n only: a typed U+2028 inside a document is not a line break."""
    lines = exported(app, "ndjson").decode().splitlines(keepends=False)
    documents = [json.loads(line) for line in lines if line]
    documents[0]["impression"]["plan"] = "Review\u2028in two weeks"
    text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents)
    _delete_exams(app)

    result = runner.invoke(args=["import", str(_file(tmp_path, text.encode(), "a.ndjson"))])

    assert result.exit_code == 0, result.output
    with read() as session:
        plans = {exam.plan for exam in session.scalars(select(Exam))}
    assert "Review\u2028in two weeks" in plans


def test_the_caps_are_settings(app):
    app.config["IMPORT_MAX_RATIO"] = 7
    try:
        limits = ImportLimits.from_config(app.config)
    finally:
        del app.config["IMPORT_MAX_RATIO"]
    assert (limits.max_ratio, limits.max_bytes) == (7, ImportLimits().max_bytes)


def _delete_exams(app: Flask) -> None:
    """The exams gone again (the patient stays), so the file could import."""
    with app.app_context():
        session = db_session()
        for exam in session.scalars(select(Exam)):
            session.delete(exam)
        session.commit()


def test_a_sound_file_still_imports(app, drafts, runner, tmp_path):
    data = exported(app, "csv")
    _delete_exams(app)

    result = runner.invoke(args=["import", str(_file(tmp_path, data, "week.zip"))])

    assert result.exit_code == 0, result.output
    assert "Imported 2 exam(s): 0 signed, 2 draft(s)" in result.output
