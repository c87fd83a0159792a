"""Every versioned write names the version it was based on, and is checked against it: a save
without one is refused (428), not a way around the check; a base the record never had is a
conflict (412), not a server error; "painful: yes" with a rating of 0 is refused everywhere as
the contradiction it is (positive for ACR 1990, negative for the MTPS)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import Exam, ExamSurvey, TenderPointFinding
from clinic.services.api_tokens import create_token
from tests.exam_forms import page_of, stored_exam, tender_points_post
from tests.factories import make_exam, make_user

CONTRADICTION = "Painful with a rating of 0 is a contradiction"


@pytest.fixture
def doctor(create, login):
    user = create(make_user, roles=(Role.CLINICIAN,))
    login(user)
    return user


@pytest.fixture
def exam(create, doctor):
    return create(make_exam, clinician=doctor)


def save(client: Any, exam: Any, path: str, body: Any, key: str, method: str = "PUT") -> Any:
    return client.open(
        f"/exams/{exam.uuid}/autosave/{path}",
        method=method,
        json=body,
        headers={"Idempotency-Key": key},
    )


FINDING = {"examined": True, "painful": True, "rating": 5}
POINT = {"muscle": "upper_trapezius", "side": "left", "rating": 4}


def test_every_autosave_without_a_base_version_is_refused_and_stores_nothing(client, exam, read):
    added = save(client, exam, "trigger-points", {"finding": POINT}, "add", "POST")
    point = f"trigger-points/{added.get_json()['saved']['id']}"
    with read() as session:
        before = stored_exam(session, exam.uuid)

    answers = {
        "site": save(client, exam, "tender-points/TP01L", {"finding": FINDING}, "a"),
        "point": save(client, exam, point, {"finding": {**POINT, "rating": 9}}, "b"),
        "removal": save(client, exam, point, {}, "c", "DELETE"),
        "survey": save(client, exam, "survey", {"survey": {"fatigue": 2}}, "d"),
        "impression": save(client, exam, "impression", {"impression": {"plan": "Swim."}}, "e"),
    }

    for name, answer in answers.items():
        assert answer.status_code == 428, name
        assert "base_version" in answer.get_json()["title"], name
    with read() as session:
        assert stored_exam(session, exam.uuid) == before


def test_a_base_version_for_a_site_never_recorded_is_a_conflict(client, exam, read):
    answer = save(client, exam, "tender-points/TP02R", {"base_version": 3, "finding": FINDING}, "x")

    assert answer.status_code == 412
    body = answer.get_json()
    assert body["stored"] is None
    assert body["stored_version"] == 0
    with read() as session:
        assert session.scalars(select(TenderPointFinding)).all() == []


def test_the_surveys_first_save_checks_its_base_version(client, exam, read):
    first = {"base_version": 0, "survey": {"pain_duration_months": 12}}
    assert save(client, exam, "survey", first, "s1").status_code == 200

    again = save(client, exam, "survey", {"base_version": 0, "survey": {"fatigue": 3}}, "s2")

    assert again.status_code == 412
    with read() as session:
        survey = session.scalars(select(ExamSurvey)).one()
        assert (survey.pain_duration_months, survey.fatigue, survey.version) == (12, None, 1)


def test_painful_with_rating_0_is_refused_on_the_rating_by_the_tablet(client, exam, read):
    body = {"base_version": 0, "finding": {"examined": True, "painful": True, "rating": 0}}

    answer = save(client, exam, "tender-points/TP01L", body, "zero")

    assert answer.status_code == 422
    assert CONTRADICTION in answer.get_json()["errors"]["rating"]
    with read() as session:
        assert session.scalars(select(TenderPointFinding)).all() == []


def test_painful_with_rating_0_is_refused_beside_its_site_on_the_page(client, exam, read):
    data = tender_points_post({"TP01L": {"examined": "yes", "painful": "yes", "rating": "0"}})

    response = client.post(f"/exams/{exam.uuid}/tender-points", data=data)

    assert response.status_code == 200
    shown = page_of(response)
    (field, message), *_ = shown.errors.items()
    assert field.endswith("-rating")
    assert CONTRADICTION in message
    assert shown.form().value(field) == "0"
    with read() as session:
        assert session.scalars(select(TenderPointFinding)).all() == []


@pytest.mark.parametrize("version", ["", "²", "-1", "1" * 40, "1.0"])
def test_a_page_posted_without_a_version_it_was_shown_is_refused(client, exam, read, version):
    data = tender_points_post({"TP01L": {"examined": "yes", "painful": "yes", "rating": "4"}})
    data["sites-0-version"] = version

    response = client.post(f"/exams/{exam.uuid}/tender-points", data=data)

    assert response.status_code == 200
    assert "sent without the version it was based on" in " ".join(page_of(response).errors.values())
    with read() as session:
        assert session.scalars(select(TenderPointFinding)).all() == []


@pytest.fixture
def api(app, client, doctor):
    with app.app_context():
        text, _ = create_token(db.session, db.session.get(type(doctor), doctor.id), "test")
        db.session.commit()

    def call(method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {text}", **kwargs.pop("headers", {})}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return call


def test_if_match_star_is_not_a_way_around_the_etag(api, exam, read):
    document = api("GET", f"/exams/{exam.uuid}").get_json()
    document["impression"]["plan"] = "Overwritten blind"

    put = api("PUT", f"/exams/{exam.uuid}", json=document, headers={"If-Match": "*"})
    sign = api(
        "POST", f"/exams/{exam.uuid}/sign", json={"password": "x"}, headers={"If-Match": "*"}
    )

    assert put.status_code == 428
    assert sign.status_code == 428
    assert put.content_type == "application/problem+json"
    with read() as session:
        assert session.scalars(select(Exam.plan)).one() == ""


def test_painful_with_rating_0_is_refused_by_the_api_naming_the_site(api, exam):
    current = api("GET", f"/exams/{exam.uuid}")
    document = current.get_json()
    document["tender_points"] = [
        {"site": "TP01L", "examined": True, "painful": True, "rating": 0, "not_examined_reason": ""}
    ]

    answer = api(
        "PUT", f"/exams/{exam.uuid}", json=document, headers={"If-Match": current.headers["ETag"]}
    )

    assert answer.status_code == 422
    assert CONTRADICTION in answer.get_json()["errors"]["tender_points[0].rating"]


def another_writer_can_lock(exam: Any) -> bool:
    """Whether another connection could take the write lock on this exam right now, without
    waiting (SQLite: the database's write lock; PostgreSQL: the exam's row lock)."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA busy_timeout = 0")
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except Exception:  # sqlite3.OperationalError: database is locked
                return False
            finally:
                cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.execute("ROLLBACK")
            return True
        try:
            cursor.execute("SELECT id FROM exams WHERE uuid = %s FOR UPDATE NOWAIT", (exam.uuid,))
        except Exception:  # psycopg.errors.LockNotAvailable
            return False
        finally:
            raw.rollback()
        return True
    finally:
        raw.close()


