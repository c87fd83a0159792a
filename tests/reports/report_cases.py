"""The cases every report must print: ordinary exams, the longest texts the forms take, and names
in every script with markup, formula prefixes and invisible marks, as typed.

Each case is a view-model the reports render directly (built as bench.samples builds its exams);
the limits are the capture forms' and the document reader's (clinic.domain.document_fields).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench.samples import CLINIC, CLINICIAN, PATIENT, PRINTED_AT, exam_record, exam_summary
from clinic.domain.body_areas import ZONE_CODES
from clinic.domain.document_fields import TEXT_LIMITS
from clinic.domain.findings import TenderPointInput, TriggerPointInput
from clinic.domain.record import (
    AddendumRecord,
    ErrorMark,
    ExamRecord,
    PatientRef,
    PersonRef,
    RecordedTenderPoint,
    RecordedTriggerPoint,
)
from clinic.domain.report_models import ClinicHeader, ExamSummary, PatientTrend, TrendPoint
from clinic.domain.scales import ExamStatus, PaperSize, Side, TautBand, TendernessGrade

# The longest value each printed text takes (the forms' limits; TEXT_LIMITS for the exam's own).
CLINIC_NAME_MAX = 120
CLINIC_ADDRESS_MAX = 500
CLINIC_PHONE_MAX = 40
USER_NAME_MAX = 120
CREDENTIALS_MAX = 80
LICENCE_MAX = 64
ADDENDUM_MAX = 10_000
ERROR_REASON_MAX = 2000

# Names as a clinic may really receive them, and as someone may type them to cause trouble:
# right-to-left marks and overrides, markup, formula prefixes, every script the clinic may meet,
# emoji sequences, combining marks and zero-width joiners.
HOSTILE_FAMILY = "=+-@\u200f<b>&amp;</b> Ørsted-Łukasiewicz Ψυχογιός Смирнов عبد الله כהן"
HOSTILE_GIVEN = "王小明 देवनागरी สมชาย 👩\u200d⚕️ Zoe\u0308 Ame\u0301lie a\u200db \u202eevil\u202c"
HOSTILE_MRN = "=A-1001<i>&lt;"
HOSTILE_TEXT = (
    '=HYPERLINK("http://x") +1 -2 @SUM(A1) <b>bold?</b> &amp; <font size=40>big</font> '
    "\u200fRTL\u200e עברית العربية Ελληνικά Кириллица 中文字符 हिन्दी ภาษาไทย 🧑\u200d🤝\u200d🧑 "
    "n\u0303 a\u0301\u0327 zero\u200bwidth\u200cnon\u200djoiner\ufeff tab\there"
)

CASES = (
    "first",
    "follow_up",
    "entered_in_error",
    "draft",
    "fifty_trigger_points",
    "longest",
    "hostile",
)

_WORDS = (
    "palpation",
    "tenderness",
    "bilateral",
    "Łódź",
    "naïve",
    "crème",
    "reproduces",
    "the",
    "patient's",
    "usual",
    "pain",
    "referred",
    "to",
    "occiput",
    "and",
    "trapezius",
    "without",
    "numbness;",
    "sleep",
    "remains",
    "poor,",
    "score",
    "unchanged",
    "since",
    "physiotherapy",
    "sternocleidomastoid",
)


def long_text(length: int, seed: int = 0, paragraph: int = 700, tag: str = "") -> str:
    """Clinical-looking text of exactly `length` characters, a new paragraph about every
    `paragraph` characters, with one unbroken run (a pasted identifier) no column can hold;
    with a `tag`, every tenth word is a numbered marker ("RE3-007"), so a reader can tell that
    every part printed, in order."""
    words = itertools.cycle(_WORDS[seed % len(_WORDS) :] + _WORDS[: seed % len(_WORDS)])
    value, line, count = "", 0, 0
    while len(value) < length:
        if len(value) > 200 and "x" * 80 not in value:
            word = "x" * 80
        elif tag and count % 10 == 0:
            word = f"{tag}-{count // 10:03d}"
        else:
            word = next(words)
        count += 1
        separator = "" if not value else "\n" if line > paragraph else " "
        line = 0 if separator == "\n" else line + len(word) + 1
        value += separator + word
    value = value[:length]
    return value[:-1] + "." if value[-1].isspace() else value


MARKER = re.compile(r"\b[A-Z]{2}[0-9]*-[0-9]{3}\b")


def markers(value: str) -> list[str]:
    """The numbered markers of a text, in order (a marker cut off at its end left out)."""
    return MARKER.findall(value)


def exactly(value: str, length: int) -> str:
    """`value` repeated and cut to exactly `length` characters."""
    return (value * (length // len(value) + 1))[:length]


@dataclass(frozen=True)
class Case:
    """One report case: the exam summaries of a day batch (the case's exam first), the case's
    exam summary alone, and the patient's trend."""

    name: str
    summary: ExamSummary
    batch: tuple[ExamSummary, ...]
    trend: PatientTrend


def _clinic(paper: PaperSize, name: str) -> ClinicHeader:
    if name == "longest":
        return replace(
            CLINIC,
            name=exactly("Riverside Pain and Rehabilitation Clinic ", CLINIC_NAME_MAX),
            address=long_text(CLINIC_ADDRESS_MAX, 3, paragraph=60),
            phone=exactly("+1 555 0100 ext. ", CLINIC_PHONE_MAX),
            paper_size=paper,
        )
    if name == "hostile":
        # A Hebrew word ("study") after a right-to-left mark, written as escapes.
        name = "=Clinic <b>&amp;</b> \u200f\u05e2\u05d9\u05d5\u05df Ψ"
        return replace(CLINIC, name=name, paper_size=paper)
    return replace(CLINIC, paper_size=paper)


def _patient(name: str) -> PatientRef:
    if name == "longest":
        return replace(
            PATIENT,
            mrn=exactly("MRN-0123456789-", TEXT_LIMITS["mrn"]),
            family_name=exactly("Montgomery-Łukasiewicz ", TEXT_LIMITS["family_name"]),
            given_name=exactly("Anna-Zoë Maria ", TEXT_LIMITS["given_name"]),
        )
    if name == "hostile":
        return replace(
            PATIENT, mrn=HOSTILE_MRN, family_name=HOSTILE_FAMILY, given_name=HOSTILE_GIVEN
        )
    return PATIENT


def _clinician(name: str) -> PersonRef:
    if name == "longest":
        return replace(
            CLINICIAN,
            name=exactly("Ana-Sofía Ruiz de la Fuente ", USER_NAME_MAX),
            credentials=exactly("MD, PhD, FRCPC ", CREDENTIALS_MAX),
            licence_number=exactly("MD-48213-", LICENCE_MAX),
        )
    if name == "hostile":
        return replace(CLINICIAN, name="@Dr <b>Ruiz</b> \u202eznuR\u202c Ψ Дмитрий 李")
    return CLINICIAN


def _not_examined(record: ExamRecord, reason: Callable[[int], str], every: int) -> ExamRecord:
    """Every `every`th site not examined, for its `reason(index)`."""
    points = []
    for index, point in enumerate(record.tender_points):
        if index % every == 0:
            finding = TenderPointInput(point.finding.site_code, False, reason(index))
            point = RecordedTenderPoint(point.id, point.version, finding)
        points.append(point)
    return replace(record, tender_points=tuple(points))


def _long_trigger_points(count: int, hostile: bool) -> tuple[RecordedTriggerPoint, ...]:
    zones = tuple(sorted(ZONE_CODES))
    points = []
    for index in range(count):
        other = (
            HOSTILE_TEXT[:120]
            if hostile
            else long_text(TEXT_LIMITS["muscle_other_name"], index, tag=f"MU{index}")
        )
        finding = TriggerPointInput(
            muscle_code=None,
            muscle_other_name=other,
            side=Side.LEFT if index % 2 else Side.RIGHT,
            location_in_muscle=long_text(
                TEXT_LIMITS["location_in_muscle"], index + 5, tag=f"LO{index}"
            ),
            nodule_length_mm=Decimal("49.5"),
            nodule_width_mm=Decimal("50"),
            tenderness_grade=TendernessGrade.GIV,
            rating=10,
            taut_band=TautBand.PRESENT,
            hypersensitive_spot=True,
            referred_pain=True,
            # Every zone on the trigger point's side, as if the pain went everywhere.
            referral_zones=zones[index % 2 :: 2],
            referral_description=(
                HOSTILE_TEXT
                if hostile
                else long_text(TEXT_LIMITS["referral_description"], index + 9, tag=f"RE{index}")
            ),
            patient_recognition=True,
            notes=long_text(TEXT_LIMITS["notes"], index),
        )
        points.append(RecordedTriggerPoint(f"trp-long-{index}", 1, finding))
    return tuple(points)


def _record(name: str) -> tuple[ExamRecord, ExamRecord | None]:
    """The case's exam and the previous signed exam it is compared with, if any."""
    patient, clinician = _patient(name), _clinician(name)
    previous = exam_record(
        date(2026, 8, 20), painful_sites=16, trigger_points=4, seed=2, addenda=0, patient=patient
    )
    previous = replace(previous, clinician=clinician)
    record = exam_record(patient=patient)
    record = replace(record, clinician=clinician)
    assert record.signature is not None
    signature = replace(record.signature, signed_by=clinician)
    record = replace(record, signature=signature)
    marked_at = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    if name == "first":
        return record, None
    if name == "draft":
        return exam_record(signed=False, patient=patient), previous
    if name == "entered_in_error":
        mark = ErrorMark(clinician, marked_at, "Filed to the wrong patient")
        record = replace(record, status=ExamStatus.ENTERED_IN_ERROR, entered_in_error=mark)
        return record, previous
    if name == "fifty_trigger_points":
        return exam_record(trigger_points=50, patient=patient), previous
    if name in ("longest", "hostile"):
        hostile = name == "hostile"

        def text(length: int, tag: str) -> str:
            return HOSTILE_TEXT if hostile else long_text(length, len(tag), tag=tag)

        reason = TEXT_LIMITS["not_examined_reason"]
        record = _not_examined(record, lambda index: text(reason, f"NE{index}"), 4)
        record = replace(
            record,
            trigger_points=_long_trigger_points(6, hostile),
            impression=replace(
                record.impression,
                assessment=text(TEXT_LIMITS["assessment"], "AS"),
                plan=text(TEXT_LIMITS["plan"], "PL"),
            ),
            addenda=tuple(
                AddendumRecord(
                    f"add-long-{n}",
                    clinician,
                    signature.signed_at + timedelta(days=n + 1),
                    text(ADDENDUM_MAX, f"AD{n}"),
                )
                for n in range(3)
            ),
            status=ExamStatus.ENTERED_IN_ERROR,
            entered_in_error=ErrorMark(clinician, marked_at, text(ERROR_REASON_MAX, "ER")),
        )
    return record, previous


def _trend(name: str, clinic: ClinicHeader, patient: PatientRef) -> PatientTrend:
    """The patient's trend: the signed exams only, so a draft or an exam entered in error
    leaves none; many exams where the case is about many rows."""
    counts = {"first": 1, "entered_in_error": 0, "draft": 0, "fifty_trigger_points": 60}
    points = tuple(
        TrendPoint(
            f"trend-{n}",
            date(2020, 1, 6) + timedelta(days=29 * n),
            None if n % 7 == 3 else 6 + n % 12,
            8 + n % 10,
            None if n % 5 == 4 else Decimal(n % 90) / 10,
            n % 20,
            n % 13,
            None if n % 11 == 5 else (n % 20) + (n % 13),
        )
        for n in range(counts.get(name, 2))
    )
    return PatientTrend(clinic, patient, points, PRINTED_AT)


def build_case(name: str, paper: PaperSize) -> Case:
    """One case on one paper size."""
    clinic = _clinic(paper, name)
    record, previous = _record(name)
    summary = replace(exam_summary(record, previous), clinic=clinic)
    other_patient = replace(PATIENT, id="pt-other", mrn="B-2002", family_name="Okafor")
    other = replace(exam_summary(exam_record(seed=7, patient=other_patient)), clinic=clinic)
    batch = (summary, other)
    return Case(name, summary, batch, _trend(name, clinic, record.patient))
