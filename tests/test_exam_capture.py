"""Recording an exam through its pages: tender points, trigger points, survey, impression.

Scoring rules are tested in tests/domain; here the pages around them are: what a clinician types
is stored, shown again, refused with a message next to the field, and scored on the exam page.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.models import AuditEvent, Exam, TenderPointFinding, TriggerPointFinding
from tests.exam_forms import (
    FULL_IMPRESSION,
    FULL_SURVEY,
    FULL_TENDER_POINTS,
    FULL_TRIGGER_POINTS,
    NOT_EXAMINED_REASON,
    NOT_PAINFUL_SITES,
    PAINFUL_RATINGS,
    SITE_CODES,
    WPI_PAINFUL_AREAS,
    HtmlForm,
    page_of,
    path_of,
    post_full_exam,
    stored_exam,
    survey_post,
    tender_points_post,
    trigger_points_post,
)
from tests.factories import PASSWORD, make_exam, make_patient, make_user

# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def doctor(create, login):
    """A signed-in clinician."""
    user = create(make_user, roles=(Role.CLINICIAN,), display_name="Ana Ruiz", credentials="MD")
    login(user)
    return user


@pytest.fixture
def patient(create):
    return create(make_patient, family_name="Okafor", given_name="Ngozi", mrn="TP-1990")


@pytest.fixture
def exam(create, doctor, patient):
    """A draft exam by the signed-in clinician, nothing recorded yet."""
    return create(make_exam, patient=patient, clinician=doctor, exam_date=date(2024, 3, 4))


@pytest.fixture
def full_exam(client, exam):
    """The draft with the whole FULL_* exam recorded through its pages."""
    post_full_exam(client, exam.uuid)
    return exam


def snapshot(read, exam) -> dict:
    with read() as session:
        return stored_exam(session, exam.uuid)


def row_of(form: HtmlForm, code: str) -> str:
    """The "sites-N-" prefix of a site's row, found by its hidden site code as a user finds it."""
    for name in form.names("sites-"):
        if name.endswith("-site_code") and form.value(name) == code:
            return name.removesuffix("site_code")
    raise AssertionError(f"no row for site {code}")


def row_values(form: HtmlForm, prefix: str) -> dict[str, list[str]]:
    """What a row of a form shows, by field name without its prefix."""
    return {name.removeprefix(prefix): form.values(name) for name in form.names(prefix)}


def typed(values: dict) -> dict[str, list[str]]:
    return {name: [v] if isinstance(v, str) else list(v) for name, v in values.items()}


# --- 1. a full exam, as a new user records it ------------------------------------------------


