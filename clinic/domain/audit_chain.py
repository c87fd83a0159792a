"""The audit trail's hash chain: one canonical form of a row, its hash, its keyed seal, and the
walk that checks a whole log. Pure: hashlib, hmac and json only, so it is tested without a
database and the migration, the writer and the verifier share one definition.

A row's canonical content is the compact JSON (sorted keys, ASCII escapes) of its columns:
id, at (UTC, microseconds, "Z"), actor_id, action, entity_type, entity_uuid and patient_uuid
(32 hex digits or null), detail, client_address, request_id and prev_hash (the previous row's
hash; 64 zeros for the first row). Its hash is the SHA-256 of those bytes. Its seal is an
HMAC-SHA256 of "id:hash" under a key derived from the app's secret key, which is kept outside the
database: whoever rewrites the rows and their hashes cannot seal them again without the key. The
head (last id, last hash, row count) is sealed the same way, so cutting rows off the end shows.

This form is a contract with every row already written: never change it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
_ANCHOR_LABEL = b"audit-anchor"

# A row as the verifier reads it, in this column order.
ROW_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "action",
    "entity_type",
    "entity_uuid",
    "patient_uuid",
    "detail",
    "client_address",
    "request_id",
    "prev_hash",
    "row_hash",
    "row_hmac",
)


def anchor_key(secret_key: str | bytes) -> bytes:
    """The key sealing rows and the head: derived from the app's secret key with its own label."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, _ANCHOR_LABEL, hashlib.sha256).digest()


def canonical_time(at: datetime) -> str:
    """A timestamp as it enters the canonical form: UTC, microseconds, a final Z (a naive time is
    read as UTC, as SQLite hands it back)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def canonical_uuid(value: uuid.UUID | None) -> str | None:
    """A UUID as it enters the canonical form: 32 lowercase hex digits, or null."""
    return value.hex if value is not None else None


def canonical_detail(detail: Any) -> Any:
    """The detail as it is stored and hashed: plain JSON values (a UUID or a date becomes its
    text), so what is read back hashes exactly as what was written."""
    if detail is None:
        return None
    return json.loads(json.dumps(detail, default=str, allow_nan=False))


def canonical_bytes(
    row_id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_uuid: uuid.UUID | None,
    patient_uuid: uuid.UUID | None,
    detail: Any,
    client_address: str | None,
    request_id: str | None,
    prev_hash: str,
) -> bytes:
    """The canonical content of one row: sorted-key compact JSON of its columns."""
    return json.dumps(
        {
            "action": action,
            "actor_id": actor_id,
            "at": canonical_time(at),
            "client_address": client_address,
            "detail": detail,
            "entity_type": entity_type,
            "entity_uuid": entity_uuid.hex if entity_uuid is not None else None,
            "id": row_id,
            "patient_uuid": patient_uuid.hex if patient_uuid is not None else None,
            "prev_hash": prev_hash,
            "request_id": request_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode()


def row_hash(content: bytes) -> str:
    """The SHA-256 of a row's canonical content, as hex."""
    return hashlib.sha256(content).hexdigest()


def row_seal(key: bytes, row_id: int, hash_hex: str) -> str:
    """The keyed seal of a row: HMAC-SHA256 of "id:hash"."""
    return hmac.digest(key, f"{row_id}:{hash_hex}".encode(), "sha256").hex()


def head_seal(key: bytes, last_id: int, last_hash: str, row_count: int) -> str:
    """The keyed seal of the log's head: its last row and how many rows it holds."""
    return hmac.digest(key, f"head:{last_id}:{last_hash}:{row_count}".encode(), "sha256").hex()


@dataclass(frozen=True)
class Head:
    """The anchored end of the log, as stored beside it."""

    last_id: int
    last_hash: str
    row_count: int
    seal: str


@dataclass(frozen=True)
class Verdict:
    """What a walk of the log found: the rows that fit, and the first that does not (if any)."""

    rows: int
    bad_row: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when every row and the head fit."""
        return self.bad_row is None and not self.reason


def verify_rows(rows: Iterable[tuple[Any, ...]], head: Head | None, key: bytes) -> Verdict:
    """Walk rows (ROW_COLUMNS, in id order): each must hash to its stored hash, carry its seal
    and follow the row before it; the last must be the sealed head. Name the first that fails."""
    expected_prev = GENESIS_HASH
    previous_id: int | None = None
    count = 0
    dumps = json.dumps
    sha256 = hashlib.sha256
    digest = hmac.digest
    compare = hmac.compare_digest
    for (
        row_id,
        at,
        actor_id,
        action,
        entity_type,
        entity_uuid,
        patient_uuid,
        detail,
        client_address,
        request_id,
        prev_hash,
        stored_hash,
        stored_seal,
    ) in rows:
        content = dumps(
            {
                "action": action,
                "actor_id": actor_id,
                "at": canonical_time(at),
                "client_address": client_address,
                "detail": detail,
                "entity_type": entity_type,
                "entity_uuid": entity_uuid.hex if entity_uuid is not None else None,
                "id": row_id,
                "patient_uuid": patient_uuid.hex if patient_uuid is not None else None,
                "prev_hash": prev_hash,
                "request_id": request_id,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        if sha256(content).hexdigest() != stored_hash:
            return Verdict(count, row_id, "its content does not match its hash (changed)")
        seal = digest(key, f"{row_id}:{stored_hash}".encode(), "sha256").hex()
        if not compare(seal, stored_seal or ""):
            return Verdict(count, row_id, "its seal does not match (written without the key)")
        if prev_hash != expected_prev:
            after = f"row {previous_id}" if previous_id is not None else "the start of the log"
            return Verdict(
                count, row_id, f"it does not follow {after} (a row was removed, added or moved)"
            )
        expected_prev = stored_hash
        previous_id = row_id
        count += 1
    return _check_head(count, previous_id, expected_prev, head, key)


def _check_head(
    count: int, last_id: int | None, last_hash: str, head: Head | None, key: bytes
) -> Verdict:
    if head is None:
        if count:
            return Verdict(count, last_id, "the log has rows but no anchored head")
        return Verdict(0)
    if not hmac.compare_digest(
        head_seal(key, head.last_id, head.last_hash, head.row_count), head.seal
    ):
        return Verdict(count, head.last_id, "the anchored head's seal does not match")
    if last_id is None or last_id < head.last_id:
        cut_after = "the start of the log" if last_id is None else f"row {last_id}"
        return Verdict(
            count, head.last_id, f"the log ends at {cut_after}: rows up to this one were removed"
        )
    if last_id != head.last_id or last_hash != head.last_hash:
        return Verdict(count, last_id, f"the log runs past its anchored head (row {head.last_id})")
    if count != head.row_count:
        return Verdict(count, last_id, f"the log holds {count} rows, its head {head.row_count}")
    return Verdict(count)
