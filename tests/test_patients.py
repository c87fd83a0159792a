"""Patients as staff meet them: registering, correcting, finding and opening a patient."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from clinic.domain.roles import Role
from clinic.domain.scales import Sex
from clinic.extensions import db
from clinic.models import AuditEvent, Patient
from clinic.services.clinic import get_settings
from tests.factories import make_exam, make_patient, make_user

# --- reading pages the way a user does -----------------------------------------------------


class Page(HTMLParser):
    """What a user reads on a rendered page: field values, errors beside fields, table rows."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}  # text and date inputs: name -> value shown
        self.checked: dict[str, str] = {}  # radio groups: name -> checked value
        self.errors: dict[str, str] = {}  # field id -> error message shown next to it
        self.invalid: set[str] = set()  # inputs marked aria-invalid
        self.rows: list[list[str]] = []  # table body rows, as cell texts
        self.links: list[str] = []
        self._in_body = False
        self._capture: tuple[str, str] | None = None
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
        if tag == "input":
            name = a.get("name", "")
            if a.get("type") == "radio":
                if "checked" in a:
                    self.checked[name] = a.get("value", "")
            else:
                self.values[name] = a.get("value", "")
            if a.get("aria-invalid") == "true":
                self.invalid.add(name)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "p" and a.get("id", "").endswith("-error"):
            self._start("error", a["id"].removesuffix("-error"))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._start("cell", "")

    def _start(self, kind: str, key: str) -> None:
        self._capture = (kind, key)
        self._buffer = []

    def handle_data(self, data: str) -> None:
        self._all_text.append(data)
        if self._capture is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        if self._capture is None or tag not in ("p", "td"):
            return
        kind, key = self._capture
        text = " ".join("".join(self._buffer).split())
        if kind == "error" and tag == "p":
            self.errors[key] = text
        elif kind == "cell" and tag == "td":
            self.rows[-1].append(text)
        else:
            return
        self._capture = None


def page_of(response: Any) -> Page:
    return Page(response.get_data(as_text=True))


def path_of(response: Any) -> str:
    return urlsplit(response.headers["Location"]).path


def form(**overrides: str) -> dict[str, str]:
    """A complete, valid registration form as a browser would post it."""
    return {
        "mrn": "AB-1001",
        "family_name": "Ruiz",
        "given_name": "Ana",
        "date_of_birth": "1980-02-29",
        "sex": "female",
    } | overrides


