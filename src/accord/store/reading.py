"""Reading STIX objects for a viewer. Every query here is filtered by the access gate."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from sqlalchemy import JSON, ColumnElement, Select, cast, func, or_, select
from sqlalchemy.engine import Connection

from accord.store.access_gate import AccessGate
from accord.store.schema import stix_object

EXPORT_BATCH = 1000


@dataclass(frozen=True)
class ObjectQuery:
    """What to read: filters, and whether to return every version or only the latest."""

    types: Sequence[str] = ()
    ids: Sequence[str] = ()
    text: str | None = None
    added_since: str | None = None
    all_versions: bool = False


@dataclass(frozen=True)
class StoredVersion:
    """One stored version as a reader sees it."""

    pk: int
    id: str
    type: str
    version: str
    date_added: str
    tlp: str
    #: the object as stored (canonical JSON); export writes it as it is
    body_json: str

    @cached_property
    def body(self) -> dict[str, Any]:
        """The object, decoded on first use."""
        decoded: dict[str, Any] = orjson.loads(self.body_json)
        return decoded


@dataclass(frozen=True)
class Page:
    items: list[StoredVersion]
    next_cursor: int | None


def search(
    connection: Connection,
    gate: AccessGate,
    query: ObjectQuery,
    limit: int = 100,
    after_pk: int | None = None,
) -> Page:
    """One page of matching versions in storage order; ``next_cursor`` continues it."""
    statement = _select(connection, gate, query).order_by(stix_object.c.pk).limit(limit + 1)
    if after_pk is not None:
        statement = statement.where(stix_object.c.pk > after_pk)
    rows = [_version(row) for row in connection.execute(statement)]
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items, items[-1].pk if more and items else None)


def iter_versions(
    connection: Connection, gate: AccessGate, query: ObjectQuery
) -> Iterator[StoredVersion]:
    """Every matching version, fetched in keyset-paged batches (memory stays flat)."""
    after: int | None = None
    while True:
        page = search(connection, gate, query, EXPORT_BATCH, after)
        yield from page.items
        if page.next_cursor is None:
            return
        after = page.next_cursor


def count_by_type(connection: Connection, gate: AccessGate) -> dict[str, int]:
    """How many objects (latest visible versions) of each type the viewer may see."""
    statement = (
        select(stix_object.c.type, func.count())
        .where(gate.latest_visible())
        .group_by(stix_object.c.type)
        .order_by(stix_object.c.type)
    )
    return {kind: int(n) for kind, n in connection.execute(statement)}


def _select(connection: Connection, gate: AccessGate, query: ObjectQuery) -> Select[Any]:
    columns = stix_object.c
    statement = select(
        columns.pk,
        columns.id,
        columns.type,
        columns.version,
        columns.date_added,
        columns.tlp,
        columns.body,
    )
    statement = statement.where(gate.visible() if query.all_versions else gate.latest_visible())
    if query.types:
        statement = statement.where(columns.type.in_(list(query.types)))
    if query.ids:
        statement = statement.where(columns.id.in_(list(query.ids)))
    if query.added_since:
        statement = statement.where(columns.date_added >= query.added_since)
    if query.text:
        statement = statement.where(_text_matches(connection, query.text))
    return statement


def _text_matches(connection: Connection, text: str) -> ColumnElement[bool]:
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if connection.dialect.name == "postgresql":
        description = func.json_extract_path_text(cast(stix_object.c.body, JSON), "description")
    else:
        description = func.json_extract(stix_object.c.body, "$.description")
    return or_(
        stix_object.c.name.ilike(pattern, escape="\\"),
        description.ilike(pattern, escape="\\"),
    )


def _version(row: Any) -> StoredVersion:
    return StoredVersion(row.pk, row.id, row.type, row.version, row.date_added, row.tlp, row.body)
