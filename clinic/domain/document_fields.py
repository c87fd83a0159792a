"""Typed reading of the JSON objects of an exam document, collecting every problem by its path.

The exam reader (clinic.domain.document_reading) describes each part of the document with these;
a value of the wrong type becomes a problem named by its path, never an exception half-way.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from difflib import get_close_matches
from enum import StrEnum
from typing import Final, TypeVar

from clinic.domain.errors import DomainError

Reasons = list[tuple[str, str]]
E = TypeVar("E", bound=StrEnum)

# The longest text each field takes: the capture forms' limits (for the MRN, the names, the
# muscle name and its location, the column's too).
TEXT_LIMITS: Final[Mapping[str, int]] = {
    "mrn": 32,
    "family_name": 100,
    "given_name": 100,
    "not_examined_reason": 500,
    "muscle_other_name": 120,
    "location_in_muscle": 120,
    "referral_description": 2000,
    "notes": 4000,
    "assessment": 10_000,
    "plan": 10_000,
}
_DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DECIMAL_LENGTH: Final = 24  # far more digits than any reading; Decimal() of more costs time
# Unknown keys named one by one in an object; the rest are counted. A suggestion is worked out
# only when an object has this few, and only for a key this short (difflib's cost grows with both).
UNKNOWN_KEYS_NAMED: Final = 3
SUGGESTED_FOR: Final = 2
SUGGESTED_KEY_LENGTH: Final = 64
NAME_SHOWN: Final = 40  # characters of a key repeated in a path or a message
# Problems reported for one document or finding; the rest are counted.
MAX_PROBLEMS_REPORTED: Final = 50
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ABSENT: Final = object()

# Validation names fields as the domain values do; the document spells some of them differently.
_DOCUMENT_KEYS: Final = {
    "site_code": "site",
    "muscle_code": "muscle",
    "ppt_value": "ppt.value",
    "ppt_probe_area_cm2": "ppt.probe_area_cm2",
}


def unstorable(text: str) -> str | None:
    """Why a string cannot be stored as typed, or None when it can."""
    if "\x00" in text:
        return "contains a NUL character (U+0000), which cannot be stored"
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return f"contains a lone surrogate (U+{code:04X}), which is not a character"
    return None


def shown(key: str) -> str:
    """A key as a path or message may repeat it: short, and only characters that print."""
    short = key if len(key) <= NAME_SHOWN else key[: NAME_SHOWN - 1] + "…"
    return short if short.isprintable() else ascii(short)[1:-1]


def _suggestion(key: str, keys: tuple[str, ...]) -> str:
    if len(key) > SUGGESTED_KEY_LENGTH:
        return ""
    close = get_close_matches(key, keys, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class DocumentObject:
    """One JSON object of the document: its path, the keys it may hold, and what is wrong."""

    def __init__(
        self,
        value: Mapping[str, object],
        path: str,
        problems: Reasons,
        keys: tuple[str, ...],
        derived: tuple[str, ...] = (),
    ) -> None:
        self.value, self.path, self.problems = value, path, problems
        self.first_problem = len(problems)
        known = frozenset(keys) | frozenset(derived)
        unknown = [key for key in value if key not in known]
        if unknown:
            self._unknown(unknown, keys)

    def _unknown(self, unknown: list[str], keys: tuple[str, ...]) -> None:
        """Name the first few unknown keys (with a suggestion when only one or two are wrong) and
        count the rest: time in proportion to the keys, whatever their number and length."""
        suggest = len(unknown) <= SUGGESTED_FOR
        for key in unknown[:UNKNOWN_KEYS_NAMED]:
            self.problem(shown(key), "unknown key" + (_suggestion(key, keys) if suggest else ""))
        rest = len(unknown) - UNKNOWN_KEYS_NAMED
        if rest > 0:
            key = shown(unknown[UNKNOWN_KEYS_NAMED])
            self.problem(key, f"unknown key, and {rest - 1:,} more unknown keys in this object")

    @property
    def sound(self) -> bool:
        """Whether nothing was wrong in this object so far."""
        return len(self.problems) == self.first_problem

    def at(self, key: str) -> str:
        """The path of a key of this object."""
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str) -> None:
        """Note a problem with a key of this object (once)."""
        # Only this object's own problems can repeat it; looking further back would cost time in
        # proportion to every problem of the document, for each one.
        noted = (self.at(key), message)
        if noted not in self.problems[self.first_problem :]:
            self.problems.append(noted)

    def _read(
        self, key: str, required: bool, accept: Callable[[object], bool], message: str
    ) -> object:
        value = self.value.get(key, _ABSENT)
        if value is _ABSENT:
            if required:
                self.problem(key, "is required")
            return _ABSENT
        if not accept(value):
            self.problem(key, message)
            return _ABSENT
        return value

    def text(self, key: str, *, required: bool = False) -> str:
        """A string that can be stored, at most its TEXT_LIMITS length; absent reads as empty."""
        value = self._read(key, required, lambda v: isinstance(v, str), "must be a string")
        if not isinstance(value, str):
            return ""
        limit = TEXT_LIMITS.get(key)
        if limit is not None and len(value) > limit:
            self.problem(key, f"must be at most {limit} characters long")
        elif reason := unstorable(value):
            self.problem(key, reason)
        return value

    def code(self, key: str) -> str | None:
        """A catalogue code, or null."""
        value = self._read(
            key, False, lambda v: v is None or isinstance(v, str), "must be a string or null"
        )
        if isinstance(value, str) and (reason := unstorable(value)):
            self.problem(key, reason)
            return None
        return value if isinstance(value, str) else None

    def flag(self, key: str, *, required: bool = False) -> bool | None:
        """true, false, or null (not asked, not assessed)."""
        nullable = not required
        message = "must be true, false or null" if nullable else "must be true or false"
        value = self._read(
            key, required, lambda v: isinstance(v, bool) or (nullable and v is None), message
        )
        return value if isinstance(value, bool) else None

    def whole(self, key: str, message: str) -> int | None:
        """A whole number or null; the domain checks its range, the message states it."""
        value = self._read(key, False, lambda v: v is None or type(v) is int, message)
        return value if type(value) is int else None

    def decimal(self, key: str, *, required: bool = False) -> Decimal | None:
        """A decimal number written as a string ("2.4"), or null."""
        value = self._read(
            key,
            required,
            lambda v: (
                (not required and v is None)
                or (
                    isinstance(v, str)
                    and len(v) <= _DECIMAL_LENGTH
                    and _DECIMAL.fullmatch(v) is not None
                )
            ),
            'must be a number written as a string, like "2.4"',
        )
        return Decimal(value) if isinstance(value, str) else None

    def choice(self, key: str, enum: type[E], *, required: bool = False) -> E | None:
        """One of an enumeration's values, or null where that is allowed."""
        allowed = ", ".join(member.value for member in enum)
        message = f"must be one of: {allowed}" + ("" if required else "; or null")
        values = {m.value for m in enum}
        value = self._read(
            key,
            required,
            lambda v: (not required and v is None) or (isinstance(v, str) and v in values),
            message,
        )
        return enum(value) if isinstance(value, str) else None

    def day(self, key: str) -> date | None:
        """A required date written YYYY-MM-DD."""
        value = self._read(key, True, lambda v: isinstance(v, str), "must be a date, YYYY-MM-DD")
        if not isinstance(value, str):
            return None
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.problem(key, "must be a date, YYYY-MM-DD")
            return None

    def public_id(self, key: str) -> uuid.UUID | None:
        """An id (a UUID written as a string), or null."""
        value = self._read(key, False, lambda v: v is None or isinstance(v, str), "must be a UUID")
        if not isinstance(value, str):
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.problem(key, "must be a UUID")
            return None

    def child(
        self,
        key: str,
        keys: tuple[str, ...],
        derived: tuple[str, ...] = (),
        *,
        required: bool = False,
    ) -> DocumentObject | None:
        """The object under a key; None when it is null, absent or not an object."""
        value = self._read(
            key,
            required,
            lambda v: isinstance(v, dict) or (not required and v is None),
            "must be an object" + ("" if required else " or null"),
        )
        if not isinstance(value, dict):
            return None
        return DocumentObject(value, self.at(key), self.problems, keys, derived)

    def items(self, key: str, most: int) -> list[tuple[str, object]]:
        """The entries of a list (at most `most` of them) with their paths; absent is empty."""
        value = self._read(key, False, lambda v: isinstance(v, list), "must be a list")
        if not isinstance(value, list):
            return []
        if len(value) > most:
            self.problem(key, f"must hold at most {most:,} entries, not {len(value):,}")
            return []
        return [(f"{self.at(key)}[{index}]", item) for index, item in enumerate(value)]

    def validated(self, reasons: Reasons) -> None:
        """Add the domain's reasons about this object, named by their document paths."""
        for field, message in reasons:
            self.problem(_DOCUMENT_KEYS.get(field, field), message)