def count(session: Any, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def clinic_today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def staff(create, login):
    """A signed-in member of staff."""
    user = create(make_user, roles=(Role.STAFF,), display_name="Sam Staff")
    login(user)
    return user


@pytest.fixture
def clinician(create, login):
    """A signed-in clinician who does not hold the staff role."""
    user = create(make_user, roles=(Role.CLINICIAN,), display_name="Ana Ruiz")
    login(user)
    return user


@pytest.fixture
def set_clinic_zone(app):
    """Set the clinic's time zone, as an administrator would."""

    def _set(zone: str) -> None:
        with app.app_context():
            get_settings(db.session).time_zone = zone
            db.session.commit()

    return _set


# --- registering -----------------------------------------------------------------------------


def test_registering_opens_the_new_patients_page_and_stores_trimmed_details(client, staff, read):
    response = client.post(
        "/patients/new",
        data=form(
            mrn="  AB-1001 ",
            family_name="  Łukasiewicz ",
            given_name=" Zoë  ",
            date_of_birth="1980-02-29",
            sex="female",
        ),
    )

    assert response.status_code == 302
    with read() as session:
        patient = session.scalars(select(Patient)).one()
        assert (patient.mrn, patient.family_name, patient.given_name) == (
            "AB-1001",
            "Łukasiewicz",
            "Zoë",
        )
        assert patient.date_of_birth == date(1980, 2, 29)
        assert patient.sex is Sex.FEMALE
        assert path_of(response) == f"/patients/{patient.uuid}"
        event = session.scalars(select(AuditEvent)).one()
        assert (event.action, event.entity_type, event.entity_uuid, event.actor_id) == (
            "patient.create",
            "patient",
            patient.uuid,
            staff.id,
        )

    shown = page_of(client.get(path_of(response)))
    assert "Łukasiewicz, Zoë is registered." in shown.text
    assert "AB-1001" in shown.text
    assert "1980-02-29" in shown.text


def test_the_registration_form_starts_empty(client, staff):
    response = client.get("/patients/new")

    assert response.status_code == 200
    shown = page_of(response)
    assert {name: shown.values[name] for name in ("mrn", "family_name", "given_name")} == {
        "mrn": "",
        "family_name": "",
        "given_name": "",
    }
    assert shown.checked == {}
    assert shown.errors == {}


def test_an_administrator_may_register_a_patient(client, create, login, read):
    login(create(make_user, roles=(Role.ADMIN,)))

    response = client.post("/patients/new", data=form())

    assert response.status_code == 302
    with read() as session:
        assert session.scalars(select(Patient.mrn)).all() == ["AB-1001"]


def test_every_empty_field_gets_its_own_message_and_nothing_is_stored(client, staff, read):
    response = client.post(
        "/patients/new",
        data={"mrn": "", "family_name": "   ", "given_name": "", "date_of_birth": ""},
    )

    assert response.status_code == 200
    shown = page_of(response)
    assert "Please correct the fields marked below." in shown.text
    assert "Enter the medical record number." in shown.errors["mrn"]
    assert "Enter the family name." in shown.errors["family_name"]
    assert "Enter the given name." in shown.errors["given_name"]
    assert "Enter the date of birth." in shown.errors["date_of_birth"]
    assert "Choose one." in shown.errors["sex"]
    assert {"mrn", "family_name", "given_name", "date_of_birth"} <= shown.invalid
    with read() as session:
        assert count(session, Patient) == 0
        assert count(session, AuditEvent) == 0


def test_a_duplicate_mrn_is_refused_beside_the_field_keeping_what_was_typed(
    client, staff, create, read
):
    create(make_patient, mrn="AB-1001", family_name="Existing", given_name="Person")

    response = client.post(
        "/patients/new",
        data=form(
            mrn=" AB-1001",
            family_name="Nowak",
            given_name="Jan",
            date_of_birth="1969-07-20",
            sex="male",
        ),
    )

    assert response.status_code == 200
    shown = page_of(response)
    assert "AB-1001" in shown.errors["mrn"]
    assert "already" in shown.errors["mrn"]
    assert "mrn" in shown.invalid
    assert shown.values["family_name"] == "Nowak"
    assert shown.values["given_name"] == "Jan"
    assert shown.values["date_of_birth"] == "1969-07-20"
    assert shown.checked["sex"] == "male"
    assert set(shown.errors) == {"mrn"}
    with read() as session:
        assert session.scalars(select(Patient.family_name)).all() == ["Existing"]
        assert count(session, AuditEvent) == 0


def test_a_date_of_birth_in_the_future_is_refused(client, staff, read):
    future = datetime.now(UTC).date() + timedelta(days=2)

    response = client.post("/patients/new", data=form(date_of_birth=future.isoformat()))

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors["date_of_birth"] == "Date of birth cannot be in the future."
    assert shown.values["date_of_birth"] == future.isoformat()
    assert shown.values["family_name"] == "Ruiz"
    with read() as session:
        assert count(session, Patient) == 0


def test_born_today_where_the_clinic_is_counts_as_today(client, staff, read, set_clinic_zone):
    # Kiritimati is UTC+14: its today is often the server's tomorrow.
    set_clinic_zone("Pacific/Kiritimati")
    born = clinic_today_in("Pacific/Kiritimati")

    response = client.post("/patients/new", data=form(date_of_birth=born.isoformat()))

    assert response.status_code == 302
    with read() as session:
        assert session.scalars(select(Patient.date_of_birth)).one() == born


@pytest.mark.parametrize("typed", ["14/03/1975", "1975-02-30", "1975-3-14x", "yesterday"])
def test_a_malformed_date_of_birth_is_refused_and_shown_as_typed(client, staff, read, typed):
    response = client.post("/patients/new", data=form(date_of_birth=typed))

    assert response.status_code == 200
    shown = page_of(response)
    assert "Not a valid date value." in shown.errors["date_of_birth"]
    assert shown.values["date_of_birth"] == typed
    with read() as session:
        assert count(session, Patient) == 0


@pytest.mark.parametrize("mrn", ["AB 1001", "AB#1001", "-AB1001", "ÄB1001", "AB1001;DROP"])
def test_an_mrn_with_spaces_or_other_characters_is_refused(client, staff, read, mrn):
    response = client.post("/patients/new", data=form(mrn=mrn))

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors["mrn"] == "Use letters, digits and . _ / - only."
    assert shown.values["mrn"] == mrn
    with read() as session:
        assert count(session, Patient) == 0


@pytest.mark.parametrize("mrn", ["A", "ab.12_3/4-5", "0" * 32])
def test_mrns_of_letters_digits_and_separators_are_accepted(client, staff, read, mrn):
    response = client.post("/patients/new", data=form(mrn=mrn))

    assert response.status_code == 302
    with read() as session:
        assert session.scalars(select(Patient.mrn)).one() == mrn


@pytest.mark.parametrize(
    ("field", "value"),
    [("mrn", "A" * 33), ("family_name", "F" * 101), ("given_name", "G" * 101)],
)
def test_overlong_entries_are_refused(client, staff, read, field, value):
    response = client.post("/patients/new", data=form(**{field: value}))

    assert response.status_code == 200
    assert "longer than" in page_of(response).errors[field]
    with read() as session:
        assert count(session, Patient) == 0


def test_a_sex_outside_the_list_is_refused(client, staff, read):
    response = client.post("/patients/new", data=form(sex="bogus"))

    assert response.status_code == 200
    assert "sex" in page_of(response).errors
    with read() as session:
        assert count(session, Patient) == 0


def test_names_are_shown_as_text_never_as_markup(client, staff, read):
    response = client.post(
        "/patients/new", data=form(family_name="<script>alert(1)</script>", given_name="O'Brien")
    )
    assert response.status_code == 302

    html = client.get(path_of(response)).get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;, O&#39;Brien" in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_clinician_without_the_staff_role_cannot_register(client, clinician, read, method):
    response = getattr(client, method)("/patients/new", data=form())

    assert response.status_code == 403
    with read() as session:
        assert count(session, Patient) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, create):
    create(make_user)  # setup is done, so the sign-in page is the way in

    response = client.get("/patients/new")

    assert response.status_code == 302
    assert path_of(response) == "/login"


