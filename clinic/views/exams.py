"""Exams: start one for a patient, and the exam page."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from clinic.auth import access, current_session_row
from clinic.domain.body_diagram import diagram_marks
from clinic.domain.document import tender_point_json, trigger_point_json
from clinic.domain.errors import DomainError, NotReadyToSignError
from clinic.domain.roles import Capability, Role
from clinic.extensions import db_session
from clinic.forms.base import ClinicForm
from clinic.forms.exam import AddendumForm, EnteredInErrorForm, ExaminerForm, SignForm
from clinic.forms.patients import StartExamForm
from clinic.models import Exam, User
from clinic.services.audit import Entry, record_reads
from clinic.services.exam_view import ExamPage, exam_page
from clinic.services.examiners import check_may_start_for, reassign_examiner
from clinic.services.exams import WHOLE_EXAM, get_exam, get_exam_for_change, start_exam
from clinic.services.password_checks import caller_for
from clinic.services.patients import get_patient
from clinic.services.signing import (
    add_addendum,
    mark_entered_in_error,
    sign_exam,
    start_from_last_exam,
)
from clinic.services.users import active_clinicians, get_user
from clinic.views.body_map import SITE_HIT_RADIUS, body_map
from clinic.views.common import clinic_today, current_actor, or_404

bp = Blueprint("exams", __name__)


@bp.route("/patients/<uuid:patient_id>/exams/new", methods=["GET", "POST"])
@access((Capability.EXAMINE, Capability.MANAGE_USERS))
def new(patient_id: uuid.UUID) -> str | Response:
    """Start a draft exam of a patient: a clinician as its examiner, an administrator for any
    active clinician."""
    patient = or_404(get_patient(db_session(), patient_id))
    actor = current_actor()
    form = StartExamForm()
    form.clinician.choices = _examiner_choices(actor)
    # A clinician is offered only themselves; anyone else posted is refused by name below.
    form.clinician.validate_choice = Role.ADMIN in actor.roles
    if not form.is_submitted():
        form.exam_date.data = clinic_today()
        if Role.CLINICIAN in actor.roles:
            form.clinician.data = str(actor.uuid)
    if form.validate_on_submit():
        start = start_from_last_exam if form.from_last_exam.data else start_exam
        try:
            clinician = _chosen_clinician(form.clinician.data)
            check_may_start_for(actor, clinician)
            exam = start(
                db_session(), patient, form.exam_date.data, clinician, clinic_today(), actor
            )
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash("Exam started as a draft.", "success")
            return redirect(url_for("exams.show", exam_id=exam.uuid))
    return render_template("exams/new.html", form=form, patient=patient)


def _examiner_choices(actor: User) -> list[SelectChoice]:
    """Who may be named the examining clinician: any active clinician for an administrator,
    else the clinician themselves."""
    clinicians = active_clinicians(db_session()) if Role.ADMIN in actor.roles else [actor]
    return [SelectChoice(str(user.uuid), user.signature_name) for user in clinicians]


def _chosen_clinician(value: str) -> User:
    """The user a posted clinician id names; a DomainError on the field when none."""
    try:
        found = get_user(db_session(), uuid.UUID(value))
    except ValueError:
        found = None
    if found is None:
        raise DomainError([("clinician", "Choose the examining clinician.")])
    return found


def _client_state(exam: Exam, page: ExamPage) -> dict[str, Any]:
    """What the tablet script starts from: ids, finding versions and values, where to save."""
    sites = {
        tp.finding.site_code: {
            "version": tp.version,
            "examined": tp.finding.examined,
            "painful": tp.finding.painful,
            "rating": tp.finding.rating,
            "not_examined_reason": tp.finding.not_examined_reason,
            # Sent back with every tap on the map, so a tap keeps the algometer reading.
            "ppt": tender_point_json(tp)["ppt"],
        }
        for tp in page.record.tender_points
    }
    exam_url = url_for("exams.show", exam_id=exam.uuid)
    return {
        "exam": str(exam.uuid),
        "user": str(current_actor().uuid),
        "sites": sites,
        "triggers": [
            trigger_point_json(point, position)
            for position, point in enumerate(page.record.trigger_points)
        ],
        "autosave": url_for("exams.show", exam_id=exam.uuid) + "/autosave",
        "login": url_for("auth.login", next=exam_url),
        "csrf": generate_csrf(),
        "retry_ms": current_app.config["AUTOSAVE_RETRY_MS"],
        "tap_reach": SITE_HIT_RADIUS,
    }


def _show(exam: Exam, **forms: ClinicForm) -> str:
    page = exam_page(exam, current_actor())
    findings = page.record.findings
    context = {
        "body_map": body_map(findings, diagram_marks(findings, page.scores.trigger_points)),
        "client_state": _client_state(exam, page) if page.can_edit else {},
        "sign_form": _refused_sign_form(exam),
        "addendum_form": AddendumForm(formdata=None),
        "error_form": EnteredInErrorForm(formdata=None),
        "examiner_form": _examiner_form(exam, posted=False)
        if page.can_reassign
        else ExaminerForm(formdata=None),
    } | forms
    return render_template("exams/show.html", exam=exam, page=page, **context)


@bp.get("/exams/<uuid:exam_id>")
@access(Capability.VIEW_RECORDS)
def show(exam_id: uuid.UUID) -> str:
    """The exam page: header, findings, scores in words, signature and addenda."""
    exam = or_404(get_exam(db_session(), exam_id))
    read = Entry("exam.view", "exam", exam_id, exam.patient.uuid)
    page = _show(exam)
    record_reads(db_session(), current_actor(), [read])
    return page


# The flask-session key of a refused sign's messages (never the password), shown once by the
# exam page it redirects to.
_SIGN_REFUSED = "sign_refused"


@bp.post("/exams/<uuid:exam_id>/sign")
@access(Capability.EXAMINE)
def sign(exam_id: uuid.UUID) -> Response:
    """Sign the exam after the clinician enters their password again. Signed or refused, the
    answer is a redirect (post/redirect/get): a reload or the back button shows the exam again
    and never sends the password a second time. A refusal's messages wait at the sign button."""
    form = SignForm()
    valid = form.validate_on_submit()  # before the exam's row lock is taken
    exam = or_404(get_exam_for_change(db_session(), exam_id, WHOLE_EXAM))
    if valid:
        try:
            actor = current_actor()
            caller = caller_for(actor.email, current_session_row())
            sign_exam(db_session(), exam, actor, form.password.data, caller)
        except DomainError as error:
            # A refused sign changed nothing but the count of failed password checks, which
            # must stay counted.
            db_session().commit()
            _refuse_sign(form, error)
        else:
            db_session().commit()
            flash("Exam signed. Corrections from now on are addenda.", "success")
            return redirect(url_for("exams.show", exam_id=exam.uuid), 303)
    password = list(form.password.errors)
    others = [m for name, ms in form.errors.items() if name != "password" for m in ms]
    session[_SIGN_REFUSED] = {
        "exam": str(exam.uuid),
        "password": password,
        "form": [*form.form_errors, *(m for m in others if m not in form.form_errors)],
    }
    return redirect(url_for("exams.show", exam_id=exam.uuid, _anchor="sign-refused"), 303)


