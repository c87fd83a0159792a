"""Starting an exam and opening it, as clinicians and staff meet them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.extensions import db
from clinic.models import AuditEvent, Exam
from clinic.services.clinic import get_settings
from tests.factories import make_exam, make_patient, make_user

# --- reading pages the way a user does -----------------------------------------------------


class Page(HTMLParser):
    """What a user reads on a rendered page: field values, choices, errors beside fields."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}  # inputs: name -> value shown
        self.options: dict[str, list[tuple[str, str, bool]]] = {}  # (value, label, selected)
        self.errors: dict[str, str] = {}  # field id -> error message shown next to it
        self.invalid: set[str] = set()  # fields marked aria-invalid
        self.links: list[str] = []
        self._select: str | None = None
        self._capture: tuple[str, str, bool] | None = None
        self._buffer: list[str] = []
        self._all_text: list[str] = []
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        """Every visible word on the page, single-spaced."""
        return " ".join(" ".join(self._all_text).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag in ("input", "select") and a.get("aria-invalid") == "true":
            self.invalid.add(a.get("name", ""))
        if tag == "input":
            self.values[a.get("name", "")] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name", "")
            self.options[self._select] = []
        elif tag == "option":
            self._start(("option", a.get("value", ""), "selected" in a))
        elif tag == "p" and a.get("id", "").endswith("-error"):
            self._start(("error", a["id"].removesuffix("-error"), False))
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])

    def _start(self, capture: tuple[str, str, bool]) -> None:
        self._capture = capture
        self._buffer = []

    def handle_data(self, data: str) -> None:
        self._all_text.append(data)
        if self._capture is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if self._capture is None:
            return
        kind, key, selected = self._capture
        text = " ".join("".join(self._buffer).split())
        if kind == "option" and tag == "option" and self._select is not None:
            self.options[self._select].append((key, text, selected))
        elif kind == "error" and tag == "p":
            self.errors[key] = text
        else:
            return
        self._capture = None


def page_of(response: Any) -> Page:
    return Page(response.get_data(as_text=True))


def path_of(response: Any) -> str:
    return urlsplit(response.headers["Location"]).path


