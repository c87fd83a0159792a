"""The JSON API's request and response models: they validate the requests, and the OpenAPI
document at /api/v1/openapi.json is generated from them (never kept by hand)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel
from pydantic_core import PydanticCustomError

from clinic.domain.document import FORMAT
from clinic.domain.scales import PRESSURE_UNIT_CODES
from clinic.views.api_cursors import decode_cursor

Sex = Literal["female", "male", "other", "unknown"]
Status = Literal["draft", "signed", "entered_in_error"]


class Strict(BaseModel):
    """Unknown fields are refused, so a misspelt field is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong and, for bad input, a message per field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, str] | None = Field(None, description="Message per field, by its path.")


def _is_day(value: object) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _cursor_of(key: Callable[[object], bool]) -> Callable[[str | None], str | None]:
    """A check that a cursor is one this API gave for this list (its key: a kind, a date)."""

    def check(text: str | None) -> str | None:
        values = decode_cursor(text) if text else None
        if text and (values is None or not key(values[0])):
            raise PydanticCustomError("cursor", "not a cursor this API gave")
        return text

    return check


_CURSOR = Field(None, max_length=200, description="Where the previous page ended.")


class Page(Strict):
    """Cursor pagination: pass `next_cursor` of one page as `cursor` to get the next."""

    cursor: str | None = _CURSOR
    limit: int = Field(50, ge=1, le=200, description="Items per page.")


class PatientQuery(Page):
    cursor: Annotated[str | None, AfterValidator(_cursor_of(lambda key: key == "patient"))] = (
        _CURSOR
    )
    q: str | None = Field(None, max_length=100, description="Name, MRN or date of birth.")


class PatientIn(Strict):
    mrn: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
    family_name: str = Field(min_length=1, max_length=100)
    given_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    sex: Sex


class PatientOut(BaseModel):
    id: uuid.UUID
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex


class PatientList(BaseModel):
    items: list[PatientOut]
    next_cursor: str | None


class ExamQuery(Page):
    cursor: Annotated[str | None, AfterValidator(_cursor_of(_is_day))] = _CURSOR
    patient_id: uuid.UUID | None = None
    start: date | None = Field(None, description="First exam date.")
    end: date | None = Field(None, description="Last exam date.")
    status: Status | None = None


class ExamCreate(Strict):
    patient_id: uuid.UUID
    exam_date: date
    clinician_id: uuid.UUID | None = Field(
        None,
        description="The examining clinician; the token's user when left out. Only an "
        "administrator's token may name another clinician (403 otherwise).",
    )


class ExamOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    exam_date: date
    status: Status
    clinician_id: uuid.UUID
    version: int
    etag: str = Field(description="Send it as If-Match to change the exam.")


class ExamList(BaseModel):
    items: list[ExamOut]
    next_cursor: str | None


# A finding's algometer reading: none, or a value in one of the scale's units.
_PRESSURE: dict[str, Any] = {
    "anyOf": [
        {"type": "null"},
        {"type": "object", "properties": {"unit": {"enum": list(PRESSURE_UNIT_CODES)}}},
    ]
}
_FINDINGS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "object", "properties": {"ppt": _PRESSURE}},
}


class ExamDocument(RootModel[dict[str, Any]]):
    """The canonical exam document (`format` = "tender-point-clinic/exam"); see the README's
    data dictionary. A PUT changes the findings, survey and impression of a draft."""

    model_config = ConfigDict(
        json_schema_extra={
            "properties": {
                "format": {"const": FORMAT},
                "tender_points": _FINDINGS,
                "trigger_points": _FINDINGS,
            }
        }
    )


class SignIn(Strict):
    password: str = Field(min_length=1, description="The examining clinician's password again.")


class AddendumIn(Strict):
    text: str = Field(min_length=1, max_length=10_000)


class AddendumOut(BaseModel):
    id: uuid.UUID
    created_at: str


class Scores(RootModel[dict[str, Any]]):
    """Every score and criterion with its version and result, as the exam document holds them."""


class ExportQuery(Strict):
    start: date | None = None
    end: date | None = None
    mrn: str | None = Field(None, max_length=32)
    signed_only: bool = False
    include_entered_in_error: bool = False
    deidentify: bool = False
    table: Literal["findings", "exams", "dictionary"] | None = None
    bom: bool = False