# --- editing ---------------------------------------------------------------------------------


def test_the_edit_form_shows_the_stored_details(client, staff, create):
    patient = create(
        make_patient,
        mrn="ZX-9",
        family_name="Nowak",
        given_name="Jan",
        date_of_birth=date(1969, 7, 20),
        sex=Sex.MALE,
    )

    response = client.get(f"/patients/{patient.uuid}/edit")

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.values["mrn"] == "ZX-9"
    assert shown.values["family_name"] == "Nowak"
    assert shown.values["given_name"] == "Jan"
    assert shown.values["date_of_birth"] == "1969-07-20"
    assert shown.checked["sex"] == "male"


def test_editing_changes_the_details_and_keeps_the_patients_identity(client, staff, create, read):
    patient = create(make_patient, mrn="ZX-9", family_name="Nowak", given_name="Jan")

    response = client.post(
        f"/patients/{patient.uuid}/edit",
        data=form(
            mrn=" ZX-10 ",
            family_name=" Kowalska ",
            given_name="Zoë",
            date_of_birth="1970-01-02",
            sex="other",
        ),
    )

    assert response.status_code == 302
    assert path_of(response) == f"/patients/{patient.uuid}"
    with read() as session:
        stored = session.scalars(select(Patient)).one()
        assert (stored.id, stored.uuid) == (patient.id, patient.uuid)
        assert (stored.mrn, stored.family_name, stored.given_name) == ("ZX-10", "Kowalska", "Zoë")
        assert stored.date_of_birth == date(1970, 1, 2)
        assert stored.sex is Sex.OTHER
        event = session.scalars(select(AuditEvent)).one()
        assert (event.action, event.entity_uuid, event.actor_id) == (
            "patient.update",
            patient.uuid,
            staff.id,
        )
    assert "Patient details saved." in page_of(client.get(path_of(response))).text
    # The search follows the new name.
    assert page_of(client.get("/patients?q=kowalska zoe")).rows[0][1] == "ZX-10"
    assert page_of(client.get("/patients?q=nowak")).rows == []