def count(session: Any, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def doctor(create, login):
    """A signed-in clinician."""
    user = create(make_user, roles=(Role.CLINICIAN,), display_name="Ana Ruiz", credentials="MD")
    login(user)
    return user


@pytest.fixture
def patient(create):
    return create(
        make_patient,
        mrn="PL-77",
        family_name="Łukasiewicz",
        given_name="Zoë",
        date_of_birth=date(1990, 6, 1),
    )


@pytest.fixture
def start_url(patient):
    return f"/patients/{patient.uuid}/exams/new"


@pytest.fixture
def set_clinic_zone(app):
    """Set the clinic's time zone, as an administrator would."""

    def _set(zone: str) -> None:
        with app.app_context():
            get_settings(db.session).time_zone = zone
            db.session.commit()

    return _set


# --- starting an exam ------------------------------------------------------------------------


def test_a_clinician_starts_a_draft_exam_and_lands_on_its_page(
    client, doctor, patient, start_url, read
):
    response = client.post(
        start_url, data={"exam_date": "2024-06-03", "clinician": str(doctor.uuid)}
    )

    assert response.status_code == 302
    with read() as session:
        exam = session.scalars(select(Exam)).one()
        assert path_of(response) == f"/exams/{exam.uuid}"
        assert exam.status is ExamStatus.DRAFT
        assert exam.exam_date == date(2024, 6, 3)
        assert exam.patient_id == patient.id
        assert exam.clinician_id == doctor.id
        assert exam.created_by_id == doctor.id
        assert exam.signed_at is None
        event = session.scalars(select(AuditEvent)).one()
        assert (event.action, event.entity_type, event.entity_uuid, event.actor_id) == (
            "exam.start",
            "exam",
            exam.uuid,
            doctor.id,
        )
        assert event.detail == {"patient": str(patient.uuid)}

    shown = page_of(client.get(path_of(response)))
    assert "Exam started as a draft." in shown.text
    assert "Exam of 2024-06-03" in shown.text
    assert "Patient Łukasiewicz, Zoë" in shown.text
    assert "MRN PL-77" in shown.text
    assert "Date of birth 1990-06-01" in shown.text
    assert "Examining clinician Ana Ruiz, MD" in shown.text
    assert "Draft" in shown.text


def test_the_start_form_proposes_today_and_the_signed_in_clinician(
    client, doctor, create, patient, start_url
):
    create(make_user, roles=(Role.CLINICIAN,), display_name="Bo Berg")
    before = datetime.now(UTC).date()

    response = client.get(start_url)

    after = datetime.now(UTC).date()
    assert response.status_code == 200
    shown = page_of(response)
    assert date.fromisoformat(shown.values["exam_date"]) in {before, after}
    selected = [value for value, _, chosen in shown.options["clinician"] if chosen]
    assert selected == [str(doctor.uuid)]
    assert "Łukasiewicz, Zoë · MRN PL-77 · born 1990-06-01" in shown.text


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_proposed_date_is_today_where_the_clinic_is(
    client, doctor, start_url, set_clinic_zone, zone
):
    # UTC+14 and UTC-11 are 25 hours apart, so at any moment one of them is not on UTC's date.
    set_clinic_zone(zone)
    before = today_in(zone)

    shown = page_of(client.get(start_url))

    assert date.fromisoformat(shown.values["exam_date"]) in {before, today_in(zone)}


def test_a_clinician_cannot_start_an_exam_for_a_colleague(client, doctor, create, start_url, read):
    colleague = create(make_user, roles=(Role.CLINICIAN,), display_name="Bo Berg")

    response = client.post(
        start_url, data={"exam_date": "2024-06-03", "clinician": str(colleague.uuid)}
    )

    assert response.status_code == 200
    assert page_of(response).errors["clinician"] == (
        "You can start exams only as the examining clinician yourself; an administrator can "
        "start one for another clinician."
    )
    with read() as session:
        assert count(session, Exam) == 0


@pytest.mark.parametrize("roles", [(Role.ADMIN,), (Role.ADMIN, Role.CLINICIAN)])
def test_an_administrator_starts_an_exam_for_any_active_clinician(
    client, create, login, start_url, read, roles
):
    clinician = create(make_user, roles=(Role.CLINICIAN,), display_name="Bo Berg")
    admin = create(make_user, roles=roles)
    login(admin)

    response = client.post(
        start_url, data={"exam_date": "2024-06-03", "clinician": str(clinician.uuid)}
    )

    assert response.status_code == 302
    with read() as session:
        exam = session.scalars(select(Exam)).one()
        assert (exam.clinician_id, exam.created_by_id) == (clinician.id, admin.id)


def test_an_exam_dated_in_the_future_is_refused_and_nothing_is_stored(
    client, doctor, start_url, read
):
    future = datetime.now(UTC).date() + timedelta(days=2)

    response = client.post(
        start_url, data={"exam_date": future.isoformat(), "clinician": str(doctor.uuid)}
    )

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors["exam_date"] == "An exam cannot be dated in the future."
    assert "exam_date" in shown.invalid
    assert shown.values["exam_date"] == future.isoformat()
    assert [value for value, _, chosen in shown.options["clinician"] if chosen] == [
        str(doctor.uuid)
    ]
    with read() as session:
        assert count(session, Exam) == 0
        assert count(session, AuditEvent) == 0


def test_today_where_the_clinic_is_is_not_the_future(
    client, doctor, start_url, set_clinic_zone, read
):
    # Kiritimati (UTC+14) is usually a day ahead of the server's UTC clock.
    set_clinic_zone("Pacific/Kiritimati")
    today = today_in("Pacific/Kiritimati")

    response = client.post(
        start_url, data={"exam_date": today.isoformat(), "clinician": str(doctor.uuid)}
    )

    assert response.status_code == 302
    with read() as session:
        assert session.scalars(select(Exam.exam_date)).one() == today


def test_an_exam_before_the_patients_birth_is_refused(client, doctor, create, read):
    newborn = create(make_patient, date_of_birth=date(2000, 5, 10))

    response = client.post(
        f"/patients/{newborn.uuid}/exams/new",
        data={"exam_date": "2000-05-09", "clinician": str(doctor.uuid)},
    )

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors["exam_date"] == "An exam cannot be dated before the patient's birth."
    assert shown.values["exam_date"] == "2000-05-09"
    with read() as session:
        assert count(session, Exam) == 0


def test_an_exam_on_the_day_of_birth_is_allowed(client, doctor, create, read):
    newborn = create(make_patient, date_of_birth=date(2000, 5, 10))

    response = client.post(
        f"/patients/{newborn.uuid}/exams/new",
        data={"exam_date": "2000-05-10", "clinician": str(doctor.uuid)},
    )

    assert response.status_code == 302
    with read() as session:
        assert session.scalars(select(Exam.exam_date)).one() == date(2000, 5, 10)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the exam date."),
        ("03/06/2024", "Not a valid date value."),
        ("2024-02-30", "Not a valid date value."),
    ],
)
def test_a_missing_or_malformed_exam_date_is_refused(
    client, doctor, start_url, read, typed, message
):
    response = client.post(start_url, data={"exam_date": typed, "clinician": str(doctor.uuid)})

    assert response.status_code == 200
    shown = page_of(response)
    assert message in shown.errors["exam_date"]
    assert shown.values["exam_date"] == typed
    with read() as session:
        assert count(session, Exam) == 0


def test_a_clinician_is_offered_only_themselves_as_examiner(client, doctor, create, start_url):
    create(make_user, roles=(Role.CLINICIAN,), display_name="Bo Berg")

    shown = page_of(client.get(start_url))

    assert [(value, label) for value, label, _ in shown.options["clinician"]] == [
        (str(doctor.uuid), "Ana Ruiz, MD")
    ]


