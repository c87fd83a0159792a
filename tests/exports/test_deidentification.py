"""De-identification proved: every string of every de-identified export (the CSV zip and each of
its tables, JSON, NDJSON; as bytes, parsed, and through `clinic export`) is searched for every
name, MRN, birth date and free text that went into the records, in any case and any usual date
form. None may be there; the catalogue's codes and labels, the scores and the year of birth are."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from clinic.domain.findings import (
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.roles import Role
from clinic.domain.scales import (
    Impression,
    PressureUnit,
    Sex,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)
from clinic.exports.documents import KEPT, WITHHELD
from clinic.exports.formats import ExportRequest, ExportRequestError, export_stream
from clinic.exports.selection import ExportFilter
from clinic.extensions import db
from clinic.models import Exam, User
from clinic.services.exam_content import (
    add_trigger_point,
    save_impression,
    save_survey,
    save_tender_point,
)
from clinic.services.signing import (
    REQUIRED_SITES,
    add_addendum,
    current_document,
    mark_entered_in_error,
    sign_exam,
)
from tests.factories import PASSWORD, make_exam, make_patient, make_user

# Patients with names in several scripts, MRNs and birth dates found nowhere else.
PATIENTS = (
    ("Qwertzuiopova-Łyszkiewicz", "Zbigniewqa Ångströmsdóttir", "ZQX-48213", date(1948, 7, 23)),
    ("Щербаковаяя", "Ксенияюзз", "KRW-77310", date(1961, 11, 5)),
    ("Παπαδοπουλάκη", "山田花子様", "q-00zx-9", date(1983, 2, 19)),
    ("الفارسيوني", "हरिप्रसादजी", "=MRN+JVX7", date(1999, 12, 31)),
)
# People who examine, sign, mark in error and write addenda: name, credentials, licence.
CLINICIANS = (
    ("Dr Xavierquinn Vortigern", "MD FRCPxq", "LIC-QZX-4471"),
    ("Софьяквист Пламенова", "DOjjw", "ЛИЦ-9ЖЖ-31"),
)
ADMIN = ("Administratorvex Kwillum", None, None)
# Free text typed in every field that holds any, each with a word found nowhere else.
TEXTS = {
    "not_examined_reason": "Zorblaxquim splintaroo thumbwizzle",
    "not_examined_reason_2": "Повязкаюз щелкунчикова",
    "muscle_other_name": "Musculus vexthorpius minorqua",
    "muscle_other_name_2": '=HYPERLINK("http://qzjvwomp.qq")',
    "location_in_muscle": "Quimblyfrost glarbenvelt",
    "referral_description": "Gwendolyx scarrowind radiaxx",
    "notes": "Qwertzuiopova said ZQX-48213 kneexplod",
    "notes_2": "備考秘密メモ",
    "assessment": "Ploxwhistle assessmentix",
    "plan": "Frumbleworth planoquix",
    "addendum": "Snorkelbrisk callbackix",
    "addendum_2": "Ergänzungzz Ωμέγαζζ",
    "entered_in_error": "Yabbadoxx wrongpatix",
}


# Other forms of what the records hold: the search looks for them too.
UNHELD = ("birth date", "MRN without punctuation")


@dataclass(frozen=True)
class Secret:
    """A string that must not appear, and where it came from (for the failure message)."""

    what: str
    text: str


def _words(text: str) -> Iterator[str]:
    """The text and each of its words of five characters or more (a part leaks as much) that
    no id could hold by chance (a hex digit string could be part of any UUID)."""
    yield text
    yield from (w for w in re.findall(r"\w{5,}", text) if re.search(r"[^\W0-9a-f]", w.casefold()))


def _date_forms(born: date) -> Iterator[str]:
    """A birth date as any export or spreadsheet might write it, and its year and month."""
    y, m, d = born.year, born.month, born.day
    yield from (
        born.isoformat(),
        f"{y}{m:02}{d:02}",
        f"{d:02}/{m:02}/{y}",
        f"{m:02}/{d:02}/{y}",
        f"{d:02}.{m:02}.{y}",
        f"{y}/{m:02}/{d:02}",
        f"{d}/{m}/{y}",
        f"{m}/{d}/{y}",
        f"{y}-{m:02}",
        f"{y}{m:02}",
        f"{y}/{m:02}",
        born.strftime("%d %B %Y"),
        born.strftime("%B %Y"),
        born.strftime("%d-%b-%Y"),
    )


def _secrets() -> list[Secret]:
    found = []
    for family, given, mrn, born in PATIENTS:
        found += [Secret("patient name", word) for word in (*_words(family), *_words(given))]
        found += [Secret("MRN", mrn), Secret("MRN without punctuation", re.sub(r"\W", "", mrn))]
        found += [Secret("birth date", form) for form in _date_forms(born)]
    for person in (*CLINICIANS, ADMIN):
        found += [Secret("clinician", word) for part in person if part for word in _words(part)]
    for field, text in TEXTS.items():
        found += [Secret(field, word) for word in _words(text)]
    return found


def _sites(session: Any, exam: Exam, actor: User, reasons: tuple[str, ...]) -> None:
    """Every site signing asks for; the first few not examined, with a typed reason."""
    reading = PressureReading(Decimal("3.1"), PressureUnit.KPA, Decimal("1"))
    for index, site in enumerate(REQUIRED_SITES):
        if index < len(reasons):
            finding = TenderPointInput(
                site.code, examined=False, not_examined_reason=reasons[index]
            )
        else:
            finding = TenderPointInput(
                site.code,
                painful=index % 2 == 0,
                rating=(index % 9) + 1 if index % 2 == 0 else None,
                ppt=reading if index == 5 else None,
            )
        save_tender_point(session, exam, finding, 0, actor)


def _trigger_points(session: Any, exam: Exam, actor: User, other: str, notes: str) -> None:
    add_trigger_point(
        session,
        exam,
        TriggerPointInput(
            "upper_trapezius",
            Side.LEFT,
            location_in_muscle=TEXTS["location_in_muscle"],
            nodule_length_mm=Decimal("5"),
            nodule_width_mm=Decimal("3.5"),
            tenderness_grade=TendernessGrade.GIII,
            rating=7,
            taut_band=TautBand.PRESENT,
            hypersensitive_spot=True,
            patient_recognition=True,
            local_twitch_response=TwitchResponse.YES,
            jump_sign=True,
            referred_pain=True,
            referral_zones=("temple_left",),
            referral_description=TEXTS["referral_description"],
            classification=TriggerPointClass.ACTIVE,
            notes=notes,
        ),
        actor,
    )
    add_trigger_point(
        session,
        exam,
        TriggerPointInput("other", Side.RIGHT, muscle_other_name=other, notes=notes, rating=4),
        actor,
    )


def _exam(session: Any, patient: Any, clinician: User, day: int, variant: int) -> Exam:
    exam = make_exam(session, patient, clinician, exam_date=date(2026, 11, day))
    reasons = (TEXTS["not_examined_reason"], TEXTS["not_examined_reason_2"])[: variant + 1]
    _sites(session, exam, clinician, reasons)
    other = TEXTS["muscle_other_name_2" if variant else "muscle_other_name"]
    _trigger_points(session, exam, clinician, other, TEXTS["notes_2" if variant else "notes"])
    survey = SurveyInput(pain_duration_months=30, pain_areas={"jaw_left": True}, fatigue=2)
    save_survey(session, exam, survey, 0, clinician)
    impression = ImpressionInput(Impression.YES, Impression.NO, TEXTS["assessment"], TEXTS["plan"])
    save_impression(session, exam, impression, exam.version, clinician)
    return exam


@pytest.fixture
def varied(app: Flask) -> list[str]:
    """Four patients, two clinicians and an administrator; signed exams with addenda by both
    clinicians, one entered in error, and drafts: every free-text field filled."""
    with app.app_context():
        session = db.session()
        doctors = [
            make_user(session, display_name=name, credentials=cred, licence_number=licence)
            for name, cred, licence in CLINICIANS
        ]
        admin = make_user(session, roles=(Role.ADMIN,), display_name=ADMIN[0])
        patients = [
            make_patient(
                session,
                family_name=family,
                given_name=given,
                mrn=mrn,
                date_of_birth=born,
                sex=(Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.UNKNOWN)[index],
            )
            for index, (family, given, mrn, born) in enumerate(PATIENTS)
        ]
        exams = [
            _exam(session, patient, doctors[index % 2], 2 + index, index % 2)
            for index, patient in enumerate(patients)
        ]
        exams.append(_exam(session, patients[0], doctors[1], 20, 1))  # a follow-up, a draft
        for exam in exams[:3]:
            sign_exam(session, exam, exam.clinician, PASSWORD)
        add_addendum(session, exams[0], TEXTS["addendum"], doctors[0])
        add_addendum(session, exams[0], TEXTS["addendum_2"], doctors[1])
        mark_entered_in_error(session, exams[1], TEXTS["entered_in_error"], admin)
        session.commit()
        # The records hold every secret: the search below would find a leak of any of them.
        held = "\n".join(_strings([current_document(exam) for exam in exams]))
        missing = [s for s in _secrets() if s.text not in held and s.what not in UNHELD]
        assert missing == []
        return [str(exam.uuid) for exam in exams]


def _export(app: Flask, request: ExportRequest) -> bytes:
    with app.app_context():
        return b"".join(export_stream(db.session, request, app.config["SECRET_KEY"]))


def _strings(value: Any) -> Iterator[str]:
    """Every string of a parsed JSON value: keys and values, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool | int | float):
        raise AssertionError(f"not a JSON value: {value!r}")


