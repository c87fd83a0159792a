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
from collections.abc import Callable, Iterable
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


def canonical_uuid(value: uuid.UUID | str | None) -> str | None:
    """A UUID as it enters the canonical form: 32 lowercase hex digits, or null (a UUID's text,
    with or without dashes, reads the same)."""
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return value.hex
    return value.replace("-", "").lower()


def canonical_detail(detail: Any) -> Any:
    """The detail as it is stored and hashed: plain JSON values (a UUID or a date becomes its
    text), so what is read back hashes exactly as what was written."""
    if detail is None:
        return None
    return json.loads(json.dumps(detail, default=str, allow_nan=False))


def sqlite_time_text(stored: str) -> str:
    """A time as SQLite keeps it ("2026-12-05 14:10:00.123456", always with microseconds, UTC)
    in the canonical form."""
    return stored.replace(" ", "T") + "Z"


def canonical_json(value: Any) -> str:
    """JSON as the log stores and hashes it: sorted keys, no spaces, non-ASCII escaped. The
    database keeps each row's detail in this form (the app's JSON serializer), so the check
    reads it as stored, without decoding it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def canonical_text(
    row_id: int,
    at: str,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_hex: str | None,
    patient_hex: str | None,
    detail_json: str | None,
    client_address: str | None,
    request_id: str | None,
    prev_hash: str,
) -> str:
    """The canonical content of one row from its columns in canonical form (time as
    canonical_time, uuids as hex, detail as canonical_json): the compact JSON object of the
    columns with its keys in sorted order, written out here once."""
    return _CANONICAL % (
        _string(action),
        "null" if actor_id is None else int(actor_id),
        _string(at),
        _string(client_address),
        detail_json if detail_json is not None else "null",
        _string(entity_type),
        _string(entity_hex),
        int(row_id),
        _string(patient_hex),
        _string(prev_hash),
        _string(request_id),
    )


_CANONICAL = (
    '{"action":%s,"actor_id":%s,"at":%s,"client_address":%s,"detail":%s,"entity_type":%s,'
    '"entity_uuid":%s,"id":%d,"patient_uuid":%s,"prev_hash":%s,"request_id":%s}'
)
_encode_string = json.encoder.encode_basestring_ascii


def _string(value: str | None) -> str:
    return "null" if value is None else str(_encode_string(value))


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
    """The canonical content of one row, from its values as the app holds them."""
    return canonical_text(
        row_id,
        canonical_time(at),
        actor_id,
        action,
        entity_type,
        entity_uuid.hex if entity_uuid is not None else None,
        patient_uuid.hex if patient_uuid is not None else None,
        canonical_json(detail) if detail is not None else None,
        client_address,
        request_id,
        prev_hash,
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


def verify_rows(
    rows: Iterable[tuple[Any, ...]],
    head: Head | None,
    key: bytes,
    time_text: Callable[[Any], str] = canonical_time,
    uuid_hex: Callable[[Any], str | None] = canonical_uuid,
) -> Verdict:
    """Walk rows (ROW_COLUMNS, in id order; detail as its stored canonical JSON text, time and
    uuids as the database hands them, made canonical by `time_text` and `uuid_hex`): each must
    hash to its stored hash, carry its seal and follow the row before it; the last must be the
    sealed head. Name the first that fails."""
    expected_prev = GENESIS_HASH
    previous_id: int | None = None
    count = 0
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
        detail_json,
        client_address,
        request_id,
        prev_hash,
        stored_hash,
        stored_seal,
    ) in rows:
        content = canonical_text(
            row_id,
            time_text(at),
            actor_id,
            action,
            entity_type,
            uuid_hex(entity_uuid),
            uuid_hex(patient_uuid),
            detail_json,
            client_address,
            request_id,
            prev_hash,
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
