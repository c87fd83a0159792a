"""Importing the tidy findings CSV: each exam's rows become a document of a patient already here
(the CSV carries no names), imported as a draft; problems named by CSV row and column."""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from clinic.domain.document import FORMAT, FORMAT_VERSION, timestamp_text
from clinic.domain.findings import TRIGGER_POINT_PLAIN_FIELDS
from clinic.domain.muscles import OTHER_MUSCLE
from clinic.domain.scales import ExamStatus
from clinic.exports.columns import EXAM_COLUMNS, FINDING_COLUMNS
from clinic.models import utc_now
from clinic.services.import_files import ImportFileError, ImportLimits, ImportText, csv_rows
from clinic.services.imports import ImportProblem

_CELL_VALUES = {"": None, "true": True, "false": False}
_PATH = re.compile(r"^(tender_points|trigger_points)\[(\d+)\]\.?(.*)$")
_CSV_COLUMNS = frozenset(column.name for column in FINDING_COLUMNS)
# Document fields whose CSV column has another name (the algometer reading is nested there).
_CSV_COLUMN_OF = {
    "site": "site_code",
    "muscle": "muscle_code",
    "ppt.value": "ppt_value",
    "ppt.unit": "ppt_unit",
    "ppt.probe_area_cm2": "ppt_probe_area_cm2",
}
# The finding values a CSV row carries, read back under the names the exam document uses.
_FINDING_COLUMNS = {
    "tender_point": ("examined", "painful", "rating"),
    "trigger_point": tuple(name for name in TRIGGER_POINT_PLAIN_FIELDS if name in _CSV_COLUMNS),
}


def _cell(text: str) -> Any:
    """A CSV cell as the document would hold it: booleans and empty cells become JSON values,
    a neutralised formula loses its apostrophe, numbers stay text for the reader to check."""
    if text in _CELL_VALUES:
        return _CELL_VALUES[text]
    return text[1:] if text[:2] in {"'" + c for c in "=+-@\t\r"} else text


def _whole(text: str) -> Any:
    return int(text) if text.isdigit() else _cell(text)


@dataclass
class _CsvExam:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


_FINDINGS_HEADER = [column.name for column in FINDING_COLUMNS]
_EXAMS_HEADER = [column.name for column in EXAM_COLUMNS]


def _exams_of(source: ImportText, limits: ImportLimits) -> dict[str, _CsvExam]:
    """The findings table's rows by exam; refused when it holds none, or when the zip's exams
    table lists other exams (one of the two is cut off, or they are not of one export)."""
    rows = csv_rows(
        source.text, source.name, _FINDINGS_HEADER, limits, others={"exams": _EXAMS_HEADER}
    )
    if not rows:
        raise ImportFileError(f"{source.name} holds no findings: is it cut off?")
    exams: dict[str, _CsvExam] = {}
    for number, row in rows:
        exams.setdefault(row["exam_id"], _CsvExam()).rows.append((number, row))
    if source.exams_csv is not None:
        listed = {
            row["exam_id"]
            for _, row in csv_rows(source.exams_csv, "exams.csv", _EXAMS_HEADER, limits)
        }
        unlisted = sorted(exams.keys() - listed)
        if unlisted:
            raise ImportFileError(
                f"findings.csv holds {len(unlisted)} exam(s) exams.csv does not list "
                f"({', '.join(unlisted[:3])}): are the tables of one export?"
            )
        without = sorted(listed - exams.keys())
        if without:
            raise ImportFileError(
                f"exams.csv lists {len(without)} exam(s) without a row in findings.csv "
                f"({', '.join(without[:3])}): findings.csv looks cut off (an exam without "
                "findings comes back only from the JSON export)."
            )
    return exams


