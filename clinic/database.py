"""Connection set-up: SQLite pragmas and write transactions that cannot deadlock."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Engine, event

# GET requests only read; everything else (POSTs, CLI commands, tests) may write.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)
# The audit log's DELETE trigger lets a delete through only while this is on (SQLite asks the
# function below; PostgreSQL a transaction setting): see clinic.services.audit.
audit_deletion_permitted: ContextVar[bool] = ContextVar("audit_deletion_permitted", default=False)
T = TypeVar("T")


def configure_engine(engine: Engine) -> None:
    """Apply per-connection settings the database needs; a no-op beyond SQLite."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(
            "clinic_audit_deletion_permitted", 0, _audit_deletion_permitted
        )
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        if not _is_memory(engine):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY without
        # waiting; taking the write lock up front lets busy_timeout queue writers instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def _audit_deletion_permitted() -> int:
    return 1 if audit_deletion_permitted.get() else 0


def _is_memory(engine: Engine) -> bool:
    return engine.url.database in (None, "", ":memory:")


def read_only(chunks: Iterable[T]) -> Iterator[T]:
    """Run a generator that only reads (an export streamed after its request returned, or read
    by the CLI) without SQLite's write lock: every step of it runs with write intent off."""
    iterator = iter(chunks)
    while True:
        token = write_intent.set(False)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            write_intent.reset(token)
        yield chunk
