"""Printing from the browser: the exam summary, the day list and its batch PDF, the trend.

Exams are recorded and signed through the services (as the exam pages do), then printed through
the routes a staff member clicks; the PDFs are read back as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from clinic.domain.document_fields import TEXT_LIMITS
from clinic.domain.findings import ImpressionInput, SurveyInput, TenderPointInput, TriggerPointInput
from clinic.domain.roles import Role
from clinic.domain.scales import Impression, PaperSize, Side, TautBand
from clinic.domain.sites import ACR_SITES, CONTROL_SITES
from clinic.domain.wpi import PAIN_AREAS
from clinic.extensions import db
from clinic.models import Exam, Patient, User
from clinic.services.api_tokens import create_token
from clinic.services.clinic import get_settings
from clinic.services.exam_content import (
    add_trigger_point,
    save_impression,
    save_survey,
    save_tender_point,
)
from clinic.services.signing import add_addendum, mark_entered_in_error, sign_exam
from tests.exam_forms import page_of
from tests.factories import PASSWORD, make_exam, make_patient, make_user
from tests.reports.report_cases import (
    ADDENDUM_MAX,
    CLINIC_ADDRESS_MAX,
    CLINIC_NAME_MAX,
    HOSTILE_FAMILY,
    HOSTILE_GIVEN,
    HOSTILE_MRN,
    exactly,
    long_text,
    markers,
)

DAY = date(2026, 11, 24)
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)")

# --- recording exams through the services --------------------------------------------------------


def make_recorded_exam(
    session: Session,
    patient: Patient | None = None,
    clinician: User | None = None,
    *,
    exam_date: date = DAY,
    painful_sites: int = 12,
    signed: bool = True,
    assessment: str = "Widespread pain.",
    addenda: Sequence[str] = (),
    entered_in_error: str = "",
    trigger_point: bool = True,
    survey_changes: Mapping[str, object] | None = None,
) -> Exam:
    """An exam with every site needed for signing recorded (the first N ACR sites painful),
    one trigger point (unless not), the survey (with `survey_changes`) and an impression;
    signed, with addenda, marked as asked."""
    exam = make_exam(session, patient, clinician, exam_date=exam_date)
    actor = exam.clinician
    for index, site in enumerate(ACR_SITES):
        painful = index < painful_sites
        finding = TenderPointInput(site.code, painful=painful, rating=6 if painful else 0)
        save_tender_point(session, exam, finding, 0, actor)
    for site in CONTROL_SITES:
        if site.mtps_control:
            finding = TenderPointInput(site.code, painful=False, rating=0)
            save_tender_point(session, exam, finding, 0, actor)
    point = TriggerPointInput(
        "upper_trapezius",
        Side.LEFT,
        nodule_length_mm=Decimal("8"),
        taut_band=TautBand.PRESENT,
        hypersensitive_spot=True,
        referred_pain=True,
        referral_zones=("temple_left",),
        patient_recognition=True,
    )
    if trigger_point:
        add_trigger_point(session, exam, point, actor)
    survey = SurveyInput(
        pain_duration_months=24,
        pain_left_side=True,
        pain_right_side=True,
        pain_above_waist=True,
        pain_below_waist=True,
        pain_axial=True,
        pain_areas={area.code: True for area in PAIN_AREAS},
        fatigue=2,
        waking_unrefreshed=2,
        cognitive_symptoms=1,
        headaches=True,
        lower_abdominal_pain=False,
        depression=False,
        somatic_symptoms=1,
        other_disorder_explains_pain=False,
    )
    survey = replace(survey, **(survey_changes or {}))
    save_survey(session, exam, survey, 0, actor)
    impression = ImpressionInput(Impression.YES, Impression.NO, assessment, "Review in 3 months.")
    save_impression(session, exam, impression, exam.version, actor)
    if signed:
        sign_exam(session, exam, actor, PASSWORD)
        for text in addenda:
            add_addendum(session, exam, text, actor)
        if entered_in_error:
            mark_entered_in_error(session, exam, entered_in_error, actor)
    return exam


def make_doctor(session: Session, **overrides: Any) -> User:
    """A clinician with credentials and a licence number, as signature blocks print them."""
    values = {"display_name": "Ana Ruiz", "credentials": "MD", "licence_number": "MD-48213"}
    return make_user(session, roles=(Role.CLINICIAN,), **(values | overrides))


def configure_clinic(app: Flask, **values: Any) -> None:
    """Change the clinic's settings row, as an administrator would."""
    with app.app_context():
        settings = get_settings(db.session)
        for name, value in values.items():
            setattr(settings, name, value)
        db.session.commit()


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text."""
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """The whole PDF's text, single-spaced."""
    return " ".join(" ".join(pdf_pages(data)).split())


