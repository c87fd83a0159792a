"""The autosave API the tablet uses: versioned, idempotent, refusing bad input in JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.models import Exam, SaveReceipt, TenderPointFinding, TriggerPointFinding, utc_now
from tests.conftest import session_row, set_session_times
from tests.exam_forms import post_full_exam, stored_exam
from tests.factories import PASSWORD, make_exam, make_user

PAINFUL = {"examined": True, "painful": True, "rating": 6}


@pytest.fixture
def doctor(create, login):
    user = create(make_user, roles=(Role.CLINICIAN,))
    login(user)
    return user


@pytest.fixture
def exam(create, doctor):
    return create(make_exam, clinician=doctor)


def save(
    client: FlaskClient, exam: Any, path: str, body: Any, key: str = "k1", method: str = "PUT"
) -> Any:
    return client.open(
        f"/exams/{exam.uuid}/autosave/{path}",
        method=method,
        json=body,
        headers={"Idempotency-Key": key} if key else {},
    )


def site_rows(read: Callable[..., Any], exam: Any) -> list[tuple[str, int, int | None]]:
    with read() as session:
        rows = session.scalars(
            select(TenderPointFinding).join(Exam).where(Exam.uuid == exam.uuid)
        ).all()
        return [(row.site_code, row.version, row.rating) for row in rows]


def test_a_saved_site_answers_its_version_and_the_running_scores(client, exam, read):
    response = save(client, exam, "tender-points/TP01L", {"base_version": 0, "finding": PAINFUL})

    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"]["site"] == "TP01L"
    assert body["saved"]["version"] == 1
    assert body["scores"]["tender_point_count_text"].startswith("incomplete: 1 of 18")
    assert "incomplete" in body["scores"]["fis_text"]
    assert site_rows(read, exam) == [("TP01L", 1, 6)]


def test_a_retried_save_is_answered_again_and_applied_once(client, exam, read):
    first = save(client, exam, "tender-points/TP01L", {"base_version": 0, "finding": PAINFUL})
    changed = {**PAINFUL, "rating": 8}
    second = save(
        client, exam, "tender-points/TP01L", {"base_version": 1, "finding": changed}, "k2"
    )
    replay = save(client, exam, "tender-points/TP01L", {"base_version": 0, "finding": PAINFUL})

    assert replay.status_code == first.status_code == 200
    assert replay.get_json() == first.get_json()
    assert second.get_json()["saved"]["version"] == 2
    assert site_rows(read, exam) == [("TP01L", 2, 8)]  # the replay did not undo the change
    with read() as session:
        assert len(session.scalars(select(SaveReceipt)).all()) == 2


def test_a_save_based_on_an_old_version_is_refused_with_the_stored_value(client, exam, read):
    save(client, exam, "tender-points/TP01L", {"base_version": 0, "finding": PAINFUL})
    save(
        client,
        exam,
        "tender-points/TP01L",
        {"base_version": 1, "finding": {**PAINFUL, "rating": 9}},
        "k2",
    )

    stale = save(
        client,
        exam,
        "tender-points/TP01L",
        {"base_version": 1, "finding": {**PAINFUL, "rating": 3}},
        "k3",
    )

    assert stale.status_code == 412
    body = stale.get_json()
    assert body["stored_version"] == 2
    assert body["stored"]["rating"] == 9
    assert site_rows(read, exam) == [("TP01L", 2, 9)]


def test_edits_to_different_sites_never_conflict(client, exam, read):
    save(client, exam, "tender-points/TP01L", {"base_version": 0, "finding": PAINFUL}, "a")
    other = save(client, exam, "tender-points/TP01R", {"base_version": 0, "finding": PAINFUL}, "b")

    assert other.status_code == 200
    assert sorted(site_rows(read, exam)) == [("TP01L", 1, 6), ("TP01R", 1, 6)]


@pytest.mark.parametrize(
    ("path", "finding", "field"),
    [
        ("tender-points/TP01L", {**PAINFUL, "rating": 11}, "rating"),
        ("tender-points/TP99X", PAINFUL, "site"),
        ("tender-points/TP01L", {"examined": False, "painful": True}, "examined"),
        ("tender-points/TP01L", {**PAINFUL, "colour": "red"}, "colour"),
    ],
)
def test_bad_values_are_refused_field_by_field_and_nothing_is_stored(
    client, exam, read, path, finding, field
):
    response = save(client, exam, path, {"base_version": 0, "finding": finding})

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert site_rows(read, exam) == []


@pytest.mark.parametrize("body", [None, [], "text", {"finding": "no"}, {"base_version": "one"}])
def test_a_malformed_body_is_refused(client, exam, read, body):
    response = save(client, exam, "tender-points/TP01L", body)

    assert response.status_code in (400, 422)
    assert response.get_json()["title"]
    assert site_rows(read, exam) == []


def test_a_save_without_an_idempotency_key_is_refused(client, exam, read):
    response = save(client, exam, "tender-points/TP01L", {"finding": PAINFUL}, key="")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["title"]


def test_a_save_for_an_unknown_exam_is_not_found(client, doctor, read):
    class Missing:
        uuid = "00000000-0000-4000-8000-000000000000"

    response = save(client, Missing, "tender-points/TP01L", {"base_version": 0, "finding": PAINFUL})

    assert response.status_code == 404


def test_a_save_for_a_signed_exam_is_refused_and_changes_nothing(client, exam, read):
    post_full_exam(client, exam.uuid)
    assert client.post(f"/exams/{exam.uuid}/sign", data={"password": PASSWORD}).status_code == 303
    with read() as session:
        before = stored_exam(session, exam.uuid)

    response = save(
        client, exam, "tender-points/TP01L", {"base_version": 1, "finding": PAINFUL}, "late"
    )

    assert response.status_code == 409
    assert "signed" in response.get_json()["title"]
    with read() as session:
        assert stored_exam(session, exam.uuid) == before
        assert session.scalars(select(Exam)).one().status is ExamStatus.SIGNED


def test_a_key_reused_for_another_exam_is_refused(client, create, doctor, exam):
    other = create(make_exam, clinician=doctor)
    first = {"base_version": 0, "finding": PAINFUL}
    assert save(client, exam, "tender-points/TP01L", first, "same").status_code == 200

    response = save(client, other, "tender-points/TP01L", first, "same")

    assert response.status_code == 409


def test_trigger_points_are_added_changed_and_removed(client, exam, read):
    finding = {
        "muscle": "upper_trapezius",
        "side": "left",
        "taut_band": "present",
        "hypersensitive_spot": True,
        "referred_pain": True,
        "referral_zones": ["temple_left"],
    }
    added = save(client, exam, "trigger-points", {"finding": finding}, "add", method="POST")
    added_again = save(client, exam, "trigger-points", {"finding": finding}, "add", method="POST")
    finding_id = added.get_json()["saved"]["id"]

    changed = save(
        client,
        exam,
        f"trigger-points/{finding_id}",
        {"base_version": 1, "finding": {**finding, "rating": 7}},
        "change",
    )
    stale = save(
        client,
        exam,
        f"trigger-points/{finding_id}",
        {"base_version": 1, "finding": {**finding, "rating": 2}},
        "stale",
    )

    assert added.status_code == 201
    assert added_again.get_json() == added.get_json()
    assert "1 unclassified of 1 palpated" in added.get_json()["scores"]["trigger_points_text"]
    assert changed.get_json()["saved"]["rating"] == 7
    assert stale.status_code == 412
    assert stale.get_json()["stored"]["rating"] == 7
    with read() as session:
        rows = session.scalars(select(TriggerPointFinding)).all()
        assert [(row.muscle_code, row.rating, row.version) for row in rows] == [
            ("upper_trapezius", 7, 2)
        ]

    removed = save(
        client, exam, f"trigger-points/{finding_id}", {"base_version": 2}, "remove", method="DELETE"
    )
    assert removed.status_code == 200
    with read() as session:
        assert session.scalars(select(TriggerPointFinding)).all() == []


def test_an_unknown_trigger_point_or_zone_is_refused(client, exam):
    missing = save(
        client,
        exam,
        "trigger-points/not-an-id",
        {"base_version": 1, "finding": {"muscle": "upper_trapezius", "side": "left"}},
    )
    bad_zone = save(
        client,
        exam,
        "trigger-points",
        {
            "finding": {
                "muscle": "upper_trapezius",
                "side": "left",
                "referred_pain": True,
                "referral_zones": ["moon_left"],
            }
        },
        "z",
        method="POST",
    )

    assert missing.status_code == 404
    assert bad_zone.status_code == 422
    assert "referral_zones" in bad_zone.get_json()["errors"]


def test_survey_and_impression_save_with_their_versions(client, exam, read):
    survey = save(
        client,
        exam,
        "survey",
        {"base_version": 0, "survey": {"pain_duration_months": 24, "fatigue": 2}},
        "s",
    )
    bad = save(client, exam, "survey", {"base_version": 1, "survey": {"fatigue": 4}}, "s2")
    impression = save(
        client,
        exam,
        "impression",
        {"base_version": 1, "impression": {"fibromyalgia": "yes", "plan": "Walk daily."}},
        "i",
    )
    stale = save(
        client, exam, "impression", {"base_version": 1, "impression": {"plan": "Swim."}}, "i2"
    )

    assert survey.status_code == 200
    assert survey.get_json()["saved"]["version"] == 1
    assert bad.status_code == 422
    assert "fatigue" in bad.get_json()["errors"]
    assert impression.status_code == 200
    assert impression.get_json()["saved"]["version"] == 2
    assert stale.status_code == 412
    with read() as session:
        stored = session.scalars(select(Exam)).one()
        assert stored.plan == "Walk daily."
        assert stored.survey.fatigue == 2


def test_staff_cannot_autosave(client, create, login, exam):
    login(create(make_user, roles=(Role.STAFF,)))

    assert save(client, exam, "tender-points/TP01L", {"finding": PAINFUL}).status_code == 403


def test_a_signed_out_autosave_gets_401_in_json_not_a_login_page(app, exam):
    fresh = app.test_client()

    response = save(fresh, exam, "tender-points/TP01L", {"finding": PAINFUL})

    assert response.status_code == 401
    assert response.get_json()["title"] == "Signed out"


def test_autosaves_do_not_keep_an_idle_session_alive(client, exam):
    long_ago = utc_now() - timedelta(minutes=5)
    set_session_times(client.application, client, last_seen_at=long_ago)

    save(client, exam, "tender-points/TP01L", {"base_version": 0, "finding": PAINFUL})

    row = session_row(client.application, client)
    assert row is not None
    assert row.last_seen_at == long_ago


def post_form(client: FlaskClient, exam: Any, page: str, data: dict[str, Any], key: str) -> Any:
    """The capture page's own form, posted by its autosave."""
    return client.post(
        f"/exams/{exam.uuid}/autosave/{page}-form", data=data, headers={"Idempotency-Key": key}
    )


