"""Exams: start one for a patient, and the exam page."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from clinic.auth import access
from clinic.domain.errors import DomainError
from clinic.domain.roles import Capability, Role
from clinic.extensions import db_session
from clinic.forms.patients import StartExamForm
from clinic.services.exams import get_exam, start_exam
from clinic.services.patients import get_patient
from clinic.services.users import active_clinicians, get_user
from clinic.views.common import clinic_today, or_404

bp = Blueprint("exams", __name__)


@bp.route("/patients/<uuid:patient_id>/exams/new", methods=["GET", "POST"])
@access(Capability.EXAMINE)
def new(patient_id: uuid.UUID) -> str | Response:
    """Start a draft exam of a patient."""
    patient = or_404(get_patient(db_session(), patient_id))
    form = StartExamForm()
    form.clinician.choices = [
        SelectChoice(str(user.uuid), user.signature_name)
        for user in active_clinicians(db_session())
    ]
    if not form.is_submitted():
        form.exam_date.data = clinic_today()
        if Role.CLINICIAN in current_user.roles:
            form.clinician.data = str(current_user.uuid)
    if form.validate_on_submit():
        clinician = or_404(get_user(db_session(), uuid.UUID(form.clinician.data)))
        try:
            exam = start_exam(
                db_session(),
                patient,
                form.exam_date.data,
                clinician,
                clinic_today(),
                current_user._get_current_object(),
            )
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash("Exam started as a draft.", "success")
            return redirect(url_for("exams.show", exam_id=exam.uuid))
    return render_template("exams/new.html", form=form, patient=patient)


@bp.get("/exams/<uuid:exam_id>")
@access(Capability.VIEW_RECORDS)
def show(exam_id: uuid.UUID) -> str:
    """The exam page: its header for now; the findings forms come with exam capture."""
    exam = or_404(get_exam(db_session(), exam_id))
    return render_template("exams/show.html", exam=exam)
