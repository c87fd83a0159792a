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
rules version in `method.text`, the explanation in words in `note`. Ids are UUID v5 over the
record's own ids and a role, so the same exam gives the same resources.
A Condition is never derived from the criteria, whose Observations are only its evidence.
Provenance.signature.data is the base64 of the exam's hex SHA-256 digest as the app shows it: a
record of what was signed, not a cryptographic signature.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NamedTuple

from clinic.domain import codes as domain_codes
from clinic.domain.body_areas import parse_zone, zone_label
from clinic.domain.codes import Code
from clinic.domain.document import timestamp_text
from clinic.domain.findings import PressureReading, SurveyInput, TriggerPointInput
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.domain.record import ExamRecord, PersonRef, RecordedTenderPoint, RecordedTriggerPoint
from clinic.domain.scales import ExamStatus, Impression, Side, TautBand, TwitchResponse
from clinic.domain.scoring import (
    CountScore,
    CriterionResult,
    ExamScores,
    IntensityScore,
    SeverityScore,
    TriggerPointScore,
    TriggerPointSummary,
)
from clinic.domain.sites import ALL_SITES, SITE_BY_CODE
from clinic.domain.wpi import PAIN_AREAS
from clinic.exports.fhir_codes import (
    ACT_CODE,
    BODY_ZONE,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    DATA_OPERATION,
    EXAM_ID_SYSTEM,
    FIBROMYALGIA,
    FS_CATEGORY,
    MRN_SYSTEM,
    MYOFASCIAL_PAIN_SYNDROME,
    OBSERVATION_CATEGORY,
    PAIN_SEVERITY,
    PALPATION,
    SCORE_NAMES,
    SIGNATURE_TYPE,
    SURVEY_QUESTIONNAIRE,
    SURVEY_QUESTIONS,
    TENDERNESS_GRADE,
    TP_MUSCLE,
    TP_SCORE,
    TP_SITE,
    TRIGGER_POINT_CLASS,
    Json,
    absent,
    body_site,
    component,
    concept,
    exam_coding,
    is_verified,
    local_code,
    local_coding,
    outcome_concept,
    standard_coding,
    ucum_quantity,
)

URN_UUID: Final = "urn:uuid:"
# Fixed forever: changing it would change every exported id.
ID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://tenderpoint.clinic/fhir")
_NAMESPACE_BYTES: Final = ID_NAMESPACE.bytes
_SITE_ORDER: Final = {site.code: index for index, site in enumerate(ALL_SITES)}
_LATERALITY: Final = {Side.LEFT: domain_codes.LEFT, Side.RIGHT: domain_codes.RIGHT}
_AUTHOR_SIGNATURE: Final = ("1.2.840.10065.1.12.1.1", "Author's Signature")
_VERIFICATION_SIGNATURE: Final = ("1.2.840.10065.1.12.1.5", "Verification Signature")


class _Statuses(NamedTuple):
    observation: str
    encounter: str
    questionnaire: str
    verification: str


_STATUSES: Final = {
    ExamStatus.DRAFT: _Statuses("preliminary", "in-progress", "in-progress", "provisional"),
    ExamStatus.SIGNED: _Statuses("final", "finished", "completed", "confirmed"),
    ExamStatus.ENTERED_IN_ERROR: _Statuses(*["entered-in-error"] * 4),
}


def full_url(base_url: str, resource_type: str, resource_id: str) -> str:
    """The absolute URL of a resource: urn:uuid:<id>, or <server base>/<type>/<id>."""
    if base_url == URN_UUID:
        return f"{URN_UUID}{resource_id}"
    if base_url.startswith("urn:") or not base_url:
        raise ValueError(f"base_url must be {URN_UUID!r} or a FHIR server base, not {base_url!r}")
    return f"{base_url.rstrip('/')}/{resource_type}/{resource_id}"


def resource_id(*parts: str) -> str:
    """A stable resource id: UUID v5 of the record ids and the role that name the resource."""
    return _uuid5("/".join(parts))