def _refuse_sign(form: SignForm, error: DomainError) -> None:
    """Put a refused sign's reasons on its form. What is still to record is listed right above
    the sign button already ("Before signing, record:"): the refusal counts it, not repeats it."""
    if not isinstance(error, NotReadyToSignError):
        form.populate_errors(error)
        return
    form.populate_errors(DomainError([reason for reason in error.reasons if reason[0] != "exam"]))
    count = len(error.missing)
    listed = "1 finding listed above is" if count == 1 else f"{count} findings listed above are"
    form.form_errors.insert(0, f"Not signed: {listed} still to record.")


def _refused_sign_form(exam: Exam) -> SignForm:
    """The sign form, with the messages of this exam's refused sign if one just redirected here
    (shown once, like a flash)."""
    form = SignForm(formdata=None)
    refused = session.get(_SIGN_REFUSED)
    if isinstance(refused, dict) and refused.get("exam") == str(exam.uuid):
        session.pop(_SIGN_REFUSED)
        form.password.errors = list(refused.get("password", []))
        form.form_errors.extend(refused.get("form", []))
    return form


@bp.post("/exams/<uuid:exam_id>/addenda")
@access(Capability.EXAMINE)
def add_addendum_view(exam_id: uuid.UUID) -> str | Response:
    """Append an addendum to a signed exam."""
    exam = or_404(get_exam(db_session(), exam_id))
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            add_addendum(db_session(), exam, form.text.data, current_actor())
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash("Addendum added.", "success")
            return redirect(url_for("exams.show", exam_id=exam.uuid, _anchor="addenda"))
    return _show(exam, addendum_form=form)


@bp.post("/exams/<uuid:exam_id>/entered-in-error")
@access((Capability.EXAMINE, Capability.MANAGE_USERS))
def entered_in_error(exam_id: uuid.UUID) -> str | Response:
    """Mark a signed exam as entered in error (its signer or an administrator)."""
    exam = or_404(get_exam(db_session(), exam_id))
    form = EnteredInErrorForm()
    if form.validate_on_submit():
        try:
            mark_entered_in_error(db_session(), exam, form.reason.data, current_actor())
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash("The exam is marked entered in error.", "success")
            return redirect(url_for("exams.show", exam_id=exam.uuid))
    return _show(exam, error_form=form)


def _examiner_form(exam: Exam, *, posted: bool) -> ExaminerForm:
    """The form that hands a draft to another clinician, offering every other active one."""
    form = ExaminerForm() if posted else ExaminerForm(formdata=None)
    examiner = str(exam.clinician.uuid)
    form.clinician.choices = [
        choice for choice in _examiner_choices(current_actor()) if choice.value != examiner
    ]
    return form


@bp.post("/exams/<uuid:exam_id>/examiner")
@access(Capability.MANAGE_USERS)
def reassign_examiner_view(exam_id: uuid.UUID) -> str | Response:
    """Hand a draft to another examining clinician (administrators), audited."""
    exam = or_404(get_exam_for_change(db_session(), exam_id, WHOLE_EXAM))
    form = _examiner_form(exam, posted=True)
    if form.validate_on_submit():
        try:
            chosen = _chosen_clinician(form.clinician.data)
            reassign_examiner(db_session(), exam, chosen, current_actor())
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash(f"{exam.clinician.signature_name} now examines this draft.", "success")
            return redirect(url_for("exams.show", exam_id=exam.uuid))
    return _show(exam, examiner_form=form)
