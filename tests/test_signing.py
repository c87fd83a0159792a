"""Signing an exam, addenda, marking it entered in error, and starting from the last exam."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from clinic.domain.document import document_digest
from clinic.domain.roles import Role
from clinic.domain.scales import ExamStatus
from clinic.models import Addendum, AuditEvent, Exam, TenderPointFinding, TriggerPointFinding
from tests.exam_forms import (
    FULL_TENDER_POINTS,
    FULL_TRIGGER_POINTS,
    page_of,
    path_of,
    post_full_exam,
    stored_exam,
    tender_points_post,
    trigger_points_post,
)
from tests.factories import PASSWORD, make_exam, make_patient, make_user

# --- fixtures and steps ----------------------------------------------------------------------


@pytest.fixture
def doctor(create, login):
    """The examining clinician, signed in."""
    user = create(make_user, roles=(Role.CLINICIAN,), display_name="Ana Ruiz", credentials="MD")
    login(user)
    return user


@pytest.fixture
def patient(create):
    return create(make_patient, family_name="Okafor", given_name="Ngozi")


@pytest.fixture
def exam(create, doctor, patient):
    """A draft by the signed-in clinician, nothing recorded."""
    return create(make_exam, patient=patient, clinician=doctor, exam_date=date(2024, 3, 4))


@pytest.fixture
def complete_exam(client, exam):
    """The draft with a whole exam recorded, ready to sign."""
    post_full_exam(client, exam.uuid)
    return exam


@pytest.fixture
def signed_exam(client, complete_exam):
    """The complete exam, signed by its clinician."""
    assert sign(client, complete_exam).status_code == 303
    return complete_exam


def sign(client, exam, password: str = PASSWORD):
    return client.post(f"/exams/{exam.uuid}/sign", data={"password": password})


def refused_sign(client, exam, password: str = PASSWORD):
    """Sign and be refused: the answer redirects (303, never a page a reload would post again)
    to the exam's sign button; the exam page it lands on."""
    response = sign(client, exam, password)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/exams/{exam.uuid}#sign-refused"
    return client.get(f"/exams/{exam.uuid}")


def snapshot(read, exam) -> dict:
    with read() as session:
        return stored_exam(session, exam.uuid)


def status_of(read, exam) -> ExamStatus:
    with read() as session:
        return session.scalars(select(Exam.status).where(Exam.id == exam.id)).one()


def clinician(create, name: str = "Bo Berg"):
    return create(make_user, roles=(Role.CLINICIAN,), display_name=name, credentials="PT")


# --- 5. signing ------------------------------------------------------------------------------


def test_signing_freezes_the_scores_and_records_the_signature(client, doctor, complete_exam, read):
    response = sign(client, complete_exam)

    assert response.status_code == 303
    assert path_of(response) == f"/exams/{complete_exam.uuid}"
    with read() as session:
        exam = session.get(Exam, complete_exam.id)
        assert exam.status is ExamStatus.SIGNED
        assert exam.signed_at is not None
        assert exam.signed_by_id == doctor.id
        assert re.fullmatch(r"[0-9a-f]{64}", exam.signature_digest)
        assert exam.signature_digest == document_digest(exam.signed_document)
        scores = exam.signed_document["scores"]
        assert scores["tender_point_count"]["value"] == 12
        assert scores["mtps_tender_point_count"]["value"] == 10
        assert scores["fibromyalgia_intensity"]["value"] == "3.2"
        assert scores["wpi"]["value"] == 10
        assert scores["fibromyalgia_severity"]["value"] == 18
        assert scores["acr_1990"]["outcome"] == "met"
        assert scores["acr_2011"]["outcome"] == "not_met"
        assert (scores["trigger_points"]["active"], scores["trigger_points"]["latent"]) == (3, 1)
        assert exam.signed_document["scoring_version"] == "1"
        assert "signature" not in exam.signed_document
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "exam.sign")).one()
        assert event.detail is not None
        assert event.detail["digest"] == exam.signature_digest
        assert event.detail["old"] == {"status": "draft"}
        assert event.detail["new"]["status"] == "signed"
        digest = exam.signature_digest
    shown = page_of(client.get(path_of(response)))
    assert "Signed by Ana Ruiz, MD" in shown.text
    assert f"Digest {digest[:12]}" in shown.text
    assert "Signed" in shown.text
    assert "Draft" not in shown.text


@pytest.mark.parametrize(
    ("password", "message"),
    [("not my password", "This is not your password."), ("", "Enter your password to sign.")],
)
def test_a_wrong_or_missing_password_leaves_the_exam_a_draft(
    client, complete_exam, read, password, message
):
    before = snapshot(read, complete_exam)

    response = refused_sign(client, complete_exam, password)

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors == {"password": message}
    assert shown.has_form(f"/exams/{complete_exam.uuid}/sign")
    assert snapshot(read, complete_exam) == before


