"""Page furniture every report shares: the header that says whose page it is, "Page X of Y",
the print time, and the DRAFT mark.

Page numbers restart with each document of a batch: every exam of a day batch is its own
"Page 1 of N", because each is filed in its own chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from clinic.domain.record import PatientRef
from clinic.domain.report_models import ClinicHeader
from clinic.reports.fitting import FittedText, fit
from clinic.reports.flowables import draw_string
from clinic.reports.styles import (
    FONT,
    FONT_BOLD,
    INK,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MUTED,
    PAGE_SIZES,
    PAINFUL,
    RULE,
    register_fonts,
)


@dataclass(frozen=True)
class PageHeader:
    """What every page of one document says about whose it is."""

    title: str
    patient_line: str
    draft: bool = False
    banner: str = ""
    # The end of the patient line that prints whole even when the line must be shortened.
    patient_kept: str = ""


def patient_identity(patient: PatientRef) -> tuple[str, str]:
    """The header's line naming the patient (family, given · MRN · born), and its end that
    prints whole even when a long name must be shortened to fit."""
    kept = f" · MRN {patient.mrn} · born {patient.date_of_birth.isoformat()}"
    return f"{patient.family_name}, {patient.given_name}{kept}", kept


@dataclass(frozen=True)
class HeaderTexts:
    """A page header's texts as set: each fitted to its part of the line."""

    clinic: FittedText
    contact: FittedText
    patient: FittedText
    title: FittedText
    banner: FittedText | None


# Between the texts on the left and on the right of a header line.
HEADER_GAP = 12.0


def _widths(
    left: str,
    left_font: tuple[str, float],
    right: str,
    right_font: tuple[str, float],
    width: float,
    right_share: float,
) -> tuple[float, float]:
    """How much of a header line its left and right texts get: what each needs when both fit;
    otherwise the right one up to `right_share` of the line (more if the left needs less)."""
    room = width - HEADER_GAP
    needs_left = stringWidth(left, *left_font)
    needs_right = stringWidth(right, *right_font)
    if needs_left + needs_right <= room:
        return needs_left, needs_right
    right_width = min(needs_right, max(room * right_share, room - needs_left))
    return room - right_width, right_width


def header_texts(clinic: ClinicHeader, header: PageHeader, width: float) -> HeaderTexts:
    """Fit the header's texts to the page: the patient's line comes first, then the title."""
    contact = " · ".join(
        part for part in (clinic.address.replace("\n", ", "), clinic.phone) if part
    )
    clinic_width, patient_width = _widths(
        clinic.name, (FONT_BOLD, 9), header.patient_line, (FONT_BOLD, 8.5), width, 0.7
    )
    contact_width, title_width = _widths(
        contact, (FONT, 7.5), header.title, (FONT, 7.5), width, 0.5
    )
    banner = fit(header.banner, FONT_BOLD, 8.5, width) if header.banner else None
    return HeaderTexts(
        clinic=fit(clinic.name, FONT_BOLD, 9, clinic_width),
        contact=fit(contact, FONT, 7.5, contact_width),
        patient=fit(header.patient_line, FONT_BOLD, 8.5, patient_width, header.patient_kept),
        title=fit(header.title, FONT, 7.5, title_width),
        banner=banner,
    )


def header_shortens_patient(clinic: ClinicHeader, header: PageHeader) -> bool:
    """Whether the page header can show the patient's line only shortened (so the document
    must print it whole elsewhere)."""
    register_fonts()
    width = PAGE_SIZES[clinic.paper_size][0] - MARGIN_LEFT - MARGIN_RIGHT
    return header_texts(clinic, header, width).patient.shortened


@dataclass
class _Part:
    header: PageHeader
    pages: list[int] = field(default_factory=list)


def local_time(moment: datetime, zone: str) -> str:
    """A moment as the clinic reads it: "2026-11-24 10:42 CET"."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


class _PartMarker(Flowable):  # type: ignore[misc]
    """Zero-size flowable that starts a new numbered document within the PDF."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._clinic_part = self.index