def _csv_strings(text: str) -> Iterator[str]:
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        yield from row


def _texts_of(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(where, text) for everything an export's bytes say: the raw text, as JSON escapes
    would hide it, and every parsed string; a zip's member names, comment and members."""
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            yield f"{name} comment", archive.comment.decode("utf-8", "replace")
            for info in archive.infolist():
                yield f"{name} member name", info.filename
                yield f"{name} extra", info.extra.decode("latin-1")
                yield from _texts_of(f"{name}/{info.filename}", archive.read(info))
        return
    text = data.decode("utf-8")
    yield name, text
    if name.endswith(".csv"):
        yield from ((f"{name} cell", cell) for cell in _csv_strings(text))
    elif name.endswith(".ndjson"):
        for number, line in enumerate(text.splitlines(), start=1):
            yield from ((f"{name} line {number}", s) for s in _strings(json.loads(line)))
    else:
        yield from ((f"{name} string", s) for s in _strings(json.loads(text)))


def _leaks(name: str, data: bytes) -> list[str]:
    secrets = [(s, s.text.casefold(), json.dumps(s.text)[1:-1].casefold()) for s in _secrets()]
    leaks = []
    for where, text in _texts_of(name, data):
        folded = text.casefold()
        for secret, plain, escaped in secrets:
            if plain in folded or escaped in folded:
                leaks.append(f"{where}: {secret.what} {secret.text!r}")
    return sorted(set(leaks))


class _AnyId(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and len(other) == 36

    __hash__ = str.__hash__


ANY_ID = _AnyId()
EVERYTHING = ExportFilter(include_entered_in_error=True)
REQUESTS = {
    "csv.zip": ExportRequest("csv", EVERYTHING, deidentify=True),
    "findings.csv": ExportRequest("csv", EVERYTHING, deidentify=True, table="findings"),
    "exams.csv": ExportRequest("csv", EVERYTHING, deidentify=True, table="exams", bom=True),
    "dictionary.csv": ExportRequest("csv", EVERYTHING, deidentify=True, table="dictionary"),
    "exams.json": ExportRequest("json", EVERYTHING, deidentify=True),
    "exams.ndjson": ExportRequest("ndjson", EVERYTHING, deidentify=True),
    "signed.ndjson": ExportRequest("ndjson", ExportFilter(signed_only=True), deidentify=True),
}


def test_no_name_mrn_birth_date_or_free_text_in_any_de_identified_export(app, varied, runner):
    exports = {name: _export(app, request) for name, request in REQUESTS.items()}
    command = ["export", "ndjson", "--deidentify", "--include-entered-in-error", "-o", "-"]
    result = runner.invoke(args=command)
    assert result.exit_code == 0, result.output
    exports["clinic export.ndjson"] = result.stdout_bytes

    leaks = [leak for name, data in exports.items() for leak in _leaks(name, data)]

    assert not leaks, "\n".join(leaks)
    for name, data in exports.items():  # the search looked at the exams themselves
        text = _zip_text(data) if name.endswith(".zip") else data.decode("utf-8")
        held = sum(exam_id in text for exam_id in varied)
        assert held == {"dictionary.csv": 0, "signed.ndjson": 2}.get(name, 5), name


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(info).decode("utf-8") for info in archive.infolist())


def test_the_search_finds_what_an_identified_export_holds(app, varied):
    """The same search on the exports that identify the patient finds every kind of secret."""
    request = ExportRequest("json", EVERYTHING)

    found = " ".join(_leaks("exams.json", _export(app, request)))

    kinds = {"patient name", "MRN", "clinician", *TEXTS} - {"birth date"}
    assert all(f": {kind} " in found for kind in kinds), found
    assert ": birth date '1948-07-23'" in found


def test_what_a_de_identified_document_keeps(app, varied):
    documents = json.loads(_export(app, REQUESTS["exams.json"]))

    assert sorted(d["patient"]["birth_year"] for d in documents) == [1948, 1948, 1961, 1983, 1999]
    assert {d["patient"]["mrn"][:2] for d in documents} == {"P-"}
    first = next(d for d in documents if d["addenda"])
    points = first["trigger_points"]
    assert [(p["muscle"], p["muscle_label"]) for p in points] == [
        ("upper_trapezius", "Upper trapezius"),
        ("other", None),  # the name typed is the clinician's own words
    ]
    assert points[0]["referral_zones"] == ["temple_left"]
    assert points[0]["classification"] == "active"
    identified = json.loads(_export(app, ExportRequest("json", EVERYTHING)))
    assert [d["scores"] for d in documents] == [d["scores"] for d in identified]
    assert [d["survey"] for d in documents] == [d["survey"] for d in identified]
    signature = first["signature"]
    assert signature == {"signed_at": signature["signed_at"], "signed_by": {"id": ANY_ID}}
    assert [sorted(a) for a in first["addenda"]] == [["created_at", "id"]] * 2
    # A field added to the exam document later fails here until someone decides whether a
    # de-identified export may hold it (until then it is left out).
    with app.app_context():
        documents = [current_document(exam) for exam in db.session.query(Exam)]
    unjudged = set()
    for document in documents:
        parts = {"": [document]} | {
            part: value if isinstance(value, list) else [value]
            for part, value in document.items()
            if part in KEPT
        }
        for part, rows in parts.items():
            judged = {*KEPT[part], *WITHHELD.get(part, ())}
            unjudged |= {f"{part}.{key}" for row in rows if row for key in row if key not in judged}
    assert unjudged == set()
    assert all(not set(KEPT[part]) & set(names) for part, names in WITHHELD.items())


def test_fhir_exports_are_not_offered_de_identified(app):
    for fmt in ("fhir", "fhir-bulk"):
        request = ExportRequest(fmt, deidentify=True, base_url="https://clinic.example")
        with pytest.raises(ExportRequestError) as refused:
            _export(app, request)
        assert refused.value.field == "deidentify"