def csv_documents(
    session: Session, source: ImportText, limits: ImportLimits
) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """The exams of a tidy findings CSV as documents of patients already here (the CSV has no
    names), one per exam id, and for each label the CSV row of each finding (for the report).
    Each becomes a draft: the CSV carries no signature."""
    from clinic.services.patients import get_patient, get_patient_by_mrn

    exams = _exams_of(source, limits)
    documents: list[tuple[str, Any]] = []
    rows_of: dict[str, Any] = {}
    for exam_id, exam in exams.items():
        first_row, first = exam.rows[0]
        label = f"exam {exam_id or '(no id)'} (CSV rows {first_row}–{exam.rows[-1][0]})"
        patient = None
        with contextlib.suppress(ValueError):
            patient = get_patient(session, uuid.UUID(first.get("patient_id", "")))
        patient = patient or get_patient_by_mrn(session, first.get("mrn", ""))
        if patient is None:
            documents.append((label, ImportProblem(label, "mrn", "no patient here has this MRN")))
            continue
        tender: list[dict[str, Any]] = []
        trigger: list[dict[str, Any]] = []
        where: dict[str, list[int]] = {"tender_points": [], "trigger_points": []}
        for number, row in exam.rows:
            kind = row.get("finding_kind", "")
            values: dict[str, Any] = {
                name: _whole(row.get(name, "")) if name == "rating" else _cell(row.get(name, ""))
                for name in _FINDING_COLUMNS.get(kind, ())
            }
            values["id"] = row.get("finding_id") or str(uuid.uuid4())
            values["version"] = 1
            ppt = _cell(row.get("ppt_value", ""))
            values["ppt"] = (
                None
                if ppt is None
                else {
                    "value": ppt,
                    "unit": _cell(row.get("ppt_unit", "")),
                    "probe_area_cm2": _cell(row.get("ppt_probe_area_cm2", "")),
                }
            )
            if kind == "tender_point":
                values |= {
                    "site": row.get("site_code", ""),
                    "not_examined_reason": row.get("note", ""),
                }
                tender.append(values)
                where["tender_points"].append(number)
            elif kind == "trigger_point":
                zones = row.get("referral_zones", "")
                muscle = _cell(row.get("muscle_code", ""))
                values |= {
                    "muscle": muscle,
                    "muscle_other_name": (
                        _cell(row.get("label", "")) or "" if muscle in (None, OTHER_MUSCLE) else ""
                    ),
                    "referral_zones": zones.split(";") if zones else [],
                    "notes": _cell(row.get("note", "")) or "",
                }
                trigger.append(values)
                where["trigger_points"].append(number)
            else:
                documents.append(
                    (label, ImportProblem(label, f"row {number}, finding_kind", "unknown kind"))
                )
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exam": {
                "id": exam_id,
                "version": 1,
                "date": first.get("exam_date", ""),
                "status": ExamStatus.DRAFT.value,
                "created_at": timestamp_text(utc_now()),
                "clinician": {
                    "id": first.get("clinician_id"),
                    "name": _cell(first.get("clinician", "")),
                },
            },
            "patient": {
                "id": str(patient.uuid),
                "mrn": patient.mrn,
                "family_name": patient.family_name,
                "given_name": patient.given_name,
                "date_of_birth": patient.date_of_birth.isoformat(),
                "sex": patient.sex.value,
            },
            "tender_points": tender,
            "trigger_points": trigger,
        }
        documents.append((label, document))
        rows_of[label] = where
    return documents, rows_of


def csv_problem(problem: ImportProblem, rows_of: dict[str, Any]) -> ImportProblem:
    """A problem named by the CSV row and column it concerns, where it concerns one."""
    match = _PATH.match(problem.field)
    rows = rows_of.get(problem.record)
    if not match or rows is None:
        return problem
    part, index, column = match.group(1), int(match.group(2)), match.group(3)
    numbers = rows[part]
    if index >= len(numbers):
        return problem
    column = _CSV_COLUMN_OF.get(column, column)
    return ImportProblem(
        problem.record, f"row {numbers[index]}, {column or 'row'}", problem.message
    )
