"""Any JSON value given to the document readers gives a result or field errors, never an exception;
whatever they accept can be stored as typed; unknown keys cost time in proportion to their number.

Property-based (Hypothesis), derandomized with a bounded number of examples, so every run tries the
same cases and the suite stays fast."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.domain import document_fields
from clinic.domain.body_areas import ZONE_CODES
from clinic.domain.document_fields import parse_exam_json, unstorable
from clinic.domain.document_reading import (
    MAX_TRIGGER_POINTS,
    read_exam_document,
    read_impression,
    read_survey,
    read_tender_point,
    read_trigger_point,
)
from clinic.domain.errors import DomainError
from clinic.domain.muscles import MUSCLES
from clinic.domain.sites import ALL_SITES
from clinic.domain.wpi import PAIN_AREAS
from tests.domain.test_document import document_of

FIXED = settings(
    derandomize=True,  # the same examples on every run and every machine
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text as a hostile client may send it: any code point, lone surrogates and NUL included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
CODES = st.sampled_from(
    [site.code for site in ALL_SITES]
    + [muscle.code for muscle in MUSCLES]
    + sorted(ZONE_CODES)[:20]
    + [area.code for area in PAIN_AREAS]
    + ["left", "right", "midline", "yes", "no", "not_assessed", "present", "I", "IV", "active"]
    + ["kPa", "N", "kgf/cm2", "lbf", "other", "2.5", "0.01", "-1", "1e3", "2026-11-02", ""]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-2, 12)
    | st.integers()
    | st.floats(allow_nan=False)
    | CODES
    | ANY_TEXT
    | st.sampled_from(["\ud800", "a\x00b", "\u202egnp.exe", "=cmd|'/C calc'!A0", "x" * 5000])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT | CODES, inner, max_size=4)
    ),
    max_leaves=12,
)


def _places(value: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield value, key
            yield from _places(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield value, index
            yield from _places(item)


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """A copy of a sound value with a few parts replaced, added or removed."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        places = list(_places(value))
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "add", "remove"]))
        if action == "replace":
            container[key] = draw(JSON)
        elif action == "add" and isinstance(container, dict):
            container[draw(ANY_TEXT | CODES)] = draw(JSON)
        elif action == "add":
            container.append(draw(JSON))
        else:
            del container[key]
    return value


