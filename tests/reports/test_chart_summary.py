"""The exam summary PDF as a staff member reads it: headers, marks, scores, tables, signature.

Pure: the view-models come from bench.samples; nothing here needs Flask or a database.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from bench.samples import (
    CLINIC,
    CLINICIAN,
    PATIENT,
    day_of_summaries,
    exam_record,
    exam_summary,
    realistic_summary,
)
from clinic.domain.findings import TriggerPointInput
from clinic.domain.record import AddendumRecord, ErrorMark, ExamRecord, RecordedTriggerPoint
from clinic.domain.report_models import ExamSummary
from clinic.domain.scales import (
    ExamStatus,
    PaperSize,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
)
from clinic.reports.chart_summary import render_exam_batch, render_exam_summary

PATIENT_LINE = "Łukasiewicz, Zoë · MRN A-1001 · born 1981-04-02"
PRINTED = "Printed 2026-11-24 10:30 EST"  # bench.samples.PRINTED_AT, 15:30 UTC, in New York
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)")


def pages_of(data: bytes) -> list[str]:
    """Each page's extracted text."""
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def pages(summary: ExamSummary) -> list[str]:
    return pages_of(render_exam_summary(summary))


def flat(text: str) -> str:
    """Text single-spaced, so a table cell or paragraph that wraps still reads as one line."""
    return " ".join(text.split())


def whole(summary: ExamSummary) -> str:
    return flat(" ".join(pages(summary)))


def page_numbers(page: str) -> tuple[int, int]:
    found = PAGE_NUMBER.findall(page)
    assert len(found) == 1, page
    return int(found[0][0]), int(found[0][1])


@pytest.fixture(scope="module")
def realistic_pages() -> list[str]:
    """The benchmark's exam: signed, two addenda, compared with a previous exam."""
    return pages(realistic_summary())


@pytest.fixture(scope="module")
def draft_pages() -> list[str]:
    return pages(exam_summary(exam_record(signed=False)))


# --- page furniture ----------------------------------------------------------------------------


def test_every_page_says_whose_exam_it_is_and_which_page_of_how_many(
    realistic_pages: list[str],
) -> None:
    count = len(realistic_pages)
    assert count >= 2  # the header has to be repeated to be tested
    for number, page in enumerate(realistic_pages, start=1):
        assert "Riverside Pain Clinic" in page
        assert "12 Harbour Road, Springfield 01234 · +1 555 0100" in page
        assert PATIENT_LINE in page
        assert "exam of 2026-11-24" in page
        assert page_numbers(page) == (number, count)
        assert PRINTED in page


@pytest.mark.parametrize(
    ("zone", "printed"),
    [
        ("America/New_York", "Printed 2026-11-24 10:30 EST"),
        ("Europe/Berlin", "Printed 2026-11-24 16:30 CET"),
        ("UTC", "Printed 2026-11-24 15:30 UTC"),
    ],
)
def test_print_time_is_in_the_clinics_time_zone(zone: str, printed: str) -> None:
    clinic = replace(CLINIC, time_zone=zone)
    summary = replace(exam_summary(exam_record(trigger_points=0, addenda=0)), clinic=clinic)
    for page in pages(summary):
        assert printed in page


def test_summer_print_time_uses_daylight_saving_time() -> None:
    summary = replace(
        exam_summary(exam_record(trigger_points=0, addenda=0)),
        printed_at=datetime(2026, 7, 1, 15, 30, tzinfo=UTC),
    )
    assert "Printed 2026-07-01 11:30 EDT" in pages(summary)[0]


# --- draft, signed, entered in error -------------------------------------------------------------


def test_a_draft_is_marked_draft_on_every_page_and_has_no_signature(
    draft_pages: list[str],
) -> None:
    assert len(draft_pages) >= 2
    for page in draft_pages:
        assert "DRAFT" in page
    text = flat(" ".join(draft_pages))
    assert "Draft, not signed" in text
    assert "Electronically signed" not in text
    assert "digest" not in text


