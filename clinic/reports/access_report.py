"""The patient's access report PDF: every recorded view, print, export and change of the
patient's record, oldest first, in the clinic's page layout (header, "Page X of Y")."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph, Spacer

from clinic.domain.access_report import AccessReport
from clinic.reports.layout import PageHeader, local_time, patient_identity, render_parts
from clinic.reports.styles import MARGIN_LEFT, MARGIN_RIGHT, PAGE_SIZES, styles, text
from clinic.reports.tables import data_table

TITLE = "Access report"
# Shares of the text width: when, who, what was done, on what, from where.
_COLUMNS = (0.2, 0.27, 0.22, 0.19, 0.12)


def render_access_report(report: AccessReport) -> bytes:
    """Render who saw, printed, exported or changed the patient's record as a PDF."""
    line, kept = patient_identity(report.patient)
    header = PageHeader(title=TITLE, patient_line=line, patient_kept=kept)
    width = PAGE_SIZES[report.clinic.paper_size][0] - MARGIN_LEFT - MARGIN_RIGHT
    name = f"{report.patient.family_name}, {report.patient.given_name}"
    metadata = {
        "title": f"{TITLE} — {name}",
        "subject": "Who saw, printed, exported or changed this patient's record",
        "author": report.clinic.name,
    }
    return render_parts(
        report.clinic, [(header, _story(report, width))], report.printed_at, metadata
    )


def _story(report: AccessReport, width: float) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        Paragraph(text("Who saw, printed, exported or changed this record"), s["h1"]),
        Paragraph(
            text(
                f"{len(report.entries)} recorded action(s), oldest first, from the clinic's "
                "audit trail. Times are the clinic's local time."
            ),
            s["small"],
        ),
        Spacer(0, 4),
    ]
    if not report.entries:
        story.append(Paragraph(text("Nothing has been recorded for this patient."), s["body"]))
        return story
    zone = report.clinic.time_zone
    rows: list[list[object]] = [["When", "Who", "Action", "On", "From"]]
    rows.extend(
        [local_time(entry.at, zone), entry.who, entry.action, entry.what, entry.address]
        for entry in report.entries
    )
    story.append(data_table(rows, [share * width for share in _COLUMNS]))
    return story
