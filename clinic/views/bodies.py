"""Reading what a request carries before any view uses it: its size, its text and its shape.

Every web request is held to one size limit (MAX_CONTENT_LENGTH). A form or a query string must be
UTF-8 with no NUL character (PostgreSQL cannot store one, SQLite would store it silently); a JSON
body must be UTF-8, valid JSON, at most MAX_JSON_DEPTH levels deep, at most MAX_JSON_KEYS keys in
one object and MAX_JSON_VALUES values in all, with no NUL and no lone surrogate in any string. Each
check costs time in proportion to the body, never more, and a refusal is a 4xx that names the
field: problem+json for the API and the tablet's autosave, an error page for the pages
(clinic.views.errors decides which).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from flask import Flask, request
from flask.wrappers import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from clinic.views.form_bodies import (
    FORM_TYPES,
    StrictFormParser,
    check_multipart,
    check_rows,
    read_urlencoded,
)
from clinic.views.refusals import NOT_UTF8, BodyRefusedError, shown, unstorable

MAX_JSON_DEPTH: Final = 16  # the exam document is 7 levels deep at most
MAX_JSON_KEYS: Final = 256  # in one object; the largest the API reads has about 40
MAX_JSON_VALUES: Final = 20_000  # in one body; a document with 200 trigger points has about 14,000

# Only escapes can put a NUL or a lone surrogate into a JSON string: a raw NUL is invalid JSON and a
# raw surrogate invalid UTF-8. A body without such an escape needs no look at its strings.
_UNSTORABLE_ESCAPE: Final = re.compile(r"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)")


class JSONBodyError(ValueError):
    """A JSON text this app does not read; `errors` names what is wrong, by path."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


# --- JSON -------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(data: str | bytes) -> Any:
    """Parse a JSON body strictly; JSONBodyError names what is wrong and where."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise JSONBodyError({"body": f"{NOT_UTF8} (byte {error.start + 1})"}) from None
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONBodyError({"body": _too_deep()}) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise JSONBodyError({"body": f"is not valid JSON: {error.msg} ({where})"}) from None
    except ValueError as error:  # a number of over 4,300 digits, NaN or Infinity
        raise JSONBodyError({"body": f"is not valid JSON: {error}"}) from None
    _check_shape(value)
    if _UNSTORABLE_ESCAPE.search(data):
        _check_strings(value)
    return value


def _too_deep() -> str:
    return f"is nested more than {MAX_JSON_DEPTH} levels deep"


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{shown(key)}" if parent else shown(key)


def _check_shape(value: Any) -> None:
    """Refuse nesting, crowded objects and too many values, looking at each container once."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    values = 0
    while stack:
        node, path, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise JSONBodyError({path or "body": _too_deep()})
        if isinstance(node, dict) and len(node) > MAX_JSON_KEYS:
            raise JSONBodyError({path or "body": _crowded(node)})
        values += len(node)
        if values > MAX_JSON_VALUES:
            raise JSONBodyError({"body": f"holds more than {MAX_JSON_VALUES:,} values"})
        if isinstance(node, dict):
            stack.extend((item, _path(path, key), depth + 1) for key, item in node.items())
        else:
            stack.extend((item, _path(path, index), depth + 1) for index, item in enumerate(node))


def _crowded(node: dict[str, Any]) -> str:
    named = ", ".join(repr(shown(key)) for key in list(node)[:3])
    return f"has {len(node):,} keys, more than the {MAX_JSON_KEYS} allowed (the first: {named})"


def _check_strings(value: Any) -> None:
    """Name every key and string value that cannot be stored (a few at most)."""
    errors: dict[str, str] = {}
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack and len(errors) < 5:
        node, path = stack.pop()
        if isinstance(node, str):
            reason = unstorable(node)
            if reason:
                errors[path or "body"] = reason
        elif isinstance(node, dict):
            for key, item in node.items():
                reason = unstorable(key)
                if reason:
                    errors[_path(path, key)] = f"its key {reason.removeprefix('contains ')}"
                stack.append((item, _path(path, key)))
        elif isinstance(node, list):
            stack.extend((item, _path(path, index)) for index, item in enumerate(node))
    if errors:
        raise JSONBodyError(errors)


class BodyJSON:
    """The JSON a request body is read with (werkzeug's Request.json_module): load_json's limits.
    The app's own JSON (its session cookie, its responses) stays Flask's."""

    loads = staticmethod(load_json)
    dumps = staticmethod(json.dumps)


class ClinicRequest(Request):
    """A request whose unreadable JSON or form is refused with the reason, field by field."""

    form_data_parser_class = StrictFormParser

    @property
    def json_module(self) -> Any:
        """The JSON this request's body is read with."""
        return BodyJSON

    @json_module.setter
    def json_module(self, _app_json: object) -> None:
        """Keep BodyJSON: Flask hands every request the app's JSON as it starts."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Refuse a JSON body that is not JSON (415) or not one this app reads (400)."""
        if e is None:
            raise _not_json()
        if isinstance(e, JSONBodyError):
            raise BodyRefusedError(400, "The body cannot be read", e.errors)
        raise BodyRefusedError(400, "The body cannot be read", {"body": str(e)})


def _not_json() -> BodyRefusedError:
    given = request.mimetype or "none"
    return BodyRefusedError(
        415, f"Send the body as JSON with Content-Type: application/json (not {shown(given)})"
    )


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") is not None


def json_body() -> Any:
    """The request's JSON body, read strictly; None when the request has no body at all."""
    if not _has_body() and not request.mimetype:
        return None
    if not request.is_json:
        raise _not_json()
    return request.get_json()


def json_object_body() -> dict[str, Any]:
    """The request's body, which must be a JSON object."""
    value = json_body()
    if not isinstance(value, dict):
        raise BodyRefusedError(400, "The body must be a JSON object", {"body": "must be an object"})
    return value


def form_body() -> MultiDict[str, str]:
    """The request's form, which must be sent as a form (read by form_bodies' rules)."""
    if request.mimetype not in FORM_TYPES:
        given = shown(request.mimetype or "none")
        raise BodyRefusedError(
            415, f"Send the body as a form (multipart/form-data or urlencoded, not {given})"
        )
    return request.form


def check_request() -> None:
    """Hold every request to the size limit, its query string and form to form_bodies' rules, and
    a body sent as JSON to load_json's, whichever view it goes to (the view then reads the value
    read here, even one that reads quietly)."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    if request.query_string:
        read_urlencoded(request.query_string, request.max_form_parts, "query")
    if request.is_json and _has_body():
        request.get_json()
        return
    if request.mimetype == FORM_TYPES[1]:
        check_multipart()
    elif request.mimetype != FORM_TYPES[0]:
        return
    check_rows(request.form)


def register_body_limits(app: Flask) -> None:
    """Read every request's body through these checks; call before CSRF protection reads forms."""
    app.request_class = ClinicRequest
    app.before_request(check_request)
