"""Reading a file to import, within bounds: a zip's members read as a stream and counted (never
trusting the sizes its headers claim), the text's size, a CSV's cells and rows, and a JSON
document's size and nesting capped; a file cut off is refused, not read as fewer exams.

Every refusal is an ImportFileError with one line saying why; nothing has been stored by then.
The caps are ImportLimits, set far above what a clinic's own export holds.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Any

import orjson

from clinic.services.imports import ImportProblem

MiB = 1024 * 1024
# Members are decompressed this much at a time, so a few kilobytes of a zip bomb are read
# before its ratio shows, not the megabytes a larger read would take in at once.
_CHUNK = 64 * 1024
# Below this, a member is too small for its ratio to mean anything.
_RATIO_FLOOR = 1 * MiB


class ImportFileError(ValueError):
    """A file refused as a whole, with one line saying why."""


@dataclass(frozen=True)
class ImportLimits:
    """The caps of an import; each a setting, CLINIC_IMPORT_<NAME> (CLINIC_IMPORT_MAX_BYTES)."""

    # Bytes of text read: the file, or the zip's members together once uncompressed.
    max_bytes: int = 256 * MiB
    # Uncompressed bytes per compressed byte of a zip member (a CSV export's is about 5-15).
    max_ratio: int = 100
    # Characters of one CSV cell (the longest a clinician can type is 10,000).
    max_cell_chars: int = 65_536
    # Rows of a findings CSV, and documents of a JSON file.
    max_rows: int = 1_000_000
    max_documents: int = 100_000
    # Bytes of one JSON document, and how deeply its arrays and objects nest (an exam
    # document nests 8 deep).
    max_document_bytes: int = 8 * MiB
    max_depth: int = 32

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImportLimits:
        """The caps as the app's settings give them (IMPORT_MAX_BYTES, ...), else the defaults."""
        given = {f.name: config.get(f"IMPORT_{f.name.upper()}") for f in fields(cls)}
        return cls(**{name: int(value) for name, value in given.items() if value is not None})


@dataclass(frozen=True)
class ImportText:
    """The text of a file to import: what messages call it, and the zip's exams table if any
    (to check its findings table against)."""

    name: str
    text: str
    exams_csv: str | None = None


def _size(count: int) -> str:
    return f"{count / MiB:,.0f} MiB" if count >= MiB else f"{count:,} bytes"


class _Counted(io.RawIOBase):
    """A seekable file that counts the bytes read from it (a zip's compressed bytes)."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self.read_bytes += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


def read_import_file(file: IO[bytes], limits: ImportLimits) -> ImportText:
    """The text to import from a file: UTF-8 text, or a zip's findings.csv (and exams.csv)."""
    seekable = file.seekable()
    head = file.read(4)
    zipped = head == b"PK\x03\x04"
    if seekable:
        file.seek(0)
        head = b""
    if zipped:
        source = file if seekable else io.BytesIO(head + _capped(file, limits, len(head)))
        return _zip_text(source, limits)
    data = head + _capped(file, limits, len(head))
    name = Path(str(getattr(file, "name", "") or "the file")).name
    return ImportText(name, _utf8(data, "The file"))


def _capped(file: IO[bytes], limits: ImportLimits, already: int) -> bytes:
    data = file.read(limits.max_bytes - already + 1)
    if already + len(data) > limits.max_bytes:
        raise ImportFileError(
            f"The file is larger than {_size(limits.max_bytes)}: export fewer exams at a time "
            "(--from, --to)."
        )
    return data


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{name} is not UTF-8 text (byte {error.start:,}).") from None


def _zip_text(file: IO[bytes], limits: ImportLimits) -> ImportText:
    counted = _Counted(file)
    try:
        with zipfile.ZipFile(counted) as archive:
            names = set(archive.namelist())
            if "findings.csv" not in names:
                raise ImportFileError("The zip holds no findings.csv.")
            budget = [limits.max_bytes]
            findings = _member(archive, "findings.csv", counted, limits, budget)
            exams = None
            if "exams.csv" in names:
                exams = _member(archive, "exams.csv", counted, limits, budget)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise ImportFileError(f"The zip is damaged or cut off: {error}.") from None
    return ImportText("findings.csv", findings, exams)


def _member(
    archive: zipfile.ZipFile,
    name: str,
    counted: _Counted,
    limits: ImportLimits,
    budget: list[int],
) -> str:
    """A member's text, read a chunk at a time: refused once it is larger than what is left
    of the budget, or expands more than the ratio allows over the compressed bytes read."""
    parts: list[bytes] = []
    total = 0
    with archive.open(name) as member:
        started = counted.read_bytes
        while chunk := member.read(_CHUNK):
            total += len(chunk)
            if total > budget[0]:
                raise ImportFileError(
                    f"{name} is larger than {_size(limits.max_bytes)} uncompressed: export "
                    "fewer exams at a time (--from, --to)."
                )
            compressed = max(counted.read_bytes - started, 1)
            if total > _RATIO_FLOOR and total > compressed * limits.max_ratio:
                raise ImportFileError(
                    f"{name} expands more than {limits.max_ratio} times its compressed size: "
                    "not an export of this clinic (a zip bomb?)."
                )
            parts.append(chunk)
    budget[0] -= total
    return _utf8(b"".join(parts), name)


# --- CSV ---------------------------------------------------------------------------------------

CsvRow = tuple[int, dict[str, str]]


