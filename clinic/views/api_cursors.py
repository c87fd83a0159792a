"""The JSON API's page cursors: opaque to callers, [key, row id] inside, checked on the way in so a
crafted one is refused (422 naming `cursor`) rather than reaching the database."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

ROW_ID_MAX = 2**63 - 1  # a BIGINT: a larger id in a cursor would fail in the database


def encode_cursor(values: list[Any]) -> str:
    """Return the opaque cursor for where a page ended."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> list[Any] | None:
    """The [key, row id] a cursor of this API holds, or None when it holds something else."""
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != 2:
        return None
    row_id = values[1]
    return values if type(row_id) is int and 0 < row_id <= ROW_ID_MAX else None
