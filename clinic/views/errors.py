"""Error answers in the caller's format: problem+json for the API and the tablet's autosave, a page
in the app's look for everything else; an unexpected error rolls the request's transaction back."""

from __future__ import annotations

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from clinic.auth import API_ATTR, BACKGROUND_ATTR, problem
from clinic.domain.errors import ExamLockedError, NotExaminerError
from clinic.extensions import db_session
from clinic.views.refusals import BodyRefusedError

MESSAGES = {
    400: "The request could not be understood.",
    403: "Your account's roles do not allow this page. Ask an administrator if you need it.",
    404: "There is nothing here. The link may be old or mistyped.",
    405: "This page does not accept that kind of request.",
    409: "This record can no longer change.",
}


def _size_message() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = f" (at most {limit / 1_048_576:g} MB)" if limit else ""
    return f"What was sent is larger than this service accepts{size}; nothing was saved."


def wants_problem() -> bool:
    """Whether the caller reads problem+json: the API, and the scripts that autosave."""
    if request.path.startswith("/api/"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, API_ATTR, False) or getattr(view, BACKGROUND_ATTR, False)


def _answer(code: int, message: str, errors: dict[str, str] | None = None) -> Response:
    """The error in the caller's format, with a message per field when there are some."""
    if wants_problem():
        extra = {"errors": errors} if errors else {}
        return problem(code, message, **extra)
    if errors:
        message = f"{message}: " + "; ".join(f"{field} {text}" for field, text in errors.items())
    return make_response(render_template("error.html", code=code, message=message), code)


def register_error_handlers(app: Flask) -> None:
    """Answer errors in the caller's format."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        message = (
            "This form was open too long or your session changed, so it was not saved. "
            "Go back, reload the page and submit again."
        )
        return _answer(400, message)

    @app.errorhandler(ExamLockedError)
    def _locked(error: ExamLockedError) -> Response:
        return _answer(409, " ".join(message for _field, message in error.reasons))

    @app.errorhandler(NotExaminerError)
    def _not_examiner(error: NotExaminerError) -> Response:
        # Nothing was written: the refusal comes before any change.
        db_session().rollback()
        return _answer(403, str(error))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        if isinstance(error, BodyRefusedError):
            return _answer(error.code or 400, error.title, error.errors)
        code = error.code or 500
        if code == 413:
            return _answer(code, _size_message())
        specific = error.description != type(error).description
        message = (error.description if specific else None) or MESSAGES.get(code, "")
        answer = _answer(code, message)
        for name, value in error.get_headers():  # Allow on a 405, WWW-Authenticate on a 401
            if name.lower() != "content-type":
                answer.headers[name] = value
        return answer

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> Response:
        db_session().rollback()
        return _answer(500, "Something went wrong and nothing was saved. Please try again.")