def test_a_clinician_records_signs_and_amends_a_full_exam_through_the_pages(
    client, doctor, patient, read
):
    # Start the exam from the patient's page.
    start = client.post(
        f"/patients/{patient.uuid}/exams/new",
        data={"exam_date": "2024-03-04", "clinician": str(doctor.uuid)},
    )
    assert start.status_code == 302
    exam_path = path_of(start)
    shown = page_of(client.get(exam_path))
    assert "Before signing, record:" in shown.text
    assert "Occiput, left: not recorded" in shown.text

    # Tender points: all 22 sites on one page.
    page = page_of(client.get(exam_path + "/tender-points"))
    form = page.form()
    assert [form.value(f"sites-{i}-site_code") for i in range(22)] == SITE_CODES
    for code, values in FULL_TENDER_POINTS.items():
        form.fill(values, prefix=row_of(form, code))
    saved = client.post(exam_path + "/tender-points", data=form.submission())
    assert saved.status_code == 302
    assert path_of(saved) == exam_path
    assert "Tender points saved." in page_of(client.get(exam_path)).text

    # Trigger points: one row at a time, "Add another trigger point" between them.
    page = page_of(client.get(exam_path + "/trigger-points"))
    for index, values in enumerate(FULL_TRIGGER_POINTS):
        form = page.form()
        assert form.value(f"points-{index}-muscle_code") == ""  # the new blank row
        form.fill(values, prefix=f"points-{index}-")
        if index < len(FULL_TRIGGER_POINTS) - 1:
            page = page_of(
                client.post(exam_path + "/trigger-points", data=form.submission("add_row"))
            )
    saved = client.post(exam_path + "/trigger-points", data=form.submission())
    assert saved.status_code == 302
    assert "Trigger points saved." in page_of(client.get(exam_path)).text

    # Survey and impression.
    form = page_of(client.get(exam_path + "/survey")).form()
    form.fill(FULL_SURVEY)
    assert client.post(exam_path + "/survey", data=form.submission()).status_code == 302
    form = page_of(client.get(exam_path + "/impression")).form()
    form.fill(FULL_IMPRESSION)
    assert client.post(exam_path + "/impression", data=form.submission()).status_code == 302

    # Coming back, every page shows what was recorded.
    form = page_of(client.get(exam_path + "/tender-points")).form()
    for code in SITE_CODES:
        prefix = row_of(form, code)
        shown_row = row_values(form, prefix)
        for name, value in typed(FULL_TENDER_POINTS.get(code, {})).items():
            assert shown_row[name] == value, (code, name)
        assert shown_row["version"] == ["1"]
    form = page_of(client.get(exam_path + "/trigger-points")).form()
    for index, values in enumerate(FULL_TRIGGER_POINTS):
        shown_row = row_values(form, f"points-{index}-")
        for name, value in typed(values).items():
            assert sorted(shown_row[name]) == sorted(value), (index, name)
        assert shown_row["version"] == ["1"]
        assert shown_row["finding_id"] != [""]
    assert form.value("points-6-finding_id") == ""  # and a blank row for the next one
    form = page_of(client.get(exam_path + "/survey")).form()
    for name, value in typed(FULL_SURVEY).items():
        assert sorted(form.values(name)) == sorted(value), name
    form = page_of(client.get(exam_path + "/impression")).form()
    for name, value in typed(FULL_IMPRESSION).items():
        assert form.values(name) == value, name

    # The scores on the exam page, by hand:
    # ACR 1990 count: the 12 sites called painful; "not painful" sites and controls never count.
    assert len(PAINFUL_RATINGS) == 12
    assert len(NOT_PAINFUL_SITES) == 6
    tender_point_count = 12
    # MTPS count: ACR sites rated 2 or more. Painful ratings 7 6 5 8 4 3 2 1 1 6 5 9: all but the
    # two 1s; "not painful" is 0.
    mtps_count = 10
    # FIS: (7+6+5+8+4+3+2+1+1+6+5+9 + 6 x 0) / 18 = 57 / 18 = 3.1666... -> 3.2
    assert sum(PAINFUL_RATINGS.values()) == 57
    fis = (Decimal(57) / 18).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert fis == Decimal("3.2")
    # WPI: 10 areas ticked (jaw left, both shoulder girdles, left upper arm, both hips, right upper
    # leg, neck, upper and lower back).
    assert len(WPI_PAINFUL_AREAS) == 10
    wpi = 10
    # SSS 2010 = fatigue 3 + waking 2 + cognitive 1 + somatic 3 = 9
    # SSS 2011/2016 = 3 + 2 + 1 + headaches 1 + lower abdomen 0 + depression 1 = 8
    sss_2010, sss_2011 = 3 + 2 + 1 + 3, 3 + 2 + 1 + 1 + 0 + 1
    # FS = WPI + SSS 2011 = 18: severe (12-19). Regions: all five (the jaw does not count).
    fs = wpi + sss_2011
    assert fs == 18
    # ACR 1990: widespread pain yes, 24 >= 3 months, 12 >= 11 painful: met.
    # ACR 2010 / 2011: severity met, but another disorder explains the pain: not met.
    # ACR 2016: WPI >= 7 with SSS >= 5, 5 >= 4 regions, 24 months, no exclusion: met.
    # Delphi 2018, >= 2 of taut band, spot, referral: #1 3 signs, recognised: active; #2 3 signs,
    # confirmed latent; #3 and #4 2 signs, recognised: active; #5 band not assessable, no spot,
    # referral: cannot be determined, unclassified; #6 referral only: not a trigger point.
    shown = page_of(client.get(exam_path))
    text = shown.text
    assert f"{tender_point_count} of 18 sites painful (ACR 1990)" in text
    assert f"{mtps_count} of 18 sites rated 2 or more (MTPS 1997)" in text
    assert f"FIS {fis} (mean 0–10 rating over the 18 sites)" in text
    assert f"WPI {wpi} of 19 (areas painful in the past week)" in text
    assert (
        f"SSS {sss_2010} of 12 (fatigue 3, waking unrefreshed 2, cognitive symptoms 1, "
        "somatic symptoms 3)"
    ) in text
    assert (
        f"SSS {sss_2011} of 12 (fatigue 3, waking unrefreshed 2, cognitive symptoms 1, "
        "headaches 1, lower abdominal pain 0, depression 1)"
    ) in text
    assert "pain in 5 of 5 regions" in text
    assert f"FS {fs} of 31: severe (WPI {wpi} + SSS {sss_2011})" in text
    assert "3 active, 1 latent, 1 not trigger points, 1 unclassified of 6 palpated spots" in text
    outcomes = {heading for heading, _ in shown.headings}
    assert {
        "ACR 1990: met",
        "ACR 2010 preliminary: not met",
        "ACR 2011 modified: not met",
        "ACR 2016 revised: met",
    } <= outcomes
    assert "1. Upper trapezius, left" in outcomes
    assert "6. Rhomboid minor, right" in outcomes
    assert "refers to Jaw and angle of jaw, left, Posterolateral neck, left, Temple, left" in text
    for number, delphi, classification in [
        (1, "3 of 3 signs present (≥ 2 needed); Delphi 2018: met", "active (suggested"),
        (2, "3 of 3 signs present (≥ 2 needed); Delphi 2018: met", "latent (confirmed"),
        (3, "2 of 3 signs present (≥ 2 needed); Delphi 2018: met", "active (suggested"),
        (4, "2 of 3 signs present (≥ 2 needed); Delphi 2018: met", "active (suggested"),
        (5, "Delphi 2018: cannot be determined", "unclassified"),
        (6, "Delphi 2018: not met", "not a trigger point (suggested"),
    ]:
        (card,) = [card for card in shown.cards if card.startswith(f"{number}. ")]
        assert f"{delphi} {classification}" in card, number
    assert f"Thumbnail, right (control) not examined: {NOT_EXAMINED_REASON}" in text
    assert "Occiput, left painful, 7/10" in text
    assert "Trapezius, left painful, 4/10, threshold 2.4 kgf/cm² (1 cm² probe)" in text
    assert "Knee, right not painful, 0/10" in text
    assert "Before signing, record:" not in text

    # Sign with the password.
    form = shown.form(exam_path + "/sign")
    form.set("password", PASSWORD)
    signed = client.post(exam_path + "/sign", data=form.submission())
    assert signed.status_code == 303
    with read() as session:
        stored = session.scalars(select(Exam)).one()
        digest = stored.signature_digest
        assert stored.status is ExamStatus.SIGNED
    shown = page_of(client.get(exam_path))
    assert "Exam signed. Corrections from now on are addenda." in shown.text
    assert "Signed by Ana Ruiz, MD" in shown.text
    assert f"Digest {digest[:12]}" in shown.text
    assert "does not match" not in shown.text
    assert not shown.has_form(exam_path + "/sign")
    for page_path in ("tender-points", "trigger-points", "survey", "impression"):
        assert f"{exam_path}/{page_path}" not in shown.links  # no edit buttons any more

    # Add an addendum.
    form = shown.form(exam_path + "/addenda")
    form.set("text", "Patient reports the splint comes off next week.")
    added = client.post(exam_path + "/addenda", data=form.submission())
    assert added.status_code == 302
    shown = page_of(client.get(exam_path))
    assert "Addendum added." in shown.text
    assert "Ana Ruiz, MD Patient reports the splint comes off next week." in shown.text
    assert f"{tender_point_count} of 18 sites painful (ACR 1990)" in shown.text


