"""Every password check is throttled, together: signing in, signing an exam (page and API) and
re-entering one's password. A caller who keeps failing waits longer and longer (1 s, 2, 4 …);
nothing locks the account, so an attacker elsewhere never keeps the owner out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import Exam, PasswordFailure, utc_now
from clinic.services.api_tokens import create_token
from tests.conftest import make_app
from tests.exam_forms import post_full_exam
from tests.factories import PASSWORD, make_exam, make_user

WAIT = re.compile(r"Try again in (\d+) seconds?\.")
TEST_CLIENT_ADDRESS = "127.0.0.1"


@pytest.fixture
def behind_proxy(app: Flask) -> Iterator[Flask]:
    """A second app on the same database, behind one trusted reverse proxy."""
    proxied = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1)
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


@pytest.fixture
def clinician(create):
    return create(make_user, roles=(Role.CLINICIAN,), email="cara@clinic.example")


def sign_in(browser: FlaskClient, email: str, password: str = PASSWORD, **kw: Any) -> Any:
    return browser.post("/login", data={"email": email, "password": password}, **kw)


def signed_in(answer: Any) -> bool:
    return answer.status_code == 302


def wait_in(text: str) -> int | None:
    found = WAIT.search(text)
    return int(found.group(1)) if found else None


def add_failures(
    app: Flask, email: str, count: int, *, address: str = TEST_CLIENT_ADDRESS, ago: float = 0
) -> None:
    with app.app_context():
        for _ in range(count):
            db.session.add(
                PasswordFailure(
                    at=utc_now() - timedelta(seconds=ago),
                    email=email,
                    client_address=address,
                    kind="sign_in",
                )
            )
        db.session.commit()


def age_failures(app: Flask, seconds: float) -> None:
    """Let time pass for every failure recorded."""
    with app.app_context():
        for failure in db.session.scalars(select(PasswordFailure)):
            failure.at -= timedelta(seconds=seconds)
        db.session.commit()


def failures(app: Flask, **where: Any) -> int:
    with app.app_context():
        statement = select(func.count()).select_from(PasswordFailure)
        for name, value in where.items():
            statement = statement.where(getattr(PasswordFailure, name) == value)
        return int(db.session.scalar(statement) or 0)


# --- signing in --------------------------------------------------------------------------------


def test_after_five_failures_even_the_right_password_waits_and_the_wait_doubles(app, clinician):
    browser = app.test_client()
    for attempt in range(5):
        assert not signed_in(sign_in(browser, clinician.email, f"wrong password {attempt}"))

    refused = sign_in(browser, clinician.email)

    assert not signed_in(refused)
    assert "Too many failed sign-ins from here. Try again in 1 second." in refused.text
    assert failures(app) == 5  # a refused wait is not a failure: the password was not tried
    age_failures(app, 2)
    assert not signed_in(sign_in(browser, clinician.email, "wrong again"))  # the 6th
    assert wait_in(sign_in(browser, clinician.email).text) == 2
    age_failures(app, 3)
    assert signed_in(sign_in(browser, clinician.email))
    assert failures(app, email=clinician.email, client_address=TEST_CLIENT_ADDRESS) == 0


def test_four_failures_still_let_the_right_password_in(app, clinician):
    add_failures(app, clinician.email, 4)
    assert signed_in(sign_in(app.test_client(), clinician.email))


def test_the_wait_grows_to_the_longest_and_no_further(app, clinician):
    add_failures(app, clinician.email, 40)
    assert wait_in(sign_in(app.test_client(), clinician.email).text) is None
    text = sign_in(app.test_client(), clinician.email).text
    assert "Try again in 15 minutes." in text


def test_an_unknown_email_waits_alike(app, clinician):
    add_failures(app, "nobody@clinic.example", 5)
    answer = sign_in(app.test_client(), "Nobody@Clinic.Example", "whatever password")
    assert wait_in(answer.text) == 1


def test_an_attacker_elsewhere_never_keeps_the_owner_out(app, behind_proxy, clinician):
    add_failures(app, clinician.email, 200, address="203.0.113.9")

    assert signed_in(sign_in(app.test_client(), clinician.email))
    # From the attacker's address the account waits; the right password is not even tried.
    attacker = behind_proxy.test_client()
    answer = sign_in(attacker, clinician.email, headers={"X-Forwarded-For": "203.0.113.9"})
    assert "Too many failed sign-ins from here" in answer.text


def test_an_address_trying_many_accounts_waits(app, clinician):
    for number in range(20):
        add_failures(app, f"guess{number}@clinic.example", 1)

    answer = sign_in(app.test_client(), clinician.email)

    assert wait_in(answer.text) == 1


def test_failures_older_than_the_window_do_not_count(app, clinician):
    add_failures(app, clinician.email, 30, ago=16 * 60)
    add_failures(app, clinician.email, 4)
    assert signed_in(sign_in(app.test_client(), clinician.email))


def test_the_client_address_comes_from_the_trusted_proxies_only(app, behind_proxy, clinician):
    direct = app.test_client()
    sign_in(direct, clinician.email, "wrong", headers={"X-Forwarded-For": "198.51.100.7"})
    assert failures(app, client_address=TEST_CLIENT_ADDRESS) == 1  # the header is not trusted

    client = behind_proxy.test_client()
    sign_in(client, clinician.email, "wrong", headers={"X-Forwarded-For": "198.51.100.7"})
    assert failures(app, client_address="198.51.100.7") == 1


# --- signing an exam and re-entering one's password ---------------------------------------------


@pytest.fixture
def ready_exam(app, create, clinician):
    browser = app.test_client()
    assert signed_in(sign_in(browser, clinician.email))
    exam = create(make_exam, clinician=clinician)
    post_full_exam(browser, exam.uuid)
    return browser, exam


def test_signing_an_exam_is_throttled_and_counted_against_the_session(app, ready_exam):
    browser, exam = ready_exam
    for attempt in range(5):
        browser.post(f"/exams/{exam.uuid}/sign", data={"password": f"wrong {attempt}"})
    assert failures(app, kind="sign_exam") == 5

    browser.post(f"/exams/{exam.uuid}/sign", data={"password": PASSWORD})
    page = browser.get(f"/exams/{exam.uuid}").text

    assert "Too many wrong passwords. Try again in 1 second." in page
    with app.app_context():
        assert db.session.get(Exam, exam.id).status.value == "draft"
    age_failures(app, 2)
    assert browser.post(f"/exams/{exam.uuid}/sign", data={"password": PASSWORD}).status_code == 303
    with app.app_context():
        assert db.session.get(Exam, exam.id).status.value == "signed"


def test_someone_failing_from_the_same_address_does_not_hold_up_a_signed_in_owner(
    app, ready_exam, clinician
):
    browser, exam = ready_exam
    add_failures(app, clinician.email, 30)  # sign-in failures from this very address

    browser.post(f"/exams/{exam.uuid}/sign", data={"password": PASSWORD})

    with app.app_context():
        assert db.session.get(Exam, exam.id).status.value == "signed"


def test_the_apis_sign_is_throttled(app, create, clinician, ready_exam):
    _browser, exam = ready_exam
    with app.app_context():
        token, _ = create_token(db.session, db.session.get(type(clinician), clinician.id), "t")
        db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def sign(password: str) -> Any:
        etag = api.get(f"/api/v1/exams/{exam.uuid}", headers=headers).headers["ETag"]
        return api.post(
            f"/api/v1/exams/{exam.uuid}/sign",
            json={"password": password},
            headers={**headers, "If-Match": etag},
        )

    for attempt in range(5):
        assert sign(f"wrong {attempt}").status_code == 422
    refused = sign(PASSWORD)

    assert refused.status_code == 422
    assert wait_in(refused.get_json()["errors"]["password"]) == 1


def test_re_entering_ones_password_is_throttled(app, ready_exam):
    browser, _exam = ready_exam
    new = "a different long passphrase"
    for attempt in range(5):
        browser.post(
            "/account",
            data={"current_password": f"wrong {attempt}", "new_password": new, "confirm": new},
        )

    answer = browser.post(
        "/account", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
    )

    assert answer.status_code == 200
    assert "Too many wrong passwords. Try again in 1 second." in answer.text
    assert failures(app, kind="reauthenticate") == 5
