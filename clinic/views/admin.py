"""Administration: users and the clinic's settings."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clinic.auth import access, current_session_row
from clinic.domain.errors import DomainError
from clinic.domain.roles import Capability, Role
from clinic.domain.scales import PaperSize
from clinic.extensions import db_session
from clinic.forms.admin import ClinicSettingsForm, NewUserForm, ResetPasswordForm, UserForm
from clinic.forms.base import ClinicForm
from clinic.services import audit
from clinic.services.clinic import ClinicDetails, get_settings, time_zone_names, update_settings
from clinic.services.sessions import end_sessions_of
from clinic.services.users import (
    UserDetails,
    create_user,
    get_user,
    list_users,
    reset_password,
    set_active,
    update_user,
)
from clinic.views.common import current_actor, or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _details(form: UserForm) -> UserDetails:
    return UserDetails(
        email=form.email.data,
        display_name=form.display_name.data,
        credentials=form.credentials.data or "",
        licence_number=form.licence_number.data or "",
        roles=frozenset(Role(value) for value in form.roles.data or []),
    )


@bp.get("/users")
@access(Capability.MANAGE_USERS)
def users() -> str:
    """Every user with their roles and state."""
    return render_template("admin/users.html", users=list_users(db_session()), form=ClinicForm())


@bp.route("/users/new", methods=["GET", "POST"])
@access(Capability.MANAGE_USERS)
def new_user() -> str | Response:
    """Create a user with roles and a first password."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(db_session(), _details(form), form.password.data, current_actor())
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash(f"{user.display_name} can now sign in.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<uuid:user_id>", methods=["GET", "POST"])
@access(Capability.MANAGE_USERS)
def edit_user(user_id: uuid.UUID) -> str | Response:
    """Change a user's details and roles."""
    user = or_404(get_user(db_session(), user_id))
    form = UserForm(obj=user)
    if form.validate_on_submit():
        try:
            update_user(db_session(), user, _details(form), current_actor())
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash(f"{user.display_name}'s details are saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, reset_form=ResetPasswordForm(formdata=None)
    )


@bp.route("/users/<uuid:user_id>/password", methods=["POST"])
@access(Capability.MANAGE_USERS)
def reset_user_password(user_id: uuid.UUID) -> str | Response:
    """Set a new password for a user, ending their sessions."""
    user = or_404(get_user(db_session(), user_id))
    reset_form = ResetPasswordForm()
    if reset_form.validate_on_submit():
        try:
            reset_password(db_session(), user, reset_form.password.data, current_actor())
        except DomainError as error:
            reset_form.populate_errors(error)
        else:
            db_session().commit()
            flash(f"{user.display_name} has a new password.", "success")
            return redirect(url_for("admin.users"))
    form = UserForm(obj=user, formdata=None)
    return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form)


@bp.post("/users/<uuid:user_id>/sessions/end")
@access(Capability.MANAGE_USERS)
def end_user_sessions(user_id: uuid.UUID) -> Response:
    """End every session of a user (a lost tablet, a stolen cookie): they sign in again."""
    user = or_404(get_user(db_session(), user_id))
    ClinicForm()
    actor = current_actor()
    keep = current_session_row() if user.id == actor.id else None
    count = end_sessions_of(db_session(), user, "ended by an administrator", keep=keep)
    audit.record(db_session(), actor, "session.end_all", "user", user.uuid, {"ended": count})
    db_session().commit()
    flash(f"{user.display_name}'s sessions ended: {count}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.uuid))


@bp.post("/users/<uuid:user_id>/active")
@access(Capability.MANAGE_USERS)
def set_user_active(user_id: uuid.UUID) -> Response:
    """Deactivate or reactivate a user."""
    user = or_404(get_user(db_session(), user_id))
    ClinicForm()
    active = request.form.get("active") == "1"
    try:
        set_active(db_session(), user, active, current_actor())
    except DomainError as error:
        for _field, message in error.reasons:
            flash(message, "error")
    else:
        db_session().commit()
        flash(f"{user.display_name} is {'active' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/settings", methods=["GET", "POST"])
@access(Capability.MANAGE_SETTINGS)
def settings() -> str | Response:
    """The clinic's name, address, phone, time zone and paper size."""
    current = get_settings(db_session())
    form = ClinicSettingsForm(obj=current)
    form.time_zone.choices = time_zone_names()
    if form.validate_on_submit():
        details = ClinicDetails(
            name=form.name.data,
            address=form.address.data or "",
            phone=form.phone.data or "",
            time_zone=form.time_zone.data,
            paper_size=PaperSize(form.paper_size.data),
        )
        try:
            update_settings(db_session(), details, current_actor())
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            flash("Clinic settings saved.", "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)
