"""TAXII collections: named, filtered views over the store, with rights per organisation.

A collection holds nothing itself. Reading it is a store query narrowed by the
collection's filter (types, communities, TLP ceiling, creator) and, like every read,
decided by the access gate for the reader's organisation. Writing to it imports into
the store, giving the objects to the collection's readers.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from accord.errors import AlreadyExists, InputError, NotFound
from accord.stix.prepared import PreparedVersion
from accord.stix.timestamps import now_timestamp
from accord.stix.tlp import Tlp
from accord.store.reading import ObjectQuery
from accord.store.schema import (
    taxii_collection,
    taxii_collection_access,
    taxii_collection_community,
)


@dataclass(frozen=True)
class Rights:
    can_read: bool
    can_write: bool


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str = ""
    alias: str | None = None
    types: tuple[str, ...] = ()
    tlp_ceiling: Tlp | None = None
    creator: str | None = None
    communities: tuple[int, ...] = ()

    def scope(self, query: ObjectQuery) -> ObjectQuery | None:
        """``query`` narrowed to this collection; None when nothing can match."""
        types = tuple(query.types)
        if self.types:
            types = tuple(t for t in types if t in self.types) if types else self.types
            if not types:
                return None
        levels = (
            tuple(t.value for t in Tlp if t.restriction <= self.tlp_ceiling.restriction)
            if self.tlp_ceiling
            else ()
        )
        return dataclasses.replace(
            query,
            types=types,
            tlp_levels=levels,
            creator=self.creator,
            communities=self.communities,
        )

    def refusal(self, obj: PreparedVersion, tlp: Tlp) -> tuple[str, str] | None:
        """Why ``obj`` (with effective TLP ``tlp``) cannot enter this collection, if so."""
        if self.types and obj.type not in self.types:
            accepted = ", ".join(self.types)
            return "type", f"collection {self.title!r} accepts only {accepted}"
        if self.tlp_ceiling and tlp.restriction > self.tlp_ceiling.restriction:
            return (
                "object_marking_refs",
                f"{tlp.label} is above collection {self.title!r}'s ceiling"
                f" {self.tlp_ceiling.label}",
            )
        if self.creator and obj.created_by_ref != self.creator:
            return "created_by_ref", f"collection {self.title!r} holds only {self.creator}'s"
        return None


def add_collection(
    connection: Connection,
    title: str,
    *,
    description: str = "",
    alias: str | None = None,
    types: tuple[str, ...] = (),
    tlp_ceiling: Tlp | None = None,
    creator: str | None = None,
    communities: tuple[int, ...] = (),
) -> Collection:
    if alias is not None:
        if _row(connection, alias) is not None:
            raise AlreadyExists("collection", alias)
        if not alias.replace("-", "").replace("_", "").isalnum():
            raise InputError(f"collection alias {alias!r}: use letters, digits, - and _")
    created = Collection(
        str(uuid.uuid4()),
        title,
        description,
        alias,
        tuple(types),
        tlp_ceiling,
        creator,
        tuple(sorted(communities)),
    )
    connection.execute(
        taxii_collection.insert().values(
            id=created.id,
            alias=alias,
            title=title,
            description=description,
            types=",".join(created.types),
            tlp_ceiling=tlp_ceiling.value if tlp_ceiling else None,
            creator=creator,
            created=now_timestamp(),
        )
    )
    if communities:
        connection.execute(
            taxii_collection_community.insert(),
            [{"collection_id": created.id, "community_id": c} for c in created.communities],
        )
    return created


def grant(connection: Connection, collection: Collection, org_id: str, rights: Rights) -> None:
    """Set ``org_id``'s rights on ``collection`` (replacing earlier ones)."""
    access = taxii_collection_access
    connection.execute(
        access.delete().where(access.c.collection_id == collection.id, access.c.org_id == org_id)
    )
    if rights.can_read or rights.can_write:
        connection.execute(
            access.insert().values(
                collection_id=collection.id,
                org_id=org_id,
                can_read=rights.can_read,
                can_write=rights.can_write,
            )
        )


def get_collection(connection: Connection, id_or_alias: str) -> Collection:
    row = _row(connection, id_or_alias)
    if row is None:
        raise NotFound("collection", id_or_alias)
    return _collection(connection, row)


def rights_of(connection: Connection, collection: Collection, org_id: str) -> Rights:
    access = taxii_collection_access
    row = connection.execute(
        select(access.c.can_read, access.c.can_write).where(
            access.c.collection_id == collection.id, access.c.org_id == org_id
        )
    ).first()
    return Rights(bool(row.can_read), bool(row.can_write)) if row else Rights(False, False)


def readers(connection: Connection, collection: Collection) -> frozenset[str]:
    """The organisations that may read ``collection``."""
    access = taxii_collection_access
    rows = connection.execute(
        select(access.c.org_id).where(access.c.collection_id == collection.id, access.c.can_read)
    ).scalars()
    return frozenset(rows)


def collections_for(connection: Connection, org_id: str) -> list[tuple[Collection, Rights]]:
    """The collections ``org_id`` may read or write, in title order."""
    access = taxii_collection_access
    rows = connection.execute(
        select(taxii_collection, access.c.can_read, access.c.can_write)
        .join(access, access.c.collection_id == taxii_collection.c.id)
        .where(access.c.org_id == org_id)
        .order_by(taxii_collection.c.title, taxii_collection.c.id)
    ).all()
    return [(_collection(connection, row), Rights(row.can_read, row.can_write)) for row in rows]


def list_collections(connection: Connection) -> list[tuple[Collection, dict[str, Rights]]]:
    """Every collection with the rights granted on it (org id → rights)."""
    access = taxii_collection_access
    found = []
    for row in connection.execute(select(taxii_collection).order_by(taxii_collection.c.title)):
        collection = _collection(connection, row)
        grants = {
            g.org_id: Rights(g.can_read, g.can_write)
            for g in connection.execute(
                select(access).where(access.c.collection_id == collection.id)
            )
        }
        found.append((collection, grants))
    return found


def _row(connection: Connection, id_or_alias: str) -> object | None:
    return connection.execute(
        select(taxii_collection).where(
            or_(taxii_collection.c.id == id_or_alias, taxii_collection.c.alias == id_or_alias)
        )
    ).first()


def _collection(connection: Connection, row: object) -> Collection:
    columns = row._mapping  # type: ignore[attr-defined]
    communities = connection.execute(
        select(taxii_collection_community.c.community_id)
        .where(taxii_collection_community.c.collection_id == columns["id"])
        .order_by(taxii_collection_community.c.community_id)
    ).scalars()
    return Collection(
        id=columns["id"],
        title=columns["title"],
        description=columns["description"],
        alias=columns["alias"],
        types=tuple(t for t in columns["types"].split(",") if t),
        tlp_ceiling=Tlp(columns["tlp_ceiling"]) if columns["tlp_ceiling"] else None,
        creator=columns["creator"],
        communities=tuple(int(c) for c in communities),
    )