def test_saving_a_patient_under_its_own_mrn_is_not_a_duplicate(client, staff, create, read):
    patient = create(make_patient, mrn="ZX-9", family_name="Nowak")

    response = client.post(
        f"/patients/{patient.uuid}/edit", data=form(mrn="ZX-9", family_name="Nowakowa")
    )

    assert response.status_code == 302
    with read() as session:
        assert session.scalars(select(Patient.family_name)).one() == "Nowakowa"


def test_editing_to_another_patients_mrn_is_refused_and_nothing_changes(
    client, staff, create, read
):
    create(make_patient, mrn="TAKEN-1")
    patient = create(make_patient, mrn="ZX-9", family_name="Nowak")

    response = client.post(
        f"/patients/{patient.uuid}/edit", data=form(mrn="TAKEN-1", family_name="Changed")
    )

    assert response.status_code == 200
    shown = page_of(response)
    assert "TAKEN-1" in shown.errors["mrn"]
    assert shown.values["family_name"] == "Changed"
    with read() as session:
        stored = session.scalars(select(Patient).where(Patient.id == patient.id)).one()
        assert (stored.mrn, stored.family_name) == ("ZX-9", "Nowak")
        assert count(session, AuditEvent) == 0


def test_editing_to_a_future_date_of_birth_is_refused(client, staff, create, read):
    patient = create(make_patient, date_of_birth=date(1975, 3, 14))
    future = datetime.now(UTC).date() + timedelta(days=2)

    response = client.post(
        f"/patients/{patient.uuid}/edit",
        data=form(mrn=patient.mrn, date_of_birth=future.isoformat()),
    )

    assert response.status_code == 200
    assert page_of(response).errors["date_of_birth"] == "Date of birth cannot be in the future."
    with read() as session:
        assert session.scalars(select(Patient.date_of_birth)).one() == date(1975, 3, 14)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_clinician_without_the_staff_role_cannot_edit(client, clinician, create, read, method):
    patient = create(make_patient, family_name="Nowak")

    response = getattr(client, method)(
        f"/patients/{patient.uuid}/edit", data=form(mrn=patient.mrn, family_name="Changed")
    )

    assert response.status_code == 403
    with read() as session:
        assert session.scalars(select(Patient.family_name)).one() == "Nowak"


# --- the patient page ------------------------------------------------------------------------


def test_the_patient_page_lists_exams_newest_first(client, staff, create):
    patient = create(make_patient)
    doctor = create(make_user, display_name="Ana Ruiz", credentials="MD")
    for day in (date(2024, 5, 1), date(2026, 1, 15), date(2025, 7, 30)):
        create(make_exam, patient=patient, clinician=doctor, exam_date=day)

    response = client.get(f"/patients/{patient.uuid}")

    assert response.status_code == 200
    assert page_of(response).rows == [
        ["2026-01-15", "Ana Ruiz, MD", "Draft"],
        ["2025-07-30", "Ana Ruiz, MD", "Draft"],
        ["2024-05-01", "Ana Ruiz, MD", "Draft"],
    ]


def test_the_patient_page_shows_only_that_patients_exams(client, staff, create):
    patient = create(make_patient)
    other = create(make_patient)
    create(make_exam, patient=other, exam_date=date(2025, 1, 1))

    shown = page_of(client.get(f"/patients/{patient.uuid}"))

    assert shown.rows == []
    assert "No exams yet." in shown.text


def test_the_patient_page_shows_the_identifying_details(client, staff, create):
    patient = create(
        make_patient,
        mrn="ZX-9",
        family_name="Ψυχογιός",
        given_name="Ελένη",
        date_of_birth=date(1975, 3, 14),
        sex=Sex.UNKNOWN,
    )

    text = page_of(client.get(f"/patients/{patient.uuid}")).text

    assert "Ψυχογιός, Ελένη" in text
    assert "MRN ZX-9" in text
    assert "Date of birth 1975-03-14" in text
    assert "Sex Unknown" in text