@pytest.fixture
def probe(monkeypatch, exam):
    """Wrap a reader or validator so that, while it runs, it records whether another save could
    still take the write lock."""
    seen: list[bool] = []

    def wrap(owner: Any, name: str) -> list[bool]:
        original = getattr(owner, name)

        def probing(*args: Any, **kwargs: Any) -> Any:
            seen.append(another_writer_can_lock(exam))
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, probing)
        return seen

    return wrap


def test_the_tablets_save_holds_no_write_lock_while_it_validates(client, exam, probe):
    import clinic.views.autosave as autosave_view

    seen = probe(autosave_view, "validate_tender_point")

    answer = save(client, exam, "tender-points/TP01L", {"base_version": 0, "finding": FINDING}, "k")

    assert answer.status_code == 200
    assert seen == [True]


def test_the_pages_save_holds_no_write_lock_while_it_validates(client, exam, probe):
    from clinic.forms.exam import TenderPointsForm

    seen = probe(TenderPointsForm, "validate")
    data = tender_points_post({"TP01L": {"examined": "yes", "painful": "yes", "rating": "4"}})

    response = client.post(f"/exams/{exam.uuid}/tender-points", data=data)

    assert response.status_code == 302
    assert seen == [True]


def test_the_apis_update_holds_no_write_lock_while_it_reads_the_document(api, exam, probe):
    import clinic.views.api_exams as api_view

    seen = probe(api_view, "read_exam_document")
    current = api("GET", f"/exams/{exam.uuid}")

    answer = api(
        "PUT",
        f"/exams/{exam.uuid}",
        json=current.get_json(),
        headers={"If-Match": current.headers["ETag"]},
    )

    assert answer.status_code == 200, answer.get_json()
    assert seen == [True]
