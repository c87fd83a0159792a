"""The FHIR R4 export of one exam: valid R4B resources, verified codes only, what the record says.

Pure: the exams come from bench.samples; nothing here needs Flask or a database.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from bench.samples import CLINICIAN, exam_record
from clinic.domain.codes import LEFT, LOINC, RIGHT, SNOMED_CT, UCUM
from clinic.domain.findings import (
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.record import (
    ErrorMark,
    ExamRecord,
    PersonRef,
    RecordedTenderPoint,
    RecordedTriggerPoint,
    Signature,
)
from clinic.domain.scales import ExamStatus, Impression, PressureUnit, Side
from clinic.domain.scoring import score_exam
from clinic.domain.sites import SITE_BY_CODE
from clinic.exports.fhir import exam_bundle, exam_resources
from clinic.exports.fhir_codes import (
    FIBROMYALGIA,
    LATERALITY_EXTENSION,
    MRN_SYSTEM,
    MYOFASCIAL_PAIN_SYNDROME,
    PAIN_SEVERITY,
    PALPATION,
    STANDARD_CODES,
    TP_EXAM,
    TP_SITE,
    codings_in,
    is_verified,
    unverified_codes,
)
from tests.domain.reference import VERIFIED_IN_REFERENCE, reference_text

Json = dict[str, Any]

PDF = b"%PDF-1.7\n% a chart summary\n%%EOF\n"
ADMIN = PersonRef("44444444-4444-4444-8444-444444444444", "Lee Park", "RN")
MARKED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _signed() -> ExamRecord:
    """The benchmark's exam: signed, two addenda, 12 trigger points, impression "yes" twice."""
    return exam_record()


def _draft() -> ExamRecord:
    """A draft half filled in: a survey partly asked, a few sites, no impression yet."""
    record = exam_record(signed=False)
    return replace(
        record,
        tender_points=record.tender_points[:5],
        survey=SurveyInput(pain_duration_months=5, fatigue=2, pain_areas={"neck": True}),
        impression=ImpressionInput(),
    )


def _entered_in_error() -> ExamRecord:
    """A signed exam later marked entered in error; seed 3 leaves one knee site not examined."""
    record = exam_record(seed=3)
    mark = ErrorMark(ADMIN, MARKED_AT, "Wrong patient")
    return replace(record, status=ExamStatus.ENTERED_IN_ERROR, entered_in_error=mark)


def _diagnosed_fibromyalgia_only() -> ExamRecord:
    impression = ImpressionInput(Impression.YES, Impression.NO, "Fibromyalgia.", "")
    return replace(exam_record(addenda=0), impression=impression)


def _unusual() -> ExamRecord:
    """Signed by someone else; a muscle outside the catalogue; newtons without a probe area."""
    record = exam_record(trigger_points=2, addenda=0)
    other = TriggerPointInput(
        muscle_code="other",
        side=Side.LEFT,
        muscle_other_name="Rhomboid minor",
        referral_zones=("scapula_left", "groin_left"),
        rating=6,
    )
    newtons = TenderPointInput(
        "TP03L", True, "", True, 7, PressureReading(Decimal(30), PressureUnit.NEWTON)
    )
    tender_points = tuple(
        RecordedTenderPoint(tp.id, tp.version, newtons) if tp.finding.site_code == "TP03L" else tp
        for tp in record.tender_points
    )
    signature = Signature(ADMIN, datetime(2026, 11, 24, 18, tzinfo=UTC), "ab" * 32)
    return replace(
        record,
        tender_points=tender_points,
        trigger_points=(*record.trigger_points, RecordedTriggerPoint("trp-other", 1, other)),
        signature=signature,
    )


RECORDS = {
    "signed": _signed,
    "draft": _draft,
    "entered_in_error": _entered_in_error,
    "diagnosed": _diagnosed_fibromyalgia_only,
    "unusual": _unusual,
}


def _bundle(record: ExamRecord, **options: Any) -> Json:
    return exam_bundle(record, score_exam(record.findings), **options)


