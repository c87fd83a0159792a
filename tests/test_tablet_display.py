"""What the tablet shows is what is stored: WPI ticks answer the WPI question, a rating without a
"painful" answer reads as not asked, a tap keeps an algometer reading, and every save answers the
whole Scores card."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.domain.scales import PressureUnit
from clinic.domain.wpi import PAIN_AREAS, wpi_answers
from clinic.models import Exam, TenderPointFinding
from tests.exam_forms import FULL_SURVEY, page_of, survey_post
from tests.factories import make_exam, make_user

TICKED = [
    "neck",
    "upper_back",
    "lower_back",
    "hip_left",
    "hip_right",
    "jaw_left",
    "chest",
    "abdomen",
]


@pytest.fixture
def doctor(create: Callable[..., Any], login: Callable[..., None]) -> Any:
    user = create(make_user, roles=(Role.CLINICIAN,))
    login(user)
    return user


@pytest.fixture
def exam(create: Callable[..., Any], doctor: Any) -> Any:
    return create(make_exam, clinician=doctor)


def stored_areas(read: Callable[..., Any], exam: Any) -> dict[str, bool] | None:
    with read() as session:
        stored = session.scalars(select(Exam).where(Exam.uuid == exam.uuid)).one()
        if stored.survey is None:
            return None
        return {answer.area_code: answer.painful for answer in stored.survey.pain_areas}


def save_site(client: FlaskClient, exam: Any, code: str, finding: dict[str, Any], key: str) -> Any:
    return client.put(
        f"/exams/{exam.uuid}/autosave/tender-points/{code}",
        json={"base_version": 0, "finding": finding},
        headers={"Idempotency-Key": key},
    )


# --- WPI: a ticked area answers the question ------------------------------------------------


def test_ticking_areas_answers_the_wpi_question() -> None:
    answers = wpi_answers(False, ["neck", "chest"])

    assert len(answers) == len(PAIN_AREAS)  # asked: every area answered
    assert {code for code, painful in answers.items() if painful} == {"neck", "chest"}


def test_nothing_asked_and_nothing_ticked_is_no_answer() -> None:
    assert wpi_answers(False, []) == {}
    assert set(wpi_answers(True, []).values()) == {False}


def test_a_survey_posted_with_ticks_and_wpi_not_asked_keeps_the_ticks(
    client: FlaskClient, exam: Any, read: Callable[..., Any]
) -> None:
    answers = {**FULL_SURVEY, "wpi_asked": "", "pain_areas": TICKED}
    response = client.post(f"/exams/{exam.uuid}/survey", data=survey_post(answers))

    assert response.status_code == 302
    areas = stored_areas(read, exam)
    assert areas is not None
    assert len(areas) == len(PAIN_AREAS)
    assert sorted(code for code, painful in areas.items() if painful) == sorted(TICKED)
    shown = page_of(client.get(f"/exams/{exam.uuid}")).text
    assert "WPI 8 of 19" in shown
    form = page_of(client.get(f"/exams/{exam.uuid}/survey")).form()
    assert form.value("wpi_asked") == "yes"
    assert sorted(form.values("pain_areas")) == sorted(TICKED)


def test_the_survey_autosave_keeps_ticks_made_without_answering_the_question(
    client: FlaskClient, exam: Any, read: Callable[..., Any]
) -> None:
    answers = {"wpi_asked": "", "pain_areas": TICKED}
    response = client.post(
        f"/exams/{exam.uuid}/autosave/survey-form",
        data=survey_post(answers),
        headers={"Idempotency-Key": "wpi-1"},
    )

    assert response.status_code == 200, response.get_json()
    areas = stored_areas(read, exam)
    assert areas is not None
    assert sorted(code for code, painful in areas.items() if painful) == sorted(TICKED)


def test_a_refused_survey_page_shows_the_ticks_as_asked(client: FlaskClient, exam: Any) -> None:
    answers = {"wpi_asked": "", "pain_areas": ["neck"], "pain_duration_months": "two"}
    page = page_of(client.post(f"/exams/{exam.uuid}/survey", data=survey_post(answers)))

    assert page.form().value("wpi_asked") == "yes"
    assert page.form().values("pain_areas") == ["neck"]


def test_a_survey_with_nothing_ticked_and_wpi_not_asked_stays_not_asked(
    client: FlaskClient, exam: Any, read: Callable[..., Any]
) -> None:
    answers = {"wpi_asked": "", "pain_areas": [], "fatigue": "2"}
    response = client.post(f"/exams/{exam.uuid}/survey", data=survey_post(answers))

    assert response.status_code == 302
    assert stored_areas(read, exam) == {}


# --- a rating without a "painful" answer ------------------------------------------------------


def test_a_rating_without_a_painful_answer_reads_as_not_asked_on_the_exam_page(
    client: FlaskClient, exam: Any
) -> None:
    finding = {"examined": True, "painful": None, "rating": 3}
    assert save_site(client, exam, "TP02L", finding, "r-1").status_code == 200

    html = client.get(f"/exams/{exam.uuid}").get_data(as_text=True)
    mark = re.search(r'<a class="site ([^"]*)" data-site="TP02L"[^>]*aria-label="([^"]*)"', html)
    assert mark is not None
    assert "state-unanswered" in mark.group(1)
    assert "state-not_painful" not in mark.group(1)
    assert mark.group(2).endswith("painful: not asked, 3/10")
    assert "not painful, 3/10" not in page_of(client.get(f"/exams/{exam.uuid}")).text


# --- a tap keeps what the map does not show --------------------------------------------------


def test_the_tablet_is_given_each_site_s_algometer_reading_to_send_back(
    client: FlaskClient, exam: Any, create: Callable[..., Any], read: Callable[..., Any]
) -> None:
    with read() as session:
        stored = session.scalars(select(Exam).where(Exam.uuid == exam.uuid)).one()
        stored.tender_points.append(
            TenderPointFinding(
                site_code="TP03R",
                examined=True,
                painful=True,
                rating=4,
                ppt_value=Decimal("2.4"),
                ppt_unit=PressureUnit.KGF_PER_CM2,
                ppt_probe_area_cm2=Decimal("1"),
            )
        )
        session.commit()

    html = client.get(f"/exams/{exam.uuid}").get_data(as_text=True)
    state = re.search(r'<script type="application/json" id="exam-state">(.*?)</script>', html)
    assert state is not None
    site = json.loads(state.group(1))["sites"]["TP03R"]
    assert site["ppt"] == {"value": "2.4", "unit": "kgf/cm2", "probe_area_cm2": "1"}

    # Sent back as the tablet sends it after a tap (painful, new rating), the reading stays.
    tapped = {key: site[key] for key in ("examined", "painful", "ppt")} | {"rating": 6}
    response = client.put(
        f"/exams/{exam.uuid}/autosave/tender-points/TP03R",
        json={"base_version": site["version"], "finding": tapped},
        headers={"Idempotency-Key": "tap-1"},
    )
    assert response.status_code == 200
    assert response.get_json()["saved"]["ppt"]["value"] == "2.4"


# --- every save answers the whole Scores card -------------------------------------------------


def test_a_save_answers_every_line_of_the_scores_card_as_the_page_shows_it(
    client: FlaskClient, exam: Any
) -> None:
    client.post(f"/exams/{exam.uuid}/survey", data=survey_post())
    for index, code in enumerate(("TP01L", "TP01R", "TP02L")):
        finding = {"examined": True, "painful": True, "rating": 5}
        response = save_site(client, exam, code, finding, f"card-{index}")
    scores = response.get_json()["scores"]

    page = page_of(client.get(f"/exams/{exam.uuid}")).text
    for name in (
        "tender_point_count",
        "mtps_tender_point_count",
        "fibromyalgia_intensity",
        "wpi",
        "sss_2010",
        "sss_2011",
        "generalized_pain_regions",
        "fibromyalgia_severity",
        "trigger_points",
    ):
        assert scores[f"{name}_text"] in page, name
    assert scores["tender_point_count_text"].startswith("incomplete: 3 of 18")
    assert scores["wpi_text"] == "WPI 10 of 19 (areas painful in the past week)"
    acr_1990 = scores["criteria"]["acr_1990"]
    assert f"{acr_1990['version']}: {acr_1990['outcome_label']}" in page
    for condition in acr_1990["conditions"]:
        assert f"{condition['text']} — {condition['outcome_label']}" in page
    assert set(scores["criteria"]) == {"acr_1990", "acr_2010", "acr_2011", "acr_2016"}
