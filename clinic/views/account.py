"""A user's own account."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from clinic.auth import SIGNED_IN, access, start_session
from clinic.domain.errors import DomainError
from clinic.extensions import db_session
from clinic.forms.auth import ChangePasswordForm
from clinic.services.users import change_own_password
from clinic.views.common import current_actor

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("", methods=["GET", "POST"])
@access(SIGNED_IN)
def show() -> str | Response:
    """Show the account and change its password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            change_own_password(
                db_session(), user, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            form.populate_errors(error)
        else:
            db_session().commit()
            start_session(user)  # the password change ended older sessions; keep this one
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("account.show"))
    return render_template("account.html", form=form)
