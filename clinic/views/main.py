"""The landing page."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

from clinic.auth import SIGNED_IN, access

bp = Blueprint("main", __name__)


@bp.get("/")
@access(SIGNED_IN)
def index() -> Response:
    """Send a signed-in user to the patient list, where every job starts."""
    return redirect(url_for("patients.index"))
