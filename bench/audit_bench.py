"""Benchmark: the audit trail's cost and its check's speed.

1. `clinic audit verify` over a log of 200,000 rows (target: >= 100,000 rows/s), on SQLite and on
   PostgreSQL: the rows are written chained and sealed as the app writes them (in bulk, for
   speed of set-up), then verified through the same function the command runs.
2. The tablet's autosave (PUT a tender point, one audit row each) with and without audit
   logging, on SQLite and PostgreSQL (target: <= 10 % added). "Without" replaces the writer of
   audit rows by a no-op in this process only. Server time is the time inside the app's WSGI
   callable.

Rounds are interleaved (each measurement once per round, on every backend), so a busy moment of
the machine falls on all alike; the tables give the median of the rounds and their range.

    .venv/bin/python bench/audit_bench.py [--rounds 5] [--rows 200000] \
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/audit_trail_bench]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402 - after the path set-up above
from flask import Flask  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from clinic import create_app  # noqa: E402
from clinic.database import write_intent  # noqa: E402
from clinic.domain.audit_chain import (  # noqa: E402
    GENESIS_HASH,
    canonical_bytes,
    head_seal,
    row_hash,
    row_seal,
)
from clinic.domain.roles import Role  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.models import AuditEvent, AuditHead  # noqa: E402
from clinic.services import audit  # noqa: E402
from tests.conftest import sign_in_as  # noqa: E402
from tests.factories import make_exam, make_user  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/audit_trail_bench"
VERIFY_TARGET = 100_000  # rows per second
AUTOSAVE_TARGET = 0.10  # added share of server time
SAVES_PER_ROUND = 60


def _app(url: str) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench secret",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def _fill_log(app: Flask, count: int) -> None:
    """`count` rows chained and sealed exactly as the app writes them, inserted in bulk."""
    with app.app_context():
        key = audit.audit_key()
        start = datetime(2026, 1, 1, tzinfo=UTC)
        patient = uuid.uuid4()
        prev = GENESIS_HASH
        batch: list[dict[str, Any]] = []
        with db.engine.begin() as connection:
            for row_id in range(1, count + 1):
                at = start + timedelta(seconds=row_id)
                detail = {"old": {"rating": row_id % 10}, "new": {"rating": (row_id + 1) % 10}}
                values = (row_id, at, None, "exam.view", "exam", patient, patient, detail)
                extra = ("192.0.2.7", uuid.UUID(int=row_id).hex)
                hashed = row_hash(canonical_bytes(*values, *extra, prev))
                batch.append(
                    {
                        "id": row_id,
                        "at": at,
                        "actor_id": None,
                        "action": "exam.view",
                        "entity_type": "exam",
                        "entity_uuid": patient,
                        "patient_uuid": patient,
                        "detail": detail,
                        "client_address": extra[0],
                        "request_id": extra[1],
                        "prev_hash": prev,
                        "row_hash": hashed,
                        "row_hmac": row_seal(key, row_id, hashed),
                    }
                )
                prev = hashed
                if len(batch) == 10_000:
                    connection.execute(insert(AuditEvent), batch)
                    batch = []
            if batch:
                connection.execute(insert(AuditEvent), batch)
            connection.execute(
                insert(AuditHead).values(
                    id=audit.HEAD_ID,
                    last_id=count,
                    last_hash=prev,
                    row_count=count,
                    head_hmac=head_seal(key, count, prev, count),
                )
            )


def _verify_rate(app: Flask) -> tuple[float, int]:
    """Rows per second of one full verification, as `clinic audit verify` runs it."""
    with app.app_context():
        engine = db.engine
        options = (
            {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
        )
        intent = write_intent.set(False)
        try:
            started = time.perf_counter()
            with engine.connect().execution_options(**options) as connection:
                verdict = audit.verify_log(connection, audit.audit_key())
                connection.rollback()
            elapsed = time.perf_counter() - started
        finally:
            write_intent.reset(intent)
    if not verdict.ok:
        raise SystemExit(f"the bench log does not verify: row {verdict.bad_row}: {verdict.reason}")
    return verdict.rows / elapsed, verdict.rows


class ServerClock:
    """Times each request inside the app's WSGI callable."""

    def __init__(self, app: Flask) -> None:
        self.last_ms = 0.0
        inner = app.wsgi_app

        def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            started = time.perf_counter()
            body = b"".join(inner(environ, start_response))  # type: ignore[arg-type]
            self.last_ms = (time.perf_counter() - started) * 1000
            return [body]

        app.wsgi_app = timed  # type: ignore[method-assign]


