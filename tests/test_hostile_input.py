"""Hostile input through the pages, the pages' autosave and the API: never a server error; each
value is refused with a 4xx naming its field, or stored exactly as typed.

The corpus: lone surrogates, NUL, RTL marks, markup, spreadsheet formula prefixes, 20,000-character
notes, every script, control characters; and bodies that are too large, too deep, too crowded,
not UTF-8, of the wrong content type; crafted API cursors and sign-in `next` targets."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import Patient, TriggerPointFinding
from clinic.services.api_tokens import create_token
from tests.factories import PASSWORD, make_exam, make_user
from tests.hostile import (
    FORM,
    REFUSED,
    STORED_AS_TYPED,
    api,
    assert_field_refused,
    autosave,
    exam_row,
    form_body,
    multipart,
)


@pytest.fixture
def doctor(create, login):
    user = create(make_user, roles=(Role.CLINICIAN, Role.STAFF))
    login(user)
    return user


@pytest.fixture
def exam(create, doctor):
    return create(make_exam, clinician=doctor)


@pytest.fixture
def token(app, doctor) -> str:
    with app.app_context():
        text, _ = create_token(db.session, db.session.merge(doctor), "hostile tests")
        db.session.commit()
    return text


# --- the corpus through each way in -------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [*STORED_AS_TYPED.values(), *REFUSED.values()], ids=[*STORED_AS_TYPED, *REFUSED]
)
def test_the_assessment_page_stores_a_text_as_typed_or_names_the_field(client, exam, read, value):
    body = form_body(assessment=value, plan="", version=str(exam_row(read, exam).version))

    response = client.post(
        f"/exams/{exam.uuid}/impression",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )

    stored = exam_row(read, exam).assessment
    if value in STORED_AS_TYPED.values():
        assert response.status_code == 302
        assert stored == value
    else:
        assert response.status_code in (200, 400)
        page = response.get_data(as_text=True)
        assert "assessment" in page.lower()
        assert "cannot be" in page or "longer than" in page
        assert stored in ("", None)


@pytest.mark.parametrize(
    "value", [*STORED_AS_TYPED.values(), *REFUSED.values()], ids=[*STORED_AS_TYPED, *REFUSED]
)
def test_the_assessment_autosave_stores_a_text_as_typed_or_names_the_field(
    client, exam, read, value
):
    version = str(exam_row(read, exam).version)

    body, content_type = multipart(assessment=value, plan="", version=version)

    response = autosave(
        client, exam, "impression-form", "k", method="POST", data=body, content_type=content_type
    )

    stored = exam_row(read, exam).assessment
    if value in STORED_AS_TYPED.values():
        assert response.status_code == 200
        assert stored == value
    else:
        assert_field_refused(response, "assessment")
        assert stored in ("", None)


@pytest.mark.parametrize(
    "value", [*STORED_AS_TYPED.values(), *REFUSED.values()], ids=[*STORED_AS_TYPED, *REFUSED]
)
def test_the_api_stores_a_name_as_typed_or_names_the_field(client, token, read, value):
    name = value[:100] if value not in REFUSED.values() else value
    patient = {
        "mrn": "H-1",
        "family_name": name,
        "given_name": "Ana",
        "date_of_birth": "1970-01-01",
        "sex": "female",
    }

    response = api(client, token, "POST", "/patients", json=patient)

    with read() as session:
        names = session.scalars(select(Patient.family_name)).all()
    if value in STORED_AS_TYPED.values():
        assert response.status_code == 201, response.get_json()
        assert names == [name]
    else:
        assert_field_refused(response, "family_name")
        assert names == []


def test_an_api_document_with_a_lone_surrogate_names_its_field(client, token, exam, read):
    found = api(client, token, "GET", f"/exams/{exam.uuid}")
    document = found.get_json()
    document["trigger_points"] = [{"muscle": "upper_trapezius", "side": "left", "notes": "\ud800"}]

    response = api(
        client,
        token,
        "PUT",
        f"/exams/{exam.uuid}",
        json=document,
        headers={"If-Match": found.headers["ETag"]},
    )

    assert_field_refused(response, "trigger_points[0].notes")
    with read() as session:
        assert session.scalars(select(TriggerPointFinding)).all() == []


# --- bodies: size, type, encoding, depth, crowding ----------------------------------------------


def test_a_body_over_the_limit_is_refused_in_each_callers_format(app, client, token, exam):
    too_big = b'{"a": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'

    by_api = api(client, token, "POST", "/patients", data=too_big, content_type="application/json")
    by_tablet = autosave(
        client, exam, "tender-points/TP01L", "k", data=too_big, content_type="application/json"
    )
    by_page = client.post(
        "/patients/new", data=b"mrn=" + too_big, content_type="application/x-www-form-urlencoded"
    )

    for answer in (by_api, by_tablet):
        assert answer.status_code == 413
        assert answer.content_type == "application/problem+json"
        assert "at most 1 MB" in answer.get_json()["title"]
    assert by_page.status_code == 413
    assert by_page.content_type.startswith("text/html")
    assert "at most 1 MB" in by_page.get_data(as_text=True)


def test_a_multipart_field_over_its_limit_and_too_many_fields_are_refused(app, client, exam):
    field = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    many = "&".join(f"f{n}=1" for n in range(app.config["MAX_FORM_PARTS"] + 1)).encode()

    large = autosave(
        client,
        exam,
        "impression-form",
        "k",
        method="POST",
        data={"assessment": field},
        content_type="multipart/form-data",
    )
    crowded = client.post(
        f"/exams/{exam.uuid}/impression",
        data=many,
        content_type="application/x-www-form-urlencoded",
    )

    assert large.status_code == 413
    assert large.content_type == "application/problem+json"
    assert crowded.status_code == 413
    assert "more than 2,000 fields" in crowded.get_data(as_text=True)


def test_a_form_with_more_rows_than_a_page_shows_is_refused(client, exam):
    rows = form_body(**{f"points-{n}-notes": "x" for n in range(202)})

    response = client.post(
        f"/exams/{exam.uuid}/trigger-points",
        data=rows,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert "points has more than 201 rows" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", b"mrn=A1"),
        ("multipart/form-data", {"mrn": "A1"}),
        ("text/plain", b'{"mrn": "A1"}'),
    ],
)
def test_the_api_refuses_a_body_that_is_not_json_with_415(client, token, content_type, data):
    answer = api(client, token, "POST", "/patients", data=data, content_type=content_type)

    assert answer.status_code == 415
    assert answer.content_type == "application/problem+json"
    assert "Content-Type: application/json" in answer.get_json()["title"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (b'{"mrn": "\xff"}', "body", "is not valid UTF-8 text (byte 10)"),
        (b'{"mrn": "\xed\xa0\x80"}', "body", "is not valid UTF-8 text (byte 10)"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "is nested more than 16 levels deep"),
        (
            json.dumps({"a": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}).encode(),
            "a" + "[0]" * 15,
            "is nested more than 16 levels deep",
        ),
        (b'{"mrn": NaN}', "body", "is not valid JSON: NaN is not a JSON number"),
        (b'{"mrn": 1' + b"0" * 5000 + b"}", "body", "is not valid JSON"),
        (b'{"mrn": "A1"', "body", "is not valid JSON: Expecting ',' delimiter (line 1 column 13)"),
        (json.dumps([0] * 20_001).encode(), "body", "holds more than 20,000 values"),
        (
            json.dumps({f"k{n}": n for n in range(50_000)}).encode(),
            "body",
            "has 50,000 keys, more than the 256 allowed (the first: 'k0', 'k1', 'k2')",
        ),
        (
            b'{"mrn": "a\\u0000b"}',
            "mrn",
            "contains a NUL character (U+0000), which cannot be stored",
        ),
        (
            b'{"\\udfff": 1}',
            "\\udfff",
            "its key a lone surrogate (U+DFFF), which is not a character",
        ),
    ],
)
def test_a_json_body_that_cannot_be_read_is_refused_naming_where(
    client, token, data, field, message
):
    answer = api(client, token, "POST", "/patients", data=data, content_type="application/json")

    assert answer.status_code == 400
    assert answer.get_json()["errors"][field].startswith(message)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("q=%00", "q", "contains a NUL character"),
        ("q=%ED%A0%80", "q", "is not valid UTF-8 text"),
        ("q=%ff", "q", "is not valid UTF-8 text"),
    ],
)
def test_a_query_string_that_cannot_be_stored_is_refused(client, token, query, field, message):
    page = client.get("/patients", query_string=query)
    by_api = api(client, token, "GET", "/patients", query_string=query)

    assert page.status_code == 400
    assert field in page.get_data(as_text=True)
    assert message in page.get_data(as_text=True)
    assert by_api.status_code == 400
    assert by_api.get_json()["errors"][field].startswith(message)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"mrn=A%00B&family_name=F&given_name=G&date_of_birth=1970-01-01&sex=female", "mrn"),
        (
            b"mrn=A1&family_name=%ED%A0%80&given_name=G&date_of_birth=1970-01-01&sex=female",
            "family_name",
        ),
        (b"mrn=A1&family_name=\xff&given_name=G&date_of_birth=1970-01-01&sex=female", "form"),
    ],
)
def test_a_page_form_that_cannot_be_stored_is_refused_naming_the_field(
    client, doctor, read, body, field
):
    response = client.post(
        "/patients/new", data=body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert f"{field} " in response.get_data(as_text=True)
    with read() as session:
        assert session.scalars(select(Patient)).all() == []


def test_a_trigger_point_row_without_a_side_is_refused_on_the_page(client, exam, read):
    row = form_body(**{"points-0-muscle_code": "upper_trapezius", "points-0-notes": "x"})

    response = client.post(f"/exams/{exam.uuid}/trigger-points", data=row, content_type=FORM)

    assert response.status_code == 200
    assert "Choose left or right." in response.get_data(as_text=True)
    with read() as session:
        assert session.scalars(select(TriggerPointFinding)).all() == []


# --- API cursors and error formats --------------------------------------------------------------


def _cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/exams", _cursor(["x", 1])),
        ("/exams", _cursor(["patient", 1])),
        ("/exams", _cursor(["2026-11-02", 2**70])),
        ("/exams", _cursor(["2026-11-02", True])),
        ("/patients", _cursor(["patient", "x"])),
        ("/patients", _cursor(["2026-11-02", 1])),
        ("/patients", base64.urlsafe_b64encode(b"[" * 150).decode()),
        ("/patients", "Zm9v" * 100),
        ("/patients", "é"),
    ],
)
def test_a_crafted_cursor_is_refused_with_a_field_message(client, token, path, cursor):
    response = api(client, token, "GET", path, query_string={"cursor": cursor})

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "cursor" in response.get_json()["errors"]


def test_api_errors_outside_any_route_are_problems(client, token):
    missing = api(client, token, "GET", "/nothing-here")
    wrong_method = api(client, token, "DELETE", "/patients")

    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"
    assert wrong_method.status_code == 405
    assert wrong_method.content_type == "application/problem+json"
    assert "GET" in wrong_method.headers["Allow"]


# --- where sign-in goes next --------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/patients%0aSet-Cookie:x=1", "/patients%0d", "/patients%00", "//evil.example", "/\\evil"],
)
def test_a_next_target_with_control_characters_or_another_host_goes_home(app, create, target):
    user = create(make_user, roles=(Role.CLINICIAN,))
    client = app.test_client()

    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )

    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.headers["Location"] == "/"


def test_a_plain_next_target_is_followed(app, create):
    user = create(make_user, roles=(Role.CLINICIAN,))
    client = app.test_client()

    response = client.post(
        "/login?next=/patients", data={"email": user.email, "password": PASSWORD}
    )

    assert response.headers["Location"] == "/patients"
