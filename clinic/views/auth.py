"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from clinic.auth import (
    SIGNED_IN,
    access,
    end_session,
    public,
    setup_done,
    start_session,
)
from clinic.extensions import db_session
from clinic.forms.auth import LoginForm
from clinic.forms.base import ClinicForm
from clinic.redirects import next_page_or_home
from clinic.services import audit
from clinic.services.users import SignInRefusedError, sign_in
from clinic.views.common import current_actor

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response:
    """Sign in with e-mail and password."""
    if not setup_done():
        return redirect(url_for("setup.first_admin"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in(db_session(), form.email.data, form.password.data)
        except SignInRefusedError as refusal:
            db_session().commit()  # the failure is counted even though sign-in was refused
            form.form_errors.append(str(refusal))
        else:
            db_session().commit()
            start_session(user)
            return redirect(_next_page())
    elif request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return render_template("auth/login.html", form=form)


def _next_page() -> str:
    """The page to go on to after signing in: the `next` page when it is one of this app's, as
    the browser will read it; else home."""
    return next_page_or_home(request.args.get("next"))


@bp.post("/logout")
@access(SIGNED_IN)
def logout() -> Response:
    """Sign out and forget the session."""
    ClinicForm()  # CSRF is checked globally; the form only documents that a token is posted
    user = current_actor()
    audit.record(db_session(), user, "user.sign_out", "user", user.uuid)
    db_session().commit()
    end_session()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/session/keep-alive")
@access(SIGNED_IN)
def keep_alive() -> Response:
    """Count as activity: the user answered the idle warning, so the session goes on."""
    return Response(status=204)