# --- 2. invalid input: a message under the field, the typed values kept, nothing stored ------

# Every case also changes a valid field elsewhere on the page, which must not be saved either.
VALID_CHANGE = {
    "tender-points": ("sites-0-rating", "8"),
    "trigger-points": ("points-2-location_in_muscle", "upper third"),
    "survey": ("fatigue", "2"),
}


@pytest.mark.parametrize(
    ("page_path", "changes", "field_id", "message"),
    [
        pytest.param(
            "tender-points",
            {"sites-3-rating": "11"},
            "sites-3-rating",
            "Choose a whole number from 0 to 10.",
            id="rating 11",
        ),
        pytest.param(
            "tender-points",
            {"sites-5-examined": "no", "sites-5-not_examined_reason": "Dressing"},
            "sites-5-examined",
            "A site not examined has no result; clear it or mark it examined.",
            id="not examined but painful",
        ),
        pytest.param(
            "trigger-points",
            {"points-0-nodule_length_mm": "0"},
            "points-0-nodule_length_mm",
            "A nodule measures 1 to 50 mm.",
            id="nodule 0 mm",
        ),
        pytest.param(
            "trigger-points",
            {"points-0-nodule_length_mm": "51"},
            "points-0-nodule_length_mm",
            "A nodule measures 1 to 50 mm.",
            id="nodule 51 mm",
        ),
        pytest.param(
            "trigger-points",
            {"points-0-nodule_width_mm": "4.3"},
            "points-0-nodule_width_mm",
            "Measure to the nearest 0.5 mm.",
            id="nodule 4.3 mm",
        ),
        pytest.param(
            "trigger-points",
            {"points-0-tenderness_grade": "V"},
            "points-0-tenderness_grade",
            "Choose one of the options.",
            id="grade V",
        ),
        pytest.param(
            "trigger-points",
            {"points-1-muscle_code": "biceps_brachii"},
            "points-1-muscle_code",
            "Choose one of the options in the list.",
            id="unknown muscle",
        ),
        pytest.param(
            "trigger-points",
            {"points-3-referral_zones": ["anterior_shoulder_right", "elbow_centre"]},
            "points-3-referral_zones",
            "Not in the list: elbow_centre.",
            id="unknown referral zone",
        ),
        pytest.param(
            "trigger-points",
            {"points-5-muscle_other_name": ""},
            "points-5-muscle_other_name",
            "Name the muscle, or choose it from the list.",
            id="other muscle without a name",
        ),
        pytest.param(
            "trigger-points",
            {"points-0-referred_pain": "no"},
            "points-0-referral_zones",
            "Referral zones need referred pain to be marked yes.",
            id="zones without referred pain",
        ),
        pytest.param(
            "survey",
            {"pain_duration_months": "-3"},
            "pain_duration_months",
            "Enter a whole number, like 6.",
            id="negative duration",
        ),
        pytest.param(
            "survey",
            {"pain_duration_months": "six"},
            "pain_duration_months",
            "Enter a whole number, like 6.",
            id="duration not a number",
        ),
    ],
)
def test_invalid_input_is_refused_next_to_its_field_and_nothing_is_stored(
    client, full_exam, read, page_path, changes, field_id, message
):
    path = f"/exams/{full_exam.uuid}/{page_path}"
    before = snapshot(read, full_exam)
    form = page_of(client.get(path)).form()
    valid_name, valid_value = VALID_CHANGE[page_path]
    form.set(valid_name, valid_value)
    for name, value in changes.items():
        form.set(name, value, crafted=True)
    posted = form.submission()

    response = client.post(path, data=posted)

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors == {field_id: message}
    assert "Please correct the fields marked below." in shown.alerts
    kept = shown.form()
    # A crafted choice that no option offers cannot be shown again; everything else is.
    unshowable = {
        name
        for name, value in changes.items()
        if kept.controls[name].kind in ("radio", "select", "checkbox")
        and not set([value] if isinstance(value, str) else value)
        <= set(kept.controls[name].options)
    }
    for name in kept.names():
        if name not in unshowable:
            assert sorted(kept.values(name)) == sorted(posted.getlist(name)), name
    assert kept.value(valid_name) == valid_value
    assert snapshot(read, full_exam) == before


