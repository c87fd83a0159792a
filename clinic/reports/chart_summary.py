"""The exam summary: one exam on chart-ready pages, and a batch of them in one PDF."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from clinic.domain.body_areas import zone_label
from clinic.domain.document import decimal_text
from clinic.domain.report_models import ExamSummary
from clinic.domain.scales import ExamStatus
from clinic.domain.scoring_outcomes import CriterionResult
from clinic.domain.sites import ALL_SITES
from clinic.domain.summary import OUTCOME_LABELS, muscle_name, pressure_text, survey_lines
from clinic.reports.body_map import body_diagram_flowables
from clinic.reports.containers import Columns, KeepLines
from clinic.reports.flowables import Heading, PlainParagraph
from clinic.reports.layout import (
    PageHeader,
    header_shortens_patient,
    local_time,
    patient_identity,
    render_parts,
)
from clinic.reports.styles import INK, PAINFUL, styles, text
from clinic.reports.tables import ROW_SPLIT_MIN, TallRowTable, data_table

CONTENT_WIDTH_SHARE = 0.5


def patient_line(summary: ExamSummary) -> str:
    """Whose page this is, as every page header says it."""
    return patient_identity(summary.record.patient)[0]


def page_header(summary: ExamSummary) -> PageHeader:
    """The header of every page of one exam's summary."""
    record = summary.record
    line, kept = patient_identity(record.patient)
    return PageHeader(
        title=f"Exam summary · exam of {record.exam_date.isoformat()}",
        patient_line=line,
        draft=record.status is ExamStatus.DRAFT,
        banner=(
            f"ENTERED IN ERROR: {record.entered_in_error.reason}"
            if record.entered_in_error is not None
            else ""
        ),
        patient_kept=kept,
    )


def _credentials(credentials: str) -> str:
    return f", {credentials}" if credentials else ""


def _words(value: StrEnum) -> str:
    return value.value.replace("_", " ")


def _p(value: object, style: str = "cell") -> Flowable:
    return PlainParagraph(value, styles()[style])


def _typed(value: str, style: str = "body") -> list[Flowable]:
    """Free text as typed, a paragraph per line (a blank line keeps its height): one paragraph
    of thousands of lines would be broken again at every page end, for minutes."""
    leading = styles()[style].leading
    return [_p(line, style) if line.strip() else Spacer(0, leading) for line in value.split("\n")]


def _heading(value: str) -> Flowable:
    return Heading(value, styles()["h2"])


def _banner(value: str, colour: colors.Color) -> Table:
    # A reason may be as long as a page: the one row then splits across pages.
    cells = [[Paragraph(text(value), styles()["banner"])]]
    table = TallRowTable(cells, hAlign="LEFT", splitInRow=ROW_SPLIT_MIN)
    table.setStyle(
        TableStyle([("BACKGROUND", (0, 0), (-1, -1), colour), ("LEFTPADDING", (0, 0), (-1, -1), 6)])
    )
    return table


def _overview(summary: ExamSummary, width: float) -> list[Flowable]:
    record, scores = summary.record, summary.scores
    status = {
        ExamStatus.DRAFT: "Draft, not signed",
        ExamStatus.SIGNED: "Signed",
        ExamStatus.ENTERED_IN_ERROR: "Entered in error",
    }[record.status]
    story: list[Flowable] = [_p(f"Exam of {record.exam_date.isoformat()}", "h1")]
    header = page_header(summary)
    if header_shortens_patient(summary.clinic, header):
        story.append(_p(f"Patient: {header.patient_line}", "body"))  # too long for the header
    story += [
        _p(
            f"Examining clinician: {record.clinician.name}"
            f"{_credentials(record.clinician.credentials)} · {status}",
            "body",
        ),
    ]
    if record.entered_in_error is not None:
        mark = record.entered_in_error
        story += [
            Spacer(0, 2 * mm),
            _banner(
                f"ENTERED IN ERROR — {mark.reason} (marked by {mark.marked_by.name}, "
                f"{local_time(mark.marked_at, summary.clinic.time_zone)})",
                PAINFUL,
            ),
        ]
    key_scores = [
        scores.tender_point_count.text,
        scores.mtps_tender_point_count.text,
        scores.fibromyalgia_intensity.text,
        scores.wpi.text,
        scores.sss_2010.text,
        scores.sss_2011.text,
        scores.fibromyalgia_severity.text,
        scores.trigger_points.text,
    ]
    scores_column = [_p("Scores", "cell_bold")] + [_p(line) for line in key_scores]
    diagram = body_diagram_flowables(summary.marks, width * CONTENT_WIDTH_SHARE)
    layout = Columns(
        [diagram, scores_column],
        [width * CONTENT_WIDTH_SHARE, width * (1 - CONTENT_WIDTH_SHARE)],
    )
    story += [Spacer(0, 3 * mm), layout]
    return story


