"""Comparing an exam with the patient's previous signed exam.

The smallest detectable difference of the tender point count between raters is 4 to 6 points
(clinical reference, section 1.4 [TPC-J]): a change of fewer than 4 is within measurement
error, 4 to 6 is possibly real, more than 6 is beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clinic.domain.findings import ExamFindings
from clinic.domain.scoring import ExamScores
from clinic.domain.sites import ACR_SITES

SDD_LOW = 4
SDD_HIGH = 6


@dataclass(frozen=True)
class ScoreChange:
    """One score then and now, with the change in words."""

    label: str
    previous: str
    current: str
    change: Decimal | None
    text: str


@dataclass(frozen=True)
class SiteRatingChange:
    """A site's 0-10 rating then and now."""

    site_code: str
    label: str
    previous: int | None
    current: int | None
    change: int | None


@dataclass(frozen=True)
class Comparison:
    """How this exam differs from the previous signed one."""

    previous_exam_id: str
    previous_date: date
    scores: tuple[ScoreChange, ...]
    sites: tuple[SiteRatingChange, ...]


def signed_number(change: Decimal) -> str:
    """A change with its sign, using a true minus: "+2", "−3", "0", "−0.4"."""
    if change == 0:
        return "0"
    text = format(abs(change).normalize(), "f")
    return f"+{text}" if change > 0 else f"−{text}"


def tender_point_verdict(change: int) -> str:
    """Where a change in tender point count stands against the smallest detectable difference."""
    size = abs(change)
    if size < SDD_LOW:
        return "within measurement error"
    if size <= SDD_HIGH:
        return "possibly real"
    return "beyond measurement error"


def _change(
    label: str,
    previous: Decimal | int | None,
    current: Decimal | int | None,
    unit: str,
    verdict: bool = False,
) -> ScoreChange:
    shown_previous = "incomplete" if previous is None else str(previous)
    shown_current = "incomplete" if current is None else str(current)
    if previous is None or current is None:
        return ScoreChange(
            label, shown_previous, shown_current, None, f"{label}: not comparable (incomplete)"
        )
    change = Decimal(current) - Decimal(previous)
    text = f"{label}: {signed_number(change)} {unit}".rstrip()
    if verdict:
        text += f": {tender_point_verdict(int(change))}"
    return ScoreChange(label, shown_previous, shown_current, change, text)


def compare_exams(
    previous_id: str,
    previous_date: date,
    previous: tuple[ExamFindings, ExamScores],
    current: tuple[ExamFindings, ExamScores],
) -> Comparison:
    """Compare the current exam with the previous signed exam of the same patient."""
    (old_findings, old), (new_findings, new) = previous, current
    scores = (
        _change(
            "ACR 1990 tender point count",
            old.tender_point_count.value,
            new.tender_point_count.value,
            "tender points",
            verdict=True,
        ),
        _change(
            "MTPS tender point count",
            old.mtps_tender_point_count.value,
            new.mtps_tender_point_count.value,
            "tender points",
            verdict=True,
        ),
        _change("FIS", old.fibromyalgia_intensity.value, new.fibromyalgia_intensity.value, ""),
        _change("WPI", old.wpi.value, new.wpi.value, ""),
        _change("SSS", old.sss_2011.value, new.sss_2011.value, ""),
        _change("FS", old.fibromyalgia_severity.value, new.fibromyalgia_severity.value, ""),
    )
    sites = []
    for site in ACR_SITES:
        before = old_findings.tender_points.get(site.code)
        after = new_findings.tender_points.get(site.code)
        was = before.effective_rating if before else None
        now = after.effective_rating if after else None
        delta = now - was if was is not None and now is not None else None
        sites.append(SiteRatingChange(site.code, site.label, was, now, delta))
    return Comparison(previous_id, previous_date, scores, tuple(sites))
