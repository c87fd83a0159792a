"""Benchmark: eight tablets racing on one exam lose no update, on SQLite and on PostgreSQL.

The service runs as `make run` serves it (gunicorn, 2 workers × 4 threads) on a fresh migrated
database. Eight tablets sign in through the sign-in page, as a clinician would, and each round
all eight are released together (a barrier) on the same record with the same base version:

- change a site already recorded (the tablet's autosave, PUT tender-points/TP01L);
- record a site for the first time (base version 0, a new site each round);
- change the exam through the JSON API with one ETag (PUT /api/v1/exams/<id>, If-Match).

A lost update is a save acknowledged (200) whose value is not the one stored after the round,
or more than one acknowledged save on one base version. Every other answer must be 412; any
other status is counted as an error. Backends alternate round by round so a busy moment of the
machine falls on both alike; the table gives each race's median answer time and its range over
the round medians.

    .venv/bin/python bench/race_bench.py [--rounds 20] [--tablets 8]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402 - after the path set-up above
import requests  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from clinic import create_app  # noqa: E402
from clinic.domain.roles import Role  # noqa: E402
from clinic.domain.sites import ALL_SITES  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.models import Exam, TenderPointFinding  # noqa: E402
from clinic.services.api_tokens import create_token  # noqa: E402
from tests.factories import PASSWORD, make_exam, make_user  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "race bench secret, not for production"  # noqa: S105 - a throwaway server's key
SERVER_ENV = {"CLINIC_SECRET_KEY": SECRET, "CLINIC_PASSWORD_HASH_PROFILE": "CHEAPEST"}
RACES = ("site change", "first save", "API PUT")


@dataclass
class Backend:
    name: str
    url: str  # SQLAlchemy URL
    base: str = ""
    exam: str = ""
    token: str = ""
    tablets: list[requests.Session] = field(default_factory=list)
    csrf: list[str] = field(default_factory=list)
    server: subprocess.Popen[bytes] | None = None
    times: dict[str, list[float]] = field(default_factory=dict)  # race -> round medians (ms)
    answers: dict[str, Counter[int]] = field(default_factory=dict)  # race -> statuses
    lost: Counter[str] = field(default_factory=Counter)  # race -> lost updates
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(backend: Backend) -> tuple[str, str, str]:
    """Migrate the database; an administrator, a clinician, a draft exam, an API token."""
    app = create_app(
        {"DATABASE_URL": backend.url, "SECRET_KEY": SECRET, "PASSWORD_HASH_PROFILE": "CHEAPEST"}
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        make_user(db.session, roles=(Role.ADMIN,))
        clinician = make_user(db.session, roles=(Role.CLINICIAN,))
        exam = make_exam(db.session, clinician=clinician)
        token, _ = create_token(db.session, clinician, "race bench")
        db.session.commit()
        result = clinician.email, str(exam.uuid), token
        db.engine.dispose()
    return result


def start(backend: Backend, email: str, count: int) -> None:
    port = free_port()
    backend.base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **SERVER_ENV, "CLINIC_DATABASE_URL": backend.url}
    backend.server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):  # the workers import the app first: up to 30 s
        try:
            requests.get(backend.base + "/login", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.1)
    for _ in range(count):
        tablet = requests.Session()
        login = tablet.get(backend.base + "/login", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)
        if token is None:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)
        assert token is not None, "no CSRF token on the sign-in page"
        signed = tablet.post(
            backend.base + "/login",
            data={"csrf_token": token.group(1), "email": email, "password": PASSWORD},
            timeout=10,
        )
        assert signed.ok, signed.status_code
        page = tablet.get(f"{backend.base}/exams/{backend.exam}", timeout=10).text
        state = re.search(r'<script type="application/json" id="exam-state">(.*?)</script>', page)
        assert state is not None, "the exam page has no tablet state: not signed in?"
        backend.tablets.append(tablet)
        backend.csrf.append(json.loads(state.group(1))["csrf"])


def stop(backend: Backend) -> None:
    if backend.server is not None:
        backend.server.terminate()
        backend.server.wait(timeout=30)


def at_once(calls: list[Callable[[], requests.Response]]) -> list[tuple[int, Any, float]]:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], requests.Response]) -> tuple[int, Any, float]:
        barrier.wait(timeout=60)
        began = time.perf_counter()
        answer = call()
        elapsed = (time.perf_counter() - began) * 1000
        try:
            body = answer.json()
        except ValueError:
            body = None
        return answer.status_code, body, elapsed

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def autosave(backend: Backend, n: int, path: str, body: Any) -> Callable[[], requests.Response]:
    tablet, csrf = backend.tablets[n], backend.csrf[n]
    key = str(uuid.uuid4())
    url = f"{backend.base}/exams/{backend.exam}/autosave/{path}"
    headers = {"Idempotency-Key": key, "X-CSRFToken": csrf}
    return lambda: tablet.put(url, json=body, headers=headers, timeout=60)


def stored_site(engine: Any, exam: str, code: str) -> tuple[int | None, int] | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(TenderPointFinding.rating, TenderPointFinding.version)
            .join(Exam)
            .where(Exam.uuid == uuid.UUID(exam), TenderPointFinding.site_code == code)
        ).first()
    return None if row is None else (row[0], row[1])


def judge(
    backend: Backend,
    race: str,
    answers: list[tuple[int, Any, float]],
    acknowledged_ok: Callable[[int], bool],
) -> None:
    """Count the answers; a lost update is a second 200 or a 200 whose value is not stored."""
    backend.times.setdefault(race, []).append(statistics.median(a[2] for a in answers))
    codes = [status for status, _, _ in answers]
    backend.answers.setdefault(race, Counter()).update(codes)
    winners = [n for n, status in enumerate(codes) if status == 200]
    backend.lost[race] += max(0, len(winners) - 1)
    backend.lost[race] += sum(1 for n in winners if not acknowledged_ok(n))
    backend.errors += [f"{race}: {status}" for status in codes if status not in (200, 412)]


def one_round(backend: Backend, engine: Any, number: int, count: int) -> None:
    # A site already recorded: every tablet changes it from the version it last saw.
    # Each tablet sends a different rating, none the one stored (a save of what is stored
    # changes nothing and is acknowledged as it stands: not a race).
    stored_rating, base = stored_site(engine, backend.exam, "TP01L") or (None, 0)
    pool = [rating for rating in range(1, 11) if rating != stored_rating]
    ratings = [pool[(number + n) % len(pool)] for n in range(count)]
    answers = at_once(
        [
            autosave(
                backend,
                n,
                "tender-points/TP01L",
                {
                    "base_version": base,
                    "finding": {"examined": True, "painful": True, "rating": ratings[n]},
                },
            )
            for n in range(count)
        ]
    )
    after = stored_site(engine, backend.exam, "TP01L")
    judge(backend, RACES[0], answers, lambda n: after == (ratings[n], base + 1))

    # A site never recorded: every tablet records it first.
    code = FIRST_SAVE_SITES[number % len(FIRST_SAVE_SITES)]
    if stored_site(engine, backend.exam, code) is None:
        answers = at_once(
            [
                autosave(
                    backend,
                    n,
                    f"tender-points/{code}",
                    {
                        "base_version": 0,
                        "finding": {"examined": True, "painful": True, "rating": ratings[n]},
                    },
                )
                for n in range(count)
            ]
        )
        after = stored_site(engine, backend.exam, code)
        judge(backend, RACES[1], answers, lambda n: after == (ratings[n], 1))

    # The API: every caller sends a changed plan with the same ETag.
    headers = {"Authorization": f"Bearer {backend.token}"}
    current = requests.get(
        f"{backend.base}/api/v1/exams/{backend.exam}", headers=headers, timeout=30
    )
    document, etag = current.json(), current.headers["ETag"]

    def put(n: int) -> Callable[[], requests.Response]:
        changed = {**document, "impression": {**document["impression"], "plan": f"R{number}T{n}"}}
        return lambda: requests.put(
            f"{backend.base}/api/v1/exams/{backend.exam}",
            json=changed,
            headers={**headers, "If-Match": etag},
            timeout=60,
        )

    answers = at_once([put(n) for n in range(count)])
    with engine.connect() as connection:
        plan = connection.execute(
            select(Exam.plan).where(Exam.uuid == uuid.UUID(backend.exam))
        ).scalar_one()
    judge(backend, RACES[2], answers, lambda n: plan == f"R{number}T{n}")


FIRST_SAVE_SITES = [site.code for site in ALL_SITES if site.code != "TP01L"]


def fresh_postgres(server: str) -> tuple[str, Callable[[], None]]:
    """A new database on the PostgreSQL server, and how to drop it."""
    name = f"clinic_race_{os.getpid()}"
    admin = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = server.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return url.replace("postgresql://", "postgresql+psycopg://", 1), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--tablets", type=int, default=8)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "CLINIC_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server URL whose user may create databases ('' to skip)",
    )
    args = parser.parse_args()
    if not 2 <= args.tablets <= 9:
        parser.error("--tablets: from 2 to 9 (each sends its own rating from 1 to 10)")

    folder = tempfile.TemporaryDirectory()
    backends = [Backend("SQLite", f"sqlite:///{Path(folder.name) / 'race.sqlite3'}")]
    cleanup: list[Callable[[], None]] = []
    if args.postgres:
        url, drop = fresh_postgres(args.postgres)
        backends.append(Backend("PostgreSQL", url))
        cleanup.append(drop)
    engines = {}
    try:
        for backend in backends:
            email, backend.exam, backend.token = prepare(backend)
            start(backend, email, args.tablets)
            engines[backend.name] = create_engine(backend.url)
        began = time.perf_counter()
        for number in range(args.rounds):
            for backend in backends if number % 2 == 0 else reversed(backends):
                one_round(backend, engines[backend.name], number, args.tablets)
        elapsed = time.perf_counter() - began
    finally:
        for backend in backends:
            stop(backend)
        for engine in engines.values():
            engine.dispose()
        for step in cleanup:
            step()
        folder.cleanup()

    print(
        f"{args.tablets} tablets × {args.rounds} rounds, gunicorn 2 workers × 4 threads; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}; {elapsed:.1f} s in all"
    )
    print()
    columns = ("database", "race", "saves", "acknowledged", "412", "other", "lost updates")
    print("| " + " | ".join((*columns, "median ms", "range")) + " |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    failed = False
    for backend in backends:
        for race in RACES:
            rounds = backend.times.get(race, [])
            codes = backend.answers.get(race, Counter())
            other = sum(count for status, count in codes.items() if status not in (200, 412))
            print(
                f"| {backend.name} | {race} | {sum(codes.values())} | {codes[200]} | {codes[412]} "
                f"| {other} | {backend.lost[race]} "
                f"| {statistics.median(rounds):.1f} | {min(rounds):.1f}–{max(rounds):.1f} |"
            )
        failed |= bool(sum(backend.lost.values()) or backend.errors)
        for error in backend.errors[:10]:
            print(f"  unexpected answer: {error}", file=sys.stderr)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