def test_a_signed_exam_has_no_draft_mark_on_any_page(realistic_pages: list[str]) -> None:
    for page in realistic_pages:
        assert "DRAFT" not in page


def test_the_signature_block_names_the_signer_licence_time_and_short_digest() -> None:
    record = exam_record(trigger_points=0, addenda=0)
    assert record.signature is not None
    digest = "0123456789ab" + "cdef" * 13
    record = replace(record, signature=replace(record.signature, digest=digest))
    text = whole(exam_summary(record))
    assert "Electronically signed" in text
    assert "Ana Ruiz, MD · licence MD-48213" in text
    # Signed at 16:00 UTC on the exam day, in the clinic's zone.
    assert "2026-11-24 11:00 EST · digest 0123456789ab" in text
    assert "0123456789abc" not in text  # only the first 12 hex digits
    assert "cdef" not in text


def test_a_signer_without_credentials_or_licence_is_named_plainly() -> None:
    signer = replace(CLINICIAN, credentials="", licence_number="")
    record = exam_record(trigger_points=0, addenda=0)
    assert record.signature is not None
    record = replace(record, signature=replace(record.signature, signed_by=signer))
    text = whole(exam_summary(record))
    assert "Electronically signed Ana Ruiz 2026-11-24 11:00 EST" in text
    assert "licence" not in text


def test_an_entered_in_error_exam_prints_the_mark_and_the_reason() -> None:
    mark = ErrorMark(
        CLINICIAN, datetime(2026, 11, 25, 14, 0, tzinfo=UTC), "Filed to the wrong patient"
    )
    record = replace(
        exam_record(addenda=0), status=ExamStatus.ENTERED_IN_ERROR, entered_in_error=mark
    )
    printed = pages(exam_summary(record))
    text = flat(" ".join(printed))
    assert (
        "ENTERED IN ERROR — Filed to the wrong patient "
        "(marked by Ana Ruiz, 2026-11-25 09:00 EST)" in text
    )
    assert "Entered in error" in text
    assert all("DRAFT" not in page for page in printed)


# --- scores and criteria -------------------------------------------------------------------------


def test_each_criteria_version_is_named_with_its_outcome_and_conditions(
    realistic_pages: list[str],
) -> None:
    text = flat(" ".join(realistic_pages))
    assert "Classification criteria (research aids, not a diagnosis)" in text
    for line in (
        "ACR 1990: met",
        "14 of 18 sites painful (≥ 11 needed) — met",
        "pain for 30 months (≥ 3 months needed) — met",
        "ACR 2010 preliminary: met",
        "WPI 10 and SSS 8 (needed: WPI ≥ 7 with SSS ≥ 5, or WPI 3–6 with SSS ≥ 9) — met",
        "ACR 2011 modified: met",
        "no other disorder explains the pain — met",
        "ACR 2016 revised: met",
        "generalized pain in 4 of 5 regions (≥ 4 needed; jaw, chest and abdomen do not count)"
        " — met",
    ):
        assert line in text
    for line in (
        "14 of 18 sites painful (ACR 1990)",
        "14 of 18 sites rated 2 or more (MTPS 1997)",
        "FIS 4.7 (mean 0–10 rating over the 18 sites)",
        "WPI 10 of 19",
        "FS 18 of 31: severe (WPI 10 + SSS 8)",
        "8 active, 4 latent, 0 not trigger points, 0 unclassified of 12",
    ):
        assert line in text


def test_unmet_and_undeterminable_criteria_say_so() -> None:
    record = exam_record(painful_sites=5, trigger_points=0, addenda=0)
    record = replace(record, survey=replace(record.survey, pain_duration_months=None))
    text = whole(exam_summary(record))
    assert "ACR 1990: not met" in text
    assert "5 of 18 sites painful (≥ 11 needed) — not met" in text
    assert "pain duration not recorded (≥ 3 months needed) — cannot be determined" in text
    assert "ACR 2010 preliminary: cannot be determined" in text
    assert "ACR 2011 modified: cannot be determined" in text
    assert "ACR 2016 revised: cannot be determined" in text