def _criterion(result: CriterionResult) -> Flowable:
    lines = [_p(f"{result.version}: {OUTCOME_LABELS[result.outcome]}", "cell_bold")]
    lines += [_p(f"• {c.text} — {OUTCOME_LABELS[c.outcome]}") for c in result.conditions]
    return KeepLines(lines)


def _criteria(summary: ExamSummary) -> list[Flowable]:
    scores = summary.scores
    story: list[Flowable] = [_heading("Classification criteria (research aids, not a diagnosis)")]
    for result in (scores.acr_1990, scores.acr_2010, scores.acr_2011, scores.acr_2016):
        story += [_criterion(result), Spacer(0, 1.5 * mm)]
    return story


def _comparison(summary: ExamSummary) -> list[Flowable]:
    comparison = summary.comparison
    if comparison is None:
        return []
    heading = f"Compared with the previous signed exam of {comparison.previous_date.isoformat()}"
    return [KeepLines([_heading(heading), *(_p(change.text) for change in comparison.scores)])]


def _signed(change: int | None) -> str:
    return "" if change is None else f"{change:+d}".replace("-", "−").replace("+0", "0")


def _tender_points(summary: ExamSummary, width: float) -> list[Flowable]:
    findings = summary.record.findings.tender_points
    previous = {s.site_code: s for s in summary.comparison.sites} if summary.comparison else {}
    header = ["Site", "Painful", "Rating", "Algometer threshold", "Note"]
    shares = [0.27, 0.09, 0.08, 0.26, 0.3]
    if previous:
        header[3:3] = ["Before", "Change"]
        shares = [0.25, 0.08, 0.07, 0.07, 0.08, 0.22, 0.23]
    rows: list[list[object]] = [list(header)]
    for site in ALL_SITES:
        finding = findings.get(site.code)
        row: list[object]
        label = (
            f"{site.label} (control)"
            if site.control and "control" not in site.label
            else site.label
        )
        if finding is None:
            row = [label, "—", "—", "", "not recorded"]
        elif not finding.examined:
            reason = finding.not_examined_reason or "no reason given"
            row = [label, "—", "—", "", f"not examined: {reason}"]
        else:
            painful = {True: "yes", False: "no", None: "not asked"}[finding.painful]
            rating = finding.effective_rating
            row = [
                label,
                painful,
                "—" if rating is None else f"{rating}/10",
                pressure_text(finding.ppt),
                "",
            ]
        if previous:
            change = previous.get(site.code)
            before = "" if change is None or change.previous is None else f"{change.previous}/10"
            row[3:3] = [before, _signed(change.change if change else None)]
        rows.append(row)
    story: list[Flowable] = [
        _heading("Tender points and control points"),
        data_table(rows, [width * share for share in shares]),
    ]
    differences = summary.scores.pressure_differences
    if differences:
        story += [Spacer(0, 1.5 * mm), _p("Algometer left–right differences", "cell_bold")]
        story += [_p(difference.text) for difference in differences]
    return story


def _trigger_points(summary: ExamSummary, width: float) -> list[Flowable]:
    points = summary.record.findings.trigger_points
    story: list[Flowable] = [_heading("Trigger points")]
    if not points:
        return [*story, _p("None recorded.")]
    rows: list[list[object]] = [
        [
            "#",
            "Muscle, side, location",
            "Nodule mm",
            "Grade",
            "Rating",
            "Delphi 2018",
            "Class",
            "Referral",
        ]
    ]
    for score, point in zip(summary.scores.trigger_points.points, points, strict=True):
        where = f"{muscle_name(point)}, {point.side.value}"
        if point.location_in_muscle:
            where += f", {point.location_in_muscle}"
        nodule = decimal_text(point.nodule_length_mm) or "—"
        if point.nodule_width_mm is not None:
            nodule += f" × {decimal_text(point.nodule_width_mm)}"
        classification = (
            score.classification.value.replace("_", " ") if score.classification else "not decided"
        )
        referral = ", ".join(zone_label(zone) for zone in point.referral_zones)
        if point.referral_description:
            referral = (
                f"{referral}; {point.referral_description}"
                if referral
                else point.referral_description
            )
        rows.append(
            [
                score.index + 1,
                where,
                nodule,
                point.tenderness_grade.value if point.tenderness_grade else "—",
                "—" if point.rating is None else f"{point.rating}/10",
                OUTCOME_LABELS[score.criteria.outcome],
                classification,
                referral or "—",
            ]
        )
    widths = [0.04, 0.22, 0.09, 0.07, 0.08, 0.12, 0.1, 0.28]
    return [*story, data_table(rows, [width * share for share in widths])]