def test_an_incomplete_exam_lists_what_is_missing_and_stays_a_draft(client, exam, read):
    recorded = dict(FULL_TENDER_POINTS)
    del recorded["TP01L"]  # not recorded
    del recorded["CTRL_THIGH"]  # not required: not an MTPS control
    recorded["TP02L"] = {"examined": "no", "not_examined_reason": ""}
    recorded["TP03L"] = {"examined": "yes", "painful": "", "rating": ""}
    post = client.post(f"/exams/{exam.uuid}/tender-points", data=tender_points_post(recorded))
    assert post.status_code == 302
    before = snapshot(read, exam)

    response = refused_sign(client, exam)

    assert response.status_code == 200
    shown = page_of(response)
    missing = [
        "Occiput, left: not recorded",
        "Low cervical, left: not examined, give a reason",
        "Trapezius, left: painful yes/no and a 0–10 rating",
    ]
    assert f"Before signing, record: {' '.join(missing)}" in shown.text
    assert "Not signed: 3 findings listed above are still to record." in shown.alerts
    assert snapshot(read, exam) == before


def test_a_refused_sign_lands_at_the_sign_button_and_a_reload_never_signs(client, exam, read):
    recorded = dict(FULL_TENDER_POINTS)
    del recorded["TP01L"]
    assert (
        client.post(
            f"/exams/{exam.uuid}/tender-points", data=tender_points_post(recorded)
        ).status_code
        == 302
    )
    typed = "my secret password"

    response = sign(client, exam, typed)

    # Post/redirect/get: the browser is sent to the exam's sign button; reloading that page
    # (or going back to it) asks for the exam again, never the sign.
    assert response.status_code == 303
    assert response.headers["Location"] == f"/exams/{exam.uuid}#sign-refused"
    with client.session_transaction() as cookie:
        assert typed not in repr(dict(cookie))
    landed = client.get(f"/exams/{exam.uuid}")
    html = landed.get_data(as_text=True)
    section = html[html.index('<section id="sign"') :]
    section = section[: section.index("</section>")]
    assert "Before signing, record:" in section
    assert "<li>Occiput, left: not recorded</li>" in section
    message = "Not signed: 1 finding listed above is still to record."
    assert message in section  # beside the sign button, not at the top of a long page
    assert section.index(message) < section.index("Sign exam</button>")
    (password_input,) = re.findall(r'<input[^>]*name="password"[^>]*>', section)
    assert " autofocus" in password_input
    assert typed not in html
    reloaded = page_of(client.get(f"/exams/{exam.uuid}"))
    assert message not in reloaded.alerts  # shown once, like any message
    with read() as session:
        assert session.get(Exam, exam.id).status is ExamStatus.DRAFT

    # Fixed, then signed by a deliberate tap.
    client.post(f"/exams/{exam.uuid}/tender-points", data=tender_points_post())
    assert sign(client, exam).status_code == 303
    with read() as session:
        assert session.get(Exam, exam.id).status is ExamStatus.SIGNED


def test_a_draft_holding_painful_with_rating_0_lists_it_before_signing(client, complete_exam, read):
    # Saved before the contradiction was refused: only the database holds such a row now.
    with read() as session:
        row = session.scalars(
            select(TenderPointFinding).where(
                TenderPointFinding.exam_id == complete_exam.id,
                TenderPointFinding.site_code == "TP01L",
            )
        ).one()
        row.painful, row.rating = True, 0
        session.commit()

    shown = page_of(refused_sign(client, complete_exam))

    item = "Occiput, left: painful with a rating of 0, a contradiction to correct"
    assert f"Before signing, record: {item}" in shown.text
    assert "Not signed: 1 finding listed above is still to record." in shown.alerts
    with read() as session:
        assert session.get(Exam, complete_exam.id).status is ExamStatus.DRAFT


def test_only_the_examining_clinician_can_sign(client, create, login, complete_exam, read):
    before = snapshot(read, complete_exam)
    login(clinician(create))

    response = refused_sign(client, complete_exam)

    assert response.status_code == 200
    shown = page_of(response)
    assert "Only the examining clinician can sign this exam." in shown.alerts
    assert "Not signed. Ana Ruiz, MD signs this exam." in shown.text
    assert not shown.has_form(f"/exams/{complete_exam.uuid}/sign")
    assert snapshot(read, complete_exam) == before


def test_signing_twice_is_refused_and_the_signature_stays(client, signed_exam, read):
    before = snapshot(read, signed_exam)

    response = refused_sign(client, signed_exam)

    assert response.status_code == 200
    assert "This exam is already signed." in page_of(response).alerts
    assert snapshot(read, signed_exam) == before