def test_staff_are_offered_editing_and_clinicians_an_exam(client, create, login):
    patient = create(make_patient)
    edit_link = f"/patients/{patient.uuid}/edit"
    exam_link = f"/patients/{patient.uuid}/exams/new"

    login(create(make_user, roles=(Role.STAFF,)))
    staff_links = page_of(client.get(f"/patients/{patient.uuid}")).links
    login(create(make_user, roles=(Role.CLINICIAN,)))
    clinician_links = page_of(client.get(f"/patients/{patient.uuid}")).links

    assert edit_link in staff_links
    assert exam_link not in staff_links
    assert exam_link in clinician_links
    assert edit_link not in clinician_links


@pytest.mark.parametrize(
    "path",
    [
        "/patients/{id}",
        "/patients/{id}/edit",
        "/patients/not-a-uuid",
    ],
)
def test_an_unknown_patient_is_not_found(client, staff, create, path):
    create(make_patient)

    response = client.get(path.format(id=uuid.uuid4()))

    assert response.status_code == 404
    assert "There is nothing here." in page_of(response).text


# --- finding patients ------------------------------------------------------------------------


@pytest.fixture
def people(create):
    """A small patient list with names in several scripts."""
    made = [
        create(
            make_patient,
            family_name="Łukasiewicz",
            given_name="Zoë",
            mrn="PL-77",
            date_of_birth=date(1990, 6, 1),
        ),
        create(
            make_patient,
            family_name="Ψυχογιός",
            given_name="Ελένη",
            mrn="GR-1",
            date_of_birth=date(1975, 3, 14),
        ),
        create(
            make_patient,
            family_name="Иванов",
            given_name="Дмитрий",
            mrn="RU-5",
            date_of_birth=date(1975, 3, 14),
        ),
        create(
            make_patient,
            family_name="Smith",
            given_name="Anna",
            mrn="US-300",
            date_of_birth=date(1961, 12, 31),
        ),
        create(
            make_patient,
            family_name="Zoellner",
            given_name="Max",
            mrn="DE-8",
            date_of_birth=date(2001, 1, 1),
        ),
    ]
    return {patient.mrn: patient for patient in made}


def found(client: Any, query: str) -> list[str]:
    """The MRNs the patient list shows for a search."""
    response = client.get("/patients", query_string={"q": query})
    assert response.status_code == 200
    return [row[1] for row in page_of(response).rows]


@pytest.mark.parametrize(
    ("query", "mrns"),
    [
        ("zoe", ["PL-77", "DE-8"]),  # Zoë (given) and Zoellner (family), by name order
        ("Zoë Łukasiewicz", ["PL-77"]),
        ("ZOË", ["PL-77", "DE-8"]),
        ("luk", ["PL-77"]),
        ("LUKASIEWICZ", ["PL-77"]),
        ("luk zo", ["PL-77"]),
        ("  zoe   luk  ", ["PL-77"]),
        ("Ψυχογιός", ["GR-1"]),
        ("ψυχογιος", ["GR-1"]),
        ("ελενη", ["GR-1"]),
        ("Дмитрий", ["RU-5"]),
        ("дми", ["RU-5"]),
        ("иванов дмитрий", ["RU-5"]),
        ("anna", ["US-300"]),
    ],
)
def test_search_by_name_ignores_case_and_accents(client, staff, people, query, mrns):
    assert found(client, query) == mrns


@pytest.mark.parametrize("query", ["nna", "kasiewicz", "zoe smith", "smithy"])
def test_search_by_name_matches_only_the_start_of_name_parts(client, staff, people, query):
    assert found(client, query) == []


@pytest.mark.parametrize("query", ["us-300", "US-300", " Us-300 "])
def test_search_by_mrn_is_exact_and_ignores_case(client, staff, people, query):
    assert found(client, query) == ["US-300"]


def test_search_by_part_of_an_mrn_finds_nothing(client, staff, people):
    assert found(client, "US-30") == []


def test_an_mrn_that_looks_like_a_date_can_still_be_searched(client, staff, create):
    # MRNs are often all digits; "19800101" is also a (basic-format) ISO date.
    create(make_patient, mrn="19800101", date_of_birth=date(1955, 5, 5))

    assert found(client, "19800101") == ["19800101"]