def test_a_site_marked_not_examined_needs_no_result_and_keeps_its_reason(client, exam, read):
    rows = {"TP01L": {"examined": "no", "not_examined_reason": "Wound dressing"}}

    response = client.post(f"/exams/{exam.uuid}/tender-points", data=tender_points_post(rows))

    assert response.status_code == 302
    with read() as session:
        row = session.scalars(select(TenderPointFinding)).one()
        assert (row.site_code, row.examined, row.not_examined_reason) == (
            "TP01L",
            False,
            "Wound dressing",
        )
        assert (row.painful, row.rating) == (None, None)


# --- 3. trigger point rows -------------------------------------------------------------------


def stored_trigger_points(read) -> list[tuple]:
    with read() as session:
        rows = session.scalars(select(TriggerPointFinding).order_by(TriggerPointFinding.position))
        return [(row.uuid, row.version, row.muscle_code, row.side.value) for row in rows]


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(client, exam, read):
    path = f"/exams/{exam.uuid}/trigger-points"
    before = snapshot(read, exam)
    form = page_of(client.get(path)).form()
    form.fill(FULL_TRIGGER_POINTS[0], prefix="points-0-")
    posted = form.submission("add_row")

    response = client.post(path, data=posted)

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors == {}
    form = shown.form()
    for name in posted:
        if name != "add_row":
            assert sorted(form.values(name)) == sorted(posted.getlist(name)), name
    assert form.value("points-1-muscle_code") == ""
    assert form.value("points-1-finding_id") == ""
    assert "New trigger point" in shown.text
    assert snapshot(read, exam) == before