def numbered_documents(pages: list[str]) -> list[list[str]]:
    """Pages grouped by their own "Page 1 of N" numbering, checking each group counts 1..N."""
    documents: list[list[str]] = []
    for page in pages:
        (number, count), *more = [(int(x), int(y)) for x, y in PAGE_NUMBER.findall(page)]
        assert not more, page
        if number == 1:
            documents.append([])
        documents[-1].append(page)
        assert number == len(documents[-1])
        assert count >= number
    for document in documents:
        assert f"Page {len(document)} of {len(document)}" in document[-1]
    return documents


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clinic_settings(app: Flask) -> None:
    configure_clinic(app, name="Riverside Pain Clinic", time_zone="America/New_York")


@pytest.fixture
def doctor(create: Callable[..., Any]) -> User:
    return create(make_doctor)


@pytest.fixture
def patient(create: Callable[..., Any]) -> Patient:
    return create(
        make_patient,
        mrn="MRN00001",
        family_name="Łukasiewicz",
        given_name="Zoë",
        date_of_birth=date(1981, 4, 2),
    )


@pytest.fixture
def staff(create: Callable[..., Any], login: Callable[[User], None]) -> User:
    """A front-desk staff member, signed in."""
    user = create(make_user, roles=(Role.STAFF,), credentials=None)
    login(user)
    return user


@pytest.fixture
def signed(create: Callable[..., Any], patient: Patient, doctor: User) -> Exam:
    return create(make_recorded_exam, patient=patient, clinician=doctor)


@pytest.fixture
def draft(create: Callable[..., Any], patient: Patient, doctor: User) -> Exam:
    return create(make_recorded_exam, patient=patient, clinician=doctor, signed=False)


def summary_of(client: FlaskClient, exam: Exam, **headers: str) -> Any:
    return client.get(f"/exams/{exam.uuid}/summary.pdf", headers=headers)


# --- the exam summary ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.CLINICIAN, Role.ADMIN])
def test_staff_clinicians_and_admins_may_print_an_exam(
    client: FlaskClient,
    create: Callable[..., Any],
    login: Callable[[User], None],
    signed: Exam,
    role: Role,
) -> None:
    login(create(make_user, roles=(role,)))
    response = summary_of(client, signed)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'inline; filename="2026-11-24_MRN00001_exam.pdf"'
    )
    pages = pdf_pages(response.data)
    for number, page in enumerate(pages, start=1):
        assert "Riverside Pain Clinic" in page
        assert "Łukasiewicz, Zoë · MRN MRN00001 · born 1981-04-02" in page
        assert "exam of 2026-11-24" in page
        assert f"Page {number} of {len(pages)}" in page
        # Printed now, in the clinic's zone: EST or EDT depending on the day the suite runs.
        assert re.search(r"Printed \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", page)


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, signed: Exam) -> None:
    # The signed exam's clinician exists, so this is not the first-run setup.
    response = summary_of(client, signed)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_an_unknown_exam_is_a_not_found_page_not_a_pdf(client: FlaskClient, staff: User) -> None:
    response = client.get("/exams/5b0c2e8e-0000-4000-8000-000000000000/summary.pdf")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is nothing here" in page_of(response).text


