"""The patient trend PDF: a table of exams, charts on full ranges, gaps for missing scores."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.graphics.charts.lineplots import LinePlot

from clinic.domain.record import PatientRef
from clinic.domain.report_models import ClinicHeader, PatientTrend, TrendPoint
from clinic.domain.scales import PaperSize, Sex
from clinic.reports.trend import (
    MEASURES,
    date_ticks,
    render_patient_trend,
    series_segments,
    table_row,
    trend_chart,
)

PATIENT = PatientRef("p1", "A-000123", "Łukasiewicz", "Zoë", date(1971, 4, 9), Sex.FEMALE)
PATIENT_LINE = "Łukasiewicz, Zoë · MRN A-000123 · born 1971-04-09"
PRINTED_AT = datetime(2025, 2, 1, 9, 30, tzinfo=UTC)

FIVE = (
    TrendPoint("e1", date(2024, 1, 15), 14, 13, Decimal("6.4"), 12, 9, 21),
    TrendPoint("e2", date(2024, 3, 4), 12, 12, Decimal("5.8"), 11, 8, 19),
    TrendPoint("e3", date(2024, 6, 20), 11, None, None, None, 7, None),
    TrendPoint("e4", date(2024, 9, 2), 9, 8, Decimal("4.1"), 8, 6, 14),
    TrendPoint("e5", date(2025, 1, 13), 7, 6, Decimal("3.2"), 6, 5, 11),
)


def _trend(points: tuple[TrendPoint, ...], paper: PaperSize = PaperSize.LETTER) -> PatientTrend:
    clinic = ClinicHeader("Tender Point Clinic", "12 Harbour Road", "555 0100", paper, "UTC")
    return PatientTrend(clinic, PATIENT, points, PRINTED_AT)


def _read(trend: PatientTrend) -> PdfReader:
    return PdfReader(BytesIO(render_patient_trend(trend)))


def _row_text(point: TrendPoint) -> str:
    """A table row as pypdf extracts it: one cell a line."""
    return "\n".join(table_row(point))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("paper", list(PaperSize))
def test_five_exams_print_table_and_charts_on_one_page(paper: PaperSize) -> None:
    reader = _read(_trend(FIVE, paper))
    assert len(reader.pages) == 1
    page = _text(reader)
    assert "Page 1 of 1" in page
    assert PATIENT_LINE in page
    assert "Patient trend" in page
    assert "5 signed exams, 2024-01-15 to 2025-01-13" in page
    for row in (FIVE[0], FIVE[2], FIVE[4]):
        assert _row_text(row) in page
    assert "2024-06-20\n11\n—\n—\n—\n7\n—" in page
    assert "Scores over time" in page
    for title in (
        "Tender point count (0–18)",
        "FIS (0–10)",
        "WPI (0–19)",
        "SSS (0–12)",
        "FS (0–31)",
    ):
        assert title in page
    assert "no trend yet" not in page


def test_metadata_names_the_patient_and_the_clinic() -> None:
    metadata = _read(_trend(FIVE)).metadata
    assert metadata is not None
    assert metadata.title == "Patient trend — Łukasiewicz, Zoë"
    assert metadata.subject == "Signed exam scores over time"
    assert metadata.author == "Tender Point Clinic"


def test_one_exam_says_there_is_no_trend_yet() -> None:
    page = _text(_read(_trend(FIVE[:1])))
    assert "One signed exam: no trend yet." in page
    assert "2024-01-15\n14\n13\n6.4\n12\n9\n21" in page
    assert "Scores over time" not in page
    assert "Page 1 of 1" in page


def test_no_exams_say_so() -> None:
    page = _text(_read(_trend(())))
    assert "No signed exams." in page
    assert "Exam date" not in page
    assert PATIENT_LINE in page
    assert "Page 1 of 1" in page


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    start = date(2019, 1, 1)
    points = tuple(
        TrendPoint(f"e{i}", start + timedelta(days=30 * i), i % 19, None, None, i % 20, 5, None)
        for i in range(70)
    )
    reader = _read(_trend(points))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3  # two of table, then the charts
    first_row, last_row = _row_text(points[0]), _row_text(points[-1])
    assert first_row in pages[0]
    last_page = next(page for page in pages if last_row in page)
    assert last_page is not pages[0]
    assert "Exam date" in pages[0]
    assert "Exam date" in last_page  # the header repeats where the table continues
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert all(PATIENT_LINE in page for page in pages)


def test_rows_print_missing_scores_as_a_dash_never_zero() -> None:
    assert table_row(FIVE[2]) == ["2024-06-20", "11", "—", "—", "—", "7", "—"]
    zeros = TrendPoint("z", date(2024, 1, 1), 0, 0, Decimal("0"), 0, 0, 0)
    assert table_row(zeros) == ["2024-01-01", "0", "0", "0.0", "0", "0", "0"]


def test_a_missing_score_breaks_the_line() -> None:
    tender, mtps = MEASURES[0].series
    assert series_segments(tender, FIVE) == [[(0, 14), (49, 12), (157, 11), (231, 9), (364, 7)]]
    assert series_segments(mtps, FIVE) == [[(0, 13), (49, 12)], [(231, 8), (364, 6)]]


def test_each_chart_spans_its_measures_full_range() -> None:
    ranges = {measure.title: (measure.maximum, measure.ticks) for measure in MEASURES}
    assert ranges == {
        "Tender point count (0–18)": (18, [0, 3, 6, 9, 12, 15, 18]),
        "FIS (0–10)": (10, [0, 2, 4, 6, 8, 10]),
        "WPI (0–19)": (19, [0, 5, 10, 15, 19]),
        "SSS (0–12)": (12, [0, 3, 6, 9, 12]),
        "FS (0–31)": (31, [0, 5, 10, 15, 20, 25, 31]),
    }
    for measure in MEASURES:
        # Scores that barely move must not be stretched to fill the chart.
        flat = tuple(
            TrendPoint(f"e{i}", date(2024, 1, 1 + i), 5, 5, Decimal("5.0"), 5, 5, 5)
            for i in range(3)
        )
        drawing = trend_chart(measure, flat, 240)
        (plot,) = [node for node in drawing.contents if isinstance(node, LinePlot)]
        assert (plot.yValueAxis.valueMin, plot.yValueAxis.valueMax) == (0, measure.maximum)


def test_date_labels_keep_first_and_last_and_do_not_collide() -> None:
    assert date_ticks([0, 49, 157, 231, 364], 0.5, 40) == [0, 157, 364]
    assert date_ticks([0, 3, 5], 10, 40) == [0, 5]
    assert date_ticks([0], 1, 40) == [0]
    assert date_ticks([0, 0], 1, 40) == [0]