def test_adding_rows_stops_at_ten_new_ones_keeping_what_was_typed(client, full_exam, read):
    path = f"/exams/{full_exam.uuid}/trigger-points"
    before = snapshot(read, full_exam)
    page = page_of(client.get(path))
    stored = len(FULL_TRIGGER_POINTS)
    for _ in range(12):  # the page opens with one new row; ask for twelve more
        form = page.form()
        form.set(f"points-{stored}-muscle_code", "upper_trapezius")
        page = page_of(client.post(path, data=form.submission("add_row")))

    form = page.form()
    assert len({name.split("-")[1] for name in form.names("points-")}) == stored + 10
    assert form.value(f"points-{stored}-muscle_code") == "upper_trapezius"
    assert "Save these trigger points before adding more: at most 10 new ones at a time." in (
        page.alerts
    )
    assert snapshot(read, full_exam) == before


def test_a_page_of_more_rows_than_served_is_refused_without_reading_them(client, full_exam, read):
    path = f"/exams/{full_exam.uuid}/trigger-points"
    before = snapshot(read, full_exam)
    rows = "&".join(f"points-{n}-muscle_code=upper_trapezius" for n in range(201))

    response = client.post(path, data=rows, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    shown = page_of(response)
    stored = len(FULL_TRIGGER_POINTS)
    assert (
        f"This page sent 201 trigger points; the exam has {stored} and at most 10 new ones are "
        "saved at once. Nothing was saved."
    ) in shown.alerts
    # The page shows the exam's trigger points as stored, and one new row.
    assert len({name.split("-")[1] for name in shown.form().names("points-")}) == stored + 1
    assert snapshot(read, full_exam) == before


def test_a_blank_new_row_is_ignored(client, full_exam, read):
    path = f"/exams/{full_exam.uuid}/trigger-points"
    before = stored_trigger_points(read)
    form = page_of(client.get(path)).form()
    assert form.value("points-6-finding_id") == ""  # the blank row after the six stored

    response = client.post(path, data=form.submission())

    assert response.status_code == 302
    assert stored_trigger_points(read) == before


def test_removing_a_trigger_point(client, full_exam, read):
    path = f"/exams/{full_exam.uuid}/trigger-points"
    before = stored_trigger_points(read)
    form = page_of(client.get(path)).form()
    form.set("points-2-remove", "y")

    response = client.post(path, data=form.submission())

    assert response.status_code == 302
    assert stored_trigger_points(read) == before[:2] + before[3:]
    with read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "finding.trigger_point.remove")
        ).one()
        assert event.entity_uuid == before[2][0]
    shown = page_of(client.get(f"/exams/{full_exam.uuid}"))
    assert "Levator scapulae" not in shown.text
    assert "5. Rhomboid minor, right" in {heading for heading, _ in shown.headings}


