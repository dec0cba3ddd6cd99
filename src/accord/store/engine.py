"""Opening the store: engine, SQLite pragmas, migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"

# Executed on every new SQLite connection. WAL lets readers run beside the one writer;
# NORMAL sync is durable across process crashes (the WAL is fsynced at checkpoints).
_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
)

WRITE = {"accord_write": True}
"""Execution options for a connection that will write (one writer at a time)."""

# Key of the PostgreSQL advisory lock that writers hold for their transaction ("ACCORD").
WRITER_LOCK = 0x4143434F5244


def create_store_engine(url: str) -> Engine:
    """An engine for ``url`` with Accord's connection set-up."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "begin", _postgresql_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions into our own hands so that writers can BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in _SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writer takes the write lock at BEGIN; upgrading a read transaction later could
    # fail with SQLITE_BUSY no matter how long busy_timeout waits.
    immediate = connection.get_execution_options().get("accord_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgresql_begin(connection: Connection) -> None:
    # One writer at a time, as with SQLite: a writer decides "new or unchanged" from what
    # it reads, so two writers of the same object must not interleave. Readers never wait.
    if connection.get_execution_options().get("accord_write", False):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect().execution_options(**WRITE) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