def refusal(problems: Reasons, whole: str) -> DomainError:
    """The problems as a refusal: the first MAX_PROBLEMS_REPORTED, and how many more there are."""
    if len(problems) <= MAX_PROBLEMS_REPORTED:
        return DomainError(problems)
    rest = len(problems) - MAX_PROBLEMS_REPORTED
    return DomainError([*problems[:MAX_PROBLEMS_REPORTED], (whole, f"and {rest:,} more problems")])


def _as_object(
    value: object, path: str, problems: Reasons, keys: tuple[str, ...], derived: tuple[str, ...]
) -> DocumentObject | None:
    if not isinstance(value, dict):
        problems.append((path, "must be an object"))
        return None
    return DocumentObject(value, path, problems, keys, derived)


def object_at(
    value: object, path: str, problems: Reasons, keys: tuple[str, ...], derived: tuple[str, ...]
) -> DocumentObject | None:
    """The object at a path of the document, or None (and a problem) when it is something else."""
    if not isinstance(value, dict):
        problems.append((path, "must be an object"))
        return None
    return DocumentObject(value, path, problems, keys, derived)


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def parse_exam_json(text: str) -> object:
    """Parse a document's JSON text; a key given twice in one object is an error, not a choice."""
    try:
        return json.loads(
            text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant
        )
    except RecursionError:
        raise DomainError([("document", "is nested too deeply to read")]) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise DomainError([("document", f"is not valid JSON: {error.msg} ({where})")]) from None
    except ValueError as error:
        raise DomainError([("document", str(error))]) from None