def test_the_survey_page_saves_its_form_as_a_draft_once_per_key(client, exam, read):
    form = {"version": "0", "pain_duration_months": "30", "fatigue": "2", "headaches": "yes"}

    first = post_form(client, exam, "survey", form, "a")
    again = post_form(client, exam, "survey", form, "a")
    changed = post_form(client, exam, "survey", {**form, "version": "1", "fatigue": "3"}, "b")

    assert first.status_code == 200
    assert first.get_json()["saved"] == {"version": 1}
    assert again.get_json() == first.get_json()
    assert changed.get_json()["saved"] == {"version": 2}
    with read() as session:
        survey = session.scalars(select(Exam)).one().survey
        assert (survey.pain_duration_months, survey.fatigue, survey.headaches) == (30, 3, True)


def test_a_page_form_with_bad_values_names_each_field_and_stores_nothing(client, exam, read):
    bad = post_form(
        client, exam, "survey", {"version": "0", "pain_duration_months": "two", "fatigue": "7"}, "x"
    )

    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"pain_duration_months", "fatigue"}
    with read() as session:
        assert session.scalars(select(Exam)).one().survey is None


def test_a_page_form_based_on_an_old_version_is_refused(client, exam, read):
    saved = post_form(client, exam, "impression", {"version": "1", "plan": "Walk daily."}, "p1")
    stale = post_form(client, exam, "impression", {"version": "1", "plan": "Swim."}, "p2")

    assert saved.status_code == 200
    assert stale.status_code == 412
    assert stale.get_json()["stored_version"] == 2
    with read() as session:
        assert session.scalars(select(Exam)).one().plan == "Walk daily."


