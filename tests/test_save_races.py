"""Concurrent saves on one base version, from many tablets at once, on the test database
(SQLite by default, PostgreSQL with CLINIC_TEST_DATABASE_URL): exactly one is stored and
acknowledged, every other gets 412 with the stored value, and nothing answers 500.

Each tablet is its own client in its own thread; a barrier releases their requests together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import Exam, ExamSurvey, TenderPointFinding, TriggerPointFinding
from clinic.services.api_tokens import create_token
from tests.conftest import sign_in_as
from tests.factories import make_exam, make_user

TABLETS = 8


@pytest.fixture
def doctor(create):
    return create(make_user, roles=(Role.CLINICIAN,))


@pytest.fixture
def exam(create, doctor):
    return create(make_exam, clinician=doctor)


def tablets(app: Flask, user: Any, count: int = TABLETS) -> list[FlaskClient]:
    clients = []
    for _ in range(count):
        client = app.test_client()
        sign_in_as(client, user)
        clients.append(client)
    return clients


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; their answers in call order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def autosave(client: FlaskClient, exam: Any, path: str, body: Any, key: str, method: str = "PUT"):
    def call() -> Any:
        return client.open(
            f"/exams/{exam.uuid}/autosave/{path}",
            method=method,
            json=body,
            headers={"Idempotency-Key": key},
        )

    return call


def painful(rating: int) -> dict[str, Any]:
    return {"examined": True, "painful": True, "rating": rating}


def statuses(answers: list[Any]) -> list[int]:
    return sorted(answer.status_code for answer in answers)


def only_winner(answers: list[Any], status: int = 200) -> tuple[int, Any]:
    codes = statuses(answers)
    assert codes == [status] + [412] * (len(answers) - 1), [a.get_json() for a in answers]
    return next((i, a) for i, a in enumerate(answers) if a.status_code == status)


def test_concurrent_saves_of_one_site_on_one_base_store_one_and_refuse_the_rest(
    app, exam, doctor, read
):
    first = tablets(app, doctor, 1)[0]
    recorded = autosave(
        first,
        exam,
        "tender-points/TP01L",
        {"base_version": 0, "finding": painful(1)},
        "first",
    )()
    assert recorded.status_code == 200
    clients = tablets(app, doctor)

    answers = at_once(
        [
            autosave(
                client,
                exam,
                "tender-points/TP01L",
                {"base_version": 1, "finding": painful(n + 2)},
                f"race-{n}",
            )
            for n, client in enumerate(clients)
        ]
    )

    winner, answer = only_winner(answers)
    assert answer.get_json()["saved"]["rating"] == winner + 2
    assert answer.get_json()["saved"]["version"] == 2
    for refused in (a for a in answers if a.status_code == 412):
        body = refused.get_json()
        assert body["stored_version"] == 2
        assert body["stored"]["rating"] == winner + 2
    with read() as session:
        row = session.scalars(select(TenderPointFinding)).one()
        assert (row.rating, row.version) == (winner + 2, 2)


def test_concurrent_first_saves_of_one_site_give_one_row_and_412s(app, exam, doctor, read):
    clients = tablets(app, doctor)

    answers = at_once(
        [
            autosave(
                client,
                exam,
                "tender-points/TP05R",
                {"base_version": 0, "finding": painful(n + 1)},
                f"first-{n}",
            )
            for n, client in enumerate(clients)
        ]
    )

    winner, answer = only_winner(answers)
    assert answer.get_json()["saved"]["rating"] == winner + 1
    with read() as session:
        rows = session.scalars(select(TenderPointFinding)).all()
        assert [(r.site_code, r.rating, r.version) for r in rows] == [("TP05R", winner + 1, 1)]


def test_concurrent_first_saves_of_the_survey_give_one_survey(app, exam, doctor, read):
    clients = tablets(app, doctor)

    answers = at_once(
        [
            autosave(
                client,
                exam,
                "survey",
                {"base_version": 0, "survey": {"pain_duration_months": n + 3}},
                f"survey-{n}",
            )
            for n, client in enumerate(clients)
        ]
    )

    winner, _ = only_winner(answers)
    with read() as session:
        survey = session.scalars(select(ExamSurvey)).one()
        assert (survey.pain_duration_months, survey.version) == (winner + 3, 1)


def test_concurrent_changes_of_one_trigger_point_keep_the_acknowledged_one(app, exam, doctor, read):
    first = tablets(app, doctor, 1)[0]
    finding = {"muscle": "upper_trapezius", "side": "left", "rating": 1}
    added = autosave(first, exam, "trigger-points", {"finding": finding}, "add", "POST")()
    assert added.status_code == 201
    finding_id = added.get_json()["saved"]["id"]
    clients = tablets(app, doctor)

    answers = at_once(
        [
            autosave(
                client,
                exam,
                f"trigger-points/{finding_id}",
                {"base_version": 1, "finding": {**finding, "rating": n + 2}},
                f"tp-{n}",
            )
            for n, client in enumerate(clients)
        ]
    )

    winner, _ = only_winner(answers)
    with read() as session:
        row = session.scalars(select(TriggerPointFinding)).one()
        assert (row.rating, row.version) == (winner + 2, 2)


def test_concurrent_api_updates_on_one_etag_store_one(app, exam, doctor, read):
    with app.app_context():
        text, _ = create_token(db.session, db.session.get(type(doctor), doctor.id), "race")
        db.session.commit()
    headers = {"Authorization": f"Bearer {text}"}
    client = app.test_client()
    current = client.get(f"/api/v1/exams/{exam.uuid}", headers=headers)
    document, etag = current.get_json(), current.headers["ETag"]

    def put(n: int) -> Callable[[], Any]:
        changed = {**document, "impression": {**document["impression"], "plan": f"Tablet {n}"}}
        caller = app.test_client()
        return lambda: caller.put(
            f"/api/v1/exams/{exam.uuid}", json=changed, headers={**headers, "If-Match": etag}
        )

    answers = at_once([put(n) for n in range(TABLETS)])

    winner, answer = only_winner(answers)
    assert answer.get_json()["impression"]["plan"] == f"Tablet {winner}"
    with read() as session:
        assert session.scalars(select(Exam.plan)).one() == f"Tablet {winner}"