@lru_cache(maxsize=8192)
def _uuid5(name: str) -> str:
    """`str(uuid.uuid5(ID_NAMESPACE, name))`, without building UUID objects: an exam's bundle
    names about 190 resources and references, and the same ones again and again."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])  # noqa: S324
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class _Exam:
    """One exam being exported: its record, where its resources live, their ids and references."""

    record: ExamRecord
    base_url: str
    scoring_version: str

    @property
    def status(self) -> _Statuses:
        return _STATUSES[self.record.status]

    def id(self, role: str) -> str:
        return resource_id("exam", self.record.id, role)

    def ref(self, resource_type: str, role: str) -> Json:
        return {"reference": full_url(self.base_url, resource_type, self.id(role))}

    def ref_of(self, resource: Json) -> Json:
        return {"reference": full_url(self.base_url, resource["resourceType"], resource["id"])}

    def patient(self) -> Json:
        return {"reference": full_url(self.base_url, "Patient", _patient_id(self.record))}

    def person(self, person: PersonRef) -> Json:
        return {"reference": full_url(self.base_url, "Practitioner", _person_id(person))}


def _patient_id(record: ExamRecord) -> str:
    return resource_id("patient", record.patient.id)


def _person_id(person: PersonRef) -> str:
    return resource_id("practitioner", person.id)


def _observation(exam: _Exam, role: str, category: str, code: Json) -> Json:
    record = exam.record
    return {
        "resourceType": "Observation",
        "id": exam.id(role),
        "status": exam.status.observation,
        "category": [concept(local_coding(OBSERVATION_CATEGORY, category))],
        "code": code,
        "subject": exam.patient(),
        "encounter": exam.ref("Encounter", "encounter"),
        "effectiveDateTime": record.exam_date.isoformat(),
        "performer": [exam.person(record.clinician)],
    }


def _pressure(reading: PressureReading | None) -> list[Json]:
    if reading is None:
        return []
    value = ucum_quantity(reading.value, reading.unit.value, reading.unit.label)
    parts = [component(exam_coding("ppt"), valueQuantity=value)]
    if reading.probe_area_cm2 is not None:
        area = ucum_quantity(reading.probe_area_cm2, "cm2", "cm²")
        parts.append(component(exam_coding("probe-area"), valueQuantity=area))
    return parts


def _tender_point(exam: _Exam, recorded: RecordedTenderPoint) -> Json:
    finding = recorded.finding
    site = SITE_BY_CODE.get(finding.site_code)
    label = site.label if site else finding.site_code
    kind = exam_coding("control-point" if site and site.control else "tender-point")
    code = concept(kind, text=f"{kind['display']}: {label}")
    resource = _observation(exam, f"tender-point/{recorded.id}", "exam", code)
    local = local_coding(TP_SITE, finding.site_code, label)
    snomed, laterality = (site.snomed, site.laterality) if site else (None, None)
    resource["bodySite"] = body_site(local, snomed, laterality, label)
    resource["method"] = concept(standard_coding(PALPATION))
    if not finding.examined:
        reason = finding.not_examined_reason or "not examined"
        resource["dataAbsentReason"] = absent("not-performed", reason)
        return resource
    parts = []
    if finding.painful is not None:
        parts.append(component(exam_coding("painful"), valueBoolean=finding.painful))
    if finding.rating is not None:
        parts.append(component(standard_coding(PAIN_SEVERITY), valueInteger=finding.rating))
    parts += _pressure(finding.ppt)
    if parts:
        resource["component"] = parts
    else:
        resource["dataAbsentReason"] = absent("unknown", "examined, nothing recorded")
    return resource


def _flag(code: str, value: bool | None) -> list[Json]:
    return [] if value is None else [component(exam_coding(code), valueBoolean=value)]


def _signs(finding: TriggerPointInput) -> list[Json]:
    taut, twitch = finding.taut_band, finding.local_twitch_response
    if taut is TautBand.NOT_ASSESSABLE:
        parts = [
            component(
                exam_coding("taut-band"), dataAbsentReason=absent("unknown", "not assessable")
            )
        ]
    else:
        parts = _flag("taut-band", None if taut is None else taut is TautBand.PRESENT)
    parts += _flag("hypersensitive-spot", finding.hypersensitive_spot)
    parts += _flag("referred-pain", finding.referred_pain)
    parts += _flag("pain-recognition", finding.patient_recognition)
    if twitch is TwitchResponse.NOT_TESTED:
        not_tested = absent("not-performed", "not tested")
        parts.append(component(exam_coding("local-twitch-response"), dataAbsentReason=not_tested))
    else:
        parts += _flag(
            "local-twitch-response", None if twitch is None else twitch is TwitchResponse.YES
        )
    return parts + _flag("jump-sign", finding.jump_sign)


def _zone(zone: str) -> Json:
    try:
        area, _ = parse_zone(zone)
    except ValueError:
        return concept(local_coding(BODY_ZONE, zone), text=zone)
    label = zone_label(zone)
    codings = [local_coding(BODY_ZONE, zone, label)]
    if is_verified(area.snomed) and area.snomed is not None:
        codings.insert(0, standard_coding(area.snomed))
    return concept(*codings, text=label)


def _class(value: str) -> Json:
    return concept(
        local_coding(TRIGGER_POINT_CLASS, local_code(value)), text=value.replace("_", " ")
    )


def _measures(finding: TriggerPointInput) -> list[Json]:
    parts = []
    if finding.rating is not None:
        parts.append(component(standard_coding(PAIN_SEVERITY), valueInteger=finding.rating))
    if finding.tenderness_grade is not None:
        grade = concept(local_coding(TENDERNESS_GRADE, finding.tenderness_grade.value))
        parts.append(component(exam_coding("tenderness-grade"), valueCodeableConcept=grade))
    for code, size in (
        ("nodule-length", finding.nodule_length_mm),
        ("nodule-width", finding.nodule_width_mm),
    ):
        if size is not None:
            parts.append(component(exam_coding(code), valueQuantity=ucum_quantity(size, "mm")))
    return parts + _pressure(finding.ppt)


def _referral(finding: TriggerPointInput) -> list[Json]:
    parts = [
        component(exam_coding("referral-zone"), valueCodeableConcept=_zone(zone))
        for zone in sorted(finding.referral_zones)
    ]
    if finding.referral_description:
        description = finding.referral_description
        parts.append(component(exam_coding("referral-description"), valueString=description))
    return parts


def _criteria_parts(score: TriggerPointScore | None) -> list[Json]:
    if score is None:
        return []
    outcome = outcome_concept(score.criteria.outcome)
    summary = score.criteria.summary
    parts = [component(exam_coding("delphi-2018"), text=summary, valueCodeableConcept=outcome)]
    if score.suggested is not None:
        suggested = _class(score.suggested.value)
        parts.append(
            component(exam_coding("suggested-classification"), valueCodeableConcept=suggested)
        )
    return parts


def _trigger_point(
    exam: _Exam, recorded: RecordedTriggerPoint, score: TriggerPointScore | None
) -> Json:
    finding = recorded.finding
    muscle = MUSCLE_BY_CODE.get(finding.muscle_code or "")
    name = muscle.label if muscle else finding.muscle_other_name or "muscle not named"
    text = ", ".join(
        part for part in (name, finding.side.value, finding.location_in_muscle) if part
    )
    code = concept(exam_coding("trigger-point"))
    resource = _observation(exam, f"trigger-point/{recorded.id}", "exam", code)
    local = local_coding(TP_MUSCLE, muscle.code, muscle.label) if muscle else None
    snomed = muscle.snomed if muscle else None
    resource["bodySite"] = body_site(local, snomed, _LATERALITY.get(finding.side), text)
    resource["method"] = concept(standard_coding(PALPATION))
    if finding.classification is not None:
        resource["valueCodeableConcept"] = _class(finding.classification.value)
    parts = _measures(finding) + _signs(finding) + _referral(finding) + _criteria_parts(score)
    if parts:
        resource["component"] = parts
    if finding.notes:
        resource["note"] = [{"text": finding.notes}]
    return resource


def _answer(value: bool | int) -> Json:
    # bool first: True is an int too.
    return {"valueBoolean": value} if isinstance(value, bool) else {"valueInteger": value}


def _survey_items(survey: SurveyInput) -> list[Json]:
    items = []
    for link_id, question in SURVEY_QUESTIONS.items():
        if link_id == "pain_areas":
            areas = [
                {"linkId": area.code, "text": area.label, "answer": [_answer(painful)]}
                for area in PAIN_AREAS
                if (painful := survey.pain_areas.get(area.code)) is not None
            ]
            if areas:
                items.append({"linkId": link_id, "text": question, "item": areas})
        elif (value := getattr(survey, link_id)) is not None:  # not asked: left out
            items.append({"linkId": link_id, "text": question, "answer": [_answer(value)]})
    return items


def _questionnaire_response(exam: _Exam) -> Json:
    record = exam.record
    resource: Json = {
        "resourceType": "QuestionnaireResponse",
        "id": exam.id("survey"),
        "questionnaire": f"{SURVEY_QUESTIONNAIRE}|{record.survey_version}",
        "status": exam.status.questionnaire,
        "subject": exam.patient(),
        "encounter": exam.ref("Encounter", "encounter"),
        "authored": record.exam_date.isoformat(),
        "author": exam.person(record.clinician),
        "source": exam.patient(),
    }
    if items := _survey_items(record.survey):
        resource["item"] = items
    return resource


def _score(exam: _Exam, key: str, version: str, text: str, derived: Sequence[Json]) -> Json:
    name = SCORE_NAMES.get(key, key)
    code = concept(local_coding(TP_SCORE, local_code(key), name), text=f"{name} ({version})")
    resource = _observation(exam, f"score/{key}", "survey", code)
    resource["method"] = concept(
        text=f"Tender Point Clinic scoring rules, version {exam.scoring_version}"
    )
    if derived:
        resource["derivedFrom"] = list(derived)
    resource["note"] = [{"text": text}]
    return resource


def _count(exam: _Exam, score: CountScore | SeverityScore, derived: Sequence[Json]) -> Json:
    resource = _score(exam, score.key, score.version, score.text, derived)
    parts = []
    if score.value is not None:
        resource["valueInteger"] = score.value
    else:
        resource["dataAbsentReason"] = absent("unknown", f"{len(score.missing)} inputs missing")
        possible = {"low": {"value": score.minimum}, "high": {"value": score.maximum}}
        parts.append(component(exam_coding("possible-range"), valueRange=possible))
    if isinstance(score, SeverityScore) and score.category is not None:
        category = score.category
        value = concept(local_coding(FS_CATEGORY, local_code(category.value), category.label))
        parts.append(component(exam_coding("severity-category"), valueCodeableConcept=value))
    if parts:
        resource["component"] = parts
    return resource


def _intensity(exam: _Exam, score: IntensityScore, derived: Sequence[Json]) -> Json:
    resource = _score(exam, score.key, score.version, score.text, derived)
    if score.value is None:
        resource["dataAbsentReason"] = absent("unknown", f"{score.rated} of {score.of} sites rated")
    else:
        resource["valueQuantity"] = ucum_quantity(score.value, "{score}")
    return resource


def _criterion(exam: _Exam, result: CriterionResult, derived: Sequence[Json]) -> Json:
    resource = _score(exam, result.key, result.version, result.summary, derived)
    resource["valueCodeableConcept"] = outcome_concept(result.outcome)
    resource["component"] = [
        component(
            local_coding(TP_SCORE, local_code(f"{result.key}.{condition.key}")),
            text=condition.text,
            valueCodeableConcept=outcome_concept(condition.outcome),
        )
        for condition in result.conditions
    ]
    return resource


def _trigger_point_counts(
    exam: _Exam, summary: TriggerPointSummary, derived: Sequence[Json]
) -> list[Json]:
    if not summary.points:
        return []  # no spot palpated: no counts, rather than zeros that read as findings
    resource = _score(exam, summary.key, summary.version, summary.text, derived)
    counts = {
        "active": summary.active,
        "latent": summary.latent,
        "not-trigger-point": summary.not_trigger_point,
        "unclassified": summary.unclassified,
    }
    resource["component"] = [
        component(exam_coding(code), valueInteger=n) for code, n in counts.items()
    ]
    return [resource]


@dataclass(frozen=True)
class _Observations:
    """The exam's Observations by what they hold."""

    tender_points: list[Json]
    trigger_points: list[Json]
    scores: list[Json]
    criteria: list[Json]
    trigger_point_counts: list[Json]

    def all(self) -> list[Json]:
        return self.tender_points + self.trigger_points + self.scores + self.criteria


