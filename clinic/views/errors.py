"""Error pages; an unexpected error rolls the request's transaction back."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from clinic.domain.errors import ExamLockedError
from clinic.extensions import db_session

MESSAGES = {
    400: "The request could not be understood.",
    403: "Your account's roles do not allow this page. Ask an administrator if you need it.",
    404: "There is nothing here. The link may be old or mistyped.",
    405: "This page does not accept that kind of request.",
    409: "This record can no longer change.",
}


def register_error_handlers(app: Flask) -> None:
    """Answer errors with a page in the app's look."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        message = (
            "This form was open too long or your session changed, so it was not saved. "
            "Go back, reload the page and submit again."
        )
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(ExamLockedError)
    def _locked(error: ExamLockedError) -> tuple[str, int]:
        message = " ".join(message for _field, message in error.reasons)
        return render_template("error.html", code=409, message=message), 409

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        specific = error.description != type(error).description
        message = (error.description if specific else None) or MESSAGES.get(code, "")
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> tuple[str, int]:
        db_session().rollback()
        message = "Something went wrong and nothing was saved. Please try again."
        return render_template("error.html", code=500, message=message), 500
