"""The tidy CSV tables' rows: one per finding, one per exam with every score.

Rows are read a batch of exams at a time, in exam date order, so memory stays flat however many
exams there are; labels and criteria come from the domain catalogues and scoring. The columns
are in clinic.exports.columns, the choice of exams in clinic.exports.selection.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import String, case, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from clinic.domain.document import timestamp_text
from clinic.domain.findings import TriggerPointInput
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.domain.scales import Side, TautBand
from clinic.domain.scoring import delphi_2018, score_exam, scores_as_dict
from clinic.domain.sites import ALL_SITES
from clinic.exports.columns import COUNT_SCORES, CRITERIA
from clinic.exports.csv_format import Cell, cell_text, neutralise
from clinic.exports.loading import exams_by_key
from clinic.exports.selection import ExportFilter, Pseudonymiser, exam_batches, id_text
from clinic.models import (
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
)

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
    (a third of the export). The values bound are the export's own integer keys; a batch's
    statement reads the same as the last one's, so the driver prepares it once (a statement
    with its keys written in would be prepared and cached anew for every batch)."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    assert isinstance(compiled, SQLCompiler)
    params = compiled.params
    values = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), values)
        while rows := cursor.fetchmany(5000):
            yield from rows
    finally:
        cursor.close()


def _by_exam(rows: Iterator[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows ordered by their exam (first column), gathered per exam."""
    return {exam_id: list(group) for exam_id, group in groupby(rows, itemgetter(0))}


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
    batch_size: int = 500,
) -> Iterator[list[str]]:
    """One row per finding (FINDING_COLUMNS) as CSV text, exam by exam in date order: the sites
    in catalogue order, then the trigger points in the order they were recorded. Read
    `batch_size` exams at a time: only one batch is ever in memory."""
    connection = session.connection()
    hidden = pseudonyms is not None
    for batch in exam_batches(session, where, size=batch_size, keys_only=True):
        ids = [row[0] for row in batch]
        sites = _by_exam(
            _raw_rows(
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
            )
        )
        points = _by_exam(
            _raw_rows(
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
            )
        )
        point_ids = [point[19] for rows in points.values() for point in rows]
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
                    id_text(uid),
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
                    id_text(point[1]),
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


def exam_rows(
    session: Session, where: ExportFilter, pseudonyms: Pseudonymiser | None = None
) -> Iterator[list[Cell]]:
    """One row per exam (EXAM_COLUMNS) with every score, its criteria version and result."""
    for batch in exam_batches(session, where, size=200):
        # A signed exam's scores are in its signed document; drafts are scored now, read
        # together (not one query per finding list per exam).
        drafts = [row[0] for row in batch if not (row[9] or {}).get("scores")]
        loaded = exams_by_key(session, drafts) if drafts else {}
        for exam in batch:
            frozen = (exam[9] or {}).get("scores")
            if not frozen:
                frozen = scores_as_dict(score_exam(loaded[exam[0]].record.findings))
            scores: dict[str, Any] = frozen
            signed_at = timestamp_text(exam[8])  # to the second, as the exam document has it
            row: list[Cell] = [*_exam_keys(exam, pseudonyms), signed_at, scores["scoring_version"]]
            for name, _key in COUNT_SCORES:
                score = scores[name]
                row += [score["value"], score["minimum"], score["maximum"], score["version"]]
            row.append(scores["fibromyalgia_severity"].get("category"))
            row.append(scores["fibromyalgia_intensity"]["value"])
            for name in CRITERIA:
                row += [scores[name]["outcome"], scores[name]["version"]]
            points = scores["trigger_points"]
            row += [points["active"], points["latent"], points["unclassified"]]
            yield row
