"""The canonical exam document: its bytes, its digest, and reading it back (no app needed)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from clinic.domain.document import (
    FORMAT,
    canonical_bytes,
    decimal_text,
    document_digest,
    exam_document,
    signed_part,
)
from clinic.domain.document_fields import parse_exam_json
from clinic.domain.document_reading import read_exam_document
from clinic.domain.errors import DomainError
from clinic.domain.findings import (
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.record import (
    AddendumRecord,
    ErrorMark,
    ExamRecord,
    PatientRef,
    PersonRef,
    RecordedTenderPoint,
    RecordedTriggerPoint,
    Signature,
)
from clinic.domain.scales import (
    ExamStatus,
    Impression,
    PressureUnit,
    Sex,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)
from clinic.domain.scoring import SCORING_VERSION, score_exam, scores_as_dict
from clinic.domain.validation import validate_tender_point

PATIENT_ID = "6f1c0a7e-8d8a-4e0e-9f5e-0c2d4b8a1b11"
CLINICIAN_ID = "0b8e6d4e-4c3f-4f6e-8a55-2d1e9f7c3a20"
CLINICIAN = PersonRef(CLINICIAN_ID, "Ana Núñez", "MD", "ES-28/12345")

TENDER_POINTS = (
    TenderPointInput(
        "TP01L",
        painful=True,
        rating=7,
        ppt=PressureReading(Decimal("2.40"), PressureUnit.KGF_PER_CM2, Decimal("1.00")),
    ),
    TenderPointInput("TP01R", painful=False),
    TenderPointInput("TP02L", examined=False, not_examined_reason="Verband — post-op dressing"),
    TenderPointInput("CTRL_FOREHEAD", painful=False, rating=0),
)
TRIGGER_POINTS = (
    TriggerPointInput(
        "upper_trapezius",
        Side.LEFT,
        location_in_muscle="TrP1, mid-belly",
        nodule_length_mm=Decimal("5.0"),
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
        referral_description="Zur Schläfe hin",
        classification=TriggerPointClass.ACTIVE,
        ppt=PressureReading(Decimal("310"), PressureUnit.KPA),
        notes="Worse after long drives.",
    ),
    TriggerPointInput(
        "other", Side.RIGHT, muscle_other_name="Músculo pequeño", referral_zones=("sternum",)
    ),
)
SURVEY = SurveyInput(
    pain_duration_months=18,
    pain_left_side=True,
    pain_right_side=True,
    pain_above_waist=True,
    pain_below_waist=False,
    pain_axial=None,
    pain_areas={"neck": True, "jaw_left": False, "lower_back": True},
    fatigue=2,
    waking_unrefreshed=3,
    cognitive_symptoms=0,
    headaches=True,
    lower_abdominal_pain=None,
    depression=False,
    somatic_symptoms=1,
    other_disorder_explains_pain=False,
)
IMPRESSION = ImpressionInput(
    Impression.YES, Impression.NOT_ASSESSED, "Widespread pain — FM likely.", ""
)


def make_record(**overrides: Any) -> ExamRecord:
    values: dict[str, Any] = {
        "id": "1d7c6e1b-5f0a-4a39-9d56-0a4b0f6f9a01",
        "version": 3,
        "exam_date": date(2026, 11, 2),
        "status": ExamStatus.DRAFT,
        "patient": PatientRef(
            PATIENT_ID, "MRN-0042", "Łukasiewicz", "Zoë", date(1975, 3, 14), Sex.FEMALE
        ),
        "clinician": CLINICIAN,
        "created_at": datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC),
        # Stored in another order than the document's (catalogue order).
        "tender_points": tuple(
            RecordedTenderPoint(f"tp-{n}", 1, finding)
            for n, finding in enumerate(reversed(TENDER_POINTS))
        ),
        "trigger_points": tuple(
            RecordedTriggerPoint(f"trp-{n}", 2, finding) for n, finding in enumerate(TRIGGER_POINTS)
        ),
        "survey": SURVEY,
        "survey_version": 4,
        "impression": IMPRESSION,
    }
    return ExamRecord(**(values | overrides))


def document_of(record: ExamRecord | None = None) -> dict[str, Any]:
    record = record or make_record()
    return exam_document(record, scores_as_dict(score_exam(record.findings)), SCORING_VERSION)


def reasons_of(document: object) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as caught:
        read_exam_document(document)
    return caught.value.reasons


def paths_of(document: object) -> set[str]:
    return {path for path, _message in reasons_of(document)}


# --- canonical bytes and digest ----------------------------------------------------------------


def test_canonical_bytes_are_sorted_compact_utf8():
    assert canonical_bytes({"b": [1, {"z": None, "a": "Zoë"}], "a": "ł"}) == (
        '{"a":"ł","b":[1,{"a":"Zoë","z":null}]}'.encode()
    )


def test_canonical_bytes_of_a_document_are_its_json_without_whitespace():
    document = document_of()
    data = canonical_bytes(document)
    assert json.loads(data) == document
    text = data.decode("utf-8")
    assert "Łukasiewicz" in text
    assert "\\u" not in text
    assert "\n" not in text
    assert text == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_decimals_are_strings_without_trailing_zeros():
    document = document_of()
    site = next(tp for tp in document["tender_points"] if tp["site"] == "TP01L")
    assert site["ppt"] == {"value": "2.4", "unit": "kgf/cm2", "probe_area_cm2": "1"}
    point = document["trigger_points"][0]
    assert (point["nodule_length_mm"], point["nodule_width_mm"]) == ("5", "3.5")
    assert point["ppt"]["value"] == "310"
    assert decimal_text(Decimal("5E+1")) == "50"
    assert decimal_text(Decimal("-0.00")) == "0"


def test_timestamps_are_utc_to_the_second():
    assert document_of()["exam"]["created_at"] == "2026-11-02T09:30:15Z"


def test_digest_changes_when_a_finding_changes():
    record = make_record()
    changed_tp = replace(TENDER_POINTS[0], rating=6)
    changed = replace(
        record,
        tender_points=(RecordedTenderPoint("tp-0", 1, changed_tp), *record.tender_points[1:]),
    )
    assert document_digest(document_of(changed)) != document_digest(document_of(record))
    moved = replace(record, survey=replace(SURVEY, pain_areas={**SURVEY.pain_areas, "chest": True}))
    assert document_digest(document_of(moved)) != document_digest(document_of(record))


def test_digest_ignores_status_signature_error_mark_and_addenda():
    record = make_record()
    later = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    signed = replace(
        record,
        status=ExamStatus.ENTERED_IN_ERROR,
        signature=Signature(CLINICIAN, later, "0" * 64),
        entered_in_error=ErrorMark(CLINICIAN, later, "wrong patient"),
        addenda=(AddendumRecord("a-1", CLINICIAN, later, "Nachtrag: ergänzt."),),
    )
    assert document_digest(document_of(signed)) == document_digest(document_of(record))
    part = signed_part(document_of(signed))
    assert not {"signature", "entered_in_error", "addenda"} & set(part)
    assert "status" not in part["exam"]
    assert len(document_digest(document_of(record))) == 64


# --- reading a document back -------------------------------------------------------------------


def test_reading_a_written_document_gives_back_the_same_inputs():
    record = make_record()
    loaded = read_exam_document(document_of(record))
    assert loaded.exam_date == record.exam_date
    assert str(loaded.clinician_id) == CLINICIAN_ID
    assert loaded.source_id == record.id
    patient = loaded.patient
    assert (str(patient.id), patient.mrn, patient.family_name, patient.given_name) == (
        PATIENT_ID,
        "MRN-0042",
        "Łukasiewicz",
        "Zoë",
    )
    assert (patient.date_of_birth, patient.sex) == (date(1975, 3, 14), Sex.FEMALE)
    assert set(loaded.tender_points) == set(TENDER_POINTS)
    assert len(loaded.tender_points) == len(TENDER_POINTS)
    assert loaded.trigger_points == TRIGGER_POINTS
    assert loaded.survey == SURVEY
    assert loaded.impression == IMPRESSION


def test_reading_survives_a_trip_through_json_text():
    document = document_of()
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    assert read_exam_document(parse_exam_json(text)) == read_exam_document(document)


def test_derived_parts_are_ignored_on_reading():
    document = document_of()
    document["scores"] = {"anything": "at all"}
    document["signature"] = {"digest": "not checked"}
    document["addenda"] = [{"text": "ignored"}]
    document["exam"]["status"] = "signed"
    document["tender_points"][0]["site_label"] = "whatever"
    assert read_exam_document(document) == read_exam_document(document_of())


def test_a_minimal_hand_written_document_reads():
    document = {
        "format": FORMAT,
        "format_version": 1,
        "exam": {"date": "2026-11-02"},
        "patient": {
            "mrn": "A1",
            "family_name": "Ng",
            "given_name": "Li",
            "date_of_birth": "1990-01-31",
            "sex": "male",
        },
        "tender_points": [{"site": "TP05R", "examined": True, "painful": True, "rating": 4}],
        "trigger_points": [{"muscle": "masseter", "side": "right"}],
    }
    loaded = read_exam_document(document)
    assert loaded.patient.id is None
    assert loaded.clinician_id is None
    assert loaded.tender_points == (TenderPointInput("TP05R", painful=True, rating=4),)
    assert loaded.trigger_points == (TriggerPointInput("masseter", Side.RIGHT),)
    assert loaded.survey == SurveyInput()
    assert loaded.impression == ImpressionInput()


def test_trigger_points_are_read_in_position_order():
    document = document_of()
    document["trigger_points"].reverse()
    assert read_exam_document(document).trigger_points == TRIGGER_POINTS


# --- every problem named by its path -----------------------------------------------------------


def test_a_document_of_another_format_is_refused():
    document = document_of()
    document["format"] = "someone-else/exam"
    document["format_version"] = 2
    assert reasons_of(document) == [
        ("format", f"must be {FORMAT!r}"),
        ("format_version", "must be 1"),
    ]
    assert reasons_of([document]) == [("document", "must be a JSON object")]


def _site(document: dict[str, Any], code: str) -> tuple[int, dict[str, Any]]:
    return next((i, tp) for i, tp in enumerate(document["tender_points"]) if tp["site"] == code)


def test_a_rating_written_as_text_or_out_of_range_is_named():
    document = document_of()
    index, site = _site(document, "TP01L")
    site["rating"] = "11"
    assert reasons_of(document) == [
        (f"tender_points[{index}].rating", "must be a whole number from 0 to 10")
    ]
    site["rating"] = 11
    assert reasons_of(document) == [
        (f"tender_points[{index}].rating", "A pain rating is a whole number from 0 to 10.")
    ]
    site["rating"] = True
    assert paths_of(document) == {f"tender_points[{index}].rating"}


def test_an_unknown_site_is_named():
    document = document_of()
    document["tender_points"][2]["site"] = "TP10L"
    assert reasons_of(document) == [
        ("tender_points[2].site", "There is no tender-point site 'TP10L'.")
    ]


def test_an_unknown_muscle_is_named():
    document = document_of()
    document["trigger_points"][0]["muscle"] = "bogus"
    assert reasons_of(document) == [
        ("trigger_points[0].muscle", "There is no muscle 'bogus' in the catalogue.")
    ]


@pytest.mark.parametrize("written", ["2026-13-01", "02/11/2026", "20261102", "", 20261102, None])
def test_a_bad_date_is_named(written: object):
    document = document_of()
    document["exam"]["date"] = written
    assert reasons_of(document) == [("exam.date", "must be a date, YYYY-MM-DD")]


def test_an_unknown_key_is_an_error_not_silently_dropped():
    document = document_of()
    index, site = _site(document, "TP01L")
    site["ratng"] = site.pop("rating")
    document["survey"]["fatigeu"] = 1
    document["tender_point"] = []
    assert reasons_of(document) == [
        ("tender_point", "unknown key; did you mean 'tender_points'?"),
        (f"tender_points[{index}].ratng", "unknown key; did you mean 'rating'?"),
        ("survey.fatigeu", "unknown key; did you mean 'fatigue'?"),
    ]


def test_missing_required_keys_are_named():
    document = document_of()
    del document["patient"]["mrn"]
    del document["exam"]["date"]
    del document["trigger_points"][1]["side"]
    index, site = _site(document, "TP02L")
    del site["examined"]
    assert reasons_of(document) == [
        ("exam.date", "is required"),
        ("patient.mrn", "is required"),
        (f"tender_points[{index}].examined", "is required"),
        ("trigger_points[1].side", "is required"),
    ]
    del document["patient"]
    assert ("patient", "is required") in reasons_of(document)


def test_blank_patient_names_are_named():
    document = document_of()
    document["patient"] |= {"family_name": "  ", "given_name": "", "mrn": ""}
    assert reasons_of(document) == [
        ("patient.mrn", "must not be blank"),
        ("patient.family_name", "must not be blank"),
        ("patient.given_name", "must not be blank"),
    ]


def test_every_problem_is_reported_at_once():
    document = document_of()
    document["patient"]["id"] = "not-a-uuid"
    document["patient"]["sex"] = "f"
    document["patient"]["mrn"] = "MRN 42"
    document["trigger_points"][0]["side"] = "midline"
    document["trigger_points"][0]["referral_zones"].append("elbow_of_nowhere")
    document["trigger_points"][1]["ppt"] = {"value": 2.4, "unit": "psi"}
    document["trigger_points"][1]["muscle_other_name"] = "x" * 121
    document["survey"]["pain_areas"]["knee_left"] = True
    document["survey"]["pain_areas"]["neck"] = None
    document["survey"]["fatigue"] = 4
    document["impression"]["fibromyalgia"] = "maybe"
    reasons = dict(reasons_of(document))
    assert reasons == {
        "patient.id": "must be a UUID",
        "patient.mrn": "must use letters, digits and . _ / - only",
        "patient.sex": "must be one of: female, male, other, unknown",
        "trigger_points[0].side": "A trigger point lies in the left or the right muscle.",
        "trigger_points[0].referral_zones": "Unknown referral zone: elbow_of_nowhere.",
        "trigger_points[1].muscle_other_name": "must be at most 120 characters long",
        "trigger_points[1].ppt.value": 'must be a number written as a string, like "2.4"',
        "trigger_points[1].ppt.unit": "must be one of: kgf/cm2, kPa, N",
        "survey.pain_areas.neck": "must be true or false (an area not asked is left out)",
        "impression.fibromyalgia": "must be one of: yes, no, not_assessed; or null",
    }
    # The survey's own rules run once its values have the right types.
    document["survey"]["pain_areas"]["neck"] = True
    reasons = dict(reasons_of(document))
    assert reasons["survey.pain_areas"] == "Unknown pain area: knee_left."
    assert reasons["survey.fatigue"] == "Choose a severity from 0 to 3."


def test_rules_of_a_finding_are_named_by_their_document_paths():
    document = document_of()
    index, site = _site(document, "TP02L")
    site["painful"] = True
    other, reading = _site(document, "TP01L")
    reading["ppt"]["value"] = "2.456"
    reading["ppt"]["probe_area_cm2"] = "11"
    assert reasons_of(document) == [
        (f"tender_points[{other}].ppt.value", "Use at most 2 decimal places."),
        (
            f"tender_points[{other}].ppt.probe_area_cm2",
            "Enter a probe area above 0 and at most 10 cm².",
        ),
        (
            f"tender_points[{index}].examined",
            "A site not examined has no result; clear it or mark it examined.",
        ),
    ]


def test_a_site_recorded_twice_and_a_position_given_twice_are_named():
    document = document_of()
    document["tender_points"].append(copy.deepcopy(document["tender_points"][0]))
    document["trigger_points"][1]["position"] = 0
    site = document["tender_points"][0]["site"]
    last = len(document["tender_points"]) - 1
    assert reasons_of(document) == [
        (f"tender_points[{last}].site", f"site {site} is also recorded in tender_points[0]"),
        ("trigger_points[1].position", "position 0 is also given to trigger_points[0]"),
    ]


def test_a_repeated_referral_zone_is_named():
    document = document_of()
    document["trigger_points"][0]["referral_zones"] = ["temple_left", "temple_left"]
    assert reasons_of(document) == [
        ("trigger_points[0].referral_zones[1]", "zone 'temple_left' is listed twice")
    ]


def test_parts_of_the_wrong_shape_are_named():
    document = document_of()
    document["tender_points"] = {"TP01L": {}}
    document["trigger_points"] = ["upper_trapezius"]
    document["survey"] = []
    document["exam"]["clinician"] = {"id": 42}
    assert reasons_of(document) == [
        ("exam.clinician.id", "must be a UUID"),
        ("tender_points", "must be a list"),
        ("trigger_points[0]", "must be an object"),
        ("survey", "must be an object or null"),
    ]


# --- the JSON text ------------------------------------------------------------------------------


def test_json_text_with_a_key_given_twice_is_refused():
    with pytest.raises(DomainError) as caught:
        parse_exam_json('{"format": "a", "format": "b"}')
    assert caught.value.reasons == [("document", "the key 'format' appears twice in one object")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": ', "is not valid JSON: Expecting value (line 1 column 12)"),
        ('{"rating": NaN}', "NaN is not a JSON number"),
    ],
)
def test_json_text_that_is_not_json_is_refused(text: str, message: str):
    with pytest.raises(DomainError) as caught:
        parse_exam_json(text)
    assert caught.value.reasons == [("document", message)]


# --- validation the document relies on ---------------------------------------------------------


def test_a_threshold_finer_than_stored_is_refused_rather_than_rounded():
    reading = PressureReading(Decimal("2.456"), PressureUnit.KGF_PER_CM2, Decimal("1.005"))
    assert validate_tender_point(
        TenderPointInput("TP01L", painful=True, rating=3, ppt=reading)
    ) == [
        ("ppt_value", "Use at most 2 decimal places."),
        ("ppt_probe_area_cm2", "Use at most 2 decimal places."),
    ]
    fine = PressureReading(Decimal("2.450"), PressureUnit.KGF_PER_CM2, Decimal("1.50"))
    assert validate_tender_point(TenderPointInput("TP01L", painful=True, rating=3, ppt=fine)) == []
