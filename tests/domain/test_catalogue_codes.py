"""Every code in the catalogues is one the shared domain reference lists, with its confidence."""

from __future__ import annotations

import re

from clinic.domain.codes import SNOMED_CT, Confidence
from clinic.domain.muscles import MUSCLES
from clinic.domain.sites import ALL_SITES
from tests.domain.reference import (
    NEVER_EMITTED,
    PARTIAL_IN_REFERENCE,
    REFERENCE_PATH,
    VERIFIED_IN_REFERENCE,
    catalogue_codes,
    reference_text,
)


def test_the_reference_is_found_beside_the_repository() -> None:
    assert REFERENCE_PATH.is_file(), REFERENCE_PATH
    assert "ACR 1990 fibromyalgia classification criteria" in reference_text()


def test_the_catalogues_carry_codes() -> None:
    assert len(catalogue_codes()) > 100


def test_every_code_appears_in_the_reference() -> None:
    text = reference_text()
    missing = [
        (where, code.code)
        for where, code in catalogue_codes()
        if not re.search(rf"(?<!\d){code.code}(?!\d)", text)
    ]
    assert missing == []


def test_every_code_is_snomed_ct() -> None:
    assert {code.system for _, code in catalogue_codes()} == {SNOMED_CT}


def test_verified_codes_are_verified_in_the_reference() -> None:
    wrong = [
        (where, code.code)
        for where, code in catalogue_codes()
        if code.confidence is Confidence.VERIFIED and code.code not in VERIFIED_IN_REFERENCE
    ]
    assert wrong == []


def test_partial_codes_are_partial_in_the_reference_and_never_emitted() -> None:
    partial = {code.code for _, code in catalogue_codes() if code.confidence is Confidence.PARTIAL}
    assert partial == set(PARTIAL_IN_REFERENCE)
    assert not any(
        code.emittable for _, code in catalogue_codes() if code.code in PARTIAL_IN_REFERENCE
    )


def test_no_unverified_code_is_catalogued() -> None:
    assert not [c for _, c in catalogue_codes() if c.confidence is Confidence.UNVERIFIED]
    assert not [(w, c.code) for w, c in catalogue_codes() if c.code in NEVER_EMITTED]


def test_one_display_and_confidence_per_code() -> None:
    seen: dict[str, tuple[str, Confidence]] = {}
    for where, code in catalogue_codes():
        first = seen.setdefault(code.code, (code.display, code.confidence))
        assert first == (code.display, code.confidence), where


def test_scm_code_is_never_on_a_trapezius_entry() -> None:
    # 22823000 is sternocleidomastoid; an early draft of the reference used it for trapezius.
    trapezius = [m for m in MUSCLES if "trapezius" in m.code] + [
        s for s in ALL_SITES if s.name == "Trapezius"
    ]
    assert trapezius
    for entry in trapezius:
        assert entry.snomed is not None
        assert entry.snomed.code == "31764008"
    for muscle in MUSCLES:
        if muscle.snomed is not None and muscle.snomed.code == "22823000":
            assert muscle.code.startswith("scm_")
