"""Every code in the catalogues is one the clinical reference lists, with the same status."""

from __future__ import annotations

import re

from clinic.domain.codes import SNOMED_CT, Confidence
from clinic.domain.muscles import MUSCLES
from clinic.domain.sites import ALL_SITES
from clinic.exports.fhir_codes import STANDARD_CODES
from tests.domain.reference import (
    NEVER_EMITTED,
    PARTIAL_IN_REFERENCE,
    REFERENCE_PATH,
    REPOSITORY,
    VERIFIED_IN_REFERENCE,
    catalogue_codes,
    listed_codes,
    reference_text,
)


def test_the_reference_is_the_projects_own() -> None:
    assert REFERENCE_PATH.is_file(), REFERENCE_PATH
    assert REFERENCE_PATH.is_relative_to(REPOSITORY)
    assert "ACR 1990 classification criteria" in reference_text()


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


def test_every_code_the_catalogues_or_exports_carry_is_listed_with_its_status() -> None:
    carried = [*catalogue_codes(), *(("export", code) for code in STANDARD_CODES.values())]
    listed = listed_codes()
    wrong = [
        (
            where,
            code.code,
            code.confidence.value,
            listed[code.code].status if code.code in listed else None,
        )
        for where, code in carried
        if code.code not in listed or listed[code.code].status != code.confidence.value.upper()
    ]
    assert wrong == []


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
    assert partial == set(PARTIAL_IN_REFERENCE) == {"1600003", "3478008", "75297007"}
    assert not any(
        code.emittable for _, code in catalogue_codes() if code.code in PARTIAL_IN_REFERENCE
    )


def test_no_unverified_code_is_catalogued() -> None:
    assert not [c for _, c in catalogue_codes() if c.confidence is Confidence.UNVERIFIED]
    assert not [(w, c.code) for w, c in catalogue_codes() if c.code in NEVER_EMITTED]
    # The reference's list of codes never to use: seven unverified muscles and joints, and the
    # code with two meanings.
    assert len(NEVER_EMITTED) == 8
    assert "24693007" in NEVER_EMITTED


def test_codes_the_reference_leaves_unbound_are_not_bound() -> None:
    carried = {code.code for _, code in catalogue_codes()} | {
        c.code for c in STANDARD_CODES.values()
    }
    unbound = {
        c.code for c in listed_codes().values() if c.used_for.startswith(("never", "not bound"))
    }
    assert unbound
    assert carried & unbound == set()


def test_one_display_and_confidence_per_code() -> None:
    seen: dict[str, tuple[str, Confidence]] = {}
    for where, code in catalogue_codes():
        first = seen.setdefault(code.code, (code.display, code.confidence))
        assert first == (code.display, code.confidence), where


def test_scm_code_is_never_on_a_trapezius_entry() -> None:
    # 22823000 is sternocleidomastoid; an early draft of the sources used it for trapezius.
    assert "Sternocleidomastoid" in listed_codes()["22823000"].concept
    assert "Trapezius" in listed_codes()["31764008"].concept
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
