"""Hot reads use indexes and need no sort (SQLite's plan, not a timing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Connection

from accord.store import AccessGate, ObjectQuery, Viewer, open_store
from accord.store.reading import _select
from accord.store.schema import stix_object


def plan(connection: Connection, query: ObjectQuery) -> str:
    gate = AccessGate(Viewer("identity--00000000-0000-4000-8000-000000000000"))
    statement = (
        _select(connection, gate, query)
        .order_by(stix_object.c.date_added, stix_object.c.pk)
        .limit(101)
    )
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    return "\n".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


@pytest.mark.parametrize(
    ("query", "index", "may_sort"),
    [
        (ObjectQuery(types=["indicator"]), "ix_stix_object_type_date_added", False),
        # one object's versions are a handful: sorting them is free
        (ObjectQuery(ids=["indicator--00000000-0000-4000-8000-000000000000"]), "autoindex", True),
    ],
)
def test_pages_are_read_in_index_order(
    tmp_path: Path, query: ObjectQuery, index: str, may_sort: bool
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'plan.db'}")
    with store.read() as connection:
        text = plan(connection, query)
    store.close()
    first = text.splitlines()[0]
    assert first.startswith("SEARCH stix_object USING INDEX") and index in first, text
    assert may_sort or "TEMP B-TREE" not in text, text
