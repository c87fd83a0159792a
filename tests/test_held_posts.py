"""A form posted after the session expired is held, and signing in again completes the save."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.models import HeldPost, TenderPointFinding, utc_now
from tests.conftest import set_session_times
from tests.factories import PASSWORD, make_exam, make_user

ROW = {
    "sites-0-site_code": "TP01L",
    "sites-0-version": "0",
    "sites-0-examined": "yes",
    "sites-0-painful": "yes",
    "sites-0-rating": "7",
}


def _expire(client) -> None:
    set_session_times(client.application, client, last_seen_at=utc_now() - timedelta(hours=1))


def _post_after_expiry(client, create, login):
    doctor = create(make_user, roles=(Role.CLINICIAN,), email="doc@clinic.example")
    login(doctor)
    exam = create(make_exam, clinician=doctor)
    _expire(client)
    response = client.post(f"/exams/{exam.uuid}/tender-points", data=ROW)
    return doctor, exam, response


def test_an_expired_post_is_held_and_the_user_is_sent_to_sign_in(client, create, login, read):
    _doctor, _exam, response = _post_after_expiry(client, create, login)

    assert response.status_code == 302
    target = parse_qs(urlsplit(response.location).query)["next"][0]
    assert re.fullmatch(r"/held/[\w-]+", target)
    with read() as session:
        assert session.scalars(select(TenderPointFinding)).all() == []
        held = session.scalars(select(HeldPost)).one()
        assert ["sites-0-rating", "7"] in held.fields
        assert all(name != "csrf_token" for name, _value in held.fields)


def test_signing_in_again_as_the_same_user_completes_the_save(client, create, login, read):
    doctor, exam, response = _post_after_expiry(client, create, login)
    target = parse_qs(urlsplit(response.location).query)["next"][0]

    signed_in = client.post(
        f"/login?next={target}", data={"email": doctor.email, "password": PASSWORD}
    )
    assert signed_in.location == target
    page = client.get(target)
    assert "Finish saving" in page.text
    assert 'name="sites-0-rating" value="7"' in page.text
    saved = client.post(f"/exams/{exam.uuid}/tender-points", data=ROW)

    assert saved.status_code == 302
    with read() as session:
        row = session.scalars(select(TenderPointFinding)).one()
        assert (row.site_code, row.painful, row.rating) == ("TP01L", True, 7)
        assert session.scalars(select(HeldPost)).all() == []


def _held_fields(read) -> list[list[str]]:
    with read() as session:
        return session.scalars(select(HeldPost)).one().fields


def test_another_user_signing_in_there_neither_sees_nor_removes_the_held_form(
    client, create, login, read
):
    doctor, exam, response = _post_after_expiry(client, create, login)
    target = parse_qs(urlsplit(response.location).query)["next"][0]
    held_before = _held_fields(read)
    colleague = create(make_user, roles=(Role.CLINICIAN,), email="colleague@clinic.example")

    # The colleague signs in on the same tablet, on the sign-in page the expiry left there.
    signed_in = client.post(
        f"/login?next={target}", data={"email": colleague.email, "password": PASSWORD}
    )
    assert signed_in.location == target
    visit = client.get(target)

    assert visit.status_code == 302
    assert visit.location == "/"
    home = client.get("/patients")
    assert "sent by someone else. It is kept for them" in home.text
    assert "sites-0-rating" not in visit.text + home.text
    assert _held_fields(read) == held_before
    with read() as session:
        assert session.scalars(select(TenderPointFinding)).all() == []

    # Its owner signs in later, on the same address, and the save completes.
    client.post("/logout")
    owner = client.post(f"/login?next={target}", data={"email": doctor.email, "password": PASSWORD})
    assert owner.location == target
    page = client.get(target)
    assert "Finish saving" in page.text
    assert 'name="sites-0-rating" value="7"' in page.text
    saved = client.post(f"/exams/{exam.uuid}/tender-points", data=ROW)

    assert saved.status_code == 302
    with read() as session:
        row = session.scalars(select(TenderPointFinding)).one()
        assert (row.site_code, row.rating) == ("TP01L", 7)
        assert session.scalars(select(HeldPost)).all() == []


def test_a_held_form_is_handed_over_once(client, create, login, read):
    doctor, _exam, response = _post_after_expiry(client, create, login)
    target = parse_qs(urlsplit(response.location).query)["next"][0]
    client.post(f"/login?next={target}", data={"email": doctor.email, "password": PASSWORD})

    assert "Finish saving" in client.get(target).text
    assert client.get(target).status_code == 404


def test_an_unknown_token_is_not_found(client, create, login, read):
    _post_after_expiry(client, create, login)
    login(create(make_user, roles=(Role.CLINICIAN,)))

    assert client.get("/held/no-such-token").status_code == 404
    with read() as session:
        assert len(session.scalars(select(HeldPost)).all()) == 1
