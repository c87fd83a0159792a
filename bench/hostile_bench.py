"""Benchmark: hostile bodies under the size limit are answered in <= 50 ms of server time.

Each body below is sent, in-process, to the endpoint it aims at (the tablet's autosave, the JSON
API, a page's form) on a migrated SQLite file; server time is the time inside the app's WSGI
callable, from the request's arrival to its last byte. Rounds are interleaved (every body once per
round, REPEATS times), so a busy moment of the machine falls on every body alike; the table gives
the median of the round medians and their range.

    .venv/bin/python bench/hostile_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402 - after the path set-up above
from flask import Flask  # noqa: E402

from clinic import create_app  # noqa: E402
from clinic.domain.roles import Role  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.services.api_tokens import create_token  # noqa: E402
from tests.conftest import sign_in_as  # noqa: E402
from tests.factories import make_exam, make_user  # noqa: E402

TARGET_MS = 50.0
REPEATS = 5
LIMIT = 1024 * 1024  # the default MAX_CONTENT_LENGTH; every body stays just under it
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Body:
    """One hostile body and where it goes."""

    name: str
    method: str
    path: str  # {exam} is the exam's id
    data: bytes
    content_type: str
    expected: int | None  # None: any answer but a server error


def _fill(prefix: bytes, unit: bytes, suffix: bytes) -> bytes:
    """prefix + as many units as fit under the limit + suffix."""
    room = LIMIT - len(prefix) - len(suffix) - 64
    return prefix + unit * (room // len(unit)) + suffix


def _keys_object(count: int, width: int = 6) -> str:
    return "{" + ",".join(f'"k{n:0{width}d}":0' for n in range(count)) + "}"


def _most_keys() -> bytes:
    """One object with as many keys as fit: about 90,000."""
    unit = len('"k000000":0,')
    keys = (LIMIT - 200) // unit
    return ('{"base_version":0,"finding":' + _keys_object(keys) + "}").encode()


def _most_values_read() -> bytes:
    """The most a reader reads: 200 trigger points (the list's cap) of 94 unknown keys each,
    under 20,000 values in all."""
    point = '{"side":"left","muscle":"upper_trapezius",' + _keys_object(94)[1:]
    document = {
        "format": "tender-point-clinic/exam",
        "format_version": 1,
        "exam": {"date": "2026-11-24"},
        "patient": {
            "mrn": "B-1",
            "family_name": "F",
            "given_name": "G",
            "date_of_birth": "1980-01-01",
            "sex": "female",
        },
    }
    text = json.dumps(document)[:-1] + ',"trigger_points":[' + ",".join([point] * 200) + "]}"
    return text.encode()


def _bodies() -> list[Body]:
    tablet = "/exams/{exam}/autosave/trigger-points"
    site = "/exams/{exam}/autosave/tender-points/TP01L"
    api_exam = "/api/v1/exams/{exam}"
    deep = b"[" * 990 + b"]" * 990
    notes = _fill(b'{"finding":{"side":"left","muscle":"upper_trapezius","notes":"', b"x", b'"}}')
    escaped = _fill(b'{"finding":{"side":"left","notes":"', b"\\u4e2d", b'"}}')
    lone = _fill(b'{"finding":{"side":"left","notes":"', b"\\ud800", b'"}}')
    nul = _fill(b'{"finding":{"side":"left","notes":"', b"\\u0000", b'"}}')
    many_fields = "&".join(f"f{n}={'x' * 480}" for n in range(1999)).encode()
    escapes = _fill(b"assessment=", quote("字").encode(), b"&plan=&version=1")
    rows = "&".join(f"points-{n}-muscle_code=upper_trapezius" for n in range(201)).encode()
    boundary = "bench-boundary"
    part = f'--{boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\n{"x" * 400}\r\n'
    parts = (part * 1999 + f"--{boundary}--\r\n").encode()
    multipart = f"multipart/form-data; boundary={boundary}"
    page, rows_page = "/exams/{exam}/impression", "/exams/{exam}/trigger-points"
    page_autosave = "/exams/{exam}/autosave/impression-form"
    bare = _fill(b"plan=", b"%", b"")
    return [
        Body("most keys (89,000 in one object)", "PUT", site, _most_keys(), JSON, 400),
        Body("most values read (200 x 96 keys)", "PUT", api_exam, _most_values_read(), JSON, 422),
        Body("deepest nesting, all the body", "PUT", site, _fill(b"", b"[", b""), JSON, 400),
        Body("nesting 990 deep", "PUT", site, deep, JSON, 400),
        Body("longest string (1 MB note)", "POST", tablet, notes, JSON, 422),
        Body("longest escaped string (\\u4e2d x 174,000)", "POST", tablet, escaped, JSON, 422),
        Body("lone surrogates (\\ud800 x 174,000)", "POST", tablet, lone, JSON, 400),
        Body("NUL characters (\\u0000 x 174,000)", "POST", tablet, nul, JSON, 400),
        Body("not UTF-8 (1 MB of 0xff)", "POST", tablet, _fill(b"", b"\xff", b""), JSON, 400),
        Body("a form instead of JSON", "POST", "/api/v1/patients", many_fields, FORM, 415),
        Body("page form, 1,999 fields", "POST", page, many_fields, FORM, 200),
        Body("page form, 1 MB of %-escapes", "POST", page, escapes, FORM, 200),
        Body("page form, 1 MB of bare %", "POST", page, bare, FORM, 400),
        Body("multipart, 1,999 fields", "POST", page_autosave, parts, multipart, None),
        Body("page form, 201 trigger-point rows", "POST", rows_page, rows, FORM, 200),
    ]


def _app() -> Flask:
    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    return app


def _records(app: Flask) -> tuple[Any, str, str]:
    """A clinician (for the session), their API token and a draft exam."""
    with app.app_context():
        user = make_user(db.session, roles=(Role.CLINICIAN, Role.STAFF))
        token, _ = create_token(db.session, user, "bench")
        exam = make_exam(db.session, clinician=user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user, token, str(exam.uuid)


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


def _send(client: Any, body: Body, exam: str, token: str, etag: str) -> int:
    headers = {"Idempotency-Key": uuid.uuid4().hex, "Authorization": f"Bearer {token}"}
    if body.path.startswith("/api/"):
        headers["If-Match"] = etag
    response = client.open(
        body.path.format(exam=exam),
        method=body.method,
        data=body.data,
        content_type=body.content_type,
        headers=headers,
    )
    return int(response.status_code)


def _row(body: Body, rounds: list[float]) -> str:
    median = statistics.median(rounds)
    spread = f"{min(rounds):.1f}-{max(rounds):.1f}"
    verdict = "ok" if max(rounds) <= TARGET_MS else "OVER"
    size = f"{len(body.data) / 1024:,.0f} KB"
    where = f"{body.method} {body.path}"
    return f"| {body.name} | {where} | {size} | {median:.1f} | {spread} | {verdict} |"


def main() -> None:
    """Measure every body and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    app = _app()
    user, token, exam = _records(app)
    client = app.test_client()
    sign_in_as(client, user)
    clock = ServerClock(app)
    bodies = _bodies()
    etag = client.get(f"/api/v1/exams/{exam}", headers={"Authorization": f"Bearer {token}"})
    tag = etag.headers["ETag"]
    statuses: dict[str, set[int]] = {body.name: set() for body in bodies}
    times: dict[str, list[float]] = {body.name: [] for body in bodies}
    for _round in range(rounds):
        for body in bodies:
            measured = []
            for _ in range(REPEATS):
                statuses[body.name].add(_send(client, body, exam, token, tag))
                measured.append(clock.last_ms)
            times[body.name].append(statistics.median(measured))
    print(
        f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
    )
    print(f"Python {platform.python_version()}, {rounds} rounds x {REPEATS}, limit {LIMIT:,} B")
    print("| body | endpoint | size | median ms | range of rounds | <= 50 ms |")
    print("|---|---|---:|---:|---:|---|")
    for body in bodies:
        print(_row(body, times[body.name]) + f" {sorted(statuses[body.name])}")
        expected = {body.expected} if body.expected else {s for s in statuses[body.name] if s < 500}
        assert statuses[body.name] == expected, (body.name, statuses[body.name])


if __name__ == "__main__":
    main()
