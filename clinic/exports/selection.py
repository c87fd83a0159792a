"""Which exams an export holds, read a batch at a time; the keyed pseudonyms of a de-identified
export; and public ids read as their text (`id_column`), as every export writes them."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, String, TypeDecorator, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from clinic.domain.scales import ExamStatus
from clinic.models import Exam, Patient, User


def id_text(value: Any) -> str:
    """A public id as the database hands it over (SQLite: the 32 hex digits it stores;
    PostgreSQL: a UUID) in its usual written form, without a UUID object per row."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


class _IdText(TypeDecorator[str]):
    """A public id read as its usual text: SQLite's stored 32 hex digits hyphenated, PostgreSQL's
    uuid written out; without the UUID object per row that the record would make text again."""

    impl = String
    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        # The conversion itself, not process_result_value: TypeDecorator's wrapper around that
        # costs as much again per id.
        return _id_text_or_none


def _id_text_or_none(value: Any) -> str | None:
    return None if value is None else id_text(value)


def id_column(column: Any) -> Any:
    """A public id column read as its text (see id_text)."""
    return type_coerce(column, _IdText())


@dataclass(frozen=True)
class ExportFilter:
    """Which exams an export holds."""

    start: date | None = None
    end: date | None = None
    mrn: str | None = None
    signed_only: bool = False
    include_entered_in_error: bool = False


@dataclass(frozen=True)
class Pseudonymiser:
    """De-identification: names and free text left out, MRN and patient id replaced by keyed
    pseudonyms (HMAC-SHA-256 with the clinic's key), date of birth reduced to the year."""

    key: bytes
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def pseudonym(self, kind: str, value: str) -> str:
        known = self._cache.get(kind + value)
        if known is None:
            digest = hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
            known = self._cache[kind + value] = f"P-{digest[:16]}"
        return known


# Every row of an exam in the CSV tables starts with these (clinic.exports.tidy._exam_keys).
_KEYS = (
    Exam.id,
    id_column(Exam.uuid).label("exam_uuid"),
    id_column(Patient.uuid).label("patient_uuid"),
    Patient.mrn,
    Exam.exam_date,
    id_column(User.uuid).label("clinician_uuid"),
    User.display_name,
    Exam.status,
)
# The exams table adds when it was signed, and the document its scores were frozen in.
_HEADER = (*_KEYS, Exam.signed_at, Exam.signed_document)


def _exams_query(where: ExportFilter, columns: Sequence[Any] = _HEADER) -> Select[Any]:
    query = (
        select(*columns)
        .select_from(Exam)
        .join(Patient, Exam.patient_id == Patient.id)
        .join(User, Exam.clinician_id == User.id)
    )
    if where.start is not None:
        query = query.where(Exam.exam_date >= where.start)
    if where.end is not None:
        query = query.where(Exam.exam_date <= where.end)
    if where.mrn:
        query = query.where(func.lower(Patient.mrn) == where.mrn.strip().lower())
    if where.signed_only:
        query = query.where(Exam.status == ExamStatus.SIGNED)
    elif not where.include_entered_in_error:
        query = query.where(Exam.status != ExamStatus.ENTERED_IN_ERROR)
    return query.order_by(Exam.exam_date, Exam.id)


def _pages(
    session: Session, query: Select[Any], size: int, date_at: int
) -> Iterator[Sequence[Any]]:
    """A query's rows in keyset pages (no offset, no long cursor): rows start with the exam's id
    and have its date at `date_at`."""
    last: tuple[date, int] | None = None
    while True:
        page = query
        if last is not None:
            page = page.where(
                or_(Exam.exam_date > last[0], and_(Exam.exam_date == last[0], Exam.id > last[1]))
            )
        rows = session.execute(page.limit(size)).all()
        if not rows:
            return
        yield rows
        last = (rows[-1][date_at], rows[-1][0])
        if len(rows) < size:
            return


def exam_batches(
    session: Session, where: ExportFilter, size: int = 1000, *, keys_only: bool = False
) -> Iterator[Sequence[Any]]:
    """The exams' header rows (id, uuid, patient uuid, MRN, date, clinician uuid and name,
    status; then, unless `keys_only`, signed at and signed document), a batch at a time, in
    exam date order."""
    return _pages(session, _exams_query(where, _KEYS if keys_only else _HEADER), size, date_at=4)


def exam_id_batches(session: Session, where: ExportFilter, size: int) -> Iterator[list[int]]:
    """The chosen exams' ids, a batch at a time, in exam date order."""
    for rows in _pages(session, _exams_query(where, (Exam.id, Exam.exam_date)), size, date_at=1):
        yield [row[0] for row in rows]
