"""Migrations: one head, a schema identical to the models, and every revision reversible."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, inspect, make_url, text

from clinic.config import database_url as normalised_url
from clinic.extensions import db
from clinic.models import Base
from tests.conftest import make_app


@pytest.fixture
def empty_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a brand-new empty database of the same kind as the test database."""
    url = make_url(normalised_url(make_app(database_url)))
    if url.get_backend_name() == "sqlite":
        yield make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        return
    name = f"clinic_migrations_{uuid.uuid4().hex[:12]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        app = make_app(url.set(database=name).render_as_string(hide_password=False))
        yield app
        with app.app_context():
            db.engine.dispose()
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _scripts(app: Flask) -> ScriptDirectory:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config)


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_there_is_exactly_one_head(empty_app: Flask) -> None:
    assert len(_scripts(empty_app).get_heads()) == 1


def test_revision_files_are_ordered_by_number(empty_app: Flask) -> None:
    revisions = list(reversed(list(_scripts(empty_app).walk_revisions())))
    numbers = [int(revision.revision) for revision in revisions]
    assert numbers == list(range(1, len(numbers) + 1))
    for revision in revisions:
        assert Path(revision.path).name.startswith(f"{revision.revision}_")


def test_upgrade_head_on_an_empty_database_matches_the_models(empty_app: Flask) -> None:
    with empty_app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert _tables(empty_app) == set(Base.metadata.tables) | {"alembic_version"}


def test_every_revision_downgrades_to_base(empty_app: Flask) -> None:
    revisions = [r.revision for r in reversed(list(_scripts(empty_app).walk_revisions()))]
    with empty_app.app_context():
        for revision in revisions:
            flask_migrate.upgrade(revision=revision)
            flask_migrate.downgrade(revision="-1")
            flask_migrate.upgrade(revision=revision)
        flask_migrate.downgrade(revision="base")
    assert _tables(empty_app) <= {"alembic_version"}


def test_rows_written_before_an_upgrade_survive_it(empty_app: Flask) -> None:
    revisions = [r.revision for r in reversed(list(_scripts(empty_app).walk_revisions()))]
    with empty_app.app_context():
        flask_migrate.upgrade(revision=revisions[0])
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO patients (uuid, mrn, family_name, given_name, date_of_birth,"
                    " sex, name_search, created_at, updated_at) VALUES (:uuid, 'M-1',"
                    " 'Łukasiewicz', 'Zoë', '1981-04-02', 'female', 'lukasiewicz zoe',"
                    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {
                    "uuid": uuid.uuid4().hex
                    if db.engine.dialect.name == "sqlite"
                    else str(uuid.uuid4())
                },
            )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT mrn, family_name FROM patients")).all()
            settings = connection.execute(text("SELECT count(*) FROM clinic_settings")).scalar()
    assert [tuple(row) for row in rows] == [("M-1", "Łukasiewicz")]
    assert settings == 1