# --- tender points and trigger points ------------------------------------------------------------


def test_tender_point_rows_show_site_painful_rating_and_threshold() -> None:
    # seed 3: the right knee was not examined (a brace), so ratings start at 3 + 3 % 7 = 6.
    record = exam_record(painful_sites=14, trigger_points=0, addenda=0, seed=3)
    text = whole(exam_summary(record))
    assert "Site Painful Rating Algometer threshold Note" in text
    assert "Occiput, left yes 6/10 2.1 kgf/cm² (1 cm² probe)" in text
    assert "Second rib, left yes 7/10 Second rib, right" in text  # no reading, no note
    assert "Greater trochanter, left no 0/10" in text  # not painful: rated 0
    assert "Knee, right — — not examined: knee brace, not removed" in text
    assert "Forehead (control) no" in text
    assert "Thigh, right (control) — — not recorded" in text


def _trigger_point(point: TriggerPointInput) -> RecordedTriggerPoint:
    return RecordedTriggerPoint(f"trp-{point.side}", 1, point)


def test_trigger_point_rows_show_muscle_nodule_grade_delphi_class_and_referral() -> None:
    active = TriggerPointInput(
        "upper_trapezius",
        Side.LEFT,
        location_in_muscle="mid-belly",
        nodule_length_mm=Decimal("10"),
        nodule_width_mm=Decimal("5.5"),
        tenderness_grade=TendernessGrade.GIII,
        rating=7,
        taut_band=TautBand.PRESENT,
        hypersensitive_spot=True,
        referred_pain=True,
        referral_zones=("temple_left",),
        referral_description="up the neck",
        patient_recognition=True,
    )
    nothing = TriggerPointInput(
        "upper_trapezius",
        Side.RIGHT,
        taut_band=TautBand.ABSENT,
        hypersensitive_spot=False,
        referred_pain=True,
        patient_recognition=True,
    )
    undecided = TriggerPointInput(
        None,
        Side.RIGHT,
        muscle_other_name="Rhomboid minor",
        nodule_length_mm=Decimal("12.5"),
        taut_band=TautBand.NOT_ASSESSABLE,
        hypersensitive_spot=False,
        referred_pain=True,
    )
    record = replace(
        exam_record(addenda=0),
        trigger_points=tuple(_trigger_point(p) for p in (active, nothing, undecided)),
    )
    text = whole(exam_summary(record))
    assert "# Muscle, side, location Nodule mm Grade Rating Delphi 2018 Class Referral" in text
    assert (
        "1 Upper trapezius, left, mid-belly 10 × 5.5 III 7/10 met active Temple, left; up the neck"
        in text
    )
    assert "2 Upper trapezius, right — — — not met not trigger point —" in text
    assert "3 Rhomboid minor, right 12.5 — — cannot be determined not decided —" in text


def test_a_clinicians_classification_overrides_the_default() -> None:
    latent = TriggerPointInput(
        "levator_scapulae",
        Side.LEFT,
        taut_band=TautBand.PRESENT,
        hypersensitive_spot=True,
        referred_pain=True,
        patient_recognition=True,
        classification=TriggerPointClass.LATENT,
    )
    record = replace(exam_record(addenda=0), trigger_points=(_trigger_point(latent),))
    assert "1 Levator scapulae, left — — — met latent —" in whole(exam_summary(record))


def test_an_exam_without_trigger_points_says_none_recorded() -> None:
    text = whole(exam_summary(exam_record(trigger_points=0, addenda=0)))
    assert "Trigger points None recorded." in text


# --- addenda and user text -----------------------------------------------------------------------


def test_addenda_print_in_order_after_the_signature() -> None:
    record = exam_record(addenda=3)
    text = whole(exam_summary(record))
    signed = text.index("Electronically signed")
    first = text.index("1. 2026-11-25 11:00 EST · Ana Ruiz Addendum 1:")
    second = text.index("2. 2026-11-26 11:00 EST · Ana Ruiz Addendum 2:")
    third = text.index("3. 2026-11-27 11:00 EST · Ana Ruiz Addendum 3:")
    assert signed < first < second < third


