"""Benchmark: the exports against a raw SQL floor, and their memory as the data grows.

Run with `make bench` (or `python bench/exports_bench.py --exams 100000` for 3,000,000 rows;
`--db FILE` reuses a database built before, `--rounds N` sets the rounds, `--tasks csv,fhir`).
Generates N exams × 30 findings (22 sites, 8 trigger points with referral zones) in SQLite,
then measures, each in its own process (so its peak memory is its own):

- the floor: one SQL statement with the same joins and ORDER BY, read through a raw `sqlite3`
  cursor into `csv.writer`;
- the tidy findings CSV, the NDJSON documents and the FHIR bundles (NDJSON) of `export_stream`,
  in an app built as a web worker builds it (the export page streams them from there).

Targets (issue: exports): CSV >= 0.6x the floor's rows/s; FHIR NDJSON >= 0.2x; peak RSS <= 100 MB,
and the same at 300,000 and 3,000,000 rows (flat).
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FINDINGS_PER_EXAM = 30
TRIGGER_POINTS_PER_EXAM = 8

FLOOR_SQL = """
SELECT e.uuid, p.uuid, p.mrn, e.exam_date, u.uuid, u.display_name, e.status, f.uuid,
       'tender_point', NULL, f.site_code, NULL, f.examined, f.painful, f.rating,
       NULL, NULL, NULL, NULL, NULL, f.ppt_value, f.ppt_unit, e.id AS exam_key, 0 AS kind, 0 AS pos
FROM tender_point_findings f JOIN exams e ON f.exam_id = e.id
JOIN patients p ON e.patient_id = p.id JOIN users u ON e.clinician_id = u.id
WHERE e.status != 'entered_in_error'
UNION ALL
SELECT e.uuid, p.uuid, p.mrn, e.exam_date, u.uuid, u.display_name, e.status, t.uuid,
       'trigger_point', t.position + 1, NULL, t.muscle_code, NULL, NULL, t.rating,
       t.nodule_length_mm, t.tenderness_grade, t.taut_band,
       (SELECT group_concat(z.zone_code, ';') FROM referral_zones z WHERE z.finding_id = t.id),
       t.classification, t.ppt_value, t.ppt_unit, e.id, 1, t.position
FROM trigger_point_findings t JOIN exams e ON t.exam_id = e.id
JOIN patients p ON e.patient_id = p.id JOIN users u ON e.clinician_id = u.id
WHERE e.status != 'entered_in_error'
ORDER BY 4, exam_key, kind, pos
"""


def _app(path: Path, migrations: bool = False):  # type: ignore[no-untyped-def]
    """The app as a web worker builds it (no Alembic, its start-up heap settled); with
    migrations to build the database."""
    from clinic import create_app, settle_heap

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        },
        migrations=migrations,
    )
    settle_heap()
    return app


def build(path: Path, exams: int) -> None:
    """A database of `exams` exams, 30 findings each, in one transaction per table."""
    import flask_migrate
    from sqlalchemy import insert

    from clinic.domain.muscles import MUSCLES, typical_referral_zones
    from clinic.domain.scales import Side
    from clinic.domain.sites import ALL_SITES
    from clinic.extensions import db
    from clinic.models import (
        Exam,
        Patient,
        ReferralZone,
        TenderPointFinding,
        TriggerPointFinding,
        User,
    )

    app = _app(path, migrations=True)
    rng = random.Random(7)  # noqa: S311 - synthetic ratings, not secrets
    with app.app_context():
        flask_migrate.upgrade()
        session = db.session
        now = datetime(2026, 11, 24, 12, tzinfo=UTC)
        session.execute(
            insert(User),
            [
                {
                    "email": "bench@clinic.example",
                    "display_name": "Bench Clinician",
                    "password_hash": "x",
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        clinician = session.scalars(db.select(User.id)).one()
        patients = max(1, exams // 3)
        session.execute(
            insert(Patient),
            [
                {
                    "mrn": f"B-{n:07d}",
                    "family_name": f"Family{n}",
                    "given_name": "Given",
                    "name_search": f"family{n} given",
                    "date_of_birth": date(1970, 1, 1),
                    "sex": "female",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(patients)
            ],
        )
        patient_ids = list(session.scalars(db.select(Patient.id)))
        start = date(2025, 1, 1)
        session.execute(
            insert(Exam),
            [
                {
                    "patient_id": patient_ids[n % patients],
                    "clinician_id": clinician,
                    "created_by_id": clinician,
                    "exam_date": start + timedelta(days=n % 600),
                    "status": "draft",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(exams)
            ],
        )
        exam_ids = list(session.scalars(db.select(Exam.id)))
        sites = [site.code for site in ALL_SITES][: FINDINGS_PER_EXAM - TRIGGER_POINTS_PER_EXAM]
        for first in range(0, len(exam_ids), 5000):
            chunk = exam_ids[first : first + 5000]
            session.execute(
                insert(TenderPointFinding),
                [
                    {
                        "exam_id": exam_id,
                        "site_code": code,
                        "examined": True,
                        "painful": (rating := rng.randint(0, 10)) > 0,
                        "rating": rating,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for exam_id in chunk
                    for code in sites
                ],
            )
            session.execute(
                insert(TriggerPointFinding),
                [
                    {
                        "exam_id": exam_id,
                        "position": position,
                        "muscle_code": MUSCLES[(exam_id + position) % len(MUSCLES)].code,
                        "side": "left" if position % 2 else "right",
                        "rating": rng.randint(0, 10),
                        "taut_band": "present",
                        "hypersensitive_spot": True,
                        "referred_pain": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for exam_id in chunk
                    for position in range(TRIGGER_POINTS_PER_EXAM)
                ],
            )
        points = session.execute(
            db.select(
                TriggerPointFinding.id, TriggerPointFinding.muscle_code, TriggerPointFinding.side
            )
        ).all()
        zones = []
        for finding_id, muscle, side in points:
            for code in typical_referral_zones(muscle, Side(side))[:2]:
                zones.append({"finding_id": finding_id, "zone_code": code})
        for first in range(0, len(zones), 50_000):
            session.execute(insert(ReferralZone), zones[first : first + 50_000])
        session.commit()


def floor(path: Path, out: Path) -> tuple[int, float]:
    """The floor: one statement, a raw cursor, csv.writer."""
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    rows = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in connection.execute(FLOOR_SQL):
            writer.writerow(row)
            rows += 1
    connection.close()
    return rows, time.perf_counter() - started


def project(path: Path, out: Path, fmt: str) -> tuple[int, float]:
    """One of the project's exports, as `clinic export` writes it; the rows are findings. Timed
    from the first query (the app is built first, as the floor's interpreter is)."""
    from sqlalchemy import func, select

    from clinic.cli_output import write_whole
    from clinic.exports.formats import ExportRequest, export_stream
    from clinic.extensions import db_session
    from clinic.models import Exam

    app = _app(path)
    with app.app_context():
        table = "findings" if fmt == "csv" else None
        request = ExportRequest(fmt, table=table)
        started = time.perf_counter()
        write_whole(out, export_stream(db_session(), request, "bench"))
        seconds = time.perf_counter() - started
        exams = db_session().scalar(select(func.count()).select_from(Exam))
    return int(exams or 0) * FINDINGS_PER_EXAM, seconds


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec
    from the parent that built the database)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def task(name: str, path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        # Removed at once: a gigabyte of FHIR left behind would be written back to disk while
        # the next task runs, and slow it.
        out = Path(folder) / f"{name}.out"
        rows, seconds = floor(path, out) if name == "floor" else project(path, out, name)
        size = out.stat().st_size
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "mb_out": size / 1e6,
    }


