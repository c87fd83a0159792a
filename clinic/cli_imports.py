"""`clinic import FILE`: exams exported as JSON (an array or NDJSON) restored here; a tidy
findings CSV (or the export's zip) read back as drafts."""

from __future__ import annotations

import io
import json
import zipfile
from typing import IO, Any

import click
from flask import current_app
from flask.cli import with_appcontext

from clinic.exports.formats import seal_key
from clinic.extensions import db_session
from clinic.services.imports import ImportProblem, ImportReport, import_documents
from clinic.services.imports_csv import csv_documents, csv_problem
from clinic.services.users import get_user_by_email


def read_documents(text: str) -> list[tuple[str, Any]]:
    """(label, document) pairs of a JSON array or NDJSON file; a broken line is a problem."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith("["):
        try:
            documents = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise click.ClickException(f"The file is not valid JSON: {error}") from None
        return [(f"document {n}", document) for n, document in enumerate(documents, start=1)]
    pairs: list[tuple[str, Any]] = []
    for number, line in enumerate(stripped.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            pairs.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as error:
            pairs.append((f"line {number}", ImportProblem(f"line {number}", "json", str(error))))
    return pairs


@click.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check everything and report; store nothing.")
@click.option("--as", "acting_email", metavar="EMAIL", help="The user recorded as importing.")
@with_appcontext
def import_command(file: IO[bytes], dry_run: bool, acting_email: str | None) -> None:
    """Restore exported exams from FILE (a JSON array or NDJSON; - for standard input), or
    create drafts from a tidy findings CSV or the CSV export's zip. The whole file imports, or
    nothing does; every problem is listed by record and field (CSV: row and column)."""
    session = db_session()
    actor = get_user_by_email(session, acting_email) if acting_email else None
    if acting_email and actor is None:
        raise click.ClickException(f"There is no user {acting_email}.")
    data = file.read()
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = archive.read("findings.csv")
        except (zipfile.BadZipFile, KeyError):
            raise click.ClickException("The zip holds no findings.csv.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException("The file is not UTF-8 text.") from None
    rows_of: dict[str, object] = {}
    if text.lstrip("\ufeff").startswith("exam_id,"):
        pairs, rows_of = csv_documents(session, text)
    else:
        pairs = read_documents(text)
    report = import_documents(session, pairs, seal_key(current_app.config["SECRET_KEY"]), actor)
    report.problems = [csv_problem(problem, rows_of) for problem in report.problems]
    _print(report, dry_run)
    if not report.ok or dry_run:
        session.rollback()
        if not report.ok:
            raise SystemExit(1)
        return
    session.commit()


def _print(report: ImportReport, dry_run: bool) -> None:
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)
    if not report.ok:
        click.echo(f"Nothing imported: {len(report.problems)} problem(s).", err=True)
        return
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {report.exams} exam(s): {report.signed} signed, {report.drafts} draft(s); "
        f"{report.patients} new patient(s), {report.users} new inactive user(s)."
    )
