"""Autosave: one finding at a time, versioned, idempotent by a client-generated key.

The tablet sends each change with the version it was based on and a key it made up; a retry of
the same key is answered from its receipt and changes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.domain.document import tender_point_json, trigger_point_json
from clinic.domain.record import RecordedTenderPoint, RecordedTriggerPoint
from clinic.domain.scoring import ExamScores, score_exam
from clinic.domain.scoring_outcomes import CriterionResult
from clinic.domain.summary import OUTCOME_LABELS
from clinic.models import Exam, SaveReceipt, TenderPointFinding, TriggerPointFinding, User
from clinic.services.records import exam_findings, tender_point_input, trigger_point_input

MAX_KEY_LENGTH = 64


@dataclass(frozen=True)
class SaveAnswer:
    """The HTTP status and JSON body of one autosave."""

    status: int
    body: dict[str, Any]


def receipt_for(session: Session, user: User, key: str) -> SaveReceipt | None:
    """The earlier answer to this user's save with this key, if there was one."""
    return session.scalars(
        select(SaveReceipt).where(SaveReceipt.user_id == user.id, SaveReceipt.key == key)
    ).first()


def keep_receipt(session: Session, user: User, exam: Exam, key: str, answer: SaveAnswer) -> None:
    """Remember the answer to a key so a retry gets it again without a second save."""
    session.add(
        SaveReceipt(
            user_id=user.id,
            key=key,
            exam_id=exam.id,
            status_code=answer.status,
            response=answer.body,
        )
    )
    session.flush()


# The exam page's Scores card, line by line, in the order the page lists them.
CARD_LINES = (
    "tender_point_count",
    "mtps_tender_point_count",
    "fibromyalgia_intensity",
    "wpi",
    "sss_2010",
    "sss_2011",
    "generalized_pain_regions",
    "fibromyalgia_severity",
    "trigger_points",
)
CARD_CRITERIA = ("acr_1990", "acr_2010", "acr_2011", "acr_2016")


def _criterion(result: CriterionResult) -> dict[str, Any]:
    return {
        "version": result.version,
        "outcome": result.outcome.value,
        "outcome_label": OUTCOME_LABELS[result.outcome],
        "conditions": [
            {
                "text": condition.text,
                "outcome": condition.outcome.value,
                "outcome_label": OUTCOME_LABELS[condition.outcome],
            }
            for condition in result.conditions
        ],
    }


def running_scores(scores: ExamScores) -> dict[str, Any]:
    """Every score the exam page shows (the running line and the Scores card), from one scoring
    of the exam as it now stands, so the two always agree."""
    fis = scores.fibromyalgia_intensity.value
    answer: dict[str, Any] = {
        "tender_point_count": scores.tender_point_count.value,
        "mtps_tender_point_count": scores.mtps_tender_point_count.value,
        "fis": None if fis is None else str(fis),
        "fis_text": scores.fibromyalgia_intensity.text,
    }
    answer |= {f"{name}_text": getattr(scores, name).text for name in CARD_LINES}
    answer["criteria"] = {name: _criterion(getattr(scores, name)) for name in CARD_CRITERIA}
    answer["pressure_differences"] = [d.text for d in scores.pressure_differences]
    return answer


def exam_scores(exam: Exam) -> dict[str, Any]:
    """The scores of an exam as it now stands: the survey is read too, since the card's WPI,
    SSS and criteria depend on it and ACR 1990 on both."""
    return running_scores(score_exam(exam_findings(exam)))


def tender_point_state(row: TenderPointFinding) -> dict[str, Any]:
    """A stored site finding in the document's shape, with its id and version."""
    return tender_point_json(
        RecordedTenderPoint(str(row.uuid), row.version, tender_point_input(row))
    )


def trigger_point_state(row: TriggerPointFinding) -> dict[str, Any]:
    """A stored trigger point in the document's shape, with its id and version."""
    recorded = RecordedTriggerPoint(str(row.uuid), row.version, trigger_point_input(row))
    return trigger_point_json(recorded, row.position)