def isolated(name: str, path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--task", name, "--db", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    if "--task" in sys.argv:
        name = sys.argv[sys.argv.index("--task") + 1]
        path = Path(sys.argv[sys.argv.index("--db") + 1])
        print(json.dumps(task(name, path)))
        return
    sizes = [int(sys.argv[sys.argv.index("--exams") + 1])] if "--exams" in sys.argv else [10_000]
    tasks = (
        sys.argv[sys.argv.index("--tasks") + 1].split(",")
        if "--tasks" in sys.argv
        else ["csv", "ndjson", "fhir"]
    )
    # The machine's speed drifts: each round runs the floor, then every task, and a task's ratio
    # is taken against its own round's floor; the medians of the rounds are reported.
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    existing = Path(sys.argv[sys.argv.index("--db") + 1]) if "--db" in sys.argv else None
    for exams in sizes:
        if existing is not None:
            path = existing
        else:
            path = Path(tempfile.mkdtemp()) / "exports.sqlite3"
            started = time.perf_counter()
            build(path, exams)
            print(
                f"{exams:,} exams x {FINDINGS_PER_EXAM} findings built in "
                f"{time.perf_counter() - started:.0f} s ({os.path.getsize(path) / 1e6:.0f} MB): "
                f"{path} (--db reuses it; delete it when done)"
            )
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in ["floor", *tasks]}
        for _ in range(rounds):
            floor_run = isolated("floor", path)
            runs["floor"].append(floor_run | {"ratio": 1.0})
            for name in tasks:
                result = isolated(name, path)
                runs[name].append(
                    result | {"ratio": result["rows_per_s"] / floor_run["rows_per_s"]}
                )
        print(f"{rounds} rounds; medians (ratio: against the same round's floor)")
        header = f"{'task':<8}{'rows':>11}{'s':>9}{'rows/s':>11}{'x floor':>9}"
        print(f"{header}{'x range':>13}{'peak MB':>9}{'MB out':>8}")
        for name, results in runs.items():
            ratios = [r["ratio"] for r in results]
            print(
                f"{name:<8}{int(results[0]['rows']):>11,}"
                f"{statistics.median([r['seconds'] for r in results]):>9.1f}"
                f"{statistics.median([r['rows_per_s'] for r in results]):>11,.0f}"
                f"{statistics.median(ratios):>9.2f}{f'{min(ratios):.2f}-{max(ratios):.2f}':>13}"
                f"{max(r['peak_rss_mb'] for r in results):>9.1f}{results[0]['mb_out']:>8.1f}"
            )


if __name__ == "__main__":
    main()
