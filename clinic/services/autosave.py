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
from clinic.domain.scoring import RunningScores, score_running
from clinic.models import Exam, SaveReceipt, TenderPointFinding, TriggerPointFinding, User
from clinic.services.records import tender_point_input, trigger_point_input

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


def running_scores(scores: RunningScores) -> dict[str, Any]:
    """The counts the exam page shows as findings come in, computed by the domain."""
    fis = scores.fibromyalgia_intensity.value
    return {
        "tender_point_count": scores.tender_point_count.value,
        "tender_point_count_text": scores.tender_point_count.text,
        "mtps_tender_point_count": scores.mtps_tender_point_count.value,
        "mtps_tender_point_count_text": scores.mtps_tender_point_count.text,
        "fis": None if fis is None else str(fis),
        "fis_text": scores.fibromyalgia_intensity.text,
        "trigger_points_text": scores.trigger_points.text,
    }


def exam_scores(exam: Exam) -> dict[str, Any]:
    """The running scores of an exam as it now stands (the survey is not needed for them)."""
    return running_scores(
        score_running(
            {row.site_code: tender_point_input(row) for row in exam.tender_points},
            tuple(trigger_point_input(row) for row in exam.trigger_points),
        )
    )


def tender_point_state(row: TenderPointFinding) -> dict[str, Any]:
    """A stored site finding in the document's shape, with its id and version."""
    return tender_point_json(
        RecordedTenderPoint(str(row.uuid), row.version, tender_point_input(row))
    )


def trigger_point_state(row: TriggerPointFinding) -> dict[str, Any]:
    """A stored trigger point in the document's shape, with its id and version."""
    recorded = RecordedTriggerPoint(str(row.uuid), row.version, trigger_point_input(row))
    return trigger_point_json(recorded, row.position)