MARKUP = "Use <b>ice</b> & heat; <font color=red>not</font> a tag <br/> <b> <para & end"


def _with_text_everywhere(record: ExamRecord, typed: str) -> ExamRecord:
    """The same typed text in every free-text field the summary prints."""
    point = replace(
        record.trigger_points[0].finding,
        referral_description=typed,
        muscle_code="other",
        muscle_other_name=typed,
    )
    tender = replace(
        record.tender_points[0],
        finding=replace(record.tender_points[0].finding, examined=False, not_examined_reason=typed),
    )
    addendum = AddendumRecord("add-x", CLINICIAN, datetime(2026, 11, 30, tzinfo=UTC), typed)
    return replace(
        record,
        tender_points=(tender, *record.tender_points[1:]),
        trigger_points=(replace(record.trigger_points[0], finding=point),),
        impression=replace(record.impression, assessment=typed, plan=typed),
        addenda=(addendum,),
        status=ExamStatus.ENTERED_IN_ERROR,
        entered_in_error=ErrorMark(CLINICIAN, datetime(2026, 12, 1, tzinfo=UTC), typed),
    )


def test_typed_markup_prints_literally_in_every_free_text_field() -> None:
    record = _with_text_everywhere(exam_record(trigger_points=1), MARKUP)
    text = whole(exam_summary(record))
    # Assessment, plan, addendum, error reason, not-examined reason, muscle name, referral.
    assert text.count(flat(MARKUP)) >= 5
    for literal in ("<b>", "</b>", "&", "<font color=red>", "<br/>", "<para"):
        assert literal in text


def test_the_samples_assessment_and_referral_markup_print_as_typed(
    realistic_pages: list[str],
) -> None:
    text = flat(" ".join(realistic_pages))
    assert "Note: <font> & <b> print as typed." in text
    assert "deep ache <b>spreading</b> & tingling" in text


@pytest.mark.parametrize(
    ("family", "given", "line"),
    [
        ("Łukasiewicz", "Zoë", "Łukasiewicz, Zoë"),
        ("Ψυχογιός", "Δήμητρα", "Ψυχογιός, Δήμητρα"),
        ("Смирнов", "Дмитрий", "Смирнов, Дмитрий"),
    ],
)
def test_unicode_names_print_exactly(family: str, given: str, line: str) -> None:
    patient = replace(PATIENT, family_name=family, given_name=given)
    summary = exam_summary(exam_record(patient=patient, trigger_points=0, addenda=0))
    data = render_exam_summary(summary)
    for page in pages_of(data):
        assert f"{line} · MRN A-1001 · born 1981-04-02" in page
    metadata = PdfReader(BytesIO(data)).metadata
    assert metadata is not None
    assert metadata.title == f"Exam summary — {line} — 2026-11-24"


# --- comparison with the previous signed exam ----------------------------------------------------


@pytest.mark.parametrize(
    ("before", "now", "change"),
    [
        (14, 14, "0 tender points: within measurement error"),
        (14, 11, "−3 tender points: within measurement error"),
        (11, 14, "+3 tender points: within measurement error"),
        (14, 10, "−4 tender points: possibly real"),
        (10, 16, "+6 tender points: possibly real"),
        (16, 10, "−6 tender points: possibly real"),
        (16, 9, "−7 tender points: beyond measurement error"),
        (5, 16, "+11 tender points: beyond measurement error"),
    ],
)
def test_the_comparison_weighs_the_change_against_measurement_error(
    before: int, now: int, change: str
) -> None:
    previous = exam_record(date(2026, 8, 20), painful_sites=before, seed=2, trigger_points=0)
    current = exam_record(painful_sites=now, trigger_points=0, addenda=0)
    text = whole(exam_summary(current, previous))
    assert "Compared with the previous signed exam of 2026-08-20" in text
    assert f"ACR 1990 tender point count: {change}" in text
    # Painful sites are rated 3 or more and the others 0, so the MTPS count moves alike.
    assert f"MTPS tender point count: {change}" in text
    assert "-" not in change  # a drop is printed with a true minus sign


