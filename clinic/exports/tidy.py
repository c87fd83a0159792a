"""The tidy CSV tables: one row per finding, one row per exam with every score.

Rows are read with plain SQL (SQLAlchemy Core) a batch of exams at a time, in exam date order, so
memory stays flat however many exams there are; labels and criteria come from the domain
catalogues and scoring. The column lists below are also the data dictionary (README and
`dictionary.csv`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ClauseElement

from clinic.domain.document import timestamp_text
from clinic.domain.findings import TriggerPointInput
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.domain.scales import ExamStatus, Side, TautBand
from clinic.domain.scoring import delphi_2018, score_exam, scores_as_dict
from clinic.domain.sites import ALL_SITES
from clinic.exports.csv_format import Cell, cell_text, neutralise
from clinic.models import (
    Exam,
    Patient,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
    User,
)

OUTCOMES = "met, not_met, cannot_be_determined"


@dataclass(frozen=True)
class Column:
    """One column of an export table, as the data dictionary describes it."""

    name: str
    type: str
    meaning: str
    unit: str = ""
    allowed: str = ""
    identifying: bool = False  # left out or pseudonymised when de-identified


_EXAM_KEYS = (
    Column("exam_id", "string (UUID)", "The exam's public id"),
    Column(
        "patient_id",
        "string",
        "The patient's public id (UUID); a keyed pseudonym when de-identified",
        identifying=True,
    ),
    Column(
        "mrn",
        "string",
        "Medical record number; a keyed pseudonym (P-…) stable within the clinic when "
        "de-identified",
        identifying=True,
    ),
    Column("exam_date", "date", "Day of the exam (ISO 8601)"),
    Column("clinician_id", "string (UUID)", "The examining clinician's user id"),
    Column("clinician", "string", "The examining clinician's name; empty when de-identified"),
    Column("status", "string", "Life cycle of the exam", allowed="draft, signed, entered_in_error"),
)

FINDING_COLUMNS: tuple[Column, ...] = (
    *_EXAM_KEYS,
    Column("finding_id", "string (UUID)", "The finding's public id"),
    Column("finding_kind", "string", "What was palpated", allowed="tender_point, trigger_point"),
    Column("position", "integer", "Order of the trigger point in the exam, from 1"),
    Column("site_code", "string", "Tender-point or control site code", allowed="TP01L…CTRL_THIGH"),
    Column("muscle_code", "string", "Muscle code of the catalogue (trigger points)"),
    Column(
        "label",
        "string",
        "Site or muscle name; for a muscle outside the catalogue the name typed (empty when "
        "de-identified)",
    ),
    Column("side", "string", "Side of the body", allowed="left, right, midline"),
    Column("examined", "boolean", "Whether the site was palpated", allowed="true, false"),
    Column("painful", "boolean", "Palpation was painful (ACR 1990)", allowed="true, false, empty"),
    Column("rating", "integer", "Pain rating", unit="0–10", allowed="0–10"),
    Column("nodule_length_mm", "decimal", "Palpable nodule length", unit="mm"),
    Column("nodule_width_mm", "decimal", "Palpable nodule width", unit="mm"),
    Column("tenderness_grade", "string", "Tenderness grade", allowed="0, I, II, III, IV"),
    Column("taut_band", "string", "Taut band", allowed="present, absent, not_assessable"),
    Column("hypersensitive_spot", "boolean", "Hypersensitive spot in a taut band"),
    Column("referred_pain", "boolean", "Pain referred on palpation"),
    Column("patient_recognition", "boolean", "The patient recognises the pain"),
    Column(
        "local_twitch_response", "string", "Local twitch response", allowed="yes, no, not_tested"
    ),
    Column("jump_sign", "boolean", "Jump sign"),
    Column(
        "delphi_2018",
        "string",
        "Delphi 2018 trigger-point criteria (2 of 3 signs)",
        allowed=OUTCOMES,
    ),
    Column(
        "classification",
        "string",
        "Classification confirmed by the clinician",
        allowed="active, latent, not_trigger_point",
    ),
    Column("referral_zones", "string", "Referral zone codes, joined by ';' in code order"),
    Column("ppt_value", "decimal", "Algometer pressure pain threshold", unit="in ppt_unit"),
    Column("ppt_unit", "string", "Unit of the threshold", allowed="kPa, kgf/cm2, N, lbf"),
    Column("ppt_probe_area_cm2", "decimal", "Algometer probe area", unit="cm2"),
    Column(
        "note",
        "string",
        "Free text: why a site was not examined, or the trigger point's notes; empty when "
        "de-identified",
        identifying=True,
    ),
)

_COUNT_SCORES = (
    ("tender_point_count", "tpc_acr1990"),
    ("mtps_tender_point_count", "tpc_mtps"),
    ("wpi", "wpi"),
    ("sss_2010", "sss_2010"),
    ("sss_2011", "sss_2011"),
    ("generalized_pain_regions", "regions_2016"),
    ("fibromyalgia_severity", "fs"),
)
_CRITERIA = ("acr_1990", "acr_2010", "acr_2011", "acr_2016")

EXAM_COLUMNS: tuple[Column, ...] = (
    *_EXAM_KEYS,
    Column("signed_at", "timestamp", "When the exam was signed (UTC, ISO 8601, to the second)"),
    Column("scoring_version", "string", "Version of the scoring that computed these scores"),
    *(
        column
        for _, key in _COUNT_SCORES
        for column in (
            Column(key, "integer", f"{key} value; empty while answers are missing"),
            Column(f"{key}_min", "integer", f"Lowest {key} the missing answers allow"),
            Column(f"{key}_max", "integer", f"Highest {key} the missing answers allow"),
            Column(f"{key}_version", "string", f"Criteria version of {key}"),
        )
    ),
    Column("fs_category", "string", "FS category (Wolfe 2015)"),
    Column("fis", "decimal", "Fibromyalgia Intensity Score (mean 0–10 rating of 18 sites)"),
    *(
        column
        for key in _CRITERIA
        for column in (
            Column(key, "string", f"{key} criteria result", allowed=OUTCOMES),
            Column(f"{key}_version", "string", f"Criteria version of {key}"),
        )
    ),
    Column("trigger_points_active", "integer", "Active trigger points"),
    Column("trigger_points_latent", "integer", "Latent trigger points"),
    Column("trigger_points_unclassified", "integer", "Palpated spots not classified"),
)


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


def _exams_query(where: ExportFilter) -> Select[Any]:
    query = (
        select(
            Exam.id,
            Exam.uuid,
            Patient.uuid,
            Patient.mrn,
            Exam.exam_date,
            User.uuid,
            User.display_name,
            Exam.status,
            Exam.signed_at,
            Exam.signed_document,
        )
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


def exam_batches(
    session: Session, where: ExportFilter, size: int = 1000
) -> Iterator[Sequence[Any]]:
    """The exams' header rows, a batch at a time (keyset pages: no offset, no long cursor)."""
    query = _exams_query(where)
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
        last = (rows[-1][4], rows[-1][0])
        if len(rows) < size:
            return


