"""`clinic exam show` and `clinic exam load`: the canonical document out, and back in as a draft."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from clinic.domain.findings import (
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.roles import Role
from clinic.domain.scales import (
    ExamStatus,
    Impression,
    PressureUnit,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)
from clinic.extensions import db
from clinic.models import AuditEvent, Exam, Patient
from clinic.services.exam_content import (
    add_trigger_point,
    save_impression,
    save_survey,
    save_tender_point,
)
from clinic.services.exams import get_exam
from clinic.services.signing import REQUIRED_SITES, current_document, sign_exam
from tests.factories import PASSWORD, make_exam, make_patient, make_user

FINDINGS_PARTS = ("tender_points", "trigger_points", "survey", "impression")


@dataclass(frozen=True)
class Recorded:
    """An exam recorded through the services, by the ids a test needs."""

    exam_id: str
    patient_id: str
    clinician_email: str


def _record_findings(session: Any, exam: Exam, complete: bool) -> None:
    actor = exam.clinician
    reading = PressureReading(Decimal("2.4"), PressureUnit.KGF_PER_CM2, Decimal("1"))
    save_tender_point(session, exam, TenderPointInput("TP01L", painful=True, rating=7), 0, actor)
    save_tender_point(
        session, exam, TenderPointInput("TP03R", painful=True, rating=5, ppt=reading), 0, actor
    )
    save_tender_point(
        session,
        exam,
        TenderPointInput("TP09L", examined=False, not_examined_reason="Verband"),
        0,
        actor,
    )
    if complete:
        for site in REQUIRED_SITES:
            if site.code not in ("TP01L", "TP03R", "TP09L"):
                save_tender_point(
                    session, exam, TenderPointInput(site.code, painful=False), 0, actor
                )
    add_trigger_point(
        session,
        exam,
        TriggerPointInput(
            "upper_trapezius",
            Side.LEFT,
            location_in_muscle="TrP1",
            nodule_length_mm=Decimal("5"),
            nodule_width_mm=Decimal("3.5"),
            tenderness_grade=TendernessGrade.GIII,
            rating=8,
            taut_band=TautBand.PRESENT,
            hypersensitive_spot=True,
            patient_recognition=True,
            local_twitch_response=TwitchResponse.NOT_TESTED,
            jump_sign=False,
            referred_pain=True,
            referral_zones=("mastoid_left", "temple_left"),
            referral_description="towards the temple",
            classification=TriggerPointClass.ACTIVE,
            ppt=PressureReading(Decimal("310"), PressureUnit.KPA),
            notes="Schlimmer nach langen Fahrten.",
        ),
        actor,
    )
    add_trigger_point(
        session,
        exam,
        TriggerPointInput("other", Side.RIGHT, muscle_other_name="Músculo pequeño"),
        actor,
    )
    survey = SurveyInput(
        pain_duration_months=18,
        pain_left_side=True,
        pain_areas={"neck": True, "jaw_left": False},
        fatigue=2,
        headaches=True,
    )
    save_survey(session, exam, survey, 0, actor)
    impression = ImpressionInput(Impression.YES, Impression.NO, "Widespread pain.", "Review.")
    save_impression(session, exam, impression, exam.version, actor)


@pytest.fixture
def record_exam(app: Flask) -> Callable[..., Recorded]:
    """Record an exam with findings through the services (signed if asked) and commit it."""

    def _record(*, signed: bool = False) -> Recorded:
        with app.app_context():
            session = db.session
            clinician = make_user(session, display_name="Ana Núñez")
            patient = make_patient(session, family_name="Łukasiewicz", given_name="Zoë")
            exam = make_exam(session, patient, clinician)
            _record_findings(session, exam, complete=signed)
            if signed:
                sign_exam(session, exam, clinician, PASSWORD)
            session.commit()
            return Recorded(str(exam.uuid), str(patient.uuid), clinician.email)

    return _record


def show(runner: FlaskCliRunner, exam_id: str, output: str = "json") -> Any:
    result = runner.invoke(args=["exam", "show", exam_id, "--format", output])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if output == "json" else result.stdout


def load(runner: FlaskCliRunner, document: Any, *args: str) -> Any:
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    return runner.invoke(args=["exam", "load", "-", *args], input=text)


def findings_of(document: dict[str, Any]) -> dict[str, Any]:
    """The parts a load must give back: findings without their ids and versions."""
    parts = {part: document[part] for part in FINDINGS_PARTS}
    for part in ("tender_points", "trigger_points"):
        parts[part] = [
            {k: v for k, v in item.items() if k not in ("id", "version")} for item in parts[part]
        ]
    parts["survey"] = {k: v for k, v in parts["survey"].items() if k != "version"}
    return parts


def counts(read: Callable[..., Any]) -> tuple[int, int, int]:
    with read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Exam, Patient, AuditEvent)
        )


# --- exam show -----------------------------------------------------------------------------------


def test_show_json_prints_the_canonical_document(app, runner, record_exam):
    recorded = record_exam()
    result = runner.invoke(args=["exam", "show", recorded.exam_id, "--format", "json"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        expected = current_document(get_exam(db.session, uuid.UUID(recorded.exam_id)))
    assert json.loads(result.stdout) == expected
    assert (
        result.stdout == json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    assert '"family_name": "Łukasiewicz"' in result.stdout
    assert expected["exam"]["id"] == recorded.exam_id
    assert [tp["site"] for tp in expected["tender_points"]] == ["TP01L", "TP03R", "TP09L"]


def test_show_text_summarises_the_exam(runner, record_exam):
    recorded = record_exam()
    text = show(runner, recorded.exam_id, "text")
    document = show(runner, recorded.exam_id)
    assert f"Exam {recorded.exam_id} of 2026-11-02 (Draft)" in text
    assert "Patient: Łukasiewicz, Zoë" in text
    assert "Clinician: Ana Núñez, MD" in text
    assert "Occiput, left: painful, 7/10" in text
    assert "not examined: Verband" in text
    assert "1. Upper trapezius, left; location TrP1; nodule 5 × 3.5 mm" in text
    assert "2. Músculo pequeño, right" in text
    assert "Pain duration: 18 months" in text
    assert "Impression: fibromyalgia yes; myofascial pain syndrome no" in text
    assert "Assessment: Widespread pain." in text
    assert document["scores"]["tender_point_count"]["text"] in text
    assert document["scores"]["acr_2016"]["summary"] in text


def test_show_is_the_default_text_format(runner, record_exam):
    recorded = record_exam()
    result = runner.invoke(args=["exam", "show", recorded.exam_id])
    assert result.exit_code == 0
    assert result.stdout == show(runner, recorded.exam_id, "text")


@pytest.mark.parametrize(
    ("exam_id", "message"),
    [
        ("not-an-id", "'not-an-id' is not an exam id (a UUID)."),
        ("00000000-0000-4000-8000-000000000000", "There is no exam"),
    ],
)
def test_show_of_an_unknown_or_malformed_id_fails_clearly(runner, exam_id, message):
    result = runner.invoke(args=["exam", "show", exam_id, "--format", "json"])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


# --- exam load -----------------------------------------------------------------------------------


def test_load_then_show_gives_back_the_same_findings(runner, read, record_exam):
    recorded = record_exam()
    original = show(runner, recorded.exam_id)
    before = counts(read)

    result = load(runner, original)

    assert result.exit_code == 0, result.output
    new_id = result.stdout.strip()
    assert new_id != recorded.exam_id
    loaded = show(runner, new_id)
    assert findings_of(loaded) == findings_of(original)
    assert loaded["scores"] == original["scores"]
    assert loaded["patient"] == original["patient"]
    assert loaded["exam"]["clinician"] == original["exam"]["clinician"]
    assert loaded["exam"]["status"] == "draft"
    after = counts(read)
    assert (after[0], after[1]) == (before[0] + 1, before[1])  # a new exam, the same patient
    with read() as session:
        audit = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "exam.load"))
        assert list(audit) == ["exam.load"]


def test_a_loaded_signed_exam_is_a_draft(runner, record_exam):
    recorded = record_exam(signed=True)
    original = show(runner, recorded.exam_id)
    assert original["signature"]["digest"]

    result = load(runner, original)

    assert result.exit_code == 0, result.output
    loaded = show(runner, result.stdout.strip())
    assert loaded["exam"]["status"] == ExamStatus.DRAFT.value
    assert loaded["signature"] is None
    assert findings_of(loaded) == findings_of(original)


def test_load_creates_a_patient_the_database_does_not_have(runner, read, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    new_patient = str(uuid.uuid4())
    document["patient"] |= {
        "id": new_patient,
        "mrn": "EXT-7731",
        "family_name": "Øster",
        "given_name": "Åse",
        "date_of_birth": "1969-12-31",
    }
    before = counts(read)

    result = load(runner, document)

    assert result.exit_code == 0, result.output
    assert counts(read)[:2] == (before[0] + 1, before[1] + 1)
    loaded = show(runner, result.stdout.strip())
    assert loaded["patient"] == {**document["patient"], "sex": "female"}
    assert findings_of(loaded) == findings_of(document)


def test_a_patient_known_by_mrn_only_is_found_by_mrn(runner, read, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    document["patient"]["id"] = str(uuid.uuid4())  # its id in another installation
    document["patient"]["mrn"] = document["patient"]["mrn"].lower()
    before = counts(read)
    result = load(runner, document)
    assert result.exit_code == 0, result.output
    assert show(runner, result.stdout.strip())["patient"]["id"] == recorded.patient_id
    assert counts(read)[1] == before[1]


def test_a_document_with_errors_prints_each_problem_and_stores_nothing(runner, read, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    document["tender_points"][0]["rating"] = "11"
    document["trigger_points"][0]["muscle"] = "bogus"
    document["trigger_points"][1]["colour"] = "red"
    document["exam"]["date"] = "2026-02-30"
    before = counts(read)

    result = load(runner, document)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "exam.date: must be a date, YYYY-MM-DD",
        "tender_points[0].rating: must be a whole number from 0 to 10",
        "trigger_points[0].muscle: There is no muscle 'bogus' in the catalogue.",
        "trigger_points[1].colour: unknown key",
    ]
    assert counts(read) == before


def test_a_refusal_after_the_patient_was_created_rolls_everything_back(runner, read, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    document["patient"] |= {"id": None, "mrn": "NEW-1", "date_of_birth": "1980-01-01"}
    document["exam"]["date"] = "2999-01-01"  # a new patient first, then the exam is refused
    before = counts(read)

    result = load(runner, document)

    assert result.exit_code == 1
    assert result.stderr == "exam.date: An exam cannot be dated in the future.\n"
    assert counts(read) == before


def test_id_and_mrn_of_two_different_patients_are_refused(runner, read, create, record_exam):
    recorded = record_exam()
    other = create(make_patient)
    document = show(runner, recorded.exam_id)
    document["patient"]["mrn"] = other.mrn
    before = counts(read)
    result = load(runner, document)
    assert result.exit_code == 1
    assert result.stderr.startswith("patient.mrn: the patient with this id has MRN ")
    assert counts(read) == before


def test_a_patient_found_with_another_birth_date_is_refused(runner, read, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    document["patient"]["date_of_birth"] = "1975-03-15"
    result = load(runner, document)
    assert result.exit_code == 1
    assert result.stderr.startswith("patient.date_of_birth: the patient with MRN ")


def test_load_as_a_staff_only_user_is_refused(runner, read, create, record_exam):
    recorded = record_exam()
    desk = create(make_user, roles=(Role.STAFF,))
    document = show(runner, recorded.exam_id)
    before = counts(read)

    result = load(runner, document, "--as", desk.email)

    assert result.exit_code == 1
    assert result.stderr == f"actor: {desk.email} is not an active clinician.\n"
    assert counts(read) == before


def test_load_as_an_unknown_user_is_refused(runner, record_exam):
    recorded = record_exam()
    result = load(runner, show(runner, recorded.exam_id), "--as", "nobody@clinic.example")
    assert result.exit_code == 1
    assert result.stderr == "--as: There is no user nobody@clinic.example.\n"


def test_an_unknown_document_clinician_needs_a_loading_clinician(runner, read, create, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    document["exam"]["clinician"]["id"] = str(uuid.uuid4())

    refused = load(runner, document)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("exam.clinician.id: no active clinician here has this id")

    colleague = create(make_user, display_name="Bo Berg", email="bo.berg@clinic.example")
    result = load(runner, document, "--as", " Bo.Berg@Clinic.Example")
    assert result.exit_code == 0, result.output
    loaded = show(runner, result.stdout.strip())
    assert loaded["exam"]["clinician"]["id"] == str(colleague.uuid)


def test_the_documents_clinician_examines_when_another_clinician_loads(runner, create, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    colleague = create(make_user)
    result = load(runner, document, "--as", colleague.email)
    assert result.exit_code == 0, result.output
    loaded = show(runner, result.stdout.strip())
    assert loaded["exam"]["clinician"] == document["exam"]["clinician"]


def test_load_reads_a_file(runner, record_exam, tmp_path):
    recorded = record_exam()
    path = tmp_path / "exam.json"
    path.write_text(json.dumps(show(runner, recorded.exam_id), ensure_ascii=False), "utf-8")
    result = runner.invoke(args=["exam", "load", str(path)])
    assert result.exit_code == 0, result.output
    uuid.UUID(result.stdout.strip())


def test_text_that_is_not_a_json_document_is_refused(runner, read, record_exam):
    record_exam()
    before = counts(read)
    result = load(runner, '{"format": "tender-point-clinic/exam",')
    assert result.exit_code == 1
    assert result.stderr.startswith("document: is not valid JSON: ")
    result = runner.invoke(args=["exam", "load", "-"], input=b"\xff\xfe{}")
    assert result.exit_code == 1
    assert result.stderr.startswith("document: is not UTF-8 text")
    assert counts(read) == before


def test_a_loaded_exam_is_dated_as_the_document_says(runner, record_exam):
    recorded = record_exam()
    document = show(runner, recorded.exam_id)
    document["exam"]["date"] = "2025-06-30"
    loaded = show(runner, load(runner, document).stdout.strip())
    assert loaded["exam"]["date"] == date(2025, 6, 30).isoformat()
