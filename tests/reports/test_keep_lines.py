"""Lines kept together (a heading with the lines under it) print wherever the page happens to
end: whole on the page when they fit, whole on the next page when they do not, and line by line
from a page's top when they are longer than a page.

A follow-up exam printed on Letter failed here: its comparison heading, which asks for room
below it so as not to end a page, landed a few lines above the page end, and the block handed
the page back lines that did not fit ("Splitting error").
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.platypus import Flowable, Spacer

from clinic.domain.report_models import ClinicHeader
from clinic.domain.scales import PaperSize
from clinic.reports.containers import KeepLines
from clinic.reports.flowables import Heading, PlainParagraph
from clinic.reports.layout import PageHeader, render_parts
from clinic.reports.styles import MARGIN_BOTTOM, MARGIN_TOP, PAGE_SIZES, styles

HEADING = "Compared with the previous signed exam of 2026-08-20"


def _print(paper: PaperSize, story: list[Flowable]) -> list[str]:
    clinic = ClinicHeader("Riverside Pain Clinic", "", "", paper, "UTC")
    header = PageHeader("Exam summary", "Łukasiewicz, Zoë · MRN A-1001 · born 1981-04-02")
    printed_at = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    data = render_parts(clinic, [(header, story)], printed_at, {"title": "Exam"})
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def _block(lines: int) -> KeepLines:
    return KeepLines(
        [
            Heading(HEADING, styles()["h2"]),
            *(PlainParagraph(f"Score line {n}: −2", styles()["cell"]) for n in range(lines)),
        ]
    )


def _frame_height(paper: PaperSize) -> float:
    return float(PAGE_SIZES[paper][1] - MARGIN_TOP - MARGIN_BOTTOM)


@pytest.mark.parametrize("paper", [PaperSize.LETTER, PaperSize.A4])
def test_a_heading_kept_with_its_lines_prints_wherever_the_page_ends(paper: PaperSize) -> None:
    frame = _frame_height(paper)
    # The block starts 3 points lower each time, through the last 120 points of the first page
    # (a heading asks for 25 mm, some 71 points, below it).
    for above in range(int(frame) - 120, int(frame), 3):
        pages = _print(
            paper, [Spacer(0, above), _block(6), PlainParagraph("After.", styles()["body"])]
        )
        (page,) = [page for page in pages if HEADING in page]
        for n in range(6):
            assert f"Score line {n}: −2" in page, above
        assert "After." in pages[-1]


@pytest.mark.parametrize("above", [0, 300])
def test_lines_longer_than_a_page_print_every_line_in_order(above: int) -> None:
    pages = _print(PaperSize.LETTER, [Spacer(0, above), _block(90)])
    text = " ".join(pages)
    positions = [text.index(f"Score line {n}: −2") for n in range(90)]
    assert positions == sorted(positions)
    # The heading opens a page, with its first lines under it.
    (first,) = [page for page in pages if HEADING in page]
    assert "Score line 0: −2" in first
    assert len(pages) >= 2