def test_a_page_form_for_a_signed_exam_is_refused(client, exam, read):
    post_full_exam(client, exam.uuid)
    assert client.post(f"/exams/{exam.uuid}/sign", data={"password": PASSWORD}).status_code == 303
    with read() as session:
        before = stored_exam(session, exam.uuid)

    refused = post_form(client, exam, "impression", {"version": "9", "plan": "Swim."}, "late")

    assert refused.status_code == 409
    with read() as session:
        assert stored_exam(session, exam.uuid) == before


def test_a_trigger_point_of_another_patients_exam_is_not_found_and_not_changed(
    client, create, doctor, exam, read
):
    other = create(make_exam, clinician=doctor)
    finding = {"muscle": "upper_trapezius", "side": "left", "rating": 3}
    added = save(client, other, "trigger-points", {"finding": finding}, "theirs", method="POST")
    their_id = added.get_json()["saved"]["id"]

    changed = save(
        client,
        exam,
        f"trigger-points/{their_id}",
        {"base_version": 1, "finding": {**finding, "rating": 9}},
        "mine",
    )
    removed = save(
        client, exam, f"trigger-points/{their_id}", {"base_version": 1}, "gone", method="DELETE"
    )

    assert changed.status_code == removed.status_code == 404
    with read() as session:
        rows = session.scalars(select(TriggerPointFinding)).all()
        assert [(row.rating, row.version) for row in rows] == [(3, 1)]
