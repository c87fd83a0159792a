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
from collections.abc import Callable
from typing import Any, Final

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from clinic.domain.document_reading import MAX_TRIGGER_POINTS

MAX_JSON_DEPTH: Final = 16  # the exam document is 7 levels deep at most
MAX_JSON_KEYS: Final = 256  # in one object; the largest the API reads has about 40
MAX_JSON_VALUES: Final = 20_000  # in one body; a document with 200 trigger points has about 14,000
MAX_NAME_SHOWN: Final = 40  # characters of a key or field name repeated in a message
# Rows of one list in a form (WTForms names them list-N-field): as many as an exam holds trigger
# points, plus the page's blank one. Each row costs a page about 2 ms to check and show again.
MAX_FORM_ROWS: Final = MAX_TRIGGER_POINTS + 1

FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_MESSAGE: Final = "contains a NUL character (U+0000), which cannot be stored"
NOT_UTF8: Final = "is not valid UTF-8 text"

# Only escapes can put a NUL or a lone surrogate into a JSON string: a raw NUL is invalid JSON and a
# raw surrogate invalid UTF-8. A body without such an escape needs no look at its strings.
_UNSTORABLE_ESCAPE: Final = re.compile(r"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)")
# %80-%FF: a form or query string without one decodes to ASCII, which is valid UTF-8.
_NON_ASCII_ESCAPE: Final = re.compile(rb"%[89a-fA-F][0-9a-fA-F]")
_RE_QUOTED: Final = re.compile(r"%[89A-F][0-9A-F]")
_BARE_PERCENT: Final = re.compile(rb"%(?![0-9a-fA-F]{2})")
_ROW: Final = re.compile(r"(\w+)-(\d+)-")


class BodyRefusedError(HTTPException):
    """A request refused for what its body or query string holds, with a message per field."""

    def __init__(self, code: int, title: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(description=title)
        self.code = code
        self.title = title
        self.errors = errors or {}


class JSONBodyError(ValueError):
    """A JSON text this app does not read; `errors` names what is wrong, by path."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def shown(name: str) -> str:
    """A key or field name as a message may repeat it: short, and only characters that print."""
    short = name if len(name) <= MAX_NAME_SHOWN else name[: MAX_NAME_SHOWN - 1] + "…"
    return short if short.isprintable() else ascii(short)[1:-1]


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


def unstorable(text: str) -> str | None:
    """Why a string cannot be stored as typed, or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return f"contains a lone surrogate (U+{code:04X}), which is not a character"
    return None


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


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies with load_json's limits."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON text strictly (see load_json)."""
        return load_json(s)


class ClinicRequest(Request):
    """A request whose unreadable JSON is refused with the reason, field by field."""

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
    """The request's form, which must be sent as a form (the checks of check_form ran on it)."""
    if request.mimetype not in FORM_TYPES:
        given = shown(request.mimetype or "none")
        raise BodyRefusedError(
            415, f"Send the body as a form (multipart/form-data or urlencoded, not {given})"
        )
    return request.form


# --- forms and query strings ------------------------------------------------------------------


Fields = Callable[[], MultiDict[str, str]]


def _first_field(fields: MultiDict[str, str], wrong: Callable[[str], str | None]) -> dict[str, str]:
    """The first field whose name or value is wrong, with the reason; {} when none is."""
    for key, value in fields.items(multi=True):
        for text in (key, value):
            reason = wrong(text)
            if reason:
                return {shown(key): reason}
    return {}


def _has_nul(text: str) -> str | None:
    return NUL_MESSAGE if "\x00" in text else None


def _check_encoded(raw: bytes, fields: Fields, part: str) -> None:
    """Refuse a form or query string (percent-encoded) with too many fields, a NUL or bytes that
    are not UTF-8."""
    most = request.max_form_parts
    if most is not None and raw.count(b"&") >= most:
        raise BodyRefusedError(413, "Too many fields", {part: f"has more than {most:,} fields"})
    if b"%00" in raw or b"\x00" in raw:
        problems = _first_field(fields(), _has_nul) or {part: NUL_MESSAGE}
        raise BodyRefusedError(400, "Some values cannot be stored", problems)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefusedError(400, "Some values cannot be read", {part: NOT_UTF8}) from None
    if not _NON_ASCII_ESCAPE.search(raw):
        return  # every byte it decodes to is ASCII
    # Werkzeug writes bytes that are not UTF-8 back as %XX text: fields holding more "%" than the
    # request sent as %25 or as a bare % held such bytes.
    parsed = fields()
    sent = raw.count(b"%25") + len(_BARE_PERCENT.findall(raw))
    read = sum(key.count("%") + value.count("%") for key, value in parsed.items(multi=True))
    if read > sent:
        wrong = _first_field(parsed, lambda text: NOT_UTF8 if _RE_QUOTED.search(text) else None)
        raise BodyRefusedError(400, "Some values cannot be read", wrong or {part: NOT_UTF8})


def _check_multipart(raw: bytes) -> None:
    """Refuse multipart fields with a NUL or bytes that are not UTF-8 (read as U+FFFD)."""
    fields = request.form
    if b"\x00" in raw:
        problems = _first_field(fields, _has_nul)
        if problems:
            raise BodyRefusedError(400, "Some values cannot be stored", problems)
    pairs = fields.items(multi=True)
    replaced = sum(key.count("\ufffd") + value.count("\ufffd") for key, value in pairs)
    if replaced > raw.count("\ufffd".encode()):
        wrong = _first_field(fields, lambda text: NOT_UTF8 if "\ufffd" in text else None)
        raise BodyRefusedError(400, "Some values cannot be read", wrong or {"form": NOT_UTF8})


def _check_rows(fields: MultiDict[str, str]) -> None:
    """Refuse a form with more rows in one list than a page ever shows."""
    rows: dict[str, set[int]] = {}
    for key in fields:
        row = _ROW.match(key)
        if row is None:
            continue
        seen = rows.setdefault(row[1], set())
        seen.add(int(row[2]))
        if len(seen) > MAX_FORM_ROWS:
            message = f"has more than {MAX_FORM_ROWS} rows"
            raise BodyRefusedError(413, "Too many rows", {shown(row[1]): message})


def check_request() -> None:
    """Hold every request to the size limit and its query string and form to check_form's rules."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    if request.query_string:
        _check_encoded(request.query_string, lambda: request.args, "query")
    if request.mimetype == FORM_TYPES[0]:
        _check_encoded(request.get_data(cache=True), lambda: request.form, "form")
    elif request.mimetype == FORM_TYPES[1]:
        _check_multipart(request.get_data(cache=True))
    else:
        return
    _check_rows(request.form)


def register_body_limits(app: Flask) -> None:
    """Read every request's body through these checks; call before CSRF protection reads forms."""
    app.request_class = ClinicRequest
    app.json = StrictJSONProvider(app)
    app.before_request(check_request)