def test_site_ratings_show_before_and_change_with_a_previous_exam(
    realistic_pages: list[str],
) -> None:
    text = flat(" ".join(realistic_pages))
    assert "Site Painful Rating Before Change Algometer threshold Note" in text
    assert "Occiput, left yes 4/10 5/10 −1 2.1 kgf/cm² (1 cm² probe)" in text
    assert "Trapezius, right yes 9/10 3/10 +6" in text
    assert "Knee, left no 0/10 0/10 0" in text


def test_without_a_previous_exam_there_is_no_comparison() -> None:
    text = whole(exam_summary(exam_record(trigger_points=0, addenda=0)))
    assert "Compared with" not in text
    assert "measurement error" not in text
    assert "Before" not in text


# --- batches, metadata, repeatability, paper -----------------------------------------------------


def test_each_exam_of_a_day_batch_is_numbered_and_headed_on_its_own() -> None:
    summaries = day_of_summaries(3)  # the first is a draft, the other two are signed
    printed = pages_of(render_exam_batch(summaries))
    lines = [f"Patient{n}, Zoë · MRN A-{2000 + n} · born 1981-04-02" for n in range(len(summaries))]
    exams: list[list[tuple[int, int, str]]] = []
    for page in printed:
        number, count = page_numbers(page)
        if number == 1:
            exams.append([])
        exams[-1].append((number, count, page))
    assert len(exams) == 3
    for index, exam_pages in enumerate(exams):
        count = len(exam_pages)
        assert [(n, c) for n, c, _page in exam_pages] == [(n, count) for n in range(1, count + 1)]
        for _n, _c, page in exam_pages:
            assert lines[index] in page
            assert all(other not in page for other in lines if other != lines[index])
            assert ("DRAFT" in page) is (index == 0)


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one exam"):
        render_exam_batch([])


def test_the_pdf_carries_title_author_subject_and_creation_date() -> None:
    data = render_exam_summary(exam_summary(exam_record(trigger_points=0, addenda=0)))
    metadata = PdfReader(BytesIO(data)).metadata
    assert metadata is not None
    assert metadata.title == "Exam summary — Łukasiewicz, Zoë — 2026-11-24"
    assert metadata.author == "Riverside Pain Clinic"
    assert metadata.subject == "Tender point and trigger point exam summary"
    assert metadata.creation_date is not None


def test_the_same_exam_prints_the_same_text_twice() -> None:
    summary = realistic_summary()
    assert pages(summary) == pages(summary)


@pytest.mark.parametrize(
    ("paper", "size"), [(PaperSize.A4, (595, 842)), (PaperSize.LETTER, (612, 792))]
)
def test_pages_use_the_clinics_paper_size(paper: PaperSize, size: tuple[int, int]) -> None:
    summary = replace(
        exam_summary(exam_record(trigger_points=0, addenda=0)),
        clinic=replace(CLINIC, paper_size=paper),
    )
    reader = PdfReader(BytesIO(render_exam_summary(summary)))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == size


def test_a_long_plan_that_a_page_end_sends_on_whole_still_prints() -> None:
    # Orphan control sends a paragraph with room for only one line on to the next page whole;
    # ReportLab then drops its broken lines, which a width-cached wrap must not keep relying on.
    record = exam_record(painful_sites=13, trigger_points=2, seed=67, addenda=3)
    plan = " ".join(["review"] * 604)
    record = replace(
        record,
        impression=replace(record.impression, plan=plan, assessment=" ".join(["pain"] * 3)),
    )
    previous = exam_record(date(2026, 8, 20), painful_sites=16, trigger_points=8, seed=2, addenda=0)
    text = whole(exam_summary(record, previous))
    assert text.count("review") == 604
