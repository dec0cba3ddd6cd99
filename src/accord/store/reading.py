"""Reading STIX objects for a viewer. Every query here is filtered by the access gate.

Reads come in (date_added, pk) order, the order TAXII asks for, and page by keyset on
that pair: a cursor is the last row's position, so paging needs no server memory and
survives restarts and several server processes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import orjson
from sqlalchemy import JSON, ColumnElement, Select, cast, func, or_, select, tuple_
from sqlalchemy.engine import Connection

from accord.errors import InvalidParameter
from accord.stix.tlp import Tlp, tlp_of
from accord.store.access_gate import AccessGate, Viewer
from accord.store.database import Store
from accord.store.schema import distribution_community, stix_object

EXPORT_BATCH = 1000
#: version selectors besides exact version timestamps (TAXII's match[version] words)
FIRST, LAST, ALL = "first", "last", "all"


class Cursor(NamedTuple):
    """A position in (date_added, pk) order: the last row of a page."""

    date_added: str
    pk: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.date_added}/{self.pk}".encode()).decode()

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            date_added, _, pk = base64.urlsafe_b64decode(text.encode()).decode().partition("/")
            return cls(date_added, int(pk))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            reason = f"{text!r} is not a cursor this server handed out"
            raise InvalidParameter("next", reason) from None


@dataclass(frozen=True)
class ObjectQuery:
    """What to read: filters, and which versions of each object.

    ``versions`` holds "last", "first", "all" and exact version timestamps; a version
    is read when any of them selects it. "last" and "first" are the newest and oldest
    versions the viewer may see.
    """

    types: Sequence[str] = ()
    ids: Sequence[str] = ()
    text: str | None = None
    added_since: str | None = None
    added_after: str | None = None
    versions: Sequence[str] = (LAST,)
    spec_versions: Sequence[str] = ()
    tlp_levels: Sequence[str] = ()
    creator: str | None = None
    communities: Sequence[int] = ()
    #: leave out versions that came from this organisation's node (no echo back)
    not_received_from: str | None = None
    #: only what others shared: versions received from another node, or created by one
    #: of these organisations (None: no such filter)
    shared_by: Sequence[str] | None = None


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
    #: provenance: the organisation whose node sent this version; None if local
    received_from: str | None = None

    @cached_property
    def body(self) -> dict[str, Any]:
        """The object, decoded on first use."""
        decoded: dict[str, Any] = orjson.loads(self.body_json)
        return decoded

    @property
    def position(self) -> Cursor:
        return Cursor(self.date_added, self.pk)


@dataclass(frozen=True)
class Page:
    items: list[StoredVersion]
    next_cursor: Cursor | None


def search(
    connection: Connection,
    gate: AccessGate,
    query: ObjectQuery,
    limit: int = 100,
    after: Cursor | None = None,
    newest_first: bool = False,
) -> Page:
    """One page of matching versions in (date_added, pk) order, or the reverse when
    ``newest_first`` (what a person browsing wants); ``next_cursor`` continues."""
    columns = stix_object.c
    ascending = (columns.date_added, columns.pk)
    position = tuple_(*ascending)
    order = tuple(c.desc() for c in ascending) if newest_first else ascending
    statement = _select(connection, gate, query).order_by(*order).limit(limit + 1)
    if after is not None:
        cursor = tuple_(after.date_added, after.pk)
        statement = statement.where(position < cursor if newest_first else position > cursor)
    rows = [_version(row) for row in connection.execute(statement)]
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items, items[-1].position if more and items else None)


#: levels that name their audience: only a marking in the object can carry them on
_NAMED_AUDIENCE = frozenset({Tlp.AMBER_STRICT.value, Tlp.RED.value})


def travels(version: StoredVersion) -> bool:
    """Whether ``version`` may go to another node, as far as its own marking goes.

    An object without a TLP marking that was imported at AMBER+STRICT or RED would
    arrive there unmarked and take that node's default level (AMBER lets clients read
    it): it stays on this node. Marked objects carry their level with them."""
    if version.tlp not in _NAMED_AUDIENCE:
        return True
    body = version.body
    refs = [str(ref) for ref in body.get("object_marking_refs") or ()]
    refs += [str(g.get("marking_ref")) for g in body.get("granular_markings") or ()]
    return tlp_of(refs) is not None  # a granular TLP marking binds the whole object too


def iter_versions(
    connection: Connection, gate: AccessGate, query: ObjectQuery
) -> Iterator[StoredVersion]:
    """Every matching version, fetched in keyset-paged batches (memory stays flat)."""
    after: Cursor | None = None
    while True:
        page = search(connection, gate, query, EXPORT_BATCH, after)
        yield from page.items
        if page.next_cursor is None:
            return
        after = page.next_cursor


def visible(store: Store, viewer: str | None, query: ObjectQuery) -> list[StoredVersion]:
    """Every matching version organisation ``viewer`` may see, read through the gate in
    one read transaction (for callers that want them all at once)."""
    with store.read() as connection:
        return list(iter_versions(connection, AccessGate(Viewer(viewer)), query))


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
        columns.received_from,
    )
    statement = statement.where(_versions_selected(gate, query.versions))
    if query.types:
        statement = statement.where(columns.type.in_(list(query.types)))
    if query.ids:
        statement = statement.where(columns.id.in_(list(query.ids)))
    if query.added_since:
        statement = statement.where(columns.date_added >= query.added_since)
    if query.added_after:
        statement = statement.where(columns.date_added > query.added_after)
    if query.spec_versions:
        statement = statement.where(columns.spec_version.in_(list(query.spec_versions)))
    if query.tlp_levels:
        statement = statement.where(columns.tlp.in_(list(query.tlp_levels)))
    if query.creator:
        statement = statement.where(columns.created_by_ref == query.creator)
    if query.shared_by is not None:
        statement = statement.where(
            or_(columns.received_from.is_not(None), columns.created_by_ref.in_(query.shared_by))
        )
    if query.not_received_from:
        statement = statement.where(
            or_(columns.received_from.is_(None), columns.received_from != query.not_received_from)
        )
    if query.communities:
        statement = statement.where(
            columns.distribution_id.in_(
                select(distribution_community.c.distribution_id).where(
                    distribution_community.c.community_id.in_(list(query.communities))
                )
            )
        )
    if query.text:
        statement = statement.where(_text_matches(connection, query.text))
    return statement


def _versions_selected(gate: AccessGate, selectors: Sequence[str]) -> ColumnElement[bool]:
    if ALL in selectors or not selectors:
        return gate.visible()
    conditions = []
    if LAST in selectors:
        conditions.append(gate.latest_visible())
    if FIRST in selectors:
        conditions.append(gate.earliest_visible())
    exact = [s for s in selectors if s not in (FIRST, LAST)]
    if exact:
        conditions.append(gate.visible() & stix_object.c.version.in_(exact))
    return or_(*conditions)


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
    return StoredVersion(
        row.pk,
        row.id,
        row.type,
        row.version,
        row.date_added,
        row.tlp,
        row.body,
        row.received_from,
    )