def _resources(record: ExamRecord, **options: Any) -> list[Json]:
    return list(exam_resources(record, score_exam(record.findings), **options))


def _of_type(resources: list[Json], resource_type: str) -> list[Json]:
    return [r for r in resources if r["resourceType"] == resource_type]


def _observations(resources: list[Json], code: str) -> list[Json]:
    return [
        r
        for r in _of_type(resources, "Observation")
        if any(c["code"] == code for c in r["code"].get("coding", []))
    ]


def _references(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _component(observation: Json, system: str, code: str) -> list[Json]:
    return [
        part
        for part in observation.get("component", [])
        if any(c["system"] == system and c["code"] == code for c in part["code"]["coding"])
    ]


# --- structure -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECORDS)
def test_every_resource_and_the_bundle_are_valid_r4b(name: str) -> None:
    bundle = _bundle(RECORDS[name](), pdf=PDF)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        # Nothing was dropped or renamed on the way through the model.
        assert model.model_dump(mode="json", by_alias=True, exclude_none=True) == resource
    Bundle.model_validate(bundle)
    json.dumps(bundle, allow_nan=False)  # plain JSON, no Decimal or datetime left


def test_the_models_do_reject_what_r4b_does_not_know() -> None:
    observation = _of_type(_resources(_signed()), "Observation")[0]
    model = get_fhir_model_class("Observation")
    with pytest.raises(ValidationError):
        model.model_validate({**observation, "bodyStructure": {"reference": "BodyStructure/x"}})


@pytest.mark.parametrize("name", RECORDS)
def test_every_reference_resolves_inside_the_bundle(name: str) -> None:
    bundle = _bundle(RECORDS[name]())
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    assert all(url.startswith("urn:uuid:") for url in full_urls)
    assert set(_references(bundle)) <= set(full_urls)


def test_resources_come_in_a_stable_order() -> None:
    types = [r["resourceType"] for r in _resources(_signed())]
    order = [
        "Patient",
        "Practitioner",
        "Encounter",
        "Observation",
        "QuestionnaireResponse",
        "Observation",
        "DiagnosticReport",
        "Provenance",
        "Condition",
    ]
    assert [t for i, t in enumerate(types) if i == 0 or types[i - 1] != t] == order


def test_the_same_exam_always_gives_the_same_bundle() -> None:
    first = json.dumps(_bundle(_signed(), pdf=PDF), sort_keys=False)
    again = json.dumps(_bundle(_signed(), pdf=PDF), sort_keys=False)
    assert first == again
    # Ids come from the record's ids: another exam of the same patient shares only the people.
    other = _bundle(exam_record(seed=2))
    ids = {e["resource"]["id"] for e in json.loads(first)["entry"]}
    shared = {e["resource"]["resourceType"] for e in other["entry"] if e["resource"]["id"] in ids}
    assert shared == {"Patient", "Practitioner"}


def test_ids_are_the_same_in_another_interpreter() -> None:
    check = (
        "from bench.samples import exam_record; from clinic.domain.scoring import score_exam; "
        "from clinic.exports.fhir import exam_bundle; r = exam_record(); "
        "print(exam_bundle(r, score_exam(r.findings))['entry'][-1]['resource']['id'])"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _bundle(_signed())["entry"][-1]["resource"]["id"]


def test_a_server_base_gives_restful_urls_and_a_bad_base_is_refused() -> None:
    bundle = _bundle(_signed(), base_url="https://fhir.example.org/r4/")
    patient = bundle["entry"][0]
    assert patient["fullUrl"] == f"https://fhir.example.org/r4/Patient/{patient['resource']['id']}"
    assert set(_references(bundle)) <= {entry["fullUrl"] for entry in bundle["entry"]}
    with pytest.raises(ValueError, match="base_url"):
        _bundle(_signed(), base_url="urn:oid:")


def test_the_export_needs_neither_flask_nor_sqlalchemy_nor_fhir_resources() -> None:
    check = (
        "import sys, clinic.exports.fhir; print(','.join(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'flask', 'sqlalchemy', 'flask_sqlalchemy', 'fhir', 'pydantic'})))"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# --- codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECORDS)
def test_every_snomed_and_loinc_code_emitted_is_verified(name: str) -> None:
    bundle = _bundle(RECORDS[name]())
    assert unverified_codes([bundle]) == []
    emitted = {(s, c) for s, c in codings_in(bundle) if s in {SNOMED_CT, LOINC}}
    assert emitted
    for system, code in emitted:
        assert is_verified(STANDARD_CODES[(system, code)])


# The codes no catalogue binds: each must stand in a row of the reference that says VERIFIED.
EXPORT_ONLY = {PALPATION.code, FIBROMYALGIA.code, MYOFASCIAL_PAIN_SYNDROME.code, PAIN_SEVERITY.code}


def _reference_rows(code: str) -> list[str]:
    pattern = re.compile(rf"(?<![\d-]){re.escape(code)}(?![\d-])")
    return [
        line
        for line in reference_text().splitlines()
        if line.startswith("|") and pattern.search(line)
    ]


@pytest.mark.parametrize("code", sorted(EXPORT_ONLY))
def test_codes_bound_by_the_export_are_verified_in_the_reference(code: str) -> None:
    rows = _reference_rows(code)
    assert any("VERIFIED" in row for row in rows), rows
    assert not [row for row in rows if re.search("UNVERIFIED|PARTIAL|AMBIGUOUS", row)]


def test_every_code_emitted_is_verified_in_the_reference_itself() -> None:
    emitted = set()
    for make in RECORDS.values():
        emitted |= {c for s, c in codings_in(_bundle(make())) if s in {SNOMED_CT, LOINC}}
    assert emitted - set(VERIFIED_IN_REFERENCE) - EXPORT_ONLY == set()


def test_a_code_not_verified_is_refused_and_never_emitted() -> None:
    bundle = _bundle(_signed())
    partial = {key for key, code in STANDARD_CODES.items() if not code.emittable}
    assert ("http://snomed.info/sct", "1600003") in partial  # splenius capitis, PARTIAL
    assert not partial & set(codings_in(bundle))
    fake = [{"coding": [{"system": SNOMED_CT, "code": "24693007"}]}]
    assert unverified_codes([{"x": fake}]) == [(SNOMED_CT, "24693007")]


# --- findings --------------------------------------------------------------------------------


def test_laterality_only_beside_a_verified_snomed_body_structure() -> None:
    resources = _resources(_unusual()) + _resources(_signed())
    with_site = [r for r in _of_type(resources, "Observation") if "bodySite" in r]
    seen_text_only = seen_lateral = 0
    for observation in with_site:
        site = observation["bodySite"]
        snomed = [c for c in site.get("coding", []) if c["system"] == SNOMED_CT]
        assert site["text"]
        if not snomed:
            seen_text_only += 1
            assert "extension" not in site
            continue
        assert len(snomed) == 1
        assert is_verified(STANDARD_CODES[(SNOMED_CT, snomed[0]["code"])])
        for extension in site.get("extension", []):
            seen_lateral += 1
            assert extension["url"] == LATERALITY_EXTENSION
            (coding,) = extension["valueCodeableConcept"]["coding"]
            assert coding["code"] in {LEFT.code, RIGHT.code}
    assert seen_text_only
    assert seen_lateral


def test_a_tender_point_site_has_its_codes_side_rating_and_reading() -> None:
    resources = _resources(_signed())
    (trapezius,) = [
        r for r in _observations(resources, "tender-point") if "TP03L" in json.dumps(r["bodySite"])
    ]
    site = SITE_BY_CODE["TP03L"]
    assert trapezius["category"][0]["coding"][0]["code"] == "exam"
    assert trapezius["method"]["coding"][0]["code"] == "113011001"
    codes = {(c["system"], c["code"]) for c in trapezius["bodySite"]["coding"]}
    assert codes == {(SNOMED_CT, "31764008"), (TP_SITE, "TP03L")}
    lateral = trapezius["bodySite"]["extension"][0]["valueCodeableConcept"]["coding"][0]
    assert lateral["code"] == LEFT.code
    finding = next(tp.finding for tp in _signed().tender_points if tp.finding.site_code == "TP03L")
    (rating,) = _component(trapezius, LOINC, "72514-3")
    assert rating["valueInteger"] == finding.rating
    (ppt,) = _component(trapezius, TP_EXAM, "ppt")
    assert ppt["valueQuantity"]["system"] == UCUM
    assert ppt["valueQuantity"]["code"] == "kgf/cm2"
    assert ppt["valueQuantity"]["value"] == float(finding.ppt.value)  # type: ignore[union-attr]
    assert site.label in trapezius["bodySite"]["text"]


def test_controls_are_control_points_and_midline_has_no_laterality() -> None:
    (forehead,) = [
        r
        for r in _observations(_resources(_signed()), "control-point")
        if "CTRL_FOREHEAD" in json.dumps(r["bodySite"])
    ]
    assert "extension" not in forehead["bodySite"]
    assert {c["code"] for c in forehead["bodySite"]["coding"]} == {"52795006", "CTRL_FOREHEAD"}


def test_a_site_not_examined_says_so_and_records_nothing_else() -> None:
    resources = _resources(_entered_in_error())
    (knee,) = [r for r in _observations(resources, "tender-point") if "TP09R" in json.dumps(r)]
    assert knee["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
    assert knee["dataAbsentReason"]["text"] == "knee brace, not removed"
    assert "component" not in knee


def test_a_trigger_point_carries_every_sign_measure_and_zone() -> None:
    record = _signed()
    first = record.trigger_points[0].finding  # temporalis, right, active, zones
    resources = _resources(record)
    spot = _observations(resources, "trigger-point")[0]
    assert spot["valueCodeableConcept"]["coding"][0]["code"] == "active"
    (length,) = _component(spot, TP_EXAM, "nodule-length")
    assert length["valueQuantity"] == {"value": 4, "unit": "mm", "system": UCUM, "code": "mm"}
    (grade,) = _component(spot, TP_EXAM, "tenderness-grade")
    assert grade["valueCodeableConcept"]["coding"][0]["code"] == "I"
    (rating,) = _component(spot, LOINC, "72514-3")
    assert rating["valueInteger"] == first.rating
    (taut,) = _component(spot, TP_EXAM, "taut-band")
    assert taut["dataAbsentReason"]["text"] == "not assessable"
    (twitch,) = _component(spot, TP_EXAM, "local-twitch-response")
    assert twitch["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
    for sign in ("hypersensitive-spot", "referred-pain", "pain-recognition", "jump-sign"):
        assert _component(spot, TP_EXAM, sign)[0]["valueBoolean"] is True
    zones = _component(spot, TP_EXAM, "referral-zone")
    assert len(zones) == len(first.referral_zones)
    assert {z["valueCodeableConcept"]["text"] for z in zones} >= {"Temple, right"}
    (delphi,) = _component(spot, TP_EXAM, "delphi-2018")
    assert delphi["valueCodeableConcept"]["coding"][0]["code"] == "met"
    (description,) = _component(spot, TP_EXAM, "referral-description")
    assert description["valueString"] == first.referral_description


def test_unverified_muscles_and_zones_go_out_as_text() -> None:
    resources = _resources(_unusual())
    other = _observations(resources, "trigger-point")[-1]
    assert other["bodySite"] == {"text": "Rhomboid minor, left"}
    zones = [z["valueCodeableConcept"] for z in _component(other, TP_EXAM, "referral-zone")]
    groin = next(z for z in zones if z["text"] == "Groin, left")
    assert [c["system"] for c in groin["coding"]] == [
        "https://tenderpoint.clinic/fhir/CodeSystem/body-zone"
    ]
    scapula = next(z for z in zones if z["text"] == "Over the scapula, left")
    assert scapula["coding"][0] == {"system": SNOMED_CT, "code": "79601000", "display": "Scapula"}


def test_a_force_reading_keeps_its_unit_and_no_unrecorded_value_appears() -> None:
    resources = _resources(_unusual())
    (trapezius,) = [r for r in _observations(resources, "tender-point") if "TP03L" in json.dumps(r)]
    (ppt,) = _component(trapezius, TP_EXAM, "ppt")
    assert ppt["valueQuantity"] == {"value": 30, "unit": "N", "system": UCUM, "code": "N"}
    assert _component(trapezius, TP_EXAM, "probe-area") == []
    other = _observations(resources, "trigger-point")[-1]
    recorded = {c["code"]["coding"][0]["code"] for c in other["component"]}
    assert recorded == {"72514-3", "referral-zone", "delphi-2018"}
    (delphi,) = _component(other, TP_EXAM, "delphi-2018")
    assert delphi["valueCodeableConcept"]["coding"][0]["code"] == "cannot-be-determined"
    assert "valueCodeableConcept" not in other  # no classification confirmed


# --- survey, scores, criteria ----------------------------------------------------------------


def test_the_survey_is_a_questionnaire_response_by_link_id() -> None:
    (signed,) = _of_type(_resources(_signed()), "QuestionnaireResponse")
    assert signed["status"] == "completed"
    answers = {item["linkId"]: item for item in signed["item"]}
    assert answers["pain_duration_months"]["answer"] == [{"valueInteger": 30}]
    assert answers["headaches"]["answer"] == [{"valueBoolean": True}]
    assert answers["lower_abdominal_pain"]["answer"] == [{"valueBoolean": False}]
    assert len(answers["pain_areas"]["item"]) == 19
    (draft,) = _of_type(_resources(_draft()), "QuestionnaireResponse")
    assert draft["status"] == "in-progress"
    assert [item["linkId"] for item in draft["item"]] == [
        "pain_duration_months",
        "pain_areas",
        "fatigue",
    ]  # what was not asked is left out, never answered "no"


def test_scores_and_criteria_are_survey_observations_with_their_version() -> None:
    record = _signed()
    scores = score_exam(record.findings)
    resources = _resources(record)
    wpi = _observations(resources, "wpi")[0]
    assert wpi["category"][0]["coding"][0]["code"] == "survey"
    assert wpi["valueInteger"] == scores.wpi.value
    assert scores.wpi.version in wpi["code"]["text"]
    assert wpi["method"]["text"].endswith(f"version {scores.scoring_version}")
    assert wpi["note"] == [{"text": scores.wpi.text}]
    fis = _observations(resources, "fis")[0]
    assert fis["valueQuantity"]["value"] == float(scores.fibromyalgia_intensity.value)  # type: ignore[arg-type]
    fs = _observations(resources, "fs")[0]
    assert (
        _component(fs, TP_EXAM, "severity-category")[0]["valueCodeableConcept"]["coding"][0]["code"]
        == "severe"
    )
    for key, result in (("acr-1990", scores.acr_1990), ("acr-2016", scores.acr_2016)):
        criterion = _observations(resources, key)[0]
        assert result.version in criterion["code"]["text"]
        assert criterion["valueCodeableConcept"]["coding"][0]["code"] == "met"
        assert len(criterion["component"]) == len(result.conditions)
    counts = _observations(resources, "trigger-points")[0]
    assert len(counts["derivedFrom"]) == 12


def test_an_incomplete_score_has_no_value_but_its_possible_range() -> None:
    resources = _resources(_draft())
    tpc = _observations(resources, "tpc-acr1990")[0]
    assert "valueInteger" not in tpc
    assert tpc["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    (possible,) = _component(tpc, TP_EXAM, "possible-range")
    assert possible["valueRange"]["high"]["value"] > possible["valueRange"]["low"]["value"]
    acr_2016 = _observations(resources, "acr-2016")[0]
    assert acr_2016["valueCodeableConcept"]["coding"][0]["code"] == "cannot-be-determined"


# --- report, signature, statuses, diagnosis ----------------------------------------------------


def test_the_pdf_is_embedded_or_linked() -> None:
    embedded = _of_type(_resources(_signed(), pdf=PDF), "DiagnosticReport")[0]
    form = embedded["presentedForm"][0]
    assert form["contentType"] == "application/pdf"
    assert base64.b64decode(form["data"]) == PDF
    assert "url" not in form
    url = "https://clinic.example/exams/1/summary.pdf"
    linked = _of_type(_resources(_signed(), pdf_url=url), "DiagnosticReport")[0]
    assert linked["presentedForm"][0] == {
        "contentType": "application/pdf",
        "url": url,
        "title": "Exam summary 2026-11-24",
    }
    neither = _of_type(_resources(_signed()), "DiagnosticReport")[0]
    assert [f["contentType"] for f in neither["presentedForm"]] == ["text/plain; charset=utf-8"] * 2


def test_addenda_travel_as_text_beside_the_pdf_and_the_report_is_appended() -> None:
    record = _signed()
    report = _of_type(_resources(record, pdf=PDF), "DiagnosticReport")[0]
    assert report["status"] == "appended"
    texts = [base64.b64decode(f["data"]).decode() for f in report["presentedForm"][1:]]
    assert texts == [addendum.text for addendum in record.addenda]
    without = _of_type(_resources(_diagnosed_fibromyalgia_only()), "DiagnosticReport")[0]
    assert without["status"] == "final"


def test_the_report_groups_every_observation() -> None:
    resources = _resources(_signed())
    report = _of_type(resources, "DiagnosticReport")[0]
    observations = {f"urn:uuid:{r['id']}" for r in _of_type(resources, "Observation")}
    assert {ref["reference"] for ref in report["result"]} == observations
    assert report["identifier"][0]["value"] == _signed().id


def test_a_signed_exam_has_its_signature_as_provenance() -> None:
    record = _signed()
    resources = _resources(record)
    (provenance,) = _of_type(resources, "Provenance")
    report = _of_type(resources, "DiagnosticReport")[0]
    assert provenance["target"] == [{"reference": f"urn:uuid:{report['id']}"}]
    assert provenance["recorded"] == "2026-11-24T16:00:00Z"
    (signature,) = provenance["signature"]
    assert base64.b64decode(signature["data"]).decode() == record.signature.digest  # type: ignore[union-attr]
    assert signature["type"][0]["code"] == "1.2.840.10065.1.12.1.1"
    assert report["issued"] == "2026-11-24T16:00:00Z"
    (practitioner,) = _of_type(resources, "Practitioner")
    assert provenance["agent"][0]["who"]["reference"] == f"urn:uuid:{practitioner['id']}"


def test_another_signer_is_a_second_practitioner_and_a_verification_signature() -> None:
    resources = _resources(_unusual())
    names = [p["name"][0]["text"] for p in _of_type(resources, "Practitioner")]
    assert names == [CLINICIAN.name, ADMIN.name]
    (provenance,) = _of_type(resources, "Provenance")
    assert provenance["signature"][0]["type"][0]["code"] == "1.2.840.10065.1.12.1.5"


def test_a_draft_is_preliminary_and_unsigned() -> None:
    resources = _resources(_draft())
    assert {r["status"] for r in _of_type(resources, "Observation")} == {"preliminary"}
    assert _of_type(resources, "DiagnosticReport")[0]["status"] == "preliminary"
    assert "issued" not in _of_type(resources, "DiagnosticReport")[0]
    assert _of_type(resources, "Encounter")[0]["status"] == "in-progress"
    assert _of_type(resources, "Provenance") == []
    assert _of_type(resources, "Condition") == []


def test_an_exam_entered_in_error_says_so_everywhere() -> None:
    resources = _resources(_entered_in_error())
    statuses = {
        r["status"]
        for r in resources
        if r["resourceType"]
        in {"Observation", "DiagnosticReport", "QuestionnaireResponse", "Encounter"}
    }
    assert statuses == {"entered-in-error"}
    for condition in _of_type(resources, "Condition"):
        assert "clinicalStatus" not in condition
        assert condition["verificationStatus"]["coding"][0]["code"] == "entered-in-error"
    nullified = _of_type(resources, "Provenance")[-1]
    assert nullified["activity"]["coding"][0]["code"] == "NULLIFY"
    assert nullified["reason"] == [{"text": "Wrong patient"}]
    assert nullified["recorded"] == "2026-12-01T09:30:00Z"


def test_conditions_follow_the_clinicians_impression() -> None:
    resources = _resources(_signed())
    conditions = _of_type(resources, "Condition")
    assert [c["code"]["coding"][0]["code"] for c in conditions] == ["203082005", "726531007"]
    assert {c["verificationStatus"]["coding"][0]["code"] for c in conditions} == {"confirmed"}
    criteria = {
        f"urn:uuid:{r['id']}"
        for k in ("acr-1990", "acr-2010", "acr-2011", "acr-2016")
        for r in _observations(resources, k)
    }
    assert {d["reference"] for d in conditions[0]["evidence"][0]["detail"]} == criteria
    report = _of_type(resources, "DiagnosticReport")[0]
    assert [c["coding"][0]["code"] for c in report["conclusionCode"]] == ["203082005", "726531007"]
    only = _of_type(_resources(_diagnosed_fibromyalgia_only()), "Condition")
    assert [c["code"]["coding"][0]["code"] for c in only] == ["203082005"]


@pytest.mark.parametrize("impression", [Impression.NO, Impression.NOT_ASSESSED])
def test_no_condition_without_a_recorded_diagnosis_even_when_criteria_are_met(
    impression: Impression,
) -> None:
    record = replace(_signed(), impression=ImpressionInput(impression, impression, "", ""))
    scores = score_exam(record.findings)
    assert scores.acr_2016.outcome.value == "met"
    resources = list(exam_resources(record, scores))
    assert _of_type(resources, "Condition") == []
    assert "conclusionCode" not in _of_type(resources, "DiagnosticReport")[0]
    assert FIBROMYALGIA.code not in json.dumps(resources)


def test_the_patient_is_what_the_record_says() -> None:
    record = _signed()
    patient = _of_type(_resources(record), "Patient")[0]
    assert patient["identifier"] == [{"system": MRN_SYSTEM, "value": record.patient.mrn}]
    assert patient["name"] == [{"family": "Łukasiewicz", "given": ["Zoë"]}]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1981-04-02")
    assert set(patient) == {"resourceType", "id", "identifier", "name", "gender", "birthDate"}


def test_a_findings_observation_has_the_findings_own_id() -> None:
    """The finding_id of the JSON and CSV exports finds the same finding in a FHIR export."""
    record = _signed()
    observations = _of_type(_resources(record), "Observation")
    finding_ids = [tp.id for tp in record.tender_points] + [tp.id for tp in record.trigger_points]
    by_id = {observation["id"]: observation for observation in observations}
    assert set(finding_ids) <= by_id.keys()
    first = record.tender_points[0]
    assert by_id[first.id]["bodySite"]["text"].startswith(
        SITE_BY_CODE[first.finding.site_code].label
    )


def test_resource_ids_are_uuid5_of_the_record_and_role() -> None:
    import uuid as uuid_module

    from clinic.exports.fhir import ID_NAMESPACE, resource_id

    names = [("exam", "3f2c", "patient"), ("practitioner", "Zoë Łukasiewicz")]
    names += [("exam", str(uuid_module.UUID(int=n * 7919)), f"role/{n}") for n in range(500)]
    for parts in names:  # every hex digit in the version and variant places
        expected = str(uuid_module.uuid5(ID_NAMESPACE, "/".join(parts)))
        assert resource_id(*parts) == expected
