"""The patient trend PDF: every signed exam's scores in a table, then one small chart per measure.

Each chart's y axis spans the measure's whole published range, so a change of two tender points
looks like two of eighteen, not like a cliff. A score that could not be computed for an exam is
"—" in the table and a gap in the line: missing is never drawn as zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from clinic.domain.criteria_sets import WPI_AREA_CODES
from clinic.domain.report_models import PatientTrend, TrendPoint
from clinic.domain.scales import PAIN_RATING_MAX
from clinic.domain.scoring_survey import FS_MAX, SSS_MAX
from clinic.domain.scoring_tender_points import SITE_COUNT
from clinic.reports.layout import (
    PageHeader,
    header_shortens_patient,
    patient_identity,
    render_parts,
)
from clinic.reports.styles import (
    FONT,
    FONT_BOLD,
    INK,
    LATENT,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MUTED,
    PAGE_SIZES,
    RULE,
    SHADE,
    styles,
    text,
)

NOT_AVAILABLE = "—"
TITLE = "Patient trend"
_CHART_HEIGHT = 44 * mm
_DATE_LABEL_GAP = 46.0  # points between date labels: an ISO date at 6.5 pt is about 36 wide


@dataclass(frozen=True)
class Series:
    """One line on a chart: a score read from each exam, None where it is incomplete."""

    label: str
    value: Callable[[TrendPoint], float | None]
    colour: Color
    marker: str
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Measure:
    """One chart: a measure's full 0..maximum range and the lines drawn on it."""

    title: str
    maximum: int
    step: int
    series: tuple[Series, ...]

    @property
    def ticks(self) -> list[int]:
        """Evenly spaced values up to the maximum, which is always labelled."""
        ticks = list(range(0, self.maximum, self.step))
        if self.maximum - ticks[-1] < self.step / 2:
            ticks.pop()  # 30 and 31 would print on top of each other
        return [*ticks, self.maximum]


def _float(value: int | Decimal | None) -> float | None:
    return None if value is None else float(value)


def _one_line(
    name: str, maximum: int, step: int, value: Callable[[TrendPoint], float | None]
) -> Measure:
    return Measure(
        f"{name} (0–{maximum})", maximum, step, (Series(name, value, INK, "FilledCircle"),)
    )


# Ranges come from the scoring modules; each chart spans its measure's whole published range.
MEASURES: tuple[Measure, ...] = (
    Measure(
        f"Tender point count (0–{SITE_COUNT})",
        SITE_COUNT,
        3,
        (
            Series("ACR 1990", lambda p: _float(p.tender_point_count), INK, "FilledCircle"),
            # Dashed, square and blue: the two lines stay apart on a black-and-white copy.
            Series(
                "MTPS", lambda p: _float(p.mtps_tender_point_count), LATENT, "FilledSquare", (3, 2)
            ),
        ),
    ),
    _one_line("FIS", PAIN_RATING_MAX, 2, lambda p: _float(p.fis)),
    _one_line("WPI", len(WPI_AREA_CODES), 5, lambda p: _float(p.wpi)),
    _one_line("SSS", SSS_MAX, 3, lambda p: _float(p.sss)),
    _one_line("FS", FS_MAX, 5, lambda p: _float(p.fs)),
)


def patient_line(trend: PatientTrend) -> str:
    """Return the header's line naming the patient: family, given · MRN · born."""
    return patient_identity(trend.patient)[0]


def page_header(trend: PatientTrend) -> PageHeader:
    """The header of every page of the trend."""
    line, kept = patient_identity(trend.patient)
    return PageHeader(title=TITLE, patient_line=line, patient_kept=kept)


def render_patient_trend(trend: PatientTrend) -> bytes:
    """Render a patient's signed exam scores over time as a PDF."""
    patient = trend.patient
    name = f"{patient.family_name}, {patient.given_name}"
    width = PAGE_SIZES[trend.clinic.paper_size][0] - MARGIN_LEFT - MARGIN_RIGHT
    header = page_header(trend)
    metadata = {
        "title": f"Patient trend — {name}",
        "subject": "Signed exam scores over time",
        "author": trend.clinic.name,
    }
    return render_parts(
        trend.clinic, [(header, trend_flowables(trend, width))], trend.printed_at, metadata
    )


