"""HL7 FHIR R4 export of one exam: JSON-ready resources and a `collection` Bundle of them.

Pure: reads an ExamRecord and its ExamScores, nothing else (no Flask, no database), and emits only
elements R4 (4.0.1) and R4B (4.3.0) share. Systems, extensions and local codes are listed in
clinic.exports.fhir_codes. The resources, in this order:

| Resource | Holds |
|---|---|
| Patient | MRN (`tpc:sid/mrn`), name, gender, birth date |
| Practitioner | the examining clinician; the signer and who marked the exam in error, if others |
| Encounter | the visit (`AMB`), its date, the clinician |
| Observation (`exam`) | one per palpated site (`tender-point`, `control-point`) and trigger point |
| QuestionnaireResponse | the survey answers by linkId; unasked questions left out |
| Observation (`survey`) | one per score and criterion, `tp-score` code, version in `code.text` |
| DiagnosticReport | every Observation; conclusion; PDF and addenda as `presentedForm` |
| Provenance | the signature (signed exams), and the entered-in-error mark |
| Condition | only for the clinician's impression "yes" (fibromyalgia, myofascial pain syndrome) |

A finding's bodySite carries the catalogue's local code and its text; SNOMED CT, and the laterality
extension beside it, only where the catalogue's code is VERIFIED. The 0-10 palpation rating is the
LOINC 72514-3 component (valueInteger); every sign is its own component. A value not recorded is
left out, never sent as zero or false; a site not examined has a dataAbsentReason. Statuses follow
the exam: draft -> preliminary / in-progress / provisional; signed -> final (`appended` report once
addenda exist) / finished / completed / confirmed; entered in error -> entered-in-error everywhere.
Score and criterion Observations give the criteria version in `code.text`, the app's scoring
rules version in `method.text`, the explanation in words in `note`. A finding's Observation has
the finding's own id (the `finding_id` of the JSON and CSV exports); every other id is a UUID v5
over the record's own ids and a role. The same exam always gives the same resources.
A Condition is never derived from the criteria, whose Observations are only its evidence.
The parts resources repeat (a site's bodySite, a component's code, the exam's references) are
built once and shared between resources: a resource is written out as built, never changed.
Provenance.signature.data is the base64 of the exam's hex SHA-256 digest as the app shows it: a
record of what was signed, not a cryptographic signature.

Built here: Patient, Practitioner, Encounter, DiagnosticReport, Provenance and Condition. The
findings' Observations and the QuestionnaireResponse come from clinic.exports.fhir_findings, the
scores' from clinic.exports.fhir_scores; ids and references from clinic.exports.fhir_exam.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from typing import Final

from clinic.domain.codes import Code
from clinic.domain.document import timestamp_text
from clinic.domain.record import ExamRecord, PersonRef
from clinic.domain.scales import ExamStatus, Impression
from clinic.domain.scoring import ExamScores
from clinic.exports.fhir_codes import (
    ACT_CODE,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    DATA_OPERATION,
    EXAM_ID_SYSTEM,
    FIBROMYALGIA,
    MRN_SYSTEM,
    MYOFASCIAL_PAIN_SYNDROME,
    SIGNATURE_TYPE,
    Json,
    concept,
    exam_coding,
    local_coding,
    standard_coding,
)
from clinic.exports.fhir_exam import (
    ID_NAMESPACE,
    URN_UUID,
    ExamContext,
    full_url,
    patient_id,
    person_id,
    resource_id,
)
from clinic.exports.fhir_findings import questionnaire_response
from clinic.exports.fhir_scores import Observations, exam_observations

__all__ = ["ID_NAMESPACE", "URN_UUID", "exam_bundle", "exam_resources", "full_url", "resource_id"]

_AUTHOR_SIGNATURE: Final = ("1.2.840.10065.1.12.1.1", "Author's Signature")
_VERIFICATION_SIGNATURE: Final = ("1.2.840.10065.1.12.1.5", "Verification Signature")


def _diagnoses(record: ExamRecord) -> list[tuple[str, Code]]:
    """The clinician's own diagnoses: an impression of "yes", never the criteria's outcome."""
    impression = record.impression
    found = []
    if impression.fibromyalgia is Impression.YES:
        found.append(("fibromyalgia", FIBROMYALGIA))
    if impression.myofascial_pain_syndrome is Impression.YES:
        found.append(("myofascial-pain-syndrome", MYOFASCIAL_PAIN_SYNDROME))
    return found


def _attachment(content_type: str, title: str, data: bytes | None, url: str | None) -> Json:
    attachment: Json = {"contentType": content_type}
    if data is not None:
        attachment["data"] = base64.b64encode(data).decode("ascii")
    if url is not None:
        attachment["url"] = url
    attachment["title"] = title
    return attachment


def _presented_forms(record: ExamRecord, pdf: bytes | None, pdf_url: str | None) -> list[Json]:
    forms = []
    if pdf is not None or pdf_url is not None:
        title = f"Exam summary {record.exam_date.isoformat()}"
        forms.append(_attachment("application/pdf", title, pdf, pdf_url))
    for position, addendum in enumerate(record.addenda, start=1):
        title = f"Addendum {position} by {addendum.author.name}"
        form = _attachment("text/plain; charset=utf-8", title, addendum.text.encode(), None)
        form["creation"] = timestamp_text(addendum.created_at)
        forms.append(form)
    return forms


def _conclusion(record: ExamRecord) -> str:
    assessment, plan = record.impression.assessment.strip(), record.impression.plan.strip()
    return "\n\n".join(part for part in (assessment, f"Plan: {plan}" if plan else "") if part)


def _diagnostic_report(
    exam: ExamContext, results: Sequence[Json], pdf: bytes | None, pdf_url: str | None
) -> Json:
    record, signature = exam.record, exam.record.signature
    status = exam.status.observation
    if record.status is ExamStatus.SIGNED and record.addenda:
        status = "appended"  # final, then added to; what was signed is unchanged
    report: Json = {
        "resourceType": "DiagnosticReport",
        "id": exam.id("report"),
        "identifier": [{"system": EXAM_ID_SYSTEM, "value": record.id}],
        "status": status,
        "code": concept(exam_coding("exam-report")),
        "subject": exam.patient(),
        "encounter": exam.encounter(),
        "effectiveDateTime": record.exam_date.isoformat(),
    }
    if signature is not None:
        report["issued"] = timestamp_text(signature.signed_at)
    report["performer"] = [exam.person(record.clinician)]
    if signature is not None:
        report["resultsInterpreter"] = [exam.person(signature.signed_by)]
    report["result"] = [exam.ref_of(resource) for resource in results]
    if conclusion := _conclusion(record):
        report["conclusion"] = conclusion
    if diagnoses := _diagnoses(record):
        report["conclusionCode"] = [concept(standard_coding(code)) for _, code in diagnoses]
    if forms := _presented_forms(record, pdf, pdf_url):
        report["presentedForm"] = forms
    return report


def _provenances(exam: ExamContext) -> Iterator[Json]:
    record = exam.record
    target = [exam.ref("DiagnosticReport", "report")]
    if (signature := record.signature) is not None:
        signer = exam.person(signature.signed_by)
        own = signature.signed_by.id == record.clinician.id
        kind = _AUTHOR_SIGNATURE if own else _VERIFICATION_SIGNATURE
        yield {
            "resourceType": "Provenance",
            "id": exam.id("provenance/signature"),
            "target": target,
            "recorded": timestamp_text(signature.signed_at),
            "agent": [{"who": signer}],
            "signature": [
                {
                    "type": [local_coding(SIGNATURE_TYPE, *kind)],
                    "when": timestamp_text(signature.signed_at),
                    "who": signer,
                    "data": base64.b64encode(signature.digest.encode("ascii")).decode("ascii"),
                }
            ],
        }
    if (mark := record.entered_in_error) is not None:
        provenance: Json = {
            "resourceType": "Provenance",
            "id": exam.id("provenance/entered-in-error"),
            "target": target,
            "recorded": timestamp_text(mark.marked_at),
            "activity": concept(local_coding(DATA_OPERATION, "NULLIFY", "nullify")),
            "agent": [{"who": exam.person(mark.marked_by)}],
        }
        if mark.reason:
            provenance["reason"] = [concept(text=mark.reason)]
        yield provenance


def _conditions(exam: ExamContext, observations: Observations) -> Iterator[Json]:
    record = exam.record
    evidence = {
        "fibromyalgia": observations.criteria,
        "myofascial-pain-syndrome": observations.trigger_points + observations.trigger_point_counts,
    }
    for role, code in _diagnoses(record):
        condition: Json = {"resourceType": "Condition", "id": exam.id(f"condition/{role}")}
        if record.status is not ExamStatus.ENTERED_IN_ERROR:  # con-5: no clinical status then
            condition["clinicalStatus"] = concept(local_coding(CONDITION_CLINICAL, "active"))
        verification = local_coding(CONDITION_VERIFICATION, exam.status.verification)
        condition["verificationStatus"] = concept(verification)
        category = local_coding(CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")
        condition["category"] = [concept(category)]
        condition["code"] = concept(standard_coding(code))
        condition["subject"] = exam.patient()
        condition["encounter"] = exam.encounter()
        condition["recordedDate"] = record.exam_date.isoformat()
        condition["recorder"] = exam.person(record.clinician)
        condition["asserter"] = exam.person(record.clinician)
        if evidence[role]:
            condition["evidence"] = [{"detail": [exam.ref_of(r) for r in evidence[role]]}]
        yield condition


def _patient(record: ExamRecord) -> Json:
    patient = record.patient
    resource: Json = {"resourceType": "Patient", "id": patient_id(record)}
    if patient.mrn:
        resource["identifier"] = [{"system": MRN_SYSTEM, "value": patient.mrn}]
    name: Json = {"family": patient.family_name} if patient.family_name else {}
    if patient.given_name:
        name["given"] = [patient.given_name]
    if name:
        resource["name"] = [name]
    resource["gender"] = patient.sex.value
    resource["birthDate"] = patient.date_of_birth.isoformat()
    return resource


def _practitioner(person: PersonRef) -> Json:
    resource: Json = {"resourceType": "Practitioner", "id": person_id(person)}
    if person.name:
        resource["name"] = [{"text": person.name}]
    if person.licence_number or person.credentials:
        qualification: Json = {}
        if person.licence_number:
            qualification["identifier"] = [{"value": person.licence_number}]
        qualification["code"] = concept(text=person.credentials or "Licence")
        resource["qualification"] = [qualification]
    return resource


def _practitioners(record: ExamRecord) -> list[Json]:
    people = [record.clinician]
    if record.signature is not None:
        people.append(record.signature.signed_by)
    if record.entered_in_error is not None:
        people.append(record.entered_in_error.marked_by)
    first: dict[str, PersonRef] = {}
    for person in people:
        first.setdefault(person.id, person)
    return [_practitioner(person) for person in first.values()]


def _encounter(exam: ExamContext) -> Json:
    record = exam.record
    day = record.exam_date.isoformat()
    return {
        "resourceType": "Encounter",
        "id": exam.id("encounter"),
        "status": exam.status.encounter,
        "class": local_coding(ACT_CODE, "AMB", "ambulatory"),
        "subject": exam.patient(),
        "participant": [{"individual": exam.person(record.clinician)}],
        "period": {"start": day, "end": day},
    }


def exam_resources(
    record: ExamRecord,
    scores: ExamScores,
    *,
    pdf: bytes | None = None,
    pdf_url: str | None = None,
    base_url: str = URN_UUID,
) -> Iterator[Json]:
    """Yield every FHIR R4 resource of one exam as a JSON-ready dict, in a stable order."""
    full_url(base_url, "Patient", "check")  # refuse a bad base before anything is yielded
    exam = ExamContext(record, base_url, scores.scoring_version)
    observations = exam_observations(exam, scores)
    yield _patient(record)
    yield from _practitioners(record)
    yield _encounter(exam)
    yield from observations.tender_points
    yield from observations.trigger_points
    yield questionnaire_response(exam)
    yield from observations.scores
    yield from observations.criteria
    yield _diagnostic_report(exam, observations.all(), pdf, pdf_url)
    yield from _provenances(exam)
    yield from _conditions(exam, observations)


def exam_bundle(
    record: ExamRecord,
    scores: ExamScores,
    *,
    pdf: bytes | None = None,
    pdf_url: str | None = None,
    base_url: str = URN_UUID,
) -> Json:
    """A `collection` Bundle of every resource of one exam: the same exam, the same bundle."""
    resources = exam_resources(record, scores, pdf=pdf, pdf_url=pdf_url, base_url=base_url)
    entries = [
        {"fullUrl": full_url(base_url, r["resourceType"], r["id"]), "resource": r}
        for r in resources
    ]
    return {
        "resourceType": "Bundle",
        "id": resource_id("exam", record.id, "bundle"),
        "type": "collection",
        "entry": entries,
    }
