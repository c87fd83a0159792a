"""Sessions live on the server: a cookie copied before sign-out, deactivation, a new password or
an administrator's act stops working at once, on the pages and the tablet's autosave alike; a
user sees their signed-in devices and ends any of them; the limits hold across workers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import UserSession, utc_now
from tests.conftest import make_app, session_row, set_session_times, sign_in_as
from tests.factories import PASSWORD, make_exam, make_user

IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"
)
NEW_PASSWORD = "a different long password"


@pytest.fixture
def clinician(create):
    return create(make_user, roles=(Role.CLINICIAN,), email="cara@clinic.example")


@pytest.fixture
def admin(create):
    return create(make_user, roles=(Role.ADMIN,), email="ada@clinic.example")


def signed_in(app: Flask, email: str, agent: str = IPAD) -> FlaskClient:
    """A browser that signed in through the sign-in form."""
    browser = app.test_client()
    answer = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert answer.status_code == 302, answer.text
    return browser


def cookie_of(app: Flask, browser: FlaskClient) -> str:
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def thief(app: Flask, cookie: str) -> FlaskClient:
    """Another browser holding a copy of the cookie."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return other


def can_read_pages(browser: FlaskClient) -> bool:
    answer = browser.get("/patients")
    assert answer.status_code in (200, 302)
    return answer.status_code == 200


def can_autosave(browser: FlaskClient, exam: Any) -> bool:
    answer = browser.put(
        f"/exams/{exam.uuid}/autosave/tender-points/TP01L",
        json={"base_version": 0, "finding": {"examined": True, "painful": False, "rating": 0}},
        headers={"Idempotency-Key": str(id(browser))},
    )
    assert answer.status_code in (200, 401, 412), answer.get_json()
    return answer.status_code != 401


def test_the_cookie_holds_only_a_random_key(app, clinician):
    browser = signed_in(app, clinician.email)

    cookie = cookie_of(app, browser)

    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie)
    assert clinician.email not in cookie
    assert "." not in cookie  # not a signed payload of the session's values
    row = session_row(app, browser)
    assert row is not None
    assert row.user_id == clinician.id


def test_a_cookie_copied_before_sign_out_stops_working(app, create, clinician):
    exam = create(make_exam, clinician=clinician)
    browser = signed_in(app, clinician.email)
    copied = cookie_of(app, browser)
    assert can_read_pages(thief(app, copied))

    assert browser.post("/logout").status_code == 302

    stolen = thief(app, copied)
    assert not can_read_pages(stolen)
    assert not can_autosave(thief(app, copied), exam)
    with app.app_context():
        ended = db.session.scalars(select(UserSession).where(UserSession.ended_at.is_not(None)))
        assert [row.end_reason for row in ended] == ["signed out"]


@pytest.mark.parametrize("act", ["deactivate", "reset password", "end sessions"])
def test_an_administrators_act_ends_the_users_sessions_at_once(app, create, clinician, admin, act):
    exam = create(make_exam, clinician=clinician)
    tablet = signed_in(app, clinician.email)
    copied = cookie_of(app, tablet)
    office = signed_in(app, admin.email)

    path = f"/admin/users/{clinician.uuid}"
    answer = {
        "deactivate": lambda: office.post(path + "/active", data={"active": "0"}),
        "reset password": lambda: office.post(
            path + "/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ),
        "end sessions": lambda: office.post(path + "/sessions/end"),
    }[act]()

    assert answer.status_code == 302
    assert not can_read_pages(tablet)
    assert not can_autosave(thief(app, copied), exam)
    assert can_read_pages(office)  # the administrator's own session goes on


def test_changing_ones_password_ends_the_other_devices_only(app, clinician):
    tablet = signed_in(app, clinician.email)
    desk = signed_in(app, clinician.email, agent="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0")

    answer = desk.post(
        "/account",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert answer.status_code == 302
    assert not can_read_pages(tablet)
    assert can_read_pages(desk)


def test_the_account_page_lists_the_devices_and_ends_any_of_them(app, clinician):
    tablet = signed_in(app, clinician.email)
    desk = signed_in(app, clinician.email, agent="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0")

    page = desk.get("/account").text

    assert "Safari on iPad" in page
    assert "Chrome on Windows <strong>(this device)</strong>" in page
    tablet_row = session_row(app, tablet)
    assert tablet_row is not None
    ended = desk.post(f"/account/sessions/{tablet_row.uuid}/end")
    assert ended.status_code == 302
    assert not can_read_pages(tablet)
    assert can_read_pages(desk)
    assert "Safari on iPad" not in desk.get("/account").text


def test_ending_another_users_session_is_not_found(app, create, clinician):
    other = create(make_user, roles=(Role.CLINICIAN,))
    theirs = signed_in(app, other.email)
    mine = signed_in(app, clinician.email)
    row = session_row(app, theirs)
    assert row is not None

    assert mine.post(f"/account/sessions/{row.uuid}/end").status_code == 404
    assert can_read_pages(theirs)


def test_last_seen_is_written_at_most_once_a_minute(app, clinician):
    browser = signed_in(app, clinician.email)
    recent = utc_now() - timedelta(seconds=30)
    set_session_times(app, browser, last_seen_at=recent)

    assert can_read_pages(browser)
    row = session_row(app, browser)
    assert row is not None
    assert row.last_seen_at == recent  # under a minute: not written again

    older = utc_now() - timedelta(seconds=90)
    set_session_times(app, browser, last_seen_at=older)
    assert can_read_pages(browser)
    row = session_row(app, browser)
    assert row is not None
    assert utc_now() - row.last_seen_at < timedelta(seconds=10)


@pytest.fixture
def other_worker(database_url: str) -> Iterator[Flask]:
    """A second worker: another app on the same database."""
    worker = make_app(database_url)
    yield worker
    with worker.app_context():
        db.engine.dispose()


def test_limits_and_sign_out_hold_across_workers(app, other_worker, clinician):
    """Two workers (two apps on one database): a session made on one works on the other, and
    signing out or going idle on one ends it on both."""
    browser = signed_in(app, clinician.email)
    copied = cookie_of(app, browser)
    assert can_read_pages(thief(other_worker, copied))

    set_session_times(app, browser, last_seen_at=utc_now() - timedelta(minutes=16))
    assert not can_read_pages(thief(other_worker, copied))

    again = signed_in(app, clinician.email)
    key = cookie_of(app, again)
    assert can_read_pages(thief(other_worker, key))
    assert thief(other_worker, key).post("/logout").status_code == 302
    assert not can_read_pages(again)


def test_a_made_up_or_ended_key_is_a_new_anonymous_session(app, clinician):
    stranger = thief(app, "x" * 43)
    assert not can_read_pages(stranger)

    browser = app.test_client()
    sign_in_as(browser, clinician)
    assert can_read_pages(browser)


def test_sign_in_issues_a_new_key(app, clinician):
    browser = app.test_client()
    browser.get("/login")  # the sign-in page's CSRF token makes an anonymous session
    before = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])

    answer = browser.post("/login", data={"email": clinician.email, "password": PASSWORD})

    assert answer.status_code == 302
    after = cookie_of(app, browser)
    assert before is None or before.value != after  # no fixation: the old key is dead
    if before is not None:
        assert not can_read_pages(thief(app, before.value))