class Tablet:
    """A signed-in clinician autosaving one tender point of a draft exam, again and again."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            user = make_user(db.session, roles=(Role.CLINICIAN,))
            exam = make_exam(db.session, clinician=user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            self.exam = str(exam.uuid)
        self.clock = ServerClock(app)
        self.client = app.test_client()
        sign_in_as(self.client, user)
        self.version = 0

    def save(self) -> float:
        """One autosave of a changed rating; its server time in ms."""
        rating = self.version % 10 + 1
        response = self.client.put(
            f"/exams/{self.exam}/autosave/tender-points/TP01L",
            json={
                "base_version": self.version,
                "finding": {"examined": True, "painful": True, "rating": rating},
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if response.status_code != 200:
            raise SystemExit(f"autosave answered {response.status_code}: {response.data[:200]!r}")
        self.version = response.get_json()["saved"]["version"]
        return self.clock.last_ms


def _saves(tablet: Tablet, logging: bool) -> float:
    """The median server time of a batch of autosaves, with audit logging on or off."""
    original = audit._append
    if not logging:
        audit._append = lambda *_args, **_kwargs: None  # type: ignore[assignment]
    try:
        return statistics.median(tablet.save() for _ in range(SAVES_PER_ROUND))
    finally:
        audit._append = original  # type: ignore[method-assign]


def _spread(values: list[float], digits: int = 2) -> str:
    median, low, high = statistics.median(values), min(values), max(values)
    return f"{median:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--postgres", default=os.environ.get("CLINIC_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    backends = {
        "SQLite": _app(f"sqlite:///{folder}/verify.sqlite3"),
        "PostgreSQL": _app(args.postgres),
    }
    for app in backends.values():
        _fill_log(app, args.rows)
    rates: dict[str, list[float]] = {name: [] for name in backends}
    for _ in range(args.rounds):
        for name, app in backends.items():
            rate, _count = _verify_rate(app)
            rates[name].append(rate)
    for app in backends.values():
        with app.app_context():
            db.engine.dispose()

    autosave_apps = {
        "SQLite": _app(f"sqlite:///{folder}/autosave.sqlite3"),
        "PostgreSQL": _app(args.postgres),
    }
    tablets = {name: Tablet(app) for name, app in autosave_apps.items()}
    timings: dict[tuple[str, bool], list[float]] = {
        (name, logging): [] for name in tablets for logging in (True, False)
    }
    for number in range(args.rounds):
        for name, tablet in tablets.items():
            # Alternate which goes first, so neither always runs on a warmer cache.
            order = (True, False) if number % 2 == 0 else (False, True)
            for logging in order:
                timings[(name, logging)].append(_saves(tablet, logging))

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"Rounds: {args.rounds}; log of {args.rows:,} rows; {SAVES_PER_ROUND} autosaves per batch\n"
    )
    print("| Verify | rows/s, median (range) | target |")
    print("|---|---|---|")
    for name, values in rates.items():
        verdict = "ok" if min(values) >= VERIFY_TARGET else "UNDER"
        print(f"| {name} | {_spread(values, 0)} | >= {VERIFY_TARGET:,} {verdict} |")
    print("\n| Autosave | with audit, ms | without, ms | added | target |")
    print("|---|---|---|---|---|")
    for name in tablets:
        on, off = timings[(name, True)], timings[(name, False)]
        added = statistics.median(on) / statistics.median(off) - 1
        verdict = "ok" if added <= AUTOSAVE_TARGET else "OVER"
        print(f"| {name} | {_spread(on)} | {_spread(off)} | {added:+.1%} | <= 10 % {verdict} |")


if __name__ == "__main__":
    main()
