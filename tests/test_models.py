"""What the database itself guarantees, whatever code writes to it: keys, checks, cascades, time."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus, PressureUnit, Side
from clinic.models import (
    Addendum,
    Exam,
    ExamSurvey,
    PainAreaAnswer,
    Patient,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
    User,
)
from tests.factories import make_exam, make_patient, make_user


def refused(session: Session, *objects: Any) -> IntegrityError:
    """Add objects, expect the database to refuse the flush, and roll back."""
    session.add_all(objects)
    with pytest.raises(IntegrityError) as caught:
        session.flush()
    session.rollback()
    return caught.value


def refused_sql(session: Session, sql: str, **params: Any) -> IntegrityError:
    """Run raw SQL, as a careless script would, expecting the database to refuse it."""
    with pytest.raises(IntegrityError) as caught:
        session.execute(text(sql), params)
    session.rollback()
    return caught.value


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def exam_id(read) -> int:
    """A committed draft exam (with its patient and clinician)."""
    with read() as session:
        exam = make_exam(session)
        session.commit()
        return exam.id


def tender_point(exam_id: int, **overrides: Any) -> TenderPointFinding:
    values: dict[str, Any] = {
        "exam_id": exam_id,
        "site_code": "occiput_l",
        "examined": True,
        "painful": True,
        "rating": 5,
    } | overrides
    return TenderPointFinding(**values)


def trigger_point(exam_id: int, **overrides: Any) -> TriggerPointFinding:
    values: dict[str, Any] = {
        "exam_id": exam_id,
        "muscle_code": "upper_trapezius",
        "side": Side.LEFT,
    } | overrides
    return TriggerPointFinding(**values)


# --- uniqueness ------------------------------------------------------------------------------


def test_two_patients_cannot_share_an_mrn(read):
    with read() as session:
        make_patient(session, mrn="AB-1001")
        session.commit()

        with pytest.raises(IntegrityError) as caught:
            make_patient(session, mrn="AB-1001")
        session.rollback()

        assert "mrn" in str(caught.value.orig).lower()
        assert count(session, Patient) == 1


def test_public_ids_are_random_uuids_unique_across_rows(read):
    with read() as session:
        exams = [make_exam(session) for _ in range(3)]
        session.commit()
        rows = [*exams, *(exam.patient for exam in exams), *(exam.clinician for exam in exams)]
        ids = [row.uuid for row in rows]
        second_exam = (exams[1].id, exams[1].uuid)
        patient_ids = {exam.patient.uuid for exam in exams}

    assert all(isinstance(public_id, uuid.UUID) and public_id.version == 4 for public_id in ids)
    assert len(set(ids)) == len(ids)
    with read() as session:
        # Stored and read back as UUIDs, so they find their rows.
        exam_id, exam_uuid = second_exam
        assert session.scalars(select(Exam.id).where(Exam.uuid == exam_uuid)).one() == exam_id
        assert set(session.scalars(select(Patient.uuid))) == patient_ids


def test_a_duplicate_public_id_is_refused(read):
    with read() as session:
        first = make_patient(session)
        session.commit()
        clash = Patient(
            mrn="OTHER-1",
            family_name="A",
            given_name="B",
            date_of_birth=date(1980, 1, 1),
            sex="female",
            uuid=first.uuid,
        )

        refused(session, clash)

        assert count(session, Patient) == 1


def test_a_tender_point_site_is_recorded_once_per_exam(read, exam_id):
    with read() as session:
        session.add(tender_point(exam_id, site_code="occiput_l"))
        session.commit()

        refused(session, tender_point(exam_id, site_code="occiput_l"))

        assert count(session, TenderPointFinding) == 1


# --- checks on findings ----------------------------------------------------------------------


@pytest.mark.parametrize("rating", [0, 10])
def test_tender_point_ratings_from_0_to_10_are_stored(read, exam_id, rating):
    with read() as session:
        session.add(tender_point(exam_id, rating=rating))
        session.commit()

        assert session.scalars(select(TenderPointFinding.rating)).one() == rating


@pytest.mark.parametrize("rating", [11, -1])
def test_a_tender_point_rating_outside_0_to_10_is_refused(read, exam_id, rating):
    with read() as session:
        error = refused(session, tender_point(exam_id, rating=rating))

        assert "rating_0_to_10" in str(error.orig)
        assert count(session, TenderPointFinding) == 0


def test_a_site_not_examined_cannot_carry_a_result(read, exam_id):
    with read() as session:
        session.add(
            tender_point(
                exam_id,
                site_code="ok",
                examined=False,
                painful=None,
                rating=None,
                not_examined_reason="dressing",
            )
        )
        session.commit()

        error = refused(session, tender_point(exam_id, examined=False, painful=None, rating=3))

        assert "not_examined_has_no_result" in str(error.orig)
        assert count(session, TenderPointFinding) == 1


@pytest.mark.parametrize(
    ("value", "unit", "constraint"),
    [
        (Decimal("2.50"), None, "ppt_value_has_unit"),
        (None, PressureUnit.KPA, "ppt_value_has_unit"),
        (Decimal("0"), PressureUnit.KPA, "ppt_value_positive"),
    ],
)
def test_a_pressure_threshold_needs_a_positive_value_and_its_unit(
    read, exam_id, value, unit, constraint
):
    with read() as session:
        error = refused(session, tender_point(exam_id, ppt_value=value, ppt_unit=unit))

        assert constraint in str(error.orig)


def test_a_pressure_threshold_with_its_unit_is_stored_exactly(read, exam_id):
    with read() as session:
        session.add(tender_point(exam_id, ppt_value=Decimal("412.35"), ppt_unit=PressureUnit.KPA))
        session.commit()
    with read() as session:
        stored = session.scalars(select(TenderPointFinding)).one()
        assert (stored.ppt_value, stored.ppt_unit) == (Decimal("412.35"), PressureUnit.KPA)


@pytest.mark.parametrize("column", ["nodule_length_mm", "nodule_width_mm"])
@pytest.mark.parametrize("size", [Decimal("0"), Decimal("0.5"), Decimal("50.5"), Decimal("51")])
def test_a_nodule_size_outside_1_to_50_mm_is_refused(read, exam_id, column, size):
    with read() as session:
        error = refused(session, trigger_point(exam_id, **{column: size}))

        assert column.removesuffix("_mm") in str(error.orig)
        assert count(session, TriggerPointFinding) == 0


@pytest.mark.parametrize("size", [Decimal("1"), Decimal("12.5"), Decimal("50")])
def test_nodule_sizes_from_1_to_50_mm_are_stored_exactly(read, exam_id, size):
    with read() as session:
        session.add(trigger_point(exam_id, nodule_length_mm=size, nodule_width_mm=size))
        session.commit()
    with read() as session:
        stored = session.scalars(select(TriggerPointFinding)).one()
        assert (stored.nodule_length_mm, stored.nodule_width_mm) == (size, size)


def test_a_trigger_point_rating_of_11_is_refused(read, exam_id):
    with read() as session:
        error = refused(session, trigger_point(exam_id, rating=11))

        assert "rating_0_to_10" in str(error.orig)


def test_a_trigger_point_must_name_its_muscle(read, exam_id):
    with read() as session:
        error = refused(session, trigger_point(exam_id, muscle_code=None, muscle_other_name=None))

        assert "has_muscle" in str(error.orig)
        assert count(session, TriggerPointFinding) == 0


def test_a_muscle_outside_the_catalogue_may_be_named_instead(read, exam_id):
    with read() as session:
        session.add(trigger_point(exam_id, muscle_code=None, muscle_other_name="Anconeus"))
        session.commit()

        assert session.scalars(select(TriggerPointFinding.muscle_other_name)).one() == "Anconeus"


@pytest.mark.parametrize("item", ["fatigue", "waking_unrefreshed", "somatic_symptoms"])
def test_a_symptom_severity_item_above_3_is_refused(read, exam_id, item):
    with read() as session:
        error = refused(session, ExamSurvey(exam_id=exam_id, **{item: 4}))

        assert item in str(error.orig)


# --- enumerations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("patients", "sex"),
        ("exams", "fm_impression"),
        ("exams", "mps_impression"),
        ("user_roles", "role"),
        ("clinic_settings", "paper_size"),
    ],
)
def test_a_value_outside_an_enumeration_is_refused_by_the_database(read, exam_id, table, column):
    with read() as session:
        error = refused_sql(session, f"UPDATE {table} SET {column} = 'bogus'")

        assert f"ck_{table}_{column}" in str(error.orig)


def test_an_exam_status_outside_the_life_cycle_is_refused(read, exam_id):
    with read() as session:
        # Signature fields are present, so only the status enumeration can object.
        error = refused_sql(
            session,
            "UPDATE exams SET status = 'archived', signed_at = CURRENT_TIMESTAMP,"
            " signed_by_id = clinician_id, signature_digest = 'x'",
        )

        assert "ck_exams_status" in str(error.orig)
        assert session.get(Exam, exam_id).status is ExamStatus.DRAFT


def test_a_value_outside_an_enumeration_is_refused_before_it_reaches_the_database(read):
    with read() as session:
        patient = make_patient(session)
        session.commit()

        patient.sex = "bogus"
        with pytest.raises(StatementError) as caught:
            session.flush()
        session.rollback()

        assert isinstance(caught.value.orig, LookupError)
        assert session.scalars(select(Patient.sex)).one() == "female"


def test_trigger_point_side_must_be_left_right_or_midline(read, exam_id):
    with read() as session:
        session.add(trigger_point(exam_id, side=Side.MIDLINE))
        session.commit()

        error = refused_sql(session, "UPDATE trigger_point_findings SET side = 'both'")

        assert "ck_trigger_point_findings_side" in str(error.orig)


# --- exam life cycle -------------------------------------------------------------------------


def test_a_signed_exam_must_carry_its_signature(read, exam_id):
    with read() as session:
        exam = session.get(Exam, exam_id)
        exam.status = ExamStatus.SIGNED

        error = refused(session)

        assert "signed_has_signature" in str(error.orig)
        assert session.get(Exam, exam_id).status is ExamStatus.DRAFT


@pytest.mark.parametrize("missing", ["signed_at", "signed_by_id", "signature_digest"])
def test_each_part_of_a_signature_is_required(read, exam_id, missing):
    with read() as session:
        exam = session.get(Exam, exam_id)
        signature = {
            "signed_at": datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
            "signed_by_id": exam.clinician_id,
            "signature_digest": "a" * 64,
        }
        signature[missing] = None
        for name, value in signature.items():
            setattr(exam, name, value)
        exam.status = ExamStatus.SIGNED

        refused(session)


def test_a_signed_exam_with_its_signature_is_stored(read, exam_id):
    with read() as session:
        exam = session.get(Exam, exam_id)
        exam.status = ExamStatus.SIGNED
        exam.signed_at = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
        exam.signed_by_id = exam.clinician_id
        exam.signature_digest = "a" * 64
        session.commit()
    with read() as session:
        assert session.get(Exam, exam_id).status is ExamStatus.SIGNED


def test_an_exam_marked_entered_in_error_needs_a_reason(read, exam_id):
    with read() as session:
        exam = session.get(Exam, exam_id)
        exam.status = ExamStatus.ENTERED_IN_ERROR
        exam.signed_at = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
        exam.signed_by_id = exam.clinician_id
        exam.signature_digest = "a" * 64
        exam.entered_in_error_at = datetime(2026, 1, 16, 10, 0, tzinfo=UTC)

        error = refused(session)

        assert "entered_in_error_has_reason" in str(error.orig)


# --- time ------------------------------------------------------------------------------------


def test_a_naive_timestamp_is_refused(read):
    with read() as session:
        patient = make_patient(session)
        session.commit()

        patient.updated_at = datetime(2026, 1, 15, 10, 0)  # noqa: DTZ001 - naive on purpose
        with pytest.raises(StatementError) as caught:
            session.flush()
        session.rollback()

        assert isinstance(caught.value.orig, ValueError)
        assert "timezone-aware" in str(caught.value.orig)


def test_aware_timestamps_come_back_as_the_same_instant_in_utc(read):
    warsaw = datetime(2026, 7, 1, 14, 30, tzinfo=ZoneInfo("Europe/Warsaw"))  # UTC+2 in summer
    with read() as session:
        patient = make_patient(session)
        patient.created_at = warsaw
        session.commit()
        patient_id = patient.id

    with read() as session:
        stored = session.get(Patient, patient_id).created_at

    assert stored == datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_default_timestamps_are_now_in_utc(read):
    before = datetime.now(UTC)
    with read() as session:
        patient_id = make_patient(session).id
        session.commit()
    after = datetime.now(UTC)

    with read() as session:
        patient = session.get(Patient, patient_id)
        created, updated = patient.created_at, patient.updated_at

    assert created.tzinfo is UTC
    assert updated.tzinfo is UTC
    # SQLite keeps microseconds; allow for databases that round them.
    assert before - timedelta(seconds=1) <= created <= after + timedelta(seconds=1)


def test_changing_a_row_moves_its_updated_at(read):
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    with read() as session:
        patient = make_patient(session, family_name="Nowak")
        patient.created_at = patient.updated_at = long_ago
        session.commit()

        patient.family_name = "Nowakowa"
        session.commit()

        assert patient.created_at == long_ago
        assert patient.updated_at > long_ago


# --- names -----------------------------------------------------------------------------------


def test_the_search_key_follows_name_changes(read):
    with read() as session:
        patient = make_patient(session, family_name="Łukasiewicz", given_name="Zoë")
        assert patient.name_search == "lukasiewicz zoe"

        patient.given_name = "ANNA-Maria"
        assert patient.name_search == "lukasiewicz anna-maria"
        session.commit()

        stored = session.scalars(select(Patient.name_search)).one()
        assert stored == "lukasiewicz anna-maria"


# --- deleting --------------------------------------------------------------------------------


@pytest.fixture
def full_exam_id(read, exam_id) -> int:
    """The exam with a finding of every kind, a referral zone, a survey and pain areas."""
    with read() as session:
        finding = trigger_point(exam_id)
        finding.referral_zones = [ReferralZone(zone_code="temple_l")]
        survey = ExamSurvey(exam_id=exam_id, fatigue=2)
        survey.pain_areas = [PainAreaAnswer(area_code="jaw_l", painful=True)]
        session.add_all([tender_point(exam_id), finding, survey])
        session.commit()
    return exam_id


FINDING_MODELS = (TenderPointFinding, TriggerPointFinding, ReferralZone, ExamSurvey, PainAreaAnswer)


def test_deleting_an_exam_in_the_database_deletes_its_findings(read, full_exam_id):
    with read() as session:
        assert [count(session, model) for model in FINDING_MODELS] == [1, 1, 1, 1, 1]

        # Plain SQL, so this is the database's ON DELETE CASCADE and not the ORM's.
        session.execute(delete(Exam).where(Exam.id == full_exam_id))
        session.commit()

        assert [count(session, model) for model in FINDING_MODELS] == [0, 0, 0, 0, 0]
        assert count(session, Patient) == 1


def test_deleting_an_exam_through_the_orm_deletes_its_findings(read, full_exam_id):
    with read() as session:
        session.delete(session.get(Exam, full_exam_id))
        session.commit()

        assert [count(session, model) for model in FINDING_MODELS] == [0, 0, 0, 0, 0]


def test_an_exam_with_an_addendum_cannot_be_deleted(read, exam_id):
    with read() as session:
        exam = session.get(Exam, exam_id)
        session.add(Addendum(exam_id=exam_id, author_id=exam.clinician_id, text="Corrected."))
        session.commit()

        refused_sql(session, "DELETE FROM exams WHERE id = :id", id=exam_id)

        assert count(session, Exam) == 1
        assert count(session, Addendum) == 1


def test_a_patient_with_exams_cannot_be_deleted(read, exam_id):
    # This also proves SQLite enforces foreign keys on the app's connections.
    with read() as session:
        patient_id = session.get(Exam, exam_id).patient_id

        with pytest.raises(IntegrityError):
            session.execute(delete(Patient).where(Patient.id == patient_id))
        session.rollback()

        assert count(session, Patient) == 1
        assert count(session, Exam) == 1


def test_a_patient_without_exams_can_be_deleted(read):
    with read() as session:
        patient_id = make_patient(session).id
        session.commit()

        session.execute(delete(Patient).where(Patient.id == patient_id))
        session.commit()

        assert count(session, Patient) == 0


def test_a_clinician_with_exams_cannot_be_deleted(read, exam_id):
    with read() as session:
        clinician_id = session.get(Exam, exam_id).clinician_id

        refused_sql(session, "DELETE FROM users WHERE id = :id", id=clinician_id)

        assert session.get(User, clinician_id) is not None


def test_an_exam_cannot_point_at_a_missing_patient(read):
    with read() as session:
        clinician = make_user(session, roles=(Role.CLINICIAN,))
        session.commit()

        refused(
            session,
            Exam(
                patient_id=987654,
                clinician_id=clinician.id,
                created_by_id=clinician.id,
                exam_date=date(2025, 1, 1),
            ),
        )


def test_deleting_a_user_deletes_their_role_grants(read):
    with read() as session:
        user_id = make_user(session, roles=(Role.CLINICIAN, Role.STAFF)).id
        session.commit()

        session.execute(delete(User).where(User.id == user_id))
        session.commit()

        assert session.scalar(text("SELECT count(*) FROM user_roles")) == 0


# --- the connection --------------------------------------------------------------------------


def test_the_connection_settings_suit_the_database(read):
    with read() as session:
        dialect = session.get_bind().dialect.name
        if dialect == "sqlite":
            # Readers do not block the writer, and foreign keys are enforced.
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:
            assert dialect == "postgresql"
            assert session.execute(text("SHOW server_encoding")).scalar() == "UTF8"