def _names(names: list[str]) -> str:
    """A few column names, as written (shortened, control characters escaped)."""
    shown = ", ".join(repr(name[:40]) for name in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _check_header(
    header: list[str], name: str, columns: Sequence[str], others: Mapping[str, Sequence[str]]
) -> None:
    if not header:
        raise ImportFileError(f"{name} is empty.")
    for table, theirs in others.items():
        if set(header) == set(theirs):
            raise ImportFileError(
                f"{name} is the {table} table: import findings.csv, or the zip that holds it."
            )
    unknown = [column for column in header if column not in columns]
    missing = [column for column in columns if column not in header]
    problems = []
    if unknown:
        problems.append(f"has columns this clinic does not know: {_names(unknown)}")
    if missing:
        problems.append(f"lacks the columns {_names(missing)}")
    if problems:
        # The header of the export, ending early (its last name perhaps cut in two).
        cut_short = bool(missing) and header[:-1] == list(columns[: len(header) - 1])
        raise ImportFileError(
            f"{name} {'; '.join(problems)}{': is it cut off?' if cut_short else '.'}"
        )
    twice = sorted({column for column in header if header.count(column) > 1})
    if twice:
        raise ImportFileError(f"{name} has these columns twice: {_names(twice)}.")


def csv_rows(
    text: str,
    name: str,
    columns: Sequence[str],
    limits: ImportLimits,
    others: Mapping[str, Sequence[str]] | None = None,
) -> list[CsvRow]:
    """The rows of a CSV table with these columns (in any order), numbered as records (the
    header is row 1); refused when cut off, with a column unknown, missing or twice, a row of
    another length, a cell or a count of rows over the caps."""
    if text and not text.endswith(("\n", "\r")):
        raise ImportFileError(
            f"{name} ends in the middle of a row: it looks cut off (an export ends every row "
            "with a line break)."
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = csv.field_size_limit(limits.max_cell_chars)
    try:
        header = next(reader, [])
        _check_header(header, name, columns, others or {})
        rows: list[CsvRow] = []
        for cells in reader:
            if not cells:
                continue  # a blank line
            if len(cells) != len(header):
                raise ImportFileError(
                    f"{name} line {reader.line_num}: {len(cells)} cells where the header has "
                    f"{len(header)}: is the file cut off?"
                )
            if len(rows) == limits.max_rows:
                raise ImportFileError(f"{name} holds more than {limits.max_rows:,} rows.")
            rows.append((len(rows) + 2, dict(zip(header, cells, strict=True))))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(
                f"{name} line {reader.line_num}: a cell is longer than "
                f"{limits.max_cell_chars:,} characters."
            ) from None
        raise ImportFileError(f"{name} line {reader.line_num}: {error}: is it cut off?") from None
    finally:
        csv.field_size_limit(previous)
    return rows


# --- JSON --------------------------------------------------------------------------------------


def _depth_over(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` deep (without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _checked(label: str, document: Any, limits: ImportLimits, size: int | None = None) -> Any:
    """A parsed document, refused when larger or deeper than the caps."""
    if size is None:
        size = len(orjson.dumps(document))
    if size > limits.max_document_bytes:
        raise ImportFileError(f"{label} is larger than {_size(limits.max_document_bytes)}.")
    if _depth_over(document, limits.max_depth):
        raise ImportFileError(f"{label} nests more than {limits.max_depth} levels deep.")
    return document


def json_documents(text: str, limits: ImportLimits) -> list[tuple[str, Any]]:
    """(label, document) of a JSON array or NDJSON text; a line that is not JSON is a problem
    of its record, a file cut off or over the caps is refused whole."""
    stripped = text.strip()
    if not stripped:
        raise ImportFileError("The file is empty.")
    if stripped.startswith("["):
        return _array(stripped, limits)
    return _lines(text, limits)


def _array(text: str, limits: ImportLimits) -> list[tuple[str, Any]]:
    try:
        documents = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        if str(error).startswith("unexpected end of data"):
            raise ImportFileError(
                "The file ends inside its JSON array: it looks cut off."
            ) from None
        raise ImportFileError(f"The file is not valid JSON: {error}.") from None
    if len(documents) > limits.max_documents:
        raise ImportFileError(f"The file holds more than {limits.max_documents:,} documents.")
    return [
        (f"document {number}", _checked(f"document {number}", document, limits))
        for number, document in enumerate(documents, start=1)
    ]


def _lines(text: str, limits: ImportLimits) -> list[tuple[str, Any]]:
    """NDJSON: one document a line, lines ended by \\n only (a document's text may hold
    U+2028 and the other breaks str.splitlines knows)."""
    lines = text.split("\n")
    last = max((n for n, line in enumerate(lines) if line.strip()), default=-1)
    pairs: list[tuple[str, Any]] = []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        label = f"line {index + 1}"
        if len(pairs) == limits.max_documents:
            raise ImportFileError(f"The file holds more than {limits.max_documents:,} documents.")
        # A character is 1 to 4 bytes of UTF-8: count the bytes only when it could matter.
        size = len(line) if len(line) * 4 <= limits.max_document_bytes else len(line.encode())
        if size > limits.max_document_bytes:
            raise ImportFileError(f"{label} is larger than {_size(limits.max_document_bytes)}.")
        try:
            document = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            if index == last and str(error).startswith("unexpected end of data"):
                raise ImportFileError(
                    f"{label} ends inside its document: the file looks cut off."
                ) from None
            pairs.append((label, ImportProblem(label, "json", str(error))))
            continue
        pairs.append((label, _checked(label, document, limits, size)))
    return pairs