def test_search_by_date_of_birth_finds_everyone_born_that_day(client, staff, people):
    assert sorted(found(client, "1975-03-14")) == ["GR-1", "RU-5"]
    assert found(client, "1975-03-15") == []


@pytest.mark.parametrize("query", ["%", "_", "z%", "sm_th", "%ith"])
def test_search_characters_are_taken_literally_not_as_wildcards(client, staff, people, query):
    assert found(client, query) == []


def test_a_search_without_matches_says_so(client, staff, people):
    response = client.get("/patients", query_string={"q": "Nobody"})

    shown = page_of(response)
    assert shown.rows == []
    assert "No patient matches “Nobody”." in shown.text
    assert shown.values["q"] == "Nobody"


def test_an_empty_list_says_there_are_no_patients_yet(client, staff):
    assert "No patients yet." in page_of(client.get("/patients")).text


def test_a_blank_search_lists_everyone_by_name(client, staff, people):
    listed = found(client, "   ")

    assert sorted(listed) == sorted(people)
    # Latin names in alphabetical order (how scripts sort among each other is the database's).
    assert [mrn for mrn in listed if mrn in ("PL-77", "US-300", "DE-8")] == [
        "PL-77",
        "US-300",
        "DE-8",
    ]


def test_clinicians_can_search_and_open_patients(client, clinician, people):
    assert found(client, "smith") == ["US-300"]
    assert client.get(f"/patients/{people['US-300'].uuid}").status_code == 200


def test_signed_out_visitors_cannot_list_patients(client, create):
    create(make_user)

    response = client.get("/patients?q=smith")

    assert response.status_code == 302
    assert path_of(response) == "/login"


# --- pages of results ------------------------------------------------------------------------


@pytest.fixture
def thirty_patients(app):
    """Thirty patients, Family01 ... Family30."""
    with app.app_context():
        for n in range(1, 31):
            make_patient(db.session, family_name=f"Family{n:02d}", given_name="Test")
        db.session.commit()


def test_thirty_patients_fill_one_page_of_25_and_a_second_of_5(client, staff, thirty_patients):
    first = page_of(client.get("/patients"))
    second = page_of(client.get("/patients?page=2"))

    first_names = [row[0] for row in first.rows]
    second_names = [row[0] for row in second.rows]
    assert len(first_names) == 25
    assert len(second_names) == 5
    assert first_names + second_names == [f"Family{n:02d}, Test" for n in range(1, 31)]
    assert "Page 1 of 2 · 30 patients" in first.text
    assert "Page 2 of 2 · 30 patients" in second.text
    assert "Next" in first.text
    assert "Previous" not in first.text
    assert "Previous" in second.text
    assert "Next" not in second.text


def test_paging_through_search_results_keeps_the_search(client, staff, thirty_patients, create):
    create(make_patient, family_name="Other", given_name="Person")

    first = page_of(client.get("/patients", query_string={"q": "family"}))
    next_link = next(link for link in first.links if "page=2" in link)

    assert parse_qs(urlsplit(next_link).query) == {"q": ["family"], "page": ["2"]}
    second = page_of(client.get(next_link))
    assert len(second.rows) == 5
    assert "Page 2 of 2 · 30 patients" in second.text


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_a_nonsense_page_number_shows_the_first_page(client, staff, thirty_patients, page):
    response = client.get(f"/patients?page={page}")

    assert response.status_code == 200
    assert "Page 1 of 2" in page_of(response).text


def test_a_page_past_the_last_says_so_and_links_to_the_first(client, staff, thirty_patients):
    shown = page_of(client.get("/patients?page=5"))

    assert "There is no page 5" in shown.text
    assert "No patients yet" not in shown.text
    assert any(link.endswith("/patients") for link in shown.links)


def test_an_mrn_differing_only_in_case_is_a_duplicate(client, staff, create, read):
    create(make_patient, mrn="ab-1001", family_name="Existing", given_name="Person")

    response = client.post("/patients/new", data=form(mrn="AB-1001", family_name="Nowak"))

    assert "already" in page_of(response).errors["mrn"]
    with read() as session:
        assert count(session, Patient) == 1