def test_a_signed_exam_prints_its_signature_and_no_draft_mark(
    client: FlaskClient, read: Callable[..., Any], staff: User, signed: Exam
) -> None:
    with read() as session:
        digest = session.get(Exam, signed.id).signature_digest
    data = summary_of(client, signed).data
    text = pdf_text(data)
    assert "Electronically signed Ana Ruiz, MD · licence MD-48213" in text
    assert re.search(rf"\d\d:\d\d E[SD]T · digest {digest[:12]}", text)
    assert digest[:13] not in text
    assert all("DRAFT" not in page for page in pdf_pages(data))
    for line in (
        "ACR 1990: met",
        "12 of 18 sites painful (≥ 11 needed) — met",
        "ACR 2010 preliminary: met",
        "ACR 2011 modified: met",
        "ACR 2016 revised: met",
        "1 Upper trapezius, left 8 — — met active Temple, left",
        "Gluteal, left no 0/10",
    ):
        assert line in text


def test_a_draft_is_marked_on_every_page_and_is_not_cached(
    client: FlaskClient, staff: User, draft: Exam
) -> None:
    response = summary_of(client, draft)
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    pages = pdf_pages(response.data)
    assert all("DRAFT" in page for page in pages)
    assert "Electronically signed" not in pdf_text(response.data)


