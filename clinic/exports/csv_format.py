"""CSV writing for exports: UTF-8 (optionally with a BOM for spreadsheets), ISO dates, and no
cell that a spreadsheet could take for a formula.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading
apostrophe, the convention spreadsheets show as text (OWASP "CSV injection"). Numbers are never
neutralised: a negative algometer difference stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | bool | Decimal | date | datetime | None


def neutralise(text: str) -> str:
    """Text as a spreadsheet will show it, never run it."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def cell_text(value: Cell) -> str:
    """One cell: empty for None, true/false, ISO dates, plain decimals, neutralised text."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def stream_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    bom: bool = False,
    chunk_rows: int = 500,
    written: bool = False,
) -> Iterator[str]:
    """The CSV text in chunks of rows, as the rows arrive (nothing is gathered in memory).
    `written`: the rows' cells are already CSV text (cell_text applied by the row maker)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    first = buffer.getvalue()
    yield (BOM + first) if bom else first
    buffer.seek(0)
    buffer.truncate()
    if written:  # the writer's own loop takes the rows, a chunk at a time
        remaining = iter(rows)
        while True:
            writer.writerows(islice(remaining, chunk_rows))
            text = buffer.getvalue()
            if not text:
                return
            yield text
            buffer.seek(0)
            buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow(row if written else [cell_text(value) for value in row])
        pending += 1
        if pending == chunk_rows:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()