# --- 7. addenda ------------------------------------------------------------------------------


def add(client, exam, text: str):
    return client.post(f"/exams/{exam.uuid}/addenda", data={"text": text})


def test_a_draft_takes_no_addendum(client, complete_exam, read):
    before = snapshot(read, complete_exam)

    response = add(client, complete_exam, "Too early.")

    assert response.status_code == 200
    assert (
        "A draft is still editable; change it instead of adding an addendum."
        in page_of(response).alerts
    )
    assert snapshot(read, complete_exam) == before


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_addendum_is_refused(client, signed_exam, read, text):
    before = snapshot(read, signed_exam)

    response = add(client, signed_exam, text)

    assert response.status_code == 200
    assert page_of(response).errors == {"text": "Write the addendum."}
    assert snapshot(read, signed_exam) == before


def test_addenda_are_appended_in_order_with_author_and_time(
    client, create, login, signed_exam, read
):
    first = add(client, signed_exam, "Splint removed; thumbnail control still not examined.")
    assert first.status_code == 302
    assert path_of(first) == f"/exams/{signed_exam.uuid}"
    login(clinician(create))
    assert add(client, signed_exam, "  Seen by physiotherapy.  ").status_code == 302

    shown = page_of(client.get(f"/exams/{signed_exam.uuid}"))

    stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+"
    addenda = [card for card in shown.cards if re.match(rf"{stamp} · ", card)]
    assert len(addenda) == 2
    assert re.fullmatch(
        rf"{stamp} · Ana Ruiz, MD Splint removed; thumbnail control still not examined\.",
        addenda[0],
    )
    assert re.fullmatch(rf"{stamp} · Bo Berg, PT Seen by physiotherapy\.", addenda[1])
    with read() as session:
        stored = session.scalars(select(Addendum).order_by(Addendum.created_at)).all()
        assert [a.text for a in stored] == [
            "Splint removed; thumbnail control still not examined.",
            "Seen by physiotherapy.",
        ]
        assert stored[0].created_at <= stored[1].created_at
        exam = session.get(Exam, signed_exam.id)
        assert exam.signature_digest == document_digest(exam.signed_document)


def test_there_is_no_way_to_edit_or_remove_an_addendum(app):
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if "addend" in rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert routes == {
        ("/exams/<uuid:exam_id>/addenda", "POST"),
        ("/api/v1/exams/<uuid:exam_id>/addenda", "POST"),
    }


# --- 6. entered in error ---------------------------------------------------------------------


def mark(client, exam, reason: str):
    return client.post(f"/exams/{exam.uuid}/entered-in-error", data={"reason": reason})


def test_the_signer_marks_an_exam_entered_in_error_and_it_stays_visible(
    client, doctor, patient, signed_exam, read
):
    response = mark(client, signed_exam, "Wrong patient: belongs to the sister.")

    assert response.status_code == 302
    shown = page_of(client.get(f"/exams/{signed_exam.uuid}"))
    assert ("Exam of 2024-03-04", "struck") in shown.headings
    (alert,) = [a for a in shown.alerts if a.startswith("Entered in error on")]
    assert alert.endswith("by Ana Ruiz, MD: Wrong patient: belongs to the sister.")
    assert "Signed by Ana Ruiz, MD" in shown.text
    assert "12 of 18 sites painful (ACR 1990)" in shown.text
    assert not shown.has_form(f"/exams/{signed_exam.uuid}/entered-in-error")
    with read() as session:
        exam = session.get(Exam, signed_exam.id)
        assert exam.status is ExamStatus.ENTERED_IN_ERROR
        assert exam.entered_in_error_by_id == doctor.id
        assert exam.entered_in_error_reason == "Wrong patient: belongs to the sister."
        assert exam.signature_digest == document_digest(exam.signed_document)
    listing = page_of(client.get(f"/patients/{patient.uuid}"))
    assert f"/exams/{signed_exam.uuid}" in listing.links
    assert "2024-03-04 Ana Ruiz, MD Entered in error" in listing.text


def test_an_administrator_may_mark_an_exam_entered_in_error(
    client, create, login, signed_exam, read
):
    login(create(make_user, roles=(Role.ADMIN,), display_name="Ed Admin"))

    response = mark(client, signed_exam, "Duplicate of another exam.")

    assert response.status_code == 302
    assert status_of(read, signed_exam) is ExamStatus.ENTERED_IN_ERROR


def test_another_clinician_may_not_mark_it(client, create, login, signed_exam, read):
    before = snapshot(read, signed_exam)
    login(clinician(create))

    response = mark(client, signed_exam, "Looks wrong to me.")

    assert response.status_code == 200
    assert "Only the signer or an administrator can do this." in page_of(response).alerts
    assert snapshot(read, signed_exam) == before


