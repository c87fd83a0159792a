"""The project's clinical reference (docs/clinical-reference.md) read as data, and every code the
catalogues carry, for the tests that compare the two.

The reference is written from the published sources, never from the catalogues; these helpers only
read its tables. A missing file fails every test that reads it, loudly: it is never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from clinic.domain import body_structures
from clinic.domain.body_areas import BODY_AREAS
from clinic.domain.codes import Code
from clinic.domain.muscles import MUSCLES
from clinic.domain.sites import ALL_SITES
from clinic.domain.wpi import PAIN_AREAS

REPOSITORY = Path(__file__).resolve().parents[2]
REFERENCE_PATH = REPOSITORY / "docs" / "clinical-reference.md"
STATUSES = ("VERIFIED", "PARTIAL", "UNVERIFIED", "AMBIGUOUS")

_HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+[a-z]?)?)\.? ")
_SOURCE_KEY = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)*)\]")


def reference_text() -> str:
    """Return the clinical reference; fail loudly, never skip, when it is missing."""
    if not REFERENCE_PATH.is_file():
        raise AssertionError(f"the clinical reference is missing: {REFERENCE_PATH}")
    return REFERENCE_PATH.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Table:
    """One table of the reference: the section it stands in, its header and its rows."""

    section: str
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def _cells(line: str) -> list[str]:
    return [
        cell.strip().replace("`", "").replace("**", "") for cell in line.strip()[1:-1].split("|")
    ]


def _is_rule(lines: list[str]) -> bool:
    """Whether the line after a table's header is its |---|---| rule."""
    return bool(lines) and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[0].strip()) is not None


def _tables_in(text: str) -> Iterator[Table]:
    section = ""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        heading = _HEADING.match(lines[index])
        if heading:
            section = heading.group(1)
        if lines[index].startswith("|") and _is_rule(lines[index + 1 : index + 2]):
            header = tuple(_cells(lines[index]))
            index += 2
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                cells = _cells(lines[index])
                assert len(cells) == len(header), (section, lines[index])
                rows.append(dict(zip(header, cells, strict=True)))
                index += 1
            yield Table(section, header, tuple(rows))
            continue
        index += 1


@cache
def tables() -> tuple[Table, ...]:
    """Every table of the reference, in order."""
    return tuple(_tables_in(reference_text()))


def table(section: str, first_column: str) -> tuple[dict[str, str], ...]:
    """The rows of the one table in a section whose first column is named so."""
    found = [t for t in tables() if t.section == section and t.header[0] == first_column]
    assert len(found) == 1, f"section {section}: {len(found)} tables headed {first_column!r}"
    return found[0].rows


def status_of(cell: str) -> str:
    """The status word a status cell starts with (VERIFIED, PARTIAL, UNVERIFIED, AMBIGUOUS)."""
    word = re.match(r"[A-Z]+", cell)
    assert word is not None, cell
    assert word.group(0) in STATUSES, cell
    return word.group(0)


@dataclass(frozen=True)
class ListedCode:
    """A code as the reference's section 6 lists it."""

    code: str
    concept: str
    status: str
    used_for: str


@cache
def listed_codes() -> dict[str, ListedCode]:
    """Every SNOMED CT and LOINC code of section 6, by code; each is listed once."""
    listed: dict[str, ListedCode] = {}
    for found in tables():
        if not found.section.startswith("6.") or "Code" not in found.header:
            continue
        for row in found.rows:
            code = ListedCode(
                row["Code"], row["Concept"], status_of(row["Status"]), row["Used for"]
            )
            assert code.code not in listed, f"{code.code} is listed twice"
            listed[code.code] = code
    return listed


def codes_with_status(*statuses: str) -> dict[str, str]:
    """Code -> concept of the listed codes with one of these statuses."""
    return {c.code: c.concept for c in listed_codes().values() if c.status in statuses}


@cache
def key_values() -> dict[str, str]:
    """The numbers of the tables with a Key column (thresholds and limits), by key."""
    values: dict[str, str] = {}
    for found in tables():
        if found.header[:2] == ("Key", "Value"):
            for row in found.rows:
                assert row["Key"] not in values, f"{row['Key']} is given twice"
                values[row["Key"]] = row["Value"]
    return values


def value_range(key: str) -> tuple[int, int]:
    """A key whose value is written low-high ("12-19")."""
    low, high = key_values()[key].split("-")
    return int(low), int(high)


@cache
def source_keys() -> frozenset[str]:
    """The keys section 9 resolves."""
    return frozenset(row["Key"] for row in table("9", "Key"))


def cited_source_keys() -> set[str]:
    """Every [KEY] the reference cites outside section 9."""
    text = reference_text().split("\n## 9. Sources", 1)[0]
    return set(_SOURCE_KEY.findall(text))


def codes_of(cell: str) -> list[str]:
    """The codes in a cell ("50016007 113197003", "77568009 (fallback)", "none")."""
    return re.findall(r"\b\d{5,}(?:-\d)?\b", cell)


# Read from the reference once: tests and other test modules import these names.
VERIFIED_IN_REFERENCE: dict[str, str] = codes_with_status("VERIFIED")
PARTIAL_IN_REFERENCE: dict[str, str] = codes_with_status("PARTIAL")
NEVER_EMITTED: frozenset[str] = frozenset(codes_with_status("UNVERIFIED", "AMBIGUOUS"))


def catalogue_codes() -> list[tuple[str, Code]]:
    """Return (where, code) for every code any catalogue or the code module carries."""
    found: list[tuple[str, Code]] = []
    for name, value in vars(body_structures).items():
        if isinstance(value, Code):
            found.append((f"body_structures.{name}", value))
    for area in BODY_AREAS:
        if area.snomed is not None:
            found.append((f"area {area.code}", area.snomed))
    for site in ALL_SITES:
        for code in (site.snomed, site.laterality):
            if code is not None:
                found.append((f"site {site.code}", code))
    for muscle in MUSCLES:
        if muscle.snomed is not None:
            found.append((f"muscle {muscle.code}", muscle.snomed))
    for pain_area in PAIN_AREAS:
        for code in (pain_area.snomed, pain_area.laterality):
            if code is not None:
                found.append((f"WPI area {pain_area.code}", code))
    return found
