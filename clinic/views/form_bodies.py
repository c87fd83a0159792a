"""Reading forms and query strings strictly: UTF-8, no NUL, a bounded number of fields and rows.

Werkzeug reads a field that is not UTF-8 as something else (%XX text, or U+FFFD) and takes a form
it cannot decode for an empty one; here such a field is refused by its name. A urlencoded form is
decoded at C speed, one regular-expression search and one escape decoding per field: Python's
unquote decodes escape by escape, 90 ms for a megabyte of them.
"""

from __future__ import annotations

import codecs
import re
from typing import IO, Any, Final

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.formparser import FormDataParser

from clinic.domain.document_reading import MAX_TRIGGER_POINTS
from clinic.views.refusals import NOT_UTF8, NUL_MESSAGE, BodyRefusedError, shown

FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")
# Rows of one list in a form (WTForms names them list-N-field): as many as an exam holds trigger
# points, plus the page's blank one. Each row costs a page about 2 ms to check and show again.
MAX_FORM_ROWS: Final = MAX_TRIGGER_POINTS + 1

_BARE_PERCENT: Final = re.compile(rb"%(?![0-9A-Fa-f]{2})")
BARE_PERCENT: Final = "holds a % not followed by two hexadecimal digits"
_ROW: Final = re.compile(r"(\w+)-(\d+)-")


def _unquoted(part: bytes) -> bytes | None:
    """A urlencoded name or value as bytes (+ a space, %XX its byte); None when a % is not
    followed by two hexadecimal digits, which no browser sends."""
    part = part.replace(b"+", b" ")
    if b"%" not in part:
        return part
    if _BARE_PERCENT.search(part):
        return None
    # Every %XX becomes \xXX, which escape_decode reads in C; the backslashes already there are
    # doubled so that they stay themselves.
    return bytes(codecs.escape_decode(part.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0])


def _text(raw: bytes, field: str) -> str:
    unquoted = _unquoted(raw)
    if unquoted is None:
        raise BodyRefusedError(400, "Some values cannot be read", {field: BARE_PERCENT})
    try:
        text = unquoted.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefusedError(400, "Some values cannot be read", {field: NOT_UTF8}) from None
    if "\x00" in text:
        raise BodyRefusedError(400, "Some values cannot be stored", {field: NUL_MESSAGE})
    return text


def read_urlencoded(raw: bytes, most: int | None, part: str) -> list[tuple[str, str]]:
    """The fields of a urlencoded form or query string, in order; each refused by its name when
    it is not UTF-8 or holds a NUL, and the whole when it has more than `most` fields."""
    if most is not None and raw.count(b"&") >= most:
        raise BodyRefusedError(413, "Too many fields", {part: f"has more than {most:,} fields"})
    fields = []
    for item in raw.split(b"&"):
        if item:
            name, _, value = item.partition(b"=")
            key = _text(name, part)
            fields.append((key, _text(value, shown(key))))
    return fields


class StrictFormParser(FormDataParser):
    """Werkzeug's form parser, reading urlencoded forms with read_urlencoded."""

    def _parse_urlencoded(
        self, stream: IO[bytes], mimetype: str, content_length: int | None, options: Any
    ) -> Any:
        fields = read_urlencoded(stream.read(), self.max_form_parts, "form")
        return stream, self.cls(fields), self.cls()


def _first_field(fields: MultiDict[str, str], wrong: str) -> str | None:
    """The first field whose name or value holds the character `wrong`."""
    for key, value in fields.items(multi=True):
        if wrong in key or wrong in value:
            return shown(key)
    return None


def check_multipart() -> None:
    """Refuse multipart fields with a NUL or bytes that are not UTF-8 (werkzeug reads U+FFFD)."""
    raw = request.get_data(cache=True)  # the form is then parsed from these bytes
    fields = request.form
    field = _first_field(fields, "\x00") if b"\x00" in raw else None
    if field is not None:
        raise BodyRefusedError(400, "Some values cannot be stored", {field: NUL_MESSAGE})
    pairs = fields.items(multi=True)
    replaced = sum(key.count("\ufffd") + value.count("\ufffd") for key, value in pairs)
    if replaced > raw.count("\ufffd".encode()):
        field = _first_field(fields, "\ufffd") or "form"
        raise BodyRefusedError(400, "Some values cannot be read", {field: NOT_UTF8})


def check_rows(fields: MultiDict[str, str]) -> None:
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