def test_staff_may_not_mark_it(client, create, login, signed_exam, read):
    before = snapshot(read, signed_exam)
    login(create(make_user, roles=(Role.STAFF,)))

    response = mark(client, signed_exam, "Wrong patient.")

    assert response.status_code == 403
    assert snapshot(read, signed_exam) == before


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Say why, e.g. wrong patient."), ("   ", "Say why the exam was entered in error.")],
)
def test_marking_needs_a_reason(client, signed_exam, read, reason, message):
    before = snapshot(read, signed_exam)

    response = mark(client, signed_exam, reason)

    assert response.status_code == 200
    assert page_of(response).errors == {"reason": message}
    assert snapshot(read, signed_exam) == before


def test_a_draft_cannot_be_marked_entered_in_error(client, complete_exam, read):
    before = snapshot(read, complete_exam)

    response = mark(client, complete_exam, "Wrong patient.")

    assert response.status_code == 200
    assert "Only a signed exam can be marked entered in error." in page_of(response).alerts
    assert snapshot(read, complete_exam) == before


def test_nothing_changes_once_entered_in_error(client, signed_exam, read):
    assert mark(client, signed_exam, "Wrong patient.").status_code == 302
    before = snapshot(read, signed_exam)

    again = mark(client, signed_exam, "Really the wrong patient.")
    resign = refused_sign(client, signed_exam)
    edits = [
        client.post(f"/exams/{signed_exam.uuid}/{page_path}", data=data)
        for page_path, data in (
            ("tender-points", tender_points_post()),
            ("trigger-points", trigger_points_post()),
            ("impression", {"plan": "New plan"}),
        )
    ]

    assert again.status_code == 200
    assert "Only a signed exam can be marked entered in error." in page_of(again).alerts
    assert resign.status_code == 200
    assert "This exam is already signed." in page_of(resign).alerts
    assert [edit.status_code for edit in edits] == [409, 409, 409]
    assert snapshot(read, signed_exam) == before


# --- 8. start from the last exam -------------------------------------------------------------


def start(client, patient, **data):
    return client.post(
        f"/patients/{patient.uuid}/exams/new",
        data={"exam_date": "2024-06-03", "from_last_exam": "y"} | data,
    )


def test_starting_from_the_last_exam_lists_its_trigger_points_unexamined(
    client, doctor, patient, signed_exam, read
):
    response = start(client, patient, clinician=str(doctor.uuid))

    assert response.status_code == 302
    with read() as session:
        exam = session.scalars(select(Exam).where(Exam.id != signed_exam.id)).one()
        assert path_of(response) == f"/exams/{exam.uuid}"
        assert (exam.status, exam.exam_date) == (ExamStatus.DRAFT, date(2024, 6, 3))
        assert exam.tender_points == []
        assert exam.survey is None
        copied = exam.trigger_points
        assert [
            (row.position, row.muscle_code, row.muscle_other_name, row.side.value) for row in copied
        ] == [
            (0, "upper_trapezius", None, "left"),
            (1, "upper_trapezius", None, "right"),
            (2, "levator_scapulae", None, "left"),
            (3, "infraspinatus", None, "right"),
            (4, "gluteus_medius", None, "left"),
            (5, "other", "Rhomboid minor", "right"),
        ]
        assert copied[0].location_in_muscle == FULL_TRIGGER_POINTS[0]["location_in_muscle"]
        for row in copied:
            signs = (
                row.nodule_length_mm,
                row.nodule_width_mm,
                row.tenderness_grade,
                row.rating,
                row.taut_band,
                row.hypersensitive_spot,
                row.patient_recognition,
                row.local_twitch_response,
                row.jump_sign,
                row.referred_pain,
                row.classification,
                row.ppt_value,
            )
            assert signs == (None,) * len(signs)
            assert (row.referral_zones, row.referral_description, row.notes) == ([], "", "")
        previous = session.scalars(
            select(TriggerPointFinding).where(TriggerPointFinding.exam_id == signed_exam.id)
        ).all()
        assert {row.uuid for row in previous}.isdisjoint({row.uuid for row in copied})
    shown = page_of(client.get(path_of(response)))
    assert "6 unclassified of 6 palpated spots" in shown.text
    assert "Occiput, left: not recorded" in shown.text


def test_starting_from_the_last_exam_without_one_says_so_on_the_field(
    client, doctor, patient, read
):
    response = start(client, patient, clinician=str(doctor.uuid))

    assert response.status_code == 200
    shown = page_of(response)
    assert shown.errors == {"from_last_exam": "This patient has no earlier exam to start from."}
    assert shown.form().values("from_last_exam") == ["y"]
    assert shown.form().value("exam_date") == "2024-06-03"
    with read() as session:
        assert session.scalars(select(Exam)).all() == []
