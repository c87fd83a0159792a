"""`clinic import FILE`: exams exported as JSON (an array or NDJSON) restored here; a tidy
findings CSV (or the export's zip) read back as drafts."""

from __future__ import annotations

from typing import IO, Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from clinic.exports.formats import seal_key
from clinic.extensions import db_session
from clinic.services import audit
from clinic.services.import_files import (
    ImportFileError,
    ImportLimits,
    json_documents,
    read_import_file,
)
from clinic.services.imports import ImportReport, import_documents
from clinic.services.imports_csv import csv_documents, csv_problem
from clinic.services.users import get_user_by_email


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
    try:
        pairs, rows_of = _documents(session, file, ImportLimits.from_config(current_app.config))
    except ImportFileError as error:
        # One line: what is wrong with the file as a whole; nothing has been stored.
        message = " ".join(str(error).split())
        raise click.ClickException(f"{message} Nothing imported.") from None
    report = import_documents(session, pairs, seal_key(current_app.config["SECRET_KEY"]), actor)
    report.problems = [csv_problem(problem, rows_of) for problem in report.problems]
    _print(report, dry_run)
    if not report.ok or dry_run:
        session.rollback()
        if not report.ok:
            raise SystemExit(1)
        return
    counts = {"exams": report.exams, "signed": report.signed, "patients": report.patients}
    audit.record(session, actor, "import", "import", None, {"file": file.name, **counts})
    session.commit()


def _documents(
    session: Session, file: IO[bytes], limits: ImportLimits
) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """The file's (label, document) pairs, and a CSV's rows of each; refused whole
    (ImportFileError) when the file is over the caps, cut off or holds no exams."""
    source = read_import_file(file, limits)
    rows_of: dict[str, Any] = {}
    if source.exams_csv is not None or not source.text.lstrip().startswith(("[", "{")):
        pairs, rows_of = csv_documents(session, source, limits)
    else:
        pairs = json_documents(source.text, limits)
    if not pairs:
        raise ImportFileError("The file holds no exams.")
    return pairs, rows_of


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