_SITE_ORDER = {site.code: index for index, site in enumerate(ALL_SITES)}


@lru_cache(maxsize=64)
def _delphi(taut_band: str | None, spot: bool | None, referred: bool | None) -> str:
    band = TautBand(taut_band) if taut_band else None
    point = TriggerPointInput(
        None, Side.LEFT, taut_band=band, hypersensitive_spot=spot, referred_pain=referred
    )
    return delphi_2018(point).outcome.value


def _exam_keys(row: Sequence[Any], pseudonyms: Pseudonymiser | None) -> list[str]:
    """The exam's columns of every one of its rows, as CSV text, worked out once per exam."""
    _id, exam_uuid, patient_uuid, mrn, exam_date, clinician_uuid, clinician, status = row[:8]
    if pseudonyms is not None:
        patient_text = pseudonyms.pseudonym("patient", str(patient_uuid))
        mrn, clinician = pseudonyms.pseudonym("mrn", mrn.strip().lower()), ""
    else:
        patient_text = str(patient_uuid)
    return [
        str(exam_uuid),
        patient_text,
        neutralise(mrn),
        exam_date.isoformat(),
        str(clinician_uuid),
        neutralise(clinician or ""),
        status.value,
    ]


# Cells as CSV text, without a call per cell for the common values.
_FLAG = {True: "true", False: "false", None: ""}


def _whole(value: int | None) -> str:
    return "" if value is None else str(value)


def _decimal(value: Decimal | float | None) -> str:
    """A decimal as written elsewhere ("4.5", "10"); SQLite hands numeric columns over as floats
    (whose shortest repr is the decimal stored at these columns' 1-2 places)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return cell_text(value)


def _raw(column: Any) -> Any:
    """A coded column read as the text stored, without making an enum member of each value."""
    return type_coerce(column, String)


def _code(value: str | None) -> str:
    return value or ""


def _raw_rows(connection: Any, statement: ClauseElement) -> Iterator[tuple[Any, ...]]:
    """A query's rows as the database driver gives them, many at a time: the CSV writes stored
    values as text, so SQLAlchemy's per-value conversions and row objects would only cost time
    (a third of the export). The statement's values are the export's own integer keys, so they
    are written into the SQL; the cursor shares the session's transaction."""
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(5000):
            yield from rows
    finally:
        cursor.close()


