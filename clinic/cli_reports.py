"""`clinic report ...`: the same PDFs as the print buttons, written to a file."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from clinic.cli_output import write_whole
from clinic.domain.accounts import normalise_email
from clinic.domain.errors import DomainError
from clinic.extensions import db_session
from clinic.models import Patient, User, utc_now
from clinic.services.exams import get_exam
from clinic.services.reports import clinic_header, exam_summary, exams_between, patient_trend

OUTPUT = click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write the PDF.",
)


def _write(data: bytes, output: str) -> None:
    write_whole(Path(output), [data])
    click.echo(f"Wrote {output} ({len(data):,} bytes).")


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.group("report")
def report_group() -> None:
    """Print chart PDFs from the command line."""


@report_group.command("exam")
@click.argument("exam_id")
@OUTPUT
@with_appcontext
def exam_command(exam_id: str, output: str) -> None:
    """Write one exam's chart summary."""
    try:
        public_id = uuid.UUID(exam_id)
    except ValueError:
        _fail(f"{exam_id!r} is not an exam id.")
    session = db_session()
    exam = get_exam(session, public_id)
    if exam is None:
        _fail(f"There is no exam {exam_id}.")
        return
    from clinic.reports.chart_summary import render_exam_summary  # ReportLab loads only to print

    _write(render_exam_summary(exam_summary(session, exam, utc_now())), output)


@report_group.command("day")
# Click would name these "[%Y-%m-%d]", which reads as an optional argument; DATE says what to give.
@click.argument("day", metavar="DATE", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option(
    "--to",
    "until",
    metavar="DATE",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day of a range (YYYY-MM-DD).",
)
@click.option("--clinician", help="Only this clinician's exams (e-mail address).")
@OUTPUT
@with_appcontext
def day_command(day: object, until: object | None, clinician: str | None, output: str) -> None:
    """Write every exam of DATE (YYYY-MM-DD), or of a range of at most 31 days, into one PDF."""
    session = db_session()
    start = _as_date(day)
    end = _as_date(until) if until is not None else start
    examiner = None
    if clinician:
        examiner = session.scalars(
            select(User).where(User.email == normalise_email(clinician))
        ).first()
        if examiner is None:
            _fail(f"There is no user {clinician}.")
    try:
        exams = exams_between(session, start, end, examiner)
    except DomainError as error:
        _fail(" ".join(message for _field, message in error.reasons))
        return
    if not exams:
        _fail("There are no exams in this range, so there is nothing to print.")
    clinic, now = clinic_header(session), utc_now()
    from clinic.reports.chart_summary import render_exam_batch  # ReportLab loads only to print

    _write(render_exam_batch([exam_summary(session, exam, now, clinic) for exam in exams]), output)


@report_group.command("trend")
@click.argument("patient")
@OUTPUT
@with_appcontext
def trend_command(patient: str, output: str) -> None:
    """Write a patient's trend (PATIENT is the patient id or MRN)."""
    session = db_session()
    try:
        condition = Patient.uuid == uuid.UUID(patient)
    except ValueError:
        condition = func.lower(Patient.mrn) == patient.strip().lower()
    found = session.scalars(select(Patient).where(condition)).first()
    if found is None:
        _fail(f"There is no patient {patient}.")
        return
    from clinic.reports.trend import render_patient_trend  # ReportLab loads only to print

    _write(render_patient_trend(patient_trend(session, found, utc_now())), output)


def _as_date(value: object) -> date:
    return value.date() if hasattr(value, "date") else value  # type: ignore[return-value]