def test_editing_a_trigger_point_keeps_its_id_and_bumps_its_version(client, full_exam, read):
    path = f"/exams/{full_exam.uuid}/trigger-points"
    before = stored_trigger_points(read)
    form = page_of(client.get(path)).form()
    form.fill(
        {"side": "right", "rating": "8", "referral_zones": ["temple_right"]}, prefix="points-0-"
    )

    response = client.post(path, data=form.submission())

    assert response.status_code == 302
    after = stored_trigger_points(read)
    assert after[0] == (before[0][0], 2, "upper_trapezius", "right")
    assert after[1:] == before[1:]
    form = page_of(client.get(path)).form()
    assert form.value("points-0-version") == "2"
    assert form.value("points-0-rating") == "8"
    assert form.values("points-0-referral_zones") == ["temple_right"]


# --- 4. versions -----------------------------------------------------------------------------


def test_a_stale_site_is_refused_on_its_row_and_nothing_on_the_page_is_saved(
    client, full_exam, read
):
    path = f"/exams/{full_exam.uuid}/tender-points"
    # Another device changes the right low cervical site (row 3) to version 2.
    other = page_of(client.get(path)).form()
    other.set("sites-3-rating", "9")
    assert client.post(path, data=other.submission()).status_code == 302
    before = snapshot(read, full_exam)
    # This page was opened before that save: its hidden version of row 3 still says 1.
    form = page_of(client.get(path)).form()
    assert form.value("sites-3-version") == "2"
    form.set("sites-3-version", "1")
    form.set("sites-3-rating", "4")
    form.set("sites-0-rating", "8")  # a change on another row, which must not be saved either

    response = client.post(path, data=form.submission())

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors == {
        "sites-3-examined": "Changed on another device since you opened this page (now version "
        "2). Reload to see it before saving."
    }
    assert "Please correct the fields marked below." in shown.alerts
    assert shown.form().value("sites-3-rating") == "4"
    assert shown.form().value("sites-0-rating") == "8"
    assert snapshot(read, full_exam) == before


def test_a_stale_trigger_point_is_refused_on_its_row_and_nothing_is_saved(client, full_exam, read):
    path = f"/exams/{full_exam.uuid}/trigger-points"
    other = page_of(client.get(path)).form()
    other.set("points-1-rating", "6")
    assert client.post(path, data=other.submission()).status_code == 302
    before = snapshot(read, full_exam)
    form = page_of(client.get(path)).form()
    form.set("points-1-version", "1")
    form.set("points-1-rating", "3")
    form.fill(FULL_TRIGGER_POINTS[0] | {"side": "right"}, prefix="points-6-")  # a new row too

    response = client.post(path, data=form.submission())

    assert response.status_code == 200
    assert page_of(response).errors == {
        "points-1-muscle_code": "Changed on another device since you opened this page (now "
        "version 2). Reload to see it before saving."
    }
    assert snapshot(read, full_exam) == before


def test_removing_a_trigger_point_changed_elsewhere_is_refused(client, full_exam, read):
    path = f"/exams/{full_exam.uuid}/trigger-points"
    other = page_of(client.get(path)).form()
    other.set("points-4-rating", "2")
    assert client.post(path, data=other.submission()).status_code == 302
    before = snapshot(read, full_exam)
    form = page_of(client.get(path)).form()
    form.set("points-4-version", "1")
    form.set("points-4-remove", "y")

    response = client.post(path, data=form.submission())

    assert response.status_code == 200
    assert "points-4-muscle_code" in page_of(response).errors
    assert snapshot(read, full_exam) == before


