"""Finishing a save that was posted after the session expired."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from clinic.auth import SIGNED_IN, access
from clinic.extensions import db_session
from clinic.services.held_posts import take_held_post
from clinic.views.common import current_actor

bp = Blueprint("held", __name__)


@bp.get("/held/<token>")
@access(SIGNED_IN)
def resume(token: str) -> str:
    """Show the held form, ready to send again with one tap."""
    held = take_held_post(db_session(), token, current_actor())
    db_session().commit()
    if held is None:
        abort(404)
    return render_template("held.html", held=held)
