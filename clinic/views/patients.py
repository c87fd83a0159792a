"""Patients: list and search, register, edit, and the patient page."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clinic.auth import access
from clinic.domain.errors import DomainError
from clinic.domain.roles import Capability
from clinic.domain.scales import Sex
from clinic.extensions import db, db_session
from clinic.forms.patients import PatientForm
from clinic.services.audit import Entry, record_reads
from clinic.services.patients import (
    PatientDetails,
    create_patient,
    exams_of,
    get_patient,
    search_patients,
    update_patient,
)
from clinic.views.common import clinic_today, current_actor, or_404

bp = Blueprint("patients", __name__, url_prefix="/patients")


@bp.get("")
@access(Capability.VIEW_RECORDS)
def index() -> str:
    """List patients, searched by name, MRN or date of birth, a page at a time."""
    query = request.args.get("q", "").strip()
    page = db.paginate(
        search_patients(query), per_page=current_app.config["PATIENTS_PER_PAGE"], error_out=False
    )
    return render_template("patients/index.html", page=page, query=query)


def _details(form: PatientForm) -> PatientDetails:
    return PatientDetails(
        mrn=form.mrn.data,
        family_name=form.family_name.data,
        given_name=form.given_name.data,
        date_of_birth=form.date_of_birth.data,
        sex=Sex(form.sex.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@access(Capability.EDIT_PATIENTS)
def new() -> str | Response:
    """Register a patient."""
    form = PatientForm()
    if form.validate_on_submit():
        try:
            patient = create_patient(db_session(), _details(form), clinic_today(), current_actor())
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash(f"{patient.full_name} is registered.", "success")
            return redirect(url_for("patients.show", patient_id=patient.uuid))
    return render_template("patients/form.html", form=form, patient=None)


@bp.get("/<uuid:patient_id>")
@access(Capability.VIEW_RECORDS)
def show(patient_id: uuid.UUID) -> str:
    """The patient's details and exams, newest first."""
    patient = or_404(get_patient(db_session(), patient_id))
    page = render_template(
        "patients/show.html", patient=patient, exams=exams_of(db_session(), patient)
    )
    record_reads(db_session(), current_actor(), [Entry("patient.view", "patient", patient_id)])
    return page


@bp.route("/<uuid:patient_id>/edit", methods=["GET", "POST"])
@access(Capability.EDIT_PATIENTS)
def edit(patient_id: uuid.UUID) -> str | Response:
    """Correct a patient's details."""
    patient = or_404(get_patient(db_session(), patient_id))
    form = PatientForm(obj=patient)
    if form.validate_on_submit():
        try:
            update_patient(
                db_session(),
                patient,
                _details(form),
                clinic_today(),
                current_actor(),
            )
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash("Patient details saved.", "success")
            return redirect(url_for("patients.show", patient_id=patient.uuid))
    return render_template("patients/form.html", form=form, patient=patient)