def test_a_signed_exam_is_never_stored_but_revalidates_until_an_addendum_changes_it(
    app: Flask, client: FlaskClient, read: Callable[..., Any], staff: User, signed: Exam
) -> None:
    first = summary_of(client, signed)
    etag = first.headers["ETag"]
    assert etag
    # A shared tablet's browser keeps no copy; a client that keeps its own asks with the ETag.
    assert first.headers["Cache-Control"] == "no-store"

    again = summary_of(client, signed, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "no-store"

    with app.app_context():
        exam = db.session.get(Exam, signed.id)
        add_addendum(db.session, exam, "Patient called: <b>better</b> & sleeping.", exam.clinician)
        db.session.commit()
    changed = summary_of(client, signed, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.headers["Cache-Control"] == "no-store"
    text = pdf_text(changed.data)
    assert text.index("Electronically signed") < text.index(
        "Patient called: <b>better</b> & sleeping."
    )


def test_typed_markup_in_the_assessment_prints_as_typed(
    client: FlaskClient, create: Callable[..., Any], staff: User, patient: Patient, doctor: User
) -> None:
    typed = "Pain <b>worse</b> at night & <font size=40>tired</font>"
    exam = create(make_recorded_exam, patient=patient, clinician=doctor, assessment=typed)
    response = summary_of(client, exam)
    assert response.status_code == 200
    assert typed in pdf_text(response.data)


def test_an_entered_in_error_exam_prints_the_mark_and_reason(
    client: FlaskClient, create: Callable[..., Any], staff: User, patient: Patient, doctor: User
) -> None:
    exam = create(
        make_recorded_exam, patient=patient, clinician=doctor, entered_in_error="Wrong patient"
    )
    text = pdf_text(summary_of(client, exam).data)
    assert "ENTERED IN ERROR — Wrong patient (marked by Ana Ruiz," in text


def test_the_summary_compares_with_the_previous_signed_exam_only(
    client: FlaskClient, create: Callable[..., Any], staff: User, patient: Patient, doctor: User
) -> None:
    def exam(day: date, painful: int, **options: Any) -> Exam:
        made: Exam = create(
            make_recorded_exam,
            patient=patient,
            clinician=doctor,
            exam_date=day,
            painful_sites=painful,
            **options,
        )
        return made

    exam(date(2026, 8, 20), 16)
    exam(date(2026, 10, 7), 3, entered_in_error="Another patient's exam")
    exam(date(2026, 10, 13), 2, signed=False)
    exam(date(2026, 12, 1), 1)  # a later exam is not "previous"
    current = exam(DAY, 12, signed=False)

    text = pdf_text(summary_of(client, current).data)
    assert "Compared with the previous signed exam of 2026-08-20" in text
    assert "ACR 1990 tender point count: −4 tender points: possibly real" in text
    assert "2026-10-07" not in text
    assert "2026-10-13" not in text


@pytest.fixture
def letter_follow_up(
    app: Flask, create: Callable[..., Any], patient: Patient, doctor: User
) -> Exam:
    """A follow-up exam printed on Letter whose comparison section starts a few lines above the
    page end: no trigger points, and the axial-pain answer of the survey not given."""
    configure_clinic(app, paper_size=PaperSize.LETTER)
    create(make_recorded_exam, patient=patient, clinician=doctor, exam_date=date(2026, 8, 20))
    return create(  # type: ignore[no-any-return]
        make_recorded_exam,
        patient=patient,
        clinician=doctor,
        trigger_point=False,
        survey_changes={"pain_axial": None},
    )


def api_token(app: Flask, user: User) -> str:
    """A personal API token of the user, as the account page makes it."""
    with app.app_context():
        text, _ = create_token(db.session, db.session.get(User, user.id), "chart system")
        db.session.commit()
    return text


def test_a_follow_up_exam_prints_on_letter_from_the_page_the_api_and_the_day_batch(
    app: Flask, client: FlaskClient, staff: User, letter_follow_up: Exam
) -> None:
    token = api_token(app, staff)
    responses = [
        summary_of(client, letter_follow_up),
        client.get(
            f"/api/v1/exams/{letter_follow_up.uuid}/summary.pdf",
            headers={"Authorization": f"Bearer {token}"},
        ),
        client.get("/reports/day.pdf?start=2026-11-24&end=2026-11-24"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        pages = pdf_pages(response.data)
        (document,) = numbered_documents(pages)
        text = pdf_text(response.data)
        assert "Compared with the previous signed exam of 2026-08-20" in text
        assert "FS: " in text  # the comparison's last line
        for page in document:
            assert "Łukasiewicz, Zoë · MRN MRN00001 · born 1981-04-02" in page
        # The heading is not left alone at the foot of a page: it starts the page its lines
        # are on.
        heading_page = next(p for p in pages if "Compared with the previous" in p)
        assert "ACR 1990 tender point count: " in heading_page


def test_the_longest_clinic_details_and_hostile_names_print_on_every_page(
    app: Flask, client: FlaskClient, create: Callable[..., Any], staff: User, doctor: User
) -> None:
    configure_clinic(
        app,
        name=exactly("Riverside Pain and Rehabilitation Clinic ", CLINIC_NAME_MAX),
        address=long_text(CLINIC_ADDRESS_MAX, paragraph=60),
        paper_size=PaperSize.A4,
    )
    patient = create(
        make_patient, mrn=HOSTILE_MRN, family_name=HOSTILE_FAMILY, given_name=HOSTILE_GIVEN
    )
    create(make_recorded_exam, patient=patient, clinician=doctor, exam_date=date(2026, 8, 20))
    exam = create(
        make_recorded_exam,
        patient=patient,
        clinician=doctor,
        assessment=long_text(TEXT_LIMITS["assessment"], tag="AS"),
        addenda=[long_text(ADDENDUM_MAX, tag="AD")],
    )
    identity = f" · MRN {HOSTILE_MRN} · born 1975-03-14"
    for path in (
        f"/exams/{exam.uuid}/summary.pdf",
        "/reports/day.pdf?start=2026-11-24&end=2026-11-24",
        f"/patients/{patient.uuid}/trend.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        (document,) = numbered_documents(pdf_pages(response.data))
        for page in document:
            assert "Riverside Pain" in page  # shortened beside the long name
            assert "=+-@\u200f<b>&amp;</b> Ørsted-Łukasiewicz" in page
            assert identity in page
        # Too long for the header: the whole line prints once, under the title.
        assert f"Patient: {HOSTILE_FAMILY.split()[0]}" in document[0]
        assert "Смирнов" in document[0]
    text = "".join(pdf_text(summary_of(client, exam).data).split())
    for marker in markers(long_text(TEXT_LIMITS["assessment"], tag="AS")):
        assert marker in text


def test_the_first_exam_has_no_comparison(client: FlaskClient, staff: User, signed: Exam) -> None:
    text = pdf_text(summary_of(client, signed).data)
    assert "Compared with" not in text


@pytest.mark.parametrize(
    ("paper", "size"), [(PaperSize.A4, (595, 842)), (PaperSize.LETTER, (612, 792))]
)
def test_the_pdf_uses_the_clinics_paper_size(
    app: Flask,
    client: FlaskClient,
    staff: User,
    signed: Exam,
    paper: PaperSize,
    size: tuple[int, int],
) -> None:
    configure_clinic(app, paper_size=paper)
    reader = PdfReader(BytesIO(summary_of(client, signed).data))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
    assert reader.metadata is not None
    assert reader.metadata.author == "Riverside Pain Clinic"


# --- the day list and its batch ------------------------------------------------------------------


@pytest.fixture
def day_of_exams(create: Callable[..., Any], doctor: User) -> dict[str, Any]:
    """Two clinicians' exams on DAY (one a draft) and one exam on the next day."""
    other = create(make_doctor, display_name="Bo Berg", credentials="PT", licence_number="")
    patients = [
        create(make_patient, mrn=f"MRN0010{n}", family_name=name, given_name=given)
        for n, (name, given) in enumerate(
            [("Ψυχογιός", "Δήμητρα"), ("Смирнов", "Дмитрий"), ("Okafor", "Ngozi")]
        )
    ]
    exams = [
        create(make_recorded_exam, patient=patients[0], clinician=doctor),
        create(make_recorded_exam, patient=patients[1], clinician=other, signed=False),
        create(
            make_recorded_exam, patient=patients[2], clinician=doctor, exam_date=date(2026, 11, 25)
        ),
    ]
    return {"doctor": doctor, "other": other, "patients": patients, "exams": exams}


def test_the_day_list_shows_the_days_exams_and_a_print_all_link(
    client: FlaskClient, staff: User, day_of_exams: dict[str, Any]
) -> None:
    response = client.get("/reports/day?start=2026-11-24")
    assert response.status_code == 200
    page = page_of(response)
    assert "2 exams on 2026-11-24" in page.text
    assert "Ψυχογιός, Δήμητρα MRN00100 Ana Ruiz, MD" in page.text
    assert "Смирнов, Дмитрий MRN00101 Bo Berg, PT" in page.text
    assert "Okafor" not in page.text
    batch = [link for link in page.links if urlsplit(link).path == "/reports/day.pdf"]
    assert len(batch) == 1
    assert parse_qs(urlsplit(batch[0]).query) == {"start": ["2026-11-24"], "end": ["2026-11-24"]}
    assert "Print all" in page.text
    for exam in day_of_exams["exams"][:2]:
        assert f"/exams/{exam.uuid}/summary.pdf" in page.links


def test_a_day_without_exams_says_so(client: FlaskClient, staff: User) -> None:
    page = page_of(client.get("/reports/day?start=2026-11-20"))
    assert "No exams on 2026-11-20." in page.text
    assert "Print all" not in page.text


def test_the_day_batch_prints_each_exam_with_its_own_header_and_numbers(
    client: FlaskClient, staff: User, day_of_exams: dict[str, Any]
) -> None:
    response = client.get("/reports/day.pdf?start=2026-11-24&end=2026-11-24")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="2026-11-24_exams.pdf"' in response.headers["Content-Disposition"]
    documents = numbered_documents(pdf_pages(response.data))
    lines = [
        "Ψυχογιός, Δήμητρα · MRN MRN00100 · born 1975-03-14",
        "Смирнов, Дмитрий · MRN MRN00101 · born 1975-03-14",
    ]
    assert len(documents) == 2
    for line, document, draft in zip(lines, documents, (False, True), strict=True):
        for page in document:
            assert line in page
            assert all(other not in page for other in lines if other != line)
            assert ("DRAFT" in page) is draft


def test_a_range_batch_includes_every_day_of_the_range(
    client: FlaskClient, staff: User, day_of_exams: dict[str, Any]
) -> None:
    response = client.get("/reports/day.pdf?start=2026-11-24&end=2026-11-25")
    assert response.status_code == 200
    assert (
        'filename="2026-11-24_to_2026-11-25_exams.pdf"' in (response.headers["Content-Disposition"])
    )
    assert len(numbered_documents(pdf_pages(response.data))) == 3


def test_the_clinician_filter_keeps_only_their_exams(
    client: FlaskClient, staff: User, day_of_exams: dict[str, Any]
) -> None:
    other = day_of_exams["other"]
    query = f"start=2026-11-24&end=2026-11-25&clinician={other.uuid}"
    page = page_of(client.get(f"/reports/day?{query}"))
    assert "1 exam from 2026-11-24 to 2026-11-25" in page.text
    assert "Смирнов" in page.text
    assert "Ψυχογιός" not in page.text
    assert "Okafor" not in page.text
    batch = next(link for link in page.links if urlsplit(link).path == "/reports/day.pdf")
    assert parse_qs(urlsplit(batch).query)["clinician"] == [str(other.uuid)]

    response = client.get(f"/reports/day.pdf?{query}")
    documents = numbered_documents(pdf_pages(response.data))
    assert len(documents) == 1
    assert "Смирнов, Дмитрий" in documents[0][0]


def test_a_clinician_filter_that_is_not_a_clinician_is_refused(
    client: FlaskClient, staff: User
) -> None:
    response = client.get("/reports/day?start=2026-11-24&clinician=somebody")
    assert response.status_code == 400
    assert "Choose the clinician from the list." in page_of(response).text
    unknown = client.get(
        "/reports/day.pdf?start=2026-11-24&clinician=5b0c2e8e-0000-4000-8000-000000000000"
    )
    assert unknown.status_code == 404


def test_a_day_batch_without_exams_is_not_found_never_an_empty_pdf(
    client: FlaskClient, staff: User, day_of_exams: dict[str, Any]
) -> None:
    response = client.get("/reports/day.pdf?start=2026-11-20&end=2026-11-23")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There are no exams in this range, so there is nothing to print." in (
        page_of(response).text
    )


@pytest.mark.parametrize("path", ["/reports/day", "/reports/day.pdf"])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=24.11.2026", "“24.11.2026” is not a date; write it as YYYY-MM-DD."),
        ("start=2026-11-24&end=2026-13-01", "“2026-13-01” is not a date; write it as YYYY-MM-DD."),
        ("start=2026-11-01&end=2026-12-02", "Print at most 31 days at a time."),
        ("start=2026-11-24&end=2026-11-23", "The end date is before the start date."),
    ],
)
def test_bad_dates_are_refused_with_a_message(
    client: FlaskClient, staff: User, path: str, query: str, message: str
) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in page_of(response).text


def test_thirty_one_days_is_allowed(client: FlaskClient, staff: User) -> None:
    response = client.get("/reports/day?start=2026-11-01&end=2026-12-01")
    assert response.status_code == 200
    assert "No exams from 2026-11-01 to 2026-12-01." in page_of(response).text


@pytest.mark.parametrize("path", ["/reports/day?start=2026-11-24", "/reports/day.pdf"])
def test_anonymous_visitors_cannot_see_the_day(
    client: FlaskClient, create: Callable[..., Any], path: str
) -> None:
    create(make_user)  # with no user at all, every page leads to the first-run setup
    response = client.get(path)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


# --- the patient trend ---------------------------------------------------------------------------


def test_the_trend_lists_the_signed_exams_only(
    client: FlaskClient, create: Callable[..., Any], staff: User, patient: Patient, doctor: User
) -> None:
    for day, options in (
        (date(2026, 8, 20), {}),
        (date(2026, 10, 7), {"entered_in_error": "Wrong date"}),
        (date(2026, 10, 13), {"signed": False}),
        (DAY, {}),
    ):
        create(make_recorded_exam, patient=patient, clinician=doctor, exam_date=day, **options)
    response = client.get(f"/patients/{patient.uuid}/trend.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert re.fullmatch(
        r'inline; filename="\d{4}-\d\d-\d\d_MRN00001_trend.pdf"',
        response.headers["Content-Disposition"],
    )
    text = pdf_text(response.data)
    assert "Łukasiewicz, Zoë · MRN MRN00001 · born 1981-04-02" in text
    assert "2 signed exams, 2026-08-20 to 2026-11-24." in text
    assert "2026-08-20" in text
    assert "2026-11-24" in text
    assert "2026-10-07" not in text
    assert "2026-10-13" not in text


def test_the_trend_of_an_unknown_patient_is_not_found(client: FlaskClient, staff: User) -> None:
    response = client.get("/patients/5b0c2e8e-0000-4000-8000-000000000000/trend.pdf")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