def _survey(summary: ExamSummary, width: float) -> list[Flowable]:
    rows: list[list[object]] = [["Question", "Answer"]]
    rows += [[question, answer] for question, answer in survey_lines(summary.record.survey)]
    return [_heading("History and survey"), data_table(rows, [width * 0.35, width * 0.65])]


def _assessment(summary: ExamSummary) -> list[Flowable]:
    impression = summary.record.impression
    return [
        _heading("Impression, assessment and plan"),
        _p(
            f"Fibromyalgia diagnosed: {impression.fibromyalgia.value.replace('_', ' ')} · "
            f"Myofascial pain syndrome diagnosed: {_words(impression.myofascial_pain_syndrome)}",
            "body",
        ),
        Spacer(0, 1.5 * mm),
        _p("Assessment", "cell_bold"),
        *_typed(impression.assessment or "—"),
        Spacer(0, 1.5 * mm),
        _p("Plan", "cell_bold"),
        *_typed(impression.plan or "—"),
    ]


def _signature(summary: ExamSummary) -> list[Flowable]:
    signature = summary.record.signature
    if signature is None:
        return []
    signer = signature.signed_by
    name = f"{signer.name}, {signer.credentials}" if signer.credentials else signer.name
    licence = f" · licence {signer.licence_number}" if signer.licence_number else ""
    box = Table(
        [
            [
                [
                    _p("Electronically signed", "cell_bold"),
                    _p(f"{name}{licence}", "body"),
                    _p(
                        f"{local_time(signature.signed_at, summary.clinic.time_zone)}"
                        f" · digest {signature.digest[:12]}"
                    ),
                ]
            ]
        ],
        hAlign="LEFT",
    )
    box.setStyle(
        TableStyle([("BOX", (0, 0), (-1, -1), 0.8, INK), ("LEFTPADDING", (0, 0), (-1, -1), 6)])
    )
    return [_heading("Signature"), KeepLines([box])]


def _addenda(summary: ExamSummary) -> list[Flowable]:
    addenda = summary.record.addenda
    if not addenda:
        return []
    story: list[Flowable] = [_heading("Addenda")]
    for number, addendum in enumerate(addenda, start=1):
        story.append(
            KeepLines(
                [
                    _p(
                        f"{number}. {local_time(addendum.created_at, summary.clinic.time_zone)}"
                        f" · {addendum.author.name}",
                        "cell_bold",
                    ),
                    *_typed(addendum.text),
                    Spacer(0, 1.5 * mm),
                ]
            )
        )
    return story


def exam_story(summary: ExamSummary, width: float) -> list[Flowable]:
    """Every flowable of one exam's summary, in reading order."""
    return [
        *_overview(summary, width),
        *_criteria(summary),
        *_comparison(summary),
        *_tender_points(summary, width),
        *_trigger_points(summary, width),
        *_survey(summary, width),
        *_assessment(summary),
        *_signature(summary),
        *_addenda(summary),
    ]


def _metadata(summaries: Sequence[ExamSummary], title: str) -> dict[str, str]:
    clinic = summaries[0].clinic if summaries else None
    return {
        "title": title,
        "author": clinic.name if clinic else "",
        "subject": "Tender point and trigger point exam summary",
    }


def render_exam_summary(summary: ExamSummary, generated_note: str = "") -> bytes:
    """One exam's chart summary as PDF bytes."""
    return render_exam_batch([summary], generated_note=generated_note, title=None)


def render_exam_batch(
    summaries: Sequence[ExamSummary], generated_note: str = "", title: str | None = "Exams"
) -> bytes:
    """Several exams in one PDF, each starting on a new page with its own page numbers."""
    if not summaries:
        raise ValueError("a batch needs at least one exam")
    from clinic.reports.styles import MARGIN_LEFT, MARGIN_RIGHT, PAGE_SIZES

    clinic = summaries[0].clinic
    width = PAGE_SIZES[clinic.paper_size][0] - MARGIN_LEFT - MARGIN_RIGHT
    parts = [(page_header(summary), exam_story(summary, width)) for summary in summaries]
    if title is None:
        record = summaries[0].record
        patient = record.patient
        title = (
            f"Exam summary — {patient.family_name}, {patient.given_name} — "
            f"{record.exam_date.isoformat()}"
        )
    return render_parts(
        clinic, parts, summaries[0].printed_at, _metadata(summaries, title), generated_note
    )
