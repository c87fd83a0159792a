"""One-time setup: the first administrator of a new installation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from clinic.auth import public, same_token, setup_done, start_session
from clinic.domain.errors import DomainError
from clinic.domain.roles import Role
from clinic.extensions import db_session
from clinic.forms.auth import SetupForm
from clinic.services.setup import setup_token
from clinic.services.users import UserDetails, create_user

bp = Blueprint("setup", __name__, url_prefix="/setup")


@bp.route("", methods=["GET", "POST"])
@public
def first_admin() -> str | Response:
    """Create the first administrator; gone once any user exists."""
    if setup_done():
        abort(404)
    form = SetupForm()
    if form.is_submitted():
        valid = form.validate()
        token = form.setup_token.data
        if token and not same_token(token, setup_token()):
            form.setup_token.errors.append("This is not the setup token this server printed.")
            valid = False
        if valid:
            roles = {Role.ADMIN} | ({Role.CLINICIAN} if form.also_clinician.data else set())
            details = UserDetails(
                email=form.email.data,
                display_name=form.display_name.data,
                credentials=form.credentials.data or "",
                licence_number=form.licence_number.data or "",
                roles=frozenset(roles),
            )
            try:
                user = create_user(db_session(), details, form.password.data, None)
            except DomainError as error:
                form.populate_errors(error)
            else:
                db_session().commit()
                start_session(user)
                flash("Welcome. Now enter your clinic's details.", "success")
                return redirect(url_for("admin.settings"))
    return render_template("setup.html", form=form)
