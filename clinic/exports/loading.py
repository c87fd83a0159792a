"""Whole exams as the domain's records, read a batch at a time straight from the tables.

An export reads thousands of exams, each once, and writes them out: ORM objects (identity map,
change tracking, relationship collections) would only cost time and memory, most of a FHIR
export's. Here a batch takes one statement per table with only the columns a record holds, and
the rows become records through the readers the rest of the app uses
(clinic.services.records), so an export's record is the record the exam page shows. People
are read once per export.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from clinic.domain.findings import TRIGGER_POINT_PLAIN_FIELDS
from clinic.domain.record import AddendumRecord, ExamRecord, PersonRef
from clinic.exports.selection import ExportFilter, exam_id_batches, id_column
from clinic.models import (
    Addendum,
    Exam,
    ExamSurvey,
    PainAreaAnswer,
    Patient,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
    User,
)
from clinic.services.records import (
    SURVEY_FIELDS,
    QueryRow,
    assemble_record,
    patient_ref,
    person_ref,
    recorded_tender_point,
    recorded_trigger_point,
    survey_input,
)

Json = dict[str, Any]


def _text_id(column: Any) -> Any:
    return id_column(column).label("uuid")


@dataclass(frozen=True, slots=True)
class LoadedExam:
    """One exam of an export: its record, the document it was signed with (None for a draft),
    and its key in the database (to print a signed exam's PDF)."""

    key: int
    record: ExamRecord
    signed_document: Json | None


_EXAM = select(
    Exam.id,
    _text_id(Exam.uuid),
    Exam.version,
    Exam.exam_date,
    Exam.status,
    Exam.created_at,
    Exam.patient_id,
    Exam.clinician_id,
    Exam.signed_by_id,
    Exam.signed_at,
    Exam.signature_digest,
    Exam.signed_document,
    Exam.entered_in_error_by_id,
    Exam.entered_in_error_at,
    Exam.entered_in_error_reason,
    Exam.fm_impression,
    Exam.mps_impression,
    Exam.assessment,
    Exam.plan,
)
_PATIENT = select(
    Patient.id,
    _text_id(Patient.uuid),
    Patient.mrn,
    Patient.family_name,
    Patient.given_name,
    Patient.date_of_birth,
    Patient.sex,
)
_PERSON = select(
    User.id, _text_id(User.uuid), User.display_name, User.credentials, User.licence_number
)
_PRESSURE = ("ppt_value", "ppt_unit", "ppt_probe_area_cm2")
_TENDER_POINT = select(
    TenderPointFinding.exam_id,
    _text_id(TenderPointFinding.uuid),
    TenderPointFinding.version,
    TenderPointFinding.site_code,
    TenderPointFinding.examined,
    TenderPointFinding.not_examined_reason,
    TenderPointFinding.painful,
    TenderPointFinding.rating,
    *(getattr(TenderPointFinding, name) for name in _PRESSURE),
)
_TRIGGER_POINT = select(
    TriggerPointFinding.exam_id,
    TriggerPointFinding.id,
    _text_id(TriggerPointFinding.uuid),
    TriggerPointFinding.version,
    TriggerPointFinding.muscle_code,
    TriggerPointFinding.muscle_other_name,
    *(getattr(TriggerPointFinding, name) for name in TRIGGER_POINT_PLAIN_FIELDS + _PRESSURE),
)
_SURVEY = select(
    ExamSurvey.exam_id,
    ExamSurvey.id,
    ExamSurvey.version,
    *(getattr(ExamSurvey, name) for name in SURVEY_FIELDS),
)


_ADDENDUM = select(
    Addendum.exam_id,
    _text_id(Addendum.uuid),
    Addendum.author_id,
    Addendum.created_at,
    Addendum.text,
).order_by(Addendum.exam_id, Addendum.created_at)


@cache
def _row_type(fields: tuple[str, ...]) -> Any:
    return namedtuple("QueryRow", fields)


def _rows(session: Session, statement: Executable) -> list[QueryRow]:
    """A statement's rows as named tuples: the readers read every column of every finding by
    name, which costs ten times as much on SQLAlchemy's Row (0.22 against 0.025 us). Run on the
    session's connection: a Core statement needs none of the ORM's result handling."""
    result = session.connection().execute(statement)
    make = _row_type(tuple(result.keys()))._make
    return [make(row) for row in result.all()]


def _grouped(rows: Sequence[QueryRow]) -> dict[int, list[QueryRow]]:
    """Rows by their first column (the exam or finding they belong to), in the order read."""
    groups: dict[int, list[QueryRow]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row)
    return groups


def loaded_exams(session: Session, where: ExportFilter, size: int = 500) -> Iterator[LoadedExam]:
    """Every chosen exam as a record, in exam date order, `size` exams at a time."""
    people: dict[int, PersonRef] = {}
    for ids in exam_id_batches(session, where, size):
        yield from _batch(session, ids, people)


def exams_by_key(session: Session, ids: list[int]) -> dict[int, LoadedExam]:
    """The exams with these database keys, as records (read together, in one batch)."""
    return {item.key: item for item in _batch(session, ids, {})}


def _batch(session: Session, ids: list[int], people: dict[int, PersonRef]) -> Iterator[LoadedExam]:
    """The exams with these keys as records, in the order of `ids`; `people` (by user key)
    gains whoever they name that it does not hold yet."""
    exams = {row.id: row for row in _rows(session, _EXAM.where(Exam.id.in_(ids)))}
    patient_ids = {row.patient_id for row in exams.values()}
    patients = {
        row.id: patient_ref(row)
        for row in _rows(session, _PATIENT.where(Patient.id.in_(patient_ids)))
    }
    tender_points, trigger_points, zones = _findings(session, ids)
    surveys = {
        row.exam_id: row for row in _rows(session, _SURVEY.where(ExamSurvey.exam_id.in_(ids)))
    }
    areas = _pain_areas(session, ids)
    addenda = _grouped(_rows(session, _ADDENDUM.where(Addendum.exam_id.in_(ids))))
    named = {
        person
        for row in exams.values()
        for person in (row.clinician_id, row.signed_by_id, row.entered_in_error_by_id)
    }
    named |= {row.author_id for rows in addenda.values() for row in rows}
    unknown = named - people.keys() - {None}
    if unknown:
        found = _rows(session, _PERSON.where(User.id.in_(unknown)))
        people |= {row.id: person_ref(row) for row in found}

    for exam_id in ids:
        exam = exams[exam_id]
        survey = surveys.get(exam_id)
        answers = areas.get(survey.id, ()) if survey is not None else ()
        yield LoadedExam(
            exam_id,
            assemble_record(
                exam,
                patient=patients[exam.patient_id],
                clinician=people[exam.clinician_id],
                signer=people.get(exam.signed_by_id),
                marker=people.get(exam.entered_in_error_by_id),
                tender_points=tuple(
                    recorded_tender_point(row) for row in tender_points.get(exam_id, ())
                ),
                trigger_points=tuple(
                    recorded_trigger_point(row, (zone.zone_code for zone in zones.get(row.id, ())))
                    for row in trigger_points.get(exam_id, ())
                ),
                survey=survey_input(
                    survey, ((answer.area_code, answer.painful) for answer in answers)
                ),
                survey_version=survey.version if survey is not None else 0,
                addenda=tuple(
                    AddendumRecord(row.uuid, people[row.author_id], row.created_at, row.text)
                    for row in addenda.get(exam_id, ())
                ),
            ),
            exam.signed_document,
        )


def _findings(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[QueryRow]], dict[int, list[QueryRow]], dict[int, list[QueryRow]]]:
    """The batch's tender points and trigger points by exam, and referral zones by trigger point."""
    tender_points = _rows(
        session,
        _TENDER_POINT.where(TenderPointFinding.exam_id.in_(ids)).order_by(
            TenderPointFinding.exam_id, TenderPointFinding.site_code
        ),
    )
    trigger_points = _rows(
        session,
        _TRIGGER_POINT.where(TriggerPointFinding.exam_id.in_(ids)).order_by(
            TriggerPointFinding.exam_id, TriggerPointFinding.position
        ),
    )
    in_batch = select(TriggerPointFinding.id).where(TriggerPointFinding.exam_id.in_(ids))
    zones = _rows(
        session,
        select(ReferralZone.finding_id, ReferralZone.zone_code).where(
            ReferralZone.finding_id.in_(in_batch)
        ),
    )
    return _grouped(tender_points), _grouped(trigger_points), _grouped(zones)


def _pain_areas(session: Session, ids: list[int]) -> dict[int, list[QueryRow]]:
    """The batch's WPI pain-area answers by survey."""
    surveyed = select(ExamSurvey.id).where(ExamSurvey.exam_id.in_(ids))
    answers = select(PainAreaAnswer.survey_id, PainAreaAnswer.area_code, PainAreaAnswer.painful)
    return _grouped(_rows(session, answers.where(PainAreaAnswer.survey_id.in_(surveyed))))