@pytest.mark.parametrize(
    ("page_path", "field", "value", "message"),
    [
        ("survey", "fatigue", "1", "The survey was changed on another device; reload it first."),
        (
            "impression",
            "plan",
            "Review in 6 weeks.",
            "The exam was changed on another device; reload it first.",
        ),
    ],
)
def test_a_stale_survey_or_impression_is_refused(
    client, full_exam, read, page_path, field, value, message
):
    path = f"/exams/{full_exam.uuid}/{page_path}"
    stale = page_of(client.get(path)).form()
    other = page_of(client.get(path)).form()
    other.set(field, value)
    assert client.post(path, data=other.submission()).status_code == 302
    before = snapshot(read, full_exam)
    stale.set(field, "0" if field == "fatigue" else "Something else.")

    response = client.post(path, data=stale.submission())

    assert response.status_code == 200
    shown = page_of(response)
    assert message in shown.alerts
    assert shown.form().value(field) == stale.value(field)
    assert snapshot(read, full_exam) == before


@pytest.mark.parametrize("page_path", ["tender-points", "trigger-points", "survey", "impression"])
def test_saving_unchanged_data_changes_nothing(client, full_exam, read, page_path):
    path = f"/exams/{full_exam.uuid}/{page_path}"
    before = snapshot(read, full_exam)
    form = page_of(client.get(path)).form()

    response = client.post(path, data=form.submission())

    assert response.status_code == 302
    assert snapshot(read, full_exam) == before


# --- 9. roles --------------------------------------------------------------------------------


NOT_CLINICIANS = pytest.mark.parametrize(
    "roles", [(Role.STAFF,), (Role.ADMIN,)], ids=["staff", "admin"]
)
CAPTURE_PAGES = ("tender-points", "trigger-points", "survey", "impression")


@NOT_CLINICIANS
def test_staff_see_the_exam_page_without_edit_buttons_or_signing(
    client, create, login, full_exam, roles
):
    login(create(make_user, roles=roles))

    response = client.get(f"/exams/{full_exam.uuid}")

    assert response.status_code == 200
    shown = page_of(response)
    assert "12 of 18 sites painful (ACR 1990)" in shown.text
    for label in (
        "Record tender points",
        "Record trigger points",
        "Record survey",
        "Record assessment",
        "Sign exam",
    ):
        assert label not in shown.text
    for page_path in CAPTURE_PAGES:
        assert f"/exams/{full_exam.uuid}/{page_path}" not in shown.links
    assert not shown.has_form(f"/exams/{full_exam.uuid}/sign")
    assert not shown.has_form(f"/exams/{full_exam.uuid}/addenda")
    assert "Not signed. Ana Ruiz, MD signs this exam." in shown.text


@NOT_CLINICIANS
@pytest.mark.parametrize(
    ("page_path", "data"),
    [
        ("tender-points", tender_points_post()),
        ("trigger-points", trigger_points_post()),
        ("survey", survey_post()),
        ("impression", {"plan": "Staff plan"}),
        ("sign", {"password": PASSWORD}),
    ],
)
def test_staff_can_neither_edit_nor_sign(client, create, login, exam, read, roles, page_path, data):
    before = snapshot(read, exam)
    login(create(make_user, roles=roles))
    path = f"/exams/{exam.uuid}/{page_path}"

    if page_path != "sign":
        assert client.get(path).status_code == 403
    response = client.post(path, data=data)

    assert response.status_code == 403
    assert "Your account's roles do not allow this page." in page_of(response).text
    assert snapshot(read, exam) == before


def test_a_clinician_sees_the_edit_buttons_of_a_draft(client, full_exam):
    shown = page_of(client.get(f"/exams/{full_exam.uuid}"))

    for page_path in CAPTURE_PAGES:
        assert f"/exams/{full_exam.uuid}/{page_path}" in shown.links
    assert shown.has_form(f"/exams/{full_exam.uuid}/sign")