def _uuid_text(value: Any) -> str:
    """A public id read as stored (SQLite: 32 hex digits) in its usual written form, without
    building a UUID object per row; a database's own UUID value is written as it is."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


# A site's columns never change (kind, position, code, muscle, label, side): written once.
_SITE_CELLS = {
    site.code: ("tender_point", "", site.code, "", site.label, site.side.value)
    for site in ALL_SITES
}


def _unknown_site(code: str) -> tuple[str, ...]:
    """A site code the catalogue no longer has, written as stored."""
    return ("tender_point", "", neutralise(code), "", neutralise(code), "")


# The sites in catalogue order, sorted by the database (a site it does not know comes last).
_SITE_ORDER_SQL = case(_SITE_ORDER, value=TenderPointFinding.site_code, else_=len(_SITE_ORDER))


def finding_rows(
    session: Session,
    where: ExportFilter,
    pseudonyms: Pseudonymiser | None = None,
    batch_size: int = 1000,
) -> Iterator[list[str]]:
    """One row per finding (FINDING_COLUMNS) as CSV text, exam by exam in date order: the sites
    in catalogue order, then the trigger points in the order they were recorded. Read
    `batch_size` exams at a time: only one batch is ever in memory."""
    connection = session.connection()
    hidden = pseudonyms is not None
    for batch in exam_batches(session, where, size=batch_size):
        ids = [row[0] for row in batch]
        sites: dict[int, list[Any]] = {}
        for tp in _raw_rows(
            connection,
            select(
                TenderPointFinding.exam_id,
                type_coerce(TenderPointFinding.uuid, String),
                TenderPointFinding.site_code,
                TenderPointFinding.examined,
                TenderPointFinding.painful,
                TenderPointFinding.rating,
                TenderPointFinding.ppt_value,
                _raw(TenderPointFinding.ppt_unit),
                TenderPointFinding.ppt_probe_area_cm2,
                TenderPointFinding.not_examined_reason,
            )
            .where(TenderPointFinding.exam_id.in_(ids))
            .order_by(TenderPointFinding.exam_id, _SITE_ORDER_SQL),
        ):
            sites.setdefault(tp[0], []).append(tp)
        points: dict[int, list[Any]] = {}
        point_ids: list[int] = []
        for point in _raw_rows(
            connection,
            select(
                TriggerPointFinding.exam_id,
                type_coerce(TriggerPointFinding.uuid, String),
                TriggerPointFinding.position,
                TriggerPointFinding.muscle_code,
                _raw(TriggerPointFinding.side),
                TriggerPointFinding.nodule_length_mm,
                TriggerPointFinding.nodule_width_mm,
                _raw(TriggerPointFinding.tenderness_grade),
                TriggerPointFinding.rating,
                _raw(TriggerPointFinding.taut_band),
                TriggerPointFinding.hypersensitive_spot,
                TriggerPointFinding.referred_pain,
                TriggerPointFinding.patient_recognition,
                _raw(TriggerPointFinding.local_twitch_response),
                TriggerPointFinding.jump_sign,
                _raw(TriggerPointFinding.classification),
                TriggerPointFinding.ppt_value,
                _raw(TriggerPointFinding.ppt_unit),
                TriggerPointFinding.ppt_probe_area_cm2,
                TriggerPointFinding.id,
                TriggerPointFinding.notes,
                TriggerPointFinding.muscle_other_name,
            )
            .where(TriggerPointFinding.exam_id.in_(ids))
            .order_by(TriggerPointFinding.exam_id, TriggerPointFinding.position),
        ):
            points.setdefault(point[0], []).append(point)
            point_ids.append(point[19])
        zones: dict[int, list[str]] = {}
        for i in range(0, len(point_ids), 2000):
            for finding_id, zone in _raw_rows(
                connection,
                select(ReferralZone.finding_id, ReferralZone.zone_code).where(
                    ReferralZone.finding_id.in_(point_ids[i : i + 2000])
                ),
            ):
                zones.setdefault(finding_id, []).append(zone)
        for exam in batch:
            keys = _exam_keys(exam, pseudonyms)
            for tp in sites.get(exam[0], ()):
                site = _SITE_CELLS.get(tp[2]) or _unknown_site(tp[2])
                uid, rating = tp[1], tp[5]
                yield [
                    *keys,
                    f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}"
                    if isinstance(uid, str) and len(uid) == 32
                    else str(uid),
                    *site,
                    _FLAG[tp[3]],
                    _FLAG[tp[4]],
                    "" if rating is None else str(rating),
                    *_NO_TRIGGER_POINT_CELLS,
                    _decimal(tp[6]),
                    tp[7] or "",
                    _decimal(tp[8]),
                    "" if hidden or not tp[9] else neutralise(tp[9]),
                ]
            for point in points.get(exam[0], ()):
                muscle = MUSCLE_BY_CODE.get(point[3] or "")
                yield [
                    *keys,
                    _uuid_text(point[1]),
                    "trigger_point",
                    str(point[2] + 1),
                    "",
                    neutralise(point[3] or ""),
                    muscle.label if muscle else neutralise(_other_muscle(point[21], pseudonyms)),
                    _code(point[4]),
                    "",
                    "",
                    _whole(point[8]),
                    _decimal(point[5]),
                    _decimal(point[6]),
                    _code(point[7]),
                    _code(point[9]),
                    _FLAG[point[10]],
                    _FLAG[point[11]],
                    _FLAG[point[12]],
                    _code(point[13]),
                    _FLAG[point[14]],
                    _delphi(point[9], point[10], point[11]),
                    _code(point[15]),
                    ";".join(sorted(zones.get(point[19], ()))),
                    _decimal(point[16]),
                    _code(point[17]),
                    _decimal(point[18]),
                    "" if hidden or not point[20] else neutralise(point[20]),
                ]


# A tender point's empty trigger-point columns: nodule length and width, grade, taut band,
# spot, referred pain, recognition, twitch, jump sign, Delphi, classification, zones.
_NO_TRIGGER_POINT_CELLS = ("",) * 12


def _other_muscle(name: str | None, pseudonyms: Pseudonymiser | None) -> str:
    """A muscle outside the catalogue, as the clinician named it (free text: not de-identified)."""
    return "" if pseudonyms is not None else (name or "")


def _scores(session: Session, exam: Sequence[Any]) -> dict[str, Any]:
    """The exam's scores as the signed document froze them, or computed now for a draft."""
    document = exam[9]
    if document and document.get("scores"):
        scores: dict[str, Any] = document["scores"]
        return scores
    from clinic.services.records import exam_findings  # the one mapping of rows to findings

    stored = session.get(Exam, exam[0])
    assert stored is not None
    return scores_as_dict(score_exam(exam_findings(stored)))


