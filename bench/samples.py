"""Synthetic exams for benchmarks and report tests: realistic in size, no real patient."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from clinic.domain.body_diagram import diagram_marks
from clinic.domain.comparison import compare_exams
from clinic.domain.findings import (
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.muscles import MUSCLES, typical_referral_zones
from clinic.domain.record import (
    AddendumRecord,
    ExamRecord,
    PatientRef,
    PersonRef,
    RecordedTenderPoint,
    RecordedTriggerPoint,
    Signature,
)
from clinic.domain.report_models import ClinicHeader, ExamSummary
from clinic.domain.scales import (
    ExamStatus,
    Impression,
    PaperSize,
    PressureUnit,
    Sex,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)
from clinic.domain.scoring import score_exam
from clinic.domain.sites import ALL_SITES
from clinic.domain.wpi import PAIN_AREAS

CLINIC = ClinicHeader(
    name="Riverside Pain Clinic",
    address="12 Harbour Road\nSpringfield 01234",
    phone="+1 555 0100",
    paper_size=PaperSize.LETTER,
    time_zone="America/New_York",
)
CLINICIAN = PersonRef("11111111-1111-4111-8111-111111111111", "Ana Ruiz", "MD", "MD-48213")
PATIENT = PatientRef(
    "22222222-2222-4222-8222-222222222222",
    "A-1001",
    "Łukasiewicz",
    "Zoë",
    date(1981, 4, 2),
    Sex.FEMALE,
)
PRINTED_AT = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


def _tender_points(painful_sites: int, seed: int) -> tuple[RecordedTenderPoint, ...]:
    points = []
    for index, site in enumerate(ALL_SITES):
        if site.control and not site.mtps_control:
            continue  # the anterior thigh is not part of the MTPS survey
        painful = site.acr_1990 and index < painful_sites
        rating = (3 + (index + seed) % 7) if painful else 0
        ppt = None
        if site.pair is not None and site.pair <= 4:
            ppt = PressureReading(
                Decimal("2.1") + Decimal(index % 5) / 5, PressureUnit.KGF_PER_CM2, Decimal(1)
            )
        finding = TenderPointInput(site.code, True, "", painful, rating, ppt)
        if site.code == "TP09R" and seed % 4 == 3:
            finding = TenderPointInput(
                site.code, examined=False, not_examined_reason="knee brace, not removed"
            )
        points.append(
            RecordedTenderPoint(f"44444444-4444-4444-8444-{seed:06d}{index:06d}", 1, finding)
        )
    return tuple(points)


def _trigger_points(count: int, seed: int) -> tuple[RecordedTriggerPoint, ...]:
    points = []
    for index in range(count):
        muscle = MUSCLES[(index * 5) % len(MUSCLES)]
        side = Side.LEFT if index % 2 else Side.RIGHT
        finding = TriggerPointInput(
            muscle_code=muscle.code,
            side=side,
            location_in_muscle=f"TrP{index % 3 + 1}",
            nodule_length_mm=Decimal(4 + index % 6) + Decimal("0.5") * (index % 2),
            nodule_width_mm=Decimal(3) if index % 3 == 0 else None,
            tenderness_grade=list(TendernessGrade)[1 + index % 4],
            rating=4 + index % 6,
            taut_band=TautBand.PRESENT if index % 4 else TautBand.NOT_ASSESSABLE,
            hypersensitive_spot=True,
            patient_recognition=index % 3 != 1,
            local_twitch_response=TwitchResponse.YES if index % 2 else TwitchResponse.NOT_TESTED,
            jump_sign=index % 2 == 0,
            referred_pain=True,
            referral_zones=typical_referral_zones(muscle.code, side)[:3],
            referral_description="deep ache <b>spreading</b> & tingling" if index == 0 else "",
            classification=TriggerPointClass.ACTIVE if index == 0 else None,
            notes="",
        )
        points.append(
            RecordedTriggerPoint(f"55555555-5555-4555-8555-{seed:06d}{index:06d}", 1, finding)
        )
    return tuple(points)


def _survey(painful_areas: int) -> SurveyInput:
    return SurveyInput(
        pain_duration_months=30,
        pain_left_side=True,
        pain_right_side=True,
        pain_above_waist=True,
        pain_below_waist=True,
        pain_axial=True,
        pain_areas={area.code: index < painful_areas for index, area in enumerate(PAIN_AREAS)},
        fatigue=2,
        waking_unrefreshed=3,
        cognitive_symptoms=1,
        headaches=True,
        lower_abdominal_pain=False,
        depression=True,
        somatic_symptoms=2,
        other_disorder_explains_pain=False,
    )


def exam_record(
    exam_date: date = date(2026, 11, 24),
    painful_sites: int = 14,
    trigger_points: int = 12,
    seed: int = 1,
    addenda: int = 2,
    signed: bool = True,
    patient: PatientRef = PATIENT,
) -> ExamRecord:
    """A realistic signed exam: 21 sites, trigger points with referral zones, the full survey."""
    signed_at = datetime.combine(exam_date, datetime.min.time(), UTC) + timedelta(hours=16)
    return ExamRecord(
        id=f"33333333-3333-4333-8333-{seed:012d}",
        version=3,
        exam_date=exam_date,
        status=ExamStatus.SIGNED if signed else ExamStatus.DRAFT,
        patient=patient,
        clinician=CLINICIAN,
        created_at=signed_at - timedelta(hours=1),
        tender_points=_tender_points(painful_sites, seed),
        trigger_points=_trigger_points(trigger_points, seed),
        survey=_survey(9 + seed % 3),
        survey_version=1,
        impression=ImpressionInput(
            Impression.YES,
            Impression.YES,
            "Widespread pain for 2.5 years with 14 painful sites. "
            "Note: <font> & <b> print as typed.",
            "Graded exercise; sleep hygiene; review in 3 months.",
        ),
        signature=Signature(CLINICIAN, signed_at, "9f2c4e1ab37d" + "0" * 52) if signed else None,
        addenda=tuple(
            AddendumRecord(
                f"add-{n}",
                CLINICIAN,
                signed_at + timedelta(days=n + 1),
                f"Addendum {n + 1}: patient called about medication.",
            )
            for n in range(addenda if signed else 0)
        ),
    )


def exam_summary(
    record: ExamRecord | None = None, previous: ExamRecord | None = None
) -> ExamSummary:
    """The exam summary view-model of a record, compared with a previous one."""
    record = record or exam_record()
    scores = score_exam(record.findings)
    comparison = None
    if previous is not None:
        old = previous.findings
        comparison = compare_exams(
            previous.id, previous.exam_date, (old, score_exam(old)), (record.findings, scores)
        )
    return ExamSummary(
        CLINIC,
        record,
        scores,
        diagram_marks(record.findings, scores.trigger_points),
        comparison,
        PRINTED_AT,
    )


def realistic_records() -> tuple[ExamRecord, ExamRecord]:
    """The benchmark's exam and the previous one it is compared with."""
    previous = exam_record(date(2026, 8, 20), painful_sites=16, trigger_points=8, seed=2, addenda=0)
    return exam_record(), previous


def realistic_summary() -> ExamSummary:
    """The benchmark's exam: 12 trigger points, full survey, a previous exam, two addenda."""
    return exam_summary(*realistic_records())


def day_of_records(count: int) -> list[ExamRecord]:
    """A day's worth of different patients' exams."""
    records = []
    for n in range(count):
        patient = replace(PATIENT, id=f"pt-{n}", mrn=f"A-{2000 + n}", family_name=f"Patient{n}")
        records.append(
            exam_record(
                painful_sites=6 + n % 12,
                trigger_points=n % 7,
                seed=n + 3,
                addenda=n % 2,
                signed=n % 5 != 0,
                patient=patient,
            )
        )
    return records


def day_of_summaries(count: int) -> list[ExamSummary]:
    """A day's worth of different patients' exam summaries."""
    return [exam_summary(record) for record in day_of_records(count)]
