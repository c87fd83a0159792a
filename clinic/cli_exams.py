"""`clinic exam ...`: print an exam (its canonical document or a summary); load a document."""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from typing import IO, Any

import click
from flask.cli import with_appcontext

from clinic.domain.errors import DomainError
from clinic.domain.record import ExamRecord
from clinic.domain.scoring import ExamScores
from clinic.domain.sites import ALL_SITES
from clinic.domain.summary import survey_lines, tender_point_text, trigger_point_lines


@click.group("exam")
def exam_group() -> None:
    """Show exams and load exam documents."""


@exam_group.command("show")
@click.argument("exam_id")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the canonical exam document; text: a short summary.",
)
@with_appcontext
def show_exam_command(exam_id: str, output: str) -> None:
    """Print an exam by id: its canonical JSON document or a summary."""
    from clinic.database import write_intent
    from clinic.extensions import db_session
    from clinic.services.exams import get_exam
    from clinic.services.records import exam_record
    from clinic.services.signing import current_document

    try:
        public_id = uuid.UUID(exam_id)
    except ValueError:
        raise click.ClickException(f"{exam_id!r} is not an exam id (a UUID).") from None
    token = write_intent.set(False)  # only reads: no need for SQLite's write lock
    try:
        exam = get_exam(db_session(), public_id)
        if exam is None:
            raise click.ClickException(f"There is no exam {public_id}.")
        document = current_document(exam)
        if output == "json":
            click.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
        else:
            click.echo("\n".join(summary_lines(exam_record(exam), document)))
    finally:
        db_session().rollback()
        write_intent.reset(token)


@exam_group.command("load")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--as",
    "acting_email",
    metavar="EMAIL",
    help="The clinician loading the exam (default: the document's clinician, if a user here).",
)
@with_appcontext
def load_exam_command(file: IO[bytes], acting_email: str | None) -> None:
    """Create a draft exam from an exam document (FILE, or - for standard input)."""
    from clinic.domain.document_fields import parse_exam_json
    from clinic.extensions import db_session
    from clinic.services.exam_loading import load_exam_document
    from clinic.services.users import get_user_by_email

    session = db_session()
    try:
        actor = None
        if acting_email is not None:
            actor = get_user_by_email(session, acting_email)
            if actor is None:
                raise DomainError([("--as", f"There is no user {acting_email}.")])
        exam = load_exam_document(session, parse_exam_json(_text_of(file)), actor)
    except DomainError as error:
        session.rollback()
        for path, message in error.reasons:
            click.echo(f"{path}: {message}", err=True)
        raise SystemExit(1) from None
    session.commit()
    click.echo(str(exam.uuid))


def _text_of(file: IO[bytes]) -> str:
    try:
        return file.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError([("document", f"is not UTF-8 text ({error.reason})")]) from None


def summary_lines(record: ExamRecord, document: dict[str, Any]) -> list[str]:
    """An exam in a few lines: header, findings, then the scores as the document has them."""
    return [*_header_lines(record), *_finding_lines(record), *_score_lines(document)]


def _header_lines(record: ExamRecord) -> list[str]:
    patient, clinician = record.patient, record.clinician
    lines = [
        f"Exam {record.id} of {record.exam_date.isoformat()} ({record.status.label})",
        f"Patient: {patient.family_name}, {patient.given_name}; MRN {patient.mrn}; "
        f"born {patient.date_of_birth.isoformat()}; {patient.sex.value}",
        "Clinician: " + ", ".join(filter(None, (clinician.name, clinician.credentials))),
    ]
    if record.signature is not None:
        signed = record.signature
        lines.append(f"Signed by {signed.signed_by.name} at {signed.signed_at:%Y-%m-%d %H:%M} UTC")
    if record.entered_in_error is not None:
        lines.append(f"Entered in error: {record.entered_in_error.reason}")
    return lines


def _finding_lines(record: ExamRecord) -> list[str]:
    lines = ["", "Tender points:"]
    recorded = record.findings.tender_points
    for site in ALL_SITES:  # in the catalogue's order, as the exam page lists them
        if site.code in recorded:
            lines.append(f"  {site.label}: {tender_point_text(recorded[site.code])}")
    if not record.tender_points:
        lines.append("  none recorded")
    lines += ["", "Trigger points:"]
    for number, trigger_point in enumerate(record.trigger_points, start=1):
        lines.append(f"  {number}. " + "; ".join(trigger_point_lines(trigger_point.finding)))
    if not record.trigger_points:
        lines.append("  none recorded")
    lines += ["", "Survey:"] + [f"  {q}: {a}" for q, a in survey_lines(record.survey)]
    impression = record.impression
    lines += [
        "",
        f"Impression: fibromyalgia {impression.fibromyalgia.value.replace('_', ' ')}; "
        f"myofascial pain syndrome {impression.myofascial_pain_syndrome.value.replace('_', ' ')}",
    ]
    notes = (("Assessment", impression.assessment), ("Plan", impression.plan))
    lines += [f"  {name}: {text}" for name, text in notes if text]
    for addendum in record.addenda:
        lines.append(f"Addendum by {addendum.author.name}: {addendum.text}")
    return lines


def _score_lines(document: dict[str, Any]) -> list[str]:
    scores = document["scores"]
    lines = ["", f"Scores (scoring version {document['scoring_version']}):"]
    for field in fields(ExamScores):
        score = scores.get(field.name)
        if isinstance(score, dict):
            lines.append(f"  {score.get('summary') or score.get('text')}")
        elif isinstance(score, list):
            lines += [f"  {item['text']}" for item in score if isinstance(item, dict)]
    return lines
