"""The exam capture pages: tender points, trigger points, survey, impression."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import FieldList

from clinic.auth import access
from clinic.domain.errors import DomainError, ExamLockedError, VersionConflictError
from clinic.domain.findings import TRIGGER_POINT_PLAIN_FIELDS
from clinic.domain.roles import Capability
from clinic.domain.scales import ExamStatus
from clinic.domain.sites import ALL_SITES, SITE_BY_CODE
from clinic.extensions import db_session
from clinic.forms.exam import (
    ImpressionForm,
    SurveyForm,
    TenderPointsForm,
    TriggerPointsForm,
    version_of,
)
from clinic.forms.fields import answer_text
from clinic.models import Exam
from clinic.services.exam_content import (
    NO_VERSION,
    RowErrors,
    TriggerPointRowInput,
    save_impression,
    save_survey,
    save_tender_points,
    save_trigger_points,
)
from clinic.services.examiners import check_examiner
from clinic.services.exams import get_draft_exam, get_exam_for_change, trigger_point_count
from clinic.views.common import current_actor, or_404

bp = Blueprint("capture", __name__, url_prefix="/exams/<uuid:exam_id>")


def _draft(exam_id: uuid.UUID) -> Exam:
    """The draft to show or change, when the signed-in user examines it (anyone else is refused
    with 403, NotExaminerError); a POST reads it under its row lock, after its form was checked
    (no request holds the lock while its input is validated)."""
    if request.method == "POST":
        exam = or_404(get_exam_for_change(db_session(), exam_id))
        if exam.status is not ExamStatus.DRAFT:
            raise ExamLockedError()
    else:
        exam = or_404(get_draft_exam(db_session(), exam_id))
    check_examiner(exam, current_actor())
    return exam


def _show_row_errors(rows: FieldList, entries: list[Any], error: RowErrors) -> None:
    """Put each refused row's reasons under its fields, and into the form's errors."""
    for index, reasons in error.errors.items():
        row = entries[index].form
        for field_name, message in reasons:
            field = row._fields.get(field_name) or row._fields[next(iter(row._fields))]
            field.errors = [*field.errors, message]
    # A FieldList gathers its rows' errors once, in validate(); gather them again so the page's
    # summary also reports the rows the service refused after validation.
    rows.errors = [entry.errors for entry in rows.entries]


def _saved(exam: Exam, message: str) -> Response:
    db_session().commit()
    flash(message, "success")
    return redirect(url_for("exams.show", exam_id=exam.uuid))


def _tender_point_rows(exam: Exam) -> list[dict[str, Any]]:
    stored = {row.site_code: row for row in exam.tender_points}
    rows = []
    for site in ALL_SITES:
        row = stored.get(site.code)
        values: dict[str, Any] = {"site_code": site.code, "version": "0"}
        if row is not None:
            values |= {
                "version": str(row.version),
                "examined": answer_text(row.examined),
                "not_examined_reason": row.not_examined_reason or "",
                "painful": row.painful,
                "rating": row.rating,
                "ppt_value": row.ppt_value,
                "ppt_unit": row.ppt_unit.value if row.ppt_unit else "",
                "ppt_probe_area_cm2": row.ppt_probe_area_cm2,
            }
        rows.append(values)
    return rows


@bp.route("/tender-points", methods=["GET", "POST"])
@access(Capability.EXAMINE)
def tender_points(exam_id: uuid.UUID) -> str | Response:
    """Record every tender-point and control site on one page."""
    if request.method == "POST":
        form = TenderPointsForm()
        valid = form.validate_on_submit()
        exam = _draft(exam_id)
    else:
        exam = _draft(exam_id)
        form, valid = TenderPointsForm(data={"sites": _tender_point_rows(exam)}), False
    if valid:
        recorded = [entry.form for entry in form.sites if entry.form.recorded]
        try:
            save_tender_points(
                db_session(),
                exam,
                [(row.to_input(), version_of(row.version)) for row in recorded],
                current_actor(),
            )
        except RowErrors as error:
            _show_row_errors(form.sites, [e for e in form.sites if e.form.recorded], error)
        else:
            return _saved(exam, "Tender points saved.")
    return render_template("exams/tender_points.html", exam=exam, form=form, sites=SITE_BY_CODE)


# New trigger points one page may add at once ("Add another trigger point" stops there).
NEW_ROWS_AT_ONCE = 10
_ROW_FIELD = re.compile(r"points-([0-9]{1,9})-")


def _posted_rows(form: Any) -> int:
    """How many trigger-point rows a posted page holds."""
    return len({found.group(1) for key in form if (found := _ROW_FIELD.match(key))})


def _trigger_point_rows(exam: Exam) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for row in exam.trigger_points:
        names = (*TRIGGER_POINT_PLAIN_FIELDS, "muscle_code", "muscle_other_name", "ppt_value")
        values = {name: getattr(row, name) for name in (*names, "ppt_probe_area_cm2")}
        rows.append(
            values
            | {
                "finding_id": str(row.uuid),
                "version": str(row.version),
                "side": row.side.value,
                "ppt_unit": row.ppt_unit.value if row.ppt_unit else "",
                "referral_zones": sorted(zone.zone_code for zone in row.referral_zones),
            }
        )
    return [*rows, {}]


@bp.route("/trigger-points", methods=["GET", "POST"])
@access(Capability.EXAMINE)
def trigger_points(exam_id: uuid.UUID) -> str | Response:
    """Add, change and remove the exam's trigger points."""
    if request.method == "GET":
        exam = _draft(exam_id)
        form, valid = TriggerPointsForm(data={"points": _trigger_point_rows(exam)}), False
    else:
        # Rows past what the exam holds plus NEW_ROWS_AT_ONCE come from no page we served: read
        # none of them (a page of 200 rows took 400 ms to check and show again).
        room = trigger_point_count(db_session(), exam_id) + NEW_ROWS_AT_ONCE
        posted = _posted_rows(request.form)
        if posted > room:
            exam = or_404(get_draft_exam(db_session(), exam_id))
            check_examiner(exam, current_actor())
            form = TriggerPointsForm(formdata=None, data={"points": _trigger_point_rows(exam)})
            form.form_errors.append(
                f"This page sent {posted} trigger points; the exam has {room - NEW_ROWS_AT_ONCE} "
                f"and at most {NEW_ROWS_AT_ONCE} new ones are saved at once. Nothing was saved."
            )
            return render_template("exams/trigger_points.html", exam=exam, form=form)
        form = TriggerPointsForm()
        if "add_row" in request.form:
            if posted < room:
                form.points.append_entry({})
            else:
                form.form_errors.append(
                    f"Save these trigger points before adding more: at most {NEW_ROWS_AT_ONCE} "
                    "new ones at a time."
                )
            return render_template("exams/trigger_points.html", exam=_draft(exam_id), form=form)
        valid = form.validate_on_submit()
        exam = _draft(exam_id)
    if valid:
        rows = [
            TriggerPointRowInput(
                finding_id=uuid.UUID(entry.form.finding_id.data)
                if entry.form.finding_id.data
                else None,
                version=version_of(entry.form.version),
                remove=bool(entry.form.remove.data),
                finding=None
                if entry.form.is_blank or entry.form.remove.data
                else entry.form.to_input(),
            )
            for entry in form.points
        ]
        try:
            save_trigger_points(db_session(), exam, rows, current_actor())
        except RowErrors as error:
            _show_row_errors(form.points, list(form.points), error)
        else:
            return _saved(exam, "Trigger points saved.")
    return render_template("exams/trigger_points.html", exam=exam, form=form)


