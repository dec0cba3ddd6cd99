"""The access gate: the one place that decides which stored versions an organisation sees.

Rules, for a version with TLP level L (its own most restrictive TLP marking; for an
object with none, the level its importer chose or the node's default at import time),
given to distribution D (recipient organisations and communities):

* its creator (``created_by_ref``) and every recipient organisation in D see it, at any L;
* L = CLEAR: everyone, signed in or not;
* L = GREEN: members of any community in D;
* L = AMBER: clients of a recipient organisation in D;
* L = AMBER+STRICT and RED: nobody else.

TLP:RED "for the named recipients only" and AMBER+STRICT "the recipient organisation
only" coincide here because the gate's unit is the organisation; they differ in what
federation may forward (never RED).

The gate compiles these rules to one SQL condition over ``stix_object`` so that paging,
counting and searching all happen in the database, never by filtering in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_, exists, or_, select

from accord.stix.tlp import Tlp
from accord.store.schema import (
    community_member,
    distribution_community,
    distribution_org,
    org_client,
    stix_object,
)


@dataclass(frozen=True)
class Viewer:
    """Whose eyes a read is for: an organisation's identity id, or None for the public."""

    org_id: str | None

    @classmethod
    def public(cls) -> Viewer:
        return cls(None)


class AccessGate:
    """Builds the visibility condition for one viewer."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def visible(self, table: Table = stix_object) -> ColumnElement[bool]:
        """SQL condition: the viewer may see this row of ``table`` (stix_object or alias)."""
        clear = self._tlp_is(table, Tlp.CLEAR)
        org = self.viewer.org_id
        if org is None:
            return clear
        recipient = table.c.distribution_id.in_(
            select(distribution_org.c.distribution_id).where(distribution_org.c.org_id == org)
        )
        in_community = table.c.distribution_id.in_(
            select(distribution_community.c.distribution_id)
            .join(
                community_member,
                community_member.c.community_id == distribution_community.c.community_id,
            )
            .where(community_member.c.org_id == org)
        )
        client_of_recipient = table.c.distribution_id.in_(
            select(distribution_org.c.distribution_id)
            .join(org_client, org_client.c.org_id == distribution_org.c.org_id)
            .where(org_client.c.client_id == org)
        )
        return or_(
            clear,
            table.c.created_by_ref == org,
            recipient,
            and_(self._tlp_is(table, Tlp.GREEN), in_community),
            and_(self._tlp_is(table, Tlp.AMBER), client_of_recipient),
        )

    def latest_visible(self, table: Table = stix_object) -> ColumnElement[bool]:
        """The row is visible and no newer version of its object is visible to the viewer.

        The newest stored version may be hidden from a viewer (say its marking was
        tightened); the viewer then sees the newest version it may read.
        """
        newer = stix_object.alias("newer")
        visible_newer = exists().where(
            newer.c.id == table.c.id,
            newer.c.version > table.c.version,
            self.visible(newer),  # type: ignore[arg-type]
        )
        return and_(self.visible(table), or_(table.c.is_latest, ~visible_newer))

    def earliest_visible(self, table: Table = stix_object) -> ColumnElement[bool]:
        """The row is visible and no older version of its object is visible to the viewer."""
        older = stix_object.alias("older")
        visible_older = exists().where(
            older.c.id == table.c.id,
            older.c.version < table.c.version,
            self.visible(older),  # type: ignore[arg-type]
        )
        return and_(self.visible(table), ~visible_older)

    def _tlp_is(self, table: Table, level: Tlp) -> ColumnElement[bool]:
        return table.c.tlp == level.value
