"""What the body diagram marks, derived once from the findings for the PDF and the tablet map."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clinic.domain.findings import ExamFindings
from clinic.domain.scales import Side, TriggerPointClass
from clinic.domain.scoring_trigger_points import TriggerPointSummary
from clinic.domain.sites import ALL_SITES


class SiteState(StrEnum):
    """How a site is marked: painful filled, not painful open, not examined crossed; examined
    with "painful" unanswered its own mark, never drawn as not painful."""

    PAINFUL = "painful"
    NOT_PAINFUL = "not_painful"
    UNANSWERED = "unanswered"
    NOT_EXAMINED = "not_examined"
    NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class SiteMark:
    """One tender-point or control site on the diagram."""

    site_code: str
    state: SiteState
    rating: int | None


@dataclass(frozen=True)
class TriggerPointMark:
    """A trigger point drawn on its muscle, numbered as in the exam's list."""

    number: int
    muscle_code: str | None
    side: Side
    classification: TriggerPointClass | None
    referral_zones: tuple[str, ...]


@dataclass(frozen=True)
class DiagramMarks:
    """Every mark of one exam's body diagram."""

    sites: tuple[SiteMark, ...]
    trigger_points: tuple[TriggerPointMark, ...]

    @property
    def referral_zones(self) -> frozenset[str]:
        """Every zone any trigger point refers to (shaded once however many refer there)."""
        return frozenset(zone for mark in self.trigger_points for zone in mark.referral_zones)


def diagram_marks(findings: ExamFindings, trigger_points: TriggerPointSummary) -> DiagramMarks:
    """Derive the diagram's marks from an exam's findings and trigger-point scores."""
    sites = []
    for site in ALL_SITES:
        finding = findings.tender_points.get(site.code)
        if finding is None:
            state = SiteState.NOT_RECORDED
        elif not finding.examined:
            state = SiteState.NOT_EXAMINED
        elif finding.painful is None:
            state = SiteState.UNANSWERED
        elif finding.painful:
            state = SiteState.PAINFUL
        else:
            state = SiteState.NOT_PAINFUL
        rating = finding.effective_rating if finding is not None else None
        sites.append(SiteMark(site.code, state, rating))
    marks = tuple(
        TriggerPointMark(
            number=score.index + 1,
            muscle_code=point.muscle_code,
            side=point.side,
            classification=score.classification,
            referral_zones=point.referral_zones,
        )
        for score, point in zip(trigger_points.points, findings.trigger_points, strict=True)
    )
    return DiagramMarks(tuple(sites), marks)
