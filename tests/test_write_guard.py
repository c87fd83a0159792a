"""Nothing recorded in a signed exam changes: not through the pages, the services or the models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from clinic.domain.errors import ExamLockedError
from clinic.domain.findings import ImpressionInput, SurveyInput, TenderPointInput, TriggerPointInput
from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus, Impression, Side
from clinic.extensions import db
from clinic.models import (
    Addendum,
    Exam,
    ExamSurvey,
    PainAreaAnswer,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
)
from clinic.services import exam_content
from clinic.services.exam_content import TriggerPointRowInput
from clinic.services.records import exam_record
from clinic.services.signing import add_addendum, mark_entered_in_error, signature_holds
from tests.exam_forms import (
    FULL_SURVEY,
    impression_post,
    page_of,
    post_full_exam,
    stored_exam,
    survey_post,
    tender_points_post,
    trigger_points_post,
)
from tests.factories import PASSWORD, make_exam, make_user

LOCKED = "This exam is signed and cannot change; add an addendum."


@pytest.fixture
def doctor(create, login):
    user = create(make_user, roles=(Role.CLINICIAN,), display_name="Ana Ruiz", credentials="MD")
    login(user)
    return user


@pytest.fixture
def draft(create, client, doctor):
    """A complete draft whose survey left the Widespread Pain Index unasked."""
    exam = create(make_exam, clinician=doctor, exam_date=date(2024, 3, 4))
    post_full_exam(client, exam.uuid, survey={**FULL_SURVEY, "wpi_asked": "", "pain_areas": []})
    return exam


@pytest.fixture
def signed(client, draft):
    """The draft, signed."""
    response = client.post(f"/exams/{draft.uuid}/sign", data={"password": PASSWORD})
    assert response.status_code == 303
    return draft


def snapshot(read, exam) -> dict:
    with read() as session:
        return stored_exam(session, exam.uuid)


# --- through the pages -----------------------------------------------------------------------

EDITS = {
    "tender-points": tender_points_post(),
    "trigger-points": trigger_points_post(),
    "survey": survey_post(),
    "impression": impression_post(),
}


@pytest.mark.parametrize("page_path", EDITS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_capture_page_refuses_a_signed_exam(client, signed, read, page_path, method):
    before = snapshot(read, signed)

    response = getattr(client, method)(f"/exams/{signed.uuid}/{page_path}", data=EDITS[page_path])

    assert response.status_code == 409
    shown = page_of(response)
    assert "Locked" in shown.text
    assert LOCKED in shown.text
    assert f"/exams/{signed.uuid}" in shown.links  # back to the exam
    assert snapshot(read, signed) == before


# --- through the services --------------------------------------------------------------------


SERVICE_CALLS: dict[str, Callable[[Session, Exam], object]] = {
    "save_tender_point": lambda s, e: exam_content.save_tender_point(
        s, e, TenderPointInput("TP01L", painful=True, rating=2), None, e.clinician
    ),
    "save_tender_points": lambda s, e: exam_content.save_tender_points(
        s, e, [(TenderPointInput("TP01L", painful=False), None)], e.clinician
    ),
    "add_trigger_point": lambda s, e: exam_content.add_trigger_point(
        s, e, TriggerPointInput("soleus", Side.LEFT), e.clinician
    ),
    "update_trigger_point": lambda s, e: exam_content.update_trigger_point(
        s, e, e.trigger_points[0], TriggerPointInput("soleus", Side.LEFT), None, e.clinician
    ),
    "remove_trigger_point": lambda s, e: exam_content.remove_trigger_point(
        s, e, e.trigger_points[0], None, e.clinician
    ),
    "save_trigger_points": lambda s, e: exam_content.save_trigger_points(
        s,
        e,
        [TriggerPointRowInput(None, None, False, TriggerPointInput("soleus", Side.LEFT))],
        e.clinician,
    ),
    "save_survey": lambda s, e: exam_content.save_survey(
        s, e, SurveyInput(pain_duration_months=1), None, e.clinician
    ),
    "save_impression": lambda s, e: exam_content.save_impression(
        s, e, ImpressionInput(Impression.NO, Impression.NO, "", ""), None, e.clinician
    ),
}


@pytest.mark.parametrize("call", SERVICE_CALLS.values(), ids=SERVICE_CALLS.keys())
def test_every_service_refuses_a_signed_exam(app, signed, read, call):
    before = snapshot(read, signed)

    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        with pytest.raises(ExamLockedError):
            call(db.session, exam)
        db.session.rollback()

    assert snapshot(read, signed) == before


# --- through the models ----------------------------------------------------------------------


def _first_rated(exam: Exam) -> TenderPointFinding:
    return next(row for row in exam.tender_points if row.rating)


DIRECT_CHANGES: dict[str, Callable[[Session, Exam], None]] = {
    "change a tender point rating": lambda s, e: setattr(_first_rated(e), "rating", 10),
    "add a trigger point": lambda s, e: e.trigger_points.append(
        TriggerPointFinding(position=9, muscle_code="soleus", side=Side.LEFT)
    ),
    "add a trigger point by exam id": lambda s, e: s.add(
        TriggerPointFinding(exam_id=e.id, position=9, muscle_code="soleus", side=Side.LEFT)
    ),
    "delete a tender point": lambda s, e: s.delete(e.tender_points[0]),
    "delete a trigger point": lambda s, e: e.trigger_points.remove(e.trigger_points[0]),
    "change a trigger point's nodule": lambda s, e: setattr(
        e.trigger_points[0], "nodule_length_mm", Decimal("20")
    ),
    "add a referral zone": lambda s, e: e.trigger_points[0].referral_zones.append(
        ReferralZone(zone_code="vertex")
    ),
    "remove a referral zone": lambda s, e: e.trigger_points[0].referral_zones.pop(),
    "change the assessment": lambda s, e: setattr(e, "assessment", "Rewritten afterwards."),
    "change the exam date": lambda s, e: setattr(e, "exam_date", date(2024, 3, 1)),
    "change the digest": lambda s, e: setattr(e, "signature_digest", "0" * 64),
    "make it a draft again": lambda s, e: setattr(e, "status", ExamStatus.DRAFT),
    "change a survey answer": lambda s, e: setattr(e.survey, "fatigue", 0),
    "add a pain area answer": lambda s, e: e.survey.pain_areas.append(
        PainAreaAnswer(area_code="neck", painful=True)
    ),
    "add a pain area answer by survey id": lambda s, e: s.add(
        PainAreaAnswer(survey_id=e.survey.id, area_code="neck", painful=True)
    ),
    "delete the survey": lambda s, e: setattr(e, "survey", None),
    "delete the exam": lambda s, e: s.delete(e),
}


@pytest.mark.parametrize("change", DIRECT_CHANGES.values(), ids=DIRECT_CHANGES.keys())
def test_a_direct_model_change_to_a_signed_exam_is_refused_at_flush(app, signed, read, change):
    before = snapshot(read, signed)

    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        change(db.session, exam)
        with pytest.raises(ExamLockedError):
            db.session.flush()
        db.session.rollback()

    assert snapshot(read, signed) == before


@pytest.mark.parametrize(
    "change",
    [
        lambda s, e: setattr(e, "entered_in_error_reason", "Another reason."),
        lambda s, e: setattr(e, "status", ExamStatus.SIGNED),
        lambda s, e: setattr(e, "plan", "Changed."),
    ],
    ids=["its reason", "back to signed", "the plan"],
)
def test_an_exam_entered_in_error_does_not_change_at_all(app, signed, read, change):
    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        mark_entered_in_error(db.session, exam, "Wrong patient.", exam.clinician)
        db.session.commit()
    before = snapshot(read, signed)

    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        change(db.session, exam)
        with pytest.raises(ExamLockedError):
            db.session.flush()
        db.session.rollback()

    assert snapshot(read, signed) == before


def test_the_guard_lets_drafts_change(app, draft, read):
    with app.app_context():
        exam = db.session.get(Exam, draft.id)
        _first_rated(exam).rating = 10
        exam.survey.pain_areas.append(PainAreaAnswer(area_code="neck", painful=True))
        exam.trigger_points[0].referral_zones.append(ReferralZone(zone_code="vertex"))
        exam.assessment = "Changed while still a draft."
        db.session.commit()

    with read() as session:
        exam = session.get(Exam, draft.id)
        assert exam.assessment == "Changed while still a draft."
        assert "neck" in {answer.area_code for answer in exam.survey.pain_areas}


def test_the_guard_lets_addenda_be_added_after_signing(app, signed, read):
    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        exam_record(exam)  # the addenda are loaded, as on the exam page
        add_addendum(db.session, exam, "First note.", exam.clinician)
        db.session.commit()
    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        db.session.add(Addendum(exam_id=exam.id, author_id=exam.clinician_id, text="Second."))
        db.session.commit()

    with read() as session:
        exam = session.get(Exam, signed.id)
        assert [addendum.text for addendum in exam.addenda] == ["First note.", "Second."]
        assert exam.status is ExamStatus.SIGNED
        assert signature_holds(exam)


def test_the_guard_lets_a_signed_exam_be_marked_entered_in_error_once(app, signed, read):
    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        mark_entered_in_error(db.session, exam, "Wrong patient.", exam.clinician)
        db.session.commit()

    with read() as session:
        exam = session.get(Exam, signed.id)
        assert exam.status is ExamStatus.ENTERED_IN_ERROR
        assert signature_holds(exam)


def test_a_direct_change_is_refused_on_commit_too(app, signed, read):
    before = snapshot(read, signed)

    with app.app_context():
        survey = db.session.get(Exam, signed.id).survey
        assert isinstance(survey, ExamSurvey)
        survey.pain_duration_months = 2
        with pytest.raises(ExamLockedError):
            db.session.commit()
        db.session.rollback()

    assert snapshot(read, signed) == before


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_an_addendum_once_written_cannot_be_edited_or_removed(app, signed, read, change):
    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        add_addendum(db.session, exam, "Patient called.", exam.clinician)
        db.session.commit()
    with app.app_context():
        addendum = db.session.get(Exam, signed.id).addenda[0]
        if change == "edit":
            addendum.text = "Something else."
        else:
            db.session.delete(addendum)
        with pytest.raises(ExamLockedError):
            db.session.flush()
        db.session.rollback()

    with read() as session:
        assert [a.text for a in session.get(Exam, signed.id).addenda] == ["Patient called."]