class _NumberingCanvas(Canvas):  # type: ignore[misc]
    """Defers page furniture until the end, when each part's page count is known."""

    def __init__(
        self, *args: Any, furniture: Callable[[Canvas, int, int, int], None], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._pages: list[tuple[dict[str, Any], int]] = []
        self._clinic_part = 0

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append((dict(self.__dict__), self._clinic_part))
        self._startPage()

    def save(self) -> None:
        counts: dict[int, int] = {}
        for _state, part in self._pages:
            counts[part] = counts.get(part, 0) + 1
        seen: dict[int, int] = {}
        for state, part in self._pages:
            self.__dict__.update(state)
            seen[part] = seen.get(part, 0) + 1
            self._furniture(self, part, seen[part], counts[part])
            super().showPage()
        super().save()


def render_parts(
    clinic: ClinicHeader,
    parts: Sequence[tuple[PageHeader, list[Flowable]]],
    printed_at: datetime,
    metadata: dict[str, str],
    generated_note: str = "",
) -> bytes:
    """Lay out one or more documents in one PDF, each with its own header and page numbers."""
    register_fonts()
    page_size = PAGE_SIZES[clinic.paper_size]
    width, height = page_size
    printed = local_time(printed_at, clinic.time_zone)
    headers = [
        (header, header_texts(clinic, header, width - MARGIN_LEFT - MARGIN_RIGHT))
        for header, _story in parts
    ]

    def furniture(canvas: Canvas, part: int, number: int, count: int) -> None:
        header, texts = headers[part]
        _draw_furniture(canvas, header, texts, printed, generated_note, number, count, page_size)

    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=metadata.get("title", ""),
        author=metadata.get("author", clinic.name),
        subject=metadata.get("subject", ""),
        creator="Tender Point Clinic",
        invariant=False,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        width - MARGIN_LEFT - MARGIN_RIGHT,
        height - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story: list[Flowable] = []
    for index, (_header, flowables) in enumerate(parts):
        if index:
            story.append(PageBreak())
        story.append(_PartMarker(index))
        story.extend(flowables)
    document.build(
        story, canvasmaker=lambda *a, **k: _NumberingCanvas(*a, furniture=furniture, **k)
    )
    return buffer.getvalue()


def _draw_furniture(
    canvas: Canvas,
    header: PageHeader,
    texts: HeaderTexts,
    printed: str,
    generated_note: str,
    number: int,
    count: int,
    page_size: tuple[float, float],
) -> None:
    width, height = page_size
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top = height - 10 * mm
    canvas.saveState()
    canvas.setFillColor(INK)
    _draw_text(canvas, left, top, texts.clinic)
    _draw_text(canvas, left, top - 9, texts.contact)
    _draw_text(canvas, right - texts.patient.width(), top, texts.patient)
    _draw_text(canvas, right - texts.title.width(), top - 9, texts.title)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(left, top - 13, right, top - 13)
    bottom = 9 * mm
    canvas.line(left, bottom + 9, right, bottom + 9)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 7.5)
    footer = f"Printed {printed}"
    if generated_note:
        footer += f" · {generated_note}"
    draw_string(canvas, left, bottom, footer)
    canvas.setFont(FONT_BOLD, 8)
    _draw_right(canvas, right, bottom, f"Page {number} of {count}")
    if texts.banner is not None:
        # Repeated on every page, so a loose page cannot be filed as a valid record.
        canvas.setFillColor(PAINFUL)
        _draw_text(canvas, left, top - 23, texts.banner)
    if header.draft:
        _draft_mark(canvas, width, height)
    canvas.restoreState()


def _draw_text(canvas: Canvas, x: float, y: float, value: FittedText) -> None:
    canvas.setFont(value.font, value.size)
    draw_string(canvas, x, y, value.value)


def _draw_right(canvas: Canvas, right: float, y: float, value: str) -> None:
    draw_string(canvas, right - stringWidth(value, canvas._fontname, canvas._fontsize), y, value)


def _draft_mark(canvas: Canvas, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(0.75, 0.1, 0.1, alpha=0.16)
    canvas.setFont(FONT_BOLD, 110)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, -35, "DRAFT")
    canvas.restoreState()