def trend_flowables(trend: PatientTrend, width: float) -> list[Flowable]:
    """Return the heading, the table of exams and the charts, or what stands in for them."""
    s = styles()
    points = sorted(trend.points, key=lambda p: (p.exam_date, p.exam_id))
    story: list[Flowable] = [Paragraph("Signed exam scores over time", s["h1"])]
    header = page_header(trend)
    if header_shortens_patient(trend.clinic, header):
        # Too long for the page header: whole here, once.
        story.append(Paragraph(text(f"Patient: {header.patient_line}"), s["body"]))
    if not points:
        story.append(Paragraph("No signed exams.", s["body"]))
        return story
    story.append(Paragraph(text(_span_line(points)), s["small"]))
    story += [Spacer(0, 3 * mm), _exam_table(points, width)]
    if len(points) == 1:
        story += [Spacer(0, 4 * mm), Paragraph("One signed exam: no trend yet.", s["body"])]
        return story
    note = (
        "Each axis spans the measure's full range. A gap in a line is an exam whose score was "
        f"incomplete ({NOT_AVAILABLE} in the table)."
    )
    # Heading, note and charts move to the next page together rather than leave an orphan.
    story.append(
        KeepTogether(
            [
                Paragraph("Scores over time", s["h2"]),
                Paragraph(text(note), s["small"]),
                Spacer(0, 2 * mm),
                _chart_grid(points, width),
            ]
        )
    )
    return story


def _span_line(points: Sequence[TrendPoint]) -> str:
    first, last = points[0].exam_date, points[-1].exam_date
    if len(points) == 1:
        return f"1 signed exam, {first.isoformat()}. Incomplete scores print as {NOT_AVAILABLE}."
    return (
        f"{len(points)} signed exams, {first.isoformat()} to {last.isoformat()}. "
        f"Incomplete scores print as {NOT_AVAILABLE}."
    )


_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Exam date", ""),
    ("TPC", f"ACR 1990, 0–{SITE_COUNT}"),
    ("MTPS count", f"0–{SITE_COUNT}"),
    ("FIS", f"0–{PAIN_RATING_MAX}"),
    ("WPI", f"0–{len(WPI_AREA_CODES)}"),
    ("SSS", f"0–{SSS_MAX}"),
    ("FS", f"0–{FS_MAX}"),
)


def table_row(point: TrendPoint) -> list[str]:
    """Return one exam's row as printed: the date, then each score or "—"."""
    fis = None if point.fis is None else f"{point.fis:.1f}"
    values = (
        point.tender_point_count,
        point.mtps_tender_point_count,
        fis,
        point.wpi,
        point.sss,
        point.fs,
    )
    return [point.exam_date.isoformat()] + [
        NOT_AVAILABLE if value is None else str(value) for value in values
    ]