@bp.route("/survey", methods=["GET", "POST"])
@access(Capability.EXAMINE)
def survey(exam_id: uuid.UUID) -> str | Response:
    """Record the history and criteria survey."""
    if request.method == "POST":
        form = SurveyForm()
        valid = form.validate_on_submit()
        exam = _draft(exam_id)
    else:
        exam = _draft(exam_id)
        stored = exam.survey
        form, valid = SurveyForm(obj=stored), False
        form.version.data = str(stored.version) if stored else "0"
        if stored is not None and stored.pain_areas:
            form.wpi_asked.data = "yes"
            form.pain_areas.data = [a.area_code for a in stored.pain_areas if a.painful]
    base = version_of(form.version)
    if valid and base is None:
        form.form_errors.append(NO_VERSION)
    elif valid and base is not None:
        try:
            save_survey(db_session(), exam, form.to_input(), base, current_actor())
        except DomainError as error:
            form.populate_errors(error)
        except VersionConflictError:
            form.form_errors.append("The survey was changed on another device; reload it first.")
        else:
            return _saved(exam, "Survey saved.")
    return render_template("exams/survey.html", exam=exam, form=form)


@bp.route("/impression", methods=["GET", "POST"])
@access(Capability.EXAMINE)
def impression(exam_id: uuid.UUID) -> str | Response:
    """Record the clinician's impression, assessment and plan."""
    if request.method == "POST":
        form = ImpressionForm()
        valid = form.validate_on_submit()
        exam = _draft(exam_id)
    else:
        exam = _draft(exam_id)
        form, valid = ImpressionForm(obj=exam), False
        form.version.data = str(exam.version)
    base = version_of(form.version)
    if valid and base is None:
        form.form_errors.append(NO_VERSION)
    elif valid and base is not None:
        try:
            save_impression(db_session(), exam, form.to_input(), base, current_actor())
        except VersionConflictError:
            form.form_errors.append("The exam was changed on another device; reload it first.")
        else:
            return _saved(exam, "Assessment saved.")
    return render_template("exams/impression.html", exam=exam, form=form)
