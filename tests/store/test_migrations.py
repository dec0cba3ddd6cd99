"""Migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from accord.store import Store, open_store
from accord.store.schema import metadata


def test_migrated_database_matches_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_migrating_twice_is_harmless(store: Store) -> None:
    again = open_store(store.engine.url.render_as_string(hide_password=False))
    again.close()
