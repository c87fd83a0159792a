"""Benchmark: `clinic backup` of a 100,000-exam SQLite database while a tablet autosaves, and
`clinic restore` of that backup into a new file.

Run with `make bench` (or `python bench/backup_bench.py --exams 100000 --rounds 5`; `--db FILE`
reuses a database built before). The database is built as bench/exports_bench.py builds it
(N exams x 30 findings, trigger points with referral zones). Each round, interleaved:

- a writer thread in this process autosaves one draft's sites through the app (its test client,
  signed in), one save after another, for the whole round;
- `clinic backup FILE` runs as its own process, as cron runs it: its wall time (start-up
  included), the time it reports for the copy, and the writer's saves during it (how many, the
  slowest) are recorded;
- `clinic restore FILE` (its own process) loads the backup into a new SQLite file, migrates it
  (nothing to do: same version), ends the sessions and verifies the audit trail.

Each round's restored copy is checked: its exam count is the source's (no writer adds exams).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.exports_bench import build  # noqa: E402 - after the path is set

PASSWORD = "a long enough bench password"  # noqa: S105 - a synthetic bench user
SECRET = "bench"  # noqa: S105 - the key bench/exports_bench.py builds with
SITES = ("TP01L", "TP01R", "TP02L", "TP02R", "TP03L", "TP03R")


def clinic_command() -> str:
    return str(Path(sys.executable).with_name("clinic"))


def writer_app(path: Path) -> Any:
    """The app as a web worker builds it, with a clinician and a draft to autosave into."""
    from clinic import create_app
    from clinic.auth import hash_password
    from clinic.domain.roles import Role
    from clinic.extensions import db
    from clinic.models import Exam, Patient, User

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": SECRET,
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            "WTF_CSRF_ENABLED": False,
        },
        migrations=False,
    )
    with app.app_context():
        email = f"writer-{uuid.uuid4().hex[:8]}@clinic.example"
        user = User(email=email, display_name="Bench Writer", password_hash=hash_password(PASSWORD))
        user.set_roles({Role.CLINICIAN})
        db.session.add(user)
        patient = db.session.scalars(db.select(Patient).limit(1)).one()
        exam = Exam(patient=patient, clinician=user, created_by=user, exam_date=date(2026, 12, 5))
        db.session.add(exam)
        db.session.commit()
        app.config["BENCH_WRITER"] = (email, str(exam.uuid))
    return app


class Writer(threading.Thread):
    """Autosaves one site after another until stopped; each save's end time and duration."""

    def __init__(self, app: Any) -> None:
        super().__init__(daemon=True)
        email, self.exam = app.config["BENCH_WRITER"]
        self.client = app.test_client()
        answer = self.client.post("/login", data={"email": email, "password": PASSWORD})
        assert answer.status_code == 302, answer.status_code
        self.saves: list[tuple[float, float]] = []
        self.versions: dict[str, int] = {}
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                site = SITES[len(self.saves) % len(SITES)]
                started = time.perf_counter()
                answer = self.client.put(
                    f"/exams/{self.exam}/autosave/tender-points/{site}",
                    json={
                        "base_version": self.versions.get(site, 0),
                        "finding": {
                            "examined": True,
                            "painful": True,
                            "rating": len(self.saves) % 10 + 1,
                        },
                    },
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                assert answer.status_code == 200, answer.text
                self.versions[site] = answer.get_json()["saved"]["version"]
                ended = time.perf_counter()
                self.saves.append((ended, ended - started))
        except BaseException as error:  # reported by the main thread
            self.failure = error


def run(command: list[str], database: Path) -> tuple[float, str]:
    environment = {
        **os.environ,
        "CLINIC_DATABASE_URL": f"sqlite:///{database}",
        "CLINIC_SECRET_KEY": SECRET,
    }
    started = time.perf_counter()
    done = subprocess.run(  # the project's own command
        command, env=environment, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[0]


def exam_count(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM exams").fetchone()[0])


def one_round(source: Path, work: Path, writer: Writer, number: int) -> dict[str, float]:
    backup = work / f"round{number}.backup"
    restored = work / f"round{number}.sqlite3"
    before = len(writer.saves)
    started = time.perf_counter()
    backup_s, backup_line = run([clinic_command(), "backup", str(backup)], source)
    ended = time.perf_counter()
    during = [took for at, took in writer.saves[before:] if started <= at <= ended]
    restore_s, restore_line = run([clinic_command(), "restore", str(backup)], restored)
    assert exam_count(restored) == exam_count(source), "the copy lost exams"
    copy_s = float(backup_line.rsplit(" in ", 1)[1].split(" s")[0])
    print(f"  round {number}: {backup_line}")
    print(f"  round {number}: {restore_line}")
    result = {
        "backup_s": backup_s,
        "copy_s": copy_s,
        "restore_s": restore_s,
        "saves_during": float(len(during)),
        "slowest_save_ms": 1000 * max(during, default=0.0),
        "size_mb": backup.stat().st_size / (1 << 20),
    }
    backup.unlink()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{restored}{suffix}").unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exams", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", type=Path, help="reuse (or build once into) this database")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backup-bench-") as scratch:
        work = Path(scratch)
        source = options.db or work / "source.sqlite3"
        if not source.exists():
            started = time.perf_counter()
            build(source, options.exams)
            print(f"built {options.exams:,} exams in {time.perf_counter() - started:.0f} s")
        print(f"source: {source.stat().st_size / (1 << 20):.0f} MB, {exam_count(source):,} exams")
        app = writer_app(source)
        writer = Writer(app)
        writer.start()
        rounds = []
        try:
            for number in range(1, options.rounds + 1):
                rounds.append(one_round(source, work, writer, number))
        finally:
            writer.stop.set()
            writer.join()
        if writer.failure is not None:
            raise SystemExit(f"the writer failed: {writer.failure!r}")
    print(f"{len(rounds)} rounds, {len(writer.saves)} autosaves meanwhile")
    for name in ("backup_s", "copy_s", "restore_s", "saves_during", "slowest_save_ms", "size_mb"):
        values = [round_[name] for round_ in rounds]
        print(
            f"{name:>16}: median {statistics.median(values):9.2f}  "
            f"range {min(values):.2f}-{max(values):.2f}"
        )
    typical = statistics.median(took for _, took in writer.saves) * 1000
    print(f"{'median_save_ms':>16}: {typical:.1f} (all autosaves of the run)")


if __name__ == "__main__":
    main()