def test_an_administrator_is_offered_only_active_clinicians_by_name(
    client, create, login, start_url
):
    colleague = create(
        make_user, roles=(Role.CLINICIAN, Role.STAFF), display_name="Bo Berg", credentials="PT, DPT"
    )
    create(make_user, roles=(Role.CLINICIAN,), display_name="Cy Gone", is_active=False)
    create(make_user, roles=(Role.STAFF,), display_name="Di Desk")
    admin = create(make_user, roles=(Role.ADMIN, Role.CLINICIAN), display_name="Ana Ruiz")
    login(admin)

    shown = page_of(client.get(start_url))

    assert [(value, label) for value, label, _ in shown.options["clinician"]] == [
        (str(admin.uuid), "Ana Ruiz, MD"),
        (str(colleague.uuid), "Bo Berg, PT, DPT"),
    ]


@pytest.mark.parametrize("who", ["inactive clinician", "staff member", "unknown", "not a uuid"])
def test_an_exam_cannot_be_assigned_to_someone_off_the_list(
    client, doctor, create, start_url, read, who
):
    choices = {
        "inactive clinician": lambda: str(
            create(make_user, roles=(Role.CLINICIAN,), is_active=False).uuid
        ),
        "staff member": lambda: str(create(make_user, roles=(Role.STAFF,)).uuid),
        "unknown": lambda: str(uuid.uuid4()),
        "not a uuid": lambda: "nobody",
    }

    response = client.post(start_url, data={"exam_date": "2024-06-03", "clinician": choices[who]()})

    assert response.status_code == 200
    shown = page_of(response)
    assert "clinician" in shown.errors
    assert shown.values["exam_date"] == "2024-06-03"
    with read() as session:
        assert count(session, Exam) == 0


def test_a_missing_clinician_is_refused(client, doctor, start_url, read):
    response = client.post(start_url, data={"exam_date": "2024-06-03"})

    assert response.status_code == 200
    assert "clinician" in page_of(response).errors
    with read() as session:
        assert count(session, Exam) == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_may_not_start_an_exam(client, create, login, patient, start_url, read, method):
    clinician = create(make_user, roles=(Role.CLINICIAN,))
    login(create(make_user, roles=(Role.STAFF,)))

    response = getattr(client, method)(
        start_url, data={"exam_date": "2024-06-03", "clinician": str(clinician.uuid)}
    )

    assert response.status_code == 403
    with read() as session:
        assert count(session, Exam) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, create, start_url, read):
    clinician = create(make_user, roles=(Role.CLINICIAN,))

    response = client.post(
        start_url, data={"exam_date": "2024-06-03", "clinician": str(clinician.uuid)}
    )

    assert response.status_code == 302
    assert path_of(response) == "/login"
    with read() as session:
        assert count(session, Exam) == 0


def test_starting_an_exam_of_an_unknown_patient_is_not_found(client, doctor, read):
    response = client.post(
        f"/patients/{uuid.uuid4()}/exams/new",
        data={"exam_date": "2024-06-03", "clinician": str(doctor.uuid)},
    )

    assert response.status_code == 404
    with read() as session:
        assert count(session, Exam) == 0


# --- the exam page ---------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [(Role.CLINICIAN,), (Role.STAFF,), (Role.ADMIN,)])
def test_everyone_signed_in_sees_the_exam_header(client, create, login, patient, roles):
    examiner = create(make_user, display_name="Bo Berg", credentials="PT")
    exam = create(make_exam, patient=patient, clinician=examiner, exam_date=date(2025, 7, 30))
    login(create(make_user, roles=roles))

    response = client.get(f"/exams/{exam.uuid}")

    assert response.status_code == 200
    shown = page_of(response)
    assert "Exam of 2025-07-30" in shown.text
    assert "Patient Łukasiewicz, Zoë" in shown.text
    assert "MRN PL-77" in shown.text
    assert "Date of birth 1990-06-01" in shown.text
    assert "Examining clinician Bo Berg, PT" in shown.text
    assert "by Bo Berg" in shown.text
    assert "Draft" in shown.text
    assert f"/patients/{patient.uuid}" in shown.links


def test_the_exam_page_shows_when_it_was_started_in_the_clinics_time(
    client, doctor, create, patient, set_clinic_zone, app
):
    exam = create(make_exam, patient=patient, clinician=doctor)
    with app.app_context():
        stored = db.session.get(Exam, exam.id)
        stored.created_at = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
        db.session.commit()
    set_clinic_zone("Europe/Warsaw")

    shown = page_of(client.get(f"/exams/{exam.uuid}"))

    assert "Started 2026-01-16 00:30 CET by Ana Ruiz" in shown.text


def test_an_unknown_exam_is_not_found(client, doctor, create):
    create(make_exam)

    assert client.get(f"/exams/{uuid.uuid4()}").status_code == 404
    assert client.get("/exams/not-a-uuid").status_code == 404


def test_signed_out_visitors_cannot_open_an_exam(client, create):
    exam = create(make_exam)

    response = client.get(f"/exams/{exam.uuid}")

    assert response.status_code == 302
    assert path_of(response) == "/login"
