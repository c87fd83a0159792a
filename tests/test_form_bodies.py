"""Forms and query strings are read as the standard library reads them, except that a field which
is not UTF-8, holds a NUL or a % without two hexadecimal digits (which no browser sends) is refused
by its name (property-based, derandomized)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.views.form_bodies import read_urlencoded
from clinic.views.refusals import NUL_MESSAGE, BodyRefusedError

FIXED = settings(derandomize=True, database=None, deadline=None, max_examples=300)
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
RAW = st.text(st.sampled_from("ab=&%+\\x01fFE9D8C2"), max_size=30)


@FIXED
@given(st.lists(st.tuples(TEXT, TEXT), max_size=6))
def test_what_a_browser_encodes_is_read_back_exactly(fields: list[tuple[str, str]]) -> None:
    sent = [(name, value) for name, value in fields if name or value]

    assert read_urlencoded(urlencode(sent).encode(), None, "form") == sent


@FIXED
@given(RAW)
def test_any_ascii_form_reads_as_the_standard_library_reads_it_or_is_refused(raw: str) -> None:
    try:
        expected = parse_qsl(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        expected = None  # not UTF-8
    bare_percent = re.search(r"%(?![0-9A-Fa-f]{2})", raw)
    if expected is None or bare_percent or any("\x00" in n + v for n, v in expected):
        with pytest.raises(BodyRefusedError):
            read_urlencoded(raw.encode(), None, "form")
    else:
        assert read_urlencoded(raw.encode(), None, "form") == expected


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        (b"notes=%ED%A0%80", {"notes": "is not valid UTF-8 text"}),
        (b"ok=1&notes=a%00b", {"notes": NUL_MESSAGE}),
        (b"%ff=1", {"form": "is not valid UTF-8 text"}),
        (b"rate=100%", {"rate": "holds a % not followed by two hexadecimal digits"}),
        (b"a=1&" * 5, {"form": "has more than 5 fields"}),
    ],
)
def test_a_field_that_cannot_be_read_or_stored_is_refused_by_its_name(raw, errors):
    with pytest.raises(BodyRefusedError) as refused:
        read_urlencoded(raw, 5, "form")

    assert refused.value.errors == errors