def exam_rows(
    session: Session, where: ExportFilter, pseudonyms: Pseudonymiser | None = None
) -> Iterator[list[Cell]]:
    """One row per exam (EXAM_COLUMNS) with every score, its criteria version and result."""
    for batch in exam_batches(session, where, size=200):
        for exam in batch:
            scores = _scores(session, exam)
            signed_at = timestamp_text(exam[8])  # to the second, as the exam document has it
            row: list[Cell] = [*_exam_keys(exam, pseudonyms), signed_at, scores["scoring_version"]]
            for name, _key in _COUNT_SCORES:
                score = scores[name]
                row += [score["value"], score["minimum"], score["maximum"], score["version"]]
            row.append(scores["fibromyalgia_severity"].get("category"))
            row.append(scores["fibromyalgia_intensity"]["value"])
            for name in _CRITERIA:
                row += [scores[name]["outcome"], scores[name]["version"]]
            points = scores["trigger_points"]
            row += [points["active"], points["latent"], points["unclassified"]]
            yield row
        session.expunge_all()  # drafts loaded for scoring are not kept


def dictionary_rows() -> Iterator[list[Cell]]:
    """The data dictionary: every column of both tables."""
    for table, columns in (("findings", FINDING_COLUMNS), ("exams", EXAM_COLUMNS)):
        for column in columns:
            yield [table, column.name, column.type, column.unit, column.allowed, column.meaning]


DICTIONARY_HEADER = ("table", "column", "type", "unit", "allowed_values", "meaning")


def dictionary_markdown() -> str:
    """The data dictionary as the README's tables (a test keeps the README in step)."""
    lines = []
    for title, columns in (("findings.csv", FINDING_COLUMNS), ("exams.csv", EXAM_COLUMNS)):
        lines += [f"`{title}`:", "", "| Column | Type | Unit | Allowed values | Meaning |"]
        lines.append("|---|---|---|---|---|")
        for column in columns:
            lines.append(
                f"| `{column.name}` | {column.type} | {column.unit} | {column.allowed} "
                f"| {column.meaning} |"
            )
        lines.append("")
    return "\n".join(lines)