def _observations(exam: _Exam, scores: ExamScores) -> _Observations:
    record = exam.record
    ordered = sorted(
        record.tender_points,
        key=lambda tp: (
            _SITE_ORDER.get(tp.finding.site_code, len(_SITE_ORDER)),
            tp.finding.site_code,
        ),
    )
    tender_points = [_tender_point(exam, tp) for tp in ordered]
    acr = [
        exam.ref_of(resource)
        for tp, resource in zip(ordered, tender_points, strict=True)
        if (site := SITE_BY_CODE.get(tp.finding.site_code)) is not None and site.acr_1990
    ]
    by_index = {score.index: score for score in scores.trigger_points.points}
    trigger_points = [
        _trigger_point(exam, tp, by_index.get(index))
        for index, tp in enumerate(record.trigger_points)
    ]
    survey = [exam.ref("QuestionnaireResponse", "survey")]
    spots = [exam.ref_of(resource) for resource in trigger_points]
    counts = _trigger_point_counts(exam, scores.trigger_points, spots)
    tpc = _count(exam, scores.tender_point_count, acr)
    score_resources = [
        tpc,
        _count(exam, scores.mtps_tender_point_count, acr),
        _intensity(exam, scores.fibromyalgia_intensity, acr),
        _count(exam, scores.wpi, survey),
        _count(exam, scores.sss_2010, survey),
        _count(exam, scores.sss_2011, survey),
        _count(exam, scores.generalized_pain_regions, survey),
        _count(exam, scores.fibromyalgia_severity, survey),
        *counts,
    ]
    criteria = [
        _criterion(exam, scores.acr_1990, [exam.ref_of(tpc), *survey]),
        _criterion(exam, scores.acr_2010, survey),
        _criterion(exam, scores.acr_2011, survey),
        _criterion(exam, scores.acr_2016, survey),
    ]
    return _Observations(tender_points, trigger_points, score_resources, criteria, counts)


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
    exam: _Exam, results: Sequence[Json], pdf: bytes | None, pdf_url: str | None
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
        "encounter": exam.ref("Encounter", "encounter"),
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


def _provenances(exam: _Exam) -> Iterator[Json]:
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


def _conditions(exam: _Exam, observations: _Observations) -> Iterator[Json]:
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
        condition["encounter"] = exam.ref("Encounter", "encounter")
        condition["recordedDate"] = record.exam_date.isoformat()
        condition["recorder"] = exam.person(record.clinician)
        condition["asserter"] = exam.person(record.clinician)
        if evidence[role]:
            condition["evidence"] = [{"detail": [exam.ref_of(r) for r in evidence[role]]}]
        yield condition


def _patient(record: ExamRecord) -> Json:
    patient = record.patient
    resource: Json = {"resourceType": "Patient", "id": _patient_id(record)}
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
    resource: Json = {"resourceType": "Practitioner", "id": _person_id(person)}
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


def _encounter(exam: _Exam) -> Json:
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
    exam = _Exam(record, base_url, scores.scoring_version)
    observations = _observations(exam, scores)
    yield _patient(record)
    yield from _practitioners(record)
    yield _encounter(exam)
    yield from observations.tender_points
    yield from observations.trigger_points
    yield _questionnaire_response(exam)
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