def _strings(value: Any) -> Iterator[str]:
    """Every string a read result holds."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)


def _refusal(read: Callable[[Any], Any], value: Any) -> tuple[Any, list[tuple[str, str]]]:
    """What the reader gave, or None and the reasons it refused the value for."""
    try:
        return read(value), []
    except DomainError as refused:
        return None, refused.reasons or [("", "")]


def _result_or_field_errors(read: Callable[[Any], Any], value: Any) -> None:
    result, reasons = _refusal(read, value)
    for field, message in reasons:
        assert isinstance(field, str)
        assert isinstance(message, str)
        assert message
    for text in _strings(result):
        assert unstorable(text) is None, f"{text!r} was accepted"


DOCUMENT = document_of()
SOUND_TENDER_POINT = DOCUMENT["tender_points"][0]
SOUND_TRIGGER_POINT = DOCUMENT["trigger_points"][0]


@FIXED
@given(mutated(DOCUMENT))
def test_a_changed_document_reads_or_names_its_problems(document: Any) -> None:
    _result_or_field_errors(read_exam_document, document)


@FIXED
@given(JSON)
def test_any_json_value_as_a_document_reads_or_names_its_problems(value: Any) -> None:
    _result_or_field_errors(read_exam_document, value)


@FIXED
@given(JSON | mutated(SOUND_TENDER_POINT))
def test_any_tender_point_reads_or_names_its_problems(value: Any) -> None:
    _result_or_field_errors(read_tender_point, value)


@FIXED
@given(JSON | mutated(SOUND_TRIGGER_POINT))
def test_any_trigger_point_reads_or_names_its_problems(value: Any) -> None:
    _result_or_field_errors(read_trigger_point, value)


@FIXED
@given(JSON | mutated(DOCUMENT["survey"]))
def test_any_survey_reads_or_names_its_problems(value: Any) -> None:
    _result_or_field_errors(read_survey, value)


@FIXED
@given(JSON | mutated(DOCUMENT["impression"]))
def test_any_impression_reads_or_names_its_problems(value: Any) -> None:
    _result_or_field_errors(read_impression, value)


@FIXED
@given(
    st.text(st.characters(exclude_categories=()), max_size=40)
    | st.integers(1, 5000).map(lambda depth: "[" * depth + "]" * depth)
    | st.integers(1, 5000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth)
)
def test_any_text_parses_or_is_refused(text: str) -> None:
    _value, reasons = _refusal(parse_exam_json, text)  # a JSON value, or why there is none

    assert all(field == "document" and message for field, message in reasons)


# --- the cases the properties stand for, each once ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("notes", "\ud800", "contains a lone surrogate (U+D800), which is not a character"),
        ("notes", "a\x00b", "contains a NUL character (U+0000), which cannot be stored"),
        ("side", [], "must be one of: left, right, midline"),
        ("tenderness_grade", {}, "must be one of: 0, I, II, III, IV; or null"),
        ("nodule_length_mm", "1" * 10_000, 'must be a number written as a string, like "2.4"'),
    ],
)
def test_a_value_that_cannot_be_stored_is_named(field: str, value: Any, message: str) -> None:
    finding = {**SOUND_TRIGGER_POINT, field: value}

    with pytest.raises(DomainError) as refused:
        read_trigger_point(finding)

    assert (field, message) in refused.value.reasons


def test_fifty_thousand_unknown_keys_name_three_and_count_the_rest(monkeypatch) -> None:
    suggested: list[str] = []
    close = document_fields.get_close_matches
    monkeypatch.setattr(
        document_fields,
        "get_close_matches",
        lambda key, *args, **kwargs: suggested.append(key) or close(key, *args, **kwargs),
    )
    finding = {**SOUND_TENDER_POINT} | {f"k{n}": n for n in range(50_000)}

    with pytest.raises(DomainError) as refused:
        read_tender_point(finding)

    assert refused.value.reasons == [
        ("k0", "unknown key"),
        ("k1", "unknown key"),
        ("k2", "unknown key"),
        ("k3", "unknown key, and 49,996 more unknown keys in this object"),
    ]
    assert suggested == []  # no suggestion worked out per key


def test_one_or_two_unknown_keys_get_a_suggestion() -> None:
    with pytest.raises(DomainError) as refused:
        read_tender_point({**SOUND_TENDER_POINT, "ratng": 3, "x" * 100_000: 1})

    assert ("ratng", "unknown key; did you mean 'rating'?") in refused.value.reasons
    assert ("x" * 39 + "…", "unknown key") in refused.value.reasons


def test_a_list_longer_than_any_exam_holds_is_refused_without_reading_it() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["trigger_points"] = [{"side": []}] * (MAX_TRIGGER_POINTS + 1)
    document["tender_points"] = [SOUND_TENDER_POINT] * 1_000

    reasons = dict(read_errors(document))

    assert reasons["trigger_points"] == "must hold at most 200 entries, not 201"
    assert reasons["tender_points"] == "must hold at most 22 entries, not 1,000"


def test_problems_past_fifty_are_counted_not_listed() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["trigger_points"] = [{"side": "up", "rating": "x"}] * 100

    reasons = read_errors(document)

    assert len(reasons) == 51
    assert reasons[-1] == ("document", "and 150 more problems")


def test_nesting_deeper_than_python_recurses_is_refused_as_json() -> None:
    with pytest.raises(DomainError) as refused:
        parse_exam_json("[" * 100_000 + "]" * 100_000)

    assert refused.value.reasons == [("document", "is nested too deeply to read")]


def read_errors(document: Any) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as refused:
        read_exam_document(document)
    return refused.value.reasons
