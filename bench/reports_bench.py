"""Benchmark: the exam summary PDF against a trivial ReportLab page, and a day batch of 50 exams.

Run with `make bench`. Prints the median milliseconds per PDF, the ratio to the floor, the peak
memory of a process that renders it, the page count and the size. Targets (issue: PDF reports):
exam summary <= 15 ms and <= 50x the floor, <= 60 MB peak RSS, <= 60 KB; day batch of 50 <= 1 s.
"""

from __future__ import annotations

import functools
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from clinic.domain.record import ExamRecord


def floor_pdf() -> bytes:
    """The machine's floor: one page, one line of text, through ReportLab's canvas."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Tender Point Clinic")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def exam_pdf() -> bytes:
    """The realistic exam summary: its view-model (scores, comparison, diagram marks) and PDF.

    The two exam records are the input, as the database would hand them over, so they are
    built once; everything the report adds to them is timed.
    """
    from bench.samples import exam_summary
    from clinic.reports.chart_summary import render_exam_summary

    return render_exam_summary(exam_summary(*_realistic_records()))


def day_pdf() -> bytes:
    """A day batch of 50 exams, view-models included (the records are built once)."""
    from bench.samples import exam_summary
    from clinic.reports.chart_summary import render_exam_batch

    return render_exam_batch([exam_summary(record) for record in _day_records()])


@functools.cache
def _realistic_records() -> tuple[ExamRecord, ExamRecord]:
    from bench.samples import realistic_records

    return realistic_records()


@functools.cache
def _day_records() -> list[ExamRecord]:
    from bench.samples import day_of_records

    return day_of_records(50)


TASKS: dict[str, Callable[[], bytes]] = {"floor": floor_pdf, "exam": exam_pdf, "day50": day_pdf}


def measure(task: str, runs: int) -> dict[str, float]:
    """Time one task in this process (after a warm-up) and report its output."""
    render = TASKS[task]
    data = render()  # warm-up: imports, font parsing, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        data = render()
        times.append((time.perf_counter() - start) * 1000)
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "median_ms": statistics.median(times),
        "pages": pages,
        "bytes": len(data),
        "peak_rss_mb": peak_mb,
    }


def run_isolated(task: str, runs: int) -> dict[str, float]:
    """Measure a task in a fresh interpreter, so its peak memory is its own."""
    output = subprocess.run(
        [sys.executable, __file__, "--task", task, "--runs", str(runs)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    """Run every task and print the table."""
    if "--task" in sys.argv:
        task = sys.argv[sys.argv.index("--task") + 1]
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
        print(json.dumps(measure(task, runs)))
        return
    floor = run_isolated("floor", 500)
    exam = run_isolated("exam", 100)
    day = run_isolated("day50", 5)
    print(f"{'task':<22}{'median ms':>10}{'x floor':>9}{'peak MB':>9}{'pages':>7}{'KB':>8}")
    for name, result in (
        ("floor (1-page canvas)", floor),
        ("exam summary", exam),
        ("day batch of 50", day),
    ):
        ratio = result["median_ms"] / floor["median_ms"]
        print(
            f"{name:<22}{result['median_ms']:>10.2f}{ratio:>9.1f}{result['peak_rss_mb']:>9.1f}"
            f"{int(result['pages']):>7}{result['bytes'] / 1024:>8.1f}"
        )


if __name__ == "__main__":
    main()
