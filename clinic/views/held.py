"""Finishing a save that was posted after the session expired."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from clinic.auth import SIGNED_IN, access
from clinic.extensions import db_session
from clinic.services.held_posts import held_for_another, take_held_post
from clinic.views.common import current_actor

bp = Blueprint("held", __name__)


@bp.get("/held/<token>")
@access(SIGNED_IN)
def resume(token: str) -> str | Response:
    """Show the held form, ready to send again with one tap; someone else who signed in on the
    same tablet goes home, and the form stays for the user who sent it."""
    session, user = db_session(), current_actor()
    held = take_held_post(session, token, user)
    someone_elses = held is None and held_for_another(session, token, user)
    session.commit()
    if someone_elses:
        flash(
            "The unsaved form on this tablet was sent by someone else. It is kept for them: it "
            "will be there when they sign in again.",
            "warning",
        )
        return redirect(url_for("main.index"))
    if held is None:
        abort(404)
    return render_template("held.html", held=held)
