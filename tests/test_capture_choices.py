"""Choices typed outside the lists, and starting from the right earlier exam."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.domain.scales import Side
from clinic.extensions import db
from clinic.models import Exam, TriggerPointFinding
from tests.exam_forms import page_of
from tests.factories import make_exam, make_patient, make_user


def test_an_unknown_muscle_or_zone_is_named_beside_its_field(client, create, login, read):
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    exam = create(make_exam, clinician=doctor)
    response = client.post(
        f"/exams/{exam.uuid}/trigger-points",
        data={
            "points-0-muscle_code": "bogus_muscle",
            "points-0-side": "left",
            "points-0-referred_pain": "yes",
            "points-0-referral_zones": ["temple_left", "moon_left"],
        },
    )

    page = page_of(response)
    assert "Choose one of the options in the list." in page.errors["points-0-muscle_code"]
    assert "moon_left" in page.errors["points-0-referral_zones"]
    with read() as session:
        assert session.scalars(select(TriggerPointFinding)).all() == []


def test_start_from_last_exam_ignores_exams_dated_later(client, create, login, app, read):
    doctor = create(make_user, roles=(Role.CLINICIAN,))
    login(doctor)
    patient = create(make_patient)
    earlier = create(make_exam, patient=patient, clinician=doctor, exam_date=date(2026, 3, 1))
    later = create(make_exam, patient=patient, clinician=doctor, exam_date=date(2026, 9, 1))
    with app.app_context():
        for exam_id, muscle in ((earlier.id, "levator_scapulae"), (later.id, "piriformis")):
            exam = db.session.get(Exam, exam_id)
            exam.trigger_points.append(TriggerPointFinding(muscle_code=muscle, side=Side.LEFT))
        db.session.commit()

    response = client.post(
        f"/patients/{patient.uuid}/exams/new",
        data={"exam_date": "2026-06-01", "clinician": str(doctor.uuid), "from_last_exam": "y"},
    )

    assert response.status_code == 302
    with read() as session:
        new = session.scalars(select(Exam).where(Exam.exam_date == date(2026, 6, 1))).one()
        assert [tp.muscle_code for tp in new.trigger_points] == ["levator_scapulae"]