def _exam_table(points: Sequence[TrendPoint], width: float) -> Table:
    s = styles()
    header = [
        Paragraph(
            f"{text(title)}<br/><font name='{FONT}' size='6.5' color='{MUTED.hexval()}'>"
            f"{text(scale)}</font>"
            if scale
            else text(title),
            s["cell_bold"],
        )
        for title, scale in _COLUMNS
    ]
    rows = [[Paragraph(text(cell), s["cell"]) for cell in table_row(p)] for p in points]
    date_width = 26 * mm
    score_width = (width - date_width) / (len(_COLUMNS) - 1)
    table = Table(
        [header, *rows],
        colWidths=[date_width] + [score_width] * (len(_COLUMNS) - 1),
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def _chart_grid(points: Sequence[TrendPoint], width: float) -> Table:
    """Lay the charts out two to a row; a row never splits across pages."""
    chart_width = width / 2 - 2 * mm
    charts: list[Drawing | str] = [trend_chart(m, points, chart_width) for m in MEASURES]
    if len(charts) % 2:
        charts.append("")
    rows = [charts[i : i + 2] for i in range(0, len(charts), 2)]
    grid = Table(rows, colWidths=[width / 2] * 2, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return grid


def series_segments(series: Series, points: Sequence[TrendPoint]) -> list[list[tuple[int, float]]]:
    """Split a line into runs of consecutive exams that have the score: gaps stay gaps."""
    first = points[0].exam_date
    segments: list[list[tuple[int, float]]] = [[]]
    for point in points:
        value = series.value(point)
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(((point.exam_date - first).days, value))
    return [segment for segment in segments if segment]


def trend_chart(measure: Measure, points: Sequence[TrendPoint], width: float) -> Drawing:
    """Draw one measure over time: days since the first exam, labelled with the exam dates."""
    drawing = Drawing(width, _CHART_HEIGHT)
    plot = LinePlot()
    plot.x, plot.y = 22, 20
    plot.width, plot.height = width - plot.x - 20, _CHART_HEIGHT - plot.y - 22
    data: list[list[tuple[int, float]]] = []
    for series in measure.series:
        for segment in series_segments(series, points):
            line = plot.lines[len(data)]
            line.strokeColor, line.strokeWidth = series.colour, 1.2
            line.strokeDashArray = series.dash
            line.symbol = makeMarker(
                series.marker, size=4.5, fillColor=series.colour, strokeColor=series.colour
            )
            data.append(segment)
    if not data:  # no exam has this score: axes only, and say why the chart is empty
        data = [[(0, 0)]]
        plot.lines[0].strokeColor, plot.lines[0].symbol = None, None
        drawing.add(
            String(
                plot.x + plot.width / 2,
                plot.y + plot.height / 2,
                "Not complete at any exam",
                fontName=FONT,
                fontSize=7,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
    plot.data = data
    first = points[0].exam_date
    days = [(p.exam_date - first).days for p in points]
    _date_axis(plot, first, days)
    _value_axis(plot, measure)
    drawing.add(plot)
    drawing.add(
        String(0, _CHART_HEIGHT - 9, measure.title, fontName=FONT_BOLD, fontSize=8, fillColor=INK)
    )
    if len(measure.series) > 1:
        _series_key(drawing, measure.series, plot.x + plot.width)
    return drawing


def _date_axis(plot: LinePlot, first: date, days: Sequence[int]) -> None:
    span = max(days)
    # Keep the first and last markers off the axes; exams all on one day sit mid-chart.
    pad = span * 0.05 if span else 1.0
    axis = plot.xValueAxis
    axis.valueMin, axis.valueMax = -pad, span + pad
    axis.valueSteps = date_ticks(days, plot.width / (span + 2 * pad), _DATE_LABEL_GAP)
    axis.labelTextFormat = lambda day: (first + timedelta(days=round(day))).isoformat()
    axis.labels.fontName, axis.labels.fontSize, axis.labels.fillColor = FONT, 6.5, MUTED
    axis.strokeColor, axis.tickDown = RULE, 2


def _value_axis(plot: LinePlot, measure: Measure) -> None:
    axis = plot.yValueAxis
    axis.valueMin, axis.valueMax = 0, measure.maximum
    axis.valueSteps = measure.ticks
    axis.labels.fontName, axis.labels.fontSize, axis.labels.fillColor = FONT, 6.5, MUTED
    axis.strokeColor, axis.tickLeft = RULE, 2
    axis.visibleGrid, axis.gridStrokeColor, axis.gridStrokeWidth = 1, SHADE, 0.6


def date_ticks(days: Sequence[int], points_per_day: float, gap: float) -> list[int]:
    """Pick exam days to label, first and last always, none closer than `gap` points."""
    unique = sorted(set(days))
    kept = [unique[0]]
    for day in unique[1:]:
        if (day - kept[-1]) * points_per_day >= gap:
            kept.append(day)
    if kept[-1] != unique[-1]:
        if len(kept) > 1:
            kept[-1] = unique[-1]  # the latest exam matters more than the one before it
        elif (unique[-1] - kept[0]) * points_per_day >= gap:
            kept.append(unique[-1])
    return kept


def _series_key(drawing: Drawing, series: Sequence[Series], right: float) -> None:
    """Name each line beside the title, ending at the plot's right edge."""
    x = right
    for item in reversed(series):
        x -= stringWidth(item.label, FONT, 7)
        drawing.add(
            String(x, _CHART_HEIGHT - 9, item.label, fontName=FONT, fontSize=7, fillColor=INK)
        )
        drawing.add(
            Line(
                x - 16,
                _CHART_HEIGHT - 6.5,
                x - 4,
                _CHART_HEIGHT - 6.5,
                strokeColor=item.colour,
                strokeWidth=1.2,
                strokeDashArray=item.dash,
            )
        )
        drawing.add(
            makeMarker(
                item.marker,
                x=x - 10,
                y=_CHART_HEIGHT - 6.5,
                size=4.5,
                fillColor=item.colour,
                strokeColor=item.colour,
            )
        )
        x -= 24
