"""A user's own account."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from clinic.auth import (
    SIGNED_IN,
    access,
    current_session_row,
    end_session,
    session_limits,
    start_session,
)
from clinic.domain.errors import DomainError
from clinic.extensions import db_session
from clinic.forms.api_tokens import ApiTokenForm, RevokeForm
from clinic.forms.auth import ChangePasswordForm
from clinic.models import User
from clinic.services import audit
from clinic.services.api_tokens import create_token, revoke_token, user_tokens
from clinic.services.sessions import (
    SessionView,
    active_sessions,
    end_session_of,
    end_sessions_of,
)
from clinic.services.users import change_own_password
from clinic.views.common import current_actor

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(form: ChangePasswordForm, token_form: ApiTokenForm, new_token: str = "") -> str:
    user = current_actor()
    tokens = user_tokens(db_session(), user)
    return render_template(
        "account.html",
        form=form,
        token_form=token_form,
        tokens=tokens,
        new_token=new_token,
        revoke_form=RevokeForm(formdata=None),
        sessions=_sessions_of(user),
    )


@bp.route("", methods=["GET", "POST"])
@access(SIGNED_IN)
def show() -> str | Response:
    """Show the account and change its password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            change_own_password(
                db_session(),
                user,
                form.current_password.data,
                form.new_password.data,
                current_session_row(),
            )
        except DomainError as error:
            db_session().commit()  # a wrong current password stays counted
            form.populate_errors(error)
        else:
            db_session().commit()
            start_session(user)  # the password change ended older sessions; keep this one
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("account.show"))
    return _page(form, ApiTokenForm(formdata=None))


@bp.post("/tokens")
@access(SIGNED_IN)
def create_token_view() -> str:
    """Make a personal API token; its text is shown on this page once, never again."""
    token_form = ApiTokenForm()
    new_token = ""
    if token_form.validate_on_submit():
        try:
            new_token, _ = create_token(db_session(), current_actor(), token_form.name.data)
        except DomainError as error:
            db_session().rollback()
            token_form.populate_errors(error)
        else:
            db_session().commit()
            token_form = ApiTokenForm(formdata=None)
    return _page(ChangePasswordForm(formdata=None), token_form, new_token)


@bp.post("/tokens/<uuid:token_id>/revoke")
@access(SIGNED_IN)
def revoke_token_view(token_id: uuid.UUID) -> Response:
    """Stop one of the user's tokens working."""
    form = RevokeForm()
    user = current_actor()
    token = next((t for t in user_tokens(db_session(), user) if t.uuid == token_id), None)
    if token is None:
        abort(404)
    if form.validate_on_submit():
        revoke_token(db_session(), user, token)
        db_session().commit()
        flash(f"The token “{token.name}” no longer works.", "success")
    return redirect(url_for("account.show"))


@bp.post("/sessions/<uuid:session_id>/end")
@access(SIGNED_IN)
def end_session_view(session_id: uuid.UUID) -> Response:
    """End one of the user's sessions (a tablet left signed in elsewhere); ending this one is
    signing out."""
    RevokeForm()  # CSRF is checked globally; the form only documents that a token is posted
    user = current_actor()
    here = next((s for s in _sessions_of(user) if s.id == session_id and s.current), None)
    if not end_session_of(db_session(), user, session_id, user, "ended by its user"):
        abort(404)
    db_session().commit()
    if here is not None:
        end_session("ended by its user")
        flash("You are signed out.", "success")
        return redirect(url_for("auth.login"))
    flash("That session is ended: its device must sign in again.", "success")
    return redirect(url_for("account.show", _anchor="sessions"))


@bp.post("/sessions/end-others")
@access(SIGNED_IN)
def end_other_sessions_view() -> Response:
    """End every session of the user but this one."""
    RevokeForm()
    user = current_actor()
    count = end_sessions_of(db_session(), user, "ended by its user", keep=current_session_row())
    audit.record(db_session(), user, "session.end_others", "user", user.uuid, {"ended": count})
    db_session().commit()
    flash(f"Other sessions ended: {count}.", "success")
    return redirect(url_for("account.show", _anchor="sessions"))


def _sessions_of(user: User) -> list[SessionView]:
    idle, absolute = session_limits()
    return active_sessions(db_session(), user, idle, absolute, current_session_row())
