"""One list of algometer threshold units: the scale's, offered by the forms, described by the data
dictionary and the API schema, and the only units the import accepts."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic.domain.findings import PressureReading
from clinic.domain.roles import Role
from clinic.domain.scales import PRESSURE_UNIT_CODES, ExamStatus, PressureUnit
from clinic.domain.scoring_pressure import pressure_in_kpa
from clinic.domain.validation import PPT_MAX
from clinic.exports.columns import FINDING_COLUMNS
from clinic.exports.formats import ExportRequest, export_stream
from clinic.extensions import db_session
from clinic.forms.exam import UNIT_CHOICES
from clinic.models import Exam, TenderPointFinding
from tests.domain.reference import table
from tests.exam_forms import post_full_exam
from tests.factories import make_exam, make_patient, make_user

ROOT = Path(__file__).resolve().parents[1]


def test_the_list_is_the_scales_units_as_ucum_codes() -> None:
    assert PRESSURE_UNIT_CODES == ("kgf/cm2", "kPa", "N")
    assert tuple(unit.value for unit in PressureUnit) == PRESSURE_UNIT_CODES


def test_the_clinical_reference_lists_exactly_the_scales_units() -> None:
    units = table("6.6", "Quantity")
    threshold_units = [row["UCUM code"] for row in units if row["Threshold unit"] == "yes"]
    assert threshold_units == list(PRESSURE_UNIT_CODES)
    assert [row["Shown as"] for row in units if row["Threshold unit"] == "yes"] == [
        unit.label for unit in PressureUnit
    ]


def test_every_unit_has_a_plausible_limit_and_converts_to_kpa() -> None:
    assert set(PPT_MAX) == set(PressureUnit)
    for unit in PressureUnit:
        assert pressure_in_kpa(PressureReading(Decimal(1), unit, Decimal(1))) is not None


def test_the_data_dictionary_lists_exactly_the_scales_units() -> None:
    column = next(c for c in FINDING_COLUMNS if c.name == "ppt_unit")
    assert column.allowed.split(", ") == list(PRESSURE_UNIT_CODES)


def test_the_readme_dictionary_line_lists_exactly_the_scales_units() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if line.startswith("| `ppt_unit` |")]
    assert len(lines) == 1
    allowed = [cell.strip() for cell in lines[0].split("|")][4]
    assert allowed.split(", ") == list(PRESSURE_UNIT_CODES)


def test_the_forms_offer_exactly_the_scales_units(app, client, create, login) -> None:
    assert [choice.value for choice in UNIT_CHOICES if choice.value] == list(PRESSURE_UNIT_CODES)
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    exam = create(make_exam, clinician=doctor, patient=create(make_patient))
    for page in ("tender-points", "trigger-points"):
        html = client.get(f"/exams/{exam.uuid}/{page}").get_data(as_text=True)
        select_html = re.search(r'<select[^>]*name="[^"]*ppt_unit"[^>]*>(.*?)</select>', html, re.S)
        assert select_html is not None, page
        offered = re.findall(r'<option[^>]*value="([^"]+)"', select_html.group(1))
        assert offered == list(PRESSURE_UNIT_CODES), page


def test_the_api_schema_lists_exactly_the_scales_units(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    exam_document = next(schema for name, schema in schemas.items() if "ExamDocument" in name)
    for findings in ("tender_points", "trigger_points"):
        ppt = exam_document["properties"][findings]["items"]["properties"]["ppt"]
        units = [option for option in ppt["anyOf"] if option.get("type") == "object"]
        assert units[0]["properties"]["unit"]["enum"] == list(PRESSURE_UNIT_CODES), findings


@pytest.fixture
def findings_csv(app, client, create, login) -> tuple[list[str], list[list[str]], str]:
    """The findings CSV of one recorded draft (header, rows, exam id); the draft is then deleted
    so the same rows can be imported again."""
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    patient = create(make_patient, mrn="U-1")
    exam = create(make_exam, clinician=doctor, patient=patient, exam_date=date(2026, 11, 2))
    post_full_exam(client, exam.uuid)
    with app.app_context():
        session = db_session()
        request = ExportRequest("csv", table="findings")
        data = b"".join(export_stream(session, request, app.config["SECRET_KEY"]))
        if data.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = archive.read("findings.csv")
        session.delete(session.scalars(select(Exam).where(Exam.uuid == exam.uuid)).one())
        session.commit()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return rows[0], rows[1:], str(exam.uuid)


def _import_with_unit(runner, tmp_path, findings_csv, unit: str):  # type: ignore[no-untyped-def]
    header, rows, _ = findings_csv
    site, ppt_unit = header.index("site_code"), header.index("ppt_unit")
    row = next(number for number, row in enumerate(rows) if row[site] == "TP03L")
    assert rows[row][ppt_unit] == "kgf/cm2"
    rows[row][ppt_unit] = unit
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    path = tmp_path / "findings.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return runner.invoke(args=["import", str(path)]), row + 2  # the CSV row, header being row 1


@pytest.mark.parametrize("unit", PRESSURE_UNIT_CODES)
def test_the_import_accepts_every_unit_of_the_list(
    app, runner, tmp_path, findings_csv, unit: str
) -> None:
    result, _ = _import_with_unit(runner, tmp_path, findings_csv, unit)

    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db_session().scalars(
            select(TenderPointFinding).where(TenderPointFinding.site_code == "TP03L")
        )
        assert [(row.ppt_value, row.ppt_unit) for row in stored] == [
            (Decimal("2.4"), PressureUnit(unit))
        ]
        assert db_session().scalars(select(Exam.status)).all() == [ExamStatus.DRAFT]


@pytest.mark.parametrize("unit", ["lbf", "[lbf_av]", "kg/cm2", "KPA", "psi"])
def test_the_import_refuses_a_unit_outside_the_list_at_its_row_and_column(
    app, runner, tmp_path, findings_csv, unit: str
) -> None:
    result, row = _import_with_unit(runner, tmp_path, findings_csv, unit)

    assert result.exit_code == 1
    assert f"row {row}, ppt_unit: must be one of: {', '.join(PRESSURE_UNIT_CODES)}" in (
        result.output
    )
    with app.app_context():
        assert db_session().scalars(select(Exam)).all() == []
