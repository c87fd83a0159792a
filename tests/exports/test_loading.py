"""The exports' reader of whole exams: the records it builds from the tables are the records the
rest of the app builds from ORM objects, whatever the batch boundaries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.exports.loading import loaded_exams
from clinic.exports.selection import ExportFilter
from clinic.extensions import db_session
from clinic.models import Exam
from clinic.services.records import exam_record
from tests.exam_forms import post_full_exam
from tests.factories import PASSWORD, make_exam, make_patient, make_user


def test_records_read_from_the_tables_equal_the_apps_records(client, create, login, app):
    doctor = create(make_user, roles=(Role.CLINICIAN,), licence_number="MD-7")
    login(doctor)
    patients = [create(make_patient, family_name=name) for name in ("Łukasiewicz", "Ng")]
    exams = [
        create(
            make_exam,
            clinician=doctor,
            patient=patients[day % 2],
            exam_date=date(2026, 11, 1 + day % 3),
        )
        for day in range(5)
    ]
    for exam in exams[:4]:  # the fifth stays empty: no findings, no survey
        post_full_exam(client, exam.uuid)
    for exam in exams[:2]:
        signing = client.post(f"/exams/{exam.uuid}/sign", data={"password": PASSWORD})
        assert signing.status_code == 303
    added = client.post(f"/exams/{exams[0].uuid}/addenda", data={"text": "Called back."})
    assert added.status_code == 302
    marked = client.post(f"/exams/{exams[1].uuid}/entered-in-error", data={"reason": "Wrong"})
    assert marked.status_code == 302

    with app.app_context():
        session = db_session()
        everything = ExportFilter(include_entered_in_error=True)
        # Batches of two: exams, people and patients met again across batch boundaries.
        loaded = list(loaded_exams(session, everything, size=2))
        stored = session.scalars(select(Exam).order_by(Exam.exam_date, Exam.id)).all()

        assert [item.record for item in loaded] == [exam_record(exam) for exam in stored]
        assert [item.signed_document for item in loaded] == [e.signed_document for e in stored]
        assert [item.key for item in loaded] == [exam.id for exam in stored]
        signed = next(item.record for item in loaded if item.record.addenda)
        assert signed.addenda[0].text == "Called back."
        assert signed.trigger_points
        assert signed.survey.pain_areas
        assert sum(item.record.entered_in_error is not None for item in loaded) == 1
